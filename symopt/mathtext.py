"""Reading the math of a hand-worked line: LaTeX as people write it, parsed into syntax trees.

This is the first half of the checker (issue "symopt check"): ``v_{coord1} = \\frac{v_1}{1 -
\\beta_1^1} = \\frac{-0.1}{1 - 0.9^1} = -1`` becomes a list of trees, one per side of each ``=``.
A lark grammar does the parsing (no regular-expression arithmetic); numbers are exact decimals.

Accepted: ``*``, ``\\cdot``, ``\\times`` and implicit products (``0.2w_1``, ``\\beta V_{t-1}``);
``\\frac``/``\\dfrac``/``\\tfrac``, ``\\sqrt``, powers (``^2``, ``^{10}``, ``10^{-6}``), ``1e-6``;
parentheses, ``\\left( \\right)``, braces; subscripts (``w_1``, ``w_{1}``, ``w1``); Greek names,
``\\mathrm{lr}`` and gradients of them (``d\\theta_1``, ``d\\mathrm{lr}``); ``\\pi``;
hats (``\\hat{v}_1``); functions ``\\exp \\ln \\log \\sin \\cos \\tan \\tanh``, ``e^{x}``;
``\\left| x \\right|``; the Unicode minus, ``·`` and ``×``.  Names are kept as written (``dw_1``,
``v_{coord1}``, ``\\beta_1``); what they mean is decided by the checker's alias table.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
import re

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, VisitError

from .errors import SymoptError
from .expr import Bin, Call, Name, Neg, Node, Num
from .functions import TABLE
from .notation import GREEK, plain_names
from .printer import split_at
from .numbers import parse_decimal

#: The LaTeX commands, without the backslash, the reader takes for functions (the table of
#: :mod:`symopt.functions`): ``\\ln`` and ``\\log`` for log.
_FUNCTIONS = {command: f.name for f in TABLE.values() for command in f.reads}


def _commands(arity: int) -> str:
    """The commands of the functions of `arity` arguments, as a regular expression (longest first)."""
    commands = sorted((c for c, name in _FUNCTIONS.items() if TABLE[name].arity == arity), key=len, reverse=True)
    return "|".join(re.escape(c) for c in commands)


_GRAMMAR = r"""
?start: sum

?sum: product
    | sum "+" product              -> add
    | sum "-" product              -> sub

?product: signed
    | product MULOP signed         -> mul
    | product power                -> mul

?signed: "-" signed                -> neg
    | "+" signed
    | power

?power: atom
    | atom "^" script              -> pow

?script: NUMBER_DIGIT              -> number
    | NAME                         -> name
    | "{" sum "}"

?atom: NUMBER                      -> number
    | NAME                         -> name
    | "(" sum ")"
    | "{" sum "}"
    | LEFTBAR sum RIGHTBAR         -> abs
    | FRAC "{" sum "}" "{" sum "}"  -> frac
    | "\\sqrt" "{" sum "}"        -> sqrt
    | FUNC atom                    -> call
    | EXTREME "(" sum SEPARATOR sum ")"  -> extreme
    | "\\begin{cases}" sum "&" condition "\\\\" sum "&" condition "\\end{cases}" -> cases

condition: sum COMPARE sum

SEPARATOR: "," | ";"

NUMBER: /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/ | /\.[0-9]+/
NUMBER_DIGIT.2: /[0-9]/
MULOP: "*" | "\\cdot" | "\\times"
FRAC: "\\frac" | "\\dfrac" | "\\tfrac"
FUNC.2: /\\(""" + _commands(1) + r""")(?![A-Za-z])/
EXTREME.2: /\\(""" + _commands(2) + r""")(?![A-Za-z])/
COMPARE: ">" | "<" | /\\(ge|le|geq|leq)(?![A-Za-z])/
LEFTBAR: "\\left|" | "\\lvert"
RIGHTBAR: "\\right|" | "\\rvert"
NAME: /(d?\\(hat|tilde)\{(\\?[A-Za-z]+|\\mathrm\{[A-Za-z]+\})\}|d?\\mathrm\{[A-Za-z\\_]+\}|d?\\(@GREEK@)(?![A-Za-z])|[A-Za-z]+[0-9]*)(_(\{(?:[^{}]|\{[^{}]*\})*\}|\\infty|[A-Za-z0-9]))?/

