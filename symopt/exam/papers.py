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

from fractions import Fraction
import html
import json
from pathlib import Path
import re
from typing import TYPE_CHECKING

from .. import labels
from ..errors import SymoptError
from ..files import csv_text
from ..formats import FORMATS, Format, as_text, data, produce
from ..numbers import decimal_text
from .variants import Template, Variant, exercise_points

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..sheet import Solution

Pairs = list[tuple[Variant, "Solution"]]  # each variant with its solution, as variants.generate() gives them


def tag(number: int) -> str:
    """``variant-007``: the same name whatever the number of variants."""
    return f"variant-{number:03d}"


def question_view(t: Template, variant: Variant, solution: Solution) -> dict:
    """What a question paper shows: the problem of the solution's view, and the paper's header
    (course, date, duration, total, the boxes a student fills in), instructions, each exercise's
    points and task, the answer space of each epoch (as many lines as its worked lines, and one for
    its heading), and a footer with the variant's code alone."""
    view = solution.view()
    words = labels.words(view["lang"], "exam")
    paper = t.paper
    points = exercise_points(paper, [w.exercise.epochs for w in solution.exercises])
    for ex, worked, p in zip(view["exercises"], solution.exercises, points, strict=True):
        mode = worked.exercise.numbers
        how = words[mode.kind].format(d=mode.decimals, s=mode.sig, n=mode.digits)
        n = worked.exercise.epochs
        epochs = words["epochs"].get(n) or words["epochs_n"].format(n=n)
        ex["task"] = words["task"].format(epochs=epochs, how=how)
        ex["points"] = points_text(words, p)
        ex["heading"] = f"{ex['heading']} ({ex['points']})"
        ex["answer"] = [{"label": words["epoch"].format(k=e.number), "lines": len(e.lines) + 1} for e in worked.epochs]
    if paper.title:
        view["title"] = f"{paper.title} · {words['variant'].format(k=variant.number)}"
    view["paper"] = {
        "facts": [f"{words[key]}: {getattr(paper, key)}" for key in ("course", "date", "duration") if getattr(paper, key)],
        "total": words["total"].format(p=points_text(words, sum(points, Fraction(0)))),
        "fields": [words["fields"][f] for f in paper.fields],
        "instructions_title": words["instructions"],
        "instructions": [*words["rules"], words["asked"].format(names=", ".join(_asked_names(solution, paper.ask))),
                         *([paper.instructions] if paper.instructions else [])],
        "answer": paper.answer,
    }
    view["footer"] = words["variant"].format(k=variant.number)
    return view


def points_text(words: dict, p: Fraction) -> str:
    """``4 points``, ``1 point``, ``2.5 points`` (``4 điểm``)."""
    number = decimal_text(p)
    return words["points"].get(p) or words["points_n"].format(p=number)


def _asked_names(solution: Solution, ask: tuple[str, ...]) -> list[str]:
    """The asked lines as the sheet names them (``$w_1$``, ``$w_2$``), in the order of an epoch."""
    names: dict[str, None] = {}
    for worked in solution.exercises:
        for line in worked.epochs[0].lines if worked.epochs else ():
            if line.quantity in ask:
                names[f"${line.latex.split(' = ')[0]}$"] = None
    return list(names)


def key_rows(pairs: Pairs, ask: tuple[str, ...] | None = None) -> list[dict]:
    """One row per asked line of every variant's solution (every line when `ask` is None): what the
    answer key and the quiz hold.  The tolerance is one unit of the value's last place under the
    rounding policy: a fixed place for decimal places, one that follows the value for significant
    figures."""
    rows = []
    for variant, solution in pairs:
        for n, worked in enumerate(solution.exercises, start=1):
            policy = worked.exercise.numbers.policy()
            for epoch in worked.epochs:
                for line in epoch.lines:
                    if ask is not None and line.quantity not in ask:
                        continue
                    value = line.shown.value
                    rows.append({
                        "variant": variant.number, "exercise": n, "epoch": epoch.number, "variable": line.variable,
                        "quantity": line.quantity, "line": line.latex.split(" = ")[0], "value": line.shown.plain,
                        "tolerance": decimal_text(policy.unit(value)),
                    })
    return rows


def check_asked(t: Template, pairs: Pairs) -> None:
    """Every quantity [exam] ask names is a line of some exercise: one line naming it otherwise."""
    if not pairs:
        return
    have = {line.quantity for worked in pairs[0][1].exercises for epoch in worked.epochs[:1] for line in epoch.lines}
    for key, named in (("ask", t.paper.ask), ("marks", t.paper.marks)):
        for q in (q for q in named if q not in have):
            raise SymoptError(f"{q!r} is no quantity of these exercises; they have {', '.join(sorted(have))}", f"{t.source}: exam.{key}")


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


#: The convention mistakes a quiz gives partial credit for: (what the student did, the exercise's
#: optimizer keys, how the exercise is changed).  Each is worked by the engine like the exercise.
MISTAKE_CREDIT = 50  # percent


