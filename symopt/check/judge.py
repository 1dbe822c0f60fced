"""Judging an epoch line, from the writer's own numbers (error carried forward): small steps that
each give a finding or pass the line on (its formula steps, a lone value, the substitution, the
arithmetic of each ``=``), reading the writer's state (:mod:`symopt.check.state`) and asking the
diagnosis (:mod:`symopt.check.diagnosis`) what a wrong line got wrong."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from ..errors import SymoptError, UnknownName
from ..expr import Bin, Call, Name, Neg, Node, Num, names, walk
from ..notation import Notation, name_latex
from ..numbers import constant_latex, short_text
from ..spec import Exercise
from .ball import Ball, fraction
from .diagnosis import Diagnosis, message
from .document import MathLine
from .findings import Finding, Findings
from .mathtext import Written, as_written, literals
from .names import Names
from .rules import ZERO, Label, Rules, RuleSlot, Slot, fit, fits, rule_literals, safe
from .state import WriterState

#: The radius each written number of a side stands for, from the number and its position there.
Radii = Callable[[Written, int], Fraction]

_NOT_WRITTEN = frozenset("+-/")  # a sum, a difference or a quotient is never one written number


@dataclass
class Judged:
    """An epoch line as the judging steps see it (:meth:`Judge.judge`): what it is about, what it
    shows, the rule's values, and what the steps found on the way."""

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
    aligned: list[Fraction] | None = None  # the first numeric side's radii, where its numbers line up with the stated rule's

    @classmethod
    def of(cls, math: MathLine, q: str, v: str, t: int, texts: tuple[str, ...], trees: list[Node],
           marks: tuple[str, ...], where: dict[str, object], value: Written, expectations: list[tuple[int, Ball]],
           stated: int) -> Judged:
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
        return message(ball, self.value.places)


