"""The bridge to SymPy: derive gradients once, and bring the results back as syntax trees.

SymPy is used where it is strong (differentiation, exact simplification) and nowhere else; the
per-line work of a run never comes here.  Trees go in with :func:`to_sympy` and come back with
:func:`from_sympy`, whose term order is SymPy's ordered-terms order (``0.2w_1 + w_2``).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import sympy

from .expr import BINARY, Bin, Call, Name, Neg, Node, Num
from .arith import MAX_EXPONENT
from .errors import SymoptError
from .numbers import decimals_of

_TO_SYMPY = {
    "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "sin": sympy.sin, "cos": sympy.cos,
    "tan": sympy.tan, "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "atan": sympy.atan, "abs": sympy.Abs, "sign": sympy.sign,
}
_FROM_SYMPY = {f: name for name, f in _TO_SYMPY.items()}


def symbol(name: str) -> sympy.Symbol:
    """Every symbol is real: d|w|/dw is then sign(w), and sqrt(w**2) is |w|."""
    return sympy.Symbol(name, real=True)


def to_sympy(node: Node) -> sympy.Expr:
    if isinstance(node, Num):
        return sympy.Rational(node.value.numerator, node.value.denominator)
    if isinstance(node, Name):
        return sympy.pi if node.id == "pi" else symbol(node.id)
    if isinstance(node, Neg):
        return -to_sympy(node.operand)
    if isinstance(node, Call):
        return _TO_SYMPY[node.func](*(to_sympy(a) for a in node.args))
    left, right = to_sympy(node.left), to_sympy(node.right)
    if node.op == "^" and right.is_Number and abs(right) > MAX_EXPONENT:
        raise SymoptError(f"the power {right} is too large (over {MAX_EXPONENT})")
    return BINARY[node.op](left, right)


def gradient(f: Node, variables: list[str]) -> list[Node]:
    """∂f/∂v for each variable, simplified by SymPy and returned as trees.  Derived once per
    (f, variables) in a process: exam variants and the checker often share f."""
    return list(_gradient(f, tuple(variables)))


@lru_cache(maxsize=256)
def _gradient(f: Node, variables: tuple[str, ...]) -> tuple[Node, ...]:
    try:
        expr = _defined(to_sympy(f), "f")
        derivatives = [_defined(sympy.diff(expr, symbol(v)), f"∂f/∂{v}") for v in variables]
        return tuple(from_sympy(d) for d in derivatives)
    except RecursionError:
        raise SymoptError("f is nested too deeply to differentiate; write it more simply") from None


def _defined(expr: sympy.Expr, what: str) -> sympy.Expr:
    """Refuse what has no real value anywhere: 1/0, log(0), sqrt(-1)."""
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise SymoptError(f"{what} is undefined (a division by zero, or log(0)): {expr}")
    if expr.has(sympy.I):
        raise SymoptError(f"{what} is not a real number (a root or log of a negative number): {expr}")
    return expr


def from_sympy(expr: sympy.Expr) -> Node:
    if expr.is_Rational:
        q = Fraction(int(expr.p), int(expr.q))
        return Neg(Num(-q)) if q < 0 else Num(q)
    if expr is sympy.pi:
        return Name("pi")
    if expr is sympy.E:
        return Call("exp", (Num(Fraction(1)),))
    if expr.is_Symbol:
        return Name(expr.name)
    if expr.is_Add:
        terms = expr.as_ordered_terms()
        node = from_sympy(terms[0])
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                node = Bin("-", node, from_sympy(-term))
            else:
                node = Bin("+", node, from_sympy(term))
        return node
    if expr.is_Mul:
        if expr.could_extract_minus_sign():
            return Neg(from_sympy(-expr))
        return _product(expr)
    if expr.is_Pow:
        base, exponent = expr.as_base_exp()
        if exponent == sympy.Rational(1, 2):
            return Call("sqrt", (from_sympy(base),))
        if exponent.is_Rational and exponent < 0:
            return Bin("/", Num(Fraction(1)), from_sympy(base ** -exponent))
        return Bin("^", from_sympy(base), from_sympy(exponent))
    if expr.func in _FROM_SYMPY:
        return Call(_FROM_SYMPY[expr.func], tuple(from_sympy(a) for a in expr.args))
    raise SymoptError(f"symopt cannot write {expr} in its own terms")


def _product(expr: sympy.Mul) -> Node:
    """A positive product: a decimal coefficient in front (``0.2w_1``), other factors in SymPy's
    order, and a fraction where there are negative powers (``\\frac{w_1}{3}`` for w1/3)."""
    coefficient, rest = expr.as_coeff_Mul()
    if coefficient != 1 and decimals_of(Fraction(int(coefficient.p), int(coefficient.q))) is None:
        coefficient, rest = sympy.Integer(1), expr
    numerator, denominator = sympy.fraction(rest)
    if denominator != 1:
        body = Bin("/", from_sympy(numerator), from_sympy(denominator))
    else:
        factors = sympy.Mul.make_args(numerator)
        body = from_sympy(factors[0])
        for factor in factors[1:]:
            body = Bin("*", body, from_sympy(factor))
    if coefficient != 1:
        body = Bin("*", from_sympy(coefficient), body)
    return body
