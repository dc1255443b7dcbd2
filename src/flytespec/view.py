"""The optional typed view: betterproto2 dataclasses of every flytespec message.

Needs ``betterproto2`` (``pip install flytespec[betterproto]``). The classes live in :data:`core` and
:data:`admin` (``view.core.WorkflowTemplate``, ``view.admin.TaskSpec``), with nested types flattened
(``view.core.ArrayNodeExecutionMode``).

The protobuf ``_pb2`` messages stay the canonical objects: builders return them, validators read them, and binary,
JSON and YAML go through them. The view is for code that prefers dataclasses, and crossing over is checked:

- :func:`to_view` refuses (:class:`~flytespec.errors.ViewConversionError`, naming the field) any message the view
  cannot hold exactly. betterproto2 holds Durations and Timestamps as ``timedelta`` and ``datetime``, to the
  microsecond, so a value with nanoseconds (or one too large for those types) is refused rather than rounded.
- :func:`from_view` is exact: it goes through the wire format, after checking every value against its field's type
  (betterproto2 would write ``-1`` in a ``uint32`` as ``4294967295``, keep only one of two members set in a oneof,
  and fail with a bare ``TypeError`` on a string in an integer field). A value the message cannot hold is refused
  with :class:`~flytespec.errors.ViewConversionError`, naming the field.
- JSON never goes through the view: betterproto2 writes some names wrongly (``k8SPod`` for ``k8sPod``). Convert to
  ``_pb2`` and use :mod:`flytespec.io`.

Example::

    from flytespec import view
    v = view.to_view(task_template)          # a betterproto2 dataclass
    v.metadata.retries.retries = 3
    task_template = view.from_view(v)        # back to the _pb2 message
"""

from __future__ import annotations

import datetime
import math
import struct
import warnings
from types import ModuleType
from typing import Any

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import DecodeError, Message

from flytespec import registry
from flytespec._compat import descriptor_of, message_of
from flytespec._walk import first_difference, format_path, key_segment, submessages
from flytespec.errors import ViewConversionError

try:
    import betterproto2
except ImportError as _err:  # pragma: no cover - depends on the environment
    raise ImportError("flytespec.view needs betterproto2: pip install 'flytespec[betterproto]'") from _err

from flytespec._view.flytespec import admin as _admin
from flytespec._view.flytespec import core as _core
from flytespec._view.message_pool import default_message_pool as _pool

__all__ = ["admin", "core", "from_view", "to_view", "view_class"]

#: betterproto2 classes of the ``flytespec.core`` package.
core: ModuleType = _core
#: betterproto2 classes of the ``flytespec.admin`` package.
admin: ModuleType = _admin

_URL_PREFIX = "type.googleapis.com/"


def view_class(message_type: registry.MessageType) -> type[betterproto2.Message]:
    """The betterproto2 class of a flytespec message type (class, descriptor or name)."""
    full_name = descriptor_of(registry.message_type(message_type)).full_name
    cls: Any = _pool.url_to_type.get(_URL_PREFIX + full_name)
    if cls is None:
        raise TypeError(f"{full_name} has no betterproto2 view (only flytespec.core and flytespec.admin do)")
    return cls  # type: ignore[no-any-return]


def to_view(message: Message) -> Any:
    """Convert a ``_pb2`` message to its betterproto2 dataclass, exactly.

    Raises:
        ViewConversionError: the view cannot hold the message exactly (for example a Duration with nanoseconds, or
            a Timestamp beyond ``datetime``'s years 1 to 9999); the error names the first field concerned.
    """
    cls = view_class(type(message))
    full_name = descriptor_of(message).full_name
    data = message.SerializeToString(deterministic=True)
    with warnings.catch_warnings():
        # betterproto2 warns when it builds a message type the IDL marks deprecated; converting is not using it.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            view = cls.parse(data)
        except (OverflowError, ValueError) as err:  # a Duration or Timestamp beyond timedelta's or datetime's range
            raise ViewConversionError(
                f"the view holds Durations and Timestamps as timedelta and datetime, which cannot hold it ({err})",
                message_type=full_name,
                path=_first_unconvertible_time(message),
            ) from None
    written = bytes(view)
    try:
        back = type(message).FromString(written)
    except DecodeError:
        # Nested deeper than protobuf's parser reads back: exact only if the view wrote the very same bytes.
        if written == data:
            return view
        raise ViewConversionError(
            "the message is nested deeper than protobuf's parser reads back, so the conversion cannot be checked",
            message_type=full_name,
            path="",
        ) from None
    if back != message:
        path = first_difference(message, back) or ""
        raise ViewConversionError(
            "the view would not keep this value (betterproto2 holds Durations and Timestamps as timedelta and "
            "datetime, to the microsecond)",
            message_type=full_name,
            path=path,
        )
    return view


