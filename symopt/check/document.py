"""Reading the layout of a hand-worked solution: exercises, epochs and their math lines.

Markdown (``$$ … $$`` per line or per block, ``$ … $`` alone on a line, ``#`` headings) and LaTeX
(``\\[ … \\]``, ``equation``/``align`` environments with ``\\\\`` rows, ``\\section``/``\\subsection``
headings, ``\\textbf{Epoch 1:}``) are read by one scanner, line by line, in one pass.  Only the layout
is read here; what the math says is :mod:`symopt.check.mathtext`'s and the checker's business.

An exercise starts at a line such as ``Bài 1 Gradient Descent`` or ``## Exercise 2: Adam``, or at a
heading (``#``, ``\\subsection*{…}``) that names an optimizer (``## RMSProp``); an epoch at a label such as ``Epoch 1:`` (also Vòng, Bước, Step,
Iteration; ``*Epoch 1*``, ``In step 1:``, ``Epoch 1 (t = 1):``, ``**t = 1**``).  Math before the first
exercise (the ``f(w_1, w_2) = …`` line) is the preamble.

Math is also read where students write it in text: each ``$…$`` span of a sentence that states
something (``So $w_1 = -4.6$ after the first step.``) is a math line of its own, and a line of plain
text such as ``x = 3 - 0.1*6 = 2.4`` or ``w1 = -5, α = 0.6`` is a math line when its left side is
a name and it has no words of prose (its Unicode letters, ``√(…)``, ``sqrt(…)`` and ``mhat`` are
written as LaTeX for the reader).  A document whose numbers have decimal commas (``0,4``, or ``;``
between the items of a line) has every ``0,4`` of its math read as ``0{,}4``: see
:attr:`Document.decimal_comma`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
import re
from typing import NamedTuple
import unicodedata

from .. import labels

MAX_DOCUMENT = 5_000_000  # characters: a class's worked solution is a few kilobytes
MAX_LINES = 100_000  # lines (about 45 µs each: 612 000 short lines took 39 s); symopt's sheet of 10 000 epochs has 40 000




class _Words(NamedTuple):
    """The reader's patterns made of every language's words (:mod:`symopt.labels`, ``reads``)."""

    heading: re.Pattern  # an exercise: "Bài 1 Gradient Descent", "Exercise 2: Adam", "Câu 3."
    epoch: re.Pattern  # an epoch: "Epoch 1:", "In step 2", "Vòng 3 (t = 3):"
    spacing: re.Pattern  # a bracket, or what is between two statements of one row: \quad, \text{and}, \text{và}


@lru_cache(maxsize=4)
def _patterns(langs: tuple[str, ...]) -> _Words:
    def words(kind: str) -> str:
        return "|".join(dict.fromkeys(w for lang in langs for w in labels.words(lang, "reads")[kind]))

    return _Words(
        re.compile(rf"^(?:{words('exercise')})\s*(\d+)\s*[:.)\-–]?\s*(.*)$", re.I),
        re.compile(rf"^(?:(?:{words('in')})\s+)?(?:{words('epoch')})\s*(?:t\s*=\s*)?(\d+)"
                   r"\s*(?:\(\s*t\s*=\s*\d+\s*\)\s*)?[:.]?$", re.I),
        re.compile(rf"[{{}}()]|(?:\\qquad|\\quad|\\text\{{\s*(?:{words('and')}|,)\s*\}})(?![A-Za-z])\s*"))


def _words() -> _Words:
    return _patterns(labels.languages())

_STEP_T = re.compile(r"^t\s*=\s*(\d+)\s*(:?)$")  # an epoch label when marked or followed by ':' (else t = 1 is data)
_LATEX_HEADING = re.compile(r"^\\(section|subsection|subsubsection|paragraph)\*?\{(.*)\}\s*$")
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
class TableBlock:
    """A table of a worked solution (a Markdown pipe table, or a LaTeX tabular or longtable): each
    row's cells as written, with its line; the first row is the header.  Its lines are read as text
    lines too, as they were before tables were read (math in a cell that states something is a line)."""

    line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    latex: bool = False
    end: int = 0  # its last line so far (a Markdown table goes on at the next line only)
    open: bool = True  # a LaTeX table until its \end


@dataclass
class Section:
    heading: str
    line: int
    optimizer: str | None  # recognised from the heading
    given: list[MathLine] = field(default_factory=list)  # formulas, data, derivatives
    epochs: list[EpochBlock] = field(default_factory=list)
    tables: list[TableBlock] = field(default_factory=list)  # its trajectory tables (symopt.check.table checks them)
    level: int = 0  # the heading's depth (# or \section: 1, ## or \subsection: 2); 0 when not marked
    numbered: bool = False  # a numbered heading ("Bài 1 …", "Exercise 2: …"), not only one that names an optimizer


@dataclass
class Document:
    lines: list[str]  # the text, for the Markdown report
    preamble: list[MathLine] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what could not be read)
    #: whether the numbers are written with decimal commas (``0,4``; ``;`` between the items of a
    #: line; ``0{,}4``): decided once for the document, and then every ``0,4`` of its math lines is
    #: ``0{,}4``.  In other documents ``(1,2)`` is two numbers.
    decimal_comma: bool = False


MAX_SHOWN = 200  # characters of a heading that a report or a message shows


def shortened(text: str, limit: int = MAX_SHOWN) -> str:
    """`text`, cut to `limit` characters with an ellipsis (a heading of 100 000 characters is not
    echoed in a message)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def optimizer_named(text: str) -> str | None:
    """The optimizer a heading names: by its key or a spelling of the catalogue's (``RMS prop``,
    ``quán tính``).  The catalogue goes from GD to what builds on it, so the later of two named is
    the one meant: "Gradient Descent + Momentum" is momentum, "Nesterov momentum" Nesterov."""
    from ..optimizers import OPTIMIZERS

    text = _LONG_BLANK.sub(r"\1", text)  # "rms\s*-?\s*prop" over 100 000 blanks backtracks for each split of them
    for key, pattern in _optimizer_names(tuple((o.key, o.spellings) for o in OPTIMIZERS.values())):
        if pattern.search(text):
            return key
    return None


