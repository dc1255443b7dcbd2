"""Flyte's type rules: when a value of one LiteralType may feed an input of another, and the type of a literal.

These follow Flyte's compiler (``flytepropeller/pkg/compiler/validators/typing.go`` and ``utils.go`` at v1.16.8)
rule for rule, including its quirks, which ``../shared/docs/flyte-compiler-reference.md`` section 4 lists:
INTEGER does not cast to FLOAT, ``Optional[int]`` does not cast to ``int`` while ``int`` casts to
``Optional[int]``, enums cast to and from STRING, blob dimensionality is ignored, and so on.

The one place flytespec approximates is STRUCT with JSON-schema metadata on both sides: Flyte compares the schemas
with third-party Go libraries; flytespec accepts identical schemas and schemas whose properties are a superset of
the expected ones, property by property (see :func:`_schema_casts`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any

from flytespec._walk import copy_into, copy_message, equal
from flytespec.core import literals_pb2, types_pb2
from flytespec.io._codec import CodecError, message_to_value

__all__ = [
    "INDEX_ABOVE",
    "PLAIN_TYPES",
    "TypeCache",
    "attr_step",
    "candidates",
    "castable",
    "describe",
    "index_depth",
    "is_optional",
    "literal_type_of_literal",
    "literal_type_of_primitive",
    "literal_type_of_scalar",
    "same_type",
    "shown",
]

_SIMPLE_NAMES = {v.number: v.name for v in types_pb2.SimpleType.DESCRIPTOR.values}
_NONE = types_pb2.NONE
_STRING = types_pb2.STRING
_STRUCT = types_pb2.STRUCT


def attr_step(t: types_pb2.LiteralType, step: str | int | None) -> tuple[types_pb2.LiteralType | None, str]:
    """The type one step of a promise's attribute path reaches from ``t``, or why the step cannot be taken.

    A list's item by a number (0 or more), a map's value by key, a dataclass's field by name; an untyped dict
    (Struct) and a union stay as they are (read at run time). Flyte's compiler reports only a missing dataclass field
    (FieldNotFound); the other misfits it lets through, and the execution fails reading them.

    Returns:
        ``(type reached, "")``, or ``(None, why)``.
    """
    kind = t.WhichOneof("type")
    if kind == "collection_type":
        if isinstance(step, int) and step >= 0:
            return t.collection_type, ""
        return None, "a list's items are read by a number, 0 or more"
    if kind == "map_value_type":
        return (t.map_value_type, "") if isinstance(step, str) else (None, "a map's values are read by key")
    if kind == "union_type" or (kind == "simple" and t.simple == _STRUCT and not t.structure.dataclass_type):
        return t, ""
    fields = t.structure.dataclass_type if kind == "simple" and t.simple == _STRUCT else None
    if fields is None:
        return None, "it has no items or fields to read"
    if isinstance(step, str) and step in fields:
        return fields[step], ""
    return None, f"it has no field {step!r} (its fields: {', '.join(sorted(fields))})"


# Schema column types map to the simple types of the same name.
_COLUMN_TO_SIMPLE = {
    types_pb2.SchemaType.SchemaColumn.INTEGER: types_pb2.INTEGER,
    types_pb2.SchemaType.SchemaColumn.FLOAT: types_pb2.FLOAT,
    types_pb2.SchemaType.SchemaColumn.STRING: types_pb2.STRING,
    types_pb2.SchemaType.SchemaColumn.BOOLEAN: types_pb2.BOOLEAN,
    types_pb2.SchemaType.SchemaColumn.DATETIME: types_pb2.DATETIME,
    types_pb2.SchemaType.SchemaColumn.DURATION: types_pb2.DURATION,
}


def _kind(t: types_pb2.LiteralType) -> str | None:
    kind: str | None = t.WhichOneof("type")
    return kind


def _is_none(t: types_pb2.LiteralType | None) -> bool:
    return t is not None and _kind(t) == "simple" and t.simple == _NONE


def _tag(t: types_pb2.LiteralType) -> str:
    return t.structure.tag if t.HasField("structure") else ""


def same_type(a: types_pb2.LiteralType, b: types_pb2.LiteralType) -> bool:
    """Whether two types are identical (Flyte compares their text form; message equality is the same)."""
    return equal(a, b)


def _without_metadata(t: types_pb2.LiteralType) -> types_pb2.LiteralType:
    copy = copy_message(t)
    copy.ClearField("structure")
    copy.ClearField("metadata")
    copy.ClearField("annotation")
    return copy


def castable(
    upstream: types_pb2.LiteralType, downstream: types_pb2.LiteralType, cache: TypeCache | None = None
) -> bool:
    """Whether a value of type ``upstream`` may be bound to an input of type ``downstream`` (Flyte's
    ``AreTypesCastable``).

    ``cache`` keeps the verdicts and the indexes of big unions between calls; give one to all the calls that check
    the same, unchanged types.
    """
    if equal(upstream, downstream):
        return True
    return _evaluate(_castable_steps, upstream, downstream, TypeCache() if cache is None else cache)


# A check that yields its sub-checks (the function to run on two types) and is sent their answers; see _evaluate.
_Step = Callable[[types_pb2.LiteralType, types_pb2.LiteralType, "TypeCache"], "_Steps"]
_Steps = Generator[tuple[_Step, Any, Any], bool, bool]


def _evaluate(step: _Step, a: types_pb2.LiteralType, b: types_pb2.LiteralType, cache: TypeCache) -> bool:
    """Run a check whose sub-checks are yielded: on an explicit stack, as types nest deeper than Python recursion
    goes, and each distinct check once per cache (its verdicts), as unions nested in unions would otherwise take
    exponential time, and as a workflow asks the same of the same types many times.

    Checks are told apart by the identity of their types, which the cache keeps alive (so no id is reused); two
    objects for one type only cost a repeated check.
    """
    memo = cache.verdicts
    root = (step.__name__, id(a), id(b))
    known = memo.get(root)
    if known is not None:
        return known[0]
    # (the running check, its memo key, its two types)
    stack: list[tuple[_Steps, tuple[str, int, int], tuple[Any, Any]]] = [(step(a, b, cache), root, (a, b))]
    answer: bool | None = None
    while True:
        steps, key, types = stack[-1]
        try:
            step, a, b = next(steps) if answer is None else steps.send(answer)
        except StopIteration as done:
            stack.pop()
            result = bool(done.value)
            memo[key] = (result, types)
            if not stack:
                return result
            answer = result
            continue
        sub = (step.__name__, id(a), id(b))
        known = memo.get(sub)
        answer = known[0] if known is not None else None
        if answer is None:
            stack.append((step(a, b, cache), sub, (a, b)))


def _castable_steps(upstream: types_pb2.LiteralType, downstream: types_pb2.LiteralType, cache: TypeCache) -> _Steps:
    if equal(upstream, downstream):
        return True
    # A union of one variant first tries as that variant.
    one = (
        upstream.union_type.variants[0]
        if _kind(upstream) == "union_type" and len(upstream.union_type.variants) == 1
        else None
    )
    if one is not None and (yield _casts_from_steps, downstream, one):
        return True
    return (yield _casts_from_steps, downstream, upstream)


def _casts_from_steps(down: types_pb2.LiteralType, up: types_pb2.LiteralType, cache: TypeCache) -> _Steps:
    """The checker of the downstream type, asked whether it accepts the upstream type."""
    kind = _kind(down)
    # Lists and maps nest to any depth: walked in a loop.
    while kind in ("collection_type", "map_value_type"):
        if _kind(up) != kind:
            return False
        if kind == "collection_type":
            down, up = down.collection_type, up.collection_type
        else:
            down, up = down.map_value_type, up.map_value_type
        if _is_none(up):
            return True
        kind = _kind(down)
    if kind == "blob":
        if _kind(up) != "blob":
            return False
        return not up.blob.format or not down.blob.format or up.blob.format == down.blob.format
    if kind == "schema":
        return _schema_from(down.schema, up)
    if kind == "structured_dataset_type":
        return (yield from _structured_dataset_steps(down.structured_dataset_type, up, cache))
    if kind == "union_type":
        # Only the variants that could accept a type are tried (all of them in a small union).
        if _kind(up) == "union_type":  # every upstream variant fits some downstream variant
            for u in up.union_type.variants:
                for d in candidates(down, u, cache):
                    if (yield _castable_steps, u, d):
                        break
                else:
                    return False
            return True
        fits = 0  # exactly one downstream variant accepts the upstream type: a second one settles it
        for d in candidates(down, up, cache):
            if (yield _castable_steps, up, d):
                fits += 1
                if fits == 2:
                    return False
        return fits == 1
    if kind == "simple" and down.simple == _NONE:
        return _is_none(up)
    return _trivial_from(down, up)


# --------------------------------------------------------------------------------------------------------------
# Big unions: their variants indexed by what each can accept

#: Unions with more variants than this are indexed; smaller ones are scanned.
INDEX_ABOVE = 8


class TypeCache:
    """What checks over one set of unchanging types keep between calls, by the ids of the types (held here too, so
    that an id is not reused): castability verdicts, the indexes of big unions, the values of big enums."""

    __slots__ = ("enums", "unions", "verdicts")

    def __init__(self) -> None:
        # (check, id of one type, id of the other) -> (verdict, the two types)
        self.verdicts: dict[tuple[str, int, int], tuple[bool, tuple[Any, Any]]] = {}
        self.unions: dict[int, tuple[types_pb2.LiteralType, _Variants]] = {}
        self.enums: dict[int, tuple[types_pb2.LiteralType, frozenset[str]]] = {}

    def index(self, union: types_pb2.LiteralType) -> _Variants:
        """The index of a union's variants."""
        known = self.unions.get(id(union))
        if known is None:
            known = self.unions[id(union)] = (union, _Variants(union.union_type.variants))
        return known[1]

    def enum_values(self, enum: types_pb2.LiteralType) -> frozenset[str]:
        """The values of an enum type, as a set."""
        known = self.enums.get(id(enum))
        if known is None:
            known = self.enums[id(enum)] = (enum, frozenset(enum.enum_type.values))
        return known[1]


