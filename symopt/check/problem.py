"""The problem a worked solution solves: read from the document itself, or taken from a spec.

Without a spec, each exercise is rebuilt from what the sheet states, as a reader would: f from the
``f(w_1, w_2) = …`` line, the optimizer from the heading, start values and hyperparameters from the
data line (``w_1 = -5, w_2 = -2, \\alpha = 0.4``), and each option (ε inside or outside the root)
from the formula lines.  The result is checked by :mod:`symopt.spec` like any spec, so the checker
and the renderer work from the same kind of :class:`~symopt.spec.Exercise`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
import re

from .. import schedules
from ..compiler import evaluator, rational_value
from ..errors import SymoptError
from ..expr import Bin, Call, Name, Node, Num, map_names, names, replaced, to_text
from ..notation import DECAYED, GRADIENT_NAMES, Notation, name_latex, normal, relettered
from ..optimizers import OPTIMIZERS, Optimizer
from ..spec import Exercise, Spec, from_dict
from .aliases import Ref, canonical_variable, resolve
from .ball import Ball, BallArithmetic
from .document import Document, MathLine, Section
from .mathtext import parse_math, relations

HINT = "give the problem with --spec SPEC"

#: Values at which a stated formula and a rule are compared: generic, so that different formulas
#: differ (epsilon is large enough to tell inside the root from outside).
PROBES = (
    {"w": "0.731", "g": "0.412", "v": "0.289", "s": "0.527", "v_hat": "0.613", "s_hat": "0.847", "t": "3",
     "alpha": "0.137", "beta": "0.853", "beta1": "0.871", "beta2": "0.953", "gamma": "0.912", "epsilon": "0.0731"},
    {"w": "-1.37", "g": "-0.77", "v": "0.59", "s": "1.91", "v_hat": "-0.43", "s_hat": "2.33", "t": "2",
     "alpha": "0.29", "beta": "0.61", "beta1": "0.67", "beta2": "0.79", "gamma": "0.73", "epsilon": "0.19"},
)


@dataclass(frozen=True)
class Given:
    """A math line before the first epoch, by what it says."""

    kind: str  # "function", "data" (name = number, …), "formulas" (name = expression, …),
    #            "definition" (θ = (x, y): a name for the variables together; nothing to check), "other"
    line: MathLine
    items: tuple[tuple[str, Node], ...] = ()  # (name as written, right-hand side)
    #: a data line's vectors by name as written (``\\mathbf{v} = (0, 0)``, ``\\mathbf{w}_0 = (-5, -2)``):
    #: one value per variable, in f's order
    vectors: tuple[tuple[str, tuple[Node, ...]], ...] = ()


def classify(math: MathLine) -> Given:
    """What a line before the epochs states.  A data item may give one value to several names
    (``v_1 = v_2 = 0``, ``m_0 = v_0 = 0``), a vector of values to names in parentheses
    (``(w_1, w_2) = (-5, -2)``: one item each) or to one name (a vector item); a start value may
    be written with its iterate's mark (``x^{(0)} = 4``, ``\\theta_1^0 = -5``: the name is kept with
    the mark as ``x^{(0)}``)."""
    text = math.text
    if re.match(r"^\s*f\s*\(", text):
        return Given("function", math)
    items: list[tuple[str, Node]] = []
    vectors: list[tuple[str, tuple[Node, ...]]] = []
    defined = False
    for part in _top_level_split(text):
        sides, marks = relations(part)
        if len(sides) < 2 or any(m != "=" for m in marks):
            return Given("other", math)
        targets = [t for side in sides[:-1] if (t := _targets(side)) is not None]
        value = _value(sides[-1])
        if isinstance(value, Name) and _parenthesised(sides[-1], least=1):  # \theta = (\xi_2): of one variable
            value = (value,)
        if value is None or len(targets) < len(sides) - 1:
            return Given("other", math)
        if len(sides) > 2 and not _numeric(value):  # a chain gives names one value, a number
            return Given("other", math)
        for names_ in targets:
            if isinstance(value, tuple) and len(names_) > 1:  # (w_1, w_2) = (-5, -2)
                if len(value) != len(names_):
                    return Given("other", math)
                items += zip(names_, value, strict=True)
            elif isinstance(value, tuple):
                if all(isinstance(c, Name) for c in value):  # \\theta = (x, y)
                    defined = True
                else:
                    vectors.append((names_[0], value))
            else:
                items += [(n, value) for n in names_]
    if not items and not vectors:
        return Given("definition" if defined else "other", math)
    numeric = [_numeric(rhs) for _, rhs in items] + [_numeric(rhs) for _, rhs in vectors]
    if all(numeric):
        return Given("data", math, tuple(items), tuple(vectors))
    if not any(numeric) and not vectors:
        return Given("formulas", math, tuple(items))
    return Given("other", math)


#: A start value's mark on its name: ``x^{(0)}``, ``x^{0}``, ``x^(0)``, ``\\theta_1^0``.
_START_MARK = re.compile(r"^(.*?)\s*\^\s*(?:\{\s*\(\s*0\s*\)\s*\}|\(\s*0\s*\)|\{\s*0\s*\}|0)$")


def _targets(side: str) -> list[str] | None:
    """The names a left side assigns: one name (``w_1``; ``x^{(0)}`` with its mark), or the names in
    parentheses (``(w_1, w_2)``); None when it is not such a side."""
    parts = _parenthesised(side)
    if parts is not None:
        out = [n for p in parts if (n := _target(p)) is not None]
        return out if len(out) == len(parts) else None
    name = _target(side)
    return None if name is None else [name]


def _target(side: str) -> str | None:
    m = _START_MARK.match(side.strip())
    base, mark = (m.group(1), "^{(0)}") if m else (side, "")
    try:
        node = parse_math(base)
    except SymoptError:
        return None
    return node.id + mark if isinstance(node, Name) else None


def _value(side: str) -> Node | tuple[Node, ...] | None:
    """A right side: an expression, or a vector ``(-5, -2)`` of them; None when unreadable."""
    parts = _parenthesised(side)
    try:
        if parts is not None:
            return tuple(parse_math(p) for p in parts)
        return parse_math(side)
    except SymoptError:
        return None


def _parenthesised(side: str, least: int = 2) -> list[str] | None:
    """The items of ``(a, b, …)`` (also ``\\left( … \\right)``, ``;`` between them), or None when
    `side` is not one pair of parentheses around `least` or more items."""
    s = re.sub(r"\\(left|right)(?=[()])", "", side).strip()
    if not (s.startswith("(") and s.endswith(")")):
        return None
    depth = 0
    for i, ch in enumerate(s):
        depth += ch in "({"
        depth -= ch in ")}"
        if depth == 0 and i < len(s) - 1:
            return None  # (a) - (b): not one pair
    parts = _top_level_split(s[1:-1])
    return parts if len(parts) >= least else None


def _numeric(value: Node | tuple[Node, ...]) -> bool:
    if isinstance(value, tuple):
        return all(not names(c) for c in value)
    return not names(value)


def _top_level_split(text: str) -> list[str]:
    """The items of a data or formula line, separated by ``,`` -- or by ``;`` where numbers have
    decimal commas (``w_1 = -5; \\alpha = 0{,}4``)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if i and text[i - 1] == "\\":  # \, and \; are spaces
            continue
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch in ",;" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def function_of(math: MathLine) -> tuple[tuple[str, ...], Node]:
    """The variables and the tree of ``f(w_1, w_2) = 0.1w_1^2 + 2w_2^2``, in spec names."""
    sides, _ = relations(math.text)
    m = re.fullmatch(r"f\s*\((.*)\)", sides[0].strip())
    if len(sides) != 2 or not m:
        raise SymoptError(f"line {math.line}: cannot read f; write it as f(w_1, w_2) = …")
    variables = []
    for arg in re.split(r"(?<!\\)[,;]", m.group(1)):
        v = canonical_variable(arg.strip())
        if v is None:
            raise SymoptError(f"line {math.line}: {arg.strip()!r} is not a variable name")
        variables.append(v)
    tree = parse_math(sides[1])
    by_written: dict[str, Node] = {}
    for name in names(tree):
        v = canonical_variable(name)
        ref = resolve(name, (), ())
        if v in variables and (v != "e" or "e" in variables):
            by_written[name] = Name(v)
        elif ref is not None and ref.kind == "constant":
            by_written[name] = constant_node(ref.key)
        elif (factors := _juxtaposed(name, variables)) is not None:
            by_written[name] = factors  # ab in f(a, b): the product a * b, as written by hand
        else:
            raise SymoptError(f"line {math.line}: f uses {name}, which is not among its variables ({', '.join(variables)})")
    return tuple(variables), rename(tree, lambda n: by_written[n], "e" not in variables)


