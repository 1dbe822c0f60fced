"""Number modes: how a line's value is computed and what is carried to the next line.

A mode is an arithmetic with a handful of operations; rule evaluators (see :mod:`symopt.compiler`)
call them, so the same compiled rule runs in every mode.

- ``exact``: Fractions while values stay rational, SymPy once a radical or transcendental value
  appears.  Values that grow past a size budget stop the run with an error (nested radicals
  grow about 3.5x per Adam epoch).
- ``precision:N``: mpmath with N significant digits plus guard digits; values are reported to N.
- ``hand:D`` (keep K): what a student does.  Each line is computed exactly from the carried
  numbers, then rounded half away from zero to D decimals unless it ends within K decimals; the
  rounded value is what later lines use.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import isqrt
import re

import mpmath

from .errors import Diverged, SymoptError
from .numbers import decimal_text, decimals_of, round_half_away, round_significant, show

GUARD_DIGITS = 10
HAND_WORKING_DIGITS = 60
EXACT_DIGITS_BUDGET = 2_000  # digits of an exact fraction's numerator or denominator
EXACT_SIZE_BUDGET = 500  # SymPy nodes in one value: Adam and RMSProp reach 398 at epoch 4, ~1400 at epoch 5


@dataclass(frozen=True)
class NumberMode:
    """The spec's ``numbers``: kind, D decimals shown, K decimals kept, N digits (precision)."""

    kind: str = "exact"  # exact | precision | hand
    decimals: int = 4
    keep: int | None = None
    digits: int = 30

    @property
    def kept(self) -> int:
        return self.decimals if self.keep is None else self.keep

    def __str__(self) -> str:
        if self.kind == "precision":
            return f"precision:{self.digits}"
        if self.kind == "hand":
            return f"hand:{self.decimals}" + (f" keep {self.keep}" if self.keep is not None else "")
        return "exact"

    def arithmetic(self) -> "Arithmetic":
        if self.kind == "precision":
            return Precision(self)
        if self.kind == "hand":
            return Hand(self)
        return Exact(self)


def parse_mode(value: object) -> NumberMode:
    """``"exact"``, ``"precision:30"``, ``"hand:4"``, or a table ``{mode, decimals, keep, digits}``."""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(exact|precision|hand)\s*(?::\s*([0-9]+))?(?:\s+keep\s+([0-9]+))?\s*", value)
        if not m:
            raise SymoptError(f"unknown number mode {value!r}; use exact, precision:N, hand:D or hand:D keep K")
        kind, n, keep = m.groups()
        if keep is not None and kind != "hand":
            raise SymoptError(f"keep goes with hand:D, not {kind}")
        if kind == "exact":
            if n is not None:
                raise SymoptError("exact takes no number; use exact, precision:N or hand:D")
            return NumberMode("exact")
        if n is None:
            raise SymoptError(f"{kind} needs a number, e.g. {kind}:{30 if kind == 'precision' else 4}")
        if kind == "precision":
            return _checked(NumberMode("precision", digits=int(n)))
        return _checked(NumberMode("hand", decimals=int(n), keep=None if keep is None else int(keep)))
    if isinstance(value, dict):
        allowed = {"mode", "decimals", "keep", "digits"}
        unknown = set(value) - allowed
        if unknown:
            raise SymoptError(f"unknown key {sorted(unknown)[0]!r}; numbers takes {', '.join(sorted(allowed))}")
        kind = value.get("mode", "exact")
        if kind not in ("exact", "precision", "hand"):
            raise SymoptError(f"unknown number mode {kind!r}; use exact, precision or hand")
        ints = {}
        for key in ("decimals", "keep", "digits"):
            if key in value:
                if isinstance(value[key], bool) or not isinstance(value[key], int):
                    raise SymoptError(f"{key} must be a whole number, got {value[key]!r}")
                ints[key] = value[key]
        return _checked(NumberMode(kind, **ints))
    raise SymoptError(f"numbers must be a string such as \"hand:4\" or a table, got {value!r}")


