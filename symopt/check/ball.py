"""Numbers as a person writes them: a value and how far the true value may be from it.

A hand-worked ``≈ -4.0513`` stands for anything within half a unit of its last digit.  The checker
computes with such *balls* (midpoint and radius, the usual way to carry rounding through arithmetic)
so that a line is judged by what its written numbers can mean, not by one binary guess.

:class:`BallArithmetic` has the operations of :mod:`symopt.arith`, so the compiler's evaluators run
on balls unchanged: a rule compiled once serves every line.  Radii are first-order bounds, exact for
sums and products and tight for the small radii of written numbers.

Midpoints and radii are :class:`decimal.Decimal` numbers at :data:`DIGITS` digits, in a context
of their own (never the thread's, whose 28 digits Python's operators on Decimals would use): a
written number is a decimal, so it is held exactly, and a tie such as 0.455 against 0.45 ± 0.005 is
decided exactly.  Decimal's arithmetic is C (libmpdec); square roots, exp and ln are Decimal's own,
the other functions (and pi) come from mpmath at a few more digits.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
import decimal
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import mpmath

from ..arith import PERIODIC, Arithmetic, Evaluator, OnePass, periodic_past
from ..errors import SymoptError
from ..functions import TABLE
from ..numbers import EXACT, decimals_of

DIGITS = 50
MAX_QUOTIENTS = 16384  # exact values a BallArithmetic keeps as Decimals
MAX_DIGITS = 6_000  # a value with more digits before its point is not written out (about 2^20000)
MIN_DIGITS = -301_030  # nor one this small (about 2^-1000000)

_ZERO, _ONE = Decimal(0), Decimal(1)
_TRAPS = [decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]


class Ball(NamedTuple):
    mid: Decimal
    rad: Decimal  # >= 0


def fraction(x: Decimal) -> Fraction:
    """The exact value of a ball's midpoint or radius."""
    if not x.is_finite():
        raise SymoptError("the value is not finite (overflow)")
    if x and x.adjusted() >= MAX_DIGITS:
        raise SymoptError(f"the value is too large to write out (about 10^{x.adjusted()}); the run diverges")
    if x and x.adjusted() <= MIN_DIGITS:
        raise SymoptError(f"the value is too small to write out (about 10^{x.adjusted()})")
    return Fraction(x)


