"""Message types by name."""

from __future__ import annotations

import pytest

from flytespec import registry
from flytespec.admin import task_pb2 as admin_task_pb2
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.core import workflow_closure_pb2, workflow_pb2
from flytespec.errors import UnknownMessageTypeError


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("WorkflowClosure", workflow_closure_pb2.WorkflowClosure),
        ("core.WorkflowClosure", workflow_closure_pb2.WorkflowClosure),
        ("flytespec.core.WorkflowClosure", workflow_closure_pb2.WorkflowClosure),
        ("flyteidl.core.WorkflowClosure", workflow_closure_pb2.WorkflowClosure),
        ("admin.WorkflowClosure", admin_workflow_pb2.WorkflowClosure),
        ("TaskSpec", admin_task_pb2.TaskSpec),
        ("core.ArrayNode", workflow_pb2.ArrayNode),
        (" Node ", workflow_pb2.Node),
    ],
)
def test_names_resolve(name: str, cls: type) -> None:
    assert registry.message_type(name) is cls


def test_classes_and_descriptors_resolve() -> None:
    assert registry.message_type(workflow_pb2.Node) is workflow_pb2.Node
    assert registry.message_type(workflow_pb2.Node.DESCRIPTOR) is workflow_pb2.Node
    assert registry.message_type("google.protobuf.Duration").DESCRIPTOR.full_name == "google.protobuf.Duration"


@pytest.mark.parametrize("name", ["WorkflowClosur", "core.Nope", "ArrayNode.ExecutionMode", "", "flytespec.core"])
def test_unknown_names_are_clear_errors(name: str) -> None:
    with pytest.raises(UnknownMessageTypeError):
        registry.message_type(name)


def test_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(UnknownMessageTypeError, match=r"flytespec\.core\.WorkflowClosure"):
        registry.message_type("WorkflowClosur")


def test_every_type_is_listed_once_in_a_stable_order() -> None:
    names = [cls.DESCRIPTOR.full_name for cls in registry.all_message_types()]
    assert len(names) == len(set(names)) == 186
    assert names == [cls.DESCRIPTOR.full_name for cls in registry.all_message_types()]
    assert all(registry.message_type(n).DESCRIPTOR.full_name == n for n in registry.DOCUMENT_TYPES)
