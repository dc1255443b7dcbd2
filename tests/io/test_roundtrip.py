"""Every document type survives every trip between binary, JSON and YAML, and the JSON is the canonical one."""

from __future__ import annotations

import json
import warnings

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from flytespec import io, registry
from flytespec._compat import descriptor_of
from flytespec.core import literals_pb2, tasks_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.errors import DecodeError, FlytespecWarning, UnknownFieldsError
from flytespec.testing import messages

DOCUMENT_TYPES = [registry.message_type(name) for name in registry.DOCUMENT_TYPES]
# Types with every kind of field: maps of messages, Structs, Any, Timestamps, oneofs, enums, bytes, floats.
RICH_TYPES: list[type[Message]] = [*DOCUMENT_TYPES, literals_pb2.Literal, literals_pb2.LiteralMap]
IDS = [descriptor_of(cls).full_name for cls in RICH_TYPES]


@pytest.mark.parametrize("cls", RICH_TYPES, ids=IDS)
@given(data=st.data())
def test_binary_round_trip_is_byte_identical(cls: type[Message], data: st.DataObject) -> None:
    message = data.draw(messages(cls))
    wire = io.to_binary(message)
    back = io.from_binary(wire, cls)
    assert back == message
    assert io.to_binary(back) == wire


@pytest.mark.parametrize("cls", RICH_TYPES, ids=IDS)
@given(data=st.data())
def test_json_round_trip_gives_the_same_message(cls: type[Message], data: st.DataObject) -> None:
    message = data.draw(messages(cls))
    for indent in (2, None):
        text = io.to_json(message, indent=indent)
        assert io.from_json(text, cls) == message
    assert io.from_json(io.to_json(message, proto_field_names=True), cls) == message


@pytest.mark.parametrize("cls", RICH_TYPES, ids=IDS)
@given(data=st.data())
def test_yaml_round_trip_gives_the_same_message(cls: type[Message], data: st.DataObject) -> None:
    message = data.draw(messages(cls))
    text = io.to_yaml(message)
    assert io.from_yaml(text, cls) == message
    assert io.from_yaml(io.to_yaml(message, proto_field_names=True), cls) == message


@pytest.mark.parametrize("cls", RICH_TYPES, ids=IDS)
@given(data=st.data())
def test_json_is_json_format_s(cls: type[Message], data: st.DataObject) -> None:
    """Our JSON is the document protobuf's json_format writes, and each reads the other's."""
    message = data.draw(messages(cls))
    assert io.to_dict(message) == json_format.MessageToDict(message)
    assert io.to_dict(message, proto_field_names=True) == json_format.MessageToDict(
        message, preserving_proto_field_name=True
    )
    # Compared as JSON: json_format packs Any payloads (a Struct's entries) in no fixed order; flytespec packs them
    # deterministically, so the bytes inside an Any may differ while the content is the same.
    assert json_format.MessageToDict(json_format.Parse(io.to_json(message), cls())) == io.to_dict(message)
    assert io.from_json(json_format.MessageToJson(message), cls) == message
    assert io.from_dict(json_format.MessageToDict(message, use_integers_for_enums=True), cls) == message


@given(data=st.data())
def test_yaml_has_the_structure_of_the_json(data: st.DataObject) -> None:
    message = data.draw(messages(workflow_closure_pb2.WorkflowClosure))
    from flytespec.io._yaml import load_yaml

    assert load_yaml(io.to_yaml(message)) == json.loads(io.to_json(message))


def test_binary_output_is_deterministic_for_maps() -> None:
    a = workflow_pb2.NodeMetadata()
    b = workflow_pb2.NodeMetadata()
    keys = [f"k{i}" for i in range(50)]
    for k in keys:
        a.config[k] = "v"
    for k in reversed(keys):
        b.config[k] = "v"
    assert a == b
    assert io.to_binary(a) == io.to_binary(b)
    assert io.to_json(a) == io.to_json(b)
    assert list(io.to_dict(a)["config"]) == sorted(keys)


def test_nanoseconds_survive_every_format() -> None:
    node = workflow_pb2.Node(id="n")
    node.metadata.timeout.seconds = 57
    node.metadata.timeout.nanos = 260
    assert io.to_dict(node)["metadata"]["timeout"] == "57.000000260s"
    for fmt in io.FORMATS:
        assert io.loads(io.dumps(node, fmt), workflow_pb2.Node, format=fmt) == node


def test_special_floats_round_trip_as_proto3_json_defines() -> None:
    for value, text in ((float("inf"), "Infinity"), (float("-inf"), "-Infinity")):
        node = workflow_pb2.ArrayNode(min_success_ratio=value)
        assert io.to_dict(node) == {"minSuccessRatio": text}
        assert io.from_json(io.to_json(node), workflow_pb2.ArrayNode) == node
        assert io.from_yaml(io.to_yaml(node), workflow_pb2.ArrayNode) == node
    nan = workflow_pb2.ArrayNode(min_success_ratio=float("nan"))
    assert io.to_dict(nan) == {"minSuccessRatio": "NaN"}
    assert io.to_binary(io.from_json(io.to_json(nan), workflow_pb2.ArrayNode)) == io.to_binary(nan)


