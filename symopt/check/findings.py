"""What the checker says about a line: a :class:`Finding`, and :class:`Findings`, the list one
exercise's lines add theirs to, in the writer's own way of writing numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Any

from .ball import Ball
from .document import MathLine

SEVERITY = {"ok": "ok", "arithmetic": "error", "substitution": "error", "formula": "error",
            "rounding": "warning", "notation": "warning", "unreadable": "warning"}
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


@dataclass(frozen=True)
class Finding:
    line: int
    kind: str  # ok, arithmetic, substitution, formula, rounding, notation, unreadable
    message: str
    exercise: int | None = None
    epoch: int | None = None
    quantity: str | None = None
    variable: str | None = None
    name: str | None = None  # the line's left-hand side as written
    written: str | None = None
    expected: str | None = None
    end: int | None = None  # the last line of the math block (where a report's note goes)
    right: Ball | None = field(default=None, compare=False, repr=False)  # the right value, carried as an alternative

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    @property
    def text(self) -> str:
        """The message without its math delimiters, for the terminal and JSON."""
        return self.message.replace("$", "").replace("{,}", ",")


class Findings:
    """The findings of one exercise, in the order its lines give them; a warning given once per
    exercise (a convention, a typo) is given at its first line."""

    def __init__(self, exercise: int, comma: bool = False):
        self.exercise = exercise
        self.comma = comma  # the writer's numbers have decimal commas: so do the messages' numbers
        self.items: list[Finding] = []
        self.warned: set[str] = set()

    def add(self, math: MathLine, kind: str, message: str, **fields: Any) -> Finding:
        if self.comma:  # -4{,}6 written where -4{,}232: in the writer's own way of writing numbers
            message = _DECIMAL_POINT.sub("{,}", message)
            fields = {k: _DECIMAL_POINT.sub("{,}", f) if k in ("written", "expected") and isinstance(f, str) else f
                      for k, f in fields.items()}
        finding = Finding(math.line, kind, message, exercise=self.exercise, end=math.end, **fields)
        self.items.append(finding)
        return finding

    def warn_once(self, math: MathLine, key: str, message: str, **fields: Any) -> None:
        if key not in self.warned:
            self.warned.add(key)
            self.add(math, "notation", message, **fields)
