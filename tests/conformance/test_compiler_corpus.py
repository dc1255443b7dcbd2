"""Flyte's compiler corpus validates cleanly, and compiles to exactly Flyte's expected outputs.

For every workflow in snacks-core with an expected output in ``compiled/``: flytespec's CompiledWorkflowClosure
equals it as a message, and its Go-style JSON equals the file byte for byte. Every task compiles to its
``compiled/`` task. The expected outputs were produced by Flyte's test harness, which appends three config entries
(testKey1..3) to container tasks before compiling; the tests do the same.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message

from flytespec import io
from flytespec.admin import launch_plan_pb2, task_pb2
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.compiler import compile, compile_task, to_go_json
from flytespec.core import compiler_pb2, tasks_pb2, workflow_closure_pb2
from flytespec.validate import Severity, validate
from tests.conftest import corpus_dir

CORPUS = corpus_dir()
ABSENT = "Flyte's conformance corpus (../shared/conformance/flytepropeller-compiler) is absent"


def _members() -> dict[Path, Message]:
    if CORPUS is None:
        return {}
    return {p: io.load(p) for p in sorted((CORPUS / "snacks-core").glob("*.pb"))}


MEMBERS = _members()
TASKS = [m for m in MEMBERS.values() if isinstance(m, task_pb2.TaskSpec)]
WORKFLOWS = [m for m in MEMBERS.values() if isinstance(m, admin_workflow_pb2.WorkflowSpec)]
LAUNCH_PLANS = [m for m in MEMBERS.values() if isinstance(m, launch_plan_pb2.LaunchPlan)]


def _params(kind: type, suffix: str) -> list[Any]:
    if CORPUS is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT))]
    cases = []
    for path, member in MEMBERS.items():
        golden = CORPUS / "snacks-core" / "compiled" / f"{path.stem}_{suffix}.json"
        if isinstance(member, kind) and golden.exists():
            cases.append(pytest.param(path, id=path.stem))
    return cases


def _as_flytes_harness_compiles(template: tasks_pb2.TaskTemplate) -> tasks_pb2.TaskTemplate:
    task = tasks_pb2.TaskTemplate()
    task.CopyFrom(template)
    if task.HasField("container"):
        for i in range(1, 4):
            task.container.config.add(key=f"testKey{i}", value=f"testValue{i}")
    return task


HARNESS_TASKS = [_as_flytes_harness_compiles(t.template) for t in TASKS]


@pytest.mark.parametrize("path", sorted(MEMBERS) or [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT))])
def test_every_member_validates_with_no_errors(path: Path) -> None:
    diagnostics = validate(MEMBERS[path], tasks=TASKS, workflows=WORKFLOWS, launch_plans=LAUNCH_PLANS)
    assert [d for d in diagnostics if d.severity is Severity.ERROR] == []


@pytest.mark.parametrize("path", _params(task_pb2.TaskSpec, "task"))
def test_task_compiles_to_flytes_output(path: Path) -> None:
    assert CORPUS is not None
    golden = io.load(CORPUS / "snacks-core" / "compiled" / f"{path.stem}_task.json", compiler_pb2.CompiledTask)
    spec = MEMBERS[path]
    assert isinstance(spec, task_pb2.TaskSpec)
    assert compile_task(_as_flytes_harness_compiles(spec.template)) == golden


@pytest.mark.parametrize("path", _params(admin_workflow_pb2.WorkflowSpec, "wf"))
def test_workflow_compiles_to_flytes_output_byte_for_byte(path: Path) -> None:
    assert CORPUS is not None
    golden_path = CORPUS / "snacks-core" / "compiled" / f"{path.stem}_wf.json"
    golden = io.load(golden_path, compiler_pb2.CompiledWorkflowClosure)
    spec = MEMBERS[path]
    assert isinstance(spec, admin_workflow_pb2.WorkflowSpec)
    compiled = compile(spec, HARNESS_TASKS)
    assert compiled == golden
    assert to_go_json(compiled) == golden_path.read_text().rstrip("\n")
    errors = [d for d in validate(compiled) if d.severity is Severity.ERROR]
    assert errors == [], "a compiled closure validates, its connections included"


def test_the_corpus_has_the_expected_goldens() -> None:
    if CORPUS is None:
        pytest.skip(ABSENT)
    assert len(_params(task_pb2.TaskSpec, "task")) == 87
    assert len(_params(admin_workflow_pb2.WorkflowSpec, "wf")) == 43
    assert len(COMPILED) == 55  # snacks-core's 43, branch's 12


BRANCH = sorted((CORPUS / "branch").glob("*.json")) if CORPUS is not None else []


@pytest.mark.parametrize("path", BRANCH or [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT))])
def test_branch_workflows_compile_to_flytes_primary(path: Path) -> None:
    """Flyte disabled this folder's test; its expected outputs list every task of the closure (what the compiler
    returns when given them all), where flytespec, as admin, keeps the tasks the workflow needs. The compiled
    primary workflow (nodes, renamed branch children, connections) matches exactly."""
    closure = io.load(path, workflow_closure_pb2.WorkflowClosure)
    golden = io.load(path.parent / "compiled" / path.name, compiler_pb2.CompiledWorkflowClosure)
    compiled = compile(closure)
    assert compiled.primary == golden.primary
    needed = {t.template.id.name for t in compiled.tasks}
    assert needed <= {t.template.id.name for t in golden.tasks}


COMPILED = (
    sorted(p for p in CORPUS.glob("*/compiled/*.json") if not p.name.endswith("_task.json"))
    if CORPUS is not None
    else []
)


@pytest.mark.parametrize(
    "path", COMPILED or [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT))], ids=lambda p: str(p)[-60:]
)
def test_flytes_compiled_closures_validate_with_no_errors(path: Path) -> None:
    """What Flyte's compiler wrote passes the checks of compiled closures: its start-node and end-node, the ids of
    branch children, its connections."""
    closure = io.load(path, compiler_pb2.CompiledWorkflowClosure)
    assert closure.primary.template.nodes[0].id == "start-node"
    assert [d for d in validate(closure) if d.severity is Severity.ERROR] == []


def test_go_json_escapes_and_number_forms() -> None:
    task = tasks_pb2.TaskTemplate(type="a<b>&c")
    task.custom.update({"n": 3.0, "f": 0.5, "z": {"b": 1, "a": 2}})
    text = to_go_json(task)
    assert text == '{"type":"a\\u003cb\\u003e\\u0026c","custom":{"f":0.5,"n":3,"z":{"a":2,"b":1}}}'


def test_compile_does_not_touch_its_inputs() -> None:
    if not WORKFLOWS:
        pytest.skip(ABSENT)
    before = [w.SerializeToString(deterministic=True) for w in WORKFLOWS]
    for spec in WORKFLOWS:
        compile(spec, HARNESS_TASKS)
    assert [w.SerializeToString(deterministic=True) for w in WORKFLOWS] == before


def test_whitespace_insensitive_comparison_as_flytes_test_does() -> None:
    """Flyte's own test collapses whitespace; flytespec matches without that, but both views agree."""
    if CORPUS is None:
        pytest.skip(ABSENT)
    path = next(p for p in MEMBERS if isinstance(MEMBERS[p], admin_workflow_pb2.WorkflowSpec))
    spec = MEMBERS[path]
    assert isinstance(spec, admin_workflow_pb2.WorkflowSpec)
    golden = (CORPUS / "snacks-core" / "compiled" / f"{path.stem}_wf.json").read_text()
    assert re.sub(r"\s+", "", to_go_json(compile(spec, HARNESS_TASKS))) == re.sub(r"\s+", "", golden)
