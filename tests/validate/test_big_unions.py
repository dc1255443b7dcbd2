"""Big unions: their variants are indexed, so that a check tries only the variants that may fit. The verdicts, codes
and paths must be those of trying every variant, which the tests check by turning the index off (``scanned``)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from flytespec.core import literals_pb2, types_pb2, workflow_pb2
from flytespec.validate import Code, _types, validate
from flytespec.validate._types import castable
from tests.validate.specs import INT, NONE, STR, closure, dict_of, enum, list_of, promise, task, union, workflow

T = types_pb2.LiteralType
N = 20  # variants in a big union
assert N > _types.INDEX_ABOVE


@pytest.fixture(params=["indexed", "scanned"], autouse=True)
def index(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs twice: with big unions indexed, then with every variant tried."""
    if request.param == "scanned":
        monkeypatch.setattr(_types, "INDEX_ABOVE", 1 << 30)


def tagged(t: T, tag: str) -> T:
    copy = T()
    copy.CopyFrom(t)
    copy.structure.tag = tag
    return copy


def strings(*tags: str) -> T:
    return union(*(tagged(STR, tag) for tag in tags))


def blob(fmt: str) -> T:
    return T(blob=types_pb2.BlobType(format=fmt))


TAGS = [f"t{i}" for i in range(N)]


# --------------------------------------------------------------------------------------------------------------
# Castability


def test_a_big_union_casts_to_itself_in_another_order() -> None:
    assert castable(strings(*TAGS), strings(*reversed(TAGS)))
    assert castable(strings(*TAGS[:5]), strings(*reversed(TAGS)))  # a subset casts to the whole


def test_a_big_union_with_a_variant_no_variant_takes_does_not_cast() -> None:
    assert not castable(strings(*TAGS, "extra"), strings(*reversed(TAGS)))
    assert not castable(union(*strings(*TAGS).union_type.variants, INT), strings(*TAGS))


def test_one_value_into_a_big_union_must_fit_exactly_one_variant() -> None:
    assert castable(tagged(STR, "t7"), strings(*TAGS))
    assert not castable(tagged(STR, "nope"), strings(*TAGS))  # a tag picks its variant: none here
    assert not castable(STR, strings(*TAGS))  # untagged: every variant takes it, which is ambiguous
    ints = [tagged(INT, tag) for tag in TAGS]
    assert castable(STR, union(*ints, tagged(STR, "s")))  # one string among the integers
    assert not castable(STR, union(*ints[:9], STR, *ints[9:], tagged(STR, "s")))  # two strings
    assert castable(union(tagged(STR, "t3")), strings(*TAGS))  # a union of one casts as its variant
    assert not castable(NONE, union(*ints, T(structured_dataset_type=types_pb2.StructuredDatasetType()), NONE))


def test_enums_and_strings_in_big_unions() -> None:
    ints = [tagged(INT, tag) for tag in TAGS]
    enums = [enum(f"v{i}", "w") for i in range(N)]
    assert castable(enum("a"), union(*ints, STR))  # an enum may feed a string, whatever its tag
    assert castable(enum("a"), union(*ints, tagged(STR, "s")))
    assert not castable(enum("a"), union(*ints, STR, tagged(STR, "s")))
    assert castable(STR, union(*ints, enum("a")))  # a string may feed an enum
    assert not castable(STR, union(*enums))  # ... any of them
    assert castable(enum("v4", "w"), union(*enums))  # an enum takes only an enum of the same values
    assert not castable(enum("w", "v4"), union(*enums))
    assert castable(tagged(enum("v4", "w"), "e"), union(*enums[:4], tagged(enums[4], "e"), *enums[5:]))
    assert not castable(tagged(enum("v4", "w"), "e"), union(*enums))  # a tag the variant lacks


def test_lists_maps_and_blobs_in_big_unions() -> None:
    lists = [list_of(tagged(INT, tag)) for tag in TAGS]
    maps = [dict_of(list_of(tagged(INT, tag))) for tag in TAGS]
    assert castable(list_of(tagged(INT, "t5")), union(*lists))
    assert not castable(list_of(INT), union(*lists))  # fits every list
    assert not castable(list_of(NONE), union(*lists))  # an empty list fits every list
    assert castable(list_of(NONE), union(*maps, list_of(STR)))
    assert castable(dict_of(list_of(tagged(INT, "t5"))), union(*maps))
    assert castable(dict_of(list_of(NONE)), union(*maps[:1], *lists))
    assert not castable(dict_of(list_of(tagged(INT, "x"))), union(*maps))
    assert castable(union(*maps[::-1]), union(*maps))
    assert castable(list_of(list_of(INT)), union(*lists, list_of(union(INT, list_of(INT)))))  # a union in a list
    blobs = [blob(f"f{i}") for i in range(N)]
    assert castable(blob("f3"), union(*blobs))
    assert not castable(blob("f3"), union(*blobs, blob("")))  # a blob without format takes any blob too
    assert not castable(blob(""), union(*blobs))  # ... and fits any blob
    assert castable(union(*blobs[::-1]), union(*blobs))


