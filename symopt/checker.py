"""Judging a hand-worked solution line by line, from the writer's own numbers.

A line ``lhs = e1 = e2 = … = value`` is judged in three steps, as an examiner marks:

1. *substitution*: the first numeric expression must be the optimizer's rule evaluated on the
   writer's previous numbers (symbolic steps such as ``\\frac{v_1}{1 - \\beta_1^1}`` must equal the
   rule too); when not, the number that is off is named ("0.8 written where γ = 0.9");
2. *arithmetic*: each ``=`` must hold within the rounding the writer showed -- a written number
   stands for everything within half a unit of its last digit (:mod:`symopt.ball`), plus `slack`
   units; a result off by less than one unit is a *rounding* slip;
3. a line with only a value (``dw_1 = 4``) is judged on the value.

Error carried forward: every line is judged from the values the writer wrote, so one slip is
reported once.  After a flagged line, later lines may use the writer's value or the right one.
A line that follows another convention than the stated formula (√Ŝ + ε where the formula says
√(Ŝ + ε)) is right, with one warning per exercise.  Skipped lines (no ``\\hat{v}`` line) are
computed silently.  The rules are compiled once per exercise; SymPy runs once, for the gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import islice, product

from . import symbolic
from .aliases import Ref, resolve
from .arith import mpf_fraction
from .ball import Ball, BallArithmetic
from .compiler import evaluator, fold
from .document import Document, MathLine, Section
from .errors import SymoptError
from .expr import Name, Node, Num, names
from .mathtext import Written, as_written, literals, parse_math, relations
from .numbers import decimal_text, decimals_of, round_half_away, scientific_text
from .notation import DECAYED as _DECAYED, GRADIENT_NAMES, name_latex, normal
from .problem import constant_node, classify, matching_variants, rename, rules_of, variants
from .spec import Exercise

SEVERITY = {"ok": "ok", "arithmetic": "error", "substitution": "error",
            "rounding": "warning", "notation": "warning", "unreadable": "warning"}
MAX_COMBINATIONS = 16  # candidate values tried per line after earlier errors
DECAYED = _DECAYED  # a rule that changes the gradient (weight decay as L2): its line is a second dw line


def _target(target: str) -> str:
    return DECAYED if target == "g" else target


@dataclass(frozen=True)
class Finding:
    line: int
    kind: str  # ok, arithmetic, substitution, rounding, notation, unreadable
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
        return self.message.replace("$", "")


@dataclass
class Candidate:
    """A value a later line may use: as written (ball and exact value) or the corrected one."""

    ball: Ball
    value: Fraction
    computed: bool = False  # the writer skipped its line: they may write it rounded anywhere
    places: int | None = None  # written rounded to this place: a later line may substitute it with more digits
    short: Written | None = None  # written after ≈ without trailing zeros: its place may be finer than it shows


def check_document(doc: Document, exercises: list[Exercise], slack: Fraction = Fraction(0)) -> list[Finding]:
    findings = [Finding(line, "unreadable", what) for line, what in doc.problems]
    for n, (section, ex) in enumerate(zip(doc.sections, exercises, strict=True), start=1):
        findings += ExerciseChecker(n, section, ex, slack).run()
    return sorted(findings, key=lambda f: f.line)


class ExerciseChecker:
    def __init__(self, number: int, section: Section, ex: Exercise, slack: Fraction):
        self.number, self.section, self.ex, self.slack = number, section, ex, slack
        self.balls = BallArithmetic()
        self.findings: list[Finding] = []
        self.warned: set[str] = set()
        # how the sheet rounds, for values whose trailing zeros it dropped: to decimals (the finest
        # place of a value of 4 or more digits, 0.1 or more) or to significant digits (the most written)
        self.decimals = 0
        self.digits = 0
        self.seen_approx = False  # the writer marks rounded values with ≈ (exact and precision sheets)
        opt = ex.optimizer
        stated = opt.effective_options(ex.options)
        # the conventions a line may follow: every variant the exercise's hyperparameters allow
        self.variants = [v for v in variants(opt) if set(opt.hyper_for(v)) <= set(ex.hyper)] or [stated]
        self.stated = next((k for k, v in enumerate(self.variants) if v == stated), 0)
        self.rules = [{_target(t): rhs for t, rhs in rules_of(opt, v).items()} for v in self.variants]
        self.order = ["g"] + list(self.rules[self.stated])  # targets in the order an epoch computes them
        # the exercise's own line names first (m_1 is RMSProp's M, not Adam's V), then the
        # reference sheet's for the same variables (v_1 for theta1); a quantity of the epoch
        # (NAdam's \mu_1) is read with the epoch's number
        self.notation = opt.notation(ex.variables, ex.options, ex.gradient_name)
        quantities = ["g", "w", *ex.state, *(t for rules in self.rules for t in rules)]
        self.own: dict[str, list[Ref]] = {}
        self.hypers = self.notation.hypers()
        self.constants = {t for t in self.notation.per_epoch
                          if all(not names(rules.get(t, Num(Fraction(0)))) - set(ex.hyper) for rules in self.rules)}
        others = [opt.notation(ex.variables, ex.options, g, layout) for layout in ("lecture", "reference") for g in GRADIENT_NAMES]
        for notation in (self.notation, *others):
            for name, (q, v) in notation.lines(quantities).items():
                refs = self.own.setdefault(name, [])
                if not any(r.key == q and r.variable == v for r in refs):
                    refs.append(Ref("quantity", q, v))
        self.compiled = [
            {target: evaluator(fold(rhs, ex.hyper), self.balls, ex.hyper) for target, rhs in rules.items()}
            for rules in self.rules
        ]
        self.folded_literals = [
            {target: [Fraction(x.value) for x in literals(fold(rhs, ex.hyper))] for target, rhs in rules.items()}
            for rules in self.rules
        ]
        gradient = symbolic.gradient(ex.function, list(ex.variables))
        self.gradients = {v: [(d, evaluator(d, self.balls, {}))] for v, d in zip(ex.variables, gradient, strict=True)}
        self.state: dict[str, dict[str, list[Candidate]]] = {
            v: {"w": [self._exact(ex.start[v])], **{s: [self._exact(ex.state[s][v])] for s in ex.state}}
            for v in ex.variables
        }

    def _resolve(self, name: str, written: dict[str, set[str]] | None = None, variable: str | None = None,
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
            return next((r for r in refs if r.key not in written[r.variable]), refs[-1])
        return next((r for r in refs if r.variable == variable), refs[0])

    # -- driving ---------------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        for math in self.section.given:
            self._given(math)
        self._rounding_shown()
        for block in self.section.epochs:
            written: dict[str, set[str]] = {v: set() for v in self.ex.variables}
            for math in block.lines:
                self._epoch_line(math, block.number, written)
        return self.findings

    def _add(self, math: MathLine, kind: str, message: str, **fields) -> Finding:
        finding = Finding(math.line, kind, message, exercise=self.number, end=math.end, **fields)
        self.findings.append(finding)
        return finding

    def _warn_once(self, math: MathLine, key: str, message: str, **fields) -> None:
        if key not in self.warned:
            self.warned.add(key)
            self._add(math, "notation", message, **fields)

    # -- lines before the epochs -----------------------------------------------------------------
    def _given(self, math: MathLine) -> None:
        given = classify(math)
        if given.kind in ("function", "data"):
            return
        if given.kind == "other":
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
        quantity, matches = matching_variants(lhs, tree, self.ex.optimizer, self.balls, self.variants, self.ex.variables)
        title = self.ex.optimizer.title
        if quantity is None:
            self._add(math, "notation", f"${lhs}$: a name symopt does not know; the line is not checked")
        elif not matches:
            self._add(math, "notation", f"this is not {title}'s rule for ${lhs}$; the epochs are checked against the rule", name=lhs)
        elif self.stated not in matches:
            used = self.variants[matches[0]]
            stated = self.variants[self.stated]
            self._add(math, "notation", f"this formula follows {_describe(self.ex.optimizer, used, stated, self.notation)}, but the exercise uses {_describe(self.ex.optimizer, stated, used, self.notation)}", name=lhs)
        else:
            self._add(math, "ok", "formula", name=lhs)

    def _derivative(self, math: MathLine, tree: Node, ref: Ref, lhs: str) -> None:
        v = ref.variable
        try:
            student = self._derivative_tree(tree)
        except KeyError as e:
            self._add(math, "notation", f"${e.args[0]}$: a name symopt does not know; the line is not checked")
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
        from . import printer

        expected = printer.latex(right, self.notation.constant, euler="e" not in self.ex.variables)
        self._add(math, "substitution", f"the derivative of $f$ with respect to ${name_latex(v)}$ is ${expected}$",
                  quantity="dw", variable=v, name=lhs, expected=expected)
        self.gradients[v].insert(0, (student, evaluator(student, self.balls, {})))  # carried forward

    # -- epoch lines ---------------------------------------------------------------------------------
    def _epoch_line(self, math: MathLine, t: int, written: dict[str, set[str]]) -> None:
        where = {"epoch": t}
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
        ref = self._resolve(lhs.id, written, epoch=t) if isinstance(lhs, Name) else None
        if ref is not None and ref.variable is None and ref.key in self.notation.per_epoch:
            ref = Ref("quantity", ref.key, self.ex.variables[0])  # the epoch's: checked once, for every variable
        if ref is None or ref.kind != "quantity" or ref.variable is None or ref.key not in self.order:
            self._add(math, "notation", f"${_clip(sides[0])}$: not a quantity of {self.ex.optimizer.title} for one variable; the line is not checked", **where)
            return
        q, v = ref.key, ref.variable
        if q == "g" and "g" in written[v] and DECAYED in self.order:
            q = DECAYED  # the second gradient line: weight decay as L2
        where.update(quantity="dw" if q in ("g", DECAYED) else q, variable=v, name=sides[0])
        if ref.warning:
            self._warn_once(math, ref.warning, f"${sides[0]}$: {ref.warning}", **where)
        trees = []
        for side in sides[1:]:
            try:
                trees.append(parse_math(side))
            except SymoptError as e:
                self._add(math, "unreadable", str(e), **where)
                self._carry_written(sides, v, q, marks, written)
                return
        value = as_written(trees[-1])
        if value is None:
            self._add(math, "unreadable", "the line does not end in a number", **where)
            return
        self._fill_skipped(v, q, t, written)
        finding = self._judge(math, q, v, t, sides[1:], trees, marks, where)
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

    def _judge(self, math, q, v, t, texts, trees, marks, where) -> Finding:
        value = as_written(trees[-1])
        unit = value.unit
        shown = texts[-1]
        expectations = self._expected(q, v, t)
        if not expectations:
            return self._add(math, "notation", "the rule for this line cannot be computed from the lines above; it is not checked", **where)
        stated = [e for k, e in expectations if k == self.stated] or [e for _, e in expectations]
        expected_text = lambda ball: _text(ball, value.places)

        # (1) symbolic steps, against the rule
        for text, tree in zip(texts, trees, strict=True):
            if not names(tree):
                continue
            try:
                ball = self._evaluate(tree, v, t, radii=None)
            except KeyError as e:
                return self._add(math, "notation", f"${e.args[0]}$: a name symopt does not know; the line is not checked", **where)
            except SymoptError as e:
                return self._add(math, "substitution", f"${text}$: {e}", **where)
            if not any(self.balls.agree(ball, e) for _, e in expectations):
                return self._add(math, "substitution", f"${text}$ is not the rule: it gives ${expected_text(ball)}$, the rule gives ${expected_text(stated[0])}$",
                                 written=text, expected=expected_text(stated[0]), right=stated[0], **where)

        numeric = [(text, tree) for text, tree in zip(texts, trees, strict=True) if not names(tree)]
        scope = self._rounded_scope(v, q)
        # (2) substitution: the first numeric expression is the rule on the writer's numbers
        first_text, first = numeric[0]
        if len(numeric) == 1:  # (3) only a value
            written_ball = self._ball(value, unit / 2)
            used = [k for k, e in expectations if self.balls.agree(written_ball, e, self._slack(unit))]
            if used:
                self._convention(math, used, where)
                return self._add(math, "ok", "value", written=shown, **where)
            e = stated[0]
            kind = "rounding" if self._rounding_slip(e, value, unit) else "arithmetic"
            return self._add(math, kind, f"${shown}$ written, expected ${expected_text(e)}$", written=shown, expected=expected_text(e), right=e, **where)
        try:
            point = self._evaluate(first, v, t, radii=None)
        except SymoptError as e:
            return self._add(math, "arithmetic", f"${first_text}$: {e}", **where)
        used = [k for k, e in expectations if self.balls.agree(point, e)]
        if not used:  # partly worked out in the head (-5 - 0.3 * (-3.1623)): new numbers are rounded
            known = self._known(q, v, t)
            try:
                loose = self._evaluate(first, v, t, radii=lambda w, _i: scope[w.value] if w.value in scope
                                       else Fraction(0) if w.value in known else w.half)
                used = [k for k, e in expectations if self.balls.agree(loose, e)]
            except SymoptError:
                pass
        if not used:
            e = stated[0]
            return self._add(math, "substitution", self._diagnose(first, q, v, t, point, e), written=first_text,
                             expected=expected_text(e), right=e, **where)
        if not self._same_numbers(first, q, v, t, used[0]):  # a close value from other numbers: (-1)^4, 14^{-6}
            return self._add(math, "substitution", self._diagnose(first, q, v, t, point, None, used[0]),
                             written=first_text, **where)
        self._convention(math, used, where)

        # (3) arithmetic: each = holds within the rounding shown
        # the substituted numbers stand for what they were rounded from; a number carried on to a
        # later side keeps its radius there, and a new number (a result worked out on the way) is rounded
        prev_text, prev_tree = numeric[0]
        aligned = next((a for k in sorted(used, key=lambda k: k != self.stated)
                        if (a := self._aligned(first, q, v, t, k)) is not None), None)
        radius_of: dict[Fraction, Fraction] = {}
        if aligned is None:  # laid out otherwise: by value, except for the rule's own numbers
            constants = {w.value for k in used for tree in self._rule_trees(q, v, k) for w in _rule_literals(tree)}
            scope = {value: radius for value, radius in scope.items() if value not in constants}
        first_radii = (lambda w, i: aligned[i]) if aligned else (lambda w, _i: scope.get(w.value, Fraction(0)))
        try:
            prev = self._evaluate(prev_tree, v, t, radii=first_radii, record=radius_of)
        except SymoptError as e:
            return self._add(math, "arithmetic", f"${prev_text}$: {e}", **where)
        for i, (text, tree) in enumerate(numeric[1:], start=1):
            last = i == len(numeric) - 1
            carried, radius_of = radius_of, {}
            half = (lambda w, _i: w.half) if last else (lambda w, _i, carried=carried: carried.get(w.value, w.half))
            try:
                cur = self._evaluate(tree, v, t, radii=half, record=radius_of)
            except SymoptError as e:
                return self._add(math, "arithmetic", f"${text}$: {e}", **where)
            if not self.balls.agree(prev, cur, self._slack(unit)):
                if last and self._rounding_slip(prev, value, unit):
                    return self._add(math, "rounding", f"${prev_text}$ rounds to ${expected_text(prev)}$, not ${text}$",
                                     written=text, expected=expected_text(prev), right=prev, **where)
                return self._add(math, "arithmetic", f"${prev_text}$ is ${expected_text(prev)}$, not ${text}$",
                                 written=text, expected=expected_text(prev), right=prev, **where)
            prev_text, prev_tree, prev = text, tree, cur
        return self._add(math, "ok", "ok", written=shown, **where)

    # -- values ------------------------------------------------------------------------------------
    def _exact(self, q: Fraction) -> Candidate:
        return Candidate(self.balls.ball(q), q)

    def _ball(self, w: Written, rad: Fraction) -> Ball:
        return self.balls.ball(w.value, rad)

    def _rounding_slip(self, right: Ball, value: Written, unit: Fraction) -> bool:
        """Less than one unit of the last written digit off: rounded the wrong way, or cut."""
        gap = abs(right.mid - self.balls.ball(value.value).mid)
        return bool(gap < self.balls.ball(unit).mid + right.rad + self._slack(unit))

    def _slack(self, unit: Fraction):
        return self.balls.ball(self.slack * unit).mid if self.slack else 0

    def _rule_env(self, v: str, t: int, combo: dict[str, Candidate]) -> dict:
        env = {k: c.ball for k, c in combo.items()}
        env["t"] = self.balls.const(Fraction(t))
        return env

    def _combos(self, keys: list[tuple[str, str]]):
        """Every choice of candidate for the (variable, quantity) keys, the writer's first."""
        lists = [self.state[v].get(k, []) for v, k in keys]
        return islice(product(*lists), MAX_COMBINATIONS)

    def _expected(self, q: str, v: str, t: int) -> list[tuple[int, Ball]]:
        """(variant, value) for every convention and every candidate of the inputs."""
        out = []
        if q == "g":
            keys = [(x, "w") for x in self.ex.variables]
            for _tree, evaluate in self.gradients[v]:
                for combo in self._combos(keys):
                    env = {x: c.ball for (x, _), c in zip(keys, combo, strict=True)}
                    value = self._safe(evaluate, env)  # the same under every convention
                    out += [(k, value) for k in range(len(self.variants))]
            return [(k, b) for k, b in out if b is not None]
        keys = [(v, k) for k in self.state[v] if k != DECAYED]
        for combo in self._combos(keys):
            env = self._rule_env(v, t, {k: c for (_, k), c in zip(keys, combo, strict=True)})
            for k, compiled in enumerate(self.compiled):
                if q in compiled:
                    out.append((k, self._safe(compiled[q], env)))
        return [(k, b) for k, b in out if b is not None]

    def _safe(self, evaluate, env) -> Ball | None:
        try:
            return evaluate(env)
        except (SymoptError, KeyError, ZeroDivisionError):
            return None

    def _fill_skipped(self, v: str, q: str, t: int, written: dict[str, set[str]]) -> None:
        """Compute, silently, what the writer skipped before this line in this epoch; a quantity of
        hyperparameters only (RAdam's rho_inf, written in the first epoch) keeps the value written."""
        for target in self.order[: self.order.index(q)]:
            if target in written[v]:
                continue
            if target in self.constants and self.state[v].get(target):
                written[v].add(target)
                continue
            expected = [e for k, e in self._expected(target, v, t) if k == self.stated]
            if expected:
                self.state[v][target] = [Candidate(expected[0], mpf_fraction(expected[0].mid), computed=True)]
                if target == DECAYED:
                    self.state[v]["g"] = self.state[v][target]
                written[v].add(target)

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
        candidates = [Candidate(self.balls.ball(value.value, radius), value.value, places=places if rounded else None, short=short)]
        if right is not None:
            shown = round_half_away(mpf_fraction(right.mid), value.places)
            gap = abs(self.balls.ball(shown).mid - right.mid) + right.rad
            candidates.append(Candidate(Ball(self.balls.ball(shown).mid, gap), shown, places=value.places))
        self.state[v][q] = candidates
        if q == DECAYED:  # later rules use the decayed gradient
            self.state[v]["g"] = candidates

    def _rounding_shown(self) -> None:
        """How the sheet rounds what it marks with ≈, from all its epoch lines at once: a value
        shortened in epoch 1 (v_x ≈ 0.36) stands for half a unit of the 4th decimal when later
        values show 4 (found trying symopt as a new user: 1.9200 for 1.8947 passed in exact mode)."""
        for block in self.section.epochs:
            for math in block.lines:
                sides, marks = relations(math.text)
                if not marks or marks[-1] != "≈":
                    continue
                try:
                    value = as_written(parse_math(sides[-1]))
                except SymoptError:
                    continue
                if value is None:
                    continue
                if value.significant >= 4 and abs(value.value) >= Fraction(1, 10):
                    self.decimals = max(self.decimals, value.places)
                self.digits = max(self.digits, _figures(value))

    def _place(self, value: Written) -> int:
        """The place a value written after ≈ was rounded to (see :meth:`_carry`)."""
        if value.value and not value.padded and value.places < self.decimals and value.significant < self.digits:
            exponent = value.significant - value.places - 1  # of its leading digit
            return min(self.decimals, self.digits - 1 - exponent)
        return value.places

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
                    values[q] = [Candidate(self.balls.ball(first.value, radius), first.value, places=places, short=first.short),
                                 *cands[1:]]

    def _carry_written(self, sides, v, q, marks, written) -> None:
        """An unreadable line still gives its value, when its last side is a number."""
        try:
            value = as_written(parse_math(sides[-1]))
        except SymoptError:
            return
        if value is not None:
            self._carry(v, q, value, "≈" in marks)
            written[v].add(q)

    def _rounded_scope(self, v: str, q: str) -> dict[Fraction, Fraction]:
        """Written value -> its radius, for the rounded values this line may substitute."""
        scope: dict[Fraction, Fraction] = {}
        sources = [(x, "w") for x in self.ex.variables] if q == "g" else [(v, k) for k in self.state[v]]
        sources += [(x, k) for x in self.ex.variables if x != v for k in self.state[x] if k not in ("w", "g")]
        for x, k in sources:
            for c in self.state[x].get(k, []):
                if c.ball.rad:
                    scope[c.value] = mpf_fraction(c.ball.rad)
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

    def _evaluate(self, tree: Node, v: str, t: int, radii, record: dict | None = None) -> Ball:
        """A side of the line as a ball: names are the writer's current values; each written
        number gets the radius ``radii(number, position)`` (None: no numbers are widened), its
        position that in :func:`literals` (exponents count, though they are exact).  `record`
        gets each number's radius."""
        env: dict[str, Ball] = {}
        counter = [0]
        position = [0]

        def leaf(name: str) -> Node:
            ref = self._resolve(name, variable=v, epoch=t)
            if ref is None:
                raise KeyError(name)
            fixed = self._fixed(ref)
            if fixed is not None:
                return fixed
            if ref.kind == "t":
                return Num(Fraction(t))
            x = ref.variable or v
            key = f"{ref.key}@{x}"
            cands = self.state[x].get(ref.key)
            if not cands:
                raise KeyError(name)
            env[key] = cands[0].ball
            return Name(key)

        def widen(node: Node) -> Node:
            w = as_written(node) if radii else None
            if w is not None:
                counter[0] += 1
                key = f"#{counter[0]}"
                radius = radii(w, position[0])
                position[0] += 1
                if record is not None:
                    record[w.value] = max(record.get(w.value, Fraction(0)), radius)
                env[key] = self.balls.ball(w.value, radius)
                return Name(key)
            if isinstance(node, Num) or isinstance(node, Name):
                return node
            if hasattr(node, "operand"):
                return type(node)(widen(node.operand))
            if hasattr(node, "args"):
                return type(node)(node.func, tuple(widen(a) for a in node.args))
            if node.op == "^":  # an exponent is exact as written
                left = widen(node.left)
                position[0] += len(literals(node.right))
                return type(node)(node.op, left, node.right)
            return type(node)(node.op, widen(node.left), widen(node.right))

        renamed = rename(widen(tree), lambda n: n.startswith("#") and Name(n) or leaf(n), "e" not in self.ex.variables)
        try:
            return evaluator(renamed, self.balls, {})(env)
        except ZeroDivisionError:
            raise SymoptError("division by zero") from None

    def _fixed(self, ref: Ref) -> Node | None:
        """A name whose value the exercise fixes: a hyperparameter, or e."""
        if ref.kind == "hyper":
            return Num(self.ex.hyper[ref.key])
        if ref.kind == "constant":
            return constant_node(ref.key)
        return None

    def _derivative_tree(self, tree: Node) -> Node:
        """A written derivative in f's own names: w_1 -> w1; KeyError for any other quantity."""
        def leaf(name: str) -> Node:
            ref = self._resolve(name)
            if ref is not None and ref.kind == "quantity" and ref.key == "w" and ref.variable is not None:
                return Name(ref.variable)
            fixed = None if ref is None else self._fixed(ref)
            if fixed is None:
                raise KeyError(name)
            return fixed

        return rename(tree, leaf, "e" not in self.ex.variables)

    def _convention(self, math: MathLine, used: list[int], where: dict) -> None:
        if self.stated in used or not used:
            return
        self._warn_once(
            math, "convention",
            f"the arithmetic follows {_describe(self.ex.optimizer, self.variants[used[0]], self.variants[self.stated], self.notation)}, "
            f"but the stated formula has {_describe(self.ex.optimizer, self.variants[self.stated], self.variants[used[0]], self.notation)}; "
            "the line is checked as written", **where)

    def _rule_trees(self, q: str, v: str, variant: int) -> list[Node]:
        """The rule for `q`; for the gradient, the writer's derivative and the right one."""
        if q == "g":
            return [tree for tree, _ in self.gradients[v]]
        return [fold(self.rules[variant][q], self.ex.hyper)]

    def _same_numbers(self, first: Node, q: str, v: str, t: int, variant: int) -> bool:
        """Whether the writer's numbers are the rule's, in any order and sign, when they are as many
        (``0.1 * (-1)^4`` has the right value but not the rule's numbers)."""
        got = literals(first)
        return any(_same_multiset(got, _labelled(tree, self, v, t, q == "g")) for tree in self._rule_trees(q, v, variant))

    def _aligned(self, first: Node, q: str, v: str, t: int, variant: int) -> list[Fraction] | None:
        """The radius of each number of the substituted expression, when its numbers line up one
        by one with the rule's: a rule's own number is exact where it stands (the 1 of
        ``1 - 0.9^2`` is not ``r_t ≈ 1``), a value from above has the radius it was written with."""
        got = literals(first)
        for tree in self._rule_trees(q, v, variant):
            wanted = _labelled(tree, self, v, t, q == "g")
            if len(wanted) == len(got):
                radii = [_fit(w, slot) for w, (slot, _) in zip(got, wanted, strict=True)]
                if all(r is not None for r in radii):
                    return radii
        return None

    def _diagnose(self, first: Node, q: str, v: str, t: int, point: Ball, expected: Ball | None, variant: int | None = None) -> str:
        """Name the number that is off, when the writer's expression lines up with the rule's."""
        wanted = _labelled(self._rule_trees(q, v, self.stated if variant is None else variant)[0], self, v, t, q == "g")
        got = literals(first)
        places = max((w.places for w in got), default=4)
        if len(wanted) == len(got):
            off = [(g, label) for g, (slot, label) in zip(got, wanted, strict=True) if not _fits(g, slot)]
            if off and len(off) <= 2:
                return "; ".join(f"${_plain(g.value)}$ written where ${label}$" for g, label in off)
        if expected is None:
            return "the value is right, but the numbers substituted are not the rule's"
        return f"the substituted expression gives ${_text(point, places)}$; the rule on the values above gives ${_text(expected, places)}$"


