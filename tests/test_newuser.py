"""Worked solutions a teacher wrote while trying symopt as a new user (issue 15), with every value
computed by hand in Decimal: each file's findings, line by line.  Before the fixes they pin, correct
work scored 25 to 61 (two statements on one row joined by \\quad, formulas joined by \\qquad),
could not be read (``ab`` in f(a, b)), or Adagrad's accumulator G_t was read as the gradient."""

from __future__ import annotations

from pathlib import Path

import pytest

import symopt

HERE = Path(__file__).parent / "data" / "newuser"

EXPECTED = {
    "s01_gd_en.md": [],  # f(a, b) = 3a^2 + ab + b^2: ab is a * b
    "s02_gd_vi_comma.md": [(17, "arithmetic")],  # 4 * 0,9^3 - 2 = 0,961 (right 0,916)
    "s03_momentum_superscript.md": [],
    "s04_momentum_errors.md": [(17, "formula"), (29, "arithmetic")],  # 0.9 * 0 + 0.9 * 5: β where 1 - β belongs
    "s05_rmsprop_plain.md": [],
    "s06_rmsprop_subst.md": [(19, "substitution")],  # the old u = 1.5 substituted
    "s07_adam_paper.md": [],  # g_p = …, \quad g_q = … on one row; m_t, v_t
    "s08_adam_nobias.md": [(21, "formula"), (23, "formula")],  # the bias correction left out, then carried
    "s10_adagrad_large.md": [(23, "rounding")],  # 29.1495 for 29.14943
    "s11_adam_align.tex": [],  # formulas joined by \qquad; &= rows
    "s12_gd_sig4_wrongderiv.tex": [(8, "formula")],  # a wrong derivative, the epochs right from it
    "s13_gd_inline_vectors.md": [],
    "s14_rmsprop_vi_unreadable.md": [(15, "unreadable"), (21, "unreadable"), (37, "rounding")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_new_users_worked_solution(name):
    report = symopt.check(HERE / name)
    assert [(f.line, f.kind) for f in report.findings if f.severity != "ok"] == EXPECTED[name], report.to_text()


def test_expected_values_show_at_most_12_significant_digits():
    seen = 0
    for name in EXPECTED:
        for f in symopt.check(HERE / name).findings:
            if f.expected and f.expected[-1].isdigit():
                seen += 1
                mantissa = f.expected.split("e")[0]
                assert len(mantissa.replace("-", "").replace(".", "").lstrip("0")) <= 12, (name, f.line, f.expected)
    assert seen >= 8


def test_messages_speak_the_writers_notation():
    """A sheet in decimal commas gets its numbers back in decimal commas, and a line is named as
    written (f'(u), not the g_t symopt reads it as)."""
    (f,) = [f for f in symopt.check(HERE / "s02_gd_vi_comma.md").findings if f.severity != "ok"]
    assert (f.name, f.written, f.expected) == ("f'(u)", "0{,}961", "0{,}916")
    assert f.text == "4 \\cdot 0,9^3 - 2 is 0,916, not 0,961"