def _juxtaposed(name: str, variables: list[str]) -> Node | None:
    """A name that is one-letter variables written side by side (``ab``, ``xyz`` in f(x, y, z)),
    as their product; None when it is not."""
    if not name.isalpha() or len(name) < 2 or not all(c in variables for c in name):
        return None
    product: Node = Name(name[0])
    for c in name[1:]:
        product = Bin("*", product, Name(c))
    return product


def constant_node(name: str) -> Node:
    return Call("exp", (Num(Fraction(1)),)) if name == "e" else Name(name)


def rename(node: Node, leaf: Callable[[str], Node], euler: bool = True) -> Node:
    """`node` with every Name replaced by ``leaf(name)`` (a tree); ``e^{x}`` becomes ``exp(x)``
    unless `euler` is False (a variable is named e)."""
    def change(n: Node) -> Node | None:
        if isinstance(n, Name):
            return leaf(n.id)
        if euler and isinstance(n, Bin) and n.op == "^" and isinstance(n.left, Name) and n.left.id == "e":
            return Call("exp", (replaced(n.right, change),))
        return None

    return replaced(node, change)


def variants(optimizer: Optimizer) -> list[dict[str, object]]:
    """Every combination of the optimizer's option choices."""
    options = list(optimizer.options)
    return [dict(zip(options, combo, strict=True)) for combo in product(*(optimizer.options[o] for o in options))]


