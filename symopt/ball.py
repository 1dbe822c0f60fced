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
from mpmath.libmp import (ComplexResult, from_int, fzero, mpf_abs, mpf_add, mpf_div, mpf_ge, mpf_gt, mpf_le,
                          mpf_lt, mpf_mul, mpf_neg, mpf_pos, mpf_pow, mpf_sub)

from .errors import SymoptError
from .functions import TABLE

DIGITS = 50
MAX_QUOTIENTS = 16384  # exact values a BallArithmetic keeps as mpmath numbers


@dataclass(frozen=True)
class Ball:
    mid: object  # mpmath mpf
    rad: object  # mpmath mpf, >= 0


def _regular(x: tuple) -> bool:
    """Whether a raw mpf is a number (not an infinity or nan): times 0 it is 0."""
    return bool(x[1]) or not x[2]


class BallArithmetic:
    """Arithmetic on :class:`Ball` values at :data:`DIGITS` digits.

    The operations are those of mpmath's numbers (``a.mid * b.mid`` is mpmath's ``mpf_mul`` at the
    context's precision and rounding), called on mpmath's raw numbers to save the dispatch of its
    operators; a radius 0 times a number is 0 without computing it.  Each gives the same digits
    as the operators would; a ball that holds something else than mpmath numbers of this context
    goes through the operators."""

    def __init__(self, digits: int = DIGITS):
        self.ctx = mpmath.MPContext()
        self.ctx.dps = digits
        self.zero = self.ctx.mpf(0)
        self.tiny = self.ctx.mpf(10) ** (-(digits - 10))  # relative: the working precision's own error
        self._precision = self.ctx._prec_rounding  # [bits, rounding], read as the context's own operations read it
        self._make = self.ctx.make_mpf
        self._mpf = self.ctx.mpf
        self.evaluators: dict = {}  # compiled trees (symopt.compiler.evaluator)
        self._quotients: dict = {}  # (numerator, denominator, precision, rounding) -> mpf

    def ball(self, q: Fraction, rad: Fraction | int = 0) -> Ball:
        return Ball(self._quotient(q), self._quotient(rad) if rad else self.zero)

    def _quotient(self, q: Fraction):
        """``ctx.mpf(q.numerator) / q.denominator``: the numerator rounded, then the quotient (the
        same numbers come back line after line: each is computed once, mpmath numbers are immutable)."""
        prec, rounding = self._precision
        key = (q.numerator, q.denominator, prec, rounding)
        value = self._quotients.get(key)
        if value is None:
            raw = mpf_pos(from_int(key[0]), prec, rounding)
            if key[1] != 1:  # x / 1 is x, which is already rounded
                raw = mpf_div(raw, from_int(key[1]), prec, rounding)
            if len(self._quotients) >= MAX_QUOTIENTS:
                self._quotients.clear()
            value = self._quotients[key] = self._make(raw)
        return value

    def const(self, q: Fraction) -> Ball:
        return self.ball(q)

    def pi(self) -> Ball:
        return Ball(+self.ctx.pi, self.zero)

    def _raw(self, a: Ball, b: Ball) -> tuple | None:
        """The raw mpf of a's and b's midpoints and radii, when all are mpmath numbers of this context."""
        mpf = self._mpf
        am, ar, bm, br = a.mid, a.rad, b.mid, b.rad
        if type(am) is mpf and type(ar) is mpf and type(bm) is mpf and type(br) is mpf:
            return am._mpf_, ar._mpf_, bm._mpf_, br._mpf_
        return None

    def add(self, a: Ball, b: Ball) -> Ball:
        raw = self._raw(a, b)
        if raw is None:
            return Ball(a.mid + b.mid, a.rad + b.rad)
        am, ar, bm, br = raw
        prec, rounding = self._precision
        return Ball(self._make(mpf_add(am, bm, prec, rounding)), self._make(mpf_add(ar, br, prec, rounding)))

    def sub(self, a: Ball, b: Ball) -> Ball:
        raw = self._raw(a, b)
        if raw is None:
            return Ball(a.mid - b.mid, a.rad + b.rad)
        am, ar, bm, br = raw
        prec, rounding = self._precision
        return Ball(self._make(mpf_sub(am, bm, prec, rounding)), self._make(mpf_add(ar, br, prec, rounding)))

    def neg(self, a: Ball) -> Ball:
        if type(a.mid) is not self._mpf:
            return Ball(-a.mid, a.rad)
        prec, rounding = self._precision
        return Ball(self._make(mpf_neg(a.mid._mpf_, prec, rounding)), a.rad)

    def mul(self, a: Ball, b: Ball) -> Ball:
        raw = self._raw(a, b)
        if raw is None:
            return Ball(a.mid * b.mid, abs(a.mid) * b.rad + abs(b.mid) * a.rad + a.rad * b.rad)
        am, ar, bm, br = raw
        prec, rounding = self._precision
        mid = self._make(mpf_mul(am, bm, prec, rounding))
        # |a| rb + |b| ra + ra rb: a radius 0 makes its terms 0 (times a number), and adding 0 changes nothing
        if ar == fzero and _regular(bm) and _regular(br):
            if br != fzero:
                return Ball(mid, self._make(mpf_mul(mpf_abs(am, prec, rounding), br, prec, rounding)))
            if _regular(am):
                return Ball(mid, self.zero)
        elif br == fzero and _regular(am) and _regular(ar):
            return Ball(mid, self._make(mpf_mul(mpf_abs(bm, prec, rounding), ar, prec, rounding)))
        rad = mpf_add(mpf_mul(mpf_abs(am, prec, rounding), br, prec, rounding),
                      mpf_mul(mpf_abs(bm, prec, rounding), ar, prec, rounding), prec, rounding)
        return Ball(mid, self._make(mpf_add(rad, mpf_mul(ar, br, prec, rounding), prec, rounding)))

    def div(self, a: Ball, b: Ball) -> Ball:
        raw = self._raw(a, b)
        if raw is None:
            if abs(b.mid) <= b.rad:
                raise SymoptError("division by zero")
            low = abs(b.mid) - b.rad
            return Ball(a.mid / b.mid, (abs(a.mid) * b.rad + abs(b.mid) * a.rad) / (abs(b.mid) * low))
        am, ar, bm, br = raw
        prec, rounding = self._precision
        size = mpf_abs(bm, prec, rounding)
        if mpf_le(size, br):
            raise SymoptError("division by zero")
        mid = self._make(mpf_div(am, bm, prec, rounding))
        if ar == fzero and br == fzero and _regular(am) and _regular(bm):  # 0 / (|b| |b|), and |b| > 0
            return Ball(mid, self.zero)
        low = mpf_sub(size, br, prec, rounding)
        top = mpf_add(mpf_mul(mpf_abs(am, prec, rounding), br, prec, rounding), mpf_mul(size, ar, prec, rounding), prec, rounding)
        return Ball(mid, self._make(mpf_div(top, mpf_mul(size, low, prec, rounding), prec, rounding)))

    def pow(self, a: Ball, b: Ball) -> Ball:
        ctx = self.ctx
        raw = self._raw(a, b)
        if raw is not None and raw[1] == fzero and raw[3] == fzero:  # an exact number to an exact power
            am, _, bm, _ = raw
            if (bm[1] and bm[2] >= 0) or bm == fzero:  # ctx.isint: an integer power, never complex
                if am == fzero and bm[0] and bm[1]:
                    raise SymoptError("division by zero (0 to a negative power)")
                prec, rounding = self._precision
                return Ball(self._make(mpf_pow(am, bm, prec, rounding)), self.zero)
        if b.rad == 0 and ctx.isint(b.mid):
            if a.mid == 0 and b.mid < 0:
                raise SymoptError("division by zero (0 to a negative power)")
            return self._spread(self._integer_power(b.mid), a, allow_negative=True)
        if a.mid < 0:
            raise SymoptError("a negative number to a fractional power is not a real number")
        low = max(a.mid - a.rad, self.zero)
        points = [ctx.power(x, y) for x in (low, a.mid + a.rad) for y in (b.mid - b.rad, b.mid + b.rad) if x or y > 0]
        mid = ctx.power(a.mid, b.mid)
        return Ball(mid, max((abs(p - mid) for p in points), default=self.zero))

    def _integer_power(self, k):
        """x -> ``ctx.power(x, k)`` for an integer k (mpmath's ``mpf_pow``, never complex)."""
        ctx, make, mpf = self.ctx, self._make, self._mpf
        if type(k) is not mpf:
            return lambda x: ctx.power(x, k)
        k = k._mpf_

        def power(x):
            if type(x) is not mpf:
                return ctx.power(x, make(k))
            prec, rounding = self._precision
            try:
                return make(mpf_pow(x._mpf_, k, prec, rounding))
            except ComplexResult:
                return ctx.power(x, make(k))

        return power

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
        if type(a.mid) is not self._mpf or type(b.mid) is not self._mpf:
            d = a.mid - b.mid
            return {">": d > 0, "<": d < 0, ">=": d >= 0, "<=": d <= 0}[op]
        prec, rounding = self._precision
        return _COMPARE[op](mpf_sub(a.mid._mpf_, b.mid._mpf_, prec, rounding), fzero)

    def extreme(self, func: str, a: Ball, b: Ball) -> Ball:
        return a if self.compare(">=" if func == "max" else "<=", a, b) else b

    def agree(self, a: Ball, b: Ball, slack=0) -> bool:
        """Whether a and b can be the same number, given their radii and `slack`."""
        raw = self._raw(a, b)
        if raw is None or not (type(slack) is int or type(slack) is self._mpf):
            scale = max(abs(a.mid), abs(b.mid))
            return abs(a.mid - b.mid) <= a.rad + b.rad + slack + self.tiny * scale
        am, ar, bm, br = raw
        prec, rounding = self._precision
        size_a, size_b = mpf_abs(am, prec, rounding), mpf_abs(bm, prec, rounding)
        scale = size_b if mpf_gt(size_b, size_a) else size_a  # max() keeps the first of equals
        room = mpf_add(ar, br, prec, rounding)
        room = mpf_add(room, from_int(slack) if type(slack) is int else slack._mpf_, prec, rounding)
        room = mpf_add(room, mpf_mul(self.tiny._mpf_, scale, prec, rounding), prec, rounding)
        return mpf_le(mpf_abs(mpf_sub(am, bm, prec, rounding), prec, rounding), room)


_COMPARE = {">": mpf_gt, "<": mpf_lt, ">=": mpf_ge, "<=": mpf_le}
