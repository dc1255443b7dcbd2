"""Compiling workflows and tasks as Flyte's compiler does: ``CompiledWorkflowClosure`` and ``CompiledTask``.

:func:`compile` validates first (everything :func:`flytespec.validate.validate` checks) and refuses, with every
diagnostic, what it rejects. From a valid workflow it builds what Flyte's compiler (flytepropeller, v1.16.8) and
admin service build, message for message:

- the primary workflow's template, rewritten: ``start-node`` and ``end-node`` (which binds the workflow outputs)
  first, then the nodes in input order; empty interface maps made present; upstream node ids sorted; promises to the
  workflow inputs (empty node id) pointing at ``start-node``; branch children renamed ``<branch>-<child>``;
- its connections: for every node, the nodes it waits for (upstream) and the nodes waiting for it (downstream);
- the tasks the workflow needs (its subworkflows' included), in Flyte's order (by resource type, project, domain,
  name, version), each interface made present;
- the subworkflows given, in input order: those the workflow runs compiled like the primary, the others as given.
  As in Flyte, a subworkflow is compiled once per compile of each workflow that runs it, and each compile renames its
  branch children again (``b-c``, then ``b-b-c``; see :mod:`flytespec.validate._recompile`).

:func:`to_go_json` writes the result the way Flyte's Go code writes it (``jsonpb``), byte for byte, so outputs can
be compared with Flyte's own, and hashed as admin hashes them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from google.protobuf.message import Message

from flytespec._compat import descriptor_of
from flytespec._gc import gc_paused
from flytespec._walk import copy_into, copy_message
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.core import compiler_pb2, tasks_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.errors import EncodeError
from flytespec.interop import as_flytespec
from flytespec.io._codec import CodecError, guard_unknown_fields, message_to_value
from flytespec.validate import Diagnostic, Severity, ValidationError, run_validation, validate
from flytespec.validate._recompile import compile_counts, renamed_children, subworkflow_runs
from flytespec.validate._run import LaunchPlanLike, TaskLike, WorkflowLike, task_template, workflow_templates
from flytespec.validate._workflow import END_NODE, START_NODE, WorkflowResult, id_key

__all__ = ["CompileError", "compile", "compile_task", "to_go_json"]

WorkflowInput = workflow_pb2.WorkflowTemplate | admin_workflow_pb2.WorkflowSpec | workflow_closure_pb2.WorkflowClosure


class CompileError(ValidationError):
    """The spec does not compile; ``diagnostics`` says why (the same as :func:`flytespec.validate.validate`)."""


def compile_task(task: TaskLike) -> compiler_pb2.CompiledTask:
    """Compile a task (TaskTemplate, TaskSpec or CompiledTask): validate it and wrap its template.

    Raises:
        CompileError: the task has errors.
    """
    task = as_flytespec(task, "task")  # type: ignore[assignment]
    template = task_template(task)
    _refuse(task, validate(task))
    result = compiler_pb2.CompiledTask()
    copy_into(result.template, template)
    return result


def _refuse(spec: Message, diagnostics: list[Diagnostic]) -> None:
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise CompileError(descriptor_of(spec).full_name, errors)


def compile(
    workflow: WorkflowInput,
    tasks: Iterable[TaskLike] = (),
    subworkflows: Iterable[WorkflowLike] = (),
    launch_plans: Iterable[LaunchPlanLike] = (),
    workflows: Iterable[WorkflowLike] = (),
) -> compiler_pb2.CompiledWorkflowClosure:
    """Compile a workflow with the tasks, subworkflows and launch plans it references.

    Args:
        workflow: a WorkflowTemplate, a WorkflowSpec (its subworkflows are used), or a WorkflowClosure (its tasks
            are used).
        tasks: tasks (TaskTemplate, TaskSpec or CompiledTask); only those the workflow needs are in the result.
        subworkflows: subworkflows beside those ``workflow`` holds.
        launch_plans: launch plans the workflow's nodes run (admin LaunchPlan or LaunchPlanTemplate).
        workflows: the workflows those launch plans launch. A launch plan without a closure (as ``pyflyte package``
            writes it) has no interface of its own, so the bindings of a node running it are checked against the
            interface of its workflow, found here; without it they are not checked (a warning says so).

    Returns:
        The compiled closure, as Flyte's compiler builds it.

    Raises:
        CompileError: the workflow (or what it references) has errors; every diagnostic is attached.
    """
    # Validate copies: the compiler's rewrites (ids, promises) land in the copies, never in the caller's messages.
    given = as_flytespec(workflow, "workflow")
    if not isinstance(
        given, (workflow_pb2.WorkflowTemplate, admin_workflow_pb2.WorkflowSpec, workflow_closure_pb2.WorkflowClosure)
    ):
        got = descriptor_of(given).full_name
        raise TypeError(f"workflow: expected a WorkflowTemplate, WorkflowSpec or WorkflowClosure, got {got}")
    workflow = given
    spec = copy_message(workflow)
    extra_subworkflows: list[Any] = [
        copy_message(as_flytespec(sub, f"subworkflows[{i}]")) for i, sub in enumerate(subworkflows)
    ]
    with gc_paused():
        run, result = run_validation(spec, tasks, extra_subworkflows, launch_plans, workflows)
    _refuse(workflow, run.result())
    # A workflow is required in each input type, so one without it was refused above.
    assert result is not None
    if isinstance(spec, workflow_closure_pb2.WorkflowClosure):
        template = spec.workflow
    elif isinstance(spec, admin_workflow_pb2.WorkflowSpec):
        template = spec.template
    else:
        template = spec
    copies = [
        (id_key(t.id), t) for t in (spec.sub_workflows if isinstance(spec, admin_workflow_pb2.WorkflowSpec) else [])
    ]
    copies += [(id_key(t.id), t) for sub in extra_subworkflows for t, _ in workflow_templates(sub, ())]

    closure = compiler_pb2.CompiledWorkflowClosure()
    _compiled_workflow(closure.primary, template, result)
    counts = compile_counts(subworkflow_runs(result, run.ctx.checked))
    # The tasks of every subworkflow the workflow runs or maps (as admin's requirements of a workflow have them).
    required = (key for key in subworkflow_runs(result, run.ctx.checked, mapped=True) if key is not None)
    referenced = [sub for key in required if (sub := run.ctx.checked[key]) is not None]
    needed: dict[bytes, tasks_pb2.TaskTemplate] = {}
    for key in [*result.referenced_tasks, *(k for sub in referenced for k in sub.referenced_tasks)]:
        needed.setdefault(key, run.ctx.tasks[key])
    for key in sorted(needed, key=lambda k: _task_order(needed[k])):
        compiled_task = closure.tasks.add()
        copy_into(compiled_task.template, needed[key])
        if compiled_task.template.HasField("interface"):
            compiled_task.template.interface.inputs.SetInParent()
            compiled_task.template.interface.outputs.SetInParent()
    seen: set[bytes] = set()
    for key, copy in copies:
        if key in seen:
            continue
        seen.add(key)
        sub_result = run.ctx.checked.get(key)
        compiled_sub = closure.sub_workflows.add()
        if sub_result is not None and key in counts:  # run by the workflow: compiled
            if counts[key] > 1 and key not in run.ctx.compiled_subworkflows:
                _as_recompiled(sub_result, copy, counts[key])
            _compiled_workflow(compiled_sub, copy, sub_result)
        else:
            copy_into(compiled_sub.template, copy)
    return closure


def _task_order(task: tasks_pb2.TaskTemplate) -> tuple[int, str, str, str, str]:
    i = task.id
    return (i.resource_type, i.project, i.domain, i.name, i.version)


def _as_recompiled(result: WorkflowResult, template: workflow_pb2.WorkflowTemplate, times: int) -> None:
    """Give the branch children of a checked subworkflow, and its connections, the ids Flyte's compiles of it
    leave (see flytespec.validate._recompile); validation refused ids that would collide or grow too long."""
    final = renamed_children(result, template, times)
    assert final is not None
    renamed: dict[str, str] = {}
    for child in result.children:
        new_id = final[id(child.msg)]
        renamed[child.compiled_id] = new_id
        child.compiled_id = new_id
    for edges in (result.upstream, result.downstream):
        # All at once: a child's new id may be the old id of another (`b-b-e`).
        moved = {
            renamed.get(node_id, node_id): {renamed.get(t, t) for t in targets} for node_id, targets in edges.items()
        }
        edges.clear()
        edges.update(moved)


def _compiled_workflow(
    out: compiler_pb2.CompiledWorkflow, template: workflow_pb2.WorkflowTemplate, result: WorkflowResult
) -> None:
    """Fill ``out`` from a checked template copy: Flyte's template rewrites and the connection sets."""
    for promise in result.rewrites:
        promise.node_id = START_NODE
    failure = (template.failure_node,) if template.HasField("failure_node") else ()
    for msg in (*(node.msg for node in (*result.top_level, *result.children)), *failure):
        ids = sorted(msg.upstream_node_ids)
        del msg.upstream_node_ids[:]
        msg.upstream_node_ids.extend(ids)
    for child in result.children:
        child.msg.id = child.compiled_id
    compiled = out.template
    copy_into(compiled, template)
    compiled.interface.inputs.SetInParent()
    compiled.interface.outputs.SetInParent()
    del compiled.nodes[:]
    compiled.nodes.add(id=START_NODE)
    end = compiled.nodes.add(id=END_NODE)
    for output in template.outputs:
        copy_into(end.inputs.add(), output)
    for node in result.top_level:
        copy_into(compiled.nodes.add(), node.msg)
    for side, edges in (("upstream", result.upstream), ("downstream", result.downstream)):
        target = getattr(out.connections, side)
        for node_id in sorted(edges):
            target[node_id].ids.extend(sorted(edges[node_id]))


