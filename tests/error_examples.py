"""The example of each diagnostic code (docs/examples/errors/<Code>.yaml), shared by the docs and CLI tests."""

from __future__ import annotations

from pathlib import Path

ERRORS = Path(__file__).resolve().parents[1] / "docs" / "examples" / "errors"

#: The gRPC message limit an example is checked against where it is not admin's default, as its entry in
#: docs/error-codes.md does (``--message-limit``): an example past the real limit would be a file of megabytes.
MESSAGE_LIMITS = {"SpecTooLarge": 1500}


def cli_options(path: Path) -> list[str]:
    """The command-line options ``flytespec validate`` needs to report an example's code."""
    limit = MESSAGE_LIMITS.get(path.stem)
    return [] if limit is None else ["--message-limit", str(limit)]
