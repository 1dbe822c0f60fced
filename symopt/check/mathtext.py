"""Reading the math of a hand-worked line: LaTeX as people write it, parsed into syntax trees.

This is the first half of the checker (issue "symopt check"): ``v_{coord1} = \\frac{v_1}{1 -
\\beta_1^1} = \\frac{-0.1}{1 - 0.9^1} = -1`` becomes a list of trees, one per side of each ``=``.
A lark grammar does the parsing (no regular-expression arithmetic); numbers are exact decimals.

Accepted: ``*``, ``\\cdot``, ``\\times`` and implicit products (``0.2w_1``, ``\\beta V_{t-1}``);
``\\frac``/``\\dfrac``/``\\tfrac``, ``\\sqrt``, powers (``^2``, ``^{10}``, ``10^{-6}``), ``1e-6``;
parentheses, ``\\left( \\right)``, braces; subscripts (``w_1``, ``w_{1}``, ``w1``); Greek names,
``\\mathrm{lr}`` and gradients of them (``d\\theta_1``, ``d\\mathrm{lr}``); ``\\pi``;
hats (``\\hat{v}_1``); functions ``\\exp \\ln \\log \\sin \\cos \\tan \\tanh``, ``e^{x}``;
``\\left| x \\right|``, ``\\lfloor x \\rfloor``; the Unicode minus, ``·`` and ``×``.  Names are kept as written (``dw_1``,
``v_{coord1}``, ``\\beta_1``); what they mean is decided by the checker's alias table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
import re
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, VisitError
from lark.grammar import Rule, Symbol, Terminal
from lark.lexer import BasicLexer, ContextualLexer
from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild
from lark.parsers.lalr_analysis import Shift
from lark.visitors import _vargs_inline

from ..errors import SymoptError, echo
from ..expr import EULER, Bin, Call, Name, Neg, Node, Num, bound_power, children
from ..functions import TABLE
from ..notation import GREEK, plain_names
from ..numbers import floor_log10, parse_decimal

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
    | product "/" signed           -> div
    | product power                -> mul

?signed: "-" signed                -> neg
    | "+" signed
    | power

?power: atom
    | atom "^" script              -> pow

?script: NUMBER_DIGIT              -> number
    | NAME                         -> name
    | "{" sum "}"

?atom: SCIENTIFIC                  -> scientific
    | NUMBER                       -> number
    | NAME                         -> name
    | "(" sum ")"
    | "{" sum "}"
    | LEFTBAR sum RIGHTBAR         -> abs
    | LFLOOR sum RFLOOR            -> floor
    | FRAC "{" sum "}" "{" sum "}"  -> frac
    | "\\sqrt" "{" sum "}"        -> sqrt
    | FUNC atom                    -> call
    | EXTREME "(" sum SEPARATOR sum ")"  -> extreme
    | "\\begin{cases}" case ("\\\\" case)+ "\\end{cases}" -> cases

case: sum "&" condition
condition: sum COMPARE sum
    | sum COMPARE sum COMPARE sum  -> interval

SEPARATOR: "," | ";"

NUMBER: /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/ | /\.[0-9]+/
NUMBER_DIGIT.2: /[0-9]/
SCIENTIFIC.3: /[0-9]+(\.[0-9]+)?\s*(\*|\\cdot|\\times)\s*10\s*\^\s*(\{\s*-?\s*[0-9]{1,3}\s*\}|[0-9])(?![0-9])/
MULOP: "*" | "\\cdot" | "\\times"
FRAC: "\\frac" | "\\dfrac" | "\\tfrac"
FUNC.2: /\\(""" + _commands(1) + r""")(?![A-Za-z])/
EXTREME.2: /\\(""" + _commands(2) + r""")(?![A-Za-z])/
COMPARE: ">" | "<" | /\\(ge|le|geq|leq)(?![A-Za-z])/
LEFTBAR: "\\left|" | "\\lvert"
RIGHTBAR: "\\right|" | "\\rvert"
LFLOOR: /\\(left\s*\\)?lfloor(?![A-Za-z])/
RFLOOR: /\\(right\s*\\)?rfloor(?![A-Za-z])/
NAME: /(d?\\(hat|tilde)\{(\\?[A-Za-z]+|\\mathrm\{[A-Za-z]+\})\}|d?\\mathrm\{[A-Za-z\\_]+\}|d?\\(@GREEK@)(?![A-Za-z])|[A-Za-z]+[0-9]*)(_(\{(?:[^{}]|\{[^{}]*\})*\}|\\infty|[A-Za-z0-9]))?/

%ignore /\s+/
%ignore /\\[,;!: ]/
%ignore /\\(left|right)(?=[(){}\[\]])/
%ignore /\\(quad|qquad)(?![A-Za-z])/
"""