def _checked(mode: NumberMode) -> NumberMode:
    if not 0 <= mode.decimals <= 30:
        raise SymoptError(f"decimals must be between 0 and 30, got {mode.decimals}")
    if mode.keep is not None and not 0 <= mode.keep <= 30:
        raise SymoptError(f"keep must be between 0 and 30, got {mode.keep}")
    if not 5 <= mode.digits <= 1000:
        raise SymoptError(f"precision digits must be between 5 and 1000, got {mode.digits}")
    return mode


MAX_EXPONENT = 10_000
MAX_BITS = 20_000
TINY_BITS = 1_000_000  # a value below 2^-1000000 (about 10^-301030) cannot be written out either
LIMIT = Fraction(10) ** 300  # a carried value this large means the run diverges
LIMIT_BITS = 997  # 2^997 < 10^300 < 2^998


def _diverges() -> SymoptError:
    return Diverged("the value is past 10^300: the run diverges (a smaller alpha helps)")  # |x| < 2^20000 (about 10^6000): past that a value cannot be written out


def mpf_fraction(x) -> Fraction:
    """The exact value of an mpmath (or SymPy Float) binary number."""
    sign, man, exp, bc = x._mpf_
    if not man and exp:  # inf, -inf or nan
        raise SymoptError("the value is not finite (overflow)")
    if man and exp + bc >= MAX_BITS:
        raise SymoptError(f"the value is too large to write out (about 2^{float(exp + bc):.3g}); the run diverges")
    if man and exp + bc <= -TINY_BITS:
        raise SymoptError(f"the value is too small to write out (about 2^{float(exp + bc):.3g}); hand:D would round it to 0")
    q = Fraction(man) * (Fraction(2) ** exp)
    return -q if sign else q


def _exact_sqrt(q: Fraction) -> Fraction | None:
    n, d = q.numerator, q.denominator
    rn, rd = isqrt(n), isqrt(d)
    return Fraction(rn, rd) if rn * rn == n and rd * rd == d else None


def _check_domain(name: str, a) -> None:
    """Refuse what has no real value: a root or logarithm of a negative number."""
    if name == "sqrt" and a < 0:
        raise SymoptError("square root of a negative number")
    if name == "log" and a <= 0:
        raise SymoptError("logarithm of a number that is not positive")


def _check_power(a, b, integral: bool) -> None:
    if a < 0 and not integral:
        raise SymoptError("a negative number to a fractional power is not a real number")
    if a == 0 and b < 0:
        raise SymoptError("division by zero (0 to a negative power)")


def _mp_function(ctx, name: str, a):
    """A whitelisted function of an mpmath number, real-valued or refused."""
    _check_domain(name, a)
    if name == "abs":
        return abs(a)
    if name == "sign":
        return ctx.mpf((a > 0) - (a < 0))
    return getattr(ctx, name)(a)


class Arithmetic:
    """Operations on one mode's values.  `carry` turns a line's result into the value later lines
    use; `show` gives its text on the sheet; `param` its full-precision text for JSON."""

    def __init__(self, mode: NumberMode):
        self.mode = mode

    def shown(self, value) -> tuple[str, bool]:
        q, exact = self.approx(value)
        return show(q, self.mode.decimals, self.mode.kept, exact=exact)

    def compare(self, op: str, a, b) -> bool:
        """``a op b`` for a comparison of where(): > < >= <=."""
        s = self.signum(self.sub(a, b))
        return {">": s > 0, "<": s < 0, ">=": s >= 0, "<=": s <= 0}[op]

    def extreme(self, func: str, a, b):
        """max(a, b) or min(a, b)."""
        return a if self.compare(">=" if func == "max" else "<=", a, b) else b


