"""``flytespec validate``: check files, folders and archives; report as text, JSON or SARIF."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import urllib.parse
from dataclasses import dataclass
from typing import Any

from flytespec import archive
from flytespec.cli._common import Source, colorizer, expand, load_group, show_warnings
from flytespec.cli._progress import Progress
from flytespec.validate import Code, Diagnostic, Severity

__all__ = ["FileReport", "run", "to_json", "to_sarif", "to_text"]

#: Inputs from which on a progress bar is drawn (on a terminal).
PROGRESS_FROM = 10


@dataclass(frozen=True, slots=True)
class FileReport:
    """What ``validate`` found in one spec: its diagnostics (severities as reported), or why it is unreadable."""

    label: str
    message_type: str | None
    diagnostics: list[Diagnostic]
    error: str | None


def _strict(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [
        Diagnostic(d.code, Severity.ERROR, d.path, d.node_id, d.message, d.workflow)
        if d.severity is Severity.WARNING
        else d
        for d in diagnostics
    ]


def check(sources: list[Source], strict: bool, progress: Progress | None = None) -> list[FileReport]:
    """Validate the specs read, each group's members together (see :func:`flytespec.archive.validate_group`)."""
    groups: dict[int, list[int]] = {}
    for i, source in enumerate(sources):
        groups.setdefault(source.group, []).append(i)
    found: list[list[Diagnostic]] = [[] for _ in sources]
    tick = progress.advance if progress is not None else None
    for indices in groups.values():
        context = [m for i in indices for m in sources[i].context]
        results = archive.validate_group([sources[i].message for i in indices], context=context, progress=tick)
        for i, diagnostics in zip(indices, results, strict=True):
            found[i] = _strict(diagnostics) if strict else diagnostics
    return [
        FileReport(
            s.label,
            s.message.DESCRIPTOR.full_name if s.message is not None else None,
            found[i],
            s.error,
        )
        for i, s in enumerate(sources)
    ]


def _where(d: Diagnostic) -> str:
    if not d.node_id:
        return ""
    return f" (node {d.node_id}" + (f" of workflow {d.workflow}" if d.workflow else "") + ")"


def _counts(reports: list[FileReport]) -> tuple[int, int, int, int]:
    errors = sum(d.severity is Severity.ERROR for r in reports for d in r.diagnostics)
    warnings = sum(d.severity is Severity.WARNING for r in reports for d in r.diagnostics)
    unreadable = sum(r.error is not None for r in reports)
    with_problems = sum(bool(r.diagnostics) for r in reports)
    return errors, warnings, unreadable, with_problems


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def to_text(
    reports: list[FileReport], skipped: list[tuple[str, str]], *, color: str = "never", quiet: bool = False
) -> str:
    """One line per diagnostic, ``file: path: CODE: message``, then a summary line (unless ``quiet``)."""
    paint = colorizer(color, sys.stdout)
    lines = []
    for r in reports:
        if r.error is not None:
            lines.append(paint(r.error, "red"))
        for d in r.diagnostics:
            if d.severity is Severity.ERROR:
                code = paint(d.code.value, "red")
                text = d.message
            else:
                code = paint(d.code.value, "yellow")
                text = f"warning: {d.message}"
            lines.append(f"{r.label}: {d.path or '<root>'}: {code}: {text}{_where(d)}")
    for label, reason in skipped:
        lines.append(paint(f"{label}: skipped: {reason}", "dim"))
    if not quiet:
        errors, warnings, unreadable, with_problems = _counts(reports)
        parts = []
        if errors:
            parts.append(_plural(errors, "error"))
        if warnings:
            parts.append(_plural(warnings, "warning"))
        summary = f"{_plural(len(reports), 'spec')} checked: "
        if parts:
            summary += ", ".join(parts) + f" in {_plural(with_problems, 'spec')}"
        if unreadable:
            summary += ("; " if parts else "") + f"{unreadable} unreadable"
        if not parts and not unreadable:
            summary += "no problems"
        lines.append(paint(summary, "red" if errors or unreadable else ("yellow" if warnings else "green")))
    return "\n".join(lines) + ("\n" if lines else "")


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code.value,
        "severity": d.severity.value,
        "path": d.path,
        "node_id": d.node_id,
        "workflow": d.workflow,
        "message": d.message,
    }


