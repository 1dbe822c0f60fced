"""The templates' shared parts: each exists once (preamble.tex.j2, problem.md.j2, problem.tex.j2), and a
user's folder (--templates DIR) overrides any template by name, a shared part too."""

from __future__ import annotations

import itertools
from pathlib import Path
import re

from conftest import ROOT, SEED_SPEC
import symopt
from symopt import card
from symopt.exam import papers, variants
from symopt.render import render

TEMPLATES = ROOT / "templates"
EXAM = ROOT / "examples" / "exam.toml"

# the preamble of a user's own: another class and a package of theirs
PREAMBLE = r"""\documentclass[((( size )))]{scrartcl}
\usepackage[T1,T5]{fontenc}
\usepackage{amsmath}
((* if graphicx *))
\usepackage{graphicx}
((* endif *))
\usepackage{mydepartment}
"""


def folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def exam_paper(templates: Path | None = None, fmt: str = "tex") -> str:
    """Variant 1's question paper, from the templates `symopt exam` renders it with."""
    t = variants.load(EXAM)
    [(variant, solution)] = variants.generate(t, 1)
    view = papers.question_view(t, variant, solution)
    if fmt == "md":
        return render("question.md.j2", view, "md", templates)
    return render("exam.tex.j2", {"bodies": [render("question_body.tex.j2", view, "tex", templates)]}, "tex", templates)


def test_a_users_preamble_alone_changes_the_sheet_the_card_and_the_exam(tmp_path):
    mine = folder(tmp_path, {"preamble.tex.j2": PREAMBLE})
    sheet = symopt.solve(SEED_SPEC)
    documents = {"sheet": (sheet.to_latex(), sheet.to_latex(mine)),
                 "card": (card.to_latex(), card.to_latex(templates=mine)),
                 "exam": (exam_paper(), exam_paper(mine))}
    for name, (ours, theirs) in documents.items():
        assert ours.startswith(r"\documentclass[1") and r"]{article}" in ours and "mydepartment" not in ours, name
        assert theirs.startswith(r"\documentclass[1") and r"]{scrartcl}" in theirs and "{article}" not in theirs, name
        assert "\n\\usepackage{mydepartment}\n\\begin{document}\n" in theirs, name
        assert "margin=" in ours and "margin=" not in theirs and "inputenc" not in theirs, name
        # only the preamble changed: the documents are the same from \begin{document} on
        assert theirs[theirs.index(r"\begin{document}"):] == ours[ours.index(r"\begin{document}"):], name
    assert documents["card"][1].startswith(r"\documentclass[10pt]{scrartcl}")
    assert documents["sheet"][1].startswith(r"\documentclass[11pt]{scrartcl}")
    assert r"\usepackage{graphicx}" in documents["sheet"][1] and r"\usepackage{graphicx}" not in documents["exam"][1]
    assert r"\usepackage{graphicx}" not in documents["card"][1]
    # the fragment has no preamble
    assert sheet.to_latex(mine, fragment=True) == sheet.to_latex(fragment=True)


def test_a_users_problem_part_alone_changes_the_sheet_and_the_question_paper(tmp_path):
    problem_md = (TEMPLATES / "problem.md.j2").read_text(encoding="utf-8")
    problem_tex = (TEMPLATES / "problem.tex.j2").read_text(encoding="utf-8")
    mine = folder(tmp_path, {
        "problem.md.j2": problem_md.replace("## {{ ex.heading | escape }}", "### Problem: {{ ex.heading | escape }}"),
        "problem.tex.j2": problem_tex.replace(r"\subsection*{((( ex.heading | escape )))}", r"\subsection*{Problem: ((( ex.heading | escape )))}"),
    })
    sheet = symopt.solve(SEED_SPEC)
    pairs = {"sheet md": (sheet.to_markdown(), sheet.to_markdown(mine)),
             "sheet tex": (sheet.to_latex(), sheet.to_latex(mine)),
             "question md": (exam_paper(fmt="md"), exam_paper(mine, fmt="md")),
             "question tex": (exam_paper(), exam_paper(mine))}
    for name, (ours, theirs) in pairs.items():
        mark = "### Problem: " if "md" in name else r"\subsection*{Problem: "
        headings = re.findall(r"^## (.+)$", ours, re.M) if "md" in name else re.findall(r"^\\subsection\*\{(.+)\}$", ours, re.M)
        assert len(headings) >= 2 and mark not in ours, name
        assert theirs.count(mark) == len(headings), name
        assert theirs == ours.replace("## " if "md" in name else r"\subsection*{", mark), name
    # the card does not print the problem
    assert card.to_markdown(templates=mine) == card.to_markdown()


