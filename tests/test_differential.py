"""Differential tests against Flyte's own bindings (``flyteidl==1.16.8``, test-only).

For random instances of every flytespec message type (descriptor-driven strategies from flytespec.testing):
both libraries write identical bytes, each parses the other's bytes and JSON to the same content, and both write
the same JSON.
"""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from hypothesis import given, settings
from hypothesis import strategies as st

from flytespec import graph, interop, io, registry
from flytespec.compiler import compile, compile_task
from flytespec.core import workflow_closure_pb2
from flytespec.diff import diff
from flytespec.testing import messages
from flytespec.validate import ValidationError, check, validate
from tests.conftest import ROOT

pytest.importorskip("flyteidl", reason="flyteidl==1.16.8 is the test-only oracle (pip install -e .[dev])")

ALL_TYPES = list(registry.all_message_types())
DOCUMENT_TYPES = [registry.message_type(name) for name in registry.DOCUMENT_TYPES]


def _check(message: Message) -> None:
    theirs_cls = interop.flyteidl_class(type(message))
    ours_bytes = io.to_binary(message)

    # Bytes: flyteidl reads ours and writes back the same bytes; we read flyteidl's to the same message.
    theirs = theirs_cls.FromString(ours_bytes)
    assert theirs.SerializeToString(deterministic=True) == ours_bytes
    assert type(message).FromString(theirs.SerializeToString()) == message

    # JSON: the same document from both; each parses the other's.
    ours_json = io.to_dict(message)
    assert ours_json == json_format.MessageToDict(theirs)
    if _json_format_reads_its_own_output(theirs):
        # Compared as JSON: json_format packs Any payloads (a Struct's entries) in no fixed order, flytespec
        # packs them deterministically, so the bytes inside an Any may differ while the content is the same.
        parsed = json_format.Parse(io.to_json(message), theirs_cls())
        assert json_format.MessageToDict(parsed) == json_format.MessageToDict(theirs)
    assert io.from_json(json_format.MessageToJson(theirs), type(message)) == message
    assert io.from_dict(json_format.MessageToDict(theirs, preserving_proto_field_name=True), type(message)) == message


def _json_format_reads_its_own_output(message: Message) -> bool:
    """json_format writes the largest 32-bit float as 3.4028235e+38 and then refuses to read it back."""
    try:
        json_format.Parse(json_format.MessageToJson(message), type(message)())
    except json_format.ParseError:
        return False
    return True


def test_the_largest_float32_reads_back() -> None:
    from flytespec.core import workflow_pb2

    node = workflow_pb2.ArrayNode(min_success_ratio=3.4028234663852886e38)
    assert io.to_dict(node) == {"minSuccessRatio": 3.4028235e38}
    assert io.from_json(io.to_json(node), workflow_pb2.ArrayNode) == node
    assert not _json_format_reads_its_own_output(node)  # flytespec reads what json_format cannot


def test_every_message_type_has_a_flyteidl_twin() -> None:
    assert len(ALL_TYPES) == 186
    for cls in ALL_TYPES:
        twin = interop.flyteidl_class(cls)
        assert twin.DESCRIPTOR.full_name == cls.DESCRIPTOR.full_name.replace("flytespec.", "flyteidl.", 1)


@pytest.mark.parametrize("cls", ALL_TYPES, ids=[c.DESCRIPTOR.full_name for c in ALL_TYPES])
@settings(max_examples=10)
@given(data=st.data())
def test_every_message_type_agrees_with_flyteidl(cls: type[Message], data: st.DataObject) -> None:
    _check(data.draw(messages(cls, max_depth=3)))


@pytest.mark.parametrize("cls", DOCUMENT_TYPES, ids=[c.DESCRIPTOR.full_name for c in DOCUMENT_TYPES])
@settings(max_examples=40)
@given(data=st.data())
def test_document_types_agree_with_flyteidl_in_depth(cls: type[Message], data: st.DataObject) -> None:
    _check(data.draw(messages(cls, max_depth=6, unknown_enum_values=True)))


@given(data=st.data())
def test_interop_round_trip(data: st.DataObject) -> None:
    message = data.draw(messages(registry.message_type("WorkflowClosure")))
    theirs = interop.to_flyteidl(message)
    assert theirs.DESCRIPTOR.full_name == "flyteidl.core.WorkflowClosure"
    assert interop.from_flyteidl(theirs) == message


# --------------------------------------------------------------------------------------------------------------
# The entry points take flyteidl messages as they are


def test_validate_takes_flyteidl_messages() -> None:
    ours = io.load(ROOT / "examples" / "broken" / "etl.broken.closure.yaml", workflow_closure_pb2.WorkflowClosure)
    theirs: Any = interop.to_flyteidl(ours)
    found = validate(theirs)
    assert found  # a flyteidl message is checked, not passed over
    assert found == validate(ours)
    alone = workflow_closure_pb2.WorkflowClosure(workflow=ours.workflow)
    beside: Any = [interop.to_flyteidl(t) for t in ours.tasks]
    assert validate(interop.to_flyteidl(alone), tasks=beside) == validate(alone, tasks=list(ours.tasks))
    with pytest.raises(ValidationError):
        check(theirs)


def test_compile_graph_and_diff_take_flyteidl_messages() -> None:
    closure = io.load(ROOT / "examples" / "etl.closure.yaml", workflow_closure_pb2.WorkflowClosure)
    theirs: Any = interop.to_flyteidl(closure)  # typed as flytespec's own: flyteidl ships no stubs
    assert compile(theirs) == compile(closure)
    assert compile_task(theirs.tasks[0]) == compile_task(closure.tasks[0])
    assert graph.to_mermaid(theirs) == graph.to_mermaid(closure)
    assert diff(theirs, closure) == []
