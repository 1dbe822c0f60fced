"""An exercise made ready to run, once: its rules, gradient and names, their printed formulas and
line templates, and their evaluators.

Each exercise has one :class:`Plan` (:func:`plan_of`, kept by the exercise's identity), and everything
in it is worked out when first needed, then kept:

- the rules are the exercise's (:attr:`symopt.spec.Exercise.rules`, chosen once when the spec was
  checked), each with its constants folded (:class:`Rule`); :meth:`Plan.variant` gives them by
  quantity, and the rules of other options (the conventions the checker tries);
- SymPy derives the gradient once (:attr:`Plan.gradient`);
- each gradient and rule is printed once per multiplication sign as a general formula and as a
  template with holes for the numbers (:meth:`Plan.printed`);
- each tree the lines compute is compiled into an evaluator once per number arithmetic
  (:meth:`Plan.compiled`).

The engine (:mod:`symopt.engine`) runs every epoch from it, in any number mode; the checker
(:mod:`symopt.check.checker`) judges every document of the exercise from its rules, folded trees and
gradient, and keeps what it compiles from them in :attr:`Plan.shared`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, partial
from typing import Any

from . import dataset as _dataset, printer, symbolic
from .arith import Arithmetic, Evaluator
from .compiler import evaluator, fold
from .expr import COMPARISONS, Bin, Name, Node, names, replaced, to_text, without_ones
from .notation import DECAYED, Notation, per_epoch
from .optimizers import Choice
from .printer import Hole
from .schedules import TARGET as SCHEDULED
from .spec import Exercise


@dataclass(frozen=True)
class Rule:
    """One rule of an exercise: ``target = rhs``, and `folded`, the rhs with its parts of
    hyperparameters only folded into numbers (``1 - \\beta`` as 0.1), as a worked line substitutes it."""

    target: str  # v, s, w, ...; g for a rule that changes the gradient (weight decay as L2)
    rhs: Node
    folded: Node
    epoch: bool = False  # a quantity of the epoch: one line per epoch, not one per variable
    constant: bool = False  # of the epoch and of hyperparameters only (RAdam's rho_inf): written in the first epoch

    @property
    def quantity(self) -> str:
        """The quantity its lines give: the target, or :data:`~symopt.notation.DECAYED` for g."""
        return DECAYED if self.target == "g" else self.target

    @property
    def computed(self) -> Node:
        """The tree its lines compute and substitute: a rule of hyperparameters only is written
        with their values (``2/(1 - 0.999) - 1``), any other with its constants folded."""
        return self.rhs if self.constant else self.folded


def _ready(rules: Sequence[tuple[str, Node]], hyper: dict[str, Fraction]) -> tuple[Rule, ...]:
    """Each rule made a :class:`Rule`, with the exercise's hyperparameters folded in."""
    of_epoch = per_epoch(rules, names)
    out = []
    for target, rhs in rules:
        epoch = target in of_epoch
        constant = epoch and not names(rhs) - set(hyper)
        out.append(Rule(target, rhs, fold(rhs, hyper), epoch, constant))
    return tuple(out)


@dataclass(frozen=True)
class Written:
    """How the lines of a gradient or a rule are written: their names (the gradient's one; a rule's
    per variable, or None for a quantity of the epoch, named by the epoch), the template that
    substitutes the numbers, and, for a rule with the step or a quantity of the epoch in it, the
    middle line per variable (``\\frac{v_1}{1 - \\beta_1^1}``)."""

    lhs: str | tuple[str, ...] | None
    filler: printer.Filler
    middles: tuple[printer.Filler, ...] | None = None


@dataclass(frozen=True)
class Derivation:
    """∂f/∂v derived by the rules, as printed (a spec's ``steps``): its left side, and each line's
    right side with the rules it applies (keys of the rules' words in :mod:`symopt.labels`); no
    lines where the rules cannot derive it (the sheet says SymPy derived it)."""

    variable: str
    lhs: str  # \frac{\partial f}{\partial w_1}
    lines: tuple[tuple[str, tuple[str, ...]], ...] | None


@dataclass(frozen=True)
class Printed:
    """An exercise's formulas and line templates, printed once for a multiplication sign."""

    derivatives: tuple[str, ...]  # dw_1 = 0.2w_1, one per variable
    formulas: tuple[str, ...]  # each rule's general formula, V_t = \beta V_{t-1} + ...
    gradient: tuple[Written, ...]  # one per variable
    rules: tuple[Written, ...]  # one per rule
    step_terms: dict[str, Node]  # the parts of the step alone (t + 1, 2t) whose value each epoch writes
    steps: tuple[Derivation, ...] = ()  # each variable's derivation, with steps = true
    # a dataset problem's (symopt.dataset): the problem's lines (the model, the loss, the loss on the data),
    # each sample quantity's template (a line per sample of a batch) and the batch's gradient per batch size
    problem: tuple[str, ...] = ()
    samples: tuple[Written, ...] = ()
    batch: dict[int, printer.Filler] = field(default_factory=dict)


