"""Judging a hand-worked solution line by line, from the writer's own numbers.

A line ``lhs = e1 = e2 = … = value`` is judged in three steps, as an examiner marks:

1. *substitution*: the first numeric expression must be the optimizer's rule evaluated on the
   writer's previous numbers (symbolic steps such as ``\\frac{v_1}{1 - \\beta_1^1}`` must equal the
   rule too); when not, the number that is off is named ("0.8 written where γ = 0.9");
2. *arithmetic*: each ``=`` must hold within the rounding the writer showed -- a written number
   stands for everything within half a unit of its last digit (:mod:`symopt.check.ball`), plus `slack`
   units; a result off by less than one unit is a *rounding* slip;
3. a line with only a value (``dw_1 = 4``) is judged on the value.

Error carried forward: every line is judged from the values the writer wrote, so one slip is
reported once.  After a flagged line, later lines may use the writer's value or the right one.
A line that follows another convention than the stated formula (√Ŝ + ε where the formula says
√(Ŝ + ε)) is right, with one warning per exercise.  Skipped lines (no ``\\hat{v}`` line) are
computed silently.  The rules are compiled once per exercise; SymPy runs once, for the gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from itertools import islice, product
from math import floor
import re
from typing import TYPE_CHECKING, Any

from ..compiler import Evaluator, evaluator, fold
from ..errors import SymoptError, UnknownName
from ..expr import Bin, Call, Name, Neg, Node, Num, names, replaced, walk
from ..notation import DECAYED as _DECAYED, GRADIENT_NAMES, name_latex, normal, relettered, stepped
from ..numbers import decimals_of, message_text, round_half_away, short_text
from ..plan import plan_of
from ..spec import Exercise
from .aliases import Ref, resolve
from .ball import Ball, BallArithmetic, fraction
from .document import Document, MathLine, Section
from .mathtext import Written, as_written, literals, parse_math, relations
from .problem import classify, constant_node, matching_variants, rename, variants
from .reading import RELATION_TEX, components, general_formula, letters, students

if TYPE_CHECKING:  # (mistakes is imported when a line first needs it)
    from .mistakes import Mistake

SEVERITY = {"ok": "ok", "arithmetic": "error", "substitution": "error", "formula": "error",
            "rounding": "warning", "notation": "warning", "unreadable": "warning"}
MAX_COMBINATIONS = 16  # candidate values tried per line after earlier errors
DECAYED = _DECAYED  # a rule that changes the gradient (weight decay as L2): its line is a second dw line


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


@dataclass
class _Judged:
    """An epoch line as the judging steps see it (:meth:`ExerciseChecker._judge`): what it is
    about, what it shows, the rule's values, and what the steps found on the way."""

    math: MathLine
    q: str  # the quantity, for variable v, in epoch t
    v: str
    t: int
    texts: tuple[str, ...]  # the sides after the line's name, as written, and read
    trees: list[Node]
    marks: tuple[str, ...]  # the relation before each side ("=" or "≈")
    where: dict[str, object]  # the fields of each finding on the line
    value: Written  # the line's result
    expectations: list[tuple[int, Ball]]  # (convention, the rule's value) for every candidate input
    right: Ball  # the rule's value under the stated convention, from the writer's values
    named: list[bool]  # which sides have names (steps of the formula)
    numeric: list[tuple[str, Node]]  # the sides without names, (text, tree)
    approx_before: list[bool]  # for each numeric side: written after ≈ (its numbers may be rounded)
    scope: dict[Fraction, Fraction] = field(default_factory=dict)  # rounded values it may use -> radius
    point: Ball | None = None  # the first numeric side at the numbers as written
    used: list[int] = field(default_factory=list)  # the conventions the substitution follows
    order: list[int] = field(default_factory=list)  # those whose value it gives, the stated one first
    complete: bool = True  # False: `used` holds only the stated convention (the others looked at when needed)

    @classmethod
    def of(cls, math: MathLine, q: str, v: str, t: int, texts: tuple[str, ...], trees: list[Node],
           marks: tuple[str, ...], where: dict[str, object], value: Written, expectations: list[tuple[int, Ball]],
           stated: int) -> _Judged:
        """The line, for non-empty `expectations` (a line without them is not judged)."""
        named = [any(type(n) is Name for n in walk(tree)) for tree in trees]
        right = next((e for k, e in expectations if k == stated), expectations[0][1])
        return cls(math, q, v, t, texts, trees, marks, where, value, expectations, right, named,
                   [(text, tree) for text, tree, n in zip(texts, trees, named, strict=True) if not n],
                   [marks[i - 1] == "≈" if i else False for i, n in enumerate(named) if not n])

    @property
    def shown(self) -> str:
        return self.texts[-1]

    def text_of(self, ball: Ball) -> str:
        """A computed value, as a message shows it beside this line's."""
        return _message(ball, self.value.places)


def check_document(doc: Document, exercises: list[Exercise], slack: Fraction = Fraction(0)) -> list[Finding]:
    findings = [Finding(line, "unreadable", what) for line, what in doc.problems]
    for n, (section, ex) in enumerate(zip(doc.sections, exercises, strict=True), start=1):
        findings += ExerciseChecker(n, section, ex, slack, doc.decimal_comma).run()
    return sorted(findings, key=lambda f: f.line)


#: What the checkers of one exercise share: set by ExerciseChecker._compile, kept per exercise.
_PLAN = ("balls", "variants", "stated", "rules", "order", "notation", "own", "hypers", "constants", "compiled",
         "folded_literals", "_gradient", "_probes", "_rule_groups", "_distinct", "_pairs", "_slots")


