"""Launch plan checks: what Flyte's admin service checks when a launch plan is registered.

Default and fixed inputs must name workflow inputs with castable types; every parameter needs a default, to be
required, or an artifact query; a scheduled launch plan may leave no required input unbound but its kickoff-time
input, which must be a DATETIME; cron expressions must parse (a time zone may lead them); datetimes must be valid
timestamps; notifications fire on terminal phases only; launch conditions are not supported. Integers in the
Structs of default and fixed inputs are warned about, as in a task's ``custom`` (they come back as floats).
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Callable

from flytespec._walk import key_segment
from flytespec.admin import launch_plan_pb2
from flytespec.core import execution_pb2, literals_pb2, types_pb2, workflow_pb2
from flytespec.validate._diagnostics import Code, Severity
from flytespec.validate._rules import time_problem
from flytespec.validate._tasks import check_struct_integers
from flytespec.validate._types import castable, describe, literal_type_of_literal
from flytespec.validate._workflow import LaunchPlanInterface

__all__ = ["check_launch_plan", "launch_plan_interface"]

Emit = Callable[[Code, tuple[str, ...], str, Severity], None]

_TERMINAL = {
    execution_pb2.WorkflowExecution.SUCCEEDED,
    execution_pb2.WorkflowExecution.FAILED,
    execution_pb2.WorkflowExecution.ABORTED,
    execution_pb2.WorkflowExecution.TIMED_OUT,
}
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_EVERY = re.compile(r"@every ([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+")
_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_DAYS = "SUN MON TUE WED THU FRI SAT".split()
# (field name, smallest, largest, names)
_CRON_FIELDS: tuple[tuple[str, int, int, list[str]], ...] = (
    ("minute", 0, 59, []),
    ("hour", 0, 23, []),
    ("day of month", 1, 31, []),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 6, _DAYS),
)
_LABEL_KEY = re.compile(
    r"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
)
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")


_DIGITS = re.compile(r"[0-9]+")


def cron_problem(expression: str) -> str | None:
    """Why a cron expression does not parse as Flyte's scheduler reads it, or None: 5 fields or a descriptor, after
    an optional time zone (``CRON_TZ=Europe/Paris 0 6 * * *``, or ``TZ=``)."""
    text = expression.strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        zone, _, text = text.partition("=")[2].partition(" ")
        text = text.strip()
        if not text:
            return "a time zone must be followed by the schedule"
        if not _known_zone(zone):
            return f"unknown time zone {zone if len(zone) <= 64 else zone[:61] + '...'!r}"
    if text.startswith("@"):
        if text in _DESCRIPTORS or _EVERY.fullmatch(text):
            return None
        return f"unknown descriptor {text!r} (expected @hourly, @daily, @weekly, @monthly, @yearly or @every 1h)"
    fields = text.split()
    if len(fields) != 5:
        return f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
    for value, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for part in value.split(","):
            problem = _cron_part(part, low, high, names)
            if problem:
                return f"{name} field {value!r}: {problem}"
    return None


def _known_zone(name: str) -> bool:
    """Whether a time zone name is one the scheduler can load: a name of the IANA database, as Go's
    time.LoadLocation reads it. The names come from the tzdata package (a dependency) and the machine's own
    database; were both missing, any name would be accepted."""
    zones = _zones()
    return name in ("", "UTC", "Local") or name in zones or not zones  # Go reads "" as UTC


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _cron_number(text: str) -> int | None:
    """The value of a run of ASCII digits (any length: a long one is out of every cron range), or None."""
    if not _DIGITS.fullmatch(text):
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= 9 else 10**9


def _cron_part(part: str, low: int, high: int, names: list[str]) -> str | None:
    body, _, step = part.partition("/")
    if step and not _cron_number(step):
        return f"bad step {step!r}"
    if body in ("*", "?"):
        return None
    bounds = body.split("-")
    if len(bounds) > 2 or not all(bounds):
        return f"bad range {body!r}"
    numbers = []
    for bound in bounds:
        upper = bound.upper()
        if upper in names:
            numbers.append(names.index(upper) + (low if names is _MONTHS else 0))
        elif (number := _cron_number(bound)) is not None:
            numbers.append(number)
        else:
            return f"{bound!r} is not a number"
    if any(n < low or n > high for n in numbers):
        return f"values must be within {low}..{high}"
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        return f"range {body!r} runs backwards"
    return None


def _check_values(literal: literals_pb2.Literal, segments: tuple[str, ...], emit: Emit) -> None:
    """Check the values of a literal, in collections and maps to any depth: datetimes and durations must be valid
    (admin checks datetimes), and integers in Structs (generic scalars) are warned about."""
    stack = [(literal, segments)]
    while stack:
        current, where = stack.pop()
        kind = current.WhichOneof("value")
        scalar_kind = current.scalar.WhichOneof("value") if kind == "scalar" else None
        if scalar_kind == "generic":
            check_struct_integers(current.scalar.generic, (*where, "scalar", "generic"), emit)
        elif scalar_kind == "primitive" and (problem := time_problem(current.scalar.primitive)) is not None:
            emit(Code.InvalidValue, (*where, "scalar", "primitive", problem[0]), problem[1], Severity.ERROR)
        elif kind == "collection":
            items = current.collection.literals
            stack.extend((items[i], (*where, "collection", "literals", f"[{i}]")) for i in range(len(items)))
        elif kind == "map":
            entries = current.map.literals
            stack.extend((entries[k], (*where, "map", "literals", key_segment(k))) for k in entries)


def _phase_name(phase: int) -> str:
    names = {v.number: v.name for v in execution_pb2.WorkflowExecution.Phase.DESCRIPTOR.values}
    return names.get(phase, str(phase))


def launch_plan_interface(
    lp: launch_plan_pb2.LaunchPlan, workflow: workflow_pb2.WorkflowTemplate | None
) -> LaunchPlanInterface:
    """The interface a launch plan exposes to a node that runs it.

    From its closure when it has one; otherwise computed as admin computes it: the default inputs, plus every
    workflow input neither defaulted nor fixed, as required.
    """
    closure = lp.closure
    if closure.HasField("expected_inputs") or closure.HasField("expected_outputs"):
        inputs = {
            name: (p.var.type, p.WhichOneof("behavior") == "required" and p.required)
            for name, p in closure.expected_inputs.parameters.items()
        }
        return LaunchPlanInterface(inputs, {n: v.type for n, v in closure.expected_outputs.variables.items()})
    spec = lp.spec
    defaults = spec.default_inputs.parameters
    inputs = {name: (p.var.type, p.WhichOneof("behavior") == "required" and p.required) for name, p in defaults.items()}
    if workflow is None:
        return LaunchPlanInterface(inputs, {}, known=False)
    fixed = spec.fixed_inputs.literals
    for name, var in workflow.interface.inputs.variables.items():
        if name not in defaults and name not in fixed:
            inputs[name] = (var.type, True)
    return LaunchPlanInterface(inputs, {n: v.type for n, v in workflow.interface.outputs.variables.items()})


def check_launch_plan(
    lp: launch_plan_pb2.LaunchPlan,
    segments: tuple[str, ...],
    workflow: workflow_pb2.WorkflowTemplate | None,
    emit: Emit,
) -> None:
    """Admin's launch plan checks; those against the workflow's interface run when ``workflow`` is given."""
    spec = lp.spec
    base = (*segments, "spec")
    wf_inputs = dict(workflow.interface.inputs.variables) if workflow is not None else None

    def report(code: Code, rel: tuple[str, ...], text: str, severity: Severity = Severity.ERROR) -> None:
        emit(code, (*base, *rel), text, severity)

    for name, param in spec.default_inputs.parameters.items():
        where = ("default_inputs", "parameters", key_segment(name))
        if not name:
            report(Code.ValueRequired, where, "a default input needs a name")
        behavior = param.WhichOneof("behavior")
        if behavior is None or (behavior == "required" and not param.required):
            report(
                Code.ValueRequired,
                where,
                f"parameter {name!r} needs a default, to be required (true), or an artifact query",
            )
        declared = param.var.type if param.var.HasField("type") else None
        if param.WhichOneof("behavior") == "default" and declared is not None:
            inferred = literal_type_of_literal(param.default)
            if inferred is None:
                report(
                    Code.InvalidLiteralType, (*where, "default"), f"the type of the default of {name!r} cannot be told"
                )
            elif not castable(inferred, declared):
                report(
                    Code.MismatchingTypes,
                    (*where, "default"),
                    f"the default of {name!r} is {describe(inferred)}, not castable to its type {describe(declared)}",
                )
        if wf_inputs is not None:
            if name not in wf_inputs:
                report(Code.VariableNameNotFound, where, f"{name!r} is not an input of the workflow")
            elif declared is not None and not castable(declared, wf_inputs[name].type):
                report(
                    Code.MismatchingTypes,
                    (*where, "var", "type"),
                    f"{name!r} is declared {describe(declared)}, but the workflow input is "
                    f"{describe(wf_inputs[name].type)}",
                )
    for name, param in spec.default_inputs.parameters.items():
        if param.WhichOneof("behavior") == "default":
            _check_values(param.default, (*base, "default_inputs", "parameters", key_segment(name), "default"), emit)
    for name, literal in spec.fixed_inputs.literals.items():
        _check_values(literal, (*base, "fixed_inputs", "literals", key_segment(name)), emit)
    for name, literal in spec.fixed_inputs.literals.items():
        where = ("fixed_inputs", "literals", key_segment(name))
        if not name:
            report(Code.ValueRequired, where, "a fixed input needs a name")
        if literal.WhichOneof("value") is None:
            report(Code.ValueRequired, where, f"fixed input {name!r} has no value")
            continue
        if wf_inputs is not None:
            if name not in wf_inputs:
                report(Code.VariableNameNotFound, where, f"{name!r} is not an input of the workflow")
                continue
            inferred = literal_type_of_literal(literal)
            if inferred is None:
                report(Code.InvalidLiteralType, where, f"the type of fixed input {name!r} cannot be told")
            elif not castable(inferred, wf_inputs[name].type):
                report(
                    Code.MismatchingTypes,
                    where,
                    f"fixed input {name!r} is {describe(inferred)}, but the workflow input is "
                    f"{describe(wf_inputs[name].type)}",
                )
    _check_schedule(lp, workflow, report)
    for i, notification in enumerate(spec.entity_metadata.notifications):
        for j, phase in enumerate(notification.phases):
            if phase not in _TERMINAL:
                report(
                    Code.InvalidNotificationPhase,
                    ("entity_metadata", "notifications", f"[{i}]", "phases", f"[{j}]"),
                    f"notifications fire on terminal phases only (SUCCEEDED, FAILED, ABORTED, TIMED_OUT), not "
                    f"{_phase_name(phase)}",
                )
    if spec.entity_metadata.HasField("launch_conditions"):
        report(
            Code.InvalidValue,
            ("entity_metadata", "launch_conditions"),
            "launch conditions are not supported by Flyte's admin service",
        )
    for key in sorted(spec.labels.values):
        value = spec.labels.values[key]
        if not _LABEL_KEY.fullmatch(key) or len(key.rsplit("/", 1)[-1]) > 63:
            report(Code.InvalidValue, ("labels", "values", key_segment(key)), f"{key!r} is not a Kubernetes label key")
        elif not _LABEL_VALUE.fullmatch(value):
            report(
                Code.InvalidValue, ("labels", "values", key_segment(key)), f"{value!r} is not a Kubernetes label value"
            )


def _check_schedule(
    lp: launch_plan_pb2.LaunchPlan,
    workflow: workflow_pb2.WorkflowTemplate | None,
    report: Callable[..., None],
) -> None:
    metadata = lp.spec.entity_metadata
    if not metadata.HasField("schedule"):
        return
    schedule = metadata.schedule
    where = ("entity_metadata", "schedule")
    which = schedule.WhichOneof("ScheduleExpression")
    if which == "cron_schedule" and schedule.cron_schedule.schedule:
        problem = cron_problem(schedule.cron_schedule.schedule)
        if problem:
            report(Code.InvalidSchedule, (*where, "cron_schedule", "schedule"), f"invalid cron expression: {problem}")
    elif which == "cron_expression":
        fields = schedule.cron_expression.split()
        if len(fields) != 6:
            report(
                Code.InvalidSchedule,
                (*where, "cron_expression"),
                f"the deprecated cron_expression takes 6 fields (AWS syntax), got {len(fields)}; use cron_schedule",
            )
    if workflow is None:
        return
    interface = launch_plan_interface(lp, workflow)
    kickoff = schedule.kickoff_time_input_arg
    wf_inputs = workflow.interface.inputs.variables
    if kickoff:
        # Admin's test: the input is one the launch plan still takes (a default, or a workflow input it does not
        # fix), and its type is the simple type DATETIME (annotations and metadata aside).
        defaults = lp.spec.default_inputs.parameters
        if kickoff in defaults:
            kickoff_type: types_pb2.LiteralType | None = defaults[kickoff].var.type
        elif kickoff in wf_inputs and kickoff not in lp.spec.fixed_inputs.literals:
            kickoff_type = wf_inputs[kickoff].type
        else:
            kickoff_type = None
        if kickoff_type is None:
            report(
                Code.VariableNameNotFound,
                (*where, "kickoff_time_input_arg"),
                f"{kickoff!r} is not a free (unfixed) input of the workflow",
            )
        elif kickoff_type.WhichOneof("type") != "simple" or kickoff_type.simple != types_pb2.DATETIME:
            report(
                Code.MismatchingTypes,
                (*where, "kickoff_time_input_arg"),
                f"the kickoff time input {kickoff!r} must be DATETIME, not {describe(kickoff_type)}",
            )
    for name in sorted(interface.inputs):
        if interface.inputs[name][1] and name != kickoff:
            report(
                Code.ParameterNotBound,
                where,
                f"a scheduled launch plan cannot leave the required input {name!r} unbound (give it a default)",
            )
