"""The notation table: how every name prints, for any variable names, and that it reads back.

Exact strings, one input and its expected text per line, as SymPy's printing tests are written.
"""

from __future__ import annotations

import itertools

import pytest

import symopt
from symopt.notation import DECAYED, Notation, name_latex, plain_names
from symopt.optimizers import OPTIMIZERS

ADAM = {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}


def lines(function: str, optimizer: str, hyper: dict, start: dict, epochs: int = 1, numbers: str = "hand:4", **exercise) -> list[list[str]]:
    spec = {"function": function, "mult": "*",
            "exercise": [{"optimizer": optimizer, "hyper": hyper, "start": start, "epochs": epochs, "numbers": numbers, **exercise}]}
    worked = symopt.solve(spec).exercises[0]
    return [[line.latex for line in epoch.lines] for epoch in worked.epochs]


def worked(function: str, optimizer: str, hyper: dict, start: dict, **exercise):
    spec = {"function": function, "mult": "*",
            "exercise": [{"optimizer": optimizer, "hyper": hyper, "start": start, "epochs": 1, "numbers": "hand:4", **exercise}]}
    return symopt.solve(spec).exercises[0]


# -- the table itself ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, latex", [
    ("w1", "w_1"), ("theta", "\\theta"), ("theta2", "\\theta_2"), ("x", "x"), ("e", "e"), ("kappa", "\\kappa"),
    ("beta_2", "\\beta_2"), ("lr", "\\mathrm{lr}"), ("weight_decay", "\\lambda"), ("Omega", "\\Omega"), ("x10", "x_{10}"),
])
def test_name_latex(name, latex):
    assert name_latex(name) == latex


def test_reference_layout_names():
    n = Notation(("w1", "w2"), ("alpha", "beta1"))
    assert [n.line(q, "w1") for q in ("w", "g", "v", "s", "v_hat", "s_hat", "s_max", DECAYED)] == [
        "w_1", "dw_1", "v_1", "s_1", "v_{\\mathrm{corr}1}", "s_{\\mathrm{corr}1}", "s_{\\mathrm{max}1}", "d\\tilde{w}_1"]
    assert [(n.now(q), n.prev(q)) for q in ("w", "g", "v", "v_hat", "s_max", DECAYED)] == [
        ("W_t", "W_{t-1}"), ("dW_t", "dW_t"), ("V_t", "V_{t-1}"), ("V_{\\mathrm{corr}}", "V_{\\mathrm{corr}}"), ("S_{\\mathrm{max},t}", "S_{\\mathrm{max},t-1}"),
        ("d\\tilde{W}_t", "d\\tilde{W}_t")]


def test_lecture_layout_names():
    one = Notation(("theta",))
    assert [one.line(q, "theta") for q in ("w", "g", "v", "v_hat", "s_hat", "s_max")] == [
        "\\theta", "d\\theta", "v_{\\theta}", "\\hat{v}_{\\theta}", "\\hat{s}_{\\theta}", "s_{\\max,\\theta}"]
    assert [one.now(q) for q in ("w", "g", "v", "v_hat")] == ["\\theta_t", "d\\theta_t", "v_t", "\\hat{v}_t"]
    assert one.prev("w") == "\\theta_{t-1}" and one.prev("v") == "v_{t-1}"
    two = Notation(("theta1", "theta2"))
    assert [two.line("v", v) for v in two.variables] == ["v_{\\theta_1}", "v_{\\theta_2}"]
    assert two.now("w") == "\\boldsymbol{\\theta}_t"
    xy = Notation(("x", "y"))
    assert [xy.line("s_hat", v) for v in xy.variables] == ["\\hat{s}_x", "\\hat{s}_y"]
    assert xy.now("w") == "\\boldsymbol{\\theta}_t"
    mixed = Notation(("w1", "x1"))  # not the reference layout: v_1 would name two quantities
    assert [mixed.line("s", v) for v in mixed.variables] == ["s_{w_1}", "s_{x_1}"]


@pytest.mark.parametrize("gradient, line, now", [
    ("d", "dx", "dx_t"), ("g", "g_x", "g_t"), ("partial", "\\frac{\\partial f}{\\partial x}", "\\left(\\frac{\\partial f}{\\partial x_{t-1}}\\right)"),
])
def test_gradient_names(gradient, line, now):
    n = Notation(("x",), gradient=gradient)
    assert (n.line("g", "x"), n.now("g")) == (line, now)


