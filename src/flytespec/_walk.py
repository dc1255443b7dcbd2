"""Iterative walks over message trees (no recursion, so any nesting depth works)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, TypeVar

import google.protobuf
from google.protobuf import descriptor_pool, unknown_fields
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.internal import api_implementation
from google.protobuf.message import DecodeError, Message

from flytespec._compat import is_map, is_repeated, message_class_of, message_of
from flytespec.core import workflow_pb2

__all__ = [
    "all_nodes",
    "any_payload_unknown_paths",
    "child_nodes",
    "copy_into",
    "copy_message",
    "encode_varint",
    "equal",
    "first_difference",
    "format_path",
    "has_unknown_fields",
    "key_segment",
    "message_depth",
    "submessages",
    "unknown_field_paths",
    "with_canonical_anys",
]

_MESSAGE = FieldDescriptor.TYPE_MESSAGE
M = TypeVar("M", bound=Message)

# CopyFrom and == are safe on upb from protobuf 7 (measured) and on the pure-Python runtime (which may raise
# RecursionError, a few hundred levels deep). protobuf 4.21's upb crashes the process in both: CopyFrom on a message
# nested deeper than its parser reads (101 levels), and == between a message and an unset submessage read through
# its parent (``Variable().type``). There (and on the untested versions between), copies and comparisons go through
# the wire format, which upb writes at any depth.
_COPY_FROM_SAFE = api_implementation.Type() == "python" or int(google.protobuf.__version__.split(".")[0]) >= 7


def key_segment(key: object) -> str:
    """A map key as a path segment: ``["key"]`` (quotes and backslashes escaped), ``[7]``, ``[true]``."""
    if isinstance(key, str):
        return '["' + key.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return f"[{str(key).lower() if isinstance(key, bool) else key}]"


def format_path(segments: tuple[str, ...] | list[str]) -> str:
    """Join path segments: field names with dots, ``[i]`` and ``["key"]`` subscripts as they are."""
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
                    children.extend(((*segments, fd.name, key_segment(k)), value[k]) for k in sorted(value))
            elif is_repeated(fd):
                children.extend(((*segments, fd.name, f"[{i}]"), item) for i, item in enumerate(value))
            else:
                children.append(((*segments, fd.name), value))
        stack.extend(reversed(children))


def message_depth(root: Message) -> int:
    """How many messages deep ``root`` nests, as protobuf's parsers count: ``root`` is level 1, and a map's entry is
    a level of its own."""
    deepest = 0
    stack: list[tuple[Message, int]] = [(root, 1)]
    while stack:
        msg, level = stack.pop()
        deepest = max(deepest, level)
        for field, value in msg.ListFields():
            if field.type != _MESSAGE:
                continue
            if is_map(field):
                if message_of(field).fields_by_name["value"].type == _MESSAGE:
                    stack.extend((item, level + 2) for item in value.values())
                else:
                    deepest = max(deepest, level + 1)
            elif is_repeated(field):
                stack.extend((item, level + 1) for item in value)
            else:
                stack.append((value, level + 1))
    return deepest


def has_unknown_fields(msg: Message) -> bool:
    """Whether ``msg`` or any message inside it holds fields this version does not know.

    Cheap: a copy without unknown fields is compared in size, all in protobuf's C code. The copy goes through the
    wire format, not ``CopyFrom``, which crashes protobuf 4.21's upb on messages nested deeper than its parse limit;
    such messages are walked in Python instead.
    """
    try:
        bare = type(msg).FromString(msg.SerializeToString())
    except (DecodeError, RecursionError):  # too deep to parse back (or, pure-Python runtime, to serialize)
        return any(len(unknown_fields.UnknownFieldSet(m)) for _, m in submessages(msg))
    bare.DiscardUnknownFields()
    return bare.ByteSize() != msg.ByteSize()


def unknown_field_paths(msg: Message) -> list[str]:
    """Paths of the messages (``""`` for the root) that hold unknown fields, in tree order."""
    if not has_unknown_fields(msg):
        return []
    return [format_path(segments) for segments, m in submessages(msg) if len(unknown_fields.UnknownFieldSet(m))]


def any_payload_unknown_paths(msg: Message) -> list[str]:
    """Paths of the ``google.protobuf.Any`` fields whose payloads hold unknown fields (at any depth, Anys in Anys
    too), in tree order. Payloads of types not loaded, or not valid, are left to the writers (they refuse them)."""
    if not _reaches_any(msg.DESCRIPTOR):
        return []
    found: list[str] = []
    pending: list[tuple[tuple[str, ...], Message]] = [((), msg)]
    while pending:
        prefix, root = pending.pop()
        for segments, m in submessages(root):
            payload = _any_payload(m) if m.DESCRIPTOR.full_name == _ANY else None
            if payload is None:
                continue
            if has_unknown_fields(payload):
                found.append(format_path((*prefix, *segments)))
            elif _reaches_any(payload.DESCRIPTOR):
                pending.append(((*prefix, *segments), payload))
    return found


def with_canonical_anys(msg: M) -> M:
    """``msg``, or, when it holds ``google.protobuf.Any`` payloads, a copy whose payloads are encoded
    deterministically (Anys inside them first): a payload's bytes then depend on its content only, not on the field
    or map order its writer chose. Payloads of types not loaded, or not valid, are kept as they are. Iterative."""
    if not _reaches_any(msg.DESCRIPTOR) or not _anys(msg):
        return msg
    out = copy_message(msg)
    stack: list[tuple[Any, Message | None]] = [(held, None) for held in _anys(out)]
    while stack:
        held, payload = stack.pop()
        if payload is not None:  # the Anys inside it are done
            held.value = payload.SerializeToString(deterministic=True)
            continue
        payload = _any_payload(held)
        if payload is None:
            continue
        stack.append((held, payload))
        stack.extend((inner, None) for inner in _anys(payload))
    return out


def _any_payload(held: Any) -> Message | None:
    """The message a ``google.protobuf.Any`` holds; None when it holds none, or one of a type not loaded, or bytes
    that are not a valid message of its type."""
    if not held.value:
        return None
    try:
        name = held.type_url.rsplit("/", 1)[-1]
        payload: Message = message_class_of(descriptor_pool.Default().FindMessageTypeByName(name)).FromString(
            held.value
        )
    except (KeyError, DecodeError, RecursionError, ValueError):
        return None
    return payload


def _anys(msg: Message) -> list[Any]:
    """The ``google.protobuf.Any`` messages with a payload in ``msg`` (not inside their payloads)."""
    return [m for _, m in submessages(msg) if m.DESCRIPTOR.full_name == _ANY and m.value]  # type: ignore[attr-defined]


_ANY = "google.protobuf.Any"
_reaching_any: dict[str, bool] = {}


def _reaches_any(desc: Any) -> bool:
    """Whether a message of this type can hold a ``google.protobuf.Any`` (computed once per type)."""
    known = _reaching_any.get(desc.full_name)
    if known is None:
        seen: set[str] = set()
        stack = [desc]
        while stack:
            d = stack.pop()
            if d.full_name not in seen:
                seen.add(d.full_name)
                stack.extend(f.message_type for f in d.fields if f.message_type is not None)
        known = _reaching_any[desc.full_name] = _ANY in seen
    return known


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
                return format_path(here)
            if is_map(fd):
                for k in sorted(set(vx) | set(vy)):
                    if k not in vx or k not in vy:
                        return format_path((*here, key_segment(k)))
                    if vx[k] != vy[k]:
                        if message_of(fd).fields_by_name["value"].type != _MESSAGE:
                            return format_path((*here, key_segment(k)))
                        stack.append(((*here, key_segment(k)), vx[k], vy[k]))
                        break
            elif is_repeated(fd):
                for i, (ix, iy) in enumerate(zip(vx, vy, strict=False)):
                    if ix != iy:
                        stack.append(((*here, f"[{i}]"), ix, iy))
                        break
                else:  # one list is a prefix of the other
                    return format_path((*here, f"[{min(len(vx), len(vy))}]"))
            else:
                stack.append((here, vx, vy))
            break
        else:
            return format_path(segments)
    return None


def equal(a: Message, b: Message) -> bool:
    """``a == b`` for two messages of one type, without the crashes of protobuf 4.21's upb (see above)."""
    if _COPY_FROM_SAFE:
        return bool(a == b)
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


