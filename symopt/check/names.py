"""What a name written in a document means: a quantity of one variable, a hyperparameter, a
constant, t; read in the document's own letters (the Adam paper's m_t, v_t) and with step indices
(``\\theta_1``, ``v_{x,2}``) as the quantity without them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UnknownName
from ..expr import Name, Node, Num
from ..notation import normal, relettered, stepped
from ..spec import Exercise
from .aliases import Ref, resolve
from .problem import constant_node, rename
from .rules import Rules

if TYPE_CHECKING:
    from .data import DataLines


class Names:
    """The names of one document's exercise: the exercise's (:class:`Rules`), in the document's letters."""

    def __init__(self, rules: Rules, ex: Exercise, letters: dict[str, str], data: DataLines | None = None):
        self.rules, self.ex, self.letters = rules, ex, letters
        self.notation = rules.notation
        self.data = data  # a dataset problem's names of a sample (symopt.check.data), read first

    def resolve(self, name: str, written: dict[str, set[str]] | None = None, variable: str | None = None,
                epoch: int | None = None) -> Ref | None:
        """What `name` means, in the document's letters (the Adam paper's m_t, v_t are v, s); a
        name with a step index (``\\theta_1``, ``v_{x,2}``, ``x_t``) is the quantity without it, when
        the index is not part of a name the problem knows (w_1 in a problem in w1, w2)."""
        if self.data is not None:
            hit = self.data.resolve(name)
            if hit is not None:
                return hit
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
        refs = self.rules.own.get(normal(name))
        if not refs:
            hyper = self.rules.hypers.get(normal(name))
            return Ref("hyper", hyper) if hyper else resolve(name, self.ex.variables, tuple(self.ex.hyper))
        if written is not None:
            for r in refs:
                assert r.variable is not None  # Rules.own holds the lines of one variable (Notation.lines)
                if r.key not in written[r.variable]:
                    return r
            return refs[-1]
        return next((r for r in refs if r.variable == variable), refs[0])

    def fixed(self, ref: Ref) -> Node | None:
        """A name whose value the exercise fixes: a hyperparameter, or e."""
        if ref.kind == "hyper":
            return Num(self.ex.hyper[ref.key])
        if ref.kind == "constant":
            return constant_node(ref.key)
        if ref.kind == "data" and self.data is not None:
            return Num(self.data.value(ref))
        return None

    def derivative_tree(self, tree: Node, known: dict[str, Node] | None = None) -> Node:
        """A written derivative in f's own names: w_1 -> w1; UnknownName for any other quantity.
        `known`: names that stand for trees already in f's names (a derivation's operators)."""
        def leaf(name: str) -> Node:
            if known and name in known:
                return known[name]
            ref = self.resolve(name)
            if ref is not None and ref.kind == "quantity" and ref.key == "w" and ref.variable is not None:
                return Name(ref.variable)
            fixed = None if ref is None else self.fixed(ref)
            if fixed is None:
                raise UnknownName(name)
            return fixed

        return rename(tree, leaf, "e" not in self.ex.variables)
