"""The generic checker of the field constraints declared in the IDL (``flytespec.options``).

Constraints are read once per message type from the descriptors (custom options ``(flytespec.options.field)`` and
``(flytespec.options.oneof)``) and turned into a plan; the walk then visits only the parts of a message tree that
can hold constrained fields. The walk is iterative.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from flytespec._compat import is_map, is_repeated, message_class_of, message_of
from flytespec._walk import format_path, key_segment
from flytespec.options import rules_pb2
from flytespec.quantity import QuantityError, parse_quantity
from flytespec.validate._diagnostics import Code

__all__ = ["DNS_LABEL", "check_rules", "field_rules", "oneof_rules"]

_F = FieldDescriptor
# A Kubernetes DNS-1123 label, but for its length (at most 63 characters).
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_RULE = "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"
_DURATIONS = (rules_pb2.FORMAT_POSITIVE_DURATION, rules_pb2.FORMAT_NON_NEGATIVE_DURATION)
_NODE = "flytespec.core.Node"
_WORKFLOW = "flytespec.core.WorkflowTemplate"

Found = list[tuple[Code, tuple[str, ...], str]]


def field_rules(field: FieldDescriptor) -> rules_pb2.FieldRules | None:
    """The constraints declared on a field, or None."""
    options = field.GetOptions()
    if not options.HasExtension(rules_pb2.field):
        return None
    rules: rules_pb2.FieldRules = options.Extensions[rules_pb2.field]
    return rules


def oneof_rules(oneof: Any) -> rules_pb2.OneofRules | None:
    """The constraints declared on a oneof, or None."""
    options = oneof.GetOptions()
    if not options.HasExtension(rules_pb2.oneof):
        return None
    rules: rules_pb2.OneofRules = options.Extensions[rules_pb2.oneof]
    return rules


@dataclass(frozen=True, slots=True)
class _FieldCheck:
    name: str
    field: FieldDescriptor
    rules: rules_pb2.FieldRules
    required_code: Code
    invalid_code: Code
    pattern: re.Pattern[str] | None
    key_pattern: re.Pattern[str] | None
    repeated: bool
    mapped: bool
    # A cheap test that holds when the field is certainly fine (None: always run the full check).
    fine: Callable[[Message], bool] | None


@dataclass(frozen=True, slots=True)
class _Plan:
    checks: tuple[_FieldCheck, ...]
    oneofs: tuple[tuple[str, Code, str], ...]
    singular: tuple[str, ...]  # message fields to descend into
    repeated: tuple[str, ...]
    maps: tuple[str, ...]  # map fields whose values are messages


_plans: dict[type, _Plan] = {}
_may_hold: dict[str, bool] = {}


class _Verdicts(dict[str, bool]):
    """Whether strings pass a test, kept for the first 4,096 strings tested: the same names and quantities come
    back throughout a spec, and a dict lookup costs a fraction of a regular expression match."""

    __slots__ = ("test",)

    def __init__(self, test: Callable[[str], bool]) -> None:
        super().__init__()
        self.test = test

    def __missing__(self, text: str) -> bool:
        ok = self.test(text)
        if len(self) < 4096:
            self[text] = ok
        return ok


def _parses_as_quantity(text: str) -> bool:
    try:
        parse_quantity(text)
    except QuantityError:
        return False
    return True


_quantities = _Verdicts(_parses_as_quantity)
_is_quantity = _quantities.__getitem__
_matches: dict[str, _Verdicts] = {}  # by pattern


def _matcher(pattern: re.Pattern[str]) -> _Verdicts:
    """The verdicts of ``pattern`` (a full match), shared by the fields that declare the same pattern."""
    verdicts = _matches.get(pattern.pattern)
    if verdicts is None:
        fullmatch = pattern.fullmatch
        verdicts = _matches[pattern.pattern] = _Verdicts(lambda text: fullmatch(text) is not None)
    return verdicts


def _fine(
    f: FieldDescriptor, rules: rules_pb2.FieldRules, repeated: bool, mapped: bool
) -> Callable[[Message], bool] | None:
    """A fast test for the common cases: a singular field that is set and well-formed."""
    name = f.name
    if repeated or mapped:
        if rules.required and not (rules.pattern or rules.key_pattern or rules.unique or rules.max_len):
            return lambda m: len(getattr(m, name)) > 0
        return None
    if f.type == _F.TYPE_MESSAGE:
        return None  # singular messages: tested inline by the generated code
    if f.type == _F.TYPE_STRING:
        tests: list[Callable[[str], bool]] = []
        if rules.pattern:
            tests.append(_matcher(re.compile(rules.pattern)).__getitem__)
        if rules.max_len:
            limit = rules.max_len
            tests.append(lambda v: len(v) <= limit)
        if rules.format == rules_pb2.FORMAT_DNS_LABEL:
            tests.append(lambda v: len(v) <= 63 and DNS_LABEL.fullmatch(v) is not None)
        elif rules.format == rules_pb2.FORMAT_QUANTITY:
            tests.append(_is_quantity)
        required = rules.required

        def fine(m: Message) -> bool:
            value = getattr(m, name)
            if not value:
                return not required
            return all(test(value) for test in tests)

        return fine
    if rules.HasField("min") or rules.HasField("max") or rules.required:
        low = rules.min if rules.HasField("min") else None
        high = rules.max if rules.HasField("max") else None
        exclusive = rules.min_exclusive
        required = rules.required

        def fine_number(m: Message) -> bool:
            value = getattr(m, name)
            if not value:
                return not required and (low is None or (value > low if exclusive else value >= low))
            return (low is None or (value > low if exclusive else value >= low)) and (high is None or value <= high)

        return fine_number
    return None


def _held_types(desc: Descriptor) -> Iterator[Descriptor]:
    """The message types a message of type ``desc`` holds directly (fields, list elements, map values)."""
    for f in desc.fields:
        if f.type == _F.TYPE_MESSAGE:
            target = message_of(f)
            if is_map(f):
                value = target.fields_by_name["value"]
                if value.type != _F.TYPE_MESSAGE:
                    continue
                target = message_of(value)
            yield target


def _has_rules(desc: Descriptor) -> bool:
    """Whether any message reachable from ``desc`` has constraints (computed over the whole type graph once)."""
    cached = _may_hold.get(desc.full_name)
    if cached is not None:
        return cached
    # Iterative reachability: collect the reachable types, then mark those that hold rules and propagate.
    reachable: dict[str, Descriptor] = {}
    edges: dict[str, set[str]] = {}
    stack = [desc]
    while stack:
        d = stack.pop()
        if d.full_name in reachable:
            continue
        reachable[d.full_name] = d
        edges[d.full_name] = set()
        for target in _held_types(d):
            edges[d.full_name].add(target.full_name)
            stack.append(target)
    holds = {
        name
        for name, d in reachable.items()
        if any(field_rules(f) is not None for f in d.fields) or any(oneof_rules(o) is not None for o in d.oneofs)
    }
    changed = True
    while changed:
        changed = False
        for name, targets in edges.items():
            if name not in holds and targets & holds:
                holds.add(name)
                changed = True
    for name in reachable:
        _may_hold.setdefault(name, name in holds)
    return _may_hold[desc.full_name]


def _plan(cls: type, desc: Descriptor) -> _Plan:
    checks = []
    for f in desc.fields:
        rules = field_rules(f)
        if rules is None:
            continue
        code = Code(rules.code) if rules.code else None
        repeated, mapped = is_repeated(f) and not is_map(f), is_map(f)
        checks.append(
            _FieldCheck(
                name=f.name,
                field=f,
                rules=rules,
                required_code=code or Code.ValueRequired,
                invalid_code=code or Code.InvalidValue,
                pattern=re.compile(rules.pattern) if rules.pattern else None,
                key_pattern=re.compile(rules.key_pattern) if rules.key_pattern else None,
                repeated=repeated,
                mapped=mapped,
                fine=_fine(f, rules, repeated, mapped),
            )
        )
    oneofs = []
    for o in desc.oneofs:
        required = oneof_rules(o)
        if required is not None and required.required:
            text = f"one of the {o.name} fields of {desc.name} must be set"
            oneofs.append((o.name, Code(required.code) if required.code else Code.ValueRequired, text))
    singular: list[str] = []
    repeated_fields: list[str] = []
    maps: list[str] = []
    for f in desc.fields:
        if f.type != _F.TYPE_MESSAGE:
            continue
        if is_map(f):
            value = message_of(f).fields_by_name["value"]
            if value.type == _F.TYPE_MESSAGE and _has_rules(message_of(value)):
                maps.append(f.name)
        elif _has_rules(message_of(f)):
            (repeated_fields if is_repeated(f) else singular).append(f.name)
    plan = _Plan(tuple(checks), tuple(oneofs), tuple(singular), tuple(repeated_fields), tuple(maps))
    _plans[cls] = plan
    return plan


def _values(check: _FieldCheck, value: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(relative segments, scalar) for every value a check applies to."""
    if check.mapped:
        for k in sorted(value):
            yield (check.name, key_segment(k)), value[k]
    elif check.repeated:
        for i, item in enumerate(value):
            yield (check.name, f"[{i}]"), item
    else:
        yield (check.name,), value