def rules_of(optimizer: Optimizer, options: dict[str, object]) -> dict[str, Node]:
    rules, _ = optimizer.choose(options)
    return dict(rules)


def _probe_env(probe: dict[str, str], tree: Node, balls: BallArithmetic) -> dict[str, Ball]:
    """The probe's values, and a fixed generic value for any other name the tree uses."""
    values = {k: Fraction(x) for k, x in probe.items()}
    for name in names(tree):
        values.setdefault(name, Fraction(30 + sum(map(ord, name)) % 47, 100))
    return {k: balls.const(x) for k, x in values.items()}


_GENERAL_NAMES: dict[tuple[int, tuple[str, ...]], tuple[Optimizer, dict[str, str]]] = {}


def general_names(optimizer: Optimizer, variables: tuple[str, ...] = ()) -> dict[str, str]:
    """The names of formula lines (``W_t``, ``\\theta_{t-1}``, ``\\hat{v}_t``, ``\\Pi_{t-1}``) -> their
    quantity, in the reference sheet's layout and in the lecture's for these variables.  Worked
    out once per optimizer object and variables (the entry keeps the object, so its id stays its own)."""
    key = (id(optimizer), variables)
    entry = _GENERAL_NAMES.get(key)
    if entry is None or entry[0] is not optimizer:
        entry = _GENERAL_NAMES[key] = (optimizer, _general_names(optimizer, variables))
    return entry[1]


def _general_names(optimizer: Optimizer, variables: tuple[str, ...]) -> dict[str, str]:
    keys = {"w", "g", *optimizer.state}
    for options in variants(optimizer):
        keys |= set(optimizer.state_for(options)) | set(rules_of(optimizer, options))
    keys.discard("g")
    keys.add(DECAYED)
    out: dict[str, str] = {}
    layouts = [optimizer.notation(("w1", "w2"), layout="reference")]
    if variables:
        layouts += [optimizer.notation(variables, gradient=g) for g in GRADIENT_NAMES]
    for notation in layouts:
        for name, q in notation.formulas(sorted(keys)).items():
            out.setdefault(name, "g" if q == DECAYED else q)
    for name, h in Notation(variables, optimizer.all_hyper()).hypers().items():  # "@": a hyperparameter
        out.setdefault(name, "@" + h)
    return out


