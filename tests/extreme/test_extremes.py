"""Extreme but legal specs work: 100,000 nodes; fan-in and fan-out of 10,000; branches nested 1,000 deep; a cycle of
10,000 nodes, reported once and whole; literal collections of 1,000,000 items; 10 MB strings.

Correctness only, no timing (``make bench`` measures time and memory: bench/bench_extreme.py). Sizes are
:func:`tests.extreme.scaled` down on the pure-Python protobuf backend, whose field access is 30 to 100 times slower.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from google.protobuf.message import Message

from flytespec import io
from flytespec.compiler import compile, to_go_json
from flytespec.core import literals_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.errors import EncodeError, LimitExceededError
from flytespec.testing import random_workflow_closure
from flytespec.validate import Code, validate
from flytespec.validate._run import MESSAGE_MAX
from tests.extreme import PURE_PYTHON, scaled
from tests.validate import specs

pytestmark = pytest.mark.extreme

WC = workflow_closure_pb2.WorkflowClosure


# --------------------------------------------------------------------------------------------------------------
# 100,000 nodes


@pytest.fixture(scope="module")
def huge() -> workflow_closure_pb2.WorkflowClosure:
    return random_workflow_closure(scaled(100_000, 5_000))


def test_a_huge_workflow_round_trips_validates_and_compiles(huge: workflow_closure_pb2.WorkflowClosure) -> None:
    n = len(huge.workflow.nodes)
    wire = io.to_binary(huge)
    back = io.from_binary(wire, WC)
    assert io.to_binary(back) == wire
    # Valid; but too large to register at admin's default gRPC limit, which is said.
    assert [(d.code, d.path) for d in validate(back)] == _size_warning(back.workflow, "workflow")
    compiled = compile(back)
    assert len(compiled.primary.template.nodes) == n + 2
    upstream = compiled.primary.connections.upstream
    assert all(f"n{i}" in upstream for i in range(n))  # every node waits for something (start-node at least)
    assert compiled.primary.template.nodes[-1].id == f"n{n - 1}"


def test_a_huge_workflow_as_json_reads_back(huge: workflow_closure_pb2.WorkflowClosure) -> None:
    part = WC()
    part.CopyFrom(huge)
    del part.workflow.nodes[scaled(10_000, 1_000) :]  # JSON of all 100,000 nodes: measured by the bench
    text = io.to_json(part, indent=None)
    assert io.from_json(text, WC) == part


# --------------------------------------------------------------------------------------------------------------
# Fan-out and fan-in of 10,000


def _fan(width: int) -> workflow_closure_pb2.WorkflowClosure:
    """``src`` feeds ``width`` nodes, all of which feed ``sink`` (a list of ``width`` promises)."""
    source = specs.task("src", {}, {"o0": specs.INT})
    each = specs.task("add_one", {"x": specs.INT}, {"o0": specs.INT})
    gather = specs.task("gather", {"xs": specs.list_of(specs.INT)}, {"o0": specs.INT})
    nodes = [specs.task_node("src", "src")]
    nodes += [specs.task_node(f"m{i}", "add_one", x=specs.promise("src", "o0")) for i in range(width)]
    sink = specs.task_node("sink", "gather")
    items = sink.inputs.add(var="xs").binding.collection.bindings
    for i in range(width):
        items.add().promise.CopyFrom(specs.promise(f"m{i}", "o0").promise)
    nodes.append(sink)
    return specs.closure(specs.workflow(*nodes), source, each, gather)


def test_fan_out_and_fan_in_of_ten_thousand() -> None:
    width = scaled(10_000, 2_000)
    closure = _fan(width)
    assert validate(closure) == []
    compiled = compile(closure).primary.connections
    assert len(compiled.downstream["src"].ids) == width
    assert len(compiled.upstream["sink"].ids) == width
    assert list(compiled.upstream["sink"].ids) == sorted(f"m{i}" for i in range(width))


def test_fan_in_with_one_dangling_promise_is_reported_once() -> None:
    closure = _fan(scaled(10_000, 2_000))
    sink = closure.workflow.nodes[-1]
    sink.inputs[0].binding.collection.bindings[1234].promise.node_id = "ghost"
    found = [(d.code, d.path) for d in validate(closure)]
    assert found == [
        (
            Code.NodeReferenceNotFound,
            f"workflow.nodes[{len(closure.workflow.nodes) - 1}].inputs[0].binding.collection"
            ".bindings[1234].promise.node_id",
        ),
    ]


# --------------------------------------------------------------------------------------------------------------
# Branches nested 1,000 deep: protobuf's parsers read 101 levels (25 nested branches); beyond, a clear error


def _nested_branches(depth: int) -> workflow_closure_pb2.WorkflowClosure:
    # Built in place: message constructors copy through the wire format, which upb refuses beyond 101 levels.
    closure = specs.closure(specs.workflow(), specs.task("t", {}, {"o0": specs.INT}))
    root = closure.workflow.nodes.add(id="root")
    current = root
    for level in range(depth):
        if_else = current.branch_node.if_else
        condition = if_else.case.condition.comparison
        condition.left_value.primitive.integer = 1
        condition.right_value.primitive.integer = level
        if_else.else_node.CopyFrom(specs.task_node(f"e{level}", "t"))
        current = if_else.case.then_node
        current.id = f"b{level}"
    current.task_node.reference_id.CopyFrom(specs.ident("t"))
    return closure


def test_branches_nested_at_and_beyond_the_parsers_bound() -> None:
    # d nested branches nest 4d + 6 messages (closure, workflow, node; four a branch; then the innermost condition's
    # case, condition, comparison, operand and primitive): 23 fit the parsers' 101 levels, 24 do not.
    at_bound = _nested_branches(23)
    assert io.from_binary(io.to_binary(at_bound), WC) == at_bound
    beyond = _nested_branches(24)
    with pytest.raises(LimitExceededError) as info:
        io.from_binary(io.to_binary(beyond), WC)
    assert (info.value.limit, info.value.value) == ("max_depth", 100)
    assert info.value.path is not None
    assert info.value.path.startswith("workflow.nodes[0].branch_node.if_else.case.then_node.branch_node")
    with pytest.raises(LimitExceededError):
        io.from_json(io.to_json(beyond), WC)
    assert io.from_json(io.to_json(beyond), WC, max_depth=200) == beyond


def _size_warning(sent: Message, path: str) -> list[tuple[Code, str]]:
    """The SpecTooLarge warning a spec gets when what it sends is over 3 MiB: at full size, not at the smaller
    sizes of the pure-Python runtime (nor for a message nested deeper than that runtime can write)."""
    try:
        size = sent.ByteSize()
    except RecursionError:
        return []
    return [(Code.SpecTooLarge, path)] if size > 3 << 20 else []


def test_branches_nested_a_thousand_deep_in_memory() -> None:
    closure = _nested_branches(1000)
    assert validate(closure) == []
    compiled = compile(closure)
    deepest = compiled.primary.template.nodes[2]
    for _ in range(1000):
        deepest = deepest.branch_node.if_else.case.then_node
    assert deepest.id == "-".join(["root", *(f"b{level}" for level in range(1000))])  # <parent>-<child>, nested
    # Compiled ids of any length: only the ids a user chooses must be DNS labels. (Its ids make it large.)
    assert [(d.code, d.path) for d in validate(compiled)] == _size_warning(compiled, "")
    assert io.to_dict(closure)["workflow"]["nodes"][0]["id"] == "root"  # to_dict is iterative: any depth
    with pytest.raises(EncodeError, match="nested too deeply"):
        io.to_json(closure)  # Python's json module recurses
    with pytest.raises(EncodeError, match="nested too deeply"):
        to_go_json(compiled)
    if PURE_PYTHON:
        with pytest.raises(EncodeError, match="pure-Python"):
            io.to_binary(closure)
    else:
        wire = io.to_binary(closure)  # upb writes it; no runtime reads it back
        with pytest.raises(LimitExceededError):
            io.from_binary(wire, WC)


def test_a_chain_of_two_thousand_subworkflows() -> None:
    # Each runs the next: checked and compiled with a worklist, whatever the length of the chain.
    subs = [specs.workflow(specs.task_node("n", "t"), name=f"s{i}") for i in range(scaled(2_000, 300))]
    for parent, child in pairwise(subs):
        parent.nodes[0].ClearField("task_node")
        parent.nodes[0].workflow_node.sub_workflow_ref.CopyFrom(child.id)
    top = specs.workflow(workflow_pb2.Node(id="top"), name="top")
    top.nodes[0].workflow_node.sub_workflow_ref.CopyFrom(subs[0].id)
    task = specs.task("t", {}, {})
    assert validate(top, subworkflows=subs, tasks=[task]) == []
    compiled = compile(top, subworkflows=subs, tasks=[task])
    assert len(compiled.sub_workflows) == len(subs)


def test_a_literal_nested_two_thousand_deep_is_typed() -> None:
    from flytespec.admin import launch_plan_pb2
    from flytespec.core import identifier_pb2, types_pb2

    lp = launch_plan_pb2.LaunchPlan()
    lp.id.resource_type = identifier_pb2.LAUNCH_PLAN
    lp.id.name = "lp"
    lp.spec.workflow_id.resource_type = identifier_pb2.WORKFLOW
    lp.spec.workflow_id.name = "wf"
    parameter = lp.spec.default_inputs.parameters["x"]
    parameter.var.type.collection_type.simple = types_pb2.INTEGER
    items = parameter.default.collection.literals
    deep = items.add()
    # Built in place, deeper than protobuf's parsers read (the pure-Python runtime serializes by recursion: less).
    for _ in range(scaled(2000, 100)):
        deep = deep.collection.literals.add()
    deep.scalar.primitive.integer = 1
    items.add().scalar.primitive.integer = 2
    found = {(d.code, d.path) for d in validate(lp)}
    assert found == {(Code.MismatchingTypes, 'spec.default_inputs.parameters["x"].default')}


def test_bindings_into_unions_nested_a_thousand_deep() -> None:
    from flytespec.core import types_pb2

    depth = scaled(1000, 100)
    # x: str | list[str | list[... int]], bound to [[[...[1]...]]]: each list fits one variant only, at every level.
    # Built in place, deeper than protobuf's parsers read.
    task = specs.task("t", {}, {})
    expected = task.interface.inputs.variables["x"].type
    for _ in range(depth):
        expected.union_type.variants.add(simple=types_pb2.STRING)
        expected = expected.union_type.variants.add().collection_type
    expected.simple = types_pb2.INTEGER
    wf = workflow_pb2.WorkflowTemplate()
    wf.id.CopyFrom(specs.ident("wf", 2))
    node = wf.nodes.add(id="n0")
    node.task_node.reference_id.CopyFrom(task.id)
    data = node.inputs.add(var="x").binding
    for _ in range(depth):
        data = data.collection.bindings.add()
    data.scalar.primitive.integer = 1
    assert validate(wf, tasks=[task]) == []
    data.scalar.primitive.boolean = True  # fits nothing at the bottom, so nothing at any level above
    assert {(d.code, d.path) for d in validate(wf, tasks=[task])} == {
        (Code.IncompatibleBindingUnionValue, "nodes[0].inputs[0].binding")
    }


# --------------------------------------------------------------------------------------------------------------
# A cycle of 10,000 nodes: reported once, completely


def _ring(size: int, offset: int = 0) -> list[workflow_pb2.Node]:
    return [
        specs.task_node(f"r{offset + i}", "add_one", x=specs.promise(f"r{offset + (i - 1) % size}", "o0"))
        for i in range(size)
    ]


def test_a_cycle_of_ten_thousand_nodes_is_reported_once_and_whole() -> None:
    size = scaled(10_000, 2_000)
    closure = specs.closure(specs.workflow(*_ring(size)), specs.add_one())
    found = validate(closure)
    assert [(d.code, d.path, d.node_id) for d in found] == [(Code.CycleDetected, "workflow.nodes[0]", "r0")]
    message = found[0].message
    assert message.startswith(f"cycle of {size} nodes: r0 > r1 > r2")
    assert message.endswith(f"r{size - 2} > r{size - 1} > r0")
    assert message.count(" > ") == size
    assert len(message) < MESSAGE_MAX


def test_two_large_cycles_and_what_waits_on_them() -> None:
    size = scaled(5_000, 1_000)
    nodes = [*_ring(size), *_ring(size, offset=size)]
    nodes.append(specs.task_node("after", "add_one", x=specs.promise("r0", "o0")))
    found = validate(specs.closure(specs.workflow(*nodes), specs.add_one()))
    assert [(d.code, d.node_id) for d in found] == [
        (Code.CycleDetected, "r0"),
        (Code.CycleDetected, f"r{size}"),
        (Code.UnreachableNodes, "after"),
    ]


# --------------------------------------------------------------------------------------------------------------
# Literal collections of 1,000,000 items


@pytest.fixture(scope="module")
def million() -> literals_pb2.Literal:
    literal = literals_pb2.Literal()
    items = literal.collection.literals
    for i in range(scaled(1_000_000, 10_000)):
        items.add().scalar.primitive.integer = i
    return literal


def test_a_million_literals_round_trip(million: literals_pb2.Literal) -> None:
    wire = io.to_binary(million)
    assert io.to_binary(io.from_binary(wire, literals_pb2.Literal)) == wire
    part = literals_pb2.Literal()
    part.collection.literals.extend(million.collection.literals[: scaled(20_000, 2_000)])
    for fmt in ("json", "yaml"):
        assert io.loads(io.dumps(part, fmt), literals_pb2.Literal, format=fmt) == part


def test_a_million_literals_as_a_fixed_input_validate(million: literals_pb2.Literal) -> None:
    from flytespec.admin import launch_plan_pb2

    plan = launch_plan_pb2.LaunchPlan()
    plan.id.CopyFrom(specs.ident("lp", 3))
    plan.spec.workflow_id.CopyFrom(specs.ident("wf", 2))
    plan.spec.fixed_inputs.literals["xs"].CopyFrom(million)
    plan.spec.fixed_inputs.literals["xs"].collection.literals.add().scalar.primitive.string_value = "odd one"
    wf = specs.workflow(inputs={"xs": specs.list_of(specs.INT)})
    found = validate(plan, workflows=[wf])
    assert [(d.code, d.path) for d in found] == [
        *_size_warning(plan, ""),
        (Code.MismatchingTypes, 'spec.fixed_inputs.literals["xs"]'),
    ]
    assert "list[INTEGER | STRING]" in found[-1].message or "list[STRING | INTEGER]" in found[-1].message


# --------------------------------------------------------------------------------------------------------------
# 10 MB strings


TEN_MB = 10 << 20


def test_ten_megabyte_strings_in_every_format() -> None:
    big = "x" * TEN_MB
    closure = random_workflow_closure(3)
    closure.tasks[0].container.args.append(big)
    closure.workflow.nodes[0].metadata.name = "é" * (TEN_MB // 2)
    closure.workflow.metadata.tags["k" * 1000] = big
    for fmt in io.FORMATS:
        data = io.dumps(closure, fmt)
        back = io.loads(data, WC, format=fmt, max_size=len(data))
        assert io.to_binary(back) == io.to_binary(closure)
    assert [(d.code, d.path) for d in validate(closure)] == _size_warning(closure.workflow, "workflow")


def test_a_ten_megabyte_value_is_not_copied_into_every_diagnostic() -> None:
    closure = random_workflow_closure(3)
    bad = "Not A Label " * (TEN_MB // 12)
    for node in closure.workflow.nodes:
        node.upstream_node_ids.append(bad)  # the same huge dangling id, referenced by every node
    found = validate(closure)
    assert [d.code for d in found] == [Code.SpecTooLarge, *[Code.NodeReferenceNotFound] * 3]
    assert all(len(d.message) <= MESSAGE_MAX for d in found)
    assert found[1].message.endswith("characters in all)")