def test_quantities_of_the_epoch_take_its_number():
    n = OPTIMIZERS["nadam"].notation(("w1", "w2"))
    assert n.per_epoch == {"mu", "mu_next", "p"}
    assert [n.line(q, epoch=3) for q in ("mu", "mu_next", "p")] == ["\\mu_3", "\\mu_4", "\\Pi_3"]
    assert n.line("p", epoch=0) == "\\Pi_0"
    assert (n.now("p"), n.prev("p"), n.now("mu_next")) == ("\\Pi_t", "\\Pi_{t-1}", "\\mu_{t+1}")
    assert n.read_epoch("\\mu_4", 3) == ("mu_next", False)
    assert n.read_epoch("\\Pi_2", 3) == ("p", True)
    r = OPTIMIZERS["radam"].notation(("x",))
    assert r.per_epoch == {"rho_inf", "rho", "r"}
    assert (r.line("rho_inf", epoch=5), r.now("rho_inf"), r.line("l", "x")) == ("\\rho_{\\infty}", "\\rho_{\\infty}", "l_x")


def test_a_hyperparameter_never_takes_a_variables_name():
    n = Notation(("lambda",), ("alpha", "weight_decay"))
    assert (n.variable("lambda"), n.hyper("weight_decay"), n.hyper("alpha")) == ("\\lambda", "\\mathrm{weight\\_decay}", "\\alpha")


def test_plain_names_for_the_reader():
    assert plain_names("\\frac{\\partial f}{\\partial \\theta_{t-1}} + \\boldsymbol{\\theta}_t") == "d\\theta_{t-1} + \\theta_t"
    assert plain_names("\\frac{\\partial f}{\\partial w_1} = 2w_1") == "dw_1 = 2w_1"


# -- sheets in the problem's own names ----------------------------------------------------------

def test_theta_adam():
    w = worked("theta**2", "adam", ADAM, {"theta": 1})
    assert w.formulas == (
        "v_t = \\beta_1 v_{t-1} + (1 - \\beta_1) d\\theta_t",
        "s_t = \\beta_2 s_{t-1} + (1 - \\beta_2) d\\theta_t^2",
        "\\hat{v}_t = \\frac{v_t}{1 - \\beta_1^t}",
        "\\hat{s}_t = \\frac{s_t}{1 - \\beta_2^t}",
        "\\theta_t = \\theta_{t-1} - \\alpha * \\frac{\\hat{v}_t}{\\sqrt{\\hat{s}_t + \\epsilon}}",
    )
    assert w.data == "\\theta = 1,\\; v_{\\theta} = 0,\\; s_{\\theta} = 0,\\; \\alpha = 0.1,\\; \\beta_1 = 0.9,\\; \\beta_2 = 0.999,\\; \\epsilon = 10^{-8}"
    assert [line.latex for line in w.epochs[0].lines] == [
        "d\\theta = 2 * 1 = 2",
        "v_{\\theta} = 0.9 * 0 + 0.1 * 2 = 0.2",
        "s_{\\theta} = 0.999 * 0 + 0.001 * 2^2 = 0.004",
        "\\hat{v}_{\\theta} = \\frac{v_{\\theta}}{1 - \\beta_1^1} = \\frac{0.2}{1 - 0.9^1} = 2",
        "\\hat{s}_{\\theta} = \\frac{s_{\\theta}}{1 - \\beta_2^1} = \\frac{0.004}{1 - 0.999^1} = 4",
        "\\theta = 1 - 0.1 * \\frac{2}{\\sqrt{4 + 10^{-8}}} = 0.9",
    ]


def test_x_and_y_momentum():
    w = worked("x**2 + 2*y**2", "momentum", {"alpha": 0.1, "beta": 0.9}, {"x": 1, "y": -1})
    assert w.formulas == ("v_t = \\beta v_{t-1} + (1 - \\beta) d\\boldsymbol{\\theta}_t",
                          "\\boldsymbol{\\theta}_t = \\boldsymbol{\\theta}_{t-1} - \\alpha v_t")
    assert [line.latex for line in w.epochs[0].lines] == [
        "dx = 2 * 1 = 2", "dy = 4 * (-1) = -4",
        "v_x = 0.9 * 0 + 0.1 * 2 = 0.2", "v_y = 0.9 * 0 + 0.1 * (-4) = -0.4",
        "x = 1 - 0.1 * 0.2 = 0.98", "y = -1 - 0.1 * (-0.4) = -0.96",
    ]


