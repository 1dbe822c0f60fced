"""Real TeX: the seed sheet compiles to a PDF whose text is right, and hostile titles print literally.

These tests run latexmk/pdflatex for real (shell escape off).  They skip when TeX is missing,
and fail instead when SYMOPT_REQUIRE_TEX=1, as the README's test command sets.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
import subprocess

from markdown_it import MarkdownIt
import pytest

from conftest import spec
import symopt
from symopt.cli import main

HOSTILE = r"Weird #$%&~_^\{} \input{/etc/passwd} \write18{touch pwned} ^^5cinput \catcode`\@=0 *x* [a](b) <i>"


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_seed_pdf(tex, tmp_path, capsys):
    assert main(["render", "-o", str(tmp_path), "--format", "pdf"]) == 0
    text = pdf_text(tmp_path / "seed.pdf")
    assert "Bài 1 Gradient Descent" in text and "Bài 4 Adam" in text
    assert "−4.232" in text or "-4.232" in text  # a math minus may come out as U+2212
    assert "Quy ước" in text  # Vietnamese text, not only headings


def hostile_solution():
    s = spec("gd", {"alpha": 0.4}, epochs=1)
    s["title"] = HOSTILE
    return symopt.solve(s)


def test_hostile_title_prints_literally_in_markdown():
    md = hostile_solution().to_markdown()
    heading = MarkdownIt("commonmark").parse(md)[1]  # the inline content of the first heading
    assert heading.content and MarkdownIt("commonmark").renderInline(heading.content) == (
        HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )


def test_hostile_title_prints_literally_in_latex_and_pdf(tex, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    solution = hostile_solution()
    assert "\\section*{Weird \\#\\$\\%\\&\\textasciitilde{}\\_\\textasciicircum{}\\textbackslash{}\\{\\}" in solution.to_latex()
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(solution.to_pdf())
    text = " ".join(pdf_text(pdf).split())
    assert HOSTILE in text
    assert "root:" not in text  # /etc/passwd was not read
    assert not (tmp_path / "pwned").exists()


def test_latex_errors_are_one_line(tex):
    from symopt.pdf import compile_pdf

    with pytest.raises(symopt.SymoptError, match=r"LaTeX failed: .*Undefined control sequence"):
        compile_pdf("\\documentclass{article}\\begin{document}\\nosuchcommand\\end{document}")


def test_render_makes_a_pdf_by_default_when_tex_is_there(tex, tmp_path, capsys):
    assert main(["render", "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed.md", "seed.pdf", "seed.tex"]
    assert (tmp_path / "seed.pdf").read_bytes().startswith(b"%PDF-")


def test_tex_runs_confined(tex, tmp_path, monkeypatch):
    """Even raw TeX (as a user's own template could write) reads no file outside its folder and
    runs nothing: shell escape is off and openin_any/openout_any are paranoid."""
    from symopt.pdf import compile_pdf

    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "pwned"
    doc = ("\\documentclass{article}\\begin{document}x\\immediate\\write18{touch " + str(marker) + "}"
           "\\immediate\\openout5=" + str(tmp_path / "written.tex") + "\\immediate\\write5{x}\\end{document}")
    with suppress(symopt.SymoptError):  # refusing to write outside the folder is also fine
        compile_pdf(doc)
    assert not marker.exists() and not (tmp_path / "written.tex").exists()
    with pytest.raises(symopt.SymoptError):  # \input of a file outside the folder is refused
        compile_pdf("\\documentclass{article}\\begin{document}\\input{/etc/passwd}\\end{document}")


def test_tables_compile(tex, tmp_path):
    """Trajectory tables and the comparison (booktabs longtables) in a PDF, in Vietnamese, a long run
    thinned; the exam's solutions document loads the packages too (below)."""
    s = {"function": "0.1*w1**2 + 2*w2**2", "lang": "vi", "table": {"tolerance": 3, "rows": 11},
         "defaults": {"start": {"w1": -5, "w2": -2}, "epochs": 3},
         "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.4}},
                      {"optimizer": "momentum", "hyper": {"alpha": 0.1, "beta": 0.9}, "numbers": "hand:4", "epochs": 100}]}
    pdf = tmp_path / "tables.pdf"
    pdf.write_bytes(symopt.solve(s).to_pdf())
    text = pdf_text(pdf)
    assert "Quỹ đạo (epoch 0 là điểm xuất phát):" in text and "So sánh các thuật toán tối ưu" in text
    assert "Mỗi 10 epoch một dòng, và epoch cuối (100)." in text
    rows = {" ".join(line.split()).replace("−", "-") for line in text.splitlines()}
    assert "3 ≈ -3.8934 0.432 ≈ 1.8891" in rows and "1 Gradient Descent 3 2 ≈ 1.8891" in rows
    assert "Bài Thuật toán Số epoch Số epoch để đạt f cuối cùng" in rows


def test_exam_solutions_with_tables_compile(tex, tmp_path):
    from symopt.exam import papers, variants

    t = variants.template({"function": "{a}*w1**2 + 2*w2**2", "table": True, "exam": {"variants": 2},
                           "draw": {"a": {"choice": [0.1, 0.2]}}, "defaults": {"start": {"w1": -5, "w2": -2}, "epochs": 2},
                           "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.4}}]})
    files = papers.exam_files(t, variants.generate(t, 2), ["tex", "pdf"], tmp_path)
    solutions = tmp_path / "solutions.pdf"
    solutions.write_bytes(files[tmp_path / t.stem / "solutions.pdf"])
    assert pdf_text(solutions).count("Trajectory (epoch 0 is the start):") == 2
    questions = tmp_path / "questions.pdf"
    questions.write_bytes(files[tmp_path / t.stem / "questions.pdf"])
    assert "Trajectory" not in pdf_text(questions)


def test_dataset_sheets_compile(tex, tmp_path):
    """A dataset problem's sheet (its data table, the steps' lines, a trajectory table of the loss
    on the data) compiles, and its PDF holds the lines: in both languages."""
    spec = {"data": {"x": [1, 2, 3], "y": [2, 4, 5]}, "table": True,
            "exercise": [{"optimizer": "gd", "model": "linear", "hyper": {"alpha": 0.1}, "start": {"w": 0, "b": 0},
                          "batch": 2, "shuffle": {"seed": 1}, "numbers": "hand:4"}]}
    for lang, words in (("en", "Data (3 samples):"), ("vi", "Dữ liệu (3 mẫu):")):
        pdf = tmp_path / f"data-{lang}.pdf"
        pdf.write_bytes(symopt.solve(spec, lang=lang).to_pdf())
        text = pdf_text(pdf)
        assert words in text and "Epoch 1: " in text
