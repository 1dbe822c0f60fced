"""symopt check: the reference sheet's one error, round trips of our own sheets, single mutations,
other notations, each kind of finding, error carried forward, reports and the CLI.

What the seed check pins (found by reading the sheet, and by tests/test_seed.py):
- Adam epoch 2, w_2: the substituted expression is -1.8 - 0.2*(-7.5789)/(sqrt(57.9170) + 1e-6)
  = -1.6008, but the sheet writes -0.6 -- an arithmetic slip (a dropped 1), not a substitution one;
- v_{coord1} etc.: 'coord' for 'corr', a notation warning (once per exercise);
- Adam epoch 2 computes sqrt(S) + eps while the stated formula has sqrt(S + eps): a warning, once;
  the line is right under the convention it uses (the difference is about 1e-7).
"""

from __future__ import annotations

import json
import random
import re

import pytest

from conftest import ROOT, SEED_DOC, SEED_SPEC, seed_doc, spec
import symopt
from symopt.cli import main

DATA = ROOT / "tests" / "data"
MIXED = {
    "title": "Mixed",
    "function": "w1**2 + w1*w2 + 3*w2**2 + exp(0.1*w1)",
    "mult": "cdot",
    "defaults": {"start": {"w1": 1.5, "w2": -0.7}, "epochs": 4},
    "exercise": [
        {"optimizer": "gd", "hyper": {"alpha": 0.1}},
        {"optimizer": "momentum", "hyper": {"alpha": 0.05, "beta": 0.9}, "numbers": "hand:3"},
        {"optimizer": "rmsprop", "hyper": {"alpha": 0.01, "gamma": 0.99, "epsilon": 1e-8}, "numbers": "precision:20"},
        {"optimizer": "adam", "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
         "options": {"eps_placement": "outside"}, "numbers": "hand:1"},
        {"optimizer": "adam", "function": "x**2 + sqrt(y**2 + 1)", "start": {"x": 2, "y": 1},
         "hyper": {"alpha": 0.5, "beta1": 0.8, "beta2": 0.9, "epsilon": 0.001}, "numbers": "hand:2"},
    ],
}


def kinds(report) -> list[tuple[int, str]]:
    return [(f.line, f.kind) for f in report.findings if f.severity != "ok"]


# -- the reference sheet ---------------------------------------------------------------------------

def test_seed_has_exactly_one_error():
    seed_doc()
    report = symopt.check(SEED_DOC)
    (error,) = report.errors
    assert (error.exercise, error.epoch, error.quantity, error.variable, error.kind) == (4, 2, "w", "w2", "arithmetic")
    assert (error.written, error.expected) == ("-0.6", "-1.6008")
    assert SEED_DOC.read_text(encoding="utf-8").splitlines()[error.line - 1].startswith("$$w_2 = -1.8 - 0.2")
    assert all(w.kind == "notation" for w in report.warnings)
    messages = sorted(w.text for w in report.warnings)
    assert len(messages) == 2
    assert "ε outside the square root" in messages[0] and "ε inside" in messages[0]
    assert "'coord' is a typo for 'corr'" in messages[1]
    # every epoch line of the four exercises (8 + 12 + 12 + 24), the formulas and derivatives
    assert report.summary == {"lines": 70, "ok": 67, "errors": 1, "warnings": 2}


def test_seed_with_its_spec_finds_the_same():
    seed_doc()
    report = symopt.check(SEED_DOC, SEED_SPEC)
    assert [(f.exercise, f.epoch, f.variable, f.kind) for f in report.errors] == [(4, 2, "w2", "arithmetic")]
    assert len(report.warnings) == 2


