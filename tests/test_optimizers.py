"""Optimizers are data: a new one is one entry, and its formulas, numbers and lines follow."""

from __future__ import annotations

import pytest

from conftest import spec
import symopt
from symopt.notation import Symbol
from symopt.optimizers import OPTIMIZERS, Optimizer


@pytest.fixture
def adagrad(monkeypatch):
    # One entry, nothing else touched: a state name (h) that no other optimizer uses.
    entry = Optimizer("adagrad", "AdaGrad", ("alpha", "epsilon"), ("h",),
                      ("h = h + g^2", "w = w - alpha*(g/sqrt(h + epsilon))"))
    monkeypatch.setitem(OPTIMIZERS, "adagrad", entry)
    return entry


def test_adding_an_optimizer_is_one_entry(adagrad):
    ex = symopt.solve(spec("adagrad", {"alpha": 0.5, "epsilon": 0}, function="w1**2", start={"w1": 1}, epochs=2)).exercises[0]
    assert ex.formulas == ("H_t = H_{t-1} + dW_t^2", "W_t = W_{t-1} - \\alpha * \\frac{dW_t}{\\sqrt{H_t + \\epsilon}}")
    assert ex.data == "w_1 = 1,\\; h_1 = 0,\\; \\alpha = 0.5,\\; \\epsilon = 0"
    assert [line.latex for line in ex.epochs[0].lines] == [
        "dw_1 = 2 * 1 = 2",
        "h_1 = 0 + 2^2 = 4",
        "w_1 = 1 - 0.5 * \\frac{2}{\\sqrt{4 + 0}} = 0.5",
    ]
    # 0.5 - 0.5/sqrt(5) = 0.27639320225002103035908263312687237645593816..., to 40 digits:
    assert ex.epochs[1].params == {"w1": "0.2763932022500210303590826331268723764559"}


def test_an_optimizer_can_name_its_own_quantities(monkeypatch):
    entry = Optimizer("adagrad", "AdaGrad", ("alpha",), ("h",), ("h = h + g^2", "w = w - alpha*g/sqrt(h)"),
                      symbols={"h": Symbol("G")})
    monkeypatch.setitem(OPTIMIZERS, "adagrad", entry)
    ex = symopt.solve(spec("adagrad", {"alpha": 0.5}, function="w1**2", start={"w1": 1}, epochs=1)).exercises[0]
    assert ex.formulas[0] == "G_t = G_{t-1} + dW_t^2"
    assert ex.epochs[0].lines[1].latex == "G_1 = 0 + 2^2 = 4"
