"""The functions f and optimizer rules may call: one table, one row per function.

Every other module takes what it needs from :data:`TABLE`: the parser its names and arities
(:mod:`symopt.expr`), SymPy its functions (:mod:`symopt.symbolic`, exact mode in
:mod:`symopt.arith`), the printer the LaTeX around the argument (:mod:`symopt.printer`), the
checker's reader the LaTeX commands it accepts (:mod:`symopt.check.mathtext`), the number modes and the
checker's balls their evaluations (:mod:`symopt.arith`, :mod:`symopt.check.ball`), the figures numpy's
(:mod:`symopt.figures`), and the gradient its derivative (:mod:`symopt.symbolic`).

Adding a function is one row here (tests/test_functions.py adds asinh and uses it everywhere).
Code is needed only where a number type cannot simply call a library function by name: a value
that must stay exact for Fractions (abs, sign, a square root of a square: ``_RationalFirst.call``),
a domain to refuse (sqrt, log: ``_check_domain``), noise near a zero (sin, cos, tan, log), abs,
sign and floor on the checker's balls (:mod:`symopt.check.ball`), and floor, which no number type
computes by one name (exact for Fractions and Decimals; its reader is ``\\lfloor … \\rfloor``, a
grammar rule of its own in :mod:`symopt.check.mathtext`).  The other modules derive their tables
when they are imported.

This module imports nothing (SymPy, mpmath and numpy functions are named, not imported), so every
module can depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Function:
    """One function.

    `latex`: what the printer writes before and after the argument (``\\ln\\left(`` and
    ``\\right)``).  `reads`: the LaTeX commands, without the backslash, that the checker's reader
    takes for it before an argument (``ln`` and ``log``); sqrt and abs have grammar rules of their
    own (``\\sqrt{…}``, ``\\left|…\\right|``), and ``e^{x}`` is read as exp(x).  `derivative`:
    d/du of the function at u, in the spec's own syntax (``1/(1 + u^2)``), as a teacher writes it;
    None where only SymPy knows it.  `rule`: the rule a derivation names where it takes that
    derivative (``trig``: a key of the rules' words in :mod:`symopt.labels`).  `sympy`, `mpmath`, `numpy`: the function's name in those
    libraries; `decimal`: the :class:`decimal.Context` method where there is one (others are
    computed with mpmath at a few more digits).  `rule_only`: callable in optimizer rules, not in f
    (f must be differentiable as written); such functions have code of their own everywhere."""

    name: str
    arity: int = 1
    sympy: str | None = None
    latex: tuple[str, str] | None = None
    reads: tuple[str, ...] = ()
    derivative: str | None = None
    rule: str = "function"  # the table of derivatives
    mpmath: str | None = None
    decimal: str | None = None
    numpy: str | None = None
    rule_only: bool = False


def command(latex: str) -> tuple[str, str]:
    """The LaTeX of a function written as a command with its argument in parentheses."""
    return latex + "\\left(", "\\right)"


_ROWS = (
    Function("exp", sympy="exp", latex=("e^{", "}"), reads=("exp",), derivative="exp(u)", rule="exp",
             mpmath="exp", decimal="exp", numpy="exp"),
    Function("log", sympy="log", latex=command("\\ln"), reads=("ln", "log"), derivative="1/u", rule="log",
             mpmath="log", decimal="ln", numpy="log"),
    Function("sqrt", sympy="sqrt", latex=("\\sqrt{", "}"), derivative="1/(2*sqrt(u))", rule="power",
             mpmath="sqrt", decimal="sqrt", numpy="sqrt"),
    Function("sin", sympy="sin", latex=command("\\sin"), reads=("sin",), derivative="cos(u)", rule="trig",
             mpmath="sin", numpy="sin"),
    Function("cos", sympy="cos", latex=command("\\cos"), reads=("cos",), derivative="-sin(u)", rule="trig",
             mpmath="cos", numpy="cos"),
    Function("tan", sympy="tan", latex=command("\\tan"), reads=("tan",), derivative="1 + tan(u)^2", rule="trig",
             mpmath="tan", numpy="tan"),
    Function("sinh", sympy="sinh", latex=command("\\sinh"), reads=("sinh",), derivative="cosh(u)", rule="hyperbolic",
             mpmath="sinh", numpy="sinh"),
    Function("cosh", sympy="cosh", latex=command("\\cosh"), reads=("cosh",), derivative="sinh(u)", rule="hyperbolic",
             mpmath="cosh", numpy="cosh"),
    Function("tanh", sympy="tanh", latex=command("\\tanh"), reads=("tanh",), derivative="1 - tanh(u)^2", rule="hyperbolic",
             mpmath="tanh", numpy="tanh"),
    Function("atan", sympy="atan", latex=command("\\arctan"), reads=("arctan",), derivative="1/(1 + u^2)", rule="inverse_trig",
             mpmath="atan", numpy="arctan"),
    Function("abs", sympy="Abs", latex=("\\left|", "\\right|"), derivative="sign(u)", rule="abs",
             mpmath="fabs", decimal="abs", numpy="abs"),
    # sign is d|w|/dw; its own derivative is 0 but for a Dirac delta at 0, which SymPy keeps
    Function("sign", sympy="sign", latex=command("\\operatorname{sign}"), reads=("operatorname{sign}",),
             mpmath="sign", numpy="sign"),
    Function("max", 2, latex=("\\max(", ")"), reads=("max",), rule_only=True),
    Function("min", 2, latex=("\\min(", ")"), reads=("min",), rule_only=True),
    Function("where", 3, rule_only=True),  # where(a > b, x, y): x when the comparison holds, else y
    # floor(x), the greatest whole number not above x: a step schedule's count of steps, floor((t - 1)/10)
    Function("floor", sympy="floor", latex=("\\left\\lfloor ", " \\right\\rfloor"), mpmath="floor", numpy="floor",
             rule_only=True),
)

#: Every function, by the name specs write.
TABLE: dict[str, Function] = {row.name: row for row in _ROWS}
