"""Limits: a maximum input size and nesting depth, documented, configurable per call and process-wide, enforced
before the work they guard; and the guards against input that would crash or stall the parsers."""

from __future__ import annotations

import io as stdio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2

from flytespec import io
from flytespec.admin import launch_plan_pb2
from flytespec.core import literals_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.errors import DecodeError, LimitExceededError
from flytespec.io._yaml import ALIAS_EXPANSION, MAX_NESTING

WC = workflow_closure_pb2.WorkflowClosure
SPEC = WC()
SPEC.workflow.id.name = "wf"
SPEC.workflow.nodes.add(id="n0").task_node.reference_id.name = "t"


def _formats() -> list[tuple[io.Format, bytes]]:
    return [(fmt, io.dumps(SPEC, fmt) if fmt == "binary" else io.dumps(SPEC, fmt).encode()) for fmt in io.FORMATS]


# --------------------------------------------------------------------------------------------------------------
# max_size


@pytest.mark.parametrize(("fmt", "data"), _formats())
def test_inputs_over_max_size_are_refused_before_parsing(fmt: io.Format, data: bytes) -> None:
    assert io.loads(data, WC, format=fmt, max_size=len(data)) == SPEC
    with pytest.raises(LimitExceededError) as info:
        io.loads(data, WC, format=fmt, max_size=len(data) - 1)
    err = info.value
    assert (err.limit, err.value, err.source, err.path) == ("max_size", len(data) - 1, "<bytes>", None)
    assert isinstance(err, DecodeError)
    # Before detection too: neither the format nor the type is looked at.
    with pytest.raises(LimitExceededError):
        io.loads(data, max_size=len(data) - 1)


def test_the_typed_readers_take_max_size() -> None:
    binary, text = io.to_binary(SPEC), io.to_json(SPEC)
    with pytest.raises(LimitExceededError):
        io.from_binary(binary, WC, max_size=1)
    with pytest.raises(LimitExceededError):
        io.from_json(text, WC, max_size=1)
    with pytest.raises(LimitExceededError):
        io.from_yaml(io.to_yaml(SPEC), WC, max_size=1)
    with pytest.raises(LimitExceededError):
        io.detect_message_type(text, max_size=1)


def test_text_is_measured_in_characters() -> None:
    text = io.to_json(SPEC)
    assert io.from_json(text, WC, max_size=len(text)) == SPEC
    with pytest.raises(LimitExceededError, match="characters"):
        io.from_json(text, WC, max_size=len(text) - 1)


def test_a_file_over_max_size_is_refused_by_its_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "spec.pb"
    path.write_bytes(io.to_binary(SPEC))
    size = path.stat().st_size
    assert io.load(path, WC, max_size=size) == SPEC

    def no_reading(*args: object) -> bytes:
        raise AssertionError("the file was read")

    # The size is checked on the open file, before any read.
    original_open = open

    class Guarded:
        def __init__(self, handle: stdio.BufferedReader) -> None:
            self.handle = handle

        def __enter__(self) -> Guarded:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def fileno(self) -> int:
            return self.handle.fileno()

        read = staticmethod(no_reading)

    monkeypatch.setattr("builtins.open", lambda *a, **k: Guarded(original_open(*a, **k)))  # type: ignore[arg-type]
    with pytest.raises(LimitExceededError) as info:
        io.load(path, WC, max_size=size - 1)
    assert (info.value.source, info.value.format) == (str(path), "binary")


def test_a_pipe_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    """Files without a size (pipes, devices) are read up to one byte past the limit, never further."""
    data = io.to_binary(SPEC) * 500  # within a pipe's buffer
    read, write = os.pipe()
    with os.fdopen(write, "wb") as sink:
        sink.write(data)
    with os.fdopen(read, "rb", buffering=0) as handle:
        with pytest.raises(LimitExceededError):
            io.load(handle, WC, max_size=100)
        assert len(handle.read()) == len(data) - 101  # 101 bytes were taken: the limit and one more


def test_file_objects_too(tmp_path: Path) -> None:
    stream = stdio.BytesIO(io.to_binary(SPEC))
    with pytest.raises(LimitExceededError):
        io.load(stream, WC, max_size=3)
    assert stream.tell() == 4


def test_a_limit_beyond_any_input_reads_everything(tmp_path: Path) -> None:
    """A read asks for at most a piece at a time: a limit larger than memory is no limit, not an OverflowError."""
    data = io.to_binary(SPEC) * 3_000  # more than one piece
    (tmp_path / "big.pb").write_bytes(data)
    piped = io.to_binary(SPEC) * (60_000 // len(io.to_binary(SPEC)))  # within a pipe's buffer
    pipe_read, pipe_write = os.pipe()
    with os.fdopen(pipe_write, "wb") as sink:
        sink.write(piped)
    with os.fdopen(pipe_read, "rb") as handle:
        assert io.load(handle, WC, max_size=2**70, format="binary") == io.from_binary(piped, WC)
    assert io.load(tmp_path / "big.pb", WC, max_size=2**70) == io.from_binary(data, WC)
    assert io.load(stdio.StringIO(io.to_json(SPEC)), WC, max_size=2**70) == SPEC


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True, None])
def test_limits_must_be_whole_numbers(bad: Any) -> None:
    data = io.to_binary(SPEC)
    if bad is not None:  # None is the module default
        with pytest.raises(ValueError, match=r"^max_size: expected a whole number"):
            io.loads(data, WC, max_size=bad)
    with pytest.raises(ValueError, match=r"^max_depth: expected a whole number, 1 or more"):
        io.loads(data, WC, max_depth=bad if bad is not None else 0)


