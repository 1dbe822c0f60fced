"""Number modes: exact, precision:N and hand:D, against hand-checked values and each other."""

from __future__ import annotations

from fractions import Fraction

import pytest

from conftest import spec
import symopt
from symopt.numbers import round_significant

RMSPROP = {"alpha": 0.3, "gamma": 0.9, "epsilon": 1e-6}


def last(solution, exercise: int = 0) -> dict[str, str]:
    return solution.exercises[exercise].epochs[-1].params


def test_rmsprop_of_the_seed_by_hand_and_exactly():
    by_hand = symopt.solve(spec("rmsprop", RMSPROP, numbers={"mode": "hand", "decimals": 3, "keep": 4}))
    assert last(by_hand) == {"w1": "-3.436", "w2": "-0.591"}
    exact = symopt.solve(spec("rmsprop", RMSPROP, numbers="exact"))
    # Without rounding in between, epoch 2 lands at -3.43519754..., not the sheet's -3.436:
    # the sheet's 0.156 for s_1 (exactly 0.155642404) is what moves the third decimal.
    assert last(exact)["w1"].startswith("-3.435197540710313528957944234681000935")
    assert last(exact)["w2"].startswith("-0.591523425916070142815653252144769304")
    w_line = exact.exercises[0].epochs[1].lines[-2]
    assert w_line.text == "-3.4352"
    assert w_line.latex.endswith("\\approx -3.4352")  # rounded for display, and says so


@pytest.mark.parametrize("optimizer,hyper", [("gd", {"alpha": 0.4}), ("momentum", {"alpha": 0.6, "beta": 0.5})])
def test_precision_50_agrees_with_exact_to_45_digits(optimizer, hyper):
    # 40 epochs: the exact values have dozens of digits, so precision:50 has rounding to do.
    exact = symopt.solve(spec(optimizer, hyper, epochs=40, numbers="exact"))
    p50 = symopt.solve(spec(optimizer, hyper, epochs=40, numbers="precision:50"))
    for e_exact, e_p50 in zip(exact.exercises[0].epochs, p50.exercises[0].epochs, strict=True):
        for v in ("w1", "w2"):
            a, b = Fraction(e_exact.params[v]), Fraction(e_p50.params[v])
            assert abs(a - b) <= abs(a) * Fraction(1, 10**45), (e_exact.number, v)
    assert len(exact.exercises[0].epochs[-1].params["w1"].replace("-", "").replace(".", "")) > 50


def test_precision_agrees_with_exact_radicals():
    exact = symopt.solve(spec("rmsprop", RMSPROP, epochs=3, numbers="exact"))
    p40 = symopt.solve(spec("rmsprop", RMSPROP, epochs=3, numbers="precision:40"))
    for v in ("w1", "w2"):
        a, b = Fraction(last(exact)[v]), Fraction(last(p40)[v])
        assert abs(a - b) <= abs(a) * Fraction(1, 10**38)


def test_precision_params_have_n_significant_digits():
    p = symopt.solve(spec("rmsprop", RMSPROP, epochs=1, numbers="precision:12"))
    assert last(p) == {"w1": "-4.05132144533", "w2": "-1.05131677607"}


@pytest.mark.parametrize(
    "numbers,start,expected",
    [
        ("hand:2 sig 1", 0.25, "0.13"),  # 0.125 rounds half away from zero, not to even (0.12)
        ("hand:2 sig 1", -0.25, "-0.13"),
        ({"mode": "hand", "decimals": 2, "keep": 3, "sig": 1}, 0.25, "0.125"),  # ends within keep: kept
        ("hand:1 sig 1", 0.25, "0.1"),
        ("hand:2", 0.25, "0.125"),  # never fewer than 3 significant figures (the default floor)
        ("hand:1", 0.25, "0.125"),
        ("sig:2", 0.25, "0.13"),
        ("sig:1", -0.25, "-0.1"),
        ("exact", 0.25, "0.125"),
    ],
)
def test_hand_rounding(numbers, start, expected):
    s = spec("gd", {"alpha": 0.25}, function="w1**2", start={"w1": start}, epochs=1, numbers=numbers)
    assert last(symopt.solve(s)) == {"w1": expected}


