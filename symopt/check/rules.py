"""An exercise's rules as the checker uses them, compiled once per exercise and kept with its plan
(:mod:`symopt.plan`) for every document: the conventions a line may follow, each one's rules folded
and compiled, the names lines are written in, and what is worked out from them on first use (the
rules' numbers with what each one is, the rules with a hyperparameter changed).

Also the *slots* a substituted line is matched against: each number a rule's line should show,
with the tolerance it may be written with (:func:`fit`)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from ..compiler import Evaluator, evaluator, fold
from ..errors import SymoptError
from ..expr import Bin, Call, Name, Neg, Node, Num, names
from ..notation import GRADIENT_NAMES, Notation
from ..numbers import decimals_of, short_text
from ..plan import Plan
from ..spec import Exercise
from .aliases import Ref
from .ball import Ball, BallArithmetic
from .mathtext import HALF_UNITS, Written, as_written, literals
from .problem import rename, variants

#: What a number of a substituted line may be: (value, signs aside; tolerance; the place the value
#: was written rounded to; its radius there).  A tolerance None means "as rounded", any rounding of the value.
Slot = list[tuple[Fraction, Fraction | None, int | None, Fraction]]

#: What a message says a slot's number is (``\beta_1 = 0.9``), worked out only for a message.
Label = Callable[[], str]

#: An entry of :func:`rule_slots`: (slot, label) for a number of the rule, (None, name) for a name.
RuleSlot = tuple[Slot, Label] | tuple[None, str]

ZERO = Fraction(0)


class Rules:
    """What every document of an exercise shares, compiled once from the exercise's plan (its
    rules, folded trees, names and gradient, as the engine runs them); and the caches of what is
    worked out from them line by line."""

    def __init__(self, plan: Plan, ex: Exercise):
        self.ex = ex
        self.balls = BallArithmetic()
        self.probes: dict[tuple[int, str, str], Evaluator] = {}  # (variant, quantity, hyperparameter) -> the rule compiled with it changed
        self.rule_groups: dict[str, list[tuple[Evaluator, list[int]]]] = {}  # quantity -> [(compiled rule, the variants that share it)]
        self.distinct_rules: dict[tuple, bool] = {}  # (quantity, variants) -> whether their rules differ at all
        self.rule_pairs: dict[tuple[str, int], list[tuple[Node, Node | None]]] = {}  # (quantity, variant) -> the rule's trees
        self.rule_slots: dict[tuple[int, int], tuple[Node, Node | None, list[RuleSlot]]] = {}  # (id(rule), id(source)) -> (rule, source, slots)
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
        self.notation: Notation = plan.notation
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
        self.gradient: dict[str, tuple[tuple[Node, Evaluator], ...]] = {v: ((d, evaluator(d, self.balls, {})),) for v, d in zip(ex.variables, plan.gradient, strict=True)}

    @classmethod
    def of(cls, plan: Plan, ex: Exercise) -> Rules:
        """The exercise's rules, compiled once (kept with its plan: once per worker)."""
        rules = plan.shared.get("checker")
        if rules is None:
            rules = plan.shared["checker"] = cls(plan, ex)
        return rules

    def pairs(self, q: str, variant: int) -> list[tuple[Node, Node | None]]:
        """(the rule as substituted, the rule as stated) for a rule's `q` (not the gradient): each
        number of the first is a number or a part of hyperparameters of the second (``1 - \\beta``
        folded to 0.2)."""
        pairs = self.rule_pairs.get((q, variant))
        if pairs is None:  # the same for every line: folded once
            rule = self.rules[variant][q]
            pairs = [(fold(rule, self.ex.hyper), rule)]
            whole = self.inlined(variant, q)
            if whole is not None and whole is not rule:  # the bias correction written inside the update: \frac{-0.1/(1 - 0.9)}{…}
                pairs.append((fold(whole, self.ex.hyper), whole))
            self.rule_pairs[(q, variant)] = pairs
        return pairs

    def slots(self, rule: Node, source: Node | None) -> list[RuleSlot]:
        """:func:`rule_slots`, once per rule tree (the trees are kept, so their ids stay theirs)."""
        key = (id(rule), id(source))
        hit = self.rule_slots.get(key)
        if hit is None or hit[0] is not rule or hit[1] is not source:
            hit = self.rule_slots[key] = (rule, source, rule_slots(rule, self.ex.hyper, self.notation, source))
        return hit[2]

    def groups(self, q: str) -> list[tuple[Evaluator, list[int]]]:
        """The compiled rules for q, one per distinct folded rule, with the variants that share it."""
        groups = self.rule_groups.get(q)
        if groups is None:
            by_tree: dict[Node, tuple[Evaluator, list[int]]] = {}
            for k, compiled in enumerate(self.compiled):
                if q in compiled:
                    tree = fold(self.rules[k][q], self.ex.hyper)
                    by_tree.setdefault(tree, (compiled[q], []))[1].append(k)
            groups = self.rule_groups[q] = list(by_tree.values())
        return groups

    def inlined(self, k: int, q: str) -> Node | None:
        """Variant k's rule for q with its bias corrections written in (a changed β reaches the
        update through them too)."""
        rule = self.rules[k].get(q)
        if rule is None:
            return None
        inline = {x: r for x, r in self.rules[k].items() if x != q and x.endswith("_hat") and x in names(rule)}
        return rename(rule, lambda n: inline.get(n, Name(n)), False) if inline else rule

    def distinct(self, q: str, used: list[int]) -> bool:
        """Whether the rules of the conventions `used` differ at all (rules that are one tree cannot
        be told apart by any probe)."""
        key = (q, frozenset(used))
        if key not in self.distinct_rules:
            rules = [self.inlined(k, q) for k in set(used)]
            present = [rule for rule in rules if rule is not None]
            self.distinct_rules[key] = len(present) == len(rules) and len({fold(rule, self.ex.hyper) for rule in present}) > 1
        return self.distinct_rules[key]

    def probe(self, k: int, q: str, h: str, rule: Node, hyper: dict[str, Fraction]) -> Evaluator:
        """Variant k's `rule` for q compiled with hyperparameter h changed (`hyper`), once."""
        key = (k, q, h)
        compiled = self.probes.get(key)
        if compiled is None:
            compiled = self.probes[key] = evaluator(fold(rule, hyper), self.balls, hyper)
        return compiled