def test_theta1_theta2_keep_theta():
    assert lines("theta1**2 + theta2**2", "rmsprop", {"alpha": 0.1, "gamma": 0.9, "epsilon": 1e-8}, {"theta1": 1, "theta2": 2})[0][2:4] == [
        "s_{\\theta_1} = 0.9 * 0 + 0.1 * 2^2 = 0.4", "s_{\\theta_2} = 0.9 * 0 + 0.1 * 4^2 = 1.6"]


def test_w1_beside_x1_are_two_names():
    epoch = lines("w1**2 + 3*x1**2", "rmsprop", {"alpha": 0.1, "gamma": 0.9, "epsilon": 1e-8}, {"w1": 1, "x1": 2})[0]
    assert epoch[2:4] == ["s_{w_1} = 0.9 * 0 + 0.1 * 2^2 = 0.4", "s_{x_1} = 0.9 * 0 + 0.1 * 12^2 = 14.4"]


def test_a_variable_named_e():
    w = worked("e**2", "adam", ADAM, {"e": 1})
    assert w.function_latex == "f(e) = e^2"
    assert [line.latex.split(" = ")[0] for line in w.epochs[0].lines] == ["de", "v_e", "s_e", "\\hat{v}_e", "\\hat{s}_e", "e"]


def test_weight_decay_as_l2_names_the_decayed_gradient():
    w = worked("theta**2", "momentum", {"alpha": 0.1, "beta": 0.9, "weight_decay": 0.01}, {"theta": 1},
               options={"weight_decay_style": "l2"})
    assert w.formulas == ("d\\tilde{\\theta}_t = d\\theta_t + \\lambda \\theta_{t-1}",
                          "v_t = \\beta v_{t-1} + (1 - \\beta) d\\tilde{\\theta}_t",
                          "\\theta_t = \\theta_{t-1} - \\alpha v_t")
    assert [line.latex for line in w.epochs[0].lines] == [
        "d\\theta = 2 * 1 = 2", "d\\tilde{\\theta} = 2 + 0.01 * 1 = 2.01",
        "v_{\\theta} = 0.9 * 0 + 0.1 * 2.01 = 0.201", "\\theta = 1 - 0.1 * 0.201 = 0.9799"]
    ref = worked("w1**2", "gd", {"alpha": 0.1, "weight_decay": 0.01}, {"w1": 1}, options={"weight_decay_style": "l2"})
    assert ref.formulas[0] == "d\\tilde{W}_t = dW_t + \\lambda W_{t-1}"
    assert ref.epochs[0].lines[1].latex == "d\\tilde{w}_1 = 2 + 0.01 * 1 = 2.01"


def test_adamw_shows_the_product_of_its_hyperparameters():
    epoch = lines("theta**2", "adamw", {**ADAM, "weight_decay": 0.01}, {"theta": 1})[0]
    assert epoch[-1] == "\\theta = 1 - 0.1 * \\frac{2}{\\sqrt{4} + 10^{-8}} - 0.1 * 0.01 * 1 = 0.899"


def test_nadam_writes_the_epochs_quantities_once():
    epochs = lines("w1**2 + w2**2", "nadam", ADAM, {"w1": 1, "w2": 1}, epochs=2)
    names = [[line.split(" = ")[0] for line in epoch] for epoch in epochs]
    assert names[0] == ["dw_1", "dw_2", "\\mu_1", "\\mu_2", "\\Pi_1", "v_1", "v_2", "s_1", "s_2",
                        "v_{\\mathrm{corr}1}", "v_{\\mathrm{corr}2}", "s_{\\mathrm{corr}1}", "s_{\\mathrm{corr}2}", "w_1", "w_2"]
    assert names[1][2:5] == ["\\mu_2", "\\mu_3", "\\Pi_2"]
    assert epochs[0][4] == "\\Pi_1 = \\Pi_0 \\mu_1 = 1 * 0.4501 = 0.4501"
    assert epochs[0][9] == ("v_{\\mathrm{corr}1} = \\frac{\\mu_2 v_1}{1 - \\Pi_1 \\mu_2} + \\frac{(1 - \\mu_1) dw_1}{1 - \\Pi_1}"
                            " = \\frac{0.4501 * 0.2}{1 - 0.4501 * 0.4501} + \\frac{(1 - 0.4501) * 2}{1 - 0.4501} = 2.1129")
    w = worked("w1**2", "nadam", ADAM, {"w1": 1})
    assert w.data == "w_1 = 1,\\; v_1 = 0,\\; s_1 = 0,\\; \\Pi_0 = 1,\\; \\alpha = 0.1,\\; \\beta_1 = 0.9,\\; \\beta_2 = 0.999,\\; \\epsilon = 10^{-8},\\; \\psi = 0.004"


