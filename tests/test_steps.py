"""The derivative's steps (``steps = true``, issue 19): each ∂f/∂w_i derived by the named rules, a
line a level of f, before the epochs, in md and tex, in en and vi.

Pinned here: the exact lines of a few functions in both languages and both formats; that every line
of a derivation is SymPy's derivative (a set of functions, and hypothesis over random f); that the
build-time check refuses a wrong rule; that the checker reads the derivations back (and flags a wrong
step); the spec key, its errors and its bound; KaTeX and the PDF.
"""

from __future__ import annotations

from contextlib import suppress
import dataclasses
import json
import re
import subprocess

from hypothesis import HealthCheck, given, settings
import pytest
import sympy

from conftest import ROOT
import symopt
from symopt import functions, labels, spec as bounds, symbolic
from symopt.cli import main
from symopt.expr import DERIVATIVE, Call, names, parse, walk, without_ones
from symopt.spec import variables_of
from symopt.symbolic import derivation, gradient, symbol, to_sympy
from test_gradients import EXPRESSIONS


def sheet(function: str, lang: str = "en", mult: str = "*", **extra) -> symopt.Solution:
    """One GD exercise on `function` with steps, every variable starting at 1."""
    start = {v: "1" for v in variables_of(parse(function))}
    exercise = {"optimizer": "gd", "hyper": {"alpha": "0.1"}, "start": start, "epochs": 1, "steps": True, **extra}
    return symopt.solve({"function": function, "lang": lang, "mult": mult, "exercise": [exercise]})


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end)]


# -- what a sheet prints ------------------------------------------------------------------------

def test_the_reference_f_in_english_markdown():
    md = sheet("0.1*w1**2 + 2*w2**2").to_markdown()
    assert between(md, "*Sum rule", "$$dw_1") == """*Sum rule, constant rule:*

$$\\frac{\\partial f}{\\partial w_1} = \\frac{\\partial}{\\partial w_1}\\left(0.1w_1^2\\right)$$

*Constant multiple rule:*

$$= 0.1 * \\frac{\\partial}{\\partial w_1}\\left(w_1^2\\right)$$

*Power rule:*

$$= 0.1 * 2w_1$$

*Simplified:*

$$= 0.2w_1$$

*Sum rule, constant rule:*

$$\\frac{\\partial f}{\\partial w_2} = \\frac{\\partial}{\\partial w_2}\\left(2w_2^2\\right)$$

*Constant multiple rule:*

$$= 2 * \\frac{\\partial}{\\partial w_2}\\left(w_2^2\\right)$$

*Power rule:*

$$= 2 * 2w_2$$

*Simplified:*

$$= 4w_2$$

"""
    assert md.index("$$dw_2 = 4w_2$$") < md.index("Epoch 1:")  # the derivations, then the derivatives, then the epochs


def test_a_product_in_vietnamese_markdown():
    md = sheet("x**2*sin(x)", "vi").to_markdown()
    assert between(md, "*Quy", "$$dx") == """*Quy tắc tích:*

$$\\frac{\\partial f}{\\partial x} = \\sin\\left(x\\right) * \\frac{\\partial}{\\partial x}\\left(x^2\\right) + x^2 * \\frac{\\partial}{\\partial x}\\left(\\sin\\left(x\\right)\\right)$$

*Quy tắc lũy thừa, đạo hàm hàm lượng giác:*

$$= \\sin\\left(x\\right) * 2x + x^2 \\cos\\left(x\\right)$$

*Rút gọn:*

$$= 2x \\sin\\left(x\\right) + x^2 \\cos\\left(x\\right)$$

"""


