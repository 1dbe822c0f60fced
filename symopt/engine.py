"""Run an exercise: derive, compile once, then compute and write every line of every epoch.

The work is split so that SymPy runs once per exercise:

1. SymPy derives ∂f/∂w_i (:mod:`symopt.symbolic`);
2. each gradient and rule is printed once as a formula and once as a template with holes, and
   compiled once into an evaluator for the exercise's number mode (:mod:`symopt.compiler`): the
   exercise's :class:`~symopt.plan.Plan`, which the checker shares;
3. the epoch loop only calls evaluators and fills templates.

Each epoch writes all gradient lines, then each rule for every variable, in rule order, as the
reference sheet does (all dw, then all v, ..., then all w).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
import decimal
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from . import dataset as _dataset, printer, spec as _bounds
from .arith import GUARD_DIGITS, LIMIT, Evaluator, Exact, ModeArithmetic, MoreDigits, NumberMode, Precision, Value
from .compiler import evaluator, rational_value
from .errors import Diverged, ExactTooLarge, SymoptError
from .expr import Node, names, to_text, without_ones
from .notation import Notation
from .numbers import EXACT, Policy, Shown
from .optimizers import Choice
from .plan import Compiled, Derivation, Plan, Printed, Rule, plan_of, rule_formulas
from .spec import Exercise, variables_of

__all__ = ["Departure", "Divergence", "Epoch", "Line", "Objective", "Operand", "Worked", "data_rows", "function_latex",
           "rule_formulas", "work"]


class Operand(NamedTuple):
    """A value substituted into a line, as that line writes it."""

    key: str  # a variable (w1) in a gradient line; else the rule's name: w, g, v, s, t, ...
    shown: Shown


class Line(NamedTuple):
    """One line of an epoch: ``dw_1 = 0.2 * (-5) = -1``, and the numbers behind it.  (A named
    tuple: a long run makes tens of thousands.)"""

    quantity: str  # dw (the gradient), then the rule targets: v, s, v_hat, s_hat, w, ...
    variable: str  # w1
    latex: str  # dw_1 = 0.2 * (-5) = -1
    shown: Shown  # the line's value as written
    value: Fraction | Decimal  # the value later lines use (by hand: the rounded one), to the mode's precision
    operands: tuple[Operand, ...]  # each number substituted, in order, as written in this line
    approx: bool  # the line ends in \approx: its value, or a number in it, is shown rounded
    sample: int = 0  # a dataset problem's line of one sample (its number, from 1); 0 for any other line

    @property
    def text(self) -> str:
        """The value as written: ``-4.6003``."""
        return self.shown.text


@dataclass(frozen=True)
class Epoch:
    number: int
    lines: tuple[Line, ...]
    params: dict[str, str]  # variable -> carried value at the mode's full precision, as text
    values: dict[str, Fraction | Decimal]  # the same as numbers
    reference: dict[str, Decimal] | None = None  # by hand: the run without rounding, at 20 digits
    samples: tuple[int, ...] = ()  # a dataset problem's step: the samples of its batch (numbered from 1)
    pass_number: int = 0  # and the epoch it belongs to, one pass over the data (number is the step)


class Objective(NamedTuple):
    """f(w_t) at the start (epoch 0) or after a complete epoch, for the trajectory tables: computed
    in the run's number mode from the values the run carries (by hand: from the rounded w, and
    rounded as a line's value is; exactly, or to the mode's digits, otherwise)."""

    epoch: int
    shown: Shown | None  # as the sheet writes it; None where f has no value (a logarithm of a negative w)
    value: Fraction | Decimal | None  # the value, to the mode's precision (the carried one by hand)
    approx: bool  # written after \approx: exact and precision modes mark a rounded value, as their lines do


DIVERGENCE_DIGITS = 12
DIVERGENCE_BOUND = Fraction(10) ** DIVERGENCE_DIGITS  # |w| past this: the run is marked as diverging
DIVERGENCE_INT = 10**DIVERGENCE_DIGITS


@dataclass(frozen=True)
class Divergence:
    """Where a run blew up: the sheet says so and stops that exercise there."""

    epoch: int
    line: str  # the line's name, e.g. w_1 ("" when not known)
    kind: str  # "bound": |w| past 10^12; "limit": past 10^300; "overflow": not finite
    shown: Shown | None = None  # the value, for "bound"


@dataclass(frozen=True)
class Departure:
    """By hand: the first epoch where a carried value is farther from the run without rounding than
    rounding explains: more than 1% (sig:S, S < 3: one unit of the S-th figure) and more than 10^-3
    (hand:D, D < 3: one unit of the D-th decimal)."""

    epoch: int
    variable: str
    line: str  # w_1
    carried: Shown
    reference: Decimal  # the value without rounding (20 significant digits)


@dataclass(frozen=True)
class Worked:
    """An exercise worked out: what the sheet prints, and the numbers behind it."""

    exercise: Exercise
    function_latex: str
    gradient: dict[str, str]  # variable -> Python-style derivative ("0.2*w1")
    formulas: tuple[str, ...]
    notes: tuple[Choice, ...]
    data: str
    derivatives: tuple[str, ...]
    epochs: tuple[Epoch, ...]
    diverged: Divergence | None = None
    departs: Departure | None = None
    notation: Notation | None = None  # how its names print (see symopt.notation)
    data_rows: tuple[str, ...] = ()  # the data line as printed: one row, or several on a long line
    objective: tuple[Objective, ...] = ()  # f(w_t) at the start and after each complete epoch, when the spec has a table
    steps: tuple[Derivation, ...] = ()  # each ∂f/∂w_i derived by the rules (steps = true)
    problem: tuple[str, ...] = ()  # a dataset problem's lines: its model, the loss of a sample, the loss on the data


def function_latex(function: Node, mult: str = "cdot", comma: bool = False) -> str:
    """``f(w_1, w_2) = 0.1w_1^2 + 2w_2^2``, as the user wrote f, but for a factor of 1 (an exam's
    drawn coefficient: ``{a}*x**2`` with a = 1 is x^2, not 1x^2)."""
    notation = Notation(variables_of(function))
    args = ("; " if comma else ", ").join(notation.variable(v) for v in notation.variables)
    return f"f({args}) = " + printer.latex(without_ones(function), notation.constant, mult, comma, "e" not in notation.variables)


EXTRA_DIGITS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48)  # more digits tried for an operand, so that its line adds up
DEPART_RELATIVE = Fraction(1, 100)
DEPART_ABSOLUTE = Fraction(1, 1000)


MAX_GUARD = 1_000  # precision mode's guard digits grow this far for a run that cancels


def printed_work(ex: Exercise, mult: str = "cdot") -> int:
    """The numbers an exercise's lines print, in :data:`symopt.spec.MAX_PRINTED`'s unit: per epoch,
    each line's value and the numbers it substitutes, weighed by the digits the mode writes, as
    :func:`symopt.spec.work` weighs lines.  From the printed templates (SymPy prints them once,
    cached for the run), so before any epoch."""
    printed = plan_of(ex).printed(mult)
    gradient = sum(1 + len(w.filler.keys) for w in printed.gradient)
    per_epoch = _bounds.EPOCH_WORK + len(ex.variables) * sum(1 + len(w.filler.keys) for w in printed.rules) \
        + ex.objective * (1 + len(ex.variables))
    if ex.data is None:
        per_epoch += gradient
    else:  # each sample of a batch: its quantities and gradients; the batch's gradient: a number per sample
        size = ex.data.size
        per_epoch += size * (gradient + sum(1 + len(w.filler.keys) for w in printed.samples)) + len(ex.variables) * (size + 1) \
            + ex.objective * ex.data.n
    return _bounds.EXERCISE_WORK + ex.updates * per_epoch * (100 + _bounds.shown_digits(ex.numbers)) // 100


def work(ex: Exercise, mult: str = "cdot", deadline: float | None = None) -> Worked:
    """The exercise worked out.  A precision run whose lines cancel more digits than its guard
    holds is done again with a wider guard (:class:`symopt.arith.MoreDigits`).  Past `deadline`
    (:func:`time.monotonic`) it stops at the next epoch, in one line: the work budget counts lines,
    and a line whose check needs 90 digits of f's functions again and again costs a hundred."""
    guard = 0
    while True:
        try:
            return _work(ex, mult, guard, deadline)
        except MoreDigits as more:
            if guard >= MAX_GUARD:
                raise SymoptError(f"a line cancels more than {MAX_GUARD} digits; use exact or hand mode") from None
            guard = min(MAX_GUARD, max(guard, GUARD_DIGITS) + more.digits)