def test_hand_mode_carries_the_rounded_value():
    # w = 1/3 is not a decimal: GD on w^2 with alpha = 1/3 would be exact; rounding to 2
    # decimals at every line must show in the next line's substitution.
    s = spec("gd", {"alpha": 0.3}, function="w1**2/3", start={"w1": 1}, epochs=2, numbers="hand:2 sig 1")
    lines = [line.latex for e in symopt.solve(s).exercises[0].epochs for line in e.lines]
    assert lines == [
        "dw_1 = \\frac{2 * 1}{3} = 0.67",
        "w_1 = 1 - 0.3 * 0.67 = 0.8",
        "dw_1 = \\frac{2 * 0.8}{3} = 0.53",
        "w_1 = 0.8 - 0.3 * 0.53 = 0.64",
    ]


def test_exact_mode_rounds_only_for_display():
    s = spec("gd", {"alpha": 0.3}, function="w1**2/3", start={"w1": 1}, epochs=2, numbers="exact")
    ex = symopt.solve(s).exercises[0]
    assert [line.latex for line in ex.epochs[0].lines] == [
        "dw_1 = \\frac{2 * 1}{3} \\approx 0.6667",
        # w_1 is exactly 0.8, but 1 - 0.3 * 0.6667 is not: the shown operand is rounded, so \approx
        "w_1 = 1 - 0.3 * 0.6667 \\approx 0.8",
    ]
    assert ex.epochs[1].params == {"w1": "0.64"}  # 0.8 - 0.3 * 1.6/3 = 0.64 exactly


def test_exact_blow_up_stops_with_a_clear_error():
    s = spec("adam", {"alpha": 0.2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6}, epochs=10)
    with pytest.raises(symopt.SymoptError) as err:
        symopt.solve(s)
    message = str(err.value)
    assert "exercise 1 (adam): epoch 5" in message
    assert "precision:30" in message and "\n" not in message


def test_adam_epsilon_placement_matches_the_conventions_table():
    # conventions.md: eps = 0.1, f = w^2, w0 = 1, lr 0.1, one Adam step:
    # 0.9047619 with eps outside the root (PyTorch), 0.9012270 inside (optax eps_root).
    hyper = {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 0.1}
    for placement, expected in [("outside", "0.9047619"), ("inside", "0.9012270")]:
        s = spec("adam", hyper, function="w1**2", start={"w1": 1}, epochs=1, numbers="precision:30",
                 options={"eps_placement": placement})
        value = Fraction(last(symopt.solve(s))["w1"])
        assert abs(value - Fraction(expected)) < Fraction(1, 10**7), placement
    # outside exactly: 1 - 0.1 * 2 / (2 + 0.1) = 1 - 2/21
    s = spec("adam", hyper, function="w1**2", start={"w1": 1}, epochs=1, options={"eps_placement": "outside"})
    ex = symopt.solve(s).exercises[0]
    assert ex.epochs[0].lines[-1].latex == "w_1 = 1 - 0.1 * \\frac{2}{\\sqrt{4} + 0.1} \\approx 0.9048"
    assert ex.epochs[0].params == {"w1": "0.9047619047619047619047619047619047619048"}  # 19/21, 40 digits


def test_state_can_start_elsewhere():
    s = spec("momentum", {"alpha": 0.6, "beta": 0.5}, state={"v": {"w1": 1, "w2": 0}}, epochs=1)
    ex = symopt.solve(s).exercises[0]
    assert ex.data == "w_1 = -5,\\; w_2 = -2,\\; v_1 = 1,\\; v_2 = 0,\\; \\alpha = 0.6,\\; \\beta = 0.5"
    assert ex.epochs[0].lines[2].latex == "v_1 = 0.5 * 1 + 0.5 * (-1) = 0"


