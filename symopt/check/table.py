"""Checking a worked solution's trajectory tables (symopt's own, with the spec's ``table``, or a
writer's): each row's w against the writer's own w after that epoch, and its f against f at the
row's w (error carried forward: a table is judged from the writer's lines, and f from the row).

A table is read when its header names the epoch (``Epoch``, ``t``, ``Vòng``: the reader's epoch
words of every language) and at least one variable (``$w_1$``, ``x``) or f (``f``, ``f(w_1, w_2)``);
its other columns (a comparison's optimizer or epochs to reach) are not, nor a row whose epoch the
writer did not work, nor a cell that is not one number (a dash, ``\\frac{1}{3}``).  A cell is judged
as a line's result is: it stands for everything within half a unit of its last digit (``\\approx``
before it aside), and one more unit is a rounding slip.  A table's findings name no epoch (the line
they are on does, in the message): they are no epoch lines, and a score never counts them.
"""

from __future__ import annotations

from contextlib import suppress
import re

from .. import labels
from ..compiler import Evaluator, evaluator
from ..errors import SymoptError
from ..expr import Name
from ..numbers import message_text
from ..spec import Exercise
from .ball import Ball, BallArithmetic, fraction
from .document import MathLine, TableBlock
from .findings import Findings
from .mathtext import Written, as_written, parse_math
from .names import Names
from .state import Candidate, WriterState

After = dict[int, dict[str, list[Candidate]]]  # epoch (0: the start) -> variable -> the writer's w after it
_MARKUP = re.compile(r"\*\*|__|\\(?:textbf|textit|emph|text|mathrm)\{([^{}]*)\}")
_APPROX = re.compile(r"^(?:\\approx|≈)\s*")
_F_HEAD = re.compile(r"f\s*(?:\(.*\))?")
_J_HEAD = re.compile(r"J\s*(?:\(.*\))?")  # a dataset problem's f: the loss on the data
_DASHES = frozenset(["", "-", "--", "---", "—", "–", "\\text{—}"])


def _plain(cell: str) -> str:
    """A cell without its markup: bold, ``\\text{…}``, the ``$`` around its math."""
    cell = _MARKUP.sub(lambda m: m.group(1) or "", cell).strip()
    return cell[1:-1].strip() if len(cell) > 1 and cell.startswith("$") and cell.endswith("$") else cell


def _epoch_words() -> re.Pattern:
    words = "|".join(dict.fromkeys(w for lang in labels.languages() for w in labels.words(lang, "reads")["epoch"]))
    return re.compile(rf"(?:{words}|t|k)(?:\s*t)?\s*:?", re.I)


