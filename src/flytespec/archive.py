"""``pyflyte package`` archives, and validating a group of spec files together.

``pyflyte package`` writes a ``.tgz`` of numbered protobuf files, one per registered entity: ``NNN_<name>_1.pb``
is an admin ``TaskSpec``, ``_2.pb`` a ``WorkflowSpec``, ``_3.pb`` a ``LaunchPlan``. :func:`read_archive` reads
such an archive in memory (nothing is extracted to disk) and refuses what is unsafe or absurd: links, devices,
absolute paths or ``..`` in member names, too many members, members or totals too large (:class:`Limits`).

The entities of one archive (or of one folder, or of the files given together on the command line) reference each
other: workflows name their tasks, subworkflows and launch plans by identifier, launch plans name their workflow.
:func:`validate_group` validates every spec of a group with the others it references beside it, so that a
workflow is checked against its tasks and a launch plan's default and fixed inputs against its workflow's
interface::

    from flytespec import archive

    pkg = archive.read_archive("flyte-package.tgz")
    for member, diagnostics in zip(pkg.members, archive.validate_group([m.message for m in pkg.members])):
        for d in diagnostics:
            print(f"{member_label(pkg, member)}: {d}")

References match identical identifiers only (resource type, project, domain, name and version), as in Flyte.
"""

from __future__ import annotations

import io as _stdlib_io
import os
import re
import tarfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

from google.protobuf.message import Message

from flytespec import io
from flytespec._walk import submessages
from flytespec.admin import launch_plan_pb2, task_pb2
from flytespec.admin import workflow_pb2 as admin_workflow_pb2
from flytespec.core import (
    dynamic_job_pb2,
    identifier_pb2,
    tasks_pb2,
    workflow_closure_pb2,
    workflow_pb2,
)
from flytespec.errors import DecodeError, FlytespecError
from flytespec.registry import MessageType
from flytespec.validate import Diagnostic, validate

__all__ = [
    "ARCHIVE_SUFFIXES",
    "Archive",
    "Limits",
    "Member",
    "Related",
    "is_archive_name",
    "member_label",
    "read_archive",
    "related",
    "validate_group",
]

#: File name endings read as archives.
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar")


@dataclass(frozen=True, slots=True)
class Limits:
    """What :func:`read_archive` accepts at most. The defaults are far beyond any real package.

    Attributes:
        max_members: entries in the archive (files and folders).
        max_member_bytes: size of one member, uncompressed.
        max_total_bytes: size of all spec members together, uncompressed.
    """

    max_members: int = 100_000
    max_member_bytes: int = 256 << 20
    max_total_bytes: int = 1 << 30


@dataclass(frozen=True, slots=True)
class Member:
    """One spec file of an archive.

    Attributes:
        name: its path inside the archive (``pkg/002_wf_2.pb``).
        message: the spec read from it, or None when it could not be read (see ``error``).
        error: why it could not be read, or None.
    """

    name: str
    message: Message | None
    error: FlytespecError | None = None


@dataclass(frozen=True, slots=True)
class Archive:
    """An archive read by :func:`read_archive`.

    Attributes:
        name: how errors and reports name the archive (its path).
        members: its spec files (a known spec extension: ``.pb``, ``.json``, ``.yaml``...), sorted by name.
        skipped: ``(name, reason)`` for each other file (such as the source bundle ``pyflyte package --fast`` adds),
            sorted by name: they are not specs, and are reported rather than silently ignored.
    """

    name: str
    members: list[Member]
    skipped: list[tuple[str, str]] = field(default_factory=list)


def member_label(pkg: Archive, member: Member | str) -> str:
    """How reports name a member: ``ARCHIVE!/MEMBER`` (the archive's path, then the member's path inside it)."""
    return f"{pkg.name}!/{member if isinstance(member, str) else member.name}"


def is_archive_name(name: str | os.PathLike[str]) -> bool:
    """Whether a file name says it is an archive (``.tgz``, ``.tar.gz``, ``.tar``)."""
    return str(name).lower().endswith(ARCHIVE_SUFFIXES)


def _refuse(source: str, reason: str) -> DecodeError:
    return DecodeError(reason, source=source)


def _member_name(source: str, info: tarfile.TarInfo) -> str:
    name = info.name
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise _refuse(source, f"the member {name!r} has an absolute path: refused")
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        raise _refuse(source, f"the member {name!r} reaches outside the archive ('..'): refused")
    return "/".join(p for p in parts if p != ".")


