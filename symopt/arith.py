"""Number modes: how a line's value is computed and what is carried to the next line.

A mode is an arithmetic with a handful of operations; rule evaluators (see :mod:`symopt.compiler`)
call them, so the same compiled rule runs in every mode.

- ``exact``: Fractions while values stay rational, SymPy once a radical or transcendental value
  appears.  Values that grow past a size budget stop the run with an error (nested radicals
  grow about 3.5x per Adam epoch).
- ``precision:N``: decimal floating point (:mod:`decimal`) with N significant digits plus guard
  digits; values are reported to N.
- ``hand:D`` (keep K): what a student does.  Each line's value is that of the exact computation
  from the carried numbers, rounded half away from zero to D decimals unless it ends within K
  decimals; the rounded value is what later lines use.

Why :mod:`decimal` for hand and precision: spec numbers are decimals, so 0.1 is exact in it, and it
is C code -- a line costs a few microseconds, where Fractions cost tens (``python -m benchmarks``).
Exactness in hand mode does not rest on it: see :class:`Hand`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import decimal
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, Inexact
from fractions import Fraction
from functools import cached_property
from math import isqrt
import re
from typing import Any, Protocol

import mpmath

from .errors import Diverged, ExactTooLarge, SymoptError
from .functions import TABLE
from .numbers import WIDE, Policy, Shown, decimal_text, decimals_of, plain_text, round_significant

GUARD_DIGITS = 10
HAND_WORKING_DIGITS = 60
EXACT_DIGITS_BUDGET = 2_000  # digits of an exact fraction's numerator or denominator
EXACT_SIZE_BUDGET = 500  # SymPy nodes in one value: Adam and RMSProp reach 398 at epoch 4, ~1400 at epoch 5
#: SymPy nodes of all the irrational values an exercise carries: each line's SymPy work grows with
#: them (Adam over 60 variables spent four minutes before one value passed EXACT_SIZE_BUDGET;
#: Adam on two variables carries 2920 in 4 epochs, and one of its values passes 500 in the fifth)
EXACT_WORK_BUDGET = 5_000


@dataclass(frozen=True)
class NumberMode:
    """The spec's ``numbers``: how values are computed, rounded, carried and written.

    kind: ``exact``, ``precision`` (N = `digits` significant digits), ``hand`` (D = `decimals`
    places, never fewer than `sig` significant figures, values ending within `keep` places kept
    whole; the rounded value is carried) or ``sig`` (`sig` significant figures, carried).
    `pad` keeps a rounded value's trailing zeros; `comma` writes decimal commas."""

    kind: str = "exact"  # exact | precision | hand | sig
    decimals: int = 4
    keep: int | None = None
    digits: int = 30
    sig: int = 3
    pad: bool | None = None  # None: trailing zeros kept in the significant-figure modes (sig, precision)
    comma: bool = False

    @property
    def padded(self) -> bool:
        """Whether rounded values keep their trailing zeros: by default in sig:S and precision:N,
        whose digits count (0.0860 to 3 figures), not in hand:D and exact (the sheet's -4.8)."""
        return self.kind in ("sig", "precision") if self.pad is None else self.pad

    @property
    def kept(self) -> int:
        return self.decimals if self.keep is None else self.keep

    @property
    def carries(self) -> bool:
        """Whether the rounded value is what later lines use (hand and sig), as a student does."""
        return self.kind in ("hand", "sig")

    def policy(self) -> Policy:
        if self.kind == "precision":
            return Policy(None, self.digits, None, self.padded, self.comma)
        if self.kind == "sig":
            return Policy(None, self.sig, None, self.padded, self.comma)
        return Policy(self.decimals, self.sig, self.kept, self.padded, self.comma)

    def __str__(self) -> str:
        if self.kind == "precision":
            text = f"precision:{self.digits}"
        elif self.kind == "sig":
            text = f"sig:{self.sig}" + (f" keep {self.keep}" if self.keep is not None else "")
        elif self.kind == "hand":
            text = f"hand:{self.decimals}" + (f" keep {self.keep}" if self.keep is not None else "")
            text += f" sig {self.sig}" if self.sig != DEFAULT_SIG else ""
        else:
            text = "exact"
            text += f" decimals {self.decimals}" if self.decimals != 4 else ""
            text += f" keep {self.keep}" if self.keep is not None else ""
            text += f" sig {self.sig}" if self.sig != DEFAULT_SIG else ""
        pad = "" if self.pad is None or self.pad == (self.kind in ("sig", "precision")) else " pad" if self.pad else " nopad"
        return text + pad + (" comma" if self.comma else "")

    def arithmetic(self, inputs=(), guard: int = 0) -> ModeArithmetic:
        """This mode's arithmetic.  `inputs` are the values the run starts from (start and state):
        by hand, one that is not a finite decimal (a Fraction such as 1/3 from the Python API) makes
        the whole run rational-first, since :class:`Hand` carries decimals.  `guard`: precision
        mode's guard digits (default 10), more for a run whose lines cancel (:class:`MoreDigits`)."""
        if self.kind == "precision":
            return Precision(self, guard or GUARD_DIGITS, watch=True)
        if self.carries:
            return Hand(self) if all(decimals_of(q) is not None for q in inputs) else RationalHand(self)
        return Exact(self)