def test_module_defaults_are_read_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    data = io.to_binary(SPEC)
    monkeypatch.setattr(io, "DEFAULT_MAX_SIZE", 8)
    with pytest.raises(LimitExceededError) as info:
        io.loads(data, WC)
    assert info.value.value == 8
    assert io.loads(data, WC, max_size=len(data)) == SPEC  # a keyword argument wins
    monkeypatch.setattr(io, "DEFAULT_MAX_SIZE", 256 << 20)
    monkeypatch.setattr(io, "DEFAULT_MAX_DEPTH", 2)
    with pytest.raises(LimitExceededError) as depth:
        io.from_json(io.to_json(SPEC), WC)
    assert (depth.value.limit, depth.value.value, depth.value.path) == ("max_depth", 2, "workflow.nodes[0]")


def test_the_defaults() -> None:
    assert io.DEFAULT_MAX_SIZE == 256 << 20
    assert io.DEFAULT_MAX_DEPTH == 100
    assert io.BINARY_MAX_DEPTH == 101


# --------------------------------------------------------------------------------------------------------------
# max_depth


def _chain(levels: int) -> workflow_pb2.Node:
    """A Node nested ``levels`` messages deep (array_node.node: two levels per step)."""
    node = workflow_pb2.Node(id="root")
    current = node
    for _ in range((levels - 1) // 2):
        current = current.array_node.node
        current.id = "x"
    return node


def test_text_deeper_than_max_depth_names_the_path_and_builds_nothing_below() -> None:
    doc = io.to_dict(_chain(41))
    with pytest.raises(LimitExceededError) as info:
        io.from_dict(doc, "Node", max_depth=20)
    err = info.value
    assert (err.limit, err.value) == ("max_depth", 20)
    assert err.path == ".".join(["array_node.node"] * 10)
    assert io.from_dict(doc, "Node", max_depth=41) == _chain(41)


def test_binary_below_the_parsers_bound_is_checked_on_the_wire_first() -> None:
    wire = io.to_binary(_chain(41))
    with pytest.raises(LimitExceededError) as info:
        io.from_binary(wire, workflow_pb2.Node, max_depth=20)
    assert (info.value.limit, info.value.value, info.value.format) == ("max_depth", 20, "binary")
    assert info.value.path == ".".join(["array_node.node"] * 10)
    assert io.from_binary(wire, workflow_pb2.Node, max_depth=41) == _chain(41)


@pytest.mark.parametrize("max_depth", [None, 100, 5000])
def test_binary_beyond_the_parsers_bound_is_refused_whatever_max_depth(max_depth: int | None) -> None:
    wire = io.to_binary(_chain(201))
    with pytest.raises(LimitExceededError) as info:
        io.from_binary(wire, workflow_pb2.Node, max_depth=max_depth)
    assert info.value.limit == "max_depth"
    assert info.value.value == 100 if max_depth in (None, 100) else io.BINARY_MAX_DEPTH
    if max_depth == 5000:
        assert "cannot raise it" in info.value.reason


def test_binary_at_the_parsers_bound_reads_back_as_text_with_max_depth_101() -> None:
    deepest = _chain(io.BINARY_MAX_DEPTH)
    message = io.from_binary(io.to_binary(deepest), workflow_pb2.Node)
    text = io.to_json(message)
    with pytest.raises(LimitExceededError):
        io.from_json(text, workflow_pb2.Node)
    assert io.from_json(text, workflow_pb2.Node, max_depth=io.BINARY_MAX_DEPTH) == deepest


def test_anys_count_towards_the_depth() -> None:
    doc: object = {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1s"}
    for _ in range(120):
        doc = {"@type": "type.googleapis.com/google.protobuf.Any", "value": doc}
    lp = {"spec": {"entityMetadata": {"launchConditions": doc}}}
    with pytest.raises(LimitExceededError) as info:
        io.from_dict(lp, "admin.LaunchPlan")
    assert info.value.path is not None
    assert info.value.path.startswith("spec.entity_metadata.launch_conditions.value.value")
    read = io.from_dict(lp, launch_plan_pb2.LaunchPlan, max_depth=200)
    assert read.spec.entity_metadata.launch_conditions.type_url
    # Writing nests to any depth (the payloads are bytes: binary has no limit here); JSON has Python's.
    assert io.to_dict(io.from_dict(lp, "admin.LaunchPlan", max_depth=200)) == lp


def test_json_nested_deeper_than_pythons_json_reads_is_a_decode_error() -> None:
    text = "[" * 200_000 + "]" * 200_000
    with pytest.raises(DecodeError, match="nested too deeply"):
        io.from_json(text, "google.protobuf.ListValue", max_depth=10**6)


# --------------------------------------------------------------------------------------------------------------
# YAML: nesting and aliases (libyaml's composer recursed on the C stack; aliases multiply documents)


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x", "{a: " * 50_000 + "1"])
def test_yaml_nested_beyond_the_c_stack_is_refused_not_a_crash(text: str) -> None:
    """Before, these crashed the process (segmentation fault in libyaml's recursive composer). Now the document is
    read from the event stream with an explicit stack, which stops at 1,000 levels (libyaml's own time is quadratic
    in the nesting of brackets)."""
    with pytest.raises(LimitExceededError) as info:
        io.from_yaml(text, "google.protobuf.Value")
    assert (info.value.limit, info.value.value, info.value.line) == ("yaml_nesting", MAX_NESTING, 1)


def test_yaml_nested_within_the_guard_is_refused_at_max_depth() -> None:
    text = "".join(" " * i + "a:\n" for i in range(500)) + " " * 500 + "b\n"
    with pytest.raises(LimitExceededError) as info:
        io.from_yaml(text, "google.protobuf.Struct")
    assert (info.value.limit, info.value.value) == ("max_depth", 100)


def test_yaml_nesting_within_max_depth_is_read() -> None:
    text = "[" * 40 + "1" + "]" * 40
    value = io.from_yaml(text, struct_pb2.ListValue, max_depth=200)
    assert io.to_dict(value) == json.loads(text)


def test_yaml_billion_laughs_is_refused() -> None:
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)
    )
    with pytest.raises(LimitExceededError) as info:
        io.from_yaml(text, "google.protobuf.Struct")
    assert (info.value.limit, info.value.value, info.value.line, info.value.column) == (
        "yaml_aliases",
        ALIAS_EXPANSION,
        2,
        10,
    )


def test_yaml_aliases_within_the_budget_are_read() -> None:
    text = "defaults: &d {cpu: '1', memory: 1Gi}\n" + "".join(f"t{i}: *d\n" for i in range(200))
    value = io.from_yaml(text, struct_pb2.Struct)
    assert len(value.fields) == 201
    assert value.fields["t199"].struct_value.fields["memory"].string_value == "1Gi"


def test_yaml_recursive_alias_is_refused() -> None:
    with pytest.raises(DecodeError) as info:
        io.from_yaml("a: &a\n  b: *a\n  c: *a\n", "google.protobuf.Struct")
    assert (info.value.line, info.value.column) == (2, 6)
    assert "recursive alias" in info.value.reason


# --------------------------------------------------------------------------------------------------------------
# Numbers Python refuses to convert, or would change


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (
            {"workflow": {"nodes": [{"metadata": {"retries": {"retries": "1" * 5000}}}]}},
            "workflow.nodes[0].metadata.retries.retries",
        ),
        ({"workflow": {"nodes": [{"metadata": {"timeout": "9" * 5000 + "s"}}]}}, "workflow.nodes[0].metadata.timeout"),
        ({"workflow": {"metadata": {"onFailure": "7" * 5000}}}, "workflow.metadata.on_failure"),
        (
            {"workflow": {"nodes": [{"arrayNode": {"minSuccessRatio": 10**400}}]}},
            "workflow.nodes[0].array_node.min_success_ratio",
        ),
        ({"tasks": [{"custom": {"a": 10**400}}]}, 'tasks[0].custom["a"]'),
        ({"tasks": [{"custom": {"a": 2**53 + 1}}]}, 'tasks[0].custom["a"]'),
    ],
)
def test_numbers_that_cannot_be_read_exactly_are_refused_with_their_path(document: object, path: str) -> None:
    with pytest.raises(DecodeError) as info:
        io.from_json(json.dumps(document), WC)
    assert info.value.path == path
    assert type(info.value) is DecodeError


