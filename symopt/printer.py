"""LaTeX for syntax trees: general formulas, and line templates with holes for the numbers.

One printer serves both uses.  It walks a tree once and asks a *leaf* function what each name
becomes: LaTeX text (``V_{t-1}``, ``\\beta``) for a general formula, or a :class:`Hole` for a value
that changes every line.  A template is a list of strings and holes, built once per rule; filling
it is a join, so long runs never print through SymPy.

Layout follows the reference sheet: ``0.2w_1`` and ``\\beta V_{t-1}`` in formulas, an explicit sign
in substituted lines (``0.5 * 0 + 0.5 * (-1)``), negative numbers in parentheses except where they
open a group (``-5 - 0.4 * (-1)``, ``\\frac{-0.1}{1 - 0.9^1}``), fractions as ``\\frac``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import re

from .expr import DERIVATIVE, Bin, Call, Name, Neg, Node, Num
from .functions import TABLE
from .numbers import constant_latex

MULT_SIGNS = {"*": "*", "cdot": "\\cdot", "times": "\\times"}


@dataclass(frozen=True)
class Hole:
    """A place for a value in a line template.

    `paren`: wrap a negative value in parentheses (it does not open a group).
    `base`: it is a power's base, so anything but a plain non-negative number gets parentheses.
    `script`: it is an exponent, so a value longer than one character gets braces.
    `name`: it takes a name, not a number (``\\mu_1``, an epoch's quantity), printed as it is.
    """

    key: str
    paren: bool = True
    base: bool = False
    script: bool = False
    name: bool = False

    def fill(self, text: str) -> str:
        return decorate(text, self.paren, self.base, self.script)


def decorate(text: str, paren: bool, base: bool, script: bool) -> str:
    """A number's text as it must stand in its place (see :class:`Hole`)."""
    if script:
        return text if len(text) == 1 else "{" + text + "}"
    if ((paren or base) and text.startswith("-")) or (paren and "\\cdot" in text):
        return "(" + text + ")"
    if base and not _plain_number(text):
        return "(" + text + ")"
    return text


Part = str | Hole
Template = tuple[Part, ...]
Leaf = Callable[[str], "str | Hole"]

#: What a function's argument is written between (the table of :mod:`symopt.functions`).
_FUNCTION_LATEX = {f.name: f.latex for f in TABLE.values() if f.latex}


_RELATIONS = {">": (">", "\\le"), "<": ("<", "\\ge"), ">=": ("\\ge", "<"), "<=": ("\\le", ">")}  # and its negation
_FLIPPED = {">": "<", "<": ">", "\\ge": "\\le", "\\le": "\\ge"}  # a relation read the other way: 5 < t for t > 5


def _chain(node: Call) -> tuple[list[tuple[Bin, Node]], Node]:
    """A where() and the where()s of its last branch that compare the same left side in the same
    direction to increasing (or decreasing) numbers, as (condition, value) rows, and the last value;
    any other where() is one row."""
    rows: list[tuple[Bin, Node]] = []
    while True:
        condition, yes, no = node.args
        assert isinstance(condition, Bin), condition  # the parser makes where()'s first argument a comparison
        rows.append((condition, yes))
        if not (isinstance(no, Call) and no.func == "where" and _continues(condition, no.args[0])):
            return rows, no
        node = no


def _continues(before: Node, after: Node) -> bool:
    """Whether comparison `after` takes up where `before` stops (t <= 5, then t <= 21)."""
    if not (isinstance(before, Bin) and isinstance(after, Bin) and before.op == after.op and before.left == after.left):
        return False
    if not (isinstance(before.right, Num) and isinstance(after.right, Num)):
        return False
    rising = before.op in ("<", "<=")
    return after.right.value > before.right.value if rising else after.right.value < before.right.value


_UPRIGHT_END = re.compile(r"\\mathrm\{[^{}]*\}(_\{[^{}]*\}|_[A-Za-z0-9])?$")


def _plain_number(text: str) -> bool:
    return text.replace("{,}", ".").replace(".", "", 1).isdigit()


def _precedence(node: Node) -> int:
    if isinstance(node, Bin):
        return {"+": 1, "-": 1, "*": 2, "/": 4, "^": 3}[node.op]
    if isinstance(node, Neg):
        return 1
    return 4


class _Printer:
    def __init__(self, leaf: Leaf, mult: str, substituted: bool, comma: bool = False, euler: bool = True):
        self.leaf = leaf
        self.euler = euler  # e is Euler's number (else a variable: exp prints as \exp)
        self.mult = MULT_SIGNS.get(mult, mult)
        self.substituted = substituted
        self.comma = comma

    def print(self, node: Node, lead: bool = True, base: bool = False) -> list[Part]:
        """`lead`: the node opens a group, so a negative number needs no parentheses.
        `base`: the node is a power's base, so anything composite gets parentheses."""
        if isinstance(node, Num):
            text = constant_latex(node.value)
            return [decorate(text.replace(".", "{,}") if self.comma else text, not lead, base, False)]
        if isinstance(node, Name):
            out = self.leaf(node.id)
            if isinstance(out, Hole):
                return [out if out.name else Hole(out.key, paren=not lead, base=base)]
            return [out]
        if isinstance(node, Neg):
            inner = self.wrap(node.operand, _precedence(node.operand) <= 1, lead=False)
            parts = ["-", *inner]
            return ["(", *parts, ")"] if not lead or base else parts
        if isinstance(node, Call):
            parts = self.call(node)
            return ["\\left(", *parts, "\\right)"] if base and node.func == "exp" else parts
        if base:  # a composite base in parentheses: inside them a new group starts
            inner = self.print(node)
            return ["\\left(", *inner, "\\right)"] if node.op == "/" else ["(", *inner, ")"]
        if node.op in "+-":
            left = self.print(node.left, lead=lead)
            right_needs = isinstance(node.right, Neg) or (node.op == "-" and _precedence(node.right) <= 1)
            parts = [*left, f" {node.op} ", *self.wrap(node.right, right_needs, lead=False)]
        elif node.op == "*":
            left = self.wrap(node.left, _precedence(node.left) <= 1, lead=lead)
            right = self.wrap(node.right, _precedence(node.right) <= 1, lead=False)
            parts = [*left, self.times(left, right), *right]
        elif node.op == "/":
            parts = ["\\frac{", *self.print(node.left), "}{", *self.print(node.right), "}"]
        else:
            parts = self.power(node)
        return parts

    def power(self, node: Bin) -> list[Part]:
        base = self.print(node.left, lead=False, base=True)
        exponent = self.print(node.right)
        if len(exponent) == 1 and isinstance(exponent[0], Hole):  # the step: 0.9^1, 0.9^{12}
            return [*base, "^", Hole(exponent[0].key, paren=False, script=True)]
        if len(exponent) == 1 and isinstance(exponent[0], str) and len(exponent[0]) == 1:
            return [*base, "^", exponent[0]]
        return [*base, "^{", *exponent, "}"]

    def wrap(self, node: Node, needs: bool, lead: bool = True) -> list[Part]:
        if needs:
            return ["(", *self.print(node), ")"]
        return self.print(node, lead=lead)

    def times(self, left: list[Part], right: list[Part]) -> str:
        first = right[0]
        if isinstance(first, Hole) and first.name:  # a name: \\Pi_1 \\mu_2
            return " "
        if self.substituted or isinstance(first, Hole) or first[:1].isdigit() or first.startswith("\\frac"):
            return f" {self.mult} "
        if len(left) == 1 and isinstance(left[0], str) and _plain_number(left[0]) and first[:1].isalpha():
            return ""  # 0.2w_1
        last = left[-1]
        if first.startswith("\\mathrm") or (isinstance(last, str) and _UPRIGHT_END.search(last)):
            return " \\, "  # \\mathrm{lr} \\, m_t: a word is set apart
        return " "

    def call(self, node: Call) -> list[Part]:
        if node.func == DERIVATIVE:  # a derivation's derivative still to take: \frac{\partial}{\partial x}\left(u\right)
            u, x = node.args
            return ["\\frac{\\partial}{\\partial ", *self.print(x), "}\\left(", *self.print(u), "\\right)"]
        if node.func in ("max", "min"):
            a, b = (self.print(x) for x in node.args)
            before, after = _FUNCTION_LATEX[node.func]
            return [before, *a, ", ", *b, after]
        if node.func == "where":
            return self.cases(node)
        if node.func == "exp" and not self.euler:  # a variable is named e
            return ["\\exp\\left(", *self.print(node.args[0]), "\\right)"]
        if node.func == "exp" and isinstance(node.args[0], Num) and node.args[0].value == 1:
            return ["e"]  # the constant e, not e^{1}
        before, after = _FUNCTION_LATEX[node.func]
        return [before, *self.print(node.args[0]), after]

    def cases(self, node: Call) -> list[Part]:
        """where(c, x, y) as a case per branch, each with its condition (no words to translate).  A
        chain on one left side (where(t <= 5, x, where(t <= 21, y, z)), a schedule's phases) is one
        ``cases``, each row with its interval: ``x & t \\le 5``, ``y & 5 < t \\le 21``, ``z & t > 21``."""
        rows, rest = _chain(node)
        out: list[Part] = ["\\begin{cases} "]
        below: list[Part] | None = None  # the bound the rows above took, as printed
        for k, (condition, value) in enumerate(rows):
            left, right = self.print(condition.left), self.print(condition.right)
            relation, negation = _RELATIONS[condition.op]
            lower = [] if below is None else [*below, f" {_FLIPPED[negation]} "]
            out += [*self.print(value), " & ", *lower, *left, f" {relation} ", *right, " \\\\ "]
            if k == len(rows) - 1:
                out += [*self.print(rest), " & ", *left, f" {negation} ", *right, " \\end{cases}"]
            below = right
        return out


def template(node: Node, leaf: Leaf, mult: str = "*", substituted: bool = True, comma: bool = False,
             euler: bool = True) -> Template:
    """The tree as a template: strings, and holes where `leaf` returned a Hole.  `comma`: numbers
    are written with decimal commas (``0{,}5``); `euler` False: a variable is named e, so exp prints
    as ``\\exp``."""
    merged: list[Part] = []
    for part in _Printer(leaf, mult, substituted, comma, euler).print(node):
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return tuple(merged)


def latex(node: Node, leaf: Callable[[str], str], mult: str = "*", comma: bool = False, euler: bool = True) -> str:
    """A general formula: every name printed by `leaf`, products juxtaposed as the lecture does."""
    return fill(template(node, leaf, mult, substituted=False, comma=comma, euler=euler), {})


def fill(parts: Template, texts: dict[str, str]) -> str:
    """A filled template: each hole gets the text of its value."""
    return "".join(p if isinstance(p, str) else p.fill(texts[p.key]) for p in parts)


class Filler:
    """A template made ready for the per-line loop: which values it shows, found once, and a fill
    that only decorates the holes (a long run fills a template per line)."""

    def __init__(self, parts: Template):
        self.keys = tuple(p.key for p in parts if isinstance(p, Hole))
        self.shows_work = bool(self.keys) and not lone_hole(parts)  # not a bare value, nor a lone one
        self._pieces = [p if isinstance(p, str) else "" for p in parts]
        self._holes = [(i, p.key, p.paren, p.base, p.script) for i, p in enumerate(parts) if isinstance(p, Hole)]

    def fill(self, texts: dict[str, str]) -> str:
        pieces = self._pieces.copy()
        for i, key, paren, base, script in self._holes:
            pieces[i] = decorate(texts[key], paren, base, script)
        return "".join(pieces)

    def fill_in_order(self, texts: list[str]) -> str:
        """:meth:`fill` with one text per hole, in the order of :attr:`keys`."""
        pieces = self._pieces.copy()
        for (i, _key, paren, base, script), text in zip(self._holes, texts, strict=True):
            pieces[i] = decorate(text, paren, base, script)
        return "".join(pieces)


def lone_hole(parts: Template) -> bool:
    """True when a template is a single value, so printing it would repeat the value."""
    return len(parts) == 1 and isinstance(parts[0], Hole)


def typeset_width(text: str) -> int:
    """About how many characters wide `text` sets: a command (``\\beta``) is one, braces, scripts
    marks and spaces none (a fraction's two levels count both: an overestimate)."""
    return len(re.sub(r"\\[A-Za-z]+|[{}_^ ]", lambda m: "x" if m.group().startswith("\\") else "", text))


DISPLAY_WIDTH = 95  # about what a display line holds on an A4 page at 10 pt
TERMS_WIDTH = 80  # a row of a sum's terms, each in parentheses, sets wider than it counts: rows of them are kept shorter


def display_rows(line: str) -> list[str]:
    """A worked line as the rows it is typeset on: one row, or, when it would run off the page,
    one row per relation (``lhs = a``, ``= b``, ``\\approx c``), and a row still too wide broken
    between the terms of a sum outside braces (a batch's ``\\frac{1}{10} \\cdot (a + b + …)``), each
    further row ``\\quad + …``."""
    if typeset_width(line) <= DISPLAY_WIDTH:
        return [line]
    sides, marks = split_at(line, _PRINTED_RELATION)
    if len(sides) < 3:  # lhs = value: nothing to break
        return [line]
    rows = [f"{sides[0]} {marks[0]} {sides[1]}", *(f"{m} {s}" for m, s in zip(marks[1:], sides[2:], strict=True))]
    return [part for row in rows for part in _between_terms(row)]  # the left side stays with its first relation


def _between_terms(row: str) -> list[str]:
    """`row`, or when it is too wide its pieces between the terms of a sum (at `` + `` and `` - ``
    outside braces and ``\\left…\\right``, inside plain parentheses too), as many terms a row as fit."""
    if typeset_width(row) <= DISPLAY_WIDTH:
        return [row]
    cuts, depth, left = [], 0, 0
    for i, ch in enumerate(row):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif row.startswith("\\left", i):
            left += 1
        elif row.startswith("\\right", i):
            left -= 1
        elif depth == 0 and left == 0 and row[i:i + 3] in (" + ", " - ") and i > 0:
            cuts.append(i)
    out: list[str] = []
    start = 0
    for cut in [*cuts, len(row)]:
        piece = row[start:cut]
        if out and typeset_width(out[-1] + piece) <= TERMS_WIDTH:
            out[-1] += piece
        else:
            out.append(piece)
        start = cut
    return [out[0], *("\\quad " + piece.strip() for piece in out[1:])]


_PRINTED_RELATION = re.compile(r"=|\\approx(?![A-Za-z])")


def split_at(text: str, relation: re.Pattern) -> tuple[list[str], list[str]]:
    """The sides of ``a = b \\approx c`` split where `relation` matches outside braces and
    parentheses, and the relations themselves as written."""
    sides, marks, depth, start, i = [], [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif depth == 0:
            m = relation.match(text, i)
            if m:
                sides.append(text[start:i].strip())
                marks.append(m.group())
                start = i = m.end()
                continue
        i += 1
    sides.append(text[start:].strip())
    return sides, marks
