"""Grading a class at once: every worked solution checked, one gradebook, an annotated copy each.

``submissions(works)`` turns the command line's files and folders into the files to grade;
``grade(paths, spec, slack, progress)`` checks them in a process pool (over every core, in chunks)
and returns one :class:`Graded` per file, in order; ``outputs(graded, folder)`` are the files to
write: each submission's annotated copy (``<stem>.checked.md``) and ``gradebook.csv``.

A file that cannot be checked (not UTF-8, no exercises, a spec that does not match it, any
:class:`SymoptError`) is a row with its reason, never a stop.

The score, with error carried forward: every epoch line the checker judges, and every derivative
stated before the epochs, is worth 1 point; a line with an error (arithmetic, substitution,
formula: a wrong rule or a wrong derivative) or that cannot be read scores 0, a line whose only
slip is rounding scores 1/2, and notation warnings (``v_{coord1}``) cost nothing.  The checker
judges each line from the writer's own earlier numbers, so a line that is right from an earlier
slip scores in full: one slip costs one line.  The general formula lines, lines the checker cannot
judge (a name it does not know) and lines the writer skipped are not scored.
score = points / lines, as a percentage with one decimal (half up); no scored line, no score.
With an exam's marking scheme (``check --exam``, :func:`by_scheme`) each line is worth its share
of the exercise's points instead, with the same credits, and a line not written loses its share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from fractions import Fraction
import multiprocessing
import os
from pathlib import Path
import signal
import sys
import threading
from typing import TYPE_CHECKING, Protocol, cast

from .. import labels
from ..errors import SymoptError
from ..files import csv_text, shown
from ..numbers import rounded_text

if TYPE_CHECKING:
    from ..spec import Spec
    from . import Slack
    from .findings import Finding
    from .report import Report

    SpecGiven = Spec | str | Path | dict | None  # what check() takes as the problem

SUFFIXES = (".md", ".tex")
COPY_SUFFIX = ".checked.md"  # never read back as a submission when the copies sit in the class's folder
CSV_NAME = "gradebook.csv"
COLUMNS = ("file", "exercises", "lines", "ok", "errors", "warnings", "points", "score", "status", "reason")
CHUNKS_PER_WORKER = 16  # 300 files on 2 cores: 30 chunks of 10, so no core idles long at the end
# a line's worth in half points, by the kinds of its findings (the lowest counts); a line whose
# findings are all notation ones was not judged and is not scored
HALF_POINTS = {"ok": 2, "rounding": 1, "arithmetic": 0, "substitution": 0, "formula": 0, "unreadable": 0}


@dataclass(frozen=True)
class Graded:
    """One submission's row, and its annotated copy (None when it could not be checked)."""

    file: str
    status: str  # "ok" (no errors), "errors", "no lines" (nothing to score), "unreadable"
    reason: str = ""
    exercises: int | None = None
    lines: int | None = None  # the epoch lines scored
    ok: int | None = None  # those of them with nothing flagged
    errors: int | None = None  # the report's counts, formula and derivative lines included
    warnings: int | None = None
    points: Fraction | None = None
    markdown: str | None = None
    total: Fraction | None = None  # with an exam's marking scheme: the points it gives; else one a line

    @property
    def score(self) -> str:
        """points / lines (or / the scheme's total) as a percentage with one decimal, rounded half
        up; '' without lines."""
        whole = self.total if self.total is not None else self.lines
        if not whole or self.points is None:
            return ""
        tenths = int(self.points * 1000 / whole + Fraction(1, 2))  # never negative: floor is int()
        return f"{tenths // 10}.{tenths % 10}"

    def row(self) -> list[str]:
        values = {name: getattr(self, name) for name in COLUMNS if name not in ("score", "points")}
        values["points"] = "" if self.points is None else _decimal(self.points)
        values["score"] = self.score
        return ["" if values[name] is None else str(values[name]) for name in COLUMNS]


def _decimal(points: Fraction) -> str:
    return rounded_text(points)


# -- which files ------------------------------------------------------------------------------------

def submissions(works: list[str]) -> list[Path]:
    """The files to grade: each WORK file as given, and every .md and .tex file directly in each
    WORK folder (sorted by name; not its subfolders, hidden files or earlier ``*.checked.md``
    copies).  A WORK that does not exist, or nothing to grade at all, is a SymoptError."""
    found: list[Path] = []
    for work in works:
        path = Path(work)
        if path.is_dir():
            found += sorted((p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()
                             and not p.name.startswith(".") and not p.name.endswith(COPY_SUFFIX)),
                            key=lambda p: p.name)
        elif path.exists():
            found.append(path)
        else:
            raise SymoptError("no such file or folder", work)
    seen: set[Path] = set()
    unique = []
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    if not unique:
        raise SymoptError("no .md or .tex file to grade in it", ", ".join(works))
    return unique


# -- grading -----------------------------------------------------------------------------------------

