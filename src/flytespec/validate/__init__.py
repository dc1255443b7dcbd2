"""Validation of Flyte specs: every check of Flyte's compiler and admin service, and what they miss.

:func:`validate` returns every problem at once, as :class:`Diagnostic` objects (code, severity, field path, node,
workflow, message), sorted and deterministic; :func:`check` raises one :class:`ValidationError` carrying them all.

What can be validated: TaskTemplate, WorkflowTemplate, WorkflowClosure, CompiledWorkflowClosure, DynamicJobSpec,
the registration messages TaskSpec, WorkflowSpec and LaunchPlan, CompiledTask, and any other message (its field
constraints only). References resolve against what the message holds (a closure's tasks, a spec's subworkflows)
and what is passed beside it (``tasks``, ``subworkflows``, ``launch_plans``, ``workflows``)::

    from flytespec.validate import validate, check

    for d in validate(workflow_spec, tasks=task_specs, launch_plans=launch_plans):
        print(d.path, d.code, d.message)
    check(closure)            # raises ValidationError when anything is wrong

Field constraints (required fields, ranges, patterns, formats) are declared in the IDL (``flytespec.options``)
and checked by one generic checker; the semantic checks (references, types, bindings, graph) are hand-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from google.protobuf.message import Message

from flytespec._compat import descriptor_of
from flytespec._gc import gc_paused
from flytespec._walk import equal, format_path
from flytespec.admin import launch_plan_pb2, task_pb2
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.core import compiler_pb2, dynamic_job_pb2, identifier_pb2, tasks_pb2, workflow_closure_pb2, workflow_pb2
from flytespec.interop import as_flytespec
from flytespec.validate._diagnostics import Code, Diagnostic, Severity, ValidationError
from flytespec.validate._launch_plan import check_launch_plan
from flytespec.validate._recompile import (
    MAX_COMPILES,
    MAX_RENAMED_ID,
    compile_counts,
    renamed_children,
    subworkflow_runs,
)
from flytespec.validate._rules import DNS_LABEL, check_rules
from flytespec.validate._run import CONTEXT, LaunchPlanLike, Run, TaskLike, WorkflowLike, join
from flytespec.validate._tasks import check_task
from flytespec.validate._workflow import (
    END_NODE,
    START_NODE,
    WorkflowResult,
    check_workflow,
    compiled_id_clashes,
    id_key,
    resource_type_name,
)

__all__ = ["MESSAGE_LIMIT", "Code", "Diagnostic", "Severity", "ValidationError", "check", "errors", "validate"]

_GRPC_DEFAULT = 4 << 20

#: The largest message Flyte's admin service takes in one gRPC call when its ``server.grpc.maxMessageSizeBytes`` is
#: not set (gRPC's own default, 4 MiB). A spec larger than three quarters of it gets a ``SpecTooLarge`` warning. Read
#: at each call: assign it to match an admin configured otherwise (0 turns the check off).
MESSAGE_LIMIT = _GRPC_DEFAULT


def _compiled_rules(
    emit: Callable[[Code, str, str | None, str | None, str], None],
) -> Callable[[Code, str, str | None, str | None, str], None]:
    """The field rules of compiled templates, less what the compiler itself writes: its start-node and end-node,
    which have no target, and the ids of branch children, which join their parents' (``<branch>-<child>``) and so
    may grow longer than a DNS label (only the ids a user chooses must fit one; Flyte shortens the names it makes
    from node ids)."""

    def filtered(code: Code, path: str, node_id: str | None, workflow: str | None, message: str) -> None:
        if code is Code.ValueRequired and node_id in (START_NODE, END_NODE) and path.endswith("]"):
            return
        if (
            code is Code.InvalidValue
            and path.endswith(("then_node.id", "else_node.id"))
            and node_id is not None
            and DNS_LABEL.fullmatch(node_id)
        ):
            return
        emit(code, path, node_id, workflow, message)

    return filtered


def _under(
    prefix: str, emit: Callable[[Code, str, str | None, str | None, str], None]
) -> Callable[[Code, str, str | None, str | None, str], None]:
    """``emit`` for paths relative to ``prefix``."""

    def prefixed(code: Code, path: str, node_id: str | None, workflow: str | None, message: str) -> None:
        full = prefix + path if not path or path.startswith("[") else f"{prefix}.{path}"
        emit(code, full, node_id, workflow, message)

    return prefixed


def _check_id_type(run: Run, ident: identifier_pb2.Identifier, segments: tuple[str, ...], expected: str) -> None:
    if ident.resource_type and resource_type_name(ident.resource_type) != expected:
        run.add(
            Code.ResourceTypeMismatch,
            join((*segments, "resource_type")),
            None,
            None,
            f"the identifier here must have resource type {expected}, not {resource_type_name(ident.resource_type)}",
        )


def _check_registered_id(run: Run, ident: identifier_pb2.Identifier, segments: tuple[str, ...], expected: str) -> None:
    """Admin's resource-type check on registration, where unset is wrong too. (Project, domain and version, which
    admin also requires, are left to the registering tool: packaged files leave them empty.)"""
    if ident.resource_type == 0:
        run.add(
            Code.ResourceTypeMismatch,
            join((*segments, "resource_type")),
            None,
            None,
            f"the identifier here must have resource type {expected}; it is unset",
        )
    else:
        _check_id_type(run, ident, segments, expected)


def _task(run: Run, task: tasks_pb2.TaskTemplate, segments: tuple[str, ...]) -> None:
    if task.HasField("id"):
        _check_id_type(run, task.id, (*segments, "id"), "TASK")
    check_task(task, segments, run.entity_emit)


def _check_size(run: Run, spec: Message) -> None:
    """SpecTooLarge: what Flyte would send of the spec in one gRPC message is near or over :data:`MESSAGE_LIMIT`.

    That is the whole spec, but for a WorkflowClosure, whose tasks are registered one by one: its workflow. A
    dynamic workflow's spec travels to admin compiled, in the event that reports its node (larger still). A message
    nested deeper than protobuf's pure-Python runtime can write is not measured (io.to_binary refuses it there)."""
    limit = MESSAGE_LIMIT
    if limit <= 0:
        return
    sent, path = (spec.workflow, "workflow") if isinstance(spec, workflow_closure_pb2.WorkflowClosure) else (spec, "")
    try:
        size = sent.ByteSize()
    except RecursionError:  # protobuf's pure-Python runtime recurses: it cannot write a message this deep at all
        return
    if size * 4 <= limit * 3:
        return
    if isinstance(spec, dynamic_job_pb2.DynamicJobSpec):
        outcome = "the dynamic node fails when its compiled workflow is reported to admin"
    else:
        outcome = "registering it fails"
    share = "over" if size > limit else f"{size * 100 // limit}% of"
    run.add(
        Code.SpecTooLarge,
        path,
        None,
        None,
        f"{size:,} bytes serialized, {share} the {limit:,}-byte gRPC message limit of Flyte's admin service (its "
        f"server.grpc.maxMessageSizeBytes, {_GRPC_DEFAULT:,} when unset): {outcome}"
        + ("" if size > limit else " if it grows past it"),
        Severity.WARNING,
    )