# A key a variant is filed under (see _Variants).
_Key = tuple[Any, ...]

# The hash of the path to the root of a type; a list or a map below a path hashes as (that hash, 1 or 2).
_ROOT = 0
_STEP = {"collection_type": 1, "map_value_type": 2}


def candidates(
    union: types_pb2.LiteralType, upstream: types_pb2.LiteralType | None, cache: TypeCache, string: str | None = None
) -> Iterable[types_pb2.LiteralType]:
    """The variants of a union type that may accept ``upstream`` (all of them when it is None), in their order.

    Every variant that accepts it is there: a few more cost a full check each. In a big union they come from an
    index that ``cache`` keeps for the next call. ``string``: the upstream is a string value (at the end of its
    lists and maps), which an enum takes only if it is one of its values.
    """
    variants = union.union_type.variants
    if len(variants) <= INDEX_ABOVE or upstream is None:
        return variants
    return cache.index(union).candidates(upstream, string)


def index_depth(union: types_pb2.LiteralType, cache: TypeCache) -> int | None:
    """How deep lists and maps nest in a big union's variants (None for a small union, which is not indexed)."""
    if len(union.union_type.variants) <= INDEX_ABOVE:
        return None
    return cache.index(union).depth


class _Variants:
    """A union's variants, filed under keys of what each accepts: a variant that accepts a type is filed under one
    of the keys :func:`_wanted` gives for that type. A key names a kind, the path of lists and maps to it (by a
    hash) and, for simple types, enums and blobs, what tells them apart (the simple type, the values, the format,
    the tag). A variant that is a union, or holds one, is filed under ``"union"`` at its path (it takes unions) and
    under the keys of its own variants."""

    __slots__ = ("buckets", "depth", "variants")

    def __init__(self, variants: Sequence[types_pb2.LiteralType]) -> None:
        self.variants = variants
        self.buckets: dict[_Key, list[int]] = {}
        self.depth = 0  # the deepest list or map nesting of a variant
        for i, variant in enumerate(variants):
            for key in _filed(variant):
                self.buckets.setdefault(key, []).append(i)
                if key[0] == "pre":
                    self.depth = max(self.depth, key[2])

    def candidates(self, upstream: types_pb2.LiteralType, string: str | None) -> Iterator[types_pb2.LiteralType]:
        keys = _wanted(upstream, self.depth, string)
        if keys is None:
            yield from self.variants
            return
        lists = [self.buckets[key] for key in keys if key in self.buckets]
        last = -1
        for i in heapq.merge(*lists) if len(lists) > 1 else lists[0] if lists else ():
            if i != last:  # a variant filed under two of the keys
                last = i
                yield self.variants[i]


