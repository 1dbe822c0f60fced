"""The expression language of specs and optimizer rules: a safe parser and a tiny syntax tree.

User text (``"0.1*w1**2 + 2*w2**2"``, ``"v = beta*v + (1 - beta)*g"``) is tokenized and parsed by a
recursive-descent parser here; nothing is ever passed to eval, exec or SymPy's sympify.  Only
numbers (exact decimals), names, ``+ - * / ** ^``, parentheses and whitelisted functions exist.

The tree keeps the order the user wrote, so a formula prints as written; SymPy sees it only
through :mod:`symopt.symbolic`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
import math
import operator
import re

from .errors import SymoptError
from .functions import TABLE
from .numbers import parse_decimal, rational_text

#: Functions a user may call, with their number of arguments (the table of :mod:`symopt.functions`).
FUNCTIONS = {f.name: f.arity for f in TABLE.values() if not f.rule_only}

#: And those of optimizer rules only (f must be differentiable as written): ``max(a, b)``,
#: ``min(a, b)``, and ``where(a > b, x, y)``, x when the comparison holds, else y.
RULE_FUNCTIONS = {f.name: f.arity for f in TABLE.values()}
COMPARISONS = (">=", "<=", ">", "<")

MAX_LENGTH = 10_000
MAX_DEPTH = 100  # parentheses within parentheses
MAX_OPERATORS = 120  # operators and function calls: bounds the depth of the tree


@dataclass(frozen=True)
class Num:
    value: Fraction


@dataclass(frozen=True)
class Name:
    id: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Bin:
    op: str  # one of + - * / ^, or a comparison (> < >= <=) as where()'s condition
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]


Node = Num | Name | Neg | Bin | Call

#: The function of a derivative not yet taken, ``Call(DERIVATIVE, (u, Name(v)))`` for ∂u/∂v, in the
#: lines of a derivation (:func:`symopt.symbolic.derivation`); no spec or rule can write it (it is
#: no name the parser reads).
DERIVATIVE = "∂"

#: What each binary operator computes, for any number type.
BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": operator.pow}


def children(node: Node) -> tuple[Node, ...]:
    """A node's subtrees, left to right (none for a number or a name)."""
    if isinstance(node, Neg):
        return (node.operand,)
    if isinstance(node, Bin):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every subtree of `node`, itself first, then each child's, left to right (pre-order); the one
    walk that reads a tree.  (The children are pushed here rather than through :func:`children`:
    :func:`names` walks every subtree of f many times while a gradient is derived, twice as fast so.)"""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, Bin):
            stack.append(n.right)
            stack.append(n.left)
        elif isinstance(n, Neg):
            stack.append(n.operand)
        elif isinstance(n, Call):
            stack.extend(reversed(n.args))


def replaced(node: Node, change: Callable[[Node], Node | None]) -> Node:
    """`node` with every subtree for which ``change(subtree)`` gives a tree replaced by it, the
    outermost first (a replaced subtree is not looked into); the one walk that rebuilds a tree."""
    new = change(node)
    if new is not None:
        return new
    if isinstance(node, Neg):
        return Neg(replaced(node.operand, change))
    if isinstance(node, Bin):
        return Bin(node.op, replaced(node.left, change), replaced(node.right, change))
    if isinstance(node, Call):
        return Call(node.func, tuple(replaced(a, change) for a in node.args))
    return node


def without_ones(node: Node) -> Node:
    """`node` without factors of 1 (an exam's drawn coefficient: ``{a}*x**2`` with a = 1 is x^2, not
    1x^2); the rest as written (a term of 0 stays: without it, a sheet's f would lose a variable its
    data line starts)."""
    if not isinstance(node, Bin):
        return node
    left, right = without_ones(node.left), without_ones(node.right)
    one = Num(Fraction(1))
    if node.op == "*" and left == one:
        return right
    if node.op == "*" and right == one:
        return left
    return Bin(node.op, left, right)


def map_names(node: Node, rename: Callable[[str], str | Node | None]) -> Node:
    """`node` with each name ``rename(id)`` gives something for replaced: a new id, or a whole tree
    (``None`` keeps the name)."""
    def change(n: Node) -> Node | None:
        if not isinstance(n, Name):
            return None
        new = rename(n.id)
        if new is None:
            return n
        return Name(new) if isinstance(new, str) else new

    return replaced(node, change)


#: The size of a number an expression may build from its constants: 10^4000 either way.  A power
#: tower such as ``9^{9^{9^{9}}}`` or ``((2**1000)**1000)**1000`` is refused as it is read (a spec's
#: f or rule: one line; a student's line: unreadable), before SymPy or any arithmetic computes it.
#: Below Python's 4300 digits for writing an int, so every exact value of a line can be written.
MAX_MAGNITUDE = 4000
EULER = Name("e")
_LOG10 = {"e": math.log10(math.e), "pi": math.log10(math.pi)}


def bound_power(base: Node, exponent: Node) -> None:
    """SymoptError when ``base^exponent`` is a constant past 10^±MAX_MAGNITUDE, estimated in floats
    from the logarithms of the tree's numbers (:func:`estimate`); a name as the exponent (``w^x``)
    and a power plainly in range (``x^2``, ``0.9^3``) are passed at once, as nearly every power is."""
    if isinstance(exponent, Name) or _small_power(base, exponent):
        return
    power = estimate(exponent)
    if power is None:
        return
    size = estimate(base)
    if size is None or size[1] in (0.0, -math.inf):
        return
    magnitude = _log10_of_power(power, size[1])
    if not abs(magnitude) <= MAX_MAGNITUDE:  # (also nan)
        shown = f"about 10^{magnitude:.0f}" if abs(magnitude) < 1e12 else "a tower of powers"
        if magnitude < 0:
            raise SymoptError(f"the number is too small to compute ({shown}; at least 10^-{MAX_MAGNITUDE} is)")
        raise SymoptError(f"the number is too large to compute ({shown}; at most 10^{MAX_MAGNITUDE} is)")


def _small_power(base: Node, exponent: Node) -> bool:
    """Whether ``base^exponent`` is plainly within :data:`MAX_MAGNITUDE`: a name or a number of
    under 180 digits to a whole power of at most 16."""
    if not isinstance(exponent, Num) or exponent.value.denominator != 1 or not -16 <= exponent.value.numerator <= 16:
        return False
    if isinstance(base, Name):
        return True
    return isinstance(base, Num) and base.value.numerator.bit_length() < 600 and base.value.denominator.bit_length() < 600


def estimate(node: Node) -> tuple[int, float] | None:
    """(sign, log10 of the size) of a constant tree, in floats (None: it has names other than e
    and pi, or functions other than exp and the square root)."""
    if isinstance(node, Num):
        q = node.value
        if not q:
            return 0, -math.inf
        return (1 if q > 0 else -1), math.log10(abs(q.numerator)) - math.log10(q.denominator)
    if isinstance(node, Neg):
        inner = estimate(node.operand)
        return None if inner is None else (-inner[0], inner[1])
    if isinstance(node, Name):
        return (1, _LOG10[node.id]) if node.id in _LOG10 else None
    if isinstance(node, Call):
        if node.func not in ("exp", "sqrt") or len(node.args) != 1:
            return None
        inner = estimate(node.args[0])
        if inner is None:
            return None
        if node.func == "sqrt":
            return 1, inner[1] / 2
        return 1, _log10_of_power(inner, _LOG10["e"])
    if isinstance(node, Bin) and node.op in ("+", "-", "*", "/", "^"):
        a = estimate(node.left)
        b = estimate(node.right) if a is not None else None
        if a is None or b is None:
            return None
        if node.op == "*":
            return a[0] * b[0], a[1] + b[1]
        if node.op == "/":
            return (None if not b[0] else (a[0] * b[0], a[1] - b[1]))
        if node.op == "^":
            return None if a[1] in (0.0, -math.inf) else (a[0], _log10_of_power(b, a[1]))
        if max(a[1], b[1]) < 300:  # + and -: in floats when they are floats
            total = a[0] * 10 ** a[1] + (b[0] if node.op == "+" else -b[0]) * 10 ** b[1]
            return (0, -math.inf) if not total else ((1 if total > 0 else -1), math.log10(abs(total)))
        return (a if a[1] >= b[1] else b)[0], max(a[1], b[1]) + 0.302
    return None


def _log10_of_power(power: tuple[int, float], log10_base: float) -> float:
    """log10 of base^power, from log10 of the base and (sign, log10) of the power."""
    value = power[0] * 10 ** power[1] if power[1] < 308 else power[0] * math.inf
    return value * log10_base if value else 0.0


def names(node: Node) -> set[str]:
    """Every name a tree mentions."""
    return {n.id for n in walk(node) if isinstance(n, Name)}


def to_text(node: Node) -> str:
    """The tree in the spec's own syntax (``0.2*w1``), fully parseable again."""
    return _text(node, 0)