class ExerciseChecker:
    def __init__(self, number: int, section: Section, ex: Exercise, slack: Fraction, comma: bool = False):
        self.comma = comma  # the writer's numbers have decimal commas: so do the messages' numbers
        self.number, self.section, self.ex, self.slack = number, section, ex, slack
        self.findings: list[Finding] = []
        self.warned: set[str] = set()
        # how the sheet rounds, for values whose trailing zeros it dropped: to decimals (the finest
        # place of a value of 4 or more digits, 0.1 or more) or to significant digits (the most written)
        self.decimals = 0
        self.digits = 0
        self.letters = letters(section, ex.optimizer)
        self.loose = False  # a line held only within the rounding of the values it substitutes
        self.start_w: dict[str, list[Candidate]] = {}  # each variable's values where the epoch starts
        self._form: dict[str, list[int]] = {}  # quantity -> the conventions the writer's form follows
        # for the line being judged: (id(tree), q, v, t) -> (tree, its _labelled slots), and id(side) -> (side,
        # its literals); each kind read back by its own key, in _wanted and _literals
        self._line_wanted: dict[object, tuple[Node, list[Any]]] = {}
        # the rules with known mistakes, compiled when a line needs them: per variant, (mistake, target ->
        # (the mistaken rule folded, compiled, its numbers))
        self._mistakes: list[list[tuple[Mistake, dict[str, tuple[Node, Evaluator, set[Fraction]]]]]] | None = None
        self.formula_stated = False  # a formula line of the document was read
        self.usual_digits = 0  # the writer's most common number of significant digits (of values with decimals)
        self.usual = 0  # the writer's most common number of decimals (of their values of 4 or more digits)
        self.finest = 0  # the finest decimal place of a value of 0.1 or more, when no policy shows
        self.seen_approx = False  # the writer marks rounded values with ≈ (exact and precision sheets)
        self.plan = plan_of(ex)  # the exercise's plan (symopt.plan), shared with the engine
        shared = self.plan.shared.get("checker")
        if shared is None:  # the exercise's rules, compiled once (kept with its plan: once per worker)
            self._compile(ex)
            shared = self.plan.shared["checker"] = {k: getattr(self, k) for k in _PLAN}
        self.__dict__.update(shared)
        self.gradients = {v: list(pairs) for v, pairs in self._gradient.items()}  # a stated derivative goes first
        self.state: dict[str, dict[str, list[Candidate]]] = {
            v: {"w": [self._exact(ex.start[v])], **{s: [self._exact(ex.state[s][v])] for s in ex.state}}
            for v in ex.variables
        }

    def _compile(self, ex: Exercise) -> None:
        """What every document of this exercise shares (:data:`_PLAN`): the conventions, rules and
        names, compiled once from the exercise's plan (its rules, folded trees, names and gradient,
        as the engine runs them); and the caches of what is worked out from them line by line."""
        plan = self.plan
        self.balls = BallArithmetic()
        self._probes: dict[tuple[int, str, str], Evaluator] = {}  # (variant, quantity, hyperparameter) -> the rule compiled with it changed
        self._rule_groups: dict[str, list[tuple[Evaluator, list[int]]]] = {}  # quantity -> [(compiled rule, the variants that share it)]
        self._distinct: dict[tuple, bool] = {}  # (quantity, variants) -> whether their rules differ at all
        self._pairs: dict[tuple[str, int], list[tuple[Node, Node | None]]] = {}  # (quantity, variant) -> the rule's trees
        self._slots: dict[tuple[int, int], tuple[Node, Node | None, list[RuleSlot]]] = {}  # (id(rule), id(source)) -> (rule, source, _rule_slots)
        opt = ex.optimizer
        stated = opt.effective_options(ex.options)
        # the conventions a line may follow: every variant the exercise's hyperparameters allow
        self.variants = [v for v in variants(opt) if set(opt.hyper_for(v)) <= set(ex.hyper)] or [stated]
        self.stated = next((k for k, v in enumerate(self.variants) if v == stated), 0)
        chosen = [plan.variant(v) for v in self.variants]  # each variant's rules by quantity, folded
        self.rules = [{q: rule.rhs for q, rule in rules.items()} for rules in chosen]
        self.order = ["g"] + list(self.rules[self.stated])  # targets in the order an epoch computes them
        # the exercise's own line names first (m_1 is RMSProp's M, not Adam's V), then the
        # reference sheet's for the same variables (v_1 for theta1); a quantity of the epoch
        # (NAdam's \mu_1) is read with the epoch's number
        self.notation = plan.notation
        quantities = ["g", "w", *ex.state, *(t for rules in self.rules for t in rules)]
        self.own: dict[str, list[Ref]] = {}
        self.hypers = self.notation.hypers()
        self.constants = {t for t in self.notation.per_epoch
                          if all(not names(rules.get(t, Num(Fraction(0)))) - set(ex.hyper) for rules in self.rules)}
        others = [opt.notation(ex.variables, ex.options, g, layout, rules=ex.rules) for layout in ("lecture", "reference") for g in GRADIENT_NAMES]
        for notation in (self.notation, *others):
            for name, (q, v) in notation.lines(quantities).items():
                refs = self.own.setdefault(name, [])
                if not any(r.key == q and r.variable == v for r in refs):
                    refs.append(Ref("quantity", q, v))
        self.compiled = [{q: evaluator(rule.folded, self.balls, ex.hyper) for q, rule in rules.items()} for rules in chosen]
        self.folded_literals = [{q: [Fraction(x.value) for x in literals(rule.folded)] for q, rule in rules.items()} for rules in chosen]
        self._gradient = {v: ((d, evaluator(d, self.balls, {})),) for v, d in zip(ex.variables, plan.gradient, strict=True)}

    def _resolve(self, name: str, written: dict[str, set[str]] | None = None, variable: str | None = None,
                 epoch: int | None = None) -> Ref | None:
        """What `name` means, in the document's letters (the Adam paper's m_t, v_t are v, s); a
        name with a step index (``\\theta_1``, ``v_{x,2}``, ``x_t``) is the quantity without it, when
        the index is not part of a name the problem knows (w_1 in a problem in w1, w2)."""
        name = relettered(name, self.letters)
        ref = self._resolve_name(name, written, variable, epoch)
        if ref is None or (ref.kind == "quantity" and ref.variable is None and ref.key not in self.notation.per_epoch):
            step = stepped(name)
            if step is not None:
                base = self._resolve_name(step[0], written, variable, epoch)
                if base is not None and base.kind == "quantity":
                    return base
        return ref

    def _resolve_name(self, name: str, written: dict[str, set[str]] | None = None, variable: str | None = None,
                      epoch: int | None = None) -> Ref | None:
        """What `name` means.  A name the optimizer prints for several variables (``v_2`` for x2
        and for theta2) is, on a line's left, the first of them that has not had this line yet,
        and on its right, the line's own variable's when it is one of them."""
        if epoch is not None and self.notation.per_epoch:
            hit = self.notation.read_epoch(name, epoch)
            if hit is not None:
                return Ref("quantity", hit[0])
        refs = self.own.get(normal(name))
        if not refs:
            hyper = self.hypers.get(normal(name))
            return Ref("hyper", hyper) if hyper else resolve(name, self.ex.variables, tuple(self.ex.hyper))
        if written is not None:
            for r in refs:
                assert r.variable is not None  # self.own holds the lines of one variable (Notation.lines)
                if r.key not in written[r.variable]:
                    return r
            return refs[-1]
        return next((r for r in refs if r.variable == variable), refs[0])

    # -- driving ---------------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        for math in self.section.given:
            self._given(math)
        self._rounding_shown()
        for block in self.section.epochs:
            written: dict[str, set[str]] = {v: set() for v in self.ex.variables}
            self.start_w = {x: self.state[x]["w"] for x in self.ex.variables}
            for math in block.lines:
                self._epoch_line(math, block.number, written)
            if block.lines:  # a line the writer left out, or that could not be read, is the rule's
                for v in self.ex.variables:
                    self._fill_skipped(v, None, block.number, written)
        return self.findings

    def _add(self, math: MathLine, kind: str, message: str, **fields) -> Finding:
        if self.comma:  # -4{,}6 written where -4{,}232: in the writer's own way of writing numbers
            message = _DECIMAL_POINT.sub("{,}", message)
            fields = {k: _DECIMAL_POINT.sub("{,}", f) if k in ("written", "expected") and isinstance(f, str) else f
                      for k, f in fields.items()}
        finding = Finding(math.line, kind, message, exercise=self.number, end=math.end, **fields)
        self.findings.append(finding)
        return finding

    def _warn_once(self, math: MathLine, key: str, message: str, **fields) -> None:
        if key not in self.warned:
            self.warned.add(key)
            self._add(math, "notation", message, **fields)

    # -- lines before the epochs -----------------------------------------------------------------
    def _given(self, math: MathLine) -> None:
        math = students(math)
        given = classify(math)
        if given.kind in ("function", "data"):
            return
        if given.kind == "other":
            parts = components(math.text, len(self.ex.variables)) if len(self.ex.variables) > 1 and "," in math.text else None
            if parts is not None and all(classify(MathLine(math.line, p, math.end)).kind != "other" for p in parts):
                for k, part in enumerate(parts):  # \nabla f = (0.2w_1, 4w_2): one derivative per variable
                    self._given(self._component(MathLine(math.line, part, math.end), k, None))
                return
            self._add(math, "unreadable", f"cannot tell what this line states: ${_clip(math.text)}$")
            return
        for lhs, tree in given.items:
            self._formula(math, lhs, tree)

    def _formula(self, math: MathLine, lhs: str, tree: Node) -> None:
        """A derivative (``dw_1 = 0.2w_1``) or a general formula (``V_t = \\beta V_{t-1} + …``)."""
        ref = self._resolve(lhs)
        if ref is not None and ref.kind == "quantity" and ref.key == "g" and ref.variable is not None:
            self._derivative(math, tree, ref, lhs)
            return
        lhs, tree = general_formula(lhs, tree, self.ex.optimizer, self.ex.variables, self.letters)
        quantity, matches = matching_variants(lhs, tree, self.ex.optimizer, self.balls, self.variants, self.ex.variables)
        title = self.ex.optimizer.title
        if quantity is None:
            self._add(math, "notation", f"${lhs}$: a name symopt does not know; the line is not checked")
        elif not matches:
            self._add(math, "notation", f"this is not {title}'s rule for ${lhs}$; the epochs are checked against the rule", name=lhs)
        elif self.stated not in matches:
            self.formula_stated = True
            used = self.variants[matches[0]]
            stated = self.variants[self.stated]
            self._add(math, "notation", f"this formula follows {_describe(self.ex.optimizer, used, stated, self.notation)}, but the exercise uses {_describe(self.ex.optimizer, stated, used, self.notation)}", name=lhs)
        else:
            self.formula_stated = True
            self._add(math, "ok", "formula", name=lhs)

    def _derivative(self, math: MathLine, tree: Node, ref: Ref, lhs: str) -> None:
        v = ref.variable
        assert v is not None  # _formula sends only a variable's derivative here
        try:
            student = self._derivative_tree(tree)
        except UnknownName as e:
            self._add(math, "notation", f"${e.name}$: a name symopt does not know; the line is not checked")
            return
        right, _ = self.gradients[v][0]
        probes = [{x: self.balls.const(Fraction(p + 3 * i, 7)) for i, x in enumerate(self.ex.variables)} for p in (2, 5)]
        try:
            same = all(self.balls.agree(evaluator(student, self.balls, {})(env), evaluator(right, self.balls, {})(env)) for env in probes)
        except SymoptError:
            same = False
        if same:
            self._add(math, "ok", "derivative", quantity="dw", variable=v, name=lhs)
            return
        from .. import printer

        expected = printer.latex(right, self.notation.constant, euler="e" not in self.ex.variables)
        self._add(math, "formula", f"the derivative is wrong: the derivative of $f$ with respect to ${name_latex(v)}$ is ${expected}$",
                  quantity="dw", variable=v, name=lhs, expected=expected)
        self.gradients[v].insert(0, (student, evaluator(student, self.balls, {})))  # carried forward

    # -- epoch lines ---------------------------------------------------------------------------------
    def _epoch_line(self, math: MathLine, t: int, written: dict[str, set[str]]) -> None:
        original, math = math, students(math)
        parts = components(math.text, len(self.ex.variables)) if len(self.ex.variables) > 1 and "," in math.text else None
        if parts is not None:  # a vector line: one line per component, on the same line number
            for k, part in enumerate(parts):
                self._one_line(self._component(MathLine(math.line, part, math.end), k, t), t, written)
            return
        shown = relations(original.text)[0][0] if original.text != math.text else None
        self._one_line(math, t, written, shown)  # (reported under the name as written: f'(u), not g_t)

    def _component(self, math: MathLine, k: int, t: int | None) -> MathLine:
        """A vector line's k-th component: its left side (``(w_1)``, ``\\mathbf{v}``, ``g_t``) named
        as the k-th variable's line."""
        sides, marks = relations(math.text)
        lhs = sides[0].strip()
        name = lhs[1:-1].strip() if lhs.startswith("(") and lhs.endswith(")") else lhs
        ref = self._resolve(name) if name == lhs else None
        if ref is not None and ref.kind == "quantity":
            name = self.notation.line(ref.key, self.ex.variables[k], epoch=t)
        rest = "".join(f" {RELATION_TEX[m]} {side}" for m, side in zip(marks, sides[1:], strict=True))
        return MathLine(math.line, name + rest, math.end)

    def _one_line(self, math: MathLine, t: int, written: dict[str, set[str]], shown: str | None = None) -> None:
        where: dict[str, object] = {"epoch": t}  # the fields of each finding on the line
        self._tighten()
        sides, marks = relations(math.text)
        if len(sides) < 2:
            self._add(math, "unreadable", "no '=' in this line; write it as name = … = value", **where)
            return
        try:
            lhs = parse_math(sides[0])
        except SymoptError as e:
            self._add(math, "unreadable", str(e), **where)
            return
        if isinstance(lhs, Bin) and lhs.op == "^" and isinstance(lhs.left, Name):
            lhs = lhs.left  # x^{(1)}, w_1^{(2)}, w_{1}^{2}: the iterate's step, not a power, on a line's left
        ref = self._resolve(lhs.id, written, epoch=t) if isinstance(lhs, Name) else None
        if ref is not None and ref.variable is None and ref.key in self.notation.per_epoch:
            ref = Ref("quantity", ref.key, self.ex.variables[0])  # the epoch's: checked once, for every variable
        if ref is None or ref.kind != "quantity" or ref.variable is None or ref.key not in self.order:
            self._add(math, "notation", f"${_clip(sides[0])}$: not a quantity of {self.ex.optimizer.title} for one variable; the line is not checked", **where)
            return
        q, v = ref.key, ref.variable
        if q == "g" and "g" in written[v] and DECAYED in self.order:
            q = DECAYED  # the second gradient line: weight decay as L2
        where.update(quantity="dw" if q in ("g", DECAYED) else q, variable=v, name=shown or sides[0])
        if ref.warning:
            self._warn_once(math, ref.warning, f"${sides[0]}$: {ref.warning}", **where)
        trees: list[Node] = []
        for side in sides[1:]:
            try:
                trees.append(parse_math(side))
            except SymoptError as e:
                self._add(math, "unreadable", str(e), **where)
                self._carry_unread(sides, v, q, t, marks, written)
                return
        value = as_written(trees[-1])
        if value is None:
            self._add(math, "unreadable", "the line does not end in a number", **where)
            self._carry_unread(sides, v, q, t, marks, written)
            return
        self._fill_skipped(v, q, t, written)
        finding = self._judge(math, q, v, t, sides[1:], trees, marks, where, value)
        self.seen_approx = self.seen_approx or "≈" in marks
        # what the sheet's rounding looks like, from the lines that are right (a wrong value's digits
        # tell nothing); where ≈ marks rounding, a value after = is exact and tells nothing either
        if finding.kind == "ok" and ("≈" in marks or not self.seen_approx):
            if value.significant >= 4 and abs(value.value) >= Fraction(1, 10):
                # rounded to decimals, not to significant figures (3 at most): the sheet shows this many
                self.decimals = max(self.decimals, value.places)
            self.digits = max(self.digits, _figures(value))
        self._carry(v, q, value, "≈" in marks, finding.right)
        written[v].add(q)
        if q in self.notation.per_epoch:
            for x in self.ex.variables[1:]:
                self.state[x][q] = self.state[v][q]
                written[x].add(q)

    def _judge(self, math: MathLine, q: str, v: str, t: int, texts: tuple[str, ...], trees: list[Node],
               marks: tuple[str, ...], where: dict[str, object], value: Written) -> Finding:
        """An epoch line's verdict, by steps that each give a finding or pass the line on: its
        formula steps, a lone value, the substitution, the arithmetic of each ``=``."""
        self._line_wanted.clear()
        expectations = self._expected(q, v, t)
        if not expectations:
            return self._add(math, "notation", "the rule for this line cannot be computed from the lines above; it is not checked", **where)
        line = _Judged.of(math, q, v, t, texts, trees, marks, where, value, expectations, self.stated)
        for step in (self._formula_steps, self._lone_value, self._substitution, self._arithmetic):
            finding = step(line)
            if finding is not None:
                return finding
        return self._add(math, "ok", "ok", written=line.shown, **where)

    def _flag(self, line: _Judged, kind: str, message: str, written: str, right: Ball) -> Finding:
        """A finding on `line` that says what the value should be."""
        return self._add(line.math, kind, message, written=written, expected=line.text_of(right), right=right, **line.where)

    def _formula_steps(self, line: _Judged) -> Finding | None:
        """A side with names is a step of the formula: it is checked against the rule."""
        for text, tree, named in zip(line.texts, line.trees, line.named, strict=True):
            if not named:
                continue
            try:
                ball = self._evaluate(tree, line.v, line.t, radii=None)
            except UnknownName as e:
                return self._add(line.math, "notation", f"${e.name}$: a name symopt does not know; the line is not checked", **line.where)
            except SymoptError as e:
                return self._add(line.math, "substitution", f"${text}$: {e}", **line.where)
            if not any(self.balls.agree(ball, e) for _, e in line.expectations):
                right = line.right
                mistake = self._mistake(line.q, line.v, line.t, ball)
                if mistake is not None:
                    return self._flag(line, "formula", f"{mistake}: ${text}$ follows it; the rule gives ${line.text_of(right)}$", text, right)
                return self._flag(line, "substitution", f"${text}$ is not the rule: it gives ${line.text_of(ball)}$, the rule gives ${line.text_of(right)}$",
                                  text, right)
        return None

    def _lone_value(self, line: _Judged) -> Finding | None:
        """A line with one number after its formula steps: that value, against the rule's."""
        if len(line.numeric) != 1:
            return None
        value, shown = line.value, line.shown
        written_ball = self._ball(value, self._radius(value))
        used = [k for k, e in line.expectations if self.balls.agree(written_ball, e, self._slack(value.unit))]
        if used:
            self._convention(line.math, used, line.where)
            return self._add(line.math, "ok", "value", written=shown, **line.where)
        right = line.right
        mistake = self._mistake(line.q, line.v, line.t, written_ball)
        if mistake is not None:
            return self._flag(line, "formula", f"{mistake}; the rule gives ${line.text_of(right)}$", shown, right)
        kind = "rounding" if self._rounding_slip(right, value) else "arithmetic"
        return self._flag(line, kind, f"${shown}$ written, expected ${line.text_of(right)}$", shown, right)

    def _substitution(self, line: _Judged) -> Finding | None:
        """The first numeric side is the rule on the writer's numbers: its value is the rule's
        under some convention (`line.used`), and its numbers are the rule's."""
        q, v, t = line.q, line.v, line.t
        first_text, first = line.numeric[0]
        line.scope = scope = self._rounded_scope(v, q)
        try:
            line.point = point = self._evaluate(first, v, t, radii=None)
        except SymoptError as e:
            return self._add(line.math, "arithmetic", f"${first_text}$: {e}", **line.where)
        used = [k for k, e in line.expectations if self.balls.agree(point, e)]
        if not used:  # partly worked out in the head (-5 - 0.3 * (-3.1623)): new numbers are rounded
            known = self._known(q, v, t)
            try:
                loose = self._evaluate(first, v, t, radii=lambda w, _i: scope.get(w.value, _ZERO if w.value in known else w.half))
                used = [k for k, e in line.expectations if self.balls.agree(loose, e)]
            except SymoptError:
                pass
        if not used:
            right = line.right
            mistake = self._mistake(q, v, t, point, first)
            if mistake is not None:
                return self._flag(line, "formula", f"{mistake}: ${first_text}$ follows it; the rule gives ${line.text_of(right)}$", first_text, right)
            return self._flag(line, "substitution", self._diagnose(first, q, v, t, point, right), first_text, right)
        if len(set(used)) > 1:  # ε = 10^-6 inside or outside the root: the same value to the digits shown
            used = self._discriminate(first, q, v, t, used)
        # the conventions whose numbers the line shows, the stated one first (where every value is 0,
        # every convention gives the value; the numbers tell which one was written)
        line.order = order = sorted(dict.fromkeys(used), key=lambda k: k != self.stated)
        if order[0] == self.stated and self._same_numbers(first, q, v, t, order[0]):
            line.used, line.complete = [order[0]], False  # no warning to give; the rest only if the arithmetic needs it
            return None
        shown = [k for k in order if self._same_numbers(first, q, v, t, k)]
        if not shown:  # a close value from other numbers: (-1)^4, 14^{-6}
            return self._add(line.math, "substitution", self._diagnose(first, q, v, t, point, None, order[0]),
                             written=first_text, **line.where)
        self._convention(line.math, shown, line.where)
        line.used = shown
        return None

    def _arithmetic(self, line: _Judged) -> Finding | None:
        """Each ``=`` after the substitution holds within the rounding shown.  The substituted
        numbers stand for what they were rounded from; a number carried on to a later side keeps
        its radius there, and a new number (a result worked out on the way) is rounded."""
        q, v, t, value, used, scope = line.q, line.v, line.t, line.value, line.used, line.scope
        prev_text, first = line.numeric[0]
        prev_tree = first
        aligned = next((a for k in sorted(used, key=lambda k: k != self.stated)
                        if (a := self._aligned(first, q, v, t, k)) is not None), None)
        if aligned is None and not line.complete:  # the stated convention's numbers do not line up: the others'
            used = line.used = [k for k in line.order if self._same_numbers(first, q, v, t, k)]
            line.complete = True
            aligned = next((a for k in sorted(used, key=lambda k: k != self.stated)
                            if (a := self._aligned(first, q, v, t, k)) is not None), None)
        radius_of: dict[tuple[Fraction, int], Fraction] = {}  # (value, places) -> radius
        if aligned is None:  # laid out otherwise: by value, except for the rule's own numbers
            constants = {w.value for k in used for tree in self._rule_trees(q, v, k) for w in _rule_literals(tree)}
            scope = {number: radius for number, radius in scope.items() if number not in constants}
        first_radii: Radii = (lambda w, i: aligned[i]) if aligned else (lambda w, _i: scope.get(w.value, _ZERO))
        try:
            prev = self._evaluate(prev_tree, v, t, radii=first_radii, record=radius_of)
        except SymoptError as e:
            return self._add(line.math, "arithmetic", f"${prev_text}$: {e}", **line.where)
        slack = self._slack(value.unit)
        for i, (text, tree) in enumerate(line.numeric[1:], start=1):
            last = i == len(line.numeric) - 1
            carried, radius_of = radius_of, {}
            half: Radii
            if last:
                half = lambda w, _i: self._radius(w)
            elif line.approx_before[i]:  # a number carried on may be shown rounded here
                def rounded(w: Written, _i: int, carried: dict[tuple[Fraction, int], Fraction] = carried) -> Fraction:
                    return max(carried.get((w.value, w.places), w.half), w.half)
                half = rounded
            else:  # a number carried on keeps its radius: the same value written the same way
                def kept(w: Written, _i: int, carried: dict[tuple[Fraction, int], Fraction] = carried) -> Fraction:
                    return carried.get((w.value, w.places), w.half)
                half = kept
            try:
                cur = self._evaluate(tree, v, t, radii=half, record=radius_of)
            except SymoptError as e:
                return self._add(line.math, "arithmetic", f"${text}$: {e}", **line.where)
            if not self.balls.agree(prev, cur, slack):
                if last and self._rounding_slip(prev, value):
                    return self._flag(line, "rounding", f"${prev_text}$ rounds to ${line.text_of(prev)}$, not ${text}$", text, prev)
                return self._flag(line, "arithmetic", f"${prev_text}$ is ${line.text_of(prev)}$, not ${text}$", text, prev)
            if last and i == 1 and not self.loose:  # does it hold from the numbers as written?
                strict = line.point  # the first side at the numbers as written (the substitution's)
                assert strict is not None  # _substitution, which passed the line on, set it
                if not self.balls.agree(strict, cur, slack):
                    if self._rounding_slip(strict, value):  # a writer who works from the page rounded wrong
                        return self._flag(line, "rounding", f"${prev_text}$ rounds to ${line.text_of(strict)}$, not ${text}$", text, strict)
                    self.loose = True  # the writer carries more than the page shows (an exact sheet)
            prev_text, prev_tree, prev = text, tree, cur
        return None

    def _discriminate(self, first: Node, q: str, v: str, t: int, used: list[int]) -> list[int]:
        """The conventions among `used` that the written expression follows in its form, not only
        in its value: each hyperparameter written in it (ε as 10^{-6}) is given a large value in the
        expression and in each convention's rule, which then differ (√(0.1557) + ε is not
        √(0.1557 + ε) when ε is 0.25)."""
        key = (q, frozenset(used))
        if key not in self._distinct:  # rules that are one tree cannot be told apart by any probe
            rules = [self._inlined(k, q) for k in set(used)]
            present = [rule for rule in rules if rule is not None]
            self._distinct[key] = len(present) == len(rules) and len({fold(rule, self.ex.hyper) for rule in present}) > 1
        if not self._distinct[key]:
            return used
        known = self._form.get(q)  # the writer's form, as an earlier line showed it
        if known and set(known) <= set(used):
            return known
        shown = {w.value for w in literals(first)}
        keys = [(v, k) for k in self.state[v] if k != DECAYED]
        env = self._rule_env(v, t, {k: self.state[v][k][0] for _, k in keys if self.state[v].get(k)})
        for h, value in self.ex.hyper.items():
            if value not in shown or not value:
                continue
            probe = value + Fraction(1, 4) if value < Fraction(1, 2) else value / 2
            hyper = {**self.ex.hyper, h: probe}
            written = self._evaluate(_replaced(first, value, probe), v, t, radii=None)
            kept = []
            for k in dict.fromkeys(used):
                rule = self._inlined(k, q)
                if rule is None:
                    continue
                probe_key = (k, q, h)
                compiled = self._probes.get(probe_key)
                if compiled is None:
                    compiled = self._probes[probe_key] = evaluator(fold(rule, hyper), self.balls, hyper)
                got = self._safe(compiled, env)
                if got is not None and self.balls.agree(written, got):
                    kept.append(k)
            if kept and len(kept) < len(set(used)):
                self._form[q] = kept
                return kept
        return used

    def _inlined(self, k: int, q: str) -> Node | None:
        """Variant k's rule for q with its bias corrections written in (a changed β reaches the
        update through them too)."""
        rule = self.rules[k].get(q)
        if rule is None:
            return None
        inline = {x: r for x, r in self.rules[k].items() if x != q and x.endswith("_hat") and x in names(rule)}
        return rename(rule, lambda n: inline.get(n, Name(n)), False) if inline else rule

    def _mistake(self, q: str, v: str, t: int, got: Ball, first: Node | None = None) -> str | None:
        """What is wrong with the rule the writer used, when their line follows a known mistake
        (:mod:`symopt.check.mistakes`) or, for a gradient, another derivative of the right values."""
        if q == "g":
            if first is None or len(self.gradients[v]) > 1:
                return None  # a stated derivative was flagged already: its lines follow it
            used = {x for x in self.ex.variables if x in names(self.gradients[v][0][0])}
            shown = {w.value for w in literals(first)}
            if used and all(self._start(x)[0].value in shown for x in used):  # the right values, in another formula
                right, _ = self.gradients[v][0]
                from .. import printer
                return f"the derivative is wrong: ${self.notation.line('g', v)} = {printer.latex(right, self.notation.constant)}$"
            return None
        if self._mistakes is None:
            from .mistakes import mistaken

            self._mistakes = [
                [(m, {target: (folded := fold(rule, self.ex.hyper), evaluator(folded, self.balls, self.ex.hyper),
                               {w.value for w in literals(folded)})
                      for target, rule in changed.items()})
                 for m, changed in mistaken(rules, set(self.ex.hyper))]
                for rules in self.rules
            ]
        keys = [(v, k) for k in self.state[v] if k != DECAYED]
        shown = {w.value for w in literals(first)} if first is not None else set()
        found: list[tuple[int, int, str]] = []  # (minus how many of the mistaken rule's own numbers the line does not show, order, text)
        for mistake, changed in self._mistakes[self.stated]:
            if q not in changed:
                continue
            _tree, compiled, numbers = changed[q]
            for combo in self._combos(keys):
                value = self._safe(compiled, self._rule_env(v, t, {k: c for (_, k), c in zip(keys, combo, strict=True)}))
                if value is not None and self.balls.agree(got, value):
                    found.append((-len(numbers - shown), -len(found), mistake.text))
                    break
        return max(found)[2] if found else None

    # -- values ------------------------------------------------------------------------------------
    def _exact(self, q: Fraction) -> Candidate:
        return Candidate(self.balls.ball(q), q)

    def _ball(self, w: Written, rad: Fraction) -> Ball:
        return self.balls.ball(w.value, rad)

    def _rounding_slip(self, right: Ball, value: Written) -> bool:
        """Whether the written value is a rounding slip: the right value had to be rounded to the
        written place (it is not a number of that place even at the writer's usual precision),
        and the written value is its other neighbour there, or its truncation.  1.3 for an exact
        1.2, or -1.9 for -1.8000000002 on a sheet of 4 decimals, are arithmetic errors; -4.06 for
        -4.0513 is a slip."""
        place = self._claimed(value)
        mid = fraction(right.mid)
        usual = round_half_away(mid, max(place + 1, self.usual))  # the value as the writer would see it
        unit = Fraction(10) ** -place
        if (usual / unit).denominator == 1:
            return False  # nothing to round at this place
        low = floor(mid / unit) * unit
        return value.value in (low, low + unit)

    def _slack(self, unit: Fraction) -> Decimal | int:
        return self.balls.ball(self.slack * unit).mid if self.slack else 0

    def _rule_env(self, v: str, t: int, combo: dict[str, Candidate]) -> dict[str, Ball]:
        env = {k: c.ball for k, c in combo.items()}
        env["t"] = self.balls.const(Fraction(t))
        return env

    def _combos(self, keys: list[tuple[str, str]]) -> Iterator[tuple[Candidate, ...]]:
        """Every choice of candidate for the (variable, quantity) keys, the writer's first."""
        lists = [self._start(v) if k == "@w" else self.state[v].get(k, []) for v, k in keys]
        return islice(product(*lists), MAX_COMBINATIONS)

    def _start(self, x: str) -> list[Candidate]:
        """x's values at the start of the epoch, where the gradient is taken (after an unread
        gradient line, a later variable's gradient is not taken at x's new value)."""
        return self.start_w.get(x) or self.state[x]["w"]

    def _expected(self, q: str, v: str, t: int) -> list[tuple[int, Ball]]:
        """(variant, value) for every convention and every candidate of the inputs."""
        out = []
        if q == "g":
            keys = [(x, "@w") for x in self.ex.variables]
            for _tree, evaluate in self.gradients[v]:
                for combo in self._combos(keys):
                    env = {x: c.ball for (x, _), c in zip(keys, combo, strict=True)}
                    value = self._safe(evaluate, env)  # the same under every convention
                    out += [(k, value) for k in range(len(self.variants))]
            return [(k, b) for k, b in out if b is not None]
        keys = [(v, k) for k in self.state[v] if k != DECAYED]
        groups = self._groups(q)
        for combo in self._combos(keys):
            env = self._rule_env(v, t, {k: c for (_, k), c in zip(keys, combo, strict=True)})
            for evaluate, members in groups:  # conventions with the same rule for q: computed once
                value = self._safe(evaluate, env)
                out += [(k, value) for k in members]
        out.sort(key=lambda pair: pair[0])  # (stable: per variant, the writer's candidates first)
        return [(k, b) for k, b in out if b is not None]

    def _groups(self, q: str) -> list[tuple[Evaluator, list[int]]]:
        """The compiled rules for q, one per distinct folded rule, with the variants that share it."""
        groups = self._rule_groups.get(q)
        if groups is None:
            by_tree: dict[Node, tuple[Evaluator, list[int]]] = {}
            for k, compiled in enumerate(self.compiled):
                if q in compiled:
                    tree = fold(self.rules[k][q], self.ex.hyper)
                    by_tree.setdefault(tree, (compiled[q], []))[1].append(k)
            groups = self._rule_groups[q] = list(by_tree.values())
        return groups

    def _safe(self, evaluate: Evaluator, env: dict[str, Ball]) -> Ball | None:
        try:
            return evaluate(env)
        except (SymoptError, KeyError, ZeroDivisionError):
            return None

    def _fill_skipped(self, v: str, q: str | None, t: int, written: dict[str, set[str]]) -> None:
        """Compute, silently, what the writer skipped before this line in this epoch (before the
        epoch's end, with `q` None); a quantity of hyperparameters only (RAdam's rho_inf, written in
        the first epoch) keeps the value written."""
        for target in self.order[: self.order.index(q) if q is not None else len(self.order)]:
            if target in written[v]:
                continue
            if not (target in self.constants and self.state[v].get(target)):
                self._compute(v, target, t)
            written[v].add(target)

    def _compute(self, v: str, target: str, t: int) -> None:
        """The rule's value of `target`, from the values above, as what later lines use."""
        expected = [e for k, e in self._expected(target, v, t) if k == self.stated]
        if expected:
            self.state[v][target] = [Candidate(expected[0], fraction(expected[0].mid), computed=True)]
            if target == DECAYED:
                self.state[v]["g"] = self.state[v][target]

    def _carry(self, v: str, q: str, value: Written, rounded: bool, right: Ball | None = None) -> None:
        """What later lines use: the written value, and after a flagged line also the right one.

        A value written after ≈ stands for everything within half a unit of its last digit; when
        it is shorter than the sheet's other values both in decimals and in significant digits, its
        trailing zeros were dropped (a sheet that rounds to 4 decimals writes -4.8 for -4.79999, one
        that rounds to 8 digits writes 1.8 for 1.800000004), and it stands for half a unit of the
        coarser of those two places.  A value with a trailing zero (57.9170), or with as many
        decimals (0.000196, 1.96 \\cdot 10^{-7}) or digits as the others, is rounded at its last digit."""
        places = self._place(value) if rounded else value.places
        radius = Fraction(10) ** -places / 2 if rounded else Fraction(0)
        short = value if rounded and value.value and not value.padded else None
        candidates = [Candidate(self.balls.ball(value.value, radius), value.value, places=places if rounded else None, short=short, rad=radius)]
        if right is not None:
            shown = round_half_away(fraction(right.mid), value.places)
            candidates.append(Candidate(self.balls.around(shown, right), shown, places=value.places))
        self.state[v][q] = candidates
        if q == DECAYED:  # later rules use the decayed gradient
            self.state[v]["g"] = candidates

    def _rounding_shown(self) -> None:
        """How the writer rounds, from all the exercise's epoch lines at once (the policy is the
        writer's, not a line's): on a sheet that marks rounded values with ≈, from those; on one
        that does not, from every value.  A value shortened in epoch 1 (v_x ≈ 0.36) stands for half
        a unit of the 4th decimal when later values show 4 (found trying symopt as a new user:
        1.9200 for 1.8947 passed in exact mode)."""
        values = []
        for block in self.section.epochs:
            for line in block.lines:
                line = students(line)
                parts = components(line.text, len(self.ex.variables)) if len(self.ex.variables) > 1 and "," in line.text else None
                for text in parts or [line.text]:
                    sides, marks = relations(text)
                    if not marks:
                        continue
                    try:
                        value = as_written(parse_math(sides[-1]))
                    except SymoptError:
                        continue
                    if value is not None:
                        values.append((marks[-1] == "≈", value))
        approx = any(rounded for rounded, _ in values)
        counts: dict[int, int] = {}
        figures: dict[int, int] = {}
        for rounded, value in values:
            if rounded or not approx:
                if value.significant >= 4 and abs(value.value) >= Fraction(1, 10):
                    self.decimals = max(self.decimals, value.places)
                    counts[value.places] = counts.get(value.places, 0) + 1
                self.digits = max(self.digits, _figures(value))
                if value.places > 0:
                    figures[_figures(value)] = figures.get(_figures(value), 0) + 1
                if abs(value.value) >= Fraction(1, 10):
                    self.finest = max(self.finest, value.places)
        self.usual = max(counts, key=lambda k: (counts[k], k)) if counts else 0
        self.usual_digits = max(figures, key=lambda k: (figures[k], -k)) if figures else 0

    def _place(self, value: Written) -> int:
        """The place a value written after ≈ was rounded to (see :meth:`_carry`), and an integer's
        (see :meth:`_radius`): its last digit's, unless it is shorter than the writer's other
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

    def _radius(self, value: Written) -> Fraction:
        """What a written result stands for: half a unit of its last digit; an integer on a sheet
        that works in decimals stands for the writer's place (-5 is not a rounding of -4.6, nor 1
        of 1.2), while a decimal may be rounded shorter than the writer's usual (the reference
        sheet's -4.6 for -4.6003)."""
        return Fraction(10) ** -self._claimed(value) / 2

    def _claimed(self, value: Written) -> int:
        """The place a written result claims: its last digit's; an integer's, on a sheet that
        works in decimals, the coarser of the writer's usual number of decimals and usual number of
        significant digits (1 stands for 1.00 on a sheet of 0.314 and 0.0491; -5 for -5.0 on a sheet
        of -4.6 and -0.92, so it is not -4.6)."""
        if value.places != 0 or value.padded:
            return value.places
        significant = max(value.significant, 1)
        if significant >= self.usual_digits:
            return 0
        return max(0, min(self.usual or self.finest, self.usual_digits - significant))

    def _tighten(self) -> None:
        """Values carried before the sheet's rounding was known (-1.8 in epoch 1, before any value
        showed 4 decimals) stand for what they stand for now that it is."""
        for values in self.state.values():
            for q, cands in values.items():
                first = cands[0] if cands else None
                if first is None or first.short is None or first.places is None:
                    continue
                places = self._place(first.short)
                if places > first.places:
                    radius = Fraction(10) ** -places / 2
                    values[q] = [Candidate(self.balls.ball(first.value, radius), first.value, places=places, short=first.short, rad=radius),
                                 *cands[1:]]

    def _carry_unread(self, sides, v, q, t, marks, written) -> None:
        """What later lines use after a line that cannot be read: the rule's value (as for a
        skipped line), and the written value too when its last side is a number."""
        self._fill_skipped(v, q, t, written)
        self._compute(v, q, t)
        try:
            value = as_written(parse_math(sides[-1]))
        except SymoptError:
            value = None
        if value is not None:
            computed = self.state[v].get(q, [])
            self._carry(v, q, value, "≈" in marks)
            self.state[v][q] = computed[:1] + self.state[v][q]
        written[v].add(q)

    def _rounded_scope(self, v: str, q: str) -> dict[Fraction, Fraction]:
        """Written value -> its radius, for the rounded values this line may substitute."""
        scope: dict[Fraction, Fraction] = {}
        sources = [(x, "w") for x in self.ex.variables] if q == "g" else [(v, k) for k in self.state[v]]
        sources += [(x, k) for x in self.ex.variables if x != v for k in self.state[x] if k not in ("w", "g")]
        for x, k in sources:
            for c in self.state[x].get(k, []):
                if c.ball.rad:
                    scope[c.value] = c.radius
        return scope

    def _known(self, q: str, v: str, t: int) -> set[Fraction]:
        """Numbers a substitution is made of (not rounded on the way): hyperparameters, the
        rule's constants, the writer's values, t."""
        known = set(self.ex.hyper.values()) | {Fraction(t), Fraction(1), Fraction(2)}
        for per_variant in self.folded_literals:
            known |= set(per_variant.get(q, []))
        for x in self.ex.variables:
            for cands in self.state[x].values():
                known |= {c.value for c in cands}
        return known

    def _evaluate(self, tree: Node, v: str, t: int, radii: Radii | None, record: dict | None = None) -> Ball:
        """A side of the line as a ball: names are the writer's current values; each written
        number gets the radius ``radii(number, position)`` (None: no numbers are widened), its
        position that in :func:`literals` (exponents count, though they are exact).  `record`
        gets each number's radius.  One walk over the tree (no tree is rebuilt or compiled: this
        runs several times per line)."""
        balls = self.balls
        position = [0]
        euler = "e" not in self.ex.variables
        ops = {"+": balls.add, "-": balls.sub, "*": balls.mul, "/": balls.div, "^": balls.pow}
        name = lambda n: self._named(n, v, t)
        radius_of: Radii = radii or (lambda _w, _i: _ZERO)

        def walk(node: Node, widen: bool) -> Ball:
            if isinstance(node, Name):
                return name(node.id)
            if isinstance(node, Bin) and node.op in _NOT_WRITTEN:
                return ops[node.op](walk(node.left, widen), walk(node.right, widen))
            if isinstance(node, Call):
                if node.func == "where":
                    condition, yes, no = node.args
                    assert isinstance(condition, Bin)  # the parser makes where's first argument a comparison
                    chosen = balls.compare(condition.op, walk(condition.left, widen), walk(condition.right, widen))
                    return walk(yes if chosen else no, widen)
                if node.func in ("max", "min"):
                    return balls.extreme(node.func, walk(node.args[0], widen), walk(node.args[1], widen))
                return balls.call(node.func, walk(node.args[0], widen))
            # a written number: a number, a minus on one, a power of ten or a product with one
            w = as_written(node) if widen else None
            if w is not None:
                radius = radius_of(w, position[0])
                position[0] += 1
                if record is not None:
                    shown = (w.value, w.places)
                    record[shown] = max(record.get(shown, _ZERO), radius)
                return balls.ball(w.value, radius)
            if isinstance(node, Num):
                return balls.const(node.value)
            if isinstance(node, Neg):
                return balls.neg(walk(node.operand, widen))
            if node.op == "^":
                if euler and isinstance(node.left, Name) and node.left.id == "e":
                    return balls.call("exp", walk(node.right, widen))
                left = walk(node.left, widen)
                if widen:
                    position[0] += len(literals(node.right))  # an exponent is exact as written
                return balls.pow(left, walk(node.right, False))
            return ops[node.op](walk(node.left, widen), walk(node.right, widen))

        try:
            return walk(tree, bool(radii))
        except ZeroDivisionError:
            raise SymoptError("division by zero") from None

    def _named(self, n: str, v: str, t: int) -> Ball:
        """The value of a name in v's line of epoch t: the writer's value of a quantity, a
        hyperparameter, e or pi, t; UnknownName for anything else."""
        balls = self.balls
        ref = self._resolve(n, variable=v, epoch=t)
        if ref is None:
            raise UnknownName(n)
        if ref.kind == "hyper":
            return balls.const(self.ex.hyper[ref.key])
        if ref.kind == "constant":
            return balls.call("exp", balls.const(Fraction(1))) if ref.key == "e" else balls.pi()
        if ref.kind == "t":
            return balls.const(Fraction(t))
        cands = self.state[ref.variable or v].get(ref.key)
        if not cands:
            raise UnknownName(n)
        return cands[0].ball

    def _fixed(self, ref: Ref) -> Node | None:
        """A name whose value the exercise fixes: a hyperparameter, or e."""
        if ref.kind == "hyper":
            return Num(self.ex.hyper[ref.key])
        if ref.kind == "constant":
            return constant_node(ref.key)
        return None

    def _derivative_tree(self, tree: Node) -> Node:
        """A written derivative in f's own names: w_1 -> w1; UnknownName for any other quantity."""
        def leaf(name: str) -> Node:
            ref = self._resolve(name)
            if ref is not None and ref.kind == "quantity" and ref.key == "w" and ref.variable is not None:
                return Name(ref.variable)
            fixed = None if ref is None else self._fixed(ref)
            if fixed is None:
                raise UnknownName(name)
            return fixed

        return rename(tree, leaf, "e" not in self.ex.variables)

    def _convention(self, math: MathLine, used: list[int], where: dict) -> None:
        if self.stated in used or not used:
            return
        used_text = _describe(self.ex.optimizer, self.variants[used[0]], self.variants[self.stated], self.notation)
        stated_text = _describe(self.ex.optimizer, self.variants[self.stated], self.variants[used[0]], self.notation)
        if self.formula_stated:
            said = f"but the stated formula has {stated_text}"
        else:  # never a claim about a formula that was not read
            said = f"where the exercise's convention is {stated_text} (no formula for it is stated)"
        self._warn_once(math, "convention", f"the arithmetic follows {used_text}, {said}; the line is checked as written", **where)

    def _rule_trees(self, q: str, v: str, variant: int) -> list[Node]:
        """The rule for `q`; for the gradient, the writer's derivative and the right one."""
        return [tree for tree, _ in self._rule_pairs(q, v, variant)]

    def _rule_pairs(self, q: str, v: str, variant: int) -> list[tuple[Node, Node | None]]:
        """(the rule as substituted, the rule as stated) for `q`: each number of the first is a
        number or a part of hyperparameters of the second (``1 - \\beta`` folded to 0.2)."""
        if q == "g":
            return [(tree, None) for tree, _ in self.gradients[v]]
        pairs = self._pairs.get((q, variant))
        if pairs is None:  # the same for every line: folded once
            rule = self.rules[variant][q]
            pairs = [(fold(rule, self.ex.hyper), rule)]
            inline = {k: r for k, r in self.rules[variant].items() if k != q and k.endswith("_hat") and k in names(rule)}
            if inline:  # the bias correction written inside the update: \frac{-0.1/(1 - 0.9)}{…}
                whole = rename(rule, lambda n: inline.get(n, Name(n)), False)
                pairs.append((fold(whole, self.ex.hyper), whole))
            self._pairs[(q, variant)] = pairs
        return pairs

    def _wanted(self, tree: Node, source: Node | None, q: str, v: str, t: int) -> list[tuple[Slot, Label]]:
        """:func:`_labelled` for this line, worked out once per line and rule."""
        key = (id(tree), q, v, t)
        hit = self._line_wanted.get(key)
        if hit is None or hit[0] is not tree:
            hit = self._line_wanted[key] = (tree, _labelled(tree, self, v, t, q == "g", source))
        return hit[1]

    def _literals(self, tree: Node) -> list[Written]:
        """:func:`literals` of a side, once per line (the substitution checks each read them)."""
        hit = self._line_wanted.get(id(tree))
        if hit is None or hit[0] is not tree:
            hit = self._line_wanted[id(tree)] = (tree, literals(tree))
        return hit[1]

    def _rule_slots(self, rule: Node, source: Node | None) -> list[RuleSlot]:
        """:func:`_rule_slots`, once per rule tree (the trees are kept, so their ids stay theirs)."""
        key = (id(rule), id(source))
        hit = self._slots.get(key)
        if hit is None or hit[0] is not rule or hit[1] is not source:
            hit = self._slots[key] = (rule, source, _rule_slots(rule, self, source))
        return hit[2]

    def _same_numbers(self, first: Node, q: str, v: str, t: int, variant: int) -> bool:
        """Whether the writer's numbers are the rule's, in any order and sign, when they are as many
        (``0.1 * (-1)^4`` has the right value but not the rule's numbers)."""
        got = self._literals(first)
        for k, (tree, source) in enumerate(self._rule_pairs(q, v, variant)):
            wanted = self._wanted(tree, source, q, v, t)
            if (k == 0 or len(wanted) == len(got)) and _same_multiset(got, wanted):
                return True  # (an alternative form, the bias correction inline, counts when it lines up)
        if q == "g":  # the derivative in another form (2(3 - 1) or 2 \cdot 3 - 2), at the right values
            used = [x for x in self.ex.variables if x in names(self.gradients[v][0][0])]
            shown = {abs(w.value) for w in got}
            return all(abs(self._start(x)[0].value) in shown for x in used)
        return False

    def _aligned(self, first: Node, q: str, v: str, t: int, variant: int) -> list[Fraction] | None:
        """The radius of each number of the substituted expression, when its numbers line up one
        by one with the rule's: a rule's own number is exact where it stands (the 1 of
        ``1 - 0.9^2`` is not ``r_t ≈ 1``), a value from above has the radius it was written with."""
        got = self._literals(first)
        for tree, source in self._rule_pairs(q, v, variant):
            wanted = self._wanted(tree, source, q, v, t)
            if len(wanted) == len(got):
                radii: list[Fraction] = []
                for w, (slot, _) in zip(got, wanted, strict=True):
                    radius = _fit(w, slot)
                    if radius is None:
                        break
                    radii.append(radius)
                else:
                    return radii
        return None

    def _diagnose(self, first: Node, q: str, v: str, t: int, point: Ball, expected: Ball | None, variant: int | None = None) -> str:
        """Name the number that is off, when the writer's expression lines up with the rule's."""
        tree, source = self._rule_pairs(q, v, self.stated if variant is None else variant)[0]
        wanted = self._wanted(tree, source, q, v, t)
        got = self._literals(first)
        places = max((w.places for w in got), default=4)
        if len(wanted) == len(got):
            off = [(g, label) for g, (slot, label) in zip(got, wanted, strict=True) if not _fits(g, slot)]
            if off and len(off) <= 2:
                return "; ".join(f"${short_text(g.value)}$ written where ${label()}$" for g, label in off)
        if expected is None:
            return "the value is right, but the numbers substituted are not the rule's"
        return f"the substituted expression gives ${_message(point, places)}$; the rule on the values above gives ${_message(expected, places)}$"


