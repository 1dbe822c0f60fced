"""Dataset problems (symopt/dataset.py): a loss over a table of samples, worked in full-batch,
stochastic and mini-batch steps, through any optimizer of the catalogue.

Each test compares values or exact strings: the sheet's lines as printed, the numbers recomputed in
Fractions, public courses' worked examples (each names its source), the checker's findings on a
student's work.  The round trip (whatever symopt writes reads back clean) is in test_roundtrip.py,
the PyTorch cross-check in test_frameworks.py, KaTeX in test_katex.py.
"""

from __future__ import annotations

from fractions import Fraction
import json
import re

import pytest

import symopt
from symopt.spec import MAX_WORK, from_dict, work

LINEAR = {"data": {"x": [1, 2, 3], "y": [2, 4, 5]},
          "exercise": [{"optimizer": "gd", "model": "linear", "hyper": {"alpha": 0.1}, "start": {"w": 0, "b": 0},
                        "epochs": 2, "numbers": "hand:4"}]}


def _spec(exercise: dict, data: dict | None = None, **top) -> dict:
    return {"data": data or LINEAR["data"], "exercise": [exercise], **top}


def _lines(solution, n: int = 0) -> list[list[str]]:
    return [[line.latex for line in e.lines] for e in solution.exercises[n].epochs]


# -- the sheet ------------------------------------------------------------------------------------------
FULL_BATCH_MD = r"""## Exercise 1: Gradient Descent

Data (3 samples):

| $i$ | $x$ | $y$ |
| ---: | ---: | ---: |
| 1 | $1$ | $2$ |
| 2 | $2$ | $4$ |
| 3 | $3$ | $5$ |

$$\hat{y}^{(i)} = w x^{(i)} + b$$

$$L^{(i)} = (\hat{y}^{(i)} - y^{(i)})^2$$

$$J(w, b) = \frac{1}{3} \sum_{i=1}^{3} L^{(i)}$$

$$\boldsymbol{\theta}_t = \boldsymbol{\theta}_{t-1} - \alpha d\boldsymbol{\theta}_t$$

In the formulas $\boldsymbol{\theta} = (w, b)$: each formula holds for each parameter.

Full batch: each step uses all 3 samples, so an epoch (one pass over the data) is one step.

Numbers: every value is rounded to 4 decimal places, but never to fewer than 3 significant figures, and the rounded value is carried into the next lines.

$$w = 0,\; b = 0,\; \alpha = 0.1$$

$$e^{(i)} = \hat{y}^{(i)} - y^{(i)}$$

$$\frac{\partial L^{(i)}}{\partial w} = 2e^{(i)} x^{(i)}$$

$$\frac{\partial L^{(i)}}{\partial b} = 2e^{(i)}$$

$$dw = \frac{1}{3} \sum_{i=1}^{3} \frac{\partial L^{(i)}}{\partial w}$$

$$db = \frac{1}{3} \sum_{i=1}^{3} \frac{\partial L^{(i)}}{\partial b}$$

Epoch 1:

$$\hat{y}^{(1)} = 0 \cdot 1 + 0 = 0$$

$$e^{(1)} = 0 - 2 = -2$$

$$\frac{\partial L^{(1)}}{\partial w} = 2 \cdot (-2) \cdot 1 = -4$$

$$\frac{\partial L^{(1)}}{\partial b} = 2 \cdot (-2) = -4$$

$$\hat{y}^{(2)} = 0 \cdot 2 + 0 = 0$$

$$e^{(2)} = 0 - 4 = -4$$

$$\frac{\partial L^{(2)}}{\partial w} = 2 \cdot (-4) \cdot 2 = -16$$

$$\frac{\partial L^{(2)}}{\partial b} = 2 \cdot (-4) = -8$$

$$\hat{y}^{(3)} = 0 \cdot 3 + 0 = 0$$

$$e^{(3)} = 0 - 5 = -5$$

$$\frac{\partial L^{(3)}}{\partial w} = 2 \cdot (-5) \cdot 3 = -30$$

$$\frac{\partial L^{(3)}}{\partial b} = 2 \cdot (-5) = -10$$

$$dw = \frac{1}{3} \cdot (-4 + (-16) + (-30)) = -16.6667$$

$$db = \frac{1}{3} \cdot (-4 + (-8) + (-10)) = -7.3333$$

$$w = 0 - 0.1 \cdot (-16.6667) = 1.6667$$

$$b = 0 - 0.1 \cdot (-7.3333) = 0.7333$$

Epoch 2:
"""


