"""The compiled field-rule checker against a plain interpreter of the same rules.

``check_rules`` runs Python generated from each message type's declared constraints (inlined children, one
``WhichOneof`` per oneof, cheap tests before the full check). Here the same constraints are applied the slow, obvious
way: every message of the tree (``_walk.submessages``), every check of its plan (``_check_field``), every required
oneof. Both must find the same (code, path) pairs on any message, valid or not.
"""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.message import Message
from hypothesis import given, settings
from hypothesis import strategies as st

from flytespec import io, registry
from flytespec._compat import descriptor_of
from flytespec._walk import format_path, submessages
from flytespec.testing import messages, random_workflow_closure
from flytespec.validate._rules import _check_field, _plan, check_rules

ROOTS = sorted(
    name for name in (cls.DESCRIPTOR.full_name for cls in registry.all_message_types()) if name.startswith("flytespec.")
)


def _interpreted(root: Message) -> set[tuple[Any, str]]:
    found: set[tuple[Any, str]] = set()
    for segments, msg in submessages(root):
        plan = _plan(type(msg), descriptor_of(msg))
        for check in plan.checks:
            out: list[Any] = []
            _check_field(msg, check, out)
            found.update((code, format_path((*segments, *rel))) for code, rel, _ in out)
        for oneof, code, _ in plan.oneofs:
            if msg.WhichOneof(oneof) is None:
                found.add((code, format_path(segments)))
    return found


def _compiled(root: Message) -> set[tuple[Any, str]]:
    found: list[tuple[Any, ...]] = []
    check_rules(root, lambda *a: found.append(a))
    assert len(found) == len(set(found)), "each violation is reported once"
    return {(code, path) for code, path, *_ in found}


@settings(max_examples=300)
@given(st.sampled_from(ROOTS), st.data())
def test_the_compiled_checker_finds_what_the_rules_say(name: str, data: st.DataObject) -> None:
    message = data.draw(messages(registry.message_type(name), max_depth=6))
    assert _compiled(message) == _interpreted(message)


@settings(max_examples=50)
@given(st.integers(1, 30), st.integers(0, 2**32 - 1), st.data())
def test_the_compiled_checker_agrees_on_edited_workflows(n: int, seed: int, data: st.DataObject) -> None:
    """Realistic trees, with random fields cleared (required ones among them) anywhere in them."""
    closure = random_workflow_closure(n, seed)
    everything = [msg for _, msg in submessages(closure)]
    for msg in data.draw(st.lists(st.sampled_from(everything), max_size=8)):
        fields = [fd.name for fd, _ in msg.ListFields()]
        if fields:
            msg.ClearField(data.draw(st.sampled_from(fields)))
    assert _compiled(closure) == _interpreted(closure)


def test_a_clean_closure_has_no_violations() -> None:
    closure = random_workflow_closure(200)
    assert _compiled(closure) == _interpreted(closure) == set()


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({"id": "g", "gateNode": {"sleep": {"duration": "0s"}}}, "Node"),  # a positive duration: not zero
        ({"id": "g", "gateNode": {"sleep": {"duration": "-0.000000001s"}}}, "Node"),
        ({"id": "g", "gateNode": {"sleep": {}}}, "Node"),  # required
        ({"id": "n", "metadata": {"timeout": "-1s"}, "taskNode": {}}, "Node"),  # not negative
        ({"id": "n", "metadata": {"timeout": "-0.5s"}, "taskNode": {}}, "Node"),
        ({"variables": {"": {"type": {"simple": "INTEGER"}}}}, "VariableMap"),  # a key matching .+
        ({"variables": {"a": {}, "": {}}}, "VariableMap"),
        ({"ifElse": {"case": {}, "other": [{}]}}, "BranchNode"),  # required children, nested lists of them
        ({"var": "x", "binding": {"collection": {"bindings": [{}, {"map": {"bindings": {"k": {}}}}]}}}, "Binding"),
        ({"labels": {"Bad Key": "v", "ok": "bad value!"}}, "K8sObjectMetadata"),
        ({"image": "i", "ports": [{"containerPort": 0}]}, "Container"),  # 0 is a number below min: 1
        ({"rate": {"unit": "HOUR"}}, "Schedule"),  # rate.value unset is 0, below min: 1
    ],
)
def test_boundaries(value: dict[str, Any], name: str) -> None:
    message = io.from_dict(value, registry.message_type(name))
    found = _compiled(message)
    assert found, "a violation"
    assert found == _interpreted(message)


def test_ranges_apply_to_zero_numbers_without_presence_only() -> None:
    from flytespec.core import tasks_pb2, workflow_pb2

    container = tasks_pb2.Container(image="i", ports=[tasks_pb2.ContainerPort(container_port=0)])
    assert {path for _, path in _compiled(container)} == {"ports[0].container_port"}
    # min_success_ratio has presence (a oneof member): unset, its range is not checked, set to 0 it is in range.
    node = workflow_pb2.Node(id="n")
    node.task_node.reference_id.name = "t"
    array = workflow_pb2.ArrayNode(node=node, min_successes=0)
    assert _compiled(array) == _interpreted(array) == set()
    array = workflow_pb2.ArrayNode(node=node, min_success_ratio=1.5)
    assert {path for _, path in _compiled(array)} == {"min_success_ratio"}