def mistakes(spec: dict, index: int, key: str, options: dict) -> list[tuple[str, dict]]:
    """(the mistake's name in labels' ``mistakes``, the variant's spec with exercise `index`
    (0-based) worked with it), for each known convention mistake
    of its optimizer: epsilon on the other side of the square root (Adam, AdamW, RMSProp, Adagrad),
    momentum without 1 - beta (momentum as an average), Adam without bias correction."""
    out: list[tuple[str, dict]] = []

    def changed(entry: dict, extra: dict | None = None) -> dict:
        exercises = [dict(e) for e in spec["exercise"]]
        exercises[index] = {**exercises[index], **entry}
        return {**spec, "exercise": exercises, **(extra or {})}

    place = options.get("eps_placement")
    if place in ("inside", "outside"):
        other = "outside" if place == "inside" else "inside"
        out.append((f"eps_{other}", changed({"options": {**options, "eps_placement": other}})))
    if key == "momentum" and options.get("style") == "ema":
        out.append(("no_one_minus_beta", changed({"options": {**options, "style": "heavy_ball"}})))
    if key == "adam" and not options.get("amsgrad") and options.get("weight_decay_style", "none") == "none":
        step = "w - alpha*v/sqrt(s + epsilon)" if place == "inside" else "w - alpha*v/(sqrt(s) + epsilon)"
        custom = {"name": "Adam", "state": {"v": 0, "s": 0},
                  "rules": ["v = beta1*v + (1 - beta1)*g", "s = beta2*s + (1 - beta2)*g^2", f"w = {step}"]}
        out.append(("no_bias_correction", changed({"optimizer": "symopt_no_bias_correction", "options": {}},
                                                  {"optimizers": {**spec.get("optimizers", {}), "symopt_no_bias_correction": custom}})))
    return out


def mistaken_values(variant: Variant, solution: Solution) -> dict[tuple, list[tuple[str, str]]]:
    """(exercise, epoch, variable, quantity) -> [(mistake, the value it gives as written)] for the
    known convention mistakes of each exercise (:func:`mistakes`), each worked by the engine."""
    from ..sheet import solve
    from ..spec import from_dict

    out: dict[tuple, list[tuple[str, str]]] = {}
    for n, worked in enumerate(solution.exercises, start=1):
        ex = worked.exercise
        options = {**ex.optimizer.defaults, **ex.options}
        for label, spec in mistakes(variant.spec, n - 1, ex.optimizer.key, options):
            try:
                wrong = solve(from_dict(spec)).exercises[n - 1]
            except SymoptError:
                continue  # a mistake the engine cannot work (it diverges): no credit for it
            for epoch in wrong.epochs:
                for line in epoch.lines:
                    out.setdefault((n, epoch.number, line.variable, line.quantity), []).append((label, line.shown.plain))
    return out


def _cloze_feedback(text: str) -> str:
    """Text inside a Cloze answer's feedback: Cloze's own specials escaped with a backslash."""
    return re.sub(r"([}#~/\\\"])", r"\\\1", html.escape(text, quote=False))


def _weight(points: Fraction, blanks: int) -> int:
    """A blank's weight in Cloze (a whole number): the exercise's points shared by its blanks, in
    hundredths, so each exercise weighs in the question as its points do on the paper (Moodle
    scales the weights to the question's default grade, the total)."""
    return max(1, round(points * 100 / blanks)) if blanks else 1


def _blank(row: dict, wrong: list[tuple[str, str]], weight: int = 1) -> str:
    """A NUMERICAL blank of `weight`: the key's value at full credit, each mistake's at partial credit."""
    tolerance = Fraction(row["tolerance"])
    answers = [f"={row['value']}:{row['tolerance']}"]
    seen = {Fraction(row["value"])}
    for label, value in wrong:
        v = Fraction(value)
        if all(abs(v - s) > 2 * tolerance for s in seen):
            seen.add(v)
            answers.append(f"%{MISTAKE_CREDIT}%{value}:{row['tolerance']}#{_cloze_feedback(label)}")
    return "{" + str(weight) + ":NUMERICAL:" + "~".join(answers) + "}"


def _rich_html(text: str) -> str:
    """Our own text with inline ``$...$`` math (a note), as Cloze HTML: the words as plain text,
    the math as MathJax's."""
    parts = re.split(r"(\$[^$]+\$)", text)
    return "".join(_math(p[1:-1]) if p.startswith("$") and p.endswith("$") and len(p) > 1 else cloze_text(p) for p in parts)


def _solution_html(solution: Solution) -> str:
    """The variant's worked solution as the question's general feedback: headings and every line."""
    view = solution.view()
    parts = []
    for ex in view["exercises"]:
        parts.append(f"<h4>{cloze_text(ex['heading'])}</h4>")
        for epoch in ex["epochs"]:
            parts.append(f"<p><b>{cloze_text(epoch['label'])}</b></p>")
            parts += [f"<p>{_math(line)}</p>" for line in epoch["lines"]]
    return "\n".join(parts)