def test_full_batch_gradient_descent_sheet():
    """The problem (data table, model, loss, the loss on the data), the optimizer's formula, the
    batching note, the derivatives before the epochs, then each sample's lines, the batch's
    gradient and the optimizer's rule lines, by hand to 4 decimals."""
    md = symopt.solve(LINEAR).to_markdown()
    assert FULL_BATCH_MD in md
    assert _lines(symopt.solve(LINEAR))[1][-4:] == [
        r"dw = \frac{1}{3} \cdot (0.8 + 0.2668 + 4.4004) = 1.8224", r"db = \frac{1}{3} \cdot (0.8 + 0.1334 + 1.4668) = 0.8001",
        r"w = 1.6667 - 0.1 \cdot 1.8224 = 1.4845", r"b = 0.7333 - 0.1 \cdot 0.8001 = 0.6533"]


def test_latex_and_vietnamese():
    tex = symopt.solve(LINEAR, lang="vi").to_latex(fragment=True)
    assert "Dữ liệu (3 mẫu):\n\\begin{longtable}{rrr}\n\\toprule\n$i$ & $x$ & $y$ \\\\\n\\midrule\n\\endhead\n1 & $1$ & $2$ \\\\" in tex
    assert "Toàn bộ dữ liệu (full batch): mỗi bước dùng cả 3 mẫu, nên một epoch (một lượt qua dữ liệu) là một bước." in tex
    assert "Trong các công thức $\\boldsymbol{\\theta} = (w, b)$: mỗi công thức áp dụng cho từng tham số." in tex
    assert "\\[ dw = \\frac{1}{3} \\cdot (-4 + (-16) + (-30)) = -16.6667 \\]\n\\[ db = \\frac{1}{3} \\cdot (-4 + (-8) + (-10)) = -7.3333 \\]" in tex


def test_parameters_in_the_declared_order():
    """start = { b, w }: b before w on the data line, in J's arguments and in every step."""
    solution = symopt.solve(_spec({**LINEAR["exercise"][0], "start": {"b": 1, "w": 0}}))
    w = solution.exercises[0]
    assert w.exercise.variables == ("b", "w")
    assert w.data == r"b = 1,\; w = 0,\; \alpha = 0.1"
    assert w.problem[-1] == r"J(b, w) = \frac{1}{3} \sum_{i=1}^{3} L^{(i)}"
    assert [line.latex.split(" =")[0] for line in w.epochs[0].lines[-4:]] == ["db", "dw", "b", "w"]


def _gd(x: list[Fraction], y: list[Fraction], w: Fraction, b: Fraction, alpha: Fraction, steps: list[list[int]],
        square: int, mean: bool) -> list[tuple[Fraction, Fraction]]:
    """Gradient descent on linear regression in Fractions: each step's batch (0-based samples)."""
    out = []
    for batch in steps:
        gw = [square * (w * x[i] + b - y[i]) * x[i] for i in batch]
        gb = [square * (w * x[i] + b - y[i]) for i in batch]
        scale = Fraction(1, len(batch)) if mean else 1
        w, b = w - alpha * scale * sum(gw), b - alpha * scale * sum(gb)
        out.append((w, b))
    return out


@pytest.mark.parametrize("loss,reduction", [("squared", "mean"), ("half_squared", "mean"), ("squared", "sum"), ("half_squared", "sum")])
@pytest.mark.parametrize("batch", ["full", 1, 2])
def test_exact_runs_are_gradient_descent_in_fractions(loss, reduction, batch):
    x, y = [Fraction(v) for v in ("0.5", "1.5", "-1", "2", "3")], [Fraction(v) for v in ("1", "2.5", "-0.5", "3", "4.5")]
    spec = _spec({"optimizer": "gd", "model": "linear", "loss": loss, "reduction": reduction, "batch": batch,
                  "hyper": {"alpha": "0.05"}, "start": {"w": "0.2", "b": "-0.1"}, "epochs": 3, "numbers": "exact"},
                 {"x": ["0.5", "1.5", "-1", "2", "3"], "y": ["1", "2.5", "-0.5", "3", "4.5"]})
    worked = symopt.solve(spec).exercises[0]
    steps = [[i - 1 for i in e.samples] for e in worked.epochs] if batch != "full" else [[0, 1, 2, 3, 4]] * 3
    expected = _gd(x, y, Fraction("0.2"), Fraction("-0.1"), Fraction("0.05"), steps, 2 if loss == "squared" else 1, reduction == "mean")
    assert [(Fraction(e.params["w"]), Fraction(e.params["b"])) for e in worked.epochs] == expected
    assert len(worked.epochs) == {"full": 3, 1: 15, 2: 9}[batch]


