"""Reading and writing flytespec messages as binary protobuf, proto3 JSON and YAML.

The three formats carry the same message:

- **binary**: protobuf's wire format, written deterministically (map entries sorted), so the same message always
  gives the same bytes. Fields this version of flytespec does not know (written by a newer Flyte) are kept and
  written back unchanged.
- **JSON**: the canonical proto3 JSON mapping, the same document ``google.protobuf.json_format`` writes
  (camelCase names, enum names, 64-bit integers as strings, ``"3.5s"`` durations), with map keys sorted.
- **YAML**: the same structure as the JSON, as YAML.

Reading accepts what the proto3 JSON mapping allows (original field names as well as camelCase, enum numbers,
numbers or strings for integers), and rejects, with the field path, anything that does not fit: unknown fields
(unless ``ignore_unknown_fields=True``), wrong types, unknown enum names, out-of-range numbers, repeated keys.

Example::

    from flytespec import io

    closure = io.load("wf.yaml")                 # format and message type detected
    io.dump(closure, "wf.pb")                    # binary, chosen by the extension
    text = io.to_json(closure)
    same = io.from_json(text, "WorkflowClosure")
    assert same == closure

Format detection: from the file extension (``.pb``/``.bin``/``.binpb``, ``.json``, ``.yaml``/``.yml``), else from
the content (text starting with ``{`` is JSON, other text is YAML, anything with control bytes is binary).

Message type detection, when no type is given: a file named like ``pyflyte package`` names its members
(``NNN_name_1.pb`` is a TaskSpec, ``_2.pb`` a WorkflowSpec, ``_3.pb`` a LaunchPlan); otherwise every type of
:data:`flytespec.registry.DOCUMENT_TYPES` is tried, and the content's type is the one that reads it strictly (every
field known, every value fitting, within ``max_depth``). JSON or YAML that no type reads is read as the one type whose
fields its top-level keys all name, so that the error says what is wrong and where. When that does not settle it, or
several types read the content (binary content often does, since field numbers collide where names do not), or the
content is empty, the type must be given.

Limits (``docs/limits.md``): every reader takes ``max_size`` and ``max_depth`` keyword arguments; left out, they are
the module-level defaults :data:`DEFAULT_MAX_SIZE` and :data:`DEFAULT_MAX_DEPTH`, read at each call (assign them to
change the defaults of the process). Exceeding one raises :class:`~flytespec.errors.LimitExceededError` before the
work it guards:

- ``max_size`` (default 256 MiB): the largest input, in bytes (characters for text given as ``str``); checked before
  parsing, and before reading a file (from its size, and by reading at most one byte more than the limit).
- ``max_depth`` (default 100): the deepest message nesting (the root message is level 1), checked before the messages
  below it are built. Binary nesting is also bounded by protobuf's own parser, at :data:`BINARY_MAX_DEPTH` (101)
  levels on every supported runtime, whatever ``max_depth`` says; a ``max_depth`` below 100 is checked on the wire
  before parsing, as is any depth on runtimes whose parser has no bound (the pure-Python one of protobuf 4.x). JSON
  text is further bounded by Python's ``json`` module (about 1,000 levels of objects and lists). YAML has two fixed
  guards: mappings and lists nest at most 1,000 levels, and aliases may expand a document at most 10 times
  (``limit`` ``"yaml_nesting"`` and ``"yaml_aliases"``).

Numbers that cannot be read exactly are refused with their path, not changed: ``1e999`` is not infinity, an integer
a Struct's double cannot hold is not rounded, digit strings too long for ``int()`` are not converted.

Writing has no limit of its own, but messages built in memory can nest deeper than the runtimes handle: the
pure-Python protobuf runtime and Python's ``json`` and YAML writers recurse, so a message nested a few hundred
levels deep (a branch in a branch... 1,000 deep) cannot be written as JSON or YAML, nor as binary on the pure-Python
runtime: :class:`~flytespec.errors.EncodeError` says so. upb writes binary at any depth up to tens of thousands of
levels, but no protobuf runtime reads back more than 101.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import sys
import warnings
from pathlib import Path
from typing import IO, Any, Literal, TypeVar, overload

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import DecodeError as _ProtoDecodeError
from google.protobuf.message import Message

from flytespec import registry
from flytespec._compat import descriptor_of
from flytespec._files import write_atomic
from flytespec._gc import gc_paused as _gc_paused
from flytespec._walk import encode_varint, has_unknown_fields
from flytespec.errors import (
    DecodeError,
    EncodeError,
    FlytespecWarning,
    FormatDetectionError,
    LimitExceededError,
    TypeDetectionError,
)
from flytespec.io._codec import (
    DEFAULT_MAX_DEPTH,
    CodecError,
    DepthError,
    DuplicateKeyDict,
    OverflowedFloat,
    ReadReport,
    guard_unknown_fields,
    message_to_value,
    value_to_message,
)
from flytespec.io._wire import MAP_ENTRIES_CRASH_PARSER, WireProblem, locate_error
from flytespec.io._yaml import YamlError, dump_yaml, load_yaml
from flytespec.registry import MessageType

__all__ = [
    "BINARY_MAX_DEPTH",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_SIZE",
    "EXTENSIONS",
    "FORMATS",
    "Format",
    "detect_format",
    "detect_message_type",
    "dump",
    "dumps",
    "format_from_name",
    "from_binary",
    "from_dict",
    "from_json",
    "from_yaml",
    "load",
    "loads",
    "to_binary",
    "to_dict",
    "to_json",
    "to_yaml",
]

M = TypeVar("M", bound=Message)

#: The names of the formats.
Format = Literal["binary", "json", "yaml"]
FORMATS: tuple[Format, ...] = ("binary", "json", "yaml")

#: File extensions and the format they mean.
EXTENSIONS: dict[str, Format] = {
    ".pb": "binary",
    ".bin": "binary",
    ".binpb": "binary",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}

_PYFLYTE_MEMBER = re.compile(r"^[0-9]+_.+_([123])\.pb$")
_PYFLYTE_TYPES = {
    "1": "flytespec.admin.TaskSpec",
    "2": "flytespec.admin.WorkflowSpec",
    "3": "flytespec.admin.LaunchPlan",
}
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SNIFF_BYTES = 1 << 16

#: The largest input the readers accept by default, in bytes (characters for text given as ``str``). Assign to
#: change the default of the process; pass ``max_size=`` to change it for one call.
DEFAULT_MAX_SIZE = 256 << 20

#: The deepest binary nesting protobuf's parsers read (upb, and the pure-Python parser from protobuf 5 on), in
#: messages; ``max_depth`` cannot raise it.
BINARY_MAX_DEPTH = 101


def _max_size(max_size: int | None) -> int:
    # Capped at what a read can ask for at all (a larger limit is no limit).
    return min(_whole("max_size", DEFAULT_MAX_SIZE if max_size is None else max_size, 0), sys.maxsize - 1)


def _max_depth(max_depth: int | None) -> int:
    return _whole("max_depth", DEFAULT_MAX_DEPTH if max_depth is None else max_depth, 1)


def _read_at_most(handle: IO[bytes] | IO[str], limit: int) -> Any:
    """What ``handle`` holds, up to one byte (or character) past ``limit``, read in pieces: a read of ``limit + 1``
    would allocate that much at once whatever the file holds."""
    pieces: list[Any] = []
    total = 0
    while total <= limit:
        piece = handle.read(min(limit + 1 - total, _READ_PIECE))
        if not piece:
            break
        pieces.append(piece)
        total += len(piece)
    return pieces[0][:0].join(pieces) if pieces else b""


_READ_PIECE = 1 << 20


def _whole(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name}: expected a whole number, {least} or more, got {value!r}")
    return value


def _check_size(data: bytes | str, max_size: int, source: str, fmt: Format | None, message_type: str | None) -> None:
    size = len(data)
    if size > max_size:
        _too_large(
            f"{size:,} {'characters' if isinstance(data, str) else 'bytes'}", max_size, source, fmt, message_type
        )


def _too_large(what: str, max_size: int, source: str, fmt: Format | None, message_type: str | None) -> None:
    raise LimitExceededError(
        f"the input holds {what}, more than max_size allows ({max_size:,})",
        limit="max_size",
        value=max_size,
        source=source,
        format=fmt,
        message_type=message_type,
    )


# --------------------------------------------------------------------------------------------------------------
# Formats


def format_from_name(name: str | os.PathLike[str]) -> Format | None:
    """The format a file name's extension means, or None for an unknown extension."""
    return EXTENSIONS.get(Path(name).suffix.lower())


