"""Verdicts an examiner gives (issue 15): each of the checker's wrong verdicts found on short
student work, pinned with the student's own lines."""

from __future__ import annotations

from pathlib import Path

from conftest import SEED_DOC as SEED, seed_doc
import symopt

GD = """$$f(w_1, w_2) = 0.1w_1^2 + 2w_2^2$$

Bài 1 Gradient Descent

$$w_1 = -5, w_2 = -2, \\alpha = 0.4$$

Epoch 1:

$$dw_1 = 0.2 * (-5) = -1$$

$$dw_2 = 4 * (-2) = -8$$

$$w_1 = -5 - 0.4 * (-1) = {w1}$$

$$w_2 = -2 - 0.4 * (-8) = {w2}$$

Epoch 2:

$$dw_1 = 0.2 * ({w1}) = {dw1}$$

$$dw_2 = 4 * ({w2}) = {dw2}$$

$$w_1 = {w1} - 0.4 * ({dw1}) = {w1b}$$

$$w_2 = {w2} - 0.4 * ({dw2}) = {w2b}$$
"""
RIGHT = {"w1": "-4.6", "w2": "1.2", "dw1": "-0.92", "dw2": "4.8", "w1b": "-4.232", "w2b": "-0.72"}


def gd(**changes) -> list[tuple[int, str, str | None]]:
    report = symopt.check(GD.format(**{**RIGHT, **changes}))
    return [(f.line, f.kind, f.expected) for f in report.findings if f.severity != "ok"]


def test_the_sheet_is_clean():
    assert gd() == []


def test_an_integer_is_not_a_rounding_of_anything_within_half():
    """-5 for -4.6 and 1 for 1.2 were accepted: an integer stood for ±0.5 although the exercise
    works in decimals.  Later lines go on from the writer's -5 (error carried forward)."""
    assert gd(w1="-5", dw1="-1", w1b="-4.6") == [(13, "arithmetic", "-4.6")]
    assert gd(w2="1", dw2="4", w2b="-0.6") == [(15, "arithmetic", "1.2")]


def test_a_rounding_slip_needs_a_value_that_had_to_be_rounded():
    """1.3 where the value is exactly 1.2 is arithmetic, not a rounding slip."""
    assert gd(w2="1.3", dw2="5.2", w2b="-0.78") == [(15, "arithmetic", "1.2")]


def test_a_value_at_the_writers_precision_is_not_rounded():
    """-1.9 where the value is -1.8000000016 (the reference sheet's Adam, epoch 1, w_2, on a sheet
    of 4 decimals) is arithmetic: at the writer's precision there was nothing to round."""
    seed_doc()
    seed = Path(SEED).read_text(encoding="utf-8")
    line = "$$w_2 = -2 - 0.2 * \\frac{-8}{\\sqrt{64 + 10^{-6}}} = -1.8$$"
    assert line in seed
    report = symopt.check(seed.replace(line, line.replace("-1.8$$", "-1.9$$")))
    assert ("arithmetic", "-1.8") in [(f.kind, f.expected) for f in report.errors]
    assert "rounding" not in [f.kind for f in report.findings]


def test_an_unread_line_is_computed_from_the_rule():
    """After a line that cannot be read, later lines are judged against the rule's value, not
    stale ones (three false alarms per unread line before)."""
    text = GD.format(**RIGHT).replace("$$w_1 = -5 - 0.4 * (-1) = -4.6$$", "$$w_1 = -5 - 0.4 * ( = -4.6$$")
    text = text.replace("$$w_2 = -2 - 0.4 * (-8) = 1.2$$", "$$w_2 = -2 - 0.4 * (-8) = ??$$")
    report = symopt.check(text)
    assert [(f.line, f.kind) for f in report.findings if f.severity != "ok"] == [(13, "unreadable"), (15, "unreadable")]
    assert report.summary["lines"] == 8