def _filed(t: types_pb2.LiteralType) -> list[_Key]:
    """The keys a variant is filed under. A variant that is a union (or holds one) takes unions, and what any of its
    own variants takes: it is filed under theirs too."""
    keys: list[_Key] = []
    pending = [(t, _ROOT, 0, False)]  # (type, path, depth, whether in a union)
    while pending:
        t, path, depth, in_union = pending.pop()
        kind = _kind(t)
        while kind in _STEP:
            path, depth = hash((path, _STEP[kind])), depth + 1
            keys.append(("pre", path, depth))  # an empty list or map of this path fits it
            t = getattr(t, kind)
            kind = _kind(t)
        if kind == "union_type":
            keys.append(("union", path))
            pending.extend((variant, path, depth, True) for variant in t.union_type.variants)
        elif kind == "simple":
            if t.simple == _NONE:
                keys.append(("none", path))
            else:
                keys += [("simple", path, t.simple), ("simple", path, t.simple, _tag(t))]
        elif kind == "enum_type":
            values = tuple(t.enum_type.values)
            keys += [("enum", path), ("enum", path, values), ("enum", path, values, _tag(t))]
            if in_union:  # a string value fits it by type alone: its value is checked against the union
                keys.append(("enum in union", path))
            keys += [("enum value", path, value) for value in dict.fromkeys(values)]
        elif kind == "blob":
            keys += [("blob", path), ("blob", path, t.blob.format)]
        elif kind == "schema":
            keys.append(("table", path))
        elif kind == "structured_dataset_type":
            keys += [("table", path), ("none", path)]  # structured datasets are nullable
        elif kind is None:
            keys.append(("unset", path))
        else:
            keys.append(("any",))
    return list(dict.fromkeys(keys))


