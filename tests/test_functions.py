"""One table of functions (issue 14): :data:`symopt.functions.TABLE` is what every module knows.

The parser, SymPy, the printer, the checker's reader, every number mode, the checker's balls and
the figures take their functions from the table; adding a function is one row.  The proof adds a
row (asinh) before symopt is imported, in a fresh interpreter, and uses the function everywhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import textwrap

import pytest

import symopt
from symopt import functions
from symopt.check.mathtext import parse_math
from symopt.check.problem import rename
from symopt.expr import FUNCTIONS, RULE_FUNCTIONS, Name, parse, to_text
from symopt.printer import latex
from symopt.symbolic import to_sympy

DIFFERENTIABLE = [name for name, row in functions.TABLE.items() if not row.rule_only]


def test_the_parser_knows_the_tables_functions():
    assert {name: row.arity for name, row in functions.TABLE.items() if not row.rule_only} == FUNCTIONS
    assert {name: row.arity for name, row in functions.TABLE.items()} == RULE_FUNCTIONS
    assert set(FUNCTIONS) == {"exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "atan", "abs", "sign"}
    assert set(RULE_FUNCTIONS) - set(FUNCTIONS) == {"max", "min", "where", "floor"}


@pytest.mark.parametrize(("text", "expected"), [
    ("exp(x)", "e^{x}"),
    ("exp(1)", "e"),
    ("log(x)", "\\ln\\left(x\\right)"),
    ("sqrt(x)", "\\sqrt{x}"),
    ("sin(x)", "\\sin\\left(x\\right)"),
    ("cos(x)", "\\cos\\left(x\\right)"),
    ("tan(x)", "\\tan\\left(x\\right)"),
    ("sinh(x)", "\\sinh\\left(x\\right)"),
    ("cosh(x)", "\\cosh\\left(x\\right)"),
    ("tanh(x)", "\\tanh\\left(x\\right)"),
    ("atan(x)", "\\arctan\\left(x\\right)"),
    ("abs(x)", "\\left|x\\right|"),
    ("sign(x)", "\\operatorname{sign}\\left(x\\right)"),
])
def test_each_function_prints_as_the_table_says(text, expected):
    assert latex(parse(text), str) == expected


def test_rule_functions_print_from_the_table():
    assert latex(parse("max(a, b) + min(a, 2)", RULE_FUNCTIONS), str) == "\\max(a, b) + \\min(a, 2)"
    assert latex(parse("0.5^floor((t - 1)/10)", RULE_FUNCTIONS), str) == "0.5^{\\left\\lfloor \\frac{t - 1}{10} \\right\\rfloor}"


@pytest.mark.parametrize(("written", "expected"), [
    ("0.5^{\\left\\lfloor \\frac{t - 1}{10} \\right\\rfloor}", "0.5**floor((t-1)/10)"),
    ("\\lfloor x/2 \\rfloor + 1", "floor(x/2)+1"),
])
def test_floor_is_read_as_written(written, expected):
    assert to_text(parse_math(written)) == expected


@pytest.mark.parametrize(("x", "expected"), [("2.5", "2"), ("-2.5", "-3"), ("3", "3"), ("-0.001", "-1"), ("29/10", "2")])
def test_floor_is_exact_in_every_number_mode(x, expected):
    """floor (a step schedule's count of steps, symopt.schedules) is the whole number below x in
    every arithmetic: Fractions, SymPy, Decimal at any precision, hand mode's exact recomputation,
    the checker's balls (a ball that holds no whole number has one floor), and folded constants."""
    from fractions import Fraction

    from symopt.arith import parse_mode
    from symopt.check.ball import BallArithmetic
    from symopt.compiler import evaluator, rational_value

    tree, q = parse("floor(x)", RULE_FUNCTIONS), Fraction(x)
    for mode in ("exact", "precision:30", "hand:4", "sig:3"):
        arith = parse_mode(mode).arithmetic()
        assert arith.shown(arith.carry(evaluator(tree, arith, {})({"x": arith.const(q)}))).text == expected, mode
    exact = parse_mode("hand:4").arithmetic().exact
    assert str(exact.carry(evaluator(tree, exact, {})({"x": q}))) == expected
    balls = BallArithmetic()
    ball = evaluator(tree, balls, {})({"x": balls.ball(q, Fraction(1, 10**6))})
    assert (str(ball.mid), ball.rad) == (expected, 0) or q.denominator == 1  # a whole x's ball reaches below it
    assert rational_value(tree, {"x": q}) == Fraction(expected)
    import math

    import sympy

    arith = parse_mode("exact").arithmetic()  # of an irrational value: SymPy's floor
    assert arith.call("floor", sympy.sqrt(2) + q) == math.floor(2**0.5 + float(q))


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_every_function_is_read_back_as_printed(name):
    tree = parse(f"2*{name}(x - 1) + 1")
    read = rename(parse_math(latex(tree, str)), Name)  # as the checker takes f: e^{x} is exp(x)
    assert to_sympy(read) == to_sympy(tree)


def test_every_reader_command_is_a_function_of_the_table():
    from symopt.check.mathtext import _FUNCTIONS

    assert {c: row.name for row in functions.TABLE.values() for c in row.reads} == _FUNCTIONS
    assert to_text(parse_math("\\log(x) + \\ln(x)")) == "log(x)+log(x)"


# -- adding a function is one row ----------------------------------------------------------------

#: The one row a contributor adds to the table in symopt/functions.py.
ROW = r'''    Function("asinh", sympy="asinh", latex=command("\\operatorname{arsinh}"), reads=("operatorname{arsinh}",),
             derivative="1/sqrt(1 + u^2)", mpmath="asinh", numpy="arcsinh"),
'''

USE_IT = textwrap.dedent(r'''
    import json, sys
    from fractions import Fraction

    import numpy
    import symopt
    from symopt.arith import parse_mode
    from symopt.check.ball import BallArithmetic
    from symopt.compiler import evaluator
    from symopt.expr import parse, to_text
    from symopt.figures import grid_values
    from symopt.check.mathtext import parse_math
    from symopt.printer import latex
    from symopt.symbolic import gradient, to_sympy

    out = {"where": symopt.__file__, "known": "asinh" in symopt.functions.TABLE}
    f = parse("asinh(2*x) + x^2")
    (d,) = gradient(f, ["x"])
    out["text"], out["gradient"] = to_text(f), to_text(d)
    out["latex"], out["gradient latex"] = latex(f, str), latex(d, str)
    back = parse_math(latex(f, str))
    out["read back"] = to_text(back)
    out["read back equal"] = bool(to_sympy(back) == to_sympy(f))
    out["gradient read back equal"] = bool(to_sympy(parse_math(latex(d, str))) == to_sympy(d))
    values = {}
    for mode in ("exact", "precision:30", "hand:4", "sig:3"):
        arith = parse_mode(mode).arithmetic()
        env = {"x": arith.const(Fraction(1, 2))}
        values[mode] = arith.shown(evaluator(f, arith, {})(env)).text
    exact = parse_mode("hand:4").arithmetic().exact  # hand mode's exact recomputation (mpmath)
    values["rational hand"] = str(exact.carry(evaluator(f, exact, {})({"x": Fraction(1, 2)})))
    balls = BallArithmetic()
    ball = evaluator(f, balls, {})({"x": balls.ball(Fraction(1, 2), Fraction(1, 10**6))})
    values["ball"] = [float(ball.mid), float(ball.rad)]
    values["numpy"] = float(grid_values(f, {"x": numpy.array([0.5])})[0])
    out["values"] = values
    if sys.argv[1:] == ["sheet"]:
        solution = symopt.solve({"function": "asinh(w1) + w2**2", "exercise": [
            {"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"w1": 1, "w2": 2}, "epochs": 2, "numbers": "hand:4"}]})
        ex = solution.exercises[0]
        out["derivatives"] = list(ex.derivatives)
        out["lines"] = [line.latex for line in ex.epochs[0].lines]
        report = symopt.check(solution.to_markdown())
        out["check"] = report.summary
        out["findings"] = [(f.line, f.kind, f.text) for f in report.findings if f.severity != "ok"][:5]
    print(json.dumps(out))
''')


@pytest.fixture(scope="module")
def with_asinh(tmp_path_factory):
    """symopt with one row more in its table: a copy of the package whose functions.py has the
    row, run in a fresh interpreter (every module reads the table when it is imported)."""
    root = tmp_path_factory.mktemp("asinh")
    here = Path(symopt.__file__).resolve().parent
    shutil.copytree(here, root / "symopt", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("templates", "examples"):
        if (here.parent / folder).is_dir():
            shutil.copytree(here.parent / folder, root / folder)
    table = root / "symopt" / "functions.py"
    source = table.read_text(encoding="utf-8")
    anchor = '    Function("max", 2,'
    assert source.count(anchor) == 1
    table.write_text(source.replace(anchor, ROW + anchor), encoding="utf-8")

    def run(*args: str) -> dict:
        done = subprocess.run([sys.executable, "-c", USE_IT, *args], capture_output=True, text=True, timeout=600,
                              cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    return run


def test_a_new_row_is_a_function_everywhere(with_asinh):
    out = with_asinh()
    assert out["known"] and not out["where"].startswith(str(Path(symopt.__file__).resolve().parent))
    assert out["text"] == "asinh(2*x)+x**2"
    assert out["gradient"] == "2/sqrt(1+(2*x)**2)+2*x"
    assert out["latex"] == "\\operatorname{arsinh}\\left(2x\\right) + x^2"
    assert out["gradient latex"] == "\\frac{2}{\\sqrt{1 + (2x)^2}} + 2x"
    assert out["read back"] == "asinh(2*x)+x**2" and out["read back equal"] and out["gradient read back equal"]
    values = out["values"]  # asinh(1) + 1/4 = 1.1313735870195430252326093249797923…
    assert values["exact"] == "1.1314"
    assert values["precision:30"] == "1.13137358701954302523260932498"
    assert values["hand:4"] == "1.1314"
    assert values["sig:3"] == "1.13"
    assert values["rational hand"] == "5657/5000"
    assert values["ball"][0] == pytest.approx(1.1313735870195430) and 0 < values["ball"][1] < 1e-5
    assert values["numpy"] == pytest.approx(1.1313735870195430)


def test_a_new_row_gives_a_sheet_the_checker_reads(with_asinh):
    out = with_asinh("sheet")
    assert out["derivatives"][0].endswith("= \\frac{1}{\\sqrt{1 + w_1^2}}")
    assert out["check"]["errors"] == 0 and out["check"]["warnings"] == 0, out["findings"]


@pytest.mark.parametrize("numbers", ["exact", "precision:12", "hand:4"])
def test_tan_at_a_pole_is_one_line(numbers):
    # Found by the schedules' round-trip property: tan(0.1·pi·w1) at w1 = 5 is tan(π/2).  Exact mode
    # crashed on SymPy's zoo (a TypeError from a comparison), and precision mode printed
    # dw_1 ≈ 6.82803075301e41, a number of π's rounding alone (the checker's 50 digits gave 1.4e98).
    spec = {"function": "tan(0.1*pi*w1)", "exercise": [{"optimizer": "gd", "hyper": {"alpha": "0.01"}, "start": {"w1": 5},
                                                         "epochs": 1, "numbers": numbers}]}
    with pytest.raises(symopt.SymoptError, match=r"epoch 1, dw_1: tan has no value here: its argument is a pole"):
        symopt.solve(spec)
    spec["exercise"][0]["start"] = {"w1": "4.9"}  # near the pole, not at it: 0.1π(1 + tan²(0.49π)) = 318.414626613 (mpmath)
    shown = symopt.solve(spec).exercises[0].epochs[0].lines[0].shown.text
    assert shown == {"exact": "318.4146", "precision:12": "318.414626613", "hand:4": "318.4146"}[numbers]
