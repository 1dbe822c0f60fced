"""A dataset problem's lines, for the checker (:mod:`symopt.dataset`): the names of sample i's
quantities (``\\hat{y}^{(2)}``, ``e^{(2)}``), columns (``x_1^{(2)}``) and gradients
(``\\frac{\\partial L^{(2)}}{\\partial w}``), the lines of each step in order, and the problem's
formula lines before the steps.

Each line of a step is read as the engine writes it, a rule over the sample's columns: a sample's
quantity or gradient is a *line of its own* (a key such as ``yhat#2``, ``dL:w#2``) whose rule is a
tree over the step's parameters, the sample's columns (as numbers) and the quantities before it;
a parameter's gradient line (``dw``) is the batch's, the mean or the sum of its samples'.  The
exercise checker judges each of them as it judges a gradient line (:mod:`symopt.check.judge`),
from the writer's own numbers, so a slip in ``e^{(1)}`` is flagged once and carried forward.  With a
spec the checker knows each step's batch (:meth:`symopt.dataset.Dataset.schedule`).
"""

from __future__ import annotations

from fractions import Fraction
import re

from ..compiler import Evaluator, evaluator
from ..dataset import batch_tree, written_loss
from ..errors import SymoptError
from ..expr import Node, map_names, names
from ..notation import SAMPLE_SYMBOLS, Notation, normal
from ..spec import Exercise
from .aliases import Ref
from .ball import BallArithmetic
from .document import MathLine
from .findings import Findings
from .mathtext import parse_math, relations

#: ``\\frac{\\partial L^{(2)}}{\\partial w}`` (or ``L_2``, ``L_{2}``, ``\\dfrac``): the gradient of a sample's loss
_GRADIENT = re.compile(r"\\d?frac\{\s*\\partial\s*L\s*(?:\^\{\s*\(\s*(?P<a>[0-9]+|i)\s*\)\s*\}|_\{?\s*(?P<b>[0-9]+|i)\s*\}?)\s*\}"
                       r"\{\s*\\partial\s*(?P<v>[^{}]*?(?:\{[^{}]*\}[^{}]*?)?)\s*\}")
_LOSS = re.compile(r"L\s*\^\{\s*\(\s*(?P<i>[0-9]+|i)\s*\)\s*\}")
_TOKEN = re.compile(r"^(?P<base>.*?)_\{(?P<sub>[^{}]*?)\((?P<i>[0-9]+|i)\)\}$")  # x_{(2)}, x_{1(2)}: what rewrite() writes
_PLAIN_INDEX = re.compile(r"^(?P<base>.*?)_(?:\{(?P<i>[0-9]+)\}|(?P<j>[0-9]))$")  # \\hat{y}_2, e_{2}


def key(q: str, i: int) -> str:
    """A sample's line as the checker's state keeps it: ``yhat#2``, ``dL:w#2``."""
    return f"{q}#{i}"