def _wanted(t: types_pb2.LiteralType, depth_limit: int, string: str | None = None) -> list[_Key] | None:
    """The keys under which the variants that may accept ``t`` are filed (see :class:`_Variants`); None: all.
    ``string``: the value whose type ``t`` is, when it is a string (an enum takes it only if it has it).

    Lists and maps are followed no deeper than ``depth_limit``, below which no variant has a key but its unions'.
    A union of one variant may cast as that variant: its variant's keys are added (at every depth, which only
    adds candidates).
    """
    keys: list[_Key] = [("any",)]
    path, depth = _ROOT, 0
    while True:
        kind = _kind(t)
        if kind in _STEP:
            if depth == depth_limit:
                return keys
            path, depth = hash((path, _STEP[kind])), depth + 1
            t = getattr(t, kind)
            continue
        if kind == "union_type" and len(t.union_type.variants) == 1:
            t = t.union_type.variants[0]
            continue
        break
    tag = _tag(t)
    if kind == "union_type":
        keys.append(("union", path))  # only unions accept a union
    elif kind == "simple":
        if t.simple == _NONE:
            keys.append(("none", path))
            if depth:
                keys.append(("pre", path, depth))  # an empty list or map fits any list or map of its path
        else:
            keys.append(("simple", path, t.simple, tag) if tag else ("simple", path, t.simple))
            if t.simple == _STRING:  # a string may feed an enum (a string value, one that has it)
                keys += [("enum", path)] if string is None else [("enum value", path, string), ("enum in union", path)]
    elif kind == "enum_type":
        values = tuple(t.enum_type.values)
        keys.append(("enum", path, values, tag) if tag else ("enum", path, values))
        keys.append(("simple", path, _STRING))  # an enum may feed a string
    elif kind == "blob":
        fmt = t.blob.format
        keys += [("blob", path, fmt), ("blob", path, "")] if fmt else [("blob", path)]
    elif kind in ("schema", "structured_dataset_type"):
        keys.append(("table", path))
    elif kind is None:
        keys.append(("unset", path))
    else:
        return None
    return keys