def test_the_schedule():
    """An epoch is one pass: ⌈n/B⌉ steps, the last one shorter; a seed shuffles each epoch anew."""
    data = {"x": [1, 2, 3, 4, 5], "y": [1, 2, 3, 4, 5]}
    ex = {"optimizer": "gd", "model": "linear", "hyper": {"alpha": 0.01}, "start": {"w": 0, "b": 0}, "epochs": 3, "batch": 2}
    ordered = symopt.solve(_spec(ex, data)).exercises[0].epochs
    assert [(e.number, e.pass_number, e.samples) for e in ordered[:4]] == [(1, 1, (1, 2)), (2, 1, (3, 4)), (3, 1, (5,)), (4, 2, (1, 2))]
    shuffled = [e.samples for e in symopt.solve(_spec({**ex, "shuffle": {"seed": 7}}, data)).exercises[0].epochs]
    import random

    rng, expected = random.Random(7), []
    for _ in range(3):
        order = [1, 2, 3, 4, 5]
        rng.shuffle(order)
        expected += [tuple(order[:2]), tuple(order[2:4]), tuple(order[4:])]
    assert shuffled == expected
    assert shuffled[:3] != shuffled[3:6] or shuffled[3:6] != shuffled[6:]  # drawn anew, not once


MINI_BATCH_MD = """**Epoch 1: one pass over the data, the samples in the order 1, 2, 3, 4, 5.**

Step 1:

*Batch: samples 1, 2.*
"""


def test_steps_and_epochs_are_named_as_courses_name_them():
    ex = {"optimizer": "gd", "model": "linear", "hyper": {"alpha": 0.01}, "start": {"w": 0, "b": 0}, "epochs": 2, "batch": 2}
    md = symopt.solve(_spec(ex, {"x": [1, 2, 3, 4, 5], "y": [1, 2, 3, 4, 5]})).to_markdown()
    assert MINI_BATCH_MD in md
    assert "Step 3:\n\n*Sample 5.*\n" in md
    assert "**Epoch 2: one pass over the data, the samples in the order 1, 2, 3, 4, 5.**\n\nStep 4:" in md
    assert ("Mini-batches of 2 samples, in the order given; an epoch (one pass over the 5 samples) is 3 steps, "
            "the last of 1.") in md
    sgd = symopt.solve(_spec({**ex, "batch": 1, "shuffle": {"seed": 1}}), lang="vi").to_markdown()
    assert ("Gradient descent ngẫu nhiên (SGD): mỗi bước một mẫu, xáo trộn lại ở mỗi epoch từ seed 1 "
            "(random.Random(1).shuffle của Python); một epoch (một lượt qua 3 mẫu) gồm 3 bước.") in sgd
    assert "Bước 1:\n\n*Mẫu " in sgd


def test_json_has_the_data_and_each_steps_samples():
    ex = {"optimizer": "gd", "model": "linear", "hyper": {"alpha": 0.01}, "start": {"w": 0, "b": 0}, "epochs": 1, "batch": 2}
    out = json.loads(symopt.solve(_spec(ex)).to_json())["exercises"][0]
    assert out["data"] == {"columns": {"x": ["1", "2", "3"], "y": ["2", "4", "5"]}, "model": "linear", "loss": "squared",
                           "reduction": "mean", "batch": 2, "seed": None, "steps_per_epoch": 2}
    assert [(e["epoch"], e["pass"], e["samples"]) for e in out["epochs"]] == [(1, 1, [1, 2]), (2, 1, [3])]
    assert [(line["quantity"], line["variable"]) for line in out["epochs"][1]["lines"][:4]] == [
        ("yhat", ""), ("e", ""), ("dw", "w"), ("dw", "b")]


# -- public courses' worked examples ----------------------------------------------------------------
def test_sgd_of_a_public_course():
    """Liu Er (刘二大人), "PyTorch 深度学习实践" (PyTorch Deep Learning Practice), lecture 3, stochastic
    gradient descent: x = [1, 2, 3], y = [2, 4, 6], ŷ = x·w, loss (ŷ - y)^2, w = 1, lr = 0.01, one
    sample per step; the course's program prints the gradients -2.0, -7.84, -16.2288 and w = 1.260688
    after the first epoch (https://www.bilibili.com/video/BV1Y7411d7Ys, the course's code as a student
    keeps it: https://github.com/Chen-coding-studying/Liu-er-da-ren-----deepLearning/blob/main/03/0302.py)."""
    spec = _spec({"optimizer": "gd", "loss": "(x*w - y)^2", "batch": 1, "hyper": {"alpha": "0.01"}, "start": {"w": 1},
                  "epochs": 1, "numbers": "exact decimals 6"}, {"x": [1, 2, 3], "y": [2, 4, 6]})
    worked = symopt.solve(spec).exercises[0]
    assert worked.derivatives == (r"dw = \frac{\partial L^{(i)}}{\partial w} = 2x^{(i)} (x^{(i)} w - y^{(i)})",)
    assert _lines(symopt.solve(spec)) == [
        [r"dw = 2 \cdot 1 \cdot (1 \cdot 1 - 2) = -2", r"w = 1 - 0.01 \cdot (-2) = 1.02"],
        [r"dw = 2 \cdot 2 \cdot (2 \cdot 1.02 - 4) = -7.84", r"w = 1.02 - 0.01 \cdot (-7.84) = 1.0984"],
        [r"dw = 2 \cdot 3 \cdot (3 \cdot 1.0984 - 6) = -16.2288", r"w = 1.0984 - 0.01 \cdot (-16.2288) = 1.260688"]]