class DataLines:
    """The names and step lines of one dataset exercise, worked out once (kept with its plan)."""

    def __init__(self, ex: Exercise, notation: Notation, balls: BallArithmetic):
        data = ex.data
        assert data is not None
        self.ex, self.data, self.notation, self.balls = ex, data, notation, balls
        self.quantities = {q for q, _ in data.samples}
        # the bases names are written with: a quantity's letter (\\hat{y}), a column's name (x_1)
        self.bases: dict[str, tuple[str, str]] = {}  # base as printed -> ("quantity" | "column", name)
        for q in self.quantities:
            self.bases[SAMPLE_SYMBOLS[q]] = ("quantity", q)
        for c, _ in data.columns:
            self.bases[notation.variable(c)] = ("column", c)
        self.params = {normal(notation.variable(v)): v for v in ex.variables}
        alternatives = "|".join(re.escape(b) for b in sorted(self.bases, key=len, reverse=True))
        self._sample = re.compile(rf"(?<![A-Za-z\\])(?P<base>{alternatives})\s*\^\{{\s*\(\s*(?P<i>[0-9]+|i)\s*\)\s*\}}")
        self._steps: dict[tuple[int, ...], list[tuple[str, Node, Evaluator]]] = {}
        self.pseudo: set[str] = set()
        for i in range(1, data.n + 1):  # (its names, for messages: \\hat{y}^{(2)} = 0.5)
            for q in self.quantities:
                self.pseudo.add(key(q, i))
                notation.name(key(q, i), notation.sample(q, i))
            for v in ex.variables:
                self.pseudo.add(key("dL:" + v, i))
                notation.name(key("dL:" + v, i), notation.sample_gradient(v, i))

    # -- names -----------------------------------------------------------------------------------
    def rewrite(self, math: MathLine) -> MathLine:
        """A line with its sample names as single names the reader parses: ``\\hat{y}^{(2)}`` as
        ``\\hat{y}_{(2)}``, ``x_1^{(2)}`` as ``x_{1(2)}``, ``\\frac{\\partial L^{(2)}}{\\partial w}`` as
        ``L_{2,w}``, ``L^{(i)}`` as ``L_{(i)}``."""
        text = math.text
        if "partial" in text:
            text = _GRADIENT.sub(lambda m: "L_{" + (m.group("a") or m.group("b")) + "," + m.group("v").strip() + "}", text)
        if "^{" in text:
            text = self._sample.sub(_token, text)
            text = _LOSS.sub(lambda m: "L_{(" + m.group("i") + ")}", text)
        return math if text == math.text else MathLine(math.line, text, math.end)

    def resolve(self, name: str) -> Ref | None:
        """What a (rewritten) name of a dataset line means: a sample's line (a quantity of its own,
        ``Ref("quantity", "g", "yhat#2")``), a column's value (``Ref("data", "x", "2")``), or None."""
        text = normal(name)
        if text.startswith("L_{") and "," in text:
            index, _, v = text[3:-1].partition(",")
            param = self.params.get(normal(v))
            if param is not None and index.isdigit() and 1 <= int(index) <= self.data.n:
                return Ref("quantity", "g", key("dL:" + param, int(index)))
            return None
        m = _TOKEN.match(text)
        if m is not None:
            base = m.group("base") + ("_" + m.group("sub") if m.group("sub") else "")
            return self._ref(base, m.group("i"))
        m = _PLAIN_INDEX.match(text)
        if m is not None and self.bases.get(m.group("base"), ("", ""))[0] == "quantity":  # \\hat{y}_2, e_2
            return self._ref(m.group("base"), m.group("i") or m.group("j"))
        return None

    def _ref(self, base: str, index: str) -> Ref | None:
        kind, name = self.bases.get(_braced(base), self.bases.get(base, ("", "")))
        if not kind or not index.isdigit() or not 1 <= int(index) <= self.data.n:
            return None
        if kind == "column":
            return Ref("data", name, index)
        return Ref("quantity", "g", key(name, int(index)))

    def value(self, ref: Ref) -> Fraction:
        """A column's value for the sample a data name names."""
        assert ref.variable is not None
        return self.data.column(ref.key)[int(ref.variable) - 1]

    def fields(self, line: str) -> tuple[str, str]:
        """A line's quantity and variable for a finding: ``("yhat", "")``, ``("dL", "w")``."""
        q = line.partition("#")[0]
        if q.startswith("dL:"):
            return "dL", q[3:]
        return q, ""

    # -- a step's lines ----------------------------------------------------------------------------
    def batch(self, t: int) -> tuple[int, ...]:
        """The samples of step t (numbered from 1), past the spec's epochs too."""
        data = self.data
        epochs = max(self.ex.epochs, -(-t // data.steps_per_epoch))
        return data.schedule(epochs)[t - 1][1]

    def step(self, t: int) -> list[tuple[str, Node, Evaluator]]:
        """Step t's lines in order, each (its line: a sample's key or a parameter, its rule, the
        rule compiled): for each sample of the batch its quantities and gradients, then each
        parameter's gradient (the batch's; a batch of one sample has its gradients named so)."""
        samples = self.batch(t)
        hit = self._steps.get(samples)
        if hit is None:
            hit = self._steps[samples] = self._step(samples)
        return hit

    def _step(self, samples: tuple[int, ...]) -> list[tuple[str, Node, Evaluator]]:
        data, variables = self.data, self.ex.variables
        single = len(samples) == 1
        out: list[tuple[str, Node]] = []
        for i in samples:
            def local(name: str, i: int = i) -> str | None:
                return key(name, i) if name in self.quantities else None

            for q, tree in data.samples:
                out.append((key(q, i), map_names(data.sample_tree(tree, i), local)))
            for v, d in zip(variables, data.gradient, strict=True):
                out.append((v if single else key("dL:" + v, i), map_names(data.sample_tree(d, i), local)))
        if not single:
            combine = batch_tree(len(samples), data.reduction)
            for v in variables:
                def sample(name: str, v: str = v) -> str:  # #k: the k-th sample of the batch's gradient
                    return key("dL:" + v, samples[int(name[1:]) - 1])

                out.append((v, map_names(combine, sample)))
        return [(line, tree, evaluator(tree, self.balls, {})) for line, tree in out]

    # -- the lines before the steps ---------------------------------------------------------------
    def given(self, math: MathLine, out: Findings, written: MathLine) -> bool:
        """A formula line of the problem (the model, the loss, a sample's gradient, the batch's),
        checked against the problem's own: True when the line is one of them (its finding given).
        `math` is the line :meth:`rewrite` made of `written`, which messages quote."""
        sides, marks = relations(math.text)
        if len(sides) < 2 or "=" not in marks:
            return False
        lhs = normal(sides[0])
        name = relations(written.text)[0][0]
        meaning = self._general(lhs)
        if meaning is None:
            return False
        what, rule = meaning
        if rule is None:  # J = ..., dw = \frac{1}{|B_t|} \sum ...: a definition, stated as the sheet states it
            out.add(math, "ok", "formula", name=name)
            return True
        for side in sides[1:]:
            if "\\sigma" in side or "\\sum" in side or normal(side).startswith("L_{i,"):  # σ(z^{(i)}), a sum, ∂L^{(i)}/∂w
                continue
            try:
                tree = self._generic(parse_math(side))
            except SymoptError:
                out.add(math, "unreadable", f"cannot read ${side}$ as a formula of the problem", name=name)
                return True
            if not self._same(tree, rule):
                from .. import printer

                expected = printer.latex(rule, self._printed_name)
                kind = "formula" if what == "gradient" else "notation"
                out.add(math, kind, f"this is not the problem's ${name}$: it is ${expected}$", name=name, expected=expected)
                return True
        out.add(math, "ok", "formula", name=name)
        return True

    def _general(self, lhs: str) -> tuple[str, Node | None] | None:
        """What a formula line's left side names, and the rule it must equal (None: a definition
        that is not compared): a sample quantity, the loss, a sample's gradient, J, a batch gradient."""
        data = self.data
        if lhs.startswith("J(") or lhs == "J":
            return "loss", None
        if lhs in ("L_{(i)}", "L"):
            return "loss", written_loss(data)
        if lhs.startswith("L_{i,"):
            param = self.params.get(normal(lhs[5:-1]))
            return None if param is None else ("gradient", data.gradient[data.params.index(param)])
        m = _TOKEN.match(lhs)
        if m is not None and m.group("i") == "i":
            kind, q = self.bases.get(m.group("base"), ("", ""))
            if kind == "quantity":
                return "quantity", dict(data.samples)[q]
        for v in self.ex.variables:  # dw = \\frac{1}{3} \\sum ..., or (a batch of one) dw = L_{i,w} = 2e x
            if lhs in (normal(self.notation.line("g", v)),):
                return ("gradient", data.gradient[data.params.index(v)]) if data.size == 1 else ("batch", None)
        return None

    def _generic(self, tree: Node) -> Node:
        """A formula's names as the problem's: parameters, and sample i's quantities and columns."""
        def name(text: str) -> str | Node:
            n = normal(text)
            if n in self.params:
                return self.params[n]
            m = _TOKEN.match(n)
            if m is not None:
                base = m.group("base") + ("_" + m.group("sub") if m.group("sub") else "")
                kind, q = self.bases.get(_braced(base), self.bases.get(base, ("", "")))
                if kind:
                    return q
            if n.startswith("L_{i,"):
                param = self.params.get(normal(n[5:-1]))
                if param is not None:
                    return "dL:" + param
            if n == "e":
                from .problem import constant_node

                return constant_node("e")
            raise SymoptError(f"unknown name {text}")

        return map_names(tree, name)

    def _same(self, tree: Node, rule: Node) -> bool:
        """Whether two formulas agree at probe values (every name a number of its own)."""
        used = sorted((names(tree) | names(rule)) - {"pi"})
        for k in range(2):
            env = {n: self.balls.const(Fraction(5 + (7 * j + 31 * k) % 83, 101)) for j, n in enumerate(used)}  # in (0, 1): ln(1 - ŷ)
            try:
                if not self.balls.agree(evaluator(tree, self.balls, {})(env), evaluator(rule, self.balls, {})(env)):
                    return False
            except (SymoptError, ArithmeticError, ValueError, KeyError):
                return False
        return True

    def _printed_name(self, name: str) -> str:
        if name in self.ex.variables:
            return self.notation.variable(name)
        return self.notation.sample(name, "i")


def _token(m: re.Match[str]) -> str:
    """``x_1^{(2)}`` as ``x_{1(2)}``, ``\\hat{y}^{(2)}`` as ``\\hat{y}_{(2)}``."""
    base, i = m.group("base"), m.group("i")
    head, sep, sub = base.partition("_")
    return f"{head}_{{{sub.strip('{}')}({i})}}" if sep else f"{base}_{{({i})}}"


def _braced(base: str) -> str:
    """``x_{1}`` as ``x_1``: a subscript of one character, as the notation prints it."""
    head, sep, sub = base.partition("_")
    sub = sub.strip("{}")
    return f"{head}_{sub}" if sep and len(sub) == 1 else f"{head}_{{{sub}}}" if sep else base