_LONG_BLANK = re.compile(r"(\s{3})\s+")  # a run of blanks as its first three: the spellings read the same


@lru_cache(maxsize=4)
def _optimizer_names(catalogue: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((key, re.compile("|".join([rf"\b{re.escape(key)}\b", *spellings]), re.I)) for key, spellings in reversed(catalogue))


def read(text: str) -> Document:
    """The exercises, epochs and math lines of a worked solution."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    doc = Document(lines)
    items = list(_items(lines, doc))
    doc.decimal_comma = _decimal_comma(
        [item.text for item in items if isinstance(item, MathLine)]
        + [text for item in items if isinstance(item, _Text) for text, _ in _candidates(item)])
    for item in items:
        if isinstance(item, MathLine):
            _place(doc, _with_commas(item) if doc.decimal_comma else item)
            continue
        if doc.sections:
            _table_row(doc.sections[-1], item, doc.decimal_comma)
        epoch, heading = _epoch_digits(item), _words().heading.match(item.label)
        if epoch is not None and doc.sections:
            doc.sections[-1].epochs.append(EpochBlock(_epoch(epoch, item.line, doc), item.line))
        elif heading or (item.marked and optimizer_named(item.label)):
            doc.sections.append(Section(shortened(item.label), item.line, optimizer_named(heading.group(2) if heading else item.label),
                                        level=item.marked, numbered=bool(heading)))
        elif epoch is None:
            for math in _text_math(item, doc.decimal_comma):
                _place(doc, math)
    _drop_titles(doc)
    return doc


_MD_ROW = re.compile(r"^\|(.*)\|$")
_MD_SEPARATOR = re.compile(r"^\s*:?-+:?\s*$")
_TEX_TABLE = r"\{(?:tabular|tabularx|tabulary|longtable|array)\*?\}"
_TEX_BEGIN, _TEX_END = re.compile(r"^\\begin" + _TEX_TABLE), re.compile(r"^\\end" + _TEX_TABLE)
_TEX_RULES = re.compile(r"\\(?:toprule|midrule|bottomrule|hline|endhead|endfirsthead|endfoot|endlastfoot)\b|\\cline\{[^{}]*\}")
_CELL_BAR, _CELL_AMPERSAND = re.compile(r"(?<!\\)\|"), re.compile(r"(?<!\\)&")


def _table_row(section: Section, item: _Text, comma: bool = False) -> None:
    """A text line that is a table's row (or starts or ends a LaTeX table), added to `section`'s
    tables: a Markdown row ``| 1 | $-4.6$ |`` (a row of dashes under the header is no row; a table
    ends at the first line that is no row of it), or in a ``tabular`` or ``longtable`` a row
    ``1 & $-4.6$ \\\\`` (booktabs rules and ``\\hline`` aside).  With decimal commas (`comma`) a
    cell's ``0,4`` is ``0{,}4``."""
    s, last = (_commas(item.raw) if comma else item.raw), section.tables[-1] if section.tables else None
    if _TEX_BEGIN.match(s):
        section.tables.append(TableBlock(item.line, latex=True, end=item.line))
    elif last is not None and last.latex and last.open:
        last.end = item.line
        row = _TEX_RULES.sub(" ", s).strip()
        if _TEX_END.match(s):
            last.open = False
        elif row.endswith("\\\\"):
            last.rows.append((item.line, [c.strip() for c in _CELL_AMPERSAND.split(row[:-2])]))
    elif m := _MD_ROW.match(s):
        cells = [c.strip() for c in _CELL_BAR.split(m.group(1))]
        if last is None or last.latex or last.end != item.line - 1:
            last = TableBlock(item.line)
            section.tables.append(last)
        last.end = item.line
        if not all(_MD_SEPARATOR.match(c) for c in cells):
            last.rows.append((item.line, cells))


def _drop_titles(doc: Document) -> None:
    """A heading above the exercises' own level, with no epochs under it, is the sheet's title or a
    chapter (``# Adagrad quiz`` over ``## Exercise 1: Adagrad``), not an exercise: its math lines
    (f) belong to what follows.  Found trying symopt as a new user: a title that named the
    optimizer made symopt's own sheet unreadable.  So is a marked heading without a number and
    without epochs over exercises whose headings are not marked but numbered (``# Bài tập: Gradient
    Descent và Adam`` over ``Bài 1 Gradient Descent``): the corpus's students title their sheets so."""
    deepest = max((s.level for s in doc.sections if s.epochs), default=0)
    kept = []
    for k, section in enumerate(doc.sections):
        if section.epochs or not section.level:
            kept.append(section)
            continue
        later = doc.sections[k + 1:]
        over_numbered = (not section.numbered and bool(later) and not later[0].level and later[0].numbered
                         and any(s.epochs for s in later))
        if section.level < deepest or over_numbered:
            (kept[-1].given if kept else doc.preamble).extend(section.given)
        else:
            kept.append(section)
    doc.sections[:] = kept


def _place(doc: Document, math: MathLine) -> None:
    """A math line where it belongs: the preamble, an exercise's lines before its epochs, or its
    last epoch.  One that starts with a relation (``= 2x``, a display of its own) goes on the line
    before it there, as a block's row does (a derivation written a display a step, its rules named
    in between)."""
    if not doc.sections:
        lines = doc.preamble
    elif doc.sections[-1].epochs:
        lines = doc.sections[-1].epochs[-1].lines
    else:
        lines = doc.sections[-1].given
    if lines and _CONTINUES.match(math.text):
        last = lines[-1]
        lines[-1] = MathLine(last.line, f"{last.text} {math.text}", math.end)
    else:
        lines.append(math)


_CONTINUES = re.compile(r"(=|\\approx(?![A-Za-z])|\\simeq(?![A-Za-z])|≈)")


def _items(lines: list[str], doc: Document) -> Iterator[MathLine | _Text]:
    """Math lines, and the other lines as :class:`_Text` (headings, epoch labels, sentences)."""
    unclosed_from: dict[str, int] = {}  # a closer not found after line i is not found after any later line
    i = 0
    while i < len(lines):
        raw = lines[i]
        s = raw.strip()
        number = i + 1
        opener = _opener(s)
        if opener is None:
            label, marked, emphasised = _label(s)
            if label:
                yield _Text(number, s, label, marked, emphasised)
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
            for statement in statements(row):
                yield MathLine(number + offset, statement, close_at + 1)
        i = close_at + 1




def statements(row: str) -> list[str]:
    """A row as the statements it holds: ``g_p = -4, \\quad g_q = 10`` is two lines (students put
    a pair on one row); the pieces must each have an ``=``, else the row is one statement."""
    if "quad" not in row and "\\text" not in row:  # \quad, \qquad
        return [row]
    pieces, depth, start, last = [], 0, 0, 0
    for m in _words().spacing.finditer(row):
        token = m.group(0)
        if token in "{(":
            depth += 1
        elif token in "})":
            depth -= 1
        elif depth == 0:  # the spacing with the blanks and one , or ; before it (found backwards: linear)
            cut = m.start()
            while cut > last and row[cut - 1].isspace():
                cut -= 1
            if cut > last and row[cut - 1] in ",;":
                cut -= 1
                while cut > last and row[cut - 1].isspace():
                    cut -= 1
            pieces.append(row[start:cut])
            start = m.end()
        last = m.end()
    pieces.append(row[start:])
    pieces = [p.strip().rstrip(",;").strip() for p in pieces if p.strip()]
    if len(pieces) > 1 and all("=" in p for p in pieces):
        return pieces
    return [row]


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
    rows: list[tuple[int, str]] = []
    offset = 0
    for part in _split_rows(content):
        lead = len(part) - len(part.lstrip())
        row = " ".join(_one_line_cases(part).split())
        row = _unalign(row).rstrip(",.; ").strip()
        if row and rows and re.match(r"(=|\\approx|\\simeq|≈)", row):  # "&= b": the row above goes on
            rows[-1] = (rows[-1][0], rows[-1][1] + " " + row)
        elif row and rows and _MORE_TERMS.match(row):  # "&\\quad + c": a sum goes on (a statement starts with a name)
            rows[-1] = (rows[-1][0], rows[-1][1] + " " + _MORE_TERMS.sub("", row, count=1))
        elif row:
            rows.append((offset + part[:lead].count("\n"), row))
        offset += part.count("\n")
    return rows


_CASES = re.compile(r"\\(begin|end)\{cases\}")
_MORE_TERMS = re.compile(r"^\\quad\s*(?=[+-])|^(?=[+-]\s)")  # a row that goes on with a sum's terms (its \\quad dropped)


def _cases(text: str) -> Iterator[tuple[int, int]]:
    """The spans of the outermost ``cases`` environments of `text`, each to its own ``\\end{cases}``
    (a case may hold a ``cases`` of its own: a schedule's milestones); an unclosed one is none.
    One pass over the markers: linear."""
    depth, start = 0, 0
    for m in _CASES.finditer(text):
        if m.group(1) == "begin":
            if not depth:
                start = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if not depth:
                yield start, m.end()


def _one_line_cases(text: str) -> str:
    """`text` with the line breaks inside its ``cases`` as spaces."""
    pieces, last = [], 0
    for start, end in _cases(text):
        pieces += [text[last:start], text[start:end].replace("\n", " ")]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _split_rows(content: str) -> list[str]:
    """Split at ``\\\\`` outside ``cases`` (whose rows belong to one expression)."""
    parts, start = [], 0
    protected = list(_cases(content))  # in order, not overlapping
    k = 0
    for m in re.finditer(r"\\\\", content):
        while k < len(protected) and protected[k][1] <= m.start():
            k += 1
        if k < len(protected) and protected[k][0] <= m.start():
            continue
        parts.append(content[start : m.start()])
        start = m.end()
    parts.append(content[start:])
    return parts


def _unalign(row: str) -> str:
    """Alignment marks out, except inside ``cases``."""
    pieces, last = [], 0
    for start, end in _cases(row):
        pieces += [row[last:start].replace("&", " "), row[start:end]]
        last = end
    pieces.append(row[last:].replace("&", " "))
    return "".join(pieces)


def _label(s: str) -> tuple[str, int, bool]:
    """A text line without its markup, its depth as a heading (0: not marked as one), and whether
    it is all in bold or italics (``**t = 1**``, ``*Epoch 1*``, ``\\emph{…}``)."""
    emphasised = bool(re.fullmatch(r"(\*{1,3}|_{1,3}).*\S\1|\\(textbf|textit|emph|underline)\{.*\}", s))
    marked = 0
    hashes = len(s) - len(s.lstrip("#"))
    if 1 <= hashes <= 6 and s[hashes : hashes + 1].isspace():  # "## Title ##": in string methods, linear
        marked, s = hashes, s[hashes:].strip().rstrip("#").rstrip()
    else:
        m = _LATEX_HEADING.match(s)
        if m:
            marked, s = _LATEX_LEVELS[m.group(1)], m.group(2)
    cut = s.rfind("}") + 1  # no search past the last }: an unclosed \text{ is not searched to the end again and again
    s = re.sub(r"\\(textbf|textit|emph|text|underline)\{(.*?)\}", r"\2", s[:cut]) + s[cut:]
    s = s.replace("**", "").replace("__", "").strip()
    s = re.sub(r"^([*_])(\S(?:.*\S)?)\1$", r"\2", s)  # *Epoch 1*, _Epoch 1_
    s = re.sub(r"\\(medskip|bigskip|smallskip|noindent|par)\b", "", s).strip()
    return s, marked, emphasised


@dataclass(frozen=True)
class _Text:
    """A line that is not a math block: a heading, an epoch label, a sentence, plain-text math."""

    line: int
    raw: str  # as written, stripped
    label: str  # without its markup (see _label)
    marked: int  # its depth as a heading (0: not marked as one)
    emphasised: bool  # all in bold or italics


def _epoch_digits(text: _Text) -> str | None:
    """The number of the epoch a label starts: ``Epoch 1:``, ``*Epoch 1*``, ``In step 1:``, ``Epoch 1
    (t = 1):``; ``t = 1`` only marked (``**t = 1**``, ``### t = 1``) or followed by ':'."""
    m = _words().epoch.match(text.label)
    if m:
        return m.group(1)
    m = _STEP_T.match(text.label)
    if m and (text.emphasised or text.marked or m.group(2)):
        return m.group(1)
    return None


MAX_EPOCH_DIGITS = 9


def _epoch(digits: str, line: int, doc: Document) -> int:
    """An epoch's number; one of more than :data:`MAX_EPOCH_DIGITS` digits (``Epoch 999…9:``, past
    Python's limit for reading an int) is an unreadable line, and its epoch the one after the last."""
    if len(digits) <= MAX_EPOCH_DIGITS:
        return int(digits)
    epochs = doc.sections[-1].epochs
    number = epochs[-1].number + 1 if epochs else 1
    doc.problems.append((line, f"an epoch number of {len(digits)} digits; its lines are read as epoch {number}"))
    return number


# -- math in text lines ----------------------------------------------------------------------------
#: ``$…$`` in a sentence (pandoc's rule: no space inside either dollar, the closing one not followed
#: by a digit, so "$5 and $10" is no math), or ``\(…\)``; never ``$$``, never ``\$``.
_INLINE = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\.|[^$\\]){1,5000}?)(?<![\s\\])\$(?![$\d])|\\\(((?:[^\\]|\\(?![()])){1,5000}?)\\\)")
_BULLET = re.compile(r"^(?:[-*+•]|\d+[.)])\s+")