def moodle_xml(t: Template, pairs: Pairs, rows: list[dict]) -> str:
    """One Cloze question per variant, in a category named after the template: the problem, then
    after each epoch a NUMERICAL blank for each asked line, with partial credit for the values of
    known convention mistakes (:func:`mistaken_values`), and the worked solution as general
    feedback.  The rows are grouped once, by variant and exercise, so the quiz takes time linear in
    the variants."""
    asked: dict[tuple[int, int], dict[int, list[dict]]] = {}  # (variant, exercise) -> epoch -> its asked rows
    for r in rows:
        asked.setdefault((r["variant"], r["exercise"]), {}).setdefault(r["epoch"], []).append(r)
    category = f"$course$/top/symopt/{xml_safe(t.stem)}"
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>",
           '  <question type="category">', f"    <category><text>{html.escape(category)}</text></category>", "  </question>"]
    for variant, solution in pairs:
        view = question_view(t, variant, solution)
        words = labels.words(view["lang"], "exam")
        wrong = {k: [(words["mistakes"][m], v) for m, v in found] for k, found in mistaken_values(variant, solution).items()}
        points = exercise_points(t.paper, [w.exercise.epochs for w in solution.exercises])
        parts = [f"<p>{cloze_text(view['title'])}</p>"]
        if view["function"]:
            parts.append(f"<p>{_math(view['function'])}</p>")
        for n, ex in enumerate(view["exercises"], start=1):
            parts.append(f"<h4>{cloze_text(ex['heading'])}</h4>")
            parts += [f"<p>{_math(f)}</p>" for f in ([ex["function"]] if ex["function"] else []) + ex["formulas"]]
            parts += [f"<p>{_rich_html(note)}</p>" for note in ex["math_notes"]]  # conventions and the number policy
            parts.append(f"<p>{_math(ex['data'])}</p><p>{cloze_text(ex['task'])}</p>")
            mine = asked.get((variant.number, n), {})
            weight = _weight(points[n - 1], sum(len(lines) for lines in mine.values()))
            for epoch, lines in sorted(mine.items()):
                blanks = [f"{_math(r['line'])} = {_blank(r, wrong.get((n, epoch, r['variable'], r['quantity']), []), weight)}" for r in lines]
                parts.append(f"<p>{words['cloze_epoch'].format(k=epoch)}: " + ", ".join(blanks) + "</p>")
        text = xml_safe("\n".join(parts))
        name = xml_safe(view["title"])
        out += [
            '  <question type="cloze">',
            f"    <name><text>{html.escape(name)}</text></name>",
            f'    <questiontext format="html"><text><![CDATA[{_cdata(text)}]]></text></questiontext>',
            f'    <generalfeedback format="html"><text><![CDATA[{_cdata(xml_safe(_solution_html(solution)))}]]></text></generalfeedback>',
            f"    <defaultgrade>{decimal_text(sum(points, Fraction(0)))}</defaultgrade>",
            "    <penalty>0.3333333</penalty>",
            "    <hidden>0</hidden>",
            f"    <idnumber>{html.escape(xml_safe(t.stem))}-{variant.number}</idnumber>",
            "  </question>",
        ]
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def _cdata(text: str) -> str:
    """Text inside CDATA: its one terminator split so the section cannot end early."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def _given(view: dict) -> Callable[[], dict]:
    return lambda: view


def _paper(fmt: Format, sheets: list[str], tables: bool = False) -> str:
    """Sheets one after another as one document: the format's ``exam`` template around their bodies
    (`tables`: the solutions have trajectory tables, whose packages the preamble loads), or a whole
    sheet alone where the format has none."""
    if "exam" in fmt.templates:
        return as_text(produce(fmt.name, "exam", lambda: {"bodies": sheets, "tables": tables}))
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
    check_asked(t, pairs)
    rows = key_rows(pairs, t.paper.ask)
    files[base / "key.csv"] = key_csv(rows).encode("utf-8")
    files[base / "key.json"] = (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    files[base / "moodle.xml"] = moodle_xml(t, pairs, rows).encode("utf-8")
    if pairs:
        from .marking import scheme_markdown

        files[base / "marking.md"] = scheme_markdown(t.paper, pairs[0][1], pairs[0][1].spec.lang).encode("utf-8")
    for fmt in made:  # one conversion per document, the two side by side (TeX runs in its own process)
        from concurrent.futures import ThreadPoolExecutor

        assert fmt.source is not None and fmt.convert is not None
        tables = any(solution.spec.table is not None for _, solution in pairs)
        documents = [_paper(FORMATS[fmt.source], sheets, tables and k == 1) for k, sheets in enumerate(bodies[fmt.source])]
        with ThreadPoolExecutor(max_workers=2) as pool:
            questions, solutions = pool.map(fmt.convert, documents, [None] * len(documents))
        files[base / f"questions.{fmt.extension}"], files[base / f"solutions.{fmt.extension}"] = data(questions), data(solutions)
    return files