@pytest.mark.parametrize("numbers", ["exact", "hand:4", "precision:20"])
@pytest.mark.parametrize(
    "function,start,message",
    [
        ("sqrt(w1)", 0.01, "epoch 2, dw_1: square root of a negative number"),  # 0.01 - 10*5 < 0
        ("w1**0.5", 0.01, "epoch 2, dw_1: square root of a negative number"),  # SymPy: 1/(2*sqrt(w1))
        ("w1*log(w1)", 0.5, "epoch 2, dw_1: logarithm of a number that is not positive"),  # 0.5 - 10*0.307 < 0
    ],
)
def test_values_without_a_real_value_stop_with_the_line(numbers, function, start, message):
    # One GD step with alpha = 10 jumps to a negative w, where f has no real gradient.
    s = spec("gd", {"alpha": 10}, function=function, start={"w1": start}, epochs=2, numbers=numbers)
    with pytest.raises(symopt.SymoptError, match=message) as err:
        symopt.solve(s)
    assert str(err.value).startswith("<spec>: exercise 1 (gd): epoch 2, dw_1: ")


def test_division_by_zero_names_the_line():
    s = spec("rmsprop", {"alpha": 0.1, "gamma": 0.9, "epsilon": 0}, start={"w1": 0, "w2": 1}, epochs=1)
    with pytest.raises(symopt.SymoptError, match=r"exercise 1 \(rmsprop\): epoch 1, w_1: division by zero"):
        symopt.solve(s)


def test_exact_fractions_that_grow_past_the_budget_stop():
    # f = 0.315*w1**2 with alpha 0.3 makes w -> 0.811 w: exact, with 3 more digits every epoch,
    # so past epoch ~666 the values have over 2000 digits.
    s = spec("gd", {"alpha": 0.3}, function="0.315*w1**2", start={"w1": 1}, epochs=1000)
    with pytest.raises(symopt.SymoptError, match=r"epoch 66\d, dw_1: exact values grow too large \(over 2000 digits\)"):
        symopt.solve(s)
    s["exercise"][0]["numbers"] = "precision:30"
    assert symopt.solve(s).exercises[0].epochs[-1].params["w1"].startswith("0.")


@pytest.mark.parametrize("numbers", ["exact", "hand:4", "precision:20"])
def test_exploding_powers_stop_instead_of_hanging(numbers):
    # w1^w2 from w1 = 10^-6, w2 = -3: the first step sends w2 to about 10^18, and the next
    # gradient would be a number with about 10^19 digits.  (Found by review: it hung.)
    # Now the first step is marked as diverging (|w_1| past 10^12) and the exercise stops there.
    s = spec("gd", {"alpha": 0.1}, function="w1^w2", start={"w1": "0.000001", "w2": -3}, epochs=3, numbers=numbers)
    worked = symopt.solve(s).exercises[0]
    assert (worked.diverged.epoch, worked.diverged.line, len(worked.epochs)) == (1, "w_1", 1)


def test_tiny_values_are_carried_by_hand_not_zeroed():
    # exp(-100000) = 3.5629...e-43430: by hand it keeps 3 significant figures (issue 13: a value
    # carried as 0 wrecked Adam runs), and w moves by far less than its 4 decimals
    s = spec("gd", {"alpha": 1}, function="exp(-w1)", start={"w1": 100000}, epochs=1, numbers="hand:4")
    assert [line.text for line in symopt.solve(s).exercises[0].epochs[0].lines] == ["-3.56 \\cdot 10^{-43430}", "100000"]


