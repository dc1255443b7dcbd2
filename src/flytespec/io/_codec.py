"""Conversion between protobuf messages and JSON-shaped Python values, following the proto3 JSON mapping.

The output of :func:`message_to_value` equals ``json_format.MessageToDict`` (camelCase names, enum names, 64-bit
integers as strings, well-known types in their JSON forms, defaults omitted), with map and Struct keys sorted so
that the result is deterministic. :func:`value_to_message` reads that form back, and also accepts the original field
names, enum numbers, numbers for 64-bit integers and numeric strings, as the mapping allows.

Both directions are iterative (an explicit stack, no recursion over the message tree) and driven by per-descriptor
plans built once. Errors carry the field path of the problem (``workflow.nodes[3].metadata.timeout``).
"""

from __future__ import annotations

import base64
import binascii
import calendar
import difflib
import math
import re
import struct
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError as _ProtoDecodeError
from google.protobuf.message import Message

from flytespec._compat import descriptor_of, enum_of, is_map, is_repeated, message_class_of, message_of
from flytespec._walk import any_payload_unknown_paths, format_path, key_segment, unknown_field_paths
from flytespec.errors import FlytespecWarning, UnknownFieldsError
from flytespec.io._wire import MAP_ENTRIES_CRASH_PARSER, locate_error

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "WELL_KNOWN",
    "WRAPPERS",
    "CodecError",
    "DepthError",
    "DuplicateKeyDict",
    "OverflowedFloat",
    "guard_unknown_fields",
    "message_to_value",
    "value_to_message",
]

#: Deepest message nesting (the root message is level 1) read from JSON or YAML by default. protobuf's own binary
#: parser refuses nesting one level deeper (101 levels, ``flytespec.io.BINARY_MAX_DEPTH``), so whatever flytespec
#: reads from text it can also write and read back as binary.
DEFAULT_MAX_DEPTH = 100

_F = FieldDescriptor


def guard_unknown_fields(message: Message, drop_unknown_fields: bool) -> None:
    """Before writing ``message`` as JSON, which cannot carry fields unknown to flytespec: refuse it if it holds some,
    or, when ``drop_unknown_fields``, warn (a FlytespecWarning) that they are left out. Both name where they are.

    Raises:
        UnknownFieldsError: ``message`` holds unknown fields and ``drop_unknown_fields`` is false.
    """
    # Fields unknown to flytespec, and inside Anys, payloads holding some (JSON writes a payload field by field).
    paths = unknown_field_paths(message) + any_payload_unknown_paths(message)
    if not paths:
        return
    name = descriptor_of(message).full_name
    if not drop_unknown_fields:
        raise UnknownFieldsError(paths, message_type=name)
    where = UnknownFieldsError.where(paths)
    warnings.warn(f"{name}: left out fields unknown to flytespec at {where}", FlytespecWarning, stacklevel=3)


# Field kinds. Scalars first, then messages.
_PLAIN, _INT64, _FLOAT, _DOUBLE, _BYTES, _ENUM, _BOOL, _STRING, _INT32, _UINT32, _UINT64, _MESSAGE, _WKT = range(13)

_INT32_TYPES = {_F.TYPE_INT32, _F.TYPE_SINT32, _F.TYPE_SFIXED32}
_UINT32_TYPES = {_F.TYPE_UINT32, _F.TYPE_FIXED32}
_INT64_TYPES = {_F.TYPE_INT64, _F.TYPE_SINT64, _F.TYPE_SFIXED64}
_UINT64_TYPES = {_F.TYPE_UINT64, _F.TYPE_FIXED64}

_RANGES = {
    _INT32: (-(2**31), 2**31 - 1),
    _UINT32: (0, 2**32 - 1),
    _INT64: (-(2**63), 2**63 - 1),
    _UINT64: (0, 2**64 - 1),
}
_WIDTHS = {_INT32: "int32", _UINT32: "uint32", _INT64: "int64", _UINT64: "uint64"}
_MAX_INT_DIGITS = 20  # the most digits of any 64-bit integer
_FLOAT32_MAX = 3.4028234663852886e38
_DOUBLE_EXACT_INT = 2**53  # integers up to this are held exactly by a double
_DURATION_MAX_SECONDS = 315_576_000_000
_TIMESTAMP_MIN_SECONDS = -62_135_596_800  # 0001-01-01T00:00:00Z
_TIMESTAMP_MAX_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
_INT_TEXT = re.compile(r"-?[0-9]+")
_DURATION_TEXT = re.compile(r"(-)?([0-9]+)(?:\.([0-9]{1,9}))?s")
_TIMESTAMP_TEXT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))"
)

#: The wrapper types of google/protobuf/wrappers.proto (JSON: the bare value).
WRAPPERS = {
    "google.protobuf.DoubleValue",
    "google.protobuf.FloatValue",
    "google.protobuf.Int64Value",
    "google.protobuf.UInt64Value",
    "google.protobuf.Int32Value",
    "google.protobuf.UInt32Value",
    "google.protobuf.BoolValue",
    "google.protobuf.StringValue",
    "google.protobuf.BytesValue",
}
#: The well-known types proto3 JSON writes in a form of their own.
WELL_KNOWN = WRAPPERS | {
    "google.protobuf.Any",
    "google.protobuf.Duration",
    "google.protobuf.Timestamp",
    "google.protobuf.FieldMask",
    "google.protobuf.Struct",
    "google.protobuf.Value",
    "google.protobuf.ListValue",
    "google.protobuf.Empty",
}