class _RationalFirst(Arithmetic):
    """Fractions while they last; `irrational` takes over for anything else."""

    def const(self, q: Fraction):
        return q

    def add(self, a, b):
        return a + b if type(a) is type(b) is Fraction else self.lift(a) + self.lift(b)

    def sub(self, a, b):
        return a - b if type(a) is type(b) is Fraction else self.lift(a) - self.lift(b)

    def mul(self, a, b):
        return a * b if type(a) is type(b) is Fraction else self.lift(a) * self.lift(b)

    def neg(self, a):
        return -a

    def signum(self, a) -> int:
        x = a if type(a) is Fraction else self.sign_value(a)
        return int(bool(x > 0)) - int(bool(x < 0))  # bool(): SymPy's comparisons give its own booleans

    def div(self, a, b):
        if self.is_zero(b):
            raise SymoptError("division by zero")
        return a / b if type(a) is type(b) is Fraction else self.lift(a) / self.lift(b)

    def pow(self, a, b):
        if type(b) is Fraction and abs(b) > MAX_EXPONENT:
            raise SymoptError(f"exponent {float(b):.4g} is too large (over {MAX_EXPONENT}); the run diverges")
        if type(a) is type(b) is Fraction:
            _check_power(a, b, b.denominator == 1)
            if b.denominator == 1:
                return a ** int(b)
        return self.power(self.lift(a), self.lift(b))

    def call(self, name: str, a):
        if type(a) is Fraction:
            _check_domain(name, a)
            if name == "abs":
                return abs(a)
            if name == "sign":
                return Fraction((a > 0) - (a < 0))
            if name == "sqrt":
                root = _exact_sqrt(a)
                if root is not None:
                    return root
        return self.function(name, self.lift(a))


class Exact(_RationalFirst):
    def __init__(self, mode: NumberMode):
        super().__init__(mode)
        import sympy

        self.sympy = sympy
        self.functions = {
            "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "sin": sympy.sin,
            "cos": sympy.cos, "tan": sympy.tan, "sinh": sympy.sinh, "cosh": sympy.cosh,
            "tanh": sympy.tanh, "atan": sympy.atan, "abs": sympy.Abs, "sign": sympy.sign,
        }

    def pi(self):
        return self.sympy.pi

    def lift(self, a):
        return self.sympy.Rational(a.numerator, a.denominator) if type(a) is Fraction else a

    def lower(self, e):
        if type(e) is Fraction:
            return e
        if e.is_Rational:
            return Fraction(int(e.p), int(e.q))
        return e

    def is_zero(self, b) -> bool:
        return b == 0 if type(b) is Fraction else bool(self.numeric(b) == 0)

    def power(self, a, b):
        _check_power(self.numeric(a), self.numeric(b), bool(b.is_integer))
        return self.lower(a**b)

    def function(self, name, a):
        if name in ("sqrt", "log"):
            _check_domain(name, self.numeric(a))
        return self.lower(self.functions[name](a))

    def sign_value(self, e):
        return self.numeric(e)

    def numeric(self, e):
        """A 60-digit SymPy Float, for signs and display; never used to carry."""
        return e.evalf(HAND_WORKING_DIGITS)

    def carry(self, value):
        value = self.lower(value)
        if abs(value) >= LIMIT if type(value) is Fraction else abs(self.numeric(value)) >= 10**300:
            raise _diverges()
        if type(value) is Fraction:
            bits = max(value.numerator.bit_length(), value.denominator.bit_length())
            if bits > EXACT_DIGITS_BUDGET * 3.33:
                raise SymoptError(f"exact values grow too large (over {EXACT_DIGITS_BUDGET} digits)", "exact")
        else:
            size = 0
            for _ in self.sympy.preorder_traversal(value):
                size += 1
                if size > EXACT_SIZE_BUDGET:
                    raise SymoptError("exact values grow too large", "exact")
        return value

    def approx(self, value) -> tuple[Fraction, bool]:
        if type(value) is Fraction:
            return value, True
        return mpf_fraction(self.numeric(value)), False

    def param(self, value) -> str:
        q, exact = self.approx(value)
        if exact and decimals_of(q) is not None:
            return decimal_text(q)
        return decimal_text(round_significant(q, 40))