def general_ref(name: str, optimizer: Optimizer, variables: tuple[str, ...] = ()) -> Ref | None:
    names = general_names(optimizer, variables)
    key = names.get(normal(name))
    if key is not None:
        return Ref("hyper", key[1:]) if key.startswith("@") else Ref("quantity", key)
    return resolve(name, (), optimizer.all_hyper())


def formula_value(tree: Node, optimizer: Optimizer, probe: dict[str, str], balls: BallArithmetic,
                  variables: tuple[str, ...] = ()) -> Ball | None:
    """A formula line's right side at a probe point, its names read as general quantities."""
    def leaf(name: str) -> Node:
        ref = general_ref(name, optimizer, variables)
        if ref is None:
            raise KeyError(name)
        return constant_node(ref.key) if ref.kind == "constant" else Name(ref.key)

    try:
        renamed = rename(tree, leaf)
        return evaluator(renamed, balls, {})(_probe_env(probe, renamed, balls))
    except (KeyError, SymoptError, ZeroDivisionError, ValueError):
        return None


def rule_value(rule: Node, probe: dict[str, str], balls: BallArithmetic) -> Ball | None:
    try:
        return evaluator(rule, balls, {})(_probe_env(probe, rule, balls))
    except (SymoptError, ZeroDivisionError):
        return None


_MATCHED: dict[tuple, tuple[Optimizer, str | None, tuple[int, ...]]] = {}


def matching_variants(lhs: str, tree: Node, optimizer: Optimizer, balls: BallArithmetic,
                      among: list[dict[str, object]] | None = None, variables: tuple[str, ...] = ()) -> tuple[str | None, list[int]]:
    """The quantity a formula ``lhs = tree`` defines, and which option variants (indexes into
    `among`, by default all of them) it agrees with.  Worked out once per formula (a class writes
    the same formula lines 300 times)."""
    key = (lhs, tree, id(optimizer), None if among is None else tuple(tuple(sorted(v.items())) for v in among), variables)
    hit = _MATCHED.get(key)
    if hit is not None and hit[0] is optimizer:
        return hit[1], list(hit[2])
    quantity, matches = _matching_variants(lhs, tree, optimizer, balls, among, variables)
    if len(_MATCHED) > 4096:
        _MATCHED.clear()
    _MATCHED[key] = (optimizer, quantity, tuple(matches))
    return quantity, matches


def _matching_variants(lhs: str, tree: Node, optimizer: Optimizer, balls: BallArithmetic,
                       among: list[dict[str, object]] | None, variables: tuple[str, ...]) -> tuple[str | None, list[int]]:
    ref = general_ref(lhs, optimizer, variables)
    if ref is None or ref.kind != "quantity":
        return None, []
    matches: list[int] = []
    for k, options in enumerate(variants(optimizer) if among is None else among):
        rules = rules_of(optimizer, options)
        rule = rules.get(ref.key)
        if rule is None:
            continue
        forms = [rule]
        inline = {q: r for q, r in rules.items() if q != ref.key and q.endswith("_hat") and q in names(rule)}
        if inline:  # the bias correction written inside the update: V_t / (1 - \beta_1^t)
            forms.append(map_names(rule, inline.get))
        if any(all(
            (value := formula_value(tree, optimizer, probe, balls, variables)) is not None
            and (expected := rule_value(form, probe, balls)) is not None
            and balls.agree(value, expected)
            for probe in PROBES
        ) for form in forms):
            matches.append(k)
    return ref.key, matches