def _check_field(msg: Message, check: _FieldCheck, out: Found) -> None:
    rules = check.rules
    name = check.name
    f = check.field
    if f.type == _F.TYPE_MESSAGE and not check.repeated and not check.mapped:
        present = msg.HasField(name)
        value: Any = getattr(msg, name) if present else None
    else:
        value = getattr(msg, name)
        if check.repeated or check.mapped:
            present = bool(len(value))
        elif f.type in (_F.TYPE_STRING, _F.TYPE_BYTES) or rules.required:
            present = bool(value)
        elif f.has_presence:
            present = msg.HasField(name)
        else:
            present = True  # a number without presence: 0 is its value, and ranges apply to it
    if not present:
        if rules.required:
            out.append((check.required_code, (name,), f"{name} is required"))
        return
    if check.mapped and check.key_pattern is not None:
        for k in sorted(value):
            if not check.key_pattern.fullmatch(str(k)):
                out.append(
                    (check.invalid_code, (name, key_segment(k)), f"the key {k!r} does not match {rules.key_pattern}")
                )
    if f.type == _F.TYPE_MESSAGE and not check.mapped:
        if rules.format in _DURATIONS:
            _check_duration(check, value, out)
        return
    for segments, item in _values(check, value):
        _check_scalar(check, segments, item, out)
    if rules.unique and check.repeated:
        seen: set[Any] = set()
        for i, item in enumerate(value):
            if item in seen:
                out.append((check.invalid_code, (name, f"[{i}]"), f"{item!r} appears more than once in {name}"))
            seen.add(item)