def _candidates(text: _Text) -> list[tuple[str, bool]]:
    """The math a text line may hold, before it is judged: (text, written in plain text).  The
    inline spans with an ``=``; or, without any ``$``, the line itself when it has an ``=``.  A
    line all in bold or italics is a remark (symopt's own notes on a run, ``*… $v_1 = 0.2$ here …*``),
    and a label is none."""
    if text.emphasised or _epoch_digits(text) is not None:
        return []
    if "$" in text.raw or "\\(" in text.raw:
        return [(span, False) for m in _INLINE.finditer(text.raw) if "=" in (span := (m.group(1) or m.group(2)).strip())]
    s = _BULLET.sub("", text.raw)
    if "=" not in s or s.startswith(("%", "<!--", "|")):
        return []
    return [(s, True)]


def _text_math(text: _Text, decimal_comma: bool) -> list[MathLine]:
    """The math lines of a text line: its candidates that state something."""
    out = []
    for candidate, plain in _candidates(text):
        if plain:
            candidate = plain_math(candidate)
        if decimal_comma:
            candidate = _commas(candidate)
        if _states(candidate) and not (plain and _prose(candidate)):
            out += [MathLine(text.line, part, text.line) for part in statements(candidate.rstrip(",.; ").strip())]
    return out


def _states(text: str) -> bool:
    """Whether `text` states something: an ``=`` whose left side is a name (``w_1``, ``x^{(1)}``,
    ``\\hat{m}_t``), f or its gradient (``f(x, y)``, ``\\nabla f``, ``\\frac{\\partial f}{\\partial x}``)
    or names in parentheses (``(w_1, w_2)``).  "the rate $\\alpha$", "$\\operatorname{sign}(0) = 0$"
    and "Note that this = that" state nothing the checker reads."""
    from .mathtext import relations

    sides, marks = relations(text)
    if "=" not in marks:
        return False
    first = re.sub(r"\\(left|right)(?=[()])", "", sides[0]).strip()
    if _F_SIDE.fullmatch(first) or _DERIVATIVE_SIDE.fullmatch(first):
        return True
    if first.startswith("(") and first.endswith(")"):
        parts = _top_commas(first[1:-1])
        return len(parts) > 1 and all(_is_name(p) for p in parts)
    return _is_name(first)


