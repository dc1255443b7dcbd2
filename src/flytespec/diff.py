"""A semantic diff of two specs: what changed, by field path, ignoring order where order has no meaning.

The question it answers is the one Flyte's admin service leaves open when it refuses a registration as "different
structure": which nodes were added, removed or rewired, which bindings and fields changed::

    from flytespec import io
    from flytespec.diff import diff

    for change in diff(io.load("old/wf_2.pb"), io.load("new/wf_2.pb")):
        print(change)       # ~ template.nodes[id="n1"].metadata.retries.retries: 3 -> 5

Lists whose order carries no meaning are matched by key, not position: nodes by ``id``, bindings and aliases by
``var``, tasks and workflows by identifier, key-value pairs by ``key``, resource entries by ``name``; their
elements appear in paths as ``nodes[id="n1"]``. Upstream node ids are compared as sets. Other lists are compared
element by element (``[0]``). Well-known types (durations, timestamps, structs) are compared as values. Values are
shown in their JSON form, or in protobuf's text format where JSON cannot hold them (a NaN in a Struct). A node
present on both sides whose dependencies (upstream node ids and the nodes its bindings read from) differ is also
reported as ``rewired``. Fields unknown to this version of flytespec are compared too.

The walk is iterative; equal subtrees are skipped after one comparison in protobuf's own code, so the cost follows
the size of the differences more than the size of the specs.
"""

from __future__ import annotations

import base64
import json
import math
import struct
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf import text_format, unknown_fields
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from flytespec import io
from flytespec._compat import StrEnum, descriptor_of, enum_of, is_map, is_repeated, message_of
from flytespec._walk import format_path, key_segment, with_canonical_anys
from flytespec.core import literals_pb2, workflow_pb2
from flytespec.errors import EncodeError
from flytespec.graph import node_dependencies
from flytespec.interop import as_flytespec
from flytespec.io._codec import WELL_KNOWN

__all__ = ["Change", "ChangeKind", "diff"]


