"""Bad input gets a flytespec error naming the source, the format, the expected type and the field path."""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path

import pytest
import yaml
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from flytespec import io
from flytespec.core import tasks_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.errors import DecodeError, FlytespecError, FlytespecWarning

WC = "flytespec.core.WorkflowClosure"


def _closure() -> workflow_closure_pb2.WorkflowClosure:
    closure = workflow_closure_pb2.WorkflowClosure()
    closure.workflow.id.name = "wf"
    node = closure.workflow.nodes.add(id="n0")
    node.task_node.reference_id.name = "t"
    node.metadata.timeout.seconds = 5
    node.metadata.config["k"] = "v"
    closure.tasks.add(type="python-task").id.name = "t"
    return closure


def _decode_error(data: bytes | str, fmt: io.Format, message_type: str = WC) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        io.loads(data, message_type, format=fmt, source="spec.file")
    err = info.value
    assert err.source == "spec.file"
    assert err.format == fmt
    assert err.message_type == message_type
    return err


# --------------------------------------------------------------------------------------------------------------
# JSON and YAML: each problem at its path


JSON_CASES = [
    # (document, path of the problem)
    ({"workflow": {"nodez": []}}, "workflow"),
    ({"workflow": {"nodes": [{"id": 1}]}}, "workflow.nodes[0].id"),
    ({"workflow": {"nodes": [{"id": "a", "metadata": {"timeout": 5}}]}}, "workflow.nodes[0].metadata.timeout"),
    (
        {"workflow": {"nodes": [{"id": "a", "metadata": {"timeout": "5 minutes"}}]}},
        "workflow.nodes[0].metadata.timeout",
    ),
    ({"workflow": {"nodes": "n0"}}, "workflow.nodes"),
    ({"workflow": {"nodes": [None]}}, "workflow.nodes[0]"),
    ({"workflow": {"nodes": [{"upstreamNodeIds": "a"}]}}, "workflow.nodes[0].upstream_node_ids"),
    ({"workflow": {"nodes": [{"upstreamNodeIds": ["a", 2]}]}}, "workflow.nodes[0].upstream_node_ids[1]"),
    ({"workflow": {"metadata": {"onFailure": "FAIL_SOMETIMES"}}}, "workflow.metadata.on_failure"),
    ({"workflow": {"metadata": {"onFailure": True}}}, "workflow.metadata.on_failure"),
    ({"workflow": {"metadata": {"tags": {"a": 1}}}}, 'workflow.metadata.tags["a"]'),
    ({"workflow": {"metadata": {"tags": ["a"]}}}, "workflow.metadata.tags"),
    ({"workflow": {"nodes": [{"arrayNode": {"parallelism": -1}}]}}, "workflow.nodes[0].array_node.parallelism"),
    ({"workflow": {"nodes": [{"arrayNode": {"parallelism": 1.5}}]}}, "workflow.nodes[0].array_node.parallelism"),
    ({"workflow": {"nodes": [{"arrayNode": {"parallelism": 2**32}}]}}, "workflow.nodes[0].array_node.parallelism"),
    (
        {"workflow": {"nodes": [{"arrayNode": {"minSuccessRatio": "half"}}]}},
        "workflow.nodes[0].array_node.min_success_ratio",
    ),
    (
        {"workflow": {"nodes": [{"arrayNode": {"minSuccessRatio": 1e39}}]}},
        "workflow.nodes[0].array_node.min_success_ratio",
    ),
    ({"workflow": {"nodes": [{"taskNode": {}, "gateNode": {}}]}}, "workflow.nodes[0]"),
    ({"workflow": {"nodes": [{"id": "a", "id_": "b"}]}}, "workflow.nodes[0]"),
    ({"workflow": {"nodes": [{"upstreamNodeIds": [], "upstream_node_ids": []}]}}, "workflow.nodes[0]"),
    ({"tasks": [{"custom": {"a": [1, {"b": []}]}, "config": {"k": None}}]}, 'tasks[0].config["k"]'),
    ({"tasks": [{"metadata": {"retries": {"retries": "3x"}}}]}, "tasks[0].metadata.retries.retries"),
    ({"tasks": [{"container": {"dataConfig": {"enabled": "yes"}}}]}, "tasks[0].container.data_config.enabled"),
    ({"workflow": []}, "workflow"),
    ([], ""),
]