def detect_format(data: bytes | bytearray | memoryview | str, *, name: str | os.PathLike[str] | None = None) -> Format:
    """The format of ``data``: from ``name``'s extension when it has a known one, else from the content.

    Raises:
        FormatDetectionError: ``data`` is empty, so nothing tells its format.
    """
    data = _input(data)
    if name is not None:
        by_name = format_from_name(name)
        if by_name is not None:
            return by_name
    source = str(name) if name is not None else _default_source(data)
    if isinstance(data, str):
        text = data
    else:
        if not data:
            raise FormatDetectionError("the input is empty, so its format cannot be told", source=source)
        if _CONTROL_BYTES.search(data, 0, _SNIFF_BYTES):
            return "binary"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return "binary"
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise FormatDetectionError("the input is empty, so its format cannot be told", source=source)
    return "json" if stripped[0] in "{[" else "yaml"


def _input(data: object) -> bytes | str:
    """``data`` as bytes or str: other bytes-like objects (bytearray, memoryview) are copied to bytes.

    Raises:
        TypeError: ``data`` is neither text nor bytes-like.
    """
    if isinstance(data, (bytes, str)):
        return data
    try:
        return bytes(memoryview(data))  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"data: expected bytes or str (or another bytes-like object), got {type(data).__name__}"
        ) from None