class Judge:
    """The verdicts on one document's epoch lines: it reads the writer's state and the names, asks
    the diagnosis, and adds its findings to `out`."""

    def __init__(self, rules: Rules, names: Names, state: WriterState, diagnosis: Diagnosis, out: Findings,
                 ex: Exercise, slack: Fraction):
        self.rules, self.names, self.state, self.diagnosis, self.out = rules, names, state, diagnosis, out
        self.ex, self.slack = ex, slack
        self.balls = rules.balls
        self.stated = rules.stated
        self.loose = False  # a line held only within the rounding of the values it substitutes
        # for the line being judged: (id(tree), q, v, t) -> (tree, its labelled slots), and id(side) -> (side,
        # its literals); each kind read back by its own key, in _wanted and _literals
        self._line_wanted: dict[object, tuple[Node, list]] = {}

    def judge(self, math: MathLine, q: str, v: str, t: int, texts: tuple[str, ...], trees: list[Node],
              marks: tuple[str, ...], where: dict[str, object], value: Written) -> Finding:
        """An epoch line's verdict, by steps that each give a finding or pass the line on: its
        formula steps, a lone value, the substitution, the arithmetic of each ``=``."""
        self._line_wanted.clear()
        expectations = self.expected(q, v, t)
        if not expectations:
            return self.out.add(math, "notation", "the rule for this line cannot be computed from the lines above; it is not checked", **where)
        line = Judged.of(math, q, v, t, texts, trees, marks, where, value, expectations, self.stated)
        for step in (self._formula_steps, self._lone_value, self._substitution, self._arithmetic):
            finding = step(line)
            if finding is not None:
                return finding
        return self.out.add(math, "ok", "ok", written=line.shown, **where)

    def _flag(self, line: Judged, kind: str, message: str, written: str, right: Ball) -> Finding:
        """A finding on `line` that says what the value should be."""
        return self.out.add(line.math, kind, message, written=written, expected=line.text_of(right), right=right, **line.where)

    def _convention(self, line: Judged, used: list[int]) -> None:
        said = self.diagnosis.convention(used)
        if said is not None:
            self.out.warn_once(line.math, "convention", said, **line.where)

    # -- the steps ---------------------------------------------------------------------------------
    def _formula_steps(self, line: Judged) -> Finding | None:
        """A side with names is a step of the formula: it is checked against the rule."""
        for text, tree, named in zip(line.texts, line.trees, line.named, strict=True):
            if not named:
                continue
            try:
                ball = self.evaluate(tree, line.v, line.t, radii=None)
            except UnknownName as e:
                return self.out.add(line.math, "notation", f"${e.name}$: a name symopt does not know; the line is not checked", **line.where)
            except SymoptError as e:
                return self.out.add(line.math, "substitution", f"${text}$: {e}", **line.where)
            if not any(self.balls.agree(ball, e) for _, e in line.expectations):
                right = line.right
                mistake = self.diagnosis.mistake(line.q, line.v, line.t, ball)
                if mistake is not None:
                    return self._flag(line, "formula", f"{mistake}: ${text}$ follows it; the rule gives ${line.text_of(right)}$", text, right)
                return self._flag(line, "substitution", f"${text}$ is not the rule: it gives ${line.text_of(ball)}$, the rule gives ${line.text_of(right)}$",
                                  text, right)
        return None

    def _lone_value(self, line: Judged) -> Finding | None:
        """A line with one number after its formula steps: that value, against the rule's."""
        if len(line.numeric) != 1:
            return None
        value, shown = line.value, line.shown
        written_ball = self.balls.ball(value.value, self.state.radius(value))
        used = [k for k, e in line.expectations if self.balls.agree(written_ball, e, self._slack(value.unit))]
        if used:
            self._convention(line, used)
            return self.out.add(line.math, "ok", "value", written=shown, **line.where)
        right = line.right
        mistake = self.diagnosis.mistake(line.q, line.v, line.t, written_ball)
        if mistake is not None:
            return self._flag(line, "formula", f"{mistake}; the rule gives ${line.text_of(right)}$", shown, right)
        kind = "rounding" if self.diagnosis.rounding_slip(right, value) else "arithmetic"
        return self._flag(line, kind, f"${shown}$ written, expected ${line.text_of(right)}$", shown, right)

    def _substitution(self, line: Judged) -> Finding | None:
        """The first numeric side is the rule on the writer's numbers: its value is the rule's
        under some convention (`line.used`), and its numbers are the rule's."""
        q, v, t = line.q, line.v, line.t
        first_text, first = line.numeric[0]
        line.scope = scope = self.state.rounded_scope(v, q)
        try:
            line.point = point = self.evaluate(first, v, t, radii=None)
        except SymoptError as e:
            return self.out.add(line.math, "arithmetic", f"${first_text}$: {e}", **line.where)
        used = [k for k, e in line.expectations if self.balls.agree(point, e)]
        if not used:  # partly worked out in the head (-5 - 0.3 * (-3.1623)): new numbers are rounded
            known = self.state.known(q, t, self.rules.folded_literals)
            try:
                loose = self.evaluate(first, v, t, radii=lambda w, _i: scope.get(w.value, ZERO if w.value in known else w.half))
                used = [k for k, e in line.expectations if self.balls.agree(loose, e)]
            except SymoptError:
                pass
        if not used:
            used = self._left_out(line, first, point)
        if not used:
            right = line.right
            mistake = self.diagnosis.mistake(q, v, t, point, first)
            if mistake is not None:
                return self._flag(line, "formula", f"{mistake}: ${first_text}$ follows it; the rule gives ${line.text_of(right)}$", first_text, right)
            return self._flag(line, "substitution", self._diagnose(first, q, v, t, point, right), first_text, right)
        if len(set(used)) > 1:  # ε = 10^-6 inside or outside the root: the same value to the digits shown
            used = self.diagnosis.discriminate(first, q, v, t, used, lambda tree: self.evaluate(tree, v, t, radii=None))
        # the conventions whose numbers the line shows, the stated one first (where every value is 0,
        # every convention gives the value; the numbers tell which one was written)
        line.order = order = sorted(dict.fromkeys(used), key=lambda k: k != self.stated)
        if order[0] == self.stated:  # the rule's numbers one by one (the common case), or in another order
            line.aligned = self._aligned(first, q, v, t, order[0])
            if line.aligned is not None or self._same_numbers(first, q, v, t, order[0]):
                line.used, line.complete = [order[0]], False  # no warning to give; the rest only if the arithmetic needs it
                return None
        shown = [k for k in order if self._same_numbers(first, q, v, t, k)]
        if not shown:  # a close value from other numbers: (-1)^4, 14^{-6}
            return self.out.add(line.math, "substitution", self._diagnose(first, q, v, t, point, None, order[0]),
                                written=first_text, **line.where)
        self._convention(line, shown)
        line.used = shown
        return None

    def _arithmetic(self, line: Judged) -> Finding | None:
        """Each ``=`` after the substitution holds within the rounding shown.  The substituted
        numbers stand for what they were rounded from; a number carried on to a later side keeps
        its radius there, and a new number (a result worked out on the way) is rounded."""
        q, v, t, value, used, scope = line.q, line.v, line.t, line.value, line.used, line.scope
        prev_text, first = line.numeric[0]
        prev_tree = first
        aligned = line.aligned if line.aligned is not None else next(
            (a for k in sorted(used, key=lambda k: k != self.stated) if (a := self._aligned(first, q, v, t, k)) is not None), None)
        if aligned is None and not line.complete:  # the stated convention's numbers do not line up: the others'
            used = line.used = [k for k in line.order if self._same_numbers(first, q, v, t, k)]
            line.complete = True
            aligned = next((a for k in sorted(used, key=lambda k: k != self.stated)
                            if (a := self._aligned(first, q, v, t, k)) is not None), None)
        radius_of: dict[tuple[int, int, int], Fraction] = {}  # (numerator, denominator, places) -> radius (_shown)
        if aligned is None:  # laid out otherwise: by value, except for the rule's own numbers
            constants = {w.value for k in used for tree in self.rule_trees(q, v, k) for w in rule_literals(tree)}
            scope = {number: radius for number, radius in scope.items() if number not in constants}
        first_radii: Radii = (lambda w, i: aligned[i]) if aligned else (lambda w, _i: scope.get(w.value, ZERO))
        try:
            prev = self.evaluate(prev_tree, v, t, radii=first_radii, record=radius_of)
        except SymoptError as e:
            return self.out.add(line.math, "arithmetic", f"${prev_text}$: {e}", **line.where)
        slack = self._slack(value.unit)
        for i, (text, tree) in enumerate(line.numeric[1:], start=1):
            last = i == len(line.numeric) - 1
            carried, radius_of = radius_of, {}
            half: Radii
            if last:
                half = lambda w, _i: self.state.radius(w)
            elif line.approx_before[i]:  # a number carried on may be shown rounded here
                def rounded(w: Written, _i: int, carried: dict[tuple[int, int, int], Fraction] = carried) -> Fraction:
                    kept = carried.get(_shown(w))
                    return w.half if kept is None or kept < w.half else kept
                half = rounded
            else:  # a number carried on keeps its radius: the same value written the same way
                def kept(w: Written, _i: int, carried: dict[tuple[int, int, int], Fraction] = carried) -> Fraction:
                    radius = carried.get(_shown(w))
                    return w.half if radius is None else radius
                half = kept
            try:
                cur = self.evaluate(tree, v, t, radii=half, record=radius_of)
            except SymoptError as e:
                return self.out.add(line.math, "arithmetic", f"${text}$: {e}", **line.where)
            if not self.balls.agree(prev, cur, slack):
                if last and self.diagnosis.rounding_slip(prev, value):
                    return self._flag(line, "rounding", f"${prev_text}$ rounds to ${line.text_of(prev)}$, not ${text}$", text, prev)
                return self._flag(line, "arithmetic", f"${prev_text}$ is ${line.text_of(prev)}$, not ${text}$", text, prev)
            if last and i == 1 and not self.loose:  # does it hold from the numbers as written?
                strict = line.point  # the first side at the numbers as written (the substitution's)
                assert strict is not None  # _substitution, which passed the line on, set it
                if not self.balls.agree(strict, cur, slack):
                    if self.diagnosis.rounding_slip(strict, value):  # a writer who works from the page rounded wrong
                        return self._flag(line, "rounding", f"${prev_text}$ rounds to ${line.text_of(strict)}$, not ${text}$", text, strict)
                    self.loose = True  # the writer carries more than the page shows (an exact sheet)
            prev_text, prev_tree, prev = text, tree, cur
        return None

    # -- what a step compares ------------------------------------------------------------------------
    def _slack(self, unit: Fraction) -> Decimal | int:
        return self.balls.ball(self.slack * unit).mid if self.slack else 0

    def _left_out(self, line: Judged, first: Node, point: Ball) -> list[int]:
        """[the stated convention] when the substitution is the stated rule with a hyperparameter
        left out that changes none of the digits shown (``\\sqrt{0.00303}`` for ``\\sqrt{0.00303 +
        10^{-8}}``), as a hand solution may do; one warning per exercise says so.  Else []."""
        q, v, t = line.q, line.v, line.t
        rule = self.rules.inlined(self.stated, q)
        if rule is None or q == "g" or abs(fraction(point.mid) - fraction(line.right.mid)) > line.value.half:
            return []
        shown = {abs(w.value) for w in self._literals(first)}
        keys = self.state.rule_keys(v)
        for h, value in self.ex.hyper.items():
            if not value or abs(value) in shown or h not in names(rule):
                continue
            hyper = {**self.ex.hyper, h: ZERO}
            compiled = self.rules.probe(self.stated, q, h + "=0", rule, hyper)
            for combo in self.state.combos(keys):
                got = safe(compiled, self.state.rule_env(t, {k: c for (_, k), c in zip(keys, combo, strict=True)}))
                if got is not None and self.balls.agree(point, got):
                    said = (f"${name_latex(h)} = {constant_latex(value)}$ is left out of the substitution; it changes none "
                            "of the digits shown, so the line is checked as written")
                    self.out.warn_once(line.math, f"left out {h}", said, **line.where)
                    return [self.stated]
        return []

    def expected(self, q: str, v: str, t: int) -> list[tuple[int, Ball]]:
        """(variant, value) for every convention and every candidate of the inputs."""
        out = []
        state = self.state
        if q == "g":
            keys = [(x, "@w") for x in state.inputs(v)]
            for _tree, evaluate in state.gradients[v]:
                for combo in state.combos(keys):
                    env = {x: c.ball for (x, _), c in zip(keys, combo, strict=True)}
                    value = safe(evaluate, env)  # the same under every convention
                    out += [(k, value) for k in range(len(self.rules.variants))]
            return [(k, b) for k, b in out if b is not None]
        keys = state.rule_keys(v)
        groups = self.rules.groups(q)
        for combo in state.combos(keys):
            env = state.rule_env(t, {k: c for (_, k), c in zip(keys, combo, strict=True)})
            for evaluate, members in groups:  # conventions with the same rule for q: computed once
                value = safe(evaluate, env)
                out += [(k, value) for k in members]
        out.sort(key=lambda pair: pair[0])  # (stable: per variant, the writer's candidates first)
        return [(k, b) for k, b in out if b is not None]

    def rule_trees(self, q: str, v: str, variant: int) -> list[Node]:
        """The rule for `q`; for the gradient, the writer's derivative and the right one."""
        return [tree for tree, _ in self.rule_pairs(q, v, variant)]

    def rule_pairs(self, q: str, v: str, variant: int) -> list[tuple[Node, Node | None]]:
        """(the rule as substituted, the rule as stated) for `q` (:meth:`Rules.pairs`); for the
        gradient, the derivatives the line may follow."""
        if q == "g":
            return [(tree, None) for tree, _ in self.state.gradients[v]]
        return self.rules.pairs(q, variant)

    def _wanted(self, tree: Node, source: Node | None, q: str, v: str, t: int) -> list[tuple[Slot, Label]]:
        """:func:`labelled` for this line, worked out once per line and rule."""
        key = (id(tree), q, v, t)
        hit = self._line_wanted.get(key)
        if hit is None or hit[0] is not tree:
            slots = self.rules.slots(tree, source)
            hit = self._line_wanted[key] = (tree, labelled(slots, self.state, self.rules.notation, v, t, q == "g"))
        return hit[1]

    def _literals(self, tree: Node) -> list[Written]:
        """:func:`literals` of a side, once per line (the substitution checks each read them)."""
        hit = self._line_wanted.get(id(tree))
        if hit is None or hit[0] is not tree:
            hit = self._line_wanted[id(tree)] = (tree, literals(tree))
        return hit[1]

    def _same_numbers(self, first: Node, q: str, v: str, t: int, variant: int) -> bool:
        """Whether the writer's numbers are the rule's, in any order and sign, when they are as many
        (``0.1 * (-1)^4`` has the right value but not the rule's numbers)."""
        got = self._literals(first)
        for k, (tree, source) in enumerate(self.rule_pairs(q, v, variant)):
            wanted = self._wanted(tree, source, q, v, t)
            if (k == 0 or len(wanted) == len(got)) and _same_multiset(got, wanted):
                return True  # (an alternative form, the bias correction inline, counts when it lines up)
        if q == "g":  # the derivative in another form (2(3 - 1) or 2 \cdot 3 - 2), at the right values
            used = [x for x in self.ex.variables if x in names(self.state.gradients[v][0][0])]
            shown = {abs(w.value) for w in got}
            return all(abs(self.state.start(x)[0].value) in shown for x in used)
        return False

    def _aligned(self, first: Node, q: str, v: str, t: int, variant: int) -> list[Fraction] | None:
        """The radius of each number of the substituted expression, when its numbers line up one
        by one with the rule's: a rule's own number is exact where it stands (the 1 of
        ``1 - 0.9^2`` is not ``r_t ≈ 1``), a value from above has the radius it was written with."""
        got = self._literals(first)
        for tree, source in self.rule_pairs(q, v, variant):
            wanted = self._wanted(tree, source, q, v, t)
            if len(wanted) == len(got):
                radii: list[Fraction] = []
                for w, (slot, _) in zip(got, wanted, strict=True):
                    radius = fit(w, slot)
                    if radius is None:
                        break
                    radii.append(radius)
                else:
                    return radii
        return None

    def _diagnose(self, first: Node, q: str, v: str, t: int, point: Ball, expected: Ball | None, variant: int | None = None) -> str:
        """Name the number that is off (:meth:`Diagnosis.diagnose`), against the rule's numbers."""
        tree, source = self.rule_pairs(q, v, self.stated if variant is None else variant)[0]
        return self.diagnosis.diagnose(self._literals(first), self._wanted(tree, source, q, v, t), point, expected)

    # -- evaluating a side ---------------------------------------------------------------------------
    def evaluate(self, tree: Node, v: str, t: int, radii: Radii | None, record: dict[tuple[int, int, int], Fraction] | None = None) -> Ball:
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
        radius_of: Radii = radii or (lambda _w, _i: ZERO)

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
                    _record(record, w, radius)
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
        ref = self.names.resolve(n, variable=v, epoch=t)
        if ref is None:
            raise UnknownName(n)
        if ref.kind == "hyper":
            return balls.const(self.ex.hyper[ref.key])
        if ref.kind == "constant":
            return balls.call("exp", balls.const(Fraction(1))) if ref.key == "e" else balls.pi()
        if ref.kind == "data" and self.names.data is not None:
            return balls.const(self.names.data.value(ref))
        if ref.kind == "t":
            return balls.const(Fraction(t))
        cands = self.state.values[ref.variable or v].get(ref.key)
        if not cands:
            raise UnknownName(n)
        return cands[0].ball


