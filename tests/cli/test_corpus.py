"""``flytespec validate`` on Flyte's compiler corpus: clean as a whole, and the expected codes on broken copies.

The corpus (../shared/conformance/flytepropeller-compiler/snacks-core: TaskSpec, WorkflowSpec and LaunchPlan files
together) is not part of this repository; these tests skip, saying so, where it is absent. Broken copies are made in
a temporary folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flytespec import io
from flytespec.admin import launch_plan_pb2, workflow_pb2
from tests.cli.conftest import Run
from tests.conftest import corpus_dir

CORPUS = corpus_dir()
pytestmark = pytest.mark.skipif(
    CORPUS is None, reason="Flyte's conformance corpus (../shared/conformance/flytepropeller-compiler) is absent"
)


def _members() -> list[Path]:
    assert CORPUS is not None
    found = sorted((CORPUS / "snacks-core").glob("*.pb"))
    assert found
    return found


def _codes(stdout: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in json.loads(stdout)["files"]:
        out[Path(f["file"]).name] = {d["code"] for d in f["diagnostics"] if d["severity"] == "error"}
    return out


def test_the_corpus_validates_without_errors(flytespec: Run) -> None:
    proc = flytespec("validate", "--format", "json", *map(str, _members()))
    assert proc.returncode == 0, proc.stdout[-2000:]
    document = json.loads(proc.stdout)
    assert document["summary"]["errors"] == 0
    assert document["summary"]["files"] == len(_members())
    assert {f["type"] for f in document["files"]} == {
        "flytespec.admin.TaskSpec",
        "flytespec.admin.WorkflowSpec",
        "flytespec.admin.LaunchPlan",
    }


def test_the_corpus_as_an_archive(flytespec: Run, tmp_path: Path) -> None:
    import tarfile

    with tarfile.open(tmp_path / "snacks.tgz", "w:gz") as tar:
        for p in _members():
            tar.add(p, arcname=p.name)
    proc = flytespec("validate", "-q", "snacks.tgz")
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_broken_copies_report_the_expected_codes(flytespec: Run, tmp_path: Path) -> None:
    members = _members()
    copy = tmp_path / "snacks"
    copy.mkdir()
    for p in members:
        shutil.copy(p, copy / p.name)
    # 1. a workflow with a cycle.
    wf_path = next(p for p in members if p.stem.endswith("_2") and len(io.load(p).template.nodes) >= 2)  # type: ignore[attr-defined]
    wf = io.load(wf_path, workflow_pb2.WorkflowSpec)
    used = {n.task_node.reference_id.name for n in wf.template.nodes}
    first, second = wf.template.nodes[0], wf.template.nodes[1]
    second.upstream_node_ids.append(first.id)
    first.upstream_node_ids.append(second.id)
    io.dump(wf, copy / wf_path.name)
    # 2. a task file missing (one the broken workflow does not use): the workflows using it cannot find it.
    removed = next(
        p
        for p in members
        if p.stem.endswith("_1") and io.load(p).template.id.name not in used  # type: ignore[attr-defined]
    )
    (copy / removed.name).unlink()
    # 3. a launch plan whose default input names no workflow input.
    lp_path = next(p for p in members if p.stem.endswith("_3") and io.load(p).spec.default_inputs.parameters)  # type: ignore[attr-defined]
    lp = io.load(lp_path, launch_plan_pb2.LaunchPlan)
    name = sorted(lp.spec.default_inputs.parameters)[0]
    lp.spec.default_inputs.parameters["not_an_input"].CopyFrom(lp.spec.default_inputs.parameters[name])
    io.dump(lp, copy / lp_path.name)

    proc = flytespec("validate", "--format", "json", "snacks")
    assert proc.returncode == 1
    codes = _codes(proc.stdout)
    assert "VariableNameNotFound" in codes[lp_path.name]
    assert "CycleDetected" in codes[wf_path.name]
    users = [n for n, c in codes.items() if "TaskReferenceNotFound" in c]
    assert users, f"nothing reported the missing {removed.name}"
    untouched = set(codes) - set(users) - {lp_path.name, wf_path.name}
    assert all(not codes[n] for n in untouched)