def test_a_quotient_in_vietnamese_latex():
    tex = sheet("x/(1 + x**2)", "vi").to_latex(fragment=True)
    assert between(tex, "\\begin{align*}", "\\[ dx") == """\\begin{align*}
\\frac{\\partial f}{\\partial x} &= \\frac{1 + x^2 - x * \\frac{\\partial}{\\partial x}\\left(1 + x^2\\right)}{(1 + x^2)^2} \\tag{quy tắc thương} \\\\
&= \\frac{1 + x^2 - x * \\frac{\\partial}{\\partial x}\\left(x^2\\right)}{(1 + x^2)^2} \\tag{quy tắc tổng, đạo hàm của hằng số} \\\\
&= \\frac{1 + x^2 - x * 2x}{(1 + x^2)^2} \\tag{quy tắc lũy thừa} \\\\
&= \\frac{1 - x^2}{(1 + x^2)^2} \\tag{rút gọn}
\\end{align*}
"""


def test_chain_and_logarithm_in_english_latex():
    tex = sheet("exp(x*y) + log(x)", mult="cdot").to_latex(fragment=True)
    assert between(tex, "\\begin{align*}", "\\[ dx") == """\\begin{align*}
\\frac{\\partial f}{\\partial x} &= \\frac{\\partial}{\\partial x}\\left(e^{x y}\\right) + \\frac{\\partial}{\\partial x}\\left(\\ln\\left(x\\right)\\right) \\tag{sum rule} \\\\
&= e^{x y} \\cdot \\frac{\\partial}{\\partial x}\\left(x y\\right) + \\frac{1}{x} \\tag{chain rule, logarithm rule} \\\\
&= e^{x y} y + \\frac{1}{x} \\tag{constant multiple rule} \\\\
&= y e^{x y} + \\frac{1}{x} \\tag{simplified}
\\end{align*}
\\begin{align*}
\\frac{\\partial f}{\\partial y} &= \\frac{\\partial}{\\partial y}\\left(e^{x y}\\right) \\tag{sum rule, constant rule} \\\\
&= e^{x y} \\cdot \\frac{\\partial}{\\partial y}\\left(x y\\right) \\tag{chain rule} \\\\
&= e^{x y} x \\tag{constant multiple rule} \\\\
&= x e^{x y} \\tag{simplified}
\\end{align*}
"""


def test_rosenbrock_takes_a_line_a_level():
    rows = sheet("(1 - x)**2 + 100*(y - x**2)**2", mult="cdot").view()["exercises"][0]["steps"][0]["rows"]
    assert [(r["latex"], r["rule"]) for r in rows] == [
        ("\\frac{\\partial}{\\partial x}\\left((1 - x)^2\\right) + \\frac{\\partial}{\\partial x}\\left(100 (y - x^2)^2\\right)", "sum rule"),
        ("2 (1 - x) \\cdot \\frac{\\partial}{\\partial x}\\left(1 - x\\right) + 100 \\cdot \\frac{\\partial}{\\partial x}\\left((y - x^2)^2\\right)",
         "chain rule, constant multiple rule"),
        ("2 (1 - x) (-1) + 100 \\cdot 2 (y - x^2) \\cdot \\frac{\\partial}{\\partial x}\\left(y - x^2\\right)", "sum rule, constant rule, chain rule"),
        ("2 (1 - x) (-1) + 100 \\cdot 2 (y - x^2) (-\\frac{\\partial}{\\partial x}\\left(x^2\\right))", "sum rule, constant rule"),
        ("2 (1 - x) (-1) + 100 \\cdot 2 (y - x^2) (-2x)", "power rule"),
        ("-2 (1 - x) - 400x (y - x^2)", "simplified"),
    ]


def test_the_derivation_ends_in_the_derivative_the_sheet_uses():
    """Under every gradient name, with decimal commas too: the last line is the derivative line's."""
    for name in ("d", "g", "partial"):
        solution = sheet("0.5*x**3 - 1.5*x*y + y**2", mult="cdot", gradient_name=name, numbers="hand:3 comma")
        ex = solution.view()["exercises"][0]
        for derived, derivative in zip(ex["steps"], ex["derivatives"], strict=True):
            assert derivative.endswith(" = " + derived["rows"][-1]["latex"])
        assert "0{,}5" in ex["steps"][0]["rows"][0]["latex"]