def _default_source(data: bytes | str) -> str:
    return "<string>" if isinstance(data, str) else "<bytes>"


# --------------------------------------------------------------------------------------------------------------
# Binary


def to_binary(message: Message) -> bytes:
    """Serialize deterministically (map entries sorted): the same message always gives the same bytes.

    Unknown fields are written back as they were read.

    Raises:
        EncodeError: the message is nested deeper than the protobuf runtime can write (the pure-Python runtime
            recurses: a few hundred levels, only reachable by messages built in memory).
    """
    try:
        return message.SerializeToString(deterministic=True)
    except RecursionError:
        raise _too_deep_to_write(
            message,
            f"binary protobuf on the pure-Python protobuf runtime, which recurses (no runtime reads back more than "
            f"{BINARY_MAX_DEPTH} levels)",
        ) from None


def _too_deep_to_write(message: Message, what: str) -> EncodeError:
    return EncodeError(
        f"the message is nested too deeply to write as {what}", message_type=message.DESCRIPTOR.full_name
    )


@overload
def from_binary(
    data: bytes | bytearray | memoryview,
    message_type: type[M],
    *,
    max_size: int | None = ...,
    max_depth: int | None = ...,
    source: str = ...,
) -> M: ...
@overload
def from_binary(
    data: bytes | bytearray | memoryview,
    message_type: MessageType,
    *,
    max_size: int | None = ...,
    max_depth: int | None = ...,
    source: str = ...,
) -> Message: ...
def from_binary(
    data: bytes | bytearray | memoryview,
    message_type: MessageType,
    *,
    max_size: int | None = None,
    max_depth: int | None = None,
    source: str = "<bytes>",
) -> Message:
    """Parse binary protobuf as ``message_type``.

    Args:
        data: the bytes.
        message_type: the message class, or its name (see :mod:`flytespec.registry`).
        max_size: the largest input accepted, in bytes (default :data:`DEFAULT_MAX_SIZE`).
        max_depth: the deepest nesting accepted (default :data:`DEFAULT_MAX_DEPTH`). protobuf's parser reads at most
            :data:`BINARY_MAX_DEPTH` levels whatever this says; a lower limit is checked on the wire first.
        source: how errors name the input.

    Raises:
        LimitExceededError: the input is larger than ``max_size``, or nested deeper than ``max_depth`` (or than
            protobuf's parser reads); checked before the message is built.
        DecodeError: the bytes are not a valid message of that type (truncated, malformed, invalid UTF-8 in a
            string field); the error names the field path and byte offset when it can.
    """
    payload = _input(data)
    if isinstance(payload, str):
        raise TypeError("data: binary protobuf is bytes, got str (read text with from_json, from_yaml or loads)")
    cls = registry.message_type(message_type)
    limit = _max_depth(max_depth)
    _check_size(payload, _max_size(max_size), source, "binary", cls.DESCRIPTOR.full_name)
    name = cls.DESCRIPTOR.full_name
    desc = descriptor_of(cls)
    # A limit within one level of the parser's own bound is left to the parser (checking it exactly would walk every
    # input in Python): such limits accept what the parser reads. Errors name the limit, capped at the parser's bound.
    accepted = limit if limit < BINARY_MAX_DEPTH - 1 else BINARY_MAX_DEPTH
    reported = min(limit, BINARY_MAX_DEPTH)
    # A lower limit, or any limit on a runtime whose parser has no bound, is checked on the wire; and protobuf 4's upb
    # parser crashes on some malformed map entries, so there every input is walked first.
    if accepted < BINARY_MAX_DEPTH or not _parser_bounds_nesting() or MAP_ENTRIES_CRASH_PARSER:
        problem = locate_error(desc, payload, accepted, strict_map_entries=MAP_ENTRIES_CRASH_PARSER)
        if problem is not None:
            if problem.too_deep and reported < accepted:
                problem = locate_error(desc, payload, reported) or problem  # reported as the parser's refusal is
            raise _wire_error(name, problem, source, limit)
    try:
        message = cls.FromString(payload)
    except (_ProtoDecodeError, RecursionError, ValueError) as err:
        problem = locate_error(desc, payload, reported)
        if problem is None:
            raise DecodeError(
                f"not a valid message ({err})", source=source, format="binary", message_type=name
            ) from None
        raise _wire_error(name, problem, source, limit) from None
    return message