def test_batch_and_mini_batch_of_a_public_worked_example():
    """A worked exercise (https://askfilo.com/user-question-answers-smart-solutions/consider-a-single-neuron-neural-network-no-hidden-layers-3432393538363939):
    ŷ = wx + b on (1, 3), (2, 5), (3, 7), (4, 9), w = b = 0, α = 0.1, mean squared error, one epoch.
    Batch: ∂L/∂w = -35, ∂L/∂b = -12, w = 3.5, b = 1.2.  Mini-batches of 2: -13 and -8 (w = 1.3,
    b = 0.8), then ŷ = 4.7 and 6.0, errors -2.3 and -3.0, -18.9 and -5.3, w = 3.19, b = 1.33."""
    data = {"x": [1, 2, 3, 4], "y": [3, 5, 7, 9]}
    ex = {"optimizer": "gd", "model": "linear", "hyper": {"alpha": 0.1}, "start": {"w": 0, "b": 0}, "epochs": 1, "numbers": "exact"}
    full = symopt.solve(_spec(ex, data)).exercises[0].epochs
    assert [line.latex for line in full[0].lines[-4:]] == [
        r"dw = \frac{1}{4} \cdot (-6 + (-20) + (-42) + (-72)) = -35", r"db = \frac{1}{4} \cdot (-6 + (-10) + (-14) + (-18)) = -12",
        r"w = 0 - 0.1 \cdot (-35) = 3.5", r"b = 0 - 0.1 \cdot (-12) = 1.2"]
    mini = symopt.solve(_spec({**ex, "batch": 2}, data)).exercises[0].epochs
    assert [line.latex for line in mini[0].lines if line.quantity in ("dw", "w")] == [
        r"dw = \frac{1}{2} \cdot (-6 + (-20)) = -13", r"db = \frac{1}{2} \cdot (-6 + (-10)) = -8", r"w = 0 - 0.1 \cdot (-13) = 1.3",
        r"b = 0 - 0.1 \cdot (-8) = 0.8"]
    assert [line.latex for line in mini[1].lines] == [
        r"\hat{y}^{(3)} = 1.3 \cdot 3 + 0.8 = 4.7", r"e^{(3)} = 4.7 - 7 = -2.3",
        r"\frac{\partial L^{(3)}}{\partial w} = 2 \cdot (-2.3) \cdot 3 = -13.8", r"\frac{\partial L^{(3)}}{\partial b} = 2 \cdot (-2.3) = -4.6",
        r"\hat{y}^{(4)} = 1.3 \cdot 4 + 0.8 = 6", r"e^{(4)} = 6 - 9 = -3",
        r"\frac{\partial L^{(4)}}{\partial w} = 2 \cdot (-3) \cdot 4 = -24", r"\frac{\partial L^{(4)}}{\partial b} = 2 \cdot (-3) = -6",
        r"dw = \frac{1}{2} \cdot (-13.8 + (-24)) = -18.9", r"db = \frac{1}{2} \cdot (-4.6 + (-6)) = -5.3",
        r"w = 1.3 - 0.1 \cdot (-18.9) = 3.19", r"b = 0.8 - 0.1 \cdot (-5.3) = 1.33"]