def stated_options(section: Section, optimizer: Optimizer, balls: BallArithmetic,
                   variables: tuple[str, ...] = ()) -> dict[str, object]:
    """The options the formula lines state (ε inside the root or outside); defaults otherwise."""
    from .reading import general_formula, letters, students

    all_variants = variants(optimizer)
    votes = [0] * len(all_variants)
    moments = letters(section, optimizer)  # the Adam paper's m_t, v_t: read as the document's lines decide
    for math in section.given:
        given = classify(students(math))
        for lhs, tree in given.items if given.kind == "formulas" else ():
            lhs, tree = general_formula(lhs, tree, optimizer, variables, moments)
            _, matches = matching_variants(lhs, tree, optimizer, balls, variables=variables)
            if 0 < len(matches) < len(all_variants):
                for k in matches:
                    votes[k] += 1
    best = max(votes) if votes else 0
    if best == 0:
        return {}
    return all_variants[votes.index(best)]


def exercises_from(doc: Document, source: str, spec: Spec | None = None) -> list[Exercise]:
    """The problem of each exercise of `doc`: the spec's exercises in order, or read from `doc`."""
    if not doc.sections:
        raise SymoptError(f"{source}: no exercises found: start each with a heading such as 'Bài 1 Adam' or '## Exercise 1: Adam'")
    if spec is not None:
        if len(spec.exercises) < len(doc.sections):
            raise SymoptError(
                f"{source}: the document has {len(doc.sections)} exercises but {spec.source} has {len(spec.exercises)}; give a spec with one exercise per exercise of the document"
            )
        return list(spec.exercises[: len(doc.sections)])
    balls = BallArithmetic()
    top = [m for m in doc.preamble if classify(m).kind == "function"]
    exercises = []
    for n, section in enumerate(doc.sections, start=1):
        where = f"{source}: exercise {n} (line {section.line})"
        try:
            exercises.append(_infer(section, top, balls))
        except SymoptError as e:
            raise SymoptError(f"{e}; {HINT}", where) from None
    return exercises


def _infer(section: Section, top: list[MathLine], balls: BallArithmetic) -> Exercise:
    """The exercise a section works, read from the document: the optimizer its heading names, f from
    its last f(…) line (else the preamble's), the options its formula lines show, and the start,
    state and hyperparameters its data lines give."""
    optimizer = _optimizer_named(section)
    variables, function = function_of(_function_line(section, top))
    schedule = _schedule_of(section, variables)
    optimizer = optimizer.scheduled(None if schedule is None else schedules.read(schedule, max(1, len(section.epochs))))
    options = stated_options(section, optimizer, balls, variables)
    given_names = _DataNames.of(section, optimizer, options, variables)
    start, state, hyper = _given_values(section, given_names)
    _check_given(optimizer, given_names.hyper_names, variables, start, hyper, section)
    data = {
        "function": to_text(function),
        "exercise": [{
            "optimizer": optimizer.key, "hyper": hyper, "start": start, "state": state,
            "options": options, "epochs": max(1, len(section.epochs)),
            **({} if schedule is None else {"schedule": schedule}),
        }],
    }
    return from_dict(data, source="the document").exercises[0]


def _schedule_of(section: Section, variables: tuple[str, ...]) -> str | None:
    """The learning-rate schedule the section's formula line for α_t states (``\\alpha_t = \\alpha
    \\cdot 0.5^{…}``), as an expression of t and alpha (:func:`symopt.schedules.read`); None without one."""
    from .reading import students

    name = normal(Notation(variables, per_epoch=(schedules.TARGET,)).now(schedules.TARGET))
    for math in section.given:
        given = classify(students(math))
        for lhs, tree in given.items if given.kind == "formulas" else ():
            if normal(lhs) == name:
                return to_text(rename(tree, _schedule_name))
    return None


def _schedule_name(name: str) -> Node:
    """A name of a schedule's formula: the base rate (``\\alpha``, or the lecture's ``\\alpha_0``), t, or a constant."""
    ref = resolve(name, (), (schedules.BASE,))
    if ref is None or ref.kind == "quantity":
        raise SymoptError(f"the formula for the learning rate uses {name}; a schedule is a formula in t and $\\alpha$")
    return constant_node(ref.key) if ref.kind == "constant" else Name(ref.key)


