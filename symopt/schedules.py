"""Learning-rate schedules: the step size of each epoch, α_t, as one more rule of the optimizer.

A schedule is the rule ``alpha_t = <an expression in t and alpha>``, placed before the optimizer's
rules, whose ``alpha`` then reads ``alpha_t`` (:meth:`symopt.optimizers.Optimizer.scheduled`).  So
every optimizer of the catalogue, and a spec's own, takes every schedule without code of its own,
and the one mechanism that computes, prints, substitutes and checks rules writes α_t's line too: a
quantity of the epoch (:mod:`symopt.notation`), written once per epoch (``\\alpha_3 = …``).

The convention is PyTorch's (``scheduler.step()`` after each ``optimizer.step()``) and optax's (a
schedule of the count of updates so far): epoch t, from 1, uses the rate the schedule gives after
t - 1 of its steps, so the first epoch uses the rate the schedule starts from.  In k = t - 1:

=================  ==================================================  ==========================================
kind (spec keys)   α_t                                                 frameworks
=================  ==================================================  ==========================================
constant           α (no rule: the plain optimizer's sheet)
step               α γ^⌊k/s⌋ (``step_size`` s, ``gamma`` γ)             StepLR; optax exponential_decay(staircase)
multistep          α γ^(milestones m ≤ k) (``milestones``, ``gamma``)   MultiStepLR; optax piecewise_constant
exponential        α γ^k (``gamma``)                                    ExponentialLR; optax exponential_decay
inverse_time       α / (1 + c⌊k/s⌋) (``k`` c, ``step_size`` s = 1)      LambdaLR; Keras InverseTimeDecay
cosine             α_min + (α - α_min)/2 (1 + cos(π k/T)) while k ≤ T,  CosineAnnealingLR (up to T); optax
                   then α_min (``T``, ``alpha_min`` = 0)                cosine_decay_schedule
warmup             α_start + (α - α_start) k/W while k < W, then the    LinearLR + SequentialLR; optax
                   schedule ``then`` from its own start (``epochs`` W,  join_schedules of linear_schedule
                   ``alpha_start`` = 0, ``then`` = constant)
=================  ==================================================  ==========================================

A schedule may also be any expression of t and alpha in the rules' language (``floor``, ``where``,
``cos``, …): the checker reads a sheet's α_t formula back as one.  Parts of a formula that the
exercise's epochs never reach are left out (a cosine that ends after the last epoch has no α_min
branch, a milestone past it no case), so the formula is the one the sheet uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import labels
from .errors import SymoptError
from .expr import RULE_FUNCTIONS, Node, map_names, names, parse, to_text
from .numbers import decimal_text, exact, rational_text, scientific_plain, short_text

TARGET = "alpha_t"  # the rule's target: the epoch's rate (printed \\alpha_t, \\alpha_3)
BASE = "alpha"  # the rules' step size, which a schedule replaces by TARGET; in the schedule, its base rate
KINDS = ("constant", "step", "multistep", "exponential", "inverse_time", "cosine", "warmup")
#: Each kind's keys besides ``kind``: required, then optional with their defaults.
KEYS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "constant": ((), {}),
    "step": (("step_size", "gamma"), {}),
    "multistep": (("milestones", "gamma"), {}),
    "exponential": (("gamma",), {}),
    "inverse_time": (("k",), {"step_size": 1}),
    "cosine": (("T",), {"alpha_min": 0}),
    "warmup": (("epochs",), {"alpha_start": 0, "then": None}),
}
MAX_WHOLE = 1_000_000  # a step size, milestone, T or warmup at most this many epochs
MAX_MILESTONES = 100


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule: its kind (one of :data:`KINDS` but constant, or ``expression``),
    α_t's right-hand side (in t, alpha and pi), the spec's values by key (for the frameworks' note)
    and a warmup's following schedule."""

    kind: str
    rhs: Node
    values: tuple[tuple[str, Any], ...] = ()  # a whole number of epochs, a Fraction, or milestones
    then: Schedule | None = None

    def apply(self, rules: Sequence[tuple[str, Node]]) -> list[tuple[str, Node]]:
        """The optimizer's rules with the schedule: α_t's rule first, then each rule with alpha read as α_t."""
        return [(TARGET, self.rhs), *((target, map_names(rhs, _RENAME.get)) for target, rhs in rules)]

    def note(self) -> dict[str, str]:
        """The sheet's sentence, by language: the kind, and which α each epoch uses, in mathematical words."""
        return {lang: labels.words(lang, "schedule")["note"].format(kind=self.name(lang)) for lang in labels.languages()}

    def name(self, lang: str) -> str:
        words = labels.words(lang, "schedule")
        if self.kind == "warmup":
            return words["kinds"]["warmup"].format(then=self.then.name(lang) if self.then is not None else words["kinds"]["constant"])
        return words["kinds"][self.kind]

    def frameworks(self) -> dict[str, str]:
        """Which PyTorch and optax settings give the same rates, by language (the spec's ``notes = "frameworks"``)."""
        out = {}
        for lang in labels.languages():
            torch, optax = self.settings(labels.words(lang, "schedule"))
            out[lang] = labels.words(lang, "schedule")["frameworks"].format(torch=torch, optax=optax)
        return out

    def settings(self, words: dict) -> tuple[str, str]:
        """(PyTorch's scheduler, optax's schedule) of this schedule, as text with inline math, in
        the language of `words` (its part "schedule" of :mod:`symopt.labels`)."""
        v = dict(self.values)
        text = {k: _text(x) for k, x in v.items()}
        if self.kind == "step":
            return (f"StepLR(step_size = {text['step_size']}, gamma = {text['gamma']})",
                    f"exponential_decay($\\alpha$, {text['step_size']}, {text['gamma']}, staircase = True)")
        if self.kind == "multistep":
            milestones = ", ".join(map(str, v["milestones"]))
            boundaries = ", ".join(f"{m}: {text['gamma']}" for m in v["milestones"])
            return (f"MultiStepLR(milestones = [{milestones}], gamma = {text['gamma']})",
                    f"piecewise_constant_schedule($\\alpha$, {{{boundaries}}})")
        if self.kind == "exponential":
            return f"ExponentialLR(gamma = {text['gamma']})", f"exponential_decay($\\alpha$, 1, {text['gamma']})"
        if self.kind == "inverse_time":
            n = "n" if v["step_size"] == 1 else f"(n // {text['step_size']})"
            return (f"LambdaLR(lambda n: 1/(1 + {text['k']}*{n}))",
                    words["function"].format(f=f"lambda n: $\\alpha$/(1 + {text['k']}*{n})"))
        if self.kind == "cosine":
            ratio = "0" if not v["alpha_min"] else f"{text['alpha_min']}/$\\alpha$"
            return (f"CosineAnnealingLR(T_max = {text['T']}, eta_min = {text['alpha_min']}) " + words["cosine_end"].format(end=v["T"] + 1),
                    f"cosine_decay_schedule($\\alpha$, {text['T']}, {ratio})")
        if self.kind == "warmup":
            inner_torch, inner_optax = ("ConstantLR(factor = 1)", "constant_schedule($\\alpha$)") if self.then is None else self.then.settings(words)
            return (f"SequentialLR([LinearLR(start_factor = {text['alpha_start']}/$\\alpha$, total_iters = {text['epochs']}), "
                    f"{inner_torch}], milestones = [{text['epochs']}]) (start_factor > 0)",
                    f"join_schedules([linear_schedule({text['alpha_start']}, $\\alpha$, {text['epochs']}), {inner_optax}], [{text['epochs']}])")
        return "LambdaLR(lambda n: $\\alpha_{n + 1}/\\alpha$)", words["function"].format(f="lambda n: $\\alpha_{n + 1}$")