def _trivial_from(down: types_pb2.LiteralType, up: types_pb2.LiteralType) -> bool:
    up_kind, down_kind = _kind(up), _kind(down)
    if up_kind == "enum_type" and down_kind == "simple" and down.simple == _STRING:
        return True
    if down_kind == "enum_type" and up_kind == "simple" and up.simple == _STRING:
        return True
    up_tag = _tag(up)
    if up_tag and _tag(down) != up_tag:
        return False
    if up_kind == "simple" and down_kind == "simple" and up.simple == _STRUCT and down.simple == _STRUCT:
        if not up.HasField("metadata") or not down.HasField("metadata"):
            return True
        try:
            schemas = message_to_value(up.metadata), message_to_value(down.metadata)
        except CodecError:  # not a JSON schema (a NaN, say): then only the same metadata casts
            return equal(up.metadata, down.metadata)
        return _schema_casts(*schemas)
    return equal(_without_metadata(up), _without_metadata(down))


def _schema_casts(up: Any, down: Any) -> bool:
    """JSON schemas (dataclass or Pydantic STRUCT metadata): identical, or the upstream's properties a superset of
    the downstream's with compatible types (a child dataclass may feed a parent), property by property.

    References (``{"$ref": "#/$defs/Inner"}``) are followed into each side's own definitions, so nested models are
    compared by what they hold, not by name. Iterative; each pair of schema parts is compared once, so recursive
    models end.
    """
    ignored = {"title", "description", "$schema", "additionalProperties", "required", "definitions", "$defs"}
    roots = (up, down)
    pending = [(up, down)]
    # Pairs compared, by identity (every part lives in its root, and merged references are kept in `merged`).
    seen: set[tuple[int, int]] = set()
    merged: dict[int, Any] = {}
    while pending:
        up, down = pending.pop()
        up, down = _dereferenced(up, roots[0], merged), _dereferenced(down, roots[1], merged)
        if (id(up), id(down)) in seen:
            continue
        seen.add((id(up), id(down)))
        if isinstance(up, list) and isinstance(down, list) and len(up) == len(down):
            pending.extend(zip(up, down, strict=True))
            continue
        if not isinstance(up, dict) or not isinstance(down, dict):
            if isinstance(up, (dict, list)) or isinstance(down, (dict, list)) or up != down:
                return False
            continue
        up_props, down_props = up.get("properties"), down.get("properties")
        if isinstance(up_props, dict) and isinstance(down_props, dict):
            for name, expected in down_props.items():
                if name not in up_props:
                    return False
                pending.append((up_props[name], expected))
            continue
        keys = {k for k in up if k not in ignored}
        if keys != {k for k in down if k not in ignored}:
            return False
        pending.extend((up[k], down[k]) for k in keys)
    return True


def _dereferenced(part: Any, root: Any, merged: dict[int, Any]) -> Any:
    """A schema part with its local ``$ref`` followed (chains too, within bounds); unresolvable references stay.

    A reference with sibling keys becomes one merged part, made once per part (``merged``, by the part's id), so
    that a recursive model compares each of its parts once.
    """
    for _ in range(64):
        if not isinstance(part, dict) or not isinstance(part.get("$ref"), str) or not part["$ref"].startswith("#"):
            return part
        known = merged.get(id(part))
        if known is not None:
            part = known
            continue
        target = root
        for token in part["$ref"][1:].split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            target = target.get(token) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            return part
        rest = {k: v for k, v in part.items() if k != "$ref"}
        if rest:
            merged[id(part)] = {**target, **rest}
            part = merged[id(part)]
        else:
            part = target
    return part


