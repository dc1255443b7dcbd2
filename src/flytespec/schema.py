"""JSON Schemas (draft 2020-12) for the JSON and YAML form of flytespec messages, for editors and CI linters.

The schema of a message type is derived from its descriptors, following the proto3 JSON mapping exactly as
:mod:`flytespec.io` reads it:

- field names in camelCase, and the original ``.proto`` names too (a field may be given under one of them only);
  any other key is refused (``additionalProperties: false``);
- 64-bit integers as strings or numbers (32-bit ones too), floats as numbers or the strings ``"NaN"``,
  ``"Infinity"``, ``"-Infinity"``; enums as value names or numbers; bytes as base64;
- well-known types in their JSON forms: Duration (``"3.5s"``) and Timestamp (RFC 3339) strings, Struct and Value
  any JSON, wrappers as their plain value, Any as an object naming its ``@type``;
- ``null`` for any field (it means the default), never inside a list or as a map value;
- oneofs: at most one member set (a ``null`` member counts as unset);
- maps as objects, with integer and boolean keys written as strings.

With ``constraints=True`` (the default) the field constraints the validator enforces, declared in the IDL
(``flytespec.options``), are part of the schema: required fields and oneofs, patterns, lengths, ranges, DNS-1123
labels, Kubernetes quantities, positive durations, unique items, map key patterns. A document the validator finds
no field-constraint problem in is accepted; graph and type checks (references, bindings, cycles) are beyond what a
schema can say, so run ``flytespec validate`` as well. The compiler's own ``start-node`` and ``end-node``, which
have no target, are accepted::

    import json
    from flytespec.schema import json_schema

    schema = json_schema("WorkflowClosure")
    text = json.dumps(schema, indent=2)
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from flytespec import registry
from flytespec._compat import descriptor_of, enum_of, is_map, is_repeated, message_of
from flytespec.io._codec import WRAPPERS
from flytespec.options import rules_pb2
from flytespec.registry import MessageType

__all__ = ["DRAFT", "json_schema"]

#: The JSON Schema dialect of the schemas.
DRAFT = "https://json-schema.org/draft/2020-12/schema"

_F = FieldDescriptor
_INT_TEXT = "^-?[0-9]+$"
_FLOAT_TEXT = r"^(?:NaN|-?Infinity|-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$"
_DURATION_TEXT = r"^-?[0-9]+(?:\.[0-9]{1,9})?s$"
_TIMESTAMP_TEXT = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_POSITIVE_DURATION = r"^(?:0*[1-9][0-9]*(?:\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)s$"
_NON_NEGATIVE_DURATION = r"^(?:[0-9]+(?:\.[0-9]+)?|-0+(?:\.0+)?)s$"
_DNS_LABEL = "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
_QUANTITY = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?"
_BASE64 = "^[A-Za-z0-9+/_-]*={0,2}$"

_RANGES = {
    _F.TYPE_INT32: (-(2**31), 2**31 - 1),
    _F.TYPE_SINT32: (-(2**31), 2**31 - 1),
    _F.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    _F.TYPE_UINT32: (0, 2**32 - 1),
    _F.TYPE_FIXED32: (0, 2**32 - 1),
    _F.TYPE_INT64: (-(2**63), 2**63 - 1),
    _F.TYPE_SINT64: (-(2**63), 2**63 - 1),
    _F.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    _F.TYPE_UINT64: (0, 2**64 - 1),
    _F.TYPE_FIXED64: (0, 2**64 - 1),
}


# Flyte's compiler inserts these nodes, without a target, into compiled workflows.
_TARGETLESS_NODES = ["start-node", "end-node"]


def _ref(full_name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{full_name}"}


def _scalar(fd: FieldDescriptor) -> dict[str, Any]:
    t = fd.type
    if t == _F.TYPE_STRING:
        return {"type": "string"}
    if t == _F.TYPE_BOOL:
        return {"type": "boolean"}
    if t in _RANGES:
        low, high = _RANGES[t]
        return {"type": ["integer", "string"], "minimum": low, "maximum": high, "pattern": _INT_TEXT}
    if t in (_F.TYPE_FLOAT, _F.TYPE_DOUBLE):
        return {"type": ["number", "string"], "pattern": _FLOAT_TEXT}
    if t == _F.TYPE_BYTES:
        return {"type": "string", "contentEncoding": "base64", "pattern": _BASE64}
    if t == _F.TYPE_ENUM:
        return _ref(enum_of(fd).full_name)
    raise AssertionError(f"unexpected field type {t}")  # pragma: no cover


def _enum_schema(desc: EnumDescriptor) -> dict[str, Any]:
    return {
        "title": desc.full_name,
        "anyOf": [
            {"enum": [v.name for v in desc.values]},
            {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1},
            {"type": "string", "pattern": _INT_TEXT},
        ],
    }


def _well_known(full_name: str, desc: Descriptor) -> dict[str, Any] | None:
    if full_name == "google.protobuf.Duration":
        return {"type": "string", "pattern": _DURATION_TEXT}
    if full_name == "google.protobuf.Timestamp":
        return {"type": "string", "pattern": _TIMESTAMP_TEXT}
    if full_name == "google.protobuf.Struct":
        return {"type": "object"}
    if full_name == "google.protobuf.Value":
        return {}
    if full_name == "google.protobuf.ListValue":
        return {"type": "array"}
    if full_name == "google.protobuf.FieldMask":
        return {"type": "string"}
    if full_name == "google.protobuf.Empty":
        return {"type": "object", "maxProperties": 0}
    if full_name == "google.protobuf.Any":
        return {
            "type": "object",
            "properties": {"@type": {"type": "string"}},
            "if": {"minProperties": 1},
            "then": {"required": ["@type"]},
        }
    if full_name in WRAPPERS:
        return _scalar(desc.fields_by_name["value"])
    return None


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if schema == {}:
        return schema
    kind = schema.get("type")
    if isinstance(kind, str) and "$ref" not in schema and "anyOf" not in schema and "enum" not in schema:
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list) and "$ref" not in schema and "anyOf" not in schema:
        return {**schema, "type": [*kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _keys(fd: FieldDescriptor) -> list[str]:
    return [fd.json_name] if fd.json_name == fd.name else [fd.json_name, fd.name]


def _field_rules(fd: FieldDescriptor) -> rules_pb2.FieldRules | None:
    options = fd.GetOptions()
    if not options.HasExtension(rules_pb2.field):
        return None
    rules: rules_pb2.FieldRules = options.Extensions[rules_pb2.field]
    return rules


def _oneof_rules(oneof: Any) -> rules_pb2.OneofRules | None:
    options = oneof.GetOptions()
    if not options.HasExtension(rules_pb2.oneof):
        return None
    rules: rules_pb2.OneofRules = options.Extensions[rules_pb2.oneof]
    return rules


def _string_constraints(rules: rules_pb2.FieldRules, allow_empty: bool) -> dict[str, Any]:
    """Constraints on one string value; an empty string passes when ``allow_empty`` (an unset singular field)."""
    out: dict[str, Any] = {}
    patterns = []
    if rules.pattern:
        patterns.append(rules.pattern)
    if rules.format == rules_pb2.FORMAT_DNS_LABEL:
        patterns.append(_DNS_LABEL)
        out["maxLength"] = 63
    elif rules.format == rules_pb2.FORMAT_QUANTITY:
        patterns.append(_QUANTITY)
    if rules.max_len:
        out["maxLength"] = min(rules.max_len, out.get("maxLength", rules.max_len))
    anchored = [f"^(?:{p})?$" if allow_empty else f"^(?:{p})$" for p in patterns]
    if len(anchored) == 1:
        out["pattern"] = anchored[0]
    elif anchored:
        out["allOf"] = [{"pattern": p} for p in anchored]
    return out


def _number_constraints(rules: rules_pb2.FieldRules, allow_zero: bool) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    if rules.HasField("min"):
        low: float | int = int(rules.min) if rules.min.is_integer() else rules.min
        bounds["exclusiveMinimum" if rules.min_exclusive else "minimum"] = low
    if rules.HasField("max"):
        bounds["maximum"] = int(rules.max) if rules.max.is_integer() else rules.max
    if not bounds:
        return {}
    return {"anyOf": [{"const": 0}, bounds]} if allow_zero else bounds


def _value_constraints(fd: FieldDescriptor, rules: rules_pb2.FieldRules, singular: bool) -> dict[str, Any]:
    """Constraints on one value of a field (the value itself, a list element or a map value)."""
    allow_default = singular and not rules.required
    if fd.type == _F.TYPE_STRING:
        return _string_constraints(rules, allow_default)
    if fd.type in _RANGES or fd.type in (_F.TYPE_FLOAT, _F.TYPE_DOUBLE):
        return _number_constraints(rules, allow_default)
    if fd.type == _F.TYPE_MESSAGE and message_of(fd).full_name == "google.protobuf.Duration":
        if rules.format == rules_pb2.FORMAT_POSITIVE_DURATION:
            return {"pattern": _POSITIVE_DURATION}
        if rules.format == rules_pb2.FORMAT_NON_NEGATIVE_DURATION:
            return {"pattern": _NON_NEGATIVE_DURATION}
    return {}


def _required_value(fd: FieldDescriptor) -> dict[str, Any]:
    """What a required field's value must be beyond present: not its default."""
    if is_map(fd):
        return {"minProperties": 1}
    if is_repeated(fd):
        return {"minItems": 1}
    t = fd.type
    if t in (_F.TYPE_STRING, _F.TYPE_BYTES):
        return {"minLength": 1}
    if t == _F.TYPE_BOOL:
        return {"const": True}
    if t in _RANGES or t in (_F.TYPE_FLOAT, _F.TYPE_DOUBLE):
        return {"not": {"enum": [0, "0", "-0"]}}
    if t == _F.TYPE_ENUM:
        zero = enum_of(fd).values_by_number.get(0)
        return {"not": {"enum": [0, "0", "-0", *([zero.name] if zero is not None else [])]}}
    return {}