# --------------------------------------------------------------------------------------------------------------
# Go's jsonpb, byte for byte


def to_go_json(message: Message, *, drop_unknown_fields: bool = False) -> str:
    """``message`` as Flyte's Go code writes it with ``jsonpb.Marshaler{}``: fields in ``.proto`` declaration order,
    map and Struct keys sorted, compact, integral doubles without ``.0``, ``<``, ``>`` and ``&`` escaped, 64-bit
    integers as strings, enums by name.

    Args:
        message: the message.
        drop_unknown_fields: write it even if it holds fields this version does not know, leaving them out (with a
            :class:`~flytespec.errors.FlytespecWarning`), as :func:`flytespec.io.to_json` does.

    Raises:
        UnknownFieldsError: the message holds unknown fields (JSON cannot carry them) and ``drop_unknown_fields``
            is false.
        EncodeError: a value has no JSON form (see :func:`flytespec.io.to_dict`), or the message is nested deeper than
            Python's ``json`` module writes.
    """
    name = descriptor_of(message).full_name
    guard_unknown_fields(message, drop_unknown_fields)
    try:
        value = _declaration_order(message, message_to_value(message))
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str, allow_nan=False)
    except CodecError as err:
        raise EncodeError(err.reason, message_type=name, path=err.path) from None
    except RecursionError:
        raise EncodeError("the message is nested too deeply to write as JSON", message_type=name) from None
    return text.translate(_HTML_ESCAPES)