def copy_message(original: M) -> M:
    """A deep copy of ``original``, unknown fields included, whatever its depth (see :func:`copy_into`)."""
    copy = type(original)()
    copy_into(copy, original)
    return copy


def copy_into(target: Message, source: Message) -> None:
    """Make ``target`` a deep copy of ``source`` (a message of the same type), whatever its nesting depth.

    ``CopyFrom`` where it is safe; else through the wire format (all in C); and for messages nested deeper than the
    runtime parses, field by field with an explicit stack.
    """
    if _COPY_FROM_SAFE:
        try:
            target.CopyFrom(source)
            return
        except RecursionError:  # the pure-Python runtime, a few hundred levels deep
            target.Clear()
    else:
        try:
            target.ParseFromString(source.SerializeToString())
            return
        except DecodeError:
            target.Clear()
    stack: list[tuple[Message, Message]] = [(source, target)]
    while stack:
        src, dst = stack.pop()
        for fd, value in src.ListFields():
            name = fd.name
            if fd.type != _MESSAGE:
                if is_repeated(fd):
                    getattr(dst, name).extend(value)
                else:
                    setattr(dst, name, value)
            elif is_map(fd):
                entries = getattr(dst, name)
                if message_of(fd).fields_by_name["value"].type == _MESSAGE:
                    stack.extend((value[k], entries[k]) for k in value)
                else:
                    for k in value:
                        entries[k] = value[k]
            elif is_repeated(fd):
                items = getattr(dst, name)
                stack.extend((item, items.add()) for item in value)
            else:
                child = getattr(dst, name)
                child.SetInParent()
                stack.append((value, child))
        unknown = _unknown_wire(src)
        if unknown:
            dst.MergeFromString(unknown)  # only unknown field numbers: they stay unknown, as they were