@dataclass(frozen=True)
class Compiled:
    """The evaluators of an exercise's lines in one arithmetic: one per variable's gradient, one
    per rule (of its :attr:`Rule.computed` tree)."""

    gradient: tuple[Evaluator, ...]
    rules: tuple[Evaluator, ...]
    samples: tuple[Evaluator, ...] = ()  # a dataset problem's quantities of a sample (symopt.dataset)
    batch: dict[int, Evaluator] = field(default_factory=dict)  # its batch gradient, per batch size


class Plan:
    """An exercise made ready: see the module's description.  Built by :func:`plan_of`; each part
    is worked out when first asked for, so that errors come in the order a run meets them."""

    def __init__(self, exercise: Exercise):
        self.exercise = exercise
        self.notes: tuple[Choice, ...] = exercise.notes
        self.shared: dict[str, Any] = {}  # what the users of the plan derive from it once (the checker's)
        self._variants: dict[tuple, dict[str, Rule]] = {}
        self._printed: dict[str, Printed] = {}

    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        """The exercise's rules, in order."""
        return _ready(self.exercise.rules, self.exercise.hyper)

    @cached_property
    def notation(self) -> Notation:
        """How the exercise writes its names."""
        ex = self.exercise
        return ex.optimizer.notation(ex.variables, ex.options, ex.gradient_name, rules=ex.rules)

    @cached_property
    def gradient(self) -> tuple[Node, ...]:
        """∂f/∂w_i for each variable, derived by SymPy (:func:`symopt.symbolic.gradient`); for a
        dataset problem, the gradient of one sample's loss, a rule over the sample's quantities and
        columns (:attr:`symopt.dataset.Dataset.gradient`): the batch's is their mean or sum."""
        ex = self.exercise
        if ex.data is not None:
            return ex.data.gradient
        return tuple(symbolic.gradient(ex.function, list(ex.variables)))

    @cached_property
    def derivations(self) -> tuple[tuple[symbolic.Step, ...] | None, ...]:
        """With ``steps``: each ∂f/∂w_i derived by the rules from f as the sheet prints it, ending
        in the gradient (:func:`symopt.symbolic.derivation`, each rule confirmed by SymPy); else none."""
        ex = self.exercise
        if not ex.steps:
            return ()
        f = without_ones(ex.function)
        return tuple(symbolic.derivation(f, v, d) for v, d in zip(ex.variables, self.gradient, strict=True))

    def variant(self, options: Mapping[str, object]) -> dict[str, Rule]:
        """The rules under `options` (another convention, the same hyperparameters; the exercise's
        own for its options) by quantity: a quantity's last rule, in the order the rules first give
        them, as the checker reads a line."""
        ex = self.exercise
        chosen = ex.optimizer.effective_options(dict(options))
        key = tuple(chosen.items())
        hit = self._variants.get(key)
        if hit is None:
            if chosen == ex.optimizer.effective_options(ex.options):
                rules = self.rules
            else:
                rules = _ready(ex.optimizer.choose(chosen)[0], ex.hyper)
            hit = self._variants[key] = {rule.quantity: rule for rule in rules}
        return hit

    def printed(self, mult: str = "cdot") -> Printed:
        """The formulas and line templates for the multiplication sign `mult`, printed once."""
        hit = self._printed.get(mult)
        if hit is None:
            hit = self._printed[mult] = _printed(self, mult)
        return hit

    def objective(self, arith: Arithmetic) -> Evaluator:
        """f itself, compiled in `arith` (once per run): its value at each epoch's w, for the tables."""
        return evaluator(self.exercise.function, arith, {})

    def compiled(self, arith: Arithmetic) -> Compiled:
        """The lines' evaluators in `arith` (an arithmetic is made for one run: compile once per run)."""
        ex = self.exercise
        hyper = ex.hyper
        samples: tuple[Evaluator, ...] = ()
        batch: dict[int, Evaluator] = {}
        if ex.data is not None:
            samples = tuple(evaluator(tree, arith, {}) for _, tree in ex.data.samples)
            batch = {k: evaluator(_dataset.batch_tree(k, ex.data.reduction), arith, {}) for k in _dataset.batch_sizes(ex.data)}
        return Compiled(tuple(evaluator(d, arith, {}) for d in self.gradient),
                        tuple(evaluator(rule.computed, arith, hyper) for rule in self.rules), samples, batch)


_PLANS: dict[int, Plan] = {}  # id(exercise) -> its plan (an exercise's dicts make it unhashable)
MAX_PLANS = 64