class _HalfUnits(dict[int, Fraction]):
    def __missing__(self, place: int) -> Fraction:
        self[place] = Fraction(10) ** -place / 2
        return self[place]


HALF_UNITS = _HalfUnits()  # place -> half a unit there (made once per place: a Fraction power is slow)


@dataclass(frozen=True)
class _Case:
    """One row of a ``cases``: its value and its condition (a comparison)."""

    value: Node
    condition: Node


@dataclass(frozen=True)
class Written(Num):
    """A number as written, with the decimal place of its last digit: ``57.9170`` has 4, ``1e-6``
    has 6, ``12`` has 0, ``4.6 \\cdot 10^{3}`` has -2 (hundreds).  The checker needs it: a written
    value stands for everything within half a unit of its last digit."""

    places: int = 0

    @cached_property
    def unit(self) -> Fraction:
        """One unit of the last written digit."""
        return Fraction(10) ** -self.places

    @cached_property
    def half(self) -> Fraction:
        return self.unit / 2

    @cached_property
    def size(self) -> Fraction:
        """The value, signs aside."""
        return abs(self.value)

    @property
    def padded(self) -> bool:
        """Whether the last written decimal is a trailing zero (``57.9170``): the value was rounded
        to exactly that place, not to a finer one whose zeros were dropped."""
        return self.places > 0 and (self.value * 10**self.places) % 10 == 0

    @cached_property
    def significant(self) -> int:
        """How many significant digits are written (``0.0289``: 3, ``57.9170``: 6, ``0``: 0)."""
        if not self.value:
            return 0
        return floor_log10(abs(self.value)) + self.places + 1


def _places(text: str) -> int:
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return decimals - int(exponent or 0) if exponent else decimals


_COMPARE = {">": ">", "<": "<", "\\ge": ">=", "\\geq": ">=", "\\le": "<=", "\\leq": "<="}
_RELATION = re.compile(r"\\approx|\\simeq|≈|=")
MAX_LINE = 5_000
MAX_EXPONENT = 300  # a power of ten written as one number: 10^{-300} to 10^{300}, the range of a spec's numbers


@lru_cache(maxsize=1)
def _parser() -> Lark:
    greek = "|".join(sorted(GREEK, key=len, reverse=True))  # the notation table's letters, longest first
    return Lark(_GRAMMAR.replace("@GREEK@", greek), parser="lalr", maybe_placeholders=False)


_SCIENTIFIC = re.compile(r"([0-9.]+)\s*(?:\*|\\cdot|\\times)\s*10\s*\^\s*\{?\s*(-?)\s*([0-9]+)")


@lru_cache(maxsize=4096)
def _scientific(text: str) -> Node:
    """``2.16 \\cdot 10^{-9}`` (one token of the grammar) as the one number it writes, as
    :func:`as_written` reads the product of a number and a power of ten: read once, not as the
    eight tokens and three nodes of its product, at every line of a long sheet's later epochs."""
    found = _SCIENTIFIC.match(text)
    assert found is not None  # the grammar's SCIENTIFIC
    exponent = _number(found[3])
    power = Bin("^", _number("10"), Neg(exponent) if found[2] else exponent)
    bound_power(power.left, power.right)
    return _one_number(Bin("*", _number(found[1]), power))  # the tree the grammar's product gave, read once (past 10^±300 it stays one)


@lru_cache(maxsize=4096)
def _number(text: str) -> Written:
    """A number as written (immutable, so one object serves every place it is written)."""
    return Written(parse_decimal(text), _places(text))


