"""Run an exercise: derive, compile once, then compute and write every line of every epoch.

The work is split so that SymPy runs once per exercise:

1. SymPy derives ∂f/∂w_i (:mod:`symopt.symbolic`);
2. each gradient and rule is printed once as a formula and once as a template with holes, and
   compiled once into an evaluator for the exercise's number mode (:mod:`symopt.compiler`);
3. the epoch loop only calls evaluators and fills templates.

Each epoch writes all gradient lines, then each rule for every variable, in rule order, as the
reference sheet does (all dw, then all v, ..., then all w).
"""

from __future__ import annotations

from dataclasses import dataclass
import decimal
from fractions import Fraction

from . import printer, symbolic
from .compiler import evaluator, fold
from .errors import Diverged, SymoptError
from .expr import Node, names, to_text
from .numbers import constant_latex
from .optimizers import Choice, Optimizer, name_latex
from .printer import Hole
from .spec import Exercise, variables_of


@dataclass(frozen=True)
class Line:
    quantity: str  # dw (the gradient), then the rule targets: v, s, v_hat, s_hat, w, ...
    variable: str  # w1
    latex: str  # dw_1 = 0.2 * (-5) = -1
    value: str  # -1, as shown


@dataclass(frozen=True)
class Epoch:
    number: int
    lines: tuple[Line, ...]
    params: dict[str, str]  # variable -> carried value at the mode's full precision


DIVERGENCE_DIGITS = 12
DIVERGENCE_BOUND = Fraction(10) ** DIVERGENCE_DIGITS  # |w| past this: the run is marked as diverging
DIVERGENCE_INT = 10**DIVERGENCE_DIGITS


@dataclass(frozen=True)
class Divergence:
    """Where a run blew up: the sheet says so and stops that exercise there."""

    epoch: int
    line: str  # the line's name, e.g. w_1
    reason: str  # may hold inline math $...$


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


def function_latex(function: Node, mult: str = "*") -> str:
    """``f(w_1, w_2) = 0.1w_1^2 + 2w_2^2``, as the user wrote f."""
    args = ", ".join(name_latex(v) for v in variables_of(function))
    return f"f({args}) = " + printer.latex(function, _symbol_latex, mult)


def _symbol_latex(name: str) -> str:
    return "\\pi" if name == "pi" else name_latex(name)


def work(ex: Exercise, mult: str = "*") -> Worked:
    arith = ex.numbers.arithmetic([*ex.start.values(), *(q for values in ex.state.values() for q in values.values())])
    rules, notes = ex.optimizer.choose(ex.options)
    _check_names(ex, rules)
    gradient = symbolic.gradient(ex.function, list(ex.variables))

    # -- printed and compiled once ------------------------------------------------------------
    derivatives = tuple(
        f"{ex.optimizer.line_name('g', v)} = " + printer.latex(d, _symbol_latex, mult) for v, d in zip(ex.variables, gradient, strict=True)
    )
    grad_plans = [
        (
            ex.optimizer.line_name("g", v),
            printer.Filler(printer.template(d, lambda n: "\\pi" if n == "pi" else Hole(n), mult)),
            evaluator(d, arith, {}),
        )
        for v, d in zip(ex.variables, gradient, strict=True)
    ]
    formulas, rule_plans = _compile_rules(ex, rules, arith, mult)

    # -- the epoch loop: evaluators and templates only -------------------------------------------
    # Given values (start, state) are shown as given; computed ones by the display rule.  In
    # exact and precision modes a line whose value or operands are shown rounded says \approx.
    values = [{"w": arith.const(ex.start[v])} for v in ex.variables]
    texts = [{"w": constant_latex(ex.start[v])} for v in ex.variables]
    rounded_keys: list[set[str]] = [set() for _ in ex.variables]
    for j, v in enumerate(ex.variables):
        for s in ex.state:
            values[j][s] = arith.const(ex.state[s][v])
            texts[j][s] = constant_latex(ex.state[s][v])
    marks = ex.numbers.kind != "hand"  # by hand, "=" is written after rounding, as students do
    epochs = []
    diverged = None
    for t in range(1, ex.epochs + 1):
        lines: list[Line] = []
        complete = True  # an epoch cut short by an overflow has no parameters to report
        try:
            w_values = {v: values[j]["w"] for j, v in enumerate(ex.variables)}
            w_texts = {v: texts[j]["w"] for j, v in enumerate(ex.variables)}
            w_rounded = {v for j, v in enumerate(ex.variables) if "w" in rounded_keys[j]}
            t_value, t_text = arith.const(Fraction(t)), str(t)
            for j, v in enumerate(ex.variables):
                lhs, filler, evaluate = grad_plans[j]
                value, text, rounded = _compute(arith, evaluate, w_values, t, lhs)
                line = _line(lhs, [(filler, w_texts, w_rounded)], text, rounded, marks)
                lines.append(Line("dw", v, line, text))
                values[j]["g"], texts[j]["g"] = value, text
                _mark(rounded_keys[j], "g", rounded)
            for target, filler, per_variable, evaluate in rule_plans:
                for j, v in enumerate(ex.variables):
                    lhs, middle = per_variable[j]
                    env, shown = values[j], texts[j]
                    env["t"], shown["t"] = t_value, t_text
                    value, text, rounded = _compute(arith, evaluate, env, t, lhs)
                    middles = ([(middle, shown, rounded_keys[j])] if middle else []) + [(filler, shown, rounded_keys[j])]
                    lines.append(Line(target, v, _line(lhs, middles, text, rounded, marks), text))
                    env[target], shown[target] = value, text
                    _mark(rounded_keys[j], target, rounded)
                    if target == "w" and diverged is None and _past_bound(value):
                        diverged = Divergence(t, lhs, f"${lhs} = {text}$ is past $10^{{{DIVERGENCE_DIGITS}}}$")
        except Diverged as e:
            complete = False
            line = (e.where or "").split(", ")[-1]
            what = "is past $10^{300}$" if "10^300" in str(e) else "is not finite (an overflow)"
            diverged = Divergence(t, line, f"${line}$ {what}" if line else what)
        if lines:
            params = {v: arith.param(values[j]["w"]) for j, v in enumerate(ex.variables)} if complete else {}
            epochs.append(Epoch(t, tuple(lines), params))
        if diverged is not None:
            break

    return Worked(
        exercise=ex,
        function_latex=function_latex(ex.function, mult),
        gradient={v: to_text(d) for v, d in zip(ex.variables, gradient, strict=True)},
        formulas=tuple(formulas),
        notes=tuple(notes),
        data=_data_line(ex),
        derivatives=derivatives,
        epochs=tuple(epochs),
        diverged=diverged,
    )