def _check_template(
    run: Run, wf: workflow_pb2.WorkflowTemplate, segments: tuple[str, ...], compiled: bool = False
) -> WorkflowResult:
    if wf.HasField("id"):
        _check_id_type(run, wf.id, (*segments, "id"), "WORKFLOW")
    return check_workflow(wf, segments, run.ctx, run.workflow_emit, compiled=compiled)


def _remaining_subworkflows(run: Run, *, compiled_only: bool = False) -> None:
    """The spec's subworkflows that nothing referenced are checked on their own too (those given beside it are
    context: checked when used). ``compiled_only``: those kept as written are not (a compiled closure holds them
    as Flyte's compiler does: without the tasks they reference); their field rules are checked all the same."""
    for key, (template, segments) in list(run.ctx.subworkflows.items()):
        compiled = key in run.ctx.compiled_subworkflows
        if key not in run.ctx.checked and segments[:1] != (CONTEXT,) and (compiled or not compiled_only):
            _check_template(run, template, segments, compiled)


def _check_used_context(run: Run) -> None:
    """The field rules and task checks of the tasks and subworkflows given beside the spec that it uses."""
    for entity, segments, compiled in run.context_entities:
        key = id_key(entity.id)
        if isinstance(entity, tasks_pb2.TaskTemplate):
            used = key in run.ctx.used_tasks and run.ctx.tasks.get(key) is entity
        else:
            used = key in run.ctx.checked and run.ctx.subworkflows[key][0] is entity  # only used ones are checked
        if not used:
            continue
        prefixed = _under(join(segments), run.add)
        check_rules(entity, _compiled_rules(prefixed) if compiled else prefixed)
        if isinstance(entity, tasks_pb2.TaskTemplate):
            _task(run, entity, segments)