def test_float32_is_written_shortest() -> None:
    assert io.to_dict(workflow_pb2.ArrayNode(min_success_ratio=0.9)) == {"minSuccessRatio": 0.9}


def _with_unknown_field(message: Message, number: int = 999) -> Message:
    extra = bytes([(number << 3 | 2) & 0x7F | 0x80, number >> 4]) + b"\x03new"
    return type(message).FromString(message.SerializeToString() + extra)


def test_unknown_fields_survive_a_binary_round_trip() -> None:
    closure = workflow_closure_pb2.WorkflowClosure()
    node = closure.workflow.nodes.add(id="n0")
    node.metadata.MergeFrom(_with_unknown_field(workflow_pb2.NodeMetadata(name="x")))  # type: ignore[arg-type]
    wire = io.to_binary(closure)
    back = io.from_binary(wire, workflow_closure_pb2.WorkflowClosure)
    assert io.to_binary(back) == wire
    assert b"\x03new" in wire


def test_unknown_fields_are_reported_not_dropped_when_writing_json() -> None:
    closure = workflow_closure_pb2.WorkflowClosure()
    node = closure.workflow.nodes.add(id="n0")
    node.metadata.MergeFrom(_with_unknown_field(workflow_pb2.NodeMetadata(name="x")))  # type: ignore[arg-type]
    for writer in (io.to_json, io.to_yaml, io.to_dict):
        with pytest.raises(UnknownFieldsError) as info:
            writer(closure)
        assert info.value.paths == ["workflow.nodes[0].metadata"]
    with pytest.warns(FlytespecWarning, match=r"workflow\.nodes\[0\]\.metadata"):
        value = io.to_dict(closure, drop_unknown_fields=True)
    assert value == {"workflow": {"nodes": [{"id": "n0", "metadata": {"name": "x"}}]}}


def test_unknown_fields_inside_an_any_are_reported_not_dropped() -> None:
    """JSON writes an Any's payload field by field: its unknown fields were left out without a word."""
    from flytespec.admin import launch_plan_pb2

    plan = launch_plan_pb2.LaunchPlan()
    inner = plan.spec.entity_metadata.launch_conditions
    inner.type_url = "type.googleapis.com/flytespec.core.Primitive"
    inner.value = literals_pb2.Primitive(integer=5).SerializeToString() + b"\xa0\x06\x01"  # field 100
    for writer in (io.to_json, io.to_yaml, io.to_dict):
        with pytest.raises(UnknownFieldsError) as info:
            writer(plan)
        assert info.value.paths == ["spec.entity_metadata.launch_conditions"]
    with pytest.warns(FlytespecWarning, match=r"spec\.entity_metadata\.launch_conditions"):
        io.to_json(plan, drop_unknown_fields=True)
    inner.value = literals_pb2.Primitive(integer=5).SerializeToString()
    assert io.from_json(io.to_json(plan), launch_plan_pb2.LaunchPlan) == plan


def test_known_messages_write_without_warnings() -> None:
    task = tasks_pb2.TaskTemplate(type="python-task")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        io.to_json(task)


def test_dump_and_load_files_in_every_format(tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    closure = workflow_closure_pb2.WorkflowClosure()
    closure.workflow.id.name = "wf"
    closure.workflow.nodes.add(id="n0").task_node.reference_id.name = "t"
    closure.tasks.add().id.name = "t"
    for name in ("wf.pb", "wf.json", "wf.yaml", "wf.yml", "wf.binpb"):
        io.dump(closure, base / name)
        assert io.load(base / name, "WorkflowClosure") == closure
    assert (base / "wf.json").read_text().endswith("}\n")
    assert io.load(base / "wf.json") == closure  # type detected from the JSON keys
    with (base / "wf.pb").open("rb") as handle:
        assert io.load(handle, workflow_closure_pb2.WorkflowClosure) == closure
    assert sorted(p.name for p in base.iterdir()) == ["wf.binpb", "wf.json", "wf.pb", "wf.yaml", "wf.yml"]


def test_conversions_leave_the_garbage_collector_as_they_found_it() -> None:
    import gc

    closure = workflow_closure_pb2.WorkflowClosure()
    closure.workflow.nodes.add(id="n0")
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            for fmt in io.FORMATS:
                io.loads(io.dumps(closure, fmt), workflow_closure_pb2.WorkflowClosure, format=fmt)
            with pytest.raises(DecodeError):
                io.from_json("{", workflow_closure_pb2.WorkflowClosure)
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