class CodecError(Exception):
    """A conversion failed at ``segments`` (a tuple of path segments) because of ``reason``."""

    def __init__(self, reason: str, segments: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.segments = segments

    @property
    def path(self) -> str:
        return format_path(self.segments)


class DepthError(CodecError):
    """The value is nested deeper than ``max_depth`` messages (raised before anything below that depth is built)."""

    def __init__(self, max_depth: int, segments: tuple[str, ...] = ()) -> None:
        super().__init__(f"nesting is deeper than {max_depth} messages", segments)
        self.max_depth = max_depth


class OverflowedFloat(float):
    """A number in JSON text too large for a double (``1e999``): Python reads it as infinity, which would change it.

    The JSON reader returns it in place of the infinity, so that the field it lands in refuses it with its path.
    """

    text: str = ""


class DuplicateKeyDict(dict[str, Any]):
    """A JSON object that repeated a key; ``duplicates`` names the repeated keys (the JSON reader marks them)."""

    duplicates: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------------------------
# Plans: what to do with each field, computed once per descriptor.


@dataclass(frozen=True, slots=True)
class _Field:
    fd: FieldDescriptor
    name: str
    json_name: str
    number: int
    kind: int
    repeated: bool
    is_map: bool
    oneof: str | None
    message: Descriptor | None
    enum_names: dict[int, str] | None
    enum_numbers: dict[str, int] | None
    enum_full_name: str | None
    # For map fields: the kinds of the key and value fields, and the value's field plan.
    key_kind: int = _PLAIN
    value: _Field | None = None


def _kind(fd: FieldDescriptor) -> int:
    t = fd.type
    if t == _F.TYPE_MESSAGE or t == _F.TYPE_GROUP:
        return _WKT if message_of(fd).full_name in WELL_KNOWN else _MESSAGE
    if t == _F.TYPE_ENUM:
        return _ENUM
    if t in _INT64_TYPES:
        return _INT64
    if t in _UINT64_TYPES:
        return _UINT64
    if t in _INT32_TYPES:
        return _INT32
    if t in _UINT32_TYPES:
        return _UINT32
    if t == _F.TYPE_FLOAT:
        return _FLOAT
    if t == _F.TYPE_DOUBLE:
        return _DOUBLE
    if t == _F.TYPE_BYTES:
        return _BYTES
    if t == _F.TYPE_BOOL:
        return _BOOL
    return _STRING


def _field_plan(fd: FieldDescriptor) -> _Field:
    mapped = is_map(fd)
    enum = enum_of(fd) if fd.type == _F.TYPE_ENUM else None
    key_kind, value = _PLAIN, None
    if mapped:
        key_kind = _kind(message_of(fd).fields_by_name["key"])
        value = _field_plan(message_of(fd).fields_by_name["value"])
    oneof = fd.containing_oneof
    return _Field(
        fd=fd,
        name=fd.name,
        json_name=fd.json_name,
        number=fd.number,
        kind=_kind(fd),
        repeated=is_repeated(fd) and not mapped,
        is_map=mapped,
        oneof=oneof.name if oneof is not None else None,
        message=message_of(fd) if fd.type in (_F.TYPE_MESSAGE, _F.TYPE_GROUP) else None,
        enum_names={v.number: v.name for v in enum.values} if enum is not None else None,
        enum_numbers={v.name: v.number for v in enum.values} if enum is not None else None,
        enum_full_name=enum.full_name if enum is not None else None,
        key_kind=key_kind,
        value=value,
    )


_plans: dict[str, dict[Any, _Field]] = {}
_reader_plans: dict[str, dict[str, _Field]] = {}


def _plans_for(desc: Descriptor | Any) -> dict[Any, _Field]:
    """Field plans of ``desc`` keyed by field descriptor (what ``ListFields`` yields)."""
    plans = _plans.get(desc.full_name)
    if plans is None:
        plans = {fd: _field_plan(fd) for fd in desc.fields}
        _plans[desc.full_name] = plans
    return plans


def _reader_plans_for(desc: Descriptor | Any) -> dict[str, _Field]:
    """Field plans of ``desc`` keyed by every name JSON may use: the JSON name and the proto field name."""
    plans = _reader_plans.get(desc.full_name)
    if plans is None:
        plans = {}
        for plan in _plans_for(desc).values():
            plans[plan.json_name] = plan
            plans[plan.name] = plan
        _reader_plans[desc.full_name] = plans
    return plans


# --------------------------------------------------------------------------------------------------------------
# Writing: message -> JSON-shaped value.


def _shortest_float32(value: float) -> float:
    """The shortest decimal that reads back as the same 32-bit float (what protobuf's JSON printer writes)."""
    for precision in range(6, 10):
        rounded = float(f"{value:.{precision}g}")
        if struct.unpack("<f", struct.pack("<f", rounded))[0] == value:
            return rounded
    return value


def _float_out(value: float, kind: int) -> float | str:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return _shortest_float32(value) if kind == _FLOAT else value


def _scalar_out(plan: _Field, kind: int, value: Any) -> Any:
    if kind in (_INT64, _UINT64):
        return str(value)
    if kind == _ENUM:
        names = plan.enum_names
        assert names is not None
        if plan.enum_full_name == "google.protobuf.NullValue":
            return None
        return names.get(value, value)
    if kind in (_FLOAT, _DOUBLE):
        return _float_out(value, kind)
    if kind == _BYTES:
        return base64.b64encode(value).decode("ascii")
    return value


def _map_key_out(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _duration_out(seconds: int, nanos: int) -> str:
    if not -_DURATION_MAX_SECONDS <= seconds <= _DURATION_MAX_SECONDS or not -999_999_999 <= nanos <= 999_999_999:
        raise CodecError(f"Duration out of range (seconds={seconds}, nanos={nanos}): at most 10,000 years")
    if (seconds < 0 < nanos) or (nanos < 0 < seconds):
        raise CodecError(f"Duration has seconds ({seconds}) and nanos ({nanos}) of different signs")
    sign = "-" if seconds < 0 or nanos < 0 else ""
    return f"{sign}{abs(seconds)}{_fraction(abs(nanos))}s"


def _fraction(nanos: int) -> str:
    if nanos == 0:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1_000 == 0:
        return f".{nanos // 1_000:06d}"
    return f".{nanos:09d}"


def _timestamp_out(seconds: int, nanos: int) -> str:
    if not _TIMESTAMP_MIN_SECONDS <= seconds <= _TIMESTAMP_MAX_SECONDS:
        raise CodecError(f"Timestamp out of range (seconds={seconds}): must be within years 0001 to 9999")
    if not 0 <= nanos <= 999_999_999:
        raise CodecError(f"Timestamp nanos out of range ({nanos}): must be within [0, 999999999]")
    days, rem = divmod(seconds - _TIMESTAMP_MIN_SECONDS, 86_400)
    date = datetime.fromordinal(days + 1)
    hh, rem = divmod(rem, 3600)
    mm, ss = divmod(rem, 60)
    return f"{date.year:04d}-{date.month:02d}-{date.day:02d}T{hh:02d}:{mm:02d}:{ss:02d}{_fraction(nanos)}Z"


def _camel(path: str) -> str:
    parts = path.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def message_to_value(msg: Message, *, proto_names: bool = False) -> Any:
    """Convert ``msg`` to its proto3 JSON form as Python values (dicts, lists, strings, numbers, bools, None).

    Args:
        msg: any message.
        proto_names: write the ``.proto`` field names (``upstream_node_ids``) instead of the JSON names
            (``upstreamNodeIds``).

    Raises:
        CodecError: a value has no JSON form (an out-of-range Duration or Timestamp, a non-finite number in a
            Struct, an Any whose type is unknown); ``segments`` locates it.
    """
    root: dict[str, Any] = {"": None}
    # Each entry: (message, container, key, parent entry, path segments). The JSON form of the message goes to
    # container[key]. Keys are inserted (as None) when the parent is written, so that the output keeps field order
    # whatever order the stack visits children in. Parent links rebuild the path of an error.
    stack: list[_Out] = [(msg, root, "", None, ())]
    while stack:
        entry = stack.pop()
        m, container, key = entry[0], entry[1], entry[2]
        desc = m.DESCRIPTOR
        if desc.full_name in WELL_KNOWN:
            try:
                container[key] = _well_known_out(m, desc.full_name, entry, stack, proto_names)
            except CodecError as err:
                raise CodecError(err.reason, _path_of(entry) + err.segments) from None
            continue
        out: dict[str, Any]
        if key is _INTO_ANY:
            out = container  # the fields of an Any's payload go beside its "@type"
        else:
            out = {}
            container[key] = out
        plans = _plans_for(desc)
        for fd, value in m.ListFields():
            plan = plans[fd]
            name = plan.name if proto_names else plan.json_name
            kind = plan.kind
            if plan.is_map:
                vplan = plan.value
                assert vplan is not None
                vkind = vplan.kind
                mapped: dict[str, Any] = {}
                out[name] = mapped
                if vkind >= _MESSAGE:
                    for k in sorted(value):
                        skey = _map_key_out(k)
                        mapped[skey] = None
                        stack.append((value[k], mapped, skey, entry, (plan.name, key_segment(k))))
                elif vkind in _AS_IS:
                    for k in sorted(value):
                        mapped[_map_key_out(k)] = value[k]
                else:
                    for k in sorted(value):
                        mapped[_map_key_out(k)] = _scalar_out(vplan, vkind, value[k])
            elif plan.repeated:
                if kind >= _MESSAGE:
                    items: list[Any] = [None] * len(value)
                    out[name] = items
                    for i, item in enumerate(value):
                        stack.append((item, items, i, entry, (plan.name, f"[{i}]")))
                elif kind in _AS_IS:
                    out[name] = list(value)
                else:
                    out[name] = [_scalar_out(plan, kind, v) for v in value]
            elif kind >= _MESSAGE:
                out[name] = None
                stack.append((value, out, name, entry, (plan.name,)))
            elif kind in _AS_IS:
                out[name] = value
            else:
                out[name] = _scalar_out(plan, kind, value)
    return root[""]


# (message, container, key, parent entry, path segments)
_Out = tuple[Message, Any, Any, Any, tuple[str, ...]]
# The key of a stack entry whose message (an Any's payload) writes its fields into the container itself.
_INTO_ANY: Any = object()
_AS_IS = frozenset({_STRING, _BOOL, _INT32, _UINT32})


def _path_of(entry: Any) -> tuple[str, ...]:
    """The path segments of a stack entry, from the root (entries link to their parent at index 3)."""
    parts: list[tuple[str, ...]] = []
    while entry is not None:
        parts.append(entry[4])
        entry = entry[3]
    return tuple(seg for part in reversed(parts) for seg in part)


def _well_known_out(m: Any, full_name: str, entry: _Out, stack: list[_Out], proto_names: bool) -> Any:
    if full_name == "google.protobuf.Duration":
        return _duration_out(m.seconds, m.nanos)
    if full_name == "google.protobuf.Timestamp":
        return _timestamp_out(m.seconds, m.nanos)
    if full_name in WRAPPERS:
        plan = _plans_for(m.DESCRIPTOR)[m.DESCRIPTOR.fields_by_name["value"]]
        return _scalar_out(plan, plan.kind, m.value)
    if full_name == "google.protobuf.Struct":
        out: dict[str, Any] = {}
        for k in sorted(m.fields):
            out[k] = None
            stack.append((m.fields[k], out, k, entry, (key_segment(k),)))
        return out
    if full_name == "google.protobuf.ListValue":
        items: list[Any] = [None] * len(m.values)
        for i, item in enumerate(m.values):
            stack.append((item, items, i, entry, (f"[{i}]",)))
        return items
    if full_name == "google.protobuf.Value":
        which = m.WhichOneof("kind")
        if which is None or which == "null_value":
            return None
        if which == "number_value":
            v = m.number_value
            if not math.isfinite(v):
                raise CodecError(f"Value.number_value {v} has no JSON form (JSON numbers are finite)")
            return v
        if which == "string_value":
            return m.string_value
        if which == "bool_value":
            return m.bool_value
        # A Struct or ListValue: it is written later to the same place, replacing this placeholder.
        stack.append((getattr(m, which), entry[1], entry[2], entry, ()))
        return None
    if full_name == "google.protobuf.FieldMask":
        return ",".join(_camel(p) for p in m.paths)
    if full_name == "google.protobuf.Empty":
        return {}
    if full_name == "google.protobuf.Any":
        return _any_out(m, entry, stack)
    raise AssertionError(full_name)  # pragma: no cover


def _resolve_type_url(type_url: str) -> type[Message]:
    name = type_url.rsplit("/", 1)[-1]
    if not name or "/" not in type_url:
        raise CodecError(f"Any type URL {type_url!r} is not of the form '<prefix>/<message full name>'")
    try:
        return message_class_of(descriptor_pool.Default().FindMessageTypeByName(name))
    except KeyError:
        raise CodecError(f"Any holds {name!r}, a message type that is not loaded") from None


def _any_out(m: Any, entry: _Out, stack: list[_Out]) -> dict[str, Any]:
    """An Any as ``{"@type": ..., <payload fields>}``; the payload goes on the stack (Anys nest to any depth)."""
    if not m.type_url and not m.value:
        return {}
    cls = _resolve_type_url(m.type_url)
    if MAP_ENTRIES_CRASH_PARSER and locate_error(descriptor_of(cls), m.value, 101, strict_map_entries=True):
        raise CodecError(f"Any.value is not a valid {cls.DESCRIPTOR.full_name}")
    try:
        payload = cls.FromString(m.value)
    except (_ProtoDecodeError, RecursionError, ValueError):
        raise CodecError(f"Any.value is not a valid {cls.DESCRIPTOR.full_name}") from None
    out: dict[str, Any] = {"@type": m.type_url}
    if cls.DESCRIPTOR.full_name in WELL_KNOWN:
        out["value"] = None
        stack.append((payload, out, "value", entry, ("value",)))
    else:
        stack.append((payload, out, _INTO_ANY, entry, ()))
    return out


# --------------------------------------------------------------------------------------------------------------
# Reading: JSON-shaped value -> message.


_JSON_KINDS = (bool, int, float, str, list, dict)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) not in _JSON_KINDS and isinstance(value, _JSON_KINDS):  # a subclass: StrEnum, IntEnum, OrderedDict
        return f"a {type(value).__name__} (the JSON form takes plain str, int, float, bool, dict and list values)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, (dict, list)) else _type_name(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _int_in(value: Any, kind: int) -> int:
    t = type(value)
    number: int
    if t is int:
        number = value
    elif t is float:
        if not value.is_integer():
            raise CodecError(f"expected an integer, got {value!r}")
        if abs(value) > _DOUBLE_EXACT_INT:  # read as a double: its last digits may be gone already
            raise CodecError(
                f"{value!r} cannot be read exactly: write an integer this large without a fraction or "
                "an exponent (or as a string)"
            )
        number = int(value)
    elif t is str:
        if not _INT_TEXT.fullmatch(value):
            raise CodecError(f"expected an integer, got the string {_show(value)}")
        if len(value.lstrip("-").lstrip("0")) > _MAX_INT_DIGITS:
            # Out of range whatever the digits; not converted (Python refuses int() of very long digit strings).
            lo, hi = _RANGES[kind]
            raise CodecError(f"{_show(value)} is out of range for {_WIDTHS[kind]} [{lo}, {hi}]")
        number = int(value)
    else:
        raise CodecError(f"expected an integer, got {_type_name(value)}")
    lo, hi = _RANGES[kind]
    if not lo <= number <= hi:
        raise CodecError(f"{_show(number)} is out of range for {_WIDTHS[kind]} [{lo}, {hi}]")
    return number


_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_FLOAT_NAMES = {_FLOAT: "32-bit float", _DOUBLE: "double"}


def _float_in(value: Any, kind: int) -> float:
    t = type(value)
    number: float
    if t is OverflowedFloat:
        raise CodecError(f"{_show(value.text)} is out of range for a {_FLOAT_NAMES[kind]}")
    if t is float:
        number = value
    elif t is int:
        try:
            number = float(value)
        except OverflowError:
            raise CodecError(f"{_show(value)} is out of range for a {_FLOAT_NAMES[kind]}") from None
        if kind == _DOUBLE and number != value:  # beyond 2**53: a different integer would be written back
            raise CodecError(f"{_show(value)} cannot be held exactly by a double (integers up to 2**53 can)")
    elif t is str:
        special = _SPECIAL_FLOATS.get(value)
        if special is not None:
            return special
        try:
            number = float(value)
        except ValueError:
            raise CodecError(f"expected a number, got the string {_show(value)}") from None
        if value.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise CodecError(f'write NaN and infinities as "NaN", "Infinity" or "-Infinity", not {value!r}')
        if not math.isfinite(number):  # "1e999": a finite number written, infinity read
            raise CodecError(f"{_show(value)} is out of range for a {_FLOAT_NAMES[kind]}")
    else:
        raise CodecError(f"expected a number, got {_type_name(value)}")
    if kind == _FLOAT and math.isfinite(number) and abs(number) > _FLOAT32_MAX:
        # Accept what rounds to the largest 32-bit float (its shortest form, 3.4028235e+38, is slightly above it).
        try:
            struct.pack("<f", number)
        except OverflowError:
            raise CodecError(f"{value!r} is out of range for a 32-bit float") from None
    return number


def _bytes_in(value: Any) -> bytes:
    if type(value) is not str:
        raise CodecError(f"expected base64 text, got {_type_name(value)}")
    text = value.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CodecError(f"expected base64 text, got {_show(value)}") from None


def _enum_in(plan: _Field, value: Any) -> int | None:
    """The enum number for ``value``, or None when it names no value of the enum (an unknown name)."""
    numbers = plan.enum_numbers
    assert numbers is not None
    t = type(value)
    if t is str:
        number = numbers.get(value)
        if number is not None:
            return number
        if _INT_TEXT.fullmatch(value):
            return _int_in(value, _INT32)
        return None
    if t is int or (t is float and value.is_integer()):
        return _int_in(value, _INT32)
    raise CodecError(f"expected an enum value name of {plan.enum_full_name}, got {_type_name(value)}")


def _text_in(value: str) -> str:
    """``value``, if protobuf can store it: UTF-8 text, so no lone surrogate (JSON can spell one, ``"\\ud800"``)."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            raise CodecError(
                f"the string holds a lone surrogate ({value[err.start]!r} at character {err.start}), which is not text "
                "protobuf can store (UTF-8)"
            ) from None
    return value


def _scalar_in(plan: _Field, kind: int, value: Any) -> Any:
    if kind == _STRING:
        if type(value) is not str:
            raise CodecError(f"expected a string, got {_type_name(value)}")
        return _text_in(value)
    if kind == _BOOL:
        if type(value) is not bool:
            raise CodecError(f"expected true or false, got {_type_name(value)}")
        return value
    if kind in (_INT32, _UINT32, _INT64, _UINT64):
        return _int_in(value, kind)
    if kind in (_FLOAT, _DOUBLE):
        return _float_in(value, kind)
    if kind == _BYTES:
        return _bytes_in(value)
    if kind == _ENUM:
        number = _enum_in(plan, value)
        if number is None:
            raise _UnknownEnum(plan, value)
        return number
    raise AssertionError(kind)  # pragma: no cover


class _UnknownEnum(CodecError):
    def __init__(self, plan: _Field, value: Any) -> None:
        names = list((plan.enum_numbers or {}).keys())
        close = difflib.get_close_matches(str(value), names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; expected one of {', '.join(names[:12])}"
        super().__init__(f"{value!r} is not a value of {plan.enum_full_name}{hint}")


def _map_key_in(kind: int, key: Any) -> Any:
    if kind == _STRING:
        if type(key) is not str:
            raise CodecError(f"expected a string map key, got {_type_name(key)}")
        return _text_in(key)
    if kind == _BOOL:
        if type(key) is bool:
            return key
        if key in ("true", "false"):
            return key == "true"
        raise CodecError(f'expected a boolean map key ("true" or "false"), got {_show(key)}')
    if type(key) is bool:
        raise CodecError(f"expected an integer map key, got {key!r}")
    if type(key) is int or type(key) is str:
        return _int_in(key, kind)
    raise CodecError(f"expected an integer map key, got {_type_name(key)}")


def _duration_in(value: Any) -> tuple[int, int]:
    if type(value) is not str:
        raise CodecError(f'expected a duration string such as "3.5s", got {_type_name(value)}')
    match = _DURATION_TEXT.fullmatch(value)
    if match is None:
        raise CodecError(f'expected a duration string such as "3.5s" (seconds, up to 9 decimals), got {_show(value)}')
    sign = -1 if match.group(1) else 1
    if len(match.group(2).lstrip("0")) > 12:
        raise CodecError(f"duration {_show(value)} is out of range: at most {_DURATION_MAX_SECONDS}s (10,000 years)")
    seconds = int(match.group(2))
    nanos = int((match.group(3) or "").ljust(9, "0"))
    if seconds > _DURATION_MAX_SECONDS:
        raise CodecError(f"duration {value!r} is out of range: at most {_DURATION_MAX_SECONDS}s (10,000 years)")
    return sign * seconds, sign * nanos


def _timestamp_in(value: Any) -> tuple[int, int]:
    if type(value) is not str:
        raise CodecError(f'expected an RFC 3339 timestamp such as "2024-05-01T12:00:00Z", got {_type_name(value)}')
    match = _TIMESTAMP_TEXT.fullmatch(value)
    if match is None:
        raise CodecError(f'expected an RFC 3339 timestamp such as "2024-05-01T12:00:00Z", got {_show(value)}')
    year, month, day, hh, mm, ss = (int(match.group(i)) for i in range(1, 7))
    try:
        datetime(year, month, day, hh, mm, ss, tzinfo=timezone.utc)  # a leap second (60) too: a Timestamp has none
        if match.group(9) and (int(match.group(10)) > 23 or int(match.group(11)) > 59):
            raise ValueError("a time zone offset runs from 00:00 to 23:59")
    except ValueError as err:
        raise CodecError(f"invalid timestamp {value!r}: {err}") from None
    if year < 1:
        raise CodecError(f"timestamp {value!r} is out of range: years 0001 to 9999")
    seconds = calendar.timegm((year, month, day, hh, mm, ss, 0, 0, 0))
    if match.group(9):
        offset = (int(match.group(10)) * 60 + int(match.group(11))) * 60
        seconds += -offset if match.group(9) == "+" else offset
    nanos = int((match.group(7) or "").ljust(9, "0"))
    if not _TIMESTAMP_MIN_SECONDS <= seconds <= _TIMESTAMP_MAX_SECONDS:
        raise CodecError(f"timestamp {value!r} is out of range: years 0001 to 9999")
    return seconds, nanos


def _snake(path: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), path)


@dataclass(slots=True)
class ReadReport:
    """What :func:`value_to_message` skipped on request (``ignore_unknown_fields``): the paths of unknown fields."""

    ignored: list[str]


# (message, JSON value, parent entry, path segments, depth)
_In = tuple[Message, Any, Any, tuple[str, ...], int]


def _path_in(entry: Any) -> tuple[str, ...]:
    parts: list[tuple[str, ...]] = []
    while entry is not None:
        parts.append(entry[3])
        entry = entry[2]
    return tuple(seg for part in reversed(parts) for seg in part)


def value_to_message(
    value: Any,
    message: Message,
    *,
    ignore_unknown_fields: bool = False,
    max_depth: int = DEFAULT_MAX_DEPTH,
    report: ReadReport | None = None,
    depth: int = 1,
) -> Message:
    """Fill ``message`` (a fresh instance) from its proto3 JSON form ``value``; return it.

    Args:
        value: the JSON form as Python values (what ``json.loads`` or a YAML loader returns).
        message: the message to fill.
        ignore_unknown_fields: skip object keys that name no field, and enum value names this version does not
            know, instead of failing. Their paths go to ``report.ignored``.
        max_depth: deepest message nesting accepted (the root message is depth 1).
        report: collects the paths of what was skipped.
        depth: the nesting depth of ``message`` itself (greater than 1 for the payload of an Any).

    Raises:
        CodecError: the value does not fit the message; ``segments`` locates the problem.
        DepthError: the value nests messages deeper than ``max_depth`` (a CodecError).
    """
    stack: list[_In] = [(message, value, None, (), depth)]
    while stack:
        entry = stack.pop()
        if entry[4] > max_depth:
            raise DepthError(max_depth, _path_in(entry))
        try:
            _read_one(entry, stack, ignore_unknown_fields, max_depth, report)
        except CodecError as err:
            # Errors raised while reading one message are relative to it.
            raise _relocated(err, _path_in(entry)) from None
    return message


def _relocated(err: CodecError, prefix: tuple[str, ...]) -> CodecError:
    """The same error, at ``prefix`` + its path (keeping its kind)."""
    if isinstance(err, DepthError):
        return DepthError(err.max_depth, prefix + err.segments)
    return CodecError(err.reason, prefix + err.segments)


def _read_one(
    entry: _In, stack: list[_In], ignore_unknown_fields: bool, max_depth: int, report: ReadReport | None
) -> None:
    m, v, _parent, _segs, depth = entry
    desc = m.DESCRIPTOR
    full_name = desc.full_name
    if full_name in WELL_KNOWN:
        _well_known_in(m, full_name, v, entry, stack, ignore_unknown_fields, max_depth, report)
        return
    if not _is_object(v):
        raise CodecError(_not_an_object(v, full_name))
    plans = _reader_plans_for(desc)
    seen: dict[int, str] = {}
    oneofs: dict[str, str] = {}
    child_depth = depth + 1
    for key, item in v.items():
        plan = plans.get(key)
        if plan is None:
            if ignore_unknown_fields and not (isinstance(key, str) and key.startswith("@")):
                _skipped(report, entry, (str(key),))
                continue
            raise CodecError(_unknown_key(desc, key))
        earlier = seen.get(plan.number)
        if earlier is not None:
            raise CodecError(f"the field {plan.name!r} is given twice (as {earlier!r} and {key!r})")
        seen[plan.number] = key
        name = plan.name
        if item is None:
            _null_in(m, plan)
            continue
        if plan.oneof is not None:
            other = oneofs.get(plan.oneof)
            if other is not None:
                raise CodecError(f"{other!r} and {key!r} are members of the oneof {plan.oneof!r}: set at most one")
            oneofs[plan.oneof] = key
        kind = plan.kind
        if plan.is_map:
            _map_in(m, plan, item, entry, stack, ignore_unknown_fields, report)
        elif plan.repeated:
            if not _is_list(item):
                raise CodecError(f"expected a list, got {_type_name(item)}", (name,))
            container = getattr(m, name)
            if kind >= _MESSAGE:
                for i, element in enumerate(item):
                    if element is None:
                        raise CodecError("null is not allowed in a list", (name, f"[{i}]"))
                    stack.append((container.add(), element, entry, (name, f"[{i}]"), child_depth))
            else:
                values = []
                for i, element in enumerate(item):
                    try:
                        values.append(_scalar_in(plan, kind, element))
                    except _UnknownEnum as err:
                        if not ignore_unknown_fields:
                            raise CodecError(err.reason, (name, f"[{i}]")) from None
                        _skipped(report, entry, (name, f"[{i}]"))
                    except CodecError as err:
                        raise CodecError(err.reason, (name, f"[{i}]")) from None
                container.extend(values)
        elif kind >= _MESSAGE:
            child = getattr(m, name)
            child.SetInParent()
            stack.append((child, item, entry, (name,), child_depth))
        else:
            try:
                setattr(m, name, _scalar_in(plan, kind, item))
            except _UnknownEnum as err:
                if not ignore_unknown_fields:
                    raise CodecError(err.reason, (name,)) from None
                _skipped(report, entry, (name,))
            except CodecError as err:
                raise CodecError(err.reason, (name,)) from None


def _skipped(report: ReadReport | None, entry: _In, segments: tuple[str, ...]) -> None:
    if report is not None:
        report.ignored.append(format_path(_path_in(entry) + segments))


def _is_object(v: Any) -> bool:
    """A JSON object: a dict (any Mapping subclass of dict) that is not marked as repeating a key."""
    return type(v) is dict or (isinstance(v, dict) and not isinstance(v, DuplicateKeyDict))


def _is_list(v: Any) -> bool:
    return type(v) is list or isinstance(v, (list, tuple))


def _not_an_object(v: Any, full_name: str) -> str:
    if isinstance(v, DuplicateKeyDict):
        return f"the key {v.duplicates[0]!r} appears more than once in this object"
    return f"expected an object for {full_name}, got {_type_name(v)}"


def _unknown_key(desc: Descriptor | Any, key: Any) -> str:
    if not isinstance(key, str):
        return f"expected field names as keys, got {_type_name(key)} {key!r}"
    names = [f.json_name for f in desc.fields] + [f.name for f in desc.fields]
    close = difflib.get_close_matches(key, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{desc.full_name} has no field {key!r}{hint}"


def _null_in(m: Message, plan: _Field) -> None:
    """JSON null: the default value, except for google.protobuf.Value (a null value) and NullValue fields."""
    if plan.message is not None and plan.message.full_name == "google.protobuf.Value" and not plan.repeated:
        getattr(m, plan.name).null_value = 0
    elif plan.enum_full_name == "google.protobuf.NullValue" and not plan.repeated:
        setattr(m, plan.name, 0)
    else:
        m.ClearField(plan.name)


def _map_in(
    m: Message,
    plan: _Field,
    item: Any,
    entry: _In,
    stack: list[_In],
    ignore_unknown_fields: bool,
    report: ReadReport | None,
) -> None:
    name = plan.name
    if not _is_object(item):
        raise CodecError(_not_an_object(item, "a map"), (name,))
    vplan = plan.value
    assert vplan is not None
    container = getattr(m, name)
    vkind = vplan.kind
    for k, element in item.items():
        try:
            key = _map_key_in(plan.key_kind, k)
        except CodecError as err:
            raise CodecError(err.reason, (name,)) from None
        segs = (name, key_segment(key))
        if element is None:
            if vplan.message is not None and vplan.message.full_name == "google.protobuf.Value":
                container[key].null_value = 0
                continue
            raise CodecError("null is not allowed as a map value", segs)
        if vkind >= _MESSAGE:
            stack.append((container[key], element, entry, segs, entry[4] + 1))
            continue
        try:
            container[key] = _scalar_in(vplan, vkind, element)
        except _UnknownEnum as err:
            if not ignore_unknown_fields:
                raise CodecError(err.reason, segs) from None
            _skipped(report, entry, segs)
        except CodecError as err:
            raise CodecError(err.reason, segs) from None


def _well_known_in(
    m: Any,
    full_name: str,
    v: Any,
    entry: _In,
    stack: list[_In],
    ignore_unknown_fields: bool,
    max_depth: int,
    report: ReadReport | None,
) -> None:
    depth = entry[4] + 1
    if full_name == "google.protobuf.Duration":
        m.seconds, m.nanos = _duration_in(v)
    elif full_name == "google.protobuf.Timestamp":
        m.seconds, m.nanos = _timestamp_in(v)
    elif full_name in WRAPPERS:
        plan = _plans_for(m.DESCRIPTOR)[m.DESCRIPTOR.fields_by_name["value"]]
        m.value = _scalar_in(plan, plan.kind, v)
    elif full_name == "google.protobuf.Struct":
        if not _is_object(v):
            raise CodecError(_not_an_object(v, full_name))
        _struct_in(m, v, entry, stack, depth)
    elif full_name == "google.protobuf.ListValue":
        if not _is_list(v):
            raise CodecError(f"expected a list for google.protobuf.ListValue, got {_type_name(v)}")
        for i, item in enumerate(v):
            stack.append((m.values.add(), item, entry, (f"[{i}]",), depth))
    elif full_name == "google.protobuf.Value":
        _value_in(m, v, entry, stack, depth)
    elif full_name == "google.protobuf.FieldMask":
        if type(v) is not str:
            raise CodecError(f'expected a field mask string such as "a.b,cD", got {_type_name(v)}')
        m.paths.extend(_snake(p) for p in v.split(",") if p)
    elif full_name == "google.protobuf.Empty":
        if not _is_object(v) or v:
            raise CodecError(f"expected {{}} for google.protobuf.Empty, got {_show(v)}")
    elif full_name == "google.protobuf.Any":
        _any_in(m, v, ignore_unknown_fields, max_depth, entry[4] + 1, report)
    else:  # pragma: no cover
        raise AssertionError(full_name)


def _struct_in(struct: Any, v: dict[str, Any], entry: _In, stack: list[_In], depth: int) -> None:
    for k, item in v.items():
        if type(k) is not str:
            raise CodecError(f"expected string keys in a Struct, got {_type_name(k)} {k!r}")
        stack.append((struct.fields[_text_in(k)], item, entry, (key_segment(k),), depth))


def _value_in(m: Any, v: Any, entry: _In, stack: list[_In], depth: int) -> None:
    t = type(v)
    if v is None:
        m.null_value = 0
    elif t is bool:
        m.bool_value = v
    elif t is OverflowedFloat:
        raise CodecError(f"{_show(v.text)} is out of range for google.protobuf.Value (a double)")
    elif t is int or t is float:
        if t is int and abs(v) > _DOUBLE_EXACT_INT and (abs(v) >= 2**1024 or float(v) != v):
            # Silently rounding would change the number: a Value holds numbers as doubles.
            raise CodecError(
                f"the integer {_show(v)} cannot be held exactly by google.protobuf.Value, which holds every number "
                "as a double (integers up to 2**53 exactly); write it as a string"
            )
        if not math.isfinite(v):
            raise CodecError(f"{v!r} cannot be held by google.protobuf.Value (JSON numbers are finite)")
        m.number_value = v
    elif t is str:
        m.string_value = _text_in(v)
    elif _is_object(v):
        m.struct_value.SetInParent()
        _struct_in(m.struct_value, v, entry, stack, depth)
    elif _is_list(v):
        m.list_value.SetInParent()
        for i, item in enumerate(v):
            stack.append((m.list_value.values.add(), item, entry, (f"[{i}]",), depth))
    elif isinstance(v, DuplicateKeyDict):
        raise CodecError(_not_an_object(v, "google.protobuf.Struct"))
    else:
        raise CodecError(f"cannot hold {_type_name(v)} in google.protobuf.Value")


def _any_in(m: Any, v: Any, ignore_unknown_fields: bool, max_depth: int, depth: int, report: ReadReport | None) -> None:
    if not _is_object(v):
        raise CodecError(_not_an_object(v, "google.protobuf.Any"))
    if not v:
        return
    type_url = v.get("@type")
    if type(type_url) is not str:
        raise CodecError('an Any must name its type in "@type"')
    cls = _resolve_type_url(type_url)
    payload = cls()
    well_known = cls.DESCRIPTOR.full_name in WELL_KNOWN
    if well_known:
        if set(v) - {"@type", "value"}:
            raise CodecError(f'an Any holding {cls.DESCRIPTOR.full_name} takes only "@type" and "value"')
        body: Any = v.get("value")
    else:
        body = {k: item for k, item in v.items() if k != "@type"}
    try:
        value_to_message(
            body, payload, ignore_unknown_fields=ignore_unknown_fields, max_depth=max_depth, report=report, depth=depth
        )
    except CodecError as err:
        raise _relocated(err, ("value",) if well_known else ()) from None
    m.type_url = type_url
    m.value = payload.SerializeToString(deterministic=True)
