"""Workflow validation: references, interfaces, bindings, branches, gates, array nodes and the graph.

This follows Flyte's compiler (``flytepropeller/pkg/compiler``, v1.16.8) and its admin service, check for check,
and also builds what the compiler builds from a valid workflow (the connection sets and the rewritten template, see
``flytespec.compiler``). Where Flyte stops at the first problem, or reports a cascade of consequences of one
problem, flytespec reports each problem once, at its field path.

Everything here is iterative: node trees (branches in branches in array nodes...) are walked with explicit stacks,
and the graph checks (cycles, reachability) are iterative too.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from flytespec._walk import copy_into, equal, format_path, key_segment
from flytespec.core import identifier_pb2, interface_pb2, literals_pb2, types_pb2, workflow_pb2
from flytespec.validate._diagnostics import Code, Severity
from flytespec.validate._rules import time_problem
from flytespec.validate._tasks import VARIABLE_NAME, check_readable_names, check_resources, check_struct_integers
from flytespec.validate._types import (
    PLAIN_TYPES,
    TypeCache,
    attr_step,
    candidates,
    castable,
    describe,
    index_depth,
    is_optional,
    literal_type_of_primitive,
    literal_type_of_scalar,
    same_type,
    shown,
)

__all__ = [
    "END_NODE",
    "START_NODE",
    "Context",
    "LaunchPlanInterface",
    "WorkflowResult",
    "check_workflow",
    "compiled_id_clashes",
    "id_key",
]

START_NODE = "start-node"
END_NODE = "end-node"
RESERVED = (START_NODE, END_NODE)
_VAR = re.compile(rf"(?:\[([0-9]+)\]\.)?({VARIABLE_NAME})")
_UNTYPED = types_pb2.LiteralType(simple=types_pb2.NONE)
_RESOURCE_TYPES = {v.name: v.number for v in identifier_pb2.ResourceType.DESCRIPTOR.values}
_RESOURCE_TYPE_NAMES = {number: name for name, number in _RESOURCE_TYPES.items()}
# Suggestions ("did you mean ...?") compare a name with every candidate: beyond this many candidates none is made,
# so that many dangling names in a huge workflow cost linear time, not quadratic.
_SUGGEST_MAX_CANDIDATES = 1000

# emit(code, path segments, node id, workflow name, message, severity)
Emit = Callable[[Code, tuple[str, ...], "str | None", "str | None", str, Severity], None]
Types = dict[str, types_pb2.LiteralType]


def _with_article(field_name: str) -> str:
    """A oneof member's name as words, after "a" or "an": ``array_node`` → ``an array node``."""
    words = field_name.replace("_", " ")
    return ("an " if words[0] in "aeiou" else "a ") + words


def id_key(identifier: identifier_pb2.Identifier) -> bytes:
    """A key for an Identifier: references match only identical identifiers, as in Flyte.

    Its wire format, which is deterministic without asking: ``deterministic=True`` only orders map entries, and an
    Identifier has no maps (the option costs half the time of the call, made for every reference)."""
    return identifier.SerializeToString()


def resource_type_name(number: int) -> str:
    """The name of a ResourceType value; the number itself for values this version does not know (enums are open)."""
    return _RESOURCE_TYPE_NAMES.get(number, str(number))


def id_text(identifier: identifier_pb2.Identifier) -> str:
    """An identifier for messages: ``TASK project/domain/name@version``."""
    kind = resource_type_name(identifier.resource_type) if identifier.resource_type else "?"
    scope = "/".join(p for p in (identifier.org, identifier.project, identifier.domain) if p)
    version = f"@{identifier.version}" if identifier.version else ""
    return f"{kind} {scope + '/' if scope else ''}{identifier.name}{version}"


def _variables(vm: interface_pb2.VariableMap | None) -> Types:
    if vm is None:
        return {}
    return {name: var.type for name, var in vm.variables.items()}


@dataclass(frozen=True, slots=True)
class LaunchPlanInterface:
    """What a launch-plan reference exposes: its parameters (with whether each is required) and its outputs.

    ``known`` is False for a launch plan given without its interface (a spec-only LaunchPlan whose workflow was
    not given either): nodes running it are not type-checked, and a warning says so.
    """

    inputs: dict[str, tuple[types_pb2.LiteralType, bool]]
    outputs: Types
    known: bool = True


@dataclass(slots=True)
class Context:
    """What references resolve against: tasks, subworkflows and launch plans, by identifier."""

    tasks: dict[bytes, Any] = field(default_factory=dict)  # key -> TaskTemplate
    subworkflows: dict[bytes, tuple[workflow_pb2.WorkflowTemplate, tuple[str, ...]]] = field(default_factory=dict)
    launch_plans: dict[bytes, LaunchPlanInterface] = field(default_factory=dict)
    # Workflows checked or to be checked (None until they are), by key, so that each is checked once.
    checked: dict[bytes, WorkflowResult | None] = field(default_factory=dict)
    # Interfaces of tasks as (inputs, outputs), computed once per task. Shared: never mutated.
    interfaces: dict[bytes, tuple[Types, Types]] = field(default_factory=dict)
    # Subworkflows that are compiled templates (they hold start-node and end-node, and their children's ids).
    compiled_subworkflows: set[bytes] = field(default_factory=set)
    # Subworkflows referenced but not checked yet: a worklist, so that chains of any length need no recursion.
    queue: deque[bytes] = field(default_factory=deque)
    # The tasks some node runs (the subworkflows some node runs are those in `checked` but the primary).
    used_tasks: set[bytes] = field(default_factory=set)
    # References between workflows, for the recursion check: (referring workflow's key, referenced key, a report
    # of RecursiveSubworkflow at the node).
    references: list[tuple[bytes | None, bytes, Callable[[], None]]] = field(default_factory=list)
    # Tasks by (project, domain, name), for hints about near-miss references; built when first needed.
    tasks_by_name: dict[tuple[str, str, str], identifier_pb2.Identifier] | None = None
    tasks_indexed: int = 0  # how many tasks the index was built from


@dataclass(slots=True)
class _Node:
    """One node of a workflow, wherever it sits (top level, in a branch, in an array node, failure node)."""

    msg: workflow_pb2.Node
    segments: tuple[str, ...]  # path from the validated root
    compiled_id: str  # the id in the compiled workflow (branch children: "<parent>-<id>")
    top_level: bool
    inputs: Types | None = None  # resolved interface; None: could not be resolved (already reported)
    outputs: Types | None = None  # after output aliases
    typed: bool = True  # whether input bindings are checked against types (False for branch and approve nodes)
    mapped: bool = False  # the node an array node maps


@dataclass(slots=True)
class WorkflowResult:
    """What checking a workflow found, beyond diagnostics: what the compiler needs to build its output."""

    upstream: dict[str, set[str]]
    downstream: dict[str, set[str]]
    top_level: list[_Node]
    children: list[_Node]  # branch children, in the order met
    referenced_tasks: list[bytes]
    referenced_subworkflows: list[bytes]  # run by its nodes: compiled with it
    # Mapped by its array nodes: Flyte's compiler reads their interfaces but never compiles them (they stay as
    # written), though their tasks belong to the closure.
    mapped_subworkflows: list[bytes]
    ok: bool
    rewrites: list[types_pb2.OutputReference]  # promises whose empty node_id the compiler writes as start-node


