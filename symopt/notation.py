"""How every name of a problem is written: one notation table for the printer and the reader.

A problem's names are its variables (``w1``, ``x``, ``theta``, ``theta1``, ``e``), the quantities
its optimizer's rules compute (``g``, ``v``, ``s``, ``v_hat``, ``mu``, ...) and its
hyperparameters.  :class:`Notation` says how each prints, in a general formula
(``V_t = \\beta V_{t-1} + (1 - \\beta) dW_t``) and on one line of an epoch (``v_1 = ...``), and
reads the same names back (:meth:`Notation.read`), so that whatever symopt writes, its checker
reads.

Two layouts:

* the reference sheet's, for variables w1, w2, ... (or w): ``W_t``, ``dW_t``, ``V_{corr}`` in the
  formulas, ``dw_1``, ``v_1``, ``v_{corr1}`` on the lines;
* the lecture's, for any other names: the parameter's own name in the formulas (``\\theta_t``, or
  the vector ``\\boldsymbol{\\theta}_t`` for several variables), lower-case states (``v_t``,
  ``\\hat{v}_t``), and each variable's own name as the index on the lines (``v_\\theta``,
  ``\\hat{s}_x``, ``v_{\\theta_1}``).

A quantity is either *per variable* (``v_1``, ``v_2``) or *of the epoch* (NAdam's
``\\mu_t``, RAdam's ``\\rho_t``): the latter depends on no variable, so it is written once per
epoch, with the epoch's number as its index (``\\mu_1``, ``\\mu_2``), and once for all when it
never changes (``\\rho_\\infty``).

The gradient is named as the sheet asks (``gradient_name``): ``d`` (``dw_1``, ``d\\theta``), ``g``
(``g_1``, ``g_\\theta``, ``g_t``) or ``partial`` (``\\frac{\\partial f}{\\partial \\theta}``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
import re
from typing import TypeVar

_Rule = TypeVar("_Rule")  # a rule's right-hand side: whatever `names_of` reads names from

#: Greek letters LaTeX has a command for (lower case, and the capitals that differ from Latin).
GREEK = (
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho", "sigma", "varsigma", "tau", "upsilon",
    "phi", "varphi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
)
_GREEK = frozenset(GREEK)

#: Names with a symbol of their own in the literature.
SYMBOLS = {"weight_decay": "\\lambda"}

GRADIENT_NAMES = ("d", "g", "partial")
DECAYED = "g*"  # the gradient after weight decay as L2 (a rule that reassigns g): a name of its own

_NAME = re.compile(r"([A-Za-z]+)_?([0-9]*)")
_REFERENCE_VARIABLE = re.compile(r"w_?[0-9]+")
_PLACEHOLDER = re.compile(r"«([a-z_]+)»")
_TAGS = {"hat": "\\mathrm{corr}", "max": "\\mathrm{max}"}  # the reference sheet's v_{corr1}, upright


def subscript(base: str, sub: str) -> str:
    if not sub:
        return base
    return f"{base}_{sub}" if len(sub) == 1 else f"{base}_{{{sub}}}"


def letters_latex(letters: str) -> str:
    """``theta`` -> ``\\theta``, ``x`` -> ``x``, ``lr`` -> ``\\mathrm{lr}``."""
    if letters in _GREEK:
        return "\\" + letters
    return letters if len(letters) == 1 else "\\mathrm{" + letters + "}"


def name_latex(name: str) -> str:
    """``w1`` -> ``w_1``, ``beta2`` -> ``\\beta_2``, ``epsilon`` -> ``\\epsilon``, ``lr`` ->
    ``\\mathrm{lr}``, ``weight_decay`` -> ``\\lambda``, ``pi`` -> ``\\pi``."""
    if name in SYMBOLS:
        return SYMBOLS[name]
    m = _NAME.fullmatch(name)
    if not m:
        return "\\mathrm{" + name.replace("_", "\\_") + "}"
    letters, digits = m.groups()
    return subscript(letters_latex(letters), digits)


def plain_latex(name: str) -> str:
    """A name as itself, in roman: ``\\mathrm{weight\\_decay}`` (where its symbol is taken)."""
    return "\\mathrm{" + name.replace("_", "\\_") + "}"


def index_label(variable: str) -> str:
    """The digits of a numbered variable (``w1`` -> ``1``), else the name itself (``x``)."""
    m = re.fullmatch(r"[A-Za-z]+_?([0-9]+)", variable)
    return m.group(1) if m else variable


@dataclass(frozen=True)
class Symbol:
    """How one quantity of the rules is written.

    `letter`: its letter in LaTeX (``v``, ``\\mu``, ``\\Pi``).  `mark`: ``hat`` for a bias-corrected
    value (``v_{corr1}`` / ``\\hat{v}_1``), ``max`` for a running maximum.  `step`: its index in a
    formula, ``t`` (now ``t``, before ``t-1``), ``t+1`` (the next step's), or ``\\infty`` (a limit,
    the same every step)."""

    letter: str
    mark: str = ""
    step: str = "t"


#: The quantities of the catalogue's rules.  A name not here prints as its own letters.
QUANTITIES = {
    "v": Symbol("v"), "s": Symbol("s"), "m": Symbol("m"), "u": Symbol("u"), "b": Symbol("b"),
    "v_hat": Symbol("v", "hat"), "s_hat": Symbol("s", "hat"), "s_max": Symbol("s", "max"),
    "d": Symbol("\\Delta"), "c": Symbol("c"), "r": Symbol("r"), "l": Symbol("l"),
    "mu": Symbol("\\mu"), "mu_next": Symbol("\\mu", step="t+1"), "p": Symbol("\\Pi"),
    "rho": Symbol("\\rho"), "rho_inf": Symbol("\\rho", step="\\infty"),
    "alpha_t": Symbol("\\alpha"),  # a learning-rate schedule's rate of the epoch (symopt.schedules): \alpha_t, \alpha_3
}


#: A dataset problem's quantities of one sample (symopt.dataset): the prediction, the error, a
#: logistic model's linear part; a column prints as its own name (``x_1^{(2)}``).
SAMPLE_SYMBOLS = {"yhat": "\\hat{y}", "e": "e", "z": "z"}


def _head(variable: str) -> str:
    """The letters a variable's name starts with (``theta`` of ``theta2``)."""
    m = _NAME.fullmatch(variable)
    if m is None:
        raise ValueError(f"not a variable's name (letters, then digits): {variable!r}")
    return m.group(1)


