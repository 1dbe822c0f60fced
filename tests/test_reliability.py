"""Numerical honesty and nothing lost: divergence is marked on a complete sheet, undefined values stop
with the exercise, epoch and line, kinks are stated, files are never half-written, hostile text
prints literally in TeX."""

from __future__ import annotations

import json
from pathlib import Path
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SEED_SPEC, spec
import symopt
from symopt.cli import main

DIVERGENT = {"function": "10*w1**2", "mult": "*", "exercise": [
    {"optimizer": "gd", "start": {"w1": 1}, "hyper": {"alpha": 1.1}, "epochs": 15},
    {"optimizer": "gd", "start": {"w1": 1}, "hyper": {"alpha": 0.01}, "epochs": 2}]}


def test_divergent_gd_renders_a_complete_sheet_with_the_divergence_marked():
    """f = 10 w^2, alpha = 1.1: w <- w - 1.1 * 20 w = -21 w.  |w| passes 10^12 at epoch 10
    (21^10 = 16679880978201); the sheet says so, stops that exercise, and goes on."""
    solution = symopt.solve(DIVERGENT)
    first, _second = solution.exercises
    assert [e.params["w1"] for e in first.epochs[:3]] == ["-21", "441", "-9261"]
    assert (first.diverged.epoch, len(first.epochs), first.epochs[-1].params["w1"]) == (10, 10, "16679880978201")
    md = solution.to_markdown()
    assert "**The run diverges at epoch 10: $w_1 = 16679880978201$ is past $10^{12}$. The remaining epochs are not computed.**" in md
    assert md.rstrip().endswith("$$w_1 = 0.8 - 0.01 * 16 = 0.64$$")  # the next exercise is complete
    data = json.loads(solution.to_json())["exercises"]
    assert data[0]["diverged"] is True and data[0]["diverged_at"]["epoch"] == 10 and data[1]["diverged"] is False
    vi = symopt.solve(DIVERGENT, lang="vi").to_latex()
    assert "\\textbf{Quá trình phân kỳ ở epoch 10" in vi


def test_divergent_sheet_compiles(tex, tmp_path):
    assert symopt.solve(DIVERGENT).to_pdf().startswith(b"%PDF")


@pytest.mark.parametrize("numbers", ["exact", "hand:2", "precision:20"])
def test_overflow_is_marked_too(numbers):
    worked = symopt.solve(spec("gd", {"alpha": 0.1}, function="exp(w1)", start={"w1": 800}, numbers=numbers)).exercises[0]
    assert (worked.diverged.epoch, worked.diverged.line, worked.diverged.kind) == (1, "dw_1", "limit")
    assert worked.epochs == ()
    assert "The run diverges at epoch 1: $dw_1$ is past $10^{300}$." in symopt.solve(
        spec("gd", {"alpha": 0.1}, function="exp(w1)", start={"w1": 800}, numbers=numbers)).to_markdown()
    # exp(e^50) = 10^(2.2e21) is past even Decimal's exponent range (10^(10^18)): the same mark
    worked = symopt.solve(spec("gd", {"alpha": 0.1}, function="exp(exp(w1))", start={"w1": 50}, numbers=numbers)).exercises[0]
    assert (worked.diverged.epoch, worked.diverged.line, worked.diverged.kind) == (1, "dw_1", "limit")


@pytest.mark.parametrize(
    "exercise,message",
    [
        ({"optimizer": "rmsprop", "hyper": {"alpha": 0.1, "gamma": 0.9, "epsilon": 0}, "function": "w1**2", "start": {"w1": 0}},
         "exercise 1 (rmsprop): epoch 1, w_1: division by zero"),
        ({"optimizer": "gd", "hyper": {"alpha": 4}, "function": "sqrt(w1)", "start": {"w1": 1}},
         "exercise 1 (gd): epoch 2, dw_1: square root of a negative number"),
        ({"optimizer": "gd", "hyper": {"alpha": 10}, "function": "w1*log(w1)", "start": {"w1": 0.5}, "epochs": 3,
          "numbers": "hand:4"},
         "exercise 1 (gd): epoch 2, dw_1: logarithm of a number that is not positive"),
    ],
)
def test_undefined_values_stop_with_exercise_epoch_and_line(exercise, message):
    with pytest.raises(symopt.SymoptError) as e:
        symopt.solve({"exercise": [exercise]})
    assert message in str(e.value), str(e.value)


def test_kinks_are_stated_on_the_sheet():
    md = symopt.solve(spec("gd", {"alpha": 0.1}, function="abs(w1) + w2**2", start={"w1": 0, "w2": 1}, epochs=1)).to_markdown()
    assert "$f$ has no derivative where $|\\cdot|$ is 0" in md
    assert "$$dw_1 = \\operatorname{sign}\\left(0\\right) = 0$$" in md
    assert "no derivative" not in symopt.solve(SEED_SPEC).to_markdown()