def _schema_from(down: types_pb2.SchemaType, up: types_pb2.LiteralType) -> bool:
    up_kind = _kind(up)
    if up_kind == "schema":
        if not up.schema.columns or not down.columns:
            return True
        columns = {c.name: c.type for c in up.schema.columns}
        return all(columns.get(c.name) == c.type and c.name in columns for c in down.columns)
    if up_kind == "structured_dataset_type":
        sd = up.structured_dataset_type
        if sd.format and sd.format.lower() != "parquet":
            return False
        if not sd.columns or not down.columns:
            return True
        simple = {c.name: (c.literal_type.simple if _kind(c.literal_type) == "simple" else None) for c in sd.columns}
        return all(c.name in simple and _COLUMN_TO_SIMPLE.get(c.type) == simple[c.name] for c in down.columns)
    return False


def _structured_dataset_steps(
    down: types_pb2.StructuredDatasetType, up: types_pb2.LiteralType, cache: TypeCache
) -> _Steps:
    if _is_none(up):
        return True  # structured datasets are nullable
    up_kind = _kind(up)
    if up_kind == "schema":
        if down.format and down.format.lower() != "parquet":
            return False
        if not up.schema.columns or not down.columns:
            return True
        columns = {c.name: c.type for c in up.schema.columns}
        return all(
            c.name in columns
            and _kind(c.literal_type) == "simple"
            and _COLUMN_TO_SIMPLE.get(columns[c.name]) == c.literal_type.simple
            for c in down.columns
        )
    if up_kind == "structured_dataset_type":
        sd = up.structured_dataset_type
        if sd.format and down.format and sd.format.lower() != down.format.lower():
            return False
        if not sd.columns or not down.columns:
            return True
        by_name = {c.name: c.literal_type for c in sd.columns}
        for c in down.columns:
            if c.name not in by_name or not (yield _casts_from_steps, c.literal_type, by_name[c.name]):
                return False
        return True
    return False


def is_optional(t: types_pb2.LiteralType) -> bool:
    """Whether an input of this type may stay unbound: a union with a NONE variant (``Optional[...]``).

    Stricter than Flyte's own check, which also treats a union with any non-simple variant as optional (it reads
    the NONE enum value from a variant that has no simple type); such inputs, left unbound, fail at run time.
    """
    return _kind(t) == "union_type" and any(_is_none(v) for v in t.union_type.variants)


# --------------------------------------------------------------------------------------------------------------
# Literal -> type


_PRIMITIVE_SIMPLE = {
    "integer": types_pb2.INTEGER,
    "float_value": types_pb2.FLOAT,
    "string_value": types_pb2.STRING,
    "boolean": types_pb2.BOOLEAN,
    "datetime": types_pb2.DATETIME,
    "duration": types_pb2.DURATION,
}


def literal_type_of_primitive(p: literals_pb2.Primitive) -> types_pb2.LiteralType:
    """The simple type of a primitive value (NONE when the primitive is empty)."""
    return types_pb2.LiteralType(simple=_PRIMITIVE_SIMPLE.get(p.WhichOneof("value") or "", _NONE))


def literal_type_of_scalar(s: literals_pb2.Scalar) -> types_pb2.LiteralType | None:
    """The type of a scalar value, or None when it cannot be told (a blob without metadata, an empty scalar)."""
    kind = s.WhichOneof("value")
    if kind == "primitive":
        return literal_type_of_primitive(s.primitive)
    if kind == "blob":
        if not s.blob.HasField("metadata"):
            return None
        return types_pb2.LiteralType(blob=s.blob.metadata.type)
    if kind == "binary":
        return types_pb2.LiteralType(simple=types_pb2.STRUCT if s.binary.tag == "msgpack" else types_pb2.BINARY)
    if kind == "schema":
        return types_pb2.LiteralType(schema=s.schema.type)
    if kind == "structured_dataset":
        sd = s.structured_dataset
        metadata = sd.metadata.structured_dataset_type if sd.HasField("metadata") else types_pb2.StructuredDatasetType()
        return types_pb2.LiteralType(structured_dataset_type=metadata)
    if kind == "none_type":
        return types_pb2.LiteralType(simple=_NONE)
    if kind == "error":
        return types_pb2.LiteralType(simple=types_pb2.ERROR)
    if kind == "generic":
        return types_pb2.LiteralType(simple=types_pb2.STRUCT)
    if kind == "union":
        return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=[s.union.type]))
    return None