DEFAULT_SIG = 3  # hand:D and exact never show fewer significant figures than this
_MODE = re.compile(r"\s*(exact|precision|hand|sig)\s*(?::\s*([0-9]+))?((?:\s+[a-z]+(?:\s+[0-9]+)?)*)\s*")
_WORD = re.compile(r"([a-z]+)(?:\s+([0-9]+))?")
_NUMBERED = ("keep", "sig", "decimals")
_ALLOWED = {"exact": {"decimals", "keep", "sig"}, "precision": set(), "hand": {"keep", "sig"}, "sig": set()}
USAGE = "use exact, precision:N, hand:D (keep K, sig S) or sig:S, and pad, nopad or comma"
_COUNT = {"precision": "digits", "hand": "decimals", "sig": "sig"}  # the number a mode's name takes (hand:4)
_MAIN: dict[str, str | None] = {"exact": None, **_COUNT}


def parse_mode(value: object) -> NumberMode:
    """``"exact"``, ``"precision:30"``, ``"hand:4"``, ``"hand:4 keep 7 sig 3 pad"``, ``"sig:4"``, or a
    table ``{mode, decimals, keep, digits, sig, pad, decimal}``."""
    if isinstance(value, str):
        return _mode_of_text(value)
    if isinstance(value, dict):
        return _mode_of_table(value)
    raise SymoptError(f"numbers must be a string such as \"hand:4\" or a table, got {plain_value(value)}")


def _mode_of_text(value: str) -> NumberMode:
    m = _MODE.fullmatch(value)
    if not m or len(value) > 200:
        raise SymoptError(f"unknown number mode {value[:60]!r}; {USAGE}")
    kind, n, rest = m.groups()
    fields: dict[str, Any] = {}  # NumberMode's fields: whole numbers and flags (checked by _checked)
    for option in _WORD.finditer(rest):
        word, number = option.groups()
        key = {"pad": "pad", "nopad": "pad", "comma": "comma"}.get(word, word)
        if key in fields:
            raise SymoptError(f"{word} is given twice in {value.strip()!r}")
        fields[key] = _text_option(value, kind, word, number)
    if kind == "exact":
        if n is not None:
            raise SymoptError(f"exact takes no number; {USAGE}")
        return _checked(NumberMode("exact", **fields))
    if n is None:
        raise SymoptError(f"{kind} needs a number, e.g. {kind}:{ {'precision': 30, 'hand': 4, 'sig': 4}[kind]}")
    fields[_COUNT[kind]] = int(n)
    return _checked(NumberMode(kind, **fields))


def _text_option(value: str, kind: str, word: str, number: str | None) -> bool | int:
    """One word after a mode's name (``keep 7``, ``pad``), as the NumberMode field's value."""
    if word in ("pad", "nopad", "comma"):
        if number is not None:
            raise SymoptError(f"{word} takes no number; {USAGE}")
        return word != "nopad"
    if word not in _NUMBERED:
        raise SymoptError(f"unknown word {word!r} in the number mode {value.strip()[:60]!r}; {USAGE}")
    if word == _MAIN[kind] or word not in _ALLOWED[kind]:
        raise SymoptError(f"{word} does not go with {kind}: write {'sig:S' if kind == 'sig' else kind + ':N' if kind == 'precision' else kind}"
                          f"{'' if _ALLOWED[kind] else ' alone'}; {USAGE}")
    if number is None:
        raise SymoptError(f"{word} needs a number, e.g. {kind}{':4' if kind != 'exact' else ''} {word} {7 if word == 'keep' else 3}")
    return int(number)


def _mode_of_table(value: dict) -> NumberMode:
    allowed = {"mode", "decimals", "keep", "digits", "sig", "pad", "decimal"}
    unknown = set(value) - allowed
    if unknown:
        raise SymoptError(f"unknown key {sorted(unknown)[0]!r}; numbers takes {', '.join(sorted(allowed))}")
    kind = value.get("mode", "exact")
    if kind not in ("exact", "precision", "hand", "sig"):
        raise SymoptError(f"unknown number mode {kind!r}; use exact, precision, hand or sig")
    fields: dict[str, Any] = {}
    for key in ("decimals", "keep", "digits", "sig"):
        if key in value:
            if isinstance(value[key], bool) or not isinstance(value[key], int):
                raise SymoptError(f"{key} must be a whole number, got {plain_value(value[key])}")
            if key != _MAIN[kind] and key not in _ALLOWED[kind]:
                raise SymoptError(f"{key} does not go with mode = {kind!r}; {USAGE}")
            fields[key] = value[key]
    if "pad" in value:
        if not isinstance(value["pad"], bool):
            raise SymoptError(f"pad must be true or false, got {plain_value(value['pad'])}")
        fields["pad"] = value["pad"]
    if "decimal" in value:
        if value["decimal"] not in (".", ","):
            raise SymoptError(f'decimal must be "." or ",", got {plain_value(value["decimal"])}')
        fields["comma"] = value["decimal"] == ","
    if kind in ("sig", "precision") and _MAIN[kind] not in fields:
        raise SymoptError(f"mode = {kind!r} needs {_MAIN[kind]} = N, e.g. {{ mode = \"{kind}\", {_MAIN[kind]} = 4 }}")
    return _checked(NumberMode(kind, **fields))


