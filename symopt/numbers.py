"""Exact decimals and the one number policy of symopt.

Numbers in specs are exact decimals: ``0.1`` is ``Fraction(1, 10)``, never the binary float.
Every computed number a sheet shows goes through :class:`Policy`, which rounds it (half away from
zero, to D decimal places but never fewer than S significant figures, or to S significant figures)
and writes it (:class:`Shown`: the text, the number it says, whether and where it was rounded).
Given numbers (start values, hyperparameters, constants in formulas) are written by
:func:`constant_latex`, as given.  Plain texts of exact numbers, for JSON, keys, messages and specs,
are written here too, once each: :func:`decimal_text`, :func:`plain_text`, :func:`rational_text`,
:func:`value_text`, :func:`inline_text` and :func:`scientific_plain`.

Rounding is done on exact fractions with integer arithmetic, or on exact Decimals, so no digit
depends on binary floats; both paths give the same digits (``tests/test_numbers.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from fractions import Fraction
import re
from typing import NamedTuple

from .errors import echo

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
            raise ValueError(f"not a number: {echo(value)}") from None
    raise ValueError(f"not a number: {echo(repr(value), quote=False)}")


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
    exponent = floor_log10(abs(q))
    return round_half_away(q, digits - 1 - exponent)


def floor_log10(q: Fraction) -> int:
    """floor(log10(q)) for q > 0, exactly, in integers (no big decimal texts, no Fractions made)."""
    n, d = q.numerator, q.denominator

    def at_least(k: int) -> bool:  # q >= 10^k
        return n >= d * 10**k if k >= 0 else n * 10**-k >= d

    e = int((n.bit_length() - d.bit_length()) * 0.30102999566398120)
    while not at_least(e):
        e -= 1
    while at_least(e + 1):
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


def rational_text(q: Fraction) -> str:
    """The exact text of any rational: its decimal when that terminates (``-4.232``), else
    ``n/d`` (``1/3``, ``-2/3``)."""
    return decimal_text(q) if decimals_of(q) is not None else f"{q.numerator}/{q.denominator}"


def inline_text(q: Fraction) -> str:
    """A terminating q as it stands inside an expression it is substituted into: its decimal
    text, in parentheses when negative (``0.5``, ``(-0.5)``)."""
    text = decimal_text(q)
    return f"({text})" if q < 0 else text


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


#: Decimal contexts for work that must not round: WIDE (10 000 digits) for a value's display and
#: rounding, EXACT (as many digits as Decimal allows) for exact differences and scaling.
WIDE = Context(prec=10_000, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def plain_text(d: Decimal) -> str:
    """:func:`decimal_text` of a Decimal: ``-4.232``, ``64``, no trailing zeros, no exponent."""
    return format(d.normalize(WIDE), "f") if d else "0"


def value_text(x: Decimal | Fraction) -> str:
    """A value of a run as plain text, exactly: :func:`plain_text` of a Decimal, :func:`rational_text`
    of a Fraction (``-4.6003``, ``1/3``)."""
    return plain_text(x) if isinstance(x, Decimal) else rational_text(x)


def _scientific(q: Fraction, digits: int) -> tuple[str, int]:
    """q != 0 to `digits` significant digits as (the mantissa's text, the power of ten)."""
    r = round_significant(q, digits)
    k = floor_log10(abs(r))
    return decimal_text(r / Fraction(10) ** k), k


def scientific_text(q: Fraction, digits: int) -> str:
    """q != 0 to `digits` significant digits as ``-2.117 \\cdot 10^{-9}``."""
    mantissa, k = _scientific(q, digits)
    return f"{mantissa} \\cdot 10^{{{k}}}"


def scientific_plain(q: Fraction, digits: int) -> str:
    """:func:`scientific_text` as plain text: ``-2.117e-9``."""
    mantissa, k = _scientific(q, digits)
    return f"{mantissa}e{k}"


MESSAGE_DIGITS = 12  # a computed value in a message: at most this many significant digits


def short_text(q: Fraction) -> str:
    """A value in a message: as written, or a computed one to 12 significant digits (a skipped
    line's value is a binary fraction of 50 digits: -1.0316000…936536754416305354407643978089879…)."""
    text = rational_text(q)
    if "/" not in text and sum(c.isdigit() for c in text.lstrip("-0.")) > 15:
        return decimal_text(round_significant(q, MESSAGE_DIGITS))
    return text


def message_text(q: Fraction, places: int) -> str:
    """A computed value as a message shows it beside a writer's of `places` decimals: to those
    decimals (4 at least) and 3 significant digits at least (0.00025, not 0.0003), never more than
    12 significant digits (the checker's 50 are not all right); below 10^-6 as 3.33e-10, and from
    10^12 as 2e+299 (not 300 digits)."""
    if q == 0:
        return "0"
    lead = floor_log10(abs(q))
    if lead >= MESSAGE_DIGITS:
        return scientific_plain(q, MESSAGE_DIGITS)
    if lead < -6:
        return scientific_plain(q, min(MESSAGE_DIGITS, max(3, places + lead + 1)))
    decimals = min(max(places, 4, 2 - lead), MESSAGE_DIGITS - 1 - lead)
    return decimal_text(round_half_away(q, decimals))


def rounded_text(q: Fraction, places: int = 2) -> str:
    """``2.5``, ``0.33``: q exactly when it ends within `places` decimals, else rounded there (half
    up); points and scores are written so."""
    scale = 10**places
    if (q * scale).denominator == 1:
        return decimal_text(q)
    return decimal_text(Fraction((q * scale + Fraction(1, 2)).__floor__(), scale))


SCIENTIFIC_BELOW = -6  # a value below 10^-6 is written with a power of ten: 1.96 \cdot 10^{-7}


class Shown(NamedTuple):
    """A number as a sheet shows it: the text, the number that text says, and how it came about.
    (A named tuple: a long run makes one per line.)"""

    text: str  # LaTeX: -4.6003, 57.9170, 1.96 \cdot 10^{-7}, 0{,}5, \frac{1}{3}
    number: Decimal | Fraction  # what the text says, exactly (a Fraction only for \\frac{1}{3})
    rounded: bool  # the text is a rounding of the value (else it is the value itself)
    places: int | None  # the decimal place of its last digit (1.96 \cdot 10^{-7}: 9); None for \frac{1}{3}

    @property
    def value(self) -> Fraction:
        return self.number if type(self.number) is Fraction else Fraction(self.number)

    @property
    def unit(self) -> Fraction | None:
        """One unit of the last digit shown (10^-4 for -4.6003)."""
        return None if self.places is None else Fraction(1, 10**self.places) if self.places >= 0 else Fraction(10**-self.places)

    @property
    def plain(self) -> str:
        """The number as plain text, with a decimal point: ``-4.6003``, ``1.96e-7``, ``1/3``."""
        return rational_text(self.value)


@dataclass(frozen=True)
class Policy:
    """How values are rounded and written: the one number policy of a sheet.

    A value is rounded half away from zero to ``decimals`` places, but never to fewer than ``sig``
    significant figures (``decimals`` None: to ``sig`` significant figures); a value that ends
    within max(that place, ``keep``) decimals is written whole.  ``pad`` keeps a rounded value's
    trailing zeros (57.9170); ``comma`` writes decimal commas (0{,}5).  Values below 10^-6, values
    rounded to tens or more, and by significant figures rounded values with as many digits before
    the point as figures (4016 to 3 figures: 4.02 \\cdot 10^{3}) are written with a power of ten.
    """

    decimals: int | None = 4
    sig: int = 3
    keep: int | None = None  # None: a value is written whole only when it ends within its place
    pad: bool = False
    comma: bool = False

    def places(self, exponent: int, extra: int = 0) -> int:
        """The decimal place to round a value whose leading digit is at 10^exponent."""
        p = self.sig - 1 - exponent
        return (p if self.decimals is None else max(self.decimals, p)) + extra

    def unit(self, q: Fraction) -> Fraction:
        """One unit of the place this policy rounds q to: an answer's tolerance (10^-4 by hand:4,
        10^-5 for 0.0019206 by hand:4 with 3 significant figures, 10^-3 for 4.601 by sig:4)."""
        places = self.places(floor_log10(abs(q)) if q else 0)
        return Fraction(1, 10**places) if places >= 0 else Fraction(10**-places)

    # -- rounding --------------------------------------------------------------------------------
    def round_fraction(self, q: Fraction, extra: int = 0, whole: bool = True) -> tuple[Fraction, int | None]:
        """q as carried or shown: (the number, the place it was rounded to, None when written whole).
        `whole` False: q approximates an irrational value, which is always rounded."""
        if not q:
            return q, None
        limit = self.places(floor_log10(abs(q)), extra)
        if whole:
            places = decimals_of(q)
            if places == 0 and limit < 0:  # an integer: its last nonzero digit (3125 * 10^7: -7)
                n = abs(q.numerator)
                while n % 10 == 0:
                    n //= 10
                    places -= 1
            if places is not None and places <= (limit if self.keep is None else max(limit, self.keep)):
                return q, None
        r = round_half_away(q, limit)
        if r and floor_log10(abs(r)) != floor_log10(abs(q)):  # 0.09996 -> 0.1: one place fewer
            limit = self.places(floor_log10(abs(r)), extra)
            r = round_half_away(q, limit)
        return r, limit

    def round_decimal(self, d: Decimal, extra: int = 0) -> tuple[Decimal, int | None]:
        """:meth:`round_fraction` of an exact Decimal (normalized result, or quantized when rounded)."""
        if not d:
            return _ZERO, None
        limit = self.places(d.adjusted(), extra)
        n = d.normalize(WIDE)
        if -_exponent(n) <= (limit if self.keep is None else max(limit, self.keep)):
            return n, None
        r = d.quantize(_unit(limit), context=WIDE)
        if r and r.adjusted() != d.adjusted():
            limit = self.places(r.adjusted(), extra)
            r = d.quantize(_unit(limit), context=WIDE)
        return r, limit

    # -- writing ---------------------------------------------------------------------------------
    def show_fraction(self, q: Fraction, exact: bool = True, extra: int = 0) -> Shown:
        """A computed value: exact (a Fraction), or, when `exact` is False, a close approximation of
        an irrational value (never written whole)."""
        r, limit = self.round_fraction(q, extra, whole=exact)
        d = _decimal_of(r)
        if limit is None:
            return Shown(self.write(d, None), d, False, decimals_of(r))
        return Shown(self.write(d, limit), d, True, limit)

    def show_decimal(self, d: Decimal, rounded_to: int | None = None) -> Shown:
        """An exact Decimal as written: `rounded_to` is the place it was rounded to (None: whole)."""
        n = d.normalize(WIDE) if d else _ZERO
        if rounded_to is None:
            return Shown(self.write(n, None), n, False, max(0, -_exponent(n)))
        return Shown(self.write(n, rounded_to), n, True, rounded_to)

    def given(self, q: Fraction) -> Shown:
        """A start value, state or hyperparameter: as given, never rounded."""
        places = decimals_of(q)
        if places is None:
            return Shown(constant_latex(q), q, False, None)
        text = constant_latex(q)
        return Shown(text.replace(".", "{,}") if self.comma else text, _decimal_of(q), False, places)

    def write(self, d: Decimal, places: int | None) -> str:
        """The text of d, which is rounded to `places` (None: written whole)."""
        if not d:
            text = "0"
            if places is not None and self.pad and places > 0:
                text = "0." + "0" * places
            return text.replace(".", "{,}") if self.comma else text
        k = d.adjusted()
        if k < SCIENTIFIC_BELOW or (places is not None and (places < 0 or (self.decimals is None and (
                k >= self.sig or (places == 0 and k >= 1 and not WIDE.remainder(d, 10)))))):  # 200 to 3 figures: 2.00 \cdot 10^{2}
            mantissa = d.scaleb(-k, WIDE)
            if places is not None and self.pad:
                mantissa = mantissa.quantize(_unit(places + k), context=WIDE)
            else:
                mantissa = mantissa.normalize(WIDE)
            text = f"{format(mantissa, 'f')} \\cdot 10^{{{k}}}"
        elif places is not None and self.pad:
            text = format(d.quantize(_unit(places), context=WIDE), "f")
        else:
            text = format(d.normalize(WIDE), "f")
        return text.replace(".", "{,}") if self.comma else text


_ZERO = Decimal(0)


def _exponent(d: Decimal) -> int:
    """The exponent of a finite Decimal (``as_tuple()`` also allows the letter of an infinity or a NaN)."""
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int), d
    return exponent


def _unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _decimal_of(q: Fraction) -> Decimal:
    """A terminating Fraction as an exact Decimal."""
    places = decimals_of(q)
    return Decimal(f"{q.numerator * (10**places // q.denominator)}E-{places}") if places else Decimal(q.numerator)
