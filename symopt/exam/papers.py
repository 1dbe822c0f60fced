"""What ``symopt exam`` writes: question and solution sheets per variant, all questions and all
solutions as one PDF each, the answer key (CSV, JSON) and a Moodle quiz (Cloze questions).

Everything is produced in memory first and written all-or-nothing (:func:`symopt.files.write_all`).
The md and tex files hold no dates or paths, so the same template and seed give the same bytes.

Text from the template (titles, optimizer names) is hostile until escaped: into the sheets by each
format's escape filter (:mod:`symopt.render`), into the Moodle quiz by :func:`cloze_text` (HTML,
Cloze and the math filters), into key.csv by :func:`symopt.files.csv_cell` (spreadsheet formulas).  Each writer
is linear in the variants: -n 10000 takes about ten times -n 1000.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
import re
from typing import TYPE_CHECKING

from .. import labels
from ..errors import SymoptError
from ..files import csv_text
from ..formats import FORMATS, Format, as_text, data, produce
from ..notation import name_latex
from ..numbers import decimal_text
from .variants import Template, Variant

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..sheet import Solution

Pairs = list[tuple[Variant, "Solution"]]  # each variant with its solution, as variants.generate() gives them


def tag(number: int) -> str:
    """``variant-007``: the same name whatever the number of variants."""
    return f"variant-{number:03d}"


def question_view(t: Template, variant: Variant, solution: Solution) -> dict:
    view = solution.view()
    words = labels.words(view["lang"], "exam")
    file = Path(t.source).name
    for ex, worked in zip(view["exercises"], solution.exercises, strict=True):
        mode = worked.exercise.numbers
        how = words[mode.kind].format(d=mode.decimals, s=mode.sig, n=mode.digits)
        n = worked.exercise.epochs
        epochs = words["epochs"].get(n) or words["epochs_n"].format(n=n)
        ex["task"] = words["task"].format(epochs=epochs, how=how)
    view["footer"] = words["footer"].format(k=variant.number, seed=t.seed, file=file)
    return view


def key_rows(pairs: Pairs) -> list[dict]:
    """One row per line of every variant's solution: what the answer key and the quiz hold."""
    rows = []
    for variant, solution in pairs:
        for n, worked in enumerate(solution.exercises, start=1):
            policy = worked.exercise.numbers.policy()
            for epoch in worked.epochs:
                for line in epoch.lines:
                    value = line.shown.value
                    rows.append({
                        "variant": variant.number, "exercise": n, "epoch": epoch.number, "variable": line.variable,
                        "quantity": line.quantity, "value": line.shown.plain,
                        "tolerance": decimal_text(policy.unit(value)),
                    })
    return rows


def key_csv(rows: list[dict]) -> str:
    header = list(rows[0]) if rows else ["variant"]
    return csv_text([header, *([row[k] for k in header] for row in rows)])


# What XML 1.0 cannot hold in any form (not even as &#1;): a quiz with one is no quiz at all
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Plain text in a Cloze question, shown as it is and not read as markup.  Besides HTML's < > & " ':
# Cloze makes a blank of "{1:SHORTANSWER:=...}" wherever a brace opens one (text never stands inside
# a blank, where } # ~ / " \ would need Cloze's backslash), and Moodle's MathJax and TeX filters make
# math of \( \[ $$ and [tex].  A brace or [ as an entity is none to Moodle, which reads the stored
# text; \ and $ each in a span of their own are no delimiter to MathJax either, which reads the page's
# text with entities decoded but not across tags (MathJax's own advice); "nolink" keeps Moodle's
# other filters out of the span, as its MathJax filter does for math.
_CLOZE_TEXT = str.maketrans({"{": "&#123;", "}": "&#125;", "[": "&#91;",
                             "\\": '<span class="nolink">&#92;</span>', "$": '<span class="nolink">&#36;</span>'})


def xml_safe(text: str) -> str:
    """Text that XML can hold: each character it cannot (control characters, U+FFFE) as U+FFFD, the
    replacement character, so a title with U+0001 still gives a quiz Moodle imports."""
    return _NOT_XML.sub("\ufffd", text)


def cloze_text(text: str) -> str:
    """Plain text (a title, a heading, the task) as the HTML of a Cloze question: what it says, no markup."""
    return html.escape(text).translate(_CLOZE_TEXT)


def _math(latex: str) -> str:
    """symopt's own LaTeX as inline math: its braces and backslashes are MathJax's to read."""
    return f"\\({html.escape(latex)}\\)"