def safe(evaluate: Evaluator, env: dict[str, Ball]) -> Ball | None:
    """A compiled rule's value, or None where it has none (a name missing, a division by zero)."""
    try:
        return evaluate(env)
    except (SymoptError, KeyError, ZeroDivisionError):
        return None


def fits(w: Written, slot: Slot) -> bool:
    return fit(w, slot) is not None


def fit(w: Written, slot: Slot) -> Fraction | None:
    """The radius a written number stands for, when it can be what the slot holds (else None):
    within the tolerance (None: half a unit of its own last digit), or, when the value above was
    written rounded to some place, within that rounding and with more digits (``-1.99685`` for
    ``≈ -1.9968``: exact as written, so the printed arithmetic holds)."""
    value = w.size
    for center, tol, rounded_to, radius in slot:
        gap = ZERO if center == value else abs(value - center)
        if gap <= (w.half if tol is None else tol):
            return radius
        if rounded_to is not None and w.places > rounded_to and gap <= HALF_UNITS[rounded_to]:
            return ZERO
    return None


def rule_slots(rule: Node, hyper: dict[str, Fraction], notation: Notation, source: Node | None) -> list[RuleSlot]:
    """The part of a line's slots that does not depend on the line, in reading order: (slot,
    label) for each of the rule's own numbers, (None, name) for each name (its value is the
    line's).  A number folded from a part of hyperparameters is named by that part (``1 - \\beta =
    0.2``, even where alpha is 0.2 too), read from `source`, the rule before folding."""
    from ..printer import latex

    hyper_names = {value: name for name, value in hyper.items()}
    out: list[RuleSlot] = []

    def walk(node: Node, src: Node | None) -> None:
        w = as_written(node)
        if w is not None and decimals_of(w.value) is None:  # 1997/3 prints as \frac{1997}{3}: two numbers
            out.extend(_whole_slot(n) for n in (abs(w.value.numerator), w.value.denominator))
        elif w is not None:
            def label(w: Written = w, src: Node | None = src) -> str:  # worked out only for a message
                text = short_text(w.value)
                if src is not None and not isinstance(src, Num) and names(src) <= set(hyper):
                    return f"{latex(src, notation.hyper)} = {text}"
                if w.value in hyper_names:
                    return f"{notation.hyper(hyper_names[w.value])} = {text}"
                for name, h in hyper.items():
                    if w.value == 1 - h:
                        return f"1 - {notation.hyper(name)} = {text}"
                return text
            slot: Slot = [(w.size, ZERO, None, ZERO)]
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
    return [(Fraction(n), ZERO, None, ZERO)], lambda: str(n)


def rule_literals(rule: Node) -> list[Written]:
    """The numbers of a folded rule as a line prints them (1997/3 as 1997 and 3)."""
    out = []
    for w in literals(rule):
        out += [w] if decimals_of(w.value) is not None else [Written(Fraction(abs(w.value.numerator))), Written(Fraction(w.value.denominator))]
    return out
