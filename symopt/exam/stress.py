"""``symopt exam TEMPLATE --stress N``: what N variants of a template look like before a class sees
them, as R/exams' ``stresstest_exercise`` shows an exercise's: per drawn value and per asked answer
the range and a small histogram, the share of variants that had to be drawn again and why, and the
variants a teacher would not hand out -- an answer equal to its start (the step was 0), a step
larger than alpha (the numbers blow up or oscillate), or a hand run that cannot be carried
faithfully (it leaves the exact run by more than its rounding).  The requirements hold as in
``symopt exam``, but for ``distinct``: the draws are tested as they fall, and the report says how
many are distinct.  Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING

from ..numbers import decimal_text, message_text
from .papers import key_rows
from .variants import Template, generate

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

BARS = "▁▂▃▄▅▆▇█"
NORMALISED = ("adam", "adamw", "adamax", "nadam", "radam")  # optimizers whose step is about alpha at most
STEP_SLACK = Fraction(11, 10)  # a step past 1.1 alpha is flagged (tests/test_exam.py holds the example to it)
BINS = 12


@dataclass(frozen=True)
class Flag:
    variant: int
    exercise: int
    what: str


def histogram(values: Sequence[Fraction]) -> str:
    """``▁▃█▅▁``: how the values spread over :data:`BINS` equal bins of their range (one bar per
    distinct value when there are fewer)."""
    distinct = sorted(set(values))
    if len(distinct) <= BINS:
        counts = [sum(1 for v in values if v == d) for d in distinct]
    else:
        lo, hi = distinct[0], distinct[-1]
        counts = [0] * BINS
        for v in values:
            counts[min(BINS - 1, int((v - lo) / (hi - lo) * BINS))] += 1
    top = max(counts)
    return "".join(BARS[max(0, (c * len(BARS) - 1) // top)] if c else " " for c in counts)


def _row(name: str, values: Sequence[Fraction]) -> str:
    lo, hi = min(values), max(values)
    return f"  {name:<28} {message_text(lo, 4):>12} … {message_text(hi, 4):<12} {len(set(values)):>5} values  {histogram(values)}"


def flags(t: Template, pairs: list) -> list[Flag]:
    """The degenerate variants: per exercise, its first finding of each kind."""
    out: list[Flag] = []
    for variant, solution in pairs:
        for n, worked in enumerate(solution.exercises, start=1):
            ex = worked.exercise
            # Adam's steps are about alpha at most (its first one is alpha sign(g)): a larger one means
            # epsilon or tiny moments took over; other optimizers' steps scale with g, and are not judged
            alpha = ex.hyper.get("alpha") if ex.optimizer.key in NORMALISED else None
            previous = dict(ex.start)
            kinds: set[str] = set()
            for epoch in worked.epochs:
                for line in epoch.lines:
                    if line.quantity != "w":
                        continue
                    value, start = line.shown.value, ex.start[line.variable]
                    name = line.latex.split(" = ")[0]
                    if "start" not in kinds and "w" in t.paper.ask and value == start:
                        kinds.add("start")
                        out.append(Flag(variant.number, n, f"{name} after epoch {epoch.number} equals its start, {decimal_text(start)}"))
                    step = abs(value - previous[line.variable])
                    if "step" not in kinds and alpha is not None and step > STEP_SLACK * alpha:
                        kinds.add("step")
                        out.append(Flag(variant.number, n, f"the step of {name} in epoch {epoch.number} is {message_text(step, 4)}, "
                                                           f"more than 1.1 alpha = {decimal_text(STEP_SLACK * alpha)}"))
                    previous[line.variable] = value
            if worked.departs is not None:
                d = worked.departs
                out.append(Flag(variant.number, n, f"carried by hand, {d.line} leaves the exact run at epoch {d.epoch} "
                                                   f"({d.carried.text} where the exact value is {message_text(Fraction(d.reference), 4)})"))
            if worked.diverged is not None:
                out.append(Flag(variant.number, n, f"the run diverges at epoch {worked.diverged.epoch}"))
    return out


def report(t: Template, count: int, progress: Callable[[int, int], None] | None = None) -> tuple[str, int]:
    """The stress test's text, and how many degenerate variants it found."""
    tally: dict = {}
    # drawn whatever `distinct` says: the test is of the draws, and says how many are distinct
    pairs = generate(replace(t, distinct=False), count, progress, tally)
    rows = key_rows(pairs, t.paper.ask)
    possible = 1
    for d in t.draws:
        possible *= len(d.values)
    distinct = len({tuple(sorted(v.values.items())) for v, _ in pairs})
    lines = [f"Stress test of {t.source}: {count} variants (seed {t.seed}), {distinct} of them distinct; "
             f"the draws allow {possible}", ""]
    rejected, redrawn = tally.get("rejected", {}), tally.get("redrawn", 0)
    share = f"{100 * redrawn / count:.1f}"
    lines.append(f"Redrawn: {redrawn} of {count} variants ({share} %)"
                 + (": " + ", ".join(f"{why}: {n} draws" for why, n in sorted(rejected.items(), key=lambda i: -i[1])) if rejected else ""))
    lines += ["", f"  {'drawn value':<28} {'lowest':>12}   {'highest':<12} {'':>5}         histogram"]
    for d in t.draws:
        lines.append(_row(d.name, [variant.values[d.name] for variant, _ in pairs]))
    answers: dict[tuple, list[Fraction]] = {}
    for r in rows:
        answers.setdefault((r["exercise"], r["epoch"], r["line"]), []).append(Fraction(r["value"]))
    lines += ["", f"  {'asked answer':<28} {'lowest':>12}   {'highest':<12}"]
    for (n, epoch, line), values in answers.items():
        lines.append(_row(f"exercise {n}, epoch {epoch}: {line}", values))
    found = flags(t, pairs)
    bad = {f.variant for f in found}
    lines += ["", f"Degenerate variants: {len(bad)} of {count}" + (":" if found else "")]
    shown = found[:30]
    lines += [f"  variant {f.variant}, exercise {f.exercise}: {f.what}" for f in shown]
    if len(found) > len(shown):
        lines.append(f"  … and {len(found) - len(shown)} more findings")
    return "\n".join(lines) + "\n", len(bad)
