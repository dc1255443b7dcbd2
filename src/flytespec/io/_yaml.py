"""YAML reading and writing with the same structure as proto3 JSON.

Plain scalars are read with YAML 1.2's core schema, not PyYAML's YAML 1.1 default: ``yes``, ``no``, ``on``, ``off``
stay strings, ``1:30`` is not a base-60 number, and ``2024-05-01`` is not turned into a date (proto3 JSON writes
Timestamps as strings). A key repeated in one mapping is an error, not a silent overwrite.

Writing quotes every string that either YAML 1.1 or YAML 1.2 would read as something else, so the output reads
back the same with flytespec and with other YAML tools.

Reading builds Python values straight from libyaml's event stream, with an explicit stack: no node graph (PyYAML's
composer holds one object per node, plus two position marks, about 50 times the text), and no recursion (libyaml's
own composer recurses on the C stack, so a document of 100,000 nested brackets crashed the process). Aliases share
the value of their anchor, and are bounded: a recursive alias is refused, and aliases may make a document stand for
at most :data:`ALIAS_EXPANSION` times the values written in it (a "billion laughs" document of a few hundred bytes
would otherwise stand for billions of values, each of which the message reader would visit). Nesting deeper than
:data:`MAX_NESTING` is refused as it is met.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

__all__ = ["ALIAS_EXPANSION", "ALIAS_EXPANSION_FLOOR", "MAX_NESTING", "YamlError", "dump_yaml", "load_yaml"]

#: Aliases may make a document stand for at most this many times the values written in it (plus the floor below):
#: enough for anchors reused across a spec, not for "billion laughs" documents.
ALIAS_EXPANSION = 10
ALIAS_EXPANSION_FLOOR = 10_000
#: The deepest nesting of mappings and lists read (as Python's json module reads about 1,000 levels). libyaml spends
#: time quadratic in the nesting of flow collections (100,000 nested brackets: half a minute): it stops there.
MAX_NESTING = 1000


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
    """YAML that could not be read; ``line`` and ``column`` are 1-based when known.

    ``limit`` names the limit the document exceeds (``"yaml_nesting"``, ``"yaml_aliases"``) with its ``value``, when
    that is the problem rather than malformed YAML.
    """

    def __init__(
        self,
        reason: str,
        line: int | None = None,
        column: int | None = None,
        *,
        limit: str | None = None,
        value: int = 0,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column
        self.limit = limit
        self.value = value


class _SafeQuotingDumper(_Dumper):  # type: ignore[misc]
    """A safe dumper that also quotes strings YAML 1.2 core would read as non-strings."""


for _tag, _pattern, _first in _CORE_RESOLVERS:
    _SafeQuotingDumper.add_implicit_resolver(_tag, _pattern, list(_first))


def load_yaml(text: str) -> Any:
    """Read one YAML document (None when the text holds none).

    Raises:
        YamlError: malformed YAML, a repeated key, a key that is not a scalar, more than one document, a tag
            flytespec does not read (YAML 1.2 core: str, int, float, bool, null, seq, map), a number it cannot read
            exactly, nesting deeper than :data:`MAX_NESTING`, a recursive alias, or aliases that expand the
            document too much.
    """
    try:
        parser = _Loader(text)
    except UnicodeEncodeError as err:  # libyaml reads UTF-8: a lone surrogate has no form there
        raise _at(text, err.start, f"the text holds a lone surrogate (U+{ord(text[err.start]):04X})") from None
    try:
        return _build(parser)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        reason = " ".join(p for p in (err.context, err.problem) if p) or str(err)
        if mark is None:
            raise YamlError(reason) from None
        raise YamlError(reason, mark.line + 1, mark.column + 1) from None
    except yaml.reader.ReaderError as err:
        character = err.character if isinstance(err.character, int) else ord(err.character)
        raise _at(text, err.position, f"unacceptable character #x{character:04x}: {err.reason}") from None
    except yaml.YAMLError as err:
        raise YamlError(str(err).splitlines()[0]) from None
    finally:
        parser.dispose()


def _at(text: str, position: int, reason: str) -> YamlError:
    """An error at a character ``position`` of ``text``, with its line and column."""
    line_start = text.rfind("\n", 0, position) + 1
    return YamlError(reason, text.count("\n", 0, position) + 1, position - line_start + 1)


def _error(reason: str, mark: Any, **limit: Any) -> YamlError:
    return YamlError(reason, mark.line + 1, mark.column + 1, **limit)


class _Open:
    """A collection being read: its value, its anchor, how many values it stands for, and (a mapping) the key read
    but not yet given its value."""

    __slots__ = ("anchor", "count", "key", "key_mark", "keys", "mark", "value")

    def __init__(self, value: Any, anchor: str | None, mark: Any) -> None:
        self.value = value
        self.anchor = anchor
        self.mark = mark
        self.count = 1
        self.key: Any = _NO_KEY
        self.key_mark: Any = None
        self.keys: dict[Any, Any] | None = {} if isinstance(value, dict) else None  # key -> its mark


_NO_KEY: Any = object()


def _build(parser: Any) -> Any:
    get = parser.get_event
    peek = parser.peek_event
    get()  # StreamStartEvent
    if isinstance(peek(), yaml.StreamEndEvent):
        return None
    get()  # DocumentStartEvent
    stack: list[_Open] = []
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, how many values it stands for)
    open_anchors: set[str] = set()
    written = 0
    first_alias: Any = None
    while True:
        event = get()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            written += 1
            value, count = _scalar(event), 1
            as_key = bool(stack) and stack[-1].keys is not None and stack[-1].key is _NO_KEY
            if value == "<<" and event.implicit[0] and as_key:
                # YAML 1.1's merge key: YAML 1.2 has none, and reading it as a key named "<<" is not what was meant.
                raise _error(
                    "YAML merge keys (<<) are not read (YAML 1.2 has none): write the keys out, or quote '<<' for a "
                    "key of that name",
                    event.start_mark,
                )
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            mark = event.start_mark
        elif kind is yaml.AliasEvent:
            written += 1
            name = event.anchor
            if name in open_anchors:
                raise _error(
                    f"the alias *{name} refers to a collection that contains it (a recursive alias)", event.start_mark
                )
            if name not in anchors:
                raise _error(f"found undefined alias {name!r}", event.start_mark)
            value, count = anchors[name]
            first_alias = first_alias or event.start_mark
            mark = event.start_mark
        elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
            written += 1
            mapping = kind is yaml.MappingStartEvent
            tag = event.tag
            if tag not in (None, "!", _MAP if mapping else _SEQ):
                raise _error(_unread_tag(tag), event.start_mark)
            if len(stack) >= MAX_NESTING:
                raise _error(
                    f"mappings and lists nest deeper than {MAX_NESTING} levels",
                    event.start_mark,
                    limit="yaml_nesting",
                    value=MAX_NESTING,
                )
            opened = _Open({} if mapping else [], event.anchor, event.start_mark)
            if event.anchor is not None:
                open_anchors.add(event.anchor)
                anchors[event.anchor] = (opened.value, 1)
            stack.append(opened)
            continue
        elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            closed = stack.pop()
            value, count, mark = closed.value, closed.count, closed.mark
            if closed.anchor is not None:
                anchors[closed.anchor] = (value, count)
                open_anchors.discard(closed.anchor)
        else:  # pragma: no cover - libyaml emits nothing else inside a document
            raise YamlError(f"unexpected YAML event {kind.__name__}")
        if not stack:
            break
        parent = stack[-1]
        parent.count += count
        if parent.keys is None:
            parent.value.append(value)
        elif parent.key is _NO_KEY:
            try:
                # Keyed by type too: 1, 1.0 and true are one key to Python but three to YAML (and not duplicates:
                # a key that is not a string is refused when the spec is read, with its path).
                first = parent.keys.setdefault((type(value), value), mark)
            except TypeError:
                raise _error(f"a mapping key must be a scalar, found {type(value).__name__}", mark) from None
            if first is not mark:
                raise _error(
                    f"while reading a mapping the key {value!r} appears more than once (first on line "
                    f"{first.line + 1})",
                    mark,
                )
            parent.key = value
        else:
            parent.value[parent.key] = value
            parent.key = _NO_KEY
    get()  # DocumentEndEvent
    if isinstance(peek(), yaml.DocumentStartEvent):
        get()
        extra = peek()
        raise YamlError("found more than one YAML document; a spec file holds one", extra.start_mark.line + 1, 1)
    if count > ALIAS_EXPANSION * written + ALIAS_EXPANSION_FLOOR:
        raise _error(
            f"aliases expand the document to {count:,} values from the {written:,} written (at most "
            f"{ALIAS_EXPANSION} times as many, plus {ALIAS_EXPANSION_FLOOR:,})",
            first_alias,
            limit="yaml_aliases",
            value=ALIAS_EXPANSION,
        )
    return value


_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _SEQ, _MAP = (
    _CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map")
)
_FIRST = {tag: set(first) for tag, _, first in _CORE_RESOLVERS}
_BOOL_WORDS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}  # explicit !!bool


def _scalar(event: Any) -> Any:
    """A scalar's value: plain scalars by YAML 1.2's core schema, quoted ones as strings, explicit core tags."""
    text: str = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0] or not text:
            return text  # quoted (or tagged "!"), or empty: a string
        first = text[0]
        for resolved, pattern, _ in _CORE_RESOLVERS:
            if first in _FIRST[resolved] and pattern.match(text):
                tag = resolved
                break
        else:
            return text
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        word = _BOOL_WORDS.get(text.lower())
        if word is None:
            raise _error(f"{text[:40]!r} is not a boolean", event.start_mark)
        return word
    if tag == _INT:
        return _int(text, event.start_mark)
    if tag == _FLOAT:
        return _float(text, event.start_mark)
    raise _error(_unread_tag(tag), event.start_mark)


def _unread_tag(tag: str) -> str:
    return f"flytespec does not read the tag {tag!r} (YAML 1.2 core tags only: str, int, float, bool, null, seq, map)"


def _int(text: str, mark: Any) -> int:
    try:
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        if len(text) > _MAX_INT_TEXT:
            # Python refuses int() of longer decimal text; no integer field holds such a number anyway.
            raise _error(
                f"the integer {text[:20]}... has {len(text)} digits, more than flytespec reads; quote it to read it "
                "as a string",
                mark,
            )
        return int(text)
    except ValueError:
        raise _error(f"{text[:40]!r} is not an integer", mark) from None


def _float(text: str, mark: Any) -> float:
    lower = text.lower()
    if lower == ".nan":
        return math.nan
    if lower.endswith(".inf"):
        return -math.inf if lower.startswith("-") else math.inf
    try:
        number = float(lower)
    except ValueError:
        raise _error(f"{text[:40]!r} is not a number", mark) from None
    if number in (math.inf, -math.inf):  # "1e999": a finite number written, infinity read
        raise _error(f"the number {text[:40]} is out of range for a double (write .inf for infinity)", mark)
    return number


_MAX_INT_TEXT = 4300  # sys.int_info.default_max_str_digits


def dump_yaml(value: Any) -> str:
    """Write ``value`` (JSON-shaped) as block-style YAML, keys in the order given."""
    text: str = yaml.dump(
        value, Dumper=_SafeQuotingDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120
    )
    return text