def test_radam_lays_out_its_rectification_in_steps():
    w = worked("x**2", "radam", ADAM, {"x": 1})
    assert w.formulas[:3] == (
        "\\rho_{\\infty} = \\frac{2}{1 - \\beta_2} - 1",
        "\\rho_t = \\rho_{\\infty} - \\frac{2t \\beta_2^t}{1 - \\beta_2^t}",
        "r_t = \\begin{cases} \\sqrt{\\frac{(\\rho_t - 4) (\\rho_t - 2) \\rho_{\\infty}}{(\\rho_{\\infty} - 4) (\\rho_{\\infty} - 2) \\rho_t}}"
        " & \\rho_t > 5 \\\\ 1 & \\rho_t \\le 5 \\end{cases}",
    )
    first = [line.latex for line in w.epochs[0].lines]
    assert first[1] == "\\rho_{\\infty} = \\frac{2}{1 - \\beta_2} - 1 = \\frac{2}{1 - 0.999} - 1 = 1999"
    assert first[2] == "\\rho_1 = \\rho_{\\infty} - \\frac{2 \\beta_2^1}{1 - \\beta_2^1} = 1999 - \\frac{2 * 1 * 0.999^1}{1 - 0.999^1} = 1"
    assert first[-1] == "x = 1 - 0.1 * 2 * 1 * 1 = 0.8"
    later = lines("x**2", "radam", ADAM, {"x": 1}, epochs=2)[1]
    assert not any(line.startswith("\\rho_{\\infty}") for line in later)  # it never changes: written once


def test_adagrads_start_value_is_its_states():
    w = worked("w1**2 + w2**2", "adagrad", {"alpha": 0.1, "epsilon": 1e-8, "s0": 0.1}, {"w1": 1, "w2": 1})
    assert w.data == "w_1 = 1,\\; w_2 = 1,\\; s_1 = 0.1,\\; s_2 = 0.1,\\; \\alpha = 0.1,\\; \\epsilon = 10^{-8}"


def test_gradient_name_option():
    assert lines("x**2", "gd", {"alpha": 0.1}, {"x": 1}, gradient_name="g")[0] == ["g_x = 2 * 1 = 2", "x = 1 - 0.1 * 2 = 0.8"]
    w = worked("x**2", "gd", {"alpha": 0.1}, {"x": 1}, gradient_name="partial")
    assert w.derivatives == ("\\frac{\\partial f}{\\partial x} = 2x",)
    assert w.formulas == ("x_t = x_{t-1} - \\alpha \\left(\\frac{\\partial f}{\\partial x_{t-1}}\\right)",)


def test_a_bad_gradient_name_is_one_clear_error():
    with pytest.raises(symopt.SymoptError, match="gradient_name"):
        worked("x**2", "gd", {"alpha": 0.1}, {"x": 1}, gradient_name="nabla")


def test_a_variable_named_lambda_beside_weight_decay():
    w = worked("lambda**2", "gd", {"alpha": 0.1, "weight_decay": 0.5}, {"lambda": 1}, options={"weight_decay_style": "l2"})
    assert w.data == "\\lambda = 1,\\; \\alpha = 0.1,\\; \\mathrm{weight\\_decay} = 0.5"


# -- no epoch prints one name twice, or one name with two values ----------------------------------

VARIABLE_SETS = [("w1", "w2"), ("x", "y"), ("theta",), ("theta1", "theta2"), ("w1", "x1"), ("e", "x")]


def _variants(optimizer):
    options = list(optimizer.options)
    for combo in itertools.product(*(optimizer.options[o] for o in options)):
        yield dict(zip(options, combo, strict=True))


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_no_epoch_writes_a_name_twice(key):
    optimizer = OPTIMIZERS[key]
    for options, variables in itertools.product(_variants(optimizer), VARIABLE_SETS):
        hyper = {h: 0.5 for h in optimizer.hyper_for(options)}
        function = " + ".join(f"{v}**2" for v in variables)
        spec = {"function": function, "exercise": [{"optimizer": key, "hyper": hyper, "options": options,
                                                      "start": {v: 1 for v in variables}, "epochs": 2}]}
        for epoch in symopt.solve(spec).exercises[0].epochs:
            names = [line.latex.split(" = ")[0] for line in epoch.lines]
            assert len(names) == len(set(names)), (key, options, variables, names)


