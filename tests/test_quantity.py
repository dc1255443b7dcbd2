"""Kubernetes resource quantities: parsing, canonical strings, comparison (flytespec.quantity)."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from flytespec.errors import FlytespecError
from flytespec.quantity import (
    QuantityError,
    canonical_quantity,
    compare_quantities,
    is_whole,
    parse_quantity,
    quantity_value,
)

KI, MI, GI, TI, PI, EI = (1024**k for k in range(1, 7))
MAX_BINARY = 2**63 - 1
NANO = Fraction(1, 10**9)

# --- valid forms -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # every suffix
        ("5n", Fraction(5, 10**9)),
        ("4u", Fraction(4, 10**6)),
        ("3m", Fraction(3, 1000)),
        ("9", 9),
        ("8k", 8000),
        ("7M", 7 * 10**6),
        ("6G", 6 * 10**9),
        ("5T", 5 * 10**12),
        ("2P", 2 * 10**15),
        ("1E", 10**18),
        ("1Ki", KI),
        ("7Mi", 7 * MI),
        ("6Gi", 6 * GI),
        ("5Ti", 5 * TI),
        ("4Pi", 4 * PI),
        ("3Ei", 3 * EI),
        # exponents, either letter, signed or not, leading zeros
        ("1e3", 1000),
        ("1E6", 10**6),
        ("1e+3", 1000),
        ("1E-3", Fraction(1, 1000)),
        ("1e-0", 1),
        ("2e003", 2000),
        ("1.5e2", 150),
        ("1.3E+6", 1_300_000),
        ("0.5e-2", Fraction(5, 1000)),
        # signs
        ("+1", 1),
        ("-1", -1),
        ("-500m", Fraction(-1, 2)),
        ("+1.5Gi", 3 * GI // 2),
        ("-2Ki", -2048),
        # leading and trailing dots, leading zeros
        (".5", Fraction(1, 2)),
        ("-.5", Fraction(-1, 2)),
        ("1.", 1),
        ("1.G", 10**9),
        ("007", 7),
        ("0.50000", Fraction(1, 2)),
        # zero, however written
        ("0", 0),
        ("-0", 0),
        ("0.0", 0),
        ("0Ki", 0),
        ("0n", 0),
        ("0e5", 0),
        # typical resource values
        ("100m", Fraction(1, 10)),
        ("0.5", Fraction(1, 2)),
        ("2Gi", 2 * GI),
        ("1024", 1024),
        ("1.5Gi", 1_610_612_736),
        # taken from apimachinery's TestQuantityParse (pkg/api/resource/quantity_test.go)
        ("50k", 50_000),
        ("40T", 40 * 10**12),
        ("300T", 300 * 10**12),
        ("100.035k", 100_035),
        ("0.0005k", Fraction(1, 2)),
        ("10.035M", 10_035_000),
        ("1.40e9", 1_400_000_000),
        ("1.53E12", 1_530_000_000_000),
        ("7.123456M", 7_123_456),
        ("6.987654321G", 6_987_654_321),
        ("1.01E", 101 * 10**16),
        ("12E", 12 * 10**18),
        ("100.035Ki", Fraction(10243584, 100)),
        ("0.5Mi", MI // 2),
        ("0.05Gi", Fraction(536870912, 10)),
        ("0.025Ti", Fraction(274877906944, 10)),
        (".001", Fraction(1, 1000)),
        (".0001k", Fraction(1, 10)),
        ("18446744073709551616", 2**64),  # decimal values are not capped at 2**63 - 1
    ],
)
def test_valid_quantities_have_exact_values(text: str, value: int | Fraction) -> None:
    assert parse_quantity(text) == value
    assert quantity_value(text) == value
    assert type(parse_quantity(text)) is Fraction


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Kubernetes keeps values down to nano-units, rounding a finer one away from zero. These come from
        # apimachinery's TestQuantityParse ("Things that saturate/round", "Things written by trolls").
        ("3.001n", 4 * NANO),
        ("1.1E-9", 2 * NANO),
        ("0.0000000001", NANO),
        ("0.0000000005", NANO),
        ("0.5e-9", NANO),
        ("0.9n", NANO),
        ("0.00000012345", 124 * NANO),
        ("0.00000012354", 124 * NANO),
        ("0.000000000001Ki", 2 * NANO),
        ("-0.9n", -NANO),
        ("-0.0000000001", -NANO),
        ("1e-1000", NANO),
        # ...and caps a binary-SI value at 2**63 - 1 ("9Ei" and "9223372036854775807Ki" in TestQuantityParse).
        ("9Ei", MAX_BINARY),
        ("8Ei", MAX_BINARY),
        ("9223372036854775807Ki", MAX_BINARY),
        ("-9Ei", -MAX_BINARY),
        ("7Ei", 7 * EI),
    ],
)
def test_values_are_the_ones_kubernetes_holds(text: str, value: Fraction | int) -> None:
    assert parse_quantity(text) == value


# --- invalid forms -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1Gx",
        "",
        " 1",
        "1 ",
        "1 Gi",
        "1\n",
        "\t1",
        "Gi",
        "k",
        "e3",
        "1.2.3",
        "--1",
        "+-1",
        "1e",
        "1e1.5",
        "1e+",
        "1E+",
        "1e3Ki",
        "1Ki3",
        "+",
        "-",
        ".",
        "-.",
        ".Gi",
        "1K",
        "1ki",
        "1gi",
        "1KiB",
        "1Mb",
        "1i",
        "1.5 ",
        "0x10",
        "1_000",
        "\u0661",  # ARABIC-INDIC DIGIT ONE: Go accepts ASCII digits only
        "½",
        "inf",
        "nan",
        # apimachinery's TestQuantityParse invalid list
        "1.1.M",
        "1+1.0M",
        "0.1mi",
        "0.1am",
        "aoeu",
        ".5i",
        "-3.01i",
        "-3.01e-",
    ],
)
def test_invalid_quantities_are_refused(text: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(text)
    assert info.value.text == text
    for function in (quantity_value, canonical_quantity, is_whole):
        with pytest.raises(QuantityError):
            function(text)
    with pytest.raises(QuantityError):
        compare_quantities("1", text)


def test_quantity_error_is_a_value_error_and_a_flytespec_error() -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity("1Gx")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, FlytespecError)
    assert info.value.text == "1Gx"
    assert info.value.reason


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1" * 201, id="201 digits"),
        pytest.param("0." + "1" * 201, id="201 fractional digits"),
        "1e1001",
        "1e-1001",
        pytest.param("1e" + "9" * 100_000, id="1e<100000 nines>"),
        pytest.param("1e-" + "0" * 100_000 + "1001", id="1e-<zeros>1001"),
        pytest.param("10e1000", id="10e1000 is 10**1001"),
        pytest.param("1" + "0" * 1001, id="10**1001"),
        pytest.param("0." + "0" * 1000 + "1", id="10**-1002"),
    ],
)
def test_absurd_sizes_are_refused(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("1" * 200, int("1" * 200), id="200 digits"),
        ("1e1000", 10**1000),
        pytest.param("1e" + "0" * 100_000 + "3", 1000, id="1e<zeros>3"),
        pytest.param("0" * 100_000 + "1", 1, id="<zeros>1"),
        pytest.param("1" + "0" * 1000, 10**1000, id="10**1000"),
        pytest.param("1" * 200 + "0" * 800, int("1" * 200) * 10**800, id="200 digits and 800 zeros"),
    ],
)
def test_sizes_within_bounds_are_accepted(text: str, value: int) -> None:
    assert parse_quantity(text) == value


# --- Python numbers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "exact"),
    [
        (0, 0),
        (1, 1),
        (-3, -3),
        (1024, 1024),
        (2**64, 2**64),
        pytest.param(10**1000, 10**1000, id="10**1000"),
        (0.5, Fraction(1, 2)),
        (0.1, Fraction(1, 10)),  # the shortest repr, not the binary double
        (1.5, Fraction(3, 2)),
        (2.0, 2),
        (-0.25, Fraction(-1, 4)),
        (1e16, 10**16),
        (1e-10, NANO),  # rounded up to a nano-unit, like the string "1e-10"
        (5e-324, NANO),
        (-1e-10, -NANO),
    ],
)
def test_numbers_have_exact_values(value: int | float, exact: int | Fraction) -> None:
    assert quantity_value(value) == exact


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        pytest.param(10**1001, id="10**1001"),
        pytest.param(-(10**1001), id="-10**1001"),
        pytest.param(10**5000, id="10**5000"),
        pytest.param(int("7" * 201), id="201 digits"),
    ],
)
def test_non_finite_and_absurd_numbers_are_refused(value: int | float) -> None:
    with pytest.raises(QuantityError):
        quantity_value(value)
    with pytest.raises(QuantityError):
        canonical_quantity(value)


@pytest.mark.parametrize("value", [None, [], ["1"], b"1", True, False, Decimal("1"), Fraction(1, 2), 1j, object()])
def test_other_types_are_type_errors(value: object) -> None:
    with pytest.raises(TypeError):
        quantity_value(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        canonical_quantity(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        compare_quantities(value, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        is_whole(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [1, 1.0, None, b"1", True])
def test_parse_quantity_takes_strings_only(value: object) -> None:
    with pytest.raises(TypeError):
        parse_quantity(value)  # type: ignore[arg-type]


# --- canonical strings -------------------------------------------------------------------------------------------

# (input, canonical) pairs from apimachinery's own tests (pkg/api/resource/quantity_test.go):
# TestQuantityParseEmit, and the "expect"/"alternate" columns of TestQuantityString (each alternate spelling, parsed,
# writes the expected string; each expected string, parsed, writes itself).
APIMACHINERY_CANONICAL = [
    # TestQuantityParseEmit
    ("1Ki", "1Ki"),
    ("1Mi", "1Mi"),
    ("1Gi", "1Gi"),
    ("1024Mi", "1Gi"),
    ("1000M", "1G"),
    (".001Ki", "1024m"),
    (".000001Ki", "1024u"),
    (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"),
    # TestQuantityString: alternate -> expect
    ("307200Ki", "300Mi"),
    ("1025024Mi", "1001Gi"),
    ("1024Gi", "1Ti"),
    ("5000m", "5"),
    ("0.5", "500m"),
    ("0.001T", "1G"),
    ("1000u", "1m"),
    ("1.08", "1080m"),
    ("1080000000n", "1080m"),
    ("1000E", "1e21"),
    ("5000E", "5e21"),
    ("1000000E", "1e24"),
    (".001e12", "1e9"),
    ("0.001e0", "1e-3"),
    ("1000e-12", "1e-9"),
    ("00", "0"),
    # TestQuantityString: expect -> expect
    ("300Mi", "300Mi"),
    ("6Ki", "6Ki"),
    ("1001Gi", "1001Gi"),
    ("1Ti", "1Ti"),
    ("500m", "500m"),
    ("1G", "1G"),
    ("1m", "1m"),
    ("80m", "80m"),
    ("1080m", "1080m"),
    ("300M", "300M"),
    ("1T", "1T"),
    ("1E", "1E"),
    ("1e21", "1e21"),
    ("1234567M", "1234567M"),
    ("1234567m", "1234567m"),
    ("3k", "3k"),
    ("1025", "1025"),
    ("0", "0"),
    ("1e9", "1e9"),
    ("1e-3", "1e-3"),
    ("1e-9", "1e-9"),
    ("80e-3", "80e-3"),
    ("300e6", "300e6"),
    ("1e12", "1e12"),
    ("1e3", "1e3"),
    ("3e3", "3e3"),
    ("1n", "1n"),
    ("80n", "80n"),
    ("1080n", "1080n"),
    ("1u", "1u"),
    ("80u", "80u"),
    ("1080u", "1080u"),
    # The doc comment of resource.Quantity: "1.5 will be serialized as 1500m", "1.5Gi ... as 1536Mi"; and the
    # doc of the type: "1.2345" is reported as "1234500u".
    ("1.5", "1500m"),
    ("1.5Gi", "1536Mi"),
    ("1.2345", "1234500u"),
]


@pytest.mark.parametrize(("text", "canonical"), APIMACHINERY_CANONICAL)
def test_canonical_strings_match_apimachinery(text: str, canonical: str) -> None:
    assert canonical_quantity(text) == canonical
    if canonical != "0":
        assert canonical_quantity("-" + text) == "-" + canonical


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        # binary SI is kept when the value is a whole multiple of 1024, with the largest power that divides it
        ("1536Mi", "1536Mi"),
        ("2048Ki", "2Mi"),
        ("1048576Ki", "1Gi"),
        ("1.5Ki", "1536"),  # a whole number, but not of Ki: no suffix
        ("1023Ki", "1023Ki"),
        ("1Pi", "1Pi"),
        ("1024Pi", "1Ei"),
        ("7Ei", "7Ei"),
        ("9Ei", "9223372036854775807"),  # capped at 2**63 - 1, odd
        # binary-SI values below 1024 in magnitude, or with a fraction, are written as decimal SI
        ("0.5Ki", "512"),
        ("0.5Mi", "512Ki"),
        ("1.1Ki", "1126400m"),
        ("-0.5Ki", "-512"),
        ("0.0001Ki", "102400u"),
        # decimal SI: the largest suffix that keeps the mantissa an integer
        ("1000m", "1"),
        ("1500m", "1500m"),
        ("2000", "2k"),
        ("0.1", "100m"),
        ("0.0001", "100u"),  # Kubernetes keeps micro and nano units; it does not round to milli
        ("0.0000001", "100n"),
        ("0.00000000001", "1n"),  # finer than nano: rounded up
        ("-0.00000000001", "-1n"),
        ("100m", "100m"),
        ("1.5M", "1500k"),
        ("0.5k", "500"),
        ("12000000000000000000", "12E"),
        ("123456789" + "0" * 18, "123456789E"),
        ("123456789" + "0" * 12, "123456789T"),
        ("1000000000000000000000", "1e21"),  # beyond E: exponent notation
        ("18446744073709551616", "18446744073709551616"),
        ("+1", "1"),
        ("-500m", "-500m"),
        ("-0", "0"),
        ("-0.0Gi", "0"),
        ("1.", "1"),
        (".5G", "500M"),
        # a decimal exponent keeps exponent notation
        ("1e0", "1"),
        ("1e1", "10"),
        ("1e2", "100"),
        ("1.2e3", "1200"),
        ("1.5e3", "1500"),
        ("12e3", "12e3"),
        ("0.5e-1", "50e-3"),
        ("1E-3", "1e-3"),
        ("1e+6", "1e6"),
        ("1e-10", "1e-9"),
        ("-2e4", "-20e3"),
        # numbers are decimal SI (NewQuantity(v, DecimalSI) in TestNewSet: 1 -> "1", 1000 -> "1k", 1234000 -> "1234k")
        (1, "1"),
        (1000, "1k"),
        (1234000, "1234k"),
        (0, "0"),
        (1024, "1024"),
        (2048, "2048"),
        (2000, "2k"),
        (-3000, "-3k"),
        pytest.param(10**21, "1e21", id="10**21"),
        (0.5, "500m"),
        (0.1, "100m"),
        (1.5, "1500m"),
        (2.0, "2"),
        (-0.0, "0"),
        (1e16, "10P"),
        (1e-10, "1n"),
        (0.0001, "100u"),
    ],
)
def test_canonical_strings(value: str | int | float, canonical: str) -> None:
    assert canonical_quantity(value) == canonical


# --- properties --------------------------------------------------------------------------------------------------

_SUFFIX_VALUES = {
    "": Fraction(1),
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(KI),
    "Mi": Fraction(MI),
    "Gi": Fraction(GI),
    "Ti": Fraction(TI),
    "Pi": Fraction(PI),
    "Ei": Fraction(EI),
}
_DIGITS = st.text("0123456789", max_size=10)


@st.composite
def _quantities(draw: st.DrawFn) -> tuple[str, Fraction, bool]:
    """A quantity string, its exact written value (before Kubernetes rounds), and whether it is binary SI."""
    sign = draw(st.sampled_from(["", "+", "-"]))
    integer = draw(_DIGITS)
    fraction = draw(st.none() | _DIGITS)
    assume(any(c.isdigit() for c in integer + (fraction or "")))
    if draw(st.booleans()):
        suffix = draw(st.sampled_from(sorted(_SUFFIX_VALUES)))
        multiplier = _SUFFIX_VALUES[suffix]
    else:
        exponent = draw(st.integers(-30, 30))
        suffix = draw(st.sampled_from(["e", "E"])) + draw(st.sampled_from(["", "+"] if exponent >= 0 else [""]))
        suffix += str(exponent)
        multiplier = Fraction(10) ** exponent
    number = Fraction(int(integer or "0")) + Fraction(int(fraction or "0"), 10 ** len(fraction or ""))
    exact = number * multiplier * (-1 if sign == "-" else 1)
    text = sign + integer + ("" if fraction is None else "." + fraction) + suffix
    return text, exact, suffix.endswith("i")


_CANONICAL_RE = re.compile(r"-?(0|[1-9][0-9]*)([numkMGTPE]|[KMGTPE]i|e-?[1-9][0-9]*)?")


@given(_quantities())
def test_canonical_round_trip(quantity: tuple[str, Fraction, bool]) -> None:
    # apimachinery keeps nano-units, so the round-trip promise is at nano precision (not milli): the canonical string
    # parses back to the written value when that is a whole number of nano-units, and otherwise to the value rounded
    # away from zero to the next nano-unit.
    text, exact, binary = quantity
    assume(not (binary and abs(exact) > MAX_BINARY))  # binary-SI values are capped, tested separately
    canonical = canonical_quantity(text)
    back = parse_quantity(canonical)
    assert _CANONICAL_RE.fullmatch(canonical), canonical
    assert back == parse_quantity(text)
    assert canonical_quantity(canonical) == canonical
    assert abs(back) >= abs(exact)
    assert (back > 0) == (exact > 0)
    assert (back < 0) == (exact < 0)
    assert abs(back - exact) < NANO
    if (exact / NANO).denominator == 1:
        assert back == exact


@given(st.integers(-(10**40), 10**40))
def test_int_round_trip(value: int) -> None:
    canonical = canonical_quantity(value)
    assert _CANONICAL_RE.fullmatch(canonical), canonical
    assert parse_quantity(canonical) == value
    assert compare_quantities(canonical, value) == 0


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_round_trip(value: float) -> None:
    exact = Fraction(repr(value))
    canonical = canonical_quantity(value)
    assert parse_quantity(canonical) == quantity_value(value)
    assert abs(quantity_value(value)) >= abs(exact)
    assert abs(quantity_value(value) - exact) < NANO
    if (exact / NANO).denominator == 1:
        assert quantity_value(value) == exact


# --- comparison --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("500m", "0.5", 0),
        ("1Gi", "1G", 1),
        ("1G", "1Gi", -1),
        ("1Gi", "1024Mi", 0),
        ("1Gi", 1073741824, 0),
        ("1k", "1Ki", -1),
        ("1e3", "1k", 0),
        ("1", "1000m", 0),
        ("1", 1, 0),
        (0.5, "500m", 0),
        (0.1, "100m", 0),
        ("2", 1.5, 1),
        ("-1", "1", -1),
        ("-1Gi", "-1G", -1),
        ("0", "-0", 0),
        ("1n", "0.0000000001", 0),  # Kubernetes rounds the finer value up to 1n
        ("8Ei", "9Ei", 0),  # both capped at 2**63 - 1
        ("8Ei", "9223372036854775808", -1),
        # apimachinery's TestQuantityCmp
        ("0", "0", 0),
        ("100m", "50m", 1),
        ("50m", "100m", -1),
        ("10000T", "100Gi", 1),
    ],
)
def test_compare_quantities(a: str | int | float, b: str | int | float, expected: int) -> None:
    assert compare_quantities(a, b) == expected
    assert compare_quantities(b, a) == -expected


@given(_quantities(), _quantities())
def test_comparison_is_exact_and_antisymmetric(x: tuple[str, Fraction, bool], y: tuple[str, Fraction, bool]) -> None:
    a, b = x[0], y[0]
    result = compare_quantities(a, b)
    assert result in (-1, 0, 1)
    assert result == -compare_quantities(b, a)
    va, vb = parse_quantity(a), parse_quantity(b)
    assert result == (va > vb) - (va < vb)
    assert compare_quantities(a, canonical_quantity(a)) == 0


# --- whole numbers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "whole"),
    [
        ("1", True),
        ("2", True),
        ("1000m", True),
        ("0", True),
        ("1Ki", True),
        ("1e3", True),
        ("1.0", True),
        ("-2", True),
        ("1k", True),
        ("0.5Ki", True),
        (1, True),
        (2.0, True),
        ("500m", False),
        ("1.5", False),
        ("1500m", False),
        ("1n", False),
        ("1e-3", False),
        ("0.0000000001", False),  # rounded up to 1n, still not whole
        ("1.1Ki", False),
        (0.5, False),
        (-0.5, False),
    ],
)
def test_is_whole(value: str | int | float, whole: bool) -> None:
    assert is_whole(value) is whole