def test_a_union_variant_is_tried_whatever_the_type() -> None:
    inner = union(tagged(INT, "i"), T(simple=types_pb2.FLOAT))
    assert castable(tagged(INT, "i"), union(*(tagged(STR, tag) for tag in TAGS), inner))
    assert not castable(tagged(INT, "i"), union(*(tagged(INT, tag) for tag in TAGS), inner, inner))


def _random_type(r: random.Random, depth: int = 0) -> T:
    t = T()
    k = r.random() * (0.75 if depth > 2 else 1)
    if k < 0.3:
        t.simple = r.choice([types_pb2.NONE, types_pb2.INTEGER, types_pb2.STRING, types_pb2.STRUCT])
    elif k < 0.38:
        t.enum_type.values.extend(r.choice([["x"], ["x", "y"]]))
    elif k < 0.45:
        t.blob.format = r.choice(["", "csv", "parquet"])
    elif k < 0.5:
        t.structured_dataset_type.format = r.choice(["", "parquet"])
    elif k < 0.52:
        t.schema.SetInParent()
    elif k < 0.64:
        t.collection_type.CopyFrom(_random_type(r, depth + 1))
    elif k < 0.75:
        t.map_value_type.CopyFrom(_random_type(r, depth + 1))
    else:
        for _ in range(r.choice([1, 2, 12])):
            t.union_type.variants.add().CopyFrom(_random_type(r, depth + 1))
    if r.random() < 0.3:
        t.structure.tag = r.choice(["", "a", "b"])
    return t


def test_indexed_unions_give_the_verdicts_of_a_full_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every union indexed, even small ones, against every variant tried; upstream types are often variants of the
    # downstream union, so that many pairs cast.
    r = random.Random(5)
    for _ in range(1500):
        down = union(*(_random_type(r, 1) for _ in range(r.choice([2, 3, 12]))))
        up = T()
        up.CopyFrom(r.choice(down.union_type.variants) if r.random() < 0.5 else _random_type(r))
        if r.random() < 0.2:
            up = union(up)
        monkeypatch.setattr(_types, "INDEX_ABOVE", 1 << 30)
        scanned = castable(up, down)
        monkeypatch.setattr(_types, "INDEX_ABOVE", 0)
        assert castable(up, down) is scanned, (up, down)


# --------------------------------------------------------------------------------------------------------------
# Bindings


def found(wf: workflow_pb2.WorkflowTemplate, *tasks: object) -> list[tuple[Code, str]]:
    return [(d.code, d.path) for d in validate(closure(wf, *tasks))]  # type: ignore[arg-type]


def node(var: str, data: literals_pb2.BindingData) -> workflow_pb2.Node:
    n = workflow_pb2.Node(id="n0")
    n.task_node.reference_id.CopyFrom(task("t").id)
    n.inputs.add(var=var).binding.CopyFrom(data)
    return n


def ints(*values: int) -> literals_pb2.BindingData:
    data = literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection())
    for v in values:
        data.collection.bindings.add().scalar.primitive.integer = v
    return data


def lists(*items: literals_pb2.BindingData) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection(bindings=list(items)))


def text(value: str) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=value)))


def test_a_promise_of_a_big_union_into_the_same_union_in_another_order() -> None:
    wf = workflow(node("u", promise("", "u")), inputs={"u": strings(*reversed(TAGS))})
    assert found(wf, task("t", {"u": strings(*TAGS)})) == []
    assert found(wf, task("t", {"u": strings(*TAGS[1:])})) == [
        (Code.MismatchingTypes, "workflow.nodes[0].inputs[0].binding.promise")
    ]


def test_a_list_of_values_into_a_list_of_a_big_union() -> None:
    # Untagged integers fit every tagged integer variant: each element is ambiguous, so mismatching.
    expected = list_of(union(*(tagged(INT, tag) for tag in TAGS)))
    wf = workflow(node("u", ints(1, 2, 3)))
    path = "workflow.nodes[0].inputs[0].binding.collection.bindings[{}].scalar"
    assert found(wf, task("t", {"u": expected})) == [(Code.MismatchingTypes, path.format(k)) for k in range(3)]
    # One string among the integers takes the strings.
    expected = list_of(union(*(tagged(INT, tag) for tag in TAGS), STR))
    wf = workflow(node("u", lists(text("a"), text("b"))))
    assert found(wf, task("t", {"u": expected})) == []


def test_a_list_into_a_big_union_of_lists() -> None:
    enums = union(*(list_of(enum(f"v{i}", "w")) for i in range(N)))
    t = task("t", {"u": enums})
    assert found(workflow(node("u", lists(text("v7"), text("w")))), t) == []  # only v7's list has v7
    binding = "workflow.nodes[0].inputs[0].binding"
    assert found(workflow(node("u", lists(text("w")))), t) == [(Code.AmbiguousBindingUnionValue, binding)]
    assert found(workflow(node("u", lists(text("v7"), text("v8")))), t) == [
        (Code.IncompatibleBindingUnionValue, binding)
    ]
    assert found(workflow(node("u", lists())), t) == [(Code.AmbiguousBindingUnionValue, binding)]  # empty: any list
    # One list among the other kinds: the empty list, or a list of strings, fits it alone.
    mixed = task("t", {"u": union(*(tagged(STR, tag) for tag in TAGS), list_of(STR), dict_of(STR))})
    assert found(workflow(node("u", lists())), mixed) == []
    assert found(workflow(node("u", lists(text("a")))), mixed) == []
    assert found(workflow(node("u", ints(1))), mixed) == [(Code.IncompatibleBindingUnionValue, binding)]


