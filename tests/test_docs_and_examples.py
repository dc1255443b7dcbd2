"""`make demo` works: it builds, writes, validates and draws the example workflows,
reports the broken example's mistakes, and round-trips every shipped example."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

from flytespec import io
from flytespec.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flytespec.validate import validate
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def test_demo_builds_validates_draws_and_round_trips(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py"), str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # What it built is valid: the closure on its own, the archive's members against each other.
    closure = io.load(tmp_path / "out" / "ml.training.closure.yaml")
    assert validate(closure) == []
    with tarfile.open(tmp_path / "out" / "flyte-package.tgz") as archive:
        names = archive.getnames()
    kinds = sorted({name.rsplit("_", 1)[-1] for name in names})
    assert kinds == ["1.pb", "2.pb", "3.pb"]
    assert len(names) == 15
    # The broken example's four mistakes are reported, by code.
    for code in ("UnrecognizedValue", "ParameterBoundMoreThanOnce", "NodeReferenceNotFound", "VariableNameNotFound"):
        assert f": {code}: " in proc.stdout
    specs = [p for p in EXAMPLES.rglob("*") if io.format_from_name(p) is not None]
    assert proc.stdout.count("round-trip ok") == len(specs)
    assert "flowchart TD" in proc.stdout


def test_the_broken_example_has_exactly_its_four_mistakes() -> None:
    found = validate(io.load(EXAMPLES / "broken" / "etl.broken.closure.yaml"))
    assert sorted(d.code.name for d in found) == sorted(
        ["UnrecognizedValue", "ParameterBoundMoreThanOnce", "NodeReferenceNotFound", "VariableNameNotFound"]
    )


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