def read_archive(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    name: str | None = None,
    message_type: MessageType | None = None,
    limits: Limits | None = None,
) -> Archive:
    """Read a ``pyflyte package`` archive (``.tgz``, ``.tar.gz`` or plain ``.tar``) in memory.

    Each spec member is read with :func:`flytespec.io.loads` (format from its extension, message type from its
    ``pyflyte package`` name or its content). A member that cannot be read does not stop the others: its
    :class:`Member` carries the error.

    Args:
        source: a path, the archive's bytes, or an open binary file.
        name: how errors name the archive; the path (or the file's name) by default. Members are named
            ``NAME!/MEMBER`` (:func:`member_label`).
        message_type: the type of every spec member; detected per member when None.
        limits: sizes and counts accepted at most (:class:`Limits` defaults when None).

    Returns:
        The archive's spec members and the files skipped.

    Raises:
        DecodeError: the archive cannot be read, is not a tar archive, or is refused (a link, a device, an absolute
            path or ``..`` in a member name, a limit exceeded). Nothing is read from a refused archive.
    """
    if isinstance(source, (str, os.PathLike)):
        label = name or os.fspath(source)
        try:
            handle: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as err:
            raise _refuse(label, err.strerror or str(err)) from None
    elif isinstance(source, (bytes, bytearray, memoryview)):
        label = name or "<bytes>"
        handle = _stdlib_io.BytesIO(bytes(source))
    else:
        label = name or str(getattr(source, "name", "<archive>"))
        handle = source
    try:
        return _read(handle, label, limits or Limits(), message_type)
    finally:
        if isinstance(source, (str, os.PathLike)):
            handle.close()


def _read(handle: IO[bytes], label: str, limits: Limits, message_type: MessageType | None) -> Archive:
    try:
        tar = tarfile.open(fileobj=handle, mode="r:*")  # noqa: SIM115 - closed by the `with` below
    except (tarfile.TarError, OSError, EOFError) as err:
        raise _refuse(label, _not_an_archive(err)) from None
    wanted: list[tuple[str, tarfile.TarInfo]] = []
    skipped: list[tuple[str, str]] = []
    total = 0
    with tar:
        try:
            count = 0
            for info in tar:
                count += 1
                if count > limits.max_members:
                    raise _refuse(label, f"more than {limits.max_members} members: refused")
                member = _member_name(label, info)
                if info.isdir():
                    continue
                if info.issym() or info.islnk():
                    raise _refuse(label, f"the member {info.name!r} is a link: refused (archives must hold files only)")
                if not info.isfile():
                    raise _refuse(label, f"the member {info.name!r} is not a regular file: refused")
                if io.format_from_name(member) is None:
                    skipped.append((member, f"not a spec file (its extension is none of {', '.join(io.EXTENSIONS)})"))
                    continue
                if info.size > limits.max_member_bytes:
                    raise _refuse(
                        label, f"the member {member!r} is {info.size} bytes, over {limits.max_member_bytes}: refused"
                    )
                total += info.size
                if total > limits.max_total_bytes:
                    raise _refuse(label, f"the spec members hold more than {limits.max_total_bytes} bytes: refused")
                wanted.append((member, info))
            counts = Counter(m for m, _ in wanted)
            repeated = sorted(n for n, count in counts.items() if count > 1)
            if repeated:
                raise _refuse(label, f"the member {repeated[0]!r} appears more than once: refused")
            members = []
            for member, info in sorted(wanted, key=lambda pair: pair[0]):
                extracted = tar.extractfile(info)
                if extracted is None:  # pragma: no cover - regular files always extract
                    raise _refuse(label, f"cannot read the member {member!r}")
                data = extracted.read(limits.max_member_bytes + 1)
                if len(data) != info.size:
                    raise _refuse(label, f"the member {member!r} is truncated")
                members.append(_load_member(label, member, data, message_type))
        except DecodeError:
            raise  # a refusal of ours (a link, a duplicate...): already worded
        except (tarfile.TarError, OSError, EOFError, ValueError) as err:
            raise _refuse(label, f"a corrupt archive ({_one_line(err)})") from None
    return Archive(label, members, sorted(skipped))