def test_given_values_are_shown_as_given_and_used_as_shown():
    # Found by review: hand:4 showed the start 0.123456 as 0.1235 but computed with 0.123456.
    s = spec("gd", {"alpha": 0.01}, function="10*w1**2", start={"w1": 0.123456}, epochs=1, numbers="hand:4")
    assert symopt.solve(s).exercises[0].epochs[0].lines[0].latex == "dw_1 = 20 * 0.123456 = 2.4691"


def test_precision_rounds_once_from_the_working_value():
    # Found by review: precision:6 rounded 1.234549 to 1.23455, then to 1.2346 (true: 1.2345).
    s = spec("gd", {"alpha": 1}, function="w1", start={"w1": 2.234549}, epochs=1, numbers="precision:6")
    ex = symopt.solve(s).exercises[0]
    assert ex.epochs[0].lines[-1].latex == "w_1 = 2.234549 - 1 * 1 \\approx 1.23455"  # 1.234549: 6 digits
    assert ex.epochs[0].params == {"w1": "1.23455"}  # 6 significant digits
    # ... and a value that is not a short decimal is marked, at any N
    s = spec("gd", {"alpha": 1}, function="sqrt(2)*w1 + 12345.678*w1**2/2", start={"w1": 1}, epochs=1, numbers="precision:5")
    assert symopt.solve(s).exercises[0].epochs[0].lines[0].latex.endswith("\\approx 12347")  # 12347.0922…: 5 digits


def test_a_value_that_is_not_zero_is_never_shown_as_zero():
    # Found by review: s_1 = 0.0000025 was shown as 0, so s_corr1 = 0/(1 - 0.999) "= 0.0025".
    s = spec("adam", {"alpha": 0.2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6}, function="w1**2",
             start={"w1": 0.025}, epochs=1)
    lines = [line.latex for line in symopt.solve(s).exercises[0].epochs[0].lines]
    assert lines[2] == "s_1 = 0.999 * 0 + 0.001 * 0.05^2 = 0.0000025"
    assert lines[4] == "s_{\\mathrm{corr}1} = \\frac{s_1}{1 - \\beta_2^1} = \\frac{0.0000025}{1 - 0.999^1} = 0.0025"


def test_e_and_tiny_values_are_written_not_refused():
    # Found by review: exp(1) could not be printed, and exp(-22500) stopped the run as "too large".
    s = spec("gd", {"alpha": 0.1}, function="exp(1)*w1**2", start={"w1": 1}, epochs=1)
    assert symopt.solve(s).exercises[0].derivatives == ("dw_1 = 2e w_1",)
    # -300 e^-22500 = -7.10032832888...e-9770 (mpmath): exact mode shows 3 significant figures at
    # least, precision:N shows N
    # (trailing zeros count by significant figures: 150 + 7.1e-9771 is 150.000… to 30 of them)
    for numbers, text, w in (("exact", "-7.1", "150"), ("precision:30", "-7.10032832888168068411363048379", "150." + "0" * 27)):
        s = spec("gd", {"alpha": 0.1}, function="exp(-w1^2)", start={"w1": 150}, epochs=1, numbers=numbers)
        ex = symopt.solve(s).exercises[0]
        assert ex.epochs[0].lines[0].text == text + " \\cdot 10^{-9770}", numbers
        assert ex.epochs[0].lines[1].latex == f"w_1 = 150 - 0.1 * ({text} \\cdot 10^{{-9770}}) \\approx {w}"


# -- Decimal arithmetic (issue 8): hand and precision modes compute in decimal.Decimal ------------------


def _rational_hand(monkeypatch):
    """Run hand mode on RationalHand (Fractions throughout), the reference Hand must agree with."""
    from symopt import arith

    monkeypatch.setattr(arith, "Hand", arith.RationalHand)


