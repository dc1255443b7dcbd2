"""YAML reading and writing with the same structure as proto3 JSON.

Plain scalars are read with YAML 1.2's core schema, not PyYAML's YAML 1.1 default: ``yes``, ``no``, ``on``, ``off``
stay strings, ``1:30`` is not a base-60 number, and ``2024-05-01`` is not turned into a date (proto3 JSON writes
Timestamps as strings). A key repeated in one mapping is an error, not a silent overwrite.

Writing quotes every string that either YAML 1.1 or YAML 1.2 would read as something else, so the output reads
back the same with flytespec and with other YAML tools.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml

__all__ = ["YamlError", "dump_yaml", "load_yaml"]

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: type[Any] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_CORE_RESOLVERS: list[tuple[str, re.Pattern[str], str]] = [
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    (
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
        "-+0123456789",
    ),
    (
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        "-+.0123456789",
    ),
]


class YamlError(Exception):
    """YAML that could not be read; ``line`` and ``column`` are 1-based when known."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


class _CoreLoader(_Loader):  # type: ignore[misc]
    """A safe loader with YAML 1.2 core scalars and duplicate-key detection."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, f"a mapping key must be a scalar, found {type(key).__name__}", key_node.start_mark
                ) from None
            if first is not key_node:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} appears more than once (first on line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def construct_yaml_int(self, node: Any) -> int:
        text = self.construct_scalar(node)
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)

    def construct_yaml_float(self, node: Any) -> float:
        text = self.construct_scalar(node).lower()
        if text in (".nan",):
            return float("nan")
        if text.endswith(".inf"):
            return float("-inf") if text.startswith("-") else float("inf")
        return float(text)


for _tag, _pattern, _first in _CORE_RESOLVERS:
    _CoreLoader.add_implicit_resolver(_tag, _pattern, list(_first))
_CoreLoader.add_constructor("tag:yaml.org,2002:int", _CoreLoader.construct_yaml_int)
_CoreLoader.add_constructor("tag:yaml.org,2002:float", _CoreLoader.construct_yaml_float)


class _SafeQuotingDumper(_Dumper):  # type: ignore[misc]
    """A safe dumper that also quotes strings YAML 1.2 core would read as non-strings."""


for _tag, _pattern, _first in _CORE_RESOLVERS:
    _SafeQuotingDumper.add_implicit_resolver(_tag, _pattern, list(_first))


def load_yaml(text: str | bytes) -> Any:
    """Read one YAML document.

    Raises:
        YamlError: malformed YAML, a repeated key, more than one document, or a tag flytespec does not read.
    """
    try:
        loader = _CoreLoader(text)
        try:
            if not loader.check_node():
                return None
            node = loader.get_node()
            if loader.check_node():
                extra = loader.get_node()
                raise YamlError(
                    "found more than one YAML document; a spec file holds one", extra.start_mark.line + 1, 1
                )
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        reason = " ".join(p for p in (err.context, err.problem) if p) or str(err)
        if mark is None:
            raise YamlError(reason) from None
        raise YamlError(reason, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as err:
        raise YamlError(str(err)) from None
    except RecursionError:
        raise YamlError("the YAML is nested too deeply to read") from None


def dump_yaml(value: Any) -> str:
    """Write ``value`` (JSON-shaped) as block-style YAML, keys in the order given."""
    text: str = yaml.dump(
        value, Dumper=_SafeQuotingDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120
    )
    return text
