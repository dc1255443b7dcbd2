"""The README's code runs, and the shipped examples stay consistent and round-trip (what `make demo` shows)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flytespec import io
from flytespec.admin import launch_plan_pb2, task_pb2, workflow_pb2
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


@pytest.mark.parametrize("index", range(len(_python_blocks(ROOT / "README.md"))))
def test_readme_code_runs(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    exec(compile(_python_blocks(ROOT / "README.md")[index], "README.md", "exec"), {})


def test_demo_round_trips_every_example() -> None:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py"), str(EXAMPLES)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    specs = [p for p in EXAMPLES.rglob("*") if io.format_from_name(p) is not None]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == len(specs) + 1
    assert sum("round-trip ok" in line for line in lines) == len(specs)


def test_the_pyflyte_folder_matches_the_yaml_examples() -> None:
    closure = io.load(EXAMPLES / "etl.closure.yaml")
    members = sorted((EXAMPLES / "pyflyte").glob("*.pb"))
    loaded = [io.load(p) for p in members]
    assert [type(m) for m in loaded] == [
        task_pb2.TaskSpec,
        task_pb2.TaskSpec,
        workflow_pb2.WorkflowSpec,
        launch_plan_pb2.LaunchPlan,
    ]
    assert [m.template for m in loaded[:2]] == list(closure.tasks)  # type: ignore[attr-defined]
    assert loaded[2].template == closure.workflow  # type: ignore[attr-defined]
    assert loaded[3] == io.load(EXAMPLES / "etl.launchplan.yaml")
