"""The optimizer catalogue: every optimizer with every combination of its options renders in
Markdown (real KaTeX) and LaTeX (real TeX), in English and Vietnamese, states its conventions on the
sheet, reads back through the checker with nothing flagged, and refuses bad options in one line."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import symopt
from symopt.check.problem import variants
from symopt.optimizers import OPTIMIZERS

HYPER = {"alpha": "0.1", "beta": "0.9", "beta1": "0.9", "beta2": "0.99", "gamma": "0.9", "epsilon": "0.001",
         "s0": "0.1", "rho": "0.9", "mu": "0.5", "psi": "0.004", "weight_decay": "0.01"}


def catalogue(numbers: str = "hand:4", epochs: int = 7) -> dict:
    """One exercise per optimizer and combination of options (7 epochs: RAdam's rectification
    starts at epoch 6 with beta2 = 0.99, so both of its branches show)."""
    exercises = []
    for key, opt in OPTIMIZERS.items():
        for options in variants(opt):
            exercises.append({"optimizer": key, "options": options, "hyper": {h: HYPER[h] for h in opt.hyper_for(options)}})
    return {"title": "Catalogue", "mult": "*", "function": "w1**2 + 0.5*w1*w2 + 2*w2**2",
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
    for phrase in ["Momentum as an average of gradients: the new gradient has weight $1 - \\beta$.",
                   "Heavy-ball momentum", "Momentum as a velocity",
                   "Convention: $\\epsilon$ outside the square root.\n", "Convention: $\\epsilon$ inside the square root.\n",
                   "Centered: the mean gradient", "With momentum $\\mu$", "AMSGrad",
                   "Convention: the bias corrections go into the step size",
                   "Weight decay as L2", "Weight decay decoupled"]:
        assert phrase in md, phrase
    vi = sheets["vi"].to_markdown()
    assert "Quy ước: $\\epsilon$ nằm ngoài dấu căn.\n" in vi and "Bài 82 Lion" in vi
    # the framework settings are on the card and behind notes = "frameworks" (tests/test_notes.py)
    assert not re.search(r"PyTorch|optax|Keras|reference sheet|bài mẫu", md + vi)


def test_defaults_are_printed(sheets):
    """Adadelta's alpha (default 1) and NAdam's psi (0.004) appear on the data line; Adagrad's s0 is
    the start of its state, so the data line gives it as s_1 = 0 (as s_0 it would read as a state's
    value: the notation issue)."""
    spec = {"function": "w1**2", "exercise": [
        {"optimizer": "adadelta", "start": {"w1": 1}, "hyper": {"rho": 0.9, "epsilon": 1e-6}},
        {"optimizer": "nadam", "start": {"w1": 1}, "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}},
        {"optimizer": "adagrad", "start": {"w1": 1}, "hyper": {"alpha": 0.1, "epsilon": 1e-8}}]}
    md = symopt.solve(spec).to_markdown()
    assert "\\alpha = 1,\\; \\rho = 0.9,\\; \\epsilon = 10^{-6}$$" in md
    assert "\\psi = 0.004" in md and "$$w_1 = 1,\\; s_1 = 0,\\; \\alpha = 0.1,\\; \\epsilon = 10^{-8}$$" in md and "s_0" not in md


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


# -- user-defined optimizers ---------------------------------------------------------------------

CUSTOM = """
function = "0.1*w1**2 + 2*w2**2"
mult = "*"
[optimizers.my_adamax]
name = "My Adamax"
state = { m = 0, u = 0.0 }
rules = ["m = beta1*m + (1 - beta1)*g", "u = max(beta2*u, abs(g))", "w = w - alpha*m/(u + epsilon)"]
[[exercise]]
optimizer = "my_adamax"
start = { w1 = -5, w2 = -2 }
hyper = { alpha = 0.1, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 }
numbers = "precision:30"
epochs = 5
"""


def test_user_defined_optimizer_runs_through_the_same_mechanism():
    solution = symopt.solve(symopt.loads(CUSTOM))
    md = solution.to_markdown()
    assert "## Exercise 1: My Adamax" in md
    assert "$$U_t = \\max(\\beta_2 U_{t-1}, \\left|dW_t\\right|)$$" in md
    assert "$$u_1 = \\max(0.999 * 0, \\left|-1\\right|) = 1$$" in md
    # by hand: w1 goes -5 -> -5 - 0.1 * (-0.1)/(1 + 1e-8)
    first = solution.exercises[0].epochs[0].params["w1"]
    assert abs(float(first) - (-5 + 0.01 / (1 + 1e-8))) < 1e-15
    assert symopt.check(md, symopt.loads(CUSTOM)).summary["errors"] == 0
    started = symopt.solve(symopt.loads(CUSTOM.replace("u = 0.0 }", "u = 0.5 }"))).to_markdown()
    assert "u_1 = 0.5,\\; u_2 = 0.5" in started


def test_user_defined_adamax_is_builtin_adamax_without_epsilon_in_the_max():
    """Equivalent rules, two spellings: the custom one above with u + eps in the denominator is not
    PyTorch's Adamax; the same rules as the built-in one give the built-in's numbers exactly."""
    text = CUSTOM.replace('"u = max(beta2*u, abs(g))", "w = w - alpha*m/(u + epsilon)"',
                          '"u = max(beta2*u, abs(g) + epsilon)", "w = w - alpha*(m/((1 - beta1^t)*u))"')
    mine = symopt.solve(symopt.loads(text)).exercises[0].epochs
    builtin = symopt.solve({"function": "0.1*w1**2 + 2*w2**2", "exercise": [{
        "optimizer": "adamax", "start": {"w1": -5, "w2": -2}, "numbers": "precision:30", "epochs": 5,
        "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}}]}).exercises[0].epochs
    assert [e.params for e in mine] == [e.params for e in builtin]


@pytest.mark.parametrize(
    "table,message",
    [
        ('[optimizers.adam]\nrules = ["w = w - alpha*g"]', "optimizers: adam: 'adam' is a built-in optimizer"),
        ('[optimizers.x]\nrules = ["v = beta*v + g"]', "optimizers: x.rules: no rule updates w"),
        ('[optimizers.x]\nrules = ["w = w - __import__(g)"]', "optimizers: x.rules[0]"),
        ('[optimizers.x]\nrules = ["w = w - alpha*where(g, 1, 2)"]', "where() starts with a comparison"),
        ('[optimizers.x]\nrules = "w = w - alpha*g"', "x.rules: must be a list of rules"),
        ('[optimizers.x]\nrules = ["w = w - alpha*g"]\nstate = { t = 0 }', "'t' cannot name a state"),
        ('[optimizers.x]\nrules = ["w = w - alpha*g"]\nspeed = 1', "unknown key 'speed'"),
        ('[optimizers.x]\nrules = ["w = w - alpha*g"]\ndefaults = { beta = 1 }', "the hyperparameters are alpha"),
    ],
)
def test_bad_user_optimizers_are_one_line(table, message, tmp_path, capsys):
    from symopt.cli import main

    path = tmp_path / "spec.toml"
    path.write_text('function = "w1**2"\n[[exercise]]\noptimizer = "x"\nstart = { w1 = 1 }\nhyper = { alpha = 0.1 }\n' + table,
                    encoding="utf-8")
    assert main(["solve", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


# -- the reference card ------------------------------------------------------------------------------

def test_card_text_lists_every_optimizer_and_default(capsys):
    from symopt.cli import main

    assert main(["optimizers"]) == 0
    out = capsys.readouterr().out
    for key, opt in OPTIMIZERS.items():
        assert f"{key}: {opt.title}" in out
    assert 'eps_placement: "inside" (default), "outside", "hat"' in out
    assert "    S_t = \\beta_2 S_{t-1} + (1 - \\beta_2) dW_t^2" in out


def test_card_markdown_in_katex(katex):
    from symopt import card

    formulas = []
    for lang in ("en", "vi"):
        md = card.to_markdown(lang)
        formulas += re.findall(r"^\$\$(.+)\$\$$", md, re.MULTILINE)
        formulas += re.findall(r"(?<![\\$])\$([^$\n]+)\$(?!\$)", re.sub(r"^\$\$.*\$\$$", "", md, flags=re.MULTILINE))
    assert len(formulas) > 100
    done = subprocess.run(["node", str(katex)], input=json.dumps(formulas), capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_card_pdf(tex, tmp_path, lang, capsys):
    from symopt.cli import main

    out = tmp_path / "card.pdf"
    assert main(["optimizers", "--format", "pdf", "--lang", lang, "-o", str(out)]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Nesterov Momentum (nesterov)" in text and ("Hyperparameters" if lang == "en" else "Siêu tham số") in text


@pytest.mark.parametrize("placement,expected", [("outside", "0.9047619"), ("inside", "0.9012270"), ("hat", "0.9612574")])
def test_adam_eps_placements_give_the_reference_numbers(placement, expected):
    """conventions.md: eps = 0.1, f = w^2, w0 = 1, alpha = 0.1, one Adam step.  'hat' is Keras'
    eps-hat, which neither PyTorch nor optax implements, so this is its check."""
    spec = {"function": "w1**2", "exercise": [{
        "optimizer": "adam", "start": {"w1": 1}, "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 0.1},
        "options": {"eps_placement": placement}, "epochs": 1, "numbers": "precision:20"}]}
    value = symopt.solve(spec).exercises[0].epochs[0].params["w1"]
    assert value.startswith(expected)


def test_adding_an_optimizer_is_one_entry(monkeypatch, capsys):
    """An optimizer is one entry of the catalogue: its rules, and how a heading may spell it.  The
    engine, the sheet in both languages, the card and the checker (which reads the heading
    "Ada-Belief" as it) take it from there."""
    from symopt.check.document import optimizer_named
    from symopt.cli import main
    from symopt.optimizers import OPTIMIZERS, Optimizer

    belief = Optimizer("adabelief", "AdaBelief", ("alpha", "beta1", "beta2", "epsilon"), ("v", "s"),
                       ("v = beta1*v + (1 - beta1)*g", "s = beta2*s + (1 - beta2)*(g - v)^2", "w = w - alpha*v/(sqrt(s) + epsilon)"),
                       spellings=(r"\bada[- ]?belief\b",))
    monkeypatch.setitem(OPTIMIZERS, "adabelief", belief)
    spec = {"function": "0.1*w1**2 + 2*w2**2", "exercise": [
        {"optimizer": "adabelief", "hyper": {"alpha": "0.1", "beta1": "0.9", "beta2": "0.999", "epsilon": "1e-8"},
         "start": {"w1": "-5", "w2": "-2"}, "epochs": 2, "numbers": "hand:4"}]}
    for lang, heading in (("en", "## Exercise 1: AdaBelief"), ("vi", "## Bài 1 AdaBelief")):
        md = symopt.solve({**spec, "lang": lang}).to_markdown()
        assert heading in md and "$$dw_1 = 0.2 \\cdot (-5) = -1$$" in md and "$$v_1 = 0.9 \\cdot 0 + 0.1 \\cdot (-1) = -0.1$$" in md
        report = symopt.check(md)
        assert report.summary["lines"] > 20 and not report.errors and not report.warnings
        wrong = symopt.check(md.replace("$$v_1 = 0.9 \\cdot 0 + 0.1 \\cdot (-1) = -0.1$$", "$$v_1 = 0.9 \\cdot 0 + 0.1 \\cdot (-1) = -0.2$$"))
        assert [f.kind for f in wrong.errors][:1] == ["arithmetic"]
    assert optimizer_named("Ada-Belief, by hand") == "adabelief" and optimizer_named("Adam") == "adam"
    assert main(["optimizers"]) == 0 and "AdaBelief" in capsys.readouterr().out