def _wire_error(message_type: str, problem: WireProblem, source: str, limit: int) -> DecodeError:
    if not problem.too_deep:
        return DecodeError(
            problem.reason,
            source=source,
            format="binary",
            message_type=message_type,
            path=problem.path,
            offset=problem.offset,
        )
    reason = problem.reason
    if limit > BINARY_MAX_DEPTH:
        reason += f", the most protobuf's binary parser reads (a depth limit of {limit} cannot raise it)"
    return LimitExceededError(
        reason,
        limit="max_depth",
        value=min(limit, BINARY_MAX_DEPTH),
        source=source,
        format="binary",
        message_type=message_type,
        path=problem.path,
        offset=problem.offset,
    )


@functools.cache
def _parser_bounds_nesting() -> bool:
    """Whether the runtime's binary parser refuses nesting deeper than :data:`BINARY_MAX_DEPTH` by itself.

    upb does, and the pure-Python parser from protobuf 5 on; protobuf 4's pure-Python parser recurses without bound.
    """
    from google.protobuf import struct_pb2

    data = b""
    for level in range(BINARY_MAX_DEPTH + 1, 1, -1):  # ListValue.values (1) and Value.list_value (6), alternating
        tag = b"\x32" if level % 2 else b"\x0a"
        data = tag + encode_varint(len(data)) + data
    try:
        struct_pb2.ListValue.FromString(data)
    except (_ProtoDecodeError, RecursionError):
        return True
    return False


# --------------------------------------------------------------------------------------------------------------
# JSON-shaped values


def to_dict(message: Message, *, proto_field_names: bool = False, drop_unknown_fields: bool = False) -> Any:
    """The proto3 JSON form of ``message`` as Python values (what ``json.loads`` of :func:`to_json` gives).

    Args:
        message: the message.
        proto_field_names: use the ``.proto`` field names (``upstream_node_ids``) instead of the JSON names
            (``upstreamNodeIds``).
        drop_unknown_fields: write the message even if it holds fields this version does not know, leaving them
            out (a :class:`~flytespec.errors.FlytespecWarning` names where they were).

    Raises:
        UnknownFieldsError: the message holds unknown fields (JSON cannot carry them) and ``drop_unknown_fields``
            is false.
        EncodeError: a value has no JSON form (an out-of-range Duration or Timestamp, a non-finite number in a
            Struct, an Any of a type that is not loaded).
    """
    name = message.DESCRIPTOR.full_name
    guard_unknown_fields(message, drop_unknown_fields)
    try:
        with _gc_paused():
            return message_to_value(message, proto_names=proto_field_names)
    except CodecError as err:
        raise EncodeError(err.reason, message_type=name, path=err.path) from None


@overload
def from_dict(
    value: Any,
    message_type: type[M],
    *,
    ignore_unknown_fields: bool = ...,
    max_depth: int | None = ...,
    source: str = ...,
) -> M: ...
@overload
def from_dict(
    value: Any,
    message_type: MessageType,
    *,
    ignore_unknown_fields: bool = ...,
    max_depth: int | None = ...,
    source: str = ...,
) -> Message: ...
def from_dict(
    value: Any,
    message_type: MessageType,
    *,
    ignore_unknown_fields: bool = False,
    max_depth: int | None = None,
    source: str = "<value>",
) -> Message:
    """Build a ``message_type`` from its proto3 JSON form given as Python values.

    Args:
        value: the JSON form (dicts, lists, strings, numbers, booleans, None).
        message_type: the message class, or its name (see :mod:`flytespec.registry`).
        ignore_unknown_fields: skip keys that name no field and enum names this version does not know, instead of
            failing; a :class:`~flytespec.errors.FlytespecWarning` lists what was skipped.
        max_depth: deepest message nesting accepted (default :data:`DEFAULT_MAX_DEPTH`; the root message is level 1).
        source: how errors name the input.

    Raises:
        LimitExceededError: the value nests messages deeper than ``max_depth`` (nothing below it is built).
        DecodeError: the value does not fit the message; the error names the field path.
    """
    return _from_value(value, registry.message_type(message_type), "json", source, ignore_unknown_fields, max_depth)