class _Checker:
    """Checks one workflow template. ``emit`` receives (code, path segments, node id, message)."""

    def __init__(
        self,
        wf: workflow_pb2.WorkflowTemplate,
        segments: tuple[str, ...],
        ctx: Context,
        emit: Emit,
        compiled: bool,
        typed_outputs: bool = True,
        key: bytes | None = None,
    ) -> None:
        self.wf = wf
        self.key = key
        self.base = segments
        self.ctx = ctx
        self.emit = emit
        self.compiled = compiled
        self.typed_outputs = typed_outputs
        self.errors = 0
        self.nodes: dict[str, _Node] = {}  # top-level by id (+ start/end when compiled)
        # Edges as (source, target) pairs, gathered while the nodes are checked and made into the connection maps
        # (upstream, downstream) once all are known: execution edges go in both maps; `waits`, the edges that only
        # make a node wait (branch nodes and their children, approve gates, the failure node), in the upstream map.
        self.edges: list[tuple[str, str]] = []
        self.waits: list[tuple[str, str]] = []
        self.upstream: dict[str, set[str]] = {}
        self.downstream: dict[str, set[str]] = {}
        self.children: list[_Node] = []
        # Each top-level branch node with the span of self.children nested in it: the nodes its children wait
        # for make it wait too (see check_graph).
        self.branch_spans: list[tuple[str, int, int]] = []
        self.rewrites: list[types_pb2.OutputReference] = []
        # While a binding is tried against a union's variants (_fits): the error count before the try.
        self.probing: int | None = None
        # Verdicts, indexes of big unions and sets of enum values, kept for the whole workflow (see _types.TypeCache).
        self.types = TypeCache()
        self.tasks_used: list[bytes] = []
        self.subworkflows_used: list[bytes] = []
        self.subworkflows_mapped: list[bytes] = []
        self.wf_inputs = _variables(wf.interface.inputs) if wf.HasField("interface") else {}
        self.wf_outputs = _variables(wf.interface.outputs) if wf.HasField("interface") else {}
        # The start node's outputs are the workflow's inputs; the end node's inputs are its outputs.
        self.start = _Node(workflow_pb2.Node(id=START_NODE), (), START_NODE, True, {}, self.wf_inputs)
        self.name = wf.id.name or None

    # ---------------------------------------------------------------------------------------------------------
    # reporting

    def report(
        self,
        code: Code,
        segments: tuple[str, ...],
        node_id: str | None,
        text: str,
        severity: Severity = Severity.ERROR,
    ) -> None:
        if severity is Severity.ERROR:
            self.errors += 1
        self.emit(code, self.base + segments, node_id or None, self.name, text, severity)

    # ---------------------------------------------------------------------------------------------------------
    # edges

    def _connect(self) -> None:
        """The connection maps from the edges gathered (see __init__)."""
        upstream, downstream = self.upstream, self.downstream
        for source, target in self.edges:
            down = downstream.get(source)
            if down is None:
                downstream[source] = {target}
            else:
                down.add(target)
        for pairs in (self.edges, self.waits):
            for source, target in pairs:
                up = upstream.get(target)
                if up is None:
                    upstream[target] = {source}
                else:
                    up.add(source)
        self.edges.clear()
        self.waits.clear()

    # ---------------------------------------------------------------------------------------------------------
    # the run

    def run(self) -> WorkflowResult:
        wf = self.wf
        if wf.HasField("interface"):
            # Promises read the workflow's inputs (from start-node) and, where it runs as a subworkflow, its outputs.
            for side in ("inputs", "outputs"):
                check_readable_names(
                    getattr(wf.interface, side),
                    ("interface", side),
                    lambda code, segments, text, severity: self.report(code, segments, None, text, severity),
                )
        if not wf.nodes:
            # Reported by the field rule on WorkflowTemplate.nodes (NoNodesFound); nothing else to check.
            return self._result(ok=False)
        order: list[_Node] = []
        for i, msg in enumerate(wf.nodes):
            node_id = msg.id
            segments = ("nodes", f"[{i}]")
            if node_id in RESERVED:
                if self.compiled:
                    continue
                self.report(
                    Code.ReservedNodeId, (*segments, "id"), node_id, f"{node_id!r} is reserved for Flyte's own nodes"
                )
                continue
            if node_id in self.nodes:
                first = self.nodes[node_id].segments
                self.report(
                    Code.DuplicateNodeId,
                    (*segments, "id"),
                    node_id,
                    f"node id {node_id!r} is already used by {format_path(first)} "
                    "(Flyte would silently drop this node)",
                )
                continue
            if not node_id:
                continue  # reported by the field rule on Node.id
            node = _Node(msg, segments, node_id, True)
            self.nodes[node_id] = node
            order.append(node)

        # Pass 1, in input order: interfaces, subworkflows; then the nodes whose inputs come from their bindings
        # (branches, approve gates), so that the outputs they read are known whatever the input order.
        derived: list[_Node] = []
        for node in order:
            if _derives_inputs(node.msg):
                derived.append(node)
            else:
                self.validate_node(node)
        for node in derived:
            self.validate_node(node)
        if self.wf.HasField("failure_node"):
            failure = _Node(self.wf.failure_node, ("failure_node",), self.wf.failure_node.id, False)
            free = self._check_failure_id(failure)
            self.validate_node(failure)
        else:
            failure, free = None, False
        self._check_compiled_ids(failure if free else None)

        # Pass 2, in id order: explicit and implicit (binding) edges; the end node binds the workflow outputs.
        for node_id in sorted(self.nodes):
            node = self.nodes[node_id]
            if node.inputs is None:
                continue
            for j, up in enumerate(node.msg.upstream_node_ids):
                if not up:
                    self.report(
                        Code.NodeReferenceNotFound,
                        (*node.segments, "upstream_node_ids", f"[{j}]"),
                        node_id,
                        "an empty upstream node id, which Flyte reads as start-node: name the node to wait for",
                        Severity.WARNING,
                    )
                    up = START_NODE
                elif up not in self.nodes and up != START_NODE:
                    self.report(
                        Code.NodeReferenceNotFound,
                        (*node.segments, "upstream_node_ids", f"[{j}]"),
                        node_id,
                        f"upstream node {up!r} does not exist in this workflow",
                    )
                self.edges.append((up, node_id))
            self.check_bindings(node, node.inputs, node.typed, self.edges.append)
        self.check_outputs()
        if failure is not None and failure.inputs is not None:
            self.check_bindings(failure, failure.inputs, failure.typed, self.waits.append)
        self._connect()

        # Orphans: every top-level node runs after start and before end.
        for node_id in sorted(self.nodes):
            if node_id not in self.upstream:
                self.edges.append((START_NODE, node_id))
            if node_id not in self.downstream:
                self.edges.append((node_id, END_NODE))
        self._connect()

        self.check_graph()
        return self._result(ok=self.errors == 0)

    def _check_failure_id(self, failure: _Node) -> bool:
        """The failure node joins the workflow's nodes under its id, which must not be taken (as for branch
        children, below): Flyte's compiler merges the two nodes' connections, and the workflow cannot start.
        Whether the id is free (an empty one is reported by the field rule on Node.id)."""
        node_id = failure.msg.id
        if node_id in RESERVED:
            self.report(
                Code.ReservedNodeId,
                ("failure_node", "id"),
                node_id,
                f"{node_id!r} is reserved for Flyte's own nodes",
            )
        elif node_id in self.nodes:
            self.report(
                Code.DuplicateNodeId,
                ("failure_node", "id"),
                node_id,
                f"the failure node's id is already used by {format_path(self.nodes[node_id].segments)}: Flyte merges "
                "the two nodes' connections, and the workflow cannot start",
            )
        else:
            return bool(node_id)
        return False

    def _check_compiled_ids(self, failure: _Node | None) -> None:
        """Branch children join the workflow's nodes under their compiled ids (``<branch>-<child>``), which must not
        be taken by another node (``failure``: the failure node, when its own id is free): Flyte's compiler merges
        the two nodes' connections, and the workflow then fails to start (propeller refuses the colliding node
        names)."""
        top_level = [*self.nodes.values(), *([failure] if failure is not None else [])]
        for child, compiled_id, first in compiled_id_clashes(top_level, self.children, {}):
            if not child.msg.id:
                continue  # reported by the field rule on Node.id
            if first is None:
                self.report(
                    Code.ReservedNodeId,
                    (*child.segments, "id"),
                    child.msg.id,
                    f"in the compiled workflow this node is named {compiled_id!r}, which is reserved for "
                    "Flyte's own nodes",
                )
            else:
                self.report(
                    Code.DuplicateNodeId,
                    (*child.segments, "id"),
                    child.msg.id,
                    f"in the compiled workflow this node is named {compiled_id!r}, like {format_path(first)}: "
                    "Flyte registers the workflow, but it fails when run",
                )

    def _result(self, ok: bool) -> WorkflowResult:
        return WorkflowResult(
            upstream=self.upstream,
            downstream=self.downstream,
            top_level=list(self.nodes.values()),
            children=self.children,
            referenced_tasks=self.tasks_used,
            referenced_subworkflows=self.subworkflows_used,
            mapped_subworkflows=self.subworkflows_mapped,
            ok=ok,
            rewrites=self.rewrites,
        )

    # ---------------------------------------------------------------------------------------------------------
    # nodes

    def validate_node(self, node: _Node) -> None:
        """Resolve the interface of a node (and of the nodes nested in it), then apply its output aliases.

        Only a top-level node's aliases rename its outputs, as promises read those: a branch's outputs are the names
        its children's interfaces give, as in Flyte's compiler (their aliases are checked, not applied).
        """
        self._interface(node)
        if node.outputs is not None and node.msg.output_aliases:
            aliased = self._aliases(node, node.outputs)
            if node.top_level:
                node.outputs = aliased

    def _interface(self, node: _Node) -> None:
        msg = node.msg
        kind = msg.WhichOneof("target")
        node_id = msg.id
        if kind == "task_node":
            task_node = msg.task_node
            if not task_node.HasField("reference_id"):
                return  # reported by the oneof rule on TaskNode.reference
            reference = task_node.reference_id
            self._check_resource_type(node, ("task_node", "reference_id"), reference, "TASK")
            key = id_key(reference)
            task = self.ctx.tasks.get(key)
            if task is None:
                self.report(
                    Code.TaskReferenceNotFound,
                    (*node.segments, "task_node", "reference_id"),
                    node_id,
                    f"task {id_text(reference)} is not among the tasks given" + self._near_task(reference),
                )
                return
            self.tasks_used.append(key)
            self.ctx.used_tasks.add(key)
            if task_node.HasField("overrides") and task_node.overrides.HasField("resources"):
                check_resources(
                    task_node.overrides.resources,
                    (*node.segments, "task_node", "overrides", "resources"),
                    self._task_emit(node),
                )
            interface = self.ctx.interfaces.get(key)
            if interface is None:
                if task.HasField("interface"):
                    interface = (_variables(task.interface.inputs), _variables(task.interface.outputs))
                else:
                    interface = ({}, {})
                self.ctx.interfaces[key] = interface
            node.inputs, node.outputs = interface
        elif kind == "workflow_node":
            self._workflow_node(node)
        elif kind == "branch_node":
            self._branch(node)
        elif kind == "gate_node":
            gate = msg.gate_node
            condition = gate.WhichOneof("condition")
            if condition == "approve":
                node.typed = False
                types = self._untyped_binding_types(node)
                node.inputs, node.outputs = types, dict(types)
                self.waits.extend((source, node.compiled_id) for source in self._promise_sources(node.msg.inputs))
            elif condition == "signal":
                signal = gate.signal
                if signal.HasField("type") and signal.output_variable_name:
                    node.inputs, node.outputs = {}, {signal.output_variable_name: signal.type}
            elif condition == "sleep":
                node.inputs, node.outputs = {}, {}
        elif kind == "array_node":
            self._array(node)
        # No target: reported by the oneof rule on Node.target.

    def _near_task(self, reference: identifier_pb2.Identifier) -> str:
        """A hint naming a given task that differs from a dangling reference only by version or resource type."""
        by_name = self.ctx.tasks_by_name
        if by_name is None or self.ctx.tasks_indexed != len(self.ctx.tasks):
            # Indexed once (first given wins, as the earlier linear search found), not searched per reference.
            by_name = {}
            for task in self.ctx.tasks.values():
                by_name.setdefault((task.id.project, task.id.domain, task.id.name), task.id)
            self.ctx.tasks_by_name = by_name
            self.ctx.tasks_indexed = len(self.ctx.tasks)
        other = by_name.get((reference.project, reference.domain, reference.name))
        if other is None:
            return ""
        return f" (a task {id_text(other)} was given: the reference must match its identifier exactly)"

    def _task_emit(self, node: _Node) -> Callable[[Code, tuple[str, ...], str, Severity], None]:
        def emit(code: Code, segments: tuple[str, ...], text: str, severity: Severity) -> None:
            self.report(code, segments, node.msg.id, text, severity)

        return emit

    def _check_resource_type(
        self, node: _Node, rel: tuple[str, ...], ident: identifier_pb2.Identifier, expected: str
    ) -> None:
        if ident.resource_type and ident.resource_type != _RESOURCE_TYPES[expected]:
            self.report(
                Code.ResourceTypeMismatch,
                (*node.segments, *rel, "resource_type"),
                node.msg.id,
                f"a reference here must have resource type {expected}, not {resource_type_name(ident.resource_type)}",
            )

    def _workflow_node(self, node: _Node) -> None:
        msg = node.msg
        ref = msg.workflow_node.WhichOneof("reference")
        if ref == "launchplan_ref":
            lp_id = msg.workflow_node.launchplan_ref
            self._check_resource_type(node, ("workflow_node", "launchplan_ref"), lp_id, "LAUNCH_PLAN")
            if self.wf.HasField("id") and lp_id == self.wf.id:
                if not self.wf.HasField("interface"):
                    self.report(
                        Code.ValueRequired,
                        (*node.segments, "workflow_node", "launchplan_ref"),
                        msg.id,
                        "this node launches the workflow it belongs to, which has no interface to run it with",
                    )
                    return
                node.inputs, node.outputs = dict(self.wf_inputs), dict(self.wf_outputs)
                return
            lp = self.ctx.launch_plans.get(id_key(lp_id))
            if lp is None and self.compiled:
                # Flyte's compiler leaves launch plans out of the closure (it checked the bindings): the workflow
                # looks them up by id when it runs.
                return
            if lp is None:
                self.report(
                    Code.WorkflowReferenceNotFound,
                    (*node.segments, "workflow_node", "launchplan_ref"),
                    msg.id,
                    f"launch plan {id_text(lp_id)} is not among the launch plans given",
                )
                return
            if not lp.known:
                self.report(
                    Code.WorkflowReferenceNotFound,
                    (*node.segments, "workflow_node", "launchplan_ref"),
                    msg.id,
                    f"the interface of launch plan {id_text(lp_id)} is unknown (give its closure or its workflow), "
                    "so the node's bindings are not checked",
                    Severity.WARNING,
                )
                return
            bound = {b.var for b in msg.inputs}
            node.inputs = {name: t for name, (t, required) in lp.inputs.items() if required or name in bound}
            node.outputs = dict(lp.outputs)
        elif ref == "sub_workflow_ref":
            sub_id = msg.workflow_node.sub_workflow_ref
            self._check_resource_type(node, ("workflow_node", "sub_workflow_ref"), sub_id, "WORKFLOW")
            key = id_key(sub_id)
            found = self.ctx.subworkflows.get(key)
            if found is None:
                self.report(
                    Code.WorkflowReferenceNotFound,
                    (*node.segments, "workflow_node", "sub_workflow_ref"),
                    msg.id,
                    f"subworkflow {id_text(sub_id)} is not among the subworkflows given",
                )
                return
            template, _ = found
            (self.subworkflows_mapped if node.mapped else self.subworkflows_used).append(key)
            if key not in self.ctx.checked:
                self.ctx.checked[key] = None
                self.ctx.queue.append(key)
            where = (*node.segments, "workflow_node", "sub_workflow_ref")
            text = (
                f"subworkflow {id_text(sub_id)} runs itself (directly or through other subworkflows); Flyte cannot "
                "compile recursive workflows"
            )
            self.ctx.references.append(
                (self.key, key, lambda: self.report(Code.RecursiveSubworkflow, where, msg.id, text))
            )
            if not template.HasField("interface"):
                self.report(
                    Code.ValueRequired,
                    (*node.segments, "workflow_node", "sub_workflow_ref"),
                    msg.id,
                    f"subworkflow {id_text(sub_id)} has no interface",
                )
                return
            node.inputs = _variables(template.interface.inputs)
            node.outputs = _variables(template.interface.outputs)
        # Neither reference: reported by the oneof rule on WorkflowNode.reference.

    def _aliases(self, node: _Node, outputs: Types) -> Types:
        """The outputs renamed by the node's aliases, in their order: an alias that would give a second output the
        same name is reported and not applied (that output is then not readable), whatever the order of the map."""
        aliases: dict[str, tuple[int, str]] = {}  # var -> (index, alias), in input order
        for j, alias in enumerate(node.msg.output_aliases):
            if alias.var in aliases:
                self.report(
                    Code.DuplicateAlias,
                    (*node.segments, "output_aliases", f"[{j}]"),
                    node.msg.id,
                    f"output {alias.var!r} is aliased more than once",
                )
                continue
            aliases[alias.var] = (j, alias.alias)
        result: Types = {name: t for name, t in outputs.items() if name not in aliases}
        for var, (j, name) in aliases.items():
            if var not in outputs:
                self.report(
                    Code.ParameterNotBound,
                    (*node.segments, "output_aliases", f"[{j}]", "var"),
                    node.msg.id,
                    f"the alias {name!r} names output {var!r}, which the node does not have",
                )
            elif name in result:
                self.report(
                    Code.DuplicateAlias,
                    (*node.segments, "output_aliases", f"[{j}]", "alias"),
                    node.msg.id,
                    f"the alias {name!r} of output {var!r} is already the name of another output",
                )
            else:
                result[name] = outputs[var]
        return result

    def _branch(self, node: _Node) -> None:
        """A branch node and everything nested in it (branches in branches: an explicit stack, no recursion)."""
        first_child = len(self.children)
        pending = [node]
        branches: list[tuple[_Node, list[_Node]]] = []  # each branch with its direct children, outermost first
        while pending:
            current = pending.pop()
            if current.msg.WhichOneof("target") != "branch_node":
                self.validate_node(current)
                continue
            children = self._branch_children(current)
            branches.append((current, children))
            pending.extend(reversed(children))
        # Innermost branches first: a branch's outputs are its children's common outputs.
        for branch, children in reversed(branches):
            self._branch_interface(branch, children)
            if branch is not node and branch.outputs is not None and branch.msg.output_aliases:
                self._aliases(branch, branch.outputs)  # checked, not applied (see validate_node)
        # Children bind against their interfaces, and make edges only towards themselves (upstream edges).
        for child in self.children[first_child:]:
            if child.inputs is not None:
                self.check_bindings(child, child.inputs, child.typed, self.waits.append)
        if node.top_level:
            self.branch_spans.append((node.compiled_id, first_child, len(self.children)))

    def _branch_children(self, node: _Node) -> list[_Node]:
        msg = node.msg
        node.typed = False
        if not msg.branch_node.HasField("if_else"):
            return []  # reported by the field rule on BranchNode.if_else
        if_else = msg.branch_node.if_else
        base = (*node.segments, "branch_node", "if_else")
        blocks: list[tuple[tuple[str, ...], Any]] = []
        if if_else.HasField("case"):
            blocks.append(((*base, "case"), if_else.case))
        blocks.extend(((*base, "other", f"[{k}]"), block) for k, block in enumerate(if_else.other))
        node.inputs = self._untyped_binding_types(node)
        self.waits.extend((source, node.compiled_id) for source in self._promise_sources(msg.inputs))
        children: list[_Node] = []
        for segments, block in blocks:
            if block.HasField("condition"):
                self._condition(node, (*segments, "condition"), block.condition, node.inputs)
            if block.HasField("then_node"):
                children.append(self._child(node, block.then_node, (*segments, "then_node")))
        if if_else.WhichOneof("default") == "else_node":
            children.append(self._child(node, if_else.else_node, (*base, "else_node")))
        return children

    def _branch_interface(self, node: _Node, children: list[_Node]) -> None:
        """A branch's outputs: the output names every child produces, with identical types."""
        outputs: Types | None = None
        for child in children:
            if child.outputs is None:
                continue
            if outputs is None:
                outputs = dict(child.outputs)
                continue
            for name in list(outputs):
                if name not in child.outputs:
                    del outputs[name]
                elif not same_type(outputs[name], child.outputs[name]):
                    self.report(
                        Code.MismatchingTypes,
                        child.segments,
                        child.msg.id,
                        f"output {name!r} is {describe(child.outputs[name])} here but {describe(outputs[name])} in "
                        "another branch; outputs of the same name must have identical types in every branch",
                    )
                    del outputs[name]
        node.outputs = outputs if outputs is not None else ({} if not children else None)

    def _child(self, parent: _Node, msg: workflow_pb2.Node, segments: tuple[str, ...]) -> _Node:
        # Compiled templates already carry the compiled ids of branch children.
        compiled_id = msg.id if self.compiled else f"{parent.compiled_id}-{msg.id}"
        child = _Node(msg, segments, compiled_id, False)
        self.children.append(child)
        return child

    def _array(self, node: _Node) -> None:
        array = node.msg.array_node
        if not array.HasField("node"):
            return  # reported by the field rule on ArrayNode.node
        sub = _Node(array.node, (*node.segments, "array_node", "node"), array.node.id, False, mapped=True)
        kind = array.node.WhichOneof("target")
        if kind not in ("task_node", "workflow_node", None):
            self.report(
                Code.InvalidValue,
                sub.segments,
                array.node.id,
                f"an array node maps a task or a workflow, not {_with_article(kind)}",
            )
            return
        self._interface(sub)
        if sub.inputs is None:
            return
        node.inputs, node.outputs = sub.inputs, sub.outputs
        for j, name in enumerate(array.bound_inputs):
            if name not in sub.inputs:
                self.report(
                    Code.VariableNameNotFound,
                    (*node.segments, "array_node", "bound_inputs", f"[{j}]"),
                    node.msg.id,
                    f"bound input {name!r} is not an input of the mapped node",
                )

    def _condition(self, node: _Node, segments: tuple[str, ...], expr: Any, inputs: Types) -> None:
        stack = [(segments, expr)]
        while stack:
            segs, e = stack.pop()
            which = e.WhichOneof("expr")
            if which == "conjunction":
                c = e.conjunction
                if c.HasField("left_expression"):
                    stack.append(((*segs, "conjunction", "left_expression"), c.left_expression))
                if c.HasField("right_expression"):
                    stack.append(((*segs, "conjunction", "right_expression"), c.right_expression))
            elif which == "comparison":
                c = e.comparison
                right = self._operand(node, (*segs, "comparison", "right_value"), c, "right_value", inputs)
                left = self._operand(node, (*segs, "comparison", "left_value"), c, "left_value", inputs)
                if left is not None and right is not None and not same_type(left, right):
                    self.report(
                        Code.MismatchingTypes,
                        (*segs, "comparison"),
                        node.msg.id,
                        f"the operands compare {describe(left)} with {describe(right)}; Flyte requires identical types",
                    )
            # An empty expression is reported by the oneof rule on BooleanExpression.expr.

    def _operand(
        self, node: _Node, segments: tuple[str, ...], comparison: Any, side: str, inputs: Types
    ) -> types_pb2.LiteralType | None:
        if not comparison.HasField(side):
            return None  # reported by the field rule
        operand = getattr(comparison, side)
        which = operand.WhichOneof("val")
        if which == "primitive":
            return literal_type_of_primitive(operand.primitive)
        if which == "var":
            if operand.var not in inputs:
                self.report(
                    Code.VariableNameNotFound,
                    (*segments, "var"),
                    node.msg.id,
                    f"{operand.var!r} is not an input of the branch node (bind it in the branch node's inputs)",
                )
                return None
            t = inputs[operand.var]
            return None if t is _UNTYPED else t
        if which == "scalar":
            self.report(
                Code.ValueRequired,
                (*segments, "scalar"),
                node.msg.id,
                "Flyte's v1 compiler does not accept scalar operands in conditions; use a primitive",
            )
        return None

    # ---------------------------------------------------------------------------------------------------------
    # bindings

    def _promise_sources(self, bindings: Iterable[literals_pb2.Binding]) -> Iterator[str]:
        for binding in bindings:
            stack = [binding.binding]
            while stack:
                data = stack.pop()
                kind = data.WhichOneof("value")
                if kind == "promise":
                    yield data.promise.node_id or START_NODE
                elif kind == "collection":
                    stack.extend(data.collection.bindings)
                elif kind == "map":
                    stack.extend(data.map.bindings.values())

    def _untyped_binding_types(self, node: _Node) -> Types:
        """The types a node's bindings provide (branch and approve-gate inputs come from their bindings)."""
        types: Types = {}
        for binding in node.msg.inputs:
            if binding.var in types or not binding.HasField("binding"):
                continue
            t = self._binding_type(binding.binding)
            types[binding.var] = t if t is not None else _UNTYPED
        return types

    def _binding_type(self, data: literals_pb2.BindingData) -> types_pb2.LiteralType | None:
        kind = data.WhichOneof("value")
        if kind == "promise":
            source = self._source(data.promise.node_id)
            if source is None or source.outputs is None:
                return None
            match = _VAR.fullmatch(data.promise.var)
            if match is None:
                return None
            return source.outputs.get(match.group(2))
        if kind == "scalar":
            return literal_type_of_scalar(data.scalar)
        return None

    def _source(self, node_id: str) -> _Node | None:
        if not node_id or node_id == START_NODE:
            return self.start
        return self.nodes.get(node_id)

    def check_bindings(
        self,
        node: _Node,
        expected: Types,
        typed: bool,
        edge: Callable[[tuple[str, str]], None],
        field_name: str = "inputs",
        target_id: str | None = None,
    ) -> None:
        """Check a node's input bindings (or the workflow outputs) against the expected variables."""
        bindings = node.msg.inputs if field_name == "inputs" else self.wf.outputs
        target = target_id or node.compiled_id
        seen: set[str] = set()
        # The common case inline: a promise to a known output of a compatible type (or any type when untyped).
        nodes_get = self.nodes.get
        start = self.start
        rewrites = self.rewrites
        for j, binding in enumerate(bindings):
            var = binding.var
            if typed and var not in expected:
                what = "an input of" if field_name == "inputs" else "an output of"
                self.report(
                    Code.VariableNameNotFound,
                    (*node.segments, field_name, f"[{j}]", "var"),
                    node.msg.id or None,
                    f"{var!r} is not {what} {'this node' if field_name == 'inputs' else 'the workflow'}"
                    + _suggest(var, expected),
                )
                continue
            # The value first: an unset binding reads as an empty one, so only an empty one needs the presence test.
            data = binding.binding
            kind = data.WhichOneof("value")
            if kind is None and not binding.HasField("binding"):
                continue  # reported by the field rule on Binding.binding
            if var in seen:
                self.report(
                    Code.ParameterBoundMoreThanOnce,
                    (*node.segments, field_name, f"[{j}]", "var"),
                    node.msg.id or None,
                    f"{var!r} is bound more than once",
                )
                continue
            seen.add(var)
            expected_type = expected.get(var, _UNTYPED) if typed else _UNTYPED
            if kind == "scalar":
                # A number, string or boolean of exactly the expected type (or of any type when untyped): fine.
                scalar = data.scalar
                if scalar.WhichOneof("value") == "primitive":
                    t = PLAIN_TYPES.get(scalar.primitive.WhichOneof("value") or "")
                    if t is not None and (not typed or equal(t, expected_type)):
                        continue
            elif kind == "promise":
                promise = data.promise
                source_id = promise.node_id
                source = start if not source_id or source_id == START_NODE else nodes_get(source_id)
                outputs = source.outputs if source is not None else None
                if outputs is not None and not promise.attr_path:
                    name = _VAR_NAMES.get(promise.var) or _var_name(promise.var)
                    source_type = outputs.get(name) if name is not None else None
                    if source_type is not None and (
                        not typed
                        or equal(source_type, expected_type)
                        or castable(source_type, expected_type, self.types)
                    ):
                        if not source_id:
                            rewrites.append(promise)
                        edge((source.compiled_id, target))  # type: ignore[union-attr]
                        continue
            segs = (*node.segments, field_name, f"[{j}]", "binding")
            _drive(self._binding_steps(node, segs, var, data, expected_type, typed, edge, target))
        # Every expected variable bound (the names in `seen` are all expected ones when typed)?
        if typed and len(seen) != len(expected):
            for name in expected:
                if name not in seen and not is_optional(expected[name]):
                    self.report(
                        Code.ParameterNotBound,
                        (*node.segments, field_name),
                        node.msg.id or None,
                        f"{'input' if field_name == 'inputs' else 'workflow output'} {name!r} "
                        f"({describe(expected[name])}) is not bound",
                    )

    def _binding_steps(
        self,
        node: _Node,
        segments: tuple[str, ...],
        var: str,
        data: literals_pb2.BindingData,
        expected: types_pb2.LiteralType,
        typed: bool,
        edge: Callable[[tuple[str, str]], None],
        target: str,
    ) -> _Steps:
        """Check one binding, with the lists and maps of bindings in it, against its expected type (run by _drive)."""
        # What is left to check at each level: (binding data, its path, expected type), one at a time, so that a
        # probe stopped by its first error has not paid for the rest of a long list.
        stack: list[Iterator[tuple[literals_pb2.BindingData, tuple[str, ...], types_pb2.LiteralType]]] = [
            iter(((data, segments, expected),))
        ]
        while stack:
            if self.probing is not None and self.errors > self.probing:
                return  # probing a union variant (see _fits_steps): one error is enough
            item = next(stack[-1], None)
            if item is None:
                stack.pop()
                continue
            data, segs, expected = item
            kind = data.WhichOneof("value")
            # Against a union, Flyte tries every variant with all but scalars and promises (which have a type).
            if typed and kind not in ("promise", "scalar", None) and expected.WhichOneof("type") == "union_type":
                yield self._union_steps(node, segs, var, data, expected, edge, target)
                continue
            if kind in ("collection", "map") and not typed and segs is segments and _derives_inputs(node.msg):
                # Flyte checks these against a placeholder type (NONE), which no list or map fits.
                what = "a branch node" if node.msg.WhichOneof("target") == "branch_node" else "an approve gate"
                self.report(
                    Code.MismatchingBindings,
                    segs,
                    node.msg.id or None,
                    f"{var!r} is bound to a {'list' if kind == 'collection' else 'map'}, which Flyte refuses in the "
                    f"inputs of {what}: bind a promise or a single value",
                )
                continue
            if kind == "collection":
                if typed and expected.WhichOneof("type") != "collection_type":
                    self._mismatching_bindings(node, segs, var, "a list", expected)
                    continue
                element = expected.collection_type if typed else _UNTYPED
                stack.append(_collection_items(data.collection.bindings, segs, element))
            elif kind == "map":
                if typed and expected.WhichOneof("type") != "map_value_type":
                    self._mismatching_bindings(node, segs, var, "a map", expected)
                    continue
                value_type = expected.map_value_type if typed else _UNTYPED
                stack.append(_map_items(data.map.bindings, segs, value_type))
            elif kind == "promise":
                self._promise(node, (*segs, "promise"), var, data.promise, expected, typed, edge, target)
            elif kind == "scalar":
                self._scalar(node, (*segs, "scalar"), var, data.scalar, expected, typed)
            elif kind is not None:
                self._mismatching_bindings(node, segs, var, f"{_with_article(kind)} binding", expected)
            # No value: reported by the oneof rule on BindingData.value (MismatchingBindings).

    def _mismatching_bindings(
        self, node: _Node, segs: tuple[str, ...], var: str, what: str, expected: types_pb2.LiteralType
    ) -> None:
        self.report(
            Code.MismatchingBindings,
            segs,
            node.msg.id or None,
            f"{var!r} is bound to {what}, but its type is {describe(expected)}",
        )

    def _union_steps(
        self,
        node: _Node,
        segs: tuple[str, ...],
        var: str,
        data: literals_pb2.BindingData,
        expected: types_pb2.LiteralType,
        edge: Callable[[tuple[str, str]], None],
        target: str,
    ) -> _Steps:
        """A list or map bound to a union type: exactly one variant must accept it.

        Each variant is tried once, in order, and only those that might fit (see _types.candidates); the second
        that fits settles it. The one that fits has its edges, promise rewrites and warnings replayed, not walked
        again: a second walk per level would make unions nested in unions cost exponential time.
        """
        fitting: list[tuple[types_pb2.LiteralType, Any]] = []
        depth = index_depth(expected, self.types)
        shape, string = _binding_shape(data, depth) if depth is not None else (None, None)
        tried = candidates(expected, shape, self.types, string)
        for variant in tried:
            if len(fitting) == 2:
                break  # others may fit too: not tried
            found = yield self._fits_steps(node, segs, var, data, variant, target)
            if found is not None:
                fitting.append((variant, found))
        if len(fitting) == 1:
            edges, rewrites, reports = fitting[0][1]
            for pair in edges:
                edge(pair)
            self.rewrites.extend(rewrites)
            for report in reports:
                self.emit(*report)
        elif not fitting:
            self.report(
                Code.IncompatibleBindingUnionValue,
                segs,
                node.msg.id or None,
                f"{var!r} is bound to a value that fits no variant of {describe(expected)}",
            )
        else:
            self.report(
                Code.AmbiguousBindingUnionValue,
                segs,
                node.msg.id or None,
                f"{var!r} is bound to a value that fits more than one variant of {describe(expected)}: "
                + " and ".join(describe(variant) for variant, _ in fitting),
            )

    def _fits_steps(
        self,
        node: _Node,
        segs: tuple[str, ...],
        var: str,
        data: literals_pb2.BindingData,
        variant: types_pb2.LiteralType,
        target: str,
    ) -> _Steps:
        """None if a binding does not check cleanly against one type; else what checking it produced, held back
        rather than applied: its edges, its promise rewrites and its reports (warnings only)."""
        emit, errors, rewrites, probing = self.emit, self.errors, len(self.rewrites), self.probing
        edges: list[tuple[str, str]] = []
        reports: list[tuple[Any, ...]] = []
        self.emit = lambda *report: reports.append(report)
        self.probing = errors  # the first error settles it: _binding_steps stops there
        try:
            yield self._binding_steps(node, segs, var, data, variant, True, edges.append, target)
            return (edges, self.rewrites[rewrites:], reports) if self.errors == errors else None
        finally:
            self.emit, self.errors, self.probing = emit, errors, probing
            del self.rewrites[rewrites:]

    def _promise(
        self,
        node: _Node,
        segs: tuple[str, ...],
        var: str,
        promise: types_pb2.OutputReference,
        expected: types_pb2.LiteralType,
        typed: bool,
        edge: Callable[[tuple[str, str]], None],
        target: str,
    ) -> None:
        node_id = node.msg.id or None
        source = self._source(promise.node_id)
        if source is None:
            self.report(
                Code.NodeReferenceNotFound,
                (*segs, "node_id"),
                node_id,
                f"node {promise.node_id!r} does not exist in this workflow" + _suggest(promise.node_id, self.nodes),
            )
            return
        if source.outputs is None:
            return  # the source node's interface is unknown (already reported): do not cascade
        match = _VAR.fullmatch(promise.var)
        if match is None:
            return  # reported by the field rule on OutputReference.var (SyntaxError)
        index, name = match.group(1), match.group(2)
        if name not in source.outputs:
            where = (
                "the workflow's inputs"
                if source.compiled_id == START_NODE
                else f"the outputs of node {source.msg.id!r}"
            )
            self.report(
                Code.VariableNameNotFound,
                (*segs, "var"),
                node_id,
                f"{name!r} is not among {where}" + _suggest(name, source.outputs),
            )
            return
        source_type = source.outputs[name]
        if index is not None:
            if source_type.WhichOneof("type") != "collection_type":
                self.report(
                    Code.MismatchingTypes,
                    (*segs, "var"),
                    node_id,
                    f"{promise.var!r} indexes {name!r}, which is {describe(source_type)}, not a list",
                )
                return
            source_type = source_type.collection_type
        for k, attr in enumerate(promise.attr_path):
            kind = attr.WhichOneof("value")
            step = attr.int_value if kind == "int_value" else attr.string_value if kind == "string_value" else None
            reached, why = attr_step(source_type, step)
            if reached is None:
                fields = source_type.structure.dataclass_type
                self.report(
                    Code.FieldNotFound,
                    (*segs, "attr_path", f"[{k}]"),
                    node_id,
                    f"{name!r} is read at {describe(source_type)}: {why}"
                    + (_suggest(step, dict(fields)) if fields and isinstance(step, str) else ""),
                )
                return
            source_type = reached
        if typed and not castable(source_type, expected, self.types):
            producer = source.msg.metadata.name if source.msg.HasField("metadata") and source.msg.metadata.name else ""
            label = f"{producer}.{promise.var}" if producer else promise.var
            self.report(
                Code.MismatchingTypes,
                segs,
                node_id,
                f"{label!r} is {describe(source_type)}, which cannot be bound to {var!r} of type {describe(expected)}",
            )
            return
        if not promise.node_id:
            self.rewrites.append(promise)
        edge((source.compiled_id, target))

    def _scalar(
        self,
        node: _Node,
        segs: tuple[str, ...],
        var: str,
        scalar: literals_pb2.Scalar,
        expected: types_pb2.LiteralType,
        typed: bool,
    ) -> None:
        node_id = node.msg.id or None
        kind = scalar.WhichOneof("value")
        if kind == "generic":
            check_struct_integers(scalar.generic, (*segs, "generic"), self._task_emit(node))
        elif kind == "primitive" and (problem := time_problem(scalar.primitive)) is not None:
            # A bad value, not a bad type: emitted as is, so that it does not count against a union's variant
            # while the variants are tried (the one that fits replays it).
            where = (*self.base, *segs, "primitive", problem[0])
            self.emit(Code.InvalidValue, where, node_id, self.name, problem[1], Severity.ERROR)
        t = literal_type_of_scalar(scalar)
        if t is None:
            self.report(
                Code.UnrecognizedValue,
                segs,
                node_id,
                f"the type of the value bound to {var!r} cannot be told (a blob needs its metadata)",
            )
        elif typed and not castable(t, expected, self.types):
            self.report(
                Code.MismatchingTypes,
                segs,
                node_id,
                f"{var!r} is bound to a {describe(t)} value, but its type is {describe(expected)}",
            )
        if typed and expected.WhichOneof("type") == "enum_type":
            value = scalar.primitive.string_value
            values = expected.enum_type.values
            # A big enum as a set: a long list of strings bound to one is checked in linear time.
            found = value in (self.types.enum_values(expected) if len(values) > 16 else values)
            if not found:
                self.report(
                    Code.IllegalEnumValue,
                    segs,
                    node_id,
                    f"{value!r} is not a value of the enum ({shown(expected.enum_type.values)})",
                )

    def check_outputs(self) -> None:
        end = _Node(workflow_pb2.Node(id=END_NODE), (), END_NODE, True, self.wf_outputs, {})
        if self.typed_outputs:
            self.check_bindings(end, self.wf_outputs, True, self.edges.append, field_name="outputs")
        else:
            self.check_bindings(end, {}, False, self.edges.append, field_name="outputs")

    # ---------------------------------------------------------------------------------------------------------
    # graph

    def _waits_through_children(self) -> dict[str, set[str]]:
        """Edges the connections leave out: a branch node cannot finish before the nodes its children read from.

        Flyte's compiler gives a branch child's sources edges to the child only, so a node that both feeds a
        branch child and reads the branch's outputs deadlocks the workflow without being seen as a cycle.
        """
        waits: dict[str, set[str]] = {}
        for branch, first, end in self.branch_spans:
            for child in self.children[first:end]:
                for source in self.upstream.get(child.compiled_id, ()):
                    if source in self.nodes and branch not in self.downstream.get(source, ()):
                        waits.setdefault(source, set()).add(branch)
        return waits

    def check_graph(self) -> None:
        """Cycles (each reported once, whole, reachable from the start or not), and nodes that can never run."""
        waits = self._waits_through_children()
        downstream = self.downstream
        if waits:
            downstream = dict(downstream)
            for source, branches in waits.items():
                downstream[source] = downstream.get(source, set()) | branches
        if _runs_in_order(downstream, self.nodes):
            return  # as below, told without Kahn's algorithm: every edge leads forwards in the input order
        nodes = downstream.keys() | {t for targets in downstream.values() for t in targets}
        ghosts = {n for n in nodes if n not in self.nodes and n not in RESERVED}
        remaining = _not_topologically_sortable(nodes, downstream)
        if not remaining and not ghosts:
            return  # acyclic, and every node hangs off the start node (the orphan pass saw to that)
        graph = {n: sorted(targets) for n, targets in downstream.items()}
        in_cycle: set[str] = set()
        for component in _strongly_connected(sorted(remaining), graph) if remaining else []:
            if len(component) == 1 and component[0] not in graph.get(component[0], ()):
                continue
            in_cycle.update(component)
            cycle = _a_cycle(component[0], graph, set(component))
            first = self.nodes.get(cycle[0])
            through = [
                f"{target} waits for {source} in a node of its branch"
                for source, target in pairwise(cycle)
                if target in waits.get(source, ())
            ]
            self.report(
                Code.CycleDetected,
                first.segments if first is not None else (),
                cycle[0],
                f"cycle of {len(cycle) - 1} node{'s' if len(cycle) > 2 else ''}: {' > '.join(cycle)}"
                + (f" ({'; '.join(through)})" if through else ""),
            )
        if START_NODE not in graph and self.nodes and not in_cycle:
            self.report(Code.NoEntryNodeFound, (), None, "no node can run first: every node waits for another one")
        # What never runs: nodes after a cycle, or after an upstream node that does not exist (both reported).
        # Reachability follows the connections alone: a branch waiting on its children's sources is no way in.
        reached = _reachable([START_NODE], self.downstream)
        stuck = [n for n in sorted(self.nodes) if n not in reached and n not in in_cycle]
        if stuck:
            shown = ", ".join(stuck[:20]) + (f" and {len(stuck) - 20} more" if len(stuck) > 20 else "")
            cause = "a cycle" if in_cycle else ("an upstream node that does not exist" if ghosts else "no node")
            self.report(
                Code.UnreachableNodes,
                self.nodes[stuck[0]].segments,
                stuck[0],
                f"{len(stuck)} node{'s' if len(stuck) > 1 else ''} can never run, waiting on {cause}: {shown}",
            )