HOSTILE = [
    "\\input{/etc/passwd}", "\\write18{touch PWNED}", "\\immediate\\write18{touch PWNED}", "^^5cinput{/etc/passwd}",
    "\\catcode`\\^^M=13 x", "$\\input{/etc/passwd}$", "{{ 7*7 }}", "((( title )))", "% comment \\\\ & # _ ~",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_prints_literally_everywhere(text, tex, tmp_path, monkeypatch):
    """In the title and a user-defined optimizer's name (the text fields of a spec): nothing runs,
    no file is read, the words print as written."""
    monkeypatch.chdir(tmp_path)
    s = {"title": f"T {text}", "function": "w1**2",
         "optimizers": {"mine": {"name": f"N {text}", "rules": ["w = w - alpha*g"]}},
         "exercise": [{"optimizer": "mine", "start": {"w1": 1}, "hyper": {"alpha": 0.1}, "epochs": 1}]}
    solution = symopt.solve(s)
    pdf = solution.to_pdf()
    (tmp_path / "s.pdf").write_bytes(pdf)
    shown = subprocess.run(["pdftotext", "s.pdf", "-"], capture_output=True, text=True, check=True).stdout
    assert "root:" not in shown and not (tmp_path / "PWNED").exists()
    visible = "".join(text.split())
    assert visible[:6] in "".join(shown.split()).replace("\u2019", "'")
    assert "{{ 7*7 }}" not in text or "49" not in solution.to_markdown()


def _render_forever(out: Path) -> subprocess.Popen:
    code = (
        "import sys; from symopt.cli import main\n"
        "while True:\n"
        f"    main(['render', {str(SEED_SPEC)!r}, '-o', {str(out)!r}, '--format', 'md,tex', '--epochs', '400'])\n"
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_killed_render_leaves_old_or_new_never_a_torn_file(tmp_path):
    out = tmp_path / "out"
    assert main(["render", str(SEED_SPEC), "-o", str(out), "--format", "md,tex", "--epochs", "400"]) == 0
    whole = (out / "seed.md").read_bytes()
    for delay in (0.3, 0.7, 1.1, 1.6):
        proc = _render_forever(out)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert (out / "seed.md").read_bytes() == whole  # every render writes the same bytes: any other is torn
        leftovers = [p.name for p in out.iterdir() if p.name not in ("seed.md", "seed.tex")]
        assert all(name.startswith(".seed.") and name.endswith(".tmp") for name in leftovers)


def test_two_renders_at_once_do_not_corrupt(tmp_path):
    out = tmp_path / "out"
    code = f"from symopt.cli import main; main(['render', {str(SEED_SPEC)!r}, '-o', {str(out)!r}, '--format', 'md,tex'])"
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
    assert [p.wait() for p in procs] == [0, 0]
    assert (out / "seed.md").read_text(encoding="utf-8") == (ROOT / "output" / "seed.md").read_text(encoding="utf-8")


def test_failed_render_leaves_earlier_outputs_untouched(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", str(SEED_SPEC), "-o", str(out), "--format", "md"]) == 0
    before = (out / "seed.md").read_bytes()
    bad = tmp_path / "seed.toml"
    bad.write_text(SEED_SPEC.read_text(encoding="utf-8").replace("alpha = 0.4", "alpha = -"), encoding="utf-8")
    assert main(["render", str(bad), "-o", str(out), "--format", "md"]) == 2
    assert (out / "seed.md").read_bytes() == before and sorted(p.name for p in out.iterdir()) == ["seed.md"]
    capsys.readouterr()


def test_failed_pdf_keeps_the_tex_and_says_where(tex, tmp_path, capsys):
    templates = tmp_path / "templates"
    templates.mkdir()
    sheet = (ROOT / "templates" / "sheet.tex.j2").read_text(encoding="utf-8")
    (templates / "sheet.tex.j2").write_text(sheet.replace("\\begin{document}", "\\begin{document}\n\\nosuchmacro"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["render", str(SEED_SPEC), "-o", str(out), "--format", "md,pdf", "--templates", str(templates)]) == 2
    err = capsys.readouterr().err
    assert "LaTeX failed: line 9: Undefined control sequence" in err and f"kept {out / 'seed.tex'}" in err
    assert sorted(p.name for p in out.iterdir()) == ["seed.md", "seed.tex"]
    assert "\\nosuchmacro" in (out / "seed.tex").read_text(encoding="utf-8")


def test_the_named_bounds(tmp_path, capsys):
    """SECURITY.md's examples: each ends at once with one line or a marked sheet, never a hang."""
    with pytest.raises(symopt.SymoptError, match="too large"):
        symopt.solve(spec("gd", {"alpha": 0.1}, function="w1**(10**10)", start={"w1": 1}))
    worked = symopt.solve(spec("gd", {"alpha": 0.1}, function="exp(exp(exp(exp(w1))))", start={"w1": 10})).exercises[0]
    assert worked.diverged is not None and worked.diverged.epoch == 1
    with pytest.raises(symopt.SymoptError, match="from 1 to 10000"):
        symopt.solve(spec("gd", {"alpha": 0.1}, epochs=10**9))
    big = tmp_path / "big.md"
    with big.open("wb") as f:
        f.truncate(50_000_000)  # a sparse 50 MB file
    assert main(["check", str(big)]) == 2
    assert "is larger than 20 MB" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["..seed.toml", "odd name é.toml", "-dash.toml"])
def test_output_names_stay_in_the_output_folder(name, tmp_path, capsys):
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_text(SEED_SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["render", str(path), "-o", str(out), "--format", "md"]) == 0
    written = [p for p in tmp_path.rglob("*.md")]
    assert written == [out / (path.stem + ".md")]
    capsys.readouterr()
