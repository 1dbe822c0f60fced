"""Checking a hand-worked solution line by line, from the writer's own numbers.

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

This module drives an exercise: it reads its lines in order (lines before the epochs, formula
lines, vector lines per component, skipped and unreadable lines) and hands each epoch line to the
pieces that do the work: :mod:`~symopt.check.rules` (the exercise's rules, compiled once),
:mod:`~symopt.check.names` (what a written name means), :mod:`~symopt.check.state` (the writer's
values and rounding), :mod:`~symopt.check.judge` (the verdict, by small steps) and
:mod:`~symopt.check.diagnosis` (what a wrong line got wrong); :mod:`~symopt.check.findings` holds
what they say.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
import gc

from .. import symbolic
from ..arith import Evaluator
from ..compiler import evaluator
from ..errors import SymoptError, UnknownName
from ..expr import Bin, Name, Node, names
from ..notation import DECAYED, name_latex
from ..plan import plan_of
from ..spec import Exercise
from .aliases import Ref
from .ball import DIGITS, Ball, BallArithmetic
from .data import DataLines
from .diagnosis import Diagnosis, describe
from .document import Document, MathLine, Section
from .findings import Finding, Findings
from .judge import Judge
from .mathtext import Written, as_written, parse_math, relations
from .names import Names
from .problem import classify, matching_variants
from .reading import PENDING, RELATION_TEX, components, general_formula, letters, operators, students
from .rules import Rules
from .state import Candidate, WriterState
from .table import TableChecker


def check_document(doc: Document, exercises: list[Exercise], slack: Fraction = Fraction(0)) -> list[Finding]:
    """Every exercise's findings, in line order; past the run's time limit (symopt.spec.deadline)
    the check stops at the next epoch, in one line."""
    from ..spec import deadline

    findings = [Finding(line, "unreadable", what) for line, what in doc.problems]
    until = deadline()
    with _young_heap():
        for n, (section, ex) in enumerate(zip(doc.sections, exercises, strict=True), start=1):
            findings += ExerciseChecker(n, section, ex, slack, doc.decimal_comma, until).run()
    return sorted(findings, key=lambda f: f.line)


@contextmanager
def _young_heap() -> Iterator[None]:
    """The check, with what the process held before it (SymPy's objects, the grammar's: some
    100 000) set aside from the cyclic garbage collector, which would otherwise walk them all on
    each of its full passes, several per thousand lines: a seventh of a long check's time.  They
    are handed back at the end (unless the process froze its own first: then it is left as it is)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class ExerciseChecker:
    """One exercise of a document, read in order: its pieces (:attr:`rules`, :attr:`names`,
    :attr:`state`, :attr:`diagnosis`, :attr:`judge`) and the findings they give (:attr:`out`)."""

    def __init__(self, number: int, section: Section, ex: Exercise, slack: Fraction, comma: bool = False,
                 until: float | None = None):
        self.number, self.section, self.ex, self.slack, self.until = number, section, ex, slack, until
        self.out = Findings(number, comma)
        plan = plan_of(ex)
        self.rules = Rules.of(plan, ex)  # the exercise's rules, shared with the engine's plan
        self.notation = self.rules.notation
        self.data = _data_lines(plan, ex, self.rules) if ex.data is not None else None
        self.names = Names(self.rules, ex, letters(section, ex.optimizer), self.data)
        self.state = WriterState(self.rules.balls, ex, self.rules.gradient)
        self._step: list[str] = []  # a dataset problem's lines of the step being read, in order
        if self.data is not None:
            self.state.pseudo = self.data.pseudo
        self.diagnosis = Diagnosis(self.rules, self.state, ex)
        self.judge = Judge(self.rules, self.names, self.state, self.diagnosis, self.out, ex, slack)
        # each epoch line's last side as the prescan read it, for the line's check (the reader's own
        # cache keeps MAX_PARSED sides, fewer than a long sheet's: without this, each is read twice)
        self._last_sides: dict[str, Node] = {}

    @property
    def findings(self) -> list[Finding]:
        return self.out.items

    # -- driving ---------------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        for math in self.section.given:
            self._given(math)
        self.state.rounding_shown(self._values_shown())
        after = {0: self._w_now()}  # the writer's w at the start and after each epoch, for the tables
        for block in self.section.epochs:
            if self.until is not None:
                from ..spec import past

                past(self.until, f"at line {block.line}", "check fewer exercises or epochs at a time")
            written: dict[str, set[str]] = {v: set() for v in self.ex.variables}
            self.state.begin_epoch()
            if self.data is not None:
                self._begin_step(block.number, written)
            for math in block.lines:
                self._epoch_line(math, block.number, written)
            if block.lines:  # a line the writer left out, or that could not be read, is the rule's
                self._fill_samples(None, block.number, written)
                for v in self.ex.variables:
                    self._fill_skipped(v, None, block.number, written)
                after[block.number] = self._w_now()
        if self.section.tables:
            tables = TableChecker(self.ex, self.names, self.state, self.rules.balls, self.out)
            for table in self.section.tables:
                tables.check(table, after)
        return self.findings

    def _w_now(self) -> dict[str, list[Candidate]]:
        return {v: list(self.state.values[v]["w"]) for v in self.ex.variables}

    def _values_shown(self) -> list[tuple[bool, Written]]:
        """Every epoch line's value, with whether it was written after ≈ (for the rounding policy,
        which is the writer's, not a line's: :meth:`WriterState.rounding_shown`)."""
        values = []
        for block in self.section.epochs:
            for line in block.lines:
                line = students(line)
                parts = self._parts(line)
                for text in parts or [line.text]:
                    sides, marks = relations(text)
                    if not marks:
                        continue
                    try:
                        tree = self._last_sides[sides[-1]] = parse_math(sides[-1])
                    except SymoptError:
                        continue
                    value = as_written(tree)
                    if value is not None:
                        values.append((marks[-1] == "≈", value))
        return values

    def _parts(self, math: MathLine) -> list[str] | None:
        """A vector line's components (``(w_1, w_2) = (…)``), or None for a line of one variable."""
        return components(math.text, len(self.ex.variables)) if len(self.ex.variables) > 1 and "," in math.text else None

    # -- lines before the epochs -----------------------------------------------------------------
    def _given(self, math: MathLine) -> None:
        if self.data is not None:
            written, math = math, self.data.rewrite(math)
            if self.data.given(math, self.out, written):
                return
        math = students(math)
        given = classify(math)
        if given.kind in ("function", "data"):
            return
        if given.kind == "other":
            if self._derivation(math):
                return
            parts = self._parts(math)
            if parts is not None and all(classify(MathLine(math.line, p, math.end)).kind != "other" for p in parts):
                for k, part in enumerate(parts):  # \nabla f = (0.2w_1, 4w_2): one derivative per variable
                    self._given(self._component(MathLine(math.line, part, math.end), k, None))
                return
            self.out.add(math, "unreadable", f"cannot tell what this line states: ${_clip(math.text)}$")
            return
        for lhs, tree in given.items:
            self._formula(math, lhs, tree)

    def _formula(self, math: MathLine, lhs: str, tree: Node) -> None:
        """A derivative (``dw_1 = 0.2w_1``) or a general formula (``V_t = \\beta V_{t-1} + …``)."""
        ref = self._gradient_of(lhs)
        if ref is not None:
            try:
                student = self.names.derivative_tree(tree)
            except UnknownName as e:
                self.out.add(math, "notation", f"${e.name}$: a name symopt does not know; the line is not checked")
                return
            self._derivative(math, [student], ref, lhs)
            return
        rules, opt = self.rules, self.ex.optimizer
        lhs, tree = general_formula(lhs, tree, opt, self.ex.variables, self.names.letters)
        quantity, matches = matching_variants(lhs, tree, opt, rules.balls, rules.variants, self.ex.variables)
        if quantity is None:
            self.out.add(math, "notation", f"${lhs}$: a name symopt does not know; the line is not checked")
        elif not matches:
            self.out.add(math, "notation", f"this is not {opt.title}'s rule for ${lhs}$; the epochs are checked against the rule", name=lhs)
        elif rules.stated not in matches:
            self.diagnosis.formula_stated = True
            used = rules.variants[matches[0]]
            stated = rules.variants[rules.stated]
            self.out.add(math, "notation", f"this formula follows {describe(opt, used, stated, self.notation)}, but the exercise uses {describe(opt, stated, used, self.notation)}", name=lhs)
        else:
            self.diagnosis.formula_stated = True
            self.out.add(math, "ok", "formula", name=lhs)

    def _probes(self, balls: BallArithmetic) -> list[dict[str, Ball]]:
        return [{x: balls.const(Fraction(p + 3 * i, 7)) for i, x in enumerate(self.ex.variables)} for p in (2, 5)]

    def _same(self, a: Evaluator, b: Evaluator, balls: BallArithmetic | None = None) -> bool:
        """Whether two derivatives agree at the probe points, in `balls` (the rules')."""
        balls = balls or self.rules.balls
        try:
            return all(balls.agree(a(env), b(env)) for env in self._probes(balls))
        except SymoptError:
            return False

    def _same_wider(self, a: Node, b: Node) -> bool:
        """Whether two derivatives that :meth:`_same` tells apart differ by rounding alone: a
        derivative written unsimplified whose terms cancel (the derivative of π w^3 - π w w^2 is 0;
        its terms' rounding at 50 digits is not).  At twice the digits their gap must shrink with
        the rounding; a gap of their values stays."""
        narrow, wide = self.rules.balls, BallArithmetic(2 * DIGITS)
        shrunk = Decimal(10) ** -(DIGITS // 2)
        try:
            gaps = [[arith.ctx.subtract(evaluator(a, arith, {})(env).mid, evaluator(b, arith, {})(env).mid).copy_abs()
                     for env in self._probes(arith)] for arith in (narrow, wide)]
        except SymoptError:
            return False
        floor = Decimal(10) ** -DIGITS  # (a gap that rounds to 0 at 50 digits: noise there too)
        return all(g2 <= max(g1, floor) * shrunk for g1, g2 in zip(*gaps, strict=True))

    def _gradient_of(self, lhs: str) -> Ref | None:
        """The variable's gradient a line's left side names (``dw_1``, ``\\frac{\\partial f}{\\partial x}``), or None."""
        ref = self.names.resolve(lhs)
        return ref if ref is not None and ref.kind == "quantity" and ref.key == "g" and ref.variable is not None else None

    def _derivation(self, math: MathLine) -> bool:
        """A derivative worked out step by step, ``\\frac{\\partial f}{\\partial x} = \\frac{\\partial}{\\partial x}\\left(x^2\\right)
        + 3 = 2x + 3``: a chain of its forms, a derivative still to take written as an operator on its
        argument (symopt's own derivations, steps = true, are read so).  Each form must be the
        derivative: an operator's derivative is taken by the rules (:func:`symopt.symbolic.derivative`),
        as written.  False when the line is no such chain: it is then read as any other."""
        sides, marks = relations(math.text)
        if len(sides) < 2 or any(m != "=" for m in marks):
            return False
        try:
            lhs = parse_math(sides[0])
        except SymoptError:
            return False
        ref = self._gradient_of(lhs.id) if isinstance(lhs, Name) else None
        if ref is None:
            return False
        forms = []
        try:
            for side in sides[1:]:
                read = operators(side)
                if read is None:
                    return False
                text, taken = read
                known = {PENDING % k: self._taken(x, u) for k, (x, u) in enumerate(taken)}
                forms.append(self.names.derivative_tree(parse_math(text), known))
        except UnknownName as e:
            self.out.add(math, "notation", f"${e.name}$: a name symopt does not know; the line is not checked")
            return True
        except (SymoptError, symbolic.NoRule):
            return False
        self._derivative(math, forms, ref, sides[0])
        return True

    def _taken(self, variable: str, argument: str) -> Node:
        """∂argument/∂variable, as written in a derivation, taken by the rules (in f's names)."""
        ref = self.names.resolve(variable)
        if ref is None or ref.kind != "quantity" or ref.key != "w" or ref.variable is None:
            raise SymoptError(f"{variable} is not a variable of f")
        return symbolic.derivative(self.names.derivative_tree(parse_math(argument)), ref.variable)

    def _derivative(self, math: MathLine, forms: list[Node], ref: Ref, lhs: str) -> None:
        """A variable's derivative written in one form or several (a derivation): each must be the
        right one; the last is carried forward when wrong."""
        v = ref.variable
        assert v is not None  # _formula and _derivation send only a variable's derivative here
        balls, gradients = self.rules.balls, self.state.gradients
        values = [evaluator(student, balls, {}) for student in forms]
        # right: the derivative, or the writer's own carried from an earlier line (error carried forward)
        right_forms = [any(self._same(value, known_value) or self._same_wider(student, known) for known, known_value in gradients[v])
                       for student, value in zip(forms, values, strict=True)]
        if all(right_forms):
            self.out.add(math, "ok", "derivative", quantity="dw", variable=v, name=lhs)
            return
        from .. import printer

        right = self.rules.gradient[v][0][0]  # the message states the true derivative, never the writer's carried one
        expected = printer.latex(right, self.notation.constant, euler="e" not in self.ex.variables)
        which = "the derivative is wrong" if len(forms) == 1 else f"step {right_forms.index(False) + 1} of the derivative is wrong"
        self.out.add(math, "formula", f"{which}: the derivative of $f$ with respect to ${name_latex(v)}$ is ${expected}$",
                     quantity="dw", variable=v, name=lhs, expected=expected)
        if not right_forms[-1]:  # the last form is the writer's derivative: carried forward
            gradients[v].insert(0, (forms[-1], values[-1]))

    # -- epoch lines ---------------------------------------------------------------------------------
    def _epoch_line(self, math: MathLine, t: int, written: dict[str, set[str]]) -> None:
        original, math = math, students(math if self.data is None else self.data.rewrite(math))
        parts = self._parts(math)
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
        ref = self.names.resolve(name) if name == lhs else None
        if ref is not None and ref.kind == "quantity":
            name = self.notation.line(ref.key, self.ex.variables[k], epoch=t)
        rest = "".join(f" {RELATION_TEX[m]} {side}" for m, side in zip(marks, sides[1:], strict=True))
        return MathLine(math.line, name + rest, math.end)

    def _line_ref(self, math: MathLine, lhs: Node, written: dict[str, set[str]], t: int, where: dict[str, object],
                  text: str) -> Ref | None:
        """The quantity of one variable a line's left side names, or None with a finding."""
        if isinstance(lhs, Bin) and lhs.op == "^" and isinstance(lhs.left, Name):
            lhs = lhs.left  # x^{(1)}, w_1^{(2)}, w_{1}^{2}: the iterate's step, not a power, on a line's left
        ref = self.names.resolve(lhs.id, written, epoch=t) if isinstance(lhs, Name) else None
        if ref is not None and ref.variable is None and ref.key in self.notation.per_epoch:
            ref = Ref("quantity", ref.key, self.ex.variables[0])  # the epoch's: checked once, for every variable
        if ref is None or ref.kind != "quantity" or ref.variable is None or ref.key not in self.rules.order:
            self.out.add(math, "notation", f"${_clip(text)}$: not a quantity of {self.ex.optimizer.title} for one variable; the line is not checked", **where)
            return None
        return ref

    def _one_line(self, math: MathLine, t: int, written: dict[str, set[str]], shown: str | None = None) -> None:
        where: dict[str, object] = {"epoch": t}  # the fields of each finding on the line
        state = self.state
        state.tighten()
        sides, marks = relations(math.text)
        if len(sides) < 2:
            self.out.add(math, "unreadable", "no '=' in this line; write it as name = … = value", **where)
            return
        try:
            lhs = parse_math(sides[0])
        except SymoptError as e:
            self.out.add(math, "unreadable", str(e), **where)
            return
        ref = self._line_ref(math, lhs, written, t, where, sides[0])
        if ref is None:
            return
        q, v = ref.key, ref.variable
        assert v is not None  # _line_ref gives a quantity of one variable
        if self.data is not None and not self._in_step(math, v, t, {**where, "name": shown or sides[0]}):
            return
        if q == "g" and "g" in written[v] and DECAYED in self.rules.order:
            q = DECAYED  # the second gradient line: weight decay as L2
        where.update(quantity="dw" if q in ("g", DECAYED) else q, variable=v, name=shown or sides[0])
        if v in self.state.pseudo:
            assert self.data is not None
            where.update(zip(("quantity", "variable"), self.data.fields(v), strict=True))
        if ref.warning:
            self.out.warn_once(math, ref.warning, f"${sides[0]}$: {ref.warning}", **where)
        trees: list[Node] = []
        for side in sides[1:]:
            try:
                tree = self._last_sides.pop(side, None)
                trees.append(parse_math(side) if tree is None else tree)
            except SymoptError as e:
                self.out.add(math, "unreadable", str(e), **where)
                self._carry_unread(sides, v, q, t, marks, written)
                return
        value = as_written(trees[-1])
        if value is None:
            self.out.add(math, "unreadable", "the line does not end in a number", **where)
            self._carry_unread(sides, v, q, t, marks, written)
            return
        self._fill_samples(v if q == "g" else None, t, written)
        self._fill_skipped(v, q, t, written)
        finding = self.judge.judge(math, q, v, t, sides[1:], trees, marks, where, value)
        state.learn(value, marks, finding.kind == "ok")
        state.carry(v, q, value, "≈" in marks, finding.right)
        written[v].add(q)
        if q in self.notation.per_epoch:
            state.share(v, q, written)

    # -- a dataset problem's steps -----------------------------------------------------------------
    def _begin_step(self, t: int, written: dict[str, set[str]]) -> None:
        """Step t of a dataset problem: its lines (each sample's, then the batch's gradients), each
        with its rule, as gradient lines of their own (symopt.check.data)."""
        assert self.data is not None
        state = self.state
        for line in self._step:  # the step before's sample lines are no values of this one
            if line in state.pseudo:
                state.values.pop(line, None)
        self._step = []
        for line, tree, evaluate in self.data.step(t):
            state.gradients[line] = [(tree, evaluate)]
            state.line_inputs[line] = tuple(sorted(names(tree) - {"pi"}))
            if line in state.pseudo:
                state.values[line] = {}
                written[line] = set()
            self._step.append(line)

    def _in_step(self, math: MathLine, v: str, t: int, where: dict[str, object]) -> bool:
        """Whether a dataset line's sample is in step t's batch (else a finding says so); a
        sample's line is named in findings by its quantity (yhat, e, dL) and parameter."""
        if v not in self.state.pseudo:
            return True
        assert self.data is not None
        where.update(zip(("quantity", "variable"), self.data.fields(v), strict=True))
        if v in self._step:
            return True
        batch = ", ".join(map(str, self.data.batch(t)))
        self.out.add(math, "notation", f"this sample is not in the batch of step {t} (samples {batch}); the line is not checked", **where)
        return False

    def _fill_samples(self, line: str | None, t: int, written: dict[str, set[str]]) -> None:
        """Compute, silently, the lines of a dataset step the writer skipped before `line` (a
        sample's line or a parameter's gradient; None: every one of them)."""
        if self.data is None:
            return
        upto = self._step.index(line) if line in self._step else len(self._step)
        for before in self._step[:upto]:
            if "g" not in written[before]:
                self._compute(before, "g", t)
                written[before].add("g")

    # -- what the writer did not write -----------------------------------------------------------
    def _fill_skipped(self, v: str, q: str | None, t: int, written: dict[str, set[str]]) -> None:
        """Compute, silently, what the writer skipped before this line in this epoch (before the
        epoch's end, with `q` None); a quantity of hyperparameters only (RAdam's rho_inf, written in
        the first epoch) keeps the value written."""
        order = self.rules.order
        for target in order[: order.index(q) if q is not None else len(order)]:
            if target in written[v]:
                continue
            if not (target in self.rules.constants and self.state.values[v].get(target)):
                self._compute(v, target, t)
            written[v].add(target)

    def _compute(self, v: str, target: str, t: int) -> None:
        """The rule's value of `target`, from the values above, as what later lines use."""
        expected = [e for k, e in self.judge.expected(target, v, t) if k == self.rules.stated]
        if expected:
            self.state.computed(v, target, expected[0])

    def _carry_unread(self, sides: tuple[str, ...], v: str, q: str, t: int, marks: tuple[str, ...], written: dict[str, set[str]]) -> None:
        """What later lines use after a line that cannot be read: the rule's value (as for a
        skipped line), and the written value too when its last side is a number."""
        self._fill_skipped(v, q, t, written)
        self._compute(v, q, t)
        try:
            value = as_written(parse_math(sides[-1]))
        except SymoptError:
            value = None
        if value is not None:
            values = self.state.values[v]
            computed = values.get(q, [])
            self.state.carry(v, q, value, "≈" in marks)
            values[q] = computed[:1] + values[q]
        written[v].add(q)


def _data_lines(plan, ex: Exercise, rules: Rules) -> DataLines:
    """A dataset exercise's names and step lines, made once and kept with its plan."""
    lines = plan.shared.get("data")
    if lines is None:
        lines = plan.shared["data"] = DataLines(ex, rules.notation, rules.balls)
    return lines


def _clip(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[:size] + " …"