def _work(ex: Exercise, mult: str, guard: int, deadline: float | None = None) -> Worked:
    mode = ex.numbers
    arith = mode.arithmetic(_inputs(ex), guard)
    policy = arith.policy
    plan = plan_of(ex)
    _check_names(ex, ex.rules)
    notation = plan.notation
    # -- printed once (SymPy derives the gradient once), compiled once per run ----------------
    printed = plan.printed(mult)
    # exact and precision lines are checked as printed (operands shown rounded must give the shown
    # result); by hand the operands are the carried numbers themselves, so lines add up already
    checking = None if mode.carries else _checking(arith)
    shadow = Precision(NumberMode("precision", digits=20)) if mode.carries else None
    grad_steps, rule_steps = _steps(plan, printed, arith, checking)
    shadows = None if shadow is None else plan.compiled(shadow)
    # by hand, "=" is written after rounding, as students do
    run = _Run(ex, arith, notation, printed, grad_steps, rule_steps, marks=not mode.carries,
               data=None if ex.data is None else _data_run(plan, printed, arith, checking))

    # -- the epoch loop: evaluators and templates only -------------------------------------------
    values, shown = _given(ex, arith)
    reference = None if shadow is None else _given_reference(ex, shadow)
    objective = _ObjectiveRun(ex, plan, guard) if ex.objective else None
    objectives = [] if objective is None else [objective.at(0, values)]
    epochs = []
    diverged: Divergence | None = None
    departs: Departure | None = None
    schedule = ex.batches
    for t in range(1, ex.updates + 1):
        if deadline is not None:
            _bounds.past(deadline, f"at epoch {t}")
        lines, complete, diverged = _epoch_lines(run, t, values, shown)
        if shadow is not None and shadows is not None and reference is not None:
            reference = _shadow_epoch(ex, plan.rules, shadows, shadow, reference, t)
        if lines:
            epoch = _epoch(run, t, lines, values, shadow, reference) if complete else Epoch(t, tuple(lines), {}, {}, None)
            if schedule:
                epoch = replace(epoch, pass_number=schedule[t - 1][0], samples=schedule[t - 1][1])
            epochs.append(epoch)
            if complete and objective is not None:
                objectives.append(objective.at(t, values))
            if departs is None and epoch.reference is not None:
                departs = _departure(ex, notation, mode, t, epoch.values, epoch.reference, shown)
        if diverged is not None:
            break

    data = _data_line(ex, notation, ex.rules, policy)
    return Worked(
        exercise=ex,
        function_latex=function_latex(ex.function, mult, policy.comma),
        gradient={v: to_text(d) for v, d in zip(ex.variables, plan.gradient, strict=True)},
        formulas=printed.formulas,
        notes=plan.notes,
        data=DATA_SEPARATOR[policy.comma].join(data),
        data_rows=data,
        derivatives=printed.derivatives,
        epochs=tuple(epochs),
        diverged=diverged,
        departs=departs,
        notation=notation,
        objective=tuple(objectives),
        steps=printed.steps,
        problem=printed.problem,
    )