def test_notes_use_the_sheets_names():
    spec = {"function": "x**2 + y**2", "exercise": [{"optimizer": "rmsprop", "hyper": {"alpha": 0.1, "gamma": 0.9, "epsilon": 1e-8, "weight_decay": 0.1},
                                                      "options": {"centered": True, "weight_decay_style": "l2"}, "start": {"x": 1, "y": 1}}]}
    notes = symopt.solve(spec).view()["exercises"][0]["notes"]
    assert notes[:4] == [
        "In the formulas $\\boldsymbol{\\theta} = (x, y)$: each formula holds for each variable.",
        "Convention: $\\epsilon$ inside the square root.",
        "Centered: the mean gradient $m_t$ is subtracted, $s_t - m_t^2$.",
        "Weight decay as L2: $\\lambda \\boldsymbol{\\theta}$ is added to the gradient first.",
    ]
    vi = symopt.solve({**spec, "lang": "vi"}).view()["exercises"][0]["notes"]
    assert vi[0] == "Trong các công thức $\\boldsymbol{\\theta} = (x, y)$: mỗi công thức áp dụng cho từng biến."


def test_the_default_product_sign_is_a_centred_dot():
    spec = {"function": "x**2", "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"x": 1}, "epochs": 1}]}
    w = symopt.solve(spec).exercises[0]
    assert [line.latex for line in w.epochs[0].lines] == ["dx = 2 \\cdot 1 = 2", "x = 1 - 0.1 \\cdot 2 = 0.8"]
    assert symopt.solve(spec, mult="*").exercises[0].epochs[0].lines[0].latex == "dx = 2 * 1 = 2"
    rms = {"function": "x**2", "exercise": [{"optimizer": "rmsprop", "hyper": {"alpha": 0.1, "gamma": 0.9, "epsilon": 1e-8},
                                             "start": {"x": 1}, "epochs": 1}]}
    assert symopt.solve(rms).exercises[0].formulas[1] == "x_t = x_{t-1} - \\alpha \\cdot \\frac{dx_t}{\\sqrt{s_t + \\epsilon}}"


def test_a_long_data_line_is_written_on_rows_and_reads_back():
    variables = [f"x{i}" for i in range(1, 7)]
    spec = {"function": " + ".join(f"{v}**2" for v in variables), "exercise": [{
        "optimizer": "adam", "hyper": ADAM, "start": {v: 1 for v in variables}, "epochs": 1, "numbers": "hand:4"}]}
    solution = symopt.solve(spec)
    w = solution.exercises[0]
    assert len(w.data_rows) == 3 and w.data == ",\\; ".join(w.data_rows)
    assert w.data_rows[0].startswith("x_1 = 1,\\; x_2 = 1,")
    assert w.data_rows[2] == "\\epsilon = 10^{-8}"  # 11 and 10 items a row: about 84 characters as typeset
    for text in (solution.to_markdown(), solution.to_latex()):
        assert symopt.check(text).summary["warnings"] == symopt.check(text).summary["errors"] == 0


def test_a_variable_named_e_keeps_eulers_number_apart():
    w = worked("e**2 + exp(e)", "gd", {"alpha": 0.1}, {"e": 1})
    assert w.function_latex == "f(e) = e^2 + \\exp\\left(e\\right)"
    assert w.derivatives == ("de = 2e + \\exp\\left(e\\right)",)
    assert w.epochs[0].lines[0].latex == "de = 2 * 1 + \\exp\\left(1\\right) \\approx 4.7183" or \
        w.epochs[0].lines[0].latex == "de = 2 * 1 + \\exp\\left(1\\right) = 4.7183"
    euler = worked("exp(1)*x**2", "gd", {"alpha": 0.1}, {"x": 1})
    assert euler.derivatives == ("dx = 2e x",)


#: Every optimizer's first epoch on f = theta^2 (theta = 1, every hyperparameter 0.5, exact), each line checked by hand:
#: e.g. Adadelta's Delta = sqrt(0.5)/sqrt(2.5) * 2 = 0.8944, NAdam's mu_1 = 0.5(1 - 0.5 * 0.96^0.5) = 0.2551.
EVERY_OPTIMIZER = {
    'gd': [
        'd\\theta = 2 * 1 = 2',
        '\\theta = 1 - 0.5 * 2 = 0',
    ],
    'momentum': [
        'd\\theta = 2 * 1 = 2',
        'v_{\\theta} = 0.5 * 0 + 0.5 * 2 = 1',
        '\\theta = 1 - 0.5 * 1 = 0.5',
    ],
    'nesterov': [
        'd\\theta = 2 * 1 = 2',
        'v_{\\theta} = 0.5 * 0 + 2 = 2',
        '\\theta = 1 - 0.5 * (2 + 0.5 * 2) = -0.5',
    ],
    'adagrad': [
        'd\\theta = 2 * 1 = 2',
        's_{\\theta} = 0 + 2^2 = 4',
        '\\theta = 1 - 0.5 * \\frac{2}{\\sqrt{4} + 0.5} = 0.6',
    ],
    'rmsprop': [
        'd\\theta = 2 * 1 = 2',
        's_{\\theta} = 0.5 * 0 + 0.5 * 2^2 = 2',
        '\\theta = 1 - 0.5 * \\frac{2}{\\sqrt{2 + 0.5}} \\approx 0.3675',
    ],
    'adadelta': [
        'd\\theta = 2 * 1 = 2',
        's_{\\theta} = 0.5 * 0 + 0.5 * 2^2 = 2',
        '\\Delta_{\\theta} = \\frac{\\sqrt{0 + 0.5}}{\\sqrt{2 + 0.5}} * 2 \\approx 0.8944',
        'u_{\\theta} = 0.5 * 0 + 0.5 * 0.8944^2 \\approx 0.4',
        '\\theta = 1 - 0.5 * 0.8944 \\approx 0.5528',
    ],
    'adam': [
        'd\\theta = 2 * 1 = 2',
        'v_{\\theta} = 0.5 * 0 + 0.5 * 2 = 1',
        's_{\\theta} = 0.5 * 0 + 0.5 * 2^2 = 2',
        '\\hat{v}_{\\theta} = \\frac{v_{\\theta}}{1 - \\beta_1^1} = \\frac{1}{1 - 0.5^1} = 2',
        '\\hat{s}_{\\theta} = \\frac{s_{\\theta}}{1 - \\beta_2^1} = \\frac{2}{1 - 0.5^1} = 4',
        '\\theta = 1 - 0.5 * \\frac{2}{\\sqrt{4 + 0.5}} \\approx 0.5286',
    ],
    'adamw': [
        'd\\theta = 2 * 1 = 2',
        'v_{\\theta} = 0.5 * 0 + 0.5 * 2 = 1',
        's_{\\theta} = 0.5 * 0 + 0.5 * 2^2 = 2',
        '\\hat{v}_{\\theta} = \\frac{v_{\\theta}}{1 - \\beta_1^1} = \\frac{1}{1 - 0.5^1} = 2',
        '\\hat{s}_{\\theta} = \\frac{s_{\\theta}}{1 - \\beta_2^1} = \\frac{2}{1 - 0.5^1} = 4',
        '\\theta = 1 - 0.5 * \\frac{2}{\\sqrt{4} + 0.5} - 0.5 * 0.5 * 1 = 0.35',
    ],
    'adamax': [
        'd\\theta = 2 * 1 = 2',
        'v_{\\theta} = 0.5 * 0 + 0.5 * 2 = 1',
        'u_{\\theta} = \\max(0.5 * 0, \\left|2\\right| + 0.5) = 2.5',
        '\\theta = 1 - 0.5 * \\frac{1}{(1 - 0.5^1) * 2.5} = 0.6',
    ],
    'nadam': [
        'd\\theta = 2 * 1 = 2',
        '\\mu_1 = \\beta_1 (1 - 0.5 * 0.96^{1 \\psi}) = 0.5 * (1 - 0.5 * 0.96^{1 * 0.5}) \\approx 0.2551',
        '\\mu_2 = \\beta_1 (1 - 0.5 * 0.96^{2 \\psi}) = 0.5 * (1 - 0.5 * 0.96^{(1 + 1) * 0.5}) = 0.26',
        '\\Pi_1 = \\Pi_0 \\mu_1 = 1 * 0.2551 \\approx 0.2551',
        'v_{\\theta} = 0.5 * 0 + 0.5 * 2 = 1',
        's_{\\theta} = 0.5 * 0 + 0.5 * 2^2 = 2',
        '\\hat{v}_{\\theta} = \\frac{\\mu_2 v_{\\theta}}{1 - \\Pi_1 \\mu_2} + \\frac{(1 - \\mu_1) d\\theta}{1 - \\Pi_1} = \\frac{0.26 * 1}{1 - 0.2551 * 0.26} + \\frac{(1 - 0.2551) * 2}{1 - 0.2551} \\approx 2.2785',
        '\\hat{s}_{\\theta} = \\frac{s_{\\theta}}{1 - \\beta_2^1} = \\frac{2}{1 - 0.5^1} = 4',
        '\\theta = 1 - 0.5 * \\frac{2.2785}{\\sqrt{4} + 0.5} \\approx 0.5443',
    ],
    'radam': [
        'd\\theta = 2 * 1 = 2',
        '\\rho_{\\infty} = \\frac{2}{1 - \\beta_2} - 1 = \\frac{2}{1 - 0.5} - 1 = 3',
        '\\rho_1 = \\rho_{\\infty} - \\frac{2 \\beta_2^1}{1 - \\beta_2^1} = 3 - \\frac{2 * 1 * 0.5^1}{1 - 0.5^1} = 1',
        'r_1 = \\begin{cases} \\sqrt{\\frac{(\\rho_1 - 4) (\\rho_1 - 2) \\rho_{\\infty}}{(\\rho_{\\infty} - 4) (\\rho_{\\infty} - 2) \\rho_1}} & \\rho_1 > 5 \\\\ 1 & \\rho_1 \\le 5 \\end{cases} = \\begin{cases} \\sqrt{\\frac{(1 - 4) * (1 - 2) * 3}{(3 - 4) * (3 - 2) * 1}} & 1 > 5 \\\\ 1 & 1 \\le 5 \\end{cases} = 1',
        'v_{\\theta} = 0.5 * 0 + 0.5 * 2 = 1',
        's_{\\theta} = 0.5 * 0 + 0.5 * 2^2 = 2',
        '\\hat{v}_{\\theta} = \\frac{v_{\\theta}}{1 - \\beta_1^1} = \\frac{1}{1 - 0.5^1} = 2',
        'l_{\\theta} = \\begin{cases} \\frac{\\sqrt{1 - \\beta_2^1}}{\\sqrt{s_{\\theta}} + \\epsilon} & \\rho_1 > 5 \\\\ 1 & \\rho_1 \\le 5 \\end{cases} = \\begin{cases} \\frac{\\sqrt{1 - 0.5^1}}{\\sqrt{2} + 0.5} & 1 > 5 \\\\ 1 & 1 \\le 5 \\end{cases} = 1',
        '\\theta = 1 - 0.5 * 2 * 1 * 1 = 0',
    ],
    'lion': [
        'd\\theta = 2 * 1 = 2',
        'c_{\\theta} = \\operatorname{sign}\\left(0.5 * 2 + 0.5 * 0\\right) = 1',
        'v_{\\theta} = 0.5 * 0 + 0.5 * 2 = 1',
        '\\theta = 1 - 0.5 * (1 + 0.5 * 1) = 0.25',
    ],
}


@pytest.mark.parametrize("key", sorted(EVERY_OPTIMIZER))
def test_every_optimizers_epoch_lines(key):
    opt = OPTIMIZERS[key]
    hyper = {h: "0" if h == "s0" else "0.5" for h in opt.hyper_for({})}
    assert lines("theta**2", key, hyper, {"theta": 1}, numbers="exact")[0] == EVERY_OPTIMIZER[key]


def test_rosenbrock_and_a_factored_f():
    epoch = lines("(1 - x)**2 + 100*(y - x**2)**2", "gd", {"alpha": 0.001}, {"x": -1, "y": 1})[0]
    assert epoch == ["dx = -2 * (1 - (-1)) - 400 * (-1) * (1 - (-1)^2) = -4", "dy = 200 * (1 - (-1)^2) = 0",
                     "x = -1 - 0.001 * (-4) = -0.996", "y = 1 - 0.001 * 0 = 1"]
    w = worked("3*(x - 1)**2", "gd", {"alpha": 0.1}, {"x": 3})
    assert w.derivatives == ("dx = 6 (x - 1)",)
    assert [line.latex for line in w.epochs[0].lines] == ["dx = 6 * (3 - 1) = 12", "x = 3 - 0.1 * 12 = 1.8"]


def test_a_variable_never_shares_a_symbol_with_the_optimizer():
    """Found trying symopt as a new user: a variable mu beside NAdam's mu_1, r beside RAdam's r_1,
    v1 beside Adam's v (v_{v_1}), varepsilon beside epsilon."""
    for variable, key, shown in [("mu", "nadam", "\\mu_t"), ("r", "radam", "r_t"), ("v1", "adam", "v_t"),
                                 ("c", "lion", "c_t"), ("varepsilon", "adam", "\\epsilon")]:
        hyper = {h: 0.5 for h in OPTIMIZERS[key].hyper_for({})}
        with pytest.raises(symopt.SymoptError, match=f"variable '{variable}' would print as .*{shown.replace(chr(92), chr(92) * 2)}.*rename the variable"):
            worked(f"{variable}**2", key, hyper, {variable: 1})


def test_a_single_w_is_written_as_itself():
    assert worked("w**2", "gd", {"alpha": 0.1}, {"w": 1}).formulas == ("w_t = w_{t-1} - \\alpha dw_t",)


def test_notes_and_words_keep_their_symbols_apart():
    w = worked("lambda**2", "gd", {"alpha": 0.1, "weight_decay": 0.5}, {"lambda": 1}, options={"weight_decay_style": "l2"})
    spec = {"function": "lambda**2", "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.1, "weight_decay": 0.5}, "start": {"lambda": 1},
                                                   "options": {"weight_decay_style": "l2"}}]}
    notes = symopt.solve(spec).view()["exercises"][0]["notes"]
    assert notes[0] == "Weight decay as L2: $\\,\\mathrm{weight\\_decay}\\, \\lambda$ is added to the gradient first."
    assert w.formulas[0] == "d\\tilde{\\lambda}_t = d\\lambda_t + \\mathrm{weight\\_decay} \\, \\lambda_{t-1}"


