"""Diagnosis: what is wrong with a line the judge found wrong, in words an examiner uses.  A known
mistaken rule the line follows (:mod:`symopt.check.mistakes`), the number that is off, a rounding
slip rather than an arithmetic error, another convention than the stated one, and which of several
conventions a line follows in its form."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from math import floor
from typing import TYPE_CHECKING, Any

from ..compiler import Evaluator, evaluator, fold
from ..expr import Neg, Node, Num, names, replaced
from ..notation import Notation
from ..numbers import message_text, round_half_away, short_text
from ..spec import Exercise
from .ball import Ball, fraction
from .mathtext import Written, as_written, literals
from .rules import Label, Rules, Slot, fits, safe
from .state import WriterState

if TYPE_CHECKING:  # (mistakes is imported when a line first needs it)
    from .mistakes import Mistake


class Diagnosis:
    """The diagnoses of one document's exercise, from its rules and the writer's state."""

    def __init__(self, rules: Rules, state: WriterState, ex: Exercise):
        self.rules, self.state, self.ex = rules, state, ex
        self.notation = rules.notation
        self.formula_stated = False  # a formula line of the document was read
        self.form: dict[str, list[int]] = {}  # quantity -> the conventions the writer's form follows
        # the rules with known mistakes, compiled when a line needs them: per variant, (mistake, target ->
        # (the mistaken rule folded, compiled, its numbers))
        self._mistakes: list[list[tuple[Mistake, dict[str, tuple[Node, Evaluator, set[Fraction]]]]]] | None = None

    def mistake(self, q: str, v: str, t: int, got: Ball, first: Node | None = None) -> str | None:
        """What is wrong with the rule the writer used, when their line follows a known mistake
        (:mod:`symopt.check.mistakes`) or, for a gradient, another derivative of the right values."""
        state, ex = self.state, self.ex
        if q == "g":
            if first is None or len(state.gradients[v]) > 1 or v in state.pseudo:
                return None  # a stated derivative was flagged already: its lines follow it
            used = {x for x in ex.variables if x in names(state.gradients[v][0][0])}
            shown = {w.value for w in literals(first)}
            if used and all(state.start(x)[0].value in shown for x in used):  # the right values, in another formula
                right, _ = state.gradients[v][0]
                from .. import printer
                return f"the derivative is wrong: ${self.notation.line('g', v)} = {printer.latex(right, self.notation.constant)}$"
            return None
        if self._mistakes is None:
            from .mistakes import mistaken

            balls = self.rules.balls
            self._mistakes = [
                [(m, {target: (folded := fold(rule, ex.hyper), evaluator(folded, balls, ex.hyper),
                               {w.value for w in literals(folded)})
                      for target, rule in changed.items()})
                 for m, changed in mistaken(rules, set(ex.hyper))]
                for rules in self.rules.rules
            ]
        keys = state.rule_keys(v)
        shown = {w.value for w in literals(first)} if first is not None else set()
        found: list[tuple[int, int, str]] = []  # (minus how many of the mistaken rule's own numbers the line does not show, order, text)
        for mistake, changed in self._mistakes[self.rules.stated]:
            if q not in changed:
                continue
            _tree, compiled, numbers = changed[q]
            for combo in state.combos(keys):
                value = safe(compiled, state.rule_env(t, {k: c for (_, k), c in zip(keys, combo, strict=True)}))
                if value is not None and self.rules.balls.agree(got, value):
                    found.append((-len(numbers - shown), -len(found), mistake.text))
                    break
        return max(found)[2] if found else None

    def diagnose(self, got: list[Written], wanted: list[tuple[Slot, Label]], point: Ball, expected: Ball | None) -> str:
        """Name the number that is off, when the writer's numbers `got` line up with the rule's `wanted`."""
        places = max((w.places for w in got), default=4)
        if len(wanted) == len(got):
            off = [(g, label) for g, (slot, label) in zip(got, wanted, strict=True) if not fits(g, slot)]
            if off and len(off) <= 2:
                return "; ".join(f"${short_text(g.value)}$ written where ${label()}$" for g, label in off)
        if expected is None:
            return "the value is right, but the numbers substituted are not the rule's"
        return f"the substituted expression gives ${message(point, places)}$; the rule on the values above gives ${message(expected, places)}$"

    def rounding_slip(self, right: Ball, value: Written) -> bool:
        """Whether the written value is a rounding slip: the right value had to be rounded to the
        written place (it is not a number of that place even at the writer's usual precision),
        and the written value is its other neighbour there, or its truncation.  1.3 for an exact
        1.2, or -1.9 for -1.8000000002 on a sheet of 4 decimals, are arithmetic errors; -4.06 for
        -4.0513 is a slip."""
        place = self.state.claimed(value)
        mid = fraction(right.mid)
        usual = round_half_away(mid, max(place + 1, self.state.usual))  # the value as the writer would see it
        unit = Fraction(10) ** -place
        if (usual / unit).denominator == 1:
            return False  # nothing to round at this place
        low = floor(mid / unit) * unit
        return value.value in (low, low + unit)

    def convention(self, used: list[int]) -> str | None:
        """The warning for a line that follows the conventions `used`, none of them the stated one."""
        rules = self.rules
        if rules.stated in used or not used:
            return None
        opt, chosen, stated = self.ex.optimizer, rules.variants[used[0]], rules.variants[rules.stated]
        used_text = describe(opt, chosen, stated, self.notation)
        stated_text = describe(opt, stated, chosen, self.notation)
        if self.formula_stated:
            said = f"but the stated formula has {stated_text}"
        else:  # never a claim about a formula that was not read
            said = f"where the exercise's convention is {stated_text} (no formula for it is stated)"
        return f"the arithmetic follows {used_text}, {said}; the line is checked as written"

    def discriminate(self, first: Node, q: str, v: str, t: int, used: list[int], evaluate: Callable[[Node], Ball]) -> list[int]:
        """The conventions among `used` that the written expression follows in its form, not only
        in its value: each hyperparameter written in it (ε as 10^{-6}) is given a large value in the
        expression (`evaluate`, at the writer's values) and in each convention's rule, which then
        differ (√(0.1557) + ε is not √(0.1557 + ε) when ε is 0.25)."""
        rules, state = self.rules, self.state
        if not rules.distinct(q, used):
            return used
        known = self.form.get(q)  # the writer's form, as an earlier line showed it
        if known and set(known) <= set(used):
            return known
        shown = {w.value for w in literals(first)}
        values = state.values[v]
        env = state.rule_env(t, {k: values[k][0] for _, k in state.rule_keys(v) if values.get(k)})
        for h, value in self.ex.hyper.items():
            if value not in shown or not value:
                continue
            probe = value + Fraction(1, 4) if value < Fraction(1, 2) else value / 2
            hyper = {**self.ex.hyper, h: probe}
            written = evaluate(_replaced(first, value, probe))
            kept = []
            for k in dict.fromkeys(used):
                rule = rules.inlined(k, q)
                if rule is None:
                    continue
                got = safe(rules.probe(k, q, h, rule, hyper), env)
                if got is not None and rules.balls.agree(written, got):
                    kept.append(k)
            if kept and len(kept) < len(set(used)):
                self.form[q] = kept
                return kept
        return used


def _replaced(node: Node, value: Fraction, by: Fraction) -> Node:
    """`node` with every written number equal to `value` replaced by `by`."""
    def number(part: Node) -> Node | None:
        w = as_written(part)
        if w is None:
            return None
        return Num(by) if w.value == value else Neg(Num(by)) if w.value == -value else part

    return replaced(node, number)


def describe(optimizer: Any, options: dict[str, object], other: dict[str, object], notation: Notation | None = None) -> str:
    """How `options` differ from `other`, in the options' own words (:attr:`Choice.says
    <symopt.optimizers.Choice>`): ``ε outside the square root``; ``amsgrad = False`` for a choice
    that says nothing."""
    notation = notation or optimizer.notation(("w1", "w2"))
    notes = []
    for name, choice in options.items():
        if other.get(name) == choice:
            continue
        says = optimizer.options[name][choice].says.get("en", "")
        notes.append(notation.fill(says) if says else f"{name} = {choice}")
    return "; ".join(notes) or "the rule"


def message(ball: Ball, places: int) -> str:
    """A computed ball's midpoint as a message shows it (:func:`symopt.numbers.message_text`)."""
    return message_text(fraction(ball.mid), places)
