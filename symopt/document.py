"""Reading the layout of a hand-worked solution: exercises, epochs and their math lines.

Markdown (``$$ … $$`` per line or per block, ``$ … $`` alone on a line, ``#`` headings) and LaTeX
(``\\[ … \\]``, ``equation``/``align`` environments with ``\\\\`` rows, ``\\section``/``\\subsection``
headings, ``\\textbf{Epoch 1:}``) are read by one scanner, line by line, in one pass.  Only the layout
is read here; what the math says is :mod:`symopt.mathtext`'s and the checker's business.

An exercise starts at a line such as ``Bài 1 Gradient Descent`` or ``## Exercise 2: Adam``, or at a
heading (``#``, ``\\subsection*{…}``) that names an optimizer (``## RMSProp``); an epoch at a label such as ``Epoch 1:`` (also Vòng, Bước, Step,
Iteration).  Math before the first exercise (the ``f(w_1, w_2) = …`` line) is the preamble.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
import unicodedata

MAX_DOCUMENT = 5_000_000  # characters: a class's worked solution is a few kilobytes

_SPELLINGS = {  # names beyond the optimizer's own key
    "rmsprop": r"\brms\s*-?\s*prop\b",
    "nesterov": r"\bnesterov\b|\bnag\b",
    "momentum": r"\bmomentum\b|quán tính",
    "gd": r"\bgradient\s+descent\b|\bgd\b|\bsgd\b|giảm (theo )?gradient|hạ gradient",
}
# the first match wins: "Gradient Descent + Momentum" is momentum, "AdamW" is not Adam
_ORDER = ("adamw", "adamax", "nadam", "radam", "adam", "adagrad", "adadelta", "lion", "rmsprop", "nesterov", "momentum", "gd")
OPTIMIZER_NAMES = tuple((key, re.compile(_SPELLINGS.get(key, rf"\b{key}\b"), re.I)) for key in _ORDER)

_HEADING = re.compile(r"^(?:bài(?:\s+tập)?|bai|exercise|problem|question|câu|ex\.?)\s*(\d+)\s*[:.)\-–]?\s*(.*)$", re.I)
_EPOCH = re.compile(r"^(?:epoch|vòng(?:\s+lặp)?|bước|step|iteration|lần\s+lặp)\s*(?:t\s*=\s*)?(\d+)\s*[:.]?$", re.I)
_LATEX_HEADING = re.compile(r"^\\(section|subsection|subsubsection|paragraph)\*?\{(.*)\}\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LATEX_LEVELS = {"section": 1, "subsection": 2, "subsubsection": 3, "paragraph": 4}
_ENV_BEGIN = re.compile(r"^\\begin\{(equation|align|gather|multline|displaymath|eqnarray)(\*?)\}")


@dataclass
class MathLine:
    line: int  # 1-based line number where the math starts
    text: str  # the math, without its delimiters
    end: int  # the line where its block ends (a report's note goes after it)


@dataclass
class EpochBlock:
    number: int
    line: int
    lines: list[MathLine] = field(default_factory=list)


@dataclass
class Section:
    heading: str
    line: int
    optimizer: str | None  # recognised from the heading
    given: list[MathLine] = field(default_factory=list)  # formulas, data, derivatives
    epochs: list[EpochBlock] = field(default_factory=list)
    level: int = 0  # the heading's depth (# or \section: 1, ## or \subsection: 2); 0 when not marked


@dataclass
class Document:
    lines: list[str]  # the text, for the Markdown report
    preamble: list[MathLine] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what could not be read)


def optimizer_named(text: str) -> str | None:
    for key, pattern in OPTIMIZER_NAMES:
        if pattern.search(text):
            return key
    return None


def read(text: str) -> Document:
    """The exercises, epochs and math lines of a worked solution."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    doc = Document(lines)
    for item in _items(lines, doc):
        if isinstance(item, MathLine):
            _place(doc, item)
            continue
        number, label, marked = item
        epoch, heading = _EPOCH.match(label), _HEADING.match(label)
        if epoch and doc.sections:
            doc.sections[-1].epochs.append(EpochBlock(int(epoch.group(1)), number))
        elif heading or (marked and optimizer_named(label)):
            doc.sections.append(Section(label, number, optimizer_named(heading.group(2) if heading else label), level=marked))
    _drop_titles(doc)
    return doc


def _drop_titles(doc: Document) -> None:
    """A heading above the exercises' own level, with no epochs under it, is the sheet's title or a
    chapter (``# Adagrad quiz`` over ``## Exercise 1: Adagrad``), not an exercise: its math lines
    (f) belong to what follows.  Found trying symopt as a new user: a title that named the
    optimizer made symopt's own sheet unreadable."""
    deepest = max((s.level for s in doc.sections if s.epochs), default=0)
    kept = []
    for section in doc.sections:
        if section.level and section.level < deepest and not section.epochs:
            (kept[-1].given if kept else doc.preamble).extend(section.given)
        else:
            kept.append(section)
    doc.sections[:] = kept


