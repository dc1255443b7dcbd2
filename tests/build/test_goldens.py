"""The builders write what flytekit 1.16 writes for the same code.

Each folder of tests/build/goldens/ is a case: ``flytekit_side.py`` (flytekit code), ``flytespec_side.py`` (the same
specs made with flytespec's builders, returned by ``build()``) and ``expected.json`` (flytekit's serialization of
the first, written by tools/flytekit_goldens.py). Every task, workflow and launch plan must be equal, field by field,
once the documented, deliberate differences are taken out (docs/build.md, "Differences from flytekit"):

- node ids: flytekit numbers the nodes of each branch case from ``n0`` again and names array sub-nodes after the
  mapped task; flytespec numbers every node of a workflow with one counter. Ids are compared by position.
- ``upstream_node_ids`` order: flytekit writes a set's order (it varies between runs); flytespec writes first use
  order. Compared sorted.
- the differences a case lists in ``DIFFERENCES`` (see ``_DIFFERENCES`` below), each a flytekit defect flytespec
  does not reproduce.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from google.protobuf.message import Message

from flytespec import build as b
from flytespec import io
from flytespec._walk import all_nodes, child_nodes, first_difference
from flytespec.admin import launch_plan_pb2
from flytespec.core import workflow_pb2
from flytespec.validate import errors

GOLDENS = Path(__file__).parent / "goldens"
CASES = sorted(p.parent.name for p in GOLDENS.glob("*/expected.json"))
KINDS = {"tasks": "TaskTemplate", "workflows": "WorkflowTemplate", "launch_plans": "LaunchPlan"}


def _load(case: str) -> ModuleType:
    """``flytespec_side.py`` imported under the case's name, as the flytekit side was."""
    spec = importlib.util.spec_from_file_location(case, GOLDENS / case / "flytespec_side.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[case] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[case]
    return module


def _ours(built: list[Any]) -> dict[str, dict[str, Message]]:
    out: dict[str, dict[str, Message]] = {kind: {} for kind in KINDS}
    for item in built:
        if isinstance(item, b.Task):
            out["tasks"][item.name] = item.template
        elif isinstance(item, b.Workflow):
            for template in [item.template, *item.subworkflows]:
                out["workflows"][template.id.name] = template
            for task in item.tasks:
                out["tasks"][task.id.name] = task
        elif isinstance(item, launch_plan_pb2.LaunchPlan):
            out["launch_plans"][item.id.name] = item
        else:
            raise TypeError(f"build() returned a {type(item).__name__}")
    return out


def _theirs(case: str) -> dict[str, dict[str, Message]]:
    expected = json.loads((GOLDENS / case / "expected.json").read_text())
    return {kind: {name: io.from_dict(value, KINDS[kind]) for name, value in expected[kind].items()} for kind in KINDS}


def _canonical_ids(template: workflow_pb2.WorkflowTemplate) -> None:
    """Rename nodes by position (top-level ``N<i>``, nested ``<parent>.<i>``) and every reference to them: promises,
    upstream ids (sorted), branch input names and condition operands (``<node>.<var>``)."""
    names = {node.id: f"N{i}" for i, node in enumerate(template.nodes)}

    def rename(text: str) -> str:
        head, dot, rest = text.partition(".")
        if text in names:
            return names[text]
        return f"{names[head]}.{rest}" if dot and head in names else text

    def rename_bindings(bindings: Any) -> None:
        stack = [binding.binding for binding in bindings]
        while stack:
            data = stack.pop()
            kind = data.WhichOneof("value")
            if kind == "promise":
                data.promise.node_id = rename(data.promise.node_id)
            elif kind == "collection":
                stack.extend(data.collection.bindings)
            elif kind == "map":
                stack.extend(data.map.bindings.values())

    for node in template.nodes:
        node.id = names[node.id]
    for node in all_nodes(template):  # parents first: a child's id is made from its parent's new id
        rename_bindings(node.inputs)
        for binding in node.inputs:
            binding.var = rename(binding.var)
        ids = sorted(rename(i) for i in node.upstream_node_ids)
        del node.upstream_node_ids[:]
        node.upstream_node_ids.extend(ids)
        for i, child in enumerate(child_nodes(node)):
            child.id = f"{node.id}.{i}"
        if node.HasField("branch_node"):
            if_else = node.branch_node.if_else
            conditions = [block.condition for block in (if_else.case, *if_else.other)]
            while conditions:
                expr = conditions.pop()
                if expr.HasField("conjunction"):
                    conditions += [expr.conjunction.left_expression, expr.conjunction.right_expression]
                else:
                    for operand in (expr.comparison.left_value, expr.comparison.right_value):
                        if operand.HasField("var"):
                            operand.var = rename(operand.var)
    rename_bindings(template.outputs)


def _map_min_successes(template: Message) -> None:
    """flytekit's ``map_task(min_successes=n)`` writes ``min_success_ratio: 1.0`` instead: ``ArrayNode``'s model
    is given both members of the ``success_criteria`` oneof and the ratio's default wins. flytespec writes
    ``min_successes``. Taken out by clearing the oneof on both sides."""
    if isinstance(template, workflow_pb2.WorkflowTemplate):
        for node in all_nodes(template):
            if node.HasField("array_node"):
                node.array_node.ClearField("success_criteria")


# Differences a case may list in DIFFERENCES: name → what takes it out of both sides.
_DIFFERENCES: dict[str, Callable[[Message], None]] = {
    "map_min_successes": _map_min_successes,
}


def _normalized(message: Message, differences: list[str]) -> Message:
    out = type(message)()
    out.CopyFrom(message)
    if isinstance(out, workflow_pb2.WorkflowTemplate):
        _canonical_ids(out)
    for name in differences:
        _DIFFERENCES[name](out)
    return out


@pytest.mark.parametrize("case", CASES)
def test_builder_writes_what_flytekit_writes(case: str) -> None:
    module = _load(case)
    differences = list(getattr(module, "DIFFERENCES", []))
    assert set(differences) <= set(_DIFFERENCES), f"unknown differences {differences}"
    ours, theirs = _ours(module.build()), _theirs(case)
    for kind in KINDS:
        assert sorted(ours[kind]) == sorted(theirs[kind]), f"{kind} differ"
        for name, expected in theirs[kind].items():
            got = _normalized(ours[kind][name], differences)
            want = _normalized(expected, differences)
            assert got == want, f"{kind} {name}: first difference at {first_difference(got, want)}"


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25
    assert all((GOLDENS / case / "flytekit_side.py").is_file() for case in CASES)
    counted = dict.fromkeys(KINDS, 0)
    for case in CASES:
        for kind, values in json.loads((GOLDENS / case / "expected.json").read_text()).items():
            counted[kind] += len(values)
    assert counted["tasks"] >= 25, counted
    assert counted["workflows"] >= 15, counted


def test_differences_are_real() -> None:
    """Each documented difference is needed: without taking it out, some case that lists it differs."""
    for name in _DIFFERENCES:
        users = [c for c in CASES if name in getattr(_load(c), "DIFFERENCES", [])]
        assert users, f"no case lists {name}"
        case = users[0]
        ours, theirs = _ours(_load(case).build()), _theirs(case)
        assert any(
            _normalized(ours[kind][n], []) != _normalized(theirs[kind][n], []) for kind in KINDS for n in theirs[kind]
        ), f"{name}: {case} is equal without it"


@pytest.mark.parametrize("case", CASES)
def test_what_build_accepted_the_whole_validator_accepts(case: str) -> None:
    """build() checks the nodes as they are made and validates the rest; the whole validator must agree."""
    for item in _load(case).build():
        if isinstance(item, b.Workflow) and item._checked:
            assert errors(item.validate()) == [], case