def test_one_line_when_one_rule_gives_the_derivative():
    rows = sheet("x**y").view()["exercises"][0]["steps"]
    assert [[(r["latex"], r["rule"]) for r in d["rows"]] for d in rows] == [
        [("y x^{y - 1}", "power rule")], [("x^y \\ln\\left(x\\right)", "exponential rule")]]
    assert [(r["latex"], r["rule"]) for r in sheet("x").view()["exercises"][0]["steps"][0]["rows"]] == [("1", "power rule")]


def test_a_derivative_the_rules_write_otherwise_ends_in_the_sheets_own():
    """√(x²): the rules give 2x/(2√(x²)), the sheet's derivative is SymPy's sign(x) (defined at 0)."""
    rows = sheet("sqrt(x^2) + y^2").view()["exercises"][0]["steps"][0]["rows"]
    assert [(r["latex"], r["rule"]) for r in rows][-2:] == [("\\frac{2x}{2 \\sqrt{x^2}}", "power rule"),
                                                            ("\\operatorname{sign}\\left(x\\right)", "simplified")]


def wrong_sine(monkeypatch):
    """sin's derivative in the function table made wrong (-cos): no rule SymPy confirms applies it."""
    monkeypatch.setitem(functions.TABLE, "sin", dataclasses.replace(functions.TABLE["sin"], derivative="-cos(u)"))
    symbolic._derivation.cache_clear()
    symbolic._gradient.cache_clear()


def test_a_wrong_rule_is_refused_at_build_time(monkeypatch):
    """The check is no formality: with sin's derivative in the table made wrong, SymPy refuses the
    rule that applies it, and the sheet says the rules did not give ∂f/∂x (the gradient is SymPy's
    own, as ever where the rules' one is not confirmed)."""
    f = parse("x**2 + sin(x)")
    right = derivation(f, "x", gradient(f, ["x"])[0])
    assert right is not None and [s.rules for s in right] == [("sum",), ("power", "trig")]
    try:
        wrong_sine(monkeypatch)
        assert derivation(f, "x", gradient(f, ["x"])[0]) is None
        for lang, words in (("en", "is not derived here by the rules alone"), ("vi", "ở đây không được suy ra chỉ bằng các quy tắc")):
            solution = sheet("x**2 + sin(x) + y**2", lang)
            note, derived = solution.view()["exercises"][0]["steps"]
            assert note["rows"] == [] and words in note["note"] and derived["note"] is None and derived["rows"]
            assert f"*$\\frac{{\\partial f}}{{\\partial x}}$ {words}" in solution.to_markdown()
            assert "\\emph{$\\frac{\\partial f}{\\partial x}$ " + words in solution.to_latex()
            for document in (solution.to_markdown(), solution.to_latex()):
                assert not symopt.check(document).warnings
    finally:
        monkeypatch.undo()
        symbolic._derivation.cache_clear()
        symbolic._gradient.cache_clear()