#: What a number of a substituted line may be: (value, tolerance, the place the value was written
#: rounded to, its radius there).  A tolerance None means "as rounded", any rounding of the value.
Slot = list[tuple[Fraction, Fraction | None, int | None, Fraction]]


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
    for center, tol, rounded_to, radius in slot:
        gap = abs(abs(w.value) - abs(center))
        if gap <= (w.half if tol is None else tol):
            return radius
        if rounded_to is not None and w.places > rounded_to and gap <= Fraction(10) ** -rounded_to / 2:
            return Fraction(0)
    return None


def _same_multiset(got: list[Written], wanted: list[tuple[Slot, str]]) -> bool:
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


def _labelled(rule: Node, checker: ExerciseChecker, v: str, t: int, gradient: bool) -> list[tuple[Slot, str]]:
    """The numbers the rule's substituted line should show, with what each one is.  Each is a
    list of (value, tolerance): after a flagged line, the writer's value or the right one.
    A gradient's names are f's variables; a rule's are the optimizer's (its ``w`` is v's, and its
    ``d`` is Adadelta's step even where f has a variable d)."""
    hyper_names = {value: name for name, value in checker.ex.hyper.items()}
    out = []

    def walk(node: Node) -> None:
        w = as_written(node)
        if w is not None and decimals_of(w.value) is None:  # 1997/3 prints as \frac{1997}{3}: two numbers
            out.extend(([(Fraction(n), Fraction(0), None, Fraction(0))], str(n)) for n in (abs(w.value.numerator), w.value.denominator))
        elif w is not None:
            label = _plain(w.value)
            if w.value in hyper_names:
                label = f"{checker.notation.hyper(hyper_names[w.value])} = {label}"
            else:
                for name, h in checker.ex.hyper.items():
                    if w.value == 1 - h:
                        label = f"1 - {checker.notation.hyper(name)} = {label}"
            out.append(([(w.value, Fraction(0), None, Fraction(0))], label))
        elif isinstance(node, Name):
            if node.id == "t":
                out.append(([(Fraction(t), Fraction(0), None, Fraction(0))], f"t = {t}"))
                return
            x, key = (node.id, "w") if gradient else (v, node.id)
            cands = checker.state[x].get(key)
            if cands:
                value = cands[0].value
                slot = [(c.value, None if c.computed else Fraction(0) if k == 0 else mpf_fraction(c.ball.rad), c.places,
                         Fraction(0) if c.computed else mpf_fraction(c.ball.rad))
                        for k, c in enumerate(cands)]
                out.append((slot, f"{checker.notation.line(key, x, epoch=t)} = {_plain(value)}"))
        elif hasattr(node, "operand"):
            walk(node.operand)
        elif hasattr(node, "args"):
            for a in node.args:
                walk(a)
        elif hasattr(node, "left"):
            walk(node.left)
            walk(node.right)

    walk(rule)
    return out