def _place(doc: Document, math: MathLine) -> None:
    if not doc.sections:
        doc.preamble.append(math)
    elif doc.sections[-1].epochs:
        doc.sections[-1].epochs[-1].lines.append(math)
    else:
        doc.sections[-1].given.append(math)


def _items(lines: list[str], doc: Document):
    """Math lines, and (line, label, marked as a heading) for text lines that may be headings or epoch labels."""
    unclosed_from: dict[str, int] = {}  # a closer not found after line i is not found after any later line
    i = 0
    while i < len(lines):
        raw = lines[i]
        s = raw.strip()
        number = i + 1
        opener = _opener(s)
        if opener is None:
            label, marked = _label(s)
            if label:
                yield number, label, marked
            i += 1
            continue
        start_token, end_token, body = opener
        close_at = None
        if end_token in body:
            close_at = i
            content = body[: body.index(end_token)]
        elif unclosed_from.get(end_token, len(lines)) > i:
            for j in range(i + 1, len(lines)):
                if _closes(lines[j], start_token, end_token):
                    close_at = j
                    content = "\n".join([body] + lines[i + 1 : j] + [lines[j][: lines[j].index(end_token)]])
                    break
            else:
                unclosed_from[end_token] = i
        if close_at is None:
            doc.problems.append((number, f"{start_token} is never closed"))
            i += 1
            continue
        for offset, row in _rows(content):
            yield MathLine(number + offset, row, close_at + 1)
        i = close_at + 1


def _opener(s: str) -> tuple[str, str, str] | None:
    """(opening, closing, text after the opening) when a math block starts on this line."""
    if s.startswith("$$"):
        return "$$", "$$", s[2:]
    if s.startswith("\\["):
        return "\\[", "\\]", s[2:]
    m = _ENV_BEGIN.match(s)
    if m:
        name = m.group(1) + m.group(2)
        return f"\\begin{{{name}}}", f"\\end{{{name}}}", s[m.end():]
    if len(s) > 2 and s.startswith("$") and s.endswith("$") and s.count("$") == 2:
        return "$", "$", s[1:]
    return None


def _closes(line: str, start: str, end: str) -> bool:
    """Whether `line` ends a block opened on an earlier line (``$$a$$`` is a block of its own)."""
    if start == end:
        return line.count(end) == 1
    return end in line and start not in line


def _rows(content: str) -> list[tuple[int, str]]:
    """A block's lines, each with its line offset: split at ``\\\\``, without alignment marks
    and ``aligned`` wrappers."""
    content = re.sub(r"\\(begin|end)\{(aligned|split|gathered)\}", " ", content)
    content = re.sub(r"\\(label|tag)\{[^{}]*\}|\\nonumber|\\notag", " ", content)
    rows, offset = [], 0
    for part in _split_rows(content):
        lead = len(part) - len(part.lstrip())
        row = " ".join(_CASES.sub(lambda m: m.group().replace("\n", " "), part).split())
        row = _unalign(row).rstrip(",.; ").strip()
        if row and rows and re.match(r"(=|\\approx|\\simeq|≈)", row):  # "&= b": the row above goes on
            rows[-1] = (rows[-1][0], rows[-1][1] + " " + row)
        elif row:
            rows.append((offset + part[:lead].count("\n"), row))
        offset += part.count("\n")
    return rows


_CASES = re.compile(r"\\begin\{cases\}.*?\\end\{cases\}", re.S)


def _split_rows(content: str) -> list[str]:
    """Split at ``\\\\`` outside ``cases`` (whose rows belong to one expression)."""
    parts, start = [], 0
    protected = [(m.start(), m.end()) for m in _CASES.finditer(content)]
    for m in re.finditer(r"\\\\", content):
        if any(a <= m.start() < b for a, b in protected):
            continue
        parts.append(content[start : m.start()])
        start = m.end()
    parts.append(content[start:])
    return parts


def _unalign(row: str) -> str:
    """Alignment marks out, except inside ``cases``."""
    pieces, last = [], 0
    for m in _CASES.finditer(row):
        pieces += [row[last : m.start()].replace("&", " "), m.group()]
        last = m.end()
    pieces.append(row[last:].replace("&", " "))
    return "".join(pieces)


def _label(s: str) -> tuple[str, int]:
    """A text line without its markup, and its depth as a heading (0: not marked as one)."""
    marked = 0
    m = _MD_HEADING.match(s)
    if m:
        marked, s = len(m.group(1)), m.group(2)
    else:
        m = _LATEX_HEADING.match(s)
        if m:
            marked, s = _LATEX_LEVELS[m.group(1)], m.group(2)
    s = re.sub(r"\\(textbf|textit|emph|text|underline)\{(.*?)\}", r"\2", s)
    s = s.replace("**", "").replace("__", "").strip()
    s = re.sub(r"\\(medskip|bigskip|smallskip|noindent|par)\b", "", s).strip()
    return s, marked
