"""symopt: worked solutions of deep-learning optimizers, every digit right.

    >>> import symopt
    >>> sheet = symopt.solve("examples/seed.toml")          # a path, a dict, or a Spec
    >>> print(sheet.to_markdown())                          # also .to_latex(), .to_json()

A spec (TOML or the same structure as a dict) names f, the optimizers, start values,
hyperparameters and a number mode; :func:`solve` derives the gradient once with SymPy, runs every
epoch, and returns a :class:`~symopt.sheet.Solution`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SymoptError
from .spec import Spec, from_dict, load, loads, with_overrides

if TYPE_CHECKING:
    from .report import Report
    from .sheet import Solution

__all__ = ["Report", "Solution", "Spec", "SymoptError", "__version__", "check", "load", "loads", "solve"]
__version__ = "0.1.0"


def solve(
    spec: Spec | str | Path | dict, *, lang: str | None = None, numbers: str | dict | None = None,
    epochs: int | None = None, mult: str | None = None, notes: str | None = None,
) -> Solution:
    """Work out every exercise of `spec`.

    `spec` is a :class:`Spec`, a path to a TOML file, or a dict with the TOML structure (floats
    are read by their shortest repr, so 0.1 means 1/10).  The keywords are the CLI's flags and
    override the spec: ``lang``, ``mult``, ``notes`` (``"frameworks"`` adds the framework settings to
    each convention), and ``numbers`` and ``epochs`` for every exercise.
    """
    from .engine import work
    from .sheet import Solution

    if isinstance(spec, (str, Path)):
        spec = load(spec)
    elif isinstance(spec, dict):
        spec = from_dict(spec)
    elif not isinstance(spec, Spec):
        raise SymoptError(f"solve() takes a Spec, a path or a dict, not {type(spec).__name__}")
    spec = with_overrides(spec, lang=lang, numbers=numbers, epochs=epochs, mult=mult, notes=notes)
    worked = []
    for n, exercise in enumerate(spec.exercises, start=1):
        try:
            worked.append(work(exercise, spec.mult))
        except SymoptError as e:
            raise e.within(f"{spec.source}: exercise {n} ({exercise.optimizer.key})") from None
        except RecursionError:
            raise SymoptError("an expression is nested too deeply", f"{spec.source}: exercise {n}") from None
    return Solution(spec, tuple(worked))


def check(work: str | Path, spec: Spec | str | Path | dict | None = None, *, slack: float | str = 0) -> Report:
    """Check a hand-worked solution line by line; return the :class:`~symopt.report.Report`.

    `work` is a path (a :class:`~pathlib.Path`, or a one-line string naming an existing file) or
    the document's text itself (Markdown with ``$$`` lines, or LaTeX).  Without `spec` the problem
    is read from the document (f, headings, data and formula lines); with it, the spec's exercises
    are matched to the document's in order.  `slack` widens every ``=`` by that many units of the
    last written digit (0 by default: half a unit, exactly the rounding shown).
    """
    from .checker import check_document
    from .document import read
    from .numbers import exact
    from .problem import exercises_from
    from .report import Report

    text, source = _work_text(work)
    if isinstance(spec, (str, Path)):
        spec = load(spec)
    elif isinstance(spec, dict):
        spec = from_dict(spec)
    try:
        slack_q = exact(slack)
    except ValueError as e:
        raise SymoptError(str(e), "slack") from None
    if slack_q < 0:
        raise SymoptError("must be 0 or more (units of the last written digit)", "slack")
    doc = read(text)
    exercises = exercises_from(doc, source, spec)
    return Report(source, doc, tuple(check_document(doc, exercises, slack_q)))


def _work_text(work: str | Path) -> tuple[str, str]:
    from .document import MAX_DOCUMENT
    from .files import read_text

    if isinstance(work, str) and ("\n" in work or not Path(work).exists()):
        if "\n" not in work and "$" not in work and "=" not in work:  # one line and no math: a path
            raise SymoptError("no such file", work)
        if len(work) > MAX_DOCUMENT:
            raise SymoptError(f"the document is larger than {MAX_DOCUMENT} characters", "<text>")
        return work, "<text>"
    if not isinstance(work, (str, Path)):
        raise SymoptError(f"check() takes a path or the document's text, not {type(work).__name__}")
    path = Path(work)
    try:
        if path.stat().st_size > MAX_DOCUMENT * 4:
            raise SymoptError(f"is larger than {MAX_DOCUMENT * 4 // 1_000_000} MB; a worked solution is a few kilobytes", str(path))
    except OSError:
        pass  # read_text says what is wrong with it
    text = read_text(path, "a worked solution")
    if len(text) > MAX_DOCUMENT:
        raise SymoptError(f"is longer than {MAX_DOCUMENT} characters; a worked solution is a few kilobytes", str(path))
    return text, str(path)


def __getattr__(name: str):
    if name == "Solution":  # imported on first use: it brings SymPy in
        from .sheet import Solution

        return Solution
    if name == "Report":
        from .report import Report

        return Report
    raise AttributeError(f"module 'symopt' has no attribute {name!r}")