def from_view(view: Any) -> Message:
    """Convert a betterproto2 dataclass of this package back to its ``_pb2`` message, exactly.

    Raises:
        TypeError: ``view`` is not a view object of this package.
        ViewConversionError: a value does not fit its field (a string in an integer field, ``-1`` in an unsigned
            one, two members of one oneof set, a naive datetime, an object of another message type); the error
            names the first field concerned. Also raised for a view nested deeper than protobuf's parser reads.
    """
    url = _pool.type_to_url.get(type(view))
    if url is None:
        raise TypeError(f"{type(view).__name__} is not a flytespec betterproto2 view class")
    cls = registry.message_type(url[len(_URL_PREFIX) :])
    desc = descriptor_of(cls)
    problem = _view_problem(view, desc)
    if problem is not None:
        path, reason = problem
        raise ViewConversionError(reason, message_type=desc.full_name, path=path, back=True)
    try:
        return cls.FromString(bytes(view))
    except DecodeError:
        raise ViewConversionError(
            "the view is nested deeper than protobuf's parser reads (100 levels)",
            message_type=desc.full_name,
            path="",
            back=True,
        ) from None


# ---------------------------------------------------------------------------------------------------------------
# checks

_TIME_TYPES = {"google.protobuf.Duration", "google.protobuf.Timestamp"}


def _first_unconvertible_time(message: Message) -> str:
    """The path of the first Duration or Timestamp in ``message`` that timedelta or datetime cannot hold."""
    for segments, msg in submessages(message):
        name = descriptor_of(msg).full_name
        if name not in _TIME_TYPES:
            continue
        try:
            if name == "google.protobuf.Duration":
                datetime.timedelta(seconds=msg.seconds, microseconds=msg.nanos // 1000)  # type: ignore[attr-defined]
            else:
                epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
                epoch + datetime.timedelta(seconds=msg.seconds)  # type: ignore[attr-defined]
        except (OverflowError, ValueError):
            return format_path((*segments, "seconds"))
    return ""


_INT_BITS = {
    "int32": (True, 32),
    "sint32": (True, 32),
    "sfixed32": (True, 32),
    "enum": (True, 32),
    "uint32": (False, 32),
    "fixed32": (False, 32),
    "int64": (True, 64),
    "sint64": (True, 64),
    "sfixed64": (True, 64),
    "uint64": (False, 64),
    "fixed64": (False, 64),
}
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "bool": (bool,),
    "string": (str,),
    "bytes": (bytes, bytearray),
    "float": (int, float),
    "double": (int, float),
}


def _scalar_problem(proto_type: str, value: Any) -> str | None:
    """What is wrong with a scalar value for a field of this protobuf type (None if nothing)."""
    bits = _INT_BITS.get(proto_type)
    if bits is not None:
        if not isinstance(value, int) or isinstance(value, bool):
            return f"expected an integer ({proto_type}), got {type(value).__name__} {value!r}"
        signed, width = bits
        low, high = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)
        if not low <= value <= high:
            return f"{value} is out of range for {proto_type} ({low} to {high})"
        return None
    expected = _PYTHON_TYPES[proto_type]
    if not isinstance(value, expected) or (proto_type in ("float", "double") and isinstance(value, bool)):
        names = " or ".join(t.__name__ for t in expected)
        return f"expected {names} ({proto_type}), got {type(value).__name__} {value!r}"
    if proto_type in ("float", "double"):
        return _number_problem(proto_type, value)
    if proto_type == "string" and isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{value!r} holds a lone surrogate, which UTF-8 (and so protobuf) cannot hold"
    return None


