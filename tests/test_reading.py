"""Reading a student's worked solution: the layout (symopt.check.document) and the problem (symopt.check.problem).

Each test states exactly what is read: the math lines (line number, text), the exercises and their
epochs, and the start values, state and hyperparameters the problem is rebuilt with.  The cases
come from the corpus of tests/data/students (the doc:line in a test's comment).
"""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path
from textwrap import dedent

import pytest

import symopt
from symopt.check.document import MathLine, plain_math, read
from symopt.check.problem import classify, exercises_from
from symopt.compiler import rational_value

STUDENTS = Path(__file__).resolve().parent / "data" / "students"


def doc(text: str):
    return read(dedent(text).lstrip("\n"))


def texts(lines: list[MathLine]) -> list[tuple[int, str]]:
    return [(m.line, m.text) for m in lines]


def problem(text: str):
    """The exercises rebuilt from the document alone."""
    return exercises_from(doc(text), "<text>")


def values(mapping: dict) -> dict:
    return {k: (values(v) if isinstance(v, dict) else v) for k, v in mapping.items()}


# -- 1. a title that names optimizers, over unmarked numbered exercises --------------------------------

TITLED = """
# Bài tập: Gradient Descent và Adam

$$f(w_1, w_2) = 0.1w_1^2 + 2w_2^2$$

Bài 1 Gradient Descent

$$w_1 = 3, w_2 = -1, \\alpha = 0.3$$

Epoch 1:

$$dw_1 = 0.2 * (3) = 0.6$$

Bài 2 Adam

$$w_1 = 3, w_2 = -1, \\alpha = 0.1, \\beta_1 = 0.9, \\beta_2 = 0.999, \\epsilon = 10^{-8}$$

Epoch 1:

$$dw_1 = 0.2 * (3) = 0.6$$
"""


def test_a_title_naming_optimizers_over_numbered_exercises_is_the_title():  # 02:1, 28:1
    d = doc(TITLED)
    assert [(s.line, s.heading, s.optimizer) for s in d.sections] == [(5, "Bài 1 Gradient Descent", "gd"), (13, "Bài 2 Adam", "adam")]
    assert texts(d.preamble) == [(3, "f(w_1, w_2) = 0.1w_1^2 + 2w_2^2")]
    assert [ex.optimizer.key for ex in exercises_from(d, "<text>")] == ["gd", "adam"]


@pytest.mark.parametrize("name, optimizers", [("02-reference-slips.md", ["gd", "adam"]),
                                              ("28-three-exercises.md", ["gd", "rmsprop", "adam"])])
def test_the_corpus_titles(name, optimizers):
    d = read((STUDENTS / name).read_text(encoding="utf-8"))
    assert [s.optimizer for s in d.sections] == optimizers
    assert [m.line for m in d.preamble] == [3]


def test_a_marked_exercise_without_epochs_beside_marked_exercises_stays_an_exercise():
    d = doc("""
        $$f(x) = x^2$$

        ## Adam

        ## RMSProp

        $$x = 1, \\alpha = 0.1, \\gamma = 0.9, \\epsilon = 10^{-6}$$

        Epoch 1:

        $$dx = 2 \\cdot 1 = 2$$
        """)
    assert [(s.heading, len(s.epochs)) for s in d.sections] == [("Adam", 0), ("RMSProp", 1)]


def test_a_numbered_heading_is_never_a_title():
    d = doc("""
        $$f(x) = x^2$$

        # Bài 1 Adam

        Bài 2 Gradient Descent

        $$x = 1, \\alpha = 0.1$$

        Epoch 1:

        $$dx = 2 \\cdot 1 = 2$$
        """)
    assert [s.heading for s in d.sections] == ["Bài 1 Adam", "Bài 2 Gradient Descent"]


# -- 2. epoch labels ------------------------------------------------------------------------------------