def _at(name: str, when: str) -> str:
    """A name at step `when`: ``\\theta_t``; one with an index of its own takes both (``x_{1,t}``)."""
    head, sep, sub = name.partition("_")
    if not sep:
        return subscript(name, when)
    return f"{head}_{{{sub.strip('{}')},{when}}}"


def _tilde(variable: str) -> str:
    """The decayed gradient's line name: ``d\\tilde{w}_1``, ``d\\tilde{\\theta}``."""
    head, sep, sub = variable.partition("_")
    return "d\\tilde{" + head + "}" + sep + sub


def _capital(letter: str) -> str:
    return letter.upper() if re.fullmatch(r"[a-z]", letter) else letter


_BOLD = re.compile(r"\\(?:boldsymbol|mathbf|bm)\{(\\?[A-Za-z]+|\\mathrm\{[A-Za-z]+\})\}")
_PARTIAL = re.compile(r"\\d?frac\{\\partial\s*f\}\{\\partial\s*((?:[^{}]|\{[^{}]*\})+?)\s*\}")


def plain_names(text: str) -> str:
    """Names in the one form the reader parses: a vector's bold dropped (``\\boldsymbol{\\theta}_t``
    is ``\\theta_t``), a partial derivative of f as a gradient (``\\frac{\\partial f}{\\partial x}``
    is ``dx``)."""
    if "\\" not in text:
        return text
    if "\\b" in text or "\\mathbf" in text:  # what _BOLD needs to match
        text = _BOLD.sub(r"\1", text)
    if "\\partial" not in text:  # nor can _PARTIAL
        return text
    return _PARTIAL.sub(lambda m: "d" + m.group(1).strip(), text)


def _normal(text: str) -> str:
    text = plain_names(text).replace(" ", "")
    if text.startswith("\\left(") and text.endswith("\\right)") and _balanced(text[6:-7]):
        return text[6:-7]  # \\left(\\frac{∂f}{∂x}\\right): one name
    braced = text.startswith("{") and text.endswith("}") and _balanced(text[1:-1])
    return text[1:-1] if braced else text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


normal = _normal

#: A step index on a name as students write it: ``\\theta_{t+1}``, ``x_t``, ``v_{t-1}``, ``\\theta_0``,
#: ``m_{2}``, ``g_{x,1}`` (a variable's name, then the step).
_STEP = re.compile(r"^(?P<base>.+?)_(?:\{(?P<braced>t|t\s*[-+]\s*1|[0-9]+)\}|(?P<bare>t|[0-9]+))$")
_STEP_AFTER = re.compile(r"^(?P<base>.+?_\{[^{},]+),\s*(?P<step>t|t\s*[-+]\s*1|[0-9]+)\}$")