def _number_problem(proto_type: str, value: Any) -> str | None:
    """What a float or double field cannot hold of a Python number: an integer it would round, a value beyond its
    range (NaN and the infinities are values)."""
    text = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:30]}... ({len(repr(value))} digits)"
    try:
        number = float(value)
        if proto_type == "float" and math.isfinite(number):
            struct.pack("<f", number)
    except OverflowError:
        return f"{text} is out of range for a {proto_type}"
    if isinstance(value, int) and number != value:
        return f"{text} would be rounded to {number!r}: give the float itself"
    return None


def _value_problem(meta: Any, expected: type, value: Any) -> str | None:
    """What is wrong with one value (not a list or map) of a field (None if nothing); messages are checked by type
    only, their fields by the caller."""
    if meta.proto_type != "message":
        return _scalar_problem(meta.proto_type, value)
    if meta.unwrap is not None:  # a well-known type the view holds as a Python value (timedelta, datetime, bool)
        if not isinstance(value, expected):
            return f"expected {expected.__name__}, got {type(value).__name__} {value!r}"
        if isinstance(value, datetime.datetime) and value.tzinfo is None:
            return "a naive datetime: give it a timezone (datetime.timezone.utc)"
        return None
    if type(value) is not expected:
        return f"expected {expected.__name__}, got {type(value).__name__}"
    return None


def _view_problem(view: Any, desc: Descriptor) -> tuple[str, str] | None:
    """The first value (path, reason) in a view object that its ``_pb2`` message cannot hold, in field-number
    order, parents first; None if every value fits. Iterative: any nesting depth works."""
    stack: list[tuple[tuple[str, ...], Any, Descriptor]] = [((), view, desc)]
    while stack:
        segments, obj, d = stack.pop()
        info = obj._betterproto
        children: list[tuple[tuple[str, ...], Any, Descriptor]] = []
        groups: dict[str, str] = {}
        for name, meta in sorted(info.meta_by_field_name.items(), key=lambda item: item[1].number):
            field = d.fields_by_number[meta.number]
            here = (*segments, field.name)
            value = getattr(obj, name)
            if value is None:
                continue  # unset (a message, a oneof member, an optional field) or the default
            if meta.group is not None:
                other = groups.setdefault(meta.group, field.name)
                if other != field.name:
                    return format_path(here), f"{other} is also set, and only one member of oneof {meta.group} can be"
            # The field's values, each with its path (and, in a map, its key): a map's entries, a list's items, or
            # the one value; then each is checked the same way.
            item_meta, item_field, expected = meta, field, info.cls_by_field.get(name)
            key_type: str | None = None
            items: list[tuple[tuple[str, ...], Any, Any]]
            if meta.proto_type == "map":
                if not isinstance(value, dict):
                    return format_path(here), f"expected a dict, got {type(value).__name__}"
                key_type, item_meta = meta.map_meta[0].proto_type, meta.map_meta[1]
                item_field = message_of(field).fields_by_name["value"]
                expected = info.cls_by_field.get(f"{name}.value")
                items = [((*here, key_segment(k)), k, v) for k, v in value.items()]
            elif meta.repeated:
                if not isinstance(value, list):
                    return format_path(here), f"expected a list, got {type(value).__name__}"
                items = [((*here, f"[{i}]"), None, v) for i, v in enumerate(value)]
            else:
                items = [(here, None, value)]
            for at, key, item in items:
                problem = _scalar_problem(key_type, key) if key_type is not None else None
                if problem is not None:
                    return format_path(here), f"a key: {problem}"
                problem = _value_problem(item_meta, expected, item) if item is not None else "None is not a value"
                if problem is not None:
                    return format_path(at), problem
                if item_meta.proto_type == "message" and item_meta.unwrap is None:
                    children.append((at, item, message_of(item_field)))
        stack.extend(reversed(children))
    return None
