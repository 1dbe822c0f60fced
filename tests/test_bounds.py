"""Bounded work on a student's document (issue 17): each attack ends fast, in one line on stderr and
exit 2 or as a finding in the report (an unreadable or notation warning: exit 0), never a traceback
or a hang.

The attack files are made here (some are hundreds of kilobytes); each runs ``symopt check`` in a
subprocess with a timeout and a memory limit, so a regression fails the test instead of hanging CI.
The time bound is generous (the cases take well under a second of work beside Python's start-up)."""

from __future__ import annotations

from pathlib import Path
import resource
import subprocess
import sys
import time

import pytest

from conftest import ROOT

LIMIT_S = 5.0  # a case's wall time, start-up included
MEMORY = 2 * 1024**3  # bytes of address space

PROBLEM = "$$f(w_1) = w_1^2$$\n\n## Exercise 1: GD\n\n$$w_1 = 1, \\alpha = 0.1$$\n\nEpoch 1:\n\n"

#: name -> (the document, the exit code, what stderr (exit 2) or the report (exit 1) says)
CASES: dict[str, tuple[str, int, str]] = {
    # a Markdown heading regex was cubic in the spaces of "# a      x"
    "heading of spaces": ("# a" + " " * 4000 + "x\n", 2, "no exercises found"),
    # \text{…} and cases searched to the end of the line from each opening
    "unclosed text, a math line": (PROBLEM + "$$dw_1 = " + "\\text{" * 60_000 + "$$\n", 0, "a line longer than 5000"),
    "unclosed text, a text line": (PROBLEM + "\\text{" * 60_000 + "\n", 0, "0 lines"),
    "unclosed cases": (PROBLEM + "$$dw_1 = " + "\\begin{cases}" * 30_000 + "$$\n", 0, "a line longer than 5000"),
    "unclosed cases, a block": (PROBLEM + "$$\n" + "\\begin{cases}" * 30_000 + "\n$$\n", 0, "unreadable"),
    "cases and rows": (PROBLEM + "$$\n" + "\\begin{cases} a \\end{cases} \\\\ " * 5_000 + "\n$$\n", 0, "unreadable"),
    "spaces before a quad": (PROBLEM + "w_1 = 1 \\quad" + " " * 100_000 + "x\n", 0, "a line longer than 5000"),
    # "rms\s*-?\s*prop" over 100 000 blanks; the message echoed the whole heading
    "heading with blanks": ("$$f(w_1) = w_1^2$$\n\nExercise 2 rms" + " " * 100_000 + "x\n", 2, "'Exercise 2 rms…' names no optimizer"),
    "epoch label with blanks": (PROBLEM.replace("Epoch 1:", "Epoch 1" + " " * 100_000 + "x"), 0, "in 0 lines checked"),
    # numbers past any bound: unreadable (the reader) or an arithmetic finding (the balls), never computed
    "a tower in an epoch line": (PROBLEM + "$$dw_1 = 9^{9^{9^{9}}} = 2$$\n", 0, "the number is too large to compute"),
    "a tower in the data line": (PROBLEM.replace("w_1 = 1,", "w_1 = ((2^{1000})^{1000})^{1000},"), 2, "no start value for w_1"),
    "a tower in f": (PROBLEM.replace("w_1^2", "((2^{1000})^{1000})^{1000} w_1"), 2, "the number is too large to compute"),
    "e to e to e in f": (PROBLEM.replace("w_1^2", "e^{e^{e^{e^{e^{1}}}}} w_1"), 2, "the number is too large to compute"),
    "e to e to w in f": (PROBLEM.replace("w_1^2", "e^{e^{e^{e^{e^{w_1}}}}}") + "$$dw_1 = 2 = 2$$\n", 0, "line 9 ⚠ notation  the rule for this line cannot be computed"),
    "exp of exp of exp": (PROBLEM + "$$dw_1 = \\exp{\\exp{\\exp{100}}} = 2$$\n", 0, "the number is too large to compute"),
    "a power of a value": (PROBLEM.replace("w_1 = 1,", "w_1 = 2,") + "$$dw_1 = w_1^{10^{10}} = 2$$\n", 1,
                           "the power is too large to compute"),
    "exp of a value": (PROBLEM.replace("w_1 = 1,", "w_1 = 2,") + "$$dw_1 = \\exp{w_1 \\cdot 10^{5}} = 2$$\n", 1,
                       "exp of 200000 is too large to compute"),
    # Python's limit of 4300 digits for reading an int
    "an epoch of 5000 digits": (PROBLEM.replace("Epoch 1:", "Epoch " + "9" * 5000 + ":") + "$$dw_1 = 2 = 2$$\n", 0,
                                "an epoch number of 5000 digits"),
}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_check(path: Path) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "symopt", "check", str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=4 * LIMIT_S, preexec_fn=_limit_memory)
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - start


@pytest.mark.parametrize("name", CASES)
def test_an_attack_ends_fast_in_one_line_or_a_finding(name, tmp_path):
    text, code, message = CASES[name]
    path = tmp_path / "work.md"
    path.write_text(text, encoding="utf-8")
    returncode, out, err, seconds = run_check(path)
    assert "Traceback" not in err, err[-2000:]
    assert returncode == code, (returncode, err[:500], out[:500])
    assert seconds < LIMIT_S, f"{name}: {seconds:.1f} s"
    if code == 2:
        assert err.count("\n") == 1 and message in err and len(err) < 600, err[:1000]
    else:
        assert not err and message in out, (err[:500], out[:2000])
