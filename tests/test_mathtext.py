"""Reading hand-written math (the checker's parser): notations, errors, and every line we write.

The last test reads back every line of the sheets symopt renders and of the reference sheet,
evaluates each fully substituted side at 50 digits, and checks it against the value written --
an independent check of our own arithmetic, and of the reference sheet's.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from conftest import SEED_SPEC, seed_doc
import symopt
from symopt.arith import NumberMode
from symopt.check.mathtext import parse_math, split_relations
from symopt.compiler import evaluator
from symopt.errors import SymoptError
from symopt.expr import names, to_text


@pytest.mark.parametrize(
    "latex,text",
    [
        ("0.2 * (-5)", "0.2*(-5)"),
        ("0.2w_1", "0.2*w_1"),
        ("w1", "w1"),
        ("\\beta V_{t-1} + (1 - \\beta) dW_t", "\\beta*V_{t-1}+(1-\\beta)*dW_t"),
        ("\\frac{-0.1}{1 - 0.9^1}", "(-0.1)/(1-0.9**1)"),
        ("\\dfrac{v_1}{1 - \\beta_1^{2}}", "v_1/(1-\\beta_1**2)"),
        ("0.5 \\cdot 0 + 0.5 \\times (-1)", "0.5*0+0.5*(-1)"),
        ("\\left(1 - 0.9\\right)^2", "(1-0.9)**2"),
        ("\\sqrt{0.9608} + 10^{-6}", "sqrt(0.9608)+10**(-6)"),
        ("1e-6 + 2.5 \\cdot 10^{-6}", "0.000001+0.0000025"),  # a number in scientific notation is one number, read once
        ("\\hat{v}_1 + v_{coord1} + v_{corr1}", "\\hat{v}_1+v_{coord1}+v_{corr1}"),
        ("\\ln\\left(w_2\\right) + e^{-w_1} + \\left|w_1\\right|", "log(w_2)+e**(-w_1)+abs(w_1)"),
        ("−4.232", "-4.232"),
        ("0.9^{10}", "0.9**10"),
    ],
)
def test_notations(latex, text):
    assert to_text(parse_math(latex)) == text


@pytest.mark.parametrize("latex", ["\\frac12x{", "1 -", "\\frac{1}{", "(w_1", "w_1)", "\\nosuch{x}", "", "a == b" * 2000])
def test_unreadable_is_an_error_not_a_crash(latex):
    with pytest.raises(SymoptError):
        parse_math(latex)


def test_split_relations():
    assert split_relations("v_{corr1} = \\frac{v_1}{1 - \\beta_1^1} = \\frac{-0.1}{1 - 0.9^1} = -1") == [
        "v_{corr1}", "\\frac{v_1}{1 - \\beta_1^1}", "\\frac{-0.1}{1 - 0.9^1}", "-1"]
    assert split_relations("$$w_1 = 1 - 0.3 * 0.6667 \\approx 0.8$$") == ["w_1", "1 - 0.3 * 0.6667", "0.8"]


def _value(node) -> Fraction:
    arith = NumberMode("precision", digits=50).arithmetic()
    return Fraction(evaluator(node, arith, {})({}))  # a Decimal: exactly this Fraction


def _numeric_lines(markdown: str):
    """The computed lines: the $$ lines after an "Epoch k:" label, until the next exercise."""
    in_epoch = False
    for line in markdown.splitlines():
        if line.startswith(("Epoch ", "Epoch")):
            in_epoch = True
        elif line.startswith(("## ", "Bài ", "Exercise ")):
            in_epoch = False
        elif in_epoch and line.startswith("$$"):
            yield line, [parse_math(side) for side in split_relations(line)]


def _check_sheet(markdown: str) -> int:
    checked = 0
    for line, trees in _numeric_lines(markdown):
        value = trees[-1]
        if names(value) or len(trees) < 3 or "\\approx" in line:
            continue  # an \approx line substitutes rounded operands: it says so, and is not checked here
        written = _value(value)
        text = split_relations(line)[-1]
        places = len(text.split("\\cdot")[0].partition(".")[2]) if "." in text else 0
        unit = Fraction(1, 10**places) * (Fraction(10) ** int(text.split("10^{")[1].rstrip("}")) if "\\cdot" in text else 1)
        for middle in trees[1:-1]:
            if names(middle):
                continue
            # each fully substituted side rounds to the value written (half a unit of its last digit)
            assert abs(_value(middle) - written) <= unit / 2, line
            checked += 1
    return checked


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("numbers", [None, "hand:3", "precision:25", "exact"])
def test_every_line_we_write_reads_back_and_adds_up(lang, numbers):
    overrides = {"lang": lang} if numbers is None else {"lang": lang, "numbers": numbers, "epochs": 3}
    solution = symopt.solve(SEED_SPEC, **overrides)
    assert _check_sheet(solution.to_markdown()) >= (20 if numbers in ("exact", "precision:25") else 40)


def test_the_reference_sheet_reads_and_only_adam_epoch2_w2_fails_to_add_up():
    text = seed_doc()
    failures = []
    for line, _ in _numeric_lines(text):
        try:
            _check_sheet("Epoch\n" + line)
        except AssertionError:
            failures.append(line)
    assert failures == ["$$w_2 = -1.8 - 0.2 * \\frac{-7.5789}{\\sqrt{57.9170} + 10^{-6}} = -0.6$$"]


def test_the_fast_reader_gives_larks_own_trees():
    """parse_math reads with its own loop over lark's tables and calls the transformer's methods
    directly (mathtext._Driver, _direct); lark's parse and transformation are the reference.
    Every side of every math line of the student corpora, the new-user documents, the reference
    sheet and a sheet of each optimizer is read both ways, and the trees are the same."""
    from pathlib import Path

    from symopt.check.document import read
    from symopt.check.mathtext import _fast, _normalize, _parser, _ToTree, relations
    from symopt.optimizers import OPTIMIZERS

    data = Path(__file__).parent / "data"
    texts = [p.read_text(encoding="utf-8") for p in sorted(data.glob("*/*")) if p.suffix in (".md", ".tex")]
    texts.append(seed_doc())
    for name, optimizer in OPTIMIZERS.items():
        hyper = {h: "0.5" if h != "epsilon" else "1e-6" for h in optimizer.hyper}
        spec = {"function": "0.1*w1**2 + exp(w2) - w1*w2", "exercise": [
            {"optimizer": name, "hyper": hyper, "start": {"w1": -5, "w2": 0.5}, "epochs": 2, "numbers": "hand:4"}]}
        texts.append(symopt.solve(spec).to_markdown())
    sides = {side for text in texts for section in read(text).sections
             for math in [*section.given, *(line for block in section.epochs for line in block.lines)]
             for side in relations(math.text)[0]}
    compared = 0
    for side in sorted(sides):
        text = _normalize(side)
        try:
            reference = _ToTree().transform(_parser().parse(text))
        except Exception:
            assert _fast()(text) is None, side
            continue
        assert _fast()(text) == reference, side
        compared += 1
    assert compared > 1500


@pytest.mark.parametrize(("latex", "text"), [
    ("\\begin{cases} a & t \\le 5 \\\\ b & 5 < t \\le 21 \\\\ c & t > 21 \\end{cases}", "where(t<=5, a, where(t<=21, b, c))"),
    ("\\begin{cases} a & t \\le 5 \\\\ \\begin{cases} b & t \\le 3 \\\\ c & t > 3 \\end{cases} & t > 5 \\end{cases}",
     "where(t<=5, a, where(t<=3, b, c))"),
    ("\\alpha \\cdot 0.5^{\\left\\lfloor \\frac{t - 1}{10} \\right\\rfloor}", "\\alpha*0.5**floor((t-1)/10)"),
])
def test_cases_of_a_chain_and_floor_are_read(latex, text):
    assert to_text(parse_math(latex)) == text


def test_a_document_keeps_nested_cases_whole():
    """A case that holds a cases of its own (the reader split rows at the inner end before)."""
    from symopt.check.document import read

    line = "\\alpha_3 = \\begin{cases} 0.5 & 3 \\le 2 \\\\ \\begin{cases} 0.1 & 3 \\le 4 \\\\ 0.2 & 3 > 4 \\end{cases} & 3 > 2 \\end{cases} = 0.1"
    doc = read(f"## Exercise 1: GD\n\nEpoch 1:\n\n\\begin{{align*}}\n{line}\n\\end{{align*}}\n")
    assert [m.text for m in doc.sections[0].epochs[0].lines] == [line]
