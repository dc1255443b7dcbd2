"""Diagnostics: what the validators report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flytespec._compat import StrEnum
from flytespec.errors import FlytespecError

__all__ = ["Code", "Diagnostic", "Severity", "ValidationError", "sort_key"]


class Code(StrEnum):
    """Diagnostic codes. A code's name equals its value.

    The first group is the vocabulary of Flyte's compiler (``flytepropeller/pkg/compiler/errors``), used with the
    same meaning. The second group names what Flyte's compiler misses or only its admin service checks.
    """

    # Flyte's compiler.
    AmbiguousBindingUnionValue = "AmbiguousBindingUnionValue"
    BranchNodeHasNoCondition = "BranchNodeHasNoCondition"
    BranchNodeHasNoDefault = "BranchNodeHasNoDefault"
    BranchNodeIdNotFound = "BranchNodeIdNotFound"
    CycleDetected = "CycleDetected"
    DuplicateAlias = "DuplicateAlias"
    DuplicateId = "DuplicateId"
    FieldNotFound = "FieldNotFound"
    IllegalEnumValue = "IllegalEnumValue"
    IncompatibleBindingUnionValue = "IncompatibleBindingUnionValue"
    InvalidLiteralType = "InvalidLiteralType"
    InvalidValue = "InvalidValue"
    MismatchingBindings = "MismatchingBindings"
    MismatchingTypes = "MismatchingTypes"
    NoConditionFound = "NoConditionFound"
    NoEntryNodeFound = "NoEntryNodeFound"
    NoNodesFound = "NoNodesFound"
    NodeReferenceNotFound = "NodeReferenceNotFound"
    ParameterBoundMoreThanOnce = "ParameterBoundMoreThanOnce"
    ParameterNotBound = "ParameterNotBound"
    SyntaxError = "SyntaxError"
    TaskReferenceNotFound = "TaskReferenceNotFound"
    UnreachableNodes = "UnreachableNodes"
    UnrecognizedValue = "UnrecognizedValue"
    ValueRequired = "ValueRequired"
    VariableNameNotFound = "VariableNameNotFound"
    WorkflowReferenceNotFound = "WorkflowReferenceNotFound"

    # flytespec's own: what Flyte misses, or checks only at registration (admin) or run time.
    DuplicateNodeId = "DuplicateNodeId"
    ReservedNodeId = "ReservedNodeId"
    RecursiveSubworkflow = "RecursiveSubworkflow"
    ResourceTypeMismatch = "ResourceTypeMismatch"
    DuplicateResourceName = "DuplicateResourceName"
    ResourceLimitBelowRequest = "ResourceLimitBelowRequest"
    GpuNotWholeNumber = "GpuNotWholeNumber"
    GpuLimitNotEqualRequest = "GpuLimitNotEqualRequest"
    PrimaryContainerNotFound = "PrimaryContainerNotFound"
    InvalidPodSpec = "InvalidPodSpec"
    InvalidSchedule = "InvalidSchedule"
    InvalidNotificationPhase = "InvalidNotificationPhase"
    StructIntegerAsFloat = "StructIntegerAsFloat"
    ConnectionsMismatch = "ConnectionsMismatch"
    CompiledNodeMismatch = "CompiledNodeMismatch"
    UnreadableVariableName = "UnreadableVariableName"
    SpecTooLarge = "SpecTooLarge"


class Severity(StrEnum):
    """How bad a diagnostic is: an ``error`` makes the spec invalid; a ``warning`` does not (``--strict`` aside)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a spec.

    Attributes:
        code: what kind of problem (:class:`Code`).
        severity: :attr:`Severity.ERROR` or :attr:`Severity.WARNING`.
        path: field path from the root of the validated message (``workflow.nodes[3].inputs[1].binding``),
            ``""`` for the root itself.
        node_id: the node concerned, also inside branches, array nodes and subworkflows; None when none is.
        message: what is wrong and what was expected, for people (assert on ``code`` and ``path`` instead).
        workflow: the name of the workflow holding the node (the primary or a subworkflow), when there is one.
    """

    code: Code
    severity: Severity
    path: str
    node_id: str | None
    message: str
    workflow: str | None = field(default=None)

    def __str__(self) -> str:
        where = self.path or "<root>"
        node = (
            f" (node {self.node_id}" + (f" of {self.workflow}" if self.workflow else "") + ")" if self.node_id else ""
        )
        return f"{where}: {self.code}{node}: {self.message}"


_NUMBER = re.compile(r"([0-9]+)")


def sort_key(diagnostic: Diagnostic) -> tuple[object, ...]:
    """Order: by path (numbers compared as numbers: nodes[2] before nodes[10]), then code, node, message, workflow
    and severity (a total order: the result never depends on the order diagnostics were found in).

    Runs of digits (every other part of the split) compare by value, as (length without leading zeros, digits):
    exact for any length, where ``int()`` refuses more than 4,300 digits (a map key in a path can be that long).
    """
    parts = tuple(
        (len(p.lstrip("0")), p.lstrip("0"), p) if i % 2 else p for i, p in enumerate(_NUMBER.split(diagnostic.path))
    )
    return (
        parts,
        diagnostic.code.value,
        diagnostic.node_id or "",
        diagnostic.message,
        diagnostic.workflow or "",
        diagnostic.severity.value,
    )


class ValidationError(FlytespecError, ValueError):
    """A spec failed validation. ``diagnostics`` holds every problem found (errors, and warnings when strict)."""

    def __init__(self, message_type: str, diagnostics: list[Diagnostic]) -> None:
        self.message_type = message_type
        self.diagnostics = tuple(diagnostics)
        count = len(self.diagnostics)
        lines = "\n".join(f"  {d}" for d in self.diagnostics[:20])
        more = f"\n  ... and {count - 20} more" if count > 20 else ""
        super().__init__(f"invalid {message_type}: {count} problem{'s' if count != 1 else ''}\n{lines}{more}")