def test_steps_are_off_by_default_and_json_says_them():
    plain = symopt.solve({"function": "x**2", "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"x": 1}}]})
    assert "rule" not in plain.to_markdown() and "steps" not in plain.to_dict()["exercises"][0]
    assert plain.view()["exercises"][0]["steps"] == []
    steps = json.loads(sheet("x**2 + y").to_json())["exercises"][0]["steps"]
    assert steps == [{"variable": "x", "lines": [{"latex": "\\frac{\\partial}{\\partial x}\\left(x^2\\right)", "rules": ["sum", "constant"]},
                                                 {"latex": "2x", "rules": ["power"]}]},
                     {"variable": "y", "lines": [{"latex": "1", "rules": ["sum", "constant"]}]}]


def test_every_rule_has_its_words_in_every_language():
    keys = {"sum", "constant", "constant_multiple", "power", "product", "quotient", "chain", "log_diff", "simplify"}
    keys |= {row.rule for row in functions.TABLE.values()}
    for lang in labels.languages():
        assert keys <= set(labels.words(lang, "sheet")["rules"]), lang


# -- every line is SymPy's derivative --------------------------------------------------------------

FUNCTIONS = [
    "0.1*w1**2 + 2*w2**2", "3*x**4 - 2*x**3 + x - 7", "(x - 1)**2*(x + 2)**3", "x**2*y**3 - x*y + 4*y",
    "(x**2 + 1)/(x - 3)", "1/(1 + x**2)", "x/(y + 2) - y/(x**2 + 1)", "exp(-x/3) + exp(x*y)", "log(1 + x**2) - log(y)",
    "sin(2*x)*cos(y)", "sin(x)**2 + cos(x)**2", "tanh(x*y) + sqrt(1 + x**2)", "sqrt(x)*exp(-x)", "log(sin(x) + 2)",
    "exp(sin(x**2))", "atan(x/y)", "abs(x - 1) + sinh(y) + cosh(x)", "tan(x/4) + 2**x + x**y", "x**x", "-(x - y)**2",
    "(1 - x)**2 + 100*(y - x**2)**2", "pi*x**2/3 + e*y", "sqrt(x**2)",
    "exp(sin(x*y + z)/(1 + (x - y*z)**2))*log(1 + (x*y*z)**2)*sqrt(1 + x**2 + y**2 + z**2)/(2 + cos(x*z))",
    "((x + y)/(1 + x**2) + (y - x)/(1 + y**2))/((x*y + 1)/(2 + x**2*y**2) + 3)",
]


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    """a = b: symbolically where SymPy can tell fast, else at two points to 30 digits."""
    difference = a - b
    if difference == 0 or sympy.expand(difference) == 0 or sympy.simplify(difference) == 0:
        return True
    for point in ((sympy.Rational(7, 10), sympy.Rational(13, 10)), (sympy.Rational(3, 2), sympy.Rational(2, 5))):
        at = dict(zip(sorted(difference.free_symbols, key=str), point * 3, strict=False))
        value = sympy.N(difference.subs(at), 30)
        if value.is_finite and abs(value) > sympy.Float("1e-20", 30):
            return False
    return True


def assert_every_line_is_sympys(text: str) -> int:
    """Every line of every derivation of f is SymPy's ∂f/∂v, its derivatives to take done by SymPy;
    the last is the gradient.  The number of lines checked."""
    f = parse(text)
    variables = sorted(names(f) - {"pi"}) or ["x"]
    lines = 0
    for v, d in zip(variables, gradient(f, variables), strict=True):
        steps = derivation(without_ones(f), v, d)
        if steps is None:
            continue
        expected = sympy.diff(to_sympy(f), symbol(v))
        for step in steps:
            ours = to_sympy(step.tree).doit()
            assert _equal(ours, expected), (text, v, step)
            assert step.rules, (text, v, step)
        assert steps[-1].tree == d and not any(isinstance(n, Call) and n.func == DERIVATIVE for n in walk(d))
        lines += len(steps)
    return lines


@pytest.mark.parametrize("text", FUNCTIONS)
def test_every_line_of_these_derivations_is_sympys_derivative(text):
    f = parse(text)
    variables = sorted(names(f) - {"pi"})
    assert all(derivation(without_ones(f), v, d) is not None for v, d in zip(variables, gradient(f, variables), strict=True)), text
    assert assert_every_line_is_sympys(text) >= len(variables)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_every_line_of_a_random_derivation_is_sympys_derivative(text):
    with suppress(symopt.SymoptError):  # f has no real derivative (SymPy fails there too: tests/test_gradients.py), or one too long
        assert_every_line_is_sympys(text)


# -- the spec key, its errors and its bounds -----------------------------------------------------------

def test_steps_at_the_top_in_defaults_or_per_exercise():
    ex = {"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"x": 1}}
    def steps(data):
        return [e.steps for e in bounds.from_dict({"function": "x**2", **data}).exercises]
    assert steps({"exercise": [ex, ex]}) == [False, False]
    assert steps({"steps": True, "exercise": [ex, {**ex, "steps": False}]}) == [True, False]
    assert steps({"steps": True, "defaults": {"steps": False}, "exercise": [ex, {**ex, "steps": True}]}) == [False, True]


@pytest.mark.parametrize(("data", "where"), [({"steps": "yes"}, "<spec>: steps: "), ({"defaults": {"steps": 1}}, "<spec>: exercise 1: steps: ")])
def test_a_bad_steps_value_is_one_line(data, where):
    with pytest.raises(symopt.SymoptError) as e:
        bounds.from_dict({"function": "x**2", **data, "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"x": 1}}]})
    assert str(e.value).startswith(where + "must be true or false") and "\n" not in str(e.value)


def test_the_work_budget_counts_the_derivations():
    squares = " + ".join(f"(w{i} - {i})**2" for i in range(1, 41))  # 40 variables, 4 lines each at most
    ex = {"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {f"w{i}": 0 for i in range(1, 41)}, "epochs": 1}
    plain = bounds.from_dict({"function": squares, "exercise": [ex]}).exercises[0]
    stepped = bounds.from_dict({"function": squares, "steps": True, "exercise": [ex]}).exercises[0]
    assert bounds.step_lines(plain) == 0 and bounds.step_lines(stepped) == 40 * 4
    assert bounds.work([stepped]) - bounds.work([plain]) == 160 * bounds.STEP_WORK
    assert sum(len(d.lines or ()) for d in symopt.solve(bounds.from_dict({"function": squares, "steps": True, "exercise": [ex]}))
               .exercises[0].steps) <= 160  # the count bounds the lines
    bounds.from_dict({"function": squares, "exercise": [ex] * 6})  # 6 exercises without steps are in the budget
    with pytest.raises(symopt.SymoptError, match="worked lines"):
        bounds.from_dict({"function": squares, "steps": True, "exercise": [ex] * 6})


def test_a_derivation_too_large_for_a_hand_is_one_line_before_any_epoch():
    nested = "sin(" * 30 + "x" + ")" * 30
    with pytest.raises(symopt.SymoptError) as e:
        sheet(nested)
    message = str(e.value)
    assert message.startswith("<spec>: exercise 1 (gd): deriving ∂f/∂x by the rules takes a line of more than 400 terms")
    assert message.endswith("write a smaller f, or steps = false") and "\n" not in message
    sheet("sin(" * 6 + "x" + ")" * 6)  # a few levels are fine


def test_the_bounds_of_one_derivation(monkeypatch):
    f = parse("(1 - x)**2 + 100*(y - x**2)**2")  # 6 lines, of at most 27 nodes
    d = gradient(f, ["x"])[0]
    for bound, value, message in (("MAX_STEP_LINES", 6, "takes more than 6 lines"), ("MAX_STEP_NODES", 20, "a line of more than 20 terms")):
        symbolic._derivation.cache_clear()
        assert len(derivation(f, "x", d)) == 6
        with monkeypatch.context() as m:
            m.setattr(symbolic, bound, value - 1 if bound == "MAX_STEP_LINES" else value)
            symbolic._derivation.cache_clear()
            with pytest.raises(symbolic.TooLong, match=message.replace("6", "5") if bound == "MAX_STEP_LINES" else message):
                derivation(f, "x", d)
    symbolic._derivation.cache_clear()


def test_a_derivation_past_the_runs_time_stops_in_one_line(monkeypatch):
    monkeypatch.setattr(bounds, "MAX_SECONDS", -1)
    symbolic._derivation.cache_clear()
    with bounds.one_run(), pytest.raises(symopt.SymoptError) as e:
        sheet("x**3 + y")
    assert "stopped deriving ∂f/∂x: the run has taken more than -1 s" in str(e.value) and "\n" not in str(e.value)
    assert str(e.value).endswith("ask for steps on a smaller f, or on fewer exercises")


# -- read back by the checker ----------------------------------------------------------------------

READ_BACK = ["(1 - x)**2 + 100*(y - x**2)**2", "exp(-w1/3) + log(1 + w2^2) + abs(w1)*sin(w2) + sqrt(w1^2 + 1) + tanh(w2)/3",
             "x/(1+x^2) + 2^x + x^y + tan(x)*cos(y)", "sqrt(x^2) + y^2", "theta^2*exp(theta)", "e^2 + lambda*e",
             "exp(sin(x*y + z)/(1 + (x - y*z)^2))*log(1 + (x*y*z)^2)/(2 + cos(x*z))"]


@pytest.mark.parametrize("text", READ_BACK)
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_checker_reads_every_derivation_back_and_checks_it(text, lang):
    for mult, name in (("*", "d"), ("cdot", "g"), ("times", "partial")):
        solution = sheet(text, lang, mult, gradient_name=name, numbers="hand:3 comma")
        derived = sum(1 for d in solution.exercises[0].steps if d.lines is not None)
        for document in (solution.to_markdown(), solution.to_latex()):
            report = symopt.check(document)
            assert report.summary["errors"] == 0 and report.summary["warnings"] == 0, [f.text for f in report.findings if f.severity != "ok"]
            derivatives = [f for f in report.findings if f.message == "derivative"]
            assert len(derivatives) == derived + len(solution.exercises[0].exercise.variables)  # each derivation, then each derivative line


def test_a_wrong_step_is_a_formula_error_in_both_formats():
    solution = sheet("(1 - x)**2 + 100*(y - x**2)**2", mult="cdot")
    md = solution.to_markdown().replace("(y - x^2) (-2x)$$", "(y - x^2) (-3x)$$", 1)
    tex = solution.to_latex().replace("\\left(1 - x\\right) + 100", "\\left(1 + x\\right) + 100", 1)
    for document, step in ((md, 5), (tex, 2)):
        report = symopt.check(document)
        assert [(f.kind, f.text) for f in report.errors] == [
            ("formula", f"step {step} of the derivative is wrong: the derivative of f with respect to x is -2 (1 - x) - 400x (y - x^2)")]
        assert not report.warnings


def test_after_a_wrong_last_step_the_derivative_line_is_judged_against_the_true_one_too():
    """Found by a new-user trial: the last step of a derivation made wrong (2a/√(1+a²)) was flagged,
    and then the untouched derivative line below it, a/√(1+a²), was flagged as well, with a message
    that stated the writer's wrong result as the derivative.  The writer's carried derivative and
    the true one are both right for a later line (error carried forward); a message states only the
    true derivative."""
    solution = sheet("sqrt(1 + a**2) + sin(b)")
    md = solution.to_markdown()
    wrong = md.replace("$$= \\frac{a}{\\sqrt{1 + a^2}}$$", "$$= \\frac{2a}{\\sqrt{1 + a^2}}$$", 1)
    assert wrong != md and "$$da = \\frac{a}{\\sqrt{1 + a^2}}$$" in wrong
    report = symopt.check(wrong)
    assert [(f.kind, f.text) for f in report.errors] == [
        ("formula", "step 5 of the derivative is wrong: the derivative of f with respect to a is \\frac{a}{\\sqrt{1 + a^2}}")]
    assert not report.warnings


def test_a_derivation_whose_terms_cancel_reads_back_clean():
    """f is 0 (hypothesis found it): each step's terms cancel, and their rounding at the checker's 50
    digits is no error (the gap shrinks at 100 digits); a wrong step's gap stays."""
    solution = sheet("pi*w2^2*w2/(1 + w1^2) - pi*w2/(1 + w1^2)*w2^2")
    md = solution.to_markdown()
    for document in (md, solution.to_latex()):
        report = symopt.check(document)
        assert not report.errors and not report.warnings
    wrong = md.replace("(-\\frac{\\pi w_2 * 2w_1}{(1 + w_1^2)^2})$$", "(-\\frac{\\pi w_2 * 3w_1}{(1 + w_1^2)^2})$$", 1)
    assert wrong != md and [f.text[:40] for f in symopt.check(wrong).errors] == ["step 5 of the derivative is wrong: the d"]


def test_a_students_derivation_by_operators_is_checked():
    """A hand-written derivation in d/dx or ∂/∂x, a display a step: each step is checked."""
    solution = symopt.solve({"function": "x**2*y", "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"x": 1, "y": 2},
                                                                  "epochs": 1}]})
    md = solution.to_markdown()
    given = "$$x = 1,\\; y = 2,\\; \\alpha = 0.1$$\n"
    right = given + "\n$$dx = y \\frac{d}{dx}(x^2)$$\n\nso\n\n$$= 2x y$$\n"
    wrong = given + "\n$$\\frac{\\partial f}{\\partial x} = y \\cdot \\frac{\\partial}{\\partial x}\\left(x^2\\right) = x y$$\n"
    ok = symopt.check(md.replace(given, right))
    assert not ok.errors and not ok.warnings and sum(f.message == "derivative" for f in ok.findings) == 3  # the derivation, then dx and dy
    bad = symopt.check(md.replace(given, wrong))
    assert [f.text for f in bad.errors][:1] == ["step 2 of the derivative is wrong: the derivative of f with respect to x is 2x y"]


# -- KaTeX and the PDF -----------------------------------------------------------------------------

def test_every_derivation_line_renders_in_katex(katex):
    formulas = []
    for text in FUNCTIONS + READ_BACK:
        for lang, mult in (("en", "*"), ("vi", "cdot"), ("en", "times")):
            md = sheet(text, lang, mult, numbers="hand:3 comma").to_markdown()
            formulas += re.findall(r"^\$\$(.+)\$\$$", md, re.MULTILINE)
            formulas += re.findall(r"(?<![\\$])\$([^$\n]+)\$(?!\$)", re.sub(r"^\$\$.*\$\$$", "", md, flags=re.MULTILINE))
    assert sum("\\frac{\\partial}{\\partial" in f for f in formulas) > 100
    done = subprocess.run(["node", str(katex)], input=json.dumps(formulas), capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize(("lang", "words"), [("en", ["(sum rule)", "(chain rule, constant multiple rule)", "(simplified)"]),
                                             ("vi", ["(quy tắc tổng)", "(quy tắc dây chuyền, quy tắc hằng số nhân)", "(rút gọn)"])])
def test_the_pdf_compiles_with_its_rules_tagged(tex, tmp_path, lang, words):
    from test_pdf import pdf_text

    (tmp_path / "s.toml").write_text(f'lang = "{lang}"\nfunction = "(1 - x)**2 + 100*(y - x**2)**2"\nsteps = true\n'
                                     '[[exercise]]\noptimizer = "gd"\nhyper = { alpha = 0.001 }\nstart = { x = 0, y = 0 }\nepochs = 1\n',
                                     encoding="utf-8")
    assert main(["render", str(tmp_path / "s.toml"), "-o", str(tmp_path), "--format", "pdf"]) == 0
    text = pdf_text(tmp_path / "s.pdf")
    assert all(w in text for w in words), text


def test_the_readme_shows_real_output():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\\begin{align*}\n\\frac{\\partial f}{\\partial x}")
    excerpt = readme[start:readme.index("\\end{align*}\n", start)]
    assert excerpt.count("\\tag{") == 6 and excerpt in sheet("(1 - x)**2 + 100*(y - x**2)**2", mult="cdot").to_latex()