@pytest.mark.parametrize("label, number", [
    ("*Epoch 1*", 1),  # 12:15
    ("_Epoch 1_", 1),
    ("**t = 1**", 1),  # 06:19
    ("*t = 2*", 2),
    ("\\textbf{t = 1}", 1),
    ("t = 3:", 3),
    ("### t = 1", 1),
    ("In step 1:", 1),  # 11:15
    ("In Step 2", 2),
    ("Epoch 1 (t = 1):", 1),
    ("**Epoch 2 (t = 2):**", 2),
    ("Vòng lặp 1", 1),
    ("Vòng 2:", 2),
    ("Iteration t = 2", 2),
    ("Iteration 1.", 1),
    ("Epoch 1:", 1),
    ("\\textbf{Vòng 1:}", 1),
])
def test_epoch_labels(label, number):
    d = doc(f"""
        $$f(x) = x^2$$

        ## Exercise 1: Gradient Descent

        $$x = 1, \\alpha = 0.1$$

        {label}

        $$dx = 2 \\cdot 1 = 2$$
        """)
    (section,) = d.sections
    assert [(e.number, e.line) for e in section.epochs] == [(number, 7)]
    assert texts(section.epochs[0].lines) == [(9, "dx = 2 \\cdot 1 = 2")]
    assert texts(section.given) == [(5, "x = 1, \\alpha = 0.1")]


def test_t_equals_1_unmarked_is_not_a_label():
    d = doc("""
        ## Exercise 1: Gradient Descent

        t = 1
        """)
    (section,) = d.sections
    assert section.epochs == []
    assert texts(section.given) == [(3, "t = 1")]


# -- 3. math inside a sentence ------------------------------------------------------------------------

def test_inline_math_in_a_sentence_is_a_line_of_its_own():
    d = doc("""
        We minimise $f(x, y) = x^2 + 3y^2$.

        ## Exercise 1: Gradient Descent

        We start from $x = 3, y = 1, \\alpha = 0.1$.

        In step 1:

        So $w_1 = -5 - 0.4 \\cdot (-1) = -4.6$ after the first step.

        Then $x = 1$ and $y = 2$, and the rate $\\alpha$ is small.

        $g_x = 2 \\cdot 3 = 6$
        """)
    assert d.preamble == [MathLine(1, "f(x, y) = x^2 + 3y^2", 1)]
    (section,) = d.sections
    assert section.given == [MathLine(5, "x = 3, y = 1, \\alpha = 0.1", 5)]
    assert section.epochs[0].lines == [
        MathLine(9, "w_1 = -5 - 0.4 \\cdot (-1) = -4.6", 9),
        MathLine(11, "x = 1", 11), MathLine(11, "y = 2", 11),
        MathLine(13, "g_x = 2 \\cdot 3 = 6", 13),
    ]


@pytest.mark.parametrize("sentence", [
    "the rate $\\alpha$ is small",
    "It costs $5 and $10 = ten dollars.",
    "a price of \\$5 = five dollars, or \\$6 = six",
    "there $\\frac{d|x|}{dx}$ is taken as $\\operatorname{sign}(0) = 0$.",  # symopt's own note on |x|
    "*From epoch 2 on, … $v_1 = 0.2$ here, $0.21$ without rounding.*",  # a remark in italics
    "**The run diverges at epoch 6: $x = 2824440448203$ is past $10^{12}$.**",
    "Note that this = that",
    "x = 2.4 after step 1",
    "Result: x = 2",
])
def test_sentences_that_state_nothing_to_check(sentence):
    d = doc(f"""
        ## Exercise 1: Gradient Descent

        {sentence}
        """)
    assert d.sections[0].given == []


def test_a_sentence_names_the_parameter_vector():  # 34:1, and symopt's own note on the formulas
    d = doc("""
        Here $\\theta = (x, y)$.

        $$f(x, y) = x^2 + 3y^2$$
        """)
    assert texts(d.preamble) == [(1, "\\theta = (x, y)"), (3, "f(x, y) = x^2 + 3y^2")]
    assert classify(d.preamble[0]).kind == "definition"


def test_inline_math_alone_on_a_line_still_works():
    d = doc("""
        $f(x) = x^2$

        ## Exercise 1: Gradient Descent

        $x = 1, \\alpha = 0.1$
        """)
    assert texts(d.preamble) == [(1, "f(x) = x^2")]
    assert texts(d.sections[0].given) == [(5, "x = 1, \\alpha = 0.1")]


