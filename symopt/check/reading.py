"""How students write a worked solution, read into the one model: the rewrites and name readings
the checker and the problem reader share.

- ``students(line)``: the gradient as students name it (``f'(\\theta_t)``, ``\\nabla f``) read as
  ``g_t``; an iterate's parenthesised superscript (``x^{(t+1)}``, ``g_x^{(1)}``) as a step index
  (``x_{t+1}``, ``g_{x,1}``, see :func:`symopt.notation.stepped`); an assignment (``:=``, ``\\leftarrow``)
  as ``=``.
- ``components(text, n)``: a vector line as its n component lines.
- ``letters(section, optimizer)``: the document's letters for the moments (the Adam paper's m_t,
  v_t), decided from its own formula lines.
- ``general_formula(lhs, tree, …)``: a formula line in the names :func:`symopt.check.problem.general_ref`
  reads (the variables' own names, step indices, the document's letters).
"""

from __future__ import annotations

import re

from ..expr import Node, map_names
from ..notation import GRADIENT_NAMES, normal, relettered, stepped
from ..optimizers import Optimizer
from .document import MathLine, Section
from .mathtext import relations

_GRADIENT_OF = re.compile(r"f'|\\nabla\s*f|\\nabla_\{?\\?[A-Za-z]+\}?\s*f")


#: an iterate's step as a parenthesised superscript: x^{(t+1)}, g_x^{(1)}, \\hat{v}_x^{(2)}
_ITERATE = re.compile(r"(?P<name>(?:\\(?:mathbf|boldsymbol|vec|hat|widehat)\{[^{}]*\}|\\?[A-Za-z]+)(?:_(?:\{[^{}]*\}|[A-Za-z0-9]))?)"
                      r"\^\{\((?P<step>[^(){}]*)\)\}")


def _iterate(m: re.Match[str]) -> str:
    """``g_x^{(1)}`` -> ``g_{x,1}``, ``x^{(t+1)}`` -> ``x_{t+1}``: the step as an index (see notation.stepped)."""
    name, step = m.group("name"), m.group("step").replace(" ", "")
    base, _, index = name.partition("_")
    if not index:
        return f"{name}_{{{step}}}"
    return f"{base}_{{{index.strip('{}')},{step}}}"


_CALLED = re.compile(r"(\\(?:max|min|operatorname\{[^{}]*\})|(?<![\\A-Za-z])[A-Za-z]'?)\s*$")
RELATION_TEX = {"=": "=", "≈": "\\approx"}


def components(text: str, n: int) -> list[str] | None:
    """A vector line ``(w_1, w_2) = (-5, -2) - 0.4 \\cdot (-1, -8) = (-4.6, 1.2)`` as its `n`
    component lines, each tuple replaced by its k-th entry; None when the line has no tuple of n
    entries (or tuples of other sizes)."""
    groups: list[tuple[int, int, list[str]]] = []  # (start, end, entries)
    i = 0
    while i < len(text):
        left = "\\left(" if text.startswith("\\left(", i) else "(" if text[i] == "(" else None
        if left is None:
            i += 1
            continue
        depth, j, start, entries, last = 0, i, i, [], i + len(left)
        while j < len(text):
            if text.startswith("\\left(", j) or text[j] in "({":
                depth += 1
                j += 7 if text.startswith("\\left(", j) else 1
                continue
            if text.startswith("\\right)", j) or text[j] in ")}":
                depth -= 1
                if depth == 0:
                    entries.append(text[last:j])
                    j += 7 if text.startswith("\\right)", j) else 1
                    break
                j += 7 if text.startswith("\\right)", j) else 1
                continue
            if depth == 1 and text[j] in ",;" and text[j - 1] != "\\":
                entries.append(text[last:j])
                last = j + 1
            j += 1
        called = _CALLED.search(text[:start])  # \max(a, b), f(x, y): a function's arguments, not a vector
        if len(entries) > 1 and not called:
            groups.append((start, j, [e.strip() for e in entries]))
            i = j
        else:
            i += len(left)
    if not groups or any(len(g[2]) != n for g in groups):
        return None
    out = []
    for k in range(n):
        pieces, at = [], 0
        for start, end, entries in groups:
            pieces += [text[at:start], f"({entries[k]})"]
            at = end
        pieces.append(text[at:])
        out.append("".join(pieces))
    return out