class BallArithmetic(OnePass):
    """Arithmetic on :class:`Ball` values at :data:`DIGITS` digits: midpoints rounded to nearest,
    radii rounded up.  It is a :class:`symopt.arith.Arithmetic` that computes each line once
    (:class:`~symopt.arith.OnePass`: no exact arithmetic beside it) and keeps what the compiler
    compiled for it (`evaluators`)."""

    def __init__(self, digits: int = DIGITS):
        self.ctx = decimal.Context(prec=digits, rounding=ROUND_HALF_EVEN, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                                   traps=_TRAPS)
        self.up = decimal.Context(prec=digits, rounding=ROUND_CEILING, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                                  traps=_TRAPS)  # for radii
        self.digits = digits
        self.zero = _ZERO
        self.tiny = Decimal(f"1E-{digits - 10}")  # relative: the working precision's own error
        self.evaluators: dict[Any, Evaluator] = {}  # compiled trees (symopt.compiler.evaluator)
        self._quotients: dict[tuple[int, int], Decimal] = {}  # (numerator, denominator) -> Decimal
        self._functions: dict[str, Callable[[Decimal], Decimal]] = {}  # name -> its function of a Decimal

    @cached_property
    def mp(self) -> mpmath.MPContext:  # made when first needed (pi, sin, ...): an mpmath context costs a millisecond or two
        mp = mpmath.MPContext()
        mp.dps = self.digits + 5
        return mp

    def ball(self, q: Fraction, rad: Fraction | int = 0) -> Ball:
        return Ball(self._quotient(q), self._quotient(rad) if rad else _ZERO)

    def _quotient(self, q: Fraction | int) -> Decimal:
        """q as a Decimal: exactly when it is a decimal (however many digits), else rounded (the
        same numbers come back line after line: each is made once, Decimals are immutable)."""
        key = (q.numerator, q.denominator)
        value = self._quotients.get(key)
        if value is None:
            places = decimals_of(q) if key[1] != 1 and isinstance(q, Fraction) else 0  # (an int: denominator 1)
            if places is not None:
                value = Decimal(key[0] * (10**places // key[1])).scaleb(-places, EXACT)
            else:
                value = self.ctx.divide(Decimal(key[0]), Decimal(key[1]))
            if len(self._quotients) >= MAX_QUOTIENTS:
                self._quotients.clear()
            self._quotients[key] = value
        return value

    def const(self, q: Fraction) -> Ball:
        return self.ball(q)

    def pi(self) -> Ball:
        return Ball(self._from_mp(+self.mp.pi), _ZERO)

    def _from_mp(self, x: mpmath.mpf) -> Decimal:
        return self.ctx.plus(Decimal(mpmath.libmp.to_str(x._mpf_, self.mp.dps)))

    def add(self, a: Ball, b: Ball) -> Ball:
        return Ball(self.ctx.add(a.mid, b.mid), self.up.add(a.rad, b.rad) if b.rad else a.rad)

    def sub(self, a: Ball, b: Ball) -> Ball:
        return Ball(self.ctx.subtract(a.mid, b.mid), self.up.add(a.rad, b.rad) if b.rad else a.rad)

    def neg(self, a: Ball) -> Ball:
        return Ball(a.mid.copy_negate(), a.rad)

    def mul(self, a: Ball, b: Ball) -> Ball:
        mid = self.ctx.multiply(a.mid, b.mid)
        ar, br = a.rad, b.rad
        if not ar and not br:
            return Ball(mid, _ZERO)
        up = self.up
        if not ar:
            return Ball(mid, up.multiply(a.mid.copy_abs(), br))
        if not br:
            return Ball(mid, up.multiply(b.mid.copy_abs(), ar))
        # |a| rb + |b| ra + ra rb
        rad = up.add(up.add(up.multiply(a.mid.copy_abs(), br), up.multiply(b.mid.copy_abs(), ar)), up.multiply(ar, br))
        return Ball(mid, rad)

    def div(self, a: Ball, b: Ball) -> Ball:
        size = b.mid.copy_abs()
        if size <= b.rad:
            raise SymoptError("division by zero")
        mid = self.ctx.divide(a.mid, b.mid)
        if not a.rad and not b.rad:
            return Ball(mid, _ZERO)
        up = self.up
        low = self.ctx.subtract(size, b.rad)  # > 0
        top = up.add(up.multiply(a.mid.copy_abs(), b.rad), up.multiply(size, a.rad))
        return Ball(mid, up.divide(top, up.multiply(size, low)))

    def pow(self, a: Ball, b: Ball) -> Ball:
        if b.rad or b.mid != b.mid.to_integral_value():
            return self._real_power(a, b)
        k = b.mid
        if not a.mid and k < 0:
            raise SymoptError("division by zero (0 to a negative power)")
        if not a.rad:
            return Ball(self._power(a.mid, k), _ZERO)
        return self._spread(lambda x: self._power(x, k), a, allow_negative=True)

    def _power(self, x: Decimal, k: Decimal) -> Decimal:
        if not k:
            return _ONE  # 0^0 = 1, as in SymPy and mpmath (Decimal leaves it undefined)
        try:
            r = self.ctx.power(x, k)
        except (decimal.Overflow, decimal.InvalidOperation):
            raise SymoptError("the power is too large to compute") from None
        except decimal.DivisionByZero:
            raise SymoptError("division by zero (0 to a negative power)") from None
        if not MIN_DIGITS < r.adjusted() < MAX_DIGITS:  # 2^(10^10): computed, but no message could write it
            raise SymoptError(f"the power is too {'large' if r.adjusted() > 0 else 'small'} to compute (about 10^{r.adjusted()})")
        return r

    def _real_power(self, a: Ball, b: Ball) -> Ball:
        if a.mid < 0:
            raise SymoptError("a negative number to a fractional power is not a real number")
        ctx = self.ctx
        mid = self._power(a.mid, b.mid)
        low = max(ctx.subtract(a.mid, a.rad), _ZERO)
        corners = [self._power(x, y) for x in (low, ctx.add(a.mid, a.rad))
                   for y in (ctx.subtract(b.mid, b.rad), ctx.add(b.mid, b.rad)) if x or y > 0]
        return Ball(mid, max((self.up.subtract(p, mid).copy_abs() for p in corners), default=_ZERO))

    def call(self, name: str, a: Ball) -> Ball:
        if name == "abs":
            return Ball(a.mid.copy_abs(), a.rad)
        if name == "sign":
            return Ball(Decimal((a.mid > 0) - (a.mid < 0)), _ZERO)
        if name == "floor":  # a whole number, exact unless the ball holds a whole number of its own
            return self._spread(lambda x: x.to_integral_value(ROUND_FLOOR), a, allow_negative=True)
        if name == "sqrt" and a.mid < 0:
            raise SymoptError("square root of a negative number")
        if name == "log" and a.mid <= 0:
            raise SymoptError("logarithm of a number that is not positive")
        return self._spread(self._function(name), a, allow_negative=name not in ("sqrt", "log"))

    def _function(self, name: str) -> Callable[[Decimal], Decimal]:
        """x -> name(x) at the working precision: Decimal's own where it has it, else mpmath's
        (made once per function)."""
        made = self._functions.get(name)
        if made is None:
            made = self._functions[name] = self._make_function(name)
        return made

    def _make_function(self, name: str) -> Callable[[Decimal], Decimal]:
        row = TABLE[name]
        method: Callable[[Decimal], Decimal]
        if row.decimal:
            method = getattr(self.ctx, row.decimal)
        elif row.mpmath is not None:
            mp, function = self.mp, getattr(self.mp, row.mpmath)
            method = lambda x: self._from_mp(function(mp.mpf(str(x))))
        else:  # max, min, where: never a call of one number (the compiler computes them)
            raise TypeError(f"{name} is not a function of one number")

        def value(x: Decimal) -> Decimal:
            if name in PERIODIC and x and x.adjusted() > self.mp.dps - 10:
                raise SymoptError(periodic_past(name, x.adjusted(), advice=""))
            try:
                r = method(x)
            except (decimal.Overflow, decimal.InvalidOperation, OverflowError, ValueError):
                raise SymoptError(f"{name} of {x:.6g} cannot be computed") from None
            if not r.is_finite():
                raise SymoptError(f"{name} of {x:.6g} is not finite")
            if not MIN_DIGITS < r.adjusted() < MAX_DIGITS:  # exp(10^5): computed, but no message could write it
                raise SymoptError(f"{name} of {x:.6g} is too {'large' if r.adjusted() > 0 else 'small'} to compute (about 10^{r.adjusted()})")
            return r

        return value

    def _spread(self, f: Callable[[Decimal], Decimal], a: Ball, allow_negative: bool) -> Ball:
        """f at the midpoint, with the radius f's values reach at the two ends (and 0 inside)."""
        mid = f(a.mid)
        if not a.rad:
            return Ball(mid, _ZERO)
        ctx = self.ctx
        low, high = ctx.subtract(a.mid, a.rad), ctx.add(a.mid, a.rad)
        if not allow_negative:
            low = max(low, ctx.multiply(self.tiny, a.mid.copy_abs()))
        ends = [f(low), f(high)]
        if low < 0 < high:
            with suppress(SymoptError):
                ends.append(f(_ZERO))
        return Ball(mid, max(self.up.subtract(e, mid).copy_abs() for e in ends))

    def compare(self, op: str, a: Ball, b: Ball) -> bool:
        x, y = a.mid, b.mid
        return x > y if op == ">" else x < y if op == "<" else x >= y if op == ">=" else x <= y

    def extreme(self, func: str, a: Ball, b: Ball) -> Ball:
        return a if self.compare(">=" if func == "max" else "<=", a, b) else b

    def around(self, q: Fraction, b: Ball) -> Ball:
        """A ball centred on q that holds b."""
        mid = self._quotient(q)
        return Ball(mid, self.up.add(self.up.subtract(mid, b.mid).copy_abs(), b.rad))

    def agree(self, a: Ball, b: Ball, slack: Decimal | int = 0) -> bool:
        """Whether a and b can be the same number, given their radii and `slack`."""
        up = self.up
        x, y = a.mid.copy_abs(), b.mid.copy_abs()
        room = up.add(a.rad, b.rad) if b.rad else a.rad
        if slack:
            room = up.add(room, slack)
        room = up.add(room, up.multiply(self.tiny, y if y > x else x))
        return self.ctx.subtract(a.mid, b.mid).copy_abs() <= room


if TYPE_CHECKING:
    _: Arithmetic = BallArithmetic()  # mypy's proof that the compiler's evaluators run on balls