def _check_duration(check: _FieldCheck, value: Any, out: Found) -> None:
    seconds, nanos = value.seconds, value.nanos
    negative = seconds < 0 or (seconds == 0 and nanos < 0)
    zero = seconds == 0 and nanos == 0
    if check.rules.format == rules_pb2.FORMAT_POSITIVE_DURATION and (negative or zero):
        out.append(
            (check.invalid_code, (check.name,), f"{check.name} must be a positive duration, got {seconds}s {nanos}ns")
        )
    elif negative:
        out.append((check.invalid_code, (check.name,), f"{check.name} must not be negative, got {seconds}s {nanos}ns"))
    elif (problem := duration_problem(value)) is not None:
        out.append((check.invalid_code, (check.name,), f"{check.name}: {problem}"))


# The largest google.protobuf.Duration (10,000 years), and the range of a Timestamp (years 1 to 9999).
MAX_DURATION_SECONDS = 315_576_000_000
MIN_TIMESTAMP_SECONDS = -62_135_596_800
MAX_TIMESTAMP_SECONDS = 253_402_300_799


def duration_problem(value: Any) -> str | None:
    """Why a google.protobuf.Duration is not a valid one (and cannot be written as JSON), or None."""
    seconds, nanos = value.seconds, value.nanos
    if abs(seconds) > MAX_DURATION_SECONDS or abs(nanos) >= 1_000_000_000 or (seconds * nanos < 0):
        return (
            f"{seconds}s {nanos}ns is not a valid duration (at most {MAX_DURATION_SECONDS:,} seconds either way, and "
            "nanos below 1,000,000,000 with the sign of the seconds)"
        )
    return None


def time_problem(primitive: Any) -> tuple[str, str] | None:
    """For a Primitive holding an invalid datetime or duration: its field name and what is wrong; else None."""
    kind = primitive.WhichOneof("value")
    if kind == "datetime":
        problem = timestamp_problem(primitive.datetime)
    elif kind == "duration":
        problem = duration_problem(primitive.duration)
    else:
        return None
    return None if problem is None else (kind, problem)