def test_seed_cli_json(capsys):
    seed_doc()
    assert main(["check", str(SEED_DOC), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"lines": 70, "ok": 67, "errors": 1, "warnings": 2}
    error = [f for f in data["findings"] if f["severity"] == "error"]
    assert error == [{
        "exercise": 4, "epoch": 2, "quantity": "w", "variable": "w2", "line": error[0]["line"], "kind": "arithmetic",
        "severity": "error", "name": "w_2", "written": "-0.6", "expected": "-1.6008",
        "message": "-1.8 - 0.2 * \\frac{-7.5789}{\\sqrt{57.9170} + 10^{-6}} is -1.6008, not -0.6",
    }]


# -- round trips: every sheet symopt writes checks clean ------------------------------------------

MODES = ["exact", "precision:8", "precision:30", "hand:0", "hand:2", "hand:4", "hand:3 keep 5"]


@pytest.mark.parametrize("numbers", MODES)
@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_round_trip_seed(numbers, lang, fmt):
    solution = symopt.solve(SEED_SPEC, numbers=numbers, lang=lang, epochs=3)
    text = solution.to_markdown() if fmt == "md" else solution.to_latex()
    report = symopt.check(text)
    assert kinds(report) == []
    epoch_lines = sum(len(e.lines) for w in solution.exercises for e in w.epochs)
    assert len([f for f in report.findings if f.epoch is not None]) == epoch_lines
    assert not symopt.check(text, SEED_SPEC).errors


@pytest.mark.parametrize("mult", ["*", "cdot", "times"])
@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_round_trip_mixed(mult, fmt):
    """Cross terms, exp, two variables named x and y, ε outside, hand:1, precision:20."""
    solution = symopt.solve(MIXED, mult=mult)
    text = solution.to_markdown() if fmt == "md" else solution.to_latex(fragment=True)
    assert kinds(symopt.check(text)) == []


def test_round_trip_long_run():
    solution = symopt.solve(spec("adam", {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}, epochs=40, numbers="hand:4"))
    report = symopt.check(solution.to_markdown())
    assert kinds(report) == [] and report.summary["lines"] == 40 * 12 + 5 + 2


# -- one mutation: exactly that line is flagged --------------------------------------------------

_NUMBER = re.compile(r"(?<![_{\\A-Za-z0-9.])(\d+(?:\.\d+)?)")


def _mutations(text: str, rng: random.Random, count: int):
    """(line number, mutated text): one number of one worked line (epoch or derivative) changed
    by one digit.  The data line and formulas state the problem and are not mutated."""
    lines = text.split("\n")
    candidates = []
    in_epochs = False
    for i, line in enumerate(lines):
        if line.startswith("Epoch") or line.startswith("\\textbf{Epoch"):
            in_epochs = True
        if line.startswith("#") or line.startswith("\\subsection"):
            in_epochs = False
        worked = in_epochs or re.match(r"(\$\$|\\\[ )dw_", line)
        if worked and (line.startswith("$$") or line.startswith("\\[")):
            for m in _NUMBER.finditer(line):
                candidates.append((i, m))
    for i, m in rng.sample(candidates, count):
        digits = [k for k, c in enumerate(m.group(1)) if c.isdigit()]
        k = rng.choice(digits)
        old = m.group(1)
        new_digit = rng.choice([d for d in "0123456789" if d != old[k]])
        new = old[:k] + new_digit + old[k + 1:]
        if new.lstrip("0").startswith(".") or (len(new) > 1 and new[0] == "0" and new[1] != "."):
            continue  # "0.5" -> "00.5": not a number a person writes
        line = lines[i]
        mutated = lines[:i] + [line[: m.start(1)] + new + line[m.end(1):]] + lines[i + 1:]
        yield i + 1, "\n".join(mutated), (old, new)


@pytest.mark.parametrize("numbers,seed", [("exact", 1), ("hand:3 keep 4", 2), ("hand:4", 3), ("precision:12", 4), ("hand:2", 5)])
def test_one_mutation_flags_exactly_that_line(numbers, seed):
    rng = random.Random(seed)
    text = symopt.solve(SEED_SPEC, numbers=numbers, lang="en").to_markdown()
    tried = 0
    for line, mutated, change in _mutations(text, rng, 40):
        flagged = sorted({f.line for f in symopt.check(mutated).findings if f.severity != "ok"})
        assert flagged == [line], (line, change, mutated.split("\n")[line - 1])
        tried += 1
    assert tried >= 25


# -- other notations -----------------------------------------------------------------------------

@pytest.mark.parametrize("name,lines", [("other-notations.md", 25), ("other-notations.tex", 15)])
def test_other_notations_check_clean(name, lines):
    """\\cdot, \\times, w1 without underscore, g/m/\\hat{v}, \\dfrac, \\left(, 1e-6, \\varepsilon,
    values without the substituted middle, partly worked middles, align* rows, several
    formulas on a line."""
    report = symopt.check(DATA / name)
    assert kinds(report) == []
    assert report.summary["lines"] == lines  # every formula and epoch line was judged


def test_other_notations_infer_the_convention():
    """The Markdown fixture states sqrt(S) + ε: checking it against the seed's 'inside' Adam
    flags nothing wrong but warns once that the arithmetic follows another convention."""
    adam = {"function": "0.1*w1**2 + 2*w2**2", "exercise": [{
        "optimizer": "adam", "start": {"w1": -5, "w2": -2},
        "hyper": {"alpha": 0.2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6}}]}
    report = symopt.check(DATA / "other-notations.md", adam)
    assert report.errors == []
    assert {f.kind for f in report.warnings} == {"notation"}
    assert any("ε outside the square root" in f.text for f in report.warnings)


# -- each kind of finding --------------------------------------------------------------------------

SHEET = """\
$$f(w_1, w_2) = 0.1w_1^2 + 2w_2^2$$

Bài 1 RMSProp

$$w_1 = -5, w_2 = -2, s_1 = 0, s_2 = 0, \\alpha = 0.3, \\gamma = 0.9, \\epsilon = 10^{{-6}}$$

Epoch 1:

$$dw_1 = 0.2 * (-5) = {dw1}$$

$$dw_2 = 4 * (-2) = -8$$

$$s_1 = {gamma} * 0 + 0.1 * ({dw1})^2 = {s1}$$

$$s_2 = 0.9 * 0 + 0.1 * (-8)^2 = 6.4$$

$$w_1 = -5 - 0.3 * \\frac{{{dw1}}}{{\\sqrt{{{s1} + 10^{{-6}}}}}} = {w1}$$

$$w_2 = -2 - 0.3 * \\frac{{-8}}{{\\sqrt{{6.4 + 10^{{-6}}}}}} = {w2}$$
"""
RIGHT = {"dw1": "-1", "gamma": "0.9", "s1": "0.1", "w1": "-4.0513", "w2": "-1.0513"}


def _check(**changes):
    return symopt.check(SHEET.format(**{**RIGHT, **changes}))


def test_the_right_sheet_is_clean():
    report = _check()
    assert kinds(report) == [] and report.summary["lines"] == 6


def test_substitution_names_the_number_that_is_off():
    report = _check(gamma="0.8")
    (f,) = report.errors
    assert (f.kind, f.quantity, f.variable) == ("substitution", "s", "w1")
    assert f.text == "0.8 written where \\gamma = 0.9"


def test_arithmetic_error_then_error_carried_forward():
    """dw_1 = 0.2 * (-5) = -2 is wrong; the s_1 and w_1 lines that use -2 are judged from it."""
    report = _check(dw1="-2", s1="0.4", w1="-4.0513")  # the same w_1: RMSProp is scale-free
    assert [(f.quantity, f.kind, f.expected) for f in report.errors] == [("dw", "arithmetic", "-1")]


def test_a_later_line_may_use_the_right_value_instead():
    """s_1 = 0.2 is wrong; w_1 may go on from the writer's 0.2 or from the right 0.1."""
    from_written = _check(s1="0.2", w1="-4.3292")
    assert [(f.quantity, f.kind, f.expected) for f in from_written.errors] == [("s", "arithmetic", "0.1")]
    from_right = SHEET.format(**RIGHT).replace("(-1)^2 = 0.1$$", "(-1)^2 = 0.2$$")
    assert [(f.quantity, f.kind) for f in symopt.check(from_right).errors] == [("s", "arithmetic")]


def test_rounding_slip_is_a_warning():
    report = _check(w1="-4.0514")  # -4.05132 truncated the wrong way
    (f,) = report.warnings
    assert (f.kind, f.expected, report.errors) == ("rounding", "-4.0513", [])


def test_shown_digits_decide_the_tolerance():
    assert kinds(_check(w1="-4.05")) == []  # rounded to 2 decimals: within half a unit
    assert [k for _, k in kinds(_check(w1="-4.06"))] == ["rounding"]  # -4.0513 to 2 decimals is -4.05
    assert [k for _, k in kinds(_check(w1="-4.07"))] == ["arithmetic"]
    assert [k for _, k in kinds(_check(w1="-4.0523"))] == ["arithmetic"]
    report = symopt.check(SHEET.format(**{**RIGHT, "w1": "-4.0523"}), slack=10)
    assert kinds(report) == []  # 9 units off, accepted with --slack 10


def test_value_only_lines():
    text = SHEET.format(**RIGHT).replace("$$dw_2 = 4 * (-2) = -8$$", "$$dw_2 = -8$$")
    assert kinds(symopt.check(text)) == []
    wrong = text.replace("$$dw_2 = -8$$", "$$dw_2 = -6$$")
    (f,) = symopt.check(wrong).errors
    assert (f.quantity, f.written, f.expected) == ("dw", "-6", "-8")


def test_wrong_symbolic_step():
    text = SEED_TEXT_ADAM.replace("\\frac{v_1}{1 - \\beta_1^1}", "\\frac{v_1}{1 - \\beta_2^1}")
    (f,) = symopt.check(text).errors
    assert f.kind == "substitution" and f.quantity == "v_hat" and "is not the rule" in f.text


def test_wrong_derivative_is_an_error_and_carried_forward():
    text = SHEET.format(**RIGHT).replace("Epoch 1:", "$$dw_1 = 0.3w_1$$\n\n$$dw_2 = 4w_2$$\n\nEpoch 1:")
    (f,) = symopt.check(text).errors
    # the rule itself is wrong (issue 15: a wrong derivative is a formula error, not a substitution)
    assert (f.kind, f.quantity, f.variable, f.expected) == ("formula", "dw", "w1", "0.2w_1")


def test_unreadable_lines_are_warnings_with_line_numbers():
    text = SHEET.format(**RIGHT).replace("$$dw_2 = 4 * (-2) = -8$$", "$$dw_2 = 4 * ((-2 = -8$$")
    report = symopt.check(text)
    (f,) = report.warnings
    assert f.kind == "unreadable" and f.line == 11
    assert report.errors == []  # its value -8 is still carried: the lines below are fine


def test_unknown_names_are_notation_warnings():
    text = SHEET.format(**RIGHT).replace("Epoch 1:", "Epoch 1:\n\n$$L = 0.1 * 25 + 2 * 4 = 10.5$$")
    (f,) = symopt.check(text).warnings
    assert f.kind == "notation" and "L" in f.text


def test_skipped_lines_are_computed():
    text = SEED_TEXT_ADAM
    for name in ("v_{corr1}", "v_{corr2}", "s_{corr1}", "s_{corr2}"):
        text = "\n".join(line for line in text.split("\n") if not line.startswith(f"$${name}"))
    assert kinds(symopt.check(text)) == []


SEED_TEXT_ADAM = symopt.solve(
    spec("adam", {"alpha": 0.2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6}, numbers="hand:4 keep 7")
).to_markdown()


# -- problems that cannot be inferred, and bad input --------------------------------------------------

@pytest.mark.parametrize(
    "text,message",
    [
        ("just prose", "no exercises found"),
        ("## Exercise 1: Yogi\n\n$$f(w) = w^2$$\n", "names no optimizer symopt knows"),
        ("## Exercise 1: Adam\n\n$$w = 1$$\n", "no f(…) = … line"),
        ("$$f(w_1, w_2) = w_1^2 + w_2^2$$\n## Exercise 1: GD\n$$w_1 = 1, \\alpha = 0.1$$\n", "no start value for w_2"),
        ("$$f(w) = w^2$$\n## Exercise 1: GD\n$$w = 1$$\n", "no value for \\alpha"),
        ("$$f(w) = w^2 + u$$\n## Exercise 1: GD\n$$w = 1$$\n", "f uses u"),
    ],
)
def test_missing_problem_is_one_line_suggesting_spec(text, message, tmp_path, capsys):
    path = tmp_path / "work.md"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and str(path) in err
    if "no exercises" not in message:
        assert "--spec" in err


def test_spec_with_fewer_exercises_than_the_document(capsys):
    seed_doc()
    one = {"function": "0.1*w1**2", "exercise": [{"optimizer": "gd", "start": {"w1": 1}, "hyper": {"alpha": 0.1}}]}
    with pytest.raises(symopt.SymoptError, match="4 exercises but"):
        symopt.check(SEED_DOC, one)


@pytest.mark.parametrize("args,message", [
    (["check", "nosuch.md"], "nosuch.md: no such file"),
    (["check", "benchmarks"], "benchmarks: no .md or .tex file to grade"),  # a folder is a class (test_gradebook.py)
    (["check", "README.md", "--spec", "nosuch.toml"], "nosuch.toml: no such file"),
    (["check", "README.md", "--slack", "x"], "--slack"),
    (["check", "README.md", "--slack", "-1"], "slack"),
    (["check", "README.md", "--format", "pdf"], "invalid choice"),
])
def test_bad_input_exits_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_binary_file(tmp_path, capsys):
    path = tmp_path / "work.md"
    path.write_bytes(b"\xff\xfe\x00junk")
    assert main(["check", str(path)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


# -- reports ----------------------------------------------------------------------------------------

def test_markdown_report_marks_the_wrong_line(tmp_path, capsys):
    seed_doc()
    out = tmp_path / "marked.md"
    assert main(["check", str(SEED_DOC), "--format", "md", "-o", str(out)]) == 1
    assert "1 error, 2 warnings" in capsys.readouterr().err
    marked = out.read_text(encoding="utf-8").split("\n")
    original = SEED_DOC.read_text(encoding="utf-8").split("\n")
    assert [line for line in marked if not line.startswith(">") and line] == [line for line in original if line]
    i = next(k for k, line in enumerate(marked) if line.startswith("$$w_2 = -1.8 - 0.2"))
    assert marked[i + 2].startswith("> ✗ **arithmetic** · $w_2$ · written $-0.6$ · expected $\\approx -1.6008$")


def test_text_report_and_verbose(capsys):
    seed_doc()
    assert main(["check", str(SEED_DOC)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{SEED_DOC}: 1 error, 2 warnings in 70 lines checked (67 ok)")
    assert "  Epoch 2: ✗ 12 lines" in out
    assert re.search(r"line \d+ ✗ arithmetic  w_2 = -0.6, expected ≈ -1.6008", out)
    assert "✓" in out and "line 19 ✓" not in out
    assert main(["check", str(SEED_DOC), "--verbose"]) == 1
    assert re.search(r"line \d+ ✓ ok  dw_1", capsys.readouterr().out)


def test_json_verbose_lists_ok_lines(capsys):
    assert main(["check", str(ROOT / "output" / "seed.md"), "--format", "json", "--verbose"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["errors"] == 0
    assert {f["kind"] for f in data["findings"]} == {"ok"} and len(data["findings"]) == data["summary"]["lines"]


def test_check_takes_text_or_path(tmp_path):
    text = (ROOT / "output" / "seed.md").read_text(encoding="utf-8")
    assert symopt.check(text).summary == symopt.check(ROOT / "output" / "seed.md").summary
    assert symopt.check(str(ROOT / "output" / "seed.md")).source.endswith("seed.md")
    with pytest.raises(symopt.SymoptError, match="no such file"):
        symopt.check("missing/work.md")


# -- robustness ----------------------------------------------------------------------------------------

def _survives(text: str) -> bool:
    """No traceback: a report in every format, or a one-line error.  True when a report was made."""
    try:
        report = symopt.check(text)
    except symopt.SymoptError as e:
        assert "\n" not in str(e)
        return False
    report.to_text(), report.to_markdown(), report.to_json()
    return True


# A problem the checker can read, then random characters and whole tokens: found in review, random
# characters alone never made a heading, so every text stopped at "no exercises found".
_PROBLEM = "$$f(w_1, w_2) = 0.1w_1^2 + 2w_2^2$$\n## Exercise 1: Adam\n$$w_1 = -5, w_2 = -2, \\alpha = 0.2, \\beta_1 = 0.9, \\beta_2 = 0.999, \\epsilon = 10^{-6}$$\n"
_TOKENS = [*"$$\\{}()[]^_=+-*/.,0123456789 wvsdαβ\nabcdefghij", "Epoch 1:\n", "Epoch 2:\n", "Bài 2 Adam\n",
           "$$w_1 = ", "$$dw_1 = ", "v_{corr1}", "\\frac{", "\\sqrt{", "$$\n"]


def _random_text(seed: int) -> str:
    rng = random.Random(seed)
    return _PROBLEM + "".join(rng.choice(_TOKENS) for _ in range(rng.randint(0, 1500)))


@pytest.mark.parametrize("seed", range(20))
def test_random_text_never_crashes(seed):
    _survives(_random_text(seed))


def test_random_text_reaches_the_checker():
    assert sum(_survives(_random_text(seed)) for seed in range(20)) >= 5  # 8 of these 20 do


def test_truncated_and_unbalanced_documents():
    text = (ROOT / "output" / "seed.md").read_text(encoding="utf-8")
    rng = random.Random(7)
    for cut in sorted(rng.sample(range(len(text)), 30)):
        _survives(text[:cut])
    broken = text.replace("\\frac{", "\\frac{{", 5).replace("\\sqrt{", "\\sqrt", 3).replace("$$w_2", "$$w_2 = (", 2)
    report = symopt.check(broken)
    lines = broken.count("\n") + 1
    assert all(1 <= f.line <= lines for f in report.findings)  # every finding points into the document
    assert len([f for f in report.findings if f.kind == "unreadable"]) >= 3


def test_unclosed_display_math_is_reported():
    text = (ROOT / "output" / "seed.md").read_text(encoding="utf-8").replace("$$dw_1 = 0.2 * (-5) = -1$$", "$$dw_1 = 0.2 * (-5) = -1", 1)
    report = symopt.check(text)
    assert any(f.kind == "unreadable" and "never closed" in f.text for f in report.findings)


def test_a_megabyte_document():
    text = (ROOT / "output" / "seed.md").read_text(encoding="utf-8")
    big = text + ("\n\nsome prose that is not math at all, repeated. " * 25_000) + "\n$$" + "(" * 3000 + "\n"
    assert len(big) > 1_000_000
    report = symopt.check(big)
    assert report.summary["errors"] == 0


def test_readme_shows_real_output():
    seed_doc()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ symopt check ../shared/reference/seed-worked-solutions.md\n", 1)[1].split("```", 1)[0]
    assert block.strip()
    out = symopt.check(SEED_DOC).to_text().replace(str(SEED_DOC), "../shared/reference/seed-worked-solutions.md")
    for line in block.splitlines():
        if line != "...":
            assert line in out.splitlines(), line


# -- numbers as sheets write them: more digits, significant figures, trailing zeros, decimal commas --

def _flagged(text: str) -> list[tuple[int, str]]:
    return kinds(symopt.check(text))


def _line(text: str, part: str) -> int:
    """The number of the line of `text` that holds `part`."""
    (n,) = [i for i, line in enumerate(text.split("\n"), start=1) if part in line]
    return n


MORE_DIGITS = """$$f(w_1) = w_1^2$$

## Exercise 1: Gradient Descent

$$w_1 = -2.345, \\alpha = 0.123$$

Epoch 1:

$$dw_1 = 2 * (-2.345) = -4.69$$

$$w_1 = -2.345 - 0.123 * (-4.69) \\approx -1.7681$$

Epoch 2:

$$dw_1 = 2 * (-1.76813) \\approx -3.5363$$

$$w_1 = -1.76813 - 0.123 * (-3.53626) \\approx -1.3332$$
"""


def test_a_substituted_number_may_have_more_digits_than_shown():
    """w_1 ≈ -1.7681 stands for everything within half a unit of its last digit, so the next line
    may substitute -1.76813 (the value it was rounded from) to make its printed arithmetic hold."""
    assert _flagged(MORE_DIGITS) == []
    # but a number outside that rounding, or as many digits and another value, is a substitution error
    for wrong in ("-1.76823", "-1.7682"):
        text = MORE_DIGITS.replace("2 * (-1.76813)", f"2 * ({wrong})")
        assert _flagged(text) == [(15, "substitution")], wrong
    # the arithmetic is judged with the more precise number: -3.5362 is a rounding slip
    assert _flagged(MORE_DIGITS.replace("\\approx -3.5363", "\\approx -3.5362")) == [(15, "rounding")]


SMALL_VALUES = """$$f(w_1, w_2, w_3) = w_1^2 + 0.5w_2^2 + 0.5w_3^2$$

## Exercise 1: Gradient Descent

$$w_1 = 3, w_2 = 1.2345, w_3 = 1.96 \\cdot 10^{-7}, \\alpha = 0.199995$$

Epoch 1:

$$dw_1 = 2 * 3 = 6$$

$$dw_2 = 1.2345$$

$$dw_3 = 1.96 \\cdot 10^{-7}$$

$$w_1 = 3 - 0.199995 * 6 \\approx 1.8$$

$$w_2 = 1.2345 - 0.199995 * 1.2345 \\approx 0.9876$$

$$w_3 = 1.96 \\cdot 10^{-7} - 0.199995 * (1.96 \\cdot 10^{-7}) \\approx 1.57 \\cdot 10^{-7}$$

Epoch 2:

$$dw_1 = 2 * 1.8 \\approx 3.6001$$

$$dw_3 = 1.57 \\cdot 10^{-7} \\approx 1.568 \\cdot 10^{-7}$$
"""


def test_small_values_in_significant_figures_do_not_narrow_other_roundings():
    """1.96 \\cdot 10^{-7} shows 9 decimals, but only because it is small: the sheet rounds to 4
    decimals, so w_1 ≈ 1.8 (1.80003) still stands for 1.79995 to 1.80005, and 2 * 1.8 ≈ 3.6001."""
    assert _flagged(SMALL_VALUES) == []
    # the small value itself stands for its own last digit: 1.57e-7 is 1.565e-7 to 1.575e-7
    assert _flagged(SMALL_VALUES.replace("1.568 \\cdot 10^{-7}", "1.578 \\cdot 10^{-7}")) == [(_line(SMALL_VALUES, "$$dw_3 = 1.57"), "arithmetic")]
    assert _flagged(SMALL_VALUES.replace("\\approx 1.57 \\cdot 10^{-7}", "\\approx 1.59 \\cdot 10^{-7}")) == [(_line(SMALL_VALUES, "$$w_3 ="), "arithmetic")]
    # a minus on a scientific number: one number
    negative = SMALL_VALUES.replace("1.96 \\cdot 10^{-7}", "-1.96 \\cdot 10^{-7}").replace(
        "1.57 \\cdot 10^{-7}", "-1.57 \\cdot 10^{-7}").replace("1.568 \\cdot 10^{-7}", "-1.568 \\cdot 10^{-7}")
    negative = negative.replace("0.199995 * (-1.96", "0.199995 * (-1.96")
    assert _flagged(negative) == []


def test_plain_values_in_significant_figures():
    """0.000196 in a sheet that otherwise shows 4 decimals: rounded to 3 significant figures."""
    text = """$$f(w_1, w_2) = w_1^2 + 0.0007w_2^2$$

## Exercise 1: Gradient Descent

$$w_1 = 3, w_2 = 0.14, \\alpha = 0.199995$$

Epoch 1:

$$dw_1 = 2 * 3 = 6$$

$$dw_2 = 0.0014 * 0.14 = 0.000196$$

$$w_1 = 3 - 0.199995 * 6 \\approx 1.8$$

$$w_2 = 0.14 - 0.199995 * 0.000196 \\approx 0.13996$$

Epoch 2:

$$dw_1 = 2 * 1.8 \\approx 3.6001$$

$$dw_2 = 0.0014 * 0.13996 \\approx 0.000196$$
"""
    assert _flagged(text) == []
    assert _flagged(text.replace("\\approx 0.000196", "\\approx 0.000198")) == [(_line(text, "0.0014 * 0.13996"), "arithmetic")]


def test_trailing_zeros_mean_rounded_to_that_place():
    """-4.8000 (trailing zeros kept) is -4.80005 to -4.79995; written -4.8 after a 4-decimal sheet
    it means the same."""
    text = """$$f(w_1) = w_1^2$$

## Exercise 1: Gradient Descent

$$w_1 = 6.00005, \\alpha = 0.1$$

Epoch 1:

$$dw_1 = 2 * 6.00005 = 12.0001$$

$$w_1 = 6.00005 - 0.1 * 12.0001 \\approx 4.8000$$

Epoch 2:

$$dw_1 = 2 * 4.8000 \\approx 9.6001$$
"""
    assert _flagged(text) == []
    assert _flagged(text.replace("9.6001", "9.6003")) == [(15, "arithmetic")]
    assert _flagged(text.replace("\\approx 4.8000", "\\approx 4.8010")) == [(11, "arithmetic")]


def test_decimal_commas():
    """0{,}9 is 0.9 everywhere numbers are read; the data line's items are then separated by ;."""
    text = (MORE_DIGITS.replace("$$w_1 = -2.345, \\alpha = 0.123$$", "$$w_1 = -2{,}345; \\alpha = 0{,}123$$")
            .replace("f(w_1) = w_1^2", "f(w_1; w_2) = w_1^2 + 0{,}5w_2^2"))
    text = re.sub(r"(\d)\.(\d)", r"\1{,}\2", text)
    text = text.replace("w_1 = -2{,}345;", "w_1 = -2{,}345; w_2 = 0{,}5;")
    assert "{,}" in text and "0.123" not in text
    report = symopt.check(text)
    assert kinds(report) == []
    assert report.summary["lines"] == 4
    assert _flagged(text.replace("2 * (-1{,}76813)", "2 * (-1{,}76823)")) == [(15, "substitution")]
    # \max(a; b) with a decimal comma
    from symopt.check.mathtext import parse_math
    assert parse_math("\\max(0{,}999 * 0; 1{,}5)") == parse_math("\\max(0.999 * 0, 1.5)")


SIG_MODE = """$$f(w_1) = 1000w_1^2$$

## Exercise 1: Gradient Descent

$$w_1 = 2.3005, \\alpha = 0.0001$$

Epoch 1:

$$dw_1 = 2000 * 2.3005 = 4.6 \\cdot 10^{3}$$

$$w_1 = 2.3005 - 0.0001 * (4.6 \\cdot 10^{3}) = 1.8$$

Epoch 2:

$$dw_1 = 2000 * 1.8 = 3.6 \\cdot 10^{3}$$

$$w_1 = 1.8 - 0.0001 * (3.6 \\cdot 10^{3}) = 1.4$$
"""


def test_significant_figures_mode():
    """sig:2: every value rounded to 2 significant figures and carried, every line ends in =;
    4.6 \\cdot 10^{3} stands for 4550 to 4650 (rounded to hundreds)."""
    assert _flagged(SIG_MODE) == []
    assert _flagged(SIG_MODE.replace("= 4.6 \\cdot 10^{3}", "= 4.8 \\cdot 10^{3}")) == [(9, "arithmetic")]
    # the carried value is the written one: 1.8 - 0.0001 * 3600 is 1.44, so 1.5 is wrong
    assert _flagged(SIG_MODE.replace("= 1.4$$", "= 1.6$$")) == [(17, "arithmetic")]


def test_hand_mode_floor_of_significant_figures():
    """hand:4 sig 3: 0.0019206 is written 0.00192 (three significant figures, not 0.0019) and
    carried as written."""
    text = """$$f(w_1) = 0.01w_1^2$$

## Exercise 1: Gradient Descent

$$w_1 = 0.096, \\alpha = 0.5$$

Epoch 1:

$$dw_1 = 0.02 * 0.096 = 0.00192$$

$$w_1 = 0.096 - 0.5 * 0.00192 = 0.09504$$

Epoch 2:

$$dw_1 = 0.02 * 0.09504 = 0.0019$$

$$w_1 = 0.09504 - 0.5 * 0.0019 = 0.09409$$
"""
    assert _flagged(text) == []
    assert _flagged(text.replace("= 0.00192$$", "= 0.00195$$")) == [(9, "arithmetic")]


def test_shared_state_names_are_the_line_variables():
    """x2 and theta2 both have v_2: on the right of theta2's line, v_2 is theta2's."""
    solution = symopt.solve({"function": "x2**2 + 3*theta2**2", "exercise": [{
        "optimizer": "adam", "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
        "start": {"x2": 1, "theta2": 2}, "epochs": 2, "numbers": "precision:12"}]})
    assert _flagged(solution.to_markdown()) == []


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_a_title_that_names_the_optimizer_is_not_an_exercise(fmt):
    # Found trying symopt as a new user: the title "Adagrad quiz" (# or \section*) was read as an
    # exercise, so symopt's own sheet could not be checked ("no start value for a, b").
    s = {"title": "Adagrad and RMSProp quiz", "function": "0.05*a^2 + 3*b^2", "exercise": [
        {"optimizer": "adagrad", "hyper": {"alpha": 0.5, "epsilon": 1e-8}, "start": {"a": 0.004, "b": 120}, "epochs": 2,
         "numbers": "sig:3"}]}
    solution = symopt.solve(s)
    report = symopt.check(solution.to_markdown() if fmt == "md" else solution.to_latex())
    assert (report.summary["lines"], report.summary["errors"], report.summary["warnings"]) == (16, 0, 0)