def _collection_items(
    bindings: Iterable[literals_pb2.BindingData], segs: tuple[str, ...], expected: types_pb2.LiteralType
) -> Iterator[tuple[literals_pb2.BindingData, tuple[str, ...], types_pb2.LiteralType]]:
    for k, item in enumerate(bindings):
        yield item, (*segs, "collection", "bindings", f"[{k}]"), expected


def _map_items(
    bindings: Mapping[str, literals_pb2.BindingData], segs: tuple[str, ...], expected: types_pb2.LiteralType
) -> Iterator[tuple[literals_pb2.BindingData, tuple[str, ...], types_pb2.LiteralType]]:
    for k in sorted(bindings):
        yield bindings[k], (*segs, "map", "bindings", key_segment(k)), expected


def _binding_shape(data: literals_pb2.BindingData, depth: int) -> tuple[types_pb2.LiteralType | None, str | None]:
    """A type that every variant a list or map binding fits also accepts, for picking candidate variants (None when
    there is none to tell), and the string there when it ends in a string value (see _types.candidates).

    It follows the first element of each list or map, ``depth`` levels at most (deeper, only the kinds of the
    levels matter): a scalar gives its type, an empty list or map an element of NONE (any element fits).
    """
    shape = types_pb2.LiteralType()
    inner = shape
    for _ in range(depth + 1):
        kind = data.WhichOneof("value")
        if kind == "collection":
            inner = inner.collection_type
            if not data.collection.bindings:
                inner.simple = types_pb2.NONE
                return shape, None
            data = data.collection.bindings[0]
        elif kind == "map":
            inner = inner.map_value_type
            if not data.map.bindings:
                inner.simple = types_pb2.NONE
                return shape, None
            data = data.map.bindings[min(data.map.bindings)]
        elif kind == "scalar":
            t = literal_type_of_scalar(data.scalar)
            if t is None:
                return None, None
            copy_into(inner, t)
            primitive = data.scalar.primitive
            string = primitive.string_value if primitive.WhichOneof("value") == "string_value" else None
            return shape, string
        else:
            return None, None  # a promise (its type is not looked up here), or no value
    inner.SetInParent()  # deeper than any variant's lists and maps: a kind no variant is filed under
    return shape, None