def test_an_element_into_a_big_union_of_lists_is_checked_at_its_path() -> None:
    # [[1], ["a"], [[]]] into list[list[INTEGER (tag t0)] | ... | list[STRING]]: the first element fits every
    # list of integers, the second the list of strings, the third nothing.
    expected = list_of(union(*(list_of(tagged(INT, tag)) for tag in TAGS), list_of(STR)))
    wf = workflow(node("u", lists(ints(1), lists(text("a")), lists(lists()))))
    assert found(wf, task("t", {"u": expected})) == [
        (Code.AmbiguousBindingUnionValue, "workflow.nodes[0].inputs[0].binding.collection.bindings[0]"),
        (Code.IncompatibleBindingUnionValue, "workflow.nodes[0].inputs[0].binding.collection.bindings[2]"),
    ]
    tagged_ints = list_of(union(*(list_of(tagged(INT, tag)) for tag in TAGS)))
    value = literals_pb2.BindingData()
    scalar = value.scalar.union
    scalar.value.scalar.primitive.integer = 1
    scalar.type.CopyFrom(tagged(INT, "t9"))
    assert found(workflow(node("u", lists(lists(value), lists(value)))), task("t", {"u": tagged_ints})) == []


def test_a_map_into_a_big_union_of_maps() -> None:
    maps = union(*(dict_of(tagged(STR, tag)) for tag in TAGS), dict_of(INT))
    data = literals_pb2.BindingData(map=literals_pb2.BindingDataMap(bindings={"a": ints(1).collection.bindings[0]}))
    assert found(workflow(node("u", data)), task("t", {"u": maps})) == []
    data.map.bindings["b"].CopyFrom(text("x"))
    assert found(workflow(node("u", data)), task("t", {"u": maps})) == [
        (Code.IncompatibleBindingUnionValue, "workflow.nodes[0].inputs[0].binding")
    ]


def test_a_promise_in_a_list_into_a_big_union_of_lists() -> None:
    # A promise's type is not used to pick candidates: every variant is tried.
    lists_of = union(*(list_of(tagged(STR, tag)) for tag in TAGS), list_of(INT))
    wf = workflow(node("u", lists(promise("", "x"))), inputs={"x": INT})
    assert found(wf, task("t", {"u": lists_of})) == []
    wf = workflow(node("u", lists(promise("", "x"))), inputs={"x": tagged(STR, "t4")})
    assert found(wf, task("t", {"u": lists_of})) == []


def test_an_ambiguous_value_names_two_variants_not_all() -> None:
    t = task("t", {"u": union(*(list_of(tagged(INT, tag)) for tag in TAGS))})
    (diagnostic,) = validate(closure(workflow(node("u", ints(1))), t))
    assert diagnostic.code is Code.AmbiguousBindingUnionValue
    assert diagnostic.message.count("list[INTEGER]") < 20  # the union is cut short, and two variants are named


def test_a_list_of_strings_into_a_list_of_a_big_enum() -> None:
    values = [f"v{i}" for i in range(N)]
    wf = workflow(node("e", lists(*(text(v) for v in values), text("nope"), text("v3"))))
    assert found(wf, task("t", {"e": list_of(enum(*values))})) == [
        (Code.IllegalEnumValue, f"workflow.nodes[0].inputs[0].binding.collection.bindings[{N}].scalar")
    ]


def test_each_pair_of_types_is_checked_once_per_workflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """K promises of one dataclass type into a list of a union of N dataclasses: the verdict for the pair is kept,
    so the N variants are tried once, not once per element (K * N)."""

    def dataclass(i: int) -> T:
        t = T(simple=types_pb2.STRUCT)
        t.metadata.fields["title"].string_value = f"D{i}"
        t.metadata.fields["properties"].struct_value.fields[f"f{i}"].struct_value.fields[
            "type"
        ].string_value = "integer"
        return t

    unions_checked: list[T] = []
    casts_from = _types._casts_from_steps

    def counted(down: T, up: T, cache: _types.TypeCache) -> Any:
        if down.WhichOneof("type") == "union_type":
            unions_checked.append(down)
        return casts_from(down, up, cache)

    counted.__name__ = casts_from.__name__  # the checks' memo tells them apart by name
    monkeypatch.setattr(_types, "_casts_from_steps", counted)
    n = workflow_pb2.Node(id="n0")
    n.task_node.reference_id.CopyFrom(task("t").id)
    elements = n.inputs.add(var="u").binding.collection
    for _ in range(50):
        elements.bindings.add().promise.var = "s"
    wf = workflow(n, inputs={"s": dataclass(3)})
    assert found(wf, task("t", {"u": list_of(union(*(dataclass(i) for i in range(N))))})) == []
    assert len(unions_checked) == 1
