"""The Python API: load, solve, and the Solution's outputs (Jupyter included)."""

from __future__ import annotations

from fractions import Fraction
import json

import pytest

from conftest import SEED_SPEC, spec
import symopt


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


def test_the_trace_is_typed():
    # Issue 13: each line carries its value as a number, how it was shown and its operands; each
    # epoch its parameters as numbers; nothing needs to parse the LaTeX symopt wrote.
    from decimal import Decimal

    solution = symopt.solve(SEED_SPEC)
    rmsprop, adam = solution.exercises[2], solution.exercises[3]
    line = adam.epochs[1].lines[-1]  # w_2 = -1.8 - 0.2 * \frac{-7.5789}{\sqrt{57.917 + 10^{-6}}} = -1.6008
    assert (line.quantity, line.variable, line.text, line.approx) == ("w", "w2", "-1.6008", False)
    assert line.value == Decimal("-1.6008") and line.shown.rounded and line.shown.places == 4
    assert [(o.key, o.shown.text, o.shown.rounded) for o in line.operands] == [
        ("w", "-1.8", True), ("v_hat", "-7.5789", True), ("s_hat", "57.917", True)]
    assert adam.epochs[1].values == {"w1": Decimal("-4.6003"), "w2": Decimal("-1.6008")}
    assert adam.epochs[1].reference["w2"] == Decimal("-1.6008244586154543257")  # without rounding, 20 digits
    s1 = rmsprop.epochs[1].lines[2]  # s_1 = 0.9 * 0.1 + 0.1 * (-0.8102)^2 = 0.156 (0.15564404 rounded)
    assert (s1.text, s1.shown.value, s1.shown.unit) == ("0.156", Fraction("0.156"), Fraction(1, 1000))
    exact = symopt.solve(SEED_SPEC, numbers="exact").exercises[2].epochs[1].lines[1]
    assert exact.latex == "dw_2 = 4 * (-1.05132) \\approx -4.2053" and exact.approx
    assert exact.operands[0].shown.places == 5 and exact.shown.value == Fraction("-4.2053")
    assert str(exact.value).startswith("-4.2052671")  # the exact value, 40 digits
    data = json.loads(solution.to_json())["exercises"][3]["epochs"][1]["lines"][-1]
    assert (data["value"], data["number"], data["relation"], data["shown"]) == (
        "-1.6008", "-1.6008", "=", {"text": "-1.6008", "rounded": True, "places": 4})
    assert data["operands"][1] == {"name": "v_hat", "value": "-7.5789", "rounded": True, "places": 4}
