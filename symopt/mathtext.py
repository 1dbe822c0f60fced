"""Reading the math of a hand-worked line: LaTeX as people write it, parsed into syntax trees.

This is the first half of the checker (issue "symopt check"): ``v_{coord1} = \\frac{v_1}{1 -
\\beta_1^1} = \\frac{-0.1}{1 - 0.9^1} = -1`` becomes a list of trees, one per side of each ``=``.
A lark grammar does the parsing (no regular-expression arithmetic); numbers are exact decimals.

Accepted: ``*``, ``\\cdot``, ``\\times`` and implicit products (``0.2w_1``, ``\\beta V_{t-1}``);
``\\frac``/``\\dfrac``/``\\tfrac``, ``\\sqrt``, powers (``^2``, ``^{10}``, ``10^{-6}``), ``1e-6``;
parentheses, ``\\left( \\right)``, braces; subscripts (``w_1``, ``w_{1}``, ``w1``); Greek names;
hats (``\\hat{v}_1``); functions ``\\exp \\ln \\log \\sin \\cos \\tan \\tanh``, ``e^{x}``;
``\\left| x \\right|``; the Unicode minus, ``·`` and ``×``.  Names are kept as written (``dw_1``,
``v_{coord1}``, ``\\beta_1``); what they mean is decided by the checker's alias table.
"""

from __future__ import annotations

from functools import lru_cache
import re

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError

from .errors import SymoptError
from .expr import Bin, Call, Name, Neg, Node, Num
from .numbers import parse_decimal

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

NUMBER: /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/ | /\.[0-9]+/
NUMBER_DIGIT.2: /[0-9]/
MULOP: "*" | "\\cdot" | "\\times"
FRAC: "\\frac" | "\\dfrac" | "\\tfrac"
FUNC.2: /\\(exp|ln|log|sin|cos|tan|tanh|sinh|cosh|arctan)(?![A-Za-z])/
LEFTBAR: "\\left|" | "\\lvert"
RIGHTBAR: "\\right|" | "\\rvert"
NAME: /(\\hat\{[A-Za-z]+\}|\\(alpha|beta|gamma|delta|epsilon|varepsilon|eta|theta|lambda|mu|nu|rho|sigma|tau|phi|psi|omega)(?![A-Za-z])|[A-Za-z]+[0-9]*)(_(\{[^{}]*\}|[A-Za-z0-9]))?/

%ignore /\s+/
%ignore /\\[,;!: ]/
%ignore /\\(left|right)(?=[(){}\[\]])/
%ignore /\\(quad|qquad)(?![A-Za-z])/
"""

_FUNCTIONS = {"exp": "exp", "ln": "log", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan",
              "tanh": "tanh", "sinh": "sinh", "cosh": "cosh", "arctan": "atan"}
_RELATION = re.compile(r"\\approx|≈|=")
MAX_LINE = 5_000


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


@v_args(inline=True)
class _ToTree(Transformer):
    def number(self, token: Token) -> Node:
        return Num(parse_decimal(str(token)))

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


def _normalize(text: str) -> str:
    return text.replace("−", "-").replace("·", "*").replace("×", "*").strip().strip("$").strip()


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
    except LarkError as e:
        column = getattr(e, "column", None)
        where = f" at column {column}" if isinstance(column, int) and column > 0 else ""
        raise SymoptError(f"cannot read {text!r}{where}") from None
    except (ValueError, RecursionError):
        raise SymoptError(f"cannot read {text!r}") from None
    return node


def split_relations(text: str) -> list[str]:
    """The sides of ``a = b = c \\approx d``, split at relations outside braces."""
    text = _normalize(text)
    sides, depth, start = [], 0, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif depth == 0:
            m = _RELATION.match(text, i)
            if m:
                sides.append(text[start:i].strip())
                start = i = m.end()
                continue
        i += 1
    sides.append(text[start:].strip())
    return sides
