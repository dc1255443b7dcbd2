"""A workflow as a graph, in Mermaid or Graphviz DOT, from the spec alone (no server).

Every node is drawn with what it runs: task nodes name their task, workflow nodes their subworkflow or launch plan;
branch nodes are diamonds with one edge per arm (``if``, ``else if``, ``else``, and the error an unmatched branch
fails with), gate nodes are hexagons saying what they wait for, array nodes are marked and say what they map. Edges
are the dependencies: upstream node ids and the nodes each binding reads from; ``start`` stands for the workflow
inputs, ``end`` for its outputs. A failure node is drawn apart, marked ``on failure``::

    from flytespec import io
    from flytespec.graph import to_mermaid

    print(to_mermaid(io.load("etl.closure.yaml")))

Accepted specs: WorkflowTemplate, WorkflowSpec, WorkflowClosure, CompiledWorkflow, CompiledWorkflowClosure (its
primary workflow) and DynamicJobSpec. Output is deterministic; building it is iterative and linear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

from flytespec._compat import StrEnum
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.core import (
    compiler_pb2,
    condition_pb2,
    dynamic_job_pb2,
    literals_pb2,
    workflow_closure_pb2,
    workflow_pb2,
)
from flytespec.interop import as_flytespec

__all__ = [
    "Edge",
    "Graph",
    "Vertex",
    "VertexKind",
    "build_graph",
    "condition_text",
    "node_dependencies",
    "to_dot",
    "to_mermaid",
]

START_NODE = "start-node"
END_NODE = "end-node"


class VertexKind(StrEnum):
    """What a vertex stands for; it decides the shape drawn."""

    START = "start"
    END = "end"
    TASK = "task"
    WORKFLOW = "workflow"
    BRANCH = "branch"
    GATE = "gate"
    ARRAY = "array"
    ERROR = "error"
    MISSING = "missing"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Vertex:
    """A drawn node: ``key`` is a safe generated id (``v0``, ``v1``...), ``lines`` its label lines."""

    key: str
    kind: VertexKind
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Edge:
    """A dependency: ``target`` waits for ``source``; ``label`` names a branch arm."""

    source: str
    target: str
    label: str | None = None


@dataclass(slots=True)
class Graph:
    """A workflow's vertices and edges, in a stable order."""

    name: str
    vertices: list[Vertex] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def node_dependencies(node: workflow_pb2.Node) -> list[str]:
    """The ids of the nodes ``node`` waits for: its upstream node ids and the nodes its bindings read from, sorted.

    The workflow inputs are the empty id ``""`` (or ``start-node`` in compiled workflows).
    """
    deps = set(node.upstream_node_ids)
    stack: list[literals_pb2.BindingData] = [b.binding for b in node.inputs]
    while stack:
        data = stack.pop()
        kind = data.WhichOneof("value")
        if kind == "promise":
            deps.add(data.promise.node_id)
        elif kind == "collection":
            stack.extend(data.collection.bindings)
        elif kind == "map":
            bindings = data.map.bindings
            stack.extend(bindings[k] for k in sorted(bindings))
    return sorted(deps)


def _output_dependencies(bindings: Any) -> list[str]:
    return node_dependencies(workflow_pb2.Node(inputs=bindings))


def _template(spec: Message) -> tuple[str, list[workflow_pb2.Node], list[Any], workflow_pb2.Node | None]:
    """(name, nodes, output bindings, failure node) of the workflow a spec holds."""
    if isinstance(spec, admin_workflow_pb2.WorkflowSpec):
        spec = spec.template
    elif isinstance(spec, workflow_closure_pb2.WorkflowClosure):
        spec = spec.workflow
    elif isinstance(spec, compiler_pb2.CompiledWorkflowClosure):
        spec = spec.primary.template
    elif isinstance(spec, compiler_pb2.CompiledWorkflow):
        spec = spec.template
    if isinstance(spec, workflow_pb2.WorkflowTemplate):
        failure = spec.failure_node if spec.HasField("failure_node") else None
        return spec.id.name or "workflow", list(spec.nodes), list(spec.outputs), failure
    if isinstance(spec, dynamic_job_pb2.DynamicJobSpec):
        return "dynamic", list(spec.nodes), list(spec.outputs), None
    raise TypeError(
        "expected a WorkflowTemplate, WorkflowSpec, WorkflowClosure, CompiledWorkflow, CompiledWorkflowClosure or "
        f"DynamicJobSpec, got {type(spec).__name__}"
    )


