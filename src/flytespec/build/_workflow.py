"""The workflow builder: nodes from calls, promises, conditionals, gates, array nodes, subworkflows and references.

A :class:`WorkflowBuilder` is a context manager. Inside it, calling a :class:`~flytespec.build.Task`, a built
:class:`Workflow` or a :class:`LaunchPlanRef` adds a node and returns a :class:`NodeHandle`, whose outputs are
:class:`Promise`\\ s to bind to later nodes. Node messages are written as the calls happen, straight into the
``WorkflowTemplate``; ``build()`` checks what is left (outputs, open conditionals), validates the whole and returns a
:class:`Workflow`.

Node ids are ``n0``, ``n1``... in call order, one counter per workflow for every node however deep (branch cases,
array sub-nodes), so they are unique, short and DNS-1123 labels; the failure node is ``fn0``.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import inspect
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, TypeVar

from google.protobuf import wrappers_pb2

from flytespec._walk import all_nodes
from flytespec.admin import description_entity_pb2, launch_plan_pb2
from flytespec.admin import task_pb2 as admin_task_pb2
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.build._common import (
    INT32_MAX,
    MISSING,
    UINT32_MAX,
    Input,
    Output,
    check_promised_name,
    checked_arguments,
    checked_arguments_at,
    default_literal,
    docs_text,
    fill_description,
    flag,
    function_interface,
    identifier,
    literal_for,
    ordered_types,
    output_spec,
    string_map,
    variable_map,
    whole_number,
)
from flytespec.build._common import duration as _duration
from flytespec.build._resources import Resources, resource_requirements
from flytespec.build._task import Cache, PodTemplate, Task, pyflyte_map_execute_args, retry_strategy
from flytespec.build._types import ValueTooDeepError, check_value_depth, literal_type
from flytespec.core import (
    compiler_pb2,
    condition_pb2,
    dynamic_job_pb2,
    execution_pb2,
    identifier_pb2,
    interface_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_closure_pb2,
    workflow_pb2,
)
from flytespec.errors import BuildError
from flytespec.validate import Diagnostic, ValidationError, errors
from flytespec.validate import validate as run_validator
from flytespec.validate._diagnostics import sort_key
from flytespec.validate._rules import check_rules
from flytespec.validate._run import CONTEXT, Run
from flytespec.validate._types import attr_step, castable, describe

__all__ = [
    "Comparison",
    "Condition",
    "Conditional",
    "Conjunction",
    "DynamicJobBuilder",
    "LaunchPlanRef",
    "MappedTask",
    "NodeHandle",
    "Promise",
    "Workflow",
    "WorkflowBuilder",
    "approve",
    "conditional",
    "current_builder",
    "dynamic_job",
    "launch_plan_ref",
    "map_task",
    "sleep",
    "wait_for_input",
    "workflow",
    "workflow_from_function",
]

_local = threading.local()
_B = TypeVar("_B", bound="WorkflowBuilder")


def _stack() -> list[WorkflowBuilder]:
    stack: list[WorkflowBuilder] | None = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def current_builder(what: str) -> WorkflowBuilder:
    """The innermost workflow builder open in this thread.

    Raises:
        BuildError: no builder is open (``what`` names what was called).
    """
    stack = _stack()
    if not stack:
        raise BuildError(
            f"calling {what}", "nodes are made inside a workflow builder: `with workflow('name') as wf: ...`"
        )
    return stack[-1]


# --------------------------------------------------------------------------------------------------------------
# Promises and conditions

_OPERATORS = condition_pb2.ComparisonExpression.Operator


class _Operand:
    """What may appear in a comparison: promises compare with promises and constants."""

    __slots__ = ()

    def _promise(self) -> Promise:
        raise NotImplementedError

    def __eq__(self, other: object) -> Comparison:  # type: ignore[override]
        return Comparison(_OPERATORS.EQ, self._promise(), other)

    def __ne__(self, other: object) -> Comparison:  # type: ignore[override]
        return Comparison(_OPERATORS.NEQ, self._promise(), other)

    def __lt__(self, other: object) -> Comparison:
        return Comparison(_OPERATORS.LT, self._promise(), other)

    def __le__(self, other: object) -> Comparison:
        return Comparison(_OPERATORS.LTE, self._promise(), other)

    def __gt__(self, other: object) -> Comparison:
        return Comparison(_OPERATORS.GT, self._promise(), other)

    def __ge__(self, other: object) -> Comparison:
        return Comparison(_OPERATORS.GTE, self._promise(), other)

    __hash__ = object.__hash__

    def is_true(self) -> Comparison:
        """The condition "this boolean is true"."""
        return Comparison(_OPERATORS.EQ, self._promise(), True)

    def is_false(self) -> Comparison:
        """The condition "this boolean is false"."""
        return Comparison(_OPERATORS.EQ, self._promise(), False)

    def __bool__(self) -> bool:
        raise BuildError(
            repr(self),
            "a promise has no value while the workflow is built; branch with conditional(...).if_(...)",
        )


class Promise(_Operand):
    """An output of a node (or a workflow input), bound to later nodes' inputs.

    ``promise["field"]`` (or ``promise[0]``) is a promise of a dataclass field, a map value or a list element
    (Flyte's attribute paths).
    """

    __slots__ = ("_builder", "_handle", "attr_path", "node_id", "type", "var")

    def __init__(
        self,
        builder: WorkflowBuilder,
        node_id: str,
        var: str,
        t: types_pb2.LiteralType | None,
        handle: NodeHandle | None = None,
        attr_path: tuple[str | int, ...] = (),
    ) -> None:
        self._builder = builder
        self._handle = handle
        self.node_id = node_id
        self.var = var
        self.type = t
        self.attr_path = attr_path

    def _promise(self) -> Promise:
        return self

    def __getitem__(self, key: str | int) -> Promise:
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise BuildError(repr(self), f"an attribute path step is a field name or an index, got {key!r}")
        return Promise(
            self._builder, self.node_id, self.var, _step_type(self, key), self._handle, (*self.attr_path, key)
        )

    def __iter__(self) -> Iterator[Promise]:
        # Without this, __getitem__ would make a promise iterable without end (``a, b = promise`` would hang).
        raise BuildError(repr(self), "a promise is one value: it cannot be unpacked or iterated (index it: p[0])")

    def __repr__(self) -> str:
        where = f"{self.node_id}.{self.var}" if self.node_id else f"input {self.var!r}"
        return where + "".join(f"[{k!r}]" for k in self.attr_path)


def _order(node_id: str) -> int:
    """The creation order of a node made by the builder (``n12`` → 12; the failure node comes last)."""
    return int(node_id[1:]) if node_id[:1] == "n" and node_id[1:].isdigit() else 1 << 62


def _plan_signature(plan: launch_plan_pb2.LaunchPlan) -> tuple[Any, ...]:
    """What two launch plans of one identifier must share: their inputs' types, defaults and requiredness, their
    outputs' types (descriptions may differ)."""
    inputs = plan.closure.expected_inputs.parameters
    outputs = plan.closure.expected_outputs.variables
    return (
        sorted(
            (
                name,
                p.var.type.SerializeToString(deterministic=True),
                p.default.SerializeToString(deterministic=True),
                p.required,
            )
            for name, p in inputs.items()
        ),
        sorted((name, v.type.SerializeToString(deterministic=True)) for name, v in outputs.items()),
    )


def _step_type(promise: Promise, key: str | int) -> types_pb2.LiteralType | None:
    """The type one attribute-path step reaches (see ``attr_step``; None: the promise's type is unknown).

    Raises:
        BuildError: a step the type cannot take (Flyte's compiler reports only a missing dataclass field; the
            execution fails on the others), or an index beyond an int32.
    """
    if isinstance(key, int):
        whole_number(repr(promise), key, INT32_MAX)  # an attribute path's index is an int32
    if promise.type is None:
        return None
    reached, why = attr_step(promise.type, key)
    if reached is None:
        raise BuildError(repr(promise), f"is {describe(promise.type)}: {why}")
    return reached


class Condition:
    """A branch condition: a :class:`Comparison`, or conditions joined with ``&`` and ``|``."""

    __slots__ = ()

    def __and__(self, other: Condition) -> Conjunction:
        return Conjunction(condition_pb2.ConjunctionExpression.AND, self, other)

    def __or__(self, other: Condition) -> Conjunction:
        return Conjunction(condition_pb2.ConjunctionExpression.OR, self, other)

    def __bool__(self) -> bool:
        raise BuildError("condition", "combine conditions with & and | (Python's and/or cannot be recorded)")


class Comparison(Condition):
    """A promise compared with a promise or a constant (``x > 3``, ``a == b``, ``flag.is_true()``)."""

    __slots__ = ("left", "operator", "right")

    def __init__(self, operator: int, left: Promise, right: Any) -> None:
        self.operator = operator
        self.left = left
        self.right = right


class Conjunction(Condition):
    """Two conditions joined with ``&`` (AND) or ``|`` (OR)."""

    __slots__ = ("left", "operator", "right")

    def __init__(self, operator: int, left: Condition, right: Condition) -> None:
        for side in (left, right):
            if not isinstance(side, Condition):
                raise BuildError("condition", f"& and | join conditions, got {type(side).__name__}")
        self.operator = operator
        self.left = left
        self.right = right


# --------------------------------------------------------------------------------------------------------------
# Nodes


class NodeHandle(_Operand):
    """A node added to a workflow: its outputs as promises (``node.o0``, ``node["o0"]``, ``a, b = node``), and its
    settings (:meth:`with_overrides`, :meth:`after`, ``a >> b``).

    A node with exactly one output stands for that output wherever a value is expected.
    """

    __slots__ = ("_builder", "_nested", "_node", "_outputs", "id")

    def __init__(
        self,
        builder: WorkflowBuilder,
        node: workflow_pb2.Node,
        node_id: str,
        outputs: Mapping[str, types_pb2.LiteralType],
        nested: bool = False,
    ) -> None:
        self._builder = builder
        self._node = node
        self.id = node_id
        self._outputs = outputs
        self._nested = nested

    @property
    def message(self) -> workflow_pb2.Node:
        """A copy of the node's message as it stands (change the node with :meth:`with_overrides` and
        :meth:`after`: the builder checks what it writes, so that ``build()`` need not check it again)."""
        out = workflow_pb2.Node()
        out.CopyFrom(self._node)
        return out

    @property
    def outputs(self) -> dict[str, Promise]:
        """Every output, by name, in declaration order."""
        return {name: self[name] for name in self._outputs}

    def __getitem__(self, name: str) -> Promise:
        variable = self._outputs.get(name)
        if variable is None:
            known = ", ".join(self._outputs) or "none"
            raise BuildError(f"node {self.id}", f"has no output {name!r} (its outputs: {known})")
        return Promise(self._builder, self.id, name, variable, self)

    def __getattr__(self, name: str) -> Promise:
        if name.startswith("__") or name not in self._outputs:
            known = ", ".join(self._outputs) or "none"
            raise AttributeError(f"node {self.id} has no output {name!r} (its outputs: {known})")
        return self[name]

    def __iter__(self) -> Iterator[Promise]:
        return iter(self[name] for name in self._outputs)

    def _promise(self) -> Promise:
        if len(self._outputs) != 1:
            names = ", ".join(self._outputs) or "no outputs"
            raise BuildError(f"node {self.id}", f"has {names}; pick one output: node.<name>")
        return self[next(iter(self._outputs))]

    def __repr__(self) -> str:
        return f"NodeHandle({self.id!r})"

    def after(self, *others: NodeHandle) -> NodeHandle:
        """Run this node after ``others`` even without a data dependency (``upstream_node_ids``)."""
        self._check_open(f"node {self.id}: after(...)")
        for other in others:
            if not isinstance(other, NodeHandle):
                raise BuildError(f"node {self.id}: after(...)", f"expected nodes, got {type(other).__name__}")
            if other._builder is not self._builder or other._nested or self._nested:
                raise BuildError(
                    f"node {self.id}: after({other.id})", "both nodes must be top-level nodes of one workflow"
                )
            if other.id == self.id:
                raise BuildError(f"node {self.id}: after(...)", "a node cannot run after itself")
            if other.id not in self._node.upstream_node_ids:
                self._node.upstream_node_ids.append(other.id)
                if _order(other.id) > _order(self.id):
                    self._builder._needs_full_check("an after() edge to a later node may close a cycle")
        return self

    def __rshift__(self, other: NodeHandle) -> NodeHandle:
        """``a >> b``: run ``b`` after ``a``.

        Raises:
            BuildError: ``b`` is not a node.
        """
        if not isinstance(other, NodeHandle):
            raise BuildError(
                f"node {self.id}: >>", f"expected a node to run after this one, got {type(other).__name__}"
            )
        return other.after(self)

    @checked_arguments_at(lambda given: f"node {given['self'].id}: with_overrides.")
    def with_overrides(
        self,
        *,
        name: str | None = None,
        timeout: datetime.timedelta | int | float | None = None,
        retries: int | literals_pb2.RetryStrategy | None = None,
        interruptible: bool | None = None,
        cache: bool | Cache | None = None,
        resources: Resources | None = None,
        requests: Resources | None = None,
        limits: Resources | None = None,
        image: str | None = None,
        pod_template: PodTemplate | None = None,
        gpu_accelerator: tasks_pb2.GPUAccelerator | None = None,
        shared_memory: tasks_pb2.SharedMemory | None = None,
        config: Mapping[str, str] | None = None,
    ) -> NodeHandle:
        """Settings of this node: its display name, timeout, retries, interruptibility and cache, and (task nodes
        only) overrides of the task's resources, image, pod template and extended resources.

        Raises:
            BuildError: an invalid value, or a task override on a node that does not run a task.
        """
        entity = f"node {self.id}"
        where = f"{entity}: with_overrides"
        self._check_open(where)
        # Every setting is checked and written on copies first: a refused call changes nothing.
        meta = workflow_pb2.NodeMetadata()
        meta.CopyFrom(self._node.metadata)
        if name is not None:
            meta.name = name
        if timeout is not None:
            meta.timeout.CopyFrom(_duration(f"{where}.timeout", timeout))
        if retries is not None:
            meta.retries.CopyFrom(retry_strategy(f"{where}.retries", retries))
        if interruptible is not None:
            meta.interruptible = interruptible  # a bool: the decorator checks the arguments' types
        if cache is not None:
            if cache is False:
                meta.cacheable = False
            else:
                settings = Cache() if cache is True else cache
                if not isinstance(settings, Cache):
                    raise BuildError(f"{where}.cache", f"expected True, False or a Cache, got {type(cache).__name__}")
                if settings.ignored_inputs:
                    raise BuildError(f"{where}.cache", "a node cannot ignore inputs in its cache key; only a task can")
                meta.cacheable = True
                meta.cache_version = settings.version
                meta.cache_serializable = settings.serialize
        if config is not None:
            meta.config.update(string_map(f"{where}.config", config))
        target = self._node.array_node.node if self._node.HasField("array_node") else self._node
        overrides = tasks_overrides = None
        task_level = (resources, requests, limits, image, pod_template, gpu_accelerator, shared_memory)
        if any(v is not None for v in task_level):
            if not target.HasField("task_node"):
                raise BuildError(where, "resources, image, pod_template and extended resources override a task")
            overrides = workflow_pb2.TaskNodeOverrides()
            overrides.CopyFrom(target.task_node.overrides)
            res = resource_requirements(entity, resources, requests, limits, prefix="with_overrides.")
            if res is not None:
                overrides.resources.CopyFrom(res)
            if image is not None:
                if not isinstance(image, str) or not image:
                    raise BuildError(f"{where}.image", f"is an image name, got {image!r}")
                overrides.container_image = image
            if pod_template is not None:
                # The task's container goes into the primary container, as for a task's own pod template (flytekit).
                task = self._builder._tasks[target.task_node.reference_id.SerializeToString(deterministic=True)]
                container = task.container if task.HasField("container") else None
                overrides.pod_template.CopyFrom(pod_template.k8s_pod(entity, container, prefix="with_overrides."))
                overrides.pod_template.primary_container_name = pod_template.primary_container_name
                tasks_overrides = "a pod template override"
            if gpu_accelerator is not None:
                overrides.extended_resources.gpu_accelerator.CopyFrom(gpu_accelerator)
            if shared_memory is not None:
                overrides.extended_resources.shared_memory.CopyFrom(shared_memory)
        self._node.metadata.CopyFrom(meta)
        if overrides is not None:
            target.task_node.overrides.CopyFrom(overrides)
        if tasks_overrides is not None:
            self._builder._needs_full_check(tasks_overrides)
        return self

    def _check_open(self, where: str) -> None:
        if self._builder._built:
            raise BuildError(where, "the workflow was built already; its nodes cannot change")


# --------------------------------------------------------------------------------------------------------------
# The builder


class _Slot:
    """A place waiting for one node, made by the next call wherever it appears: a branch case (``owner`` is its
    conditional) or the failure node. ``holder`` is the message that holds the node and ``field`` its field (the
    node is written there in place); ``node_id`` is a fixed id (``fn0``) or empty for the next one."""

    __slots__ = ("field", "holder", "node", "node_id", "owner")

    def __init__(self, owner: Conditional | None, holder: Any, field: str, node_id: str = "") -> None:
        self.owner = owner
        self.holder = holder
        self.field = field
        self.node_id = node_id
        self.node: workflow_pb2.Node | None = None

    def take(self) -> workflow_pb2.Node:
        node: workflow_pb2.Node = getattr(self.holder, self.field)
        node.SetInParent()
        self.node = node
        return node

    def give_back(self) -> None:
        self.holder.ClearField(self.field)
        self.node = None


class WorkflowBuilder:
    """Build a workflow: open it with ``with``, call tasks, subworkflows and launch plans in it, set its outputs,
    then :meth:`build`.

    ``wf.inputs.name`` (or ``wf.inputs["name"]``) are the workflow's inputs as promises.
    """

    def __init__(
        self,
        name: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Any = None,
        project: str = "",
        domain: str = "",
        version: str = "",
        org: str = "",
        failure_policy: str = "fail_immediately",
        interruptible: bool | None = None,
        tags: Mapping[str, str] | None = None,
        quality_of_service: str | None = None,
        docs: str | None = None,
        dynamic: bool = False,
    ) -> None:
        self.name = name
        self._where = f"{'dynamic job' if dynamic else 'workflow'} {name!r}"
        if not isinstance(name, str) or (not name and not dynamic):
            raise BuildError("workflow: name", f"the name is a non-empty string, got {name!r}")
        self._dynamic = dynamic
        self._docs = docs_text(f"{self._where}: docs", docs)
        self._identity = (project, domain, version, org)
        t = self._template = workflow_pb2.WorkflowTemplate()
        if not dynamic:
            t.id.CopyFrom(identifier(identifier_pb2.WORKFLOW, name, project, domain, version, org))
        in_map, self._defaults, in_names = variable_map(self._where, inputs, "inputs", promised=True)
        t.interface.inputs.CopyFrom(in_map)
        self._input_types = ordered_types(t.interface.inputs, in_names)
        self._output_names: list[str] = []
        self._declared_outputs: dict[str, types_pb2.LiteralType] | None = None
        if outputs is not None:
            out_map, _, out_names = variable_map(self._where, output_spec(outputs), "outputs")
            t.interface.outputs.CopyFrom(out_map)
            self._declared_outputs = ordered_types(t.interface.outputs, out_names)
        policies = {
            "fail_immediately": workflow_pb2.WorkflowMetadata.FAIL_IMMEDIATELY,
            "fail_after_executable_nodes_complete": workflow_pb2.WorkflowMetadata.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE,
        }
        if failure_policy not in policies:
            raise BuildError(
                f"{self._where}: failure_policy", f"expected one of {sorted(policies)}, got {failure_policy!r}"
            )
        t.metadata.on_failure = policies[failure_policy]
        t.metadata.tags.update(string_map(f"{self._where}: tags", tags))
        if quality_of_service is not None:
            try:
                t.metadata.quality_of_service.tier = execution_pb2.QualityOfService.Tier.Value(
                    quality_of_service.upper()
                )
            except (ValueError, AttributeError):
                raise BuildError(
                    f"{self._where}: quality_of_service", f"expected high, medium or low, got {quality_of_service!r}"
                ) from None
        t.metadata_defaults.SetInParent()
        if interruptible is not None:
            t.metadata_defaults.interruptible = flag(f"{self._where}: interruptible", interruptible)
        self.inputs = _Inputs(self)
        self._count = 0
        self._slots: list[_Slot] = []
        self._open: list[Conditional] = []
        self._outputs_set = False
        # Entities the workflow runs, by identifier (serialized): template copies with the identity resolved.
        self._tasks: dict[bytes, tasks_pb2.TaskTemplate] = {}
        self._task_refs: dict[int, tuple[Task, identifier_pb2.Identifier]] = {}
        self._subworkflows: dict[bytes, workflow_pb2.WorkflowTemplate] = {}
        self._launch_plans: dict[bytes, launch_plan_pb2.LaunchPlan] = {}
        self._embedded: dict[bytes, Workflow] = {}  # the subworkflow taken in under each identifier
        self._casts: dict[tuple[int, int], tuple[Any, Any, bool]] = {}
        self._built = False
        # Why build() must run the whole validator, when it must: what the builder does not check as it writes.
        self._full_check: list[str] = []

    # -- context ------------------------------------------------------------------------------------------

    def __enter__(self: _B) -> _B:
        if self._built:
            raise BuildError(self._where, "was built already; start a new builder")
        _stack().append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        stack = _stack()
        if stack and stack[-1] is self:
            stack.pop()

    def _needs_full_check(self, reason: str) -> None:
        if reason not in self._full_check:
            self._full_check.append(reason)

    # -- ids and node placement ---------------------------------------------------------------------------

    def _new_node(self, node_id: str | None = None) -> tuple[workflow_pb2.Node, str, bool]:
        """A node message in its place (the open slot's, or the workflow's list), its id (``node_id`` or the next
        one), and whether it is nested."""
        if self._built:
            raise BuildError(self._where, "was built already; start a new builder to add nodes")
        if not self._slots:
            node = self._template.nodes.add()
            node.id = node_id = node_id or self._next_id()
            return node, node_id, False
        slot = self._slots[-1]
        if slot.node is not None:
            raise BuildError(
                f"conditional {slot.owner.name!r}" if slot.owner is not None else self._where,
                "a branch case runs one node; call one task (or workflow) inside then(...)",
            )
        node = slot.take()
        node.id = node_id = node_id or slot.node_id or self._next_id()
        return node, node_id, True

    def _take_back(self, nested: bool, count: int) -> None:
        """Remove the node placed last and give its id back: a refused call leaves no trace. ``count`` is the id
        counter before the node was placed."""
        if nested:
            self._slots[-1].give_back()
        else:
            del self._template.nodes[-1]
        self._count = count

    def _next_id(self) -> str:
        node_id = f"n{self._count}"
        self._count += 1
        return node_id

    # -- entities -----------------------------------------------------------------------------------------

    def _resolve(self, ident: identifier_pb2.Identifier) -> identifier_pb2.Identifier:
        """``ident`` with its empty project, domain, version and org taken from this workflow."""
        out = identifier_pb2.Identifier()
        out.CopyFrom(ident)
        project, domain, version, org = self._identity
        if not out.project:
            out.project = project
        if not out.domain:
            out.domain = domain
        if not out.version:
            out.version = version
        if not out.org:
            out.org = org
        return out

    def _task_ref(self, task: Task) -> identifier_pb2.Identifier:
        entry = self._task_refs.get(id(task))
        if entry is not None:
            return entry[1]
        ref = self._resolve(task._template.id)
        key = ref.SerializeToString(deterministic=True)
        known = self._tasks.get(key)
        if known is None:
            template = tasks_pb2.TaskTemplate()
            template.CopyFrom(task._template)
            template.id.CopyFrom(ref)
            self._tasks[key] = template
        elif not _same_apart_from_id(known, task._template):
            raise BuildError(
                f"{self._where}: task {task.name!r}",
                "two different tasks have this identifier; give them different names or versions",
            )
        self._task_refs[id(task)] = (task, ref)
        return ref

    def _add_task_template(self, template: tasks_pb2.TaskTemplate) -> None:
        self._add_entity(self._tasks, template, template.__eq__, "task", "tasks")

    def _add_entity(
        self, store: dict[bytes, Any], entity: Any, same: Callable[[Any], bool], what: str, kinds: str
    ) -> None:
        """Keep ``entity`` under its identifier in ``store``; one already kept there must be the ``same``.

        Raises:
            BuildError: two different ``kinds`` have one identifier.
        """
        key = entity.id.SerializeToString(deterministic=True)
        known = store.get(key)
        if known is None:
            store[key] = entity
        elif not same(known):
            raise BuildError(
                f"{self._where}: {what} {entity.id.name!r}",
                f"two different {kinds} have this identifier; give them different names or versions",
            )

    # -- bindings -----------------------------------------------------------------------------------------

    def _fits(self, src: types_pb2.LiteralType, dst: types_pb2.LiteralType) -> bool:
        key = (id(src), id(dst))
        hit = self._casts.get(key)
        if hit is None:
            hit = self._casts[key] = (src, dst, castable(src, dst))
        return hit[2]

    def _bind(
        self,
        node: workflow_pb2.Node,
        expected: Mapping[str, types_pb2.LiteralType],
        defaults: Mapping[str, Any],
        given: Mapping[str, Any],
        where: str,
    ) -> None:
        """Write ``node.inputs`` (sorted by name, as flytekit does) and ``upstream_node_ids`` from the call."""
        for name in given:
            if name not in expected:
                known = ", ".join(expected) or "none"
                raise BuildError(f"{where}: {name}=", f"is not an input (inputs: {known})")
        values = dict(given)
        for name in expected:
            if name not in values:
                if name in defaults:
                    values[name] = defaults[name]
                else:
                    raise BuildError(where, f"input {name!r} is not given and has no default")
        upstream: list[str] = []
        bindings = node.inputs
        for name in sorted(values):
            binding = bindings.add()
            binding.var = name
            self._binding_data(binding.binding, values[name], expected[name], f"{where}: {name}=", upstream)
        if upstream:
            node.upstream_node_ids.extend(upstream)

    def _binding_data(
        self,
        out: literals_pb2.BindingData,
        value: Any,
        expected: types_pb2.LiteralType,
        where: str,
        upstream: list[str],
        level: int = 1,
    ) -> None:
        """Bind ``value`` (a promise, a constant, or lists and dicts of them) in ``out``, ``level`` messages deep in
        the binding's value (see ``MAX_VALUE_DEPTH``)."""
        if isinstance(value, _Operand):
            p = value._promise()
            if p._builder is not self:
                raise BuildError(where, f"{p!r} belongs to another workflow")
            if p._handle is not None and p._handle._nested:
                raise BuildError(where, f"{p!r} is an output of a branch case; use the conditional's result")
            if p.type is not None and not self._fits(p.type, expected):
                raise BuildError(where, f"{p!r} is {describe(p.type)}; {describe(expected)} is expected")
            promise = out.promise
            promise.node_id = p.node_id
            promise.var = p.var
            for step in p.attr_path:
                if isinstance(step, int):
                    promise.attr_path.add().int_value = step
                else:
                    promise.attr_path.add().string_value = step
            if p.node_id and p.node_id not in upstream:
                upstream.append(p.node_id)
            return
        kind = expected.WhichOneof("type")
        if kind == "union_type" and isinstance(value, (list, tuple, Mapping)):
            want = "collection_type" if isinstance(value, (list, tuple)) else "map_value_type"
            variants = [v for v in expected.union_type.variants if v.WhichOneof("type") == want]
            if variants:
                self._bind_variant(out, value, variants, where, upstream, level)
                return
        if kind == "collection_type" and isinstance(value, (list, tuple)):
            check_value_depth(where, level + 1)
            collection = out.collection
            collection.SetInParent()  # an empty list is still a list
            for i, item in enumerate(value):
                self._binding_data(
                    collection.bindings.add(), item, expected.collection_type, f"{where}[{i}]", upstream, level + 2
                )
            return
        if kind == "map_value_type" and isinstance(value, Mapping):
            check_value_depth(where, level + 2)
            out.map.SetInParent()  # an empty dict is still a map
            for key, item in value.items():
                if not isinstance(key, str):
                    raise BuildError(where, f"Flyte maps have string keys, got {key!r}")
                self._binding_data(
                    out.map.bindings[key], item, expected.map_value_type, f"{where}[{key!r}]", upstream, level + 3
                )
            return
        if _holds_promise(value):
            raise BuildError(where, f"promises inside a {describe(expected)} value cannot be bound; bind them directly")
        literal = literal_for(where, value, expected, level)  # its scalar lands as deep as in a Literal
        out.scalar.CopyFrom(literal.scalar)

    def _bind_variant(
        self,
        out: literals_pb2.BindingData,
        value: Any,
        variants: list[types_pb2.LiteralType],
        where: str,
        upstream: list[str],
        level: int,
    ) -> None:
        """A list or dict bound to a union: written as a collection or map of the first of the union's list (or
        map) variants that takes it, as flytekit does.

        Raises:
            BuildError: no variant takes it (the first variant's reason).
        """
        first: BuildError | None = None
        for variant in variants:
            scratch = literals_pb2.BindingData()
            sources: list[str] = []
            try:
                self._binding_data(scratch, value, variant, where, sources, level)
            except ValueTooDeepError:
                raise  # whatever the variant (as to_literal does)
            except BuildError as err:
                first = first or err
                continue
            out.CopyFrom(scratch)
            upstream.extend(source for source in sources if source not in upstream)
            return
        assert first is not None  # variants is not empty
        raise first

    # -- calls --------------------------------------------------------------------------------------------

    def call_task(self, task: Task, inputs: Mapping[str, Any]) -> NodeHandle:
        """Add a task node (what calling a :class:`Task` does)."""
        count = self._count
        node, node_id, nested = self._new_node()
        try:
            node.metadata.CopyFrom(task._node_metadata)
            self._bind(node, task._inputs, task._defaults, inputs, f"node {node_id} ({task.name})")
            task_node = node.task_node
            task_node.reference_id.CopyFrom(self._task_ref(task))
            task_node.overrides.SetInParent()
        except BaseException:
            self._take_back(nested, count)
            raise
        return NodeHandle(self, node, node_id, task._outputs, nested)

    def call_workflow(self, wf: Workflow, inputs: Mapping[str, Any]) -> NodeHandle:
        """Add a subworkflow node (what calling a built :class:`Workflow` does)."""
        count = self._count
        node, node_id, nested = self._new_node()
        try:
            node.metadata.name = wf.name.rsplit(".", 1)[-1]
            node.metadata.retries.SetInParent()
            node.metadata.interruptible = wf.template.metadata_defaults.interruptible
            self._bind(node, wf._variables("inputs"), wf.default_values, inputs, f"node {node_id} ({wf.name})")
            node.workflow_node.sub_workflow_ref.CopyFrom(self._embed(wf))
        except BaseException:
            self._take_back(nested, count)
            raise
        return NodeHandle(self, node, node_id, wf._variables("outputs"), nested)

    def call_launch_plan(self, lp: LaunchPlanRef, inputs: Mapping[str, Any]) -> NodeHandle:
        """Add a launch-plan node (what calling a :class:`LaunchPlanRef` does)."""
        count = self._count
        node, node_id, nested = self._new_node()
        try:
            node.metadata.name = lp.node_name
            node.metadata.retries.SetInParent()
            self._bind(node, lp._inputs, lp._defaults, inputs, f"node {node_id} ({lp.name})")
            ref = self._resolve(lp.id)
            self._register_launch_plan(lp, ref)
            node.workflow_node.launchplan_ref.CopyFrom(ref)
        except BaseException:
            self._take_back(nested, count)
            raise
        return NodeHandle(self, node, node_id, lp._outputs, nested)

    def _register_launch_plan(self, lp: LaunchPlanRef, ref: identifier_pb2.Identifier) -> None:
        self._add_launch_plan(lp._interface_plan(ref))

    def _add_launch_plan(self, plan: launch_plan_pb2.LaunchPlan) -> None:
        signature = _plan_signature(plan)

        def same(known: launch_plan_pb2.LaunchPlan) -> bool:
            return _plan_signature(known) == signature

        self._add_entity(self._launch_plans, plan, same, "launch plan", "launch plans (interfaces or defaults)")

    def _add_subworkflow(self, template: workflow_pb2.WorkflowTemplate) -> None:
        self._add_entity(self._subworkflows, template, template.__eq__, "subworkflow", "workflows")

    def _embed(self, wf: Workflow) -> identifier_pb2.Identifier:
        """Take a subworkflow in (its template, tasks, subworkflows and launch plans, identities resolved)."""
        if wf._dynamic:
            raise BuildError(f"{self._where}: {wf.name!r}", "a dynamic job spec cannot be called as a subworkflow")
        if not wf._checked:
            self._needs_full_check(f"subworkflow {wf.name!r} was built without validation")
        ref = self._resolve(wf.template.id)
        if self._template.HasField("id") and ref == self._template.id:
            raise BuildError(f"{self._where}: {wf.name!r}", "a workflow cannot call itself")
        key = ref.SerializeToString(deterministic=True)
        if self._embedded.get(key) is wf:
            return ref  # this very workflow was taken in already
        for sub_template in [wf.template, *wf.subworkflows]:
            sub = workflow_pb2.WorkflowTemplate()
            sub.CopyFrom(sub_template)
            if any(self._identity):
                _resolve_references(sub, self._resolve)
            self._add_subworkflow(sub)
        for task_template in wf.tasks:
            copy_task = tasks_pb2.TaskTemplate()
            copy_task.CopyFrom(task_template)
            copy_task.id.CopyFrom(self._resolve(task_template.id))
            self._add_task_template(copy_task)
        for plan in wf.launch_plans:
            copy_plan = launch_plan_pb2.LaunchPlan()
            copy_plan.CopyFrom(plan)
            copy_plan.id.CopyFrom(self._resolve(plan.id))
            self._add_launch_plan(copy_plan)
        self._embedded[key] = wf
        return ref

    # -- outputs, failure node, build ---------------------------------------------------------------------

    def outputs(self, **bindings: Any) -> None:
        """Set the workflow's outputs: ``wf.outputs(total=node.o0, ...)``.

        With ``outputs=`` declared on the builder, the names and types must match it; otherwise each output's type
        is its promise's (a constant needs a declared type).
        """
        if self._outputs_set:
            raise BuildError(self._where, "outputs were set already")
        where = f"{self._where}: outputs"
        declared = self._declared_outputs
        if declared is not None:
            missing = [n for n in declared if n not in bindings]
            if missing:
                raise BuildError(where, f"declared outputs not given: {', '.join(missing)}")
        # Written aside first and kept only when every output binds: a refused call leaves no trace.
        scratch = workflow_pb2.WorkflowTemplate()
        variables = scratch.interface.outputs.variables
        upstream: list[str] = []
        for name, value in bindings.items():
            if declared is not None:
                if name not in declared:
                    raise BuildError(f"{where}: {name}=", f"is not a declared output (outputs: {', '.join(declared)})")
                t = declared[name]
            elif isinstance(value, _Operand) and value._promise().type is not None:
                check_promised_name(f"{where}: {name}=", name)
                t = value._promise().type  # type: ignore[assignment]
                variables[name].type.CopyFrom(t)
                variables[name].description = name
            else:
                raise BuildError(f"{where}: {name}=", "declare the output's type (outputs={...}) to bind a constant")
            binding = scratch.outputs.add()
            binding.var = name
            self._binding_data(binding.binding, value, t, f"{where}: {name}=", upstream)
        self._template.outputs.extend(scratch.outputs)
        self._template.interface.outputs.MergeFrom(scratch.interface.outputs)
        self._outputs_set = True
        self._output_names = list(declared) if declared is not None else list(bindings)

    def on_failure(self, entity: Task | Workflow, **inputs: Any) -> NodeHandle:
        """Run ``entity`` (a task or a workflow) when the workflow fails: the failure node, ``fn0``.

        Without inputs, each of the handler's inputs is bound to the workflow input of the same name (as flytekit
        does).
        """
        where = f"{self._where}: on_failure"
        if self._template.HasField("failure_node"):
            raise BuildError(where, "the workflow has a failure node already")
        if not isinstance(entity, (Task, Workflow)):
            raise BuildError(where, f"expected a Task or a Workflow, got {type(entity).__name__}")
        if not inputs:
            inputs = {name: self.inputs[name] for name in entity.input_names if name in self._input_types}
        saved, self._slots = self._slots, [_Slot(None, self._template, "failure_node", "fn0")]
        try:
            if isinstance(entity, Task):
                return self.call_task(entity, inputs)
            return self.call_workflow(entity, inputs)
        finally:
            self._slots = saved

    def _finish(self, where: str) -> None:
        if self._open:
            names = ", ".join(repr(c.name) for c in self._open)
            raise BuildError(where, f"conditional {names} has no else_(); end it with else_().then(...) or .fail(...)")
        if self._slots:
            raise BuildError(where, "a branch case is waiting for its node: finish it with then(...)")
        if self._declared_outputs and not self._outputs_set:
            raise BuildError(where, f"declared outputs not set: call outputs({', '.join(self._declared_outputs)}=...)")

    @checked_arguments
    def build(self, *, validate: bool = True) -> Workflow:
        """The workflow, validated (unless ``validate=False``).

        Every node was checked as it was made (inputs, types, references, settings: the validator's rules), so
        ``build()`` checks what is left: each task (its template as the workflow runs it), the workflow's own fields,
        and, when the builder could not guarantee it (a conditional, an ``after`` edge to a later node, a mapped
        workflow or launch plan, a pod template override, a subworkflow built without validation), the whole
        workflow with the validator. :meth:`Workflow.validate` always runs the whole validator.

        Raises:
            BuildError: the builder is incomplete (an open conditional, declared outputs not set).
            ValidationError: the validator found errors; every diagnostic is attached.
        """
        if self._built:
            raise BuildError(self._where, "was built already; build() makes its workflow once")
        self._finish(self._where)
        result = Workflow(
            self._template,
            list(self._tasks.values()),
            list(self._subworkflows.values()),
            list(self._launch_plans.values()),
            self._defaults,
            self._docs,
            (list(self._input_types), self._output_names),
            checked=validate,
        )
        if validate:
            if self._full_check or not self._template.nodes:
                result.check()
            else:
                found = errors(result._validate_all_but_nodes())
                if found:
                    raise ValidationError(f"workflow {result.name!r}", found)
        self._built = True  # a refused build may be looked at with build(validate=False)
        return result


class _Inputs:
    """The workflow's inputs as promises: ``wf.inputs.name`` or ``wf.inputs["name"]``."""

    __slots__ = ("_builder",)

    def __init__(self, builder: WorkflowBuilder) -> None:
        self._builder = builder

    def __getitem__(self, name: str) -> Promise:
        types = self._builder._input_types
        if name not in types:
            known = ", ".join(types) or "none"
            raise BuildError(self._builder._where, f"has no input {name!r} (inputs: {known})")
        return Promise(self._builder, "", name, types[name])

    def __getattr__(self, name: str) -> Promise:
        if name.startswith("__") or name not in self._builder._input_types:
            known = ", ".join(self._builder._input_types) or "none"
            raise AttributeError(f"{self._builder._where} has no input {name!r} (inputs: {known})")
        return self[name]

    def __iter__(self) -> Iterator[Promise]:
        return iter(self[name] for name in self._builder._input_types)


def _holds_promise(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Operand):
            return True
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
    return False


def _same_apart_from_id(a: tasks_pb2.TaskTemplate, b: tasks_pb2.TaskTemplate) -> bool:
    left, right = tasks_pb2.TaskTemplate(), tasks_pb2.TaskTemplate()
    left.CopyFrom(a)
    right.CopyFrom(b)
    left.ClearField("id")
    right.ClearField("id")
    return left == right


def _resolve_references(template: workflow_pb2.WorkflowTemplate, resolve: Any) -> None:
    template.id.CopyFrom(resolve(template.id))
    for node in all_nodes(template):
        kind = node.WhichOneof("target")
        if kind == "task_node":
            node.task_node.reference_id.CopyFrom(resolve(node.task_node.reference_id))
        elif kind == "workflow_node":
            ref_kind = node.workflow_node.WhichOneof("reference")
            if ref_kind is not None:
                ref = getattr(node.workflow_node, ref_kind)
                ref.CopyFrom(resolve(ref))


@checked_arguments
def workflow(
    name: str,
    *,
    inputs: Mapping[str, Any] | None = None,
    outputs: Any = None,
    project: str = "",
    domain: str = "",
    version: str = "",
    org: str = "",
    failure_policy: str = "fail_immediately",
    interruptible: bool | None = None,
    tags: Mapping[str, str] | None = None,
    quality_of_service: str | None = None,
    docs: str | None = None,
) -> WorkflowBuilder:
    """Start building a workflow (use it as ``with workflow(...) as wf:``).

    Args:
        name: the workflow's name (``"etl.workflows.daily"``).
        inputs: ``{name: type}`` or ``{name: Input(type, default=...)}``; defaults go to :meth:`Workflow.launch_plan`.
        outputs: optional ``{name: type}`` (or one type, ``o0``) that :meth:`WorkflowBuilder.outputs` must match.
        project, domain, version, org: the identity; empty fields of the tasks, subworkflows and launch plans it
            calls are filled with these.
        failure_policy: ``"fail_immediately"`` or ``"fail_after_executable_nodes_complete"``.
        interruptible: the default for its nodes (``metadata_defaults``).
        tags: workflow metadata tags.
        quality_of_service: ``"high"``, ``"medium"`` or ``"low"``.
        docs: a description for the registration message.
    """
    return WorkflowBuilder(
        name,
        inputs=inputs,
        outputs=outputs,
        project=project,
        domain=domain,
        version=version,
        org=org,
        failure_policy=failure_policy,
        interruptible=interruptible,
        tags=tags,
        quality_of_service=quality_of_service,
        docs=docs,
    )


# --------------------------------------------------------------------------------------------------------------
# Conditionals


class Conditional:
    """A branch node being built: ``conditional("name").if_(c).then(node).elif_(c).then(node).else_().then(node)``.

    Each ``then(...)`` takes the node made by the call written inside it (``then(t(x=a))``), or a nested
    conditional's result. The final ``then(...)`` or ``fail(...)`` returns the branch node, whose outputs are those
    every case has (with one type). The branch node and its cases are written in place as they come, so that
    conditionals nest to any depth.
    """

    def __init__(self, builder: WorkflowBuilder, name: str) -> None:
        self._builder = builder
        self.name = name
        self._where = f"conditional {name!r}"
        node, self._id, self._nested = builder._new_node()
        node.metadata.name = name
        node.metadata.retries.SetInParent()
        self._node = node
        self._if_else = node.branch_node.if_else
        self._inputs: dict[str, Promise] = {}  # the promises the conditions read, by branch input name
        self._outputs: list[Mapping[str, types_pb2.LiteralType]] = []  # of each case, in order
        self._slot: _Slot | None = None
        self._state = "if"  # what may come: "if", "then", "elif" (elif_ or else_), "else", "done"
        builder._open.append(self)

    def _open_case(self, condition: Condition | None, state: str, step: str) -> None:
        if self._state != state:
            expected = {"if": "if_(...)", "then": "then(...)", "elif": "elif_(...) or else_()"}.get(self._state, "")
            raise BuildError(self._where, f"{step} cannot come here" + (f"; expected {expected}" if expected else ""))
        if_else = self._if_else
        if condition is None:
            self._slot = _Slot(self, if_else, "else_node")
            self._state = "else"
        else:
            block = if_else.case if state == "if" else if_else.other.add()
            try:
                self._expression(block.condition, condition)
            except BaseException:
                if state == "if":
                    if_else.ClearField("case")
                else:
                    del if_else.other[-1]
                raise
            self._slot = _Slot(self, block, "then_node")
            self._state = "then"
        self._builder._slots.append(self._slot)

    def if_(self, condition: Condition) -> _Case:
        """The first case (its condition is checked and written now)."""
        self._open_case(condition, "if", "if_(...)")
        return _Case(self)

    def elif_(self, condition: Condition) -> _Case:
        """Another case, tried when the earlier ones are false."""
        self._open_case(condition, "elif", "elif_(...)")
        return _Case(self)

    def else_(self) -> _Else:
        """The default case: ``.else_().then(node)`` or ``.else_().fail(message)``."""
        self._open_case(None, "elif", "else_()")
        return _Else(self)

    def _close_case(self, handle: Any, want_node: bool) -> None:
        slot, builder = self._slot, self._builder
        if slot is None or not builder._slots or builder._slots[-1] is not slot:
            raise BuildError(self._where, "this case is closed already")
        if not want_node:
            if slot.node is not None:
                raise BuildError(self._where, "fail(...) takes no node, but a node was made in this case")
        elif not isinstance(handle, NodeHandle) or slot.node is None or handle._node is not slot.node:
            raise BuildError(
                self._where, "then(...) takes the node made inside it: then(task(x=...)), or a conditional"
            )
        builder._slots.pop()
        self._slot = None
        if want_node:
            self._outputs.append(handle._outputs)

    def _finish(self) -> NodeHandle:
        builder = self._builder
        builder._open.remove(self)
        self._state = "done"
        node = self._node
        upstream: list[str] = []
        for var in sorted(self._inputs):
            p = self._inputs[var]
            binding = node.inputs.add()
            binding.var = var
            binding.binding.promise.node_id = p.node_id
            binding.binding.promise.var = p.var
            if p.node_id and p.node_id not in upstream:
                upstream.append(p.node_id)
        node.upstream_node_ids.extend(upstream)
        return NodeHandle(builder, node, self._id, self._common_outputs(), self._nested)

    def _common_outputs(self) -> dict[str, types_pb2.LiteralType]:
        """The outputs every case has, with one type."""
        common = dict(self._outputs[0]) if self._outputs else {}
        for outputs in self._outputs[1:]:
            for name in list(common):
                if name not in outputs:
                    del common[name]
                elif outputs[name] != common[name]:
                    raise BuildError(
                        self._where,
                        f"output {name!r} is {describe(common[name])} in one case and {describe(outputs[name])} "
                        "in another",
                    )
        return common

    def _expression(self, out: condition_pb2.BooleanExpression, condition: Condition) -> None:
        if not isinstance(condition, Condition):
            raise BuildError(self._where, f"a condition compares promises (x > 3, a == b), got {condition!r}")
        stack: list[tuple[condition_pb2.BooleanExpression, Condition]] = [(out, condition)]
        while stack:
            target, expr = stack.pop()
            if isinstance(expr, Conjunction):
                conj = target.conjunction
                conj.operator = expr.operator  # type: ignore[assignment]
                stack.append((conj.left_expression, expr.left))
                stack.append((conj.right_expression, expr.right))
                continue
            assert isinstance(expr, Comparison)
            cmp = target.comparison
            cmp.operator = expr.operator  # type: ignore[assignment]
            left = expr.left
            right = expr.right._promise() if isinstance(expr.right, _Operand) else expr.right
            self._var(cmp.left_value, left)
            if isinstance(right, Promise):
                self._var(cmp.right_value, right)
                if left.type is not None and right.type is not None and left.type != right.type:
                    raise BuildError(
                        self._where,
                        f"{left!r} is {describe(left.type)} and {right!r} is {describe(right.type)}; "
                        "Flyte compares operands of one type",
                    )
            else:
                self._constant(cmp.right_value, right, left)

    def _var(self, out: condition_pb2.Operand, p: Promise) -> None:
        if p._builder is not self._builder:
            raise BuildError(self._where, f"{p!r} belongs to another workflow")
        if p._handle is not None and p._handle._nested:
            raise BuildError(self._where, f"{p!r} is an output of a branch case; use the conditional's result")
        if p.attr_path:
            raise BuildError(self._where, f"compare {p!r} after passing it through a node")
        var = f"{p.node_id}.{p.var}"
        self._inputs[var] = p
        out.var = var

    def _constant(self, out: condition_pb2.Operand, value: Any, other: Promise) -> None:
        """A constant, typed like the promise it is compared with (3 against a float is 3.0), as Flyte compares
        operands of one type."""
        t = other.type
        if isinstance(value, (_Operand, Condition)) or value is None:
            raise BuildError(self._where, f"compare {other!r} with a promise or a constant, not {value!r}")
        if t is None:
            t = literal_type(type(value), f"{self._where}: {value!r}")
        elif t.WhichOneof("type") != "simple" or t.simple not in _COMPARABLE:
            raise BuildError(
                self._where, f"{other!r} is {describe(t)}; compare numbers, strings, booleans, datetimes, durations"
            )
        literal = literal_for(f"{self._where}: {value!r}", value, t)
        out.primitive.CopyFrom(literal.scalar.primitive)


_COMPARABLE = frozenset(
    {types_pb2.INTEGER, types_pb2.FLOAT, types_pb2.STRING, types_pb2.BOOLEAN, types_pb2.DATETIME, types_pb2.DURATION}
)


class _Case:
    """A case opened by ``if_``/``elif_``: ``then(node)`` closes it."""

    __slots__ = ("_owner",)

    def __init__(self, owner: Conditional) -> None:
        self._owner = owner

    def then(self, handle: NodeHandle) -> Conditional:
        """The node run when the condition holds (made by the call written inside the parentheses)."""
        self._owner._close_case(handle, True)
        self._owner._state = "elif"
        return self._owner


class _Else:
    """The default case opened by ``else_()``: ``then(node)`` or ``fail(message)`` ends the conditional."""

    __slots__ = ("_owner",)

    def __init__(self, owner: Conditional) -> None:
        self._owner = owner

    def then(self, handle: NodeHandle) -> NodeHandle:
        """The node run when no case holds; returns the branch node."""
        self._owner._close_case(handle, True)
        return self._owner._finish()

    def fail(self, message: str) -> NodeHandle:
        """Fail the workflow with ``message`` when no case holds; returns the branch node."""
        owner = self._owner
        owner._close_case(None, False)
        owner._if_else.ClearField("else_node")
        owner._if_else.error.failed_node_id = owner.name
        owner._if_else.error.message = message
        return owner._finish()


@checked_arguments
def conditional(name: str) -> Conditional:
    """Start a branch node named ``name`` in the workflow being built."""
    builder = current_builder(f"conditional({name!r})")
    if not isinstance(name, str) or not name:
        raise BuildError("conditional", f"the name is a non-empty string, got {name!r}")
    return Conditional(builder, name)


# --------------------------------------------------------------------------------------------------------------
# Gates


_GATE_TIMEOUT = datetime.timedelta(hours=1)  # flytekit's default for every gate


def _gate_node(builder: WorkflowBuilder, name: str, timeout: Any) -> tuple[workflow_pb2.Node, str, bool]:
    """A gate node placed in the workflow, with flytekit's default timeout (one hour) unless given."""
    if not isinstance(name, str) or not name:
        raise BuildError("gate", f"the name is a non-empty string, got {name!r}")
    limit = _duration(f"gate {name!r}: timeout", _GATE_TIMEOUT if timeout is None else timeout)
    node, node_id, nested = builder._new_node()
    node.metadata.name = name
    node.metadata.timeout.CopyFrom(limit)
    node.metadata.retries.SetInParent()
    return node, node_id, nested


# The gates' arguments are named after the gate: ``gate 'ok': timeout``.
_gate_arguments = checked_arguments_at(lambda given: f"gate {given['name']!r}: ")


@_gate_arguments
def approve(upstream: Any, name: str, *, timeout: datetime.timedelta | int | float | None = None) -> NodeHandle:
    """A gate that waits for a person to approve ``upstream`` (one node output); its output is that value.

    Raises:
        BuildError: ``upstream`` is not a node output (workflow inputs cannot be approved, as in flytekit).
    """
    builder = current_builder(f"approve({name!r})")
    if not isinstance(upstream, _Operand):
        raise BuildError(f"approve({name!r})", f"approve a node's output, got {type(upstream).__name__}")
    p = upstream._promise()
    if not p.node_id:
        raise BuildError(f"approve({name!r})", "workflow inputs cannot be approved; approve a node's output")
    count = builder._count
    node, node_id, nested = _gate_node(builder, name, timeout)
    node.gate_node.approve.signal_id = name
    t = p.type if p.type is not None else types_pb2.LiteralType()
    try:
        builder._bind(node, {p.var: t}, {}, {p.var: upstream}, f"node {node_id} (approve {name!r})")
    except BaseException:
        builder._take_back(nested, count)
        raise
    return NodeHandle(builder, node, node_id, {p.var: t}, nested)


@_gate_arguments
def wait_for_input(
    name: str, *, expected_type: Any, timeout: datetime.timedelta | int | float | None = None
) -> NodeHandle:
    """A gate that waits for a value of ``expected_type`` sent as signal ``name``; its output ``o0`` is the value."""
    builder = current_builder(f"wait_for_input({name!r})")
    t = literal_type(expected_type, f"wait_for_input({name!r}): expected_type")
    node, node_id, nested = _gate_node(builder, name, timeout)
    signal = node.gate_node.signal
    signal.signal_id = name
    signal.type.CopyFrom(t)
    signal.output_variable_name = "o0"
    return NodeHandle(builder, node, node_id, {"o0": t}, nested)


@_gate_arguments
def sleep(duration: datetime.timedelta | int | float, *, name: str = "sleep-gate") -> NodeHandle:
    """A gate that waits for ``duration`` (more than zero); it has no outputs, so order it with ``after``."""
    builder = current_builder("sleep(...)")
    wait = _duration(f"gate {name!r}: duration", duration, positive=True)
    node, node_id, nested = _gate_node(builder, name, None)
    node.gate_node.sleep.duration.CopyFrom(wait)
    return NodeHandle(builder, node, node_id, {}, nested)


# --------------------------------------------------------------------------------------------------------------
# Array nodes


_TAGS = {
    types_pb2.INTEGER: "int",
    types_pb2.FLOAT: "float",
    types_pb2.STRING: "str",
    types_pb2.BOOLEAN: "bool",
    types_pb2.DATETIME: "datetime",
    types_pb2.DURATION: "timedelta",
    types_pb2.NONE: "none",
    types_pb2.BINARY: "bytes",
}


def _optional(t: types_pb2.LiteralType) -> types_pb2.LiteralType:
    """``Optional[t]`` as flytekit tags it."""
    kind = t.WhichOneof("type")
    if kind == "simple":
        tag = "Object-Dataclass-Transformer" if t.structure.dataclass_type else _TAGS.get(t.simple, "Python Dictionary")
    else:
        tag = {
            "collection_type": "Typed List",
            "map_value_type": "Typed Dict",
            "enum_type": "DefaultEnumTransformer",
            "structured_dataset_type": "StructuredDataset Transformer",
        }.get(kind or "", "")
        if kind == "blob":
            tag = "FlyteDirectory" if t.blob.dimensionality == types_pb2.BlobType.MULTIPART else "FlyteFilePath"
    variant = types_pb2.LiteralType()
    variant.CopyFrom(t)
    variant.ClearField("structure")
    variant.structure.tag = tag
    none = types_pb2.LiteralType(simple=types_pb2.NONE)
    none.structure.tag = "none"
    return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=[variant, none]))