def _unknown_wire(msg: Message) -> bytes:
    """The unknown fields of ``msg`` itself (not of its children), written back as wire format."""
    out = bytearray()
    # Work items: an UnknownFieldSet to write, or bytes to append (the end tag of a group).
    work: list[Any] = [unknown_fields.UnknownFieldSet(msg)]
    while work:
        item = work.pop()
        if isinstance(item, bytes):
            out += item
            continue
        pending: list[Any] = []
        for field in item:
            number, wire_type, data = field.field_number, field.wire_type, field.data
            tag = encode_varint(number << 3 | wire_type)
            if wire_type == 0:
                pending.append(tag + encode_varint(data & 0xFFFFFFFFFFFFFFFF))
            elif wire_type == 1:
                pending.append(tag + struct.pack("<Q", data & 0xFFFFFFFFFFFFFFFF))
            elif wire_type == 5:
                pending.append(tag + struct.pack("<I", data & 0xFFFFFFFF))
            elif wire_type == 2:
                pending.append(tag + encode_varint(len(data)) + bytes(data))
            elif wire_type == 3:
                pending.extend((tag, data, encode_varint(number << 3 | 4)))
        work.extend(reversed(pending))
    return bytes(out)


def encode_varint(n: int) -> bytes:
    """``n`` (0 to 2**64 - 1) as a protobuf varint."""
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def child_nodes(node: workflow_pb2.Node) -> list[workflow_pb2.Node]:
    """The nodes directly inside ``node``: a branch's cases in order, then its else node; an array node's sub-node."""
    kind = node.WhichOneof("target")
    if kind == "branch_node":
        if_else = node.branch_node.if_else
        children = [if_else.case.then_node, *(block.then_node for block in if_else.other)]
        return [*children, if_else.else_node] if if_else.HasField("else_node") else children
    if kind == "array_node":
        return [node.array_node.node]
    return []


def all_nodes(template: workflow_pb2.WorkflowTemplate) -> Iterator[workflow_pb2.Node]:
    """Every node of ``template`` however deep, iteratively: parents before their children, in order, and the
    failure node (with what it holds) last."""
    stack = list(reversed(template.nodes))
    if template.HasField("failure_node"):
        stack.insert(0, template.failure_node)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(child_nodes(node)))
