"""The betterproto2 view: exact conversions, or a refusal naming the field."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from flytespec import io, registry
from flytespec.core import literals_pb2, tasks_pb2, workflow_pb2
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


def _retry_strategy(retries: object) -> Any:
    strategy = view.core.RetryStrategy()
    strategy.retries = retries
    return view.core.TaskMetadata(retries=strategy)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (_retry_strategy(-1), "retries.retries"),  # betterproto2 writes 4294967295
        (_retry_strategy(2**32), "retries.retries"),  # betterproto2 writes 0
        (_retry_strategy("3"), "retries.retries"),
        (_retry_strategy(1.5), "retries.retries"),
        (view.core.TaskMetadata(retries=view.core.Identifier()), "retries"),  # another message type
        (view.core.TaskMetadata(discovery_version=7), "discovery_version"),
        (view.core.TaskMetadata(tags={"a": 1}), 'tags["a"]'),
        (view.core.TaskMetadata(tags={1: "a"}), "tags"),
        (view.core.TaskMetadata(cache_ignore_input_vars=["a", 2]), "cache_ignore_input_vars[1]"),
        (view.core.TaskMetadata(cache_ignore_input_vars="ab"), "cache_ignore_input_vars"),
        (view.core.Node(task_node=view.core.TaskNode(), workflow_node=view.core.WorkflowNode()), "workflow_node"),
        (view.core.Primitive(datetime=datetime.datetime(2020, 1, 1)), "datetime"),  # naive
        (view.core.Primitive(float_value="1.0"), "float_value"),
        (view.core.ArrayNode(execution_mode=2**31), "execution_mode"),
        (view.core.BindingDataMap(bindings={"a": None}), 'bindings["a"]'),
        (view.core.BindingDataCollection(bindings=[view.core.BindingData(), 3]), "bindings[1]"),
    ],
)
def test_from_view_refuses_values_the_message_cannot_hold(value: Any, path: str) -> None:
    """betterproto2 would wrap integers, keep one member of a oneof, or fail with a bare TypeError."""
    with pytest.raises(ViewConversionError) as info:
        view.from_view(value)
    assert info.value.path == path
    assert info.value.message_type == "flytespec.core." + type(value).__name__


def test_from_view_checks_nested_views_at_any_depth() -> None:
    literal = view.core.Literal()
    current = literal
    for _ in range(2_000):
        inner = view.core.Literal()
        current.collection = view.core.LiteralCollection(literals=[inner])
        current = inner
    current.scalar = view.core.Scalar(primitive=view.core.Primitive(integer=2**63))
    with pytest.raises(ViewConversionError) as info:
        view.from_view(literal)
    assert info.value.path.endswith(".scalar.primitive.integer")
    assert info.value.path.count("collection.literals[0]") == 2_000


def test_from_view_refuses_views_too_deep_for_the_parser() -> None:
    literal = literals_pb2.Literal()
    current = literal
    for _ in range(60):
        current = current.collection.literals.add()
    current.scalar.primitive.integer = 1
    converted = view.to_view(literal)  # exact: the view writes the same bytes
    with pytest.raises(ViewConversionError) as info:
        view.from_view(converted)
    assert info.value.path == ""


@pytest.mark.parametrize(
    ("field", "seconds", "path"),
    [
        ("duration", 10**15, "scalar.primitive.duration.seconds"),
        ("datetime", 10**12, "scalar.primitive.datetime.seconds"),
        ("datetime", -(10**12), "scalar.primitive.datetime.seconds"),
    ],
)
def test_to_view_refuses_times_beyond_timedelta_and_datetime(field: str, seconds: int, path: str) -> None:
    literal = literals_pb2.Literal()
    getattr(literal.scalar.primitive, field).seconds = seconds
    with pytest.raises(ViewConversionError) as info:
        view.to_view(literal)
    assert info.value.path == path


@pytest.mark.parametrize(
    ("make", "field", "value", "path"),
    [
        (lambda: literals_pb2.Primitive(float_value=1.0), "float_value", 10**400, "float_value"),  # bare struct.error
        (lambda: literals_pb2.Primitive(float_value=1.0), "float_value", 2**53 + 1, "float_value"),  # was rounded
        (lambda: literals_pb2.Primitive(integer=1), "integer", True, "integer"),  # was written as 1
        (lambda: workflow_pb2.ArrayNode(min_success_ratio=0.5), "min_success_ratio", 1e300, "min_success_ratio"),
        (lambda: tasks_pb2.TaskTemplate(type="x"), "type", "\ud800", "type"),  # bare UnicodeEncodeError
    ],
    ids=["huge-int-double", "inexact-int-double", "bool-int64", "float32-overflow", "lone-surrogate"],
)
def test_from_view_refuses_numbers_and_text_protobuf_cannot_hold(make: Any, field: str, value: Any, path: str) -> None:
    """These raised bare OverflowError, struct.error or UnicodeEncodeError, or were changed on the way."""
    held = view.to_view(make())
    setattr(held, field, value)
    with pytest.raises(ViewConversionError) as info:
        view.from_view(held)
    assert info.value.path == path
