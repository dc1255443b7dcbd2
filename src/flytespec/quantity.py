"""Kubernetes resource quantities: exact parsing, comparison and canonical formatting.

Flyte's compiler requires every task resource value (``cpu``, ``memory``, ``gpu``, ``ephemeral_storage``) to parse
as a Kubernetes quantity (``resource.Quantity`` of ``k8s.io/apimachinery``), and admin requires a GPU count to be a
whole number and a limit to be at least its request. This module answers those questions exactly, with integers and
:class:`fractions.Fraction`, never floats::

    parse_quantity("1.5Gi")              # Fraction(1610612736, 1): bytes
    parse_quantity("100m")               # Fraction(1, 10): cores
    canonical_quantity("1024Mi")         # "1Gi"
    canonical_quantity(0.5)              # "500m"
    compare_quantities("500m", "0.5")    # 0
    is_whole("1000m")                    # True

The grammar is the one documented on ``resource.Quantity``::

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= <number> | <sign><number>             <sign> ::= "+" | "-"
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei                        (powers of 1024)
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E           (powers of 1000)
    <decimalExponent> ::= "e" <integer> | "E" <integer>                   (a power of ten, optionally signed)

No whitespace is allowed anywhere. Two refusals go beyond Go's ``ParseQuantity``, which is laxer than its own
grammar: a number must have at least one digit (Go reads ``"Gi"``, ``"k"``, ``"+"`` and ``"."`` as zero,
kubernetes/apimachinery#165), and absurd sizes are refused so that parsing stays cheap (more than 200 significant
digits, an exponent beyond ±1000, or a value needing a power of ten beyond ±1000 when written as an integer times a
power of ten).

Values are the ones Kubernetes holds after parsing, which differ from the written number in two documented ways
(``ParseQuantity`` in ``pkg/api/resource/quantity.go``):

- a value that is not a whole number of nano-units is rounded away from zero to the next nano-unit
  (``"0.9n"`` is ``1n``, ``"0.0000000001"`` is ``1n``, ``"-0.0000000001"`` is ``-1n``);
- a value written with a binary suffix is capped, silently, at ``2**63 - 1`` in magnitude (``"8Ei"`` and ``"9Ei"``
  both hold ``9223372036854775807``). Decimal values are not capped.
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from typing import Final, Literal

from flytespec.errors import FlytespecError

__all__ = [
    "QuantityError",
    "canonical_quantity",
    "compare_quantities",
    "is_whole",
    "parse_quantity",
    "quantity_value",
]

_Format = Literal["DecimalSI", "BinarySI", "DecimalExponent"]

#: Most significant digits a number may have (leading and trailing zeros don't count).
_MAX_DIGITS: Final = 200
#: Largest magnitude of a written exponent, and of the power of ten of a value written as ``integer * 10**power``.
_MAX_EXPONENT: Final = 1000
#: Magnitude cap ``ParseQuantity`` applies to binary-SI values (``maxAllowed`` in ``math.go``).
_MAX_BINARY: Final = 2**63 - 1
#: Kubernetes keeps values down to nano-units (``Nano`` in ``amount.go``).
_NANO: Final = 10**9

_DECIMAL_SUFFIXES: Final[dict[str, int]] = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_DECIMAL_SUFFIX_OF_EXPONENT: Final[dict[int, str]] = {e: s for s, e in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIXES: Final[tuple[str, ...]] = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")

# [0-9], not \d: Go accepts ASCII digits only.
_QUANTITY_RE: Final = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?:(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]*))?|\.(?P<lead_frac>[0-9]+))"
    r"(?:(?P<exponent>[eE][+-]?[0-9]+)|(?P<suffix>[KMGTPE]i|[numkMGTPE]))?"
)
# Splits any text the way Go's scanner does (sign, digits and dots, the rest), to say what is wrong with it.
_LOOSE_RE: Final = re.compile(r"(?P<sign>[+-]?)(?P<number>[0-9.]*)(?P<rest>.*)", re.DOTALL)

_EXPECTED: Final = "expected a number with an optional suffix such as 500m, 2, 1.5Gi or 1e3"
_SHOWN_LENGTH: Final = 60


class QuantityError(FlytespecError, ValueError):
    """A value is not a Kubernetes resource quantity flytespec accepts.

    Attributes:
        text: the input: the string as given, or the ``repr`` of a number (a description of an int too large to
            print).
        reason: what is wrong with it.
    """

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"not a Kubernetes quantity: {_show(self.text)}: {self.reason} ({_EXPECTED})"


def parse_quantity(text: str) -> Fraction:
    """Exact value of a quantity string, in base units (cores for CPU, bytes for memory).

    The value is the one Kubernetes holds: rounded away from zero to a whole number of nano-units, and capped at
    ``2**63 - 1`` in magnitude when written with a binary suffix (see the module documentation).

    Args:
        text: a Kubernetes quantity such as ``"500m"``, ``"2"``, ``"1.5Gi"`` or ``"1e3"``.

    Returns:
        The value as an exact fraction.

    Raises:
        QuantityError: ``text`` is not a quantity.
        TypeError: ``text`` is not a ``str``.
    """
    return _parse(text)[0]


def quantity_value(value: str | int | float) -> Fraction:
    """Exact value of a quantity given as a string, an int or a finite float.

    Strings are parsed with :func:`parse_quantity`. A float is taken as its shortest decimal representation
    (``0.1`` is exactly one tenth, ``Fraction(repr(value))``), then, like a string, rounded away from zero to a whole
    number of nano-units.

    Args:
        value: a quantity string, an int, or a finite float.

    Returns:
        The value as an exact fraction.

    Raises:
        QuantityError: the string is not a quantity, the float is not finite, or the number is absurdly large.
        TypeError: ``value`` is of another type (``bool`` included).
    """
    return _value_and_format(value)[0]


def canonical_quantity(value: str | int | float) -> str:
    """The canonical Kubernetes string for a quantity, as ``resource.Quantity.String()`` writes it.

    A string keeps the kind of suffix it was written with (binary SI, decimal SI or decimal exponent); numbers are
    decimal SI. Examples: ``"1024Mi"`` -> ``"1Gi"``, ``"1536Mi"`` -> ``"1536Mi"``, ``"0.5"`` -> ``"500m"``,
    ``"2000"`` -> ``"2k"``, ``"1000m"`` -> ``"1"``, ``"0.0001"`` -> ``"100u"``, ``"1e3"`` -> ``"1e3"``,
    ``1024`` -> ``"1024"``, ``0.1`` -> ``"100m"``, ``"-500m"`` -> ``"-500m"``.

    Args:
        value: a quantity string, an int, or a finite float.

    Returns:
        The canonical string; it parses back to the same value (:func:`quantity_value`).

    Raises:
        QuantityError: ``value`` is not a quantity (see :func:`quantity_value`).
        TypeError: ``value`` is of another type.
    """
    return _format(*_value_and_format(value))


def is_whole(value: str | int | float) -> bool:
    """Whether a quantity is a whole number of base units (a GPU count must be: ``"1"`` and ``"1000m"`` are).

    Args:
        value: a quantity string, an int, or a finite float.

    Returns:
        True when the value is an integer.

    Raises:
        QuantityError: ``value`` is not a quantity (see :func:`quantity_value`).
        TypeError: ``value`` is of another type.
    """
    return quantity_value(value).denominator == 1


def compare_quantities(a: str | int | float, b: str | int | float) -> int:
    """Compare two quantities exactly (``"500m"`` equals ``"0.5"``; ``"1Gi"`` is more than ``"1G"``).

    Args:
        a: a quantity string, an int, or a finite float.
        b: a quantity string, an int, or a finite float.

    Returns:
        -1 when ``a < b``, 0 when they are equal, 1 when ``a > b``.

    Raises:
        QuantityError: ``a`` or ``b`` is not a quantity (see :func:`quantity_value`).
        TypeError: ``a`` or ``b`` is of another type.
    """
    x, y = quantity_value(a), quantity_value(b)
    return (x > y) - (x < y)


def _value_and_format(value: str | int | float) -> tuple[Fraction, _Format]:
    if isinstance(value, str):
        return _parse(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"a quantity is a str, an int or a float, not {type(value).__name__}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuantityError(repr(value), "not a finite number")
        # Shortest repr: what a user who wrote 0.1 meant. Always within bounds (at most 17 digits, |exponent| < 400).
        return _round_to_nano(Fraction(repr(value))), "DecimalSI"
    # Bound the size before str(): a huge int is slow to print (and refused by str() from Python 3.11 on).
    if abs(value).bit_length() > 4 * (_MAX_DIGITS + _MAX_EXPONENT):
        raise QuantityError(f"<int of {abs(value).bit_length()} bits>", "too large")
    digits = str(abs(value))
    significant = digits.rstrip("0")
    _check_size(repr(value), len(significant), len(digits) - len(significant))
    return Fraction(value), "DecimalSI"


def _parse(text: str) -> tuple[Fraction, _Format]:
    """Value (as Kubernetes holds it) and format of a quantity string."""
    if not isinstance(text, str):
        raise TypeError(f"a quantity string must be a str, not {type(text).__name__}")
    match = _QUANTITY_RE.fullmatch(text)
    if match is None:
        raise QuantityError(text, _diagnose(text))
    integer, fraction = match["int"] or "", match["frac"] or match["lead_frac"] or ""
    stripped = (integer + fraction).lstrip("0")
    significant = stripped.rstrip("0")

    fmt: _Format = "DecimalSI"
    power_of_ten, power_of_two = 0, 0
    if match["exponent"] is not None:
        fmt = "DecimalExponent"
        power_of_ten = _exponent(text, match["exponent"][1:])
    elif match["suffix"] is not None and match["suffix"].endswith("i"):
        fmt = "BinarySI"
        power_of_two = 10 * _BINARY_SUFFIXES.index(match["suffix"])
    else:
        power_of_ten = _DECIMAL_SUFFIXES[match["suffix"] or ""]
    if not significant:
        return Fraction(0), fmt

    # value = significant * 10**power * 2**power_of_two
    power = power_of_ten + (len(stripped) - len(significant)) - len(fraction)
    _check_size(text, len(significant), power)
    magnitude = Fraction(int(significant) << power_of_two) * (10**power if power >= 0 else Fraction(1, 10**-power))
    value = _round_to_nano(-magnitude if match["sign"] == "-" else magnitude)
    # ParseQuantity caps binary-SI values at maxAllowed (2**63 - 1), after rounding, keeping the sign.
    if fmt == "BinarySI" and abs(value) > _MAX_BINARY:
        value = Fraction(_MAX_BINARY if value > 0 else -_MAX_BINARY)
    return value, fmt


def _exponent(text: str, written: str) -> int:
    """The integer of a written exponent (``"+3"``, ``"-0003"``), refusing a huge one before converting it."""
    digits = written.lstrip("+-").lstrip("0") or "0"
    if len(digits) > len(str(_MAX_EXPONENT)) or int(digits) > _MAX_EXPONENT:
        raise QuantityError(text, f"the exponent is beyond ±{_MAX_EXPONENT}")
    return -int(digits) if written.startswith("-") else int(digits)


def _check_size(text: str, significant_digits: int, power: int) -> None:
    if significant_digits > _MAX_DIGITS:
        raise QuantityError(text, f"more than {_MAX_DIGITS} significant digits")
    if abs(power) > _MAX_EXPONENT:
        raise QuantityError(text, f"too {'large' if power > 0 else 'small'} (needs a power of ten beyond ±1000)")


def _round_to_nano(value: Fraction) -> Fraction:
    """Round away from zero to a whole number of nano-units, as ParseQuantity does (``inf.RoundUp`` at ``Nano``)."""
    scaled = value * _NANO
    if scaled.denominator == 1:
        return value
    units = math.ceil(abs(scaled))
    return Fraction(units if scaled > 0 else -units, _NANO)


def _format(value: Fraction, fmt: _Format) -> str:
    """``Quantity.String()``: ``CanonicalizeBytes`` in ``quantity.go``, with ``AsCanonicalBytes`` and
    ``AsCanonicalBase1024Bytes`` of ``amount.go`` and the suffix tables of ``suffix.go``.

    - Zero is ``"0"``, whatever the format.
    - Binary SI is kept only for a whole number of magnitude at least 1024 (``-1024 < value < 1024`` and values
      with a fraction are written as decimal SI, so that nothing is rounded); the mantissa is the value with every
      factor of 1024 moved into the suffix (``1536Mi`` stays ``1536Mi``, ``1025`` has no suffix).
    - Decimal SI and decimal exponent: every factor of ten is moved into the exponent, which is then lowered to a
      multiple of three (the mantissa growing by 10 or 100), so no precision is lost, no fractional digits are
      written and the exponent is as large as possible. Decimal SI writes the exponent as its suffix
      (n u m "" k M G T P E); beyond ``E`` (10**18), which has no suffix, it falls back to ``e<exponent>`` (``1e21``),
      as the current ``CanonicalizeBytes`` does. Decimal exponent writes ``e<exponent>``, nothing for 10**0.

    Source: k8s.io/apimachinery ``pkg/api/resource`` (``quantity.go``, ``amount.go``, ``suffix.go``, ``math.go``); the
    tests reuse the cases of its ``quantity_test.go`` (``TestQuantityParseEmit``, ``TestQuantityString``).
    - The sign is written only for negative values.
    """
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if fmt == "BinarySI":
        if magnitude < 1024 or magnitude.denominator != 1:
            fmt = "DecimalSI"
        else:
            mantissa, times = magnitude.numerator, 0
            while mantissa >= 1024 and mantissa % 1024 == 0:
                mantissa //= 1024
                times += 1
            return f"{sign}{mantissa}{_BINARY_SUFFIXES[times]}"
    # Every value is a whole number of nano-units (parsing rounds), so 10**-9 is the smallest exponent needed.
    mantissa, exponent = int(magnitude * _NANO), -9
    while mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    # Lower the exponent to a multiple of three (Python's % is a floor modulo, like Go's switch on exponent % 3).
    mantissa *= 10 ** (exponent % 3)
    exponent -= exponent % 3
    suffix = _DECIMAL_SUFFIX_OF_EXPONENT.get(exponent) if fmt == "DecimalSI" else None
    if suffix is None:
        suffix = f"e{exponent}" if exponent else ""
    return f"{sign}{mantissa}{suffix}"


def _diagnose(text: str) -> str:
    """What is wrong with a string that does not match the quantity grammar."""
    if not text:
        return "empty string"
    if any(c.isspace() for c in text):
        return "whitespace is not allowed"
    loose = _LOOSE_RE.fullmatch(text)
    number, rest = (loose["number"], loose["rest"]) if loose else ("", text)  # the pattern matches every string
    if number.count(".") > 1:
        return "more than one decimal point"
    if not any(c.isdigit() for c in number):
        if rest[:1] in ("+", "-"):
            return "more than one sign"
        return "no digits" if not rest else f"no digits before the suffix {_show(rest)}"
    if rest[:1] in ("e", "E") and rest[1:2] in ("+", "-", *"0123456789"):
        # The number is well formed, so an exponent that matched the grammar would have matched it all.
        return "the exponent must be an integer, as in 1e3 or 5e-3"
    if rest == "e":
        return "the exponent has no digits"
    return f"unknown suffix {_show(rest)}; the suffixes are n u m k M G T P E, Ki Mi Gi Ti Pi Ei and e<integer>"


def _show(text: str) -> str:
    """``text`` quoted and escaped for a message, shortened when long."""
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 3] + "..."
    return json.dumps(text, ensure_ascii=False)