def timestamp_problem(value: Any) -> str | None:
    """Why a google.protobuf.Timestamp is not a valid one (and cannot be written as JSON), or None."""
    seconds, nanos = value.seconds, value.nanos
    if not (MIN_TIMESTAMP_SECONDS <= seconds <= MAX_TIMESTAMP_SECONDS and 0 <= nanos < 1_000_000_000):
        return f"{seconds}s {nanos}ns is not a valid timestamp (years 1 to 9999, nanos from 0 to 999,999,999)"
    return None


def _check_scalar(check: _FieldCheck, segments: tuple[str, ...], item: Any, out: Found) -> None:
    rules = check.rules
    code = check.invalid_code
    if isinstance(item, str):
        if check.pattern is not None and not check.pattern.fullmatch(item):
            out.append((code, segments, f"{item!r} does not match {rules.pattern}"))
        if rules.max_len and len(item) > rules.max_len:
            out.append((code, segments, f"{item[:40]!r}... is longer than {rules.max_len} characters"))
        if rules.format == rules_pb2.FORMAT_DNS_LABEL and (len(item) > 63 or not DNS_LABEL.fullmatch(item)):
            out.append((code, segments, f"{item!r} is not a DNS-1123 label ({_DNS_RULE})"))
        elif rules.format == rules_pb2.FORMAT_QUANTITY:
            try:
                parse_quantity(item)
            except QuantityError:
                out.append((code, segments, f"{item!r} is not a Kubernetes quantity (such as 500m, 2, 1.5Gi)"))
    elif isinstance(item, float) and math.isnan(item) and (rules.HasField("min") or rules.HasField("max")):
        out.append((code, segments, f"NaN is not a number, so not in the range {_range_text(rules)}"))
    elif isinstance(item, (int, float)) and not isinstance(item, bool):
        if rules.HasField("min") and (item < rules.min or (rules.min_exclusive and item == rules.min)):
            out.append((code, segments, f"{item} is below the minimum {rules.min:g}"))
        if rules.HasField("max") and item > rules.max:
            out.append((code, segments, f"{item} is above the maximum {rules.max:g}"))


def _range_text(rules: rules_pb2.FieldRules) -> str:
    low = f"{'above' if rules.min_exclusive else 'from'} {rules.min:g}" if rules.HasField("min") else ""
    high = f"up to {rules.max:g}" if rules.HasField("max") else ""
    return " ".join(part for part in (low, high) if part)


# --------------------------------------------------------------------------------------------------------------
# Each message type's constraints compiled into one Python function (generated source, compiled once per type):
# the cheap, common tests inline; the full check (_check_field) only when a cheap test fails.

Report = Callable[[Any, tuple[Any, ...], Code, str], None]
Push = Callable[[tuple[Any, Any, tuple[Any, ...]]], None]
_compiled: dict[type, Callable[[Message, Any, Push, Report], None]] = {}
_recursive: dict[str, bool] = {}


def _attr(name: str, var: str) -> str:
    return f"getattr({var}, {name!r})" if keyword.iskeyword(name) or keyword.issoftkeyword(name) else f"{var}.{name}"


def _is_recursive(desc: Descriptor) -> bool:
    """Whether a message of this type can hold another one of the same type (at any depth)."""
    cached = _recursive.get(desc.full_name)
    if cached is None:
        seen: set[str] = set()
        stack = [desc]
        while stack:
            for target in _held_types(stack.pop()):
                if target.full_name not in seen:
                    seen.add(target.full_name)
                    stack.append(target)
        cached = _recursive[desc.full_name] = desc.full_name in seen
    return cached


def _indented(lines: list[str]) -> list[str]:
    return [f"    {line}" for line in lines]


def _field_source(check: _FieldCheck, var: str, slow: str, key: str, env: dict[str, Any]) -> list[str]:
    """Source checking a field other than a singular message: a cheap test, then the full check when it fails."""
    rules = check.rules
    simple_string = check.field.type == _F.TYPE_STRING and not (
        check.repeated or check.mapped or rules.max_len or rules.unique or rules.key_pattern
    )
    if simple_string:
        tests = ["not v"] if rules.required else []
        guard = "" if rules.required else "v and "
        if check.pattern is not None:
            env[f"P{key}"] = _matcher(check.pattern)
            tests.append(f"({guard}not P{key}[v])")
        if rules.format == rules_pb2.FORMAT_DNS_LABEL:
            tests.append(f"({guard}(len(v) > 63 or _DNS(v) is None))")
        elif rules.format == rules_pb2.FORMAT_QUANTITY:
            tests.append(f"({guard}not _ISQ[v])")
        if not tests:
            return []
        return [f"v = {_attr(check.name, var)}", f"if {' or '.join(tests)}:", f"    {slow}"]
    if check.fine is not None:
        env[f"F{key}"] = check.fine
        return [f"if not F{key}({var}):", f"    {slow}"]
    return [slow]


