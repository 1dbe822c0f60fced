"""What the names in a hand-worked solution mean: the checker's one alias table.

A written name is split into its parts -- ``\\hat{v}_{1}`` is (hat, ``v``, index ``1``),
``v_{corr1}`` is (``v``, tag ``corr``, index ``1``), ``dW_t`` is (``dW``, index ``t``) -- and the
parts are looked up here.  Case does not matter (``W_t`` and ``w_1`` are both w).

========================  ===========================================================
written                    quantity
========================  ===========================================================
``w``, ``W``, ``\\theta``    w, the parameter (``w_1``, ``w_{1}``, ``w1``; or the variable's own name)
``dw``, ``dW``, ``g``       g, the gradient (``dw_1``, ``dW_t``, ``g_1``; ``dx`` for a variable x)
``v``, ``V``, ``m``         v, first moment / velocity
``s``, ``S``                s, second moment / squared-gradient average
tag ``corr`` or a hat      v_hat, s_hat: bias-corrected (``v_{corr1}``, ``V_{corr}``, ``\\hat{v}_1``)
tag ``coord``              the same, with a notation warning: a typo for corr (the reference sheet)
``\\alpha`` ``\\eta`` ``lr``   the learning rate alpha (``\\alpha_0``, ``\\eta_0``: a lecture's base rate of a schedule)
``\\beta`` ``\\beta_1`` …     the hyperparameter of that name; ``\\gamma`` and ``\\beta`` stand in for
                           each other when the optimizer has only one of them, ``\\rho`` is gamma
``\\epsilon`` ``\\varepsilon`` epsilon
``\\lambda``                weight_decay
``t``                      the step number
``e``, ``\\pi``              the constants
========================  ===========================================================

An index ``t``, ``t-1`` or ``t+1`` (or none, with several variables) makes a *general* name, as in
the formula lines (``V_t = \\beta V_{t-1} + (1 - \\beta) dW_t``); a number or the variable's own
index names one variable's line (``v_1``).
"""

from __future__ import annotations

from dataclasses import dataclass
import re

from ..notation import index_label

QUANTITY_LETTERS = {"w": "w", "theta": "w", "dw": "g", "g": "g", "v": "v", "m": "v", "s": "s"}
CORRECTED = {"v": "v_hat", "s": "s_hat"}
TAGS = {"corr": None, "hat": None, "coord": "'coord' is a typo for 'corr' (the bias-corrected value)"}
HYPER_ALIASES = {"eta": "alpha", "lr": "alpha", "alpha0": "alpha", "eta0": "alpha", "varepsilon": "epsilon", "eps": "epsilon", "rho": "gamma",
                 "lambda": "weight_decay", "wd": "weight_decay"}
SWAPS = {"gamma": "beta", "beta": "gamma"}  # momentum's gamma, RMSProp's beta
GENERAL_INDEX = {"t", "t-1", "t+1", "t1"}
CONSTANTS = ("e", "pi")  # e, \\pi (not \\Pi, NAdam's product)

_NAME = re.compile(
    r"(?P<hat>\\(?:hat|widehat)\{(?P<hatted>[^{}]*)\})?(?P<letters>(?:d?\\)?[A-Za-z]*?)(?P<digits>[0-9]*)"
    r"(?:_(?:\{(?P<braced>[^{}]*)\}|(?P<single>[A-Za-z0-9])))?"
)


@dataclass(frozen=True)
class Ref:
    """What a written name refers to."""

    kind: str  # "quantity", "hyper", "t" or "constant"
    key: str  # w, g, v, s, v_hat, s_hat; a hyperparameter's name; "e" or "pi"
    variable: str | None = None  # None: the general name of a formula line
    warning: str | None = None  # a notation slip worth telling the writer


@dataclass(frozen=True)
class Parts:
    hat: bool
    letters: str  # "v", "dW", "beta" (Greek without its backslash)
    tag: str  # "corr", "coord", "" ...
    index: str  # "1", "t-1", "" ...
    command: bool = False  # written as a command (\\pi, \\Pi): its case is its letter

def split(name: str) -> Parts | None:
    name = re.sub(r"\\mathrm\{([A-Za-z]+)\}", r"\1", name.replace(" ", ""))  # \mathrm{lr}: lr
    m = _NAME.fullmatch(name)
    if not m:
        return None
    hat = m.group("hat") is not None
    letters = re.sub(r"^(d?)\\", r"\1", (m.group("hatted") or "") + m.group("letters"))  # \beta, d\theta
    if not letters or "\\" in letters:
        return None
    sub = m.group("braced") or m.group("single") or ""
    for junk in (",", "_", "\\", "{", "}"):
        sub = sub.replace(junk, "")
    if m.group("digits"):
        if sub:  # w1_{x}: not a name we know
            return None
        sub = m.group("digits")
    tag, index = "", sub
    for known in TAGS:
        rest = sub[len(known):]
        if sub.lower().startswith(known) and (rest.isalnum() or rest in GENERAL_INDEX or not rest):
            tag, index = known, rest
            break
    return Parts(hat, letters, tag, index, "\\" in m.group("letters"))