class MappedTask:
    """A task (or a workflow, or a launch plan) mapped over list inputs; calling it adds an array node."""

    @checked_arguments_at(lambda given: f"map_task({getattr(given['target'], 'name', given['target'])!r}): ")
    def __init__(
        self,
        target: Task | Workflow | LaunchPlanRef,
        *,
        concurrency: int | None,
        min_successes: int | None,
        min_success_ratio: float | None,
        bound_inputs: Sequence[str] | AbstractSet[str],
        execution_mode: str | None,
        data_mode: str | None,
        run_all_sub_nodes: bool,
    ) -> None:
        # The arguments' types are checked by the decorator; what is left is their values.
        where = f"map_task({target.name!r})"
        if min_successes is not None and min_success_ratio is not None:
            raise BuildError(where, "min_successes and min_success_ratio are one choice; give one of them")
        if min_success_ratio is not None and not 0 <= min_success_ratio <= 1:
            raise BuildError(f"{where}: min_success_ratio", f"is a fraction from 0 to 1, got {min_success_ratio!r}")
        for label, number in (("concurrency", concurrency), ("min_successes", min_successes)):
            if number is not None:
                whole_number(f"{where}: {label}", number, UINT32_MAX)
        names = target.input_names
        for name in bound_inputs:
            if name not in names:
                raise BuildError(f"{where}: bound_inputs", f"{name!r} is not an input of {target.name!r}")
        modes = {"minimal_state": 0, "full_state": 1}
        data_modes = {"single_input_file": 0, "individual_input_files": 1}
        if execution_mode is not None and execution_mode not in modes:
            raise BuildError(f"{where}: execution_mode", f"expected one of {sorted(modes)}, got {execution_mode!r}")
        if data_mode is not None and data_mode not in data_modes:
            raise BuildError(f"{where}: data_mode", f"expected one of {sorted(data_modes)}, got {data_mode!r}")
        self.target = target
        self._where = where
        self._concurrency = concurrency
        self._min_successes = min_successes
        self._min_success_ratio = min_success_ratio
        self._bound = sorted(set(bound_inputs))
        self._execution_mode = (
            modes[execution_mode] if execution_mode is not None else (0 if isinstance(target, Task) else 1)
        )
        self._data_mode = data_modes[data_mode] if data_mode is not None else 0
        self._run_all = run_all_sub_nodes
        self._mapped: Task | None = self._mapped_task(target) if isinstance(target, Task) else None

    def _mapped_task(self, task: Task) -> Task:
        """The list-typed task an array node runs, named and written as flytekit's ``map_task`` does."""
        module, _, short = task.name.rpartition(".")
        ratio = 1.0 if self._min_success_ratio is None else self._min_success_ratio
        digest = hashlib.md5(
            f"{','.join(self._bound)}{self._concurrency}{self._min_successes}{ratio}".encode(),
            usedforsecurity=False,
        ).hexdigest()
        template = task.template
        template.id.name = f"{module}.map_{short}_{digest}-arraynode" if module else f"map_{short}_{digest}-arraynode"
        template.task_type_version = 1
        for name, var in template.interface.inputs.variables.items():
            if name not in self._bound:
                element = types_pb2.LiteralType()
                element.CopyFrom(var.type)
                var.type.Clear()
                var.type.collection_type.CopyFrom(element)
        outputs = template.interface.outputs.variables
        optional = self._min_success_ratio is not None and self._min_success_ratio != 1 and len(outputs) == 1
        for var in outputs.values():
            element = _optional(var.type) if optional else types_pb2.LiteralType()
            if not optional:
                element.CopyFrom(var.type)
            var.type.Clear()
            var.type.collection_type.CopyFrom(element)
        if template.HasField("container"):
            args = pyflyte_map_execute_args(template.container.args, self._bound)
            if args is not None:
                del template.container.args[:]
                template.container.args.extend(args)
        elif template.HasField("k8s_pod"):
            self._map_pod_args(template)  # the same, in the pod spec's primary container
        order = (list(task._inputs), list(task._outputs))
        return Task(template, task._defaults, {}, task._docs, node_name=template.id.name, order=order)

    def _map_pod_args(self, template: tasks_pb2.TaskTemplate) -> None:
        """In a pod task, the primary container's arguments run ``pyflyte-map-execute`` (as flytekit writes them)."""
        primary = template.config["primary_container_name"]  # written with every pod task
        containers = template.k8s_pod.pod_spec.fields.get("containers")
        for value in containers.list_value.values if containers is not None else ():
            fields = value.struct_value.fields
            name, given = fields.get("name"), fields.get("args")
            if name is None or name.string_value != primary or given is None:
                continue
            args = pyflyte_map_execute_args([v.string_value for v in given.list_value.values], self._bound)
            if args is not None:
                del given.list_value.values[:]
                given.list_value.extend(args)

    @property
    def name(self) -> str:
        return self._mapped.name if self._mapped is not None else self.target.name

    def __call__(self, **inputs: Any) -> NodeHandle:
        builder = current_builder(self._where)
        target = self.target
        if self._mapped is not None:
            expected: dict[str, types_pb2.LiteralType] = self._mapped._inputs
            defaults = self._mapped._defaults
            outputs: dict[str, types_pb2.LiteralType] = self._mapped._outputs
            meta = self._mapped._node_metadata
        else:
            assert not isinstance(target, Task)
            expected = {
                n: (t if n in self._bound else types_pb2.LiteralType(collection_type=t))
                for n, t in target._variables("inputs").items()
            }
            defaults = target._defaults if isinstance(target, LaunchPlanRef) else target.default_values
            outputs = {n: types_pb2.LiteralType(collection_type=t) for n, t in target._variables("outputs").items()}
            meta = workflow_pb2.NodeMetadata(name=builder._resolve(target.id).name)
            meta.retries.SetInParent()
        count = builder._count
        node, node_id, nested = builder._new_node()
        try:
            # The array node has the name; the sub-node has the task's settings too (timeout, retries...).
            node.metadata.name = meta.name
            node.metadata.retries.SetInParent()
            builder._bind(node, expected, defaults, inputs, f"node {node_id} (map {target.name})")
            array = node.array_node
            sub = array.node
            sub.id = builder._next_id()
            sub.metadata.CopyFrom(meta)
            sub.inputs.extend(node.inputs)
            if self._mapped is not None:
                sub.task_node.reference_id.CopyFrom(builder._task_ref(self._mapped))
                sub.task_node.overrides.SetInParent()
            elif isinstance(target, LaunchPlanRef):
                ref = builder._resolve(target.id)
                builder._register_launch_plan(target, ref)
                sub.workflow_node.launchplan_ref.CopyFrom(ref)
            else:
                assert isinstance(target, Workflow)
                sub.workflow_node.sub_workflow_ref.CopyFrom(builder._embed(target))
            if self._mapped is None:
                builder._needs_full_check("an array node over a workflow or a launch plan")
            if self._concurrency is not None:
                array.parallelism = self._concurrency
            if self._min_successes is not None:
                array.min_successes = self._min_successes
            else:
                array.min_success_ratio = 1.0 if self._min_success_ratio is None else self._min_success_ratio
            array.execution_mode = self._execution_mode  # type: ignore[assignment]
            array.is_original_sub_node_interface.CopyFrom(wrappers_pb2.BoolValue(value=self._mapped is None))
            array.data_mode = self._data_mode  # type: ignore[assignment]
            array.bound_inputs.extend(self._bound)
            array.run_all_sub_nodes = self._run_all
        except BaseException:
            builder._take_back(nested, count)
            raise
        return NodeHandle(builder, node, node_id, outputs, nested)


