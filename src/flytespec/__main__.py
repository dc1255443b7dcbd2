"""``python -m flytespec``: the ``flytespec`` command line (see :mod:`flytespec.cli`)."""

from __future__ import annotations

from flytespec.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(main())
