"""Python types and values to Flyte types and literals, the way flytekit 1.16 writes them.

Types: ``int``, ``float``, ``str``, ``bool``, ``bytes``, ``datetime``/``date``, ``timedelta``, ``None``,
``list[T]``, ``dict[str, T]``, untyped ``dict``, ``Optional[T]`` and unions (variants tagged as flytekit tags them),
``Enum`` subclasses, dataclasses (STRUCT with their JSON schema and field types), :class:`File`,
:class:`Directory`, :class:`StructuredDataset`, and ``LiteralType`` messages as they are.

Values: Python values to literals for a given type: numbers, strings, booleans, datetimes, durations, None, enums,
lists, dicts, dataclass instances and dicts (as JSON-compatible Structs), files and directories (by URI).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import math
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from google.protobuf import duration_pb2, json_format, struct_pb2, timestamp_pb2

from flytespec._walk import message_depth
from flytespec.core import literals_pb2, types_pb2
from flytespec.errors import BuildError
from flytespec.validate._rules import MAX_DURATION_SECONDS, timestamp_problem

__all__ = [
    "MAX_TYPE_DEPTH",
    "MAX_VALUE_DEPTH",
    "Directory",
    "File",
    "StructuredDataset",
    "TypeConversionError",
    "ValueTooDeepError",
    "json_data",
    "literal_type",
    "to_literal",
]

T = types_pb2.LiteralType


class TypeConversionError(BuildError, TypeError):
    """A Python type or value flytespec cannot turn into a Flyte type or literal (``where`` names the input)."""


class File:
    """A file input or output: a blob with one part. ``File.of("csv")`` (or ``Annotated[File, "csv"]`` in a type
    hint) gives its format. A value is a ``File(uri)`` or a URI string."""

    format: str = ""

    @classmethod
    def of(cls, fmt: str) -> type[File]:
        """The file type of format ``fmt``."""
        return type(f"File[{fmt}]", (File,), {"format": fmt})

    def __init__(self, uri: str) -> None:
        self.uri = uri


class Directory:
    """A directory input or output: a multipart blob. ``Directory.of("csv")`` (or ``Annotated[Directory, "csv"]``)
    gives the format of its files. A value is a ``Directory(uri)`` or a URI string."""

    format: str = ""

    @classmethod
    def of(cls, fmt: str) -> type[Directory]:
        """The directory type whose files have format ``fmt``."""
        return type(f"Directory[{fmt}]", (Directory,), {"format": fmt})

    def __init__(self, uri: str) -> None:
        self.uri = uri


class StructuredDataset:
    """A structured dataset (a dataframe): ``StructuredDataset.of("parquet", a=int, b=str)`` gives its format and
    columns (or ``Annotated[StructuredDataset, "parquet"]``). A value is a ``StructuredDataset(uri)`` or a URI."""

    format: str = ""
    columns: Mapping[str, Any] = {}

    @classmethod
    def of(cls, fmt: str = "", **columns: Any) -> type[StructuredDataset]:
        """The dataset type of format ``fmt`` with ``columns`` (name → type)."""
        return type(f"StructuredDataset[{fmt}]", (StructuredDataset,), {"format": fmt, "columns": dict(columns)})

    def __init__(self, uri: str) -> None:
        self.uri = uri


_SIMPLE: dict[Any, int] = {
    int: types_pb2.INTEGER,
    float: types_pb2.FLOAT,
    str: types_pb2.STRING,
    bool: types_pb2.BOOLEAN,
    datetime.datetime: types_pb2.DATETIME,
    datetime.date: types_pb2.DATETIME,
    datetime.timedelta: types_pb2.DURATION,
    bytes: types_pb2.BINARY,
    type(None): types_pb2.NONE,
    None: types_pb2.NONE,
}
# The tags flytekit gives union variants (its type transformers' names).
_TAGS: dict[Any, str] = {
    int: "int",
    float: "float",
    str: "str",
    bool: "bool",
    type(None): "none",
    None: "none",
    datetime.datetime: "datetime",
    datetime.date: "date",
    datetime.timedelta: "timedelta",
    bytes: "bytes",
}
_MSGPACK = {"cache-key-metadata": {"serialization-format": "msgpack"}}


def _annotation() -> types_pb2.TypeAnnotation:
    annotation = types_pb2.TypeAnnotation()
    annotation.annotations.update(_MSGPACK)
    return annotation


def _union_members(t: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(t)
    if origin is typing.Union or (hasattr(types, "UnionType") and isinstance(t, types.UnionType)):
        return typing.get_args(t)
    return None


def takes_none(t: Any) -> bool:
    """Whether a Python type hint takes None (``None`` itself, ``Optional[...]``, a union with ``None``)."""
    if typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    members = _union_members(t)
    return t is None or t is type(None) or (members is not None and type(None) in members)


def _tag(t: Any) -> str:
    if typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    if t in _TAGS:
        return _TAGS[t]
    origin = typing.get_origin(t)
    if origin in (list, Sequence, typing.List):  # noqa: UP006
        return "Typed List"
    if origin in (dict, Mapping, typing.Dict):  # noqa: UP006
        return "Typed Dict"
    if isinstance(t, type):
        if issubclass(t, enum.Enum):
            return "DefaultEnumTransformer"
        if dataclasses.is_dataclass(t):
            return "Object-Dataclass-Transformer"
        if issubclass(t, File):
            return "FlyteFilePath"
        if issubclass(t, Directory):
            return "FlyteDirectory"
        if issubclass(t, StructuredDataset):
            return "StructuredDataset Transformer"
    return getattr(t, "__name__", str(t))


def literal_type(t: Any, where: str = "type") -> types_pb2.LiteralType:
    """The Flyte type of a Python type (see the module docstring for what is supported).

    Args:
        t: a Python type, a type hint or a ``LiteralType`` (returned as a copy).
        where: what the type is for, named in errors.

    Raises:
        TypeConversionError: a type flytespec cannot express.
    """
    try:
        return _literal_type(t, where, (), 0)
    except RecursionError:  # unions or dataclasses nested hundreds deep
        raise TypeConversionError(where, "the type is nested too deeply for Python's recursion limit") from None


def _literal_type(t: Any, where: str, enclosing: tuple[type, ...], below: int) -> types_pb2.LiteralType:
    """``literal_type`` inside the dataclasses ``enclosing`` it (a dataclass holding itself is refused), for a type
    ``below`` messages under the LiteralType being built."""
    # Lists and dicts of lists and dicts, peeled in a loop and built from the outside in (linear time).
    layers: list[str] = []
    while True:
        origin = typing.get_origin(t)
        args = typing.get_args(t)
        if origin in (list, Sequence, typing.List) or t in (list, typing.List):  # noqa: UP006
            if not args:
                raise TypeConversionError(where, f"give the element type of {t!r}, e.g. list[int]")
            layers.append("collection_type")
            t = args[0]
        elif origin in (dict, Mapping, typing.Dict) and args:  # noqa: UP006
            if len(args) != 2:
                raise TypeConversionError(where, f"give the key and value types of {t!r}, e.g. dict[str, int]")
            if args[0] is not str:
                raise TypeConversionError(where, f"Flyte maps have string keys; {t!r} has {args[0]!r} keys")
            layers.append("map_value_type")
            t = args[1]
        else:
            break
    _check_type_depth(where, below + len(layers))
    inner = _single_type(t, where, enclosing, below + len(layers))
    if not layers:
        return inner
    out = T()
    current = out
    for field in layers:
        current = getattr(current, field)
    current.CopyFrom(inner)
    return out


def _check_type_depth(where: str, below: int) -> None:
    if below > MAX_TYPE_DEPTH:
        raise TypeConversionError(
            where,
            f"nested too deeply: {below} protobuf messages below the type's own (a list or a dict nests one, a union "
            "two, a dataclass field three); at most "
            f"{MAX_TYPE_DEPTH}, for a spec holding the type to stay within the 101 levels protobuf's binary parsers "
            "read (flytekit and flytespec could not read it back)",
        )


def _single_type(t: Any, where: str, enclosing: tuple[type, ...], below: int) -> types_pb2.LiteralType:
    """The Flyte type of a Python type that is not a list or a dict with argument types."""
    if isinstance(t, types_pb2.LiteralType):
        out = T()
        out.CopyFrom(t)
        return out
    if typing.get_origin(t) is typing.Annotated:
        # Annotated[File, "csv"]: a format for a file, directory or dataset; other annotations are not Flyte's.
        base, *extras = typing.get_args(t)
        formats = [e for e in extras if isinstance(e, str)]
        if formats and isinstance(base, type) and issubclass(base, (File, Directory, StructuredDataset)):
            return _literal_type(base.of(formats[0]), where, enclosing, below)
        return _literal_type(base, where, enclosing, below)
    if not isinstance(t, typing.Hashable):
        raise TypeConversionError(where, f"{t!r} is not a type (a list of element types? write list[int])")
    if t in _SIMPLE:
        return T(simple=_SIMPLE[t])  # type: ignore[arg-type]
    members = _union_members(t)
    if members is not None:
        variants = []
        for member in members:
            variant = T()
            variant.CopyFrom(_literal_type(member, where, enclosing, below + 2))  # in UnionType.variants
            variant.ClearField("structure")
            variant.structure.tag = _tag(member)
            variants.append(variant)
        return T(union_type=types_pb2.UnionType(variants=variants))
    if t in (dict, typing.Dict):  # noqa: UP006
        return T(simple=types_pb2.STRUCT, annotation=_annotation())
    if isinstance(t, type):
        if issubclass(t, enum.Enum):
            values = [m.value for m in t]
            if not all(isinstance(v, str) for v in values):
                raise TypeConversionError(where, f"{t.__name__}: Flyte enums have string values (as in flytekit)")
            return T(enum_type=types_pb2.EnumType(values=values))
        if dataclasses.is_dataclass(t):
            return _dataclass_type(t, where, enclosing, below)
        if issubclass(t, File):
            return T(blob=types_pb2.BlobType(format=t.format))
        if issubclass(t, Directory):
            return T(blob=types_pb2.BlobType(format=t.format, dimensionality=types_pb2.BlobType.MULTIPART))
        if issubclass(t, StructuredDataset):
            sd = types_pb2.StructuredDatasetType(format=t.format)
            for name, column in t.columns.items():
                column_type = _literal_type(column, f"{where}.{name}", enclosing, below + 3)
                sd.columns.add(name=name, literal_type=column_type)
            return T(structured_dataset_type=sd)
    raise TypeConversionError(
        where,
        f"no Flyte type for {t!r}: use int, float, str, bool, bytes, datetime, timedelta, None, list[...], "
        "dict[str, ...], Optional/Union, an Enum, a dataclass, File, Directory, StructuredDataset, or a LiteralType",
    )


def _dataclass_type(cls: type, where: str, enclosing: tuple[type, ...], below: int) -> types_pb2.LiteralType:
    if cls in enclosing:
        raise TypeConversionError(where, f"{cls.__name__} holds itself: Flyte types cannot be recursive")
    try:
        hints = typing.get_type_hints(cls)
    except Exception as err:  # a hint naming what the dataclass's module does not define at run time
        raise TypeConversionError(where, f"{cls.__name__}'s type hints cannot be resolved: {err}") from None
    t = T(simple=types_pb2.STRUCT, annotation=_annotation())
    # The fields' types first: their errors name the field (the schema below assumes well-formed hints).
    for f in dataclasses.fields(cls):
        # In TypeStructure.dataclass_type's map entry.
        field_type = _literal_type(hints[f.name], f"{where}.{f.name}", (*enclosing, cls), below + 3)
        t.structure.dataclass_type[f.name].CopyFrom(field_type)
    schema = _json_schema(cls, where)
    # The schema (a Struct in LiteralType.metadata) nests deeper than the types: held to what protobuf reads back.
    deepest = below + 1 + json_depth(schema, MAX_VALUE_DEPTH)
    if deepest > MAX_VALUE_DEPTH:
        raise TypeConversionError(
            where,
            f"nested too deeply: the dataclass's JSON schema (the type's metadata) would be {deepest} protobuf "
            f"messages deep, more than {MAX_VALUE_DEPTH}, for a spec holding the type to stay within the 101 levels "
            "protobuf's binary parsers read (flytekit and flytespec could not read it back)",
        )
    t.metadata.update(schema)
    return t


def _json_schema(t: Any, where: str) -> dict[str, Any]:
    """The JSON schema flytekit (through mashumaro) writes for a dataclass field type."""
    if dataclasses.is_dataclass(t) and isinstance(t, type):
        hints = typing.get_type_hints(t)
        properties: dict[str, Any] = {}
        required = []
        for f in dataclasses.fields(t):
            schema = _json_schema(hints[f.name], f"{where}.{f.name}")
            if f.default is not dataclasses.MISSING:
                schema["default"] = json_data(f.default, f"{where}.{f.name}.default", 1)
            elif f.default_factory is dataclasses.MISSING:
                required.append(f.name)
            properties[f.name] = schema
        out: dict[str, Any] = {"type": "object", "title": t.__name__, "properties": properties}
        out["additionalProperties"] = False
        if required:
            out["required"] = required
        return out
    members = _union_members(t)
    if members is not None:
        return {"anyOf": [_json_schema(m, where) for m in members]}
    origin, args = typing.get_origin(t), typing.get_args(t)
    if origin in (list, Sequence, typing.List):  # noqa: UP006
        return {"type": "array", "items": _json_schema(args[0], where)}
    if origin in (dict, Mapping, typing.Dict):  # noqa: UP006
        return {
            "type": "object",
            "propertyNames": {"type": "string"},
            "additionalProperties": _json_schema(args[1], where),
        }
    simple = {
        int: {"type": "integer"},
        float: {"type": "number"},
        str: {"type": "string"},
        bool: {"type": "boolean"},
        type(None): {"type": "null"},
        datetime.datetime: {"type": "string", "format": "date-time"},
        datetime.date: {"type": "string", "format": "date"},
        datetime.timedelta: {"type": "number"},
    }
    if t in simple:
        return dict(simple[t])
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return {"enum": [m.value for m in t]}
    return {}


# --------------------------------------------------------------------------------------------------------------
# Values


def _primitive(**kwargs: Any) -> literals_pb2.Scalar:
    return literals_pb2.Scalar(primitive=literals_pb2.Primitive(**kwargs))


_INT64 = (-(1 << 63), (1 << 63) - 1)
_FLOAT_MAX = int(sys.float_info.max)
#: The deepest protobuf nesting of a type below its own LiteralType, in messages (64 lists of lists): a
#: CompiledWorkflowClosure holds a task's types eight levels down, and protobuf's binary parsers read 101 levels. A
#: dataclass's JSON schema (its metadata) is held to MAX_VALUE_DEPTH instead, counted from the type's own message.
MAX_TYPE_DEPTH = 64
#: The deepest protobuf nesting of a value built from Python data (a literal, a binding's value, a JSON object held as a
#: Struct), in messages, the value's own message being level 1. protobuf's binary parsers read 101 levels from a
#: spec's root; the rest is left for the messages a value sits in (a task's settings in a registration request, a
#: launch plan's default inputs, a node's input in a compiled closure). Lists and dicts nest two or three levels each.
MAX_VALUE_DEPTH = 90
JSON_EXACT_INT = 2**53  # a Struct holds numbers as doubles: larger integers are rounded
#: Why an integer a Struct would round is refused (after the integer).
ROUNDED = "would be rounded: JSON numbers hold integers up to 2**53 exactly"
#: Why NaN and the infinities are refused in a Struct (after the number).
NOT_IN_JSON = "cannot be held in a Struct: JSON has no NaN or infinity (the spec could not be written as JSON)"


def rounded_in_json(value: object) -> bool:
    """Whether a Struct, which holds numbers as doubles, would round ``value`` (an integer beyond 2**53)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > JSON_EXACT_INT