def _inputs(ex: Exercise) -> list[Fraction]:
    """The values a run starts from: the start, the state, a dataset's columns (by hand, one that is
    no finite decimal makes the run rational-first)."""
    given = [*ex.start.values(), *(q for values in ex.state.values() for q in values.values())]
    return given if ex.data is None else given + [q for _, column in ex.data.columns for q in column]


class _ObjectiveRun:
    """f compiled once for a run, in an arithmetic of the run's mode of its own (so that its values
    touch none of the run's counters: exact mode's budget of carried SymPy nodes)."""

    def __init__(self, ex: Exercise, plan: Plan, guard: int):
        mode = ex.numbers
        self.arith = mode.arithmetic(_inputs(ex), guard)
        self.evaluate = plan.objective(self.arith)
        self.variables = ex.variables
        self.marks = not mode.carries

    def at(self, t: int, values: list[dict[str, Any]]) -> Objective:
        """f at the w the run carries after epoch t (0: the start).  A precision run whose f cancels
        more digits than the guard holds is done again with more (MoreDigits passes through)."""
        arith = self.arith
        try:
            value = self.evaluate({v: values[j]["w"] for j, v in enumerate(self.variables)})
            if isinstance(arith, Exact):  # shown, not carried: f's values are no part of the run's
                value = arith.lower(value)
                if abs(value) >= LIMIT if type(value) is Fraction else arith.past(value, 10**300):
                    raise Diverged("past 10^300")
            else:
                value = arith.carry(value)
            shown = arith.shown(value)
        except (SymoptError, ArithmeticError, ValueError):
            return Objective(t, None, None, False)
        return Objective(t, shown, arith.number(value), self.marks and shown.rounded)


@dataclass(frozen=True)
class _Run:
    """What every epoch of a run uses, made ready once: its arithmetic, names, printed formulas and
    steps, and whether its lines mark rounding (``\\approx``)."""

    exercise: Exercise
    arith: ModeArithmetic
    notation: Notation
    printed: Printed
    grads: list[_Step]
    rules: list[_Step]
    marks: bool
    data: _DataRun | None = None  # a dataset problem's steps of a sample and of a batch, and its columns


@dataclass(frozen=True)
class _DataRun:
    """What a dataset problem's steps use: the steps of a sample's quantities, of the batch's
    gradient per batch size, and each sample's columns, as numbers and as given."""

    samples: list[_Step]
    batch: dict[int, _Step]
    columns: list[tuple[dict[str, Value], dict[str, Shown]]]  # per sample (index i - 1)