@pytest.mark.parametrize(("document", "path"), JSON_CASES)
@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_bad_documents_name_the_path(document: object, path: str, fmt: io.Format) -> None:
    text = json.dumps(document) if fmt == "json" else yaml.safe_dump(document)
    err = _decode_error(text, fmt)
    assert err.path == path
    assert err.reason
    assert str(err).startswith("spec.file: cannot read")


def test_bytes_fields_reject_bad_base64() -> None:
    err = _decode_error(json.dumps({"value": "not base64!"}), "json", "google.protobuf.BytesValue")
    assert err.path == ""


def test_paths_inside_structs_and_anys() -> None:
    doc = {"tasks": [{"custom": {"a": {"b": [1, float("inf")]}}}]}
    err = _decode_error(json.dumps(doc).replace("Infinity", '"x"').replace('"x"', "1e999"), "json")
    assert err.path == 'tasks[0].custom["a"]["b"][1]'


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"integer": 123456789012345678.0}', "integer"),  # read as the double 123456789012345680.0
        ('{"floatValue": 9007199254740993}', "float_value"),  # a double holds 9007199254740992
    ],
)
def test_numbers_a_field_cannot_hold_exactly_are_refused(text: str, path: str, fmt: io.Format) -> None:
    """They were changed: the int64 read as 123456789012345680, the double as 9007199254740992.0."""
    err = _decode_error(text, fmt, "flytespec.core.Primitive")
    assert err.path == path
    for fine in ('{"integer": 1e15}', '{"integer": "123456789012345678"}', '{"floatValue": 9007199254740992}'):
        io.loads(fine, "flytespec.core.Primitive", format=fmt)


@pytest.mark.parametrize("stamp", ["2024-12-31T23:59:60Z", "2024-01-01T00:00:00-23:99", "2024-01-01T00:00:00+24:00"])
def test_timestamps_that_name_no_moment_are_refused(stamp: str) -> None:
    """A leap second was read as the next second, and an offset of 23:99 as 24:39: moments the text does not name
    (a Timestamp has no leap seconds; an offset's minutes run to 59)."""
    err = _decode_error(json.dumps({"datetime": stamp}), "json", "flytespec.core.Primitive")
    assert err.path == "datetime"


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_byte_order_mark_is_skipped_in_text_as_in_bytes(fmt: io.Format) -> None:
    """Text (str) starting with a BOM was refused as JSON ("Unexpected UTF-8 BOM"), while the same bytes were read."""
    text = "\ufeff" + ('{"type": "x"}' if fmt == "json" else "type: x\n")
    for data in (text, text.encode()):
        assert io.loads(data, "flytespec.core.TaskTemplate", format=fmt) == tasks_pb2.TaskTemplate(type="x")


def test_unknown_fields_can_be_ignored_on_request_with_a_warning() -> None:
    doc = {"workflow": {"id": {"name": "wf"}, "futureField": 1, "metadata": {"onFailure": "FAIL_LATER"}}}
    with pytest.raises(DecodeError):
        io.from_dict(doc, WC)
    with pytest.warns(FlytespecWarning, match=r"workflow\.futureField.*workflow\.metadata\.on_failure"):
        closure = io.from_dict(doc, workflow_closure_pb2.WorkflowClosure, ignore_unknown_fields=True)
    assert closure.workflow.id.name == "wf"