# Work that yields the work it needs done first (another _Steps) and is sent its result; see _drive.
_Steps = Generator["_Steps", Any, Any]


def _drive(root: _Steps) -> Any:
    """Run ``root`` and the work it yields, each to its end before the one that yielded it resumes with its result:
    on an explicit stack, so that unions nested in unions deeper than Python recursion goes are no problem."""
    stack = [root]
    result: Any = None
    error: BaseException | None = None
    while True:
        steps = stack[-1]
        try:
            needed = steps.send(result) if error is None else steps.throw(error)
        except StopIteration as done:
            stack.pop()
            if not stack:
                return done.value
            result, error = done.value, None
            continue
        except BaseException as exc:  # let the work that yielded this one handle it (or clean up in `finally`)
            stack.pop()
            if not stack:
                raise
            result, error = None, exc
            continue
        stack.append(needed)
        result, error = None, None


_VAR_NAMES: dict[str, str | None] = {}


def _var_name(var: str) -> str | None:
    """The output name a promise's ``var`` reads, when it is a plain name (no ``[i].`` index); else None."""
    name = _VAR_NAMES.get(var, "")
    if name == "":
        match = _VAR.fullmatch(var)
        name = match.group(2) if match is not None and match.group(1) is None else None
        if len(_VAR_NAMES) < 65536:
            _VAR_NAMES[var] = name
    return name