def map_task(
    target: Task | Workflow | LaunchPlanRef,
    *,
    concurrency: int | None = None,
    min_successes: int | None = None,
    min_success_ratio: float | None = None,
    bound_inputs: Sequence[str] | AbstractSet[str] = (),
    execution_mode: str | None = None,
    data_mode: str | None = None,
    run_all_sub_nodes: bool = False,
) -> MappedTask:
    """Map ``target`` over list inputs: calling the result adds an array node.

    Every input not in ``bound_inputs`` takes a list; the outputs are lists. A task is run through a list-typed
    copy of its template (named and written as flytekit's ``map_task`` writes it); a workflow or a launch plan keeps
    its own interface (``is_original_sub_node_interface``).

    Args:
        concurrency: how many elements run at once (``parallelism``); None leaves it to the platform.
        min_successes, min_success_ratio: how many elements must succeed (one of them; default: all).
        bound_inputs: inputs given one value for every element.
        execution_mode: ``"minimal_state"`` (tasks' default) or ``"full_state"`` (workflows' default).
        data_mode: ``"single_input_file"`` (default) or ``"individual_input_files"``.
        run_all_sub_nodes: run every element even once the success criteria cannot be met.

    Raises:
        BuildError: both success criteria, a ratio outside [0, 1], an unknown bound input, an unknown mode.
    """
    return MappedTask(
        target,
        concurrency=concurrency,
        min_successes=min_successes,
        min_success_ratio=min_success_ratio,
        bound_inputs=bound_inputs,
        execution_mode=execution_mode,
        data_mode=data_mode,
        run_all_sub_nodes=run_all_sub_nodes,
    )


