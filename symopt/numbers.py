"""Exact decimals and the one number-formatting policy of symopt.

Numbers in specs are exact decimals: ``0.1`` is ``Fraction(1, 10)``, never the binary float.
Every displayed number goes through :func:`show`, which implements the sheet's rule:

    a value whose decimal expansion ends within max(D, K) decimals is printed in full,
    otherwise it is rounded half away from zero to D decimals.

Rounding is done on exact fractions with integer arithmetic, so no digit depends on binary floats.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from fractions import Fraction
import re

_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


MAX_POWER = 300  # numbers in specs lie between 10^-300 and 10^300 (or are 0)


def parse_decimal(text: str) -> Fraction:
    """The exact value of a decimal literal such as ``"0.1"``, ``"-5"`` or ``"1e-6"``."""
    text = text.strip()
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"not a decimal number: {text!r}")
    try:
        d = Decimal(text)
    except InvalidOperation:  # an exponent past what Decimal holds (found by fuzzing: 1e99999…)
        raise ValueError(f"{text[:30]} is out of range: numbers must lie between 10^-{MAX_POWER} and 10^{MAX_POWER}") from None
    return _in_range(d)


def _in_range(d: Decimal) -> Fraction:
    if not d.is_finite():
        raise ValueError(f"not a finite number: {d}")
    if d and not -MAX_POWER <= d.adjusted() < MAX_POWER:
        raise ValueError(f"{d} is out of range: numbers must lie between 10^-{MAX_POWER} and 10^{MAX_POWER}")
    return Fraction(d)


def exact(value: object) -> Fraction:
    """An exact Fraction from a spec value: int, Decimal (TOML floats), a float's shortest repr,
    a decimal string, or a Fraction.  Raises ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError("a number is needed, not true/false")
    if isinstance(value, int):
        return _in_range(Decimal(value)) if abs(value) >= 10**MAX_POWER else Fraction(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Decimal):
        return _in_range(value)
    if isinstance(value, float):
        # The Python API accepts floats; 0.1 means what the user typed, 1/10.
        return parse_decimal(repr(value))
    if isinstance(value, str):
        try:
            return parse_decimal(value)
        except (ValueError, InvalidOperation):
            raise ValueError(f"not a number: {value!r}") from None
    raise ValueError(f"not a number: {value!r}")


def round_half_away(q: Fraction, decimals: int) -> Fraction:
    """q rounded to `decimals` decimals (negative: to tens, hundreds, ...), halves away from zero:
    0.125 -> 0.13, -0.125 -> -0.13."""
    if decimals >= 0:  # in integers: one Fraction made, not five
        n, d, scale = q.numerator, q.denominator, 10**decimals
        rounded = (2 * abs(n) * scale + d) // (2 * d)
        return Fraction(rounded if n >= 0 else -rounded, scale)
    scale = Fraction(10) ** decimals
    scaled = abs(q) * scale
    rounded = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return (rounded if q >= 0 else -rounded) / scale


def round_significant(q: Fraction, digits: int) -> Fraction:
    """q rounded half away from zero to `digits` significant digits."""
    if q == 0:
        return q
    exponent = _floor_log10(abs(q))
    return round_half_away(q, digits - 1 - exponent)


def _floor_log10(q: Fraction) -> int:
    """floor(log10(q)) for q > 0, exactly, without printing big integers."""
    e = int((q.numerator.bit_length() - q.denominator.bit_length()) * 0.30102999566398120)
    while Fraction(10) ** e > q:
        e -= 1
    while Fraction(10) ** (e + 1) <= q:
        e += 1
    return e


def decimals_of(q: Fraction) -> int | None:
    """How many decimals q's expansion has, or None when it does not terminate (1/3)."""
    d = q.denominator
    twos = (d & -d).bit_length() - 1
    d >>= twos
    fives = round(d.bit_length() / 2.321928094887362) if d > 1 else 0  # log2(5)
    for k in (fives - 1, fives, fives + 1):
        if k >= 0 and 5**k == d:
            return max(twos, k)
    return None