@pytest.mark.parametrize("numbers", ["hand:0", "hand:2", "hand:4", "hand:3 keep 6", "hand:5 keep 7", "sig:3", "sig:1"])
def test_decimal_hand_writes_what_fractions_write(numbers, monkeypatch):
    from test_catalogue import catalogue

    specs = [catalogue(numbers, 9),
             spec("adam", {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                  function="sin(w1) + exp(-w2**2) + 1/3*w1*w2 + pi*w2**2", start={"w1": 0.7, "w2": -1.3}, epochs=30, numbers=numbers)]
    decimal_sheets = [symopt.solve(s).to_markdown() for s in specs]
    _rational_hand(monkeypatch)
    assert [symopt.solve(s).to_markdown() for s in specs] == decimal_sheets


def _custom(rule: str, hyper: dict, numbers: str, function: str = "w1", start: str = "0") -> str:
    s = {"function": function, "optimizers": {"x": {"name": "X", "rules": [rule]}},
         "exercise": [{"optimizer": "x", "hyper": hyper, "epochs": 1, "numbers": numbers, "start": {"w1": start}}]}
    return symopt.solve(s).exercises[0].epochs[0].lines[-1].text


def test_a_hand_line_next_to_a_rounding_tie_is_rounded_from_its_exact_value():
    # 0.00015 / (1 + 2e-65) is just below the tie 0.00015; at 60 digits it *is* 0.00015, which
    # rounds away from zero to 0.0002.  Hand sees a 60-digit value on a tie and recomputes the
    # line in Fractions: 0 - 0.0001499... rounds to -0.0001.  (sig 1: 0.00015 is rounded at the
    # fourth decimal, not at 3 significant figures.)
    c = "1." + "0" * 64 + "2"
    assert _custom("w = w - alpha*g/c", {"alpha": "0.00015", "c": c}, "hand:4 sig 1") == "-0.0001"
    # just above the tie, the other way
    c = "0." + "9" * 64 + "8"
    assert _custom("w = w - alpha*g/c", {"alpha": "0.00015", "c": c}, "hand:4 sig 1") == "-0.0002"
    # the same at 3 significant figures: 0.0000125 / (1 + 2e-65) rounds to 0.0000125 - ... = 0.0000125
    c = "1." + "0" * 64 + "2"
    assert _custom("w = w - alpha*g/c", {"alpha": "0.0000125", "c": c}, "hand:4") == "-0.0000125"
    assert _custom("w = w - alpha*g/c", {"alpha": "0.00001235", "c": c}, "hand:4") == "-0.0000123"
    # keep 6: 0.000012 / 7 * 7 is 0.0000119999... at 60 digits, which rounds to 0.00001 at the
    # fifth decimal; its exact value 0.000012 ends within 6 decimals and is kept
    assert _custom("w = w - alpha*g/c*c", {"alpha": "0.000012", "c": "7"}, "hand:4 keep 6 sig 1") == "-0.000012"
    assert _custom("w = w - alpha*g/c*c", {"alpha": "0.000012", "c": "7"}, "hand:4 sig 1") == "-0.00001"


def test_a_hand_comparison_of_nearly_equal_values_is_decided_exactly():
    # 1/7*7 is 0.999...9 at 60 digits, so ">= 1" would take the wrong branch; exactly, it is 1.
    assert _custom("w = w - where(g/c*c >= 1, 1, 2)", {"c": "7"}, "hand:4") == "-1"
    assert _custom("w = w - max(g/c*c, 1) + sign(g/c*c - 1)", {"c": "7"}, "hand:4") == "-1"


def test_a_hand_value_too_large_for_60_digits_is_rounded_exactly():
    # 0.001 * 1253191905106303045078904488872015638675563.3^2 = 15704...572.30689 has 82 digits
    # before its point; 60 digits would have made the last 22 of them zeros.
    from symopt.numbers import decimal_text

    g = "1253191905106303045078904488872015638675563.3"
    value = _custom("w = 0.001*g^2", {}, "hand:1", function=f"{g}*w1")
    assert value == decimal_text(Fraction(1, 1000) * Fraction(g) ** 2)[:-4]  # .30689 rounds to .3
    assert value.endswith("84914690931368574156572.3") and len(value) == 84


def test_precision_rounds_a_decimal_tie_from_its_exact_value():
    # Found when precision mode moved from binary (mpmath) to decimal: gd on the catalogue's f
    # reaches w_1 = 1.235 - 0.1 * 2.2225 = 1.01275 exactly, a tie: 1.0128.  In binary the value
    # was 1.01274999...: 1.0127, a wrong digit (127 such lines in the 12-epoch catalogue).
    from test_catalogue import catalogue

    s = catalogue("precision:5", 2)  # 5 significant digits: 1.01275 lies on a tie
    s["exercise"] = s["exercise"][:1]
    assert s["exercise"][0]["optimizer"] == "gd"
    line = symopt.solve(s).exercises[0].epochs[1].lines[-2]
    assert line.latex == "w_1 = 1.235 - 0.1 * 2.2225 \\approx 1.0128"
    # w_2 = -1.3 + 0.05 * 2.5135802477 = -1.174320987615 exactly: to 12 digits, -1.17432098762
    s = spec("gd", {"alpha": 0.05}, function="w1**4 - 3*w1**2 + w2**2 + 0.123456789*w1*w2",
             start={"w1": 0.7, "w2": -1.3}, epochs=1, numbers="precision:12")
    assert last(symopt.solve(s))["w2"] == "-1.17432098762"


def test_precision_keeps_its_digits_through_cancellation():
    # Found by the long run of tests/test_adds_up.py: w_2 = -0.1 + 0.1 * 182/sqrt(33124 + 10^-6)
    # cancels 11 of precision:5's 15 working digits, and the sheet showed -1.5093e-12 with "=" (the
    # value is -1.50947953...e-12).  A line that cancels more than its guard digits now makes the
    # run go again with more of them.
    s = spec("adam", {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6}, function="(1 - w1)**2 + 10*(w2 - w1**2)**2",
             start={"w1": -3, "w2": -0.1}, epochs=2, numbers="precision:5")
    ex = symopt.solve(s).exercises[0]
    assert ex.epochs[0].lines[-1].latex.endswith("\\approx -1.5095 \\cdot 10^{-12}")
    p40 = symopt.solve(s, numbers="precision:40").exercises[0]
    for e5, e40 in zip(ex.epochs, p40.epochs, strict=True):
        for v in ("w1", "w2"):
            assert Fraction(e5.values[v]) == round_significant(Fraction(e40.values[v]), 5), (e5.number, v)


@pytest.mark.parametrize("numbers", ["hand:2", "hand:4", "sig:3", "precision:12"])
def test_a_zero_is_not_carried_as_noise(numbers):
    # Found by the long round trip: d mu = sin(pi * 4) is 0, but pi to 60 digits gives -4.6e-61,
    # which the significant-figure floor then carried as -4.57 * 10^-61.  sin, cos, tan at a zero,
    # ln of 1, and differences that cancel all but the noise of inexact operands give 0.
    s = spec("rmsprop", {"alpha": 0.06, "gamma": 0.639, "epsilon": 1e-4}, function="w1*w1 + w1 + mu*sin(pi*w1)",
             start={"w1": 4, "mu": 4}, epochs=2, numbers=numbers)
    solution = symopt.solve(s)
    assert solution.exercises[0].epochs[0].lines[0].latex == "d\\mu = \\sin\\left(\\pi * 4\\right) = 0"
    assert symopt.check(solution.to_markdown()).summary["errors"] == 0
    # a difference of exact operands is what it is, however small: 1.00000000000000000001 - 1
    s = spec("gd", {"alpha": 1}, function="(w1 - 1)**2/2", start={"w1": "1.00000000000000000001"}, epochs=1, numbers=numbers)
    assert solution.exercises[0].epochs[0].lines[0].shown.value == 0
    assert symopt.solve(s).exercises[0].epochs[0].lines[0].shown.value == Fraction(1, 10**20)
