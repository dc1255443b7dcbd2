"""The progress bar: drawn in place on a terminal, erased at the end, absent when piped."""

from __future__ import annotations

import io
from pathlib import Path

from flytespec.cli._progress import Progress
from tests.cli.conftest import EXAMPLES, Run


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_draws_and_erases() -> None:
    stream = _Terminal()
    bar = Progress(4, stream, enabled=True, label="checking")
    for _ in range(4):
        bar.advance()
    assert "checking [" in stream.getvalue()
    assert stream.getvalue().rstrip(" \r").endswith("100% 4/4")
    bar.close()
    assert stream.getvalue().endswith("\r")


def test_disabled_draws_nothing() -> None:
    stream = _Terminal()
    bar = Progress(4, stream, enabled=False, label="x")
    bar.advance(4)
    bar.close()
    assert stream.getvalue() == ""
    assert bar.line().endswith("100% 4/4")


def test_no_progress_on_a_pipe_and_forced_with_always(flytespec: Run, tmp_path: Path) -> None:
    paths = [str(p) for p in sorted((EXAMPLES / "pyflyte").glob("*.pb"))] * 3
    assert flytespec("validate", *paths).stderr == ""
    forced = flytespec("validate", "--progress", "always", *paths)
    assert "reading [" in forced.stderr
    assert "checking [" in forced.stderr