#: The radius each written number of a side stands for, from the number and its position there.
Radii = Callable[[Written, int], Fraction]

#: What a number of a substituted line may be: (value, signs aside; tolerance; the place the value
#: was written rounded to; its radius there).  A tolerance None means "as rounded", any rounding of the value.
Slot = list[tuple[Fraction, Fraction | None, int | None, Fraction]]

#: What a message says a slot's number is (``\beta_1 = 0.9``), worked out only for a message.
Label = Callable[[], str]

#: An entry of :func:`_rule_slots`: (slot, label) for a number of the rule, (None, name) for a name.
RuleSlot = tuple[Slot, Label] | tuple[None, str]


def _figures(w: Written) -> int:
    """The significant digits a written number shows: those of an integer's trailing zeros do not
    count (1000000 may be exact or rounded to any place; 57.9170 shows 6)."""
    figures = w.significant
    if w.places <= 0 and w.value and w.value.denominator == 1:
        n = abs(w.value.numerator) // 10 ** max(0, -w.places)
        while n and n % 10 == 0:
            n //= 10
            figures -= 1
    return figures


def _fits(w: Written, slot: Slot) -> bool:
    return _fit(w, slot) is not None


def _fit(w: Written, slot: Slot) -> Fraction | None:
    """The radius a written number stands for, when it can be what the slot holds (else None):
    within the tolerance (None: half a unit of its own last digit), or, when the value above was
    written rounded to some place, within that rounding and with more digits (``-1.99685`` for
    ``≈ -1.9968``: exact as written, so the printed arithmetic holds)."""
    value = w.size
    for center, tol, rounded_to, radius in slot:
        gap = _ZERO if center == value else abs(value - center)
        if gap <= (w.half if tol is None else tol):
            return radius
        if rounded_to is not None and w.places > rounded_to and gap <= _HALF_UNITS[rounded_to]:
            return _ZERO
    return None