_RENAME = {BASE: TARGET}


def _text(x: object) -> str:
    return decimal_text(x) if isinstance(x, Fraction) else str(x)


def _parsed(text: str) -> Node:
    return parse(text, RULE_FUNCTIONS)


def read(value: object, epochs: int) -> Schedule | None:
    """The spec's ``schedule``: a table with a ``kind`` (see the module's table) or an expression
    of t and alpha; None for the constant rate.  `epochs`: the exercise's, so that the formula holds
    no part the run never reaches.  Errors name the key (``schedule.gamma: …``)."""
    if isinstance(value, str):
        return _expression(value)
    if not isinstance(value, dict):
        raise SymoptError('must be a table such as { kind = "step", step_size = 10, gamma = 0.5 } or an expression '
                          'of t and alpha such as "alpha/(1 + 0.5*(t - 1))"', "schedule")
    try:
        return _table(value, epochs, 0, "schedule")
    except SymoptError as e:
        raise e if e.where else e.within("schedule") from None


def _expression(text: str) -> Schedule:
    try:
        rhs = _parsed(text)
    except SymoptError as e:
        raise e.within("schedule") from None
    other = names(rhs) - {BASE, "t", "pi"}
    if other:
        raise SymoptError(f"a schedule is an expression of t (the epoch, from 1) and alpha; {sorted(other)[0]!r} is neither", "schedule")
    if "t" not in names(rhs):
        raise SymoptError("the schedule does not depend on t; leave it out for a constant rate", "schedule")
    return Schedule("expression", rhs)


