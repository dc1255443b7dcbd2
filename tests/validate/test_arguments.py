"""What the entry points do with arguments of the wrong kind: a TypeError naming the argument and what it got, before
any work (flyteidl messages are taken as they are: see tests/test_differential.py)."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import struct_pb2

from flytespec import graph
from flytespec.compiler import compile, compile_task
from flytespec.core import tasks_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.diff import diff
from flytespec.validate import check, validate

NOT_MESSAGES: list[Any] = [None, "workflow: {}", {"workflow": {}}, b"\x0a\x00"]


@pytest.mark.parametrize("value", [*NOT_MESSAGES, struct_pb2.Struct()])
def test_a_spec_that_is_no_flytespec_message_is_refused(value: Any) -> None:
    for call in (validate, check, graph.build_graph):
        with pytest.raises(TypeError, match=r"^spec: expected a flytespec message"):
            call(value)
    with pytest.raises(TypeError, match=r"^workflow: "):
        compile(value)
    with pytest.raises(TypeError, match=r"^task: "):
        compile_task(value)
    with pytest.raises(TypeError, match=r"^a: "):
        diff(value, value)


def test_what_is_given_beside_the_spec_must_be_of_its_kind() -> None:
    closure = workflow_closure_pb2.WorkflowClosure()
    task = tasks_pb2.TaskTemplate()
    with pytest.raises(TypeError, match=r"^tasks\[1\]: "):
        validate(closure, tasks=[task, None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"got flytespec\.core\.TaskTemplate"):
        validate(closure, launch_plans=[task])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"got flytespec\.core\.WorkflowTemplate"):
        validate(closure, tasks=[workflow_pb2.WorkflowTemplate()])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"^subworkflows\[0\]: "):
        compile(workflow_pb2.WorkflowTemplate(), subworkflows=["x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"got flytespec\.core\.TaskTemplate"):
        compile(task)  # type: ignore[arg-type]


def test_diff_names_both_types() -> None:
    with pytest.raises(TypeError, match=r"flytespec\.core\.TaskTemplate and flytespec\.core\.WorkflowTemplate"):
        diff(tasks_pb2.TaskTemplate(), workflow_pb2.WorkflowTemplate())
