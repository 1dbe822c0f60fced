"""Trajectory tables (the spec's ``table``): exact strings in Markdown and LaTeX, en and vi; every
value against an independent computation (Fractions, not symopt's arithmetic); the thinning of a
long run; the comparison's epochs to reach; JSON; the checker reading them back clean and flagging a
wrong cell; the key's bad values.  The KaTeX, PDF and round-trip properties are in test_katex.py,
test_pdf.py and test_roundtrip.py."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
import json
import re

from markdown_it import MarkdownIt
import pytest

import symopt
from symopt.check import gradebook
from symopt.numbers import floor_log10, round_half_away
from symopt.spec import work
from symopt.tables import shown_epochs

SEED_F = "0.1*w1**2 + 2*w2**2"
SPEC = {"function": SEED_F, "mult": "*", "table": {"tolerance": 3}, "defaults": {"start": {"w1": -5, "w2": -2}, "epochs": 3},
        "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.4}},
                     {"optimizer": "momentum", "hyper": {"alpha": 0.4, "beta": 0.9}, "numbers": "hand:4"}]}

GD_MD = r"""**Trajectory (epoch 0 is the start):**

| Epoch | $w_1$ | $w_2$ | $f(w_1, w_2)$ |
| ---: | ---: | ---: | ---: |
| 0 | $-5$ | $-2$ | $10.5$ |
| 1 | $-4.6$ | $1.2$ | $4.996$ |
| 2 | $-4.232$ | $-0.72$ | $\approx 2.8278$ |
| 3 | $\approx -3.8934$ | $0.432$ | $\approx 1.8891$ |
"""

COMPARISON_MD = r"""## Comparison of the optimizers

| Exercise | Optimizer | Epochs | Epochs to reach | Final $f$ |
| ---: | :--- | ---: | ---: | ---: |
| 1 | Gradient Descent | 3 | 2 | $\approx 1.8891$ |
| 2 | Gradient Descent + Momentum | 3 | 3 | $2.6735$ |