def _table(table: dict, epochs: int, offset: int, where: str) -> Schedule | None:
    """A table's schedule; `offset`: the epochs of a warmup before it (its first epoch is offset + 1)."""
    kind = table.get("kind")
    if kind not in KINDS:
        got = "no kind" if kind is None else f"kind {kind!r}"
        raise SymoptError(f"{got}; a schedule's kind is one of {', '.join(KINDS)}", where)
    required, optional = KEYS[kind]
    for key in table:
        if key != "kind" and key not in required and key not in optional:
            raise SymoptError(f"unknown key {key!r} for {_article(kind)} {kind} schedule; its keys: {', '.join(('kind', *required, *optional))}", where)
    missing = [key for key in required if key not in table]
    if missing:
        raise SymoptError(f"{_article(kind)} {kind} schedule needs {', '.join(missing)}", where)
    v = {**optional, **{k: x for k, x in table.items() if k != "kind"}}
    if kind == "constant":
        return None
    if kind == "warmup":
        return _warmup(v, epochs, where)
    values = {key: _value(key, v[key], where) for key in (*required, *optional)}
    return Schedule(kind, _parsed(_formula(kind, values, epochs, offset)), tuple(values.items()))


def _warmup(v: dict[str, Any], epochs: int, where: str) -> Schedule:
    length, start = _value("epochs", v["epochs"], where), _value("alpha_start", v["alpha_start"], where)
    then = None
    if v["then"] is not None:
        if not isinstance(v["then"], dict):
            raise SymoptError('must be a table such as { kind = "cosine", T = 20 }', f"{where}.then")
        if v["then"].get("kind") == "warmup":
            raise SymoptError("a warmup is followed by another kind of schedule, not a second warmup", f"{where}.then")
        then = _table(v["then"], epochs, length, f"{where}.then")
    ramp = f"alpha*(t - 1)/{length}" if not start else f"{_num(start)} + (alpha - {_num(start)})*(t - 1)/{length}"
    rest = "alpha" if then is None else to_text(then.rhs)
    formula = ramp if epochs <= length else f"where(t <= {length}, {ramp}, {rest})"
    return Schedule("warmup", _parsed(formula), (("epochs", length), ("alpha_start", start)), then)


def _formula(kind: str, v: dict[str, Any], epochs: int, offset: int) -> str:
    """α_t of one kind in the rules' language; k = t - 1 - offset counts the schedule's own steps."""
    k = f"(t - {1 + offset})"
    if kind == "step":
        return f"alpha*{_num(v['gamma'])}^{_steps(k, v['step_size'])}"
    if kind == "exponential":
        return f"alpha*{_num(v['gamma'])}^{k}"
    if kind == "inverse_time":
        return f"alpha/(1 + {_num(v['k'])}*{_steps(k, v['step_size'])})"
    if kind == "multistep":
        return _multistep(v["milestones"], v["gamma"], epochs, offset)
    return _cosine(v["T"], v["alpha_min"], epochs, offset, k)