def _optimizer_named(section: Section) -> Optimizer:
    """The optimizer the section's heading names."""
    if section.optimizer is None:
        raise SymoptError(f"the heading {section.heading!r} names no optimizer symopt knows ({', '.join(o.title for o in OPTIMIZERS.values())})")
    return OPTIMIZERS[section.optimizer]


def _function_line(section: Section, top: list[MathLine]) -> MathLine:
    """The line that states f: the section's last f(…) = … line, else the preamble's."""
    functions = [m for m in section.given if classify(m).kind == "function"] or top
    if not functions and any(m.text.lstrip().startswith(("L^{(i)}", "J(")) for m in section.given):
        raise SymoptError("a dataset problem (a loss L^{(i)} over a table of samples): its data, model and batches are "
                          "read from the spec that states them")
    if not functions:
        raise SymoptError("no f(…) = … line states the function")
    return functions[-1]


@dataclass(frozen=True)
class _DataNames:
    """What the names of a section's data lines mean, for its optimizer (with its options) and
    variables, in the document's own letters for the moments."""

    variables: tuple[str, ...]
    hyper_names: tuple[str, ...]
    notation: Notation
    lines: dict[str, tuple[str, str]]  # a line's name -> (quantity, variable)
    states: tuple[str, ...]
    moments: dict[str, str]  # the Adam paper's m_0 = 0.1, v_0 = 0.01 are v and s

    @classmethod
    def of(cls, section: Section, optimizer: Optimizer, options: dict, variables: tuple[str, ...]) -> _DataNames:
        from .reading import letters

        notation = optimizer.notation(variables, options)
        lines = notation.lines(("w", *optimizer.state_for(options)))
        return cls(variables, optimizer.hyper_for(options), notation, lines, optimizer.state_for(options),
                   letters(section, optimizer))

    def meaning(self, name: str) -> Ref | None:
        """What a data line's name gives (a quantity without a variable: every variable's)."""
        name = relettered(name, self.moments)
        hit = self.notation.read_epoch(name, 0)  # a quantity of the epoch starts once: \\Pi_0 = 1
        if hit is not None and hit[0] in self.states:
            return Ref("quantity", hit[0])
        line = self.lines.get(normal(name))
        hyper_name = self.notation.hypers().get(normal(name))
        return Ref("quantity", line[0], line[1]) if line else Ref("hyper", hyper_name) if hyper_name \
            else resolve(name, self.variables, self.hyper_names)

    def start_meaning(self, name: str, vector: bool) -> Ref | None:
        """A name with a start value's mark (``x^{(0)}``, ``x_0``, ``w_{1,0}``, ``\\mathbf{w}_0``):
        the quantity of the name without it.  Only a quantity: ``w_1`` is the variable w1 itself."""
        base = _start_base(name)
        ref = self.meaning(base) if base is not None else None
        if ref is None and vector and _parameter_vector(base or name, self.variables):  # \\mathbf{x}_0 for x1, x2
            return Ref("quantity", "w")
        return ref if ref is not None and ref.kind == "quantity" else None


def _given_values(section: Section, given_names: _DataNames) -> tuple[dict[str, Fraction], dict[str, dict[str, Fraction]], dict[str, Fraction]]:
    """The start values, state and hyperparameters the section's data lines give: each item whose
    value is a number and whose name is a hyperparameter, the parameter or a state of the optimizer."""
    start: dict[str, Fraction] = {}
    state: dict[str, dict[str, Fraction]] = {}
    hyper: dict[str, Fraction] = {}
    for name, tree, vector in _data_items(section):
        parts = tree if isinstance(tree, tuple) else (tree,)  # a vector's components, or the one value
        values = [q for c in parts if (q := rational_value(c, {})) is not None]
        if len(values) < len(parts):
            continue
        ref = given_names.meaning(name) or given_names.start_meaning(name, vector)
        if ref is None:
            continue
        if ref.kind == "hyper" and not vector:
            hyper[ref.key] = values[0]
            continue
        if ref.kind != "quantity" or (ref.key != "w" and ref.key not in given_names.states):
            continue
        for v, value in _per_variable(ref, values, vector, given_names.variables).items():
            if ref.key == "w":
                start[v] = value
            else:
                state.setdefault(ref.key, {})[v] = value
    return start, state, hyper