@v_args(inline=True)
class _ToTree(Transformer):
    def number(self, token: Token) -> Node:
        text = str(token)
        return Written(parse_decimal(text), _places(text))

    def scientific(self, token: Token) -> Node:
        return _scientific(str(token))

    def name(self, token: Token) -> Node:
        return Name(str(token))

    def add(self, a, b):
        return Bin("+", a, b)

    def sub(self, a, b):
        return Bin("-", a, b)

    def mul(self, a, *rest):
        return _one_number(Bin("*", a, rest[-1]))  # rest is (MULOP, b) or (b,)

    def div(self, a, b):
        return Bin("/", a, b)

    def neg(self, a):
        return Neg(a)

    def pow(self, a, b):
        bound_power(a, b)
        return Bin("^", a, b)  # (10^{-6} stays a power here: a product with it is one number, read by mul)

    def frac(self, _frac, a, b):
        return Bin("/", a, b)

    def sqrt(self, a):
        return Call("sqrt", (a,))

    def abs(self, _left, a, _right):
        return Call("abs", (a,))

    def floor(self, _left, a, _right):
        return Call("floor", (a,))

    def call(self, func: Token, a):
        name = _FUNCTIONS[str(func)[1:]]
        if name == "exp":
            bound_power(EULER, a)
        return Call(name, (a,))

    def extreme(self, func: Token, a, _separator, b):
        return Call(_FUNCTIONS[str(func)[1:]], (a, b))

    def condition(self, a, op: Token, b):
        return Bin(_COMPARE[str(op)], a, b)

    def interval(self, _low, _op, a, op: Token, b):
        """``5 < t \\le 21``, a row of a chain of cases: the rows above took t ≤ 5, so the row's
        own condition is t ≤ 21 (as the printer writes a chain: symopt.printer)."""
        return Bin(_COMPARE[str(op)], a, b)

    def case(self, value, condition):
        return _Case(value, condition)

    def cases(self, *rows):
        """The rows of ``cases`` as where()s: each row's value where its condition holds, else
        the rows below; the last row's condition is what the others leave."""
        tree = rows[-1].value
        for row in reversed(rows[:-1]):
            tree = Call("where", (row.condition, row.value, tree))
        return tree


def _one_number(node: Bin) -> Node:
    """A product that is one written number (``2.16 \\cdot 10^{-9}``: see :func:`as_written`) as
    that number: read once, where every walk of the tree (its literals, its value at each radius)
    would otherwise work it out again at each visit."""
    w = as_written(node)
    return node if w is None else w


@v_args(inline=True)
class _ToTreeShared(_ToTree):
    """:class:`_ToTree`, with each number read once (:func:`_number`)."""

    def number(self, token: Token) -> Node:
        return _number(str(token))


def _normalize(text: str) -> str:
    """Unicode signs as ASCII, and the decimal comma ``0{,}9`` (LaTeX, KaTeX) as a decimal point."""
    text = text.replace("−", "-").replace("·", "*").replace("×", "*").replace("{,}", ".").strip().strip("$").strip()
    return plain_names(text)


#: Trees read so far, by the text as given (at most MAX_PARSED; trees are immutable, so shared).
_PARSED: dict[str, Node] = {}
MAX_PARSED = 8192


def forget() -> None:
    """Forget every side and line read so far (a benchmark's cold run: a document never seen)."""
    _PARSED.clear()
    relations.cache_clear()


def parse_math(text: str) -> Node:
    """One expression (one side of an ``=``) as a tree; SymoptError says where it is unreadable.

    A side written again (``v_1``, a formula step that every epoch repeats) is read once.  The
    reading is lark's LALR parse (:class:`_Driver`); what that does not read, or a tree too deep
    for lark's recursive transformation, lark reads again, to say why exactly as it always did."""
    node = _PARSED.get(text)
    if node is not None:
        return node
    given = text
    text = _normalize(text)
    if not text:
        raise SymoptError("an empty expression")
    if len(text) > MAX_LINE:
        raise SymoptError(f"a line longer than {MAX_LINE} characters")
    try:
        node = _fast()(text)
    except Exception:  # a number that cannot be read, or any surprise: lark itself says what
        node = None
    if node is not None and (len(text) <= _DEEP or _depth(node) <= _DEEP):
        if _fast().shareable:  # _ToTree's nodes are frozen dataclasses, Call's arguments a tuple
            if len(_PARSED) >= MAX_PARSED:
                _PARSED.clear()
            _PARSED[given] = node
        return node
    try:  # lark's own parse and transformation: the reference behaviour, and its error messages
        tree = _parser().parse(text)
        node = _ToTree().transform(tree)
    except VisitError as e:  # a number that cannot be read as an exact decimal
        raise SymoptError(f"cannot read {echo(text)}: {e.orig_exc}") from None
    except LarkError as e:
        column = getattr(e, "column", None)
        where = f" at column {column}" if isinstance(column, int) and column > 0 else ""
        raise SymoptError(f"cannot read {echo(text)}{where}") from None
    except (ValueError, RecursionError):
        raise SymoptError(f"cannot read {echo(text)}") from None
    return node