# --------------------------------------------------------------------------------------------------------------
# Launch plans


class LaunchPlanRef:
    """A reference to a registered launch plan, by identifier, with the interface it exposes; calling it adds a
    node that launches it."""

    def __init__(
        self,
        name: str,
        *,
        project: str = "",
        domain: str = "",
        version: str = "",
        org: str = "",
        inputs: Mapping[str, Any] | None = None,
        outputs: Any = None,
        node_name: str | None = None,
    ) -> None:
        where = f"launch plan {name!r}"
        if not isinstance(name, str) or not name:
            raise BuildError("launch_plan_ref", f"the name is a non-empty string, got {name!r}")
        self.name = name
        self.node_name = node_name or name.rsplit(".", 1)[-1]
        self.id = identifier(identifier_pb2.LAUNCH_PLAN, name, project, domain, version, org)
        in_map, self._defaults, in_names = variable_map(where, inputs, "inputs")
        out_map, _, out_names = variable_map(where, output_spec(outputs), "outputs")
        self._in_map, self._out_map = in_map, out_map
        self._inputs = ordered_types(in_map, in_names)
        self._outputs = ordered_types(out_map, out_names)

    @property
    def input_names(self) -> list[str]:
        return list(self._inputs)

    def _variables(self, role: str) -> dict[str, types_pb2.LiteralType]:
        return dict(self._inputs if role == "inputs" else self._outputs)

    def _interface_plan(self, ref: identifier_pb2.Identifier) -> launch_plan_pb2.LaunchPlan:
        """An admin ``LaunchPlan`` carrying just what a node needs to know: its id and interface."""
        plan = launch_plan_pb2.LaunchPlan()
        plan.id.CopyFrom(ref)
        for name, var in self._in_map.variables.items():
            parameter = plan.closure.expected_inputs.parameters[name]
            parameter.var.CopyFrom(var)
            if name in self._defaults:
                parameter.default.CopyFrom(
                    default_literal(f"launch plan {self.name!r}: {name}", self._defaults[name], var.type)
                )
            else:
                parameter.required = True
        plan.closure.expected_outputs.CopyFrom(self._out_map)
        return plan

    def __call__(self, **inputs: Any) -> NodeHandle:
        return current_builder(f"launch plan {self.name!r}").call_launch_plan(self, inputs)

    def __repr__(self) -> str:
        return f"LaunchPlanRef({self.name!r})"


