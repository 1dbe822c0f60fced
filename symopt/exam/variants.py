"""Randomized exam variants: one template and one seed give every variant, its question sheet, its
solution sheet, the answer key and a Moodle quiz -- reproducibly.

A template is a spec plus three tables:

- ``[exam]``: ``variants`` (how many) and ``seed``;
- ``[draw]``: named random values, ``{ choice = [...] }`` or ``{ range = [lo, hi], step = s,
  exclude = [...] }``, all exact decimals; ``"{a}"`` in any string of the spec is replaced by the
  drawn value (a whole string ``"{a}"`` becomes the number itself);
- ``[require]``: ``max_abs`` (no shown value larger), ``terminating`` (quantities whose values end
  within the shown decimals, in exact mode), ``distinct`` (no two variants alike), and
  ``close_to_exact`` (on unless set false: by hand, every w in the key lies within its tolerance of
  the run without rounding, so a student who carries more digits is right too).  A variant that
  fails is drawn again, a bounded number of times.

Variant K's draw depends only on (seed, K): its random generator is seeded with the text
``"<seed>:<K>:<attempt>"`` (string seeds are hashed with SHA-512, whatever PYTHONHASHSEED), and
draws are taken in name order.  So variant 7 of ``-n 10`` is variant 7 of ``-n 500``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
import random
import re
import tomllib
from typing import TYPE_CHECKING, Any, overload

from .. import labels
from ..errors import SymoptError
from ..files import read_text
from ..numbers import decimal_text, exact, inline_text

if TYPE_CHECKING:
    from ..sheet import Solution

MAX_VARIANTS = 10_000
MAX_ATTEMPTS = 200  # draws per variant before a requirement is declared impossible
MAX_RANGE = 100_000  # values a range may hold
EXAM_KEYS = ("exam", "draw", "require")
REQUIRE_KEYS = ("max_abs", "terminating", "distinct", "close_to_exact")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Draw:
    name: str
    values: tuple[Fraction, ...]  # every value it may take, in order


@dataclass(frozen=True)
class Template:
    spec: dict  # the spec part, with placeholders
    draws: tuple[Draw, ...]  # in name order
    variants: int
    seed: int
    max_abs: Fraction | None
    terminating: tuple[str, ...]
    distinct: bool
    source: str
    stem: str
    close_to_exact: bool = True  # by hand, each key value is within its tolerance of the run without rounding


@dataclass(frozen=True)
class Variant:
    number: int  # 1-based
    values: dict[str, Fraction]
    spec: dict  # the drawn spec, ready for symopt.spec.from_dict


def load(path: str | Path) -> Template:
    path = Path(path)
    text = read_text(path, "an exam template")
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as e:
        raise SymoptError(f"not valid TOML: {e}", str(path)) from None
    try:
        return template(data, str(path), path.stem)
    except SymoptError as e:
        raise e.within(str(path)) from None


def template(data: dict, source: str = "<template>", stem: str = "exam") -> Template:
    exam = data.get("exam", {})
    if not isinstance(exam, dict):
        raise SymoptError("must be a table: [exam] variants = 30, seed = 2026", "exam")
    for key in exam:
        if key not in ("variants", "seed"):
            raise SymoptError(f"unknown key {key!r}; valid keys: variants, seed", "exam")
    variants = _whole(exam.get("variants", 1), "exam.variants", 1, MAX_VARIANTS)
    seed = _whole(exam.get("seed", 0), "exam.seed", 0, 2**63)
    draw_table = data.get("draw", {})
    if not isinstance(draw_table, dict):
        raise SymoptError("must be a table of named draws", "draw")
    draws = tuple(_draw(name, draw_table[name]) for name in sorted(draw_table))
    require = data.get("require", {})
    if not isinstance(require, dict):
        raise SymoptError("must be a table", "require")
    for key in require:
        if key not in REQUIRE_KEYS:
            raise SymoptError(f"unknown requirement {key!r}; valid: {', '.join(REQUIRE_KEYS)}", "require")
    max_abs = None
    if "max_abs" in require:
        try:
            max_abs = exact(require["max_abs"])
        except ValueError as e:
            raise SymoptError(str(e), "require.max_abs") from None
    terminating = require.get("terminating", [])
    if not isinstance(terminating, list) or not all(isinstance(q, str) for q in terminating):
        raise SymoptError('must be a list of quantities such as ["dw", "w"]', "require.terminating")
    distinct = require.get("distinct", False)
    if not isinstance(distinct, bool):
        raise SymoptError("must be true or false", "require.distinct")
    close_to_exact = require.get("close_to_exact", True)
    if not isinstance(close_to_exact, bool):
        raise SymoptError("must be true or false", "require.close_to_exact")
    spec = {k: v for k, v in data.items() if k not in EXAM_KEYS}
    names = {d.name for d in draws}
    for used in sorted(_placeholders(spec)):
        if used not in names:
            raise SymoptError(f"'{{{used}}}' is never drawn; add {used} to [draw] or write the value")
    return Template(spec, draws, variants, seed, max_abs, tuple(terminating), distinct, source, stem, close_to_exact)


def _whole(value: object, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SymoptError(f"must be a whole number from {low} to {high}, got {value!r}", where)
    return value


def _draw(name: str, entry: object) -> Draw:
    where = f"draw.{name}"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SymoptError("name a draw with letters, digits and _", where)
    if not isinstance(entry, dict) or not (("choice" in entry) ^ ("range" in entry)):
        raise SymoptError("must be { choice = [...] } or { range = [lo, hi], step = s }", where)
    allowed = ("choice",) if "choice" in entry else ("range", "step", "exclude")
    for key in entry:
        if key not in allowed:
            raise SymoptError(f"unknown key {key!r}; valid keys: {', '.join(allowed)}", where)
    try:
        if "choice" in entry:
            if not isinstance(entry["choice"], list) or not entry["choice"]:
                raise SymoptError("an empty choice: list at least one value", where)
            return Draw(name, tuple(exact(v) for v in entry["choice"]))
        bounds = entry["range"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise SymoptError("range must be [lo, hi]", where)
        lo, hi = (exact(b) for b in bounds)
        step = exact(entry.get("step", 1))
        exclude = {exact(x) for x in entry.get("exclude", [])}
    except ValueError as e:
        raise SymoptError(str(e), where) from None
    if step <= 0:
        raise SymoptError(f"step must be more than 0, got {decimal_text(step)}", where)
    if lo > hi:
        raise SymoptError(f"range [{decimal_text(lo)}, {decimal_text(hi)}] is empty (lo > hi)", where)
    count = int((hi - lo) / step) + 1
    if count > MAX_RANGE:
        raise SymoptError(f"the range holds {count} values; at most {MAX_RANGE} (use a larger step)", where)
    values = tuple(v for v in (lo + k * step for k in range(count)) if v not in exclude)
    if not values:
        raise SymoptError("every value of the range is excluded", where)
    return Draw(name, values)


def _placeholders(value: object) -> set[str]:
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value))
    if isinstance(value, dict):
        return set().union(*(_placeholders(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_placeholders(v) for v in value)) if value else set()
    return set()


@overload
def substitute(value: dict[str, Any], values: dict[str, Fraction]) -> dict[str, Any]: ...
@overload
def substitute(value: object, values: dict[str, Fraction]) -> object: ...
def substitute(value: object, values: dict[str, Fraction]) -> object:
    """The spec with every ``{name}`` replaced: a whole-string placeholder by the number itself, one
    inside a text (``"{a}*w1**2"``) by its decimal text, in parentheses when negative."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value.strip())
        if whole:
            return Decimal(decimal_text(values[whole.group(1)]))
        return _PLACEHOLDER.sub(lambda m: inline_text(values[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: substitute(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, values) for v in value]
    return value


def draw(t: Template, number: int, attempt: int = 0) -> Variant:
    """Variant `number`'s draw on its `attempt`-th try: a function of (seed, number, attempt) only.
    The variant's number goes into its title, so every sheet of it says which one it is."""
    rng = random.Random(f"{t.seed}:{number}:{attempt}")
    values = {d.name: d.values[rng.randrange(len(d.values))] for d in t.draws}
    spec = substitute(t.spec, values)
    lang = spec.get("lang") if spec.get("lang") in labels.TEXT else "en"
    label = labels.words(lang, "exam")["variant"].format(k=number)
    title = spec.get("title", labels.DEFAULT_TITLE)
    spec["title"] = f"{title} · {label}" if isinstance(title, str) else title
    return Variant(number, values, spec)


def unmet(t: Template, solution: Solution) -> str | None:
    """The first requirement a solved variant fails, or None."""
    for worked in solution.exercises:
        if t.close_to_exact and worked.departs is not None:
            return "close_to_exact"
        for epoch in worked.epochs:
            for line in epoch.lines:
                if t.max_abs is not None and abs(line.shown.value) > t.max_abs:
                    return f"max_abs = {decimal_text(t.max_abs)}"
                if line.quantity in t.terminating and line.approx:
                    return f"terminating ({line.quantity})"
            if t.close_to_exact and epoch.reference is not None:
                policy = worked.exercise.numbers.policy()
                for line in epoch.lines:
                    if line.quantity == "w":
                        exact = Fraction(epoch.reference[line.variable])
                        if abs(line.shown.value - exact) > policy.unit(exact):
                            return "close_to_exact"
    return None


def generate(t: Template, count: int, progress: Callable[[int, int], None] | None = None) -> list[tuple[Variant, Solution]]:
    """Variants 1..count with their solutions, each drawn until the requirements hold."""
    from ..sheet import solve
    from ..spec import from_dict

    from_dict(draw(t, 1).spec, source=t.source, stem=t.stem)  # a broken spec fails once, not per draw
    possible = 1
    for d in t.draws:
        possible *= len(d.values)
    if t.distinct and count > possible:
        raise SymoptError(f"distinct: the draws allow only {possible} different variants, {count} asked; "
                          "widen the draws or ask fewer", t.source)
    out: list[tuple[Variant, Solution]] = []
    seen: set[tuple[tuple[str, Fraction], ...]] = set()
    for number in range(1, count + 1):
        failures: dict[str, int] = {}
        for attempt in range(MAX_ATTEMPTS):
            variant = draw(t, number, attempt)
            key = tuple(sorted(variant.values.items()))
            reason: str | None
            try:
                solution = solve(from_dict(variant.spec, source=t.source, stem=t.stem))
            except SymoptError as e:
                reason = f"a solvable draw ({e})"
            else:
                reason = unmet(t, solution) or ("distinct" if t.distinct and key in seen else None)
            if reason is None:
                seen.add(key)
                out.append((variant, solution))
                break
            failures[reason] = failures.get(reason, 0) + 1
        else:
            worst = max(failures, key=failures.__getitem__)
            hint = ("widen the draws or relax [require]" if worst != "close_to_exact" else
                    "by hand its key lies farther from the run without rounding than its tolerance; widen the draws, "
                    "round to more decimals, or set [require] close_to_exact = false")
            raise SymoptError(f"variant {number}: no draw in {MAX_ATTEMPTS} meets the requirement {worst}; {hint}", t.source)
        if progress:
            progress(number, count)
    return out
