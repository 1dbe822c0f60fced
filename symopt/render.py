"""Jinja2 rendering: one environment factory, one escape filter per format.

Templates live in ``templates/`` (installed as ``symopt/templates``); a user's folder given with
``--templates DIR`` comes first, so any template can be overridden by name.  LaTeX templates use
brace-free delimiters -- ``((* block *))``, ``((( variable )))``, ``((= comment =))`` -- so TeX
braces never clash with Jinja.  Plain text (titles, headings) is escaped at each insertion point;
math from the engine is inserted raw.  Templates run in Jinja's sandbox.

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
from .resources import resource

_LATEX_SPECIALS = str.maketrans(
    {
        "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
        "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
        # not special, but T1 fonts would print them as other glyphs (‘ ¡ « »)
        "`": r"\textasciigrave{}", "<": r"\textless{}", ">": r"\textgreater{}",
    }
)
_MD_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|$~&^"})
_MATH = re.compile(r"(\$[^$]+\$)")


def escape_latex(text: str) -> str:
    """Plain text for LaTeX: the ten special characters (and ` < >) print as themselves."""
    return str(text).translate(_LATEX_SPECIALS)


def escape_md(text: str) -> str:
    """Plain text for Markdown: characters Markdown or math renderers would act on are escaped."""
    return str(text).translate(_MD_SPECIALS)


def rich(escape):
    """Our own short texts: plain text with inline math ``$...$``; the text parts are escaped."""

    def rich(text: str) -> str:
        return "".join(part if _MATH.fullmatch(part) else escape(part) for part in _MATH.split(text))

    return rich


def environment(fmt: str, templates: str | Path | None = None) -> SandboxedEnvironment:
    """The Jinja2 environment for ``md`` or ``tex``, with a user's template folder first.  One per
    (format, folder) in a process, so each template is compiled once (Jinja reloads a template
    whose file changed)."""
    return _environment(fmt, None if templates is None else str(templates))


@lru_cache(maxsize=16)
def _environment(fmt: str, templates: str | None) -> SandboxedEnvironment:
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
    if fmt == "tex":
        options.update(
            block_start_string="((*", block_end_string="*))",
            variable_start_string="(((", variable_end_string=")))",
            comment_start_string="((=", comment_end_string="=))",
        )
    env = SandboxedEnvironment(bytecode_cache=_bytecode_cache(fmt), **options)
    escape = escape_latex if fmt == "tex" else escape_md
    env.filters["escape"] = escape
    env.filters["rich"] = rich(escape)
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
    """Jinja's file cache, keyed by format too: the two formats compile with other options."""

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