@checked_arguments
def launch_plan_ref(
    name: str,
    *,
    project: str = "",
    domain: str = "",
    version: str = "",
    org: str = "",
    inputs: Mapping[str, Any] | None = None,
    outputs: Any = None,
    node_name: str | None = None,
) -> LaunchPlanRef:
    """A reference to a launch plan registered elsewhere, with its interface (``Input(type, default=...)`` marks an
    input the launch plan has a default for). Empty identity fields are filled with the calling workflow's.
    ``node_name`` names the nodes that launch it (default: the last part of its name, as flytekit names them)."""
    return LaunchPlanRef(
        name,
        project=project,
        domain=domain,
        version=version,
        org=org,
        inputs=inputs,
        outputs=outputs,
        node_name=node_name,
    )


# --------------------------------------------------------------------------------------------------------------
# Results


class Workflow:
    """A built workflow: its template, the tasks, subworkflows and launch plans it runs, and what can be made from
    them (closure, registration messages, compiled closure). Call it inside another builder to run it as a
    subworkflow.

    The messages are the workflow's own: copy them before changing them.
    """

    def __init__(
        self,
        template: workflow_pb2.WorkflowTemplate,
        tasks: list[tasks_pb2.TaskTemplate],
        subworkflows: list[workflow_pb2.WorkflowTemplate],
        launch_plans: list[launch_plan_pb2.LaunchPlan],
        defaults: Mapping[str, Any],
        docs: str | None,
        order: tuple[list[str], list[str]],
        dynamic: bool = False,
        checked: bool = False,
    ) -> None:
        self.template = template
        self._order = order
        self._checked = checked
        self.tasks = tasks
        self.subworkflows = subworkflows
        self.launch_plans = launch_plans
        self.default_values = dict(defaults)
        self._docs = docs
        self._dynamic = dynamic

    @property
    def name(self) -> str:
        return self.template.id.name

    @property
    def id(self) -> identifier_pb2.Identifier:
        return self.template.id

    @property
    def input_names(self) -> list[str]:
        """The input names, in declaration order."""
        return list(self._order[0])

    def _variables(self, role: str) -> dict[str, types_pb2.LiteralType]:
        """Input (or output) types by name, in declaration order."""
        if role == "inputs":
            return ordered_types(self.template.interface.inputs, self._order[0])
        return ordered_types(self.template.interface.outputs, self._order[1])

    @property
    def closure(self) -> workflow_closure_pb2.WorkflowClosure:
        """The ``WorkflowClosure``: the template and its tasks.

        Raises:
            BuildError: the workflow has subworkflows, which a closure cannot carry; use :meth:`spec` and
                ``tasks``, or :meth:`compile`.
        """
        if self.subworkflows:
            raise BuildError(
                f"workflow {self.name!r}",
                "a WorkflowClosure has no room for subworkflows; use spec() and tasks, or compile()",
            )
        return workflow_closure_pb2.WorkflowClosure(workflow=self.template, tasks=self.tasks)

    def spec(self) -> admin_workflow_pb2.WorkflowSpec:
        """The registration message ``WorkflowSpec``: the template and its subworkflows."""
        out = admin_workflow_pb2.WorkflowSpec(template=self.template, sub_workflows=self.subworkflows)
        fill_description(out.description, self._docs)
        return out

    def task_specs(self) -> list[admin_task_pb2.TaskSpec]:
        """The registration messages (``TaskSpec``) of the tasks, as ``pyflyte package`` writes them."""
        out = []
        for template in self.tasks:
            spec = admin_task_pb2.TaskSpec(template=template)
            spec.description.long_description.format = description_entity_pb2.DESCRIPTION_FORMAT_RST
            out.append(spec)
        return out

    def default_inputs(self) -> interface_pb2.ParameterMap:
        """Every input as a launch-plan parameter: a default where one was given, required otherwise."""
        out = interface_pb2.ParameterMap()
        for name, var in self.template.interface.inputs.variables.items():
            parameter = out.parameters[name]
            parameter.var.CopyFrom(var)
            if name in self.default_values:
                parameter.default.CopyFrom(
                    default_literal(f"workflow {self.name!r}: {name}", self.default_values[name], var.type)
                )
            else:
                parameter.required = True
        return out

    @checked_arguments
    def launch_plan(
        self,
        name: str | None = None,
        *,
        fixed_inputs: Mapping[str, Any] | None = None,
        defaults: Mapping[str, Any] | None = None,
    ) -> launch_plan_pb2.LaunchPlan:
        """A launch plan of this workflow (by default its default launch plan, named after it, as ``pyflyte
        package`` writes one), with input defaults overridden by ``defaults`` and inputs fixed by ``fixed_inputs``.

        Raises:
            BuildError: an input name the workflow does not have, or a value that does not fit its type.
        """
        plan = launch_plan_pb2.LaunchPlan()
        plan.id.CopyFrom(self.template.id)
        plan.id.resource_type = identifier_pb2.LAUNCH_PLAN
        plan.id.name = name or self.name
        spec = plan.spec
        spec.workflow_id.CopyFrom(self.template.id)
        spec.default_inputs.CopyFrom(self.default_inputs())
        variables = self.template.interface.inputs.variables
        where = f"launch plan {plan.id.name!r}"
        both = sorted(set(defaults or {}) & set(fixed_inputs or {}))
        if both:
            raise BuildError(
                f"{where}: fixed_inputs", f"{both[0]!r} is given a default too: an input is one or the other"
            )
        for label, values in (("defaults", defaults or {}), ("fixed_inputs", fixed_inputs or {})):
            for key, value in values.items():
                if key not in variables:
                    raise BuildError(f"{where}: {label}", f"{key!r} is not an input of workflow {self.name!r}")
                literal = default_literal(f"{where}: {label}.{key}", value, variables[key].type)
                if label == "defaults":
                    parameter = spec.default_inputs.parameters[key]
                    parameter.ClearField("required")
                    parameter.default.CopyFrom(literal)
                else:
                    del spec.default_inputs.parameters[key]
                    spec.fixed_inputs.literals[key].CopyFrom(literal)
        # Present though empty, as pyflyte writes them.
        for empty in (
            spec.fixed_inputs,
            spec.entity_metadata,
            spec.labels,
            spec.annotations,
            spec.raw_output_data_config,
        ):
            empty.SetInParent()
        plan.closure.expected_inputs.SetInParent()
        plan.closure.expected_outputs.SetInParent()
        return plan

    @checked_arguments
    def launch_plan_ref(self, name: str | None = None) -> LaunchPlanRef:
        """A reference to this workflow's launch plan named ``name`` (default: the workflow's name), to call or map
        in other workflows. Its interface is the workflow's, with the workflow's defaults; for a launch plan that
        fixes inputs, make the reference with :func:`launch_plan_ref` and its own interface."""
        ident = self.template.id
        variables = self.template.interface.inputs.variables
        inputs = {
            n: Input(t, default=self.default_values.get(n, MISSING), description=variables[n].description)
            for n, t in self._variables("inputs").items()
        }
        described = self.template.interface.outputs.variables
        outputs = {n: Output(t, description=described[n].description) for n, t in self._variables("outputs").items()}
        return LaunchPlanRef(
            name or self.name,
            project=ident.project,
            domain=ident.domain,
            version=ident.version,
            org=ident.org,
            inputs=inputs,
            outputs=outputs,
            node_name=self.name.rsplit(".", 1)[-1],
        )

    def validate(self) -> list[Diagnostic]:
        """Every diagnostic of the validator (see :func:`flytespec.validate.validate`) on the template, with its
        tasks, subworkflows and launch plans, and on each task: paths are the template's (``nodes[2]...``) and, for
        a task, ``tasks[i]...`` (``i`` its index in :attr:`tasks`)."""
        found = run_validator(
            self.template, tasks=self.tasks, subworkflows=self.subworkflows, launch_plans=self.launch_plans
        )
        # Every task is checked on its own below (used or not, with its path in `tasks`): not again as context.
        found = [d for d in found if not d.path.startswith(f"{CONTEXT}.tasks")]
        return sorted(found + self._task_diagnostics(), key=sort_key)

    def _validate_all_but_nodes(self) -> list[Diagnostic]:
        """What :meth:`validate` finds outside the nodes: each task, and the field rules of the workflow's own
        fields (the nodes and outputs were checked by the builder as it wrote them)."""
        shell = workflow_pb2.WorkflowTemplate()
        shell.id.CopyFrom(self.template.id)
        shell.metadata.CopyFrom(self.template.metadata)
        shell.interface.CopyFrom(self.template.interface)
        shell.metadata_defaults.CopyFrom(self.template.metadata_defaults)
        shell.nodes.add(id="n")  # a stand-in: the rules want nodes, and the builder's own were checked already
        rules = Run()
        check_rules(shell, rules.add)
        found = [d for d in rules.result() if not d.path.startswith("nodes[")]
        return sorted(found + self._task_diagnostics(), key=sort_key)

    def _task_diagnostics(self) -> list[Diagnostic]:
        found = []
        for i, task in enumerate(self.tasks):
            for d in run_validator(task):
                found.append(dataclasses.replace(d, path=f"tasks[{i}].{d.path}" if d.path else f"tasks[{i}]"))
        return found

    def check(self) -> None:
        """Raise if the workflow has errors.

        Raises:
            ValidationError: carrying every error.
        """
        found = errors(self.validate())
        if found:
            raise ValidationError(f"workflow {self.name!r}", found)

    def compile(self) -> compiler_pb2.CompiledWorkflowClosure:
        """The compiled closure, as Flyte's compiler builds it (see :func:`flytespec.compiler.compile`)."""
        from flytespec.compiler import compile as compile_workflow

        return compile_workflow(self.template, self.tasks, self.subworkflows, self.launch_plans)

    def __call__(self, **inputs: Any) -> NodeHandle:
        """Add a node running this workflow as a subworkflow to the workflow being built."""
        return current_builder(f"workflow {self.name!r}").call_workflow(self, inputs)

    def __repr__(self) -> str:
        return f"Workflow({self.name!r}, nodes={len(self.template.nodes)})"