# -- 4. plain-text math ----------------------------------------------------------------------------------

PLAIN = """
f(x, y) = x^2 + 3*y^2
Exercise 1 - Gradient Descent

x = x - alpha*dx
x0 = 3, alpha = 0.1
x = 3, y = 2, alpha = 0.1
Note that this = that

Epoch 1:

dx = 2*3 = 6
- dw1 = 0.2*(-5) = -1
w1 = -5 - 0.4·(-1) = -4.6
x = 3 - 0.1*6 = 2.4
y = ??
"""


def test_plain_text_math_lines():  # 09, 31
    d = doc(PLAIN)
    assert texts(d.preamble) == [(1, "f(x, y) = x^2 + 3*y^2")]
    (section,) = d.sections
    assert (section.heading, section.optimizer) == ("Exercise 1 - Gradient Descent", "gd")
    assert texts(section.given) == [(4, "x = x - alpha*dx"), (5, "x0 = 3, alpha = 0.1"), (6, "x = 3, y = 2, alpha = 0.1")]
    assert texts(section.epochs[0].lines) == [
        (11, "dx = 2*3 = 6"), (12, "dw1 = 0.2*(-5) = -1"), (13, "w1 = -5 - 0.4·(-1) = -4.6"),
        (14, "x = 3 - 0.1*6 = 2.4"), (15, "y = ??"),  # the checker says y = ?? is unreadable
    ]
    (ex,) = exercises_from(d, "<text>")
    assert (ex.variables, values(ex.start), values(ex.hyper)) == (("x", "y"), {"x": 3, "y": 2}, {"alpha": F(1, 10)})


@pytest.mark.parametrize("written, latex", [
    ("w = w - α*dw/√(s + ε)", "w = w - \\alpha*dw/\\sqrt{s + \\varepsilon}"),
    ("β₁ = 0.9, β2 = 0.999", "\\beta_{1} = 0.9, \\beta_{2} = 0.999"),
    ("θ = θ - α*g", "\\theta = \\theta - \\alpha*g"),
    ("s1 = 0.9*0 + 0.1*(-1)² = 0.1", "s1 = 0.9*0 + 0.1*(-1)^{2} = 0.1"),
    ("x = 1 - 0.1*2/(sqrt(4) + 1e-8)", "x = 1 - 0.1*2/(\\sqrt{4} + 1e-8)"),
    ("w = w - αdw/√(√(s) + 1)", "w = w - \\alpha dw/\\sqrt{\\sqrt{s} + 1}"),
    ("mhat_x = 0.2/(1 - 0.9^1) = 2", "\\hat{m}_x = 0.2/(1 - 0.9^1) = 2"),
    ("θ₀ = 0, √2", "\\theta_{0} = 0, \\sqrt{2}"),
])
def test_plain_unicode_math_is_written_as_latex(written, latex):  # 10-plain-unicode.md
    assert plain_math(written) == latex
    d = doc(f"""
        ## Exercise 1: RMSProp

        {written}
        """)
    assert texts(d.sections[0].given) == [(3, latex)]


def test_plain_unicode_document():  # 10-plain-unicode.md
    d = read((STUDENTS / "10-plain-unicode.md").read_text(encoding="utf-8"))
    assert texts(d.sections[1].given)[:3] == [
        (31, "s = \\gamma*s + (1 - \\gamma)*dw^2"), (32, "w = w - \\alpha*dw/\\sqrt{s + \\varepsilon}"),
        (34, "w1 = -5, w2 = -2, s1 = s2 = 0, \\alpha = 0.3, \\gamma = 0.9, \\varepsilon = 1e-6")]
    momentum, rmsprop = exercises_from(d, "<text>")
    assert values(momentum.hyper) == {"alpha": F(3, 5), "beta": F(1, 2)}
    assert values(rmsprop.hyper) == {"alpha": F(3, 10), "gamma": F(9, 10), "epsilon": F(1, 10**6)}
    assert values(rmsprop.start) == {"w1": -5, "w2": -2}


# -- 5. the f line inside a sentence --------------------------------------------------------------------