def to_json(reports: list[FileReport], skipped: list[tuple[str, str]]) -> str:
    """The report as JSON: ``files`` (each with its ``diagnostics`` or ``error``), ``skipped`` and ``summary``."""
    errors, warnings, unreadable, _ = _counts(reports)
    document = {
        "files": [
            {
                "file": r.label,
                "type": r.message_type,
                "diagnostics": [_diagnostic_json(d) for d in r.diagnostics],
                "error": r.error,
            }
            for r in reports
        ],
        "skipped": [{"file": label, "reason": reason} for label, reason in skipped],
        "summary": {"files": len(reports), "errors": errors, "warnings": warnings, "unreadable": unreadable},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _words(code: str) -> str:
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", code)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else code


def _artifact(label: str) -> tuple[str, str | None]:
    """(uri of the file, member inside an archive or None). The uri is the path, percent-encoded where a URI needs it
    (spaces, ``%``, ``#``, bytes beyond ASCII: a name that is not UTF-8 keeps its own bytes)."""
    at = label.find("!/")
    while at != -1:  # an archive's own path may hold "!/" too
        if archive.is_archive_name(label[:at]):
            return _uri(label[:at]), label[at + 2 :]
        at = label.find("!/", at + 1)
    return ("stdin" if label == "<stdin>" else _uri(label)), None


def _uri(path: str) -> str:
    return urllib.parse.quote(path.encode("utf-8", "surrogateescape"), safe="/:")


def to_sarif(reports: list[FileReport], skipped: list[tuple[str, str]]) -> str:
    """The report as SARIF 2.1.0, for code-scanning UIs: one result per diagnostic, unreadable inputs as tool
    execution notifications."""
    from flytespec import __version__

    codes = sorted(Code, key=lambda c: c.value)
    index = {c: i for i, c in enumerate(codes)}
    results = []
    notifications = []
    for r in reports:
        uri, member = _artifact(r.label)
        for d in r.diagnostics:
            logical = (f"{member}:" if member else "") + (d.path or "<root>")
            key = f"{r.label}\0{d.code.value}\0{d.path}".encode("utf-8", "surrogateescape")  # a name's own bytes
            fingerprint = hashlib.sha256(key).hexdigest()[:32]
            results.append(
                {
                    "ruleId": d.code.value,
                    "ruleIndex": index[d.code],
                    "level": "error" if d.severity is Severity.ERROR else "warning",
                    "message": {"text": f"{d.path or '<root>'}: {d.message}{_where(d)}"},
                    "locations": [
                        {
                            "physicalLocation": {"artifactLocation": {"uri": uri}},
                            "logicalLocations": [{"fullyQualifiedName": logical, "kind": "member"}],
                        }
                    ],
                    "partialFingerprints": {"flytespecDiagnostic/v1": fingerprint},
                }
            )
        if r.error is not None:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": r.error},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
                }
            )
    for label, reason in skipped:
        uri, _ = _artifact(label)
        notifications.append(
            {
                "level": "note",
                "message": {"text": f"{label}: skipped: {reason}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            }
        )
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flytespec",
                        "version": __version__,
                        "rules": [
                            {"id": c.value, "name": c.value, "shortDescription": {"text": _words(c.value)}}
                            for c in codes
                        ],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not any(r.error is not None for r in reports),
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def exit_status(reports: list[FileReport]) -> int:
    """2 when an input is unreadable, 1 when there are errors (warnings count under ``--strict``), else 0."""
    errors, _, unreadable, _ = _counts(reports)
    return 2 if unreadable else (1 if errors else 0)


def run(args: argparse.Namespace) -> int:
    """The ``validate`` command."""
    show_warnings()
    entries = list(expand(args.paths))
    wanted = args.progress == "always" or (
        args.progress == "auto" and not args.quiet and len(entries) >= PROGRESS_FROM and sys.stderr.isatty()
    )
    reading = Progress(len(entries), sys.stderr, enabled=wanted, label="reading")
    try:
        sources, skipped = load_group(args.paths, args.type, on_read=reading.advance)
    finally:
        reading.close()
    checking = Progress(len(sources), sys.stderr, enabled=wanted, label="checking")
    try:
        reports = check(sources, args.strict, checking)
    finally:
        checking.close()
    if args.format == "json":
        out = to_json(reports, skipped)
    elif args.format == "sarif":
        out = to_sarif(reports, skipped)
    else:
        out = to_text(reports, skipped, color=args.color, quiet=args.quiet)
    sys.stdout.write(out)
    sys.stdout.flush()
    return exit_status(reports)