def literal_type_of_literal(literal: literals_pb2.Literal) -> types_pb2.LiteralType | None:
    """The type of a literal value (collections and maps: of the distinct element types), or None if unknown.

    Collections and maps nest to any depth: their elements are typed first, with an explicit stack. Primitive elements
    (most of a big collection) share one type object per kind, never returned as such.
    """
    # id(literal) -> (its type, whether it is an empty collection), set before it is read: an id freed and reused
    # by a new literal is always overwritten first.
    types: dict[int, tuple[types_pb2.LiteralType | None, bool]] = {}
    # (literal, its elements): a collection or map, whose elements are typed before it is.
    stack: list[tuple[literals_pb2.Literal, list[literals_pb2.Literal] | None]] = []
    if _elements(literal) is None:
        return _leaf_type(literal)
    stack.append((literal, None))
    while stack:
        current, elements = stack.pop()
        if elements is None:
            elements = _elements(current)
            assert elements is not None
            stack.append((current, elements))
            for element in elements:
                kind = element.WhichOneof("value")
                if kind == "scalar" and element.scalar.WhichOneof("value") == "primitive":
                    types[id(element)] = (_SHARED[element.scalar.primitive.WhichOneof("value") or ""], False)
                elif kind == "collection" or kind == "map":
                    stack.append((element, None))
                else:
                    types[id(element)] = (_leaf_type(element), False)
            continue
        inner = _element_type(elements, types)
        if inner is None:
            types[id(current)] = (None, False)
        elif current.WhichOneof("value") == "collection":
            types[id(current)] = (_holding("collection_type", inner), not elements)
        else:
            types[id(current)] = (_holding("map_value_type", inner), False)
    return types[id(literal)][0]


# One type object per primitive kind, with its serialized form (internal: copied wherever it ends up).
_SHARED = {kind: types_pb2.LiteralType(simple=simple) for kind, simple in {**_PRIMITIVE_SIMPLE, "": _NONE}.items()}
_SHARED_KEYS = {id(t): t.SerializeToString(deterministic=True) for t in _SHARED.values()}

#: The type of each primitive value that is valid whatever it holds (not datetimes and durations), by oneof member.
PLAIN_TYPES = {kind: _SHARED[kind] for kind in ("integer", "float_value", "string_value", "boolean")}


def _elements(literal: literals_pb2.Literal) -> list[literals_pb2.Literal] | None:
    """The elements of a collection or map literal (maps by key), or None for any other literal."""
    kind = literal.WhichOneof("value")
    if kind == "collection":
        return list(literal.collection.literals)
    if kind == "map":
        return [literal.map.literals[k] for k in sorted(literal.map.literals)]
    return None


def _leaf_type(literal: literals_pb2.Literal) -> types_pb2.LiteralType | None:
    kind = literal.WhichOneof("value")
    if kind == "scalar":
        return literal_type_of_scalar(literal.scalar)
    if kind == "offloaded_metadata":
        return literal.offloaded_metadata.inferred_type
    return None


def _holding(name: str, inner: types_pb2.LiteralType) -> types_pb2.LiteralType:
    """A list or map type of ``inner`` (copied: constructors go through the parser, which refuses deep types)."""
    t = types_pb2.LiteralType()
    copy_into(getattr(t, name), inner)
    return t


