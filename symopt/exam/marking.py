"""The marking scheme of an exam: what each line of a variant's answer is worth, and a checked
answer's score by it.

Each exercise's points (``[exam] points``, default one per epoch) are spread evenly over its
epochs, and an epoch's over its lines, weighed by ``[exam] marks`` (a weight per quantity, default
1 each: ``marks = { w = 2 }`` makes each w line worth twice a dw line).  A line earns its worth when
the checker finds it right, half of it for a rounding slip alone, nothing for an arithmetic,
substitution or formula error, a line it cannot read, or a line not written.  Error carried
forward: the checker judges each line from the student's own earlier numbers, so a line worked
correctly from an earlier wrong value earns its marks in full; one slip costs its own line only.
A checked answer is scored by :func:`symopt.check.gradebook.by_scheme`, with the class
gradebook's credits (:data:`symopt.check.gradebook.HALF_POINTS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from .. import labels
from ..numbers import rounded_text
from .variants import Paper, exercise_points

if TYPE_CHECKING:
    from ..sheet import Solution


@dataclass(frozen=True)
class Mark:
    exercise: int
    epoch: int
    quantity: str
    variable: str
    line: str  # w_1
    worth: Fraction


def scheme(paper: Paper, solution: Solution) -> list[Mark]:
    """Every line of the variant's answer with its worth (the module's doc says how)."""
    points = exercise_points(paper, [w.exercise.epochs for w in solution.exercises])
    marks: list[Mark] = []
    for n, (worked, total) in enumerate(zip(solution.exercises, points, strict=True), start=1):
        if not worked.epochs:
            continue
        per_epoch = total / len(worked.epochs)
        for epoch in worked.epochs:
            weights = [paper.marks.get(line.quantity, Fraction(1)) for line in epoch.lines]
            whole = sum(weights, Fraction(0))
            for line, weight in zip(epoch.lines, weights, strict=True):
                marks.append(Mark(n, epoch.number, line.quantity, line.variable, line.latex.split(" = ")[0],
                                  per_epoch * weight / whole if whole else Fraction(0)))
    return marks


def scheme_markdown(paper: Paper, solution: Solution, lang: str) -> str:
    """``marking.md``: the rule, then per exercise a table of each line's worth (the same lines in
    every variant; the values are each variant's own, in its solution)."""
    from .papers import points_text

    words = labels.words(lang, "exam")
    marks = scheme(paper, solution)
    out = [f"# {words['marking']}", "", words["marking_rule"], ""]
    for n, ex in enumerate(solution.view()["exercises"], start=1):
        mine = [m for m in marks if m.exercise == n]
        total = sum((m.worth for m in mine), Fraction(0))
        out += [f"## {ex['heading']} ({points_text(words, total)})", "",
                f"| {words['epoch_word']} | {words['line_word']} | {words['worth']} |", "|---|---|---|"]
        out += [f"| {m.epoch} | ${m.line}$ | {_worth(m.worth)} |" for m in mine]
        out.append("")
    return "\n".join(out)


def _worth(p: Fraction) -> str:
    """A line's worth: exactly (``0.25``, ``5/12 ≈ 0.42``), so the rows add up to the points."""
    if (p * 100).denominator == 1:
        return rounded_text(p)
    return f"{p.numerator}/{p.denominator} ≈ {rounded_text(p)}"