def test_a_factored_gradient_is_the_gradient():
    base = """$$f(x) = {f}$$

## Exercise 1: Gradient Descent

$$x = 3, \\alpha = 0.25$$

Epoch 1:

$$dx = {dx} = 4$$

$$x = 3 - 0.25 \\cdot 4 = 2$$
"""
    for f in ("(x - 1)^2", "x^2 - 2x + 1"):
        for dx in ("2(3 - 1)", "2 \\cdot 3 - 2", "2 \\cdot (3 - 1)"):
            report = symopt.check(base.format(f=f, dx=dx))
            assert [f.kind for f in report.findings] == ["ok", "ok"], (f, dx, report.to_text())


def test_a_number_equal_to_a_hyperparameter_may_be_a_rounded_result():
    """In ``… ≈ 1.5 - 0.100 = 1.4`` the 0.100 is α·3/(3 + 10⁻⁸) rounded, not α."""
    text = """$$f(w) = w^2$$

## Exercise 1: Adam

$$W = W - \\alpha \\frac{\\hat{V}}{\\sqrt{\\hat{S}} + \\epsilon}$$

$$w = 1.5, \\alpha = 0.1, \\beta_1 = 0.9, \\beta_2 = 0.999, \\epsilon = 10^{-8}$$

Epoch 1:

$$dw = 2 \\cdot 1.5 = 3$$

$$v = 0.1 \\cdot 3 = 0.3$$

$$s = 0.001 \\cdot 9 = 0.009$$

$$\\hat{v} = \\frac{0.3}{0.1} = 3$$

$$\\hat{s} = \\frac{0.009}{0.001} = 9$$

$$w = 1.5 - 0.1 \\cdot \\frac{3}{\\sqrt{9} + 10^{-8}} \\approx 1.5 - 0.100 = 1.4$$
"""
    report = symopt.check(text)
    assert [f.kind for f in report.findings if f.severity != "ok"] == []


def test_no_claim_about_a_formula_that_was_not_read():
    """The convention note says "the stated formula" only when a formula line was read."""
    text = """$$f(w) = w^2$$

## Exercise 1: Adam

$$w = 1.5, \\alpha = 0.1, \\beta_1 = 0.9, \\beta_2 = 0.999, \\epsilon = 10^{-8}$$

Epoch 1:

$$dw = 2 \\cdot 1.5 = 3$$

$$v = 0.1 \\cdot 3 = 0.3$$

$$s = 0.001 \\cdot 9 = 0.009$$

$$w = 1.5 - 0.1 \\cdot \\frac{3}{\\sqrt{9} + 10^{-8}} \\approx 1.4$$
"""
    (note,) = [f for f in symopt.check(text).findings if f.severity != "ok"]
    assert note.kind == "notation" and "stated formula" not in note.text
    assert "no formula for it is stated" in note.text
    stated = text.replace("$$w = 1.5,", "$$W = W - \\alpha \\frac{\\hat{V}}{\\sqrt{\\hat{S} + \\epsilon}}$$\n\n$$w = 1.5,")
    (note,) = [f for f in symopt.check(stated).findings if f.severity != "ok"]
    assert "the stated formula has ε inside the square root" in note.text


def test_messages_show_at_most_12_significant_digits():
    """A writer's 118 decimals asked for 118 in the expected value, wrong after the checker's 50."""
    from fractions import Fraction

    from symopt.check.ball import BallArithmetic, fraction
    from symopt.numbers import message_text

    balls = BallArithmetic()
    _text = lambda ball, places: message_text(fraction(ball.mid), places)  # a ball as the checker's messages show it
    assert _text(balls.ball(Fraction(-14, 3)), 118) == "-4.66666666667"
    assert _text(balls.ball(Fraction(1, 3 * 10**9)), 118) == "3.33333333333e-10"
    assert _text(balls.ball(Fraction(25, 100000)), 4) == "0.00025"  # not 0.0003
    assert _text(balls.ball(Fraction(-46, 10)), 2) == "-4.6"


def test_a_tie_is_rounded_as_the_writer_rounds_it():
    """0.9 * 1.7925 + 0.9979 is 2.61115 exactly: rounded half away from zero, 2.6112.  The balls
    were binary once, and 2.61115 became 2.61114999…: messages said 2.6111 (found comparing the
    checker's findings before and after its balls became decimal)."""
    from fractions import Fraction

    from symopt.check.ball import BallArithmetic, fraction
    from symopt.numbers import message_text

    balls = BallArithmetic()
    _text = lambda ball, places: message_text(fraction(ball.mid), places)
    value = balls.add(balls.mul(balls.ball(Fraction("0.9")), balls.ball(Fraction("1.7925"))), balls.ball(Fraction("0.9979")))
    assert _text(value, 4) == "2.6112" and _text(balls.ball(Fraction("-7.24275")), 4) == "-7.2428"
    assert value.rad == 0 and Fraction(value.mid) == Fraction("2.61115")  # exact: a decimal is held as written