def _child_source(
    child: Descriptor,
    child_var: str,
    child_entry: str,
    env: dict[str, Any],
    counter: list[int],
    path: tuple[str, ...],
    element: bool = False,
) -> list[str]:
    """Source for a child message: checked inline; pushed (checked by its own type's function) when its type is
    already being inlined, and, for list and map elements, when its type is recursive."""
    if child.full_name in path or (element and _is_recursive(child)):
        return [f"push({child_entry})"]
    return _body(child, child_var, child_entry, env, counter, (*path, child.full_name))


def _body(
    desc: Descriptor, var: str, entry: str, env: dict[str, Any], counter: list[int], path: tuple[str, ...]
) -> list[str]:
    """Source (indented from column 0) checking message ``var`` of type ``desc`` and everything below it.

    Children are checked inline, their stack entries (``entry``) built only when something is reported or pushed;
    a child whose type is already being inlined (recursive types) and the elements of lists and maps of recursive
    types are pushed instead, each checked by the compiled function of its own type. A oneof is read once
    (``WhichOneof``), not once per member.
    """
    counter[0] += 1
    n = counter[0]
    prefix = f"_{n}_"
    plan = _plan(message_class_of(desc), desc)
    checks = {check.name: check for check in plan.checks}
    singular, repeated, maps = set(plan.singular), set(plan.repeated), set(plan.maps)
    lines: list[str] = []

    present: dict[str, str] = {}  # singular message field -> the expression telling whether it is set
    required_oneofs = {name: (code, text) for name, code, text in plan.oneofs}
    for o in desc.oneofs:
        members = [f.name for f in o.fields if f.name in singular or (f.name in checks and f.type == _F.TYPE_MESSAGE)]
        required = required_oneofs.get(o.name)
        if required is None and not members:
            continue
        which = f"w{n}_{o.name}"
        lines.append(f"{which} = {var}.WhichOneof({o.name!r})")
        if required is not None:
            env[f"O{prefix}{o.name}"] = required
            lines += [f"if {which} is None:", f"    report({entry}, (), *O{prefix}{o.name})"]
        present.update((name, f"{which} == {name!r}") for name in members)

    for i, f in enumerate(desc.fields):
        name = f.name
        check = checks.get(name)
        key = f"{prefix}{i}"
        slow = f"_slow({var}, C{key}, {entry}, report)"
        if check is not None:
            env[f"C{key}"] = check
        value = _attr(name, var)
        if f.type == _F.TYPE_MESSAGE and not is_repeated(f):
            child_var = f"c{n}_{name}"
            inner: list[str] = []
            if check is not None and check.rules.format in _DURATIONS:
                # Fine: seconds and nanos in range, neither negative (and not both zero, for a positive duration).
                zero = f" or ({child_var}.seconds == 0 and {child_var}.nanos == 0)"
                zero = zero if check.rules.format == rules_pb2.FORMAT_POSITIVE_DURATION else ""
                inner += [
                    f"if not (0 <= {child_var}.seconds <= {MAX_DURATION_SECONDS} and 0 <= {child_var}.nanos < "
                    f"1000000000){zero}:",
                    f"    {slow}",
                ]
            if name in singular:
                inner += _child_source(
                    message_of(f), child_var, f"({child_var}, {entry}, ({name!r},))", env, counter, path
                )
            has = present.get(name) or f"{var}.HasField({name!r})"
            if inner:
                lines += [f"if {has}:", f"    {child_var} = {value}", *_indented(inner)]
            if check is not None and check.rules.required:
                lines += ["else:", f"    {slow}"] if inner else [f"if not ({has}):", f"    {slow}"]
        elif is_map(f):
            entries = f"v{n}_{name}"  # the map, read once; its loops run only when it has entries
            walk: list[str] = []
            required_map = False
            if check is not None:
                if check.key_pattern is not None and not (check.rules.pattern or check.rules.format):
                    env[f"K{key}"] = check.key_pattern.fullmatch
                    text_key = "k" if message_of(f).fields_by_name["key"].type == _F.TYPE_STRING else "str(k)"
                    walk += [f"for k in {entries}:", f"    if K{key}({text_key}) is None:", f"        {slow}"]
                    walk.append("        break")
                    required_map = check.rules.required
                else:
                    lines.append(slow)
            if name in maps:
                child = message_of(message_of(f).fields_by_name["value"])
                item = f"e{n}_{name}"
                child_entry = f"({item}, {entry}, ({name!r}, (k,)))"
                walk += [f"for k in {entries}:", f"    {item} = {entries}[k]"]
                walk += _indented(_child_source(child, item, child_entry, env, counter, path, element=True))
            if walk:
                lines += [f"{entries} = {value}", f"if {entries}:", *_indented(walk)]
                if required_map:
                    lines += ["else:", f"    {slow}"]
        elif is_repeated(f) and f.type == _F.TYPE_MESSAGE:
            if check is not None:
                lines += _field_source(check, var, slow, key, env)
            if name in repeated:
                child = message_of(f)
                items, index, item = f"l{n}_{name}", f"i{n}_{name}", f"r{n}_{name}"
                child_entry = f"({item}, {entry}, ({name!r}, {index}))"
                # Tested for emptiness first: iterating an empty repeated field costs ten times as much.
                lines += [f"{items} = {value}", f"if {items}:", f"    for {index}, {item} in enumerate({items}):"]
                lines += _indented(_indented(_child_source(child, item, child_entry, env, counter, path, element=True)))
        elif check is not None:
            lines += _field_source(check, var, slow, key, env)
    return lines