# --------------------------------------------------------------------------------------------------------------
# Describing nodes


def _short(name: str) -> str:
    return name or "?"


def _operand(op: condition_pb2.Operand) -> str:
    kind = op.WhichOneof("val")
    if kind == "var":
        return op.var
    if kind == "primitive":
        return _primitive(op.primitive)
    if kind == "scalar":
        if op.scalar.HasField("primitive"):
            return _primitive(op.scalar.primitive)
        return op.scalar.WhichOneof("value") or "?"
    return "?"


def _primitive(p: literals_pb2.Primitive) -> str:
    kind = p.WhichOneof("value")
    if kind == "string_value":
        return repr(p.string_value)
    if kind == "boolean":
        return "true" if p.boolean else "false"
    if kind in ("datetime", "duration"):
        return kind
    return str(getattr(p, kind)) if kind else "?"


_OPERATORS = {0: "==", 1: "!=", 2: ">", 3: ">=", 4: "<", 5: "<="}


def condition_text(expr: condition_pb2.BooleanExpression) -> str:
    """A boolean expression as text (``n0.o0 > 0 and x == 'a'``), built iteratively."""
    # Post-order over the expression tree: ("visit", expr) then ("join", op) once both sides are rendered.
    out: list[str] = []
    stack: list[tuple[str, Any]] = [("visit", expr)]
    while stack:
        action, item = stack.pop()
        if action == "join":
            right, left = out.pop(), out.pop()
            out.append(f"({left} {item} {right})")
            continue
        kind = item.WhichOneof("expr")
        if kind == "comparison":
            c = item.comparison
            out.append(f"{_operand(c.left_value)} {_OPERATORS.get(c.operator, '?')} {_operand(c.right_value)}")
        elif kind == "conjunction":
            c = item.conjunction
            stack.append(("join", "and" if c.operator == 0 else "or"))
            stack.append(("visit", c.right_expression))
            stack.append(("visit", c.left_expression))
        else:
            out.append("?")
    text = out[0] if out else "?"
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def _describe(node: workflow_pb2.Node) -> tuple[VertexKind, list[str]]:
    kind = node.WhichOneof("target")
    if kind == "task_node":
        return VertexKind.TASK, [f"task {_short(node.task_node.reference_id.name)}"]
    if kind == "workflow_node":
        wn = node.workflow_node
        if wn.HasField("launchplan_ref"):
            return VertexKind.WORKFLOW, [f"launch plan {_short(wn.launchplan_ref.name)}"]
        return VertexKind.WORKFLOW, [f"subworkflow {_short(wn.sub_workflow_ref.name)}"]
    if kind == "branch_node":
        return VertexKind.BRANCH, ["branch"]
    if kind == "gate_node":
        gate = node.gate_node
        which = gate.WhichOneof("condition")
        if which == "approve":
            return VertexKind.GATE, [f"gate: approval {gate.approve.signal_id}"]
        if which == "signal":
            return VertexKind.GATE, [f"gate: signal {gate.signal.signal_id}"]
        if which == "sleep":
            d = gate.sleep.duration
            secs = f"{d.seconds}.{d.nanos:09d}".rstrip("0").rstrip(".") if d.nanos else str(d.seconds)
            return VertexKind.GATE, [f"gate: sleep {secs}s"]
        return VertexKind.GATE, ["gate"]
    if kind == "array_node":
        array = node.array_node
        prefix, inner = "array of ", array
        while inner.HasField("node") and inner.node.WhichOneof("target") == "array_node":  # iterative: any depth
            prefix, inner = prefix + "array of ", inner.node.array_node
        lines = [prefix + (_describe(inner.node)[1][0] if inner.HasField("node") else "?")]
        if array.WhichOneof("parallelism_option"):
            lines.append(f"parallelism {array.parallelism}")
        return VertexKind.ARRAY, lines
    return VertexKind.OTHER, ["no target"]


