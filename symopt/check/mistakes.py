"""Known mistakes in an optimizer's rule, as rewrites of the rule's tree.

A student who forgets the bias correction, swaps β and 1 − β, or adds the step instead of
subtracting it has not slipped in arithmetic: the rule itself is wrong.  Each mistake here is a
rewrite of a rule (:mod:`symopt.optimizers`' trees, names ``w g v s v_hat s_hat t`` and the
hyperparameters); the checker compiles the rewritten rules once and names the mistake when a
line follows one of them.  A rewrite that does not change a rule does not apply to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from ..expr import Bin, Call, Name, Node, Num, names, replaced, walk

STATE = {"w", "g", "v", "s", "v_hat", "s_hat"}


@dataclass(frozen=True)
class Mistake:
    key: str
    text: str  # what the writer did, in words a student reads ("the bias correction is left out")
    rewrite: Callable[[Node, frozenset], Node]  # (rule, hyperparameter names) -> the mistaken rule


def _no_bias_correction(rule: Node, hyper: frozenset) -> Node:
    def change(node: Node) -> Node | None:
        if isinstance(node, Bin) and node.op == "/" and "t" in names(node.right) and names(node.right) <= hyper | {"t"}:
            return node.left  # v / (1 - beta1^t) -> v
        if isinstance(node, Name) and node.id in ("v_hat", "s_hat"):
            return Name(node.id[0])  # the update on v and s themselves
        return None
    return replaced(rule, change)


def _bias_power(rule: Node, hyper: frozenset) -> Node:
    """v / (1 - beta1^t) -> v / (1 - beta1): the epoch's power left out."""
    return replaced(rule, lambda n: n.left if isinstance(n, Bin) and n.op == "^" and isinstance(n.left, Name)
                and n.left.id in hyper and n.right == Name("t") else None)


def _one_minus(node: Node) -> str | None:
    if isinstance(node, Bin) and node.op == "-" and node.left == Num(Fraction(1)) and isinstance(node.right, Name):
        return node.right.id
    return None


def _swapped(rule: Node, hyper: frozenset) -> Node:
    """beta * v + (1 - beta) * g -> (1 - beta) * v + beta * g."""
    nodes = list(walk(rule))
    both = {h for h in hyper if Name(h) in nodes and Bin("-", Num(Fraction(1)), Name(h)) in nodes}
    if not both:
        return rule

    def change(node: Node) -> Node | None:
        h = _one_minus(node)
        if h is not None and h in both:
            return Name(h)
        if isinstance(node, Name) and node.id in both:
            return Bin("-", Num(Fraction(1)), node)
        return None
    return replaced(rule, change)


def _beta_for_one_minus(rule: Node, hyper: frozenset) -> Node:
    """beta * v + (1 - beta) * g -> beta * v + beta * g."""
    nodes = list(walk(rule))

    def change(node: Node) -> Node | None:
        h = _one_minus(node)
        return Name(h) if h is not None and h in hyper and Name(h) in nodes else None
    return replaced(rule, change)


def _no_square(rule: Node, hyper: frozenset) -> Node:
    return replaced(rule, lambda n: n.left if isinstance(n, Bin) and n.op == "^" and n.left == Name("g") and n.right == Num(Fraction(2)) else None)


def _uphill(rule: Node, hyper: frozenset) -> Node:
    return replaced(rule, lambda n: Bin("+", n.left, n.right) if isinstance(n, Bin) and n.op == "-" and n.left == Name("w") else None)


def _no_root(rule: Node, hyper: frozenset) -> Node:
    return replaced(rule, lambda n: n.args[0] if isinstance(n, Call) and n.func == "sqrt" and names(n) & STATE else None)


MISTAKES = (
    Mistake("no_bias_correction", "the bias correction is left out (the moment is not divided by $1 - \\beta^t$)", _no_bias_correction),
    Mistake("bias_power", "the bias correction divides by $1 - \\beta$, not by $1 - \\beta^t$", _bias_power),
    Mistake("swapped", "$\\beta$ and $1 - \\beta$ are swapped", _swapped),
    Mistake("beta_for_one_minus", "$\\beta$ is written where $1 - \\beta$ belongs", _beta_for_one_minus),
    Mistake("no_square", "the gradient is not squared", _no_square),
    Mistake("uphill", "the step is added instead of subtracted", _uphill),
    Mistake("no_root", "the square root is left out", _no_root),
)


def mistaken(rules: dict[str, Node], hyper: set[str]) -> list[tuple[Mistake, dict[str, Node]]]:
    """Each known mistake that changes one of `rules`, with the rules it changes, rewritten."""
    out = []
    frozen = frozenset(hyper)
    for mistake in MISTAKES:
        changed = {}
        for target, rule in rules.items():
            new = mistake.rewrite(rule, frozen)
            if new != rule:
                changed[target] = new
        if changed:
            out.append((mistake, changed))
    return out