def test_f_inside_a_sentence():  # 11:1, 32:1
    (ex,) = problem("""
        The function is $f(x, y) = (x - 1)^2 + 2(y + 2)^2$.

        ## Exercise 1: Gradient Descent

        Start: $x = 0, y = 0, \\alpha = 0.5$.

        Epoch 1:

        $g_x = 2 \\cdot (0 - 1) = -2$
        """)
    assert ex.variables == ("x", "y")
    assert values(ex.start) == {"x": 0, "y": 0}


# -- 6. start values written with the iterate ---------------------------------------------------------

@pytest.mark.parametrize("f, heading, data, start", [
    ("f(x, y) = x^2 + 3y^2", "Gradient Descent", "x^{(0)} = 4, y^{(0)} = -1, \\alpha = 0.1", {"x": 4, "y": -1}),  # 03:9
    ("f(\\theta_1, \\theta_2) = \\theta_1^2 + \\theta_2^2", "Gradient Descent",
     "\\theta_1^0 = -5, \\theta_2^0 = -2, \\alpha = 0.2", {"theta1": -5, "theta2": -2}),  # 04:17
    ("f(\\theta_1, \\theta_2) = \\theta_1^2 + \\theta_2^2", "Gradient Descent",
     "\\theta_1^{(0)} = 1, \\theta_2^{(0)} = 2, \\alpha = 0.3", {"theta1": 1, "theta2": 2}),  # 24:9
    ("f(\\theta) = (\\theta - 3)^2", "Gradient Descent", "\\theta_0 = 0, \\alpha = 0.15", {"theta": 0}),  # 05:7
    ("f(x) = 0.25x^4 - x^2", "Gradient Descent", "x_0 = 2, \\eta = 0.1", {"x": 2}),  # 21:9
    ("f(w_1, w_2) = w_1^2 + w_2^2", "Gradient Descent", "w_{1,0} = -5, w_2^{(0)} = -2, \\alpha = 0.4", {"w1": -5, "w2": -2}),
    ("f(w_1, w_2) = w_1^2 + w_2^2", "Gradient Descent", "w_1 = -5, w_2 = -2, \\alpha = 0.4", {"w1": -5, "w2": -2}),
    ("f(w_1, w_2) = w_1^2 + w_2^2", "Gradient Descent", "\\mathbf{w}_0 = (-5, -2), \\alpha = 0.4", {"w1": -5, "w2": -2}),
    ("f(w_1, w_2) = w_1^2 + w_2^2", "Gradient Descent", "(w_1, w_2) = (-5, -2), \\alpha = 0.4", {"w1": -5, "w2": -2}),  # 13:29
    ("f(x_1, x_2) = x_1^2 + x_2^2", "Gradient Descent", "\\mathbf{x} = (1, 2), \\alpha = 0.4", {"x1": 1, "x2": 2}),
    ("f(x_0, x_1) = x_0^2 + x_1^2", "Gradient Descent", "x_0 = 3, x_1 = 4, \\alpha = 0.4", {"x0": 3, "x1": 4}),
])
def test_start_values(f, heading, data, start):
    (ex,) = problem(f"""
        $${f}$$

        ## Exercise 1: {heading}

        $${data}$$

        Epoch 1:
        """)
    assert values(ex.start) == start


def test_a_start_mark_is_only_a_zero():
    """``w_1`` in a problem in w1, w2 is w1 itself, and Adagrad's ``s_0`` is its hyperparameter."""
    (ex,) = problem("""
        $$f(w_1, w_2) = w_1^2 + w_2^2$$

        ## Exercise 1: Adagrad

        $$w_1 = 3, w_2 = 1, \\alpha = 0.5, \\epsilon = 10^{-8}, s_0 = 0.1$$

        Epoch 1:
        """)
    assert values(ex.start) == {"w1": 3, "w2": 1}
    assert ex.hyper["s0"] == F(1, 10)


# -- 7. one value for several names, and vectors --------------------------------------------------------

