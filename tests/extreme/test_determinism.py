"""Determinism: the same input gives identical bytes, diagnostics and digests across runs and across
``PYTHONHASHSEED`` values (set and dict orders differ between those processes; flytespec's outputs must not); and
crashes of the interpreter found before (segmentation faults) stay fixed, checked in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: list[str], seed: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *code], capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=600
    )


def test_outputs_are_identical_across_hash_seeds() -> None:
    runs = {seed: _run(["-m", "tests.extreme.determinism_probe"], seed) for seed in ("0", "1", "4242", "random")}
    for seed, result in runs.items():
        assert result.returncode == 0, f"PYTHONHASHSEED={seed}: {result.stderr[-2000:]}"
    outputs = {seed: result.stdout.split() for seed, result in runs.items()}
    assert len(outputs["0"]) > 60
    assert all(digests == outputs["0"] for digests in outputs.values())


CRASHES = {
    # protobuf 4.21's upb copies messages through the wire format and crashed (SIGSEGV) on anything nested deeper
    # than its parser reads: compile() copied the spec it was given.
    "compile-deep-copy": """
        from flytespec.compiler import compile
        from tests.extreme.test_extremes import _nested_branches
        compile(_nested_branches(40))
    """,
    # libyaml's composer recursed on the C stack: 100,000 nested brackets crashed the process.
    "yaml-flow-nesting": """
        from flytespec import io
        from flytespec.errors import DecodeError
        try:
            io.from_yaml("[" * 100_000 + "]" * 100_000, "google.protobuf.ListValue")
        except DecodeError:
            pass
    """,
    "yaml-block-nesting": """
        from flytespec import io
        from flytespec.errors import DecodeError
        try:
            io.from_yaml("- " * 100_000 + "x", "google.protobuf.ListValue")
        except DecodeError:
            pass
    """,
}


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_former_interpreter_crashes(name: str) -> None:
    result = _run(["-c", textwrap.dedent(CRASHES[name])], "0")
    assert result.returncode == 0, f"{name}: exit {result.returncode}\n{result.stderr[-2000:]}"