def test_duplicate_keys_are_errors_not_overwrites() -> None:
    err = _decode_error('{"workflow": {"id": {"name": "a", "name": "b"}}}', "json")
    assert err.path == "workflow.id"
    yaml_err = _decode_error("workflow:\n  id:\n    name: a\n    name: b\n", "yaml")
    assert (yaml_err.line, yaml_err.column) == (4, 5)


@pytest.mark.parametrize("keys", [("1", "1.0"), ("true", "1"), ("1", "'1'")])
def test_yaml_keys_equal_only_to_python_are_not_duplicates(keys: tuple[str, str]) -> None:
    text = "workflow:\n  interface:\n    inputs:\n      variables:\n" + "".join(f"        {k}: {{}}\n" for k in keys)
    err = _decode_error(text, "yaml")
    assert err.path == "workflow.interface.inputs.variables"  # a key that is not a string, not a duplicate
    assert err.line is None


def test_malformed_text_names_line_and_column() -> None:
    err = _decode_error('{\n  "workflow": {\n    "id": ,\n}', "json")
    assert (err.line, err.column, err.path) == (3, 11, None)
    err = _decode_error("workflow:\n  id: [unclosed\n", "yaml")
    assert err.line == 3
    assert err.path is None


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('workflow:\n  id:\n    name: "\x07"\n', (3, 12)),  # a control character: libyaml's reader refuses it
        ("\ud800: 1\n", (1, 1)),  # a lone surrogate (str input): libyaml cannot take it as UTF-8
        ('workflow:\n  id:\n    name: "\udcff"\n', (3, 12)),
    ],
)
def test_characters_yaml_cannot_hold_are_one_line_errors_with_their_place(text: str, where: tuple[int, int]) -> None:
    err = _decode_error(text, "yaml")
    assert (err.line, err.column) == where
    assert "\n" not in str(err)


def test_json_rejects_non_json_constants() -> None:
    err = _decode_error('{"workflow": {"nodes": [{"arrayNode": {"minSuccessRatio": NaN}}]}}', "json")
    assert err.path is None
    text = '{"workflow": {"nodes": [{"arrayNode": {"minSuccessRatio": "NaN"}}]}}'
    ok = io.from_json(text, workflow_closure_pb2.WorkflowClosure)
    assert ok.workflow.nodes[0].array_node.min_success_ratio != ok.workflow.nodes[0].array_node.min_success_ratio


def test_invalid_utf8_in_text() -> None:
    data = b'{"workflow": {"id": {"name": "\xff"}}}'
    err = _decode_error(data, "json")
    assert err.offset == data.index(b"\xff")
    data = b"workflow:\n  id: \xc3\x28\n"
    err = _decode_error(data, "yaml")
    assert (err.path, err.offset) == (None, data.index(b"\xc3"))


def test_nesting_deeper_than_the_limit_is_a_clear_error() -> None:
    doc: dict[str, object] = {"id": "leaf"}
    for _ in range(60):
        doc = {"id": "x", "arrayNode": {"node": doc}}
    with pytest.raises(DecodeError) as info:
        io.from_dict(doc, "Node")
    assert "deeper than 100" in info.value.reason
    assert info.value.path is not None
    assert info.value.path.startswith("array_node.node.array_node.node")
    deep = io.from_dict(doc, "Node", max_depth=200)
    assert io.to_dict(deep) == doc


# --------------------------------------------------------------------------------------------------------------
# Binary


def _parses(data: bytes) -> bool:
    try:
        workflow_closure_pb2.WorkflowClosure.FromString(data)
    except Exception:  # the runtime's own verdict, whatever it raises
        return False
    return True


def test_truncated_binary_names_the_field() -> None:
    wire = io.to_binary(_closure())
    # A cut between two top-level fields leaves a valid message; every other cut must be reported.
    cuts = [cut for cut in range(1, len(wire)) if not _parses(wire[:cut])]
    assert len(cuts) > len(wire) // 2
    for cut in cuts:
        with pytest.raises(DecodeError) as info:
            io.loads(wire[:cut], WC, format="binary", source="spec.pb")
        err = info.value
        assert (err.source, err.format, err.message_type) == ("spec.pb", "binary", WC)
        assert err.path is not None
        assert err.offset is not None
        assert err.offset <= cut