Epochs to reach: the first epoch $t$ (0 is the start) with $f(W_t) \le 3$, that is within the tolerance $3$ of $0$, taken as the minimum of $f$; —: not reached in the epochs worked.
"""

GD_TEX = r"""\textbf{Trajectory (epoch 0 is the start):}
\begin{longtable}{rrrr}
\toprule
Epoch & $w_1$ & $w_2$ & $f(w_1, w_2)$ \\
\midrule
\endhead
0 & $-5$ & $-2$ & $10.5$ \\
1 & $-4.6$ & $1.2$ & $4.996$ \\
2 & $-4.232$ & $-0.72$ & $\approx 2.8278$ \\
3 & $\approx -3.8934$ & $0.432$ & $\approx 1.8891$ \\
\bottomrule
\end{longtable}
"""

COMPARISON_TEX = r"""\subsection*{Comparison of the optimizers}
\begin{longtable}{rlrrr}
\toprule
Exercise & Optimizer & Epochs & Epochs to reach & Final $f$ \\
\midrule
\endhead
1 & Gradient Descent & 3 & 2 & $\approx 1.8891$ \\
2 & Gradient Descent + Momentum & 3 & 3 & $2.6735$ \\
\bottomrule
\end{longtable}
Epochs to reach: the first epoch $t$ (0 is the start) with $f(W_t) \le 3$, that is within the tolerance $3$ of $0$, taken as the minimum of $f$; —: not reached in the epochs worked.
"""


@pytest.fixture(scope="module")
def solution():
    return symopt.solve(SPEC)


def test_markdown_tables_exactly(solution):
    md = solution.to_markdown()
    gd = md[md.index("**Trajectory"):md.index("## Exercise 2")]
    assert gd.strip() == GD_MD.strip()
    assert md[md.index("## Comparison"):] == COMPARISON_MD
    assert md.count("**Trajectory (epoch 0 is the start):**") == 2


def test_latex_tables_exactly(solution):
    tex = solution.to_latex()
    assert tex[tex.index(r"\textbf{Trajectory"):tex.index(r"\subsection*{Exercise 2")].strip() == GD_TEX.strip()
    assert tex[tex.index(r"\subsection*{Comparison"):].removesuffix("\\end{document}\n").strip() == COMPARISON_TEX.strip()
    assert "\\usepackage{booktabs,longtable}\n" in tex
    assert "booktabs" not in symopt.solve({**SPEC, "table": False}).to_latex()  # a sheet without tables loads neither


def test_vietnamese_words():
    md = symopt.solve(SPEC, lang="vi").to_markdown()
    assert "**Quỹ đạo (epoch 0 là điểm xuất phát):**\n\n| Epoch | $w_1$ | $w_2$ | $f(w_1, w_2)$ |\n" in md
    assert "## So sánh các thuật toán tối ưu\n\n| Bài | Thuật toán | Số epoch | Số epoch để đạt | $f$ cuối cùng |\n" in md
    assert ("Số epoch để đạt: epoch $t$ đầu tiên (0 là điểm xuất phát) có $f(W_t) \\le 3$, tức là cách $0$, được lấy làm "
            "giá trị nhỏ nhất của $f$, không quá dung sai $3$; —: không đạt trong các epoch đã tính.") in md


def test_the_markdown_is_a_real_table(solution):
    html = MarkdownIt("commonmark").enable("table").render(solution.to_markdown())
    assert html.count("<table>") == 3
    assert html.count("<tr>") == 3 * 1 + 4 + 4 + 2  # the headers, two trajectories of 4 rows, the comparison's 2
    assert '<td style="text-align:right">$\\approx -3.8934$</td>' in html


# -- the values, computed apart from symopt ---------------------------------------------------------

def f(w1: Fraction, w2: Fraction) -> Fraction:
    return Fraction(1, 10) * w1**2 + 2 * w2**2


def by_hand(q: Fraction, decimals: int = 4, sig: int = 3) -> Fraction:
    """hand:4 as the README states it: half away from zero to 4 decimals, never fewer than 3
    significant figures; a value that ends within them is kept."""
    if not q:
        return q
    places = max(decimals, sig - 1 - floor_log10(abs(q)))
    return round_half_away(q, places)


def shown(q: Fraction, decimals: int = 4) -> str:
    """How a table writes a value of 4 decimals: without trailing zeros, ≈ where exact mode rounds."""
    r = by_hand(q, decimals)
    return _decimal(r) if r == q else "\\approx " + _decimal(r)


def _decimal(q: Fraction) -> str:
    from decimal import Decimal

    return format((Decimal(q.numerator) / Decimal(q.denominator)).normalize(), "f")


def number(cell: str) -> Fraction:
    """A cell's number: ``-4.6``, ``-1.63 \\cdot 10^{-11}``."""
    m = re.fullmatch(r"(-?[0-9.]+)(?: \\cdot 10\^\{(-?\d+)\})?", cell)
    assert m, cell
    return Fraction(m.group(1)) * Fraction(10) ** int(m.group(2) or 0)


def rows(md: str, heading: str) -> list[list[str]]:
    """The body rows of the trajectory table after `heading`, cells without their $."""
    part = md[md.index(heading):]
    part = part[part.index("| ---:"):].split("\n\n")[0].splitlines()[1:]
    return [[c.strip().strip("$") for c in row.strip("|").split("|")] for row in part]


def test_exact_gd_against_fractions(solution):
    w1, w2, alpha = Fraction(-5), Fraction(-2), Fraction(2, 5)
    expected = []
    for t in range(4):
        expected.append([str(t), shown(w1), shown(w2), shown(f(w1, w2))])
        w1, w2 = w1 - alpha * Fraction(1, 5) * w1, w2 - alpha * 4 * w2
    assert rows(solution.to_markdown(), "## Exercise 1") == expected
    objective = solution.exercises[0].objective
    assert [o.value for o in objective] == [Fraction(21, 2), Fraction(1249, 250), Fraction(441841, 156250),
                                            f(Fraction("-3.89344"), Fraction("0.432"))]