def stepped(name: str) -> tuple[str, str] | None:
    """(the name without its step, the step) when `name` ends in a step index (``\\theta_1`` ->
    (``\\theta``, ``1``), ``v_{x,2}`` -> (``v_x``, ``2``)); None otherwise.  Whether the index is a
    step or a variable's number (``w_1`` in a problem in w1, w2) is the reader's decision."""
    text = _normal(name)
    m = _STEP_AFTER.match(text)
    if m:
        base = m.group("base")
        inner = base[base.index("_{") + 2:]
        return base[: base.index("_{")] + ("_" + inner if len(inner) == 1 else "_{" + inner + "}"), m.group("step").replace(" ", "")
    m = _STEP.match(text)
    if m:
        return m.group("base"), (m.group("braced") or m.group("bare")).replace(" ", "")
    return None


_LETTER = re.compile(r"^(?P<hat>\\hat\{|\\widehat\{)?(?P<letter>[mvG])(?=[_}]|$)")


def relettered(name: str, letters: dict[str, str]) -> str:
    """`name` with its leading letter renamed (``letters`` {"m": "v", "v": "s"}: the Adam paper's
    m_t, v_t, \\hat{m}_t are symopt's v, s, \\hat{v}), as the document's formula lines decided."""
    if not letters:
        return name
    text = _normal(name)
    m = _LETTER.match(text)
    if m is None or m.group("letter") not in letters:
        return name
    return text[: m.start("letter")] + letters[m.group("letter")] + text[m.end("letter"):]


def reference_layout(variables: Iterable[str]) -> bool:
    """Whether the variables are the reference sheet's w1, w2, ..."""
    return all(_REFERENCE_VARIABLE.fullmatch(v) for v in variables)