_HTML_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _declaration_order(message: Message, value: Any) -> Any:
    """Reorder the JSON form of ``message`` into declaration order and Go's number formatting (iteratively)."""
    root: dict[str, Any] = {"": None}
    stack: list[tuple[Any, Any, Any, Any]] = [(message.DESCRIPTOR, value, root, "")]
    while stack:
        desc, val, container, key = stack.pop()
        if desc is None or not isinstance(val, dict) or desc.full_name in _GO_AS_IS:
            container[key] = _go_numbers(val)
            continue
        if desc.full_name == "google.protobuf.Any":
            container[key] = _go_numbers(val)
            continue
        ordered: dict[str, Any] = {}
        container[key] = ordered
        for field in desc.fields:
            name = field.json_name
            if name not in val:
                continue
            item = val[name]
            sub = field.message_type if field.type == field.TYPE_MESSAGE else None
            if sub is not None and sub.GetOptions().map_entry:
                value_field = sub.fields_by_name["value"]
                value_desc = value_field.message_type if value_field.type == value_field.TYPE_MESSAGE else None
                mapped: dict[str, Any] = {}
                ordered[name] = mapped
                for k in sorted(item):
                    mapped[k] = None
                    stack.append((value_desc, item[k], mapped, k))
            elif isinstance(item, list) and sub is not None:
                items: list[Any] = [None] * len(item)
                ordered[name] = items
                for i, element in enumerate(item):
                    stack.append((sub, element, items, i))
            else:
                ordered[name] = None
                stack.append((sub, item, ordered, name))
    return root[""]


# Well-known types whose JSON form is not an object of fields (or is one already in its final order).
_GO_AS_IS = frozenset(
    {
        "google.protobuf.Struct",
        "google.protobuf.Value",
        "google.protobuf.ListValue",
        "google.protobuf.Duration",
        "google.protobuf.Timestamp",
    }
)


def _go_numbers(value: Any) -> Any:
    """Integral doubles as integers (Go writes 1, not 1.0), and Struct keys sorted, throughout a JSON value."""
    root: dict[str, Any] = {"": value}
    stack: list[tuple[Any, Any]] = [(root, "")]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, float) and math.isfinite(item) and item.is_integer() and abs(item) < 1e21:
            container[key] = int(item)
        elif isinstance(item, dict):
            fresh = {k: item[k] for k in sorted(item)}
            container[key] = fresh
            stack.extend((fresh, k) for k in fresh)
        elif isinstance(item, list):
            copy = list(item)
            container[key] = copy
            stack.extend((copy, i) for i in range(len(copy)))
    return root[""]
