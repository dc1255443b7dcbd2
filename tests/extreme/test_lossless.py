"""Lossless: nothing the user gave is dropped or changed without a word, at the extremes.

Unknown fields survive binary round-trips and are reported (never dropped) when converting to JSON or YAML;
integers in Struct fields get a warning (and those a double cannot hold are refused); Durations and Timestamps keep
their nanoseconds over their whole range; NaN and infinities round-trip as protobuf JSON defines; the order maps are
filled in never changes the bytes.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import struct
from collections.abc import Callable

import pytest
from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.message import Message

from flytespec import io
from flytespec.compiler import to_go_json
from flytespec.core import literals_pb2, tasks_pb2, types_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.errors import DecodeError, EncodeError, FlytespecWarning, UnknownFieldsError
from flytespec.validate import Code, Severity, validate
from tests.extreme import PURE_PYTHON, scaled
from tests.validate import specs

STRUCT = types_pb2.LiteralType(simple=types_pb2.STRUCT)

WC = workflow_closure_pb2.WorkflowClosure


# --------------------------------------------------------------------------------------------------------------
# Unknown fields


def _with_unknown_fields(nodes: int) -> bytes:
    """A closure whose every node, deep inside, holds fields a newer Flyte might write (numbers 900 and 901)."""
    result = WC()
    for i in range(nodes):
        node = result.workflow.nodes.add(id=f"n{i}")
        node.metadata.retries.retries = 1
        node.metadata.retries.MergeFromString(b"\xa0\x38\x07\xaa\x38\x03new")
    return io.to_binary(result)


def test_unknown_fields_survive_binary_and_are_reported_for_text() -> None:
    count = scaled(10_000, 1_000)
    wire = _with_unknown_fields(count)
    message = io.from_binary(wire, WC)
    assert io.to_binary(message) == wire  # kept, byte for byte
    writers: list[Callable[[], object]] = [
        lambda: io.dumps(message, "json"),
        lambda: io.dumps(message, "yaml"),
        lambda: to_go_json(message),
    ]
    for write in writers:
        with pytest.raises(UnknownFieldsError) as info:
            write()
        paths = info.value.paths
        assert len(paths) == count
        assert paths[:2] == ["workflow.nodes[0].metadata.retries", "workflow.nodes[1].metadata.retries"]
        assert f"and {count - 5} more" in str(info.value)
    with pytest.warns(FlytespecWarning, match=r"workflow\.nodes\[0\]\.metadata\.retries") as dropped:
        text = io.to_json(message, drop_unknown_fields=True)
    (warning,) = dropped
    assert f"and {count - 5} more" in str(warning.message)  # one line, not one path per node
    assert io.from_json(text, WC).workflow.nodes[0].metadata.retries.retries == 1
    with pytest.warns(FlytespecWarning, match=r"workflow\.nodes\[0\]\.metadata\.retries"):
        assert io.from_json(to_go_json(message, drop_unknown_fields=True), WC) == io.from_json(text, WC)


def test_unknown_fields_inside_an_any_payload_and_a_map_value() -> None:
    closure = WC()
    closure.workflow.metadata.tags["k"] = "v"
    node = closure.workflow.nodes.add(id="n")
    node.metadata.config["c"] = "d"
    node.task_node.reference_id.MergeFromString(b"\xf8\x3e\x01")  # field 999, varint
    message = io.from_binary(io.to_binary(closure), WC)
    with pytest.raises(UnknownFieldsError) as info:
        io.to_yaml(message)
    assert info.value.paths == ["workflow.nodes[0].task_node.reference_id"]


# --------------------------------------------------------------------------------------------------------------
# Integers in Structs


def test_integers_in_structs_get_a_warning_and_unrepresentable_ones_an_error() -> None:
    task = io.from_json(
        json.dumps({"id": {"name": "t"}, "type": "python-task", "custom": {"replicas": 3, "ratio": 0.5, "big": 2**60}}),
        tasks_pb2.TaskTemplate,
    )
    warnings = [d for d in validate(task) if d.code is Code.StructIntegerAsFloat]
    assert [(d.path, d.severity) for d in warnings] == [
        ('custom["big"]', Severity.WARNING),
        ('custom["replicas"]', Severity.WARNING),
    ]
    assert task.custom.fields["big"].number_value == 2**60  # exact: a power of two
    with pytest.raises(DecodeError) as info:
        io.from_json(json.dumps({"custom": {"big": 2**60 + 1}}), tasks_pb2.TaskTemplate)
    assert info.value.path == 'custom["big"]'


def test_struct_integers_in_bindings_and_launch_plan_inputs_warn_too() -> None:
    task = specs.task("t", {"x": STRUCT})
    node = specs.task_node("n", "t")
    node.inputs.add(var="x").binding.scalar.generic.update({"n": 1, "deep": [[{"k": 7}]], "f": 0.5})
    found = validate(specs.closure(specs.workflow(node), task))
    assert sorted(d.path for d in found if d.code is Code.StructIntegerAsFloat) == [
        'workflow.nodes[0].inputs[0].binding.scalar.generic["deep"][0][0]["k"]',
        'workflow.nodes[0].inputs[0].binding.scalar.generic["n"]',
    ]
    plan = io.from_dict(
        {
            "spec": {
                "defaultInputs": {"parameters": {"p": {"default": {"scalar": {"generic": {"a": 2}}}}}},
                "fixedInputs": {
                    "literals": {"q": {"collection": {"literals": [{"scalar": {"generic": {"b": [3, 0.5]}}}]}}}
                },
            }
        },
        "admin.LaunchPlan",
    )
    assert sorted(d.path for d in validate(plan) if d.code is Code.StructIntegerAsFloat) == [
        'spec.default_inputs.parameters["p"].default.scalar.generic["a"]',
        'spec.fixed_inputs.literals["q"].collection.literals[0].scalar.generic["b"][0]',
    ]


# --------------------------------------------------------------------------------------------------------------
# Durations and Timestamps: nanoseconds over the whole range, in every format

DURATIONS = [
    (0, 1),
    (0, -1),
    (0, 999_999_999),
    (315_576_000_000, 999_999_999),
    (-315_576_000_000, -999_999_999),
    (1, 500_000_000),
    (1, 1_000),
    (-1, -1_000_000),
]
TIMESTAMPS = [(-62_135_596_800, 0), (253_402_300_799, 999_999_999), (0, 1), (-1, 999_999_999), (1_700_000_000, 10)]


@pytest.mark.parametrize("fmt", io.FORMATS)
def test_durations_and_timestamps_keep_their_nanoseconds(fmt: io.Format) -> None:
    literal = literals_pb2.Literal()
    for seconds, nanos in DURATIONS:
        item = literal.collection.literals.add().scalar.primitive
        item.duration.CopyFrom(duration_pb2.Duration(seconds=seconds, nanos=nanos))
    for seconds, nanos in TIMESTAMPS:
        item = literal.collection.literals.add().scalar.primitive
        item.datetime.CopyFrom(timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos))
    back = io.loads(io.dumps(literal, fmt), literals_pb2.Literal, format=fmt)
    assert back == literal
    got = [(p.duration.seconds, p.duration.nanos) for p in (x.scalar.primitive for x in back.collection.literals[:8])]
    assert got == DURATIONS


def test_duration_text_keeps_nine_digits() -> None:
    node = io.from_json('{"metadata": {"timeout": "-0.000000001s"}}', workflow_pb2.Node)
    assert (node.metadata.timeout.seconds, node.metadata.timeout.nanos) == (0, -1)
    assert io.to_dict(node) == {"metadata": {"timeout": "-0.000000001s"}}


# --------------------------------------------------------------------------------------------------------------
# NaN and infinities


SPECIALS = [math.nan, math.inf, -math.inf, -0.0, 5e-324, 1.7976931348623157e308]


@pytest.mark.parametrize("fmt", io.FORMATS)
def test_nan_and_infinities_round_trip_as_protobuf_json_defines(fmt: io.Format) -> None:
    literal = literals_pb2.Literal()
    for value in SPECIALS:
        literal.collection.literals.add().scalar.primitive.float_value = value
    node = workflow_pb2.Node()
    node.array_node.min_success_ratio = math.nan  # a 32-bit float field
    for message in (literal, node):
        back = io.loads(io.dumps(message, fmt), type(message), format=fmt)
        assert io.to_binary(back) == io.to_binary(message)  # NaN != NaN: compared as bytes
    if fmt == "json":
        values = [x["scalar"]["primitive"]["floatValue"] for x in io.to_dict(literal)["collection"]["literals"]]
        assert values[:4] == ["NaN", "Infinity", "-Infinity", -0.0]


def test_nan_payloads_are_kept_by_binary_only() -> None:
    """protobuf JSON has one NaN; binary keeps the payload bits."""
    odd_nan = struct.unpack("<d", b"\x01\x00\x00\x00\x00\x00\xf8\x7f")[0]
    literal = literals_pb2.Literal()
    literal.scalar.primitive.float_value = odd_nan
    wire = io.to_binary(literal)
    back = io.to_binary(io.from_binary(wire, literals_pb2.Literal))
    if PURE_PYTHON:
        # The pure-Python runtime's parser reads every NaN as Python's own: the payload bits are the runtime's loss.
        assert back == wire.replace(b"\x01\x00\x00\x00\x00\x00\xf8\x7f", struct.pack("<d", math.nan))
    else:
        assert back == wire
    assert io.to_dict(io.from_json(io.to_json(literal), literals_pb2.Literal)) == io.to_dict(literal)


def test_non_finite_numbers_in_structs_are_refused_both_ways() -> None:
    task = tasks_pb2.TaskTemplate()
    task.custom.fields["x"].number_value = math.inf
    with pytest.raises(EncodeError) as info:
        io.to_json(task)
    assert info.value.path == 'custom["x"]'
    with pytest.raises(DecodeError) as read:
        io.from_dict({"custom": {"x": math.nan}}, tasks_pb2.TaskTemplate)
    assert read.value.path == 'custom["x"]'


# --------------------------------------------------------------------------------------------------------------
# Map key order never changes bytes


def _filled(order: list[int]) -> list[Message]:
    keys = ["", "a", "B", "b", "ä", "z" * 40, "10", "9", "k.1", "\u2028"]
    node = workflow_pb2.Node(id="n")
    task = tasks_pb2.TaskTemplate()
    literal = literals_pb2.LiteralMap()
    for i in order:
        node.metadata.config[keys[i]] = str(i)
        task.custom.fields[keys[i]].number_value = i + 0.5
        task.config[keys[i]] = keys[i]
        literal.literals[keys[i]].scalar.primitive.integer = i
    return [node, task, literal]


def test_map_insertion_order_never_changes_any_output() -> None:
    rng = random.Random(6)
    orders = [list(range(10)), list(reversed(range(10)))] + [rng.sample(range(10), 10) for _ in range(8)]
    outputs = set()
    for order in orders:
        outputs.add(tuple(io.dumps(m, fmt) for m in _filled(order) for fmt in io.FORMATS))
    assert len(outputs) == 1


def test_map_order_after_a_round_trip_through_each_format() -> None:
    first = _filled(list(range(10)))
    for fmt, message in itertools.product(io.FORMATS, first):
        back = io.loads(io.dumps(message, fmt), type(message), format=fmt)
        assert io.to_binary(back) == io.to_binary(message)