def _steps(k: str, size: int) -> str:
    """k, or ⌊k / size⌋ for a staircase of `size` epochs."""
    return k if size == 1 else f"floor({k}/{size})"


def _multistep(milestones: tuple[int, ...], gamma: Fraction, epochs: int, offset: int) -> str:
    """α times γ for each milestone passed, as cases (α for t ≤ m₁, αγ for t ≤ m₂, …); milestones
    after the last epoch are left out, but for the first."""
    reached = [m for m in milestones if m + offset < epochs] or list(milestones[:1])

    def rate(i: int) -> str:
        return "alpha" if i == 0 else f"alpha*{_num(gamma)}" if i == 1 else f"alpha*{_num(gamma)}^{i}"

    formula = rate(len(reached))
    for i in reversed(range(len(reached))):
        formula = f"where(t <= {reached[i] + offset}, {rate(i)}, {formula})"
    return formula


def _cosine(T: int, low: Fraction, epochs: int, offset: int, k: str) -> str:
    """d2l's form, η_T + (η_0 - η_T)/2 (1 + cos(π k/T)), pinned at α_min past T when the run goes on."""
    wave = f"(1 + cos(pi*{k}/{T}))"
    formula = f"alpha/2*{wave}" if not low else f"{_num(low)} + (alpha - {_num(low)})/2*{wave}"
    end = T + 1 + offset  # the epoch whose rate is α_min
    return f"where(t <= {end}, {formula}, {_num(low)})" if epochs > end else formula


def _num(q: Fraction) -> str:
    text = rational_text(q)
    return f"({text})" if "/" in text or q < 0 else text


#: What each key takes: a whole number of epochs, a positive rate or factor, or one of zero or more.
_WHOLE = ("step_size", "T", "epochs")
_POSITIVE = ("gamma",)
_NONNEGATIVE = ("k", "alpha_min", "alpha_start")


def _value(key: str, value: object, where: str) -> Any:
    at = f"{where}.{key}"
    if key == "milestones":
        return _milestones(value, at)
    if key == "then":
        return value
    try:
        q = exact(value)
    except ValueError as e:
        raise SymoptError(str(e), at) from None
    if key in _WHOLE:
        if q.denominator != 1 or not 1 <= q <= MAX_WHOLE:
            raise SymoptError(f"must be a whole number of epochs from 1 to {MAX_WHOLE}, got {_shown(q)}", at)
        return int(q)
    if key in _POSITIVE and q <= 0:
        raise SymoptError(f"must be a number above 0, got {_shown(q)}", at)
    if key in _NONNEGATIVE and q < 0:
        raise SymoptError(f"must be 0 or more, got {_shown(q)}", at)
    return q


def _shown(q: Fraction) -> str:
    """A number in a message: as written, a large one as a power of ten (1e200, not its 201 digits)."""
    return scientific_plain(q, 4) if abs(q) >= 10**15 else short_text(q)


def _milestones(value: object, at: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not value or len(value) > MAX_MILESTONES:
        raise SymoptError(f"must be a list of 1 to {MAX_MILESTONES} epochs, such as [10, 20]", at)
    out: list[int] = []
    for x in value:
        try:
            q = exact(x)
        except ValueError as e:
            raise SymoptError(str(e), at) from None
        if q.denominator != 1 or not 1 <= q <= MAX_WHOLE or (out and q <= out[-1]):
            raise SymoptError(f"must be whole numbers of epochs from 1 to {MAX_WHOLE}, increasing, such as [10, 20]", at)
        out.append(int(q))
    return tuple(out)


def _article(kind: str) -> str:
    """English's article before a schedule's kind (an exponential, an inverse_time, a step)."""
    return "an" if kind[:1] in "aeiou" else "a"