_ZERO = Fraction(0)
_NOT_WRITTEN = frozenset("+-/")  # a sum, a difference or a quotient is never one written number
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


class _HalfUnits(dict):
    def __missing__(self, place: int) -> Fraction:
        self[place] = Fraction(10) ** -place / 2
        return self[place]


_HALF_UNITS = _HalfUnits()  # place -> half a unit there


def _replaced(node: Node, value: Fraction, by: Fraction) -> Node:
    """`node` with every written number equal to `value` replaced by `by`."""
    def number(part: Node) -> Node | None:
        w = as_written(part)
        if w is None:
            return None
        return Num(by) if w.value == value else Neg(Num(by)) if w.value == -value else part

    return replaced(node, number)


def _same_multiset(got: list[Written], wanted: list[tuple[Slot, Label]]) -> bool:
    """Whether the written numbers fill the wanted slots one to one (signs aside)."""
    if len(wanted) != len(got):
        return True  # laid out differently: the value alone decides
    free = [slot for slot, _ in wanted]
    for value in got:
        i = next((i for i, slot in enumerate(free) if _fits(value, slot)), None)
        if i is None:
            return False
        free.pop(i)
    return True


def _labelled(rule: Node, checker: ExerciseChecker, v: str, t: int, gradient: bool,
              source: Node | None = None) -> list[tuple[Slot, Label]]:
    """The numbers the rule's substituted line should show, with what each one is.  Each is a
    list of (value, tolerance): after a flagged line, the writer's value or the right one.
    A gradient's names are f's variables; a rule's are the optimizer's (its ``w`` is v's, and its
    ``d`` is Adadelta's step even where f has a variable d).  The rule's own numbers and their
    labels are the same on every line (:func:`_rule_slots`, worked out once per rule); only the
    names' values (the writer's state) and t are filled in here."""
    out: list[tuple[Slot, Label]] = []
    for entry in checker._rule_slots(rule, source):
        if entry[0] is None:
            _, name = entry
            if name == "t":
                out.append(([(Fraction(t), _ZERO, None, _ZERO)], lambda: f"t = {t}"))
                continue
            x, key = (name, "w") if gradient else (v, name)
            cands = checker._start(x) if gradient else checker.state[x].get(key)
            if cands:
                value = cands[0].value
                slot = [(c.size, None if c.computed else _ZERO if k == 0 else c.radius, c.places,
                         _ZERO if c.computed else c.radius)
                        for k, c in enumerate(cands)]
                def label(key: str = key, x: str = x, value: Fraction = value) -> str:
                    return f"{checker.notation.line(key, x, epoch=t)} = {short_text(value)}"

                out.append((slot, label))
        else:
            out.append(entry)
    return out


