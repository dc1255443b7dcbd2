"""What the commands share: reading inputs (files, folders, archives, stdin), writing outputs, errors, colour."""

from __future__ import annotations

import itertools
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from google.protobuf.message import Message

from flytespec import archive, io
from flytespec._files import write_atomic
from flytespec.errors import FlytespecError, LimitExceededError

__all__ = [
    "CliError",
    "Source",
    "check_stdin_once",
    "check_type_option",
    "colorizer",
    "describe_error",
    "error_text",
    "expand",
    "load_group",
    "load_messages",
    "load_one",
    "refuse_binary_terminal",
    "show_warnings",
    "warn",
    "write_output",
]

STDIN = "-"


class CliError(Exception):
    """A usage error or a refused request, shown as one line (exit status 2)."""


def error_text(err: FlytespecError) -> str:
    """The text of a flytespec error, its first line ending with the option that raises the limit it names, if any."""
    first, *rest = str(err).splitlines() or [type(err).__name__]
    if isinstance(err, LimitExceededError):
        if err.limit == "max_size":
            first += " (--max-size BYTES raises the limit)"
        elif err.limit == "max_depth" and err.format != "binary":
            first += " (--max-depth N raises the limit)"
    return "\n".join((first, *rest))


def describe_error(err: BaseException) -> tuple[int, str]:
    """(exit status, one-line text) for an exception that ended a command."""
    if isinstance(err, CliError):
        return 2, f"error: {err}"
    if isinstance(err, FlytespecError):
        return 2, f"error: {error_text(err).splitlines()[0]}"
    if isinstance(err, OSError):
        where = f"{err.filename}: " if err.filename else ""
        return 2, f"error: {where}{err.strerror or err}"
    return 3, (
        f"internal error: {type(err).__name__}: {err} "
        "(this is a bug: run the command again with --debug for the traceback, and report it)"
    )


def check_stdin_once(inputs: list[str]) -> None:
    """Refuse ``-`` given twice: stdin is read once, so the second would read nothing.

    Raises:
        CliError: ``-`` is among ``inputs`` more than once.
    """
    if inputs.count(STDIN) > 1:
        raise CliError("- (stdin) is given more than once: it can be read once only")


def check_type_option(name: str | None, command: str) -> None:
    """Refuse an unknown ``--type`` once, before any input is read, and one ``command`` cannot work on.

    Raises:
        CliError: ``name`` is no message type, or a protobuf well-known type (``google.protobuf.Struct``) where the
            command needs a flytespec message (all but ``convert`` and ``digest``).
    """
    if name is None:
        return
    from flytespec.errors import UnknownMessageTypeError
    from flytespec.registry import message_type

    try:
        found = message_type(name).DESCRIPTOR.full_name
    except UnknownMessageTypeError as err:
        raise CliError(f"--type: {err}") from None
    if not found.startswith("flytespec.") and command not in ("convert", "digest"):
        raise CliError(f"--type: {command} works on flytespec messages (WorkflowClosure, TaskSpec, ...), not {found}")


def warn(text: str) -> None:
    """Print one warning line on stderr."""
    print(f"flytespec: warning: {text}", file=sys.stderr)


def show_warnings() -> None:
    """Print warnings (flytespec's own: fields dropped or ignored on request) as one line each on stderr."""

    def show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        warn(str(message))

    warnings.showwarning = show
    warnings.simplefilter("always")


# --------------------------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True, slots=True)
class Source:
    """One spec read (or not) from the inputs.

    Attributes:
        label: how reports name it: a path, ``<stdin>``, or ``ARCHIVE!MEMBER``.
        message: the spec, or None when it could not be read.
        error: why it could not be read (one line), or None.
        group: specs of one group reference each other (the loose files of a command are group 0, each
            archive a group of its own).
        context: for one member chosen from an archive (``ARCHIVE!MEMBER``), the other members read: what it
            references from them counts, as when the whole archive is given.
    """

    label: str
    message: Message | None
    error: str | None
    group: int
    context: tuple[Message, ...] = ()


def _display(path: Path) -> str:
    return path.as_posix()


def expand(paths: list[str]) -> Iterator[tuple[str, Path | None]]:
    """(label, path) of every input: files as given, folders searched recursively (sorted), ``-`` as stdin."""
    for raw in paths:
        if raw == STDIN:
            yield "<stdin>", None
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                (p for p in path.rglob("*") if p.is_file() and (io.format_from_name(p) or archive.is_archive_name(p))),
                key=lambda p: p.as_posix(),
            )
            for p in found:
                yield _display(p), p
        elif path.exists() or _split_member(raw) is None:
            yield _display(path), path  # one that does not exist is reported when read
        else:
            yield raw, path


def _split_member(raw: str) -> tuple[str, str] | None:
    """``ARCHIVE!MEMBER`` (or ``ARCHIVE!/MEMBER``) split, at the first ``!`` after which the archive part names an
    existing archive (its path may hold ``!`` too)."""
    at = raw.find("!")
    while at != -1:
        head, member = raw[:at], raw[at + 1 :]
        if archive.is_archive_name(head) and Path(head).is_file():
            parts = [p for p in member.replace("\\", "/").split("/") if p not in ("", ".")]
            return head, "/".join(parts)
        at = raw.find("!", at + 1)
    return None