def _compiled_parts(
    run: Run, compiled: compiler_pb2.CompiledWorkflow, result: WorkflowResult, base: tuple[str, ...]
) -> None:
    """What the compiler adds to a workflow it compiles: its start-node and end-node, and its connections."""
    _compiler_nodes_match(run, compiled, base)
    if not compiled.HasField("connections"):
        run.add(
            Code.ValueRequired,
            join((*base, "connections")),
            None,
            compiled.template.id.name or None,
            "the compiled workflow has no connections, without which it cannot run; compile it again",
        )
    else:
        _connections_match(run, compiled, result, base)


def _connections_match(
    run: Run, compiled: compiler_pb2.CompiledWorkflow, result: WorkflowResult, base: tuple[str, ...]
) -> None:
    if not result.ok:
        return
    for side, computed in (("upstream", result.upstream), ("downstream", result.downstream)):
        stored = getattr(compiled.connections, side)
        expected = {k: sorted(v) for k, v in computed.items()}
        actual = {k: list(stored[k].ids) for k in stored}
        if actual != expected:
            keys = sorted(
                set(actual) ^ set(expected) | {k for k in actual if k in expected and actual[k] != expected[k]}
            )
            run.add(
                Code.ConnectionsMismatch,
                join((*base, "connections", side)),
                None,
                compiled.template.id.name or None,
                f"the {side} connections do not match the workflow's nodes (first difference at node {keys[0]!r}); "
                "compile the workflow again",
            )


def _compiler_nodes_match(run: Run, compiled: compiler_pb2.CompiledWorkflow, base: tuple[str, ...]) -> None:
    """The nodes the compiler adds to a template it compiled: one bare ``start-node``, and one ``end-node`` whose
    inputs are the workflow outputs (the runtime reads the outputs from it)."""
    template = compiled.template
    found: dict[str, list[int]] = {START_NODE: [], END_NODE: []}
    for i, node in enumerate(template.nodes):
        if node.id in found:
            found[node.id].append(i)
    nodes = (*base, "template", "nodes")
    for node_id, where in found.items():
        if not where:
            problem, segments = f"has no {node_id}", nodes
        elif len(where) > 1:
            problem, segments = f"has {len(where)} nodes named {node_id}", (*nodes, f"[{where[1]}]")
        elif not _as_compiled(template.nodes[where[0]], template):
            what = "binds the workflow outputs and nothing else" if node_id == END_NODE else "holds only its id"
            problem, segments = f"changes its {node_id}, which {what}", (*nodes, f"[{where[0]}]")
        else:
            continue
        run.add(
            Code.CompiledNodeMismatch,
            join(segments),
            node_id,
            template.id.name or None,
            f"the compiled workflow {problem}; compile the workflow again",
        )


def _check_recompiled(run: Run, primary: WorkflowResult) -> None:
    """The ids the branch children of a subworkflow get when Flyte compiles it more than once (see _recompile)."""
    for key, times in compile_counts(subworkflow_runs(primary, run.ctx.checked)).items():
        result = run.ctx.checked[key]
        if times < 2 or result is None or not result.children or key in run.ctx.compiled_subworkflows:
            continue
        template, segments = run.ctx.subworkflows[key]
        name = template.id.name or None
        how_often = f"{times} times" if times < MAX_COMPILES else f"{MAX_COMPILES:,} times or more"
        why = f"Flyte compiles this subworkflow {how_often} (once per compile of each workflow that runs it) and "
        final = renamed_children(result, template, times)
        if final is None:
            run.add(
                Code.InvalidValue,
                join(segments),
                None,
                name,
                why + f"renames its branch nodes each time: their ids would grow past {MAX_RENAMED_ID} characters",
            )
            continue
        for child, renamed, first in compiled_id_clashes(result.top_level, result.children, final):
            run.add(
                Code.DuplicateNodeId,
                join((*segments, *child.segments, "id")),
                child.msg.id or None,
                name,
                why
                + f"renames its branch nodes each time: this one ends up named {renamed!r}, like "
                + ("Flyte's own node" if first is None else format_path(first)),
            )