def test_amsgrad_has_steps_in_both_layouts():
    ams = {"options": {"amsgrad": True}}
    assert worked("w1**2", "adam", ADAM, {"w1": 1}, **ams).formulas[2] == "S_{\\mathrm{max},t} = \\max(S_{\\mathrm{max},t-1}, S_t)"
    assert worked("x**2", "adam", ADAM, {"x": 1}, **ams).formulas[2] == "s_{\\max,t} = \\max(s_{\\max,t-1}, s_t)"


def test_a_custom_rule_may_use_pi_and_a_hyperparameter_named_e():
    spec = {"function": "x**2", "mult": "*", "optimizers": {"m": {"name": "M", "state": {"m": 0}, "rules": ["m = e*m + g", "w = w - eta*m*pi"]}},
            "exercise": [{"optimizer": "m", "hyper": {"e": 0.5, "eta": 0.1}, "start": {"x": 1}, "epochs": 1}]}
    solution = symopt.solve(spec)
    w = solution.exercises[0]
    assert w.formulas == ("m_t = \\mathrm{e} \\, m_{t-1} + dx_t", "x_t = x_{t-1} - \\eta m_t \\pi")
    assert [line.latex for line in w.epochs[0].lines][-1] == "x = 1 - 0.1 * 2 * \\pi \\approx 0.3717"
    assert symopt.check(solution.to_markdown(), spec).summary["errors"] == 0


