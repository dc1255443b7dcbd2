"""graph and diff: what they show, on stable things (kinds, paths, edges), and no recursion at any depth."""

from __future__ import annotations

import json
import math
import struct
import sys

import pytest

from flytespec import io
from flytespec.core import condition_pb2, tasks_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.diff import ChangeKind, diff
from flytespec.graph import VertexKind, build_graph, to_dot, to_mermaid
from flytespec.testing import random_workflow_closure
from tests.cli.conftest import EXAMPLES

CLOSURE = EXAMPLES / "etl.closure.yaml"


def _nested_branches(depth: int, leaf: str = "leaf") -> workflow_closure_pb2.WorkflowClosure:
    """A workflow whose only node is a branch nested ``depth`` levels deep in its then-arms (built in place:
    protobuf refuses to copy messages this deep)."""
    closure = workflow_closure_pb2.WorkflowClosure()
    closure.workflow.id.name = "deep"
    node = closure.workflow.nodes.add(id="b0")
    for level in range(depth):
        if_else = node.branch_node.if_else
        if_else.case.condition.comparison.operator = condition_pb2.ComparisonExpression.GT
        if_else.case.condition.comparison.left_value.var = "x"
        if_else.case.condition.comparison.right_value.primitive.integer = level
        if_else.error.message = f"level {level}"
        node = if_else.case.then_node
        node.id = f"b{level + 1}"
    node.task_node.reference_id.name = leaf
    return closure


def test_graph_kinds_and_edges() -> None:
    graph = build_graph(io.load(CLOSURE))
    kinds = {v.lines[0]: v.kind for v in graph.vertices}
    assert kinds["n0"] is VertexKind.TASK
    assert kinds["n1"] is VertexKind.BRANCH
    assert kinds["n2"] is VertexKind.GATE
    assert kinds["report"] is VertexKind.TASK
    keys = {v.lines[0]: v.key for v in graph.vertices}
    edges = {(e.source, e.target, e.label) for e in graph.edges}
    assert (keys["n0"], keys["n1"], None) in edges
    assert (keys["n1"], keys["report"], "if n0.o0 > 0") in edges
    assert (keys["start"], keys["n0"], None) in edges
    assert any(e.source == keys["n1"] and e.label == "else" for e in graph.edges)


def test_array_and_workflow_nodes_are_marked() -> None:
    wf = workflow_pb2.WorkflowTemplate()
    array = wf.nodes.add(id="m")
    array.array_node.node.task_node.reference_id.name = "square"
    array.array_node.parallelism = 4
    sub = wf.nodes.add(id="s", upstream_node_ids=["m"])
    sub.workflow_node.launchplan_ref.name = "nightly"
    text = to_mermaid(wf)
    assert 'v1[/"m<br/>array of task square<br/>parallelism 4"/]' in text
    assert 'v2[["s<br/>launch plan nightly"]]' in text
    assert "shape=box3d" in to_dot(wf)


def test_missing_dependencies_are_drawn_not_dropped() -> None:
    wf = workflow_pb2.WorkflowTemplate()
    wf.nodes.add(id="a", upstream_node_ids=["ghost"]).task_node.reference_id.name = "t"
    graph = build_graph(wf)
    assert any(v.kind is VertexKind.MISSING and v.lines[0] == "ghost" for v in graph.vertices)


def test_graph_output_is_deterministic_and_escaped() -> None:
    closure = io.load(CLOSURE)
    assert to_mermaid(closure) == to_mermaid(io.loads(io.to_binary(closure), "WorkflowClosure"))
    wf = workflow_pb2.WorkflowTemplate()
    wf.id.name = 'say "hi" <b>'
    wf.nodes.add(id="a").task_node.reference_id.name = 'quote"d#'
    assert "#34;" in to_mermaid(wf)
    assert '\\"hi\\"' in to_dot(wf)