def _from_value(
    value: Any, cls: type[Message], fmt: Format, source: str, ignore_unknown_fields: bool, max_depth: int | None
) -> Message:
    report = ReadReport(ignored=[])
    name = cls.DESCRIPTOR.full_name
    limit = _max_depth(max_depth)
    try:
        with _gc_paused():
            message = value_to_message(
                value, cls(), ignore_unknown_fields=ignore_unknown_fields, max_depth=limit, report=report
            )
    except DepthError as err:
        raise LimitExceededError(
            err.reason, limit="max_depth", value=limit, source=source, format=fmt, message_type=name, path=err.path
        ) from None
    except CodecError as err:
        raise DecodeError(err.reason, source=source, format=fmt, message_type=name, path=err.path) from None
    except RecursionError:
        # Only Anys nested in Anys recurse (each payload is a message of its own), and only past a max_depth far
        # above the default.
        raise LimitExceededError(
            f"Anys nested in Anys deeper than Python's recursion allows (max_depth={limit})",
            limit="max_depth",
            value=limit,
            source=source,
            format=fmt,
            message_type=name,
        ) from None
    if report.ignored:
        shown = ", ".join(report.ignored[:10]) + (
            f" and {len(report.ignored) - 10} more" if len(report.ignored) > 10 else ""
        )
        warnings.warn(f"{source}: ignored what flytespec does not know at {shown}", FlytespecWarning, stacklevel=3)
    return message


# --------------------------------------------------------------------------------------------------------------
# JSON


def to_json(
    message: Message,
    *,
    indent: int | None = 2,
    proto_field_names: bool = False,
    drop_unknown_fields: bool = False,
) -> str:
    """The canonical proto3 JSON of ``message``.

    With the default ``indent=2`` the text is the document ``json_format.MessageToJson`` writes (map keys sorted);
    ``indent=None`` writes it compactly on one line. Other arguments as in :func:`to_dict`.
    """
    value = to_dict(message, proto_field_names=proto_field_names, drop_unknown_fields=drop_unknown_fields)
    try:
        with _gc_paused():
            if indent is None:
                return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            return json.dumps(value, ensure_ascii=False, indent=indent)
    except RecursionError:
        raise _too_deep_to_write(message, "JSON (Python's json module recurses)") from None


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        repeated = tuple(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        marked = DuplicateKeyDict(out)
        marked.duplicates = repeated
        return marked
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f'{name} is not JSON; write it as the string "{name}"')


def _json_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):  # a finite number written, infinity read: marked, refused where it lands (with its path)
        marked = OverflowedFloat(number)
        marked.text = text
        return marked
    return number


def _decode_text(data: bytes | str, fmt: Format, source: str, message_type: str | None) -> str:
    """The text, without a byte-order mark (given as bytes or as text alike)."""
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DecodeError(
            f"invalid UTF-8 at byte {err.start} ({err.reason})",
            source=source,
            format=fmt,
            message_type=message_type,
            offset=err.start,
        ) from None


def _parse_json(data: bytes | str, source: str, message_type: str | None, max_size: int | None) -> Any:
    _check_size(data, _max_size(max_size), source, "json", message_type)
    text = _decode_text(data, "json", source, message_type)
    try:
        with _gc_paused():
            return json.loads(
                text, object_pairs_hook=_json_pairs, parse_constant=_reject_constant, parse_float=_json_float
            )
    except json.JSONDecodeError as err:
        raise DecodeError(
            f"malformed JSON: {err.msg}",
            source=source,
            format="json",
            message_type=message_type,
            line=err.lineno,
            column=err.colno,
        ) from None
    except (ValueError, RecursionError) as err:
        reason = str(err) if isinstance(err, ValueError) else "JSON nested too deeply"
        raise DecodeError(reason, source=source, format="json", message_type=message_type) from None


@overload
def from_json(
    data: bytes | bytearray | memoryview | str,
    message_type: type[M],
    *,
    ignore_unknown_fields: bool = ...,
    max_size: int | None = ...,
    max_depth: int | None = ...,
    source: str | None = ...,
) -> M: ...
@overload
def from_json(
    data: bytes | bytearray | memoryview | str,
    message_type: MessageType,
    *,
    ignore_unknown_fields: bool = ...,
    max_size: int | None = ...,
    max_depth: int | None = ...,
    source: str | None = ...,
) -> Message: ...
def from_json(
    data: bytes | bytearray | memoryview | str,
    message_type: MessageType,
    *,
    ignore_unknown_fields: bool = False,
    max_size: int | None = None,
    max_depth: int | None = None,
    source: str | None = None,
) -> Message:
    """Parse proto3 JSON text as ``message_type``. Arguments and errors as in :func:`from_dict`; ``max_size`` as in
    :func:`from_binary` (characters for text given as ``str``)."""
    data = _input(data)
    cls = registry.message_type(message_type)
    src = source or _default_source(data)
    value = _parse_json(data, src, cls.DESCRIPTOR.full_name, max_size)
    return _from_value(value, cls, "json", src, ignore_unknown_fields, max_depth)


# --------------------------------------------------------------------------------------------------------------
# YAML


def to_yaml(message: Message, *, proto_field_names: bool = False, drop_unknown_fields: bool = False) -> str:
    """``message`` as YAML with the structure of its proto3 JSON. Arguments as in :func:`to_dict`."""
    value = to_dict(message, proto_field_names=proto_field_names, drop_unknown_fields=drop_unknown_fields)
    try:
        with _gc_paused():
            return dump_yaml(value)
    except RecursionError:
        raise _too_deep_to_write(message, "YAML (the YAML writer recurses)") from None


