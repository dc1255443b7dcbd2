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


def test_literal_types_of_nested_mixed_lists() -> None:
    def lit(value: Any) -> literals_pb2.Literal:
        if isinstance(value, list):
            return literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[lit(v) for v in value]))
        kind = {int: "integer", float: "float_value", str: "string_value"}[type(value)]
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(**{kind: value})))

    # Flyte hands the variants of list-of-union elements to one list of union, repeats included.
    nested = literal_type_of_literal(lit([[1, "a"], [1.0, "b"]]))
    assert nested == list_of(list_of(union(FLOAT, STR, INT, STR)))  # sorted: list[FLOAT | STRING] first
    assert nested is not None
    assert castable(nested, list_of(list_of(union(INT, FLOAT, STR))))
    # Elements that are not lists of unions stay whole variants beside the handed-over ones.
    assert literal_type_of_literal(lit([[1, "a"], [2]])) == list_of(list_of(union(INT, STR, list_of(INT))))
    # An element union is one variant, not merged with the others.
    one_of = literals_pb2.Literal(scalar=literals_pb2.Scalar(union=literals_pb2.Union(value=lit(1), type=INT)))
    element = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[one_of, lit(2)]))
    assert literal_type_of_literal(element) == list_of(union(INT, union(INT)))


def test_struct_schemas_follow_references_into_their_own_definitions() -> None:
    from google.protobuf import struct_pb2

    def model(inner_a: str, **extra: Any) -> types_pb2.LiteralType:
        metadata = struct_pb2.Struct()
        inner: dict[str, Any] = {"type": "object", "properties": {"a": {"type": inner_a}, **extra}}
        metadata.update(
            {"type": "object", "properties": {"inner": {"$ref": "#/$defs/Inner"}}, "$defs": {"Inner": inner}}
        )
        return T(simple=types_pb2.STRUCT, metadata=metadata)

    # Same names, different nested models: not castable either way.
    assert not castable(model("integer"), model("string"))
    assert not castable(model("string"), model("integer"))
    # A nested child model feeds a nested parent model; not the other way round.
    child = model("integer", b={"type": "string"})
    assert castable(child, model("integer"))
    assert not castable(model("integer"), child)


def test_recursive_struct_schemas_compare_and_end() -> None:
    from google.protobuf import struct_pb2

    def tree(value: str) -> types_pb2.LiteralType:
        node: dict[str, Any] = {
            "type": "object",
            "properties": {"value": {"type": value}, "children": {"type": "array", "items": {"$ref": "#/$defs/T"}}},
        }
        metadata = struct_pb2.Struct()
        metadata.update({"$ref": "#/$defs/T", "$defs": {"T": node}})
        return T(simple=types_pb2.STRUCT, metadata=metadata)

    assert castable(tree("integer"), tree("integer"))
    assert not castable(tree("integer"), tree("string"))


def test_recursive_schemas_with_described_references_end() -> None:
    from google.protobuf import struct_pb2

    def model(extra: dict[str, Any]) -> types_pb2.LiteralType:
        # Pydantic v2 writes a description beside a $ref: each visit must not make a new part to compare.
        described = {"$ref": "#/$defs/N", "description": "the next one"}
        node: dict[str, Any] = {"type": "object", "properties": {"next": described, **extra}}
        metadata = struct_pb2.Struct()
        metadata.update({"$ref": "#/$defs/N", "$defs": {"N": node}})
        return T(simple=types_pb2.STRUCT, metadata=metadata)

    assert castable(model({"b": {"type": "string"}}), model({}))
    assert not castable(model({}), model({"b": {"type": "string"}}))


def test_a_type_equal_to_a_union_variant_fits_it_whatever_its_own_checker_says() -> None:
    # A structured dataset with a repeated column name: its own checker rejects it, but it is identical to the
    # variant, and identical types cast at every level, as at the top.
    column = types_pb2.StructuredDatasetType.DatasetColumn
    sd = T(
        structured_dataset_type=types_pb2.StructuredDatasetType(
            columns=[column(name="a", literal_type=INT), column(name="a", literal_type=STR)]
        )
    )
    assert castable(sd, sd)
    assert castable(sd, union(sd, NONE))


def test_struct_metadata_that_is_no_json_schema_casts_only_to_itself() -> None:
    # Found by fuzzing: a NaN in a dataclass schema made castability raise (the schema is read as JSON).
    def struct(**fields: Any) -> types_pb2.LiteralType:
        t = types_pb2.LiteralType(simple=types_pb2.STRUCT)
        t.metadata.update(fields)
        return t

    odd = struct(a=float("nan"))
    assert castable(odd, odd)
    assert not castable(odd, struct(a=1))
    assert not castable(struct(a=1), odd)
