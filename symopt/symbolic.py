"""The bridge to SymPy: derive gradients once, and bring the results back as syntax trees.

SymPy is used where it is strong (differentiation, exact simplification) and nowhere else; the
per-line work of a run never comes here.  Trees go in with :func:`to_sympy` and come back with
:func:`from_sympy`, whose term order is SymPy's ordered-terms order (``0.2w_1 + w_2``).

A gradient is written as a teacher writes it: :func:`derivative` applies the rules to f's own
tree (terms in f's order, factored where f is: ``2(x - 1)``, ``-2(1 - x) - 400x(y - x^2)``), and
SymPy's derivative judges it; where they differ, or only SymPy knows the derivative, SymPy's own
form is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy  # type: ignore[import-untyped]  # SymPy ships no type information (no stubs, no py.typed)

from .arith import MAX_EXPONENT
from .errors import SymoptError
from .expr import BINARY, DERIVATIVE, Bin, Call, Name, Neg, Node, Num, map_names, names, replaced, walk
from .functions import TABLE
from .numbers import decimals_of
from .spec import MAX_STEP_LINES, MAX_STEP_NODES, deadline, past

_TO_SYMPY = {f.name: getattr(sympy, f.sympy) for f in TABLE.values() if f.sympy}
_FROM_SYMPY = {f: name for name, f in _TO_SYMPY.items()}


def symbol(name: str) -> sympy.Symbol:
    """Every symbol is real: d|w|/dw is then sign(w), and sqrt(w**2) is |w|."""
    return sympy.Symbol(name, real=True)


def to_sympy(node: Node, given: dict[Node, sympy.Expr] | None = None) -> sympy.Expr:
    """`node` as SymPy's expression; `given` writes some subtrees as given expressions (the
    outermost first)."""
    if given:
        hit = given.get(node)
        if hit is not None:
            return hit
    if isinstance(node, Num):
        return sympy.Rational(node.value.numerator, node.value.denominator)
    if isinstance(node, Name):
        return sympy.pi if node.id == "pi" else symbol(node.id)
    if isinstance(node, Neg):
        return -to_sympy(node.operand, given)
    if isinstance(node, Call) and node.func == DERIVATIVE:
        return sympy.Derivative(to_sympy(node.args[0], given), to_sympy(node.args[1], given))
    if isinstance(node, Call):
        return _TO_SYMPY[node.func](*(to_sympy(a, given) for a in node.args))
    left, right = to_sympy(node.left, given), to_sympy(node.right, given)
    if node.op == "^" and right.is_Number and abs(right) > MAX_EXPONENT:
        raise SymoptError(f"the power {right} is too large (over {MAX_EXPONENT})")
    return BINARY[node.op](left, right)


def gradient(f: Node, variables: list[str]) -> list[Node]:
    """∂f/∂v for each variable, as trees written as a teacher writes them (:func:`derivative`:
    the terms in f's order, factored where f is) once SymPy confirms them, else SymPy's own form.
    Derived once per (f, variables) in a process: exam variants and the checker often share f."""
    return list(_gradient(f, tuple(variables)))


@lru_cache(maxsize=256)
def _gradient(f: Node, variables: tuple[str, ...]) -> tuple[Node, ...]:
    try:
        expr = _defined(to_sympy(f), "f")
        derivatives = [_defined(sympy.diff(expr, symbol(v)), f"∂f/∂{v}") for v in variables]
        return tuple(_as_written(f, v, d) for v, d in zip(variables, derivatives, strict=True))
    except RecursionError:
        raise SymoptError("f is nested too deeply to differentiate; write it more simply") from None


def _as_written(f: Node, v: str, expected: sympy.Expr) -> Node:
    """∂f/∂v differentiated from f's own tree, when it is SymPy's derivative; else SymPy's form.
    SymPy is the judge: the structural derivative is only a way of writing its result."""
    try:
        mine = derivative(f, v)
        parts = [(sign, term, derivative(term, v)) for sign, term in _summands(f, 1, v) if v in names(term)]
    except NoRule:
        return from_sympy(expected)
    return mine if _confirmed(mine, parts, v, expected) else from_sympy(expected)


def _summands(node: Node, sign: int, v: str) -> list[tuple[int, Node]]:
    """f's terms with their signs (``a - (b + c)``: a, -b, -c), also within a factor or a
    divisor that does not depend on v (``3(a + b)``: 3a, 3b)."""
    if isinstance(node, Bin) and node.op in ("+", "-"):
        return _summands(node.left, sign, v) + _summands(node.right, sign if node.op == "+" else -sign, v)
    if isinstance(node, Neg):
        return _summands(node.operand, -sign, v)
    if isinstance(node, Bin) and node.op == "*" and v not in names(node.left):
        return [(s, Bin("*", node.left, t)) for s, t in _summands(node.right, sign, v)]
    if isinstance(node, Bin) and node.op in ("*", "/") and v not in names(node.right):
        return [(s, Bin(node.op, t, node.right)) for s, t in _summands(node.left, sign, v)]
    return [(sign, node)]


def _confirmed(mine: Node, parts: list[tuple[int, Node, Node]], v: str, expected: sympy.Expr) -> bool:
    """Whether `mine` is SymPy's derivative `expected`, exactly, and defined wherever it is as far
    as can be told cheaply (a variable in a denominator of mine and none in SymPy's: sqrt(x^2)
    would give x/sqrt(x^2) where SymPy has sign(x), defined at 0).

    Term by term of f, so that each comparison is small (a common denominator of all of f's
    quotients would take minutes): each term's derivative is SymPy's derivative of that term, and
    mine is their sum (like terms added up), which SymPy's own arithmetic shows."""
    try:
        ours = to_sympy(mine)
        written = [(sign, to_sympy(term), to_sympy(d)) for sign, term, d in parts]
    except SymoptError:
        return False
    try:
        if _has_variable_denominator(mine) and not _sympy_has_pole(expected):
            return False
    except SymoptError:
        return False
    x = symbol(v)
    if not all(_equal(d, sympy.diff(term, x)) for _, term, d in written):
        return False
    total = ours - sympy.Add(*(sign * d for sign, _, d in written))
    return total == 0 or (not _huge_power(total) and sympy.expand(total) == 0)


_EXPANDED_EXPONENT = 10_000  # a power whose exponent holds a larger number is not expanded
_EXPANDED_SUM_POWER = 16  # nor a sum to a larger whole power: (w1 + w2 + 1)^500 has 125 751 terms


def _huge_power(e: sympy.Expr) -> bool:
    """Whether expanding `e` could not end in time: a power whose exponent holds a number past
    :data:`_EXPANDED_EXPONENT` (expanding (2 w1)^(w2 + 10^300) computes 2^(10^300)), or a sum to a
    whole power past :data:`_EXPANDED_SUM_POWER` (the multinomial expansion)."""
    for p in e.atoms(sympy.Pow):
        if any(abs(n) > _EXPANDED_EXPONENT for n in p.exp.atoms(sympy.Number)):
            return True
        if isinstance(p.base, sympy.Add) and p.exp.is_Integer and abs(p.exp) > _EXPANDED_SUM_POWER:
            return True
    return False


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    """a == b, proved by SymPy: by its arithmetic, by expanding, over a common denominator (the
    quotient rule's one fraction), or by simplify(), these two when small; else not known (also
    for a power of a huge exponent, which none of them may touch)."""
    difference = a - b
    if difference == 0:
        return True
    if _huge_power(difference):
        return False
    if sympy.expand(difference) == 0:
        return True
    size = sympy.count_ops(difference)
    if size <= _CANCEL_OPS and sympy.cancel(difference) == 0:
        return True
    return size <= _SIMPLIFY_OPS and sympy.simplify(difference) == 0


# Beyond these sizes the proof is not attempted (cancel() and simplify() can take minutes) and
# SymPy's own form is used: one term of f this large is rare.
_CANCEL_OPS = 150
_SIMPLIFY_OPS = 60


def _has_variable_denominator(node: Node) -> bool:
    """Whether a quotient in `node` divides by something with a variable that may be 0 (not e^{y},
    nor x^2 + 1)."""
    return any(isinstance(n, Bin) and n.op == "/" and bool(names(n.right) - {"pi"}) and to_sympy(n.right).is_zero is not False
               for n in walk(node))


def _sympy_has_pole(expr: sympy.Expr) -> bool:
    """A variable in a denominator, or a function with poles (tan)."""
    for sub in sympy.preorder_traversal(expr):
        if sub.is_Pow and sub.exp.is_negative and sub.base.free_symbols:
            return True
        if isinstance(sub, sympy.tan) and sub.free_symbols:
            return True
    return False


# -- differentiation as a teacher writes it ----------------------------------------------------
# The rules (sum, product, quotient, power, chain) applied to f's own tree, term by term in f's
# order; zero terms dropped, numbers multiplied out (2 * 1 * x^1 is 2x), a product written as its
# coefficient, then names, then functions, then sums (-400x(y - x^2)); nothing expanded.


class NoRule(Exception):
    """A part whose derivative only SymPy knows (a function without a derivative in the table)."""


ZERO, ONE = Num(Fraction(0)), Num(Fraction(1))
_E = Call("exp", (ONE,))
_MAX_FOLDED_POWER = 64

#: How a rule takes the derivative of a part: :func:`derivative` itself (the whole derivative at
#: once), or :func:`_pending`, which leaves it to the derivation's next line (:func:`derivation`).
Differentiate = Callable[[Node, str], Node]


def derivative(node: Node, v: str) -> Node:
    """∂node/∂v by the rules of differentiation, on the tree as written (see above).  Not checked:
    :func:`gradient` has SymPy confirm it."""
    if isinstance(node, Num) or v not in names(node):
        return ZERO
    if isinstance(node, Name):
        return ONE
    return _apply(node, v, derivative)


def _apply(node: Node, v: str, d: Differentiate) -> Node:
    """The rule for `node` (which holds v and is not v), applied once: each part's derivative is
    ``d(part, v)``."""
    if isinstance(node, Neg):
        return _neg(d(node.operand, v))
    if isinstance(node, Call):
        return _chain_rule(node, v, d)
    if isinstance(node, Bin):
        rule = _RULES.get(node.op)
        if rule is not None:
            return rule(node, v, d)
    raise NoRule(getattr(node, "op", ""))  # a comparison


def _chain_rule(node: Call, v: str, d: Differentiate) -> Node:
    """f(u)' = f'(u) u', f' from the function table; only SymPy knows a function without one."""
    row = TABLE.get(node.func)
    if row is None or row.derivative is None or len(node.args) != 1:
        raise NoRule(node.func)
    return _mul(_outer(row.derivative, node.args[0]), d(node.args[0], v))


def _sum_rule(node: Bin, v: str, d: Differentiate) -> Node:
    """(a ± b)' = a' ± b'."""
    da, db = d(node.left, v), d(node.right, v)
    return _add(da, db) if node.op == "+" else _sub(da, db)


def _product_rule(node: Bin, v: str, d: Differentiate) -> Node:
    """(ab)' = a'b + ab'; a factor without v is a constant factor (c b' or a' c)."""
    a, b = node.left, node.right
    if v not in names(a):
        return _mul(a, d(b, v))
    if v not in names(b):
        return _mul(d(a, v), b)
    return _add(_mul(d(a, v), b), _mul(a, d(b, v)))


def _quotient_rule(node: Bin, v: str, d: Differentiate) -> Node:
    """(a/b)' = (a'b - ab')/b^2; a/c is a'/c, and c/b is -(c b')/b^2."""
    a, b = node.left, node.right
    if v not in names(b):
        return _div(d(a, v), b)
    if v not in names(a):
        return _neg(_div(_mul(a, d(b, v)), _power(b, Num(Fraction(2)))))
    numerator = _sub(_mul(d(a, v), b), _mul(a, d(b, v)))
    return _div(numerator, _power(b, Num(Fraction(2))))


def _power_rule(node: Bin, v: str, d: Differentiate) -> Node:
    """u^n: n u^(n-1) u' (a number n multiplied out); a^u: a^u ln(a) u'; and u^w, both varying:
    u^w (w' ln(u) + w u'/u)."""
    a, b = node.left, node.right
    if v not in names(b):
        n = _number(b)
        coefficient, exponent = (b, _sub(b, ONE)) if n is None else (_constant(n), _constant(n - 1))
        return _mul(_mul(coefficient, _power(a, exponent)), d(a, v))
    log_a = Call("log", (a,))
    if v not in names(a):
        return _mul(_mul(node, log_a), d(b, v))
    inner = _add(_mul(d(b, v), log_a), _div(_mul(b, d(a, v)), a))
    return _mul(node, inner)


_RULES: dict[str, Callable[[Bin, str, Differentiate], Node]] = {
    "+": _sum_rule, "-": _sum_rule, "*": _product_rule, "/": _quotient_rule, "^": _power_rule,
}


# -- the derivation: the rules one line at a time (a spec's steps = true) -----------------------
# Each line applies one rule to every derivative the line before left to take, as a teacher
# writes it: ∂f/∂x = ∂/∂x((1 - x)^2) + ∂/∂x(100(y - x^2)^2) (sum rule), then = 2(1 - x) ·
# ∂/∂x(1 - x) + 100 · ∂/∂x((y - x^2)^2) (chain rule, constant multiple rule), ... down to the
# derivative the sheet uses (simplified).  The rules are the ones :func:`derivative` applies, with
# each part's derivative left pending (:func:`_pending`) instead of taken at once; a result is put
# in place of its derivative as it is, not multiplied out, so that each line shows its rule's work.
# A part without x is 0 at once (the sum rule names the constant rule then), and ∂x/∂x is 1.


@dataclass(frozen=True)
class Step:
    """A line of a derivation: ∂f/∂v = `tree`, with ``Call(DERIVATIVE, (u, Name(v)))`` for each
    derivative still to take, and the rules the line applied (keys of the rules' words in
    :mod:`symopt.labels`: ``sum``, ``chain``, ..., ``simplify`` for the last line)."""

    tree: Node
    rules: tuple[str, ...]


class TooLong(SymoptError):
    """A derivation past :data:`symopt.spec.MAX_STEP_NODES` or :data:`symopt.spec.MAX_STEP_LINES`
    (the work budget counts its lines: symopt.spec.step_lines)."""


def derivation(f: Node, v: str, final: Node) -> tuple[Step, ...] | None:
    """∂f/∂v derived by the rules, line by line, ending in `final` (the derivative the sheet uses:
    :func:`gradient`'s); each rule applied checked by SymPy once: the part's derivative SymPy takes
    equals what the rule wrote (with the derivatives it leaves to take, as SymPy's Derivative), so
    every line is SymPy's ∂f/∂v.  None where the rules cannot derive it so (a function without a
    derivative in the table, a step SymPy does not confirm); :class:`TooLong` past the bounds."""
    try:
        return _derivation(f, v, final)
    except RecursionError:
        return None


@lru_cache(maxsize=256)
def _derivation(f: Node, v: str, final: Node) -> tuple[Step, ...] | None:
    if f == Name(v) or v not in names(f):
        return (Step(_pending(f, v), ("power",) if f == Name(v) else ("constant",)),)
    line, steps = _pending(f, v), []
    applied: list[tuple[Node, Node]] = []
    while _takes(line):
        rules: list[str] = []
        try:
            line = _advance(line, v, rules, applied)
        except NoRule:
            return None
        steps.append(Step(line, tuple(dict.fromkeys(rules))))
        size = sum(1 for _ in walk(line))
        if size > MAX_STEP_NODES or (len(steps) >= MAX_STEP_LINES - 1 and _takes(line)):  # (the last line: simplified)
            what = f"a line of more than {MAX_STEP_NODES} terms" if size > MAX_STEP_NODES else f"more than {MAX_STEP_LINES} lines"
            raise TooLong(f"deriving ∂f/∂{v} by the rules takes {what}; steps are for an f derived by hand: "
                          "write a smaller f, or steps = false")
    until = deadline()
    for u, result in applied:
        past(until, f"deriving ∂f/∂{v}", "ask for steps on a smaller f, or on fewer exercises")
        if not _rule_confirmed(u, v, result):
            return None
    if line != final:
        steps.append(Step(final, ("simplify",)))
    return tuple(steps)


def _pending(u: Node, v: str) -> Node:
    """∂u/∂v left to the next line: 0 for a part without v, 1 for v itself."""
    if isinstance(u, Num) or v not in names(u):
        return ZERO
    if u == Name(v):
        return ONE
    return Call(DERIVATIVE, (u, Name(v)))


def _in_sum(u: Node, v: str) -> Node:
    """A term's derivative under the sum rule: a sum within the sum (or a negated term) is the same
    sum, taken term by term at once."""
    if isinstance(u, Bin) and u.op in ("+", "-"):
        return _sum_rule(u, v, _in_sum)
    if isinstance(u, Neg):
        return _neg(_in_sum(u.operand, v))
    return _pending(u, v)


def _takes(node: Node) -> bool:
    """Whether a line has a derivative still to take."""
    return any(isinstance(n, Call) and n.func == DERIVATIVE for n in walk(node))


def _advance(line: Node, v: str, rules: list[str], applied: list[tuple[Node, Node]]) -> Node:
    """The next line: each derivative of `line` replaced by its rule's result, the rules' names
    added to `rules`, and each (part, result) to `applied`."""
    def apply(node: Node) -> Node | None:
        if not (isinstance(node, Call) and node.func == DERIVATIVE):
            return None
        u = node.args[0]
        rules.extend(_rule_names(u, v))
        result = _apply(u, v, _in_sum if _is_sum(u) else _pending)
        applied.append((u, result))
        return result

    return _tidied(replaced(line, apply))


def _is_sum(node: Node) -> bool:
    return isinstance(node, Bin) and node.op in ("+", "-")


def _tidied(node: Node) -> Node:
    """`node` without the factors of one and the zero terms a result put in place may leave (the
    numerator (1 + x^2) ∂/∂x(x + y) of a quotient rule becomes 1 + x^2; ∂/∂x(x - x) is 0, a rare
    f), and with a + (-b) as a - b."""
    if isinstance(node, Neg):
        inner = _tidied(node.operand)
        return node if inner is node.operand else _neg(inner)
    if not isinstance(node, Bin):
        return node
    left, right = _tidied(node.left), _tidied(node.right)
    if node.op not in ("+", "-", "*"):
        return node if (left, right) == (node.left, node.right) else Bin(node.op, left, right)
    if node.op == "*" and ZERO in (left, right):
        return ZERO
    if node.op == "*" and ONE in (left, right):
        return right if left == ONE else left
    if right == ZERO:
        return left
    if left == ZERO and node.op in ("+", "-"):
        return right if node.op == "+" else _neg(right)
    if node.op in ("+", "-") and isinstance(right, Neg):  # a + (-b) is a - b
        return Bin("-" if node.op == "+" else "+", left, right.operand)
    return node if (left, right) == (node.left, node.right) else Bin(node.op, left, right)


def _rule_names(u: Node, v: str) -> list[str]:
    """The rules that take ∂u/∂v (u holds v and is not v), as :func:`_apply` takes it."""
    if isinstance(u, Neg):
        return ["constant_multiple"]
    if isinstance(u, Call):
        row = TABLE.get(u.func)
        return ["chain" if u.args[0] != Name(v) else row.rule if row is not None else "function"]
    assert isinstance(u, Bin), u  # a number or a name has no rule: _pending took it
    a, b = u.left, u.right
    if u.op in ("+", "-"):
        return ["sum", *(["constant"] if any(v not in names(t) for t in _terms_of(u)) else [])]
    if u.op == "*":
        return ["constant_multiple" if v not in names(a) or v not in names(b) else "product"]
    if u.op == "/":
        return ["constant_multiple" if v not in names(b) else "quotient"]
    if v not in names(b):
        return ["power" if a == Name(v) else "chain"]
    if v not in names(a):
        return ["exp" if b == Name(v) else "chain"]
    return ["log_diff"]


def _terms_of(node: Node) -> list[Node]:
    """A sum's terms, within sums and negations."""
    if _is_sum(node):
        assert isinstance(node, Bin)
        return _terms_of(node.left) + _terms_of(node.right)
    if isinstance(node, Neg):
        return _terms_of(node.operand)
    return [node]


def _rule_confirmed(u: Node, v: str, result: Node) -> bool:
    """Whether SymPy's ∂u/∂v is `result`, whose derivatives still to take are those of parts p_i of
    u.  Proved with each p_i a function P_i(v) of its own: SymPy's derivative of u so written, P_i'
    a symbol dP_i and then P_i p_i again, is `result` with dP_i for each ∂p_i/∂v.  (Taking each
    ∂p_i/∂v in full instead gives the same equality, but one that only a common denominator of
    the whole of u may show: a second on a quotient of three terms, and past _CANCEL_OPS never.)"""
    x = symbol(v)
    parts = list(dict.fromkeys(n.args[0] for n in walk(result) if isinstance(n, Call) and n.func == DERIVATIVE))
    functions = {p: sympy.Function(f"_P{i}", real=True)(x) for i, p in enumerate(parts)}
    slopes = {p: sympy.Symbol(f"_dP{i}", real=True) for i, p in enumerate(parts)}
    try:
        ours = to_sympy(result, {Call(DERIVATIVE, (p, Name(v))): slopes[p] for p in parts})
        theirs = sympy.diff(to_sympy(u, functions), x).xreplace({sympy.Derivative(functions[p], x): slopes[p] for p in parts})
        return _equal(ours, theirs.xreplace({functions[p]: to_sympy(p) for p in parts}))
    except SymoptError:
        return False


@lru_cache(maxsize=64)
def _outer_tree(text: str) -> Node:
    from .expr import parse

    return parse(text)


def _outer(text: str, argument: Node) -> Node:
    """The table's derivative of a function (``1/(1 + u^2)``) at `argument`: its u replaced."""
    return map_names(_outer_tree(text), lambda name: argument if name == "u" else None)


def _constant(q: Fraction) -> Node:
    return Neg(Num(-q)) if q < 0 else Num(q)


def _value(node: Node) -> Fraction | None:
    """The number a node is, when it is written as one (``3``, ``-3``)."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg) and isinstance(node.operand, Num):
        return -node.operand.value
    return None


def _number(node: Node) -> Fraction | None:
    """The rational value of a tree of numbers (``2^3``, ``1/3``), or None."""
    try:
        return _rational(node)
    except (ArithmeticError, ValueError):
        return None


def _rational(node: Node) -> Fraction | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        inner = _rational(node.operand)
        return None if inner is None else -inner
    if not isinstance(node, Bin) or node.op not in BINARY:
        return None
    left, right = _rational(node.left), _rational(node.right)
    if left is None or right is None:
        return None
    if node.op == "^" and (right.denominator != 1 or abs(right) > _MAX_FOLDED_POWER):
        return None
    return BINARY[node.op](left, right)


def _neg(a: Node) -> Node:
    if isinstance(a, Neg):
        return a.operand
    q = _value(a)
    return a if q == 0 else Neg(a)


def _add(a: Node, b: Node) -> Node:
    return _sum(a, b, 1)


def _sub(a: Node, b: Node) -> Node:
    return _sum(a, b, -1)


def _sum(a: Node, b: Node, sign: int) -> Node:
    """a + b (sign 1) or a - b (sign -1) as one sum: its terms in order, zero terms dropped and
    like terms added up where they first appear (``(x + 1) - x`` is 1, ``2x + 2x`` is 4x)."""
    terms: list[tuple[Fraction, Factors]] = []
    _terms(a, 1, terms)
    _terms(b, sign, terms)
    combined: dict[frozenset, list] = {}
    for c, factors in terms:
        merged: dict[Node, Fraction] = {}
        for base, k in factors:
            merged[base] = merged.get(base, Fraction(0)) + k
        key = frozenset((base, k) for base, k in merged.items() if k)
        if key in combined:
            combined[key][0] += c
        else:
            combined[key] = [c, factors]
    node = None
    for c, factors in combined.values():
        if not c:
            continue
        term = _written_product(abs(c), factors)
        if node is None:
            node = term if c > 0 else Neg(term)
        else:
            node = Bin("+" if c > 0 else "-", node, term)
    return ZERO if node is None else node


def _terms(node: Node, sign: int, out: list) -> None:
    if isinstance(node, Bin) and node.op in ("+", "-"):
        _terms(node.left, sign, out)
        _terms(node.right, sign if node.op == "+" else -sign, out)
    elif isinstance(node, Neg) and isinstance(node.operand, Bin) and node.operand.op in ("+", "-"):
        _terms(node.operand, -sign, out)
    else:
        c, factors = _factors(node)
        if c:  # a zero term takes no place (0 + (w - 3) is w - 3, not -3 + w)
            out.append((sign * c, factors))


Factors = list[tuple[Node, Fraction]]  # (base, exponent), exponents < 0 for a denominator


def _factors(node: Node) -> tuple[Fraction, Factors]:
    """A product or quotient as its number and its other factors (``-4x(y - x^2)``: -4, x, y - x^2)."""
    if not names(node):
        q = _number(node)
        if q is not None:
            return q, []
    if isinstance(node, Neg):
        c, fs = _factors(node.operand)
        return -c, fs
    if isinstance(node, Bin) and node.op in ("*", "/"):
        ca, fa = _factors(node.left)
        cb, fb = _factors(node.right)
        if node.op == "*":
            return ca * cb, fa + fb
        if cb == 0:
            raise NoRule("division by zero")
        return ca / cb, fa + [(base, -k) for base, k in fb]
    if isinstance(node, Bin) and node.op == "^":
        k = _number(node.right)
        if k is not None:
            if k.denominator == 1:  # (x^2)^3 is x^6, sqrt(u)^2 is u; (x^2)^0.5 is |x|, kept
                c, inner = _factors(node.left) if _is_power(node.left) else (Fraction(1), [(node.left, Fraction(1))])
                return c**int(k), [(base, j * k) for base, j in inner]
            return Fraction(1), [(node.left, k)]
    if isinstance(node, Call) and node.func == "sqrt":
        return Fraction(1), [(node.args[0], Fraction(1, 2))]
    return Fraction(1), [(node, Fraction(1))]


def _is_power(node: Node) -> bool:
    return (isinstance(node, Call) and node.func == "sqrt") or \
        (isinstance(node, Bin) and node.op == "^" and _number(node.right) is not None)


def _mul(a: Node, b: Node) -> Node:
    ca, fa = _factors(a)
    cb, fb = _factors(b)
    return _written_product(ca * cb, fa + fb)


def _div(a: Node, b: Node) -> Node:
    ca, fa = _factors(a)
    cb, fb = _factors(b)
    if cb == 0:
        raise NoRule("division by zero")
    return _written_product(ca / cb, fa + [(base, -k) for base, k in fb])


def _rank(base: Node) -> int:
    """Where a factor goes in a product: constants (π, e), names, functions, sums, and last a
    derivative still to take (a derivation's line: 2(1 - x) ∂/∂x(1 - x))."""
    if isinstance(base, Call) and base.func == DERIVATIVE:
        return 4
    if base == _E or (not names(base) - {"pi"} and not isinstance(base, Call)):
        return 0
    core = base.left if isinstance(base, Bin) and base.op == "^" else base
    if isinstance(core, Name):
        return 1
    if isinstance(core, Bin) and core.op in ("+", "-"):
        return 3
    return 2


def _written_product(coefficient: Fraction, factors: Factors) -> Node:
    """A product written out: the same bases merged (x * x is x^2, sqrt(u)/sqrt(u) is 1), the
    number in front, decimal where it is one (0.2w_1), a fraction where there are denominators."""
    if coefficient == 0:
        return ZERO
    merged: dict[Node, Fraction] = {}
    for base, k in factors:
        merged[base] = merged.get(base, Fraction(0)) + k
    kept = sorted(((b, k) for b, k in merged.items() if k), key=lambda f: _rank(f[0]))
    top = [p for b, k in kept if k > 0 for p in _powers(b, k)]
    bottom = [p for b, k in kept if k < 0 for p in _powers(b, -k)]
    c = abs(coefficient)
    if bottom or (c.denominator != 1 and decimals_of(c) is None and top):
        numerator = _chain(([Num(Fraction(c.numerator))] if c.numerator != 1 or not top else []) + top)
        denominator = _chain(([Num(Fraction(c.denominator))] if c.denominator != 1 else []) + bottom)
        body: Node = Bin("/", numerator, denominator)
    else:
        body = _chain(([Num(c)] if c != 1 or not top else []) + top)
    return Neg(body) if coefficient < 0 else body


def _chain(factors: list[Node]) -> Node:
    node = factors[0]
    for factor in factors[1:]:
        node = Bin("*", node, factor)
    return node


def _powers(base: Node, k: Fraction) -> list[Node]:
    """base^k as factors, a half power as a root: x^{3/2} is x sqrt(x)."""
    if k.denominator == 2:
        whole = k - Fraction(1, 2)
        return ([_power(base, _constant(whole))] if whole else []) + [Call("sqrt", (base,))]
    return [_power(base, _constant(k))]


def _power(base: Node, exponent: Node) -> Node:
    k = _value(exponent)
    if k == 0:
        return ONE
    if k == 1:
        return base
    if k == Fraction(1, 2):
        return Call("sqrt", (base,))
    return Bin("^", base, exponent)


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
        body: Node = Bin("/", from_sympy(numerator), from_sympy(denominator))
    else:
        factors = sympy.Mul.make_args(numerator)
        body = from_sympy(factors[0])
        for factor in factors[1:]:
            body = Bin("*", body, from_sympy(factor))
    if coefficient != 1:
        body = Bin("*", from_sympy(coefficient), body)
    return body


def product(a: Node, b: Node) -> Node:
    """a·b written out as a teacher writes a product: its number first, like factors merged (``2e x``)."""
    return _mul(a, b)


def is_derivative(tree: Node, f: Node, v: str) -> bool:
    """Whether SymPy shows `tree` to be ∂f/∂v: a derivative written by other means (a dataset
    model's chain rule, :func:`symopt.dataset.derived`) confirmed as the gradients here are."""
    try:
        return _equal(to_sympy(tree), sympy.diff(to_sympy(f), symbol(v)))
    except RecursionError:
        return False