def _with(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    if not extra:
        return base
    if "$ref" in base or any(k in base for k in extra):
        return {"allOf": [base, extra]}
    return {**base, **extra}


def _field_schema(fd: FieldDescriptor, constraints: bool) -> tuple[dict[str, Any], bool]:
    """The schema of one field's value, and whether the field is required."""
    rules = _field_rules(fd) if constraints else None
    if is_map(fd):
        entry = message_of(fd)
        key_fd, value_fd = entry.fields_by_name["key"], entry.fields_by_name["value"]
        value = _ref(message_of(value_fd).full_name) if value_fd.type == _F.TYPE_MESSAGE else _scalar(value_fd)
        names: dict[str, Any] = {}
        if key_fd.type == _F.TYPE_BOOL:
            names = {"enum": ["true", "false"]}
        elif key_fd.type != _F.TYPE_STRING:
            names = {"pattern": _INT_TEXT}
        if rules is not None and rules.key_pattern:
            names = _with(names, {"pattern": f"^(?:{rules.key_pattern})$"})
        schema: dict[str, Any] = {"type": "object", "additionalProperties": value}
        if names:
            schema["propertyNames"] = names
    else:
        value = _ref(message_of(fd).full_name) if fd.type == _F.TYPE_MESSAGE else _scalar(fd)
        if rules is not None:
            value = _with(value, _value_constraints(fd, rules, singular=not is_repeated(fd)))
        if is_repeated(fd):
            schema = {"type": "array", "items": value}
            if rules is not None and rules.unique:
                schema["uniqueItems"] = True
        else:
            schema = value
    required = rules is not None and rules.required
    if required:
        schema = _with(schema, _required_value(fd))
        return schema, True
    is_value = (
        fd.type == _F.TYPE_MESSAGE and message_of(fd).full_name == "google.protobuf.Value" and not is_repeated(fd)
    )
    return (schema if is_value else _nullable(schema)), False


def _present(key: str) -> dict[str, Any]:
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def _message_schema(desc: Descriptor, constraints: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    checks: list[dict[str, Any]] = []
    for fd in desc.fields:
        schema, is_required = _field_schema(fd, constraints)
        keys = _keys(fd)
        for key in keys:
            properties[key] = schema
        if len(keys) > 1:
            checks.append({"not": {"required": keys}})
        if is_required:
            if len(keys) == 1:
                required.append(keys[0])
            else:
                checks.append({"anyOf": [{"required": [k]} for k in keys]})
    dependent: dict[str, Any] = {}
    for oneof in desc.oneofs:
        members = list(oneof.fields)
        if len(members) > 1:
            for fd in members:
                others = {k: {"type": "null"} for other in members if other is not fd for k in _keys(other)}
                for key in _keys(fd):
                    dependent[key] = {
                        "if": {"properties": {key: {"not": {"type": "null"}}}},
                        "then": {"properties": others},
                    }
        rules = _oneof_rules(oneof) if constraints else None
        if rules is not None and rules.required:
            any_member: dict[str, Any] = {"anyOf": [_present(k) for fd in members for k in _keys(fd)]}
            if desc.full_name == "flytespec.core.Node" and oneof.name == "target":
                any_member = {
                    "if": {"properties": {"id": {"enum": _TARGETLESS_NODES}}, "required": ["id"]},
                    "else": any_member,
                }
            checks.append(any_member)
    out: dict[str, Any] = {
        "title": desc.full_name,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    if dependent:
        out["dependentSchemas"] = dependent
    if checks:
        out["allOf"] = checks
    return out


def json_schema(message_type: MessageType, *, constraints: bool = True) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the JSON/YAML form of ``message_type`` (see the module docs).

    Args:
        message_type: a message class, descriptor or name (``"WorkflowClosure"``, ``"admin.TaskSpec"``...).
        constraints: include the field constraints the validator enforces; False gives the shape only.

    Returns:
        The schema as JSON-shaped values: ``$ref`` to the root type and a ``$defs`` entry per message and enum type
        reachable from it, named by full name (``flytespec.core.Node``), in a stable order.

    Raises:
        UnknownMessageTypeError: ``message_type`` names no message.
    """
    root = descriptor_of(registry.message_type(message_type))
    defs: dict[str, Any] = {}
    stack: list[Descriptor | EnumDescriptor] = [root]
    while stack:
        desc = stack.pop()
        if desc.full_name in defs:
            continue
        if isinstance(desc, EnumDescriptor):
            defs[desc.full_name] = _enum_schema(desc)
            continue
        known = _well_known(desc.full_name, desc)
        if known is not None:
            defs[desc.full_name] = {"title": desc.full_name, **known}
            if desc.full_name in WRAPPERS and desc.fields_by_name["value"].type == _F.TYPE_ENUM:  # pragma: no cover
                stack.append(enum_of(desc.fields_by_name["value"]))
            continue
        defs[desc.full_name] = _message_schema(desc, constraints)
        for fd in reversed(desc.fields):
            target = fd
            if is_map(fd):
                target = message_of(fd).fields_by_name["value"]
            if target.type == _F.TYPE_MESSAGE:
                stack.append(message_of(target))
            elif target.type == _F.TYPE_ENUM:
                stack.append(enum_of(target))
    return {
        "$schema": DRAFT,
        "title": root.full_name,
        "description": f"The proto3 JSON (or YAML) form of {root.full_name}, as flytespec reads it"
        + (", with the field constraints flytespec validates." if constraints else " (shape only)."),
        "$ref": f"#/$defs/{root.full_name}",
        "$defs": dict(sorted(defs.items())),
    }