def test_logistic_regression_of_a_public_course():
    """James H. Martin, CSCI 5832 (Natural Language Processing, University of Colorado Boulder), the
    logistic-regression notebook on the sentiment example of Jurafsky & Martin's SLP section 5.1.1:
    x = [3, 2, 1, 3, 0, 4.15], y = 1, w = [2.5, -5, -1.2, 0.5, 2, 0.7], b = 0.1, learning rate 1;
    it prints the score 0.805, σ = 0.6910430124157229, the gradient (σ - 1)x = [-0.92687096,
    -0.61791398, -0.30895699, -0.92687096, -0, -1.2821715] and the new weights [3.42687096,
    -4.38208602, -0.89104301, 1.42687096, 2, 1.9821715]
    (https://github.com/JamesHMartin/Courses/blob/master/CSCI5832/LogRegression.ipynb).  The notebook
    leaves the bias's update to the reader; symopt's is b = 0.1 - 1·(σ - 1)."""
    data = {"x1": [3], "x2": [2], "x3": [1], "x4": [3], "x5": [0], "x6": [4.15], "y": [1]}
    start = {"w1": 2.5, "w2": -5, "w3": -1.2, "w4": 0.5, "w5": 2, "w6": 0.7, "b": 0.1}
    worked = symopt.solve(_spec({"optimizer": "gd", "model": "logistic", "hyper": {"alpha": 1}, "start": start, "epochs": 1,
                                 "numbers": "precision:16"}, data)).exercises[0]
    lines = {line.latex.split(" = ")[0].split(" \\approx")[0]: line for line in worked.epochs[0].lines}
    assert lines["z^{(1)}"].latex.endswith("+ 0.7 \\cdot 4.15 + 0.1 = 0.805")
    assert lines[r"\hat{y}^{(1)}"].latex == r"\hat{y}^{(1)} = \frac{1}{1 + e^{-0.805}} \approx 0.6910430124157229"
    course_gradient = [-0.92687096, -0.61791398, -0.30895699, -0.92687096, -0.0, -1.2821715]
    course_weights = [3.42687096, -4.38208602, -0.89104301, 1.42687096, 2.0, 1.9821715]
    for k, (g, w) in enumerate(zip(course_gradient, course_weights, strict=True), start=1):
        assert round(float(lines[f"dw_{k}"].value), 8) == g
        assert round(float(worked.epochs[0].values[f"w{k}"]), 8) == w
    assert lines["db"].latex == r"db \approx -0.3089569875842771"
    assert worked.epochs[0].params["b"] == "0.4089569875842771"
    assert worked.problem[:2] == (r"z^{(i)} = w_1 x_1^{(i)} + w_2 x_2^{(i)} + w_3 x_3^{(i)} + w_4 x_4^{(i)} + w_5 x_5^{(i)} + w_6 x_6^{(i)} + b",
                                  r"\hat{y}^{(i)} = \sigma(z^{(i)}) = \frac{1}{1 + e^{-z^{(i)}}}")