%ignore /\s+/
%ignore /\\[,;!: ]/
%ignore /\\(left|right)(?=[(){}\[\]])/
%ignore /\\(quad|qquad)(?![A-Za-z])/
"""

@dataclass(frozen=True)
class Written(Num):
    """A number as written, with the decimal place of its last digit: ``57.9170`` has 4, ``1e-6``
    has 6, ``12`` has 0, ``4.6 \\cdot 10^{3}`` has -2 (hundreds).  The checker needs it: a written
    value stands for everything within half a unit of its last digit."""

    places: int = 0

    @property
    def unit(self) -> Fraction:
        """One unit of the last written digit."""
        return Fraction(10) ** -self.places

    @property
    def half(self) -> Fraction:
        return self.unit / 2

    @property
    def padded(self) -> bool:
        """Whether the last written decimal is a trailing zero (``57.9170``): the value was rounded
        to exactly that place, not to a finer one whose zeros were dropped."""
        return self.places > 0 and (self.value * 10**self.places) % 10 == 0

    @property
    def significant(self) -> int:
        """How many significant digits are written (``0.0289``: 3, ``57.9170``: 6, ``0``: 0)."""
        if not self.value:
            return 0
        q, lead = abs(self.value), 0
        while q >= 10:
            q, lead = q / 10, lead + 1
        while q < 1:
            q, lead = q * 10, lead - 1
        return lead + self.places + 1


def _places(text: str) -> int:
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return decimals - int(exponent or 0) if exponent else decimals


_COMPARE = {">": ">", "<": "<", "\\ge": ">=", "\\geq": ">=", "\\le": "<=", "\\leq": "<="}
_RELATION = re.compile(r"\\approx|\\simeq|≈|=")
MAX_LINE = 5_000


@lru_cache(maxsize=1)
def _parser() -> Lark:
    greek = "|".join(sorted(GREEK, key=len, reverse=True))  # the notation table's letters, longest first
    return Lark(_GRAMMAR.replace("@GREEK@", greek), parser="lalr", maybe_placeholders=False)


@v_args(inline=True)
class _ToTree(Transformer):
    def number(self, token: Token) -> Node:
        text = str(token)
        return Written(parse_decimal(text), _places(text))

    def name(self, token: Token) -> Node:
        return Name(str(token))

    def add(self, a, b):
        return Bin("+", a, b)

    def sub(self, a, b):
        return Bin("-", a, b)

    def mul(self, a, *rest):
        return Bin("*", a, rest[-1])  # rest is (MULOP, b) or (b,)

    def neg(self, a):
        return Neg(a)

    def pow(self, a, b):
        return Bin("^", a, b)

    def frac(self, _frac, a, b):
        return Bin("/", a, b)

    def sqrt(self, a):
        return Call("sqrt", (a,))

    def abs(self, _left, a, _right):
        return Call("abs", (a,))

    def call(self, func: Token, a):
        return Call(_FUNCTIONS[str(func)[1:]], (a,))

    def extreme(self, func: Token, a, _separator, b):
        return Call(_FUNCTIONS[str(func)[1:]], (a, b))

    def condition(self, a, op: Token, b):
        return Bin(_COMPARE[str(op)], a, b)

    def cases(self, yes, condition, no, _otherwise):
        return Call("where", (condition, yes, no))


def _normalize(text: str) -> str:
    """Unicode signs as ASCII, and the decimal comma ``0{,}9`` (LaTeX, KaTeX) as a decimal point."""
    text = text.replace("−", "-").replace("·", "*").replace("×", "*").replace("{,}", ".").strip().strip("$").strip()
    return plain_names(text)


def parse_math(text: str) -> Node:
    """One expression (one side of an ``=``) as a tree; SymoptError says where it is unreadable."""
    text = _normalize(text)
    if not text:
        raise SymoptError("an empty expression")
    if len(text) > MAX_LINE:
        raise SymoptError(f"a line longer than {MAX_LINE} characters")
    try:
        tree = _parser().parse(text)
        node = _ToTree().transform(tree)
    except VisitError as e:  # a number that cannot be read as an exact decimal
        raise SymoptError(f"cannot read {text[:60]!r}: {e.orig_exc}") from None
    except LarkError as e:
        column = getattr(e, "column", None)
        where = f" at column {column}" if isinstance(column, int) and column > 0 else ""
        raise SymoptError(f"cannot read {text!r}{where}") from None
    except (ValueError, RecursionError):
        raise SymoptError(f"cannot read {text!r}") from None
    return node


def split_relations(text: str) -> list[str]:
    """The sides of ``a = b = c \\approx d``, split at relations outside braces."""
    return relations(text)[0]


def relations(text: str) -> tuple[list[str], list[str]]:
    """The sides of ``a = b \\approx c`` and the relations between them (``=`` or ``≈``)."""
    sides, marks = split_at(_normalize(text), _RELATION)
    return sides, ["=" if m == "=" else "≈" for m in marks]


def literals(node: Node) -> list[Written]:
    """The numbers of a tree in reading order, as written: ``-5`` (a minus on a number) is one
    number, and so are ``10^{-6}`` and ``2.5 \\cdot 10^{-6}``."""
    out: list[Written] = []
    _collect(node, out)
    return out


def _collect(node: Node, out: list) -> None:
    single = as_written(node)
    if single is not None:
        out.append(single)
    elif isinstance(node, Neg):
        _collect(node.operand, out)
    elif isinstance(node, Bin):
        _collect(node.left, out)
        _collect(node.right, out)
    elif isinstance(node, Call):
        for a in node.args:
            _collect(a, out)


def as_written(node: Node) -> Written | None:
    """`node` as one written number, when it is one: ``-0.6``, ``10^{-6}``, ``2.5 \\cdot 10^{-6}``."""
    if isinstance(node, Neg):
        inner = as_written(node.operand)
        return None if inner is None else Written(-inner.value, inner.places)
    if isinstance(node, Num):
        return node if isinstance(node, Written) else Written(node.value, 0)
    if isinstance(node, Bin) and node.op == "^":
        k = _integer(node.right)  # 10^{-6}, or any b^{-k}: a constant such as ε, written as a power
        if k is not None and isinstance(node.left, Num) and abs(k) <= 300 and (node.left.value == 10 or k < 0 < node.left.value):
            return Written(node.left.value ** k, max(0, -k) if node.left.value == 10 else 0)
    if isinstance(node, Bin) and node.op == "*" and isinstance(_unsigned(node.left), Num):
        power = as_written(node.right) if isinstance(node.right, Bin) and node.right.op == "^" else None
        k = _integer(node.right.right) if power is not None else None
        if power is not None and isinstance(node.right.left, Num) and node.right.left.value == 10 and k is not None:
            mantissa = as_written(node.left)  # 1.96 \cdot 10^{-7}, -1.96 \cdot 10^{-7}, 4.6 \cdot 10^{3}
            return Written(mantissa.value * power.value, mantissa.places - k)
    return None


def _unsigned(node: Node) -> Node:
    return _unsigned(node.operand) if isinstance(node, Neg) else node


def _integer(node: Node) -> int | None:
    if isinstance(node, Neg):
        inner = _integer(node.operand)
        return None if inner is None else -inner
    if isinstance(node, Num) and node.value.denominator == 1:
        return int(node.value)
    return None