def test_a_json_number_that_overflows_a_double_is_refused_not_made_infinite() -> None:
    text = '{"workflow": {"nodes": [{"arrayNode": {"minSuccessRatio": 1e999}}]}}'
    with pytest.raises(DecodeError) as info:
        io.from_json(text, WC)
    assert info.value.path == "workflow.nodes[0].array_node.min_success_ratio"
    literal = io.from_json('{"scalar": {"primitive": {"floatValue": "Infinity"}}}', literals_pb2.Literal)
    assert literal.scalar.primitive.float_value == float("inf")  # written as protobuf JSON writes it: accepted


def test_yaml_numbers_too_long_or_too_large_are_refused_with_their_line() -> None:
    with pytest.raises(DecodeError) as info:
        io.from_yaml("tasks:\n- custom:\n    a: " + "1" * 5000 + "\n", WC)
    assert (info.value.line, info.value.path) == (3, None)
    with pytest.raises(DecodeError) as info:
        io.from_yaml("workflow:\n  nodes:\n  - arrayNode:\n      minSuccessRatio: 1e999\n", WC)
    assert info.value.line == 4
    node = io.from_yaml("arrayNode:\n  minSuccessRatio: .inf\n", workflow_pb2.Node)
    assert node.array_node.min_success_ratio == float("inf")