def resolve(name: str, variables: tuple[str, ...], hyper: tuple[str, ...]) -> Ref | None:
    """The meaning of `name` in an exercise with these variables and hyperparameters, or None: the
    first of the readings (:data:`READINGS`) that fits it."""
    parts = split(name)
    if parts is None:
        return None
    for reading in READINGS:
        ref = reading(parts, variables, hyper)
        if ref is not None:
            return ref
    return None


def _plain(parts: Parts) -> bool:
    """Neither hatted nor tagged: a name as it is, not a corrected one."""
    return not parts.hat and not parts.tag


def _as_variable(parts: Parts, variables: tuple[str, ...], hyper: tuple[str, ...]) -> Ref | None:
    """A variable itself, or its gradient: w_1, w1, x, dw_1, dx (a variable of that very case first;
    a Greek letter only in its own case: \\Pi_1 is NAdam's product, not the variable pi1)."""
    if not _plain(parts):
        return None
    for same in (str,) if parts.command else (str, str.lower):
        letters = same(parts.letters)
        for v in variables:
            head, label = _variable_parts(v)
            if parts.index == label and letters in (same(head), "d" + same(head)):
                return Ref("quantity", "w" if letters == same(head) else "g", v)
    return None


def _as_step_or_constant(parts: Parts, variables: tuple[str, ...], hyper: tuple[str, ...]) -> Ref | None:
    """t, the step number; e and \\pi, the constants (not \\Pi, NAdam's product)."""
    if not _plain(parts) or parts.index:
        return None
    if parts.letters.lower() == "t":
        return Ref("t", "t")
    if parts.letters in CONSTANTS:
        return Ref("constant", parts.letters)
    return None


def _as_quantity(parts: Parts, variables: tuple[str, ...], hyper: tuple[str, ...]) -> Ref | None:
    """A quantity of the rules (w, g, v, s; hatted or tagged, its corrected value), general (V_t)
    or one variable's (v_1).  A plain name whose index is no variable's is left to the next
    reading (s_0 is Adagrad's s0)."""
    quantity = QUANTITY_LETTERS.get(parts.letters.lower())
    if quantity is None:
        return None
    warning = None
    if not _plain(parts):
        if quantity not in CORRECTED:
            return None
        quantity, warning = CORRECTED[quantity], TAGS.get(parts.tag)
    index = parts.index
    if index in GENERAL_INDEX or (not index and len(variables) != 1):
        return Ref("quantity", quantity, None, warning)
    variable = _variable_of(index, variables)
    return None if variable is None else Ref("quantity", quantity, variable, warning)


def _as_hyperparameter(parts: Parts, variables: tuple[str, ...], hyper: tuple[str, ...]) -> Ref | None:
    """One of the exercise's hyperparameters, by its name or an alias (\\beta_1 is beta1, \\eta is
    alpha; \\gamma and \\beta stand in for each other)."""
    if not _plain(parts) or parts.index in GENERAL_INDEX:
        return None
    key = parts.letters.lower() + parts.index
    for candidate in (key, HYPER_ALIASES.get(key), SWAPS.get(key)):
        if candidate in hyper:
            return Ref("hyper", candidate)
    return None


# what a written name may mean, tried in this order
READINGS = (_as_variable, _as_step_or_constant, _as_quantity, _as_hyperparameter)


def _variable_parts(variable: str) -> tuple[str, str]:
    m = re.fullmatch(r"([A-Za-z]+)_?([0-9]*)", variable)
    return (m.group(1), m.group(2)) if m else (variable, "")


def _variable_of(index: str, variables: tuple[str, ...]) -> str | None:
    if not index and len(variables) == 1:
        return variables[0]
    for v in variables:  # the variable's own name (v_{x_1}, \\hat{v}_{\\theta}), then its digits (v_1)
        if v == index:
            return v
    for v in variables:
        if index_label(v) == index:
            return v
    return None


def canonical_variable(name: str) -> str | None:
    """The spec name of a variable as written in ``f(w_1, w_2)``: ``w_1`` -> ``w1``, ``\\theta`` -> ``theta``."""
    parts = split(name)
    if parts is None or parts.hat or parts.tag or not re.fullmatch(r"[0-9]*", parts.index):
        return None
    if not re.fullmatch(r"[A-Za-z]+", parts.letters):
        return None
    return parts.letters + parts.index