def _compile(cls: type) -> Callable[[Message, Any, Push, Report], None]:
    desc: Descriptor = cls.DESCRIPTOR  # type: ignore[attr-defined]
    env: dict[str, Any] = {
        "_slow": _slow,
        "_DNS": DNS_LABEL.fullmatch,
        "_ISQ": _quantities,
    }
    lines = ["def check(m, entry, push, report):"]
    lines += _indented(_body(desc, "m", "entry", env, [0], (desc.full_name,)))
    lines.append("    return None")
    exec(compile("\n".join(lines), f"<flytespec rules for {desc.full_name}>", "exec"), env)
    function: Callable[[Message, Any, Push, Report], None] = env["check"]
    _compiled[cls] = function
    return function


def _slow(msg: Message, check: _FieldCheck, entry: Any, report: Report) -> None:
    found: Found = []
    _check_field(msg, check, found)
    for code, rel, text in found:
        report(entry, rel, code, text)


def check_rules(root: Message, emit: Callable[[Code, str, str | None, str | None, str], None]) -> None:
    """Check every declared constraint in ``root``'s tree.

    Args:
        root: the message to check.
        emit: called as ``emit(code, path, node_id, workflow, message)`` for each violation.
    """

    def report(entry: Any, rel: tuple[Any, ...], code: Code, text: str) -> None:
        _report(emit, entry, rel, code, text)

    # Entries: (message, parent entry, path segments relative to the parent; an int is a list index, a 1-tuple a
    # map key). Paths, node ids and workflow names are rebuilt from the parent links only when something is reported.
    stack: list[tuple[Any, Any, tuple[Any, ...]]] = [(root, None, ())]
    push = stack.append
    pop = stack.pop
    compiled = _compiled
    while stack:
        entry = pop()
        msg = entry[0]
        function = compiled.get(type(msg))
        if function is None:
            function = _compile(type(msg))
        function(msg, entry, push, report)


def _report(
    emit: Callable[[Code, str, str | None, str | None, str], None],
    entry: Any,
    rel: tuple[Any, ...],
    code: Code,
    text: str,
) -> None:
    parts: list[tuple[Any, ...]] = [rel]
    node_id: str | None = None
    workflow: str | None = None
    current = entry
    while current is not None:
        msg = current[0]
        name = msg.DESCRIPTOR.full_name
        if name == _NODE and node_id is None:
            node_id = msg.id or None
        elif name == _WORKFLOW and workflow is None:
            workflow = msg.id.name or None
        parts.append(current[2])
        current = current[1]
    # A segment is a field name, a list index (int) or a map key (in a 1-tuple).
    segments = tuple(
        f"[{seg}]" if isinstance(seg, int) else key_segment(seg[0]) if isinstance(seg, tuple) else seg
        for part in reversed(parts)
        for seg in part
    )
    emit(code, format_path(segments), node_id, workflow, text)