def test_invalid_utf8_in_a_binary_string_field() -> None:
    task = tasks_pb2.TaskTemplate(type="xy")
    wire = bytearray(io.to_binary(task))
    wire[wire.index(b"xy")] = 0xFF
    with pytest.raises(DecodeError) as info:
        io.from_binary(bytes(wire), tasks_pb2.TaskTemplate)
    assert info.value.path == "type"
    assert info.value.offset == wire.index(b"\xff")


def test_binary_nested_deeper_than_protobuf_allows() -> None:
    node = workflow_pb2.Node(id="root")
    current = node
    for _ in range(120):
        current = current.array_node.node
        current.id = "x"
    wire = node.SerializeToString()
    try:
        workflow_pb2.Node.FromString(wire)
    except Exception:
        pass
    else:
        pytest.skip("this protobuf runtime (pure Python before 5.x) has no nesting limit, so nothing is refused")
    with pytest.raises(DecodeError) as info:
        io.from_binary(wire, workflow_pb2.Node)
    assert "deeper than 100" in info.value.reason
    assert info.value.path == ".".join(["array_node.node"] * 50)


@given(st.binary(min_size=1, max_size=300))
def test_random_bytes_give_a_message_or_a_flytespec_error(data: bytes) -> None:
    try:
        message = io.loads(data, WC, format="binary")
    except FlytespecError:
        return
    assert isinstance(message, workflow_closure_pb2.WorkflowClosure)
    assert io.to_binary(message) == io.to_binary(io.from_binary(io.to_binary(message), WC))


@given(st.text(max_size=200))
def test_random_text_gives_a_message_or_a_flytespec_error(text: str) -> None:
    formats: tuple[io.Format, ...] = ("json", "yaml")
    for fmt in formats:
        with contextlib.suppress(FlytespecError):
            io.loads(text, WC, format=fmt)


def test_mutated_real_specs_never_raise_anything_else() -> None:
    rng = random.Random(7)
    wire = io.to_binary(_closure())
    text = io.to_json(_closure())
    for _ in range(300):
        data = bytearray(wire)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        chars = list(text)
        chars[rng.randrange(len(chars))] = chr(rng.randrange(32, 127))
        cases: tuple[tuple[bytes | str, io.Format], ...] = (
            (bytes(data), "binary"),
            ("".join(chars), "json"),
            ("".join(chars), "yaml"),
        )
        for payload, fmt in cases:
            with contextlib.suppress(FlytespecError):
                io.loads(payload, WC, format=fmt)


def test_unreadable_files_are_flytespec_errors(tmp_path: Path) -> None:
    with pytest.raises(DecodeError) as info:
        io.load(tmp_path / "missing.pb", WC)
    assert info.value.source.endswith("missing.pb")


@pytest.mark.parametrize(
    ("message_type", "text", "path"),
    [
        (workflow_pb2.Node, '{"id": "\\ud800"}', "id"),
        (tasks_pb2.TaskTemplate, '{"config": {"k": "\\udc00"}}', 'config["k"]'),
        (tasks_pb2.TaskTemplate, '{"config": {"\\udc00": "v"}}', "config"),
        (tasks_pb2.TaskTemplate, '{"custom": {"a": "\\ud800"}}', 'custom["a"]'),
        (tasks_pb2.TaskTemplate, '{"custom": {"\\ud800": 1}}', "custom"),
    ],
)
def test_a_lone_surrogate_is_a_decode_error_at_its_field(message_type: type[Message], text: str, path: str) -> None:
    # JSON can spell a lone surrogate (found by fuzzing: protobuf raised UnicodeEncodeError).
    with pytest.raises(DecodeError, match="lone surrogate") as refused:
        io.from_json(text, message_type)
    assert refused.value.path == path