_TEXT_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4, **{c: 0 for c in COMPARISONS}}


def _text(node: Node, outer: int) -> str:
    if isinstance(node, Num):
        q = node.value
        text = rational_text(q)
        return text if (q >= 0 and "/" not in text) or outer == 0 else f"({text})"
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Call):
        return f"{node.func}(" + ", ".join(_text(a, 0) for a in node.args) + ")"
    if isinstance(node, Neg):
        text = "-" + _text(node.operand, 3)
        return f"({text})" if outer > 1 else text
    p = _TEXT_PRECEDENCE[node.op]
    if node.op == "^":
        text = _text(node.left, 5) + "**" + _text(node.right, 4)
    else:
        text = _text(node.left, p) + node.op + _text(node.right, p + 1)
    return f"({text})" if p < outer else text


_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|>=|<=|[-+*/^(),=<>])"
    r"|(?P<bad>\S))",
    re.ASCII,  # digits are 0-9 only
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing white space is left
            break
        kind = m.lastgroup
        if kind is None:
            break
        value = m.group(kind)
        column = m.start(kind) + 1
        if kind == "op" and value == "**":
            value = "^"
        if out and kind == "name" and out[-1][0] == "num" and out[-1][2] + len(out[-1][1]) == column:
            raise SymoptError(
                f"write {out[-1][1]}*{value}, not {out[-1][1]}{value} (a '*' is missing) in {text!r}"
            )
        out.append((kind, value, column))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class _Parser:
    """expr := term (('+'|'-') term)*;  term := unary (('*'|'/') unary)*;
    unary := ('-'|'+') unary | power;  power := atom ('^' unary)?;
    atom := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'"""

    def __init__(self, text: str, functions: dict[str, int]):
        self.text = text
        self.functions = functions
        self.tokens = _tokens(text)
        self.i = 0
        self.depth = 0
        self.operators = 0

    def count(self) -> None:
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise SymoptError(f"expression has more than {MAX_OPERATORS} operators; write a shorter f")

    def peek(self) -> tuple[str, str, int]:
        kind, value, column = self.tokens[self.i]
        if kind == "bad":  # reported when reached, so the first problem in reading order wins
            raise SymoptError(f"unexpected character {value!r} at column {column} in {self.text!r}")
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, what: str) -> SymoptError:
        kind, value, column = self.peek()
        found = "the end" if kind == "end" else repr(value)
        return SymoptError(f"{what}, found {found} at column {column} in {self.text!r}")

    def expect(self, op: str) -> None:
        if self.peek()[1] != op or self.peek()[0] != "op":
            raise self.fail(f"expected {op!r}")
        self.take()

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SymoptError(f"expression nested deeper than {MAX_DEPTH} levels in {self.text[:60]!r}…")
        node = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = self.take()[1]
            self.count()
            node = Bin(op, node, self.term())
        self.depth -= 1
        return node

    def condition(self) -> Node:
        left = self.expr()
        kind, op, _ = self.peek()
        if kind != "op" or op not in COMPARISONS:
            raise self.fail("where() starts with a comparison such as rho > 5")
        self.take()
        self.count()
        return Bin(op, left, self.expr())

    def term(self) -> Node:
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            self.count()
            node = Bin(op, node, self.unary())
        return node

    def unary(self) -> Node:
        kind, value, _ = self.peek()
        if kind == "op" and value in "+-":
            self.take()
            self.count()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise SymoptError(f"expression nested deeper than {MAX_DEPTH} levels in {self.text[:60]!r}…")
            operand = self.unary()
            self.depth -= 1
            return Neg(operand) if value == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.peek()[:2] == ("op", "^"):
            self.take()
            self.count()
            exponent = self.unary()
            bound_power(base, exponent)
            return Bin("^", base, exponent)
        return base

    def atom(self) -> Node:
        kind, value, column = self.peek()
        if kind == "num":
            self.take()
            try:
                return Num(parse_decimal(value))
            except ValueError as e:
                raise SymoptError(f"{e} (column {column} in {self.text!r})") from None
        if kind == "name":
            self.take()
            if self.peek()[:2] == ("op", "("):
                if value not in self.functions:
                    known = ", ".join(sorted(self.functions))
                    raise SymoptError(
                        f"unknown function {value!r} at column {column} in {self.text!r}; "
                        f"known functions: {known}"
                    )
                self.take()
                self.count()
                args = [self.condition() if value == "where" else self.expr()]
                while self.peek()[:2] == ("op", ","):
                    self.take()
                    args.append(self.expr())
                self.expect(")")
                if len(args) != self.functions[value]:
                    raise SymoptError(
                        f"{value}() takes {self.functions[value]} argument(s), got {len(args)} in {self.text!r}"
                    )
                if value == "exp":
                    bound_power(EULER, args[0])
                return Call(value, tuple(args))
            if value in self.functions:
                raise SymoptError(f"{value} is a function: write {value}(...) in {self.text!r}")
            return Name(value)
        if kind == "op" and value == "(":
            self.take()
            node = self.expr()
            self.expect(")")
            return node
        raise self.fail("expected a number, a name or '('")


def parse(text: str, functions: dict[str, int] = FUNCTIONS) -> Node:
    """Parse one expression; raises SymoptError with the column of the first problem."""
    if not isinstance(text, str):
        raise SymoptError(f"an expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise SymoptError(f"expression longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise SymoptError("the expression is empty")
    parser = _Parser(text, functions)
    node = parser.expr()
    if parser.peek()[0] != "end":
        raise parser.fail("expected an operator or the end")
    return node


def parse_rule(text: str, functions: dict[str, int] = FUNCTIONS) -> tuple[str, Node]:
    """Parse an update rule ``target = expression``."""
    target, sep, rhs = text.partition("=")
    target = target.strip()
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", target):
        raise SymoptError(f"a rule is 'name = expression', got {text!r}")
    return target, parse(rhs, functions)