def test_hand_momentum_against_fractions(solution):
    """EMA momentum by hand: every line rounded (hand:4) and carried; f of the carried w, rounded."""
    alpha, beta = Fraction(2, 5), Fraction(9, 10)
    w, v = [Fraction(-5), Fraction(-2)], [Fraction(0), Fraction(0)]
    grad = [lambda x: Fraction(1, 5) * x, lambda x: 4 * x]
    expected = [["0", "-5", "-2", "10.5"]]
    for t in range(1, 4):
        g = [by_hand(grad[j](w[j])) for j in range(2)]
        v = [by_hand(beta * v[j] + (1 - beta) * g[j]) for j in range(2)]
        w = [by_hand(w[j] - alpha * v[j]) for j in range(2)]
        expected.append([str(t), _decimal(w[0]), _decimal(w[1]), _decimal(by_hand(f(*w)))])
    assert rows(solution.to_markdown(), "## Exercise 2") == expected
    assert expected[-1] == ["3", "-4.7771", "-0.4424", "2.6735"]


def test_epochs_to_reach_is_the_first_epoch_at_or_below_the_level(solution):
    from symopt.tables import reached

    objective = solution.exercises[0].objective  # 10.5, 4.996, 2.8277824, 1.8891355…
    assert reached(objective, Fraction(3)) == 2
    assert reached(objective, Fraction("2.8277824")) == 2  # at the level counts
    assert reached(objective, Fraction("2.8277823")) == 3
    assert reached(objective, Fraction("10.5")) == 0  # the start
    assert reached(objective, Fraction(1)) is None
    data = solution.to_dict()["table"]["comparison"]
    assert (data["tolerance"], data["minimum"], data["level"]) == ("3", "0", "3")
    assert [(e["optimizer"], e["epochs"], e["reached"], e["final"]["shown"]) for e in data["exercises"]] == [
        ("gd", 3, 2, "1.8891"), ("momentum", 3, 3, "2.6735")]


def test_the_minimum_moves_the_level():
    md = symopt.solve({**SPEC, "function": SEED_F + " - 5", "table": {"tolerance": "0.5", "minimum": -5}}).to_markdown()
    assert "with $f(W_t) \\le -4.5$, that is within the tolerance $0.5$ of $-5$" in md
    assert "| 1 | Gradient Descent | 3 | — | $\\approx -3.1109$ |" in md


def test_json_carries_every_epoch(solution):
    data = json.loads(solution.to_json())
    assert data["table"]["rows"] == 21
    assert data["exercises"][0]["objective"] == [
        {"epoch": 0, "value": "10.5", "shown": "10.5", "relation": "="},
        {"epoch": 1, "value": "4.996", "shown": "4.996", "relation": "="},
        {"epoch": 2, "value": "2.8277824", "shown": "2.8278", "relation": "≈"},
        {"epoch": 3, "value": "1.88913550336", "shown": "1.8891", "relation": "≈"}]
    plain = json.loads(symopt.solve({**SPEC, "table": False}).to_json())
    assert "table" not in plain and "objective" not in plain["exercises"][0]


def test_no_table_by_default():
    spec = {k: v for k, v in SPEC.items() if k != "table"}
    solution = symopt.solve(spec)
    assert "Trajectory" not in solution.to_markdown() and "longtable" not in solution.to_latex()
    assert solution.exercises[0].objective == ()
    assert work(symopt.solve(SPEC).spec.exercises) > work(solution.spec.exercises)  # the f line counts in the budget


# -- long runs -------------------------------------------------------------------------------------

def test_shown_epochs():
    assert shown_epochs(2, 21) == ([0, 1, 2], 1)
    assert shown_epochs(20, 21) == (list(range(21)), 1)
    assert shown_epochs(1000, 21) == (list(range(0, 1001, 50)), 50)
    assert shown_epochs(1000, 2) == ([0, 1000], 1000)
    assert shown_epochs(12, 6) == ([0, 3, 6, 9, 12], 3)
    assert shown_epochs(10, 4) == ([0, 4, 8, 10], 4)  # every 4th and the last
    for last in range(0, 60):
        for size in range(2, 12):
            epochs, step = shown_epochs(last, size)
            assert len(epochs) <= size and epochs[0] == 0 and epochs[-1] == last and epochs == sorted(set(epochs))
            gaps = [b - a for a, b in pairwise(epochs)]
            assert all(g == step for g in gaps[:-1]) and (not gaps or 0 < gaps[-1] <= step)
            assert step == 1 or len(epochs) > (size + 1) // 2  # thinned no more than it must be, about