def whole_digits(n: int) -> int:
    """The digits of a whole number from its bits (about: str() of one past 4300 digits raises)."""
    return int(abs(n).bit_length() * 0.30103) + 1


def plain_value(x: object) -> str:
    """A spec value as the user wrote it: 4.5, true, "x" (not Decimal('4.5'), True)."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, str):
        return f'"{x[:40]}"'
    if isinstance(x, int) and x.bit_length() > 128:  # (str() of past 4300 digits raises)
        return f"a number of {whole_digits(x)} digits"
    if isinstance(x, (int, Decimal, float)):
        return str(x)
    return type(x).__name__


def _checked(mode: NumberMode) -> NumberMode:
    if not 0 <= mode.decimals <= 30:
        raise SymoptError(f"decimals must be between 0 and 30, got {plain_value(mode.decimals)}")
    if mode.keep is not None and not 0 <= mode.keep <= 30:
        raise SymoptError(f"keep must be between 0 and 30, got {plain_value(mode.keep)}")
    if mode.keep is not None and mode.keep <= mode.decimals:
        raise SymoptError(f"keep {mode.keep} keeps nothing: values that end within {mode.decimals} decimals are "
                          f"written whole anyway; use keep K with K > {mode.decimals}")
    if not 1 <= mode.sig <= 30:
        raise SymoptError(f"sig (significant figures) must be between 1 and 30, got {plain_value(mode.sig)}")
    if not 5 <= mode.digits <= 1000:
        raise SymoptError(f"precision digits must be between 5 and 1000, got {plain_value(mode.digits)}")
    return mode


MAX_EXPONENT = 10_000
MAX_BITS = 20_000
TINY_BITS = 1_000_000  # a value below 2^-1000000 (about 10^-301030) cannot be written out either
LIMIT = Fraction(10) ** 300  # a carried value this large means the run diverges
LIMIT_BITS = 997  # 2^997 < 10^300 < 2^998
#: exp of more than this is past 10^43000, far past LIMIT, and exact mode does not evaluate it
EXACT_EXP_ARGUMENT = 100_000


def _diverges() -> SymoptError:
    return Diverged("the value is past 10^300: the run diverges (a smaller alpha helps)", kind="limit")


def mpf_fraction(x) -> Fraction:
    """The exact value of an mpmath (or SymPy Float) binary number."""
    sign, man, exp, bc = x._mpf_
    if not man and exp:  # inf, -inf or nan
        raise SymoptError("the value is not finite (overflow)")
    if man and exp + bc >= MAX_BITS:
        raise SymoptError(f"the value is too large to write out (about 2^{float(exp + bc):.3g}); the run diverges")
    if man and exp + bc <= -TINY_BITS:
        raise SymoptError(f"the value is too small to write out (about 2^{float(exp + bc):.3g})")
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


def _pole(name: str) -> str:
    return f"{name} has no value here: its argument is a pole (tan at π/2 + kπ); choose another start or step size"


def _check_power(a, b, integral: bool) -> None:
    if a < 0 and not integral:
        raise SymoptError("a negative number to a fractional power is not a real number")
    if a == 0 and b < 0:
        raise SymoptError("division by zero (0 to a negative power)")


def _mpmath_name(name: str) -> str:
    """The mpmath function of a function of one argument (max, min and where have none: the
    compiler calls extreme() and compare() for them)."""
    method = TABLE[name].mpmath
    if method is None:
        raise TypeError(f"{name} has no mpmath function")
    return method


PERIODIC = ("sin", "cos", "tan")


def a_digits(bits: int) -> int:
    """About how many decimal digits a number of 2^bits has before its point."""
    return int(bits * 0.30103)


def periodic_past(name: str, digits: int, advice: str = "; use numbers = \"exact\" or more digits") -> str:
    """Why sin, cos or tan of a number of about 10^digits is not computed: a period is 6.28, so its
    value turns on the argument's digits past the working precision (cos(10^200) is -0.2464, and
    30 digits of 10^200 say nothing of it; it was written as 0)."""
    return (f"{name} of a number of about 10^{digits} cannot be computed at this precision (its value turns on "
            f"the argument's digits past the working ones){advice}")


def _mp_function(ctx, name: str, a):
    """A whitelisted function of an mpmath number, real-valued or refused.  sin, cos and tan of a
    zero of theirs (4 pi, with pi to the working precision), and ln of 1, give 0, not the noise."""
    _check_domain(name, a)
    if name in PERIODIC and ctx.mag(a) > ctx.prec - 20:
        raise SymoptError(periodic_past(name, a_digits(ctx.mag(a))))
    r = getattr(ctx, _mpmath_name(name))(a)
    if r and name in ("sin", "cos", "tan", "log") and ctx.mag(r) < max(ctx.mag(a), 1) - (ctx.prec - 10):
        return ctx.zero
    return r


Value = Any  # a number of one arithmetic: a Fraction, a Decimal, a SymPy or mpmath number, a checker's ball
Evaluator = Callable[[dict[str, Any]], Any]  # a compiled tree: the line's environment (name -> value) to its value


class Arithmetic(Protocol):
    """What a compiled evaluator (:mod:`symopt.compiler`) calls on an arithmetic: every number mode
    here, and the checker's balls (:class:`symopt.check.ball.BallArithmetic`)."""

    @property
    def exact(self) -> Arithmetic | None:
        """Hand mode's second arithmetic: each tree is compiled in it too, and :meth:`settle` takes
        a line's value from the two (None elsewhere)."""

    @property
    def evaluators(self) -> dict[Any, Evaluator] | None:
        """Where the compiler keeps what it compiled, by the tree's shape (the checker's balls, which
        compile the same trees again and again); None: nothing is kept."""

    def const(self, q: Fraction) -> Value: ...
    def pi(self) -> Value: ...
    def add(self, a: Value, b: Value) -> Value: ...
    def sub(self, a: Value, b: Value) -> Value: ...
    def mul(self, a: Value, b: Value) -> Value: ...
    def div(self, a: Value, b: Value) -> Value: ...
    def pow(self, a: Value, b: Value) -> Value: ...
    def neg(self, a: Value) -> Value: ...

    def call(self, name: str, a: Value) -> Value:
        """A function of :data:`symopt.functions.TABLE` of one argument (sqrt, exp, abs, ...)."""

    def compare(self, op: str, a: Value, b: Value) -> bool:
        """``a op b`` for a comparison of where(): > < >= <=."""

    def extreme(self, func: str, a: Value, b: Value) -> Value:
        """max(a, b) or min(a, b)."""

    def settle(self, compute: Evaluator, exact_compute: Evaluator, env: dict[str, Any]) -> Value:
        """A line's value from its two compiled closures (this arithmetic's and :attr:`exact`'s);
        called only where :attr:`exact` is not None."""