def _data_items(section: Section) -> list[tuple[str, Node | tuple[Node, ...], bool]]:
    """The (name, value, is a vector) items of the section's data lines: first each line's single
    values, then its vectors (a vector's value is its components)."""
    items: list[tuple[str, Node | tuple[Node, ...], bool]] = []
    for math in section.given:
        given = classify(math)
        if given.kind == "data":
            items += [(name, tree, False) for name, tree in given.items]
            items += [(name, components, True) for name, components in given.vectors]
    return items


def _per_variable(ref: Ref, values: list[Fraction], vector: bool, variables: tuple[str, ...]) -> dict[str, Fraction]:
    """The variables a quantity's given values are for: one variable's (not a vector); a vector's,
    one value per variable in f's order; a general name's (v = 0, m_0 = v_0 = 0) every variable's
    state, but no start value (that is each variable's own)."""
    if ref.variable is not None:
        return {} if vector else {ref.variable: values[0]}
    if vector:
        return dict(zip(variables, values, strict=True)) if len(values) == len(variables) else {}
    return {} if ref.key == "w" else {v: values[0] for v in variables}


def _check_given(optimizer: Optimizer, hyper_names: tuple[str, ...], variables: tuple[str, ...],
                 start: dict[str, Fraction], hyper: dict[str, Fraction], section: Section) -> None:
    """Every variable has a start value, and every hyperparameter without a default a value."""
    missing = [name_latex(v) for v in variables if v not in start]
    if missing:
        why = _unread_value(section, missing)
        if why:
            raise SymoptError(f"the data line gives no start value for {why}")
        raise SymoptError(f"the data line gives no start value for {', '.join(missing)} (write e.g. {missing[0]} = -5)")
    missing = [name_latex(h) for h in hyper_names if h not in hyper and h not in optimizer.hyper_defaults]
    if missing:
        raise SymoptError(f"the data line gives no value for {', '.join(missing)}, which {optimizer.title} needs")


def _unread_value(section: Section, names: list[str]) -> str | None:
    """``w_1 cannot be read: the number is too large to compute…``: why a data line that names one
    of `names` gave it no value (its value could not be read), or None."""
    for math in section.given:
        for part in _top_level_split(math.text):
            sides, marks = relations(part)
            if len(sides) != 2 or tuple(marks) != ("=",) or (target := _target(sides[0])) is None or target not in names:
                continue
            try:
                parse_math(sides[1])
            except SymoptError as e:
                return f"{target}: {e}"
    return None


_START_SUB = re.compile(r"^(.+?)_(?:\{\s*0\s*\}|0)$")  # x_0, \theta_{0}
_START_PAIR = re.compile(r"^(.+?)_\{(.+?),\s*0\s*\}$")  # w_{1,0}


def _start_base(name: str) -> str | None:
    """`name` without a start value's mark: ``x^{(0)}`` (as :func:`classify` keeps ``x^0``,
    ``x^{(0)}``), ``x_0``, ``\\theta_{0}``, ``w_{1,0}`` -> ``x``, ``x``, ``\\theta``, ``w_{1}``; None without one."""
    if name.endswith("^{(0)}"):
        return name[: -len("^{(0)}")]
    m = _START_PAIR.match(name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    m = _START_SUB.match(name)
    return m.group(1) if m else None


def _parameter_vector(name: str, variables: tuple[str, ...]) -> bool:
    """Whether `name` is the variables' common letter, the vector of them all (``\\mathbf{x}`` for
    x1, x2: bold is dropped by the reader)."""
    heads = {m.group(1) for v in variables if (m := re.fullmatch(r"([A-Za-z]+?)_?([0-9]*)", v))}
    return len(variables) > 1 and len(heads) == 1 and normal(name).lstrip("\\") == heads.pop()