def _parse_yaml(data: bytes | str, source: str, message_type: str | None, max_size: int | None) -> Any:
    _check_size(data, _max_size(max_size), source, "yaml", message_type)
    text = _decode_text(data, "yaml", source, message_type)
    try:
        with _gc_paused():
            return load_yaml(text)
    except YamlError as err:
        if err.limit is not None:
            raise LimitExceededError(
                err.reason,
                limit=err.limit,
                value=err.value,
                source=source,
                format="yaml",
                message_type=message_type,
                line=err.line,
                column=err.column,
            ) from None
        raise DecodeError(
            f"malformed YAML: {err.reason}",
            source=source,
            format="yaml",
            message_type=message_type,
            line=err.line,
            column=err.column,
        ) from None


@overload
def from_yaml(
    data: bytes | bytearray | memoryview | str,
    message_type: type[M],
    *,
    ignore_unknown_fields: bool = ...,
    max_size: int | None = ...,
    max_depth: int | None = ...,
    source: str | None = ...,
) -> M: ...
@overload
def from_yaml(
    data: bytes | bytearray | memoryview | str,
    message_type: MessageType,
    *,
    ignore_unknown_fields: bool = ...,
    max_size: int | None = ...,
    max_depth: int | None = ...,
    source: str | None = ...,
) -> Message: ...
def from_yaml(
    data: bytes | bytearray | memoryview | str,
    message_type: MessageType,
    *,
    ignore_unknown_fields: bool = False,
    max_size: int | None = None,
    max_depth: int | None = None,
    source: str | None = None,
) -> Message:
    """Parse YAML (the structure of proto3 JSON) as ``message_type``. Arguments and errors as in :func:`from_json`."""
    data = _input(data)
    cls = registry.message_type(message_type)
    src = source or _default_source(data)
    value = _parse_yaml(data, src, cls.DESCRIPTOR.full_name, max_size)
    return _from_value(value, cls, "yaml", src, ignore_unknown_fields, max_depth)


# --------------------------------------------------------------------------------------------------------------
# Any format, detected


def detect_message_type(
    data: bytes | bytearray | memoryview | str,
    *,
    format: Format | None = None,
    name: str | os.PathLike[str] | None = None,
    max_size: int | None = None,
    max_depth: int | None = None,
) -> type[Message]:
    """The message type of ``data``, told from ``name`` (``pyflyte package`` member names) or the content.

    The content's type is the one document type that reads it strictly, within ``max_depth`` (see :func:`loads`).
    JSON or YAML that no type reads gets the one type whose fields its top-level keys all name, if there is one:
    reading it as that type then reports what is wrong, with its path.

    Raises:
        TypeDetectionError: nothing tells the type (empty content, or no document type reads it strictly, and none
            or several name its top-level keys).
        LimitExceededError: the input is larger than ``max_size`` (see :func:`from_binary`).
    """
    data = _input(data)
    source = str(name) if name is not None else _default_source(data)
    _check_size(data, _max_size(max_size), source, format, None)
    fmt = format or detect_format(data, name=name)
    if fmt == "binary":
        by_name = _type_from_name(name)
        if by_name is not None:
            return by_name
        return _detect_binary(bytes(data if isinstance(data, bytes) else data.encode()), source)
    value = (_parse_json if fmt == "json" else _parse_yaml)(data, source, None, max_size)
    return _detect_value(value, fmt, source, max_depth)


def _type_from_name(name: str | os.PathLike[str] | None) -> type[Message] | None:
    if name is None:
        return None
    match = _PYFLYTE_MEMBER.match(Path(name).name)
    return registry.message_type(_PYFLYTE_TYPES[match.group(1)]) if match else None


def _detection_failed(source: str, fmt: Format, why: str) -> TypeDetectionError:
    tried = ", ".join(t.rsplit(".", 1)[-1] for t in registry.DOCUMENT_TYPES)
    return TypeDetectionError(
        f"{why}; tried {tried}. Give the message type (message_type=..., or --type on the command line)",
        source=source,
        format=fmt,
    )


def _detect_binary(data: bytes, source: str) -> type[Message]:
    if not data:
        raise _detection_failed(source, "binary", "the input is empty, so its message type cannot be told")
    found = []
    for name in registry.DOCUMENT_TYPES:
        cls = registry.message_type(name)
        if MAP_ENTRIES_CRASH_PARSER and locate_error(descriptor_of(cls), data, 101, strict_map_entries=True):
            continue  # not read strictly as this type (and the parser would crash on it)
        try:
            message = cls.FromString(data)
        except (_ProtoDecodeError, RecursionError, ValueError):
            continue
        if not has_unknown_fields(message):
            found.append(cls)
    return _one_type(found, source, "binary", "no document type reads these bytes without unknown fields")