def _data_run(plan: Plan, printed: Printed, arith: ModeArithmetic, checking: tuple[Precision, Precision] | None) -> _DataRun:
    ex = plan.exercise
    data = ex.data
    assert data is not None
    compiled = plan.compiled(arith)
    samples = [_Step(q, written.filler, None, evaluate, None if checking is None else _Check(tree, checking, {}))
               for (q, tree), written, evaluate in zip(data.samples, printed.samples, compiled.samples, strict=True)]
    batch = {k: _Step("g", filler, None, compiled.batch[k],
                      None if checking is None else _Check(_dataset.batch_tree(k, data.reduction), checking, {}))
             for k, filler in printed.batch.items()}
    policy = arith.policy
    columns = [({c: arith.const(v[i]) for c, v in data.columns}, {c: policy.given(v[i]) for c, v in data.columns})
               for i in range(data.n)]
    return _DataRun(samples, batch, columns)


def _given(ex: Exercise, arith: ModeArithmetic) -> tuple[list[dict[str, Any]], list[dict[str, Shown]]]:
    """Each variable's start and state, carried and as shown: given values are shown as given (a
    rule of hyperparameters only is substituted with their values, so they are shown too)."""
    policy = arith.policy
    values: list[dict[str, Any]] = [{"w": arith.const(ex.start[v])} for v in ex.variables]
    shown = [{"w": policy.given(ex.start[v])} for v in ex.variables]
    for j, v in enumerate(ex.variables):
        for s in ex.state:
            values[j][s] = arith.const(ex.state[s][v])
            shown[j][s] = policy.given(ex.state[s][v])
        for h, q in ex.hyper.items():
            shown[j][h] = policy.given(q)
    return values, shown


def _given_reference(ex: Exercise, shadow: Precision) -> list[dict[str, Value]]:
    """The start and state of the run without rounding, beside a hand run."""
    return [{"w": shadow.const(ex.start[v]), **{s: shadow.const(ex.state[s][v]) for s in ex.state}} for v in ex.variables]


def _epoch_lines(run: _Run, t: int, values: list[dict[str, Any]],
                 shown: list[dict[str, Shown]]) -> tuple[list[Line], bool, Divergence | None]:
    """Epoch t's lines (the gradient's, then each rule's), carrying `values` and `shown` on; whether
    the epoch ran to its end (one cut short by an overflow has no parameters to report), and where
    the run diverged, if it did."""
    lines: list[Line] = []
    t_value, t_shown = run.arith.const(Fraction(t)), run.arith.policy.given(Fraction(t))
    names_now = _epoch_names(run, t, t_shown.text)
    diverged: Divergence | None = None
    try:
        if run.data is None:
            _gradient_lines(run, t, values, shown, lines)
        else:
            _batch_lines(run, run.data, t, values, shown, lines)
        for rule in run.rules:
            if rule.epoch:
                _epoch_quantity_line(run, rule, t, t_value, t_shown, values, shown, names_now, lines)
            else:
                diverged = _rule_lines(run, rule, t, t_value, t_shown, values, shown, names_now, lines, diverged)
    except Diverged as e:
        return lines, False, Divergence(t, e.line or "", e.kind)
    return lines, True, diverged


def _epoch_names(run: _Run, t: int, t_text: str) -> dict[str, str]:
    """The epoch's own names, for the lines that show the step: t, the quantities of the epoch now
    and before (``\\Pi_t``, ``\\Pi_{t-1}``), and the parts of the step (t + 1 is written 2 in epoch 1)."""
    notation = run.notation
    names_now = {"t": t_text}
    for quantity in notation.per_epoch:
        names_now["@" + quantity], names_now["@" + quantity + "-"] = notation.line(quantity, epoch=t), notation.line(quantity, epoch=t - 1)
    for key, term in run.printed.step_terms.items():
        names_now[key] = run.arith.policy.given(_step_value(term, t)).text
    return names_now


def _gradient_lines(run: _Run, t: int, values: list[dict[str, Any]], shown: list[dict[str, Shown]],
                    lines: list[Line]) -> None:
    """The gradient's line for each variable, at the epoch's w; its value is the rules' g."""
    arith, marks, variables = run.arith, run.marks, run.exercise.variables
    w_values = {v: values[j]["w"] for j, v in enumerate(variables)}
    w_shown = {v: shown[j]["w"] for j, v in enumerate(variables)}
    for j, v in enumerate(variables):
        step = run.grads[j]
        value, result = _compute(arith, step.evaluate, w_values, t, step.lhs)
        lines.append(_line(step, "dw", v, value, result, w_values, w_shown, arith, marks, step.lhs))
        values[j]["g"], shown[j]["g"] = value, result