class TableChecker:
    """The tables of one exercise, judged from the writer's state after each epoch."""

    def __init__(self, ex: Exercise, names: Names, state: WriterState, balls: BallArithmetic, out: Findings):
        self.ex, self.names, self.state, self.balls, self.out = ex, names, state, balls, out
        self.epoch = _epoch_words()
        self._f: Evaluator | None = None

    def check(self, table: TableBlock, after: After) -> None:
        if not table.rows:
            return
        columns = [self._column(cell) for cell in table.rows[0][1]]
        if "epoch" not in columns or not any(c == "f" or isinstance(c, tuple) for c in columns):
            return  # not a trajectory table
        epoch = columns.index("epoch")
        for line, cells in table.rows[1:]:
            t = _whole(_plain(cells[epoch])) if epoch < len(cells) else None
            if t is None or t not in after:
                continue
            math = MathLine(line, " & ".join(cells), line)
            row = {c[1]: self._w(math, t, c[1], head, cell, after[t][c[1]])
                   for c, head, cell in zip(columns, table.rows[0][1], cells, strict=False) if isinstance(c, tuple)}
            lines = {v: after[t][v][0].ball for v in self.ex.variables}
            at = [{v: row.get(v) or lines[v] for v in self.ex.variables}, lines]
            for c, head, cell in zip(columns, table.rows[0][1], cells, strict=False):
                if c == "f":
                    self._value_of_f(math, t, _plain(head), cell, at)

    def _column(self, cell: str) -> str | tuple[str, str] | None:
        """What a header cell names: "epoch", "f", ("w", variable), or None (a column not read)."""
        text = _plain(cell)
        if self.epoch.fullmatch(text.replace("$", "")):  # Epoch, $t$, Epoch $t$, Vòng
            return "epoch"
        if _F_HEAD.fullmatch(text) or (self.ex.data is not None and _J_HEAD.fullmatch(text)):
            return "f"
        try:
            node = parse_math(text)
        except SymoptError:
            return None
        ref = self.names.resolve(node.id) if isinstance(node, Name) else None
        return ("w", ref.variable) if ref is not None and ref.kind == "quantity" and ref.key == "w" and ref.variable else None

    def _written(self, cell: str) -> tuple[Written, bool, str] | None:
        """A cell's number, whether it is written after ≈, and its text; None for a dash or what is
        not one number."""
        text = _plain(cell)
        approx = bool(_APPROX.match(text))
        text = _APPROX.sub("", text)
        if text in _DASHES:
            return None
        try:
            value = as_written(parse_math(text))
        except SymoptError:
            return None
        return None if value is None else (value, approx, text)

    def _w(self, math: MathLine, t: int, v: str, head: str, cell: str, candidates: list[Candidate]) -> Ball | None:
        """A w cell against the writer's w after epoch t; the ball f is taken at (None: not written)."""
        written = self._written(cell)
        if written is None:
            return None
        value, approx, text = written
        ball = self.balls.ball(value.value, self.state.radius(value))
        name = _plain(head)
        fields = {"quantity": "table", "variable": v, "name": name, "written": text}
        for c in candidates:
            if self.balls.agree(ball, c.ball):
                self.out.add(math, "ok", "table", **fields)
                return c.ball
        expected = message_text(candidates[0].value, max(value.places, 0))
        where = "the start is" if t == 0 else f"epoch {t} ends with"
        self.out.add(math, "rounding" if _slip(value, candidates[0].ball) else "arithmetic",
                     f"in the table, at epoch {t}: {where} ${name} = {expected}$, not {text}", **fields, expected=expected)
        return self.balls.ball(value.value, self.state.radius(value) if approx else 0)

    def _value_of_f(self, math: MathLine, t: int, head: str, cell: str, at: list[dict[str, Ball]]) -> None:
        """An f cell against f at the row's w, or at the w of the writer's lines (a w copied wrong
        into the table is flagged once, in its own cell)."""
        written = self._written(cell)
        if written is None:
            return
        value, _, text = written
        fields = {"quantity": "table", "name": head, "written": text}
        if self._f is None:
            self._f = evaluator(self.ex.function, self.balls, {})  # (kept by the balls, by f's shape)
        rights = []
        for w in at:
            with suppress(SymoptError, ArithmeticError, ValueError):  # f has no value there
                rights.append(self._f(w))
        if not rights:
            self.out.add(math, "arithmetic", f"in the table, at epoch {t}: $f$ has no value at the row's $w$", **fields)
            return
        ball = self.balls.ball(value.value, self.state.radius(value))
        if any(self.balls.agree(ball, right) for right in rights):
            self.out.add(math, "ok", "table", **fields)
            return
        right = rights[0]
        expected = message_text(fraction(right.mid), max(value.places, 0))
        self.out.add(math, "rounding" if any(_slip(value, r) for r in rights) else "arithmetic",
                     f"in the table, at epoch {t}: $f$ at the row's $w$ is ≈ {expected}, not {text}", **fields, expected=expected)


def _slip(value: Written, right: Ball) -> bool:
    """Whether `value` is a rounding slip of `right`: less than one unit of its last digit away,
    where `right` does not end at that digit (it had to be rounded, and was, to its other side)."""
    r = fraction(right.mid)
    return abs(value.value - r) < value.unit and (bool(right.rad) or (r / value.unit).denominator != 1)


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 9 else None
