"""Flyte's castability rules (compiler reference, section 4), case by case."""

from __future__ import annotations

from typing import Any

import pytest

from flytespec.core import literals_pb2, types_pb2
from flytespec.validate._types import castable, is_optional, literal_type_of_literal
from tests.validate.specs import BOOL, FLOAT, INT, NONE, STR, dict_of, enum, list_of, union

T = types_pb2.LiteralType
STRUCT = T(simple=types_pb2.STRUCT)
BINARY = T(simple=types_pb2.BINARY)


def blob(
    fmt: str = "", dim: types_pb2.BlobType.BlobDimensionality.ValueType = types_pb2.BlobType.SINGLE
) -> types_pb2.LiteralType:
    return T(blob=types_pb2.BlobType(format=fmt, dimensionality=dim))


def sd(fmt: str = "", **columns: types_pb2.LiteralType) -> types_pb2.LiteralType:
    t = T(structured_dataset_type=types_pb2.StructuredDatasetType(format=fmt))
    for name, column in columns.items():
        t.structured_dataset_type.columns.add(name=name, literal_type=column)
    return t


def schema(**columns: types_pb2.SchemaType.SchemaColumn.SchemaColumnType.ValueType) -> types_pb2.LiteralType:
    t = T(schema=types_pb2.SchemaType())
    for name, column in columns.items():
        t.schema.columns.add(name=name, type=column)
    return t


COL = types_pb2.SchemaType.SchemaColumn


@pytest.mark.parametrize(
    ("upstream", "downstream", "expected"),
    [
        (INT, INT, True),
        (INT, FLOAT, False),
        (NONE, INT, False),
        (union(INT, NONE), INT, False),
        (INT, union(INT, NONE), True),
        (union(INT), INT, True),  # a single-variant union is its variant
        (enum("a", "b"), enum("a", "b"), True),
        (enum("a", "b"), enum("b", "a"), False),
        (enum("a"), STR, True),
        (STR, enum("a"), True),
        (BINARY, STRUCT, False),
        (list_of(NONE), list_of(INT), True),  # an empty list fits any list
        (list_of(INT), list_of(FLOAT), False),
        (dict_of(NONE), dict_of(STR), True),
        (INT, list_of(INT), False),
        (blob("csv"), blob("csv"), True),
        (blob("csv"), blob("parquet"), False),
        (blob(""), blob("parquet"), True),
        (blob("csv", types_pb2.BlobType.MULTIPART), blob("csv"), True),  # dimensionality is ignored
        (STR, blob(), False),
        (sd("parquet"), sd("PARQUET"), True),
        (sd("csv"), sd("parquet"), False),
        (sd("parquet", a=INT, b=STR), sd("parquet", a=INT), True),
        (sd("parquet", a=INT), sd("parquet", b=INT), False),
        (NONE, sd(), True),  # structured datasets are nullable
        (NONE, union(sd(), NONE), False),  # ambiguous: both variants accept NONE
        (schema(a=COL.INTEGER), schema(a=COL.INTEGER), True),
        (schema(a=COL.INTEGER), schema(a=COL.FLOAT), False),
        (sd("parquet", a=INT), schema(a=COL.INTEGER), True),
        (sd("csv", a=INT), schema(a=COL.INTEGER), False),
        (union(INT, STR), union(INT, STR, BOOL), True),
        (union(INT, STR), union(INT), False),
        (STR, union(STR, STR), False),  # two variants accept it: not unambiguous
        (T(simple=types_pb2.NONE), NONE, True),
    ],
)
def test_castability(upstream: types_pb2.LiteralType, downstream: types_pb2.LiteralType, expected: bool) -> None:
    assert castable(upstream, downstream) is expected


def test_struct_types_cast_by_schema() -> None:
    from google.protobuf import struct_pb2

    def struct(properties: dict[str, Any]) -> types_pb2.LiteralType:
        metadata = struct_pb2.Struct()
        metadata.update({"type": "object", "properties": properties})
        return T(simple=types_pb2.STRUCT, metadata=metadata)

    parent = struct({"a": {"type": "integer"}})
    child = struct({"a": {"type": "integer"}, "b": {"type": "string"}})
    assert castable(child, parent)
    assert not castable(parent, child)
    assert castable(STRUCT, child)  # no schema on one side: accepted


def test_tags_must_match() -> None:
    tagged = T(simple=types_pb2.STRING, structure=types_pb2.TypeStructure(tag="a"))
    other = T(simple=types_pb2.STRING, structure=types_pb2.TypeStructure(tag="b"))
    assert not castable(tagged, other)
    assert castable(T(simple=types_pb2.STRING), tagged)


def test_optional() -> None:
    assert is_optional(union(INT, NONE))
    assert not is_optional(union(list_of(INT), STR))  # Flyte itself would wrongly call this optional
    assert not is_optional(INT)


def test_literal_types() -> None:
    one = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=1)))
    word = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="a")))
    mixed = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[one, word, one]))
    assert literal_type_of_literal(mixed) == list_of(union(INT, STR))
    empty = literals_pb2.Literal(collection=literals_pb2.LiteralCollection())
    assert literal_type_of_literal(empty) == list_of(NONE)
