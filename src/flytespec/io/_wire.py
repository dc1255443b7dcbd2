"""Locating what is wrong in binary protobuf that the runtime refused to parse.

protobuf's parsers say only that parsing failed. When that happens, :func:`locate_error` walks the wire format
against the message descriptor (iteratively) and returns the field path and a precise reason: a truncated field,
a malformed varint, an invalid wire type, invalid UTF-8 in a string field, nesting deeper than the limit.
It runs on failure, so it costs nothing on good input; and, before parsing, where the runtime's parser does not
bound nesting itself (see :func:`flytespec.io.from_binary`).
"""

from __future__ import annotations

from typing import NamedTuple

import google.protobuf
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.internal import api_implementation

from flytespec._compat import is_map, is_repeated, message_of
from flytespec._walk import key_segment

__all__ = ["MAP_ENTRIES_CRASH_PARSER", "WireProblem", "locate_error"]

#: protobuf 4's upb parser crashes the process (SIGSEGV) on a map entry that holds a field other than its key and
#: value, when the value is a message and another entry follows (37 bytes do it: tests/fuzz/regressions). Found by
#: fuzzing on 4.21.1; 7.x parses such input. On these runtimes binary input is walked here before it is parsed.
MAP_ENTRIES_CRASH_PARSER = api_implementation.Type() == "upb" and int(google.protobuf.__version__.split(".")[0]) < 5

_F = FieldDescriptor
_VARINT, _I64, _LEN, _SGROUP, _EGROUP, _I32 = 0, 1, 2, 3, 4, 5
_LENGTH_DELIMITED = {_F.TYPE_STRING, _F.TYPE_BYTES, _F.TYPE_MESSAGE}


class WireProblem(NamedTuple):
    """The first problem found in binary input."""

    path: str
    reason: str
    offset: int | None
    too_deep: bool  # the problem is nesting deeper than the limit (the bytes may be well-formed)


