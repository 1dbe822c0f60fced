"""The question paper a teacher hands out (issue 18): its header, instructions, points, answer space
and footer in md, tex and pdf, en and vi; the quantities asked; the Moodle quiz read as Moodle's
importer reads it, with partial credit for convention mistakes worked by the engine."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path
import re
import subprocess
import tomllib
import xml.etree.ElementTree as ET

import pytest

import cloze
from conftest import ROOT
from symopt.cli import main
from symopt.errors import SymoptError
from symopt.exam import papers, variants as exam
from symopt.sheet import solve
from symopt.spec import from_dict

TEMPLATE = ROOT / "examples" / "exam.toml"


def write(tmp_path: Path, text: str, *args: str) -> Path:
    path = tmp_path / "quiz.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["exam", str(path), "-o", str(tmp_path / "out"), "-q", *args]) == 0
    return tmp_path / "out" / "quiz"


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_question_pdf_has_a_header_points_instructions_answer_space_and_the_variant_alone(tmp_path, tex):
    assert main(["exam", str(TEMPLATE), "-o", str(tmp_path), "-q", "-n", "2", "--format", "tex,pdf"]) == 0
    folder = tmp_path / "exam"
    pages = pdftext(folder / "questions.pdf").split("\f")
    first = pages[0]
    for shown in ("Optimizers: quiz · Variant 1", "Course: Deep Learning (CS 4xx)", "Date: 15 December 2026",
                  "Duration: 45 minutes", "Total: 10 points", "Name:", "Student ID:", "Class:", "Instructions",
                  "Exercise 1: Gradient Descent (4 points)", "After each epoch, write the values of w1 , w2 clearly"):
        assert shown in re.sub(r"[ \t]+", " ", first), shown
    assert "Exercise 2: Adam (6 points)" in " ".join(pages)
    # every page's footer: the variant's code and the page number, nothing of how it was made
    variant_pages = [p for p in pages if p.strip()]
    assert all(re.search(r"Variant [12]\s+\d+\s*$", p.rstrip()) for p in variant_pages), [p[-80:] for p in variant_pages]
    assert "seed" not in " ".join(pages) and "symopt" not in " ".join(pages)
    # the answer space: per epoch one ruled line for its heading and one for each line of its answer
    source = (folder / "variant-001-question.tex").read_text(encoding="utf-8")
    pairs = exam.generate(exam.load(TEMPLATE), 1)
    needed = sum(len(e.lines) + 1 for w in pairs[0][1].exercises for e in w.epochs)
    assert source.count("\\rule{\\linewidth}{0.2pt}") == needed == 2 * 5 + 2 * 13
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(folder / "questions.pdf"), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5000  # drawn (looked at: header box, ruled lines)


VI = """
title = "Kiểm tra"
lang = "vi"
function = "{a}*w1**2"
[exam]
seed = 3
course = "Học sâu"
fields = ["name", "class"]
answer = "boxed"
points = 2.5
ask = ["dw", "w"]
instructions = "Không dùng máy tính. Ghi $\\\\alpha$ trước mỗi bài."
[draw]
a = { choice = [0.5, 1.5] }
[[exercise]]
optimizer = "momentum"
hyper = { alpha = 0.1, beta = 0.5 }
start = { w1 = 2 }
epochs = 3
"""


def test_a_vietnamese_paper_with_its_own_fields_points_answer_boxes_and_asked_quantities(tmp_path, tex):
    folder = write(tmp_path, VI, "--format", "md,tex,pdf")
    md = (folder / "variant-001-question.md").read_text(encoding="utf-8")
    assert "Học phần: Học sâu · **Tổng: 2.5 điểm**" in md
    assert "| Họ và tên | Lớp |" in md and "Mã số sinh viên" not in md
    assert "**Hướng dẫn**" in md and "- Không dùng máy tính. Ghi $\\alpha$ trước mỗi bài." in md
    assert "- Sau mỗi epoch, ghi rõ giá trị của $dw_1$, $w_1$: đó là các đáp số được hỏi. Mọi dòng em viết đều được chấm điểm." in md
    assert "## Bài 1: Gradient Descent + Momentum (2.5 điểm)" in md or "(2.5 điểm)" in md
    assert md.rstrip().endswith("---\n\nĐề số 1")
    tex_source = (folder / "variant-001-question.tex").read_text(encoding="utf-8")
    assert tex_source.count("\\framebox[\\linewidth]") == 3  # one box per epoch
    assert "\\rule{\\linewidth}{0.2pt}" not in tex_source
    text = pdftext(folder / "questions.pdf")
    assert "Họ và tên:" in text and "Tổng: 2.5 điểm" in text and "Đề số 1" in text
    # the key and the quiz follow `ask`: dw and w, every epoch
    rows = (folder / "key.csv").read_text(encoding="utf-8").splitlines()
    assert {r.split(",")[4] for r in rows[1:]} == {"dw", "w"} and len(rows) - 1 == 3 * 2
    root = ET.parse(folder / "moodle.xml").getroot()
    (question,) = root.findall("question[@type='cloze']")
    _, blanks = cloze.read(question.find("questiontext/text").text)
    assert len(blanks) == 6


@pytest.mark.parametrize("table, message", [
    ('points = [1, 2, 3]', "exam.points: lists 3 points for 2 exercises"),
    ('points = 0', "exam.points: points must be more than 0"),
    ('points = "10"', "exam.points: must be a number (each exercise's points) or a list of numbers, one per exercise, not text"),
    ('marks = { w = "2" }', "exam.marks: must be a table of numbers by quantity"),
    ('date = 2027-03-03', 'exam.date: must be a text in quotes, such as date = "…" (TOML reads a date or a time here)'),
    ('answer = "dotted"', "exam.answer: must be one of ruled, boxed, got 'dotted'"),
    ('fields = ["name", "age"]', "exam.fields: must be a list of distinct fields among name, student_id, class"),
    ('ask = []', "exam.ask: must be a list of distinct quantities"),
    ('course = ""', "exam.course: must be a non-empty string"),
    ('colour = "red"', "exam: unknown key 'colour'"),
])
def test_a_wrong_paper_key_is_one_line(table, message):
    key = table.split(" = ")[0]
    text = "\n".join(line for line in TEMPLATE.read_text(encoding="utf-8").splitlines() if not line.startswith(f"{key} = "))
    text = text.replace("[exam]\n", f"[exam]\n{table}\n")
    with pytest.raises(SymoptError, match=re.escape(message)):
        exam.template(tomllib.loads(text))


def test_an_asked_quantity_no_exercise_has_is_one_line(tmp_path, capsys):
    path = tmp_path / "quiz.toml"
    path.write_text(TEMPLATE.read_text(encoding="utf-8").replace('ask = ["w"]', 'ask = ["w", "m"]'), encoding="utf-8")
    assert main(["exam", str(path), "-o", str(tmp_path / "out"), "-q", "-n", "1", "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exam.ask: 'm' is no quantity of these exercises; they have dw, s, s_hat, v, v_hat, w" in err
    assert not (tmp_path / "out").exists()


def test_the_quiz_gives_partial_credit_for_the_values_of_known_mistakes_worked_by_the_engine():
    """Adam's epoch-1 w without bias correction is w - alpha*v/sqrt(s + eps) with v = 0.1 g and
    s = 0.001 g^2: about w - 3.16 alpha sign(g) (the right step is alpha sign(g)).  The quiz's
    50 % answer is that value, as the engine works it by hand; momentum without 1 - beta likewise."""
    t = exam.load(TEMPLATE)
    pairs = exam.generate(t, 3)
    rows = papers.key_rows(pairs, t.paper.ask)
    root = ET.fromstring(papers.moodle_xml(t, pairs, rows))
    for (variant, _), question in zip(pairs, root.findall("question[@type='cloze']"), strict=True):
        _, blanks = cloze.read(question.find("questiontext/text").text)
        mine = [r for r in rows if r["variant"] == variant.number]
        assert len(blanks) == len(mine)
        # the mistake worked independently: Adam's rules without the correction, as a spec's own optimizer
        spec = dict(variant.spec)
        spec["optimizers"] = {"plain": {"name": "Adam", "state": {"v": 0, "s": 0}, "rules": [
            "v = beta1*v + (1 - beta1)*g", "s = beta2*s + (1 - beta2)*g^2", "w = w - alpha*v/sqrt(s + epsilon)"]}}
        spec["exercise"] = [spec["exercise"][0], {**spec["exercise"][1], "optimizer": "plain"}]
        wrong = solve(from_dict(spec)).exercises[1]
        for blank, row in zip(blanks, mine, strict=True):
            right, *partial = blank.answers
            assert (right.fraction, right.answer, right.tolerance) == (1, row["value"], row["tolerance"])
            if row["exercise"] == 2:
                (line,) = [ln for e in wrong.epochs if e.number == row["epoch"] for ln in e.lines
                           if ln.variable == row["variable"] and ln.quantity == "w"]
                assert [(a.fraction, a.answer, a.feedback) for a in partial] == [
                    (Fraction(1, 2), line.shown.plain, "the bias correction is missing")]
            else:
                assert partial == []  # GD has no convention to mistake
    # momentum without 1 - beta: heavy-ball steps, and the feedback in the sheet's language
    t = exam.template(tomllib.loads(VI))
    pairs = exam.generate(t, 1)
    (question,) = ET.fromstring(papers.moodle_xml(t, pairs, papers.key_rows(pairs, t.paper.ask))).findall("question[@type='cloze']")
    _, blanks = cloze.read(question.find("questiontext/text").text)
    heavy = dict(pairs[0][0].spec)
    heavy["exercise"] = [{**heavy["exercise"][0], "options": {"style": "heavy_ball"}}]
    lines = [ln for e in solve(from_dict(heavy)).exercises[0].epochs for ln in e.lines]
    for blank, line in zip(blanks, [ln for ln in lines if ln.quantity in ("dw", "w")], strict=True):
        partial = [(a.answer, a.feedback) for a in blank.answers[1:]]
        assert partial in ([], [(line.shown.plain, "gradient mới có trọng số 1 − β")])
    assert any(len(b.answers) == 2 for b in blanks)


def test_the_stress_test_of_the_example_prints_its_table_and_flags_nothing(capsys):
    assert main(["exam", str(TEMPLATE), "--stress", "60", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Stress test of {TEMPLATE}: 60 variants (seed 2026), ")
    assert re.search(r"^Redrawn: \d+ of 60 variants \(\d+\.\d %\)(: close_to_exact: \d+ draws)?$", out, re.M)
    t = exam.load(TEMPLATE)
    pairs = exam.generate(replace(t, distinct=False), 60)
    drawn = sorted({v.values["w1"] for v, _ in pairs})
    assert re.search(rf"^  w1 +{drawn[0]} … {drawn[-1]} +{len(drawn)} values  [▁-█ ]+$", out, re.M), out
    answers = [line for line in out.splitlines() if line.startswith("  exercise ")]
    assert len(answers) == 2 * 2 * 2  # two exercises, two epochs, w_1 and w_2: the asked lines
    assert out.rstrip().endswith("Degenerate variants: 0 of 60")


DEGENERATE = """
function = "{a}*w1**2 + w2**2"
[exam]
seed = 4
[draw]
a = { choice = [0, 1] }
[require]
close_to_exact = false
[[exercise]]
optimizer = "gd"
hyper = { alpha = 0.1 }
start = { w1 = 2, w2 = 1 }
[[exercise]]
optimizer = "adam"
hyper = { alpha = 0.5, beta1 = 0.9, beta2 = 0.1, epsilon = 1e-8 }
start = { w1 = 2, w2 = 1 }
epochs = 4
numbers = "hand:4"
"""


def test_the_stress_test_flags_a_template_whose_variants_are_degenerate(tmp_path, capsys):
    """a = 0 leaves w1 where it starts; Adam with beta2 = 0.1 forgets its second moment and steps
    past 1.1 alpha = 0.55 in epoch 2 (its first step is alpha itself): w_1 by 0.5595 when a = 1,
    w_2 by 0.6532 when a = 0 (w_1 stands still)."""
    path = tmp_path / "degenerate.toml"
    path.write_text(DEGENERATE, encoding="utf-8")
    assert main(["exam", str(path), "--stress", "20", "-q"]) == 1
    out = capsys.readouterr().out
    t = exam.load(path)
    zero = [v.number for v, _ in exam.generate(t, 20) if v.values["a"] == 0]
    assert zero and f"  variant {zero[0]}, exercise 1: w_1 after epoch 1 equals its start, 2" in out
    assert f"  variant {zero[0]}, exercise 2: w_1 after epoch 1 equals its start, 2" in out
    assert f"  variant {zero[0]}, exercise 2: the step of w_2 in epoch 2 is 0.6532, more than 1.1 alpha = 0.55" in out
    assert "exercise 2: the step of w_1 in epoch 2 is 0.5595, more than 1.1 alpha = 0.55" in out
    assert re.search(r"^Degenerate variants: 20 of 20:$", out, re.M)
    assert not (tmp_path / "output").exists()  # nothing written


def test_writing_degenerate_variants_says_so_in_a_note(tmp_path, capsys):
    path = tmp_path / "degenerate.toml"
    path.write_text(DEGENERATE, encoding="utf-8")
    assert main(["exam", str(path), "-n", "4", "-o", str(tmp_path / "out"), "-q", "--format", "md"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symopt: note: 4 of 4 variants look degenerate (variant 1, exercise ")
    assert err.rstrip().endswith(f"'symopt exam {path} --stress N' lists them")


def test_the_stress_test_takes_no_variant_flags(capsys):
    assert main(["exam", str(TEMPLATE), "--stress", "5", "-n", "3"]) == 2
    assert "--stress: draws its own N variants: drop --variant and -n" in capsys.readouterr().err


def test_the_marking_scheme_spreads_points_over_epochs_and_lines_and_can_weigh_quantities(tmp_path):
    folder = tmp_path / "exam"
    assert main(["exam", str(TEMPLATE), "-o", str(tmp_path), "-q", "-n", "1", "--format", "md"]) == 0
    md = (folder / "marking.md").read_text(encoding="utf-8")
    assert "Error carried forward: each line is judged from the student's own earlier values" in md
    assert "## Exercise 1: Gradient Descent (4 points)" in md and "| 1 | $w_1$ | 0.5 |" in md  # 4 points / 2 epochs / 4 lines
    assert "## Exercise 2: Adam (6 points)" in md and "| 2 | $w_2$ | 0.25 |" in md  # 6 / 2 / 12
    t = exam.template(tomllib.loads(TEMPLATE.read_text(encoding="utf-8").replace("points = [4, 6]", "points = [4, 5]")))
    from symopt.exam.marking import scheme_markdown

    assert "| 1 | $w_1$ | 5/24 ≈ 0.21 |" in scheme_markdown(t.paper, exam.generate(t, 1)[0][1], "en")  # 5 / 2 / 12, exactly
    from symopt.exam.marking import scheme

    t = exam.template(tomllib.loads(TEMPLATE.read_text(encoding="utf-8").replace('answer = "ruled"', 'answer = "ruled"\nmarks = { w = 3, dw = 0 }')))
    pairs = exam.generate(t, 1)
    marks = scheme(t.paper, pairs[0][1])
    first = [m for m in marks if m.exercise == 1 and m.epoch == 1]
    assert [(m.quantity, m.worth) for m in first] == [("dw", 0), ("dw", 0), ("w", 1), ("w", 1)]  # 2 points an epoch, on w alone
    assert sum(m.worth for m in marks) == 10


def test_check_scores_a_students_work_by_the_scheme_one_slip_costing_its_own_line(tmp_path, capsys):
    assert main(["exam", str(TEMPLATE), "-o", str(tmp_path), "-q", "-n", "2", "--format", "md"]) == 0
    right = (tmp_path / "exam" / "variant-002-solution.md").read_text(encoding="utf-8")
    capsys.readouterr()
    work = tmp_path / "work.md"
    work.write_text(right, encoding="utf-8")
    assert main(["check", str(work), "--exam", str(TEMPLATE), "--variant", "2"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("Score by the marking scheme: 10 / 10 (Exercise 1: 4 / 4; Exercise 2: 6 / 6)")
    # an arithmetic error in epoch 1's w_2 (-2 - 0.2 * (-8) is -0.4): that line's 0.5 is lost, no more
    wrong = right.replace("$$w_2 = -2 - 0.2 \\cdot (-8) = -0.4$$", "$$w_2 = -2 - 0.2 \\cdot (-8) = 1.6$$", 1)
    assert wrong != right
    work.write_text(wrong, encoding="utf-8")
    assert main(["check", str(work), "--exam", str(TEMPLATE), "--variant", "2", "--format", "json"]) == 1
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["score"]["total"] == 10 and data["score"]["exercises"][1] == {"points": 6, "total": 6}
    lost = 10 - data["score"]["points"]
    # epoch 2 goes on from the right -0.4, which the checker accepts beside the written 1.6
    assert lost == 0.5 and data["score"]["exercises"][0]["points"] == 3.5
    # the class gradebook follows the scheme too
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.md").write_text(right, encoding="utf-8")
    (tmp_path / "class" / "b.md").write_text(wrong, encoding="utf-8")
    main(["check", str(tmp_path / "class"), "--exam", str(TEMPLATE), "--variant", "2", "-o", str(tmp_path / "graded"), "-q"])
    import csv

    a, b = csv.DictReader((tmp_path / "graded" / "gradebook.csv").open(encoding="utf-8"))
    assert (a["points"], a["score"]) == ("10", "100.0")
    assert float(b["points"]) == 10 - lost and b["score"] == f"{(10 - lost) * 10:.1f}"


def test_a_drawn_coefficient_of_1_is_no_factor_on_the_paper(tmp_path):
    """{a}*x**2 with a = 1 printed as 1x^2 (a new user's find); a coefficient of 0 stays, so the
    sheet's f keeps every variable its data line starts, and the sheet reads back clean."""
    text = 'function = "{a}*x**2 + {b}*y**2"\n[exam]\nseed = 1\n[draw]\na = { choice = [1] }\nb = { choice = [0] }\n' \
           '[require]\nclose_to_exact = false\n[[exercise]]\noptimizer = "gd"\nhyper = { alpha = 0.1 }\nstart = { x = 1, y = 2 }\n'
    folder = write(tmp_path, text, "--format", "md")
    paper = (folder / "variant-001-question.md").read_text(encoding="utf-8")
    assert "$$f(x, y) = x^2 + 0y^2$$" in paper
    import symopt

    assert symopt.check((folder / "variant-001-solution.md").read_text(encoding="utf-8")).summary["errors"] == 0