def _batch_lines(run: _Run, data: _DataRun, t: int, values: list[dict[str, Any]], shown: list[dict[str, Shown]],
                 lines: list[Line]) -> None:
    """A dataset problem's step t: for each sample of its batch, its quantities (ŷ, e) and its
    loss's gradient per parameter, at the step's parameters; then per parameter the batch's
    gradient, their mean or sum (a batch of one sample has its gradient lines named as the step's),
    which is the rules' g."""
    arith, marks, notation, variables = run.arith, run.marks, run.notation, run.exercise.variables
    batch = run.exercise.batches[t - 1][1]
    single = len(batch) == 1
    grads: list[list[tuple[Value, Shown]]] = [[] for _ in variables]
    for i in batch:
        env: dict[str, Any] = {v: values[j]["w"] for j, v in enumerate(variables)}
        env_shown = {v: shown[j]["w"] for j, v in enumerate(variables)}
        env.update(data.columns[i - 1][0])
        env_shown.update(data.columns[i - 1][1])
        for step in data.samples:
            lhs = notation.sample(step.target, i)
            value, result = _compute(arith, step.evaluate, env, t, lhs)
            lines.append(_line(step, step.target, "", value, result, env, env_shown, arith, marks, lhs, sample=i))
            env[step.target], env_shown[step.target] = value, result
        for j, v in enumerate(variables):
            step = run.grads[j]
            lhs = notation.line("g", v) if single else notation.sample_gradient(v, i)
            value, result = _compute(arith, step.evaluate, env, t, lhs)
            lines.append(_line(step, "dw" if single else "dL", v, value, result, env, env_shown, arith, marks, lhs, sample=i))
            grads[j].append((value, result))
    for j, v in enumerate(variables):
        if single:
            values[j]["g"], shown[j]["g"] = grads[j][0]
            continue
        step = data.batch[len(batch)]
        env = {f"#{k}": value for k, (value, _) in enumerate(grads[j], start=1)}
        env_shown = {f"#{k}": result for k, (_, result) in enumerate(grads[j], start=1)}
        lhs = notation.line("g", v)
        value, result = _compute(arith, step.evaluate, env, t, lhs)
        lines.append(_line(step, "dw", v, value, result, env, env_shown, arith, marks, lhs))
        values[j]["g"], shown[j]["g"] = value, result


def _epoch_quantity_line(run: _Run, rule: _Step, t: int, t_value: Value, t_shown: Shown, values: list[dict[str, Any]],
                         shown: list[dict[str, Shown]], names_now: dict[str, str], lines: list[Line]) -> None:
    """A quantity of the epoch: computed once, the same for every variable, and written once (one of
    hyperparameters only, in the first epoch alone)."""
    arith = run.arith
    env, env_shown = values[0], shown[0]
    env["t"], env_shown["t"] = t_value, t_shown
    lhs = run.notation.line(rule.target, epoch=t)
    value, result = _compute(arith, rule.evaluate, env, t, lhs)
    if t == 1 or not rule.constant:
        lines.append(_line(rule, rule.target, "", value, result, env, env_shown, arith, run.marks, lhs,
                           rule.middles[0] if rule.middles else None, names_now))
    for j in range(len(values)):
        values[j][rule.target], shown[j][rule.target] = value, result


def _rule_lines(run: _Run, rule: _Step, t: int, t_value: Value, t_shown: Shown, values: list[dict[str, Any]],
                shown: list[dict[str, Shown]], names_now: dict[str, str], lines: list[Line],
                diverged: Divergence | None) -> Divergence | None:
    """A rule's line for each variable; the run's first w past the bound (10^12) marks it diverging."""
    arith, marks, middles = run.arith, run.marks, rule.middles
    for j, v in enumerate(run.exercise.variables):
        env, env_shown = values[j], shown[j]
        env["t"], env_shown["t"] = t_value, t_shown
        lhs = rule.lines[j]
        value, result = _compute(arith, rule.evaluate, env, t, lhs)
        lines.append(_line(rule, rule.target, v, value, result, env, env_shown, arith, marks, lhs,
                           middles[j] if middles else None, names_now))
        env[rule.target], env_shown[rule.target] = value, result
        if rule.target == "w" and diverged is None and _past_bound(value, arith):
            diverged = Divergence(t, lhs, "bound", result)
    return diverged


def _epoch(run: _Run, t: int, lines: list[Line], values: list[dict[str, Any]], shadow: Precision | None,
           reference: list[dict[str, Value]] | None) -> Epoch:
    """A complete epoch as the sheet reports it: its lines, the parameters carried, and by hand the
    run without rounding beside them."""
    arith, variables = run.arith, run.exercise.variables
    params = {v: arith.param(values[j]["w"]) for j, v in enumerate(variables)}
    numbers = {v: arith.number(values[j]["w"]) for j, v in enumerate(variables)}
    ref = None if shadow is None or reference is None else {v: shadow.number(reference[j]["w"]) for j, v in enumerate(variables)}
    return Epoch(t, tuple(lines), params, numbers, ref)


