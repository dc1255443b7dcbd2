"""Hypothesis strategies that generate flytespec messages from their descriptors.

Needs ``hypothesis`` (``pip install flytespec[testing]``). The strategies build random but well-formed messages of
any type: every field kind, oneofs (at most one member), maps, repeated fields, nested messages down to a bounded
depth, and the well-known types in their valid ranges (Durations and Timestamps that proto3 JSON can write, Structs
of finite numbers, Anys holding loadable types). They are meant for round-trip and differential tests::

    from hypothesis import given
    from flytespec.core import workflow_pb2
    from flytespec.testing import messages

    @given(messages(workflow_pb2.WorkflowTemplate))
    def test_round_trip(wf):
        assert workflow_pb2.WorkflowTemplate.FromString(wf.SerializeToString()) == wf

:func:`messages` makes random messages, not valid workflows: node ids do not reference each other, types do not
match bindings. :func:`workflow_closures` makes valid workflows (flytekit-shaped: task, branch and array nodes,
promises, literals and lists of promises, all type-consistent), for "valid specs pass" properties and for mutation
tests; :func:`random_workflow_closure` builds one of any size directly, deterministically.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from google.protobuf import any_pb2, duration_pb2, struct_pb2, timestamp_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

from flytespec._compat import descriptor_of, enum_of, is_map, is_repeated, message_class_of, message_of
from flytespec.core import workflow_closure_pb2
from flytespec.testing._workflows import random_workflow_closure

__all__ = ["json_values", "messages", "random_workflow_closure", "workflow_closures"]

M = TypeVar("M", bound=Message)
_F = FieldDescriptor

_DURATION_MAX = 315_576_000_000
_TIMESTAMP_MIN = -62_135_596_800
_TIMESTAMP_MAX = 253_402_300_799


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """JSON values (null, booleans, finite numbers, strings, lists, objects), as a Struct or Value can hold them."""
    leaves = st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
    return st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
        max_leaves=max_leaves,
    )


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(value)
    return out


def _value(value: Any) -> struct_pb2.Value:
    out = struct_pb2.Value()
    if value is None:
        out.null_value = struct_pb2.NULL_VALUE
    elif isinstance(value, bool):
        out.bool_value = value
    elif isinstance(value, (int, float)):
        out.number_value = value
    elif isinstance(value, str):
        out.string_value = value
    elif isinstance(value, list):
        out.list_value.extend(value)
    else:
        out.struct_value.update(value)
    return out


def _durations() -> st.SearchStrategy[duration_pb2.Duration]:
    def build(seconds: int, nanos: int) -> duration_pb2.Duration:
        if seconds < 0 or (seconds == 0 and nanos and nanos % 2):
            nanos = -nanos
        return duration_pb2.Duration(seconds=seconds, nanos=nanos)

    return st.builds(build, st.integers(-_DURATION_MAX, _DURATION_MAX), st.integers(0, 999_999_999))


def _timestamps() -> st.SearchStrategy[timestamp_pb2.Timestamp]:
    return st.builds(
        timestamp_pb2.Timestamp, seconds=st.integers(_TIMESTAMP_MIN, _TIMESTAMP_MAX), nanos=st.integers(0, 999_999_999)
    )


def _anys() -> st.SearchStrategy[any_pb2.Any]:
    def pack(payload: Message) -> any_pb2.Any:
        # Deterministic, as flytespec writes Any payloads (a Struct's entries would otherwise come in any order).
        return any_pb2.Any(
            type_url=f"type.googleapis.com/{descriptor_of(payload).full_name}",
            value=payload.SerializeToString(deterministic=True),
        )

    payloads: st.SearchStrategy[Message] = st.one_of(
        _durations(), _timestamps(), json_values().map(lambda v: _struct({"v": v}))
    )
    return st.just(any_pb2.Any()) | payloads.map(pack)


_WELL_KNOWN: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "google.protobuf.Duration": _durations,
    "google.protobuf.Timestamp": _timestamps,
    "google.protobuf.Struct": lambda: st.dictionaries(st.text(max_size=6), json_values(), max_size=3).map(_struct),
    "google.protobuf.Value": lambda: json_values().map(_value),
    "google.protobuf.ListValue": lambda: st.lists(json_values(), max_size=3).map(
        lambda v: struct_pb2.ListValue(values=[_value(x) for x in v])
    ),
    "google.protobuf.Any": _anys,
}


class _Builder:
    def __init__(
        self,
        max_depth: int,
        max_size: int,
        allow_nan: bool,
        allow_infinity: bool,
        unknown_enum_values: bool,
        overrides: Mapping[str, st.SearchStrategy[Any]],
    ) -> None:
        self.max_depth = max_depth
        self.max_size = max_size
        self.allow_nan = allow_nan
        self.allow_infinity = allow_infinity
        self.unknown_enum_values = unknown_enum_values
        self.overrides = overrides
        self.cache: dict[tuple[str, int], st.SearchStrategy[Any]] = {}

    def scalar(self, field: FieldDescriptor) -> st.SearchStrategy[Any]:
        t = field.type
        if t == _F.TYPE_ENUM:
            known = st.sampled_from([v.number for v in enum_of(field).values])
            return known | st.integers(-(2**31), 2**31 - 1) if self.unknown_enum_values else known
        if t in (_F.TYPE_INT32, _F.TYPE_SINT32, _F.TYPE_SFIXED32):
            return st.integers(-(2**31), 2**31 - 1)
        if t in (_F.TYPE_UINT32, _F.TYPE_FIXED32):
            return st.integers(0, 2**32 - 1)
        if t in (_F.TYPE_INT64, _F.TYPE_SINT64, _F.TYPE_SFIXED64):
            return st.integers(-(2**63), 2**63 - 1)
        if t in (_F.TYPE_UINT64, _F.TYPE_FIXED64):
            return st.integers(0, 2**64 - 1)
        if t == _F.TYPE_FLOAT:
            return st.floats(width=32, allow_nan=self.allow_nan, allow_infinity=self.allow_infinity)
        if t == _F.TYPE_DOUBLE:
            return st.floats(allow_nan=self.allow_nan, allow_infinity=self.allow_infinity)
        if t == _F.TYPE_BOOL:
            return st.booleans()
        if t == _F.TYPE_BYTES:
            return st.binary(max_size=12)
        return st.text(max_size=12)

    def value(self, field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
        if field.type == _F.TYPE_MESSAGE:
            return self.message(message_of(field), depth + 1)
        return self.scalar(field)

    def field(self, field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
        override = self.overrides.get(field.full_name)
        if override is not None:
            return override
        if is_map(field):
            entry = message_of(field)
            key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
            return st.dictionaries(self.scalar(key), self.value(value, depth), max_size=self.max_size)
        if is_repeated(field):
            return st.lists(self.value(field, depth), max_size=self.max_size)
        return self.value(field, depth)

    def message(self, desc: Descriptor, depth: int) -> st.SearchStrategy[Any]:
        key = (desc.full_name, min(depth, self.max_depth + 1))
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        override = self.overrides.get(desc.full_name)
        if override is not None:
            strategy: st.SearchStrategy[Any] = override
        elif desc.full_name in _WELL_KNOWN:
            strategy = _WELL_KNOWN[desc.full_name]()
        else:
            strategy = st.deferred(lambda: self._build(desc, depth))
        self.cache[key] = strategy
        return strategy

    def _build(self, desc: Descriptor, depth: int) -> st.SearchStrategy[Any]:
        cls = message_class_of(desc)
        deep = depth >= self.max_depth

        def usable(field: FieldDescriptor) -> bool:
            if field.full_name in self.overrides:
                return True
            nested = field.type == _F.TYPE_MESSAGE and not is_map(field)
            return not (deep and nested and message_of(field).full_name not in _WELL_KNOWN)

        plain = {f.name: self.field(f, depth) for f in desc.fields if f.containing_oneof is None and usable(f)}
        oneofs: list[st.SearchStrategy[dict[str, Any]]] = []
        for oneof in desc.oneofs:
            members = [f for f in oneof.fields if usable(f)]
            if members:
                choices = [self.field(f, depth).map(functools.partial(_single, f.name)) for f in members]
                oneofs.append(st.just({}) | st.one_of(choices))

        def build(kwargs: dict[str, Any], chosen: tuple[dict[str, Any], ...]) -> Message:
            return cls(**kwargs, **{k: v for c in chosen for k, v in c.items()})

        return st.builds(build, st.fixed_dictionaries({}, optional=plain), st.tuples(*oneofs))


def _single(name: str, value: Any) -> dict[str, Any]:
    return {name: value}


def messages(
    message_type: type[M],
    *,
    max_depth: int = 4,
    max_size: int = 2,
    allow_nan: bool = False,
    allow_infinity: bool = True,
    unknown_enum_values: bool = False,
    overrides: Mapping[str, st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[M]:
    """A strategy generating random instances of ``message_type``.

    Args:
        message_type: the message class.
        max_depth: below this nesting depth, nested message fields (other than well-known types) stay unset, which
            keeps recursive types (Node in BranchNode in Node...) finite.
        max_size: largest repeated field and map generated.
        allow_nan: generate NaN in float and double fields (NaN is not equal to itself, so ``==`` on messages then
            fails; compare serialized bytes instead).
        allow_infinity: generate infinities in float and double fields.
        unknown_enum_values: also generate enum numbers the enum does not define (proto3 keeps them).
        overrides: strategies to use instead, keyed by message full name (``flytespec.core.Identifier``) or field
            full name (``flytespec.core.Node.id``).

    Returns:
        A strategy of ``message_type`` instances.
    """
    builder = _Builder(max_depth, max_size, allow_nan, allow_infinity, unknown_enum_values, overrides or {})
    strategy: st.SearchStrategy[M] = builder.message(descriptor_of(message_type), 1)
    return strategy


def workflow_closures(
    min_nodes: int = 1, max_nodes: int = 40
) -> st.SearchStrategy[workflow_closure_pb2.WorkflowClosure]:
    """A strategy of valid WorkflowClosures (see :func:`random_workflow_closure`) of a size in the given range."""
    return st.builds(random_workflow_closure, st.integers(min_nodes, max_nodes), st.integers(0, 2**32 - 1))