def test_a_thousand_epochs_make_twenty_one_rows():
    s = {"function": SEED_F, "table": True, "exercise": [
        {"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"w1": -5, "w2": -2}, "epochs": 1000, "numbers": "hand:4"}]}
    solution = symopt.solve(s)
    md = solution.to_markdown()
    table = rows(md, "**Trajectory")
    assert [r[0] for r in table] == [str(t) for t in range(0, 1001, 50)]
    assert "\n\nOne row every 50 epochs, and the last epoch (1000).\n" in md
    by_epoch = {e.number: e for e in solution.exercises[0].epochs}
    for r in table[1:]:  # each row is its epoch's carried w, and f of it by hand
        w = [Fraction(by_epoch[int(r[0])].params[v]) for v in ("w1", "w2")]
        assert [number(c) for c in r[1:]] == [*w, by_hand(f(*w))]
    assert table[-1] == ["1000", "-9.9 \\cdot 10^{-9}", "-1.27 \\cdot 10^{-222}", "9.8 \\cdot 10^{-18}"]  # 0.1 · (9.9e-9)^2
    assert len(solution.exercises[0].objective) == 1001  # JSON has them all
    vi = symopt.solve(s, lang="vi").to_markdown()
    assert "\n\nMỗi 50 epoch một dòng, và epoch cuối (1000).\n" in vi
    every = symopt.solve({**s, "table": {"rows": 1001}}).to_markdown()
    assert len(rows(every, "**Trajectory")) == 1001 and "One row every" not in every


def test_where_f_has_no_value_and_a_run_that_diverges():
    s = {"function": "log(w1) + w1^2", "table": True, "exercise": [
        {"optimizer": "gd", "hyper": {"alpha": 0.9}, "start": {"w1": 1}, "epochs": 2, "numbers": "hand:3"},
        {"optimizer": "gd", "hyper": {"alpha": 3}, "start": {"w1": 1}, "epochs": 30, "numbers": "hand:2"}]}
    solution = symopt.solve(s)
    md = solution.to_markdown()
    assert rows(md, "## Exercise 1") == [["0", "1", "1"], ["1", "-1.7", "—"], ["2", "1.889", "4.204"]]
    assert "\n\n—: $f$ has no value there, or is past $10^{300}$.\n" in md
    # 1.889: log(1.889) + 1.889^2 = 0.63606 + 3.568321 = 4.2044 -> 4.204
    diverged = solution.exercises[1]
    assert diverged.diverged is not None and diverged.objective[-1].epoch == diverged.diverged.epoch
    assert f"| {diverged.diverged.epoch} (diverges) |" in md
    assert "Comparison" in md  # same f, same start: compared, the diverging run said so
    for text in (md, solution.to_latex()):
        assert not symopt.check(text).errors and not symopt.check(text).warnings


def test_decimal_commas_and_names_of_the_lecture():
    s = {"function": "x**2/3 + (y - 1)**2", "table": True, "lang": "vi", "exercise": [
        {"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"x": 1, "y": 0}, "epochs": 2, "numbers": "exact comma"},
        {"optimizer": "gd", "hyper": {"alpha": 0.2}, "start": {"x": 1, "y": 0}, "epochs": 2, "numbers": "exact comma"}]}
    md = symopt.solve(s).to_markdown()
    assert "| Epoch | $x$ | $y$ | $f(x; y)$ |" in md
    assert "| 0 | $1$ | $0$ | $\\approx 1{,}3333$ |" in md  # 4/3
    assert "có $f(\\boldsymbol{\\theta}_t) \\le 0{,}001$, tức là cách $0$" in md
    report = symopt.check(md)
    assert not report.errors and not report.warnings


# -- the checker -------------------------------------------------------------------------------------

def test_our_tables_read_back_clean_and_are_checked(solution):
    for text in (solution.to_markdown(), solution.to_latex()):
        report = symopt.check(text)
        assert report.summary["errors"] == report.summary["warnings"] == 0
        cells = [f for f in report.findings if f.quantity == "table"]
        assert len(cells) == 2 * 4 * 3  # two trajectories of 4 rows, w_1, w_2 and f each: the comparison is not read
        assert all(f.kind == "ok" and f.epoch is None for f in cells)


def test_a_wrong_cell_is_flagged_once(solution):
    md = solution.to_markdown()
    wrong_f = md.replace("| 1 | $-4.6$ | $1.2$ | $4.996$ |", "| 1 | $-4.6$ | $1.2$ | $5.996$ |")
    wrong_w = md.replace("| 2 | $-4.232$ | $-0.72$ |", "| 2 | $-4.2321$ | $-0.72$ |")
    slip = md.replace("| 3 | $-4.7771$ | $-0.4424$ | $2.6735$ |", "| 3 | $-4.7771$ | $-0.4424$ | $2.6736$ |")
    assert wrong_f != md and wrong_w != md and slip != md
    (error,) = symopt.check(wrong_f).errors
    assert (error.kind, error.quantity, error.epoch, error.written, error.expected) == ("arithmetic", "table", None, "5.996", "4.996")
    assert error.text == "in the table, at epoch 1: f at the row's w is ≈ 4.996, not 5.996"
    report = symopt.check(wrong_w)  # the copy slip alone: f is right of the lines' w
    assert [(f.kind, f.variable, f.text) for f in report.errors] == [
        ("arithmetic", "w1", "in the table, at epoch 2: epoch 2 ends with w_1 = -4.232, not -4.2321")]
    assert not report.warnings
    report = symopt.check(slip)  # 2.67354… written 2.6736: a rounding slip
    assert not report.errors and [(f.kind, f.expected) for f in report.warnings] == [("rounding", "2.6735")]
    tex = solution.to_latex().replace("1 & $-4.6$ & $1.2$ & $4.996$ \\\\", "1 & $-4.6$ & $1.2$ & $5.996$ \\\\")
    assert [f.written for f in symopt.check(tex).errors] == ["5.996"]


def test_a_table_error_is_in_the_report_but_not_in_the_score(solution):
    md = solution.to_markdown()
    right, wrong = symopt.check(md), symopt.check(md.replace("| 1 | $-4.6$ | $1.2$ | $4.996$ |", "| 1 | $-4.6$ | $1.2$ | $5.996$ |"))
    assert gradebook.score(right) == gradebook.score(wrong) and right.summary["errors"] == 0 < wrong.summary["errors"]


STUDENT = r"""$$f(x) = x^2$$

## Exercise 1: GD

$$x = 3,\; \alpha = 0.1$$

Epoch 1:

$$dx = 2 \cdot 3 = 6$$

$$x = 3 - 0.1 \cdot 6 = 2.4$$

Epoch 2:

$$dx = 2 \cdot 2.4 = 4.8$$

$$x = 2.4 - 0.1 \cdot 4.8 = 1.92$$

| {t} | x | f(x) | note |
|---|---|---|---|
| 0 | 3 | 9 | start |
| 1 | 2.4 | 5.76 | |
| 2 | 1.92 | {f2} | |
| 3 | 1.5 | 2.25 | not worked: not judged |

| step | learning rate |
|---|---|
| 1 | 0.1 |
"""


@pytest.mark.parametrize("t", ["t", "$t$", "Epoch $t$", "**Bước**"])
def test_a_students_own_table(t):
    right = symopt.check(STUDENT.format(t=t, f2="3.6864"))
    assert not right.errors and not right.warnings
    assert len([f for f in right.findings if f.quantity == "table"]) == 6  # epochs 0 to 2, x and f; the rate table is none
    assert [f.text for f in symopt.check(STUDENT.format(t=t, f2="3.69")).findings if f.severity != "ok"] == []  # rounded
    (error,) = symopt.check(STUDENT.format(t=t, f2="3.96")).errors
    assert error.text == "in the table, at epoch 2: f at the row's w is ≈ 3.6864, not 3.96"


# -- the key's bad values ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "message"), [
    ("yes", "table: must be true, false or a table: table = true, or a table such as { rows = 21, tolerance = 0.001, minimum = 0 }"),
    ({"row": 5}, "unknown key 'row' in table; valid keys: rows, tolerance, minimum"),
    ({"rows": 1}, "table.rows: must be a whole number from 2 to 10001 (epoch 0 and the last at least), got 1"),
    ({"rows": 2.5}, "table.rows: must be a whole number from 2 to 10001 (epoch 0 and the last at least), got 2.5"),
    ({"rows": True}, "table.rows: must be a whole number from 2 to 10001 (epoch 0 and the last at least), got true"),
    ({"tolerance": 0}, "table.tolerance: must be more than 0, got 0"),
    ({"tolerance": -0.1}, "table.tolerance: must be more than 0, got -0.1"),
    ({"tolerance": "small"}, "table.tolerance: not a number: 'small'"),
    ({"minimum": [0]}, "table.minimum: not a number"),
])
def test_bad_values_of_the_key(value, message):
    with pytest.raises(symopt.SymoptError) as e:
        symopt.solve({**SPEC, "table": value})
    assert message in str(e.value) and "\n" not in str(e.value)


def test_the_table_is_no_part_of_a_question_paper():
    from symopt.exam import papers, variants

    t = variants.template({"function": "{a}*w1**2 + 2*w2**2", "table": True, "exam": {"variants": 1},
                           "draw": {"a": {"choice": [0.1, 0.2]}},
                           "defaults": {"start": {"w1": -5, "w2": -2}, "epochs": 2},
                           "exercise": [{"optimizer": "gd", "hyper": {"alpha": 0.4}},
                                        {"optimizer": "momentum", "hyper": {"alpha": 0.4, "beta": 0.9}}]})
    [(variant, solution)] = variants.generate(t, 1)
    from symopt.render import render

    view = papers.question_view(t, variant, solution)
    for fmt, name in (("md", "question.md.j2"), ("tex", "question_body.tex.j2")):
        paper = render(name, view, fmt)
        assert "Trajectory" not in paper and "Comparison" not in paper and "longtable" not in paper
    assert solution.to_markdown().count("**Trajectory") == 2 and "## Comparison" in solution.to_markdown()


def test_rounded_cells_say_so():
    """Exact and precision modes mark a rounded cell with ≈, as their lines do; hand mode does not."""
    for numbers, cell in (("precision:6", "$\\approx 2.82778$"), ("exact", "$\\approx 2.8278$"), ("hand:4", "$2.8278$"),
                          ("sig:3", "$2.83$")):
        md = symopt.solve({**SPEC, "exercise": [{**SPEC["exercise"][0], "numbers": numbers}]}).to_markdown()
        assert re.search(rf"\| 2 \| [^|]+ \| [^|]+ \| {re.escape(cell)} \|", md), numbers


def test_the_readme_excerpt_is_the_real_output():
    import tomllib

    from conftest import ROOT, SEED_SPEC

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("ends its first exercise and the sheet with:\n\n```\n") + len("ends its first exercise and the sheet with:\n\n```\n")
    excerpt = readme[start:readme.index("```", start)]
    data = tomllib.loads(SEED_SPEC.read_text(encoding="utf-8"))
    md = symopt.solve({**data, "table": {"tolerance": 0.5, "rows": 6}}, lang="en", epochs=10).to_markdown()
    trajectory, comparison = excerpt.split("## Comparison")
    assert md[md.index("**Trajectory"):].startswith(trajectory)
    assert md.endswith("## Comparison" + comparison)
    assert format(float(symopt.solve({**data, "table": True}, epochs=10).exercises[0].objective[-1].value), ".5f") == "0.47203"
