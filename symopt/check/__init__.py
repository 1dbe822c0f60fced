"""Checking hand-worked solutions: reading a document (:mod:`.document`, :mod:`.mathtext`), the
problem it works (:mod:`.problem`, :mod:`.reading`, :mod:`.aliases`), judging its lines
(:mod:`.checker` drives, over the exercise's compiled :mod:`.rules`, the document's :mod:`.names`,
the writer's :mod:`.state`; :mod:`.judge` gives each line's :mod:`.findings`, on the balls of
:mod:`.ball`; :mod:`.diagnosis` and :mod:`.mistakes` say what went wrong), and the report
(:mod:`.report`) or a class's gradebook (:mod:`.gradebook`).  It imports only downward, from the
core modules of :mod:`symopt`.

``symopt.check`` is this package and, called, the :func:`check` function of symopt's API:
``symopt.check("work.md")`` returns a :class:`~symopt.check.report.Report`.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
import sys
import types
from typing import TYPE_CHECKING

from ..errors import SymoptError
from ..spec import Spec, from_dict, load

if TYPE_CHECKING:
    from .report import Report

#: What `slack` may be: a number (an exact one, or a float's shortest repr) or a decimal string.
Slack = float | str | Fraction | Decimal


def check(work: str | Path, spec: Spec | str | Path | dict | None = None, *, slack: Slack = 0) -> Report:
    """Check a hand-worked solution line by line; return the :class:`~symopt.check.report.Report`.

    `work` is a path (a :class:`~pathlib.Path`, or a one-line string naming an existing file) or
    the document's text itself (Markdown with ``$$`` lines, or LaTeX).  Without `spec` the problem
    is read from the document (f, headings, data and formula lines); with it, the spec's exercises
    are matched to the document's in order.  `slack` widens every ``=`` by that many units of the
    last written digit (0 by default: half a unit, exactly the rounding shown).
    """
    from ..numbers import exact
    from .checker import check_document
    from .document import read
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
    try:
        findings = check_document(doc, exercises, slack_q)
    except SymoptError as e:  # past the run's time limit
        raise e.within(source) from None
    return Report(source, doc, tuple(findings))


def _work_text(work: str | Path) -> tuple[str, str]:
    from ..files import read_text
    from .document import MAX_DOCUMENT

    if isinstance(work, str) and ("\n" in work or not Path(work).exists()):
        if "\n" not in work and "$" not in work and "=" not in work:  # one line and no math: a path
            raise SymoptError("no such file", work)
        return _within(work, "<text>"), "<text>"
    if not isinstance(work, (str, Path)):
        raise SymoptError(f"check() takes a path or the document's text, not {type(work).__name__}")
    path = Path(work)
    try:
        if path.stat().st_size > MAX_DOCUMENT * 4:
            raise SymoptError(f"is larger than {MAX_DOCUMENT * 4 // 1_000_000} MB; a worked solution is a few kilobytes", str(path))
    except OSError:
        pass  # read_text says what is wrong with it
    return _within(read_text(path, "a worked solution"), str(path)), str(path)


def _within(text: str, where: str) -> str:
    """`text` if it is within the reader's bounds (MAX_DOCUMENT characters, MAX_LINES lines)."""
    from .document import MAX_DOCUMENT, MAX_LINES

    if len(text) > MAX_DOCUMENT:
        raise SymoptError(f"is longer than {MAX_DOCUMENT} characters; a worked solution is a few kilobytes", where)
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise SymoptError(f"has {lines} lines; the checker reads at most {MAX_LINES} (a worked solution has a few hundred)", where)
    return text


class _Package(types.ModuleType):
    """The package, callable as its :func:`check` (the name ``symopt.check`` is both)."""

    def __call__(self, work: str | Path, spec: Spec | str | Path | dict | None = None, *, slack: Slack = 0) -> Report:
        return check(work, spec, slack=slack)


sys.modules[__name__].__class__ = _Package