def _step_value(term: Node, t: int) -> Fraction:
    """A part of the step alone (``t + 1``) at step t, whose value a middle line writes: a number
    of t's arithmetic (a function of t, sqrt(t), is not written out; such a rule was a crash)."""
    value = rational_value(term, {"t": Fraction(t)})
    if value is None:
        raise SymoptError(f"a line cannot write {to_text(term)} as a number; use t in + - * / and whole powers only",
                          f"epoch {t}")
    return value


@dataclass(frozen=True)
class _Step:
    """A gradient or a rule, made ready for the loop (from the exercise's :class:`~symopt.plan.Plan`):
    its line names, its substituted template, the step's middle line per variable, and its
    evaluators (the mode's; the one that checks printed arithmetic)."""

    target: str
    filler: printer.Filler
    middles: tuple[printer.Filler, ...] | None
    evaluate: Evaluator
    check: _Check | None
    lhs: str = ""  # a gradient's line name
    lines: tuple[str, ...] = ()  # a rule's line name per variable (none for a quantity of the epoch)
    epoch: bool = False  # a quantity of the epoch: one line per epoch, not one per variable
    constant: bool = False  # of hyperparameters only: written in the first epoch


def _steps(plan: Plan, printed: Printed, arith: ModeArithmetic,
           checking: tuple[Precision, Precision] | None) -> tuple[list[_Step], list[_Step]]:
    """The gradient's steps (one per variable) and the rules', compiled for this run."""
    hyper = plan.exercise.hyper
    compiled = plan.compiled(arith)
    grads = []
    for d, written, evaluate in zip(plan.gradient, printed.gradient, compiled.gradient, strict=True):
        grads.append(_Step("g", written.filler, None, evaluate, None if checking is None else _Check(d, checking, {}),
                           lhs=written.lhs if isinstance(written.lhs, str) else ""))
    rules = []
    for rule, written, evaluate in zip(plan.rules, printed.rules, compiled.rules, strict=True):
        rules.append(_Step(rule.target, written.filler, written.middles, evaluate,
                           None if checking is None else _Check(rule.computed, checking, hyper),
                           lines=written.lhs if isinstance(written.lhs, tuple) else (), epoch=rule.epoch,
                           constant=rule.constant))
    return grads, rules


def _line(step: _Step, quantity: str, v: str, value: Value, result: Shown, env: dict[str, Value],
          env_shown: dict[str, Shown], arith: ModeArithmetic, marks: bool, lhs: str, middle: printer.Filler | None = None,
          names_now: dict[str, str] | None = None, sample: int = 0) -> Line:
    """The line ``lhs = middle = substituted = value``: a middle that only repeats the value is left
    out.  With `marks` (exact, precision) an operand shown rounded is given more digits until the
    substituted numbers give the shown value (within half a unit of its last digit), and the line
    ends in \\approx when its value or a number in it is shown rounded."""
    filler = step.filler
    keys = filler.keys
    used = [env_shown[k] for k in keys]
    rounded = True in [s.rounded for s in used]
    if rounded and step.check is not None and result.places is not None:
        used = _adding_up(step.check, keys, env, used, result, result.places, arith)
    out = [lhs]
    if middle is not None and names_now is not None:
        filled = middle.fill(names_now)
        if filled != result.text:
            out.append(filled)
    if filler.shows_work:
        filled = filler.fill_in_order([s.text for s in used])
        if filled != result.text:
            out.append(filled)
    approx = marks and (result.rounded or rounded)
    latex = " = ".join(out) + (" \\approx " if approx else " = ") + result.text
    return Line(quantity, v, latex, result, arith.number(value), tuple(map(Operand, keys, used)), approx, sample)


_HALF_UNITS: dict[int, Decimal] = {}
_STEPS: dict[int, tuple[int, ...]] = {}


def _adding_up(check: _Check, keys: tuple[str, ...], env: dict[str, Value], used: list[Shown], result: Shown,
               places: int, arith: ModeArithmetic) -> list[Shown]:
    """The operands (one per hole, in order) with as many more digits as the line needs to add up
    as printed: the substituted numbers as shown must give the shown value (written to `places`),
    within half a unit of its last digit."""
    half = _HALF_UNITS.get(places)
    if half is None:
        half = _HALF_UNITS[places] = Decimal(5).scaleb(-(places + 1))
    target, base = result.number, used
    if not isinstance(target, Decimal):  # (a value with a place is a decimal: only \\frac{1}{3} is not)
        return used
    steps = _STEPS.get(arith.extra_digits)
    if steps is None:
        cap = arith.extra_digits  # (and the cap itself: a line that needs 26 more digits of 28 known is shown with them)
        steps = _STEPS[cap] = (0, *(e for e in EXTRA_DIGITS if e < cap), *((cap,) if cap > 0 else ()))
    for extra in steps:
        if extra:
            used = [arith.shown(env[k], extra) if s.rounded else s for k, s in zip(keys, base, strict=True)]
        try:
            const = check.narrow_arith.const  # a shown \\frac{1}{3} (a start value) to the check's digits
            if check.holds({k: s.number if type(s.number) is not Fraction else const(s.number) for k, s in zip(keys, used, strict=True)},
                           target, half):
                return used
        except (SymoptError, ArithmeticError):
            return used
    if isinstance(arith, Precision):  # not even every known digit adds up: the run again, with more of them
        raise MoreDigits(EXTRA_DIGITS[-1])
    return used


