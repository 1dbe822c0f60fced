"""Numbers as a person writes them: a value and how far the true value may be from it.

A hand-worked ``≈ -4.0513`` stands for anything within half a unit of its last digit.  The checker
computes with such *balls* (midpoint and radius, the usual way to carry rounding through arithmetic)
so that a line is judged by what its written numbers can mean, not by one binary guess.

:class:`BallArithmetic` has the operations of :mod:`symopt.arith`, so the compiler's evaluators run
on balls unchanged: a rule compiled once serves every line.  Radii are first-order bounds, exact for
sums and products and tight for the small radii of written numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath

from .errors import SymoptError
from .functions import TABLE

DIGITS = 50


@dataclass(frozen=True)
class Ball:
    mid: object  # mpmath mpf
    rad: object  # mpmath mpf, >= 0


class BallArithmetic:
    """Arithmetic on :class:`Ball` values at :data:`DIGITS` digits."""

    def __init__(self, digits: int = DIGITS):
        self.ctx = mpmath.MPContext()
        self.ctx.dps = digits
        self.zero = self.ctx.mpf(0)
        self.tiny = self.ctx.mpf(10) ** (-(digits - 10))  # relative: the working precision's own error

    def ball(self, q: Fraction, rad: Fraction | int = 0) -> Ball:
        return Ball(self.ctx.mpf(q.numerator) / q.denominator, self.ctx.mpf(rad.numerator) / rad.denominator if rad else self.zero)

    def const(self, q: Fraction) -> Ball:
        return self.ball(q)

    def pi(self) -> Ball:
        return Ball(+self.ctx.pi, self.zero)

    def add(self, a: Ball, b: Ball) -> Ball:
        return Ball(a.mid + b.mid, a.rad + b.rad)

    def sub(self, a: Ball, b: Ball) -> Ball:
        return Ball(a.mid - b.mid, a.rad + b.rad)

    def neg(self, a: Ball) -> Ball:
        return Ball(-a.mid, a.rad)

    def mul(self, a: Ball, b: Ball) -> Ball:
        return Ball(a.mid * b.mid, abs(a.mid) * b.rad + abs(b.mid) * a.rad + a.rad * b.rad)

    def div(self, a: Ball, b: Ball) -> Ball:
        if abs(b.mid) <= b.rad:
            raise SymoptError("division by zero")
        low = abs(b.mid) - b.rad
        return Ball(a.mid / b.mid, (abs(a.mid) * b.rad + abs(b.mid) * a.rad) / (abs(b.mid) * low))

    def pow(self, a: Ball, b: Ball) -> Ball:
        ctx = self.ctx
        if b.rad == 0 and ctx.isint(b.mid):
            if a.mid == 0 and b.mid < 0:
                raise SymoptError("division by zero (0 to a negative power)")
            return self._spread(lambda x: ctx.power(x, b.mid), a, allow_negative=True)
        if a.mid < 0:
            raise SymoptError("a negative number to a fractional power is not a real number")
        low = max(a.mid - a.rad, self.zero)
        points = [ctx.power(x, y) for x in (low, a.mid + a.rad) for y in (b.mid - b.rad, b.mid + b.rad) if x or y > 0]
        mid = ctx.power(a.mid, b.mid)
        return Ball(mid, max((abs(p - mid) for p in points), default=self.zero))

    def call(self, name: str, a: Ball) -> Ball:
        ctx = self.ctx
        if name == "abs":
            return Ball(abs(a.mid), a.rad)
        if name == "sign":
            return Ball(ctx.mpf((a.mid > 0) - (a.mid < 0)), self.zero)
        if name == "sqrt" and a.mid < 0:
            raise SymoptError("square root of a negative number")
        if name == "log" and a.mid <= 0:
            raise SymoptError("logarithm of a number that is not positive")
        return self._spread(getattr(ctx, TABLE[name].mpmath), a, allow_negative=name not in ("sqrt", "log"))

    def _spread(self, f, a: Ball, allow_negative: bool) -> Ball:
        """f at the midpoint, with the radius f's values reach at the two ends (and 0 inside)."""
        mid = f(a.mid)
        if not a.rad:
            return Ball(mid, self.zero)
        low = a.mid - a.rad
        if not allow_negative:
            low = max(low, self.tiny * abs(a.mid))
        ends = [f(low), f(a.mid + a.rad)]
        if low < 0 < a.mid + a.rad:
            try:
                ends.append(f(self.zero))
            except (ZeroDivisionError, ValueError):
                pass
        return Ball(mid, max(abs(e - mid) for e in ends))

    def compare(self, op: str, a: Ball, b: Ball) -> bool:
        d = a.mid - b.mid
        return {">": d > 0, "<": d < 0, ">=": d >= 0, "<=": d <= 0}[op]

    def extreme(self, func: str, a: Ball, b: Ball) -> Ball:
        return a if self.compare(">=" if func == "max" else "<=", a, b) else b

    def agree(self, a: Ball, b: Ball, slack=0) -> bool:
        """Whether a and b can be the same number, given their radii and `slack`."""
        scale = max(abs(a.mid), abs(b.mid))
        return abs(a.mid - b.mid) <= a.rad + b.rad + slack + self.tiny * scale