def test_the_slot_is_named_for_what_it_is():
    """0.8 where 1 - β = 0.2 belongs is named so, not "where α = 0.2" (the values coincide)."""
    text = """$$f(w_1, w_2) = 0.1w_1^2 + 2w_2^2$$

Bài 2 Gradient Descent + Momentum

$$w_1 = -5, w_2 = -2, v_1 = 0, v_2 = 0, \\alpha = 0.2, \\beta = 0.8$$

Epoch 1:

$$dw_1 = 0.2 * (-5) = -1$$

$$v_1 = 0.8 * 0 + 0.7 * (-1) = -0.7$$
"""
    (f,) = symopt.check(text).errors
    assert f.text == "0.7 written where 1 - \\beta = 0.2"


ADAM = """$$f(w_1, w_2) = 0.1w_1^2 + 2w_2^2$$

## Exercise 1: Adam

$$w_1 = -5, w_2 = -2, \\alpha = 0.2, \\beta_1 = 0.9, \\beta_2 = 0.999, \\varepsilon = 10^{{-6}}$$

Epoch 1:

$$dw_1 = {dw1}$$

$$dw_2 = -8$$

$$v_1 = {v1}$$

$$v_2 = -0.8$$

$$s_1 = {s1}$$

$$s_2 = 0.064$$

$$\\hat{{v}}_1 = {vhat1}$$

$$\\hat{{v}}_2 = -8$$

$$\\hat{{s}}_1 = 1$$

$$\\hat{{s}}_2 = 64$$
"""
ADAM_RIGHT = {"dw1": "0.2 \\cdot (-5) = -1", "v1": "0.1 \\cdot (-1) = -0.1", "s1": "0.001 \\cdot (-1)^2 = 0.001", "vhat1": "\\frac{-0.1}{0.1} = -1"}


def adam(**changes):
    return [(f.line, f.kind, f.text) for f in symopt.check(ADAM.format(**{**ADAM_RIGHT, **changes})).findings if f.severity != "ok"]


def test_formula_errors_are_named():
    assert adam() == []
    ((line, kind, text),) = adam(vhat1="-0.1")
    assert (line, kind) == (21, "formula") and "bias correction is left out" in text
    # with v_0 = 0, 0.9 * (-1) is both "β where 1 - β belongs" and "β and 1 - β swapped": the first
    # shows no number the second would (its 0.1), so it is the one named
    ((line, kind, text),) = adam(v1="0.9 \\cdot (-1) = -0.9")
    assert (line, kind) == (13, "formula") and "is written where 1 - \\beta belongs" in text
    ((line, kind, text),) = adam(s1="0.001 \\cdot (-1) = -0.001")
    assert (line, kind) == (17, "formula") and "not squared" in text
    ((line, kind, text),) = adam(dw1="0.1 \\cdot (-5) = -0.5", v1="0.1 \\cdot (-0.5) = -0.05")
    assert (line, kind) == (9, "formula") and "derivative is wrong" in text