# -- the checker ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("exercise", [
    {"model": "linear", "batch": "full"}, {"model": "linear", "batch": 1, "loss": "half_squared"},
    {"model": "linear", "batch": 2, "shuffle": {"seed": 3}, "reduction": "sum"},
    {"model": "logistic", "batch": 2, "numbers": "precision:12"}, {"loss": "(w*x - y)^2", "batch": 1, "start": {"w": 1}},
], ids=["full", "sgd", "mini-batch", "logistic", "own-loss"])
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_checker_reads_each_sheet_back_clean(exercise, lang):
    data = {"x": [1, 2, 3], "y": [0, 1, 1]} if exercise.get("model") == "logistic" else LINEAR["data"]
    spec = _spec({"optimizer": "adam", "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                  "start": {"w": 0, "b": 0}, "epochs": 2, "numbers": "hand:4", **exercise}, data, lang=lang)
    solution = symopt.solve(spec)
    for text in (solution.to_markdown(), solution.to_latex()):
        report = symopt.check(text, spec)
        assert report.summary["errors"] == 0 and report.summary["warnings"] == 0, [f.text for f in report.findings if f.kind != "ok"]
        assert report.summary["lines"] > 20


def test_without_the_spec_the_checker_asks_for_it():
    with pytest.raises(symopt.SymoptError, match=r"exercise 1 \(line 3\): a dataset problem .* give the problem with --spec SPEC"):
        symopt.check(symopt.solve(LINEAR).to_markdown())


STUDENT = """## Exercise 1: Gradient Descent

$w = 0, b = 0, \\alpha = 0.1$

Step 1:

$\\hat{y}^{(1)} = 0 \\cdot 1 + 0 = 0$

$e^{(1)} = 0 - 2 = -2$

$dw = 2 \\cdot (-2) \\cdot 1 = -4$

$db = 2 \\cdot (-2) = -4$

$w = 0 - 0.1 \\cdot (-4) = 0.4$

$b = 0 - 0.1 \\cdot (-4) = 0.4$

Step 2:

$\\hat{y}^{(2)} = 0.4 \\cdot 2 + 0.4 = 1.2$

$e^{(2)} = 1.2 - 4 = -2.6$

$dw = 2 \\cdot (-2.6) \\cdot 2 = -10.4$

$db = 2 \\cdot (-2.6) = -5.2$

$w = 0.4 - 0.1 \\cdot (-10.4) = 1.44$

$b = 0.4 - 0.1 \\cdot (-5.2) = 0.92$

Step 3:

$\\hat{y}^{(3)} = 1.44 \\cdot 3 + 0.92 = 5.24$

$e^{(3)} = 5.24 - 5 = 0.24$

$dw = 2 \\cdot 0.24 \\cdot 3 = 1.44$

$db = 2 \\cdot 0.24 = 0.48$

$w = 1.44 - 0.1 \\cdot 1.44 = 1.296$

$b = 0.92 - 0.1 \\cdot 0.48 = 0.872$
"""


def test_a_students_sgd_work_error_carried_forward():
    """A planted slip (e^{(2)} = 1.2 - 4 written -2.6) is flagged on its line and nowhere else: the
    lines after it, right from the writer's own -2.6, are right."""
    spec = _spec({"optimizer": "gd", "model": "linear", "batch": 1, "hyper": {"alpha": 0.1}, "start": {"w": 0, "b": 0},
                  "epochs": 1, "numbers": "hand:4"})
    report = symopt.check(STUDENT, spec)
    flagged = [(f.line, f.kind, f.quantity, f.text) for f in report.findings if f.kind != "ok"]
    line = STUDENT.splitlines().index("$e^{(2)} = 1.2 - 4 = -2.6$") + 1
    assert flagged == [(line, "arithmetic", "e", "1.2 - 4 is -2.8, not -2.6")]
    assert report.summary["lines"] == 18 and report.summary["ok"] == 17


def test_a_sample_outside_the_steps_batch_is_said():
    spec = _spec({"optimizer": "gd", "model": "linear", "batch": 1, "hyper": {"alpha": 0.1}, "start": {"w": 0, "b": 0},
                  "epochs": 1, "numbers": "hand:4"})
    report = symopt.check(STUDENT.replace("$\\hat{y}^{(2)} = 0.4 \\cdot 2", "$\\hat{y}^{(3)} = 0.4 \\cdot 2"), spec)
    said = [f.text for f in report.findings if f.kind == "notation"]
    assert said == ["this sample is not in the batch of step 2 (samples 2); the line is not checked"]


def test_a_wrong_derivative_before_the_steps_is_a_formula_error():
    md = symopt.solve(LINEAR).to_markdown().replace(r"$$\frac{\partial L^{(i)}}{\partial w} = 2e^{(i)} x^{(i)}$$",
                                                    r"$$\frac{\partial L^{(i)}}{\partial w} = e^{(i)} x^{(i)}$$")
    report = symopt.check(md, LINEAR)
    assert [(f.kind, f.text) for f in report.findings if f.kind != "ok"] == [
        ("formula", "this is not the problem's \\frac{\\partial L^{(i)}}{\\partial w}: it is 2e^{(i)} x^{(i)}")]


# -- the spec's bounds ------------------------------------------------------------------------------------
@pytest.mark.parametrize("change,message", [
    ({"model": "quadratic"}, "model: must be one of 'linear', 'logistic'"),
    ({"loss": "cross_entropy"}, "loss: linear regression's loss is 'squared' or 'half_squared'"),
    ({"batch": 4}, "batch: must be \"full\" (every sample in each step), 1 (stochastic gradient descent) or a batch size up to the 3 samples, got 4"),
    ({"batch": True}, "batch: must be \"full\""),
    ({"shuffle": True}, "shuffle: must be false (the samples in the given order) or { seed = N }"),
    ({"shuffle": {"seed": 1}}, "shuffle: a full batch holds every sample in each step: there is nothing to shuffle"),
    ({"reduction": "max"}, "reduction: must be \"mean\""),
    ({"start": {"w": 0}}, "start: missing a start value for b"),
    ({"start": {"w": 0, "b": 0, "c": 1}}, "start: 'c' is not a parameter of linear regression (its parameters: w, b)"),
    ({"function": "w^2"}, "function: a dataset problem's loss comes from its model or its loss key, not from f"),
    ({"gradient_name": "partial"}, "gradient_name: a dataset problem names its gradient"),
    ({"model": None, "loss": "(w*x - y)^2", "start": {"w": 0, "b": 0}}, "start: 'b' is not a parameter of the loss (its parameters: w)"),
    ({"model": None, "loss": "(w*x + c - y)^2", "start": {"w": 0}}, "start: missing a start value for c"),
    ({"model": None, "loss": "x - y"}, "loss: the loss has no parameter"),
])
def test_bad_dataset_keys_are_one_line_errors(change, message):
    exercise = {k: v for k, v in {**LINEAR["exercise"][0], **change}.items() if v is not None}
    with pytest.raises(symopt.SymoptError) as raised:
        symopt.solve(_spec(exercise))
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize("data,message", [
    ({"x": [1, 2], "y": [1]}, "data: the columns have different lengths (x 2, y 1)"),
    ({"x": [], "y": []}, "data.x: must be an array of numbers"),
    ({"e": [1], "y": [1]}, "data.e: 'e' is a name the sheet writes itself"),
    ({"x": [1, "a"], "y": [1, 2]}, "data.x, sample 2"),
    ({"x": [1], "b": [1], "y": [2]}, "data: a column is named 'b', which is a parameter of the model"),
    ({"z1": [1], "y": [2]}, None),
    ({"x": [1]}, "data: linear regression predicts the column y"),
    ({f"x{k}": [1] for k in range(1, 22)}, "data: 21 columns; a data table has at most 20"),
    ({"x": list(range(1001)), "y": list(range(1001))}, "data.x: 1001 samples; a data table has at most 1000"),
])
def test_bad_data_tables_are_one_line_errors(data, message):
    exercise = dict(LINEAR["exercise"][0])
    if "z1" in data:  # one feature of another name: its weight is w
        assert symopt.solve(_spec(exercise, data)).exercises[0].problem[0] == r"\hat{y}^{(i)} = w z_1^{(i)} + b"
        return
    with pytest.raises(symopt.SymoptError) as raised:
        symopt.solve(_spec(exercise, data))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_parameter_named_as_the_optimizer_names_is_refused():
    """RMSProp with momentum keeps a state b, the model's intercept; Adam's own letters."""
    rms = {"optimizer": "rmsprop", "hyper": {"alpha": 0.1, "gamma": 0.9, "epsilon": 1e-8, "mu": 0.5}, "options": {"momentum": True}}
    with pytest.raises(symopt.SymoptError, match=r"exercise 1: model: 'b' names a hyperparameter or state of rmsprop; the model "
                                                 r"names its parameters w and b: give the loss of one sample yourself"):
        symopt.solve(_spec({**LINEAR["exercise"][0], **rms}))
    with pytest.raises(symopt.SymoptError, match=r"exercise 1: loss: 'alpha' names a hyperparameter or state of gd; rename the parameter"):
        symopt.solve(_spec({"optimizer": "gd", "loss": "(alpha*x - y)^2", "hyper": {"alpha": 0.1}, "start": {"alpha": 1}}))


def test_logistic_labels_are_probabilities():
    with pytest.raises(symopt.SymoptError, match=r"data.y: logistic regression's labels y are 0 or 1"):
        symopt.solve(_spec({**LINEAR["exercise"][0], "model": "logistic"}))


def test_the_work_budget_counts_samples_and_steps():
    """1000 samples in batches of 100 for 400 epochs are past the budget, refused before any work,
    and a full batch of them is past a step's bound; one epoch of SGD on them is within both.  Each
    step counts its samples' lines."""
    data = {"x": list(range(1000)), "y": list(range(1000))}
    big = _spec({**LINEAR["exercise"][0], "epochs": 400, "batch": 100}, data)
    with pytest.raises(symopt.SymoptError, match="worked lines"):
        from_dict(big)
    with pytest.raises(symopt.SymoptError, match=r"batch: a step of 1000 samples: a step holds at most 100 \(its gradient line sums them\)"):
        from_dict(_spec({**LINEAR["exercise"][0], "epochs": 1}, data))
    small = from_dict(_spec({**LINEAR["exercise"][0], "epochs": 1, "batch": 1}, data))
    assert 10_000 < work(small.exercises) < MAX_WORK
    full, sgd = (from_dict(_spec({**LINEAR["exercise"][0], "batch": b})).exercises for b in ("full", 1))
    assert work(full) == 106 and work(sgd) == 136  # the same samples' lines, and three steps' rule lines for one


def test_a_top_level_function_beside_data_is_refused():
    with pytest.raises(symopt.SymoptError, match="top level"):
        symopt.solve({**LINEAR, "function": "w^2"})


def test_exercises_of_f_and_of_data_share_a_sheet():
    spec = {"function": "w1^2", "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"w1": 1}},
                                             {**LINEAR["exercise"][0], "data": LINEAR["data"]}]}
    solution = symopt.solve(spec)
    assert solution.exercises[0].exercise.data is None and solution.exercises[1].exercise.data is not None
    assert re.search(r"Exercise 2: Gradient Descent\n\nData \(3 samples\):", solution.to_markdown())
    assert symopt.check(solution.to_markdown(), spec).summary["errors"] == 0


def test_the_readme_excerpts_are_real_output():
    """README's Dataset problems section: its excerpts are examples/regression.toml's sheet."""
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Dataset problems"):readme.index("### Trajectory tables")]
    fenced = re.findall(r"```(\w*)\n(.*?)```", section, re.S)
    blocks = [text for lang, text in fenced if not lang]
    assert len(blocks) == 2
    md = symopt.solve(ROOT / "examples" / "regression.toml").to_markdown()
    for block in blocks:
        for part in block.split("…\n"):
            assert part.strip() and part in md, part
    import tomllib

    shown = tomllib.loads(next(text for lang, text in fenced if lang == "toml"))
    assert symopt.solve(shown).exercises[0].epochs[1].lines == symopt.solve(ROOT / "examples" / "regression.toml").exercises[0].epochs[1].lines


def test_the_largest_step_reads_back_clean():
    """A step of 100 samples (the bound) at 30 digits: its batch line sums 100 numbers of 30 digits
    and is within the checker's 5 000 characters a line."""
    data = {"x": [f"{k / 7:.3f}" for k in range(100)], "y": [k % 2 for k in range(100)]}
    spec = _spec({"optimizer": "gd", "model": "logistic", "hyper": {"alpha": "0.1"}, "start": {"w": "0.1", "b": "-0.2"},
                  "epochs": 1, "numbers": "precision:30"}, data)
    md = symopt.solve(spec).to_markdown()
    longest = max(md.splitlines(), key=len)
    assert longest.startswith(("$$dw = \\frac{", "$$db = \\frac{")) and 3000 < len(longest) < 5000
    report = symopt.check(md, spec)
    # 100 samples' z, ŷ, e and two gradients, the batch's dw and db, two rule lines; and 10 formula lines
    assert report.summary["errors"] == 0 and report.summary["warnings"] == 0 and report.summary["lines"] == 514


def test_a_long_batch_line_breaks_between_its_terms_and_reads_back():
    """A batch of 20 samples: in LaTeX its gradient line is set on rows between the sum's terms
    (``&\\quad + …``, within the page), and the checker reads the rows as one line."""
    from symopt.printer import TERMS_WIDTH, typeset_width

    data = {"x": list(range(1, 21)), "y": [f"{2 * k + 0.1 * (k % 3):.1f}" for k in range(1, 21)]}
    spec = _spec({"optimizer": "gd", "model": "linear", "hyper": {"alpha": 0.01}, "start": {"w": 0.5, "b": 0.1}, "epochs": 1,
                  "numbers": "hand:4"}, data)
    tex = symopt.solve(spec).to_latex()
    block = tex[tex.index("\\begin{align*}\ndw &= \\frac{1}{20} \\cdot (-"):]
    rows = block[:block.index("\\end{align*}")].splitlines()[1:]
    assert len(rows) >= 3 and rows[1].startswith("&\\quad + (") and rows[-1].startswith("&= ")
    assert all(typeset_width(row) <= TERMS_WIDTH + 5 for row in rows)
    report = symopt.check(tex, spec)
    assert report.summary["errors"] == 0 and report.summary["warnings"] == 0 and report.summary["lines"] > 80


def test_a_schedule_covers_every_step_of_a_dataset_run():
    # Found at the merge of schedules and datasets: the schedule's formula was made for the
    # exercise's epochs (2), while a batch of 1 on 4 samples takes 8 steps, and a cosine of T = 3
    # "that has not ended" had no α_min case: α_6 was 0.00775, the cosine rising again, where
    # d2l and optax (and the sheet's own convention) keep α_min = 0.001 from step T + 1 = 4 on.
    spec = {"data": {"x": [1, 2, 3, 4], "y": [2, 4, 6, 8]}, "exercise": [{
        "model": "linear", "optimizer": "gd", "hyper": {"alpha": "0.01"}, "start": {"w": 0, "b": 0}, "batch": 1, "epochs": 2,
        "numbers": "exact", "schedule": {"kind": "cosine", "T": 3, "alpha_min": "0.001"}}]}
    solution = symopt.solve(spec)
    rates = [line.shown.text for e in solution.exercises[0].epochs for line in e.lines if line.quantity == "alpha_t"]
    assert rates == ["0.01", "0.00775", "0.00325", "0.001", "0.001", "0.001", "0.001", "0.001"]
    report = symopt.check(solution.to_markdown(), spec)
    assert not report.errors and not report.warnings
