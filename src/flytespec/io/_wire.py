"""Locating what is wrong in binary protobuf that the runtime refused to parse.

protobuf's parsers say only that parsing failed. When that happens, :func:`locate_error` walks the wire format
against the message descriptor (iteratively) and returns the field path and a precise reason: a truncated field,
a malformed varint, an invalid wire type, invalid UTF-8 in a string field, nesting deeper than the limit.
It runs only on failure, so it costs nothing on good input.
"""

from __future__ import annotations

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from flytespec._compat import is_map, is_repeated, message_of

__all__ = ["locate_error"]

_F = FieldDescriptor
_VARINT, _I64, _LEN, _SGROUP, _EGROUP, _I32 = 0, 1, 2, 3, 4, 5
_LENGTH_DELIMITED = {_F.TYPE_STRING, _F.TYPE_BYTES, _F.TYPE_MESSAGE}


class _WireError(Exception):
    def __init__(self, reason: str, segments: tuple[str, ...], offset: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.segments = segments
        self.offset = offset


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


def locate_error(desc: Descriptor, data: bytes, max_depth: int = 100) -> tuple[str, str, int | None] | None:
    """Find why ``data`` is not a valid ``desc`` message.

    Returns:
        ``(path, reason, byte offset)`` for the first problem found, or None when the walk finds nothing wrong (the
        runtime refused the input for a reason this walk does not model).
    """
    try:
        _walk(desc, bytes(data), max_depth)
    except _WireError as err:
        return _path(err.segments), err.reason, err.offset
    return None


def _walk(root: Descriptor, data: bytes, max_depth: int) -> None:
    # Frames: (descriptor, start, end, path segments, depth, occurrence counts of repeated fields in this frame).
    stack: list[tuple[Descriptor, int, int, tuple[str, ...], int]] = [(root, 0, len(data), (), 1)]
    while stack:
        desc, pos, end, segments, depth = stack.pop()
        if depth > max_depth:
            raise _WireError(f"nesting is deeper than {max_depth} messages", segments)
        counts: dict[int, int] = {}
        children: list[tuple[Descriptor, int, int, tuple[str, ...], int]] = []
        while pos < end:
            tag, pos = _varint(data, pos, end, "field tag", segments)
            number, wire_type = tag >> 3, tag & 7
            if number == 0:
                raise _WireError(f"invalid field number 0 at byte {pos - 1}", segments, pos - 1)
            field = desc.fields_by_number.get(number)
            # Inside a map entry, the value is addressed by the key already in the path. Problems inside an unknown
            # field are reported at the message holding it.
            inside_entry = number == 2 and desc.GetOptions().map_entry
            here = segments if (field is None or inside_entry) else (*segments, field.name)
            what = f" (field number {number}, unknown to {desc.full_name})" if field is None else ""
            if field is not None and is_repeated(field):
                index = counts.get(number, 0)
                counts[number] = index + 1
                here = (*here, f"[{index}]")
            if wire_type == _VARINT:
                _, pos = _varint(data, pos, end, "varint value", here)
            elif wire_type == _I64:
                if pos + 8 > end:
                    raise _WireError(f"truncated 64-bit value at byte {pos}{what}", here, pos)
                pos += 8
            elif wire_type == _I32:
                if pos + 4 > end:
                    raise _WireError(f"truncated 32-bit value at byte {pos}{what}", here, pos)
                pos += 4
            elif wire_type == _LEN:
                length, pos = _varint(data, pos, end, "length", here)
                if pos + length > end:
                    raise _WireError(
                        f"truncated: the field says {length} bytes follow at byte {pos}, only {end - pos} remain{what}",
                        here,
                        pos,
                    )
                if field is not None and field.type in _LENGTH_DELIMITED:
                    if field.type == _F.TYPE_STRING:
                        try:
                            data[pos : pos + length].decode("utf-8")
                        except UnicodeDecodeError as err:
                            raise _WireError(
                                f"invalid UTF-8 in a string field at byte {pos + err.start}: {err.reason}",
                                here,
                                pos + err.start,
                            ) from None
                    elif field.type == _F.TYPE_MESSAGE:
                        if is_map(field):
                            here = (*here[:-1], _map_key(data, pos, pos + length))
                        children.append((message_of(field), pos, pos + length, here, depth + 1))
                pos += length
            elif wire_type == _SGROUP:
                pos = _skip_group(data, pos, end, number, here)
            else:
                raise _WireError(
                    f"invalid wire type {wire_type} at byte {pos - 1} (field number {number})", segments, pos - 1
                )
        # Walk children in wire order (the stack is LIFO).
        stack.extend(reversed(children))


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
                return '["' + key.replace("\\", "\\\\").replace('"', '\\"') + '"]'
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