def moodle_xml(t: Template, pairs: Pairs, rows: list[dict]) -> str:
    """One Cloze question per variant: the problem, then a NUMERICAL blank for w after each epoch.
    The rows are grouped once, by variant and exercise, so the quiz takes time linear in the variants."""
    asked: dict[tuple[int, int], dict[int, list[dict]]] = {}  # (variant, exercise) -> epoch -> its w rows
    for r in rows:
        if r["quantity"] == "w":
            asked.setdefault((r["variant"], r["exercise"]), {}).setdefault(r["epoch"], []).append(r)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for variant, solution in pairs:
        view = question_view(t, variant, solution)
        words = labels.words(view["lang"], "exam")
        parts = [f"<p>{cloze_text(view['title'])}</p>"]
        if view["function"]:
            parts.append(f"<p>{_math(view['function'])}</p>")
        for n, ex in enumerate(view["exercises"], start=1):
            parts.append(f"<h4>{cloze_text(ex['heading'])}</h4>")
            parts += [f"<p>{_math(f)}</p>" for f in ([ex["function"]] if ex["function"] else []) + ex["formulas"]]
            parts.append(f"<p>{_math(ex['data'])}</p><p>{cloze_text(ex['task'])}</p>")
            for epoch, lines in sorted(asked.get((variant.number, n), {}).items()):
                blanks = [f"{_math(name_latex(r['variable']))} = {{1:NUMERICAL:={r['value']}:{r['tolerance']}}}" for r in lines]
                parts.append(f"<p>{words['cloze_epoch'].format(k=epoch)}: " + ", ".join(blanks) + "</p>")
        text = xml_safe("\n".join(parts))
        out += [
            '  <question type="cloze">',
            f"    <name><text>{html.escape(xml_safe(t.stem))} {variant.number}</text></name>",
            f'    <questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>',
            '    <generalfeedback format="html"><text></text></generalfeedback>',
            "    <penalty>0.3333333</penalty>",
            "    <hidden>0</hidden>",
            "  </question>",
        ]
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def _given(view: dict) -> Callable[[], dict]:
    return lambda: view


def _paper(fmt: Format, sheets: list[str]) -> str:
    """Sheets one after another as one document: the format's ``exam`` template around their bodies,
    or a whole sheet alone where the format has none."""
    if "exam" in fmt.templates:
        return as_text(produce(fmt.name, "exam", lambda: {"bodies": sheets}))
    if len(sheets) == 1:
        return sheets[0]
    raise SymoptError(f"{fmt.title} has no exam template to put several sheets into one document (symopt/formats.py)")


def exam_files(t: Template, pairs: Pairs, formats: list[str], out: Path) -> dict[Path, bytes]:
    """Every file of the exam, by path, in memory: per variant a question and a solution sheet in
    each format made from templates; one document of all questions and one of all solutions in
    each format made from another (PDF), made from its source's bodies."""
    base = out / t.stem
    files: dict[Path, bytes] = {}
    made = [FORMATS[name] for name in FORMATS if name in formats and FORMATS[name].source is not None]
    bodies: dict[str, tuple[list[str], list[str]]] = {str(f.source): ([], []) for f in made}  # questions, solutions
    for variant, solution in pairs:
        view = question_view(t, variant, solution)
        name = tag(variant.number)
        for fmt in (FORMATS[f] for f in FORMATS if (f in formats and FORMATS[f].source is None) or f in bodies):
            question = as_text(produce(fmt.name, "question", _given(view)))
            if fmt.name in bodies:
                bodies[fmt.name][0].append(question)
                bodies[fmt.name][1].append(as_text(solution.make(fmt.name, fragment=True)))
            if fmt.name in formats:
                files[base / f"{name}-question.{fmt.extension}"] = data(_paper(fmt, [question]))
                files[base / f"{name}-solution.{fmt.extension}"] = data(solution.make(fmt.name))
    rows = key_rows(pairs)
    files[base / "key.csv"] = key_csv(rows).encode("utf-8")
    files[base / "key.json"] = (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    files[base / "moodle.xml"] = moodle_xml(t, pairs, rows).encode("utf-8")
    for fmt in made:  # one conversion per document, the two side by side (TeX runs in its own process)
        from concurrent.futures import ThreadPoolExecutor

        assert fmt.source is not None and fmt.convert is not None
        documents = [_paper(FORMATS[fmt.source], sheets) for sheets in bodies[fmt.source]]
        with ThreadPoolExecutor(max_workers=2) as pool:
            questions, solutions = pool.map(fmt.convert, documents, [None] * len(documents))
        files[base / f"questions.{fmt.extension}"], files[base / f"solutions.{fmt.extension}"] = data(questions), data(solutions)
    return files
