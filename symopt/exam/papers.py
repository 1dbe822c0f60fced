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

from .. import labels
from ..notation import name_latex
from ..numbers import decimal_text
from ..render import render
from .variants import Template, Variant


def tag(number: int) -> str:
    """``variant-007``: the same name whatever the number of variants."""
    return f"variant-{number:03d}"


def question_view(t: Template, variant: Variant, solution) -> dict:
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


def key_rows(pairs) -> list[dict]:
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


def moodle_xml(t: Template, pairs, rows: list[dict]) -> str:
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


def exam_files(t: Template, pairs, formats: list[str], out: Path) -> dict[Path, bytes]:
    """Every file of the exam, by path, in memory."""
    base = out / t.stem
    files: dict[Path, bytes] = {}
    question_bodies, solution_bodies = [], []
    for variant, solution in pairs:
        view = question_view(t, variant, solution)
        name = tag(variant.number)
        if "md" in formats:
            files[base / f"{name}-question.md"] = render("question.md.j2", view, "md").encode("utf-8")
            files[base / f"{name}-solution.md"] = solution.to_markdown().encode("utf-8")
        if "tex" in formats or "pdf" in formats:
            body = render("question_body.tex.j2", view, "tex")
            question_bodies.append(body)
            solution_bodies.append(solution.to_latex(fragment=True))
            if "tex" in formats:
                files[base / f"{name}-question.tex"] = render("exam.tex.j2", {"bodies": [body]}, "tex").encode("utf-8")
                files[base / f"{name}-solution.tex"] = solution.to_latex().encode("utf-8")
    rows = key_rows(pairs)
    files[base / "key.csv"] = key_csv(rows).encode("utf-8")
    files[base / "key.json"] = (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    files[base / "moodle.xml"] = moodle_xml(t, pairs, rows).encode("utf-8")
    if "pdf" in formats:  # one TeX run per PDF, the two side by side (TeX runs in its own process)
        from concurrent.futures import ThreadPoolExecutor

        from ..pdf import compile_pdf

        documents = [render("exam.tex.j2", {"bodies": bodies}, "tex") for bodies in (question_bodies, solution_bodies)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            questions, solutions = pool.map(compile_pdf, documents)
        files[base / "questions.pdf"], files[base / "solutions.pdf"] = questions, solutions
    return files
