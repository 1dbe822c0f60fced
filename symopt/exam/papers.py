"""What ``symopt exam`` writes: question and solution sheets per variant, all questions and all
solutions as one PDF each, the answer key (CSV, JSON) and a Moodle quiz (Cloze questions).

Everything is produced in memory first and written all-or-nothing (:func:`symopt.files.write_all`).
The md and tex files hold no dates or paths, so the same template and seed give the same bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from .. import labels
from ..errors import SymoptError
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
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["variant"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def moodle_xml(t: Template, pairs: Pairs, rows: list[dict]) -> str:
    """One Cloze question per variant: the problem, then a NUMERICAL blank for w after each epoch."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for variant, solution in pairs:
        view = question_view(t, variant, solution)
        words = labels.words(view["lang"], "exam")
        parts = [f"<p>{html.escape(view['title'])}</p>"]
        if view["function"]:
            parts.append(f"<p>\\({html.escape(view['function'])}\\)</p>")
        for n, ex in enumerate(view["exercises"], start=1):
            parts.append(f"<h4>{html.escape(ex['heading'])}</h4>")
            parts += [f"<p>\\({html.escape(f)}\\)</p>" for f in ([ex["function"]] if ex["function"] else []) + ex["formulas"]]
            parts.append(f"<p>\\({html.escape(ex['data'])}\\)</p><p>{html.escape(ex['task'])}</p>")
            asked = [r for r in rows if r["variant"] == variant.number and r["exercise"] == n and r["quantity"] == "w"]
            for epoch in sorted({r["epoch"] for r in asked}):
                blanks = []
                for r in (r for r in asked if r["epoch"] == epoch):
                    name = name_latex(r["variable"])
                    blanks.append(f"\\({html.escape(name)}\\) = {{1:NUMERICAL:={r['value']}:{r['tolerance']}}}")
                parts.append(f"<p>{words['cloze_epoch'].format(k=epoch)}: " + ", ".join(blanks) + "</p>")
        text = "\n".join(parts)
        out += [
            '  <question type="cloze">',
            f"    <name><text>{html.escape(t.stem)} {variant.number}</text></name>",
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