def json_depth(value: Any, limit: int) -> int:
    """How many messages deep a JSON dict is held as a Struct, the Struct being level 1 (a dict nests three levels:
    its map entry, its Value and the Struct; a list two: its Value and the ListValue). Iterative; the walk stops at
    the first level beyond ``limit`` (a dict that holds itself never ends), and returns it."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack and deepest <= limit:
        item, level = stack.pop()
        if isinstance(item, Mapping):
            deepest = max(deepest, level + 2 if item else level)
            stack.extend((v, level + 3) for v in item.values())
        elif isinstance(item, (list, tuple)):
            deepest = max(deepest, level + 1 if item else level)
            stack.extend((v, level + 2) for v in item)
    return deepest


class ValueTooDeepError(TypeConversionError):
    """A value nested deeper than :data:`MAX_VALUE_DEPTH` protobuf messages (lists, dicts, unions, JSON objects).

    Refused whatever the type: a union does not try its other variants."""


def check_value_depth(where: str, level: int) -> None:
    """Refuse a value whose protobuf form reaches ``level`` messages deep, beyond :data:`MAX_VALUE_DEPTH`.

    Raises:
        TypeConversionError: ``level`` is beyond the limit.
    """
    if level > MAX_VALUE_DEPTH:
        raise ValueTooDeepError(
            where,
            f"nested too deeply: its protobuf form would be more than {MAX_VALUE_DEPTH} messages deep, and protobuf's "
            "binary parsers read 101 levels from a spec's root (flytekit and flytespec could not read the spec back)",
        )


def json_data(value: Any, where: str, level: int = 1, *, plain: bool = False) -> Any:
    """``value`` as JSON data for a ``Struct`` (dicts, lists and JSON scalars only): any mapping as a dict, tuples as
    lists; unless ``plain``, also dataclasses as objects, enums as their values, datetimes as ISO 8601 strings (what
    flytekit's JSON form of a dataclass holds). A dict or a list becomes a message ``level`` deep (a Struct or a
    ListValue), its items two or three levels below: recursion stops at :data:`MAX_VALUE_DEPTH`.

    Raises:
        TypeConversionError: naming the path in the value: a key that is not a string, a value JSON cannot hold
            (NaN, an integer a double would round, another type), nesting deeper than ``MAX_VALUE_DEPTH``.
    """
    if not plain:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            check_value_depth(where, level + 2)
            return {
                f.name: json_data(getattr(value, f.name), f"{where}.{f.name}", level + 3)
                for f in dataclasses.fields(value)
            }
        if isinstance(value, enum.Enum):
            return json_data(value.value, where, level)
        if isinstance(value, (datetime.datetime, datetime.date)):
            return value.isoformat()
        if isinstance(value, datetime.timedelta):
            return value.total_seconds()
    if isinstance(value, Mapping):
        check_value_depth(where, level + 2)  # a field: its map entry, then its Value
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeConversionError(where, f"JSON objects have string keys, got {k!r}")
            out[k] = json_data(v, f"{where}[{k!r}]", level + 3, plain=plain)
        return out
    if isinstance(value, (list, tuple)):
        check_value_depth(where, level + 1)  # an item: its Value
        return [json_data(v, f"{where}[{i}]", level + 2, plain=plain) for i, v in enumerate(value)]
    if rounded_in_json(value):
        raise TypeConversionError(where, f"{value} {ROUNDED}")
    if isinstance(value, float) and not math.isfinite(value):
        raise TypeConversionError(where, f"{value!r} {NOT_IN_JSON}")
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeConversionError(where, f"{type(value).__name__} cannot be held in JSON")


def _struct(value: Any, expected: types_pb2.LiteralType, where: str, level: int) -> struct_pb2.Struct:
    """A ``Struct``, ``level`` deep, for a dict or a dataclass instance; for a dataclass type, the fields are checked
    first."""
    data = json_data(value, where, level)
    fields = expected.structure.dataclass_type
    if fields:
        # A dict, or a dataclass instance (of this dataclass or another one): its fields are checked by name.
        items = (
            value if isinstance(value, Mapping) else {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        )
        for key, item in items.items():
            if key not in fields:
                raise TypeConversionError(f"{where}[{key!r}]", f"is not a field (fields: {', '.join(sorted(fields))})")
            literal_at(item, fields[key], f"{where}[{key!r}]", level + 1)  # a nested Struct lands as deep
        required = expected.metadata.fields.get("required")
        for name in required.list_value.values if required is not None else ():
            if name.string_value not in items:
                raise TypeConversionError(where, f"the required field {name.string_value!r} is missing")
    elif "properties" in expected.metadata.fields:
        # A dataclass type without its field types (a union's variant, as flytekit writes it): its JSON schema.
        problem = _schema_mismatch(data, json_format.MessageToDict(expected.metadata), where)
        if problem is not None:
            raise TypeConversionError(*problem)
    out = struct_pb2.Struct()
    try:
        out.update(data)
    except (TypeError, ValueError) as err:
        raise TypeConversionError(where, f"cannot be held as a JSON object ({err})") from None
    return out


_JSON_TYPES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "integer": ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "number": ("a number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)),
    "string": ("a string", lambda v: isinstance(v, str)),
    "boolean": ("a boolean", lambda v: isinstance(v, bool)),
    "null": ("None", lambda v: v is None),
    "array": ("a list", lambda v: isinstance(v, list)),
    "object": ("a dict", lambda v: isinstance(v, dict)),
}


def _schema_mismatch(value: Any, schema: Any, where: str) -> tuple[str, str] | None:
    """Where and why JSON data does not fit a JSON schema of the forms ``literal_type`` writes for dataclasses
    (types, properties, required fields, items, anyOf, enum), or None. Recurses as deep as the schema, which the
    type depth limit bounds."""
    if not isinstance(schema, Mapping):
        return None
    if "anyOf" in schema:
        if any(_schema_mismatch(value, option, where) is None for option in schema["anyOf"]):
            return None
        return where, f"{value!r} fits none of the types it may have"
    if "enum" in schema:
        return None if value in schema["enum"] else (where, f"{value!r} is not one of {schema['enum']}")
    kind = _JSON_TYPES.get(schema.get("type", ""))
    if kind is None:
        return None  # any value
    if not kind[1](value):
        return where, f"expected {kind[0]}, got {type(value).__name__}"
    if isinstance(value, list):
        for i, item in enumerate(value):
            if (problem := _schema_mismatch(item, schema.get("items"), f"{where}[{i}]")) is not None:
                return problem
    elif isinstance(value, dict):
        properties = schema.get("properties", {})
        others = schema.get("additionalProperties")
        for key, item in value.items():
            if key not in properties and others is False:
                return f"{where}[{key!r}]", f"is not a field (fields: {', '.join(sorted(properties))})"
            if (problem := _schema_mismatch(item, properties.get(key, others), f"{where}[{key!r}]")) is not None:
                return problem
        for name in schema.get("required", ()):
            if name not in value:
                return where, f"the required field {name!r} is missing"
    return None


def to_literal(value: Any, expected: Any, where: str = "value") -> literals_pb2.Literal:
    """The literal for a plain Python value bound where ``expected`` is wanted.

    Args:
        value: the Python value.
        expected: its Flyte type, as a ``LiteralType`` or as a Python type (``int``, ``list[str]``, a dataclass).
        where: what the value is for, named in errors.

    Raises:
        TypeConversionError: the value does not fit the type (``where`` names the input in the message), is nested
            deeper than :data:`MAX_VALUE_DEPTH` protobuf messages, or ``expected`` is not a type flytespec can
            express.
    """
    if not isinstance(expected, types_pb2.LiteralType):
        expected = literal_type(expected, where)
    return literal_at(value, expected, where, 1)


def literal_at(value: Any, expected: types_pb2.LiteralType, where: str, level: int) -> literals_pb2.Literal:
    """``to_literal`` for a literal held ``level`` messages deep in a value (1: the value itself), within
    :data:`MAX_VALUE_DEPTH`."""
    kind = expected.WhichOneof("type")
    if kind == "union_type":
        return _union(value, expected.union_type, where, level)
    if kind == "collection_type":
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeConversionError(where, f"expected a list, got {type(value).__name__}")
        check_value_depth(where, level + 1)
        out = literals_pb2.Literal()
        out.collection.SetInParent()  # an empty list is still a list
        out.collection.literals.extend(
            literal_at(v, expected.collection_type, f"{where}[{i}]", level + 2) for i, v in enumerate(value)
        )
        return out
    if kind == "map_value_type":
        if not isinstance(value, Mapping):
            raise TypeConversionError(where, f"expected a dict, got {type(value).__name__}")
        check_value_depth(where, level + 2)
        out = literals_pb2.Literal()
        out.map.SetInParent()  # an empty dict is still a map
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeConversionError(where, f"Flyte maps have string keys, got {k!r}")
            out.map.literals[k].CopyFrom(literal_at(v, expected.map_value_type, f"{where}[{k!r}]", level + 3))
        return out
    return literals_pb2.Literal(scalar=_scalar(value, expected, where, level + 1))


# Below a Scalar: a Primitive and its Timestamp or Duration, or a Blob, its metadata and its type.
_SCALAR_LEVELS = 3
_EXACT = {int: types_pb2.INTEGER, float: types_pb2.FLOAT, str: types_pb2.STRING, bool: types_pb2.BOOLEAN}


def _union(value: Any, expected: types_pb2.UnionType, where: str, level: int) -> literals_pb2.Literal:
    """The literal of ``value`` in the one variant that takes it (flytekit's rule: a value several variants take is
    ambiguous, unless one of them is its exact simple type)."""
    matches = []
    misfits: list[TypeConversionError] = []  # why each variant but None refused the value
    for variant in expected.variants:
        try:
            matches.append((variant, literal_at(value, variant, where, level + 3)))  # in Scalar, then Union
        except ValueTooDeepError:
            raise
        except TypeConversionError as err:
            if variant.WhichOneof("type") != "simple" or variant.simple != types_pb2.NONE:
                misfits.append(err)
    if len(matches) > 1:
        exact = [m for m in matches if m[0].WhichOneof("type") == "simple" and m[0].simple == _EXACT.get(type(value))]
        if len(exact) != 1:
            raise TypeConversionError(where, f"{value!r} fits {len(matches)} variants of the union; it is ambiguous")
        matches = exact
    if not matches:
        if len(misfits) == 1 and value is not None:
            raise misfits[0]  # Optional[T]: why T refused it, where
        raise TypeConversionError(where, f"{value!r} fits no variant of the union")
    variant, literal = matches[0]
    check_value_depth(where, level + 2 + message_depth(variant))  # the variant's type, held in the Union
    union = literals_pb2.Literal()
    union.scalar.union.value.CopyFrom(literal)
    union.scalar.union.type.CopyFrom(variant)
    return union


def _scalar(value: Any, expected: types_pb2.LiteralType, where: str, level: int) -> literals_pb2.Scalar:
    """The Scalar, ``level`` deep, of a value that is not a list or a dict."""
    kind = expected.WhichOneof("type")
    check_value_depth(where, level + _SCALAR_LEVELS)
    simple = expected.simple if kind == "simple" else None
    if kind == "enum_type":
        text = value.value if isinstance(value, enum.Enum) else value
        if not isinstance(text, str) or text not in expected.enum_type.values:
            raise TypeConversionError(where, f"{value!r} is not one of {list(expected.enum_type.values)}")
        return _primitive(string_value=text)
    if kind == "blob":
        uri = getattr(value, "uri", value)
        if not isinstance(uri, str):
            raise TypeConversionError(where, f"expected a File, Directory or URI string, got {type(value).__name__}")
        return literals_pb2.Scalar(
            blob=literals_pb2.Blob(uri=uri, metadata=literals_pb2.BlobMetadata(type=expected.blob))
        )
    if kind == "structured_dataset_type":
        uri = getattr(value, "uri", value)
        if not isinstance(uri, str):
            raise TypeConversionError(where, f"expected a StructuredDataset or URI string, got {type(value).__name__}")
        sd = literals_pb2.StructuredDataset(uri=uri)
        sd.metadata.structured_dataset_type.CopyFrom(expected.structured_dataset_type)
        return literals_pb2.Scalar(structured_dataset=sd)
    if simple == types_pb2.NONE:
        if value is not None:
            raise TypeConversionError(where, f"expected None, got {value!r}")
        return literals_pb2.Scalar(none_type=literals_pb2.Void())
    if value is None:
        raise TypeConversionError(where, "None is not allowed here (use Optional[...])")
    if simple == types_pb2.BOOLEAN and isinstance(value, bool):
        return _primitive(boolean=value)
    if simple == types_pb2.INTEGER and isinstance(value, int) and not isinstance(value, bool):
        if not _INT64[0] <= value <= _INT64[1]:
            raise TypeConversionError(where, f"{value} is outside the 64-bit range of a Flyte integer")
        return _primitive(integer=value)
    if simple == types_pb2.FLOAT and isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and (abs(value) > _FLOAT_MAX or float(value) != value):
            raise TypeConversionError(where, f"{value} would be rounded to a float: give the float itself")
        return _primitive(float_value=float(value))
    if simple == types_pb2.STRING and isinstance(value, str):
        return _primitive(string_value=value)
    if simple == types_pb2.DATETIME and isinstance(value, (datetime.datetime, datetime.date)):
        moment = (
            value if isinstance(value, datetime.datetime) else datetime.datetime(value.year, value.month, value.day)
        )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        stamp = timestamp_pb2.Timestamp()
        outside = TypeConversionError(where, f"{value!r} is outside the years 1 to 9999 (in UTC) a Timestamp holds")
        try:
            stamp.FromDatetime(moment)
        except (OverflowError, ValueError):
            raise outside from None
        if timestamp_problem(stamp) is not None:
            raise outside
        return _primitive(datetime=stamp)
    if simple == types_pb2.DURATION and isinstance(value, datetime.timedelta):
        if abs(value.total_seconds()) > MAX_DURATION_SECONDS:
            raise TypeConversionError(where, f"{value} is longer than a protobuf Duration holds (10,000 years)")
        duration = duration_pb2.Duration()
        duration.FromTimedelta(value)
        return _primitive(duration=duration)
    if simple == types_pb2.BINARY and isinstance(value, (bytes, bytearray)):
        return literals_pb2.Scalar(binary=literals_pb2.Binary(value=bytes(value)))
    if simple == types_pb2.STRUCT and (
        isinstance(value, Mapping) or (dataclasses.is_dataclass(value) and not isinstance(value, type))
    ):
        return literals_pb2.Scalar(generic=_struct(value, expected, where, level + 1))
    want = types_pb2.SimpleType.Name(simple) if simple is not None else (kind or "an unset type")
    raise TypeConversionError(where, f"{value!r} ({type(value).__name__}) does not fit {want}")