class ChangeKind(StrEnum):
    """What happened at a path."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    REWIRED = "rewired"


_SIGNS = {ChangeKind.ADDED: "+", ChangeKind.REMOVED: "-", ChangeKind.CHANGED: "~", ChangeKind.REWIRED: "~"}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two specs.

    Attributes:
        kind: added, removed, changed or rewired.
        path: where, from the root of the specs (``template.nodes[id="n1"].inputs[var="x"].binding``).
        old: the value on the first side, JSON-shaped (None when added). For ``rewired``: the node's dependencies.
        new: the value on the second side, JSON-shaped (None when removed). For ``rewired``: the dependencies.
    """

    kind: ChangeKind
    path: str
    old: Any
    new: Any

    def __str__(self) -> str:
        where = self.path or "<root>"
        if self.kind is ChangeKind.ADDED:
            return f"+ {where}: {_show(self.new)}"
        if self.kind is ChangeKind.REMOVED:
            return f"- {where}: {_show(self.old)}"
        if self.kind is ChangeKind.REWIRED:
            return f"~ {where}: rewired: depends on {_deps(self.old)} -> {_deps(self.new)}"
        return f"~ {where}: {_show(self.old)} -> {_show(self.new)}"

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-shaped values: ``kind``, ``path``, ``old``, ``new``."""
        return {"kind": self.kind.value, "path": self.path, "old": self.old, "new": self.new}


def _deps(ids: Any) -> str:
    return ", ".join(ids) if ids else "nothing"


def _show(value: Any, limit: int = 120) -> str:
    if value is None:
        return "unset"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------------------------
# How list elements are matched


def _identifier(ident: Any) -> str:
    scope = "/".join(p for p in (ident.org, ident.project, ident.domain, ident.name) if p)
    return scope + (f"@{ident.version}" if ident.version else "")


_KEYS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "flytespec.core.Node": ("id", lambda m: m.id),
    "flytespec.core.Binding": ("var", lambda m: m.var),
    "flytespec.core.Alias": ("var", lambda m: m.var),
    "flytespec.core.KeyValuePair": ("key", lambda m: m.key),
    "flytespec.core.TaskTemplate": ("id", lambda m: _identifier(m.id)),
    "flytespec.core.WorkflowTemplate": ("id", lambda m: _identifier(m.id)),
    "flytespec.core.CompiledTask": ("id", lambda m: _identifier(m.template.id)),
    "flytespec.core.CompiledWorkflow": ("id", lambda m: _identifier(m.template.id)),
    "flytespec.core.CompiledLaunchPlan": ("id", lambda m: _identifier(m.template.id)),
    "flytespec.core.Resources.ResourceEntry": (
        "name",
        lambda m: (
            m.DESCRIPTOR.fields_by_name["name"].enum_type.values_by_number[m.name].name
            if m.name in m.DESCRIPTOR.fields_by_name["name"].enum_type.values_by_number
            else str(m.name)
        ),
    ),
}

# Repeated scalar fields that are sets.
_SETS = frozenset({"flytespec.core.Node.upstream_node_ids"})

# Compared as values, shown in their JSON form.
_LEAVES = WELL_KNOWN

_F = FieldDescriptor
_INT64 = frozenset({_F.TYPE_INT64, _F.TYPE_SINT64, _F.TYPE_SFIXED64, _F.TYPE_UINT64, _F.TYPE_FIXED64})


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------------------------------------------
# Values in JSON form


def _message_json(message: Message) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return io.to_dict(message, drop_unknown_fields=True)
        except EncodeError:
            # No JSON form (a NaN in a Struct, a Duration out of range): shown in protobuf's text format instead.
            return text_format.MessageToString(message, as_one_line=True)


def _scalar_json(fd: FieldDescriptor, value: Any) -> Any:
    if fd.type == _F.TYPE_ENUM:
        found = enum_of(fd).values_by_number.get(value)
        return found.name if found is not None else value
    if fd.type == _F.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if fd.type in _INT64:
        return str(value)
    return value


def _field_json(fd: FieldDescriptor, value: Any) -> Any:
    if is_map(fd):
        value_fd = message_of(fd).fields_by_name["value"]
        return {str(k): _field_json(value_fd, value[k]) for k in sorted(value)}
    if is_repeated(fd):
        return [_message_json(v) if fd.type == _F.TYPE_MESSAGE else _scalar_json(fd, v) for v in value]
    if fd.type == _F.TYPE_MESSAGE:
        return _message_json(value)
    return _scalar_json(fd, value)


def _unknown(message: Message) -> list[tuple[int, int, Any]]:
    found: Any = unknown_fields.UnknownFieldSet(message)
    return [(f.field_number, f.wire_type, f.data) for f in found] if len(found) else []


# --------------------------------------------------------------------------------------------------------------
# The walk

_Pair = tuple[tuple[str, ...], Message, Message]
_Item = Change | _Pair


def diff(a: Message, b: Message) -> list[Change]:
    """Every difference between two specs of the same type, in field order (see the module docs).

    Raises:
        TypeError: ``a`` and ``b`` are not messages of the same type.
    """
    a, b = as_flytespec(a, "a"), as_flytespec(b, "b")
    if type(a) is not type(b):
        raise TypeError(
            f"can only compare two messages of the same type, got {a.DESCRIPTOR.full_name} and {b.DESCRIPTOR.full_name}"
        )
    changes: list[Change] = []
    stack: list[_Item] = [((), with_canonical_anys(a), with_canonical_anys(b))]  # Any payloads by content
    while stack:
        item = stack.pop()
        if isinstance(item, Change):
            changes.append(item)
            continue
        stack.extend(reversed(list(_compare(*item))))
    return changes


# Whether this runtime finds messages equal whose floats differ only in sign (0.0 and -0.0), as protobuf 4.21's upb
# does: then messages it finds equal are confirmed by their bytes.
_SIGNLESS = literals_pb2.Primitive(float_value=0.0) == literals_pb2.Primitive(float_value=-0.0)


def _differ(x: Message, y: Message) -> bool:
    """Whether two messages differ (unknown fields included): equal subtrees are skipped whole, in protobuf's code."""
    try:
        if x != y:
            return True
    except RecursionError:  # the pure-Python backend compares recursively: walk it instead
        return True
    return _sign_differs(x, y)


def _sign_differs(x: Message, y: Message) -> bool:
    """For two messages the runtime finds equal: whether they still differ, in the sign of a zero."""
    return _SIGNLESS and x.SerializeToString(deterministic=True) != y.SerializeToString(deterministic=True)