def _detect_value(value: Any, fmt: Format, source: str, max_depth: int | None) -> type[Message]:
    """The one document type that reads ``value`` strictly; failing that, the one whose fields its top-level keys
    all name (so that reading it as that type reports the real problem, with its path)."""
    if not isinstance(value, dict) or not value:
        what = "an empty object" if isinstance(value, dict) else "not an object"
        raise _detection_failed(source, fmt, f"the content is {what}, so its message type cannot be told")
    limit = _max_depth(max_depth)
    found = []
    failed: list[tuple[type[Message], CodecError]] = []
    for name in registry.DOCUMENT_TYPES:
        cls = registry.message_type(name)
        try:
            value_to_message(value, cls(), max_depth=limit)
        except CodecError as err:
            if _field_names(cls.DESCRIPTOR).issuperset(value):
                failed.append((cls, err))
            continue
        except RecursionError:
            continue  # Anys nested in Anys past what Python allows: not read as this type
        found.append(cls)
    if not found and len(failed) == 1:
        return failed[0][0]
    tried = "; ".join(
        f"as {cls.DESCRIPTOR.name} {'at ' + err.path if err.path else 'at the root'}: {err.reason}"
        for cls, err in failed
    )
    why = "no document type reads this content strictly" + (
        f" (its top-level keys fit more than one, and each fails: {tried})" if failed else ""
    )
    return _one_type(found, source, fmt, why)


@functools.cache
def _field_names(message: Descriptor) -> frozenset[str]:
    """The keys proto3 JSON accepts for the fields of ``message``: field names and JSON names."""
    fields = message.fields
    return frozenset([f.name for f in fields] + [f.json_name for f in fields])


def _one_type(found: list[type[Message]], source: str, fmt: Format, none_reason: str) -> type[Message]:
    if len(found) == 1:
        return found[0]
    if not found:
        raise _detection_failed(source, fmt, none_reason)
    names = " and ".join(cls.DESCRIPTOR.full_name for cls in found)
    raise TypeDetectionError(
        f"the content reads equally well as {names}, so its message type cannot be told; give it "
        "(message_type=..., or --type on the command line)",
        source=source,
        format=fmt,
    )


@overload
def loads(
    data: bytes | bytearray | memoryview | str,
    message_type: type[M],
    *,
    format: Format | None = ...,
    ignore_unknown_fields: bool = ...,
    max_size: int | None = ...,
    max_depth: int | None = ...,
    source: str | None = ...,
) -> M: ...
@overload
def loads(
    data: bytes | bytearray | memoryview | str,
    message_type: MessageType | None = ...,
    *,
    format: Format | None = ...,
    ignore_unknown_fields: bool = ...,
    max_size: int | None = ...,
    max_depth: int | None = ...,
    source: str | None = ...,
) -> Message: ...
def loads(
    data: bytes | bytearray | memoryview | str,
    message_type: MessageType | None = None,
    *,
    format: Format | None = None,
    ignore_unknown_fields: bool = False,
    max_size: int | None = None,
    max_depth: int | None = None,
    source: str | None = None,
) -> Message:
    """Read a message from bytes or text in any format.

    Args:
        data: binary protobuf (bytes), or JSON or YAML (text or UTF-8 bytes).
        message_type: the expected type (class, descriptor or name); detected when None (see the module docs).
        format: ``"binary"``, ``"json"`` or ``"yaml"``; detected from the content (or ``source``'s extension)
            when None.
        ignore_unknown_fields: JSON and YAML only: skip unknown keys and enum names, with a warning.
        max_size: the largest input accepted, in bytes (characters for ``str``); default :data:`DEFAULT_MAX_SIZE`.
        max_depth: the deepest message nesting accepted; default :data:`DEFAULT_MAX_DEPTH` (binary nesting is also
            bounded by protobuf's parser, see :func:`from_binary`).
        source: how errors name the input (a file name also helps detection); ``<bytes>`` or ``<string>`` when None.

    Raises:
        LimitExceededError: the input is larger than ``max_size`` (checked first) or nested deeper than ``max_depth``.
        DecodeError: the input is not a valid message of the type (the error names source, format, type and path).
        FormatDetectionError, TypeDetectionError: the format or type was not given and cannot be told.
    """
    data = _input(data)
    src = source or _default_source(data)
    _check_size(data, _max_size(max_size), src, format, None)
    fmt = format or detect_format(data, name=source)
    if fmt not in FORMATS:
        raise FormatDetectionError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}", source=src)
    if message_type is not None:
        cls = registry.message_type(message_type)
        if fmt == "binary":
            raw = data.encode("utf-8") if isinstance(data, str) else data
            return from_binary(raw, cls, max_size=max_size, max_depth=max_depth, source=src)
        reader = from_json if fmt == "json" else from_yaml
        return reader(
            data,
            cls,
            ignore_unknown_fields=ignore_unknown_fields,
            max_size=max_size,
            max_depth=max_depth,
            source=src,
        )
    if fmt == "binary":
        raw = data.encode("utf-8") if isinstance(data, str) else data
        by_name = _type_from_name(source)
        cls = by_name if by_name is not None else _detect_binary(raw, src)
        return from_binary(raw, cls, max_size=max_size, max_depth=max_depth, source=src)
    value = (_parse_json if fmt == "json" else _parse_yaml)(data, src, None, max_size)
    cls = _detect_value(value, fmt, src, max_depth)
    # Read again with the caller's options: detection reads strictly, and a type told from the keys alone fails here
    # with the real problem and its path.
    return _from_value(value, cls, fmt, src, ignore_unknown_fields, max_depth)


