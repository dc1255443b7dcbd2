"""The betterproto2 view: exact conversions, or a refusal naming the field."""

from __future__ import annotations

import pytest
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from flytespec import io, registry
from flytespec.core import tasks_pb2, workflow_pb2
from flytespec.errors import ViewConversionError
from flytespec.testing import messages

view = pytest.importorskip("flytespec.view", reason="the view needs betterproto2 (pip install flytespec[betterproto])")

DOCUMENT_TYPES = [registry.message_type(name) for name in registry.DOCUMENT_TYPES]


@pytest.mark.parametrize("cls", DOCUMENT_TYPES, ids=[c.DESCRIPTOR.full_name for c in DOCUMENT_TYPES])
@given(data=st.data())
def test_conversions_are_exact_or_refused(cls: type[Message], data: st.DataObject) -> None:
    message = data.draw(messages(cls))
    refused: ViewConversionError | None = None
    try:
        converted = view.to_view(message)
    except ViewConversionError as err:
        refused = err
    if refused is not None:
        # Refused only for what the view cannot hold: Durations and Timestamps that datetime/timedelta cannot
        # represent exactly (sub-microsecond parts, and large values converted through floats).
        assert refused.path.rsplit(".", 1)[-1] in ("seconds", "nanos"), refused.path
        return
    assert type(converted) is view.view_class(cls)
    assert view.from_view(converted) == message


def test_nanoseconds_are_refused_with_the_path() -> None:
    node = workflow_pb2.Node(id="n0")
    node.metadata.timeout.seconds = 1
    node.metadata.timeout.nanos = 1_500
    with pytest.raises(ViewConversionError) as info:
        view.to_view(node)
    assert info.value.path == "metadata.timeout.nanos"
    assert info.value.message_type == "flytespec.core.Node"
    node.metadata.timeout.nanos = 2_000
    assert view.from_view(view.to_view(node)) == node


def test_view_classes_are_typed_dataclasses() -> None:
    task = tasks_pb2.TaskTemplate(type="python-task")
    task.container.image = "img:1"
    converted = view.to_view(task)
    assert converted.container.image == "img:1"
    converted.container.image = "img:2"
    back = view.from_view(converted)
    assert isinstance(back, tasks_pb2.TaskTemplate)
    assert back.container.image == "img:2"
    assert view.view_class("core.ArrayNode") is view.core.ArrayNode


def test_k8s_json_names_go_through_the_canonical_path() -> None:
    """betterproto2 would write k8SPod; the view never writes JSON, io does, via _pb2."""
    task = tasks_pb2.TaskTemplate(type="sidecar")
    task.k8s_pod.metadata.labels["a"] = "b"
    assert "k8sPod" in io.to_dict(view.from_view(view.to_view(task)))


def test_from_view_refuses_foreign_objects() -> None:
    with pytest.raises(TypeError):
        view.from_view(object())
