"""The committed showcase, output/seed.md and output/seed.tex, equals a fresh render.

If this fails after an intended change, re-render with:  symopt render examples/seed.toml --format md,tex
"""

from __future__ import annotations

import re

from conftest import ROOT


def test_showcase_markdown_is_fresh(seed_solution):
    assert (ROOT / "output" / "seed.md").read_text(encoding="utf-8") == seed_solution.to_markdown()


def test_showcase_latex_is_fresh(seed_solution):
    assert (ROOT / "output" / "seed.tex").read_text(encoding="utf-8") == seed_solution.to_latex()


def test_showcase_layout(seed_solution):
    md = seed_solution.to_markdown()
    assert md.startswith(
        "# Optimization Algorithms in Deep Learning\n\n$$f(w_1, w_2) = 0.1w_1^2 + 2w_2^2$$\n\n## Bài 1 Gradient Descent\n\n"
        "$$W_t = W_{t-1} - \\alpha dW_t$$\n\n"
        "Số liệu: giá trị chính xác; giá trị có nhiều hơn 4 chữ số thập phân được ghi làm tròn ($\\approx$) đến 4 chữ số "
        "thập phân, nhưng không ít hơn 3 chữ số có nghĩa.\n\n"
        "$$w_1 = -5,\\; w_2 = -2,\\; \\alpha = 0.4$$\n\n$$dw_1 = 0.2w_1$$\n\n$$dw_2 = 4w_2$$\n\n"
        "Epoch 1:\n\n$$dw_1 = 0.2 * (-5) = -1$$\n\n"
    )
    assert md.count("## Bài ") == 4 and md.count("Epoch 2:") == 4
    assert "Quy ước: $\\epsilon$ nằm trong dấu căn" in md


def test_readme_excerpt_is_the_real_output(seed_solution):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    top = readme.split("## Run the tests")[0]  # the seed's excerpt (other sections pin their own)
    excerpt = [line for line in top.splitlines() if line.startswith("$$")]
    assert len(excerpt) == 4
    assert set(excerpt) <= set(seed_solution.to_markdown().splitlines())


def test_readme_schedule_excerpt_is_the_real_output():
    """The excerpt of examples/schedules.toml (Learning-rate schedules): each of its lines is a line
    of the sheet, in order, and so are the inline formulas after it."""
    import symopt

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("An excerpt of `symopt solve examples/schedules.toml --format md`", 1)[1].split("```")[1]
    lines = [line for line in block.splitlines() if line.strip() and line != "…"]
    sheet = symopt.solve(ROOT / "examples" / "schedules.toml").to_markdown().splitlines()
    assert len(lines) == 5 and [sheet.index(line) for line in lines] == sorted(sheet.index(line) for line in lines)
    after = readme.split(block, 1)[1].split("**The convention**", 1)[0]
    inline = re.findall(r"`(\\alpha_[^`]*)`", after)
    assert len(inline) == 2 and all(f"$${text}$$" in sheet for text in inline)


def test_readme_python_example():
    import symopt

    sheet = symopt.solve({"function": "w1**2", "exercise": [
        {"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"w1": 1}, "epochs": 3}]}, numbers="hand:2")
    # 0.512 keeps 3 significant figures (hand:2's floor); with "hand:2 sig 2" it is 0.51
    assert [e.params["w1"] for e in sheet.exercises[0].epochs] == ["0.8", "0.64", "0.512"]
    sheet = symopt.solve({"function": "w1**2", "exercise": [
        {"optimizer": "gd", "hyper": {"alpha": 0.1}, "start": {"w1": 1}, "epochs": 3}]}, numbers="hand:2 sig 2")
    assert [e.params["w1"] for e in sheet.exercises[0].epochs] == ["0.8", "0.64", "0.51"]
