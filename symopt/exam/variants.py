"""Randomized exam variants: one template and one seed give every variant, its question sheet, its
solution sheet, the answer key and a Moodle quiz -- reproducibly.

A template is a spec plus three tables:

- ``[exam]``: ``variants`` (how many) and ``seed``;
- ``[draw]``: named random values, ``{ choice = [...] }`` or ``{ range = [lo, hi], step = s,
  exclude = [...] }``, all exact decimals (at most :data:`MAX_DRAWS` draws, holding at most
  :data:`MAX_RANGE` values together); ``"{a}"`` in any string of the spec is replaced by the
  drawn value (a whole string ``"{a}"`` becomes the number itself);
- ``[require]``: ``max_abs`` (no shown value larger), ``terminating`` (quantities whose values end
  within the shown decimals, in exact mode), ``distinct`` (no two variants alike), and
  ``close_to_exact`` (on unless set false: by hand, every w in the key lies within its tolerance of
  the run without rounding, so a student who carries more digits is right too).  A variant that
  fails is drawn again, a bounded number of times: :data:`MAX_ATTEMPTS` per variant, and rejected
  draws may cost at most :data:`REJECT_WORK` plus :data:`REJECT_RATIO` times the work kept, so an
  impossible requirement on long runs fails in seconds, not minutes.

The template's own tables hold no control or bidi characters (:func:`symopt.spec.screen`, as every
spec key), and each malformed key is one line naming it (``draw.w1.exclude: must be a list``).

Variant K's draw depends only on (seed, K): its random generator is seeded with the text
``"<seed>:<K>:<attempt>"`` (string seeds are hashed with SHA-512, whatever PYTHONHASHSEED), and
draws are taken in name order.  So variant 7 of ``-n 10`` is variant 7 of ``-n 500``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
import random
import re
from typing import TYPE_CHECKING, Any, overload

from .. import labels
from ..errors import SymoptError
from ..files import read_text
from ..numbers import decimal_text, exact, inline_text

if TYPE_CHECKING:
    from ..sheet import Solution

MAX_VARIANTS = 10_000
MAX_ATTEMPTS = 200  # draws per variant before a requirement is declared impossible
# Values the draws may hold together (each value is built and kept: 100 000 take 0.4 s), and so
# many an exclude list; draws, each drawn at every attempt
MAX_RANGE = 100_000
MAX_DRAWS = 100
# Rejected draws may cost REJECT_WORK worked lines (symopt.spec.work, a draw's cost before it
# is solved) plus REJECT_RATIO times the work of the draws kept: a template whose draws mostly pass
# goes on, one whose requirement nothing meets stops after a few long runs (a hand draw of 10 000
# epochs of GD on 2 variables is 74 950 lines: about 1.5 s), never after 200 of them per variant.
REJECT_WORK = 60_000
VARIANT_WORK = 300  # a variant's own papers (question and solution sheets, its pages of the PDFs, key rows): about 15 ms
REJECT_RATIO = 10
EXAM_KEYS = ("exam", "draw", "require")
REQUIRE_KEYS = ("max_abs", "terminating", "distinct", "close_to_exact")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Draw:
    name: str
    values: tuple[Fraction, ...]  # every value it may take, in order


PAPER_TEXTS = ("course", "title", "date", "duration", "instructions")  # [exam] texts of the paper's header
FIELDS = ("name", "student_id", "class")  # the boxes a student fills in, in this order
ANSWERS = ("ruled", "boxed")
MAX_POINTS = 1000


@dataclass(frozen=True)
class Paper:
    """How the question paper looks and is marked, from ``[exam]``: the header's texts (any may be
    missing), the boxes a student fills in, each exercise's points (None: one per epoch), the
    quantities asked (their values are the key and the quiz's blanks), and the answer space."""

    course: str | None = None
    title: str | None = None  # the exam's title (default: the spec's)
    date: str | None = None
    duration: str | None = None
    instructions: str | None = None  # the teacher's own, after symopt's
    fields: tuple[str, ...] = FIELDS
    points: tuple[Fraction, ...] | None = None
    ask: tuple[str, ...] = ("w",)
    answer: str = "ruled"
    marks: dict[str, Fraction] = field(default_factory=dict)  # a line's weight in its epoch, by quantity (default 1)


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
    paper: Paper = Paper()


@dataclass(frozen=True)
class Variant:
    number: int  # 1-based
    values: dict[str, Fraction]
    spec: dict  # the drawn spec, ready for symopt.spec.from_dict


def load(path: str | Path) -> Template:
    path = Path(path)
    text = read_text(path, "an exam template")
    from ..spec import read_toml  # spec imports the catalogue: late, as below

    data = read_toml(text, str(path))
    try:
        return template(data, str(path), path.stem)
    except SymoptError as e:
        raise e.within(str(path)) from None


def template(data: dict, source: str = "<template>", stem: str = "exam") -> Template:
    from ..spec import screen

    for key in EXAM_KEYS:  # the spec's own keys are screened by symopt.spec.from_dict, at each draw
        screen(data.get(key), key)
    exam = data.get("exam", {})
    if not isinstance(exam, dict):
        raise SymoptError("must be a table: [exam] variants = 30, seed = 2026", "exam")
    for key in exam:
        if key not in EXAM_TABLE_KEYS:
            raise SymoptError(f"unknown key {key!r}; valid keys: {', '.join(EXAM_TABLE_KEYS)}", "exam")
    variants = _whole(exam.get("variants", 1), "exam.variants", 1, MAX_VARIANTS)
    seed = _whole(exam.get("seed", 0), "exam.seed", 0, 2**63 - 1)  # as --seed
    paper = _paper(exam)
    draws = _draws(data.get("draw", {}))
    require = data.get("require", {})
    if not isinstance(require, dict):
        raise SymoptError("must be a table", "require")
    for key in require:
        if key not in REQUIRE_KEYS:
            raise SymoptError(f"unknown requirement {key!r}; valid: {', '.join(REQUIRE_KEYS)}", "require")
    max_abs = None if "max_abs" not in require else _max_abs(require["max_abs"])
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
    _check_points(paper, spec)
    return Template(spec, draws, variants, seed, max_abs, tuple(terminating), distinct, source, stem, close_to_exact, paper)


EXAM_TABLE_KEYS = ("variants", "seed", *PAPER_TEXTS, "fields", "points", "ask", "answer", "marks")


def _paper(exam: dict) -> Paper:
    """[exam]'s keys of the paper, each checked: one line naming the key when it is wrong."""
    fields = exam.get("fields", list(FIELDS))
    if not isinstance(fields, list) or not all(isinstance(f, str) and f in FIELDS for f in fields) or len(set(fields)) < len(fields):
        raise SymoptError(f"must be a list of distinct fields among {', '.join(FIELDS)} (or [] for none)", "exam.fields")
    ask = exam.get("ask", ["w"])
    if not isinstance(ask, list) or not ask or not all(isinstance(q, str) for q in ask) or len(set(ask)) < len(ask):
        raise SymoptError('must be a list of distinct quantities, such as ["w"] or ["dw", "w"]', "exam.ask")
    answer = exam.get("answer", "ruled")
    if answer not in ANSWERS:
        raise SymoptError(f"must be one of {', '.join(ANSWERS)}, got {answer!r}", "exam.answer")
    return Paper(**_texts(exam), fields=tuple(fields), points=_points(exam), ask=tuple(ask), answer=answer, marks=_marks(exam))


def _texts(exam: dict) -> dict[str, str]:
    """The paper's texts given (course, title, date, duration, instructions), each on one line."""
    texts: dict[str, str] = {}
    for key in (k for k in PAPER_TEXTS if k in exam):
        value = exam[key]
        if not isinstance(value, str):
            raise SymoptError(f'must be a text in quotes, such as {key} = "…" (TOML reads {_plain_type(value)} here)', f"exam.{key}")
        if not value.strip():
            raise SymoptError("must be a non-empty string", f"exam.{key}")
        limit = 2000 if key == "instructions" else 200
        if len(value) > limit:
            raise SymoptError(f"is {len(value)} characters long; at most {limit}", f"exam.{key}")
        texts[key] = " ".join(value.split())
    return texts


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _points(exam: dict) -> tuple[Fraction, ...] | None:
    """``points``: one number for each exercise, or one per exercise; None when not given."""
    if "points" not in exam:
        return None
    given = exam["points"]
    listed = given if isinstance(given, list) else [given]
    if not listed or not all(_numeric(p) for p in listed):
        raise SymoptError("must be a number (each exercise's points) or a list of numbers, one per exercise, not text", "exam.points")
    points = tuple(_number(p, "exam.points") for p in listed)
    if any(not 0 < p <= MAX_POINTS for p in points):
        raise SymoptError(f"points must be more than 0 and at most {MAX_POINTS}", "exam.points")
    return points


def _marks(exam: dict) -> dict[str, Fraction]:
    """``marks``: a weight per quantity (each line's share of its epoch)."""
    marks = exam.get("marks", {})
    if not isinstance(marks, dict) or not all(isinstance(q, str) and _numeric(w) for q, w in marks.items()):
        raise SymoptError("must be a table of numbers by quantity, such as { w = 2, dw = 1 }", "exam.marks")
    weights = {q: _number(w, f"exam.marks.{q}") for q, w in marks.items()}
    if any(not 0 <= w <= MAX_POINTS for w in weights.values()):
        raise SymoptError(f"weights must be from 0 to {MAX_POINTS}", "exam.marks")
    return weights


def _plain_type(value: object) -> str:
    """What TOML made of a value, in a user's words: a date, a number, a list, a table."""
    import datetime

    if isinstance(value, (datetime.date, datetime.time)):
        return "a date or a time"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return "a number"
    return {bool: "true or false", list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _check_points(paper: Paper, spec: dict) -> None:
    """A list of points has one entry per exercise."""
    if paper.points is not None and len(paper.points) > 1:
        exercises = spec.get("exercise")
        count = len(exercises) if isinstance(exercises, list) else 0
        if len(paper.points) != count:
            raise SymoptError(f"lists {len(paper.points)} points for {count} exercises; give one per exercise, or one number for each", "exam.points")


def exercise_points(paper: Paper, epochs: list[int]) -> list[Fraction]:
    """Each exercise's points: the template's (one number for each, or one per exercise), else one
    point per epoch."""
    if paper.points is None:
        return [Fraction(n) for n in epochs]
    if len(paper.points) == 1:
        return [paper.points[0]] * len(epochs)
    return list(paper.points)


def _max_abs(value: object) -> Fraction:
    """[require] max_abs: a size no shown value may pass, so 0 or more (below 0 nothing would do)."""
    bound = _number(value, "require.max_abs")
    if bound < 0:
        raise SymoptError(f"must be 0 or more (the largest size a shown value may have), got {decimal_text(bound)}",
                          "require.max_abs")
    return bound


def _whole(value: object, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SymoptError(f"must be a whole number from {low} to {high}, got {value!r}", where)
    return value


def _draws(table: object) -> tuple[Draw, ...]:
    """[draw], in name order: at most MAX_DRAWS draws, holding at most MAX_RANGE values together."""
    if not isinstance(table, dict):
        raise SymoptError("must be a table of named draws", "draw")
    if len(table) > MAX_DRAWS:
        raise SymoptError(f"{len(table)} draws; at most {MAX_DRAWS}", "draw")
    draws: list[Draw] = []
    for name in sorted(table):
        draws.append(_draw(name, table[name], MAX_RANGE - sum(len(d.values) for d in draws)))
    return tuple(draws)


def _draw(name: str, entry: object, room: int) -> Draw:
    """The draw `name`, of at most `room` values (what the draws before it leave of MAX_RANGE)."""
    where = f"draw.{name}"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SymoptError("name a draw with letters, digits and _", where)
    if not isinstance(entry, dict) or not (("choice" in entry) ^ ("range" in entry)):
        raise SymoptError("must be { choice = [...] } or { range = [lo, hi], step = s }", where)
    allowed = ("choice",) if "choice" in entry else ("range", "step", "exclude")
    for key in entry:
        if key not in allowed:
            raise SymoptError(f"unknown key {key!r}; valid keys: {', '.join(allowed)}", where)
    if "choice" in entry:
        choice = _numbers(entry["choice"], f"{where}.choice", "[0.1, 0.2]", room)
        if not choice:
            raise SymoptError("an empty choice: list at least one value", where)
        return Draw(name, tuple(choice))
    bounds = entry["range"]
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise SymoptError("must be [lo, hi], like [-5, 5]", f"{where}.range")
    lo, hi = (_number(b, f"{where}.range") for b in bounds)
    step = _number(entry.get("step", 1), f"{where}.step")
    exclude = set(_numbers(entry.get("exclude", []), f"{where}.exclude", "[0]", MAX_RANGE))
    if step <= 0:
        raise SymoptError(f"step must be more than 0, got {decimal_text(step)}", where)
    if lo > hi:
        raise SymoptError(f"range [{decimal_text(lo)}, {decimal_text(hi)}] is empty (lo > hi)", where)
    count = (hi - lo) // step + 1
    if count > room:  # (count itself may have hundreds of digits: 1e-300 steps)
        raise SymoptError(f"the range holds more than {room} values (the draws hold at most {MAX_RANGE} together); "
                          "use a larger step", where)
    values = tuple(v for v in (lo + k * step for k in range(count)) if v not in exclude)
    if not values:
        raise SymoptError("every value of the range is excluded", where)
    return Draw(name, values)


def _number(value: object, where: str) -> Fraction:
    try:
        return exact(value)
    except ValueError as e:
        raise SymoptError(str(e), where) from None


def _numbers(value: object, where: str, like: str, room: int) -> list[Fraction]:
    """A choice's or an exclude's numbers: a list (a string or a number would be read otherwise,
    or not at all), of at most `room` values, each an exact decimal."""
    if not isinstance(value, list):
        raise SymoptError(f"must be a list of numbers, like {like}", where)
    if len(value) > room:
        raise SymoptError(f"holds {len(value)} values; at most {room} here (the draws hold at most {MAX_RANGE} together)", where)
    return [_number(v, where) for v in value]


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


def generate(t: Template, count: int, progress: Callable[[int, int], None] | None = None,
             tally: dict[str, Any] | None = None) -> list[tuple[Variant, Solution]]:
    """Variants 1..count with their solutions, each drawn until the requirements hold.  `tally`,
    when given, receives ``rejected`` (requirement -> draws it rejected) and ``redrawn`` (the
    variants whose first draw was rejected), for the stress test.

    The work is bounded before it is done: the variants' whole work (their exercises' and
    :data:`VARIANT_WORK` each) by :func:`symopt.spec.check_work`,
    the draws rejected by :data:`MAX_ATTEMPTS` per variant and by the rejected work (:data:`REJECT_WORK`
    plus :data:`REJECT_RATIO` times the work kept).  A draw that repeats a variant's values under
    ``distinct`` is rejected before it is solved, so it costs nothing."""
    from ..sheet import solve
    from ..spec import check_work, from_dict, work

    first = from_dict(draw(t, 1).spec, source=t.source, stem=t.stem)  # a broken spec fails once, not per draw
    if any(ex.data is not None for ex in first.exercises):
        raise SymoptError("exam templates do not take dataset problems yet (an exercise with data); render the problem "
                          "with symopt render instead", t.source)
    try:
        check_work(work(first.exercises) + VARIANT_WORK, count)
        from ..engine import printed_work
        from ..spec import check_printed

        check_printed(sum(printed_work(ex, first.mult) for ex in first.exercises), count)
    except SymoptError as e:
        raise e.within(t.source) from None
    possible = 1
    for d in t.draws:
        possible *= len(d.values)
    if t.distinct and count > possible:
        raise SymoptError(f"distinct: the draws allow only {possible} different variants, {count} asked; "
                          "widen the draws or ask fewer", t.source)
    out: list[tuple[Variant, Solution]] = []
    seen: set[tuple[tuple[str, Fraction], ...]] = set()
    rejected: dict[str, int] = {}  # over the whole run, for the message when the rejected work is past its bound
    kept_work = rejected_work = redrawn = 0
    for number in range(1, count + 1):
        failures: dict[str, int] = {}
        for attempt in range(MAX_ATTEMPTS):
            variant = draw(t, number, attempt)
            key = tuple(sorted(variant.values.items()))
            reason: str | None = "distinct" if t.distinct and key in seen else None
            cost = 0
            if reason is None:
                try:
                    spec = from_dict(variant.spec, source=t.source, stem=t.stem)
                    cost = work(spec.exercises)
                    solution = solve(spec)
                except SymoptError as e:
                    reason = f"a solvable draw ({e})"
                else:
                    reason = unmet(t, solution)
            if reason is None:
                seen.add(key)
                out.append((variant, solution))
                kept_work += cost
                redrawn += attempt > 0
                break
            failures[reason] = failures.get(reason, 0) + 1
            rejected[reason] = rejected.get(reason, 0) + 1
            rejected_work += cost
            if rejected_work > REJECT_WORK + REJECT_RATIO * kept_work:
                n = sum(rejected.values())
                raise SymoptError(f"variant {number}: gave up after {n} rejected draw{'s' if n != 1 else ''} "
                                  f"({_tally(rejected)}) costing {rejected_work} worked lines, past the bound of "
                                  f"{REJECT_WORK} + {REJECT_RATIO} × the {kept_work} kept; {_hint(rejected)}", t.source)
        else:
            worst = max(failures, key=failures.__getitem__)
            raise SymoptError(f"variant {number}: no draw in {MAX_ATTEMPTS} meets the requirement {worst} "
                              f"(it rejected {failures[worst]}); {_hint(failures)}", t.source)
        if progress:
            progress(number, count)
    if tally is not None:
        tally.update(rejected=rejected, redrawn=redrawn)
    return out


def _tally(reasons: dict[str, int]) -> str:
    """Which requirement rejected how many draws, most first: ``max_abs = 0.001: 3, close_to_exact: 1``;
    past three (unsolvable draws each say their own error), the rest as a count, so the line stays short."""
    ranked = sorted(reasons.items(), key=lambda item: -item[1])
    shown = ", ".join(f"{reason}: {n}" for reason, n in ranked[:3])
    rest = sum(n for _, n in ranked[3:])
    return shown + (f", other reasons: {rest}" if rest else "")


def _hint(reasons: dict[str, int]) -> str:
    """What to change, for the requirement that rejected the most draws."""
    if max(reasons, key=reasons.__getitem__) == "close_to_exact":
        return ("by hand its key lies farther from the run without rounding than its tolerance; widen the draws, "
                "round to more decimals, or set [require] close_to_exact = false")
    return "widen the draws or relax [require]"
