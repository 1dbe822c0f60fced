"""The printer: input tree, exact expected text (formulas, and templates filled with values)."""

from __future__ import annotations

import pytest

from conftest import spec
import symopt
from symopt.expr import parse
from symopt.optimizers import name_latex
from symopt.printer import Hole, fill, latex, template


def formula(text: str, mult: str = "*") -> str:
    return latex(parse(text), name_latex, mult)


def substituted(text: str, values: dict[str, str], mult: str = "*") -> str:
    return fill(template(parse(text), Hole, mult), values)


@pytest.mark.parametrize(
    "text,out",
    [
        ("0.1*w1**2 + 2*w2**2", "0.1w_1^2 + 2w_2^2"),
        ("beta*v + (1 - beta)*g", "\\beta v + (1 - \\beta) g"),
        ("alpha*(g/sqrt(s + epsilon))", "\\alpha * \\frac{g}{\\sqrt{s + \\epsilon}}"),
        ("v/(1 - beta1^t)", "\\frac{v}{1 - \\beta_1^t}"),
        ("w1^10", "w_1^{10}"),
        ("w10*w2", "w_{10} w_2"),
        ("2*3", "2 * 3"),
        ("-(w1 + w2)", "-(w_1 + w_2)"),
        ("w1 - (w2 - 1)", "w_1 - (w_2 - 1)"),
        ("w1 + -w2", "w_1 + (-w_2)"),
        ("(w1 + 1)^2", "(w_1 + 1)^2"),
        ("(w1/2)^2", "\\left(\\frac{w_1}{2}\\right)^2"),
        ("exp(-w1) + log(w2) + abs(w1) + tanh(w2)", "e^{-w_1} + \\ln\\left(w_2\\right) + \\left|w_1\\right| + \\tanh\\left(w_2\\right)"),
        ("1e-6 + 0.001", "10^{-6} + 0.001"),
    ],
)
def test_formulas(text, out):
    assert formula(text) == out


@pytest.mark.parametrize(
    "text,values,out",
    [
        ("w - a*g", {"w": "-5", "a": "0.4", "g": "-1"}, "-5 - 0.4 * (-1)"),  # leads bare, operands in ()
        ("b*v + c*g", {"b": "0.5", "v": "0", "c": "0.5", "g": "-1"}, "0.5 * 0 + 0.5 * (-1)"),
        ("c*g^2", {"c": "0.1", "g": "-1"}, "0.1 * (-1)^2"),
        ("c*g^2", {"c": "0.1", "g": "10^{-6}"}, "0.1 * (10^{-6})^2"),  # a composite base
        ("v/(1 - b^t)", {"v": "-0.1", "b": "0.9", "t": "1"}, "\\frac{-0.1}{1 - 0.9^1}"),
        ("v/(1 - b^t)", {"v": "-0.1", "b": "0.9", "t": "12"}, "\\frac{-0.1}{1 - 0.9^{12}}"),
        ("w - g", {"w": "1", "g": "-2"}, "1 - (-2)"),
        ("-g", {"g": "-2"}, "-(-2)"),
        ("sqrt(s)", {"s": "0.1"}, "\\sqrt{0.1}"),
    ],
)
def test_substituted(text, values, out):
    assert substituted(text, values) == out


@pytest.mark.parametrize("mult,sign", [("*", "*"), ("cdot", "\\cdot"), ("times", "\\times")])
def test_multiplication_sign(mult, sign):
    s = spec("gd", {"alpha": 0.4}, epochs=1)
    s["mult"] = mult
    line = symopt.solve(s).exercises[0].epochs[0].lines[0].latex
    assert line == f"dw_1 = 0.2 {sign} (-5) = -1"


def test_many_variables_keep_natural_order_and_braces():
    function = " + ".join(f"w{i}**2" for i in range(1, 12))
    ex = symopt.solve(spec("gd", {"alpha": 0.1}, function=function, start={f"w{i}": i for i in range(1, 12)}, epochs=1)).exercises[0]
    assert ex.exercise.variables == tuple(f"w{i}" for i in range(1, 12))
    assert ex.derivatives[9] == "dw_{10} = 2w_{10}"
    assert ex.epochs[0].lines[-1].latex == "w_{11} = 11 - 0.1 * 22 = 8.8"
    assert ex.function_latex.startswith("f(w_1, w_2, w_3, w_4, w_5, w_6, w_7, w_8, w_9, w_{10}, w_{11}) = w_1^2")


def test_constant_gradient_has_no_middle_step():
    ex = symopt.solve(spec("gd", {"alpha": 0.5}, function="3*w1", start={"w1": 1}, epochs=1)).exercises[0]
    assert [line.latex for line in ex.epochs[0].lines] == ["dw_1 = 3", "w_1 = 1 - 0.5 * 3 = -0.5"]


def test_a_parenthesized_base_starts_a_new_group():
    assert substituted("(w - 1)^3", {"w": "-2"}) == "(-2 - 1)^3"
    assert substituted("(a*w)^2", {"a": "2", "w": "-2"}) == "(2 * (-2))^2"
    assert substituted("(w^2)^3", {"w": "-2"}) == "((-2)^2)^3"


@pytest.mark.parametrize(("text", "out"), [
    ("where(rho > 5, x, 1)", "\\begin{cases} x & \\rho > 5 \\\\ 1 & \\rho \\le 5 \\end{cases}"),
    # a chain on one left side is one cases, each row with its interval (a schedule's phases)
    ("where(t <= 5, a, where(t <= 21, b, c))", "\\begin{cases} a & t \\le 5 \\\\ b & 5 < t \\le 21 \\\\ c & t > 21 \\end{cases}"),
    ("where(t > 5, a, where(t > 2, b, c))", "\\begin{cases} a & t > 5 \\\\ b & 5 \\ge t > 2 \\\\ c & t \\le 2 \\end{cases}"),
    # not a chain (the bounds go back): a case of its own
    ("where(t <= 5, a, where(t <= 3, b, c))",
     "\\begin{cases} a & t \\le 5 \\\\ \\begin{cases} b & t \\le 3 \\\\ c & t > 3 \\end{cases} & t > 5 \\end{cases}"),
])
def test_where_prints_as_cases(text, out):
    from symopt.expr import RULE_FUNCTIONS

    assert latex(parse(text, RULE_FUNCTIONS), name_latex) == out