def _rule_slots(rule: Node, checker: ExerciseChecker, source: Node | None) -> list[RuleSlot]:
    """The part of :func:`_labelled` that does not depend on the line, in reading order: (slot,
    label) for each of the rule's own numbers, (None, name) for each name (its value is the
    line's).  A number folded from a part of hyperparameters is named by that part (``1 - \\beta =
    0.2``, even where alpha is 0.2 too), read from `source`, the rule before folding."""
    from ..printer import latex

    hyper_names = {value: name for name, value in checker.ex.hyper.items()}
    out: list[RuleSlot] = []

    def walk(node: Node, src: Node | None) -> None:
        w = as_written(node)
        if w is not None and decimals_of(w.value) is None:  # 1997/3 prints as \frac{1997}{3}: two numbers
            out.extend(_whole_slot(n) for n in (abs(w.value.numerator), w.value.denominator))
        elif w is not None:
            def label(w: Written = w, src: Node | None = src) -> str:  # worked out only for a message
                text = short_text(w.value)
                if src is not None and not isinstance(src, Num) and names(src) <= set(checker.ex.hyper):
                    return f"{latex(src, checker.notation.hyper)} = {text}"
                if w.value in hyper_names:
                    return f"{checker.notation.hyper(hyper_names[w.value])} = {text}"
                for name, h in checker.ex.hyper.items():
                    if w.value == 1 - h:
                        return f"1 - {checker.notation.hyper(name)} = {text}"
                return text
            slot: Slot = [(w.size, _ZERO, None, _ZERO)]
            out.append((slot, label))
        elif isinstance(node, Name):
            out.append((None, node.id))
        elif isinstance(node, Neg):
            walk(node.operand, src.operand if isinstance(src, Neg) else None)
        elif isinstance(node, Call):
            args = src.args if isinstance(src, Call) and len(src.args) == len(node.args) else None
            for k, a in enumerate(node.args):
                walk(a, args[k] if args is not None else None)
        elif isinstance(node, Bin):
            same = src if isinstance(src, Bin) and src.op == node.op else None
            walk(node.left, same.left if same is not None else None)
            walk(node.right, same.right if same is not None else None)

    walk(rule, source)
    return out


def _whole_slot(n: int) -> tuple[Slot, Label]:
    """A whole number of a rule (of 1997/3, printed as a fraction), labelled by itself."""
    return [(Fraction(n), _ZERO, None, _ZERO)], lambda: str(n)


def _rule_literals(rule: Node) -> list[Written]:
    """The numbers of a folded rule as a line prints them (1997/3 as 1997 and 3)."""
    out = []
    for w in literals(rule):
        out += [w] if decimals_of(w.value) is not None else [Written(Fraction(abs(w.value.numerator))), Written(Fraction(w.value.denominator))]
    return out


def _clip(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[:size] + " …"


def _describe(optimizer, options: dict[str, object], other: dict[str, object], notation=None) -> str:
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


def _message(ball: Ball, places: int) -> str:
    """A computed ball's midpoint as a message shows it (:func:`symopt.numbers.message_text`)."""
    return message_text(fraction(ball.mid), places)
