"""The output formats: one entry each, which everything that writes a document reads.

An entry says what a format is called (``--format md``) and in help texts (Markdown), its file's
extension, whether it is text (UTF-8) or bytes, how each document is made in it -- a template
(``sheet.md.j2``), a function (JSON from the Solution), or another format converted (PDF: the LaTeX
through latexmk) --, how plain text is escaped into it, the Jinja delimiters of its templates, the
figure files it embeds, what it needs installed, and which commands offer it (and by default).

The CLI's ``--format`` choices, defaults and help texts, the file names ``render`` writes, the
Solution's, the card's and the exam's outputs and render.py's Jinja environments all come from
:data:`FORMATS`, so a new format is one entry here (plus its templates).  A Word format made from
the Markdown with pandoc would be::

    FORMATS["docx"] = Format("docx", "Word", "docx", binary=True, source="md", convert=pandoc,
                             needs="pandoc", available=lambda: shutil.which("pandoc") is not None,
                             commands=("render", "optimizers"))

The documents (the keys of ``templates`` and ``makers``): ``sheet`` (a worked solution),
``fragment`` (its LaTeX body, for ``--fragment``; a format without one writes the whole sheet),
``card`` (the reference card), ``question`` (an exam variant's question sheet: a body where the
format has an ``exam`` template, else the whole sheet) and ``exam`` (sheets one after another,
from their bodies).  This module imports nothing heavy: ``symopt --help`` reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SymoptError
from .pdf import compile_pdf, tex_available

_LATEX_SPECIALS = str.maketrans(
    {
        "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
        "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
        # not special, but T1 fonts would print them as other glyphs (‘ ¡ « »)
        "`": r"\textasciigrave{}", "<": r"\textless{}", ">": r"\textgreater{}",
    }
)
_MD_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|$~&^"})


def escape_latex(text: str) -> str:
    """Plain text for LaTeX: the ten special characters (and ` < >) print as themselves."""
    return str(text).translate(_LATEX_SPECIALS)


def escape_md(text: str) -> str:
    """Plain text for Markdown: characters Markdown or math renderers would act on are escaped."""
    return str(text).translate(_MD_SPECIALS)


def _always() -> bool:
    return True


Made = str | bytes  # a document: text, or the bytes of a binary format
Convert = Callable[[str, "dict[str, bytes] | None"], Made]  # (the source's text, figure files by path) -> this format


@dataclass(frozen=True, eq=False)  # eq=False: hashed as itself, so render.py caches an environment per entry
class Format:
    name: str  # as --format takes it
    title: str  # as help texts and messages name it
    extension: str  # its file's: seed.md
    binary: bool = False  # bytes (written as they are, never to stdout) or UTF-8 text
    templates: Mapping[str, str] = field(default_factory=dict)  # document -> the template that makes it
    makers: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)  # document -> a function of its subject
    escape: Callable[[str], str] = str  # plain text (titles, headings) into the format's templates
    delimiters: Mapping[str, str] = field(default_factory=dict)  # its templates' Jinja delimiters, where not Jinja's own
    images: tuple[str, ...] = ()  # the figure files its templates embed, the one used when --figures names another first
    source: str | None = None  # the format it is made from, with `convert`
    convert: Convert | None = None
    needs: str | None = None  # what must be installed, as help texts name it
    available: Callable[[], bool] = _always  # whether it is; a default format that is not is left out
    commands: tuple[str, ...] = ()  # the commands that offer it: render, solve, optimizers, exam
    default_for: tuple[str, ...] = ()  # the commands that make it when --format is not given


def _card_text(lang: str) -> str:
    from .card import to_text

    return to_text(lang)


def _json(solution: Any) -> str:  # a Solution (symopt.sheet imports this module)
    return str(solution.to_json())


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("text", "text", "txt", makers={"card": _card_text}, commands=("optimizers",), default_for=("optimizers",)),
    Format("md", "Markdown", "md", escape=escape_md, images=("svg", "png"),
           templates={"sheet": "sheet.md.j2", "card": "card.md.j2", "question": "question.md.j2"},
           commands=("render", "solve", "optimizers", "exam"), default_for=("render", "solve", "exam")),
    Format("tex", "LaTeX", "tex", escape=escape_latex, images=("pdf",),
           templates={"sheet": "sheet.tex.j2", "fragment": "body.tex.j2", "card": "card.tex.j2",
                      "question": "question_body.tex.j2", "exam": "exam.tex.j2"},
           # brace-free, so TeX braces never clash with Jinja: ((* block *)), ((( variable ))), ((= comment =))
           delimiters={"block_start_string": "((*", "block_end_string": "*))", "variable_start_string": "(((",
                       "variable_end_string": ")))", "comment_start_string": "((=", "comment_end_string": "=))"},
           commands=("render", "solve", "optimizers", "exam"), default_for=("render", "exam")),
    Format("pdf", "PDF", "pdf", binary=True, source="tex", convert=compile_pdf, needs="TeX", available=tex_available,
           commands=("render", "optimizers", "exam"), default_for=("render", "exam")),
    Format("json", "JSON", "json", makers={"sheet": _json}, commands=("solve",)),
)}


def names(command: str) -> list[str]:
    """The formats `command` offers, in the table's order."""
    return [name for name, f in FORMATS.items() if command in f.commands]


def defaults(command: str, fragment: bool = False) -> list[str]:
    """What `command` makes without --format: its default formats that are installed (and, for a
    fragment, not made from another format)."""
    return [name for name, f in FORMATS.items()
            if command in f.default_for and f.available() and not (fragment and f.source is not None)]


def template_format(name: str) -> Format:
    """The format whose templates make `name`: itself, or the format it is made from."""
    fmt = FORMATS[name]
    return fmt if fmt.source is None else template_format(fmt.source)


def image(name: str, choice: str) -> str | None:
    """The figure files format `name` embeds when --figures is `choice` (None: it embeds none)."""
    images = template_format(name).images
    return None if not images else choice if choice in images else images[0]


def data(made: Made) -> bytes:
    """A document as its file's bytes: text in UTF-8."""
    return made if isinstance(made, bytes) else made.encode("utf-8")


def listing(items: list[str], last: str = "and", serial: bool = False) -> str:
    """``a, b and c`` (``a, b, and c`` when `serial`)."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + ("," if serial and len(items) > 2 else "") + f" {last} {items[-1]}"


def produce(name: str, document: str, view: Callable[[], dict], subject: Any = None, templates: str | Path | None = None,
            files: dict[str, bytes] | None = None, made: dict[str, Made] | None = None) -> Made:
    """`document` (``sheet``, ``card``, ...) in format `name`: from its template, which sees
    `view()`; from its maker, given `subject` (the Solution of a sheet, the card's language); or
    converted from its source format, given the figure `files`.  `made` keeps what is made on the
    way, by format (the LaTeX a PDF is made from), and is read before making anything again."""
    if made is not None and name in made:
        return made[name]
    fmt = FORMATS[name]
    if fmt.source is not None:
        assert fmt.convert is not None, f"{name} is made from {fmt.source} and needs its convert"
        result: Made = fmt.convert(as_text(produce(fmt.source, document, view, subject, templates, files, made)), files)
    elif document in fmt.makers:
        result = fmt.makers[document](subject)
    else:
        if document == "fragment" and document not in fmt.templates:
            document = "sheet"  # a format without fragments writes the whole sheet
        if document not in fmt.templates:
            raise SymoptError(f"{fmt.title} has no {document}: its entry in symopt/formats.py names no template for it")
        from .render import render

        result = render(fmt.templates[document], view(), name, templates)
    if made is not None:
        made[name] = result
    return result


def as_text(result: Made) -> str:
    """A text format's document (mypy's view of :func:`produce` for md, tex, json)."""
    assert isinstance(result, str), "a text format makes text"
    return result
