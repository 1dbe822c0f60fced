"""Every $$...$$ (and inline $...$) of every Markdown symopt renders is accepted by real KaTeX.

Runs node with tests/katex's pinned katex (installed by the README's test command).  Skips when
node or katex is missing, fails instead when SYMOPT_REQUIRE_KATEX=1.
"""

from __future__ import annotations

import json
import re
import subprocess

from conftest import SEED_SPEC, spec
import symopt

ADAM = {"alpha": 0.2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6}


def sheets() -> list[str]:
    out = [symopt.solve(SEED_SPEC).to_markdown(), symopt.solve(SEED_SPEC, lang="en", numbers="precision:20").to_markdown()]
    many = {f"w{i}": i - 6 for i in range(1, 13)}
    specs = [
        spec("adam", ADAM, numbers="hand:4", options={"eps_placement": "outside"}, epochs=3),
        spec("rmsprop", {"alpha": 0.3, "gamma": 0.9, "epsilon": 1e-6}, numbers="exact", epochs=2),
        spec("gd", {"alpha": 0.1}, function="exp(-w1/3) + log(1 + w2^2) + abs(w1)*sin(w2) + sqrt(w1^2 + 1) + tanh(w2)/3 + atan(w1)*cosh(w2)", numbers="precision:15"),
        spec("momentum", {"alpha": 0.1, "beta": 0.9}, function=" + ".join(f"{i}*w{i}^2" for i in range(1, 13)), start=many, epochs=1),
        spec("gd", {"alpha": 0.25}, function="w1**2/3 - w1*w2 + (w2 - 1)^4", numbers="exact", epochs=2, steps=True),
    ]
    for s, mult in zip(specs, ["*", "cdot", "times", "*", "cdot"], strict=True):
        s["mult"] = mult
        out.append(symopt.solve(s).to_markdown())
    out += notation_sheets()
    out += table_sheets()
    out += schedule_sheets()
    out += dataset_sheets()
    return out


def schedule_sheets() -> list[str]:
    """Every kind of learning-rate schedule (examples/schedules.toml, and a sheet of each kind with
    its frameworks' note), in both languages."""
    from conftest import ROOT

    kinds = [{"kind": "step", "step_size": 2, "gamma": 0.5}, {"kind": "multistep", "milestones": [1, 2], "gamma": 0.1},
             {"kind": "exponential", "gamma": 0.9}, {"kind": "inverse_time", "k": 0.5, "step_size": 2},
             {"kind": "cosine", "T": 2, "alpha_min": 0.01}, {"kind": "warmup", "epochs": 1, "alpha_start": 0.01,
                                                             "then": {"kind": "multistep", "milestones": [1], "gamma": 0.5}},
             "alpha/sqrt(t)"]
    exercises = [{"optimizer": "momentum", "hyper": {"alpha": 0.1, "beta": 0.9}, "start": {"w1": 1, "w2": 2}, "epochs": 3,
                  "numbers": "hand:4", "schedule": k} for k in kinds]
    out = [symopt.solve(ROOT / "examples" / "schedules.toml", lang=lang).to_markdown() for lang in ("en", "vi")]
    for lang in ("en", "vi"):
        out.append(symopt.solve({"function": "w1**2 + w2**2", "lang": lang, "notes": "frameworks", "exercise": exercises}).to_markdown())
    return out


def dataset_sheets() -> list[str]:
    """Dataset problems: the data table, linear and logistic regression (the sigmoid, the logarithms
    of cross-entropy), a loss of the spec's own, full batch, one sample and mini-batches per step,
    in both languages, with a trajectory table of the loss on the data."""
    data = {"x": [1, 2, 3], "y": [0, 1, 1]}
    start = {"w": 0, "b": 0}
    exercises = [{"optimizer": "gd", "model": "linear", "hyper": {"alpha": 0.1}, "start": start, "numbers": "hand:4"},
                 {"optimizer": "adam", "model": "logistic", "hyper": ADAM, "start": start, "batch": 2, "shuffle": {"seed": 2},
                  "numbers": "precision:8 comma"},
                 {"optimizer": "momentum", "loss": "log(1 + (w*x - y)^2)", "hyper": {"alpha": 0.1, "beta": 0.9}, "start": {"w": 1},
                  "batch": 1, "reduction": "sum"}]
    spec = {"data": data, "table": True, "exercise": exercises}
    return [symopt.solve(spec).to_markdown(), symopt.solve(spec, lang="vi").to_markdown()]