def plan_of(ex: Exercise) -> Plan:
    """The exercise's plan, made once and shared by everything that runs or checks it (a module's
    own: once per process, per worker of a pool)."""
    plan = _PLANS.get(id(ex))
    if plan is None or plan.exercise is not ex:
        if len(_PLANS) >= MAX_PLANS:
            _PLANS.clear()
        plan = _PLANS[id(ex)] = Plan(ex)
    return plan


def _printed(plan: Plan, mult: str) -> Printed:
    ex, notation = plan.exercise, plan.notation
    comma = ex.numbers.comma
    if ex.data is not None:
        return _dataset_printed(plan, mult)
    euler = "e" not in ex.variables  # else exp prints as \exp
    gradient = plan.gradient
    derivatives = tuple(
        f"{notation.line('g', v)} = " + printer.latex(d, notation.constant, mult, comma, euler)
        for v, d in zip(ex.variables, gradient, strict=True)
    )
    written = tuple(
        Written(notation.line("g", v),
                printer.Filler(printer.template(d, lambda n: "\\pi" if n == "pi" else Hole(n), mult, comma=comma, euler=euler)))
        for v, d in zip(ex.variables, gradient, strict=True)
    )
    formulas = rule_formulas(notation, [(rule.target, rule.rhs) for rule in plan.rules], set(ex.hyper), mult, comma)
    rules, step_terms = _rule_lines(ex, notation, plan.rules, mult, comma)
    steps = tuple(
        Derivation(v, notation.partial(v), None if lines is None else
                   tuple((printer.latex(s.tree, notation.constant, mult, comma, euler), s.rules) for s in lines))
        for v, lines in zip(ex.variables, plan.derivations, strict=True)
    ) if ex.steps else ()
    return Printed(derivatives, tuple(formulas), written, rules, step_terms, steps)


def _rule_lines(ex: Exercise, notation: Notation, rules: tuple[Rule, ...], mult: str,
                comma: bool) -> tuple[tuple[Written, ...], dict[str, Node]]:
    """How each rule's lines are written (constants folded into the template).

    A rule that uses the step t or a quantity of the epoch also gets a middle line per variable,
    the rule with t and those names filled in (``\\frac{v_1}{1 - \\beta_1^1}``, ``\\mu_2 v_1``); a rule of
    hyperparameters only (``\\rho_\\infty``) is substituted with their values.  A schedule's α_t is
    substituted only: its formula line shows it in α and t."""
    out = []
    step_terms: dict[str, Node] = {}  # parts of the step alone (t + 1, 2t): their value is written
    assigned: set[str] = set()
    for rule in rules:
        target, rhs = rule.target, rule.rhs
        used = names(rhs)
        substituted = printer.Filler(printer.template(rule.computed, lambda n: "\\pi" if n == "pi" else Hole(n), mult, comma=comma))
        middles = None
        # (w = w - …: no; nor a schedule's alpha_t, whose only name is alpha: its formula shows it)
        if target not in ("w", SCHEDULED) and ("t" in used or rule.constant or rule.epoch or used & notation.per_epoch):
            def leaf(name: str, v: str | None, done: frozenset[str] = frozenset(assigned)) -> str | Hole:
                if name == "t" or name.startswith("#"):
                    return Hole(name)
                if name == "pi":
                    return "\\pi"
                if name in ex.hyper:
                    return notation.hyper(name)
                if name in notation.per_epoch:
                    return Hole("@" + name + ("" if name in done else "-"), paren=False, name=True)
                return notation.line(DECAYED if name == "g" and "g" in done else name, v)
            stepped = _step_terms(rhs, step_terms)
            middles = tuple(printer.Filler(printer.template(stepped, partial(leaf, v=v), mult, substituted=False, comma=comma))
                            for v in (ex.variables[:1] if rule.epoch else ex.variables))
        lhs = None if rule.epoch else tuple(notation.line(rule.quantity, v) for v in ex.variables)
        out.append(Written(lhs, substituted, middles))
        assigned.add(target)
    return tuple(out), step_terms


def _step_terms(node: Node, found: dict[str, Node]) -> Node:
    """`node` with each part that depends on the step alone (``t + 1``, ``2t``; not t itself) as a
    name ``#…`` whose value each epoch fills in."""
    def step(part: Node) -> Node | None:
        if isinstance(part, Bin) and part.op in COMPARISONS:
            return None  # where()'s condition stays a comparison (t <= 15); its sides may be parts of the step
        if names(part) == {"t"} and not isinstance(part, Name):
            key = "#" + to_text(part)
            found[key] = part
            return Name(key)
        return None

    return replaced(node, step)