_F_SIDE = re.compile(r"(?:\\nabla\s*)?f\s*(?:(?:'|\^\{?\\prime\}?)+\s*)?(?:\(.*\))?")
_DERIVATIVE_SIDE = re.compile(r"\\[dt]?frac\{\s*(?:\\partial|d)\s*f\s*\}\{.*\}|(?:d|\\partial\s*)f\s*/\s*(?:d|\\partial\s*)\S.*")


def _is_name(text: str) -> bool:
    """A name, or a name with a superscript (``x^{(1)}``, ``g_{x_1}^{(2)}``, ``\\theta_1^0``)."""
    from ..errors import SymoptError
    from ..expr import Bin, Name
    from .mathtext import parse_math

    try:
        node = parse_math(text)
    except SymoptError:
        return False
    return isinstance(node, Name) or (isinstance(node, Bin) and node.op == "^" and isinstance(node.left, Name))


def _top_commas(text: str) -> list[str]:
    """`text` split at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "({["
        depth -= ch in ")}]"
        if ch == "," and depth == 0 and text[i - 1 : i] != "\\":
            parts.append(text[start:i])
            start = i + 1
    return [p.strip() for p in parts + [text[start:]]]


#: Words plain-text math is written with: Greek letters, functions, names such as lr and eps.
_MATH_WORDS = frozenset(
    ["alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "eps", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "sqrt", "exp", "log", "ln", "sin", "cos", "tan", "tanh", "sinh", "cosh", "abs", "max", "min", "lr", "grad"])
_WORD = re.compile(r"\\?[^\W\d_][\w]*")


def _prose(text: str) -> bool:
    """Whether a plain-text line is a sentence: a word that is no math name (``Note that this =
    that``, ``x = 2.4 after step 1``, ``x = 3 và y = 2``).  Math names are short (``dx``), carry
    digits or an index (``dw1``, ``s_x``, ``beta1``), are LaTeX commands or Greek and function names."""
    for m in _WORD.finditer(text):
        word = m.group()
        if word.startswith("\\") or "_" in word or any(c.isdigit() for c in word) or text[m.end():m.end() + 1] in ("_", "{"):
            continue
        if not word.isascii():
            return True
        if len(word) > 2 and word.lower().removeprefix("d") not in _MATH_WORDS and word.lower() not in _MATH_WORDS:
            return True  # dalpha: the gradient of a variable alpha
    return False


# -- plain-text math as LaTeX ----------------------------------------------------------------------
_GREEK_LETTERS = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ϵ": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ϑ": "vartheta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi",
    "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "varphi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi",
    "Ω": "Omega",
}
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋ₜᵢₓ", "0123456789+-tix")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ᵗ", "0123456789+-t")
_GREEK_RUN = re.compile("([" + "".join(_GREEK_LETTERS) + "])(\\d+)?")


def plain_math(text: str) -> str:
    """Plain-text math as the LaTeX the reader parses: ``β₁`` is ``\\beta_{1}``, ``θ`` ``\\theta``,
    ``x²`` ``x^{2}``, ``√(s + ε)`` and ``sqrt(s + eps)`` ``\\sqrt{…}``, ``exp(x)`` ``\\exp(x)``,
    ``mhat_x`` ``\\hat{m}_x``, ``∇`` ``\\nabla``."""
    text = re.sub("[₀₁₂₃₄₅₆₇₈₉₊₋ₜᵢₓ]+", lambda m: "_{" + m.group().translate(_SUBSCRIPTS) + "}", text)
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ᵗ]+", lambda m: "^{" + m.group().translate(_SUPERSCRIPTS) + "}", text)

    def greek(m: re.Match) -> str:
        out = "\\" + _GREEK_LETTERS[m.group(1)] + ("_{" + m.group(2) + "}" if m.group(2) else "")
        follows = m.string[m.end():m.end() + 1]
        return out + (" " if follows.isalpha() and follows.isascii() else "")

    text = _GREEK_RUN.sub(greek, text).replace("∇", "\\nabla ").replace("∂", "\\partial ")
    text = re.sub(r"(?<![\\A-Za-z])([A-Za-z])hat(?![A-Za-z])", r"\\hat{\1}", text)
    text = re.sub(r"(?<![\\A-Za-z])(exp|log|ln|sin|cos|tan|tanh|sinh|cosh)\s*(?=\()", r"\\\1", text)
    text = _roots(text)
    return re.sub(r"√\s*(\\[A-Za-z]+(?:_\{[^{}]*\}|_\w)?|[A-Za-z][A-Za-z0-9_]*|[0-9.]+)", r"\\sqrt{\1}", text)


_ROOT = re.compile(r"(?<![\\A-Za-z])sqrt\s*\(|√\s*\(")


def _roots(text: str) -> str:
    """``sqrt(…)`` and ``√(…)`` as ``\\sqrt{…}``, nested too (in one pass, without recursion)."""
    if "sqrt" not in text and "√" not in text:
        return text
    out, closers, i = [], [], 0
    while i < len(text):
        m = _ROOT.match(text, i)
        if m:
            out.append("\\sqrt{")
            closers.append("}")
            i = m.end()
            continue
        ch = text[i]
        if ch == "(":
            closers.append(")")
        elif ch == ")" and closers:
            ch = closers.pop()
        out.append(ch)
        i += 1
    return "".join(out)


# -- decimal commas ---------------------------------------------------------------------------------
def _decimal_comma(texts: list[str]) -> bool:
    """Whether these math texts write decimal commas: ``0{,}4``; a digit, comma, digit outside
    brackets (``0,4``, ``\\alpha = 0,1``; not ``(1,2)``, ``w_{1,0}``); or ``;`` between two items
    with an ``=`` each (``w_1 = -5; \\alpha = 0,4``; not the space ``\\;``)."""
    for text in texts:
        if "{,}" in text:
            return True
        if "," not in text and ";" not in text:
            continue
        depth = 0
        for i, ch in enumerate(text):
            if ch in "({[":
                depth += 1
            elif ch in ")}]":
                depth -= 1
            elif depth or not 0 < i < len(text) - 1:
                continue
            elif (ch == "," and text[i - 1].isdigit() and text[i + 1].isdigit()) or (ch == ";" and text[i - 1] != "\\" and "=" in text[:i] and "=" in text[i + 1:]):
                return True
    return False


_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")
_INDEX = re.compile(r"[_^]\{[^{}]*\}")


def _commas(text: str) -> str:
    """Every ``0,4`` of `text` as ``0{,}4`` (a decimal comma), except in an index (``w_{1,0}``)."""
    if "," not in text:
        return text
    pieces, last = [], 0
    for m in _INDEX.finditer(text):
        pieces += [_DIGIT_COMMA.sub("{,}", text[last : m.start()]), m.group()]
        last = m.end()
    pieces.append(_DIGIT_COMMA.sub("{,}", text[last:]))
    return "".join(pieces)


def _with_commas(math: MathLine) -> MathLine:
    text = _commas(math.text)
    return math if text == math.text else MathLine(math.line, text, math.end)
