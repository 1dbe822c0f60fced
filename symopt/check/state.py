"""The writer's state: the values later lines may use, per variable and quantity, as the writer
wrote them (and after a flagged line the right ones too), and the writer's rounding policy, what
a written number stands for on this sheet."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from itertools import islice, product

from ..compiler import Evaluator
from ..expr import Node
from ..notation import DECAYED
from ..numbers import round_half_away
from ..spec import Exercise
from .ball import Ball, BallArithmetic, fraction
from .mathtext import HALF_UNITS, Written

MAX_COMBINATIONS = 16  # candidate values tried per line after earlier errors
_TENTH = Fraction(1, 10)


@dataclass
class Candidate:
    """A value a later line may use: as written (ball and exact value) or the corrected one."""

    ball: Ball
    value: Fraction
    computed: bool = False  # the writer skipped its line: they may write it rounded anywhere
    places: int | None = None  # written rounded to this place: a later line may substitute it with more digits
    short: Written | None = None  # written after ≈ without trailing zeros: its place may be finer than it shows
    rad: Fraction | None = None  # the ball's radius as a Fraction, where it was made from one

    @cached_property
    def radius(self) -> Fraction:
        return fraction(self.ball.rad) if self.rad is None else self.rad

    @cached_property
    def size(self) -> Fraction:
        return abs(self.value)


def figures(w: Written) -> int:
    """The significant digits a written number shows: those of an integer's trailing zeros do not
    count (1000000 may be exact or rounded to any place; 57.9170 shows 6)."""
    count = w.significant
    if w.places <= 0 and w.value and w.value.denominator == 1:
        n = abs(w.value.numerator) // 10 ** max(0, -w.places)
        while n and n % 10 == 0:
            n //= 10
            count -= 1
    return count


class WriterState:
    """One document's values of an exercise (:attr:`values`: variable -> quantity -> candidates,
    the writer's first), the derivative each gradient line follows (:attr:`gradients`, a stated
    one first), and how the sheet rounds."""

    def __init__(self, balls: BallArithmetic, ex: Exercise, gradient: dict[str, tuple[tuple[Node, Evaluator], ...]]):
        self.balls, self.ex = balls, ex
        self.gradients = {v: list(pairs) for v, pairs in gradient.items()}  # a stated derivative goes first
        self.values: dict[str, dict[str, list[Candidate]]] = {
            v: {"w": [self.exact(ex.start[v])], **{s: [self.exact(ex.state[s][v])] for s in ex.state}}
            for v in ex.variables
        }
        self.start_w: dict[str, list[Candidate]] = {}  # each variable's values where the epoch starts
        # how the sheet rounds, for values whose trailing zeros it dropped: to decimals (the finest
        # place of a value of 4 or more digits, 0.1 or more) or to significant digits (the most written)
        self.decimals = 0
        self.digits = 0
        self.usual_digits = 0  # the writer's most common number of significant digits (of values with decimals)
        self.usual = 0  # the writer's most common number of decimals (of their values of 4 or more digits)
        self.finest = 0  # the finest decimal place of a value of 0.1 or more, when no policy shows
        self.seen_approx = False  # the writer marks rounded values with ≈ (exact and precision sheets)
        # a dataset problem's lines of a sample (symopt.check.data), each a value of its own under "g",
        # and what each line of a step reads (the gradient's: f's variables)
        self.pseudo: set[str] = set()
        self.line_inputs: dict[str, tuple[str, ...]] = {}

    # -- values ------------------------------------------------------------------------------------
    def exact(self, q: Fraction) -> Candidate:
        return Candidate(self.balls.ball(q), q)

    def begin_epoch(self) -> None:
        self.start_w = {x: self.values[x]["w"] for x in self.ex.variables}

    def start(self, x: str) -> list[Candidate]:
        """x's values at the start of the epoch, where the gradient is taken (after an unread
        gradient line, a later variable's gradient is not taken at x's new value); a dataset
        sample's line, its value as written."""
        if x in self.pseudo:
            return self.values[x].get("g", [])
        return self.start_w.get(x) or self.values[x]["w"]

    def inputs(self, v: str) -> tuple[str, ...]:
        """What v's gradient line reads: f's variables; a dataset step's line, its rule's names."""
        return self.line_inputs.get(v, self.ex.variables)

    def rule_keys(self, v: str) -> list[tuple[str, str]]:
        """The (variable, quantity) keys a rule for v's line may read."""
        return [(v, k) for k in self.values[v] if k != DECAYED]

    def combos(self, keys: list[tuple[str, str]]) -> Iterator[tuple[Candidate, ...]]:
        """Every choice of candidate for the (variable, quantity) keys, the writer's first."""
        lists = [self.start(v) if k == "@w" else self.values[v].get(k, []) for v, k in keys]
        return islice(product(*lists), MAX_COMBINATIONS)

    def rule_env(self, t: int, combo: dict[str, Candidate]) -> dict[str, Ball]:
        env = {k: c.ball for k, c in combo.items()}
        env["t"] = self.balls.const(Fraction(t))
        return env

    def computed(self, v: str, target: str, value: Ball) -> None:
        """The rule's value of `target`, where the writer skipped its line or it could not be read."""
        self.values[v][target] = [Candidate(value, fraction(value.mid), computed=True)]
        if target == DECAYED:
            self.values[v]["g"] = self.values[v][target]

    def carry(self, v: str, q: str, value: Written, rounded: bool, right: Ball | None = None) -> None:
        """What later lines use: the written value, and after a flagged line also the right one.

        A value written after ≈ stands for everything within half a unit of its last digit; when
        it is shorter than the sheet's other values both in decimals and in significant digits, its
        trailing zeros were dropped (a sheet that rounds to 4 decimals writes -4.8 for -4.79999, one
        that rounds to 8 digits writes 1.8 for 1.800000004), and it stands for half a unit of the
        coarser of those two places.  A value with a trailing zero (57.9170), or with as many
        decimals (0.000196, 1.96 \\cdot 10^{-7}) or digits as the others, is rounded at its last digit."""
        places = self.place(value) if rounded else value.places
        radius = HALF_UNITS[places] if rounded else Fraction(0)
        short = value if rounded and value.value and not value.padded else None
        candidates = [Candidate(self.balls.ball(value.value, radius), value.value, places=places if rounded else None, short=short, rad=radius)]
        if right is not None:
            shown = round_half_away(fraction(right.mid), value.places)
            candidates.append(Candidate(self.balls.around(shown, right), shown, places=value.places))
        self.values[v][q] = candidates
        if q == DECAYED:  # later rules use the decayed gradient
            self.values[v]["g"] = candidates

    def share(self, v: str, q: str, written: dict[str, set[str]]) -> None:
        """A quantity of the epoch (NAdam's \\mu_t), written once: every variable's."""
        for x in self.ex.variables[1:]:
            self.values[x][q] = self.values[v][q]
            written[x].add(q)

    def rounded_scope(self, v: str, q: str) -> dict[Fraction, Fraction]:
        """Written value -> its radius, for the rounded values this line may substitute."""
        scope: dict[Fraction, Fraction] = {}
        values = self.values
        sources = [(x, "g" if x in self.pseudo else "w") for x in self.inputs(v)] if q == "g" else [(v, k) for k in values[v]]
        sources += [(x, k) for x in self.ex.variables if x != v for k in values[x] if k not in ("w", "g")]
        for x, k in sources:
            for c in values[x].get(k, []):
                if c.ball.rad:
                    scope[c.value] = c.radius
        return scope

    def known(self, q: str, t: int, folded_literals: list[dict[str, list[Fraction]]]) -> set[Fraction]:
        """Numbers a substitution is made of (not rounded on the way): hyperparameters, the
        rule's constants (`folded_literals`, per variant), the writer's values, t."""
        known = set(self.ex.hyper.values()) | {Fraction(t), Fraction(1), Fraction(2)}
        for per_variant in folded_literals:
            known |= set(per_variant.get(q, []))
        for values in self.values.values():  # (a dataset's sample lines too)
            for cands in values.values():
                known |= {c.value for c in cands}
        return known

    # -- the rounding policy -------------------------------------------------------------------------
    def rounding_shown(self, values: list[tuple[bool, Written]]) -> None:
        """How the writer rounds, from all the exercise's epoch values at once, each (written after
        ≈, value) (the policy is the writer's, not a line's): on a sheet that marks rounded values
        with ≈, from those; on one that does not, from every value.  A value shortened in epoch 1
        (v_x ≈ 0.36) stands for half a unit of the 4th decimal when later values show 4 (found
        trying symopt as a new user: 1.9200 for 1.8947 passed in exact mode)."""
        approx = any(rounded for rounded, _ in values)
        counts: dict[int, int] = {}
        digits: dict[int, int] = {}
        for rounded, value in values:
            if rounded or not approx:
                large = value.size >= _TENTH
                if large and value.significant >= 4:
                    self.decimals = max(self.decimals, value.places)
                    counts[value.places] = counts.get(value.places, 0) + 1
                shown = figures(value)
                self.digits = max(self.digits, shown)
                if value.places > 0:
                    digits[shown] = digits.get(shown, 0) + 1
                if large:
                    self.finest = max(self.finest, value.places)
        self.usual = max(counts, key=lambda k: (counts[k], k)) if counts else 0
        self.usual_digits = max(digits, key=lambda k: (digits[k], -k)) if digits else 0

    def learn(self, value: Written, marks: tuple[str, ...], ok: bool) -> None:
        """What the sheet's rounding looks like, from the lines that are right (a wrong value's
        digits tell nothing); where ≈ marks rounding, a value after = is exact and tells nothing either."""
        self.seen_approx = self.seen_approx or "≈" in marks
        if ok and ("≈" in marks or not self.seen_approx):
            if value.significant >= 4 and value.size >= _TENTH:
                # rounded to decimals, not to significant figures (3 at most): the sheet shows this many
                self.decimals = max(self.decimals, value.places)
            self.digits = max(self.digits, figures(value))

    def place(self, value: Written) -> int:
        """The place a value written after ≈ was rounded to (see :meth:`carry`), and an integer's
        (see :meth:`radius`): its last digit's, unless it is shorter than the writer's other
        values both in decimals and in significant digits; then it stands for the coarser of those
        two places (-4.8 for -4.79999 on a sheet of 4 decimals, 1.8 for 1.800000004 on one of 8
        digits)."""
        if value.padded:
            return value.places
        significant = max(value.significant, 1)
        exponent = significant - value.places - 1  # of its leading digit
        decimals = self.decimals or self.finest
        if value.places < decimals and significant < self.digits:
            return max(value.places, min(decimals, self.digits - 1 - exponent))
        return value.places

    def radius(self, value: Written) -> Fraction:
        """What a written result stands for: half a unit of its last digit; an integer on a sheet
        that works in decimals stands for the writer's place (-5 is not a rounding of -4.6, nor 1
        of 1.2), while a decimal may be rounded shorter than the writer's usual (the reference
        sheet's -4.6 for -4.6003)."""
        return HALF_UNITS[self.claimed(value)]

    def claimed(self, value: Written) -> int:
        """The place a written result claims: its last digit's; an integer's, on a sheet that
        works in decimals, the coarser of the writer's usual number of decimals and usual number of
        significant digits (1 stands for 1.00 on a sheet of 0.314 and 0.0491; -5 for -5.0 on a sheet
        of -4.6 and -0.92, so it is not -4.6); and so does a decimal of one significant digit (0.1
        stands for 0.1000 on a sheet of 4 decimals, so it is not 0.075: found by a new-user trial of a
        step schedule's α_5, and 0.1 for 0.01 was called a rounding slip on a sheet of 3 digits)."""
        significant = max(value.significant, 1)
        if value.padded or (value.places != 0 and significant > 1):
            return value.places
        if significant >= self.usual_digits:
            return max(0, value.places)
        return max(value.places, 0, min(self.usual or self.finest, self.usual_digits - significant))

    def tighten(self) -> None:
        """Values carried before the sheet's rounding was known (-1.8 in epoch 1, before any value
        showed 4 decimals) stand for what they stand for now that it is."""
        for values in self.values.values():
            for q, cands in values.items():
                first = cands[0] if cands else None
                if first is None or first.short is None or first.places is None:
                    continue
                places = self.place(first.short)
                if places > first.places:
                    radius = HALF_UNITS[places]
                    values[q] = [Candidate(self.balls.ball(first.value, radius), first.value, places=places, short=first.short, rad=radius),
                                 *cands[1:]]