def compiled_id_clashes(
    top_level: Iterable[_Node], children: Iterable[_Node], ids: Mapping[int, str]
) -> Iterator[tuple[_Node, str, tuple[str, ...] | None]]:
    """The branch children whose compiled id (from ``ids`` by the ``id()`` of their message, else their own) is
    reserved (with None) or already another node's (with the path of the first node that has it)."""
    taken = {node.compiled_id: node.segments for node in top_level}
    for child in children:
        compiled_id = ids.get(id(child.msg), child.compiled_id)
        if compiled_id in RESERVED:
            yield child, compiled_id, None
            continue
        first = taken.setdefault(compiled_id, child.segments)
        if first is not child.segments:
            yield child, compiled_id, first


def _derives_inputs(msg: workflow_pb2.Node) -> bool:
    """Branch nodes and approve gates take their interface from their bindings."""
    kind = msg.WhichOneof("target")
    return kind == "branch_node" or (kind == "gate_node" and msg.gate_node.WhichOneof("condition") == "approve")


def _suggest(name: str, known: Any) -> str:
    import difflib

    if len(known) > _SUGGEST_MAX_CANDIDATES:
        return ""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _runs_in_order(graph: Mapping[str, Iterable[str]], order: Iterable[str]) -> bool:
    """Whether every edge leads from start-node or a node of ``order`` to a node given after it, or to end-node.

    Then the graph is acyclic (``order`` is a topological order) and names no node outside ``order``. That is the
    common case, as workflows usually list their nodes in the order they run, and this tells it with one lookup per
    edge, at a fraction of the cost of Kahn's algorithm. When it fails, the graph may still be acyclic: ask
    _not_topologically_sortable.
    """
    position = {node_id: i for i, node_id in enumerate(order)}
    position[START_NODE] = -1
    position[END_NODE] = len(position)  # after every node; no edge may leave it
    for source, targets in graph.items():
        at = position.get(source)
        if at is None:
            return False
        for target in targets:
            if position.get(target, -1) <= at:  # backwards, to start-node, or to a node not in `order`
                return False
    return True