def _shown(w: Written) -> tuple[int, int, int]:
    """A written number as a key: its value and places as integers (a Fraction's hash costs a
    modular inverse, and its comparisons ABC checks, each time: this runs for every number of
    every side)."""
    value = w.value
    return value.numerator, value.denominator, w.places


def _record(record: dict[tuple[int, int, int], Fraction], w: Written, radius: Fraction) -> None:
    """The largest radius a written number had on a side, by :func:`_shown`."""
    shown = _shown(w)
    before = record.get(shown)
    if before is None or before < radius:
        record[shown] = radius


def _same_multiset(got: list[Written], wanted: list[tuple[Slot, Label]]) -> bool:
    """Whether the written numbers fill the wanted slots one to one (signs aside)."""
    if len(wanted) != len(got):
        return True  # laid out differently: the value alone decides
    free = [slot for slot, _ in wanted]
    for value in got:
        i = next((i for i, slot in enumerate(free) if fits(value, slot)), None)
        if i is None:
            return False
        free.pop(i)
    return True


def labelled(slots: list[RuleSlot], state: WriterState, notation: Notation, v: str, t: int,
             gradient: bool) -> list[tuple[Slot, Label]]:
    """The numbers the rule's substituted line should show, with what each one is.  Each is a
    list of (value, tolerance): after a flagged line, the writer's value or the right one.
    A gradient's names are f's variables; a rule's are the optimizer's (its ``w`` is v's, and its
    ``d`` is Adadelta's step even where f has a variable d).  The rule's own numbers and their
    labels are the same on every line (`slots`, :func:`symopt.check.rules.rule_slots`, worked out
    once per rule); only the names' values (the writer's state) and t are filled in here."""
    out: list[tuple[Slot, Label]] = []
    for entry in slots:
        if entry[0] is None:
            _, name = entry
            if name == "t":
                out.append(([(Fraction(t), ZERO, None, ZERO)], lambda: f"t = {t}"))
                continue
            x, key = (name, "w") if gradient else (v, name)
            cands = state.start(x) if gradient else state.values[x].get(key)
            if cands:
                value = cands[0].value
                slot = [(c.size, None if c.computed else ZERO if k == 0 else c.radius, c.places,
                         ZERO if c.computed else c.radius)
                        for k, c in enumerate(cands)]
                def label(key: str = key, x: str = x, value: Fraction = value) -> str:
                    return f"{notation.line(key, x, epoch=t)} = {short_text(value)}"

                out.append((slot, label))
        else:
            out.append(entry)
    return out