# --------------------------------------------------------------------------------------------------------------
# Building


def build_graph(spec: Message) -> Graph:
    """The graph of the workflow ``spec`` holds (see the module docs).

    Raises:
        TypeError: ``spec`` holds no workflow.
    """
    name, nodes, outputs, failure = _template(as_flytespec(spec))
    graph = Graph(name)
    counter = [0]

    def vertex(kind: VertexKind, lines: list[str]) -> str:
        key = f"v{counter[0]}"
        counter[0] += 1
        graph.vertices.append(Vertex(key, kind, tuple(lines)))
        return key

    start = vertex(VertexKind.START, ["start"])
    by_id: dict[str, str] = {"": start, START_NODE: start}
    end_node: workflow_pb2.Node | None = None
    top: list[tuple[workflow_pb2.Node, str]] = []
    arms: list[tuple[workflow_pb2.Node, str, workflow_pb2.Node]] = []
    # Top-level nodes first, so that edges can name them; children of branches follow their parent.
    for node in nodes:
        if node.id == START_NODE:
            continue
        if node.id == END_NODE:
            end_node = node
            continue
        key = _add_node(graph, vertex, node, [], arms)
        by_id.setdefault(node.id, key)
        top.append((node, key))
    end = vertex(VertexKind.END, ["end"])
    if failure is not None:
        _add_node(graph, vertex, failure, ["on failure"])

    def source(dep: str) -> str:
        found = by_id.get(dep)
        if found is None:
            found = by_id[dep] = vertex(VertexKind.MISSING, [dep, "not in the workflow"])
        return found

    waited_for: set[str] = set()
    for node, key in top:
        deps = node_dependencies(node)
        for dep in deps or [""]:
            waited_for.add(source(dep))
            graph.edges.append(Edge(source(dep), key))
    # An arm may read outputs of nodes its branch does not wait for: those are drawn as edges into the arm.
    for child, child_key, branch in arms:
        own = set(node_dependencies(branch))
        for dep in node_dependencies(child):
            if dep and dep not in own and dep != START_NODE:
                graph.edges.append(Edge(source(dep), child_key))
    end_deps = node_dependencies(end_node) if end_node is not None else _output_dependencies(outputs)
    if end_deps:
        for dep in end_deps:
            graph.edges.append(Edge(source(dep), end))
    else:  # no outputs: the workflow ends when the nodes nothing waits for are done
        sinks = [key for _, key in top if key not in waited_for] or [start]
        graph.edges.extend(Edge(key, end) for key in sinks)
    return graph