class Notation:
    """The names of one exercise: its variables, its optimizer's quantities and hyperparameters.

    `per_epoch`: the quantities of the epoch (written once per epoch, indexed by its number);
    every other rule target and state is per variable.  `hyper`: the hyperparameters the sheet
    shows."""

    def __init__(self, variables: Iterable[str], hyper: Iterable[str] = (), per_epoch: Iterable[str] = (),
                 gradient: str = "d", layout: str | None = None, symbols: dict[str, Symbol] | None = None,
                 quantities: Iterable[str] = ()):
        self.variables = tuple(variables)
        self.symbols = {**QUANTITIES, **(symbols or {})}
        self.quantities = tuple(quantities)  # the rules' targets and states: their letters are taken
        self.per_epoch = frozenset(per_epoch)
        self.gradient = gradient
        self.reference = reference_layout(self.variables) if layout is None else layout == "reference"
        self._variable = {v: name_latex(v) for v in self.variables}
        if self.reference:
            self._label = {v: index_label(v) for v in self.variables}
        else:
            self._label = dict(self._variable)
        taken = set(self._variable.values())
        self._hyper: dict[str, str] = {}
        for h in hyper:
            text = name_latex(h)
            if text in taken or h == "e":  # a variable named lambda: weight decay is written by its name; e is Euler's
                text = plain_latex(h)
            taken.add(text)
            self._hyper[h] = text
        self.parameter = self._parameter(tuple(self._hyper.values()))

    # -- printing ----------------------------------------------------------------------------------
    def symbol(self, q: str) -> Symbol:
        """How quantity `q` is written: the optimizer's own symbol, the catalogue's, or its name."""
        return self.symbols.get(q) or Symbol(name_latex(q))

    def variable(self, v: str) -> str:
        return self._variable.get(v) or name_latex(v)

    def hyper(self, h: str) -> str:
        return self._hyper.get(h) or name_latex(h)

    def constant(self, name: str) -> str:
        """A name in f: a variable, or the constant pi."""
        return "\\pi" if name == "pi" else self.variable(name)

    def _parameter(self, hyper: tuple[str, ...]) -> str:  # hyper: the hyperparameters as printed
        """The parameter in the formulas: ``W`` (reference), the variable's own name, or a vector
        (``\\boldsymbol{\\theta}``: the variables' common letter, else theta).  Never a letter the
        rules or hyperparameters use (a variable mu beside NAdam's \\mu_t is a vector theta)."""
        if self.reference:
            return "W"
        taken = {self.symbol(q).letter for q in self.quantities if q not in ("w", "g")}
        taken |= {h.partition("_")[0] for h in hyper}  # as printed
        heads = {_head(v) for v in self.variables}
        if len(self.variables) == 1 and self._variable[self.variables[0]].partition("_")[0] not in taken:
            return self._variable[self.variables[0]]
        for head in ([heads.pop()] if len(heads) == 1 else []) + ["theta", "w", "p"]:
            if letters_latex(head) not in taken and (len(self.variables) > 1 or head not in heads):
                return "\\boldsymbol{" + letters_latex(head) + "}"
        return "\\boldsymbol{\\theta}"

    def now(self, q: str) -> str:
        """The name in a general formula of this step's value: ``V_t``, ``\\hat{v}_t``, ``\\mu_{t+1}``."""
        return self._formula(q, "t")

    def prev(self, q: str) -> str:
        """The previous step's: ``V_{t-1}`` (a bias-corrected value, the gradient and an
        epoch's ``t+1`` quantity have none: the same as :meth:`now`)."""
        return self._formula(q, "t-1")

    def _formula(self, q: str, when: str) -> str:
        p = self.parameter
        if q == "w":
            return _at(p, when)
        if q == DECAYED:  # d\tilde{W}_t, \tilde{g}_t
            if self.gradient == "d":
                return "d" + _at("\\tilde{" + p + "}", "t") if "_" not in p else "d" + _at(_tilde(p)[1:], "t")
            return "\\tilde{g}_t"
        if q == "g":
            if self.gradient == "g":
                return "g_t"
            if self.gradient == "partial":  # in parentheses: one factor, squared as one (\\left(\\frac{…}{…}\\right)^2)
                return "\\left(\\frac{\\partial f}{\\partial " + _at(p, "t-1") + "}\\right)"
            return "d" + _at(p, "t")
        sym = self.symbol(q)
        if q in self.per_epoch:
            if sym.step != "t":
                return subscript(sym.letter, sym.step)
            return subscript(sym.letter, when)
        letter = _capital(sym.letter) if self.reference else sym.letter
        if "_" in letter:  # m_2: no double subscript
            return f"{letter}^{{({when})}}"
        if self.reference:
            if sym.mark == "max":  # a running maximum has steps: S_{\\mathrm{max},t}
                return subscript(letter, _TAGS["max"] + "," + when)
            if sym.mark:  # upright, as a word: V_{\\mathrm{corr}}
                return subscript(letter, _TAGS[sym.mark])
            return subscript(letter, when)
        if sym.mark == "hat":
            return subscript("\\hat{" + letter + "}", "t")
        if sym.mark == "max":
            return subscript(letter, "\\max," + when)
        return subscript(letter, when)

    def line(self, q: str, v: str | None = None, epoch: int | None = None) -> str:
        """The left-hand side of a line: ``dw_1``, ``v_{corr1}``, ``\\hat{v}_\\theta``, ``\\mu_1``.
        A quantity of the epoch takes `epoch` (0: its start value, ``\\Pi_0``)."""
        if q in self.per_epoch:
            sym = self.symbol(q)
            if sym.step == "\\infty":
                return subscript(sym.letter, "\\infty")
            if epoch is None:
                raise TypeError(f"{q} is a quantity of the epoch: its line needs the epoch")
            return subscript(sym.letter, str(epoch + (1 if sym.step == "t+1" else 0)))
        if v is None:
            raise TypeError(f"{q} is a quantity of each variable: its line needs the variable")
        if q == "w":
            return self.variable(v)
        label = self._label.get(v) or index_label(v)
        if q == DECAYED:
            if self.gradient == "d":
                return _tilde(self.variable(v))
            return subscript("\\tilde{g}", label)
        if q == "g":
            if self.gradient == "g":
                return subscript("g", label)
            if self.gradient == "partial":
                return self.partial(v)
            return "d" + self.variable(v)
        sym = self.symbol(q)
        letter = sym.letter
        if "_" in letter:  # m_2 of x: m_{2,x}
            head, _, sub = letter.partition("_")
            return f"{head}_{{{sub.strip('{}')},{label}}}"
        if self.reference:
            return subscript(letter, _TAGS.get(sym.mark, "") + label)
        if sym.mark == "hat":
            return subscript("\\hat{" + letter + "}", label)
        if sym.mark == "max":
            return subscript(letter, "\\max," + label)
        return subscript(letter, label)

    def partial(self, v: str) -> str:
        """∂f/∂v: ``\\frac{\\partial f}{\\partial w_1}`` (the gradient's line name under
        ``gradient_name = "partial"``, and a derivation's left side under any)."""
        return "\\frac{\\partial f}{\\partial " + self.variable(v) + "}"

    def sample(self, q: str, i: int | str) -> str:
        """A dataset problem's quantity of sample i (``i`` in a formula): ``\\hat{y}^{(2)}``,
        ``e^{(i)}``, and a column's value, ``x_1^{(2)}``."""
        return (SAMPLE_SYMBOLS.get(q) or name_latex(q)) + "^{(" + str(i) + ")}"

    def name(self, v: str, text: str) -> None:
        """One more line's name for :meth:`variable`, as the checker's messages write it (a dataset
        problem's lines of a sample: ``yhat#2`` is ``\\hat{y}^{(2)}``)."""
        self._variable.setdefault(v, text)

    def sample_gradient(self, v: str, i: int | str) -> str:
        """The gradient of sample i's loss in parameter v: ``\\frac{\\partial L^{(2)}}{\\partial w}``."""
        return "\\frac{\\partial L^{(" + str(i) + ")}}{\\partial " + self.variable(v) + "}"

    # -- reading -----------------------------------------------------------------------------------
    def lines(self, quantities: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Each per-variable line name of `quantities` -> (quantity, variable), spaces removed."""
        out: dict[str, tuple[str, str]] = {}
        for q in quantities:
            if q in self.per_epoch:
                continue
            for v in self.variables:
                out.setdefault(_normal(self.line(q, v)), (q, v))
        return out

    def read_epoch(self, name: str, epoch: int) -> tuple[str, bool] | None:
        """A quantity of the epoch written with its index (``\\mu_2`` in epoch 1 is ``mu_next``):
        (quantity, whether it names the previous step's value), or None."""
        text = _normal(name)
        for q in sorted(self.per_epoch):
            sym = self.symbol(q)
            if sym.step == "\\infty":
                if text in (_normal(self.line(q)), subscript(sym.letter, "\\infty")):
                    return q, False
                continue
            shift = 1 if sym.step == "t+1" else 0
            if text == _normal(self.line(q, epoch=epoch)):
                return q, False
            if not shift and text == _normal(subscript(sym.letter, str(epoch - 1))):
                return q, True
        return None

    def formulas(self, quantities: Iterable[str]) -> dict[str, str]:
        """Each general name of `quantities` (now and before) -> its quantity, spaces removed."""
        out: dict[str, str] = {}
        for q in ("w", "g", *quantities):
            for text in (self.now(q), self.prev(q)):
                out.setdefault(_normal(text), q)
        return out

    def fill(self, text: str) -> str:
        """A note's names in this notation: ``«w»`` is the parameter (``W``, ``\\theta``), ``«s»``
        a quantity as in the formulas (``S_t``, ``s_t``)."""
        for h, printed in self._hyper.items():  # a symbol taken by a variable: \\lambda is \\mathrm{weight\\_decay}
            if printed != name_latex(h):
                def spaced(_m: re.Match[str], printed: str = printed) -> str:
                    return "\\," + printed + "\\,"

                text = re.sub(re.escape(name_latex(h)) + r"(?![A-Za-z])", spaced, text)
        if "«" not in text:
            return text
        return _PLACEHOLDER.sub(lambda m: self.parameter if m.group(1) == "w" else self.now(m.group(1)), text)

    def shared_symbols(self) -> list[tuple[str, str]]:
        """Variables whose letter is one the optimizer writes: a variable mu beside NAdam's \\mu_t,
        v1 beside Adam's v (v_{v_1}), varepsilon beside epsilon: (variable, what it would be read as)."""
        letters: dict[str, str] = {}
        for q in self.quantities:
            if q not in ("w", "g"):
                letters.setdefault(self.symbol(q).letter, q)
        hyper = set(self._hyper.values())
        out = []
        for v in self.variables:
            text = self._variable[v]
            head = text.partition("_")[0]
            if head in letters:
                out.append((v, f"${self.now(letters[head])}$"))
            elif text in hyper:
                out.append((v, f"${text}$, a hyperparameter"))
            elif text == "\\varepsilon" and "\\epsilon" in hyper:
                out.append((v, "$\\epsilon$, a hyperparameter"))
        return out

    def hypers(self) -> dict[str, str]:
        """Each hyperparameter as printed -> its name."""
        return {_normal(text): h for h, text in self._hyper.items()}


def per_epoch(rules: Iterable[tuple[str, _Rule]], names_of: Callable[[_Rule], set[str]],
              state: Iterable[str] = ()) -> frozenset[str]:
    """The rule targets (and states) that depend on no variable: the least set of per-variable
    names closed under the rules (w and g are per variable; so is whatever a rule computes from a
    per-variable name), and everything else assigned by a rule."""
    rules = list(rules)
    per_variable = {"w", "g"}
    changed = True
    while changed:
        changed = False
        for target, rhs in rules:
            if target not in per_variable and names_of(rhs) & per_variable:
                per_variable.add(target)
                changed = True
    return frozenset(t for t, _ in rules if t not in per_variable)
