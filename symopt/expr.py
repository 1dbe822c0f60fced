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
            return Bin("^", base, self.unary())
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
