"""Optimizers as data: an ordered list of update rules in symopt's expression language.

Rules run in order, once per variable per epoch, after the gradient ``g`` is known.  A name on the
right refers to its newest value: ``v`` in ``w = w - alpha*v`` is this step's v (assigned by an
earlier rule), ``w`` is the previous step's.  ``t`` is the step number, starting at 1.

The same rules give the sheet's general formulas, the computed values and the substituted lines.
Adding an optimizer is adding one entry to :data:`OPTIMIZERS`; an option (``eps_placement``)
fills named slots of the rules and says its convention in one sentence on the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re

from .errors import SymoptError
from .expr import FUNCTIONS, Node, parse_rule


@dataclass(frozen=True)
class Choice:
    """One value of an option: what it puts in the rules' slots, and its note for the sheet."""

    fills: dict[str, str]
    note: dict[str, str]  # by language; may hold inline math $...$


@dataclass(frozen=True)
class Optimizer:
    key: str
    title: str
    hyper: tuple[str, ...]
    state: tuple[str, ...]
    rules: tuple[str, ...]
    options: dict[str, dict[str, Choice]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)  # option -> default choice
    names: dict[str, "Quantity"] = field(default_factory=dict)  # how its own names print

    def quantity(self, name: str) -> "Quantity":
        """How `name` prints: the optimizer's own table, the common one, or a default (h -> H_t)."""
        if name in self.names:
            return self.names[name]
        if name in QUANTITIES:
            return QUANTITIES[name]
        head = name_latex(name)
        head = head[:1].upper() + head[1:] if head[:1].isalpha() else head
        if "_" in head:  # m_2 -> M_2^{(t)}: no double subscript
            return Quantity(f"{head}^{{(t)}}", f"{head}^{{(t-1)}}", name)
        return Quantity(f"{head}_t", f"{head}_{{t-1}}", name)

    def line_name(self, quantity: str, variable: str) -> str:
        """The left-hand side of a line: ``dw_1``, ``v_1``, ``v_{corr1}``, ``w_1``."""
        q = self.quantity(quantity)
        if quantity in ("w", "g"):
            return q.base + name_latex(variable)
        return subscript(q.base, q.sub.format(i=index_label(variable)))

    def effective_options(self, options: dict[str, object]) -> dict[str, object]:
        """The spec's options with every default filled in, as the sheet uses them."""
        return {option: options.get(option, default) for option, default in self.defaults.items()}

    def choose(self, options: dict[str, object]) -> tuple[list[tuple[str, Node]], list[Choice]]:
        """The parsed rules and the chosen options' notes for a spec's ``options`` table."""
        unknown = set(options) - set(self.options)
        if unknown:
            valid = ", ".join(sorted(self.options)) or "none"
            raise SymoptError(f"unknown option {sorted(unknown)[0]!r} for {self.key}; valid options: {valid}")
        fills: dict[str, str] = {}
        chosen = []
        for option, choices in self.options.items():
            value = options.get(option, self.defaults[option])
            if not isinstance(value, str) or value not in choices:
                raise SymoptError(f"{option} must be one of {', '.join(map(repr, choices))}, got {value!r}")
            fills.update(choices[value].fills)
            chosen.append(choices[value])
        rules = [parse_rule(rule.format(**fills), FUNCTIONS) for rule in self.rules]
        return rules, chosen


OPTIMIZERS: dict[str, Optimizer] = {
    o.key: o
    for o in [
        Optimizer("gd", "Gradient Descent", ("alpha",), (), ("w = w - alpha*g",)),
        Optimizer(
            "momentum", "Gradient Descent + Momentum", ("alpha", "beta"), ("v",),
            ("v = beta*v + (1 - beta)*g", "w = w - alpha*v"),
        ),
        Optimizer(
            "rmsprop", "RMSProp", ("alpha", "gamma", "epsilon"), ("s",),
            ("s = gamma*s + (1 - gamma)*g^2", "w = w - alpha*(g/sqrt(s + epsilon))"),
        ),
        Optimizer(
            "adam", "Adam", ("alpha", "beta1", "beta2", "epsilon"), ("v", "s"),
            (
                "v = beta1*v + (1 - beta1)*g",
                "s = beta2*s + (1 - beta2)*g^2",
                "v_hat = v/(1 - beta1^t)",
                "s_hat = s/(1 - beta2^t)",
                "w = w - alpha*(v_hat/{denominator})",
            ),
            options={
                "eps_placement": {
                    "inside": Choice(
                        {"denominator": "sqrt(s_hat + epsilon)"},
                        {
                            "en": "Convention: $\\epsilon$ inside the square root, as in the reference sheet's formula (optax: eps_root).",
                            "vi": "Quy ước: $\\epsilon$ nằm trong dấu căn, như công thức của bài mẫu (optax: eps_root).",
                        },
                    ),
                    "outside": Choice(
                        {"denominator": "(sqrt(s_hat) + epsilon)"},
                        {
                            "en": "Convention: $\\epsilon$ outside the square root, as in PyTorch and the Adam paper.",
                            "vi": "Quy ước: $\\epsilon$ nằm ngoài dấu căn, như PyTorch và bài báo Adam gốc.",
                        },
                    ),
                }
            },
            defaults={"eps_placement": "inside"},
        ),
    ]
}


def get(key: str) -> Optimizer:
    if key not in OPTIMIZERS:
        raise SymoptError(f"unknown optimizer {key!r}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[key]


@dataclass(frozen=True)
class Quantity:
    """How a rule's name prints: in formulas (``V_t``, ``V_{t-1}``) and in lines (``v_1``)."""

    now: str
    prev: str
    base: str
    sub: str = "{i}"


QUANTITIES = {
    "w": Quantity("W_t", "W_{t-1}", ""),
    "g": Quantity("dW_t", "dW_t", "d"),
    "v": Quantity("V_t", "V_{t-1}", "v"),
    "s": Quantity("S_t", "S_{t-1}", "s"),
    "v_hat": Quantity("V_{corr}", "V_{corr}", "v", "corr{i}"),
    "s_hat": Quantity("S_{corr}", "S_{corr}", "s", "corr{i}"),
}

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
}


def subscript(base: str, sub: str) -> str:
    if not sub:
        return base
    return f"{base}_{sub}" if len(sub) == 1 else f"{base}_{{{sub}}}"


def name_latex(name: str) -> str:
    """``w1`` -> ``w_1``, ``beta2`` -> ``\\beta_2``, ``epsilon`` -> ``\\epsilon``, ``lr`` -> ``\\mathrm{lr}``."""
    m = re.fullmatch(r"([A-Za-z]+)_?([0-9]*)", name)
    if not m:
        return "\\mathrm{" + name.replace("_", "\\_") + "}"
    letters, digits = m.groups()
    if letters in _GREEK:
        head = "\\" + letters
    elif len(letters) == 1:
        head = letters
    else:
        head = "\\mathrm{" + letters + "}"
    return subscript(head, digits)


def index_label(variable: str) -> str:
    """What a variable adds to a state's name: ``w1`` -> ``1`` (v_1), ``x`` -> ``x`` (v_x)."""
    m = re.fullmatch(r"[A-Za-z]+_?([0-9]+)", variable)
    return m.group(1) if m else variable

