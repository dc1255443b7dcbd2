"""Python types and values to Flyte types and literals (``literal_type``, ``to_literal``), as flytekit 1.16 writes
them."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import typing
from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2

from flytespec import build as b
from flytespec import io
from flytespec.core import literals_pb2, types_pb2
from flytespec.errors import BuildError
from tests.build._support import assert_round_trips

T = types_pb2.LiteralType
UTC = datetime.timezone.utc
MSGPACK = {"cache-key-metadata": {"serialization-format": "msgpack"}}


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Inner:
    a: int
    names: list[str]


@dataclasses.dataclass
class Record:
    x: int
    ratio: float = 0.5
    color: Color = Color.RED
    inner: Inner | None = None
    counts: dict[str, int] = dataclasses.field(default_factory=dict)


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(value)
    return out


def _variant(t: T, tag: str) -> T:
    out = T()
    out.CopyFrom(t)
    out.structure.tag = tag
    return out


def _lit(value: Any, t: Any) -> literals_pb2.Literal:
    return b.to_literal(value, b.literal_type(t), "x")


# --------------------------------------------------------------------------------------------------------------
# Types


@pytest.mark.parametrize(
    ("python_type", "simple"),
    [
        (int, types_pb2.INTEGER),
        (float, types_pb2.FLOAT),
        (str, types_pb2.STRING),
        (bool, types_pb2.BOOLEAN),
        (bytes, types_pb2.BINARY),
        (datetime.datetime, types_pb2.DATETIME),
        (datetime.date, types_pb2.DATETIME),
        (datetime.timedelta, types_pb2.DURATION),
        (None, types_pb2.NONE),
        (type(None), types_pb2.NONE),
    ],
)
def test_simple_types(python_type: Any, simple: int) -> None:
    assert b.literal_type(python_type) == T(simple=simple)  # type: ignore[arg-type]


@pytest.mark.parametrize("python_type", [list[int], typing.List[int]])  # noqa: UP006
def test_list_is_a_collection(python_type: Any) -> None:
    assert b.literal_type(python_type) == T(collection_type=T(simple=types_pb2.INTEGER))


def test_nested_lists() -> None:
    assert b.literal_type(list[list[str]]) == T(collection_type=T(collection_type=T(simple=types_pb2.STRING)))


@pytest.mark.parametrize("python_type", [dict[str, float], typing.Dict[str, float]])  # noqa: UP006
def test_typed_dict_is_a_map(python_type: Any) -> None:
    assert b.literal_type(python_type) == T(map_value_type=T(simple=types_pb2.FLOAT))


def test_untyped_dict_is_a_msgpack_struct() -> None:
    expected = T(simple=types_pb2.STRUCT)
    expected.annotation.annotations.update(MSGPACK)
    assert b.literal_type(dict) == expected


@pytest.mark.parametrize("optional", [typing.Optional[int], int | None])  # noqa: UP045
def test_optional_is_a_union_with_none(optional: Any) -> None:
    expected = T(
        union_type=types_pb2.UnionType(
            variants=[_variant(T(simple=types_pb2.INTEGER), "int"), _variant(T(simple=types_pb2.NONE), "none")]
        )
    )
    assert b.literal_type(optional) == expected


@pytest.mark.parametrize(
    ("member", "tag"),
    [
        (int, "int"),
        (float, "float"),
        (str, "str"),
        (bool, "bool"),
        (bytes, "bytes"),
        (datetime.datetime, "datetime"),
        (datetime.date, "date"),
        (datetime.timedelta, "timedelta"),
        (list[int], "Typed List"),
        (dict[str, int], "Typed Dict"),
        (Color, "DefaultEnumTransformer"),
        (Inner, "Object-Dataclass-Transformer"),
        (b.File, "FlyteFilePath"),
        (b.Directory, "FlyteDirectory"),
        (b.StructuredDataset, "StructuredDataset Transformer"),
    ],
)
def test_union_variants_are_tagged_as_flytekit_tags_them(member: Any, tag: str) -> None:
    union = b.literal_type(typing.Union[member, None])  # noqa: UP007
    first, none = union.union_type.variants
    expected = b.literal_type(member)
    expected.ClearField("structure")
    expected.structure.tag = tag
    assert first == expected
    assert none.structure.tag == "none"


def test_union_keeps_member_order() -> None:
    union = b.literal_type(int | str | None)
    assert [v.structure.tag for v in union.union_type.variants] == ["int", "str", "none"]


def test_enum_values() -> None:
    assert b.literal_type(Color) == T(enum_type=types_pb2.EnumType(values=["red", "blue"]))


def test_enum_with_non_string_values_is_refused() -> None:
    with pytest.raises(b.TypeConversionError) as err:
        b.literal_type(Level, "inputs.level")
    assert err.value.where == "inputs.level"


@pytest.mark.parametrize(
    ("python_type", "blob"),
    [
        (b.File, types_pb2.BlobType()),
        (b.File.of("csv"), types_pb2.BlobType(format="csv")),
        (typing.Annotated[b.File, "csv"], types_pb2.BlobType(format="csv")),
        (b.Directory, types_pb2.BlobType(dimensionality=types_pb2.BlobType.MULTIPART)),
        (b.Directory.of("parquet"), types_pb2.BlobType(format="parquet", dimensionality=types_pb2.BlobType.MULTIPART)),
        (
            typing.Annotated[b.Directory, "parquet"],
            types_pb2.BlobType(format="parquet", dimensionality=types_pb2.BlobType.MULTIPART),
        ),
    ],
)
def test_files_and_directories_are_blobs(python_type: Any, blob: types_pb2.BlobType) -> None:
    assert b.literal_type(python_type) == T(blob=blob)


def test_structured_dataset_with_format_and_columns() -> None:
    t = b.literal_type(b.StructuredDataset.of("parquet", a=int, b=list[str]))
    expected = types_pb2.StructuredDatasetType(format="parquet")
    expected.columns.add(name="a", literal_type=T(simple=types_pb2.INTEGER))
    expected.columns.add(name="b", literal_type=T(collection_type=T(simple=types_pb2.STRING)))
    assert t == T(structured_dataset_type=expected)
    assert b.literal_type(b.StructuredDataset) == T(structured_dataset_type=types_pb2.StructuredDatasetType())
    annotated = b.literal_type(typing.Annotated[b.StructuredDataset, "csv"])
    assert annotated.structured_dataset_type.format == "csv"


def test_annotated_other_types_keep_their_base_type() -> None:
    assert b.literal_type(typing.Annotated[int, "not Flyte's"]) == T(simple=types_pb2.INTEGER)


def test_dataclass_is_a_struct_with_its_json_schema_and_field_types() -> None:
    t = b.literal_type(Record)
    assert t.simple == types_pb2.STRUCT
    assert t.annotation.annotations == _struct(MSGPACK)
    schema = io.to_dict(t.metadata)
    assert schema["title"] == "Record"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["x"]  # the fields without a default
    properties = schema["properties"]
    assert properties["x"] == {"type": "integer"}
    assert properties["ratio"] == {"type": "number", "default": 0.5}
    assert properties["color"] == {"enum": ["red", "blue"], "default": "red"}
    assert properties["counts"] == {
        "type": "object",
        "propertyNames": {"type": "string"},
        "additionalProperties": {"type": "integer"},
    }
    assert [s.get("type") for s in properties["inner"]["anyOf"]] == ["object", "null"]
    assert properties["inner"]["anyOf"][0]["required"] == ["a", "names"]
    fields = t.structure.dataclass_type
    assert sorted(fields) == ["color", "counts", "inner", "ratio", "x"]
    assert fields["x"] == T(simple=types_pb2.INTEGER)
    assert fields["color"] == b.literal_type(Color)
    assert fields["counts"] == T(map_value_type=T(simple=types_pb2.INTEGER))
    assert fields["inner"].union_type.variants[0].structure.tag == "Object-Dataclass-Transformer"


def test_list_of_dataclasses() -> None:
    assert b.literal_type(list[Record]) == T(collection_type=b.literal_type(Record))


def test_a_literal_type_is_taken_as_a_copy() -> None:
    given = T(simple=types_pb2.INTEGER)
    got = b.literal_type(given)
    assert got == given
    got.simple = types_pb2.STRING
    assert given.simple == types_pb2.INTEGER


@pytest.mark.parametrize(
    "python_type",
    [set, tuple[int], typing.Any, object, list, dict[int, str], complex],
    ids=["set", "tuple", "Any", "object", "bare-list", "int-keys", "complex"],
)
def test_types_flyte_cannot_express_are_refused(python_type: Any) -> None:
    with pytest.raises(b.TypeConversionError) as err:
        b.literal_type(python_type, "task 't': inputs.x")
    assert err.value.where == "task 't': inputs.x"
    # A BuildError (what builders raise) and a TypeError (what it is).
    assert isinstance(err.value, BuildError)
    assert isinstance(err.value, TypeError)


def test_a_bad_dataclass_field_is_named() -> None:
    @dataclasses.dataclass
    class Bad:
        ok: int
        wrong: set[int]

    with pytest.raises(b.TypeConversionError) as err:
        b.literal_type(Bad, "inputs.bad")
    assert err.value.where == "inputs.bad.wrong"


# --------------------------------------------------------------------------------------------------------------
# Values


def _primitive(**kwargs: Any) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(**kwargs)))


def _stamp(moment: datetime.datetime) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(moment)
    return out


def _duration(delta: datetime.timedelta) -> duration_pb2.Duration:
    out = duration_pb2.Duration()
    out.FromTimedelta(delta)
    return out


@pytest.mark.parametrize(
    ("value", "python_type", "expected"),
    [
        (7, int, _primitive(integer=7)),
        (-(2**63), int, _primitive(integer=-(2**63))),
        (2, float, _primitive(float_value=2.0)),  # an int where a float is expected is that float
        (0.25, float, _primitive(float_value=0.25)),
        (True, bool, _primitive(boolean=True)),
        ("text", str, _primitive(string_value="text")),
        (
            datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
            datetime.datetime,
            _primitive(datetime=_stamp(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))),
        ),
        (  # a naive datetime is taken as UTC
            datetime.datetime(2024, 1, 2, 3, 4, 5),
            datetime.datetime,
            _primitive(datetime=_stamp(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))),
        ),
        (  # an aware one is converted
            datetime.datetime(2024, 1, 2, 4, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
            datetime.datetime,
            _primitive(datetime=_stamp(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))),
        ),
        (  # a date is its midnight, UTC
            datetime.date(2024, 1, 2),
            datetime.datetime,
            _primitive(datetime=_stamp(datetime.datetime(2024, 1, 2, tzinfo=UTC))),
        ),
        (
            datetime.timedelta(seconds=90, microseconds=5),
            datetime.timedelta,
            _primitive(duration=_duration(datetime.timedelta(seconds=90, microseconds=5))),
        ),
        ("red", Color, _primitive(string_value="red")),
        (Color.BLUE, Color, _primitive(string_value="blue")),
    ],
)
def test_primitive_values(value: Any, python_type: Any, expected: literals_pb2.Literal) -> None:
    assert _lit(value, python_type) == expected


@pytest.mark.parametrize("value", [b"\x00\xff", bytearray(b"\x00\xff")])
def test_bytes_are_binary(value: bytes) -> None:
    assert _lit(value, bytes) == literals_pb2.Literal(
        scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=b"\x00\xff"))
    )


def test_none() -> None:
    assert _lit(None, None) == literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))


def test_lists_and_maps_nest() -> None:
    got = _lit({"a": [1, 2], "b": [3]}, dict[str, list[int]])
    assert sorted(got.map.literals) == ["a", "b"]
    assert [item.scalar.primitive.integer for item in got.map.literals["a"].collection.literals] == [1, 2]
    assert [item.scalar.primitive.integer for item in got.map.literals["b"].collection.literals] == [3]


def test_an_empty_list_is_an_empty_collection() -> None:
    got = _lit([], list[int])
    assert got.WhichOneof("value") == "collection"
    assert len(got.collection.literals) == 0
    nested = _lit({"a": []}, dict[str, list[int]])
    assert nested.map.literals["a"].WhichOneof("value") == "collection"


def test_an_empty_dict_is_an_empty_map() -> None:
    got = _lit({}, dict[str, int])
    assert got.WhichOneof("value") == "map"
    assert len(got.map.literals) == 0


def test_a_tuple_is_a_list_value() -> None:
    assert _lit((1, 2), list[int]) == _lit([1, 2], list[int])


@pytest.mark.parametrize(
    ("value", "python_type", "tag"),
    [
        (3, int | None, "int"),
        (None, int | None, "none"),
        (3, int | str, "int"),
        ("3", int | str, "str"),
        (3.0, int | float, "float"),
        (3, int | float, "int"),  # fits both; the exact simple type wins (flytekit's rule)
        (True, int | bool, "bool"),
        ([1, 2], list[int] | None, "Typed List"),
    ],
)
def test_union_values_carry_the_variant_they_fit(value: Any, python_type: Any, tag: str) -> None:
    union = _lit(value, python_type).scalar.union
    assert union.type.structure.tag == tag
    variant = next(v for v in b.literal_type(python_type).union_type.variants if v.structure.tag == tag)
    assert union.type == variant
    assert union.value == b.to_literal(value, variant, "x")


def test_untyped_dict_and_dataclass_values_are_structs() -> None:
    value = {"a": 1, "b": [True, None, "s"], "c": {"d": 1.5}}
    assert _lit(value, dict) == literals_pb2.Literal(scalar=literals_pb2.Scalar(generic=_struct(value)))
    as_dict = _lit({"a": 1, "names": ["n"]}, Inner)
    assert as_dict.scalar.generic == _struct({"a": 1, "names": ["n"]})
    instance = _lit(Inner(a=1, names=["n"]), Inner)
    assert instance.scalar.generic == _struct({"a": 1, "names": ["n"]})


def test_dataclass_instance_with_an_enum_field() -> None:
    got = _lit(Record(x=1, color=Color.BLUE), Record)
    assert got.scalar.generic["color"] == "blue"


@pytest.mark.parametrize(
    "value",
    [{"names": ["n"]}, {"a": 1, "names": [], "extra": 1}, {"a": "one", "names": []}],
    ids=["missing", "unknown", "wrong-type"],
)
def test_a_dict_that_does_not_fit_the_dataclass_is_refused(value: dict[str, Any]) -> None:
    with pytest.raises(b.TypeConversionError):
        _lit(value, Inner)


@pytest.mark.parametrize(
    ("value", "python_type"),
    [
        (b.File("s3://bucket/a.csv"), b.File.of("csv")),
        ("s3://bucket/a.csv", b.File.of("csv")),
        (b.Directory("s3://bucket/dir"), b.Directory),
        ("s3://bucket/dir", b.Directory),
    ],
)
def test_files_and_directories_by_uri(value: Any, python_type: Any) -> None:
    blob = _lit(value, python_type).scalar.blob
    assert blob.uri == getattr(value, "uri", value)
    assert blob.metadata.type == b.literal_type(python_type).blob


def test_structured_dataset_by_uri() -> None:
    sd_type = b.StructuredDataset.of("parquet", a=int)
    got = _lit(b.StructuredDataset("s3://bucket/df"), sd_type).scalar.structured_dataset
    assert got.uri == "s3://bucket/df"
    assert got.metadata.structured_dataset_type == b.literal_type(sd_type).structured_dataset_type
    assert _lit("s3://bucket/df", sd_type).scalar.structured_dataset == got


@pytest.mark.parametrize(
    ("value", "python_type", "where"),
    [
        (True, int, "x"),  # a bool is not an int
        (1, bool, "x"),
        (1.5, int, "x"),
        (1, str, "x"),
        ("1", int, "x"),
        (None, int, "x"),  # None needs Optional
        ("ab", list[str], "x"),  # a string is not a list of strings
        ([1, "a"], list[int], "x[1]"),
        ([[1], [2, "b"]], list[list[int]], "x[1][1]"),
        ({1: 1}, dict[str, int], "x"),
        ({"k": "v"}, dict[str, int], "x['k']"),
        ([1], dict[str, int], "x"),
        ("green", Color, "x"),
        (3, b.File, "x"),
        (3, b.StructuredDataset, "x"),
        ("x", int | float, "x"),  # fits no variant
        ([1], list[int] | list[float], "x"),  # fits two variants: ambiguous
        (datetime.timedelta(1), datetime.datetime, "x"),
        (None, dict, "x"),
    ],
)
def test_values_that_do_not_fit_are_refused(value: Any, python_type: Any, where: str) -> None:
    with pytest.raises(b.TypeConversionError) as err:
        b.to_literal(value, b.literal_type(python_type), "x")
    assert err.value.where == where


def test_an_int_outside_int64_is_a_type_conversion_error() -> None:
    with pytest.raises(b.TypeConversionError) as err:
        b.to_literal(2**63, b.literal_type(int), "x")
    assert err.value.where == "x"


def test_an_int_outside_int64_in_a_node_is_a_build_error() -> None:
    t = b.task("t.big", inputs={"n": int})
    with b.workflow("wf.big"), pytest.raises(b.TypeConversionError) as err:
        t(n=2**63)
    assert err.value.where == "node n0 (t.big): n="


@pytest.mark.parametrize(
    ("value", "python_type"),
    [
        (42, int),
        (-0.5, float),
        (float("inf"), float),
        ("naïve ✓ \u2028 text", str),
        (b"\x00bytes\xff", bytes),
        (datetime.datetime(1, 1, 1, tzinfo=UTC), datetime.datetime),
        (datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), datetime.datetime),
        (datetime.timedelta(days=-3, microseconds=1), datetime.timedelta),
        ([[1, 2], [], [3]], list[list[int]]),
        ({"a": {"b": 1.5}}, dict[str, dict[str, float]]),
        ({"k": [1, None, True, "s", {"n": 2.5}]}, dict),
        (None, str | None),
        ("blue", Color),
        ("s3://b/f", b.File.of("csv")),
        ("s3://b/d", b.StructuredDataset.of("parquet", a=int)),
        ({"a": 1, "names": ["x"]}, Inner),
        (Inner(a=1, names=[]), Inner),
    ],
)
def test_literals_round_trip(value: Any, python_type: Any) -> None:
    assert_round_trips(_lit(value, python_type))
    assert_round_trips(b.literal_type(python_type))


@dataclasses.dataclass
class _Point:
    x: int
    y: int = 0


@dataclasses.dataclass
class _Label:
    text: str


@dataclasses.dataclass
class _Tree:
    children: list[_Tree]


@dataclasses.dataclass
class _BareList:
    items: typing.List  # type: ignore[type-arg]  # noqa: UP006


@pytest.mark.parametrize(
    ("python_type", "where"),
    [
        ([int], "x"),  # a list of types, not a type: was a bare TypeError (unhashable)
        (dict[str], "x"),  # type: ignore[misc]  # one argument: was an IndexError
        (_BareList, "x.items"),  # was an IndexError while writing the JSON schema
        (_Tree, "x.children"),  # holds itself: was a RecursionError
        (typing.Optional[_Tree], "x.children"),  # noqa: UP045
    ],
    ids=["list-of-types", "dict-one-argument", "bare-list-field", "recursive-dataclass", "optional-recursive"],
)
def test_malformed_type_hints_are_type_conversion_errors(python_type: Any, where: str) -> None:
    with pytest.raises(b.TypeConversionError) as err:
        b.literal_type(python_type, "x")
    assert err.value.where == where


def test_lists_and_dicts_nest_as_deep_as_protobuf_reads_back() -> None:
    """64 levels are built (in a loop); deeper, a spec holding the type would pass the 100 levels protobuf's binary
    parser reads, so Flyte could not read it back: refused (protobuf 4.21's upb crashed copying such a type)."""
    hint: Any = int
    for i in range(64):
        hint = list[hint] if i % 2 else dict[str, hint]
    t = b.literal_type(hint)
    depth = 0
    while (kind := t.WhichOneof("type")) in ("collection_type", "map_value_type"):
        t = getattr(t, str(kind))
        depth += 1
    assert depth == 64
    assert t.simple == types_pb2.INTEGER
    task = b.task("t", inputs={"x": hint}, image="img:1")
    assert io.from_binary(task.template.SerializeToString(), "TaskTemplate") == task.template
    with pytest.raises(b.TypeConversionError) as err:
        b.task("t", inputs={"x": list[hint]}, image="img:1")
    assert err.value.where == "task 't': inputs.x"
    deep: Any = int
    for _ in range(2_000):
        deep = list[deep]
    with pytest.raises(b.TypeConversionError):
        b.literal_type(deep)


# Values nested as deep as protobuf reads back. Each shape nests a value `k` levels: (build it, the message built).
def _json_dicts(k: int) -> Any:
    value: Any = 1
    for _ in range(k):
        value = {"a": value}
    return value


def _json_lists(k: int) -> Any:
    value: Any = 1
    for _ in range(k):
        value = [value]
    return {"a": value}


def _list_of(t: Any) -> Any:
    return list[t]


def _dict_of(t: Any) -> Any:
    return dict[str, t]


def _optional_list_of(t: Any) -> Any:
    return typing.Optional[list[t]]  # noqa: UP045


def _same(value: Any) -> Any:
    return value


def _nested(
    k: int, make_type: Callable[[Any], Any], make_value: Callable[[Any], Any], inner: tuple[Any, Any] = (int, 1)
) -> tuple[Any, Any]:
    hint, value = inner
    for _ in range(k):
        hint, value = make_type(hint), make_value(value)
    return hint, value


def _bound(k: int) -> Any:
    """A workflow node binding a constant: lists nested k deep in its BindingData."""
    hint, value = _nested(k, _list_of, lambda v: [v])
    task = b.task("t", inputs={"x": hint}, image="img:1", args=["run"])
    with b.workflow("wf") as wf:
        task(x=value)
    return wf.build().template.nodes[0].inputs[0].binding


@dataclasses.dataclass
class _Settings:
    extra: dict  # type: ignore[type-arg]  # untyped: JSON of any shape


def _boxes(k: int) -> Any:
    """A dataclass chain k deep (k classes: a dataclass cannot hold itself)."""
    cls: Any = dataclasses.make_dataclass("Box0", [("n", int)])
    for i in range(1, k + 1):
        cls = dataclasses.make_dataclass(f"Box{i}", [("inner", cls)])
    return cls


VALUE_SHAPES: dict[str, Callable[[int], Any]] = {
    "custom-dicts": lambda k: b.task("t", custom=_json_dicts(k)).template.custom,
    "custom-lists": lambda k: b.task("t", custom=_json_lists(k)).template.custom,
    "pod-spec-dicts": lambda k: (
        b.task(
            "t", image="img:1", pod_template=b.PodTemplate(pod_spec={"containers": [], "x": _json_dicts(k)})
        ).template.k8s_pod.pod_spec
    ),
    "literal-dicts": lambda k: b.to_literal(_json_dicts(k), dict),
    "literal-lists": lambda k: b.to_literal(*reversed(_nested(k, _list_of, lambda v: [v]))),
    "literal-maps": lambda k: b.to_literal(*reversed(_nested(k, _dict_of, lambda v: {"k": v}))),
    "literal-unions": lambda k: b.to_literal(*reversed(_nested(k, _optional_list_of, lambda v: [v]))),
    # A union's value holds its variant's type too: here 22 lists deep, under k lists.
    "literal-union-types": lambda k: b.to_literal(
        *reversed(_nested(k, _list_of, lambda v: [v], inner=(_optional_list_of(_nested(21, _list_of, _same)[0]), [])))
    ),
    "dataclass-json": lambda k: b.to_literal(_Settings(_json_dicts(k)), _Settings),
    "bindings": _bound,
}


def _message_depth(message: Any) -> int:
    """The nesting of a message as protobuf's parsers count it (the wire walker that models them, at each limit)."""
    from flytespec.io._wire import locate_error

    data = message.SerializeToString()
    low, high = 1, 1_000
    while low < high:
        middle = (low + high) // 2
        if locate_error(message.DESCRIPTOR, data, middle) is None:
            high = middle
        else:
            low = middle + 1
    return low


def _deepest_built(build: Callable[[int], Any], error: type[Exception]) -> int:
    """The largest k that ``build(k)`` builds (before it raises ``error``)."""
    k = 1
    while True:
        try:
            build(k)
        except error:
            return k - 1
        k += 1


@pytest.mark.parametrize("shape", sorted(VALUE_SHAPES))
def test_values_nest_as_deep_as_protobuf_reads_back(shape: str) -> None:
    """A value is built up to MAX_VALUE_DEPTH messages deep, leaving room below protobuf's 101 levels for the spec
    around it; deeper, ValueTooDeepError names where. Before, deep values raised protobuf's DecodeError (a constructor
    copies by parsing) or a RecursionError (Struct.update recurses), or were built and could not be read back."""
    build = VALUE_SHAPES[shape]
    k = _deepest_built(build, b.ValueTooDeepError)
    message = build(k)
    assert b.MAX_VALUE_DEPTH - 8 < _message_depth(message) <= b.MAX_VALUE_DEPTH  # refused only near the limit
    assert all(_message_depth(build(i)) <= b.MAX_VALUE_DEPTH for i in range(1, k))
    assert io.from_binary(message.SerializeToString(), type(message)) == message
    with pytest.raises(b.ValueTooDeepError) as err:
        build(k + 1)
    prefix = {
        "custom": "task 't': custom[",
        "pod": "PodTemplate.pod_spec[",
        "bindings": "node n0 (t): x=[",
        "dataclass": "value.extra[",
    }
    assert err.value.where.startswith(prefix.get(shape.split("-")[0], "value["))  # the path to the deep value
    with pytest.raises(b.TypeConversionError):  # the value, or for typed shapes the type (at most 64 levels)
        build(200)


TYPE_SHAPES: dict[str, Callable[[int], Any]] = {
    "lists": lambda k: _nested(k, _list_of, lambda v: v)[0],
    "unions": lambda k: _nested(k, _optional_list_of, lambda v: v)[0],
    "dataclasses": _boxes,
    "dataclass-field": lambda k: dataclasses.make_dataclass("D", [("x", TYPE_SHAPES["lists"](k))]),
}


@pytest.mark.parametrize("shape", sorted(TYPE_SHAPES))
def test_types_nest_as_deep_as_protobuf_reads_back(shape: str) -> None:
    """Lists, unions and dataclass fields count together against MAX_TYPE_DEPTH; a dataclass's JSON schema, which
    nests deeper, against MAX_VALUE_DEPTH. Before, only lists and dicts in a row were counted: a union of lists
    nested 30 times raised protobuf's DecodeError, and a dataclass whose field nests 40 lists was built with a
    schema too deep to read back. A workflow running a task of the deepest type built compiles and reads back."""
    hint = TYPE_SHAPES[shape]
    k = _deepest_built(lambda i: b.literal_type(hint(i), "x"), b.TypeConversionError)
    depths = [_message_depth(b.literal_type(hint(i))) for i in range(1, k + 1)]
    # The type's own message, the levels below it, and leaves (an annotation Struct: six levels); or the schema.
    limit = b.MAX_VALUE_DEPTH if shape.startswith("dataclass") else 1 + b.MAX_TYPE_DEPTH + 6
    assert max(depths) <= limit
    assert depths[-1] > limit - 12  # refused only near the limit
    with pytest.raises(b.TypeConversionError) as err:
        b.literal_type(hint(k + 1), "x")
    assert err.value.where.startswith("x")
    task = b.task("t", inputs={"x": hint(k)}, image="img:1", args=["run"])
    with b.workflow("wf", inputs={"x": hint(k)}) as wf:
        task(x=wf.inputs.x)
    compiled = wf.build().compile()
    assert io.from_binary(compiled.SerializeToString(), "CompiledWorkflowClosure") == compiled


def test_self_holding_json_values_are_refused() -> None:
    """A dict that holds itself nests without end: refused as too deep (a RecursionError before)."""
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(b.ValueTooDeepError):
        b.task("t", custom=loop)
    with pytest.raises(b.ValueTooDeepError):
        b.to_literal(loop, dict)


def test_to_literal_takes_a_python_type_too() -> None:
    assert b.to_literal(5, int) == b.to_literal(5, b.literal_type(int), "x")
    assert b.to_literal(["a"], list[str]).collection.literals[0].scalar.primitive.string_value == "a"
    with pytest.raises(b.TypeConversionError) as err:
        b.to_literal(5, [int], "v")
    assert err.value.where == "v"


def test_a_dataclass_value_must_have_the_fields_of_the_type() -> None:
    """A value of another dataclass was written as it was, under the expected dataclass's type."""
    with pytest.raises(b.TypeConversionError) as err:
        b.to_literal(_Label("a"), _Point, "p")
    assert err.value.where == "p['text']"
    with pytest.raises(b.TypeConversionError) as err:
        b.task("t", inputs={"p": b.Input(_Point, default=_Label("a"))}, image="img:1")
    assert err.value.where == "task 't': inputs.p.default['text']"
    with pytest.raises(b.TypeConversionError):
        b.to_literal(_Point(x="one"), _Point, "p")  # type: ignore[arg-type]
    with pytest.raises(b.TypeConversionError):
        b.to_literal(_Point, _Point, "p")  # the class, not an instance
    assert b.to_literal(_Point(1, 2), _Point, "p").scalar.generic.fields["y"].number_value == 2


def test_integers_a_struct_would_round_are_refused() -> None:
    """A Struct holds numbers as doubles: 2**60 would come back as 1152921504606846976.0, a different number."""
    with pytest.raises(b.TypeConversionError) as err:
        b.to_literal(_Point(2**60), _Point, "p")
    assert err.value.where == "p.x"
    with pytest.raises(BuildError) as build_err:
        b.task("t", image="img:1", custom={"limits": [1, {"n": -(2**54)}]})
    assert build_err.value.where == "task 't': custom['limits'][1]['n']"
    assert b.task("t", image="img:1", custom={"n": 2**53}).template.custom["n"] == 2**53