def _rule_literals(rule: Node) -> list[Written]:
    """The numbers of a folded rule as a line prints them (1997/3 as 1997 and 3)."""
    out = []
    for w in literals(rule):
        out += [w] if decimals_of(w.value) is not None else [Written(Fraction(abs(w.value.numerator))), Written(Fraction(w.value.denominator))]
    return out


def _clip(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[:size] + " …"


def _plain(q: Fraction) -> str:
    try:
        return decimal_text(q)
    except ValueError:
        return f"{q.numerator}/{q.denominator}"


def _text(ball: Ball, places: int) -> str:
    """A computed value as the report shows it: to at least 4 decimals, more if the writer used more."""
    q = mpf_fraction(ball.mid)
    rounded = round_half_away(q, max(places, 4))
    if rounded == 0 and q != 0:
        return scientific_text(q, 5).replace(" \\cdot 10^{", "e").rstrip("}")
    return decimal_text(rounded)


def _describe(optimizer, options: dict[str, object], other: dict[str, object], notation=None) -> str:
    """How `options` differ from `other`, in the options' own words: ``ε outside the square root``."""
    notation = notation or optimizer.notation(("w1", "w2"))
    notes = []
    for name, choice in options.items():
        if other.get(name) == choice:
            continue
        note = notation.fill(optimizer.options[name][choice].note.get("en", ""))
        note = note.removeprefix("Convention: ").split(",")[0].split(":")[0].rstrip(".").replace("$\\epsilon$", "ε").replace("$", "")
        notes.append(note or f"{name} = {choice}")
    return "; ".join(notes) or "the rule"