def test_a_step_alone_is_written_as_its_value():
    epoch = lines("x**2", "nadam", ADAM, {"x": 1}, epochs=2)[1]
    assert epoch[2].startswith("\\mu_3 = \\beta_1 (1 - 0.5 * 0.96^{3 \\psi}) = ")


def test_a_line_too_long_for_the_page_is_broken_at_its_relations_and_reads_back():
    """Found trying symopt as a new user: NAdam's v_hat at precision:20 ran off the PDF page."""
    from symopt.printer import display_rows
    from symopt.render import display_tex

    assert display_rows("x = 1 - 0.1 \\cdot 2 = 0.8") == ["x = 1 - 0.1 \\cdot 2 = 0.8"]
    long = "v = \\frac{" + "1 + " * 30 + "1}{2} = \\frac{" + "0.5 + " * 20 + "1}{3} \\approx 0.1234"
    rows = display_rows(long)
    assert rows[0].startswith("v = \\frac{1 + 1") and rows[1].startswith("= \\frac{0.5") and rows[2] == "\\approx 0.1234"
    assert display_tex(long).splitlines()[1].startswith("v &= \\frac{1 + ")
    spec = {"function": "(1 - x)**2 + 100*(y - x**2)**2", "exercise": [{"optimizer": "nadam", "hyper": ADAM, "start": {"x": -1.2, "y": 1},
                                                                          "epochs": 2, "numbers": "precision:20"}]}
    tex = symopt.solve(spec).to_latex()
    assert tex.count("\\begin{align*}") >= 4
    report = symopt.check(tex)
    assert report.summary["errors"] == report.summary["warnings"] == 0 and report.summary["lines"] > 30