#: Trees deeper than this (which need a text at least this long) are left to lark's own recursive
#: transformation, which gives up on very deep ones (RecursionError: "cannot read").
_DEEP = 100


def _depth(node: Node) -> int:
    """The depth of a tree, without recursion."""
    deepest, todo = 0, [(node, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > deepest:
            deepest = depth
        for child in children(node):
            todo.append((child, depth + 1))
    return deepest


@lru_cache(maxsize=1)
def _fast() -> _Driver:
    """lark's LALR parse of the grammar, driven without its per-token overhead (see :class:`_Driver`)."""
    greek = "|".join(sorted(GREEK, key=len, reverse=True))
    return _Driver(Lark(_GRAMMAR.replace("@GREEK@", greek), parser="lalr", maybe_placeholders=False,
                        transformer=_ToTreeShared()))


#: A reduction: how many values it takes, its callback (None for a ``?rule``'s only child), the
#: rule's name.
_Reduction = tuple[int, Callable[[list[Any]], Any] | None, str]
#: A parser state's action on a terminal: (the state a shift leads to, _NO_REDUCTION) or (None, a
#: reduction), so that one unpacking gives both, typed.
_Action = tuple[int | None, _Reduction]
_NO_REDUCTION: _Reduction = (0, None, "")
#: A parser state's lexing: its terminals' patterns (lark's compiled ones: ``re``'s or the ``regex``
#: module's, so not typed), the terminals it skips, and lark's callbacks of terminals.
_Scanner = tuple[tuple[Any, ...], frozenset[str], dict[str, Callable[[Token], Token]]]


class _Driver:
    """The parse lark itself does (``Lark.parse`` with a tree-less LALR transformer), on lark's own
    tables: per parser state, the contextual lexer's scanner for the terminals that state accepts,
    the shift and reduce actions, and lark's callbacks for each rule (which filter the anonymous
    tokens, inline ``?rules`` and call :class:`_ToTree`).  Only the loop is ours, with plain
    strings as keys: lark's loop compares Token keys in Python, which was most of the time a
    line took to read.  Any input this loop does not read to the end (a syntax error, a number
    out of range) returns None, and lark parses it again to say why."""

    def __init__(self, lark: Lark):
        frontend = lark.parser
        lexer, parser = frontend.lexer, frontend.parser.parser
        (start,) = frontend.parser_conf.start
        table, callbacks = parser.parse_table, parser.callbacks
        if not isinstance(lexer, ContextualLexer) or frontend.lexer_conf.postlex is not None:
            raise TypeError("the fast reader needs lark's contextual lexer without a postlexer")
        self.start, self.end = table.start_states[start], table.end_states[start]
        kept: set[str] = set()  # the terminals a tree keeps (the others are filtered out: no Token needed)
        for rule in callbacks:
            if isinstance(rule, Rule):
                keep = lark.options.keep_all_tokens or rule.options.keep_all_tokens
                kept |= {sym.name for sym in rule.expansion if isinstance(sym, Terminal) and (keep or not sym.filter_out)}
        self.terminal_callbacks = {name: f for name, f in callbacks.items() if isinstance(name, str)}
        self.kept = frozenset(kept | set(self.terminal_callbacks))
        # whether every tree is made of the transformer's (immutable) nodes, and so may be shared:
        # a rule it has no method for makes a lark Tree, unless it is a ?rule of one child
        transformer = lark.options.transformer
        self.shareable = all(
            hasattr(transformer, rule.alias or rule.options.template_source or rule.origin.name)
            or (rule.options.expand1 and not rule.alias and _kept_children(rule.expansion) == 1)
            for rule in callbacks if isinstance(rule, Rule))
        self.actions: dict[int, dict[str, _Action]] = {}  # per state, by terminal
        self.gotos: dict[int, dict[str, int]] = {}  # per state, the state a shift (of a rule's value too) leads to
        self.scanners: dict[int, _Scanner] = {}
        self.units: dict[tuple[int, int, str], int] = {}  # memo of _units
        for state, actions in table.states.items():
            self.actions[state] = {
                str(symbol): (arg, _NO_REDUCTION) if action is Shift else (None, self._reduction(arg, callbacks[arg]))
                for symbol, (action, arg) in actions.items()}
            self.gotos[state] = {str(symbol): arg for symbol, (action, arg) in actions.items() if action is Shift}
            basic = lexer.lexers[state]
            if not isinstance(basic, BasicLexer):
                raise TypeError("the fast reader needs lark's basic lexer in every parser state")
            scanner = basic.scanner  # builds basic.callback too
            self.scanners[state] = (tuple(scanner._mres), basic.ignore_types, dict(basic.callback))

    @staticmethod
    def _reduction(rule: Rule, callback: Callable[[list[Any]], Any]) -> _Reduction:
        """(how many values it takes, its callback, the rule's name); the callback None for the
        reduction of a ``?rule`` to its only child, which is that child itself (lark's
        ExpandSingleChild)."""
        length = len(rule.expansion)
        unit = length == 1 and type(callback) is ExpandSingleChild
        return length, None if unit else _direct(callback), str(rule.origin.name)

    def _units(self, below: int, top: int, kind: str) -> int:
        """The state after every reduction of a ``?rule`` to its only child that `kind` calls for
        from state `top` (with `below` under it): each replaces the top state and keeps `below`."""
        state = top
        while True:
            step = self.actions[state].get(kind)
            if step is None or step[0] is not None or step[1][1] is not None:
                return state
            state = self.gotos[below][step[1][2]]
            if kind == "$END" and state == self.end:
                return state

    def __call__(self, text: str) -> Node | None:  # noqa: C901 (the LR parse loop, kept in one frame for speed)
        actions, gotos, scanners, kept, end_state = self.actions, self.gotos, self.scanners, self.kept, self.end
        terminal_callbacks, units = self.terminal_callbacks, self.units
        states = [self.start]
        values: list[Any] = []  # tokens, and what the transformer's methods return: the tree at the end
        token: Token | str | None
        pos, size = 0, len(text)
        while True:
            state = states[-1]
            # the next token, by the scanner of the state the parser is in (lark's contextual lexer)
            mres, ignore, lexer_callbacks = scanners[state]
            while True:
                if pos >= size:
                    kind, token = "$END", None
                    break
                for mre in mres:
                    match = mre.match(text, pos)
                    if match:
                        break
                else:
                    return None
                value, kind = match.group(0), match.lastgroup
                pos += len(value)
                if kind in ignore:
                    continue
                if kind in lexer_callbacks:
                    token = lexer_callbacks[kind](Token(kind, value))
                    kind = token.type
                else:
                    token = Token(kind, value) if kind in kept else value
                break
            # shift it, after every reduction it completes
            while True:
                step = actions[state].get(kind)
                if step is None:
                    return None
                shift, reduce = step
                if shift is not None:
                    if token is None:
                        return None  # lark shifts no end of input
                    states.append(shift)
                    values.append(terminal_callbacks[kind](token) if kind in terminal_callbacks else token)
                    break
                length, callback, origin = reduce
                if callback is None:  # a ?rule's only child: it stays where it is, in the state
                    key = (states[-2], state, kind)  # the run of such reductions leads to
                    state = units.get(key)
                    if state is None:
                        state = units[key] = self._units(*key)
                    states[-1] = state
                    if token is None and state == end_state:
                        return values[-1]
                    continue
                if length:
                    children = values[-length:]
                    del states[-length:]
                    del values[-length:]
                else:
                    children = []
                values.append(callback(children))
                state = gotos[states[-1]][origin]
                states.append(state)
                if token is None and state == end_state:
                    return values[-1]


def _kept_children(expansion: Sequence[Symbol]) -> int:
    """How many children a rule's tree keeps: its symbols without the filtered-out terminals and
    the inlined ``_rules``."""
    return sum(1 for sym in expansion
               if not (isinstance(sym, Terminal) and sym.filter_out) and not (not sym.is_term and sym.name.startswith("_")))


def _direct(callback: Callable[[list[Any]], Any] | None) -> Callable[[list[Any]], Any] | None:
    """lark's callback for a rule, as one call of the transformer's method: lark calls a filter of
    the anonymous tokens, then a wrapper (``functools.wraps`` of the method), then v_args' inline
    call, for each reduction.  Any other callback is kept as it is."""
    def method(f):
        wrapper = getattr(f, "__wrapped__", None)
        cells = dict(zip(f.__code__.co_freevars, (c.cell_contents for c in f.__closure__ or ()), strict=True)) if wrapper else {}
        return wrapper if wrapper is not None and cells.get("wrapper") is _vargs_inline else None

    if callback is None:
        return None
    if type(callback) is ChildFilterLALR_NoPlaceholders:
        f = method(callback.node_builder)
        if f is None or any(expand for _, expand in callback.to_include):
            return callback
        keep = tuple(i for i, _ in callback.to_include)
        if keep == (0, 2):  # a binary operator's two operands (a + b, a \\cdot b), and one child (-a, (a), {a}): the commonest
            return lambda children: f(children[0], children[2])
        if keep == (1,):
            return lambda children: f(children[1])
        return lambda children: f(*[children[i] for i in keep])
    f = method(callback) if callable(callback) and hasattr(callback, "__code__") else None
    return callback if f is None else lambda children: f(*children)


def split_relations(text: str) -> list[str]:
    """The sides of ``a = b = c \\approx d``, split at relations outside braces."""
    return list(relations(text)[0])


@lru_cache(maxsize=8192)
def relations(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sides of ``a = b \\approx c`` and the relations between them (``=`` or ``≈``); a line
    is split once, however often it is asked for (the checker's prescan, then its check)."""
    sides, marks = _split(_normalize(text))
    return tuple(sides), tuple("=" if m == "=" else "≈" for m in marks)


_SCAN = re.compile(r"[{}()]|" + _RELATION.pattern)


def _split(text: str) -> tuple[list[str], list[str]]:
    """``split_at(text, _RELATION)`` (:func:`symopt.printer.split_at`), by one regular expression
    that finds the brackets and the relations instead of a loop over the characters."""
    sides, marks, depth, start = [], [], 0, 0
    for m in _SCAN.finditer(text):
        found = m.group()
        if found in "{(":
            depth += 1
        elif found in "})":
            depth -= 1
        elif depth == 0:
            sides.append(text[start:m.start()].strip())
            marks.append(found)
            start = m.end()
    sides.append(text[start:].strip())
    return sides, marks


def literals(node: Node) -> list[Written]:
    """The numbers of a tree in reading order, as written: ``-5`` (a minus on a number) is one
    number, and so are ``10^{-6}`` and ``2.5 \\cdot 10^{-6}``."""
    out: list[Written] = []
    _collect(node, out)
    return out


def _collect(node: Node, out: list[Written]) -> None:
    # not expr.walk: it stops at a written number (-5 and 10^{-6} are one each); and not a loop
    # over expr.children, which makes this hot walk about 12% slower
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
    kind = type(node)
    if kind is Name or kind is Call:  # the commonest answer, first
        return None
    if kind is Written:
        return node  # type: ignore[return-value]  # mypy narrows type(node) is Written, not the saved type
    if isinstance(node, Neg):
        inner = as_written(node.operand)
        return None if inner is None else Written(-inner.value, inner.places)
    if isinstance(node, Num):
        return node if isinstance(node, Written) else Written(node.value, 0)
    if isinstance(node, Bin) and node.op == "^":
        k = _integer(node.right)  # 10^{-6}, or any b^{-k}: a constant such as ε, written as a power
        if k is not None and isinstance(node.left, Num) and abs(k) <= MAX_EXPONENT and (node.left.value == 10 or k < 0 < node.left.value):
            return Written(node.left.value ** k, max(0, -k) if node.left.value == 10 else 0)
    if isinstance(node, Bin) and node.op == "*" and isinstance(_unsigned(node.left), Num):
        right = node.right
        if isinstance(right, Bin) and right.op == "^" and isinstance(right.left, Num) and right.left.value == 10:
            power, k = as_written(right), _integer(right.right)
            mantissa = as_written(node.left)  # 1.96 \cdot 10^{-7}, -1.96 \cdot 10^{-7}, 4.6 \cdot 10^{3}
            if power is not None and k is not None and mantissa is not None:
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
