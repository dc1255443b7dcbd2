"""Pieces every builder shares: interface variables, durations, identifiers, structs and retry strategies."""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime
import functools
import inspect
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from google.protobuf import duration_pb2, struct_pb2
from google.protobuf.message import Message

from flytespec.build._types import (
    TypeConversionError,
    json_data,
    literal_at,
    literal_type,
    takes_none,
)
from flytespec.core import identifier_pb2, interface_pb2, literals_pb2, types_pb2
from flytespec.errors import BuildError
from flytespec.validate._rules import MAX_DURATION_SECONDS
from flytespec.validate._types import castable, describe

__all__ = ["MISSING", "Input", "Output"]


class _Missing:
    """The marker for "no default value" (None is a value: the default of an ``Optional`` input)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

INT32_MAX = 2**31 - 1
UINT32_MAX = 2**32 - 1

P = ParamSpec("P")
R = TypeVar("R")


# --------------------------------------------------------------------------------------------------------------
# Arguments checked against their type hints


def checked_arguments(fn: Callable[P, R]) -> Callable[P, R]:
    """Check every argument a builder is given against the function's type hints, before it runs.

    Without this, a wrong type reaches protobuf, which fails with a bare ``TypeError`` (``image=1``: "bad argument
    type for built-in operation") naming neither the builder nor the argument. A value left at its default is not
    checked. Hints it cannot test (``Any``, type variables) accept anything; the builder checks the rest itself.
    The error names the builder (with its ``name=``, when it has one) and the argument: ``task 'etl.load': image``,
    ``port: container_port``.

    Raises:
        BuildError: an argument of a type the hint does not allow, with the type expected.
    """
    return _checking(fn, None)


def checked_arguments_at(prefix: Callable[[Mapping[str, Any]], str]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """:func:`checked_arguments`, with the error's location made by ``prefix(arguments)`` followed by the argument's
    name (``node n0: with_overrides.`` for a method of a node)."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        return _checking(fn, prefix)

    return decorate


def _checking(fn: Callable[P, R], prefix: Callable[[Mapping[str, Any]], str] | None) -> Callable[P, R]:
    parameters = [
        p for p in inspect.signature(fn).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    hints: dict[str, Any] = {}

    def where(args: tuple[Any, ...], kwargs: Mapping[str, Any], name: str) -> str:
        given = {
            **{p.name: p.default for p in parameters},
            **dict(zip((p.name for p in parameters), args, strict=False)),
            **kwargs,
        }
        if prefix is not None:
            return prefix(given) + name
        # A builder whose first argument is a name (task, workflow) is named by it: ``task 'etl.load': image``.
        first = next((p.name for p in parameters if p.name != "self"), None)
        if first == "name" and isinstance(given["name"], str):
            return f"{fn.__name__} {given['name']!r}: {name}"
        return f"{fn.__name__}: {name}"

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not hints:  # resolved at the first call: a hint may name a class defined after the function
            resolved = typing.get_type_hints(fn)
            hints.update((p.name, resolved.get(p.name, Any)) for p in parameters)
        for i, param in enumerate(parameters):
            if i < len(args):
                value = args[i]
            elif param.name in kwargs:
                value = kwargs[param.name]
            else:
                continue
            misfit = None if value is param.default else _misfit(value, hints[param.name])
            if misfit is not None:
                raise _misfit_error(where(args, kwargs, param.name), misfit)
        return fn(*args, **kwargs)

    return wrapper


def check_fields(obj: Any) -> None:
    """Check a dataclass's fields against their type hints, as :func:`checked_arguments` checks arguments.

    Raises:
        BuildError: a field of a type its hint does not allow, named ``Class.field``.
    """
    cls = type(obj)
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        misfit = None if value is field.default else _misfit(value, hints.get(field.name, Any))
        if misfit is not None:
            raise _misfit_error(f"{cls.__name__}.{field.name}", misfit)


def _misfit_error(where: str, misfit: _Misfit) -> BuildError:
    suffix, part, expected = misfit
    return BuildError(f"{where}{suffix}", f"expected {expected}, got {_value_text(part)}")


def _value_text(value: Any) -> str:
    if isinstance(value, Message):
        return f"a {type(value).__name__} message"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


_SETS = (collections.abc.Set, set, frozenset)
_SEQUENCES = (collections.abc.Sequence, collections.abc.Collection, collections.abc.Iterable, list, tuple, *_SETS)
_MAPPINGS = (collections.abc.Mapping, dict)

#: (path suffix, the value that does not fit, what was expected there)
_Misfit = tuple[str, Any, str]


def _misfit(value: Any, hint: Any) -> _Misfit | None:
    """None if ``value`` is of the hinted type (hints the checker cannot test accept everything); else where inside
    ``value`` (``["A"]``, ``[2]``) the first part that is not is, that part, and what was expected there."""
    if hint is Any or hint is object or isinstance(hint, TypeVar):
        return None
    origin = typing.get_origin(hint)
    hint_args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        misfits = [_misfit(value, arg) for arg in hint_args]
        if any(m is None for m in misfits):
            return None
        # A container of the right kind with one wrong element says more than "not one of these types".
        inner = [m for m in misfits if m is not None and m[0]]
        return inner[0] if len(inner) == 1 else ("", value, _hint_text(hint))
    if origin is typing.Literal:
        return None if value in hint_args else ("", value, _hint_text(hint))
    if origin in _MAPPINGS:
        if not isinstance(value, collections.abc.Mapping):
            return "", value, _hint_text(hint)
        key_hint, item_hint = hint_args or (Any, Any)
        for k, v in value.items():
            if _misfit(k, key_hint) is not None:
                return "", k, f"keys of type {_hint_text(key_hint)}"
            inner_misfit = _misfit(v, item_hint)
            if inner_misfit is not None:
                return f"[{k!r}]{inner_misfit[0]}", inner_misfit[1], inner_misfit[2]
        return None
    if origin in _SEQUENCES:
        if isinstance(value, (str, bytes)) or not isinstance(value, origin):
            return "", value, _hint_text(hint)
        if not isinstance(value, (list, tuple, set, frozenset)):
            return None  # elements of other iterables (a generator) are not read here: that would use them up
        if origin is tuple and hint_args and hint_args[-1] is not Ellipsis:
            if len(value) != len(hint_args):
                return "", value, _hint_text(hint)
            items = list(zip(value, hint_args, strict=True))
        else:
            # A set's elements in a fixed order, so that the one reported is the same every run.
            ordered = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
            items = [(v, hint_args[0] if hint_args else Any) for v in ordered]
        for i, (v, item_hint) in enumerate(items):
            inner_misfit = _misfit(v, item_hint)
            if inner_misfit is not None:
                return f"[{i}]{inner_misfit[0]}", inner_misfit[1], inner_misfit[2]
        return None
    if origin is collections.abc.Callable:
        return None if callable(value) else ("", value, "a function")
    if not isinstance(hint, type):
        return None
    if hint in (int, float) and isinstance(value, bool):
        return "", value, hint.__name__  # True is an int to Python, not to a builder
    if isinstance(value, hint) or (hint is float and isinstance(value, int)):
        return None
    return "", value, _hint_text(hint)


def _hint_text(hint: Any) -> str:
    """A type hint as a reader would write it: ``str or None``, ``a list of str``, ``a dict of str to str``."""
    origin = typing.get_origin(hint)
    hint_args = typing.get_args(hint)
    if hint is None or hint is type(None):
        return "None"
    if origin is typing.Union or origin is types.UnionType:
        return " or ".join(_hint_text(arg) for arg in hint_args)
    if origin is typing.Literal:
        return " or ".join(repr(arg) for arg in hint_args)
    if origin in _MAPPINGS and hint_args:
        return f"a dict of {_hint_text(hint_args[0])} to {_hint_text(hint_args[1])}"
    if origin in _SEQUENCES and hint_args:
        if origin is tuple and hint_args[-1] is not Ellipsis:
            return f"a tuple ({', '.join(_hint_text(arg) for arg in hint_args)})"
        return f"a {'set' if origin in _SETS else 'list'} of {_hint_text(hint_args[0])}"
    if origin is collections.abc.Callable:
        return "a function"
    if isinstance(hint, type):
        return hint.__name__
    return str(hint)


def whole_number(where: str, value: object, high: int, low: int = 0) -> int:
    """An integer argument within ``[low, high]`` (the range of the protobuf field it goes into).

    Raises:
        BuildError: ``value`` is not an integer (a bool is not), or is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BuildError(where, f"is a whole number from {low} to {high}, got {value!r}")
    return value


class Input:
    """An input variable: its type, and optionally a default value and a description.

    ``inputs={"n": int}`` and ``inputs={"n": Input(int)}`` mean the same; ``Input`` adds a ``default`` (a workflow
    records it in its default launch plan; a task binds it when a node leaves the input out) and a ``description``
    (flytekit writes the variable's name when there is none, and so does flytespec).
    """

    __slots__ = ("default", "description", "type")

    def __init__(self, type: Any, *, default: Any = MISSING, description: str | None = None) -> None:
        self.type = type
        self.default = default
        self.description = description

    def __repr__(self) -> str:
        default = "" if self.default is MISSING else f", default={self.default!r}"
        return f"Input({self.type!r}{default})"


class Output:
    """An output variable: its type and optionally a description (the variable's name when there is none)."""

    __slots__ = ("description", "type")

    def __init__(self, type: Any, *, description: str | None = None) -> None:
        self.type = type
        self.description = description

    def __repr__(self) -> str:
        return f"Output({self.type!r})"


_PROMISED_NAME = re.compile(r"[A-Za-z0-9_]+")


def check_promised_name(where: str, name: str) -> None:
    """Refuse a variable name a promise could not refer to (Flyte's compiler: SyntaxError).

    Raises:
        BuildError: ``name`` has characters other than letters, digits and ``_``.
    """
    if not _PROMISED_NAME.fullmatch(name):
        raise BuildError(where, f"{name!r}: names that promises refer to are letters, digits and _")


def variable_map(
    where: str, spec: Mapping[str, Any] | None, role: str, *, promised: bool | None = None
) -> tuple[interface_pb2.VariableMap, dict[str, Any], list[str]]:
    """The ``VariableMap`` for ``{name: type | Input | Output}``, the defaults found (name → Python value) and the
    names in the order given (a protobuf map does not keep it).

    ``promised`` (default: for outputs) says that promises will name these variables, so the names must be what a
    promise's ``var`` may be: letters, digits and ``_`` (Flyte's compiler refuses others as a SyntaxError).

    Raises:
        BuildError: a name that is not a string, is empty or (``promised``) has other characters, or a type
            flytespec cannot express.
    """
    if promised is None:
        promised = role == "outputs"
    out = interface_pb2.VariableMap()
    defaults: dict[str, Any] = {}
    if spec is None:
        return out, defaults, []
    if not isinstance(spec, Mapping):
        raise BuildError(where, f"{role} are a dict of name to type, got {type(spec).__name__}")
    for name, given in spec.items():
        if not isinstance(name, str) or not name:
            raise BuildError(where, f"{role} names are non-empty strings, got {name!r}")
        if promised:
            check_promised_name(f"{where}: {role}.{name}", name)
        description = None
        t = given
        if isinstance(given, Input):
            if role != "inputs":
                raise BuildError(f"{where}: {role}.{name}", "Input(...) describes an input; use Output(...) here")
            t, description = given.type, given.description
            if given.default is not MISSING:
                defaults[name] = given.default
        elif isinstance(given, Output):
            if role != "outputs":
                raise BuildError(f"{where}: {role}.{name}", "Output(...) describes an output; use Input(...) here")
            t, description = given.type, given.description
        variable = out.variables[name]
        variable.type.CopyFrom(literal_type(t, f"{where}: {role}.{name}"))
        variable.description = name if description is None else description
        if name in defaults:
            default_literal(f"{where}: {role}.{name}.default", defaults[name], variable.type)  # refused now, not at use
    return out, defaults, list(spec)


def ordered_types(vm: interface_pb2.VariableMap, names: list[str]) -> dict[str, types_pb2.LiteralType]:
    """The types of a ``VariableMap``'s variables by name, in the order of ``names`` (the declaration order)."""
    variables = vm.variables
    return {name: variables[name].type for name in names}


def flag(where: str, value: object) -> bool:
    """A bool argument, refused when it is anything else (``"false"`` would be true).

    Raises:
        BuildError: ``value`` is not True or False.
    """
    if not isinstance(value, bool):
        raise BuildError(where, f"is True or False, got {value!r}")
    return value


def docs_text(where: str, docs: object) -> str | None:
    """A ``docs=`` argument: text or None.

    Raises:
        BuildError: ``docs`` is something else.
    """
    if docs is not None and not isinstance(docs, str):
        raise BuildError(where, f"is text, got {type(docs).__name__}")
    return docs


def fill_description(description: Any, docs: str | None) -> None:
    """Write ``docs`` into a registration message's ``description`` (a DescriptionEntity): its first line is the
    short description (at most 255 characters, as admin takes), the whole text the long one. Blank docs write
    nothing."""
    if docs and docs.strip():
        description.short_description = docs.strip().splitlines()[0][:255]
        description.long_description.value = docs


def function_interface(fn: Callable[..., Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The inputs (``Input`` where a parameter has a default) and the outputs of a function, from its type hints.

    Raises:
        BuildError: not a Python function, type hints that cannot be resolved, ``*args``/``**kwargs``, a
            positional-only parameter, or a parameter without a type hint.
    """
    where = f"function {getattr(fn, '__qualname__', fn)!r}"
    if not inspect.isfunction(fn) and not inspect.ismethod(fn):
        raise BuildError(where, f"expected a Python function, got {type(fn).__name__}")
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as err:  # a hint naming what the function's module does not define at run time
        raise BuildError(where, f"its type hints cannot be resolved: {type(err).__name__}: {err}") from None
    inputs: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise BuildError(where, f"*{param.name} cannot be an input; name every input")
        if param.kind is param.POSITIONAL_ONLY:
            raise BuildError(where, f"parameter {param.name!r} is positional-only: inputs are passed by name")
        if param.name not in hints:
            raise BuildError(where, f"parameter {param.name!r} has no type hint")
        t = hints[param.name]
        # ``x: int = None`` is a required input without a default, as in flytekit (the None says "not given").
        no_default = param.default is param.empty or (param.default is None and not takes_none(t))
        inputs[param.name] = t if no_default else Input(t, default=param.default)
    return inputs, _returned_outputs(hints.get("return"))


def _returned_outputs(returns: Any) -> dict[str, Any]:
    """The outputs a return annotation declares: a ``NamedTuple``'s fields by name, a ``tuple[...]``'s items as
    ``o0``, ``o1``..., one type as ``o0``, ``None`` as none (flytekit's names)."""
    if returns is None or returns is type(None):
        return {}
    if isinstance(returns, type) and issubclass(returns, tuple) and hasattr(returns, "_fields"):
        return dict(typing.get_type_hints(returns, include_extras=True))
    if typing.get_origin(returns) is tuple:
        return {f"o{i}": t for i, t in enumerate(typing.get_args(returns))}
    return {"o0": returns}


def output_spec(outputs: Any) -> Mapping[str, Any] | None:
    """``outputs=`` as a mapping: a dict as it is, a single type as ``{"o0": type}`` (flytekit's name)."""
    if outputs is None or isinstance(outputs, Mapping):
        return outputs
    return {"o0": outputs}


def duration(where: str, value: datetime.timedelta | int | float, *, positive: bool = False) -> duration_pb2.Duration:
    """A ``Duration`` from a timedelta or a number of seconds.

    Raises:
        BuildError: a negative duration (or a zero one when ``positive``), or another type.
    """
    if isinstance(value, bool) or not isinstance(value, (datetime.timedelta, int, float)):
        raise BuildError(where, f"expected a timedelta or a number of seconds, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise BuildError(where, f"{value!r} is not a finite number of seconds")
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else value
    if seconds < 0 or (positive and seconds == 0):
        raise BuildError(where, f"the duration must be {'more than' if positive else 'at least'} zero, got {value!r}")
    if seconds > MAX_DURATION_SECONDS:
        raise BuildError(where, f"is longer than a Duration holds (10,000 years), got {value!r}")
    out = duration_pb2.Duration()
    if isinstance(value, datetime.timedelta):
        out.FromTimedelta(value)
    elif isinstance(value, int):
        out.seconds = value
    else:
        nanos = round(value * 1_000_000_000)
        if value > 0 and nanos == 0:
            raise BuildError(where, f"{value!r} seconds is shorter than a nanosecond, the finest a Duration holds")
        out.FromNanoseconds(nanos)
    return out


def identifier(
    resource_type: int, name: str, project: str, domain: str, version: str, org: str
) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=resource_type,  # type: ignore[arg-type]
        project=project,
        domain=domain,
        name=name,
        version=version,
        org=org,
    )


def struct(where: str, value: Mapping[str, Any]) -> struct_pb2.Struct:
    """A ``Struct`` from a JSON-like dict (any mapping; tuples as lists).

    Raises:
        BuildError: not a dict; or, naming the path in it, values JSON cannot hold (NaN, integers a double would
            round), keys that are not strings, nesting deeper than ``MAX_VALUE_DEPTH`` messages.
    """
    if not isinstance(value, Mapping):
        raise BuildError(where, f"expected a dict, got {type(value).__name__}")
    out = struct_pb2.Struct()
    out.update(json_data(value, where, plain=True))
    return out


def string_map(where: str, value: Mapping[str, str] | None) -> dict[str, str]:
    """A ``{str: str}`` argument checked (env, labels, annotations, tags, config)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BuildError(where, f"expected a dict of strings, got {type(value).__name__}")
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise BuildError(f"{where}[{k!r}]", f"keys and values are strings, got {type(v).__name__}")
    return dict(value)


def default_literal(where: str, value: Any, expected: types_pb2.LiteralType) -> literals_pb2.Literal:
    """A default or fixed input: as a node input's literal, but None is a bare ``none_type`` (flytekit's), for types
    that take None (a NONE type, a union with a NONE variant).

    Raises:
        TypeConversionError: as ``literal_for``; None for a type that does not take it.
    """
    if value is None:
        if not castable(_NONE, expected):
            raise TypeConversionError(where, f"None is not a value of {describe(expected)} (make it Optional[...])")
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
    return literal_for(where, value, expected)


_NONE = types_pb2.LiteralType(simple=types_pb2.NONE)


def literal_for(where: str, value: Any, expected: types_pb2.LiteralType, level: int = 1) -> literals_pb2.Literal:
    """``to_literal`` with every error raised as a ``TypeConversionError`` naming ``where``; ``level``: how deep the
    literal's message sits in the value it is part of (see ``MAX_VALUE_DEPTH``)."""
    try:
        return literal_at(value, expected, where, level)
    except TypeConversionError:
        raise
    except (TypeError, ValueError, OverflowError) as err:
        raise TypeConversionError(where, f"{value!r} cannot be converted: {err}") from None