def _element_type(
    literals: list[literals_pb2.Literal], types: dict[int, tuple[types_pb2.LiteralType | None, bool]]
) -> types_pb2.LiteralType | None:
    """The element type of a collection or map, as Flyte infers it (``literalTypeForLiterals``).

    NONE when empty; an empty list's type only when nothing else is there; the one distinct type; or else a union of
    the distinct types sorted (by description, where Flyte sorts by text), where list-of-union elements give up their
    variants to one
    list-of-union (their variants are not merged further: Flyte keeps repeats). ``types`` holds the elements' types,
    and whether each is an empty collection.
    """
    distinct: dict[bytes, types_pb2.LiteralType] = {}
    empty_list: types_pb2.LiteralType | None = None
    for literal in literals:
        t, is_empty = types[id(literal)]
        if t is None:
            return None
        if is_empty:
            empty_list = t
            continue
        key = _SHARED_KEYS.get(id(t))  # a shared primitive type (alive, so its id is its own)
        distinct.setdefault(key if key is not None else t.SerializeToString(deterministic=True), t)
    if not distinct:
        return empty_list if empty_list is not None else types_pb2.LiteralType(simple=_NONE)
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    variants: list[types_pb2.LiteralType] = []
    nested = False
    # Sorted by description, then by bytes (Flyte sorts by the types' text; both are made without recursion).
    for _, t in sorted(distinct.items(), key=lambda item: (describe(item[1]), item[0])):
        if _kind(t) == "collection_type" and _kind(t.collection_type) == "union_type":
            nested = True
            variants.extend(t.collection_type.union_type.variants)
        else:
            variants.append(t)
    union = types_pb2.LiteralType()
    for variant in variants:
        copy_into(union.union_type.variants.add(), variant)
    return _holding("collection_type", union) if nested else union


#: The longest text :func:`describe` and :func:`shown` write; longer is cut with "...". Diagnostics repeat type
#: descriptions, so a huge type (an enum of a million values) must not make every diagnostic huge.
SHOWN_MAX = 200


def describe(t: types_pb2.LiteralType | None) -> str:
    """A short readable form of a type for messages: ``INTEGER``, ``list[STRING]``, ``blob(parquet)``...

    At most :data:`SHOWN_MAX` characters (longer is cut with ``...``); nested types are walked iteratively.
    """
    if t is None:
        return "<unknown>"
    out: list[str] = []
    size = 0
    # Types, text, and a union's variants from an index on (taken one at a time: the text is cut short anyway).
    stack: list[types_pb2.LiteralType | str | tuple[Any, int]] = [t]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            text = item
        elif isinstance(item, tuple):
            variants, i = item
            text = " | " if i else ""
            if i + 1 < len(variants):
                stack.append((variants, i + 1))
            stack.append(variants[i])
        else:
            kind = _kind(item)
            if kind == "simple":
                text = _SIMPLE_NAMES.get(item.simple, str(item.simple))
            elif kind == "collection_type":
                text = "list["
                stack.extend(("]", item.collection_type))
            elif kind == "map_value_type":
                text = "dict[str, "
                stack.extend(("]", item.map_value_type))
            elif kind == "blob":
                text = f"blob({item.blob.format})" if item.blob.format else "blob"
            elif kind == "enum_type":
                text = f"enum({shown(item.enum_type.values, SHOWN_MAX - size)})"
            elif kind == "union_type":
                variants = item.union_type.variants
                text = "" if variants else "union()"
                if variants:
                    stack.append((variants, 0))
            elif kind == "structured_dataset_type":
                text = f"structured_dataset({item.structured_dataset_type.format})"
            elif kind == "schema":
                text = "schema"
            else:
                text = "<untyped>"
        out.append(text)
        size += len(text)
        if size > SHOWN_MAX:
            return "".join(out)[: SHOWN_MAX - 3] + "..."
    return "".join(out)


def shown(items: Iterable[str], limit: int = SHOWN_MAX) -> str:
    """``items`` joined with ", " for a message, cut with "..." beyond ``limit`` characters (and never built whole)."""
    out: list[str] = []
    size = 0
    for item in items:
        out.append(item)
        size += len(item) + 2
        if size > limit:
            return ", ".join(out)[: max(limit - 3, 0)] + "..."
    return ", ".join(out)