class ModeArithmetic(Arithmetic, Protocol):
    """An arithmetic of a number mode, as the engine runs it besides: `carry` turns a line's result
    into the value later lines use; `shown` says how the sheet writes it (`extra` more digits, for an
    operand whose line must add up as printed, at most `extra_digits`); `number` is its value for
    the trace; `param` its full-precision text."""

    @property
    def mode(self) -> NumberMode: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def extra_digits(self) -> int: ...
    def carry(self, value: Value) -> Value: ...
    def shown(self, value: Value, extra: int = 0) -> Shown: ...
    def number(self, value: Value) -> Fraction | Decimal: ...
    def param(self, value: Value) -> str: ...


class OnePass:
    """The members of :class:`Arithmetic` of an arithmetic that computes each line once (all but
    hand mode): no second arithmetic, nothing to settle.  (The checker's balls may inherit it.)"""

    exact: Arithmetic | None = None
    evaluators: dict[Any, Evaluator] | None = None

    def settle(self, compute: Evaluator, exact_compute: Evaluator, env: dict[str, Any]) -> Value:
        raise NotImplementedError("only an arithmetic with an exact one computes a line twice")


class _Base(OnePass):
    """What the number modes share (each satisfies :class:`ModeArithmetic`)."""

    extra_digits = 0  # more digits an operand may be shown with (exact and precision: their lines add up as printed)

    def __init__(self, mode: NumberMode):
        self.mode = mode
        self.policy = mode.policy()

    def compare(self, op: str, a: Value, b: Value) -> bool:
        raise NotImplementedError

    def extreme(self, func: str, a: Value, b: Value) -> Value:
        """max(a, b) or min(a, b)."""
        return a if self.compare(">=" if func == "max" else "<=", a, b) else b