def rule_formulas(notation: Notation, rules: Sequence[tuple[str, Node]], hyper: set[str], mult: str = "cdot", comma: bool = False) -> list[str]:
    """Each rule as a general formula: ``V_t = \\beta V_{t-1} + (1 - \\beta) dW_t``.  A name on the
    right is this step's value once a rule has assigned it (V_t), else the previous step's (V_{t-1});
    the gradient after weight decay has a name of its own."""
    formulas = []
    assigned: set[str] = set()
    for target, rhs in rules:

        def leaf(name: str, done: frozenset[str] = frozenset(assigned)) -> str:
            if name in hyper:
                return notation.hyper(name)
            if name in ("t", "pi"):
                return "\\pi" if name == "pi" else "t"
            if name == "g":
                return notation.now(DECAYED if "g" in done else "g")
            return notation.now(name) if name in done else notation.prev(name)

        lhs = notation.now(DECAYED if target == "g" else target)
        formulas.append(f"{lhs} = " + printer.latex(rhs, leaf, mult, comma))
        assigned.add(target)
    return formulas


def _hole(name: str) -> str | Hole:
    return "\\pi" if name == "pi" else Hole(name)


def _dataset_printed(plan: Plan, mult: str) -> Printed:
    """A dataset problem's formulas and line templates: the problem's lines (model, loss, the loss
    on the data), before the steps each sample quantity's and gradient's formula and the batch's,
    and the templates of their lines (a sample's, filled for each sample of a batch)."""
    ex, notation = plan.exercise, plan.notation
    data = ex.data
    assert data is not None
    comma = ex.numbers.comma

    def general(name: str) -> str:  # a formula's names: the parameters, and sample i's quantities and columns
        if name in ex.variables:
            return notation.variable(name)
        return "\\pi" if name == "pi" else notation.sample(name, "i")

    def formula(tree: Node) -> str:
        return printer.latex(tree, general, mult, comma)

    def filler(tree: Node) -> printer.Filler:
        return printer.Filler(printer.template(tree, _hole, mult, comma=comma))

    rules = {q: tree for q, tree in data.samples}
    problem = _problem_lines(ex, notation, rules, formula)
    derivatives = [f"{notation.sample(q, 'i')} = {formula(tree)}" for q, tree in data.samples if q == "e"]
    single = data.size == 1
    for v, d in zip(ex.variables, plan.gradient, strict=True):
        name = notation.sample_gradient(v, "i")
        derivatives.append((f"{notation.line('g', v)} = " if single else "") + f"{name} = {formula(d)}")
    if not single:
        scale = "" if data.reduction == "sum" else ("\\frac{1}{|B_t|} " if data.batch is not None else f"\\frac{{1}}{{{data.n}}} ")
        over = "_{i \\in B_t}" if data.batch is not None else f"_{{i=1}}^{{{data.n}}}"
        derivatives += [f"{notation.line('g', v)} = {scale}\\sum{over} {notation.sample_gradient(v, 'i')}" for v in ex.variables]
    samples = tuple(Written(None, filler(tree)) for _, tree in data.samples)
    gradient = tuple(Written(None, filler(d)) for d in plan.gradient)
    batch = {k: filler(_dataset.batch_tree(k, data.reduction)) for k in _dataset.batch_sizes(data)}
    formulas = rule_formulas(notation, [(rule.target, rule.rhs) for rule in plan.rules], set(ex.hyper), mult, comma)
    rule_lines, step_terms = _rule_lines(ex, notation, plan.rules, mult, comma)
    return Printed(tuple(derivatives), tuple(formulas), gradient, rule_lines, step_terms, problem=problem, samples=samples, batch=batch)


def _problem_lines(ex: Exercise, notation: Notation, rules: dict[str, Node], formula) -> tuple[str, ...]:
    """The model's lines (``\\hat{y}^{(i)} = w x^{(i)} + b``; a logistic model's z and sigmoid), the
    loss of one sample, and the loss on the data, J (the mean or the sum of the samples' losses)."""
    data = ex.data
    assert data is not None
    out = []
    if "z" in rules:
        out.append(f"{notation.sample('z', 'i')} = {formula(rules['z'])}")
        out.append(f"{notation.sample('yhat', 'i')} = \\sigma({notation.sample('z', 'i')}) = {formula(rules['yhat'])}")
    elif "yhat" in rules:
        out.append(f"{notation.sample('yhat', 'i')} = {formula(rules['yhat'])}")
    out.append(f"L^{{(i)}} = {formula(_dataset.written_loss(data))}")
    args = ", ".join(notation.variable(v) for v in ex.variables)
    scale = f"\\frac{{1}}{{{data.n}}} " if data.reduction == "mean" and data.n > 1 else ""
    out.append(f"J({args}) = {scale}\\sum_{{i=1}}^{{{data.n}}} L^{{(i)}}")
    return tuple(out)