def _not_topologically_sortable(nodes: Iterable[str], graph: dict[str, set[str]]) -> set[str]:
    """Kahn's algorithm: the nodes left over are those on a cycle or after one (empty when the graph is acyclic)."""
    indegree = dict.fromkeys(nodes, 0)
    for targets in graph.values():
        for target in targets:
            indegree[target] += 1
    ready = [n for n, d in indegree.items() if d == 0]
    done = 0
    while ready:
        node = ready.pop()
        done += 1
        for target in graph.get(node, ()):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if done == len(indegree):
        return set()
    return {n for n, d in indegree.items() if d > 0}


def _reachable(starts: list[str], graph: Mapping[str, Iterable[str]]) -> set[str]:
    seen = set(starts)
    stack = list(starts)
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _strongly_connected(nodes: list[str], graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components in a deterministic order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = graph.get(node, [])
            recursed = False
            while i < len(targets):
                target = targets[i]
                i += 1
                if target not in index:
                    work.append((node, i))
                    work.append((target, 0))
                    recursed = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if recursed:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(components)


def _a_cycle(start: str, graph: dict[str, list[str]], members: set[str]) -> list[str]:
    """A shortest cycle through ``start`` inside its strongly connected component, as ``[start, ..., start]``."""
    parent: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in graph.get(node, ()):
            if target == start:
                path = [node]
                while (up := parent[path[-1]]) is not None:
                    path.append(up)
                return [*reversed(path), start]
            if target in members and target not in parent:
                parent[target] = node
                queue.append(target)
    return [start, start]  # pragma: no cover - a strongly connected component always holds a cycle


def check_workflow(
    wf: workflow_pb2.WorkflowTemplate,
    segments: tuple[str, ...],
    ctx: Context,
    emit: Emit,
    *,
    compiled: bool = False,
    typed_outputs: bool = True,
) -> WorkflowResult:
    """Check one workflow template (and the subworkflows it runs, once each) against ``ctx``."""
    key = id_key(wf.id) if wf.HasField("id") else None
    if key is not None:
        ctx.checked.setdefault(key, None)
    result = _Checker(wf, segments, ctx, emit, compiled, typed_outputs, key).run()
    if key is not None and ctx.checked[key] is None:
        ctx.checked[key] = result
    while ctx.queue:
        sub_key = ctx.queue.popleft()
        template, sub_segments = ctx.subworkflows[sub_key]
        sub_compiled = sub_key in ctx.compiled_subworkflows
        ctx.checked[sub_key] = _Checker(template, sub_segments, ctx, emit, sub_compiled, key=sub_key).run()
    _report_recursion(ctx.references)
    ctx.references.clear()
    return result


def _report_recursion(references: list[tuple[bytes | None, bytes, Callable[[], None]]]) -> None:
    """Report every reference between two workflows that run each other (or one that runs itself)."""
    graph: dict[str, list[str]] = {}
    for parent, child, _ in references:
        if parent is not None:
            graph.setdefault(parent.hex(), []).append(child.hex())
    if not graph:
        return
    component_of: dict[str, int] = {}
    for i, component in enumerate(_strongly_connected(sorted(graph), graph)):
        for member in component:
            component_of[member] = i
    for parent, child, report in references:
        if parent is None:
            continue
        p, c = parent.hex(), child.hex()
        if p == c or (c in component_of and component_of[c] == component_of.get(p)):
            report()
