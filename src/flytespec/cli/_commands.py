"""``flytespec convert``, ``compile``, ``graph``, ``diff``, ``digest`` and ``schema``."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from google.protobuf.message import Message

from flytespec import io
from flytespec.cli._common import (
    STDIN,
    CliError,
    Source,
    colorizer,
    error_text,
    load_messages,
    load_one,
    refuse_binary_terminal,
    show_warnings,
    warn,
    write_output,
)
from flytespec.errors import EncodeError, FlytespecError, FlytespecWarning, UnknownFieldsError

__all__ = ["compile", "convert", "diff", "digest", "graph", "schema"]


def _output_format(target: str, given: str | None, option: str, default: str = "json") -> str:
    """The output format: ``given`` (with ``option``), else the one the extension of ``target`` names."""
    if given:
        return given
    if target == STDIN:
        return default
    found = io.format_from_name(target)
    if found is None:
        raise CliError(
            f"{target}: cannot tell the output format from the extension: use .pb, .json or .yaml, or {option}"
        )
    return found


# --------------------------------------------------------------------------------------------------------------
# convert


def convert(args: argparse.Namespace) -> int:
    """The ``convert`` command."""
    show_warnings()
    if args.output and args.output_option:
        raise CliError("give the output once: OUT or -o OUT, not both")
    target = args.output or args.output_option
    if not target:
        raise CliError("give the file to write: flytespec convert IN OUT (or -o - for stdout)")
    fmt = _output_format(target, args.to, "--to")
    refuse_binary_terminal(target, fmt, "--to")
    if args.from_format is not None:
        source = _load_with_format(args.input, args.type, args.from_format)
    else:
        source = load_one(args.input, args.type)
    assert source.message is not None
    options: dict[str, Any] = {}
    if fmt != "binary":
        options = {"proto_field_names": args.proto_names, "drop_unknown_fields": args.drop_unknown_fields}
    elif args.proto_names or args.drop_unknown_fields:
        raise CliError("--proto-names and --drop-unknown-fields apply to JSON and YAML output only")
    message = source.message
    write_output(target, _encoded(source.label, fmt, lambda: io.dumps(message, cast(Any, fmt), **options)))
    return 0


def _encoded(label: str, fmt: str, encode: Callable[[], str | bytes]) -> str | bytes:
    """What ``encode`` writes of the spec read from ``label``; its refusals and warnings as lines naming ``label``.

    Raises:
        CliError: the spec holds fields unknown to flytespec (JSON and YAML cannot carry them), or a value with no
            JSON form.
    """
    try:
        with warnings.catch_warnings(record=True) as dropped:
            warnings.simplefilter("always", FlytespecWarning)
            data = encode()
    except UnknownFieldsError as err:
        raise CliError(
            f"{label}: fields unknown to this version of flytespec at {err.where(err.paths)} cannot be written as "
            f"{'YAML' if fmt == 'yaml' else 'JSON'}: write binary (.pb), which keeps them, or pass "
            "--drop-unknown-fields to leave them out"
        ) from None
    except EncodeError as err:
        raise CliError(f"{label}: {err}") from None
    for warning in dropped:
        warn(f"{label}: {warning.message}")
    return data


def _load_with_format(path: str, type_name: str | None, fmt: str) -> Source:
    """Read one spec in the format ``--from`` gives: a file or stdin. Archives, their members and folders are read as
    always (their members' names tell their formats)."""
    from flytespec import archive

    try:
        if path == STDIN:
            return Source("<stdin>", io.load(sys.stdin.buffer, type_name, format=cast(Any, fmt)), None, 0)
        if Path(path).is_file() and not archive.is_archive_name(path):
            return Source(path, io.load(path, type_name, format=cast(Any, fmt)), None, 0)
    except FlytespecError as err:
        raise CliError(error_text(err)) from None
    return load_one(path, type_name)


# --------------------------------------------------------------------------------------------------------------
# choosing a workflow


def _workflow_name(message: Message) -> str | None:
    from flytespec.admin import workflow_pb2 as admin_workflow_pb2
    from flytespec.core import compiler_pb2, workflow_closure_pb2, workflow_pb2

    if isinstance(message, admin_workflow_pb2.WorkflowSpec):
        return message.template.id.name
    if isinstance(message, workflow_closure_pb2.WorkflowClosure):
        return message.workflow.id.name
    if isinstance(message, workflow_pb2.WorkflowTemplate):
        return message.id.name
    if isinstance(message, compiler_pb2.CompiledWorkflowClosure):
        return message.primary.template.id.name
    if isinstance(message, compiler_pb2.CompiledWorkflow):
        return message.template.id.name
    return None


def _choose_workflow(sources: list[Source], wanted: str | None, compiled_ok: bool) -> Source:
    from flytespec.core import compiler_pb2

    candidates: list[tuple[str, Source]] = []
    for s in sources:
        assert s.message is not None
        name = _workflow_name(s.message)
        if name is None:
            continue
        if not compiled_ok and isinstance(
            s.message, (compiler_pb2.CompiledWorkflowClosure, compiler_pb2.CompiledWorkflow)
        ):
            continue
        candidates.append((name, s))
    if wanted is not None:
        named = [(name, s) for name, s in candidates if name == wanted]
        if not named:
            names = ", ".join(sorted({n or "<unnamed>" for n, _ in candidates})) or "none"
            raise CliError(f"no workflow named {wanted!r} in the input (workflows: {names})")
        candidates = named
    if not candidates:
        inputs = ", ".join(dict.fromkeys(s.label for s in sources))
        raise CliError(
            f"{inputs}: no workflow in the input: give a WorkflowClosure, a WorkflowSpec or WorkflowTemplate, "
            "or an archive"
        )
    if len(candidates) == 1:
        return candidates[0][1]
    # The same spec given twice (a file and its copy) is one choice; the first of each content stays.
    distinct: dict[tuple[type, bytes], tuple[str, Source]] = {}
    for name, s in candidates:
        assert s.message is not None
        distinct.setdefault((type(s.message), s.message.SerializeToString(deterministic=True)), (name, s))
    if len(distinct) == 1:
        return candidates[0][1]
    found = ", ".join(sorted(f"{n or '<unnamed>'} in {s.label}" for n, s in distinct.values()))
    if len({n for n, _ in distinct.values()}) < len(distinct):  # --workflow cannot tell them apart
        raise CliError(f"the input holds {len(distinct)} different workflows ({found}): give only one of them")
    raise CliError(f"the input holds {len(distinct)} workflows ({found}): choose one with --workflow NAME")


# --------------------------------------------------------------------------------------------------------------
# compile


def compile(args: argparse.Namespace) -> int:
    """The ``compile`` command."""
    from flytespec import archive, compiler
    from flytespec.cli._validate import FileReport, to_text

    show_warnings()
    target = args.output
    fmt = _output_format(target, args.format, "--format")
    refuse_binary_terminal(target, fmt, "--format")
    if args.drop_unknown_fields and fmt == "binary":
        raise CliError("--drop-unknown-fields applies to JSON and YAML output only")
    sources = load_messages(args.inputs, args.type)
    chosen = _choose_workflow(sources, args.workflow, compiled_ok=False)
    assert chosen.message is not None
    group = [*(s.message for s in sources if s.group == chosen.group), *chosen.context]
    found = archive.related(chosen.message, group)
    try:
        closure = compiler.compile(
            cast(Any, chosen.message),
            tasks=found.tasks,
            subworkflows=found.subworkflows,
            launch_plans=found.launch_plans,
            workflows=found.workflows,
        )
    except compiler.CompileError as err:
        report = FileReport(chosen.label, chosen.message.DESCRIPTOR.full_name, list(err.diagnostics), None)
        sys.stdout.write(to_text([report], [], quiet=True))
        print(
            f"flytespec: {chosen.label} does not compile: {len(err.diagnostics)} "
            f"error{'' if len(err.diagnostics) == 1 else 's'}",
            file=sys.stderr,
        )
        return 1
    drop = args.drop_unknown_fields
    if fmt == "go-json":
        data = _encoded(chosen.label, fmt, lambda: compiler.to_go_json(closure, drop_unknown_fields=drop))
    else:
        options = {"drop_unknown_fields": drop} if fmt != "binary" else {}
        data = _encoded(chosen.label, fmt, lambda: io.dumps(closure, cast(Any, fmt), **options))
    write_output(target, data)
    return 0


# --------------------------------------------------------------------------------------------------------------
# graph


def graph(args: argparse.Namespace) -> int:
    """The ``graph`` command."""
    from flytespec import graph as graphs

    sources = load_messages([args.input], args.type)
    chosen = (
        _choose_workflow(sources, args.workflow, compiled_ok=True) if len(sources) > 1 or args.workflow else sources[0]
    )
    assert chosen.message is not None
    if (
        _workflow_name(chosen.message) is None
        and chosen.message.DESCRIPTOR.full_name != "flytespec.core.DynamicJobSpec"
    ):
        raise CliError(
            f"{chosen.label}: a {chosen.message.DESCRIPTOR.full_name} holds no workflow to draw "
            "(give a WorkflowSpec, WorkflowClosure, WorkflowTemplate, a compiled closure or an archive)"
        )
    render = graphs.to_dot if args.format == "dot" else graphs.to_mermaid
    write_output(args.output, render(chosen.message))
    return 0


# --------------------------------------------------------------------------------------------------------------
# diff


def diff(args: argparse.Namespace) -> int:
    """The ``diff`` command: exit status 0 when equal, 1 when different."""
    from flytespec.diff import ChangeKind
    from flytespec.diff import diff as semantic_diff

    first = load_one(args.first, args.type)
    second = load_one(args.second, args.type)
    assert first.message is not None
    assert second.message is not None
    a_type, b_type = first.message.DESCRIPTOR.full_name, second.message.DESCRIPTOR.full_name
    if a_type != b_type:
        raise CliError(f"cannot compare a {a_type} ({first.label}) with a {b_type} ({second.label})")
    changes = semantic_diff(first.message, second.message)
    if args.format == "json":
        document = {"a": first.label, "b": second.label, "type": a_type, "changes": [c.to_dict() for c in changes]}
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        paint = colorizer(args.color, sys.stdout)
        colours = {ChangeKind.ADDED: "green", ChangeKind.REMOVED: "red"}
        lines = [paint(str(c), colours.get(c.kind, "yellow")) for c in changes]
        lines.append(f"{len(changes)} change{'' if len(changes) == 1 else 's'}" if changes else "no differences")
        sys.stdout.write("\n".join(lines) + "\n")
    return 1 if changes else 0


# --------------------------------------------------------------------------------------------------------------
# digest


def digest(args: argparse.Namespace) -> int:
    """The ``digest`` command: ``sha256:<hex>  <file>`` per spec."""
    from flytespec.digest import digest as content_digest

    for source in load_messages(args.inputs, args.type):
        assert source.message is not None
        sys.stdout.write(f"{content_digest(source.message)}  {source.label}\n")
    return 0


# --------------------------------------------------------------------------------------------------------------
# schema


def schema(args: argparse.Namespace) -> int:
    """The ``schema`` command."""
    from flytespec.schema import json_schema

    document = json_schema(args.message, constraints=not args.no_constraints)
    write_output(args.output, json.dumps(document, indent=2, ensure_ascii=False))
    return 0