def _checking(arith: ModeArithmetic) -> tuple[Precision, Precision]:
    """The arithmetics that check a line as printed: one at the working precision, watched for
    cancellation, and one 50 digits wider for the lines it cannot decide."""
    if isinstance(arith, Precision):
        mode = arith.mode
        narrow, wide = Precision(mode, arith.guard, watch=True), Precision(mode, arith.guard + 50)
    else:  # exact: the shown numbers are short decimals
        narrow, wide = Precision(NumberMode("precision", digits=50), watch=True), Precision(NumberMode("precision", digits=100))
    narrow.noise_is_zero = False
    return narrow, wide


class _Check:
    """Whether the numbers shown in a line give its shown value: first at the working precision;
    where that is within a quarter unit of the edge, or the line cancels more digits than the guard
    holds, at 50 digits more (the reader's sum of 5.1062e9 and -1.33135e29 is exact, and 15 digits
    would absorb the small term)."""

    def __init__(self, node: Node, checking: tuple[Precision, Precision], constants: dict[str, Fraction]):
        self.narrow_arith = checking[0]
        self.narrow, self.wide = (evaluator(node, a, constants) for a in checking)

    def holds(self, env: dict[str, Value], target: Decimal, half: Decimal) -> bool:
        ctx, a = CHECK_CONTEXT, self.narrow_arith
        a.lost = 0
        gap = ctx.abs(ctx.subtract(self.narrow(env), target))
        if a.lost <= a.guard - 3:
            if ctx.multiply(gap, 2) <= half:
                return True
            if gap > ctx.multiply(half, 2):
                return False
        return ctx.abs(ctx.subtract(self.wide(env), target)) <= half


CHECK_CONTEXT = EXACT  # exact differences



def _shadow_epoch(ex: Exercise, rules: tuple[Rule, ...], shadows: Compiled, shadow: Precision,
                  reference: list[dict[str, Value]], t: int) -> list[dict[str, Value]] | None:
    """One epoch of the run without rounding (20 digits), beside a hand run; None once it fails."""
    try:
        w = {v: reference[j]["w"] for j, v in enumerate(ex.variables)}
        gradient = [shadow.carry(evaluate(w)) for evaluate in shadows.gradient] if ex.data is None \
            else _shadow_batch(ex, shadows, shadow, w, t)
        for j, g in enumerate(gradient):
            reference[j]["g"] = g
        step = shadow.const(Fraction(t))
        for rule, evaluate in zip(rules, shadows.rules, strict=True):
            for j in range(len(ex.variables)):
                reference[j]["t"] = step
                reference[j][rule.target] = shadow.carry(evaluate(reference[j]))
    except (SymoptError, ArithmeticError, ValueError):
        return None
    return reference


def _shadow_batch(ex: Exercise, shadows: Compiled, shadow: Precision, w: dict[str, Value], t: int) -> list[Value]:
    """A dataset problem's gradient at step t, without rounding: each sample's, then the batch's."""
    data = ex.data
    assert data is not None
    batch = ex.batches[t - 1][1]
    grads: list[list[Value]] = [[] for _ in ex.variables]
    for i in batch:
        env = dict(w)
        env.update({c: shadow.const(v[i - 1]) for c, v in data.columns})
        for (q, _), evaluate in zip(data.samples, shadows.samples, strict=True):
            env[q] = shadow.carry(evaluate(env))
        for j, evaluate in enumerate(shadows.gradient):
            grads[j].append(shadow.carry(evaluate(env)))
    if len(batch) == 1:
        return [g[0] for g in grads]
    combine = shadows.batch[len(batch)]
    return [shadow.carry(combine({f"#{k}": x for k, x in enumerate(g, start=1)})) for g in grads]