@overload
def load(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    message_type: type[M],
    *,
    format: Format | None = ...,
    ignore_unknown_fields: bool = ...,
    max_size: int | None = ...,
    max_depth: int | None = ...,
) -> M: ...
@overload
def load(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    message_type: MessageType | None = ...,
    *,
    format: Format | None = ...,
    ignore_unknown_fields: bool = ...,
    max_size: int | None = ...,
    max_depth: int | None = ...,
) -> Message: ...
def load(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    message_type: MessageType | None = None,
    *,
    format: Format | None = None,
    ignore_unknown_fields: bool = False,
    max_size: int | None = None,
    max_depth: int | None = None,
) -> Message:
    """Read a message from a file (a path or an open file), in any format. See :func:`loads`.

    A file larger than ``max_size`` is refused before it is read (by its size, and by never reading more than one
    byte past the limit, for pipes and other files without a size).

    Raises:
        DecodeError: as :func:`loads`; also when the file cannot be read.
    """
    limit = _max_size(max_size)
    data: bytes | str
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            with open(name, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > limit:
                    _too_large(f"{size:,} bytes", limit, name, format or format_from_name(name), None)
                data = _read_at_most(handle, limit)
        except OSError as err:
            raise DecodeError(err.strerror or str(err), source=name) from None
    else:
        name = getattr(source, "name", None) or "<file>"
        data = _read_at_most(source, limit)
        if len(data) > limit:  # read one past the limit: the rest was never read
            unit = "bytes" if isinstance(data, bytes) else "characters"
            _too_large(f"more than {limit:,} {unit}", limit, str(name), format, None)
    return loads(
        data,
        message_type,
        format=format,
        ignore_unknown_fields=ignore_unknown_fields,
        max_size=limit,
        max_depth=max_depth,
        source=str(name),
    )


@overload
def dumps(message: Message, format: Literal["binary"] = "binary", **options: Any) -> bytes: ...
@overload
def dumps(message: Message, format: Literal["json", "yaml"], **options: Any) -> str: ...
def dumps(message: Message, format: Format = "binary", **options: Any) -> bytes | str:
    """Write ``message`` in ``format``: bytes for binary, text for JSON and YAML.

    ``options`` go to :func:`to_json` or :func:`to_yaml` (``proto_field_names``, ``drop_unknown_fields``,
    ``indent`` for JSON); binary takes none.
    """
    if format == "binary":
        if options:
            raise TypeError(f"binary output takes no options, got {', '.join(sorted(options))}")
        return to_binary(message)
    if format == "json":
        return to_json(message, **options)
    if format == "yaml":
        return to_yaml(message, **options)
    raise ValueError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")


def dump(
    message: Message,
    target: str | os.PathLike[str] | IO[bytes],
    *,
    format: Format | None = None,
    **options: Any,
) -> None:
    """Write ``message`` to a file, in ``format`` or the one its extension names (see :func:`dumps`).

    A path is written atomically: a temporary file beside it is renamed over it, so a failure never leaves a
    half-written spec. Text formats end with a newline.

    Raises:
        EncodeError: the format is not given and the extension names none; the message cannot be written; or the
            file cannot be written (the error names it and says why).
    """
    name = os.fspath(target) if isinstance(target, (str, os.PathLike)) else getattr(target, "name", None)
    fmt = format or (format_from_name(name) if name else None)
    if fmt is None:
        raise EncodeError(
            f"cannot tell the output format from {name!r}: use a .pb, .json or .yaml name, or pass format=",
            message_type=message.DESCRIPTOR.full_name,
        )
    out = dumps(message, fmt, **options)
    payload = out if isinstance(out, bytes) else (out if out.endswith("\n") else out + "\n").encode("utf-8")
    if not isinstance(target, (str, os.PathLike)):
        target.write(payload)
        return
    write_atomic(Path(target), payload, message.DESCRIPTOR.full_name)