class _RationalFirst(_Base):
    """Fractions while they last; another number type (`lift`) takes over for anything else."""

    def const(self, q: Fraction) -> Value:
        return q

    # what each rational-first mode says for its other numbers
    def lift(self, a: Value) -> Value:
        raise NotImplementedError

    def is_zero(self, b: Value) -> bool:
        raise NotImplementedError

    def sign_value(self, e: Value) -> Value:
        raise NotImplementedError

    def power(self, a: Value, b: Value) -> Value:
        raise NotImplementedError

    def function(self, name: str, a: Value) -> Value:
        raise NotImplementedError

    def approx(self, value: Value) -> tuple[Fraction, bool]:
        """The value as a Fraction, and whether that is exact."""
        raise NotImplementedError

    def shown(self, value: Value, extra: int = 0) -> Shown:
        q, exact = self.approx(value)
        return self.policy.show_fraction(q, exact, extra)

    def number(self, value: Value) -> Fraction | Decimal:
        q, exact = self.approx(value)
        return q if exact else Decimal(decimal_text(round_significant(q, 40)))

    def compare(self, op: str, a: Value, b: Value) -> bool:
        """``a op b`` for a comparison of where(): > < >= <=."""
        s = self.signum(self.sub(a, b))
        return {">": s > 0, "<": s < 0, ">=": s >= 0, "<=": s <= 0}[op]

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
            if name == "floor":
                return Fraction(a.numerator // a.denominator)
            if name == "sqrt":
                root = _exact_sqrt(a)
                if root is not None:
                    return root
        return self.function(name, self.lift(a))


class Exact(_RationalFirst):
    extra_digits = 48  # an operand may be shown with this many more digits: its value is exact

    def __init__(self, mode: NumberMode):
        super().__init__(mode)
        import sympy  # type: ignore[import-untyped]  # SymPy ships no type information (as in symopt.symbolic)

        self.sympy = sympy
        self.functions = {f.name: getattr(sympy, f.sympy) for f in TABLE.values() if f.sympy}
        self.work = 0  # SymPy nodes carried so far (EXACT_WORK_BUDGET)
        self._numeric: dict = {}  # value -> its numeric(): a line's value is asked for its sign, size and digits

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
        if name == "exp" and self.numeric(a) > EXACT_EXP_ARGUMENT:
            raise _diverges()  # (its digits would take SymPy's evalf ages: exp(exp(exp(w))))
        value = self.functions[name](a)
        if value.is_finite is False or value.has(self.sympy.zoo, self.sympy.nan):
            raise SymoptError(_pole(name))  # tan(π/2): SymPy's zoo, which no comparison takes
        return self.lower(value)

    def sign_value(self, e):
        return self.numeric(e)

    def numeric(self, e):
        """A 60-digit SymPy Float, for signs and display; never used to carry.  Kept for the values
        of the last lines: evalf of a value of hundreds of nodes takes milliseconds, and each is
        asked four times (carried, bounded, shown, traced)."""
        known = self._numeric.get(e)
        if known is None:
            if len(self._numeric) > 64:
                self._numeric.clear()
            known = self._numeric[e] = e.evalf(HAND_WORKING_DIGITS)
        return known

    def past(self, value, bound: int) -> bool:
        return bool(abs(self.numeric(value)) > bound)

    def carry(self, value):
        """The value, carried exactly, if it is within the exact budgets (its size is measured
        before its numeric value is: evalf of a value past them takes seconds) and 10^300."""
        value = self.lower(value)
        if type(value) is Fraction:
            bits = max(value.numerator.bit_length(), value.denominator.bit_length())
            if bits > EXACT_DIGITS_BUDGET * 3.33 and abs(value) < LIMIT:
                raise ExactTooLarge(f"exact values grow too large (over {EXACT_DIGITS_BUDGET} digits)")
        else:
            for size, _ in enumerate(self.sympy.preorder_traversal(value), start=1):
                if size > EXACT_SIZE_BUDGET:
                    raise ExactTooLarge("exact values grow too large")
            if self.work + size > EXACT_WORK_BUDGET:
                raise ExactTooLarge(f"exact values grow too large over the exercise (over {EXACT_WORK_BUDGET} SymPy nodes carried)")
        if abs(value) >= LIMIT if type(value) is Fraction else abs(self.numeric(value)) >= 10**300:
            raise _diverges()
        if type(value) is not Fraction:
            self.work += size
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


class RationalHand(_RationalFirst):
    """Hand mode in Fractions: a line is exact until a root or function makes it irrational; then
    60 digits are plenty to round it correctly to D decimals.  :class:`Hand` falls back on it for
    a line that lands near a rounding boundary."""

    @cached_property
    def ctx(self):  # made when first needed: most lines Hand sends here are rational
        ctx = mpmath.MPContext()
        ctx.dps = HAND_WORKING_DIGITS
        return ctx

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

    rounded_to: int | None = None  # where the value carry() last returned was rounded (None: kept whole)

    def carry(self, value) -> Fraction:
        if abs(value) >= LIMIT if type(value) is Fraction else self.ctx.mag(value) > LIMIT_BITS:
            raise _diverges()
        if type(value) is Fraction:
            q, self.rounded_to = self.policy.round_fraction(value)
            return q
        if not value:
            self.rounded_to = None
            return Fraction(0)
        q, self.rounded_to = self.policy.round_fraction(mpf_fraction(value), whole=False)
        return q

    def shown(self, value, extra: int = 0) -> Shown:
        """The value carry() last returned, as written: the carried number itself."""
        return self.policy.show_fraction(value) if self.rounded_to is None else \
            Shown(self.policy.write(Decimal(decimal_text(value)), self.rounded_to), value, True, self.rounded_to)

    def approx(self, value) -> tuple[Fraction, bool]:
        return value, True

    def param(self, value) -> str:
        return decimal_text(value)


LIMIT_DIGITS = 300  # Decimal.adjusted() of a value past 10^300
TINY_DIGITS = 301_030  # 10^-301030, about 2^-1000000: smaller values cannot be written out
NEAR = Decimal("1e-40")  # relative distance to a rounding boundary that sends a hand line to Fractions
NOISE_DIGITS = 3  # a result with fewer good digits than this, of inexact operands, is 0 within the noise
HAND_LOSS = 40  # a hand line that cancels more digits than this (of 60) is recomputed exactly


class _DecimalArithmetic(_Base):
    """Decimal floating point at a working precision, in a context of its own.

    The context's exponent range is as wide as :mod:`decimal` allows, so nothing overflows or
    underflows before the checks on carried values (10^300) see it.  Decimal has square roots,
    exp and ln; the other functions (and pi) come from mpmath at a few more digits.
    """

    max_exponent: int | None = None  # a larger power is refused (hand mode, as RationalHand)

    def __init__(self, mode: NumberMode, digits: int, watch: bool = False):
        super().__init__(mode)
        self.ctx = decimal.Context(prec=digits, rounding=ROUND_HALF_EVEN, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                                   traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
        self.digits = digits
        self.add, self.sub, self.mul, self.neg = self.ctx.add, self.ctx.subtract, self.ctx.multiply, self.ctx.minus
        self.inexact_constants = False  # a constant such as 1/3 or pi is rounded: no line is exact
        self.lost = 0  # the most digits one sum or difference of this line cancelled (when watched)
        if watch:
            self.add, self.sub = self._watched_add, self._watched_sub

    # Watched sums and differences measure the digits they cancel: the leading digit of the larger
    # operand against the result's.  One that cancels all but the last NOISE_DIGITS of the working
    # digits of inexact operands is 0 within the working precision (sqrt(2)^2 - 2, or sin(4 pi) - 0):
    # a student writes 0, and so does symopt, rather than the noise.
    def _watched_add(self, a, b):
        r = self.ctx.add(a, b)
        if r and a and b and (a < 0) != (b < 0):
            return self._cancelled(max(a.adjusted(), b.adjusted()) - r.adjusted(), r, a, b)
        return r

    def _watched_sub(self, a, b):
        r = self.ctx.subtract(a, b)
        if r and a and b and (a < 0) == (b < 0):
            return self._cancelled(max(a.adjusted(), b.adjusted()) - r.adjusted(), r, a, b)
        return r

    noise_is_zero = True  # False where the exact value of the written numbers is wanted (a line's check)

    def _cancelled(self, lost: int, r, a, b):
        if self.noise_is_zero and lost >= self.digits - NOISE_DIGITS and self._operands_inexact(a, b):
            return ZERO
        if lost > self.lost:
            self.lost = lost
        return r

    def _operands_inexact(self, *operands) -> bool:
        """Whether these operands (or this line) may carry rounding: a value that fills every working
        digit was rounded there; a shorter one is an exact decimal (1.00000000000000000001)."""
        return self.ctx.flags[Inexact] or any(len(x.as_tuple().digits) >= self.digits for x in operands)

    def const(self, q: Fraction) -> Decimal:
        places = decimals_of(q)
        if places is not None:  # exactly, however many digits (operations round, and say so)
            return Decimal(f"{q.numerator * (10**places // q.denominator)}E-{places}")
        self.inexact_constants = True
        return self.ctx.divide(Decimal(q.numerator), Decimal(q.denominator))

    @cached_property
    def mp(self):  # made when first needed (pi, sin, ...): an mpmath context costs a millisecond or two
        mp = mpmath.MPContext()
        mp.dps = self.digits + 5
        return mp

    def pi(self) -> Decimal:
        self.inexact_constants = True
        return self._from_mp(+self.mp.pi)

    def _from_mp(self, x) -> Decimal:
        self.ctx.flags[Inexact] = True
        return self.ctx.plus(Decimal(mpmath.libmp.to_str(x._mpf_, self.mp.dps)))

    def signum(self, a) -> int:
        return (a > 0) - (a < 0)

    def compare(self, op: str, a, b) -> bool:
        return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]

    def div(self, a, b):
        if not b:
            raise SymoptError("division by zero")
        return self.ctx.divide(a, b)

    def pow(self, a, b):
        _check_power(a, b, b == b.to_integral_value())
        if self.max_exponent is not None and abs(b) > self.max_exponent:
            raise SymoptError(f"exponent {float(b):.4g} is too large (over {MAX_EXPONENT}); the run diverges")
        if not b:
            return Decimal(1)  # 0^0 = 1, as in SymPy and mpmath (decimal leaves it undefined)
        if a > 0 and b != b.to_integral_value():
            return self._mp(lambda mp, x, y: mp.power(x, y), a, b)
        return self.ctx.power(a, b)

    def _mp(self, f, *operands: Decimal) -> Decimal:
        """f of the operands in mpmath at 10 more digits than the context's, rounded to it: Decimal's
        own non-integer power and ln are correctly rounded, and 4 to 10 times slower for it (w^w at
        the 90 digits a line's check asks took 0.4 ms a power); 10 guard digits round the same but
        for one value in 10^10, which the modes' own guard digits absorb."""
        mp, digits = self.mp, self.ctx.prec + 10
        with mp.workdps(digits):
            r = f(mp, *(mp.mpf(str(x)) for x in operands))
            self.ctx.flags[Inexact] = True
            return self.ctx.plus(Decimal(mpmath.libmp.to_str(r._mpf_, digits)))

    def call(self, name: str, a):
        _check_domain(name, a)
        if name == "log":  # ln of 1 within the working precision's noise is 0
            r = ZERO if a == 1 else self._mp(lambda mp, x: mp.ln(x), a)
            return ZERO if r and r.adjusted() < NOISE_DIGITS - self.digits and self._operands_inexact(a) else r
        if name == "sign":
            return Decimal(self.signum(a))
        if name == "floor":  # exact, whatever the context's rounding
            return a.to_integral_value(ROUND_FLOOR)
        row = TABLE[name]
        if row.decimal:  # Decimal's own: sqrt, exp, abs
            return getattr(self.ctx, row.decimal)(a)
        if name in PERIODIC and a and a.adjusted() > self.digits - 10:
            raise SymoptError(periodic_past(name, a.adjusted()))
        r = self._from_mp(getattr(self.mp, _mpmath_name(name))(self.mp.mpf(str(a))))
        if name in ("sin", "cos", "tan") and r and a and r.adjusted() < a.adjusted() + NOISE_DIGITS - self.digits:
            return ZERO  # sin(4 pi) with pi to the working precision: 0 within its noise
        if name == "tan" and r and r.adjusted() > self.digits - NOISE_DIGITS - max(a.adjusted(), 0):
            raise SymoptError(_pole(name))  # tan(π/2) with π to the working precision: a value of its noise alone
        return r

    def diverging(self, value) -> None:
        if value and value.adjusted() >= LIMIT_DIGITS:
            raise _diverges()


class Hand(_DecimalArithmetic):
    """Hand (and sig) mode in Decimal at 60 digits, with the exact value's rounding.

    A line whose Decimal computation raised no Inexact signal *is* exact: it is kept when it ends
    within the policy's places (or K), else rounded half away from zero there (D decimals, never
    fewer than S significant figures; or S significant figures).  A line that is not exact (a
    division, a root) is rounded the same way -- unless its 60-digit value is within 10^-40
    (relative) of a rounding boundary (a tie at that place, or, with K beyond it, a number that
    ends within K decimals), lands on a short decimal, or is too large for 60 digits to hold its
    places and 20 more.  Only there could the exact value round differently, and such a line is
    recomputed by :class:`RationalHand`, exactly (rational) or at 60 digits (irrational).
    The few operations of one line lose a handful of digits, far from 20, unless they cancel
    catastrophically (the same limit RationalHand has for irrational lines).  A comparison (where,
    max, min) or a sign taken of inexact values that are within 10^-40 of each other (or of 0)
    may also have gone either way: that line, too, is recomputed.
    """

    max_exponent = MAX_EXPONENT  # as RationalHand, whose exact powers must stay small

    def __init__(self, mode: NumberMode):
        super().__init__(mode, HAND_WORKING_DIGITS, watch=True)
        self.exact: RationalHand = RationalHand(mode)
        self.unsure = False  # a comparison in this line may have gone either way
        self.rounded_to: int | None = None  # where the last settled value was rounded (None: kept whole)

    def settle(self, compute, exact_compute, env) -> Decimal:
        """The line's carried value: `compute` in Decimal, `exact_compute` (Fractions) near a boundary."""
        flags = self.ctx.flags
        flags[Inexact] = False
        self.unsure = False
        self.lost = 0
        value = compute(env)
        self.diverging(value)
        if self.unsure or self.lost > HAND_LOSS:
            return self._exactly(exact_compute, env)
        if not self._inexact():
            rounded, self.rounded_to = self.policy.round_decimal(value)
            return rounded if self.rounded_to is None else rounded.normalize(WIDE)
        if not value:
            return self._exactly(exact_compute, env)
        places = self.policy.places(value.adjusted())
        if self._near_boundary(value, places):
            return self._exactly(exact_compute, env)
        rounded, self.rounded_to = self.policy.round_decimal(value)
        if self.rounded_to is None:  # a short result of inexact operations: it may be exact
            return self._exactly(exact_compute, env)
        return rounded.normalize(WIDE) if rounded else ZERO

    def _exactly(self, exact_compute, env) -> Decimal:
        q = self.exact.carry(exact_compute({k: Fraction(v) for k, v in env.items()}))
        self.rounded_to = self.exact.rounded_to
        return self.const(q).normalize(WIDE) if q else ZERO

    def _inexact(self) -> bool:
        return self.inexact_constants or self.ctx.flags[Inexact]

    def _operands_inexact(self, *operands) -> bool:
        return self._inexact()  # carried values are exact decimals: only this line's operations round

    def compare(self, op: str, a, b) -> bool:
        if self._inexact() and WIDE.abs(WIDE.subtract(a, b)) <= WIDE.multiply(max(WIDE.abs(a), ONE), NEAR):
            self.unsure = True
        return super().compare(op, a, b)

    def call(self, name: str, a):
        if name == "sign" and self._inexact() and WIDE.abs(a) <= NEAR:
            self.unsure = True
        if name == "floor" and self._inexact() and _near(a, a.to_integral_value(ROUND_HALF_EVEN)):
            self.unsure = True  # a whole number within the noise: the exact value may be just below it
        return super().call(name, a)

    def _near_boundary(self, value: Decimal, places: int) -> bool:
        if value.adjusted() + places + 1 > HAND_WORKING_DIGITS - 20:  # too large for 60 digits to resolve the place
            return True
        scaled = value.scaleb(places + 1, WIDE)  # a tie is an odd multiple of 5 here
        n = scaled.to_integral_value(ROUND_HALF_EVEN, WIDE)
        if abs(int(n)) % 10 == 5 and _near(scaled, n):
            return True
        keep = self.policy.keep
        if keep is not None and keep > places:  # a value that may end within K decimals is kept, not rounded
            scaled = value.scaleb(keep, WIDE)
            n = scaled.to_integral_value(ROUND_HALF_EVEN, WIDE)
            return bool(n) and _near(scaled, n)
        return False

    def carry(self, value: Decimal) -> Decimal:
        return value  # settled (rounded) as it was computed

    def shown(self, value: Decimal, extra: int = 0) -> Shown:
        """The value settle() last returned, as written: the carried number itself."""
        return self.policy.show_decimal(value, self.rounded_to)

    def number(self, value: Decimal) -> Decimal:
        return value

    def param(self, value: Decimal) -> str:
        return plain_text(value)


ZERO, ONE = Decimal(0), Decimal(1)
_UNITS: dict[int, Decimal] = {}


def _unit(places: int) -> Decimal:
    """10^-places, made once per place."""
    unit = _UNITS.get(places)
    if unit is None:
        unit = _UNITS[places] = Decimal(1).scaleb(-places)
    return unit


def _near(x: Decimal, n: Decimal) -> bool:
    return WIDE.abs(WIDE.subtract(x, n)) <= WIDE.multiply(WIDE.abs(x), NEAR)


class MoreDigits(Exception):
    """A line of a precision run lost more digits to cancellation than its guard digits hold
    (-0.1 + 0.1 * 182/sqrt(33124 + 10^-6) keeps 4 of 15): the run is done again with `digits` more."""

    def __init__(self, digits: int):
        super().__init__(digits)
        self.digits = digits


class Precision(_DecimalArithmetic):
    """Decimal at N + 10 digits (the guard); values are shown and reported to N significant digits.

    With `watch`, every sum and difference measures the digits it cancels (the leading digit of
    the larger operand against the result's); a line that cancels more than the guard digits less
    two raises :class:`MoreDigits`, and the engine does the run again with a wider guard, so the N
    digits shown are right.  (A difference that is exactly 0 is taken as exact.)"""

    def __init__(self, mode: NumberMode, guard: int = GUARD_DIGITS, watch: bool = False):
        super().__init__(mode, mode.digits + guard, watch)
        self.guard = guard
        self.extra_digits = guard - 2  # digits past these are not known
        self.report = decimal.Context(prec=mode.digits, rounding=ROUND_HALF_UP, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)

    def const(self, q: Fraction) -> Decimal:
        return self.ctx.divide(Decimal(q.numerator), Decimal(q.denominator))  # rounded to working precision

    def carry(self, value):
        lost, self.lost = self.lost, 0
        self.line_exact = not self.ctx.flags[Inexact]
        self.ctx.flags[Inexact] = False  # line by line: see _operands_inexact
        if lost > self.guard - 2:
            raise MoreDigits(lost + GUARD_DIGITS)
        self.diverging(value)
        return value

    line_exact = True  # the last line carried was computed without rounding

    def shown(self, value, extra: int = 0) -> Shown:
        """N significant digits (`extra` more), rounded once, from the working value.  A value is
        written whole (with "=") only when its line was computed without rounding and it has at
        most those digits; anything else is rounded (1 - 0.001 * -88/sqrt(7744 + 10^-8) is
        1.000999999999999354…, so ≈ 1.00100, not = 1.001)."""
        if not value:
            return self.policy.show_decimal(ZERO)
        e = value.adjusted()
        if e < -TINY_DIGITS:
            raise SymoptError(f"the value is too small to write out (about 10^{e})")
        places = self.mode.digits - 1 - e + extra  # the policy's place for N significant digits
        short = value.quantize(_unit(places), context=WIDE)
        if short.adjusted() != e:  # 9.99996 -> 10.0000: one place fewer
            places -= short.adjusted() - e
            short = value.quantize(_unit(places), context=WIDE)
        if not extra and self.line_exact and short == value:
            return self.policy.show_decimal(short)
        return Shown(self.policy.write(short, places), short, True, places)

    def number(self, value) -> Decimal:
        return self.report.plus(value)

    def param(self, value) -> str:
        return plain_text(self.report.plus(value))