class Hand(_RationalFirst):
    """A line is exact until a root or function makes it irrational; then 60 digits are plenty
    to round it correctly to D decimals."""

    def __init__(self, mode: NumberMode):
        super().__init__(mode)
        self.ctx = mpmath.MPContext()
        self.ctx.dps = HAND_WORKING_DIGITS

    def pi(self):
        return +self.ctx.pi

    def lift(self, a):
        return self.ctx.mpf(a.numerator) / a.denominator if type(a) is Fraction else a

    def is_zero(self, b) -> bool:
        return b == 0

    def sign_value(self, e):
        return e

    def power(self, a, b):
        _check_power(a, b, self.ctx.isint(b))
        return self.ctx.power(a, b)

    def function(self, name, a):
        return _mp_function(self.ctx, name, a)

    def carry(self, value) -> Fraction:
        if abs(value) >= LIMIT if type(value) is Fraction else self.ctx.mag(value) > LIMIT_BITS:
            raise _diverges()
        if type(value) is Fraction:
            places = decimals_of(value)
            if places is not None and places <= self.mode.kept:
                return value
            return round_half_away(value, self.mode.decimals)
        if not value or self.ctx.mag(value) < -4 * self.mode.decimals - 8:  # far below 10^-D
            return Fraction(0)
        return round_half_away(mpf_fraction(value), self.mode.decimals)

    def approx(self, value) -> tuple[Fraction, bool]:
        return value, True

    def param(self, value) -> str:
        return decimal_text(value)


class Precision(Arithmetic):
    """mpmath at N + 10 digits; values are read to N significant digits."""

    def __init__(self, mode: NumberMode):
        super().__init__(mode)
        self.ctx = mpmath.MPContext()
        self.ctx.dps = mode.digits + GUARD_DIGITS

    def const(self, q: Fraction):
        return self.ctx.mpf(q.numerator) / q.denominator

    def pi(self):
        return +self.ctx.pi

    def add(self, a, b):
        return a + b

    def sub(self, a, b):
        return a - b

    def mul(self, a, b):
        return a * b

    def neg(self, a):
        return -a

    def signum(self, a) -> int:
        return (a > 0) - (a < 0)

    def div(self, a, b):
        if b == 0:
            raise SymoptError("division by zero")
        return a / b

    def pow(self, a, b):
        _check_power(a, b, self.ctx.isint(b))
        return self.ctx.power(a, b)

    def call(self, name: str, a):
        return _mp_function(self.ctx, name, a)

    def carry(self, value):
        if not self.ctx.isfinite(value):
            raise Diverged("the value is not finite (overflow)")
        if self.ctx.mag(value) > LIMIT_BITS:
            raise _diverges()
        return value

    def approx(self, value) -> tuple[Fraction, bool]:
        """The working value, or the short decimal it equals to within the guard digits (0.1
        computed in binary is 0.1), so that display rounds once, from the real value."""
        places = self.mode.decimals if self.mode.keep is None else max(self.mode.decimals, self.mode.keep)
        sign, man, exp, _ = value._mpf_
        if man and -4000 < exp < 0:  # the common case, in integers: x = man / 2^-exp, rounded to `places`
            n, d = man * 10**places, 1 << -exp
            q, rem = divmod(n, d)
            if 2 * rem >= d:
                q += 1
            if abs(n - q * d) * 10 ** (self.mode.digits + GUARD_DIGITS // 2) <= n:
                return Fraction(-q if sign else q, 10**places), True
            return Fraction(-man if sign else man, d), False
        x = mpf_fraction(value)
        r = round_half_away(x, places)
        if abs(x - r) <= abs(x) / Fraction(10) ** (self.mode.digits + GUARD_DIGITS // 2):
            return r, True
        return x, False

    def param(self, value) -> str:
        return decimal_text(round_significant(mpf_fraction(value), self.mode.digits))
