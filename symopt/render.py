"""Jinja2 rendering: one environment factory; each format's delimiters and escape filter come from
its entry in :data:`symopt.formats.FORMATS`.

Templates live in ``templates/`` (installed as ``symopt/templates``); a user's folder given with
``--templates DIR`` comes first, so any template can be overridden by name.  LaTeX templates use
brace-free delimiters -- ``((* block *))``, ``((( variable )))``, ``((= comment =))`` -- so TeX
braces never clash with Jinja.  Plain text (titles, headings) is escaped at each insertion point;
math from the engine is inserted raw.  Templates run in Jinja's sandbox.

A part that several templates share exists once, and is found by name like any template, so a user's
folder holding only that part changes every document built on it: ``preamble.tex.j2``, included by
every full LaTeX document (``sheet.tex.j2``, ``card.tex.j2``, ``exam.tex.j2``, each setting ``size``,
``margin`` and ``graphicx`` first); ``problem.md.j2`` and ``problem.tex.j2``, the problem (title, f,
each exercise's heading, formulas, notes and data rows), which the worked sheet (``sheet.md.j2``,
``body.tex.j2``) and the question sheet (``question.md.j2``, ``question_body.tex.j2``) extend, filling
its blocks ``work`` (each exercise's) and ``end``.  ``tests/test_templates.py`` keeps them shared.

Compiled templates are kept in Jinja's bytecode cache (its per-user folder in the temporary
directory, which Jinja checks is the user's own and private), as Python keeps .pyc files: a cold
render then does not compile its templates again.  The cache reloads a template whose source changed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
import re

from jinja2 import ChoiceLoader, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .errors import SymoptError
from .formats import FORMATS, Format, escape_latex as escape_latex, escape_md as escape_md  # the escapes: for their users
from .resources import resource

_MATH = re.compile(r"(\$[^$]+\$)")


def rich(escape):
    """Our own short texts: plain text with inline math ``$...$``; the text parts are escaped."""

    def rich(text: str) -> str:
        return "".join(part if _MATH.fullmatch(part) else escape(part) for part in _MATH.split(text))

    return rich


def environment(fmt: str, templates: str | Path | None = None) -> SandboxedEnvironment:
    """The Jinja2 environment for format `fmt` (an entry of :data:`symopt.formats.FORMATS`: its
    delimiters and its escape), with a user's template folder first.  One per (format, folder) in a
    process, so each template is compiled once (Jinja reloads a template whose file changed)."""
    return _environment(FORMATS[fmt], None if templates is None else str(templates))


@lru_cache(maxsize=16)
def _environment(fmt: Format, templates: str | None) -> SandboxedEnvironment:
    loaders = []
    if templates is not None:
        if not Path(templates).is_dir():
            raise SymoptError("no such folder", f"templates {templates}")
        loaders.append(FileSystemLoader(str(templates)))
    loaders.append(FileSystemLoader(str(resource("templates"))))
    options = dict(
        loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    options.update(fmt.delimiters)
    env = SandboxedEnvironment(bytecode_cache=_bytecode_cache(fmt.name), **options)
    env.filters["escape"] = fmt.escape
    env.filters["rich"] = rich(fmt.escape)
    env.filters["display"] = display_tex
    return env


def display_tex(line: str) -> str:
    """A worked line as LaTeX display math; a line too long for the page is broken at its
    relations, aligned on them (``align*``: the checker reads a row that starts with = as the
    line's continuation)."""
    from .printer import display_rows

    rows = display_rows(line)
    if len(rows) == 1:
        return "\\[ " + line + " \\]"
    first, *rest = rows
    mark = " = " if " = " in first else " \\approx "
    body = [first.replace(mark, " &" + mark.strip() + " ", 1), *("&" + row for row in rest)]
    return "\\begin{align*}\n" + " \\\\\n".join(body) + "\n\\end{align*}"


class _Cache(FileSystemBytecodeCache):
    """Jinja's file cache, keyed by format too: formats compile with other options."""

    def __init__(self, fmt: str):
        super().__init__(pattern="__symopt_%s.cache")
        self.fmt = fmt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.fmt}|{name}", filename)


def _bytecode_cache(fmt: str) -> FileSystemBytecodeCache | None:
    try:
        return _Cache(fmt)
    except (OSError, RuntimeError):  # no private temporary folder to be had: compile every time
        return None


def render(name: str, view: dict, fmt: str, templates: str | Path | None = None) -> str:
    try:
        return environment(fmt, templates).get_template(name).render(**view)
    except TemplateError as e:
        raise SymoptError(f"template {name}: {e}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, OSError) as e:
        # a user's template is code of its own: its errors are reported, not raised through
        raise SymoptError(f"template {name}: {type(e).__name__}: {e}") from None