@pytest.mark.parametrize("data, state", [
    ("w_1 = -5, w_2 = -2, v_1 = v_2 = 0.5, \\alpha = 0.3, \\beta = 0.9", {"v": {"w1": F(1, 2), "w2": F(1, 2)}}),  # 30:9
    ("w_1 = -5, w_2 = -2, v_{w_1} = v_{w_2} = -1, \\alpha = 0.3, \\beta = 0.9", {"v": {"w1": -1, "w2": -1}}),
    ("w_1 = -5, w_2 = -2, \\mathbf{v} = (0.5, -1), \\alpha = 0.6, \\beta = 0.5", {"v": {"w1": F(1, 2), "w2": -1}}),  # 13:29
    ("w_1 = -5, w_2 = -2, v_0 = 0.2, \\alpha = 0.6, \\beta = 0.5", {"v": {"w1": F(1, 5), "w2": F(1, 5)}}),
    ("w_1 = -5, w_2 = -2, v_1^{(0)} = v_2^{(0)} = 0.1, \\alpha = 0.3, \\beta = 0.7", {"v": {"w1": F(1, 10), "w2": F(1, 10)}}),  # 24:9
])
def test_chained_and_vector_state(data, state):
    (ex,) = problem(f"""
        $$f(w_1, w_2) = w_1^2 + w_2^2$$

        ## Exercise 1: Gradient Descent with Momentum

        $${data}$$

        Epoch 1:
        """)
    assert values(ex.state) == state
    assert values(ex.start) == {"w1": -5, "w2": -2}


@pytest.mark.parametrize("text, items", [
    ("v_1 = v_2 = 0", [("v_1", 0), ("v_2", 0)]),
    ("s_1 = s_2 = 0, \\alpha = 0.3", [("s_1", 0), ("s_2", 0), ("\\alpha", F(3, 10))]),
    ("v_x = v_y = 0", [("v_x", 0), ("v_y", 0)]),
    ("m_0 = v_0 = 0", [("m_0", 0), ("v_0", 0)]),
    ("m_{w_1} = m_{w_2} = v_{w_1} = v_{w_2} = 0", [("m_{w_1}", 0), ("m_{w_2}", 0), ("v_{w_1}", 0), ("v_{w_2}", 0)]),
    ("(w_1, w_2) = (-5, -2)", [("w_1", -5), ("w_2", -2)]),
    ("x^{(0)} = 4, \\theta_1^0 = -5", [("x^{(0)}", 4), ("\\theta_1^{(0)}", -5)]),
])
def test_data_items(text, items):
    given = classify(MathLine(1, text, 1))
    assert given.kind == "data"
    assert [(name, rational_value(tree, {})) for name, tree in given.items] == items


def test_vector_items():
    given = classify(MathLine(1, "\\mathbf{v} = (0, 0), \\mathbf{w}_0 = \\left(-5, -2\\right)", 1))
    assert given.kind == "data" and given.items == ()
    assert [(name, [rational_value(c, {}) for c in tree]) for name, tree in given.vectors] == [("v", [0, 0]), ("w_0", [-5, -2])]


@pytest.mark.parametrize("text, kind", [
    ("\\theta = (x, y)", "definition"),
    ("v_x = v_y = \\beta v_x", "other"),  # a chain gives names a number, not a formula
    ("\\nabla f = (0.2w_1, 4w_2)", "other"),
    ("(w_1, w_2) = (-5, -2, 3)", "other"),
    ("V_t = \\beta V_{t-1} + (1 - \\beta) dW_t", "formulas"),
    ("w_1 = -5, w_2 = -2", "data"),
])
def test_kinds(text, kind):
    assert classify(MathLine(1, text, 1)).kind == kind


# -- 8. decimal commas ----------------------------------------------------------------------------------