_COMPRESSIONS = {"gz": "a gzip file", "bz2": "a bzip2 file", "xz": "an xz file"}
_NOT_AN_ARCHIVE = "not a gzip, bzip2, xz or tar archive"


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _not_an_archive(err: BaseException) -> str:
    """Why tarfile could not open a file, in one line.

    tarfile tries each compression, then plain tar, and lists the reason of each method on a line of its own.
    """
    if isinstance(err, EOFError):
        return f"a truncated archive ({_one_line(err)})"
    if not isinstance(err, tarfile.ReadError):
        return f"not a readable .tgz or .tar archive ({_one_line(err)})"
    reasons = {m: r for m, _, r in re.findall(r"^- method (\w+): \w+\((['\"])(.*)\2\)$", str(err), re.M)}
    for method, what in _COMPRESSIONS.items():
        reason = reasons.get(method, "not a")
        if reason.startswith("not a") or reason == "empty file":
            continue
        if "error" in reason:
            return f"{what}, but corrupt ({reason})"
        # The compression was read, but what it holds is not tar.
        return f"{what}, but not a tar archive inside ({reason})"
    if reasons.get("tar") == "empty file":
        return f"an empty file, {_NOT_AN_ARCHIVE}"
    return _NOT_AN_ARCHIVE


def _load_member(label: str, member: str, data: bytes, message_type: MessageType | None) -> Member:
    try:
        return Member(member, io.loads(data, message_type, source=f"{label}!/{member}"))
    except FlytespecError as err:
        return Member(member, None, err)


# --------------------------------------------------------------------------------------------------------------
# Validating a group of specs together


def _key(identifier: identifier_pb2.Identifier) -> bytes:
    # As the validator matches references: identical identifiers only.
    return identifier.SerializeToString(deterministic=True)


@dataclass(slots=True)
class _Index:
    tasks: dict[bytes, tasks_pb2.TaskTemplate] = field(default_factory=dict)
    templates: dict[bytes, workflow_pb2.WorkflowTemplate] = field(default_factory=dict)
    launch_plans: dict[bytes, launch_plan_pb2.LaunchPlan] = field(default_factory=dict)


def _index(specs: Sequence[Message | None]) -> _Index:
    index = _Index()
    for spec in specs:
        if isinstance(spec, task_pb2.TaskSpec) and spec.HasField("template"):
            index.tasks.setdefault(_key(spec.template.id), spec.template)
        elif isinstance(spec, tasks_pb2.TaskTemplate):
            index.tasks.setdefault(_key(spec.id), spec)
        elif isinstance(spec, admin_workflow_pb2.WorkflowSpec):
            for template in (spec.template, *spec.sub_workflows):
                index.templates.setdefault(_key(template.id), template)
        elif isinstance(spec, workflow_pb2.WorkflowTemplate):
            index.templates.setdefault(_key(spec.id), spec)
        elif isinstance(spec, workflow_closure_pb2.WorkflowClosure):
            index.templates.setdefault(_key(spec.workflow.id), spec.workflow)
            for task in spec.tasks:
                index.tasks.setdefault(_key(task.id), task)
        elif isinstance(spec, launch_plan_pb2.LaunchPlan):
            index.launch_plans.setdefault(_key(spec.id), spec)
    return index


def _references(message: Message) -> tuple[set[bytes], set[bytes], set[bytes]]:
    """The task, subworkflow and launch plan identifiers referenced anywhere in ``message``."""
    tasks: set[bytes] = set()
    subworkflows: set[bytes] = set()
    launch_plans: set[bytes] = set()
    for _, m in submessages(message):
        if isinstance(m, workflow_pb2.TaskNode):
            if m.HasField("reference_id"):
                tasks.add(_key(m.reference_id))
        elif isinstance(m, workflow_pb2.WorkflowNode):
            if m.HasField("sub_workflow_ref"):
                subworkflows.add(_key(m.sub_workflow_ref))
            elif m.HasField("launchplan_ref"):
                launch_plans.add(_key(m.launchplan_ref))
    return tasks, subworkflows, launch_plans


def _own(spec: Message) -> tuple[set[bytes], set[bytes]]:
    """Task and workflow identifiers a spec holds itself (never supplied again from the group)."""
    if isinstance(spec, admin_workflow_pb2.WorkflowSpec):
        return set(), {_key(t.id) for t in (spec.template, *spec.sub_workflows)}
    if isinstance(spec, workflow_closure_pb2.WorkflowClosure):
        return {_key(t.id) for t in spec.tasks}, {_key(spec.workflow.id)}
    if isinstance(spec, dynamic_job_pb2.DynamicJobSpec):
        return {_key(t.id) for t in spec.tasks}, {_key(t.id) for t in spec.subworkflows}
    if isinstance(spec, workflow_pb2.WorkflowTemplate):
        return set(), {_key(spec.id)}
    return set(), set()


