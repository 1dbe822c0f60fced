"""symopt check in class mode: a small class made from symopt's own sheets, graded through the CLI.

The class: a clean Markdown sheet, the same sheet as LaTeX, one with one number changed (an
arithmetic slip), one whose slip is carried into the later lines (error carried forward: one
error), one with a rounding slip (half a point), one with no epoch, one of prose and one not UTF-8.
The gradebook's rows are pinned value for value, and so are the annotated copies, the summary
line and the exit codes; one file still gives the report it always gave.
"""

from __future__ import annotations

import csv
from fractions import Fraction
import io
import subprocess
import sys

import pytest

from conftest import ROOT, SEED_DOC, seed_doc
import symopt
from symopt.check import gradebook
from symopt.cli import main

SPEC = """\
function = "0.1*w1**2 + 2*w2**2"

[[exercise]]
optimizer = "gd"
hyper = { alpha = 0.4 }
start = { w1 = -5, w2 = -2 }

[[exercise]]
optimizer = "adam"
hyper = { alpha = 0.2, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-6 }
start = { w1 = -5, w2 = -2 }
numbers = "hand:4"
"""
SLIP = ("$$v_1 = 0.9 \\cdot (-0.1) + 0.1 \\cdot (-0.96) = -0.186$$", "$$v_1 = 0.9 \\cdot (-0.1) + 0.1 \\cdot (-0.96) = -0.196$$")
ROUNDING = ("\\sqrt{0.9605 + 10^{-6}}} = -4.6002$$", "\\sqrt{0.9605 + 10^{-6}}} = -4.6003$$")  # -4.600235 exactly
CARRIED = [  # dw_1 of GD's epoch 1 is wrong, and every later w_1 line goes on from it, rightly
    ("$$dw_1 = 0.2 \\cdot (-5) = -1$$\n\n$$dw_2 = 4 \\cdot (-2) = -8$$\n\n$$w_1 = -5 - 0.4 \\cdot (-1) = -4.6$$",
     "$$dw_1 = 0.2 \\cdot (-5) = -2$$\n\n$$dw_2 = 4 \\cdot (-2) = -8$$\n\n$$w_1 = -5 - 0.4 \\cdot (-2) = -4.2$$"),
    ("$$dw_1 = 0.2 \\cdot (-4.6) = -0.92$$", "$$dw_1 = 0.2 \\cdot (-4.2) = -0.84$$"),
    ("$$w_1 = -4.6 - 0.4 \\cdot (-0.92) = -4.232$$", "$$w_1 = -4.2 - 0.4 \\cdot (-0.84) = -3.864$$"),
]
HEADER = ["file", "exercises", "lines", "ok", "errors", "warnings", "points", "score", "status", "reason"]
NO_EXERCISES = "no exercises found: start each with a heading such as 'Bài 1 Adam' or '## Exercise 1: Adam'"


@pytest.fixture(scope="module")
def sheets():
    solution = symopt.solve(symopt.loads(SPEC))
    return solution.to_markdown(), solution.to_latex()


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1
    return text.replace(old, new)


def carried(text: str) -> str:
    for old, new in CARRIED:
        text = changed(text, old, new)
    return text


def line_of(text: str, line: str) -> int:
    return text.split("\n").index(line) + 1


@pytest.fixture
def klass(tmp_path, sheets):
    md, tex = sheets
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "anna.md").write_text(md, encoding="utf-8")
    (folder / "binh.md").write_text(changed(md, *SLIP), encoding="utf-8")
    (folder / "chi.tex").write_text(tex, encoding="utf-8")
    (folder / "dung.md").write_text("Just my notes, I did not finish.\n", encoding="utf-8")
    (folder / "em.md").write_text(carried(md), encoding="utf-8")
    (folder / "fan.md").write_text(changed(md, *ROUNDING), encoding="utf-8")
    (folder / "giang.md").write_bytes(b"\xff\xfe\x00junk")
    (folder / "hoa.md").write_text(md[: md.index("Epoch 1:")], encoding="utf-8")  # the first exercise, no epoch
    (folder / "notes.txt").write_text("not a submission", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "later.md").write_text(md, encoding="utf-8")  # not read: a folder is not recursive
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    return folder


def rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_a_class_folder_gives_the_gradebook_row_by_row(klass, tmp_path, capsys):
    out = tmp_path / "graded"
    assert main(["check", str(klass), "--spec", str(tmp_path / "spec.toml"), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == (f"graded 8 submissions: 3 without errors, 2 with errors, 1 with no line to score, "
                            f"2 unreadable; gradebook: {out / 'gradebook.csv'}\n")
    assert captured.err == ""  # no progress bar when stderr is not a terminal
    slip_line = line_of(changed(klass.joinpath("anna.md").read_text(encoding="utf-8"), *SLIP), SLIP[1])
    f = lambda name: str(klass / name)
    # GD 2 epochs x 4 lines + Adam 2 epochs x 12 lines = 32 epoch lines; the formula and derivative
    # lines (10 more in the check's own count) are not scored
    assert rows(out / "gradebook.csv") == [
        HEADER,
        [f("anna.md"), "2", "36", "36", "0", "0", "36", "100.0", "ok", ""],
        [f("binh.md"), "2", "36", "35", "1", "0", "35", "97.2", "errors", f"line {slip_line} arithmetic: v_1 = -0.196, expected ≈ -0.186"],
        [f("chi.tex"), "2", "36", "36", "0", "0", "36", "100.0", "ok", ""],
        [f("dung.md"), "", "", "", "", "", "", "", "unreadable", NO_EXERCISES],
        [f("em.md"), "2", "36", "35", "1", "0", "35", "97.2", "errors", "line 19 arithmetic: dw_1 = -2, expected ≈ -1"],
        [f("fan.md"), "2", "36", "35", "0", "1", "35.5", "98.6", "ok", ""],
        [f("giang.md"), "", "", "", "", "", "", "", "unreadable", "is not UTF-8 text"],
        [f("hoa.md"), "1", "0", "0", "0", "0", "0", "", "no lines", "no epoch line to score"],
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "anna.checked.md", "binh.checked.md", "chi.checked.md", "em.checked.md", "fan.checked.md", "gradebook.csv",
        "hoa.checked.md"]
    fan = (out / "fan.checked.md").read_text(encoding="utf-8").split("\n")
    i = next(k for k, line in enumerate(fan) if line.endswith(ROUNDING[1]))
    assert fan[i + 2].startswith("> ⚠ **rounding** · $w_1$ · written $-4.6003$ · expected $\\approx -4.6002$")


def test_the_changed_sheet_has_one_error_and_its_copy_the_note_on_its_line(klass, tmp_path, capsys):
    out = tmp_path / "graded"
    assert main(["check", str(klass / "anna.md"), str(klass / "binh.md"), "-o", str(out)]) == 1
    assert capsys.readouterr().out.startswith("graded 2 submissions: 1 without errors, 1 with errors, 0 unreadable;")
    report = symopt.check(klass / "binh.md")
    assert [(e.kind, e.written, e.expected) for e in report.errors] == [("arithmetic", "-0.196", "-0.186")]
    assert report.to_markdown() == (out / "binh.checked.md").read_text(encoding="utf-8")
    copy = (out / "binh.checked.md").read_text(encoding="utf-8").split("\n")
    assert copy[0] == "> **symopt check**: 1 error, 0 warnings in 42 lines checked"
    i = copy.index(SLIP[1])
    assert copy[i + 1] == "" and copy[i + 2].startswith(
        "> ✗ **arithmetic** · $v_1$ · written $-0.196$ · expected $\\approx -0.186$")
    assert sum(line.startswith("> ✗") for line in copy) == 1
    # the clean one's copy is the sheet with the check's headline above it
    anna = (out / "anna.checked.md").read_text(encoding="utf-8")
    assert anna == "> **symopt check**: 0 errors, 0 warnings in 42 lines checked\n\n" + klass.joinpath("anna.md").read_text(encoding="utf-8")


def test_the_tex_copy_is_markdown_of_the_latex(klass, tmp_path, capsys):
    out = tmp_path / "graded"
    assert main(["check", str(klass / "chi.tex"), str(klass / "anna.md"), "-o", str(out), "-q"]) == 0
    assert capsys.readouterr().out.startswith("graded 2 submissions: 2 without errors, 0 with errors, 0 unreadable;")
    copy = (out / "chi.checked.md").read_text(encoding="utf-8")
    tex = (klass / "chi.tex").read_text(encoding="utf-8")
    assert copy == "> **symopt check**: 0 errors, 0 warnings in 42 lines checked\n\n" + tex.rstrip("\n") + "\n"


def test_a_slip_carried_forward_costs_one_line(klass, tmp_path, capsys):
    out = tmp_path / "graded"
    assert main(["check", str(klass / "em.md"), str(klass / "anna.md"), "-o", str(out)]) == 1
    assert rows(out / "gradebook.csv")[1][2:8] == ["36", "35", "1", "0", "35", "97.2"]
    copy = (out / "em.checked.md").read_text(encoding="utf-8").split("\n")
    notes = [k for k, line in enumerate(copy) if line.startswith("> ✗") or line.startswith("> ⚠")]
    assert len(notes) == 1 and copy[notes[0] - 2] == "$$dw_1 = 0.2 \\cdot (-5) = -2$$"
    assert copy[notes[0] - 2] == (klass / "em.md").read_text(encoding="utf-8").split("\n")[18]  # its line 19


def test_through_a_fresh_interpreter_and_the_process_pool(klass, tmp_path):
    done = subprocess.run([sys.executable, "-m", "symopt", "check", "anna.md", "binh.md", "chi.tex", "dung.md"],
                          cwd=klass, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout == "graded 4 submissions: 2 without errors, 1 with errors, 1 unreadable; gradebook: graded/gradebook.csv\n"
    table = rows(klass / "graded" / "gradebook.csv")
    assert [r[0] for r in table] == ["file", "anna.md", "binh.md", "chi.tex", "dung.md"]
    assert [r[7] for r in table[1:]] == ["100.0", "97.2", "100.0", ""]


def test_copies_in_the_class_folder_are_not_graded_again(klass, capsys):
    for _ in range(2):  # the second run sees the first one's *.checked.md beside the work and skips them
        assert main(["check", str(klass), "-o", str(klass), "-q"]) == 1
        assert "graded 8 submissions" in capsys.readouterr().out
    assert len(rows(klass / "gradebook.csv")) == 9


def test_a_spec_that_does_not_match_is_a_row(klass, tmp_path, capsys):
    one = tmp_path / "one.toml"
    one.write_text(SPEC[: SPEC.index("[[exercise]]\noptimizer = \"adam\"")], encoding="utf-8")
    assert main(["check", str(klass / "anna.md"), str(klass / "hoa.md"), "--spec", str(one), "-o", str(tmp_path / "g")]) == 1
    table = rows(tmp_path / "g" / "gradebook.csv")
    assert table[1][-2:] == ["unreadable", f"the document has 2 exercises but {one} has 1; give a spec with one exercise per exercise of the document"]
    assert table[2][-2:] == ["no lines", "no epoch line to score"]  # hoa's one exercise matches


def test_seed_sheet_in_a_class(tmp_path, capsys):
    seed_doc()
    assert main(["check", str(SEED_DOC), str(ROOT / "output" / "seed.md"), "-o", str(tmp_path)]) == 1
    table = rows(tmp_path / "gradebook.csv")
    # 56 epoch lines and 4 derivative lines (exercises 1 and 2 state them); w_2 of Adam's epoch 2 is
    # the error, and two lines carry a notation warning (v_{coord1}, the ε convention), which costs nothing
    assert table[1] == [str(SEED_DOC), "4", "60", "57", "1", "2", "59", "98.3", "errors", "line 177 arithmetic: w_2 = -0.6, expected ≈ -1.6008"]
    assert table[2][2:9] == ["64", "64", "0", "0", "64", "100.0", "ok"]
    copy = (tmp_path / "seed-worked-solutions.checked.md").read_text(encoding="utf-8").split("\n")
    i = next(k for k, line in enumerate(copy) if line.startswith("$$w_2 = -1.8 - 0.2"))
    assert copy[i + 2].startswith("> ✗ **arithmetic** · $w_2$ · written $-0.6$")
    assert (tmp_path / "seed.checked.md").exists()


@pytest.mark.parametrize("args,message", [
    (["nosuch.md", "{class}/anna.md"], "nosuch.md: no such file or folder"),
    (["{class}", "--spec", "nosuch.toml"], "nosuch.toml: no such file"),
    (["{class}/sub", "{class}/anna.md", "-o", "{class}/anna.md"], "exists and is not a folder"),
    (["{class}", "--format", "json"], "--format: goes with one WORK file"),
    (["{class}", "--verbose"], "--verbose: goes with one WORK file"),
    (["{empty}"], "no .md or .tex file to grade"),
    (["{class}", "--slack", "-1"], "--slack: must be 0 or more"),
    (["{class}", "--spec", "{class}/anna.md"], "anna.md"),  # not a spec: said once, not once per file
])
def test_bad_arguments_exit_2_and_write_nothing(args, message, klass, tmp_path, capsys, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    argv = ["check", *(a.format(**{"class": klass, "empty": tmp_path / "empty"}) for a in args)]
    before = sorted(p for p in tmp_path.rglob("*"))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_one_file_is_the_report_as_before(klass, tmp_path, capsys):
    binh = klass / "binh.md"
    assert main(["check", str(binh)]) == 1
    assert capsys.readouterr().out == symopt.check(binh).to_text()
    assert main(["check", str(klass / "anna.md"), "--format", "json"]) == 0
    assert capsys.readouterr().out == symopt.check(klass / "anna.md").to_json()
    out = tmp_path / "marked.md"
    assert main(["check", str(binh), "--format", "md", "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"{binh}: 1 error, 0 warnings in 42 lines checked (41 ok)\n"
    assert out.read_text(encoding="utf-8") == symopt.check(binh).to_markdown()
    assert main(["check", str(klass / "dung.md")]) == 2  # one bad file is still a bad input
    assert f"{klass / 'dung.md'}: {NO_EXERCISES}" in capsys.readouterr().err
    assert not (tmp_path / "graded").exists() and not (klass / "graded").exists()


# -- the pieces ------------------------------------------------------------------------------------

@pytest.mark.parametrize("points,lines,shown", [
    (Fraction(1), 8, "12.5"), (Fraction(1), 3, "33.3"), (Fraction(2), 3, "66.7"), (Fraction(1, 2), 16, "3.1"),
    (Fraction(1), 1600, "0.1"), (Fraction(1), 2001, "0.0"), (Fraction(0), 5, "0.0"), (Fraction(5), 5, "100.0"),
    (Fraction(0), 0, ""),
])
def test_score_is_a_percentage_with_one_decimal_half_up(points, lines, shown):
    assert gradebook.Graded("x.md", "ok", lines=lines, points=points).score == shown


def test_copy_names_keep_apart_files_that_share_a_stem():
    assert gradebook.copy_names(["a.md", "a.tex", "b.md", "x/a.md", "y/b.tex"]) == {
        "a.md": "a.md.checked.md", "a.tex": "a.tex.checked.md", "b.md": "b.md.checked.md",
        "x/a.md": "a.md-2.checked.md", "y/b.tex": "b.tex.checked.md"}


def test_a_worker_failure_is_a_row(monkeypatch, klass):
    def broken(path, spec=None, slack=0):
        raise ValueError("boom")

    monkeypatch.setattr(symopt, "check", broken)  # grade_one in this process
    graded = gradebook.grade_one(klass / "anna.md")
    assert (graded.status, graded.reason) == ("unreadable", "symopt failed on this file (ValueError: boom); please report it")


def test_the_score_of_each_kind_of_line():
    from types import SimpleNamespace

    from symopt.check.findings import Finding

    def line(n, *kinds, epoch=1):
        return [Finding(n, kind, "", exercise=1, epoch=epoch) for kind in kinds]

    findings = [
        *line(3, "ok", epoch=None), *line(4, "substitution", epoch=None),  # a formula, a derivative: not scored
        Finding(5, "unreadable", "$$ is never closed"),  # the document's, not an epoch's
        *line(10, "ok"), *line(11, "ok"),
        *line(12, "arithmetic"), *line(13, "substitution"),  # errors: 0
        *line(14, "rounding"),  # 1/2
        *line(15, "notation", "ok"),  # a notation warning costs nothing, but the line is not "ok"
        *line(16, "notation", "rounding"),
        *line(17, "notation"),  # a name symopt does not know: not judged, not scored
        *line(18, "unreadable"),  # an epoch line that cannot be read: 0
    ]
    assert gradebook.score(SimpleNamespace(findings=findings)) == (8, 2, Fraction(4))
    assert gradebook.Graded("x.md", "errors", lines=8, points=Fraction(4)).score == "50.0"
    assert gradebook.Graded("x.md", "ok", lines=3, points=Fraction(5, 2)).row() == [
        "x.md", "", "3", "", "", "", "2.5", "83.3", "ok", ""]