_EPSILON_LEFT_OUT = r"""$$f(x, y) = e^{0.5x} + xy + 2y^2$$

## Exercise 2: RMSProp

$$s_t = \gamma s_{t-1} + (1-\gamma) g_t^2$$

$$\theta_t = \theta_{t-1} - \alpha \frac{g_t}{\sqrt{s_t + \epsilon}}$$

Data: $x = 1, y = -1, \alpha = 0.05, \gamma = 0.9, \epsilon = 10^{-8}$

**Epoch 1**

$$g_x = 0.5 e^{0.5} - 1 = -0.1756$$

$$g_y = 1 - 4 = -3$$

$$s_x = 0.1 \times 0.1756^2 = 0.00308$$

$$s_y = 0.1 \times 9 = 0.9$$

$$x = 1 + 0.05 \times \frac{0.1756}{\sqrt{0.00308}} = 1.1582$$

$$y = -1 + 0.05 \times \frac{3}{\sqrt{0.9}} = -0.8419$$

**Epoch 2**

$$g_x = 0.5 e^{0.5 \times 1.1582} - 0.8419 = 0.0503$$

$$g_y = 1.1582 - 4 \times 0.8419 = -2.2094$$

$$s_x = 0.9 \times 0.00308 + 0.1 \times 0.0503^2 = 0.00303$$

$$s_y = 0.9 \times 0.9 + 0.1 \times 2.2094^2 = 1.2981$$

$$x = 1.1582 - 0.05 \times \frac{0.0503}{\sqrt{0.00303}} = 1.1125$$

$$y = -0.8419 + 0.05 \times \frac{2.2094}{\sqrt{1.2981}} = -0.7449$$
"""


def test_a_negligible_epsilon_left_out_is_a_note_not_an_error():
    """A student leaves ε = 10^-8 out of √(s + ε): it changes none of the 4 decimals shown.  Before,
    the x line was a substitution error whose message gave the same value twice ("gives 1.11251;
    the rule gives 1.11251"), found by a new user's own RMSProp homework.  Now it is checked as
    written with one note; a wrong number in the same line is still an error."""
    x_line = _EPSILON_LEFT_OUT.split("\n").index("$$x = 1.1582 - 0.05 \\times \\frac{0.0503}{\\sqrt{0.00303}} = 1.1125$$") + 1
    report = symopt.check(_EPSILON_LEFT_OUT)
    assert report.summary["errors"] == 0 and report.summary["lines"] == 14  # the formula lines too
    (note,) = [f for f in report.findings if f.severity != "ok"]
    assert note.line == x_line and "\\epsilon = 10^{-8} is left out" in note.text
    wrong = _EPSILON_LEFT_OUT.replace("\\frac{0.0503}{\\sqrt{0.00303}} = 1.1125", "\\frac{0.0530}{\\sqrt{0.00303}} = 1.1125")
    (error,) = [f for f in symopt.check(wrong).findings if f.severity == "error"]
    assert error.line == x_line and error.kind == "substitution"


def test_a_one_digit_decimal_is_not_a_coarser_rounding_of_the_value():
    """Found by a new-user trial of learning-rate schedules: on an exact sheet of 4 decimals α_5 =
    0.1 written for 0.075 (and 0.08) passed as a rounding to one decimal, and the two right lines
    after it were flagged instead; on a sheet of 3 significant digits 0.1 for 0.01 was called a
    rounding slip.  A decimal of one significant digit stands for the writer's usual place, as an
    integer does (1 is not 1.2), so both are arithmetic errors on their own line."""
    spec = {"function": "(x - 2)**2 + 0.5*y**2", "exercise": [{
        "optimizer": "gd", "hyper": {"alpha": 0.3}, "start": {"x": 0, "y": 4}, "epochs": 6, "numbers": "exact",
        "schedule": {"kind": "step", "step_size": 2, "gamma": 0.5}}]}
    md = symopt.solve(spec).to_markdown()
    line = "\\right\\rfloor} = 0.075$$"
    assert md.count(line) == 2  # alpha_5 and alpha_6
    for written in ("0.1", "0.08"):
        report = symopt.check(md.replace(line, line.replace("0.075", written), 1))
        assert [(f.kind, f.quantity, f.epoch) for f in report.errors] == [("arithmetic", "alpha_t", 5)], [f.text for f in report.errors]
        assert not report.warnings
    spec["exercise"][0].update(numbers="sig:3", schedule={"kind": "multistep", "milestones": [2, 4], "gamma": 0.1}, optimizer="adam",
                               hyper={"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8})
    md = symopt.solve(spec).to_markdown()
    wrong = md.replace("\\end{cases} = 0.01$$", "\\end{cases} = 0.1$$", 1)
    assert wrong != md
    report = symopt.check(wrong)
    assert [(f.kind, f.epoch) for f in report.errors] == [("arithmetic", 3)], [f.text for f in report.findings if f.kind != "ok"]
    assert not report.warnings
