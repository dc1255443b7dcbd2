"""The state of one validation run: collected diagnostics and what references resolve against."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flytespec._compat import type_name
from flytespec._walk import equal
from flytespec.admin import launch_plan_pb2, task_pb2
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.core import compiler_pb2, tasks_pb2, workflow_pb2
from flytespec.interop import as_flytespec
from flytespec.validate._diagnostics import Code, Diagnostic, Severity, sort_key
from flytespec.validate._launch_plan import launch_plan_interface
from flytespec.validate._workflow import Context, LaunchPlanInterface, id_key

__all__ = [
    "CONTEXT",
    "MESSAGE_MAX",
    "LaunchPlanLike",
    "Run",
    "TaskLike",
    "WorkflowLike",
    "join",
    "task_template",
    "workflow_templates",
]

TaskLike = tasks_pb2.TaskTemplate | task_pb2.TaskSpec | compiler_pb2.CompiledTask
WorkflowLike = workflow_pb2.WorkflowTemplate | admin_workflow_pb2.WorkflowSpec | compiler_pb2.CompiledWorkflow
LaunchPlanLike = launch_plan_pb2.LaunchPlan | workflow_pb2.LaunchPlanTemplate

#: The root of the paths of what is given beside the spec (``context.tasks[0]``, ``context.subworkflows[1]``).
CONTEXT = "context"

#: The longest diagnostic message, in characters: room for a cycle of 100,000 node ids, written out whole.
MESSAGE_MAX = 1 << 20


def join(segments: tuple[str, ...]) -> str:
    out = ""
    for seg in segments:
        out += seg if seg.startswith("[") or not out else f".{seg}"
    return out


class Run:
    """One validation: the collected diagnostics and what references resolve against."""

    def __init__(self, check_context: bool = True) -> None:
        self.found: set[Diagnostic] = set()
        # False: what lies in the tasks and subworkflows given beside the spec is neither checked nor reported.
        self.check_context = check_context
        self.ctx = Context()
        self.workflows: dict[bytes, workflow_pb2.WorkflowTemplate] = {}
        self.pending_launch_plans: list[launch_plan_pb2.LaunchPlan] = []
        # Tasks and subworkflows given beside the spec, each with its path under ``context`` (``context.tasks[0]``,
        # ``context.subworkflows[1].template``) and whether it is a compiled template. Those the spec uses are
        # checked too, as compile puts them in its output.
        self.context_entities: list[
            tuple[tasks_pb2.TaskTemplate | workflow_pb2.WorkflowTemplate, tuple[str, ...], bool]
        ] = []

    # emitters ------------------------------------------------------------------------------------------------

    def add(
        self,
        code: Code,
        path: str,
        node_id: str | None,
        workflow: str | None,
        message: str,
        severity: Severity = Severity.ERROR,
    ) -> None:
        if not self.check_context and path.startswith(CONTEXT + "."):
            return
        if len(message) > MESSAGE_MAX:  # a message quotes the spec: a 10 MB value must not be copied into each one
            message = f"{message[: MESSAGE_MAX - 40]}... ({len(message):,} characters in all)"
        self.found.add(Diagnostic(code, severity, path, node_id, message, workflow))

    def workflow_emit(
        self,
        code: Code,
        segments: tuple[str, ...],
        node_id: str | None,
        workflow: str | None,
        message: str,
        severity: Severity,
    ) -> None:
        self.add(code, join(segments), node_id, workflow, message, severity)

    def entity_emit(self, code: Code, segments: tuple[str, ...], message: str, severity: Severity) -> None:
        """For checks of one entity (a task, a launch plan): no node, no workflow."""
        self.add(code, join(segments), None, None, message, severity)

    # context -------------------------------------------------------------------------------------------------

    def add_task(self, task: tasks_pb2.TaskTemplate, segments: tuple[str, ...] | None) -> None:
        key = id_key(task.id)
        known = self.ctx.tasks.get(key)
        if known is not None and segments is not None:
            if not equal(known, task):
                self.add(
                    Code.DuplicateId,
                    join((*segments, "id")),
                    None,
                    None,
                    f"another task with the same identifier ({task.id.name}) has different content",
                )
            return
        self.ctx.tasks.setdefault(key, task)

    def add_subworkflow(
        self, wf: workflow_pb2.WorkflowTemplate, segments: tuple[str, ...], compiled: bool = False
    ) -> None:
        key = id_key(wf.id)
        if key in self.ctx.subworkflows:
            self.add(
                Code.DuplicateId,
                join((*segments, "id")),
                None,
                wf.id.name or None,
                f"another subworkflow has the same identifier ({wf.id.name})",
            )
            return
        self.ctx.subworkflows[key] = (wf, segments)
        if compiled:
            self.ctx.compiled_subworkflows.add(key)
        self.workflows.setdefault(key, wf)

    def add_context(
        self,
        tasks: Iterable[TaskLike],
        subworkflows: Iterable[WorkflowLike],
        launch_plans: Iterable[LaunchPlanLike],
        workflows: Iterable[WorkflowLike],
    ) -> None:
        for i, task in enumerate(_given(tasks, "tasks")):
            task_msg = task_template(task)
            self.add_task(task_msg, None)
            where = (CONTEXT, "tasks", f"[{i}]")
            self.context_entities.append((task_msg, where if task_msg is task else (*where, "template"), False))
        for i, sub in enumerate(_given(subworkflows, "subworkflows")):
            compiled = isinstance(sub, compiler_pb2.CompiledWorkflow)
            for template, segments in workflow_templates(sub, (CONTEXT, "subworkflows", f"[{i}]")):
                self.add_subworkflow(template, segments, compiled)
                self.context_entities.append((template, segments, compiled))
        for wf in _given(workflows, "workflows"):
            for template, _ in workflow_templates(wf, ()):
                self.workflows.setdefault(id_key(template.id), template)
        for lp in _given(launch_plans, "launch_plans"):
            self.add_launch_plan(lp)

    def add_launch_plan(self, lp: LaunchPlanLike) -> None:
        if isinstance(lp, workflow_pb2.LaunchPlanTemplate):
            fixed = lp.fixed_inputs.literals
            inputs = {n: (v.type, True) for n, v in lp.interface.inputs.variables.items() if n not in fixed}
            outputs = {n: v.type for n, v in lp.interface.outputs.variables.items()}
            self.ctx.launch_plans[id_key(lp.id)] = LaunchPlanInterface(inputs, outputs)
        elif isinstance(lp, launch_plan_pb2.LaunchPlan):
            self.pending_launch_plans.append(lp)
        else:
            raise TypeError(f"expected a LaunchPlan or LaunchPlanTemplate, got {type_name(lp)}")

    def resolve_launch_plans(self) -> None:
        """Admin LaunchPlans: their interface may need their workflow, known once everything was added."""
        for lp in self.pending_launch_plans:
            workflow = self.workflows.get(id_key(lp.spec.workflow_id))
            self.ctx.launch_plans[id_key(lp.id)] = launch_plan_interface(lp, workflow)

    def result(self) -> list[Diagnostic]:
        return sorted(self.found, key=sort_key)


def task_template(task: TaskLike) -> tasks_pb2.TaskTemplate:
    if isinstance(task, tasks_pb2.TaskTemplate):
        return task
    if isinstance(task, (task_pb2.TaskSpec, compiler_pb2.CompiledTask)):
        return task.template
    raise TypeError(f"expected a TaskTemplate, TaskSpec or CompiledTask, got {type_name(task)}")


def workflow_templates(
    wf: WorkflowLike, segments: tuple[str, ...]
) -> list[tuple[workflow_pb2.WorkflowTemplate, tuple[str, ...]]]:
    if isinstance(wf, workflow_pb2.WorkflowTemplate):
        return [(wf, segments)]
    if isinstance(wf, compiler_pb2.CompiledWorkflow):
        return [(wf.template, (*segments, "template"))]
    if isinstance(wf, admin_workflow_pb2.WorkflowSpec):
        return [(wf.template, (*segments, "template"))] + [
            (sub, (*segments, "sub_workflows", f"[{i}]")) for i, sub in enumerate(wf.sub_workflows)
        ]
    raise TypeError(f"expected a WorkflowTemplate, WorkflowSpec or CompiledWorkflow, got {type_name(wf)}")


def _given(values: Iterable[object], role: str) -> list[Any]:
    """What was given beside the spec, flyteidl messages converted (``role[i]`` names one that is no message)."""
    return [as_flytespec(value, f"{role}[{i}]") for i, value in enumerate(values)]