@dataclass(frozen=True, slots=True)
class Related:
    """What one spec references from its group (see :func:`related`), each list in a stable order."""

    tasks: list[tasks_pb2.TaskTemplate]
    subworkflows: list[workflow_pb2.WorkflowTemplate]
    launch_plans: list[launch_plan_pb2.LaunchPlan]
    workflows: list[workflow_pb2.WorkflowTemplate]


def related(spec: Message, group: Sequence[Message | None]) -> Related:
    """What ``spec`` references from ``group`` and does not hold itself, transitively through subworkflows.

    ``tasks``, ``subworkflows`` and ``launch_plans`` are referenced by its nodes; ``workflows`` are the workflows of
    those launch plans, or, for a LaunchPlan, the workflow it launches. Unresolved references are left out (the
    validator reports them).
    """
    return _related(spec, _index(group))


def _related(spec: Message, index: _Index) -> Related:
    if isinstance(spec, launch_plan_pb2.LaunchPlan):
        workflow = index.templates.get(_key(spec.spec.workflow_id))
        return Related([], [], [], [workflow] if workflow is not None else [])
    own_tasks, own_workflows = _own(spec)
    tasks: dict[bytes, tasks_pb2.TaskTemplate] = {}
    subworkflows: dict[bytes, workflow_pb2.WorkflowTemplate] = {}
    launch_plans: dict[bytes, launch_plan_pb2.LaunchPlan] = {}
    pending: list[Message] = [spec]
    while pending:
        task_refs, sub_refs, lp_refs = _references(pending.pop())
        for key in sorted(task_refs - own_tasks):
            if key in index.tasks:
                tasks.setdefault(key, index.tasks[key])
        for key in sorted(sub_refs - own_workflows):
            if key in index.templates and key not in subworkflows:
                subworkflows[key] = index.templates[key]
                pending.append(index.templates[key])
        for key in sorted(lp_refs):
            if key in index.launch_plans:
                launch_plans.setdefault(key, index.launch_plans[key])
    launched = sorted({_key(lp.spec.workflow_id) for lp in launch_plans.values()})
    workflows = [index.templates[k] for k in launched if k in index.templates]
    return Related(list(tasks.values()), list(subworkflows.values()), list(launch_plans.values()), workflows)


_WORKFLOWS = (
    admin_workflow_pb2.WorkflowSpec,
    workflow_pb2.WorkflowTemplate,
    workflow_closure_pb2.WorkflowClosure,
    dynamic_job_pb2.DynamicJobSpec,
)


def validate_group(
    specs: Sequence[Message | None],
    *,
    context: Sequence[Message] = (),
    progress: Callable[[], object] | None = None,
) -> list[list[Diagnostic]]:
    """Validate each spec of a group with what it references from the others.

    A workflow (WorkflowSpec, WorkflowTemplate, WorkflowClosure, DynamicJobSpec) gets the tasks, subworkflows and
    launch plans it references (directly or through those subworkflows) that it does not hold itself; a launch plan
    gets its workflow, so that its default and fixed inputs are checked against the workflow's interface. Other
    specs are validated alone. A reference that nothing in the group satisfies is reported by the validator
    (``TaskReferenceNotFound``...), as it would be at registration.

    Args:
        specs: the group; None entries (files that could not be read) are kept in place and get no diagnostics.
        context: more specs that the group's may reference, not validated themselves (the rest of an archive, when
            only some of its members are checked). Where a reference matches both, the group's spec is taken.
        progress: called after each spec is validated (for progress display).

    Returns:
        One diagnostic list per spec, in order (see :func:`flytespec.validate.validate`).
    """
    index = _index([*specs, *context])
    results: list[list[Diagnostic]] = []
    for spec in specs:
        if spec is None:
            results.append([])
        elif isinstance(spec, (launch_plan_pb2.LaunchPlan, *_WORKFLOWS)):
            found = _related(spec, index)
            # What lies inside the others is reported with them, where it is: not again here, under context.
            results.append(
                validate(
                    spec,
                    tasks=found.tasks,
                    subworkflows=found.subworkflows,
                    launch_plans=found.launch_plans,
                    workflows=found.workflows,
                    check_context=False,
                )
            )
        else:
            results.append(validate(spec))
        if progress is not None:
            progress()
    return results