_CHUNK = 10**1000


def _digits(n: int) -> str:
    """str(n) for n >= 0 of any size (Python refuses str() past 4300 digits)."""
    if n < _CHUNK:
        return str(n)
    high, low = divmod(n, _CHUNK)
    return _digits(high) + str(low).rjust(1000, "0")


def decimal_text(q: Fraction) -> str:
    """The exact decimal text of a terminating q, without trailing zeros (``-4.232``, ``64``)."""
    places = decimals_of(q)
    if places is None:
        raise ValueError(f"{q} has no finite decimal expansion")
    sign = "-" if q < 0 else ""
    scaled = abs(q.numerator) * (10**places // q.denominator)
    digits = _digits(scaled).rjust(places + 1, "0")
    whole, frac = digits[: len(digits) - places], digits[len(digits) - places :]
    return sign + whole + ("." + frac if frac else "")


def power_of_ten(q: Fraction) -> int | None:
    """k when q == 10**k for k <= -5 (printed ``10^{-6}``), else None."""
    if q <= 0 or q.numerator != 1:
        return None
    d, k = q.denominator, 0
    while d % 10 == 0:
        d //= 10
        k += 1
    return -k if d == 1 and k >= 5 else None


def constant_latex(q: Fraction) -> str:
    """A constant as written in a formula: ``0.2``, ``10^{-6}``, or ``\\frac{1}{3}``."""
    k = power_of_ten(q)
    if k is not None:
        return f"10^{{{k}}}"
    if decimals_of(q) is not None:
        return decimal_text(q)
    sign = "-" if q < 0 else ""
    return f"{sign}\\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


_WIDE = Context(prec=10_000, Emax=MAX_EMAX, Emin=MIN_EMIN)


def plain_text(d: Decimal) -> str:
    """:func:`decimal_text` of a Decimal: ``-4.232``, ``64``, no trailing zeros, no exponent."""
    return format(d.normalize(_WIDE), "f") if d else "0"


def decimal_latex(d: Decimal) -> str:
    """:func:`constant_latex` of a Decimal: ``0.2``, or ``10^{-6}``."""
    sign, digits, exponent = d.normalize(_WIDE).as_tuple()
    if digits == (1,) and not sign and exponent <= -5:
        return f"10^{{{exponent}}}"
    return plain_text(d)


def scientific_text(q: Fraction, digits: int) -> str:
    """q != 0 to `digits` significant digits as ``-2.117 \\cdot 10^{-9}``."""
    r = round_significant(q, digits)
    k = _floor_log10(abs(r))
    mantissa = decimal_text(r / Fraction(10) ** k)
    return f"{mantissa} \\cdot 10^{{{k}}}"


def scientific_latex(d: Decimal, digits: int) -> str:
    """:func:`scientific_text` of a Decimal d != 0."""
    r = Context(prec=digits, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN).plus(d)
    k = r.adjusted()
    return f"{plain_text(r.scaleb(-k, _WIDE))} \\cdot 10^{{{k}}}"


def show(q: Fraction, decimals: int, keep: int, *, exact: bool = True) -> tuple[str, bool]:
    """The sheet's text for a value, and whether it was rounded.

    `q` is the value (or, when `exact` is False, a close approximation of an irrational value).
    A value that terminates within max(decimals, keep) decimals is shown in full, else rounded
    half away from zero to `decimals` decimals -- except that a value which is not 0 is never
    shown as 0: below half a unit of the last decimal it is shown with `decimals` significant
    digits in scientific notation (``2.5 \\cdot 10^{-6}``).
    """
    places = decimals_of(q) if exact else None
    if places is not None and places <= max(decimals, keep):
        return constant_latex(q), False
    rounded = round_half_away(q, decimals)
    if rounded == 0 and q != 0:
        text = scientific_text(q, max(decimals, 1))
        return text, not (exact and round_significant(q, max(decimals, 1)) == q)
    return decimal_text(rounded), True