def table_sheets() -> list[str]:
    """Trajectory tables and the comparison (the spec's table): cells with \\approx, powers of ten,
    decimal commas, the lecture's names; the criterion's f(\\boldsymbol{\\theta}_t) \\le …."""
    tables = {"function": "log(1 + x^2) + 2*y**2 - 1", "table": {"rows": 4, "tolerance": "1e-6", "minimum": -1},
              "defaults": {"start": {"x": -2, "y": 1}, "epochs": 12},
              "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.2}, "numbers": "exact", "epochs": 3},
                           {"optimizer": "adam", "hyper": ADAM, "numbers": "precision:8 comma"},
                           {"optimizer": "momentum", "hyper": {"alpha": 0.1, "beta": 0.9}, "numbers": "hand:4"}]}
    return [symopt.solve(tables).to_markdown(), symopt.solve(tables, lang="vi").to_markdown(),
            symopt.solve({**spec("gd", {"alpha": 0.4}, epochs=3), "table": True}).to_markdown()]


def notation_sheets() -> list[str]:
    """Every optimizer and option of the catalogue in the lecture's names (theta, x and y, theta_1,
    e and lambda), each gradient name, and a custom optimizer with a Greek hyperparameter."""
    from symopt.optimizers import OPTIMIZERS

    out = []
    names = [("theta",), ("x", "y"), ("theta1", "theta2"), ("e", "lambda"), ("x1",)]
    for n, (key, opt) in enumerate(sorted(OPTIMIZERS.items())):
        variables = names[n % len(names)]
        exercises = []
        for option, choices in opt.options.items():
            for value in choices:
                options = {option: value}
                hyper = {h: 0.5 for h in opt.hyper_for(options)}
                exercises.append({"optimizer": key, "options": options, "hyper": hyper, "epochs": 2, "numbers": "hand:4",
                                  "start": {v: 1 for v in variables}, "gradient_name": ["d", "g", "partial"][len(exercises) % 3]})
        if not exercises:
            exercises = [{"optimizer": key, "hyper": {h: 0.5 for h in opt.hyper_for({})}, "epochs": 2,
                          "start": {v: 1 for v in variables}, "gradient_name": "partial"}]
        function = " + ".join(f"{v}**2" for v in variables) + " + exp(0.1*" + variables[0] + ")"
        out.append(symopt.solve({"function": function, "exercise": exercises}).to_markdown())
    custom = {"function": "pi*kappa1**2", "optimizers": {"mine": {"name": "Mine", "state": {"m": 0},
              "rules": ["m = kappa*m + g", "w = w - zeta_2*m"]}},
              "exercise": [{"optimizer": "mine", "hyper": {"kappa": 0.5, "zeta_2": 0.1}, "start": {"kappa1": 1}}]}
    out.append(symopt.solve(custom).to_markdown())
    return out


def test_every_formula_renders_in_katex(katex):
    formulas = []
    for md in sheets():
        display = re.findall(r"^\$\$(.+)\$\$$", md, re.MULTILINE)
        assert display and all(f.strip() for f in display)
        inline = re.findall(r"(?<![\\$])\$([^$\n]+)\$(?!\$)", re.sub(r"^\$\$.*\$\$$", "", md, flags=re.MULTILINE))
        formulas += display + inline
    assert len(formulas) > 300
    done = subprocess.run(["node", str(katex)], input=json.dumps(formulas), capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_the_checker_does_catch_bad_tex(katex):
    bad = ["\\frac{1}{", "x^^2", "\\nosuchmacro"]
    done = subprocess.run(["node", str(katex)], input=json.dumps(bad), capture_output=True, text=True, check=True)
    assert [f["index"] for f in json.loads(done.stdout)] == [0, 1, 2]
