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


def test_dataset_figures_draw_the_loss_per_step_and_the_fitted_model():
    """A dataset problem's figure: the path on the contours of the loss on the data J, J per step,
    and for a model of one feature the data (a marker per sample) and its fitted curve, which is
    the model at the run's parameters (w x + b; σ(w x + b))."""
    import math

    import numpy as np

    from symopt.figures import feature, fitted

    data = {"x": [-2, -1, 0.5, 1, 2.5], "y": [0, 0, 1, 0, 1]}
    exercises = [{"optimizer": "gd", "model": "linear", "hyper": {"alpha": 0.05}, "start": {"w": 0, "b": 0}, "batch": 2,
                  "shuffle": {"seed": 4}, "epochs": 2, "numbers": "precision:10"},
                 {"optimizer": "adam", "model": "logistic", "hyper": {"alpha": 0.5, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                  "start": {"w": 0, "b": 0}, "epochs": 3, "numbers": "precision:10"},
                 {"optimizer": "gd", "loss": "(w*x - y)^2", "hyper": {"alpha": 0.05}, "start": {"w": 0}, "numbers": "precision:10"}]
    solution = symopt.solve({"data": data, "exercise": exercises})
    figures = solution.figures(("svg",))
    linear, logistic, own = solution.exercises
    assert len(linear.epochs) == 6 and len(logistic.epochs) == 3
    for worked, figure, steps in ((linear, figures[0], 6), (logistic, figures[1], 3)):
        svg = figure.images["svg"]
        assert markers_in(svg, "data") == 5 and markers_in(svg, "path") == steps + 1 and markers_in(svg, "loss") == steps + 1
        w, b = (float(worked.epochs[-1].values[v]) for v in ("w", "b"))
        xs = np.array([-2.0, 0.5, 3.0])
        line = [w * x + b for x in xs]
        expected = line if worked is linear else [1 / (1 + math.exp(-z)) for z in line]
        assert np.allclose(fitted(worked, (w, b), xs), expected, rtol=1e-12)
    assert feature(own) is None and markers_in(figures[2].images["svg"], "data") == -1  # a loss of its own: no model to draw