def students(math: MathLine) -> MathLine:
    """A line with the gradient as students name it read as ``g_t``: ``f'(\\theta_t)``, ``f'(x)``,
    ``\\nabla f(\\theta)``, ``\\nabla f`` (the argument says where, which the epoch already does)."""
    text = _ITERATE.sub(_iterate, math.text) if "^{(" in math.text else math.text
    for arrow in (":=", "\\leftarrow", "←", "\\gets"):  # an assignment is the rule's =
        text = text.replace(arrow, "=")
    if "f'" not in text and "\\nabla" not in text:
        return math if text == math.text else MathLine(math.line, text, math.end)
    out, i = [], 0
    for m in _GRADIENT_OF.finditer(text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        j = m.end()
        k = j
        while k < len(text) and text[k] == " ":
            k += 1
        opener = "\\left(" if text.startswith("\\left(", k) else "(" if text.startswith("(", k) else None
        if opener:  # the argument, to its matching parenthesis
            depth, k = 0, k
            while k < len(text):
                if text.startswith("\\left(", k) or text[k] == "(":
                    depth += 1
                elif text.startswith("\\right)", k) or text[k] == ")":
                    depth -= 1
                    if depth == 0:
                        k += len("\\right)") if text.startswith("\\right)", k) else 1
                        break
                k += 1
            j = k
        out.append("g_t")
        i = j
    out.append(text[i:])
    return MathLine(math.line, "".join(out), math.end)


def letters(section: Section, optimizer: Optimizer) -> dict[str, str]:
    """The document's letters for the moments, from its own formula lines: the Adam paper's m_t
    (first moment) and v_t (second moment, its rule squares the gradient) are symopt's v and s,
    and an optimizer with a second moment only (RMSProp, Adagrad) may call it v."""
    state = set(optimizer.state) | {t for rules in [optimizer.choose(optimizer.effective_options({}))[0]] for t in dict(rules)}
    squared: set[str] = set()  # the letters whose formula squares the gradient
    first_m = False
    for math in section.given:
        sides, _ = relations(math.text)
        if len(sides) < 2:
            continue
        lhs = normal(sides[0])
        if "^2" in sides[-1].replace(" ", "").replace("^{2}", "^2"):
            squared.add(lhs.removeprefix("\\hat{")[:1])
        first_m = first_m or lhs.startswith(("m", "\\hat{m}"))
    out = {"G": "s"} if "G" in squared and "s" in state else {}  # Adagrad's accumulator G_t
    if "v" not in state and "s" in state:
        return {**out, "v": "s"}
    return {**out, "m": "v", "v": "s"} if "v" in squared and first_m else out


_OWN: dict[tuple[int, tuple[str, ...]], tuple[Optimizer, dict[str, str]]] = {}


def _own_names(optimizer: Optimizer, variables: tuple[str, ...]) -> dict[str, str]:
    """Every per-variable line name of the optimizer for these variables (``x``, ``g_x``, ``v_x``,
    ``dx``, ``s_{x_1}``) -> its quantity, in every layout and gradient name."""
    key = (id(optimizer), variables)
    entry = _OWN.get(key)
    if entry is None or entry[0] is not optimizer:
        quantities = ["g", "w", *optimizer.state]
        for options in _variants(optimizer):
            quantities += [t for t in dict(optimizer.choose(options)[0]) if t not in quantities]
        table: dict[str, str] = {}
        for layout in ("lecture", "reference"):
            for g in GRADIENT_NAMES:
                for name, (q, _v) in optimizer.notation(variables, {}, g, layout).lines(quantities).items():
                    table.setdefault(name, q)
        entry = _OWN[key] = (optimizer, table)
    return entry[1]


def _variants(optimizer: Optimizer) -> list[dict[str, object]]:
    from .problem import variants

    return variants(optimizer)


def general_formula(lhs: str, tree: Node, optimizer: Optimizer, variables: tuple[str, ...], letters: dict[str, str]) -> tuple[str, Node]:
    """A formula line in the names the formula reader knows (:func:`symopt.check.problem.general_ref`):
    the document's letters (m_t for v), the variables' own names (``x = x - \\alpha g_x``, read as
    the rule for every variable), step indices (``x_{t+1}``) as the general ones."""
    from .problem import general_names, general_ref

    inverse: dict[str, str] = {}
    for name, q in general_names(optimizer, variables).items():
        inverse.setdefault(q, name)
    own = _own_names(optimizer, variables)

    def general(name: str) -> str:
        name = relettered(name, letters)
        if general_ref(name, optimizer, variables) is not None:
            return name
        for candidate in (name, (stepped(name) or (None,))[0]):
            q = own.get(normal(candidate)) if candidate else None
            if q is not None and q in inverse:
                return inverse[q]
        return name

    return general(lhs), map_names(tree, general)


#: A derivative written as an operator on its argument: ``\\frac{\\partial}{\\partial x}\\left(u\\right)``,
#: ``\\frac{d}{dx}(u)`` (the lines of a derivation, symopt's own with steps = true among them).
_OPERATOR = re.compile(r"\\[dt]?frac\{\s*(?:\\partial|d)\s*\}\{\s*(?:\\partial\s*|d)((?:[^{}]|\{[^{}]*\})+?)\s*\}\s*(\\left\(|\()")
PENDING = "\\mathrm{D}_{%d}"  # the name an operator is read as, the k-th of its line


def operators(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """`text` with each derivative written as an operator on its argument read as a name
    (:data:`PENDING`), and for each, in order, the variable and the argument as written; None
    when an operator's parenthesis is not closed.  (An operator inside an argument is left there:
    the argument is then unreadable.)"""
    if "frac" not in text:
        return text, []
    out: list[str] = []
    found: list[tuple[str, str]] = []
    at = 0
    for m in _OPERATOR.finditer(text):
        if m.start() < at:
            continue
        depth, k = 1, m.end()
        while k < len(text) and depth:
            if text.startswith("\\left(", k) or text[k] == "(":
                depth += 1
                k += 6 if text[k] == "\\" else 1
            elif text.startswith("\\right)", k) or text[k] == ")":
                depth -= 1
                k += 7 if text[k] == "\\" else 1
            else:
                k += 1
        if depth:
            return None
        closer = 7 if text.startswith("\\right)", k - 7) else 1
        out += [text[at:m.start()], PENDING % len(found)]
        found.append((m.group(1).strip(), text[m.end():k - closer]))
        at = k
    out.append(text[at:])
    return "".join(out), found
