"""The Python API: load, solve, and the Solution's outputs (Jupyter included)."""

from __future__ import annotations

import json

import pytest

import symopt
from conftest import SEED_SPEC, spec


def test_load_reads_exact_decimals():
    loaded = symopt.load(SEED_SPEC)
    assert loaded.lang == "vi" and loaded.stem == "seed"
    from fractions import Fraction

    assert loaded.exercises[3].hyper["epsilon"] == Fraction(1, 10**6)
    assert loaded.exercises[0].hyper["alpha"] == Fraction(2, 5)


def test_solve_accepts_a_path_a_spec_or_a_dict():
    by_path = symopt.solve(SEED_SPEC)
    by_spec = symopt.solve(symopt.load(SEED_SPEC))
    assert by_path.to_markdown() == by_spec.to_markdown()
    by_dict = symopt.solve(spec("gd", {"alpha": 0.4}))  # Python floats mean their decimal text
    assert by_dict.exercises[0].epochs[1].params == {"w1": "-4.232", "w2": "-0.72"}


def test_solve_overrides():
    solution = symopt.solve(SEED_SPEC, lang="en", epochs=1, numbers="precision:20")
    assert solution.to_markdown().count("Epoch 1:") == 4 and "Epoch 2:" not in solution.to_markdown()
    assert "## Exercise 4: Adam" in solution.to_markdown()
    assert solution.exercises[3].epochs[0].params["w1"] == "-4.8000000999999250001"


def test_json_round_trips(seed_solution):
    data = json.loads(seed_solution.to_json())
    assert data["title"] == "Optimization Algorithms in Deep Learning"
    assert data["exercises"][3]["epochs"][1]["params"] == {"w1": "-4.6003", "w2": "-1.6008"}
    assert data["exercises"][3]["numbers"] == "hand:4 keep 7"
    assert data["exercises"][3]["hyper"] == {"alpha": "0.2", "beta1": "0.9", "beta2": "0.999", "epsilon": "0.000001"}


def test_jupyter_reprs(seed_solution):
    assert seed_solution._repr_markdown_() == seed_solution.to_markdown()
    latex = seed_solution._repr_latex_()
    assert latex.splitlines()[0] == "$$\\textbf{Optimization Algorithms in Deep Learning}$$"
    assert "$$w_1 = -4.6 - 0.4 * (-0.92) = -4.232$$" in latex.splitlines()


def test_errors_are_symopt_errors():
    with pytest.raises(symopt.SymoptError, match="exercise 1: hyper: missing alpha"):
        symopt.solve(spec("gd", {}))
    with pytest.raises(symopt.SymoptError, match="solve\\(\\) takes a Spec, a path or a dict"):
        symopt.solve(42)


def test_an_exercise_with_its_own_function_shows_it():
    s = spec("gd", {"alpha": 0.1}, epochs=1)
    s["exercise"].insert(0, {**s["exercise"][0], "function": "w1**2 + w2**2"})
    md = symopt.solve(s).to_markdown()
    sections = md.split("## ")
    assert "$$f(w_1, w_2) = 0.1w_1^2 + 2w_2^2$$" in sections[0]  # the sheet's f, at the top
    assert "$$f(w_1, w_2) = w_1^2 + w_2^2$$" in sections[1]  # exercise 1 has its own
    assert "$$f(" not in sections[2]  # exercise 2 uses the sheet's


def test_solve_refuses_unknown_keywords():
    with pytest.raises(TypeError):
        symopt.solve(SEED_SPEC, numbrs="hand:2")


def test_solution_is_exported():
    assert isinstance(symopt.solve(spec("gd", {"alpha": 0.4})), symopt.Solution)


def test_json_has_the_options_in_effect_and_a_parseable_gradient():
    s = spec("adam", {"alpha": 0.2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6}, function="abs(w1 - 1) + w2**2")
    data = json.loads(symopt.solve(s).to_json())["exercises"][0]
    assert data["options"] == {"eps_placement": "inside", "amsgrad": False, "weight_decay_style": "none"}  # the defaults, said out loud
    assert data["start"] == {"w1": "-5", "w2": "-2"}
    assert data["gradient"] == {"w1": "sign(w1-1)", "w2": "2*w2"}
    from symopt.expr import parse

    parse(data["gradient"]["w1"])  # the JSON's gradient is in the spec's own language


def test_jupyter_latex_has_every_line(seed_solution):
    lines = seed_solution._repr_latex_().splitlines()
    view = seed_solution.view()
    expected = 1 + 1 + sum(1 + len(ex["formulas"]) + 1 + len(ex["derivatives"])
                           + sum(1 + len(e["lines"]) for e in ex["epochs"]) for ex in view["exercises"])
    assert len(lines) == expected and all(line.startswith("$$") and line.endswith("$$") for line in lines)
    assert "$$\\textbf{Bài 4 Adam}$$" in lines and "$$\\text{Epoch 2:}$$" in lines