# --------------------------------------------------------------------------------------------------------------
# Dynamic job specs


class DynamicJobBuilder(WorkflowBuilder):
    """Build the ``DynamicJobSpec`` a dynamic task returns at run time: nodes from calls with plain values (the
    dynamic task's inputs are known by then), and outputs (``dj.outputs(o0=...)``)."""

    def __init__(self, *, outputs: Any = None, min_successes: int | None = None, **identity: str) -> None:
        super().__init__("", outputs=outputs, dynamic=True, **identity)  # type: ignore[arg-type]
        if min_successes is not None:
            whole_number("dynamic job: min_successes", min_successes, 2**63 - 1)
        self._min_successes = min_successes

    def build(self, *, validate: bool = True) -> dynamic_job_pb2.DynamicJobSpec:  # type: ignore[override]
        """The ``DynamicJobSpec`` (``min_successes`` defaults to every node).

        Raises:
            BuildError: the builder is incomplete.
            ValidationError: the validator found errors.
        """
        if self._built:
            raise BuildError(self._where, "was built already; build() makes its spec once")
        self._finish(self._where)
        self._built = True
        t = self._template
        out = dynamic_job_pb2.DynamicJobSpec(
            nodes=t.nodes,
            outputs=t.outputs,
            tasks=list(self._tasks.values()),
            subworkflows=list(self._subworkflows.values()),
            min_successes=len(t.nodes) if self._min_successes is None else self._min_successes,
        )
        if validate:
            found = errors(run_validator(out, launch_plans=list(self._launch_plans.values())))
            if found:
                raise ValidationError("dynamic job", found)
        return out