def _departure(ex: Exercise, notation: Notation, mode: NumberMode, t: int, numbers: dict[str, Fraction | Decimal],
               reference: dict[str, Decimal], shown: list[dict[str, Shown]]) -> Departure | None:
    """The first variable whose carried value is farther from `reference` than rounding explains."""
    floor = max(DEPART_ABSOLUTE, Fraction(1, 10**mode.decimals) if mode.kind == "hand" else Fraction(0))
    relative = max(DEPART_RELATIVE, Fraction(1, 10 ** (mode.sig - 1)) if mode.kind == "sig" else Fraction(0))
    for j, v in enumerate(ex.variables):
        carried, exact = Fraction(numbers[v]), Fraction(reference[v])
        if abs(carried - exact) > max(floor, relative * abs(exact)):
            return Departure(t, v, notation.line("w", v), shown[j]["w"], reference[v])
    return None


def _past_bound(value: Value, arith: ModeArithmetic) -> bool:
    """|value| > 10^12, cheaply, for a Fraction, a Decimal, an mpmath number or a SymPy number (by
    its numeric value: SymPy's own abs and > simplify)."""
    if type(value) is Fraction:
        return abs(value) > DIVERGENCE_BOUND
    if isinstance(arith, Exact):
        return arith.past(value, DIVERGENCE_INT)
    return bool(abs(value) > DIVERGENCE_INT)


def _compute(arith: ModeArithmetic, evaluate: Evaluator, env: dict[str, Value], t: int, lhs: str) -> tuple[Value, Shown]:
    """A line's carried value and how it is shown, or an error that names the line."""
    try:
        value = arith.carry(evaluate(env))
        return value, arith.shown(value)  # (the trace's number is taken only when a line is made)
    except ExactTooLarge as e:
        raise ExactTooLarge(f"{e.reason}; use numbers = \"precision:30\" or \"hand:4\" for this exercise",
                            f"epoch {t}, {lhs}", epoch=t, line=lhs) from None
    except Diverged as e:
        raise Diverged(e.reason, f"epoch {t}, {lhs}", kind=e.kind, line=lhs) from None
    except SymoptError as e:
        raise SymoptError(str(e), f"epoch {t}, {lhs}") from None
    except decimal.Overflow:  # past Decimal's exponent range, 10^(10^18)
        raise Diverged("the value is past 10^300: the run diverges", f"epoch {t}, {lhs}", kind="limit", line=lhs) from None
    except OverflowError as e:
        raise Diverged(f"overflow ({e})", f"epoch {t}, {lhs}", kind="overflow", line=lhs) from None
    except ZeroDivisionError as e:
        raise SymoptError(f"cannot be computed ({e})", f"epoch {t}, {lhs}") from None


def _data_line(ex: Exercise, notation: Notation, rules: Sequence[tuple[str, Node]], policy: Policy) -> tuple[str, ...]:
    """``w_1 = -5, w_2 = -2, \\alpha = 0.4``: the start values, the state's (a quantity of the epoch
    once: ``\\Pi_0 = 1``), and the hyperparameters the rules use (Adagrad's s0 is its state's
    start); with decimal commas the items are separated by ``;``."""
    items = [f"{notation.variable(v)} = {policy.given(ex.start[v]).text}" for v in ex.variables]
    for s in ex.state:
        if s in notation.per_epoch:
            items.append(f"{notation.line(s, epoch=0)} = {policy.given(ex.state[s][ex.variables[0]]).text}")
        else:
            items += [f"{notation.line(s, v)} = {policy.given(ex.state[s][v]).text}" for v in ex.variables]
    used = set().union(*(names(rhs) for _, rhs in rules)) if rules else set()
    items += [f"{notation.hyper(h)} = {policy.given(q).text}" for h, q in ex.hyper.items() if h in used]
    return data_rows(items, policy.comma)


DATA_SEPARATOR = {False: ",\\; ", True: ";\\; "}  # items of the data line; ";" beside decimal commas
DATA_WIDTH = 84  # characters as typeset, about: a longer data line is written on several lines


def data_rows(items: list[str], comma: bool = False) -> tuple[str, ...]:
    """The data line's items in rows that fit a page: ``w_1 = -5,\\; w_2 = -2``, with ``;``
    between items where numbers have decimal commas."""
    sep = DATA_SEPARATOR[comma]
    rows: list[list[str]] = [[]]
    width = 0
    for item in items:
        size = printer.typeset_width(item) + 3
        if rows[-1] and width + size > DATA_WIDTH:
            rows.append([])
            width = 0
        rows[-1].append(item)
        width += size
    return tuple(sep.join(row) for row in rows)


def _check_names(ex: Exercise, rules: Sequence[tuple[str, Node]]) -> None:
    known = set(ex.hyper) | set(ex.state) | {"w", "g", "t", "pi"}
    for target, rhs in rules:
        unknown = names(rhs) - known
        if unknown:
            raise SymoptError(f"rule {target} uses unknown name {sorted(unknown)[0]!r}", ex.optimizer.key)
        known.add(target)