def test_a_decimal_comma_document():  # 07, 34
    d = doc("""
        $$f(w_1, w_2) = 0,1w_1^2 + 2w_2^2$$

        Bài 1 Gradient Descent

        $$w_1 = -5; w_2 = -2; \\alpha = 0,4$$

        Vòng 1

        $$w_1 = -5 - 0,4 \\cdot (-1) = -4,6$$

        So $w_2 = -2 - 0,4 \\cdot (-8) = 1,2$ after it.
        """)
    assert d.decimal_comma
    assert texts(d.preamble) == [(1, "f(w_1, w_2) = 0{,}1w_1^2 + 2w_2^2")]
    assert texts(d.sections[0].given) == [(5, "w_1 = -5; w_2 = -2; \\alpha = 0{,}4")]
    assert texts(d.sections[0].epochs[0].lines) == [(9, "w_1 = -5 - 0{,}4 \\cdot (-1) = -4{,}6"),
                                                    (11, "w_2 = -2 - 0{,}4 \\cdot (-8) = 1{,}2")]
    (ex,) = exercises_from(d, "<text>")
    assert values(ex.hyper) == {"alpha": F(2, 5)}
    assert values(ex.start) == {"w1": -5, "w2": -2}


@pytest.mark.parametrize("data", ["x = 2; y = -1; \\alpha = 0.1", "x = 2, y = -1, \\alpha = 0,1"])
def test_either_sign_makes_a_decimal_comma_document(data):
    assert doc(f"""
        ## Exercise 1: Gradient Descent

        $${data}$$
        """).decimal_comma


def test_an_english_document_keeps_its_vectors():
    d = doc("""
        $$f(x, y) = x^2 + y^2$$

        ## Exercise 1: Gradient Descent

        $$x = 1, y = 2, \\alpha = 0.1$$

        Epoch 1:

        $$(x, y) = (1,2) - 0.1 \\cdot (2,4) = (0.8,1.6)$$
        """)
    assert not d.decimal_comma
    assert texts(d.sections[0].epochs[0].lines) == [(9, "(x, y) = (1,2) - 0.1 \\cdot (2,4) = (0.8,1.6)")]


def test_a_decimal_comma_is_not_read_in_an_index():
    d = doc("""
        ## Exercise 1: Gradient Descent

        $$w_{1,0} = 0,5; w_{2,0} = 1,5; \\alpha = 0,1$$
        """)
    assert texts(d.sections[0].given) == [(3, "w_{1,0} = 0{,}5; w_{2,0} = 1{,}5; \\alpha = 0{,}1")]


# -- symopt's own sheets are still read back clean -------------------------------------------------------

@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_symopt_notes_are_not_read_as_lines(fmt):
    """The vector note (``$\\boldsymbol{\\theta} = (x, y)$``), the note on |x| and a diverged run's note."""
    spec = {"function": "abs(x) + 2*y^2", "lang": "en", "exercise": [
        {"optimizer": "momentum", "hyper": {"alpha": "0.1", "beta": "0.9"}, "start": {"x": "-1", "y": "2"},
         "epochs": 2, "numbers": "hand:4"},
        {"optimizer": "gd", "hyper": {"alpha": "50"}, "start": {"x": "3", "y": "1"}, "epochs": 9, "numbers": "hand:2"}]}
    solution = symopt.solve(spec)
    text = solution.to_markdown() if fmt == "md" else solution.to_latex()
    d = read(text)
    assert [classify(m).kind for m in d.sections[0].given] == ["formulas", "formulas", "definition", "data", "formulas", "formulas"]
    report = symopt.check(text)
    assert (report.summary["errors"], report.summary["warnings"]) == (0, 0)


def test_the_adam_papers_letters_in_the_data_line():
    """m_0 and v_0 are the first and the second moment when the formulas say so (v_t squares g_t)."""
    (ex,) = problem("""
        $$f(\\theta) = (\\theta - 3)^2$$

        ## Exercise 1: Adam

        $$m_t = \\beta_1 m_{t-1} + (1 - \\beta_1) g_t$$

        $$v_t = \\beta_2 v_{t-1} + (1 - \\beta_2) g_t^2$$

        $$\\theta_0 = 1, m_0 = 0.5, v_0 = 0.25, \\alpha = 0.1, \\beta_1 = 0.9, \\beta_2 = 0.999, \\epsilon = 10^{-8}$$

        Epoch 1:
        """)
    assert values(ex.start) == {"theta": 1}
    assert values(ex.state) == {"v": {"theta": F(1, 2)}, "s": {"theta": F(1, 4)}}