def score(report: Report) -> tuple[int, int, Fraction]:
    """(lines scored, those with nothing flagged, points) of a check report; see the module's doc."""
    by_line: dict[int, list[str]] = {}
    for f in report.findings:
        if f.epoch is not None or f.quantity == "dw":  # an epoch line, or a derivative stated before them
            by_line.setdefault(f.line, []).append(f.kind)
    if not any(f.epoch is not None for f in report.findings):
        return 0, 0, Fraction(0)  # derivatives alone, and no epoch worked: nothing to score
    scored = [kinds for kinds in by_line.values() if any(k in HALF_POINTS for k in kinds)]
    halves = sum(min(HALF_POINTS.get(k, 2) for k in kinds) for kinds in scored)
    ok = sum(all(k == "ok" for k in kinds) for kinds in scored)
    return len(scored), ok, Fraction(halves, 2)


class _Check(Protocol):
    """``symopt.check``: the package, callable as its check() (see check/__init__.py), which mypy
    sees as a module only."""

    def __call__(self, work: str | Path, spec: SpecGiven = None, *, slack: Slack = 0) -> Report: ...


def grade_one(path: str | Path, spec: SpecGiven = None, slack: Fraction | int = 0, marks: list | None = None) -> Graded:
    """Check one submission; whatever goes wrong is its row's reason.  With an exam's marking
    scheme (`marks`, :mod:`symopt.exam.marking`) its points and score follow the scheme."""
    from .. import check as package  # looked up now, so that a replaced symopt.check is the one used

    check = cast(_Check, package)
    name = shown(str(path))  # a name with a control character is refused below, and printed without it
    try:
        report = check(Path(path), spec, slack=slack)
    except SymoptError as e:
        return Graded(name, "unreadable", _reason(str(e), name))
    except RecursionError:
        return Graded(name, "unreadable", "an expression is nested too deeply")
    except Exception as e:  # a bug in symopt: the class goes on, and the row says so
        return Graded(name, "unreadable", _reason(f"symopt failed on this file ({type(e).__name__}: {e}); please report it", name))
    lines, ok, points = score(report)
    total = None
    if marks is not None:
        scored = by_scheme(report, marks)
        points, total = scored.points, scored.total
    s = report.summary
    status, reason = "ok", ""
    if report.errors:
        status, reason = "errors", _first_error(report.errors)
    if not lines:
        status = status if report.errors else "no lines"
        reason = "; ".join(r for r in ("no epoch line to score", reason) if r)
    return Graded(name, status, reason, len(report.document.sections), lines, ok, s["errors"], s["warnings"],
                  points, report.to_markdown(), total)


class Marked(Protocol):
    """A line of a marking scheme (:class:`symopt.exam.marking.Mark`): which line, and its worth."""

    exercise: int
    epoch: int
    quantity: str
    variable: str
    worth: Fraction


@dataclass(frozen=True)
class Score:
    points: Fraction
    total: Fraction
    exercises: tuple[tuple[Fraction, Fraction], ...]  # (points, total) per exercise

    def text(self, lang: str = "en") -> str:
        words = labels.words(lang, "exam")
        parts = "; ".join(f"{words['exercise_short'].format(n=n)}: {rounded_text(p)} / {rounded_text(t)}"
                          for n, (p, t) in enumerate(self.exercises, start=1))
        return f"{words['score']}: {rounded_text(self.points)} / {rounded_text(self.total)} ({parts})"


def credit(kinds: list[str]) -> Fraction:
    """A line's share of its worth, from the kinds of the checker's findings on it (the lowest);
    nothing for a line not judged or not written."""
    judged = [k for k in kinds if k in HALF_POINTS]
    return Fraction(min(HALF_POINTS[k] for k in judged), 2) if judged else Fraction(0)


def by_scheme(report: Report, marks: list) -> Score:
    """A checked answer's score by a marking scheme (:mod:`symopt.exam.marking`): each line's
    worth times its credit, with error carried forward as the checker judges (from the writer's
    own numbers); a line the answer does not have earns nothing."""
    kinds: dict[tuple, list[str]] = {}
    for f in report.findings:
        if f.epoch is not None and f.exercise is not None:
            kinds.setdefault((f.exercise, f.epoch, f.quantity, f.variable), []).append(f.kind)
    by_exercise: dict[int, list[Fraction]] = {}
    for m in marks:
        got = by_exercise.setdefault(m.exercise, [Fraction(0), Fraction(0)])
        got[0] += m.worth * credit(kinds.get((m.exercise, m.epoch, m.quantity, m.variable), []))
        got[1] += m.worth
    exercises = tuple((p, t) for _, (p, t) in sorted(by_exercise.items()))
    return Score(sum((p for p, _ in exercises), Fraction(0)), sum((t for _, t in exercises), Fraction(0)), exercises)


def _reason(message: str, name: str) -> str:
    """One line, without the file's name in front (the row names it)."""
    if message.startswith(f"{name}: "):
        message = message[len(name) + 2:]
    return " ".join(message.split())


