"""Iterative walks over message trees (no recursion, so any nesting depth works)."""

from __future__ import annotations

from collections.abc import Iterator

from google.protobuf import unknown_fields
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message

from flytespec._compat import is_map, is_repeated, message_of

__all__ = ["first_difference", "has_unknown_fields", "submessages", "unknown_field_paths"]

_MESSAGE = FieldDescriptor.TYPE_MESSAGE


def _key_segment(key: object) -> str:
    if isinstance(key, str):
        return '["' + key.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return f"[{str(key).lower() if isinstance(key, bool) else key}]"


def _join(segments: tuple[str, ...]) -> str:
    out = ""
    for seg in segments:
        out += seg if seg.startswith("[") or not out else f".{seg}"
    return out


def submessages(root: Message) -> Iterator[tuple[tuple[str, ...], Message]]:
    """Yield ``(path segments, message)`` for ``root`` and every message set inside it, parents first."""
    stack: list[tuple[tuple[str, ...], Message]] = [((), root)]
    while stack:
        segments, msg = stack.pop()
        yield segments, msg
        children: list[tuple[tuple[str, ...], Message]] = []
        for fd, value in msg.ListFields():
            if fd.type != _MESSAGE:
                continue
            if is_map(fd):
                if message_of(fd).fields_by_name["value"].type == _MESSAGE:
                    children.extend(((*segments, fd.name, _key_segment(k)), value[k]) for k in sorted(value))
            elif is_repeated(fd):
                children.extend(((*segments, fd.name, f"[{i}]"), item) for i, item in enumerate(value))
            else:
                children.append(((*segments, fd.name), value))
        stack.extend(reversed(children))


def has_unknown_fields(msg: Message) -> bool:
    """Whether ``msg`` or any message inside it holds fields this version does not know.

    Cheap: a copy without unknown fields is compared in size, all in protobuf's C code. The copy goes through the
    wire format, not ``CopyFrom``, which crashes protobuf 4.21's upb on messages nested deeper than its parse limit;
    such messages are walked in Python instead.
    """
    try:
        bare = type(msg).FromString(msg.SerializeToString())
    except DecodeError:
        return any(len(unknown_fields.UnknownFieldSet(m)) for _, m in submessages(msg))
    bare.DiscardUnknownFields()
    return bare.ByteSize() != msg.ByteSize()


def unknown_field_paths(msg: Message) -> list[str]:
    """Paths of the messages (``""`` for the root) that hold unknown fields, in tree order."""
    if not has_unknown_fields(msg):
        return []
    return [_join(segments) for segments, m in submessages(msg) if len(unknown_fields.UnknownFieldSet(m))]


def first_difference(a: Message, b: Message) -> str | None:
    """The path of the first field where two messages of one type differ (in field-number order), or None."""
    stack: list[tuple[tuple[str, ...], Message, Message]] = [((), a, b)]
    while stack:
        segments, x, y = stack.pop()
        if x == y:
            continue
        xs, ys = dict(x.ListFields()), dict(y.ListFields())
        for fd in sorted(set(xs) | set(ys), key=lambda f: f.number):
            vx, vy = xs.get(fd), ys.get(fd)
            if vx == vy:
                continue
            here = (*segments, fd.name)
            if vx is None or vy is None or fd.type != _MESSAGE:
                return _join(here)
            if is_map(fd):
                for k in sorted(set(vx) | set(vy)):
                    if k not in vx or k not in vy:
                        return _join((*here, _key_segment(k)))
                    if vx[k] != vy[k]:
                        if message_of(fd).fields_by_name["value"].type != _MESSAGE:
                            return _join((*here, _key_segment(k)))
                        stack.append(((*here, _key_segment(k)), vx[k], vy[k]))
                        break
            elif is_repeated(fd):
                for i, (ix, iy) in enumerate(zip(vx, vy, strict=False)):
                    if ix != iy:
                        stack.append(((*here, f"[{i}]"), ix, iy))
                        break
                else:  # one list is a prefix of the other
                    return _join((*here, f"[{min(len(vx), len(vy))}]"))
            else:
                stack.append((here, vx, vy))
            break
        else:
            return _join(segments)
    return None