def load_group(
    paths: list[str],
    type_name: str | None,
    on_read: Callable[[], object] | None = None,
) -> tuple[list[Source], list[tuple[str, str]]]:
    """Read every input, without stopping at one that cannot be read.

    A path given that yields no spec (an empty folder, an archive without spec members) is reported as unreadable,
    so that an empty build output does not pass unnoticed.

    Returns:
        The specs (in input order; archives expanded into their members) and the files skipped inside archives
        as ``(label, reason)``.
    """
    sources: list[Source] = []
    skipped: list[tuple[str, str]] = []
    groups = itertools.count(1)
    for raw in paths:
        before = len(sources)
        for label, path in expand([raw]):
            sources.extend(_load_entry(label, path, type_name, groups, skipped))
            if on_read is not None:
                on_read()
        if len(sources) == before:
            sources.append(Source(raw, None, f"{raw}: no specs found ({_looked_for(Path(raw))})", 0))
    return sources, skipped


def _load_entry(
    label: str, path: Path | None, type_name: str | None, groups: Iterator[int], skipped: list[tuple[str, str]]
) -> list[Source]:
    """The specs of one file, or of one archive (a group of its own, numbered from ``groups``)."""
    member = _split_member(str(path)) if path is not None and not path.exists() else None
    if path is None or not (archive.is_archive_name(path) or member is not None):
        return [_load_file(label, path, type_name)]
    archive_path = Path(member[0]) if member else path
    try:
        pkg = archive.read_archive(archive_path, name=_display(archive_path), message_type=type_name)
    except FlytespecError as err:
        return [Source(label, None, error_text(err), 0)]
    group = next(groups)
    chosen = [m for m in pkg.members if member is None or m.name == member[1]]
    if member is not None and not chosen:
        raise CliError(f"{label}: the archive has no spec member {member[1]!r}{_members_hint(pkg)}")
    if member is None:
        skipped.extend((archive.member_label(pkg, name), reason) for name, reason in pkg.skipped)
    context = tuple(
        m.message for m in pkg.members if member is not None and m.name != member[1] and m.message is not None
    )
    return [
        Source(
            archive.member_label(pkg, m),
            m.message,
            error_text(m.error) if m.error is not None else None,
            group,
            context,
        )
        for m in chosen
    ]


def _looked_for(path: Path) -> str:
    specs = ", ".join(io.EXTENSIONS)
    if path.is_dir():
        return f"looked for {specs} files and {', '.join(archive.ARCHIVE_SUFFIXES)} archives, in subfolders too"
    return f"looked for {specs} members"


def _members_hint(pkg: archive.Archive) -> str:
    names = [m.name for m in pkg.members]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return f" (it holds {shown})" if names else " (it holds no spec files)"


def _load_file(label: str, path: Path | None, type_name: str | None) -> Source:
    if path is not None and not path.exists():
        return Source(label, None, f"{label}: no such file or folder", 0)
    try:
        # stdin is read as a file: never more than one byte past the size limit.
        message = io.load(sys.stdin.buffer if path is None else path, type_name)
    except FlytespecError as err:
        return Source(label, None, error_text(err), 0)
    return Source(label, message, None, 0)


def load_messages(paths: list[str], type_name: str | None) -> list[Source]:
    """Read every input; raise at the first that cannot be read (commands that need them all).

    Raises:
        CliError: an input cannot be read (the error names it).
    """
    sources, _ = load_group(paths, type_name)
    for source in sources:
        if source.error is not None:
            raise CliError(source.error)
    if not sources:
        raise CliError(f"no spec files in {', '.join(paths)}")
    return sources


def load_one(path: str, type_name: str | None) -> Source:
    """Read one spec: a file, ``ARCHIVE!MEMBER``, or stdin.

    Raises:
        CliError: it cannot be read, or the input holds several specs (an archive, a folder).
    """
    sources = load_messages([path], type_name)
    if len(sources) > 1:
        names = ", ".join(s.label for s in sources[:4]) + (" ..." if len(sources) > 4 else "")
        raise CliError(f"{path} holds {len(sources)} specs ({names}): name one, as ARCHIVE!MEMBER for an archive")
    return sources[0]


# --------------------------------------------------------------------------------------------------------------
# Outputs


def write_output(target: str, data: bytes | str) -> None:
    """Write ``data`` to a file (atomically: a temporary file renamed over it) or to stdout (``-``).

    Text ends with a newline.
    """
    payload = data if isinstance(data, bytes) else (data if data.endswith("\n") else data + "\n").encode("utf-8")
    if target == STDIN:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    write_atomic(Path(target), payload)


def refuse_binary_terminal(target: str, fmt: str, option: str) -> None:
    """Refuse to write binary protobuf to a terminal (``option`` chooses another format)."""
    if target == STDIN and fmt == "binary" and sys.stdout.isatty():
        raise CliError(f"binary output to a terminal: redirect it to a file, or choose {option} json or yaml")


def colorizer(option: str, stream: TextIO) -> Callable[[str, str], str]:
    """A function colouring text (``paint(text, "red")``), or leaving it as is when colour is off."""
    on = option == "always" or (
        option == "auto" and not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()
    )
    codes = {"red": "31", "yellow": "33", "green": "32", "bold": "1", "dim": "2", "cyan": "36"}

    def paint(text: str, colour: str) -> str:
        return f"\033[{codes[colour]}m{text}\033[0m" if on else text

    return paint