def _as_compiled(node: workflow_pb2.Node, template: workflow_pb2.WorkflowTemplate) -> bool:
    """Whether a start-node or end-node is what the compiler writes (compared in place: outputs may nest deeper
    than a copy through the wire format goes)."""
    fields = [field.name for field, _ in node.ListFields()]
    if node.id == START_NODE:
        return fields == ["id"]
    return set(fields) <= {"id", "inputs"} and (
        len(node.inputs) == len(template.outputs)
        and all(equal(a, b) for a, b in zip(node.inputs, template.outputs, strict=True))
    )


def validate(
    spec: Message,
    *,
    tasks: Iterable[TaskLike] = (),
    subworkflows: Iterable[WorkflowLike] = (),
    launch_plans: Iterable[LaunchPlanLike] = (),
    workflows: Iterable[WorkflowLike] = (),
    check_context: bool = True,
) -> list[Diagnostic]:
    """Validate a spec and return every problem found, sorted by path.

    Args:
        spec: the message to validate (a flyteidl message is validated as the flytespec message of its type; so are
            those given below).
        tasks: tasks its task nodes may reference, besides those it holds (TaskTemplate, TaskSpec or CompiledTask).
        subworkflows: subworkflows its workflow nodes may reference, besides those it holds.
        launch_plans: launch plans its workflow nodes may reference (admin LaunchPlan or LaunchPlanTemplate).
        workflows: workflows a launch plan may launch (to check its inputs against the workflow's interface).
        check_context: whether what lies in the tasks and subworkflows given beside the spec (those it uses) is
            checked and reported too, under ``context.`` (compile puts them in its output). Pass False when they
            are validated on their own, as ``flytespec validate`` does for the files of a folder.

    Returns:
        Every diagnostic, errors and warnings, sorted by path then code; empty when the spec is valid.

    Raises:
        TypeError: ``spec`` (or something given beside it) is not a flytespec or flyteidl message of a type it
            takes.
    """
    with gc_paused():
        return run_validation(spec, tasks, subworkflows, launch_plans, workflows, check_context)[0].result()