def _first_error(errors: list[Finding]) -> str:
    f = errors[0]
    what = f"{f.name} = {f.written}, expected ≈ {f.expected}" if f.name and f.written and f.expected else f.text
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return " ".join(f"line {f.line} {f.kind}: {what}{more}".split())


_SPEC: SpecGiven = None
_SLACK: Fraction | int = 0
_MARKS: list | None = None


def _start_worker(spec: SpecGiven, slack: Fraction | int, marks: list | None = None) -> None:
    global _SPEC, _SLACK, _MARKS
    _SPEC, _SLACK, _MARKS = spec, slack, marks
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _grade_chunk(paths: list[str]) -> list[Graded]:
    return [grade_one(path, _SPEC, _SLACK, _MARKS) for path in paths]


def grade(paths: list[Path], spec: SpecGiven = None, slack: Fraction | int = 0,
          progress: Callable[[int, int], object] | None = None, workers: int | None = None,
          marks: list | None = None) -> list[Graded]:
    """Every submission graded, in the order given, by a pool of `workers` processes (default:
    one per core); `progress(done, total)` is called as chunks come back; `marks`: an exam's
    marking scheme, which the points and scores then follow."""
    from . import checker, problem, report  # noqa: F401 -- imported once here, before the workers fork

    names = [str(p) for p in paths]
    total = len(names)
    if not total:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, total))
    size = max(1, -(-total // (workers * CHUNKS_PER_WORKER)))
    chunks = [names[i:i + size] for i in range(0, total, size)]
    results: list[list[Graded]] = [[] for _ in chunks]
    done = 0
    if progress:
        progress(0, total)
    # fork, which starts a worker at once with everything imported; but a caller with threads of
    # its own (a notebook, JAX in the tests) must not have them copied mid-lock: forkserver then
    native = any(name in sys.modules for name in ("jax", "torch", "tensorflow"))  # threads Python does not count
    context: multiprocessing.context.BaseContext
    if threading.active_count() == 1 and not native:
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["symopt.check.checker", "symopt.check.gradebook"])  # each worker starts with them read
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(spec, slack, marks), mp_context=context)
    try:
        futures = {pool.submit(_grade_chunk, chunk): k for k, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            k = futures[future]
            try:
                results[k] = future.result()
            except Exception as e:  # the worker died (killed, out of memory): its files are rows
                results[k] = [Graded(name, "unreadable", f"the process grading it stopped: {type(e).__name__}") for name in chunks[k]]
            done += len(chunks[k])
            if progress:
                progress(done, total)
    except BaseException:  # Ctrl-C: stop the workers at once (they ignore SIGINT), write nothing
        for process in list((getattr(pool, "_processes", None) or {}).values()):  # no public way
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [g for chunk in results for g in chunk]


# -- what is written ---------------------------------------------------------------------------------

def copy_names(files: list[str]) -> dict[str, str]:
    """Each submission's annotated copy: ``<stem>.checked.md``; where two share a stem, each of
    them ``<name>.checked.md`` (``a.tex.checked.md``), and where names clash too, ``-2``, ``-3``
    in the order given."""
    stems = Counter(Path(f).stem for f in files)
    names: dict[str, str] = {}
    taken: set[str] = set()
    for f in files:
        path = Path(f)
        base = path.stem if stems[path.stem] == 1 else path.name
        name, n = base + COPY_SUFFIX, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}{COPY_SUFFIX}"
        taken.add(name)
        names[f] = name
    return names


def gradebook_csv(graded: list[Graded]) -> bytes:
    return csv_text([COLUMNS, *(g.row() for g in graded)]).encode("utf-8")


def outputs(graded: list[Graded], folder: Path) -> dict[Path, bytes]:
    """The annotated copies, then the gradebook (written last: it never names a copy not yet there)."""
    names = copy_names([g.file for g in graded])
    files = {folder / names[g.file]: g.markdown.encode("utf-8") for g in graded if g.markdown is not None}
    files[folder / CSV_NAME] = gradebook_csv(graded)
    return files


def summary(graded: list[Graded], csv_path: Path) -> str:
    """graded 30 submissions: 22 without errors, 7 with errors, 1 unreadable; gradebook: graded/gradebook.csv"""
    counts = Counter(g.status for g in graded)
    parts = [f"{counts['ok']} without errors", f"{counts['errors']} with errors"]
    if counts["no lines"]:
        parts.append(f"{counts['no lines']} with no line to score")
    parts.append(f"{counts['unreadable']} unreadable")
    plural = "" if len(graded) == 1 else "s"
    return f"graded {len(graded)} submission{plural}: {', '.join(parts)}; gradebook: {csv_path}"


def exit_code(graded: list[Graded]) -> int:
    """0 when every submission was graded without errors, else 1."""
    return 0 if all(g.status == "ok" for g in graded) else 1
