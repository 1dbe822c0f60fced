"""Compile a tree once into what the per-line loop needs.

- :func:`fold` replaces every part that depends on hyperparameters only (``1 - beta``) by its
  exact value, as a worked solution writes it (``0.5``).
- :func:`evaluator` turns a tree into nested closures over one number mode's arithmetic; a line's
  value is then a few Python calls, with no SymPy and no parsing.  Hand mode compiles each tree
  twice, in Decimal and in Fractions, and settles each line with the first unless it lands on a
  rounding boundary (:class:`symopt.arith.Hand`).
"""

from __future__ import annotations

from fractions import Fraction

from .arith import Arithmetic, Evaluator
from .expr import BINARY, Bin, Call, Name, Neg, Node, Num, names, replaced

__all__ = ["Evaluator", "evaluator", "fold", "rational_value"]


def rational_value(node: Node, constants: dict[str, Fraction]) -> Fraction | None:
    """The exact value of a tree of constants, or None when it is not rational (or not defined)."""
    try:
        return _rational(node, constants)
    except (ArithmeticError, ValueError, KeyError, OverflowError):
        return None


def _rational(node: Node, constants: dict[str, Fraction]) -> Fraction | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return constants[node.id]
    if isinstance(node, Neg):
        inner = _rational(node.operand, constants)
        return None if inner is None else -inner
    if isinstance(node, Call):
        if node.func != "floor":
            return None
        inner = _rational(node.args[0], constants)  # floor((t - 1)/10): a whole number, exactly
        return None if inner is None else Fraction(inner.numerator // inner.denominator)
    left, right = _rational(node.left, constants), _rational(node.right, constants)
    if left is None or right is None:
        return None
    if node.op == "^" and (right.denominator != 1 or abs(right) > 1000):
        return None  # a root, or too big a power, stays as written
    return BINARY[node.op](left, right)


def fold(node: Node, constants: dict[str, Fraction]) -> Node:
    """Fold the constant parts of `node` (names in `constants`, numbers) into single numbers, as a
    worked solution writes ``1 - \\beta`` as ``0.5``; a product of such parts stays a product, so
    the substitution shows (``\\alpha\\lambda`` as ``0.1 * 0.01``)."""
    known = set(constants)

    def constant(part: Node) -> Node | None:
        if not names(part) - known and not (isinstance(part, Bin) and part.op == "*" and names(part)):
            value = rational_value(part, constants)
            if value is not None:
                return Num(value)
        return None

    return replaced(node, constant)


MAX_EVALUATORS = 4096  # compiled trees an arithmetic keeps


def evaluator(node: Node, arith: Arithmetic, constants: dict[str, Fraction]) -> Evaluator:
    """A function of the line's environment (name -> value) that computes `node` in `arith`.

    An arithmetic with an ``evaluators`` dict (:class:`symopt.check.ball.BallArithmetic`) keeps what it
    compiled, by the tree's shape (:func:`_shape`): the checker compiles the same trees again and
    again (a rule under each probe, a derivative line every epoch)."""
    cache = arith.evaluators
    shape = None if cache is None else _shape(node)
    if cache is None or shape is None:
        return _evaluator(node, arith, constants)
    key: object = shape
    if constants:
        key = (shape, tuple(sorted((name, _shape(Num(value))) for name, value in constants.items())))
    compute = cache.get(key)
    if compute is None:
        if len(cache) >= MAX_EVALUATORS:
            cache.clear()
        compute = cache[key] = _evaluator(node, arith, constants)
    return compute


def _shape(node: Node) -> tuple | None:
    """What the compiled closures of `node` depend on, as plain tuples (cheap to hash, unlike trees
    of Fractions): a number by its value, whatever it was written as (a number may be a subclass of
    Num, the checker's Written).  None for a tree of other nodes."""
    if isinstance(node, Bin):
        left, right = _shape(node.left), _shape(node.right)
        return None if left is None or right is None else ("b", node.op, left, right)
    if isinstance(node, Name):
        return ("n", node.id)
    if isinstance(node, Num):
        value = node.value
        if type(value) is Fraction or type(value) is int:
            return ("#", value.numerator, value.denominator)
        return ("#", type(value), value)
    if isinstance(node, Neg):
        inner = _shape(node.operand)
        return None if inner is None else ("-", inner)
    if isinstance(node, Call):
        args = tuple(_shape(a) for a in node.args)
        return None if None in args else ("c", node.func, args)
    return None


def _evaluator(node: Node, arith: Arithmetic, constants: dict[str, Fraction]) -> Evaluator:
    compute = _closure(node, arith, constants)
    exact = arith.exact
    if exact is None:
        return compute
    exact_compute, settle = _closure(node, exact, constants), arith.settle
    return lambda env: settle(compute, exact_compute, env)


def _closure(node: Node, arith: Arithmetic, constants: dict[str, Fraction]) -> Evaluator:
    if isinstance(node, Num):
        value = arith.const(node.value)
        return lambda env: value
    if isinstance(node, Name):
        if node.id in constants:
            value = arith.const(constants[node.id])
            return lambda env: value
        if node.id == "pi":
            value = arith.pi()
            return lambda env: value
        key = node.id
        return lambda env: env[key]
    if isinstance(node, Neg):
        inner, neg = _closure(node.operand, arith, constants), arith.neg
        return lambda env: neg(inner(env))
    if isinstance(node, Call) and node.func == "where":  # only the chosen branch is computed
        condition, yes, no = node.args
        if not isinstance(condition, Bin):  # the parser makes it a comparison (a > b)
            raise TypeError("where() needs a comparison first")
        left, right = _closure(condition.left, arith, constants), _closure(condition.right, arith, constants)
        yes_f, no_f, compare, relation = _closure(yes, arith, constants), _closure(no, arith, constants), arith.compare, condition.op
        return lambda env: yes_f(env) if compare(relation, left(env), right(env)) else no_f(env)
    if isinstance(node, Call) and node.func in ("max", "min"):
        a, b = (_closure(x, arith, constants) for x in node.args)
        extreme, func = arith.extreme, node.func
        return lambda env: extreme(func, a(env), b(env))
    if isinstance(node, Call):
        arg, call, func = _closure(node.args[0], arith, constants), arith.call, node.func
        return lambda env: call(func, arg(env))
    left, right = _closure(node.left, arith, constants), _closure(node.right, arith, constants)
    op = {"+": arith.add, "-": arith.sub, "*": arith.mul, "/": arith.div, "^": arith.pow}[node.op]
    return lambda env: op(left(env), right(env))