def run_validation(
    spec: Message,
    tasks: Iterable[TaskLike],
    subworkflows: Iterable[WorkflowLike],
    launch_plans: Iterable[LaunchPlanLike],
    workflows: Iterable[WorkflowLike],
    check_context: bool = True,
) -> tuple[Run, WorkflowResult | None]:
    """Validate, returning the run (diagnostics, resolved references) and the primary workflow's check result."""
    spec = as_flytespec(spec)
    primary: WorkflowResult | None = None
    run = Run(check_context)
    run.add_context(tasks, subworkflows, launch_plans, workflows)
    if isinstance(spec, compiler_pb2.CompiledWorkflowClosure):
        check_rules(spec, _compiled_rules(run.add))
    else:
        check_rules(spec, run.add)
    _check_size(run, spec)

    if isinstance(spec, tasks_pb2.TaskTemplate):
        _task(run, spec, ())
    elif isinstance(spec, (task_pb2.TaskSpec, compiler_pb2.CompiledTask)):
        if spec.HasField("template"):
            _task(run, spec.template, ("template",))
    elif isinstance(spec, workflow_pb2.WorkflowTemplate):
        run.resolve_launch_plans()
        primary = _check_template(run, spec, ())
        _remaining_subworkflows(run)
    elif isinstance(spec, admin_workflow_pb2.WorkflowSpec):
        for i, sub in enumerate(spec.sub_workflows):
            run.add_subworkflow(sub, ("sub_workflows", f"[{i}]"))
        run.workflows.setdefault(id_key(spec.template.id), spec.template)
        run.resolve_launch_plans()
        if spec.HasField("template"):
            primary = _check_template(run, spec.template, ("template",))
        _remaining_subworkflows(run)
    elif isinstance(spec, workflow_closure_pb2.WorkflowClosure):
        for i, task in enumerate(spec.tasks):
            run.add_task(task, ("tasks", f"[{i}]"))
            _task(run, task, ("tasks", f"[{i}]"))
        run.workflows.setdefault(id_key(spec.workflow.id), spec.workflow)
        run.resolve_launch_plans()
        if spec.HasField("workflow"):
            primary = _check_template(run, spec.workflow, ("workflow",))
        _remaining_subworkflows(run)
    elif isinstance(spec, compiler_pb2.CompiledWorkflowClosure):
        for i, compiled_task in enumerate(spec.tasks):
            run.add_task(compiled_task.template, ("tasks", f"[{i}]", "template"))
            _task(run, compiled_task.template, ("tasks", f"[{i}]", "template"))
        for i, compiled_sub in enumerate(spec.sub_workflows):
            # One with connections was compiled; one without them is kept as written (nothing runs it).
            segments = ("sub_workflows", f"[{i}]", "template")
            run.add_subworkflow(compiled_sub.template, segments, compiled=compiled_sub.HasField("connections"))
        for lp in spec.launch_plans:
            run.add_launch_plan(lp.template)
        run.resolve_launch_plans()
        run_by_primary: set[bytes | None] = set()
        if spec.primary.HasField("template"):
            primary = _check_template(run, spec.primary.template, ("primary", "template"), compiled=True)
            _compiled_parts(run, spec.primary, primary, ("primary",))
            run_by_primary.update(subworkflow_runs(primary, run.ctx.checked))
        _remaining_subworkflows(run, compiled_only=True)
        for i, compiled_sub in enumerate(spec.sub_workflows):
            key = id_key(compiled_sub.template.id)
            checked = run.ctx.checked.get(key)
            if checked is None or run.ctx.subworkflows[key][0] is not compiled_sub.template:
                continue  # not checked, or a duplicate id (reported)
            if compiled_sub.HasField("connections") or key in run_by_primary:
                _compiled_parts(run, compiled_sub, checked, ("sub_workflows", f"[{i}]"))
    elif isinstance(spec, dynamic_job_pb2.DynamicJobSpec):
        for i, task in enumerate(spec.tasks):
            run.add_task(task, ("tasks", f"[{i}]"))
            _task(run, task, ("tasks", f"[{i}]"))
        for i, sub in enumerate(spec.subworkflows):
            run.add_subworkflow(sub, ("subworkflows", f"[{i}]"))
        run.resolve_launch_plans()
        wrapper = workflow_pb2.WorkflowTemplate(nodes=spec.nodes, outputs=spec.outputs)
        if spec.nodes:
            primary = check_workflow(wrapper, (), run.ctx, run.workflow_emit, typed_outputs=False)
        _remaining_subworkflows(run)
    elif isinstance(spec, launch_plan_pb2.LaunchPlan):
        run.resolve_launch_plans()
        if spec.HasField("id"):
            _check_registered_id(run, spec.id, ("id",), "LAUNCH_PLAN")
        if spec.spec.HasField("workflow_id"):
            _check_registered_id(run, spec.spec.workflow_id, ("spec", "workflow_id"), "WORKFLOW")
        workflow = run.workflows.get(id_key(spec.spec.workflow_id))
        check_launch_plan(spec, (), workflow, run.entity_emit)
    if primary is not None and not isinstance(spec, compiler_pb2.CompiledWorkflowClosure):
        _check_recompiled(run, primary)  # a compiled closure holds the final ids already
    if check_context:
        _check_used_context(run)
    return run, primary


def errors(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> list[Diagnostic]:
    """The diagnostics that make a spec invalid: errors, and warnings too when ``strict``."""
    return [d for d in diagnostics if strict or d.severity is Severity.ERROR]


def check(
    spec: Message,
    *,
    strict: bool = False,
    tasks: Iterable[TaskLike] = (),
    subworkflows: Iterable[WorkflowLike] = (),
    launch_plans: Iterable[LaunchPlanLike] = (),
    workflows: Iterable[WorkflowLike] = (),
    check_context: bool = True,
) -> None:
    """Validate ``spec`` (see :func:`validate`) and raise if it has errors (or, when ``strict``, warnings).

    Raises:
        ValidationError: carrying every problem found.
    """
    found = errors(
        validate(
            spec,
            tasks=tasks,
            subworkflows=subworkflows,
            launch_plans=launch_plans,
            workflows=workflows,
            check_context=check_context,
        ),
        strict=strict,
    )
    if found:
        raise ValidationError(descriptor_of(spec).full_name, found)
