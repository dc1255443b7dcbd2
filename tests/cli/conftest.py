"""Running the real ``flytespec`` entry point as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def entry_point() -> list[str]:
    """The installed ``flytespec`` script beside this Python, else ``python -m flytespec``."""
    script = Path(sys.executable).with_name("flytespec")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flytespec"]


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def flytespec(tmp_path: Path) -> Run:
    """Run ``flytespec ARGS`` in ``tmp_path`` (or ``cwd``), stdin from ``stdin``; never raises on exit status."""

    def run(
        *args: str, cwd: Path | None = None, stdin: str | bytes | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
        data = stdin.encode() if isinstance(stdin, str) else stdin
        proc = subprocess.run(
            [*entry_point(), *args], cwd=cwd or tmp_path, input=data, capture_output=True, env=full_env, timeout=300
        )
        return subprocess.CompletedProcess(
            proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
        )

    return run
