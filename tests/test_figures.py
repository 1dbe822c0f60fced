"""Figures: the path drawn is the computed one, files exist and are valid, LaTeX with figures
compiles, three variables give a loss curve only, reruns give the same bytes, and a missing
matplotlib is one line."""

from __future__ import annotations

from pathlib import Path
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from conftest import SEED_SPEC, spec
import symopt
from symopt.cli import main


def markers_in(svg: bytes, gid: str) -> int:
    """The markers (``<use>`` elements) inside the SVG group matplotlib wrote for `gid`."""
    root = ET.fromstring(svg)
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        if group.get("id") == gid:
            return sum(1 for e in group.iter() if e.tag.endswith("use"))
    return -1


def test_the_plotted_path_is_the_trace():
    solution = symopt.solve(SEED_SPEC, epochs=5)
    figures = solution.figures(("svg",))
    assert len(figures) == len(solution.exercises) + 1  # one per exercise, and the comparison
    for worked, figure in zip(solution.exercises, figures[:-1], strict=True):
        ex = worked.exercise
        expected = [tuple(float(ex.start[v]) for v in ex.variables)]
        expected += [tuple(float(e.params[v]) for v in ex.variables) for e in worked.epochs]
        assert list(figure.points) == expected
        assert markers_in(figure.images["svg"], "path") == 5 + 1  # the start and one per epoch
        assert markers_in(figure.images["svg"], "loss") == 5 + 1


def test_markdown_figures_exist_and_are_valid(tmp_path, capsys):
    for fmt in ("png", "svg"):
        out = tmp_path / fmt
        assert main(["render", str(SEED_SPEC), "-o", str(out), "--format", "md", "--figures", fmt, "--compare-epochs", "20"]) == 0
        md = (out / "seed.md").read_text(encoding="utf-8")
        links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
        assert len(links) == 5  # four exercises and the comparison
        for link in links:
            data = (out / link).read_bytes()
            if fmt == "png":
                assert data.startswith(b"\x89PNG\r\n\x1a\n")
            else:
                ET.fromstring(data)
    capsys.readouterr()


def test_compare_figure_has_every_optimizer(tmp_path):
    solution = symopt.solve(SEED_SPEC)
    compare = solution.figures(("svg",), compare_epochs=20)[-1]
    assert compare.name == "compare" and len(compare.points) == 4 * 21
    text = compare.images["svg"].decode("utf-8")
    for title in ("Gradient Descent", "Momentum", "RMSProp", "Adam"):
        assert title in text or title.replace(" ", "") in text


def test_latex_with_figures_compiles(tmp_path, tex, capsys):
    out = tmp_path / "out"
    assert main(["render", str(SEED_SPEC), "-o", str(out), "--format", "tex,pdf", "--figures", "pdf"]) == 0
    assert (out / "seed-figures" / "ex4-path.pdf").read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(out / "seed.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "Bài 4 Adam" in text and "epoch" in text  # the loss plot's axis label, drawn into the PDF
    capsys.readouterr()


def test_three_variables_give_a_loss_curve_only():
    s = spec("gd", {"alpha": 0.1}, function="w1**2 + w2**2 + w3**2", start={"w1": 1, "w2": 2, "w3": 3}, epochs=4)
    (figure,) = symopt.solve(s).figures(("svg",))
    svg = figure.images["svg"]
    assert markers_in(svg, "contours") == -1 and markers_in(svg, "path") == -1
    assert markers_in(svg, "loss") == 5
    assert b'id="no-contour-note"' in svg  # the title saying "3 variables: no contour"


def test_one_variable_gives_the_curve_with_the_points():
    s = spec("momentum", {"alpha": 0.1, "beta": 0.5}, function="w1**4 - 3*w1", start={"w1": 2}, epochs=3)
    (figure,) = symopt.solve(s).figures(("svg",))
    assert markers_in(figure.images["svg"], "path") == 4 and len(figure.points[0]) == 1


def test_figures_are_deterministic():
    a = symopt.solve(SEED_SPEC).figures(("svg", "pdf", "png"))
    b = symopt.solve(SEED_SPEC).figures(("svg", "pdf", "png"))
    assert [f.images for f in a] == [f.images for f in b]


def test_missing_matplotlib_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails, as when it is absent
    assert main(["render", str(SEED_SPEC), "-o", str(tmp_path), "--format", "md", "--figures", "svg"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'symopt[plot]'" in err and err.count("\n") == 1
    assert not any(Path(tmp_path).iterdir())


def test_spec_key_and_bad_values(tmp_path, capsys):
    text = SEED_SPEC.read_text(encoding="utf-8").replace('lang = "vi"', 'lang = "vi"\nfigures = "svg"')
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["render", str(path), "-o", str(tmp_path / "o"), "--format", "md"]) == 0
    assert (tmp_path / "o" / "s-figures" / "ex1-path.svg").exists()
    path.write_text(text.replace('figures = "svg"', 'figures = "gif"'), encoding="utf-8")
    assert main(["render", str(path), "-o", str(tmp_path / "p"), "--format", "md"]) == 2
    assert "figures: must be one of none, png, svg, pdf" in capsys.readouterr().err
    assert main(["render", str(SEED_SPEC), "-o", str(tmp_path / "q"), "--compare-epochs", "5", "--format", "md"]) == 2
