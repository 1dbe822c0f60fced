"""The number policy: exact decimals in, half-away-from-zero rounding, the sheet's display rule."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

from hypothesis import given, settings, strategies as st
import pytest

from symopt.numbers import (
    Policy,
    constant_latex,
    decimal_text,
    decimals_of,
    exact,
    parse_decimal,
    round_half_away,
    round_significant,
)


@pytest.mark.parametrize(
    "text,value",
    [("0.1", F(1, 10)), ("-5", F(-5)), ("1e-6", F(1, 10**6)), ("2.5E3", F(2500)), (".5", F(1, 2)), ("3.", F(3))],
)
def test_parse_decimal_is_exact(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("value", [0.1, Decimal("0.1"), "0.1", F(1, 10)])
def test_exact_reads_what_the_user_wrote(value):
    assert exact(value) == F(1, 10)  # never 0.1000000000000000055511151231257827


@pytest.mark.parametrize("bad", [True, "abc", None, [1], float("nan"), Decimal("inf"), "1/3"])
def test_exact_refuses_non_numbers(bad):
    with pytest.raises(ValueError):
        exact(bad)


@pytest.mark.parametrize(
    "q,d,out",
    [
        (F(125, 1000), 2, F(13, 100)), (F(-125, 1000), 2, F(-13, 100)),  # halves away from zero
        (F(135, 1000), 2, F(14, 100)), (F(1, 3), 4, F(3333, 10000)), (F(2, 3), 4, F(6667, 10000)),
        (F(-4051319, 10**6), 3, F(-4051, 1000)), (F(5, 10), 0, F(1)), (F(-5, 10), 0, F(-1)),
        (F(4, 10**5), 4, F(0)),
    ],
)
def test_round_half_away(q, d, out):
    assert round_half_away(q, d) == out


@pytest.mark.parametrize("q,n,out", [(F(2, 3), 3, "0.667"), (F(123456), 2, "120000"), (F(-1, 7), 2, "-0.14"), (F(1, 1000), 1, "0.001")])
def test_round_significant(q, n, out):
    assert decimal_text(round_significant(q, n)) == out


@pytest.mark.parametrize("q,places", [(F(1, 8), 3), (F(1, 3), None), (F(-4232, 1000), 3), (F(7), 0), (F(1, 80), 4)])
def test_decimals_of(q, places):
    assert decimals_of(q) == places


@pytest.mark.parametrize("q,text", [(F(-4232, 1000), "-4.232"), (F(64), "64"), (F(0), "0"), (F(19206, 10**7), "0.0019206"), (F(-1, 20), "-0.05")])
def test_decimal_text(q, text):
    assert decimal_text(q) == text


@pytest.mark.parametrize(
    "q,text",
    [(F(1, 10**6), "10^{-6}"), (F(1, 10**5), "10^{-5}"), (F(1, 1000), "0.001"), (F(1, 5), "0.2"), (F(1, 3), "\\frac{1}{3}"), (F(-2, 3), "-\\frac{2}{3}"), (F(2, 10**6), "0.000002")],
)
def test_constant_latex(q, text):
    assert constant_latex(q) == text


@pytest.mark.parametrize(
    "q,d,k,out",
    [
        (F(-4232, 1000), 4, 4, ("-4.232", False)),  # ends within D: in full
        (F(19206, 10**7), 4, 7, ("0.0019206", False)),  # ends within K: in full
        (F(19206, 10**7), 4, 4, ("0.00192", True)),  # 3 significant figures at least
        (F(115776, 10**6) / F(1999, 10**6), 4, 7, ("57.917", True)),  # 57.91695847...: no trailing 0
        (F(-186, 190), 4, 7, ("-0.9789", True)),
        (F(-48000001, 10**7), 4, 4, ("-4.8", True)),  # rounded, printed without trailing zeros
        (F(196, 10**10), 4, 4, ("1.96 \\cdot 10^{-8}", False)),  # below 10^-6: a power of ten
        (F(1, 3 * 10**7), 4, 4, ("3.33 \\cdot 10^{-8}", True)),
    ],
)
def test_show(q, d, k, out):
    shown = Policy(d, 3, k).show_fraction(q)
    assert (shown.text, shown.rounded) == out
    assert shown.value == (q if not shown.rounded else F(shown.text.split(" ")[0]) * F(10) ** (
        int(shown.text.split("{")[1].rstrip("}")) if "cdot" in shown.text else 0))


@pytest.mark.parametrize(
    "policy,q,text",
    [
        (Policy(4, 3, 4, pad=True), F(115776, 10**6) / F(1999, 10**6), "57.9170"),
        (Policy(4, 3, 4, pad=True), F(-48000001, 10**7), "-4.8000"),
        (Policy(4, 3, 4, pad=True), F(-46, 10), "-4.6"),  # not rounded: not padded
        (Policy(4, 3, 4, comma=True), F(-186, 190), "-0{,}9789"),
        (Policy(None, 3), F(123456, 10), "1.23 \\cdot 10^{4}"),  # sig:3, rounded to hundreds
        (Policy(None, 3, pad=True), F(12001, 1), "1.20 \\cdot 10^{4}"),
        (Policy(None, 3), F(-999996, 10**6), "-1"),  # 0.999996 -> 1.00: one place fewer
        (Policy(None, 2), F(125, 1000), "0.13"),  # half away from zero
        (Policy(2, 1), F(125, 1000), "0.13"),
        (Policy(2, 3), F(125, 1000), "0.125"),
    ],
)
def test_policy_writes(policy, q, text):
    assert policy.show_fraction(q).text == text


def test_show_irrational_is_always_rounded():
    shown = Policy(4, 3, 30).show_fraction(F(1414213562373095, 10**15), exact=False)
    assert (shown.text, shown.rounded, shown.places) == ("1.4142", True, 4)


def test_huge_values_print_and_round():
    q = F(3, 10**5000) + 7
    assert decimals_of(q) == 5000
    text = decimal_text(q)
    assert text.startswith("7.000") and text.endswith("3") and len(text) == 5002
    assert decimal_text(round_significant(F(10**6000 + 1, 3), 3)) == "333" + "0" * 5997
    assert decimals_of(F(1, 5**3000)) == 3000 and decimals_of(F(1, 5**3000 * 3)) is None


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d) < Decimal("1e60") and (not d or abs(d) > Decimal("1e-60"))),
       st.sampled_from([Policy(4, 3, 4), Policy(2, 1, 7), Policy(0, 3), Policy(None, 4), Policy(None, 1, pad=True),
                        Policy(3, 5, 3, pad=True, comma=True)]))
@settings(max_examples=400, deadline=None)
def test_decimal_texts_are_the_fraction_texts(d, policy):
    # Hand and precision modes carry decimal.Decimal; their rounding and texts must be the Fraction path's.
    from symopt.numbers import plain_text

    q = F(d)
    assert plain_text(d) == decimal_text(q)
    rounded, places = policy.round_decimal(d)
    assert (F(rounded), places) == policy.round_fraction(q)
    assert policy.show_decimal(rounded, places).text == policy.show_fraction(q).text