def test_a_users_whole_template_wins_by_name(tmp_path):
    mine = folder(tmp_path, {
        "sheet.md.j2": "My sheet: {{ title | escape }}, {{ exercises | length }} exercises\n",
        "problem.md.j2": "my problem\n",
        "sheet.tex.j2": "((( title | escape ))) alone\n",
        "preamble.tex.j2": PREAMBLE,
    })
    sheet = symopt.solve(SEED_SPEC)
    assert sheet.to_markdown(mine) == f"My sheet: {sheet.view()['title']}, {len(sheet.exercises)} exercises\n"
    assert sheet.to_latex(mine) == f"{sheet.view()['title']} alone\n"
    assert exam_paper(mine, fmt="md") == "my problem\n"  # the question paper extends problem.md.j2; the sheet is theirs


# A run of identical lines in two templates is a copy: the problem part was 12 lines in two pairs of
# templates, the preamble 3 or 4 lines in three.  Lines that only close a block (endif, endfor) or
# open an else do not count, so that two loops ending together are not a copy.
LONGEST = 2
_CLOSING = re.compile(r"(\{%|\(\(\*)[-+]?\s*(end\w*|else)\s*[-+]?(%\}|\*\)\))")


def shared_runs(templates: Path, longest: int = LONGEST) -> list[tuple[str, str, list[str]]]:
    """Every pair of templates sharing a run of more than `longest` identical non-blank lines."""
    def lines(path: Path) -> list[str]:
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def weight(run: list[str]) -> int:
        return sum(1 for line in run if not _CLOSING.fullmatch(line))

    found = []
    for p, q in itertools.combinations(sorted(templates.glob("*.j2")), 2):
        a, b = lines(p), lines(q)
        best: list[str] = []
        ends = [0] * (len(b) + 1)  # ends[j]: the common run ending at a[i-1], b[j-1]
        for i in range(1, len(a) + 1):
            ends = [0] + [ends[j - 1] + 1 if a[i - 1] == b[j - 1] else 0 for j in range(1, len(b) + 1)]
            for n in ends:
                if n and weight(a[i - n:i]) > weight(best):
                    best = a[i - n:i]
        if weight(best) > longest:
            found.append((p.name, q.name, best))
    return found


def test_no_two_templates_copy_each_other():
    assert shared_runs(TEMPLATES) == []


def test_the_copy_check_catches_a_copy(tmp_path):
    # the copies the templates had: the problem part (the sheet's notes, the question's math_notes) and
    # the preambles of the card and the exam paper (other sizes and margins, three lines alike)
    problem = (TEMPLATES / "problem.md.j2").read_text(encoding="utf-8")
    preamble = "\\usepackage[T1,T5]{fontenc}  % T5: Vietnamese\n\\usepackage[utf8]{inputenc}\n\\usepackage{amsmath}\n"
    copied = folder(tmp_path, {
        "sheet.md.j2": problem.replace('notes | default("notes")', '"notes"'),
        "question.md.j2": problem.replace('notes | default("notes")', '"math_notes"'),
        "card.tex.j2": "\\documentclass[10pt]{article}\n" + preamble + "\\usepackage[a4paper,margin=1.6cm]{geometry}\n",
        "exam.tex.j2": "\\documentclass[11pt]{article}\n" + preamble + "\\usepackage[a4paper,margin=2cm]{geometry}\n",
    })
    found = {(p, q): run for p, q, run in shared_runs(copied)}
    assert set(found) == {("question.md.j2", "sheet.md.j2"), ("card.tex.j2", "exam.tex.j2")}
    assert found["card.tex.j2", "exam.tex.j2"] == preamble.splitlines()