def _compare(segments: tuple[str, ...], x: Message, y: Message) -> Iterator[_Item]:
    """The changes and the child pairs to compare, of one pair of messages, in field order."""
    desc = descriptor_of(x)
    if desc.full_name in _LEAVES:
        if x != y or _sign_differs(x, y):
            yield Change(ChangeKind.CHANGED, format_path(segments), _message_json(x), _message_json(y))
        return
    if isinstance(x, workflow_pb2.Node) and isinstance(y, workflow_pb2.Node):
        before = [d for d in node_dependencies(x) if d]
        after = [d for d in node_dependencies(y) if d]
        if before != after:
            yield Change(ChangeKind.REWIRED, format_path(segments), before, after)
    xs, ys = dict(x.ListFields()), dict(y.ListFields())
    for fd in sorted(set(xs) | set(ys), key=lambda f: f.number):
        vx, vy = xs.get(fd), ys.get(fd)
        here = (*segments, fd.name)
        if vx is None or vy is None:
            kind = ChangeKind.ADDED if vx is None else ChangeKind.REMOVED
            yield Change(
                kind,
                format_path(here),
                None if vx is None else _field_json(fd, vx),
                None if vy is None else _field_json(fd, vy),
            )
        elif is_map(fd):
            yield from _compare_maps(fd, here, vx, vy)
        elif is_repeated(fd):
            yield from _compare_lists(fd, here, vx, vy)
        elif fd.type == _F.TYPE_MESSAGE:
            if _differ(vx, vy):
                yield (here, vx, vy)
        elif not _same(vx, vy):
            yield Change(ChangeKind.CHANGED, format_path(here), _scalar_json(fd, vx), _scalar_json(fd, vy))
    ux, uy = _unknown(x), _unknown(y)
    if ux != uy:
        yield Change(
            ChangeKind.CHANGED,
            format_path((*segments, "<unknown fields>")),
            [f"field {n}" for n, _, _ in ux],
            [f"field {n}" for n, _, _ in uy],
        )


def _same(x: Any, y: Any) -> bool:
    """Whether two scalar values are the same, as their bytes are: a NaN is the same NaN only bit for bit (its sign
    and payload are written, and digested), and 0.0 is not -0.0 (which Python finds equal)."""
    if isinstance(x, float) and isinstance(y, float):
        if math.isnan(x) or math.isnan(y):
            return struct.pack("<d", x) == struct.pack("<d", y)
        return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)
    return bool(x == y)


def _compare_maps(fd: FieldDescriptor, here: tuple[str, ...], vx: Any, vy: Any) -> Iterator[_Item]:
    value_fd = message_of(fd).fields_by_name["value"]
    messages = value_fd.type == _F.TYPE_MESSAGE
    for key in sorted(set(vx) | set(vy)):
        at = (*here, key_segment(key))
        if key not in vy:
            yield Change(ChangeKind.REMOVED, format_path(at), _field_json(value_fd, vx[key]), None)
        elif key not in vx:
            yield Change(ChangeKind.ADDED, format_path(at), None, _field_json(value_fd, vy[key]))
        elif messages:
            if _differ(vx[key], vy[key]):
                yield (at, vx[key], vy[key])
        elif not _same(vx[key], vy[key]):
            yield Change(
                ChangeKind.CHANGED, format_path(at), _scalar_json(value_fd, vx[key]), _scalar_json(value_fd, vy[key])
            )


def _keyed(fd: FieldDescriptor, values: Any) -> dict[str, Any] | None:
    spec = _KEYS.get(message_of(fd).full_name) if fd.type == _F.TYPE_MESSAGE else None
    if spec is None:
        return None
    out: dict[str, Any] = {}
    for v in values:
        key = spec[1](v)
        if key in out:
            return None  # keys repeat: fall back to positions
        out[key] = v
    return out


def _compare_lists(fd: FieldDescriptor, here: tuple[str, ...], vx: Any, vy: Any) -> Iterator[_Item]:
    if fd.full_name in _SETS:
        before, after = sorted(set(vx)), sorted(set(vy))
        if before != after:
            yield Change(ChangeKind.CHANGED, format_path(here), before, after)
        return
    if fd.type != _F.TYPE_MESSAGE:
        if len(vx) != len(vy) or not all(_same(a, b) for a, b in zip(vx, vy, strict=True)):
            yield Change(ChangeKind.CHANGED, format_path(here), _field_json(fd, vx), _field_json(fd, vy))
        return
    kx, ky = _keyed(fd, vx), _keyed(fd, vy)
    if kx is not None and ky is not None:
        name = _KEYS[message_of(fd).full_name][0]
        for key, value in kx.items():
            at = (*here, f"[{name}={_quote(key)}]")
            if key not in ky:
                yield Change(ChangeKind.REMOVED, format_path(at), _message_json(value), None)
            elif _differ(value, ky[key]):
                yield (at, value, ky[key])
        for key, value in ky.items():
            if key not in kx:
                at = (*here, f"[{name}={_quote(key)}]")
                yield Change(ChangeKind.ADDED, format_path(at), None, _message_json(value))
        return
    for i in range(max(len(vx), len(vy))):
        at = (*here, f"[{i}]")
        if i >= len(vy):
            yield Change(ChangeKind.REMOVED, format_path(at), _message_json(vx[i]), None)
        elif i >= len(vx):
            yield Change(ChangeKind.ADDED, format_path(at), None, _message_json(vy[i]))
        elif _differ(vx[i], vy[i]):
            yield (at, vx[i], vy[i])
