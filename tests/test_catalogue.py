"""The optimizer catalogue: every optimizer with every combination of its options renders in
Markdown (real KaTeX) and LaTeX (real TeX), in English and Vietnamese, states its conventions on the
sheet, reads back through the checker with nothing flagged, and refuses bad options in one line."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import symopt
from symopt.optimizers import OPTIMIZERS
from symopt.problem import variants

HYPER = {"alpha": "0.1", "beta": "0.9", "beta1": "0.9", "beta2": "0.99", "gamma": "0.9", "epsilon": "0.001",
         "s0": "0.1", "rho": "0.9", "mu": "0.5", "psi": "0.004", "weight_decay": "0.01"}


def catalogue(numbers: str = "hand:4", epochs: int = 7) -> dict:
    """One exercise per optimizer and combination of options (7 epochs: RAdam's rectification
    starts at epoch 6 with beta2 = 0.99, so both of its branches show)."""
    exercises = []
    for key, opt in OPTIMIZERS.items():
        for options in variants(opt):
            exercises.append({"optimizer": key, "options": options, "hyper": {h: HYPER[h] for h in opt.hyper_for(options)}})
    return {"title": "Catalogue", "function": "w1**2 + 0.5*w1*w2 + 2*w2**2",
            "defaults": {"start": {"w1": 1.5, "w2": -0.7}, "epochs": epochs, "numbers": numbers}, "exercise": exercises}


@pytest.fixture(scope="module")
def sheets():
    return {lang: symopt.solve(catalogue(), lang=lang) for lang in ("en", "vi")}


def test_every_optimizer_and_option_is_there():
    spec = catalogue()
    assert {e["optimizer"] for e in spec["exercise"]} == {
        "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax", "nadam", "radam", "lion"}
    assert len(spec["exercise"]) == 82


def test_each_option_states_its_convention(sheets):
    md = sheets["en"].to_markdown()
    for phrase in ["as in the reference sheet (PyTorch: SGD with lr", "Heavy-ball momentum", "Momentum as a velocity",
                   "outside the square root, as in PyTorch", "inside the square root, as in Keras and optax",
                   "Centered: the mean gradient", "With momentum $\\mu$", "AMSGrad", "Keras' $\\hat{\\epsilon}$",
                   "Weight decay as L2", "Weight decay decoupled"]:
        assert phrase in md, phrase
    vi = sheets["vi"].to_markdown()
    assert "Quy ước: $\\epsilon$ nằm ngoài dấu căn, như PyTorch." in vi and "Bài 82 Lion" in vi


def test_defaults_are_printed(sheets):
    """Adadelta's alpha (default 1), NAdam's psi (0.004) and Adagrad's s0 appear on the data line."""
    spec = {"function": "w1**2", "exercise": [
        {"optimizer": "adadelta", "start": {"w1": 1}, "hyper": {"rho": 0.9, "epsilon": 1e-6}},
        {"optimizer": "nadam", "start": {"w1": 1}, "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}},
        {"optimizer": "adagrad", "start": {"w1": 1}, "hyper": {"alpha": 0.1, "epsilon": 1e-8}}]}
    md = symopt.solve(spec).to_markdown()
    assert "\\rho = 0.9, \\epsilon = 10^{-6}, \\alpha = 1$$" in md or "\\alpha = 1, \\rho = 0.9" in md
    assert "\\psi = 0.004" in md and "s_0 = 0" in md


@pytest.mark.parametrize("numbers", ["hand:3", "precision:12"])
@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_catalogue_reads_back_clean(numbers, fmt):
    solution = symopt.solve(catalogue(numbers, epochs=6 if fmt == "tex" else 7), lang="en" if fmt == "md" else "vi")
    report = symopt.check(solution.to_markdown() if fmt == "md" else solution.to_latex())
    assert report.summary["errors"] == 0 and report.summary["warnings"] == 0, [
        (f.line, f.kind, f.text) for f in report.findings if f.severity != "ok"][:5]
    assert report.summary["lines"] > 4000


def test_catalogue_in_katex(sheets, katex):
    formulas = []
    for solution in sheets.values():
        md = solution.to_markdown()
        formulas += re.findall(r"^\$\$(.+)\$\$$", md, re.MULTILINE)
        formulas += re.findall(r"(?<![\\$])\$([^$\n]+)\$(?!\$)", re.sub(r"^\$\$.*\$\$$", "", md, flags=re.MULTILINE))
    formulas = sorted(set(formulas))
    assert len(formulas) > 2000
    done = subprocess.run(["node", str(katex)], input=json.dumps(formulas), capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_catalogue_compiles(sheets, tex, lang):
    pdf = sheets[lang].to_pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000


@pytest.mark.parametrize(
    "exercise,message",
    [
        ({"optimizer": "rmsprop", "hyper": {"alpha": 0.1, "gamma": 0.9, "epsilon": 1e-6}, "options": {"nesterov": True}},
         "unknown option 'nesterov' for rmsprop; valid options: centered, eps_placement, momentum, weight_decay_style"),
        ({"optimizer": "rmsprop", "hyper": {"alpha": 0.1, "gamma": 0.9, "epsilon": 1e-6}, "options": {"centered": "yes"}},
         "centered must be one of false, true, got 'yes'"),
        ({"optimizer": "rmsprop", "hyper": {"alpha": 0.1, "gamma": 0.9, "epsilon": 1e-6}, "options": {"momentum": True}},
         "missing mu; rmsprop needs alpha, gamma, epsilon, mu"),
        ({"optimizer": "momentum", "hyper": {"alpha": 0.1, "beta": 0.9}, "options": {"style": "nesterov"}},
         "style must be one of 'ema', 'heavy_ball', 'velocity', got 'nesterov'"),
        ({"optimizer": "adam", "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weight_decay": 0.1}},
         "unknown hyperparameter 'weight_decay' for adam; valid: alpha, beta1, beta2, epsilon"),
        ({"optimizer": "lion", "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.99}},
         "missing weight_decay; lion needs alpha, beta1, beta2, weight_decay"),
    ],
)
def test_bad_options_are_one_line(exercise, message):
    spec = {"function": "w1**2", "exercise": [{"start": {"w1": 1}, **exercise}]}
    with pytest.raises(symopt.SymoptError) as e:
        symopt.solve(spec)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_ema_momentum_is_pytorch_sgd_with_scaled_lr_by_hand():
    """The equivalence the framework test checks numerically, here in exact arithmetic:
    heavy ball with alpha*(1 - beta) gives the same w as EMA momentum with alpha."""
    ema = symopt.solve({"function": "w1**2 + 3*w1", "exercise": [
        {"optimizer": "momentum", "start": {"w1": 2}, "hyper": {"alpha": 0.2, "beta": 0.5}, "epochs": 6}]})
    heavy = symopt.solve({"function": "w1**2 + 3*w1", "exercise": [
        {"optimizer": "momentum", "start": {"w1": 2}, "hyper": {"alpha": 0.1, "beta": 0.5}, "epochs": 6,
         "options": {"style": "heavy_ball"}}]})
    assert [e.params for e in ema.exercises[0].epochs] == [e.params for e in heavy.exercises[0].epochs]