def _compile_rules(ex: Exercise, rules, arith, mult: str):
    """Each rule's general formula, and per rule: its target, its substituted template (constants
    folded), per variable the line's name and the step's middle line, and its evaluator."""
    formulas = rule_formulas(ex.optimizer, rules, set(ex.hyper), mult)
    rule_plans = []
    for target, rhs in rules:
        folded = fold(rhs, ex.hyper)
        substituted = printer.Filler(printer.template(folded, Hole, mult))
        per_variable = []
        for v in ex.variables:
            middle = None
            if "t" in names(rhs):  # show the step power first: \frac{v_1}{1 - \beta_1^1}
                leaf = lambda n, v=v: Hole("t") if n == "t" else name_latex(n) if n in ex.hyper else ex.optimizer.line_name(n, v)
                middle = printer.Filler(printer.template(rhs, leaf, mult, substituted=False))
            per_variable.append((ex.optimizer.line_name(target, v), middle))
        rule_plans.append((target, substituted, per_variable, evaluator(folded, arith, ex.hyper)))

    return formulas, rule_plans


def rule_formulas(optimizer: Optimizer, rules, hyper: set[str], mult: str = "*") -> list[str]:
    """Each rule as a general formula: ``V_t = \\beta V_{t-1} + (1 - \\beta) dW_t``.  A name on the
    right is this step's value once a rule has assigned it (V_t), else the previous step's (V_{t-1})."""
    formulas = []
    assigned: set[str] = set()
    for target, rhs in rules:

        def leaf(name: str, done=frozenset(assigned)) -> str:
            if name in hyper:
                return name_latex(name)
            if name == "t":
                return "t"
            q = optimizer.quantity(name)
            return q.now if name in done or name == "g" else q.prev

        formulas.append(f"{optimizer.quantity(target).now} = " + printer.latex(rhs, leaf, mult))
        assigned.add(target)
    return formulas


def _past_bound(value) -> bool:
    """|value| > 10^12, cheaply, for a Fraction, a Decimal, an mpmath number or a SymPy number."""
    if type(value) is Fraction:
        return abs(value) > DIVERGENCE_BOUND
    return bool(abs(value) > DIVERGENCE_INT)


def _compute(arith, evaluate, env, t: int, lhs: str):
    """A line's carried value and its text on the sheet, or an error that names the line."""
    try:
        value = arith.carry(evaluate(env))
        return (value, *arith.shown(value))
    except SymoptError as e:
        hint = ""
        if e.where == "exact":
            hint = '; use numbers = "precision:30" or "hand:4" for this exercise'
            e = SymoptError(str(e).removeprefix("exact: "))
        error = Diverged if isinstance(e, Diverged) else SymoptError
        raise error(f"{e}{hint}", f"epoch {t}, {lhs}") from None
    except decimal.Overflow:  # past Decimal's exponent range, 10^(10^18)
        raise Diverged("the value is past 10^300: the run diverges", f"epoch {t}, {lhs}") from None
    except OverflowError as e:
        raise Diverged(f"overflow ({e})", f"epoch {t}, {lhs}") from None
    except ZeroDivisionError as e:
        raise SymoptError(f"cannot be computed ({e})", f"epoch {t}, {lhs}") from None


def _line(lhs: str, middles, value: str, rounded: bool, marks: bool) -> str:
    """``lhs = middle = … = value``, without a middle that only repeats the value.  With `marks`,
    the last relation is \\approx when the value or any number substituted into it is rounded."""
    out = [lhs]
    for filler, texts, rounded_keys in middles:
        if not filler.shows_work:
            continue
        if marks and not rounded:
            rounded = any(key in rounded_keys for key in filler.keys)
        filled = filler.fill(texts)
        if filled != value:
            out.append(filled)
    return " = ".join(out) + (" \\approx " if marks and rounded else " = ") + value


def _mark(keys: set[str], key: str, rounded: bool) -> None:
    if rounded:
        keys.add(key)
    else:
        keys.discard(key)


def _data_line(ex: Exercise) -> str:
    items = [f"{name_latex(v)} = {constant_latex(ex.start[v])}" for v in ex.variables]
    for s in ex.state:
        items += [f"{ex.optimizer.line_name(s, v)} = {constant_latex(ex.state[s][v])}" for v in ex.variables]
    items += [f"{name_latex(h)} = {constant_latex(q)}" for h, q in ex.hyper.items()]
    return ", ".join(items)


def _check_names(ex: Exercise, rules) -> None:
    known = set(ex.hyper) | set(ex.state) | {"w", "g", "t"}
    for target, rhs in rules:
        unknown = names(rhs) - known
        if unknown:
            raise SymoptError(f"rule {target} uses unknown name {sorted(unknown)[0]!r}", ex.optimizer.key)
        known.add(target)