def test_graph_and_diff_of_1000_deep_nesting_do_not_recurse() -> None:
    deep = _nested_branches(1000)
    other = _nested_branches(1000, leaf="changed")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # far below the depth: any recursion over the tree would fail
    try:
        graph = build_graph(deep)
        changes = diff(deep, other)
    finally:
        sys.setrecursionlimit(limit)
    assert sum(v.kind is VertexKind.BRANCH for v in graph.vertices) == 1000
    assert len(changes) == 1
    assert changes[0].path.endswith(".case.then_node.task_node.reference_id.name")
    assert changes[0].path.count("then_node") == 1000


def test_graph_of_array_nodes_nested_1000_deep_does_not_recurse() -> None:
    template = workflow_pb2.WorkflowTemplate()
    node = template.nodes.add(id="n0")
    for _ in range(1000):
        node = node.array_node.node
        node.id = "inner"
    node.task_node.reference_id.name = "pkg.task"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        (vertex,) = [v for v in build_graph(template).vertices if v.kind is VertexKind.ARRAY]
        to_dot(template)
        to_mermaid(template)
    finally:
        sys.setrecursionlimit(limit)
    assert vertex.lines[1] == "array of " * 1000 + "task pkg.task"


@pytest.mark.parametrize("size", [100_000])
def test_graph_and_diff_at_scale(size: int) -> None:
    big = random_workflow_closure(size)
    graph = build_graph(big)
    assert len(graph.vertices) >= size
    other = workflow_closure_pb2.WorkflowClosure()
    other.CopyFrom(big)
    other.workflow.nodes[size // 2].metadata.retries.retries = 7
    (change,) = diff(big, other)
    assert change.path.startswith(f'workflow.nodes[id="{big.workflow.nodes[size // 2].id}"].metadata.retries')


def test_diff_matches_nodes_and_bindings_by_key() -> None:
    a = io.load(CLOSURE, workflow_closure_pb2.WorkflowClosure)
    b = workflow_closure_pb2.WorkflowClosure()
    b.CopyFrom(a)
    nodes = list(b.workflow.nodes)
    del b.workflow.nodes[:]
    b.workflow.nodes.extend(reversed(nodes))  # order of nodes has no meaning
    assert diff(a, b) == []
    b.workflow.nodes[0].upstream_node_ids[:] = ["n0"]  # n2 now waits on n0 instead of n1
    kinds = [(c.kind, c.path) for c in diff(a, b)]
    assert (ChangeKind.REWIRED, 'workflow.nodes[id="n2"]') in kinds
    removed = workflow_closure_pb2.WorkflowClosure()
    removed.CopyFrom(a)
    del removed.workflow.nodes[2]
    added = diff(removed, a)
    assert [(c.kind, c.path) for c in added] == [(ChangeKind.ADDED, 'workflow.nodes[id="n2"]')]
    assert added[0].new["id"] == "n2"


def test_diff_sees_unknown_fields() -> None:
    a = workflow_pb2.Node(id="a")
    b = workflow_pb2.Node.FromString(a.SerializeToString() + b"\xf8\x3f\x01")
    (change,) = diff(a, b)
    assert change.path == "<unknown fields>"
    assert change.new == ["field 1023"]


def test_diff_shows_values_json_cannot_hold() -> None:
    a = tasks_pb2.TaskTemplate(type="python-task")
    a.custom.update({"ratio": math.nan})
    b = tasks_pb2.TaskTemplate()
    b.CopyFrom(a)
    b.custom["size"] = 1
    (change,) = diff(a, b)
    assert (change.kind, change.path) == (ChangeKind.CHANGED, "custom")
    assert "number_value: nan" in change.old  # protobuf's text format, as JSON has no NaN
    assert json.loads(json.dumps(change.to_dict(), allow_nan=False))["new"] == change.new


def test_diff_refuses_different_types() -> None:
    with pytest.raises(TypeError):
        diff(workflow_pb2.Node(), workflow_pb2.WorkflowTemplate())


def test_an_arm_reading_a_node_its_branch_does_not_wait_for_gets_an_edge() -> None:
    from flytespec import build as b

    def t(name: str, **io_: object) -> b.Task:
        return b.task(name, image="i", args=b.pyflyte_execute_args("m", name), **io_)  # type: ignore[arg-type]

    make = t("make", inputs={"x": int}, outputs={"o0": int})
    use = t("use", inputs={"a": int, "b": int}, outputs={"o0": int})
    with b.workflow("arms", inputs={"x": int}) as wf:
        first = make(x=wf.inputs.x)
        other = make(x=1)
        result = b.conditional("c").if_(first > 0).then(use(a=first, b=other)).else_().then(use(a=0, b=0))
        wf.outputs(o0=result)
    graph = build_graph(wf.build().closure)
    keys = {v.lines[0]: v.key for v in graph.vertices}
    arm = keys[result.message.branch_node.if_else.case.then_node.id]
    assert (keys[other.id], arm) in {(e.source, e.target) for e in graph.edges}
    # The branch's own input feeds the branch, not the arm a second time.
    assert (keys[first.id], arm) not in {(e.source, e.target) for e in graph.edges}


def test_diff_tells_zero_from_negative_zero() -> None:
    """Python finds 0.0 == -0.0, but they serialize (and digest) differently: the diff shows the change."""
    from flytespec.core import literals_pb2

    before, after = literals_pb2.Literal(), literals_pb2.Literal()
    before.scalar.primitive.float_value = 0.0
    after.scalar.primitive.float_value = -0.0
    assert [c.path for c in diff(before, after)] == ["scalar.primitive.float_value"]
    nan = literals_pb2.Literal()
    nan.scalar.primitive.float_value = math.nan
    assert diff(nan, literals_pb2.Literal.FromString(nan.SerializeToString())) == []
    task_a, task_b = tasks_pb2.TaskTemplate(), tasks_pb2.TaskTemplate()
    task_a.custom.update({"xs": [0.0]})
    task_b.custom.update({"xs": [-0.0]})
    assert [c.path for c in diff(task_a, task_b)] == ["custom"]  # a Struct is compared whole


def test_diff_tells_nans_apart_by_their_bits() -> None:
    """-NaN (what inf - inf gives on x86) and NaN serialize and digest differently; the diff said no differences."""
    from flytespec.core import literals_pb2
    from flytespec.digest import digest

    negative = literals_pb2.Primitive.FromString(b"\x11" + struct.pack("<d", -math.nan))
    positive = literals_pb2.Primitive(float_value=math.nan)
    # protobuf's pure-Python runtime reads every NaN as the same one; upb keeps the bits.
    kept = negative.SerializeToString() != positive.SerializeToString()
    assert [c.path for c in diff(negative, positive)] == (["float_value"] if kept else [])
    assert (digest(negative) != digest(positive)) is kept
    assert diff(negative, literals_pb2.Primitive.FromString(negative.SerializeToString())) == []


def test_any_payloads_are_compared_and_digested_by_content() -> None:
    """An Any's payload is bytes: written in another field order (Go writes map entries in random order), the same
    content gave another digest, and a diff whose two sides printed the same."""
    from flytespec.admin import launch_plan_pb2
    from flytespec.core import identifier_pb2
    from flytespec.digest import digest

    def plan(payload: bytes) -> launch_plan_pb2.LaunchPlan:
        out = launch_plan_pb2.LaunchPlan()
        out.spec.entity_metadata.launch_conditions.type_url = "type.googleapis.com/flytespec.core.Identifier"
        out.spec.entity_metadata.launch_conditions.value = payload
        return out

    ordered = plan(identifier_pb2.Identifier(project="p", domain="d").SerializeToString())
    reordered = plan(
        identifier_pb2.Identifier(domain="d").SerializeToString()
        + identifier_pb2.Identifier(project="p").SerializeToString()
    )
    assert digest(ordered) == digest(reordered) == digest(io.from_json(io.to_json(reordered), type(reordered)))
    assert diff(ordered, reordered) == []
    other = plan(identifier_pb2.Identifier(project="q", domain="d").SerializeToString())
    assert digest(other) != digest(ordered)
    assert [c.path for c in diff(ordered, other)] == ["spec.entity_metadata.launch_conditions"]