class _WireError(Exception):
    def __init__(self, reason: str, segments: tuple[str, ...], offset: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.segments = segments
        self.offset = offset


class _TooDeep(_WireError):
    pass


def _varint(data: bytes, pos: int, end: int, what: str, segments: tuple[str, ...]) -> tuple[int, int]:
    result = shift = 0
    start = pos
    while True:
        if pos >= end:
            raise _WireError(f"truncated {what} at byte {start}", segments, start)
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise _WireError(f"malformed {what} at byte {start} (longer than 10 bytes)", segments, start)


def _path(segments: tuple[str, ...]) -> str:
    out = ""
    for seg in segments:
        out += seg if seg.startswith("[") or not out else f".{seg}"
    return out


def locate_error(
    desc: Descriptor, data: bytes, max_depth: int = 100, *, strict_map_entries: bool = False
) -> WireProblem | None:
    """Find why ``data`` is not a valid ``desc`` message (nesting deeper than ``max_depth`` counts as a problem).

    With ``strict_map_entries``, a map entry holding a field other than its key (1) and value (2) is a problem too
    (see :data:`MAP_ENTRIES_CRASH_PARSER`).

    Returns:
        The first problem found, or None when the walk finds nothing wrong (the runtime refused the input for a
        reason this walk does not model).
    """
    try:
        _walk(desc, bytes(data), max_depth, strict_map_entries)
    except _WireError as err:
        return WireProblem(_path(err.segments), err.reason, err.offset, isinstance(err, _TooDeep))
    return None


class _FieldInfo(NamedTuple):
    name: str
    repeated: bool
    kind: int  # 0: other, 1: string, 2: message, 3: map (of entries)
    message: Descriptor | None


_infos: dict[str, tuple[dict[int, _FieldInfo], bool]] = {}


def _fields(desc: Descriptor) -> tuple[dict[int, _FieldInfo], bool]:
    """Per field number: what the walk needs; and whether ``desc`` is a map entry (computed once per type)."""
    found = _infos.get(desc.full_name)
    if found is None:
        fields = {}
        for field in desc.fields:
            kind = 0
            if field.type == _F.TYPE_STRING:
                kind = 1
            elif field.type == _F.TYPE_MESSAGE:
                kind = 3 if is_map(field) else 2
            message = message_of(field) if kind >= 2 else None
            fields[field.number] = _FieldInfo(field.name, is_repeated(field), kind, message)
        found = (fields, bool(desc.GetOptions().map_entry))
        _infos[desc.full_name] = found
    return found


def _here(segments: tuple[str, ...], info: _FieldInfo | None, inside_entry: bool, index: int) -> tuple[str, ...]:
    """The path of a field: its name (not inside a map entry, whose key is in the path already), and its index."""
    if info is None:
        return segments  # problems inside an unknown field are reported at the message holding it
    here = segments if inside_entry else (*segments, info.name)
    return (*here, f"[{index}]") if info.repeated else here


def _walk(root: Descriptor, data: bytes, max_depth: int, strict_map_entries: bool = False) -> None:
    # Frames: (descriptor, start, end, path segments, depth). Paths are built only for children and for errors.
    stack: list[tuple[Descriptor, int, int, tuple[str, ...], int]] = [(root, 0, len(data), (), 1)]
    while stack:
        desc, pos, end, segments, depth = stack.pop()
        if depth > max_depth:
            raise _TooDeep(f"nesting is deeper than {max_depth} messages", segments)
        fields, is_entry = _fields(desc)
        counts: dict[int, int] = {}
        children: list[tuple[Descriptor, int, int, tuple[str, ...], int]] = []
        while pos < end:
            byte = data[pos]
            if byte < 0x80:
                tag = byte
                pos += 1
            else:
                tag, pos = _varint(data, pos, end, "field tag", segments)
            number, wire_type = tag >> 3, tag & 7
            if number == 0:
                raise _WireError(f"invalid field number 0 at byte {pos - 1}", segments, pos - 1)
            info = fields.get(number)
            if strict_map_entries and is_entry and number not in (1, 2):
                raise _WireError(
                    f"a map entry holds field number {number} at byte {pos - 1}; map entries hold only a key (1) and a "
                    "value (2)",
                    segments,
                    pos - 1,
                )
            inside_entry = number == 2 and is_entry
            index = 0
            if info is not None and info.repeated:
                index = counts.get(number, 0)
                counts[number] = index + 1
            if wire_type == _VARINT:
                if pos < end and data[pos] < 0x80:
                    pos += 1
                else:
                    _, pos = _varint(data, pos, end, "varint value", _here(segments, info, inside_entry, index))
            elif wire_type == _I64:
                if pos + 8 > end:
                    where = _here(segments, info, inside_entry, index)
                    raise _WireError(f"truncated 64-bit value at byte {pos}{_what(number, info, desc)}", where, pos)
                pos += 8
            elif wire_type == _I32:
                if pos + 4 > end:
                    where = _here(segments, info, inside_entry, index)
                    raise _WireError(f"truncated 32-bit value at byte {pos}{_what(number, info, desc)}", where, pos)
                pos += 4
            elif wire_type == _LEN:
                if pos < end and data[pos] < 0x80:
                    length = data[pos]
                    pos += 1
                else:
                    length, pos = _varint(data, pos, end, "length", _here(segments, info, inside_entry, index))
                if pos + length > end:
                    raise _WireError(
                        f"truncated: the field says {length} bytes follow at byte {pos}, only {end - pos} remain"
                        f"{_what(number, info, desc)}",
                        _here(segments, info, inside_entry, index),
                        pos,
                    )
                if info is not None and info.kind:
                    if info.kind == 1:
                        try:
                            data[pos : pos + length].decode("utf-8")
                        except UnicodeDecodeError as err:
                            raise _WireError(
                                f"invalid UTF-8 in a string field at byte {pos + err.start}: {err.reason}",
                                _here(segments, info, inside_entry, index),
                                pos + err.start,
                            ) from None
                    elif info.message is not None:
                        here = _here(segments, info, inside_entry, index)
                        if info.kind == 3:
                            here = (*here[:-1], _map_key(data, pos, pos + length))
                        children.append((info.message, pos, pos + length, here, depth + 1))
                pos += length
            elif wire_type == _SGROUP:
                pos = _skip_group(data, pos, end, number, _here(segments, info, inside_entry, index))
            else:
                raise _WireError(
                    f"invalid wire type {wire_type} at byte {pos - 1} (field number {number})", segments, pos - 1
                )
        # Walk children in wire order (the stack is LIFO).
        stack.extend(reversed(children))


def _what(number: int, info: _FieldInfo | None, desc: Descriptor) -> str:
    return f" (field number {number}, unknown to {desc.full_name})" if info is None else ""


def _skip_group(data: bytes, pos: int, end: int, number: int, segments: tuple[str, ...]) -> int:
    open_groups = [number]
    while open_groups:
        if pos >= end:
            raise _WireError("truncated group (no end-group tag)", segments)
        tag, pos = _varint(data, pos, end, "field tag", segments)
        wire_type = tag & 7
        if wire_type == _VARINT:
            _, pos = _varint(data, pos, end, "varint value", segments)
        elif wire_type == _I64:
            pos += 8
        elif wire_type == _I32:
            pos += 4
        elif wire_type == _LEN:
            length, pos = _varint(data, pos, end, "length", segments)
            pos += length
        elif wire_type == _SGROUP:
            open_groups.append(tag >> 3)
        elif wire_type == _EGROUP:
            if open_groups.pop() != tag >> 3:
                raise _WireError("mismatched end-group tag", segments)
        else:
            raise _WireError(f"invalid wire type {wire_type}", segments)
        if pos > end:
            raise _WireError("truncated group", segments)
    return pos


def _map_key(data: bytes, pos: int, end: int) -> str:
    """The ``["key"]`` / ``[7]`` path segment of a map entry, read from the entry's field 1 (best effort)."""
    try:
        while pos < end:
            tag, pos = _varint(data, pos, end, "field tag", ())
            if tag == (1 << 3) | _LEN:
                length, pos = _varint(data, pos, end, "length", ())
                key = data[pos : pos + length].decode("utf-8", errors="replace")
                return key_segment(key)
            if tag == (1 << 3) | _VARINT:
                return f"[{_varint(data, pos, end, 'varint value', ())[0]}]"
            if tag & 7 == _VARINT:
                _, pos = _varint(data, pos, end, "varint value", ())
            elif tag & 7 == _LEN:
                length, pos = _varint(data, pos, end, "length", ())
                pos += length
            else:
                pos += 8 if tag & 7 == _I64 else 4
    except _WireError:
        pass
    return "[?]"