@checked_arguments
def dynamic_job(
    *,
    outputs: Any = None,
    min_successes: int | None = None,
    project: str = "",
    domain: str = "",
    version: str = "",
    org: str = "",
) -> DynamicJobBuilder:
    """Start building a ``DynamicJobSpec`` (use it as ``with dynamic_job() as dj:``)."""
    return DynamicJobBuilder(
        outputs=outputs, min_successes=min_successes, project=project, domain=domain, version=version, org=org
    )


@checked_arguments
def workflow_from_function(
    fn: Callable[..., Any], *, name: str | None = None, validate: bool = True, **settings: Any
) -> Workflow:
    """A workflow written as a Python function, as with flytekit's ``@workflow``: the parameters' type hints are the
    inputs (their defaults are input defaults), the body calls tasks with the parameters (promises), and what it
    returns are the outputs, typed by the return annotation (a ``NamedTuple`` names them; otherwise ``o0``, ``o1``...).

    Usable as a decorator (``@workflow_from_function``); ``settings`` go to :func:`workflow`.

    Raises:
        BuildError: a parameter without a type hint, a return value that does not match the annotation.
        ValidationError: the validator found errors (unless ``validate=False``).
    """
    where = f"function {getattr(fn, '__qualname__', fn)!r}"
    inputs, outputs = function_interface(fn)
    names = list(outputs)
    builder = WorkflowBuilder(
        name or f"{fn.__module__}.{fn.__name__}",
        inputs=inputs,
        outputs=outputs or None,
        docs=inspect.getdoc(fn),
        **settings,
    )
    with builder:
        result = fn(**{n: builder.inputs[n] for n in inputs})
        if names:
            several = (len(names) > 1 or isinstance(result, tuple)) and not isinstance(result, Promise)
            values = list(result) if several else [result]
            if len(values) != len(names):
                counted = f"{len(values)} value{'' if len(values) == 1 else 's'}"
                raise BuildError(where, f"returns {counted}; the annotation names {len(names)}")
            builder.outputs(**dict(zip(names, values, strict=True)))
        elif result is not None:
            raise BuildError(where, "returns a value but has no return annotation")
    return builder.build(validate=validate)