def _add_node(
    graph: Graph,
    vertex: Callable[[VertexKind, list[str]], str],
    node: workflow_pb2.Node,
    prefix: list[str],
    arms_out: list[tuple[workflow_pb2.Node, str, workflow_pb2.Node]] | None = None,
) -> str:
    """Add a node and, iteratively, the arms of the branches inside it; return its vertex key. Each arm's node is
    appended to ``arms_out`` with its vertex key and the top-level node it is under."""
    kind, lines = _describe(node)
    root = vertex(kind, [*prefix, node.id, *lines])
    pending: list[tuple[workflow_pb2.Node, str]] = [(node, root)]
    while pending:
        current, key = pending.pop()
        if current.WhichOneof("target") != "branch_node":
            continue
        if_else = current.branch_node.if_else
        arms: list[tuple[str, workflow_pb2.Node | None, Any]] = []
        if if_else.HasField("case"):
            arms.append((f"if {condition_text(if_else.case.condition)}", if_else.case.then_node, None))
        for block in if_else.other:
            arms.append((f"else if {condition_text(block.condition)}", block.then_node, None))
        default = if_else.WhichOneof("default")
        if default == "else_node":
            arms.append(("else", if_else.else_node, None))
        elif default == "error":
            arms.append(("else", None, if_else.error))
        children: list[tuple[workflow_pb2.Node, str]] = []
        for label, child, error in arms:
            if child is None:
                child_key = vertex(VertexKind.ERROR, ["fail", error.message or "no condition holds"])
            else:
                child_kind, child_lines = _describe(child)
                child_key = vertex(child_kind, [child.id, *child_lines])
                children.append((child, child_key))
                if arms_out is not None:
                    arms_out.append((child, child_key, node))
            graph.edges.append(Edge(key, child_key, label))
        pending.extend(reversed(children))
    return root


# --------------------------------------------------------------------------------------------------------------
# Writing

_MERMAID_SHAPES = {
    VertexKind.START: ("([", "])"),
    VertexKind.END: ("([", "])"),
    VertexKind.TASK: ("[", "]"),
    VertexKind.WORKFLOW: ("[[", "]]"),
    VertexKind.BRANCH: ("{", "}"),
    VertexKind.GATE: ("{{", "}}"),
    VertexKind.ARRAY: ("[/", "/]"),
    VertexKind.ERROR: (">", "]"),
    VertexKind.MISSING: ("[", "]"),
    VertexKind.OTHER: ("[", "]"),
}

_DOT_SHAPES = {
    VertexKind.START: "shape=oval",
    VertexKind.END: "shape=oval",
    VertexKind.TASK: "shape=box",
    VertexKind.WORKFLOW: "shape=box, peripheries=2",
    VertexKind.BRANCH: "shape=diamond",
    VertexKind.GATE: "shape=hexagon",
    VertexKind.ARRAY: "shape=box3d",
    VertexKind.ERROR: "shape=note",
    VertexKind.MISSING: "shape=box, style=dashed",
    VertexKind.OTHER: "shape=box, style=dotted",
}


def _mermaid_text(text: str) -> str:
    # Mermaid entity codes: quotes, angle brackets, '#' and '&' would otherwise be read as markup.
    out = []
    for ch in text:
        if ch in '"<>#&|':
            out.append(f"#{ord(ch)};")
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def to_mermaid(spec: Message | Graph) -> str:
    """The workflow as a Mermaid flowchart (``flowchart TD``), ending with a newline."""
    graph = spec if isinstance(spec, Graph) else build_graph(spec)
    lines = [f"%% workflow {_mermaid_text(graph.name)}", "flowchart TD"]
    for v in graph.vertices:
        left, right = _MERMAID_SHAPES[v.kind]
        lines.append(f'  {v.key}{left}"{"<br/>".join(_mermaid_text(x) for x in v.lines)}"{right}')
    for e in graph.edges:
        arrow = f'-->|"{_mermaid_text(e.label)}"|' if e.label else "-->"
        lines.append(f"  {e.source} {arrow} {e.target}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


def to_dot(spec: Message | Graph) -> str:
    """The workflow as a Graphviz ``digraph``, ending with a newline."""
    graph = spec if isinstance(spec, Graph) else build_graph(spec)
    lines = [f'digraph "{_dot_text(graph.name)}" {{', "  rankdir=TB;", '  node [fontname="Helvetica"];']
    for v in graph.vertices:
        label = "\\n".join(_dot_text(x) for x in v.lines)
        lines.append(f'  {v.key} [label="{label}", {_DOT_SHAPES[v.kind]}];')
    for e in graph.edges:
        attrs = f' [label="{_dot_text(e.label)}"]' if e.label else ""
        lines.append(f"  {e.source} -> {e.target}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"
