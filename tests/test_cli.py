"""The command line: what it writes and prints, and one clear line (exit 2) for every bad input."""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys

import pytest

from conftest import ROOT, SEED_SPEC
from symopt.cli import main

GOOD = """\
function = "0.1*w1**2 + 2*w2**2"
mult = "*"
[[exercise]]
optimizer = "momentum"
hyper = { alpha = 0.6, beta = 0.5 }
start = { w1 = -5, w2 = -2 }
"""


def write(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_render_writes_md_and_tex_and_prints_paths(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", str(SEED_SPEC), "-o", str(out), "--format", "md,tex"]) == 0
    assert capsys.readouterr().out.splitlines() == [str(out / "seed.md"), str(out / "seed.tex")]
    assert (out / "seed.md").read_text(encoding="utf-8") == (ROOT / "output" / "seed.md").read_text(encoding="utf-8")


def test_render_without_spec_renders_the_bundled_seed(tmp_path, capsys):
    assert main(["render", "-o", str(tmp_path), "--format", "md"]) == 0
    assert (tmp_path / "seed.md").read_text(encoding="utf-8").startswith("# Optimization Algorithms in Deep Learning\n")


def test_solve_json(tmp_path, capsys):
    assert main(["solve", str(write(tmp_path, GOOD)), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ex = data["exercises"][0]
    assert ex["optimizer"] == "momentum" and ex["variables"] == ["w1", "w2"]
    assert ex["gradient"] == {"w1": "0.2*w1", "w2": "4*w2"}
    assert ex["epochs"][0]["params"] == {"w1": "-4.7", "w2": "0.4"}
    line = ex["epochs"][0]["lines"][0]
    assert {k: line[k] for k in ("quantity", "variable", "latex", "value")} == {
        "quantity": "dw", "variable": "w1", "latex": "dw_1 = 0.2 * (-5) = -1", "value": "-1"}  # the fields of old
    assert (line["number"], line["relation"], line["shown"]) == ("-1", "=", {"text": "-1", "rounded": False, "places": 0})
    assert line["operands"] == [{"name": "w1", "value": "-5", "rounded": False, "places": 0}]
    assert [line["quantity"] for line in ex["epochs"][1]["lines"]] == ["dw", "dw", "v", "v", "w", "w"]
    assert ex["epochs"][1]["params"] == {"w1": "-4.268", "w2": "1.12"}


def test_flags_override_the_spec(tmp_path, capsys):
    spec = write(tmp_path, GOOD)
    assert main(["solve", str(spec), "--lang", "vi", "--epochs", "1", "--numbers", "hand:1", "--mult", "cdot"]) == 0
    md = capsys.readouterr().out
    assert "## Bài 1 Gradient Descent + Momentum" in md and "Epoch 2:" not in md
    assert "$$v_1 = 0.5 \\cdot 0 + 0.5 \\cdot (-1) = -0.5$$" in md


def test_solve_tex_fragment_has_no_preamble(tmp_path, capsys):
    assert main(["solve", str(write(tmp_path, GOOD)), "--format", "tex", "--fragment"]) == 0
    tex = capsys.readouterr().out
    assert "\\documentclass" not in tex and tex.startswith("\\section*{Optimization Algorithms in Deep Learning}")


def test_user_templates_override_by_name(tmp_path, capsys):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "sheet.md.j2").write_text("{{ exercises[0].heading }}: {{ exercises[0].epochs[0].lines[-1] }}\n")
    assert main(["solve", str(write(tmp_path, GOOD)), "--templates", str(tmp_path / "t")]) == 0
    assert capsys.readouterr().out == "Exercise 1: Gradient Descent + Momentum: w_2 = -2 - 0.6 * (-4) = 0.4\n"


@pytest.mark.parametrize("command", [[], ["render"], ["solve"]])
def test_help_explains_every_flag(capsys, command):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    if not command:
        assert "render write the worked solution" in text and "solve print the worked solution" in text
        assert ("hand:D as a student works: round each value half away from zero to D decimal places, never to "
                "fewer than 3 significant figures, and carry the rounded value") in text
        assert "hand:D keep K values that end within K decimals are kept as they are" in text
        assert "sig:S round each value to S significant figures and carry it" in text
        return
    for explanation in (
        "headings in English ('Exercise 1: Adam') or Vietnamese ('Bài 1 Adam')",
        "precision:N (N significant digits), hand:D (D decimal places, at least 3 significant figures, carried",
        "epochs for every exercise, 1 to 10000",
        "multiplication sign in substituted lines; overrides the spec's mult (default cdot, a centred dot)",
        "a folder of templates that override symopt's by name",
    ):
        assert explanation in text
    if command == ["render"]:
        assert "output folder (default: output/)" in text and "md, tex, pdf (default: md,tex, and pdf when TeX is installed)" in text
        assert "LaTeX body only" in text


def test_numbers_flag_takes_the_modes_own_form(tmp_path, capsys):
    # str(NumberMode) and the JSON's "numbers" are valid --numbers values
    assert main(["solve", str(SEED_SPEC), "--numbers", "hand:3 keep 4", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {ex["numbers"] for ex in data["exercises"]} == {"hand:3 keep 4"}
    assert data["exercises"][2]["epochs"][1]["params"] == {"w1": "-3.436", "w2": "-0.591"}  # the seed's RMSProp


def test_python_dash_m(tmp_path):
    done = subprocess.run([sys.executable, "-m", "symopt", "solve", str(write(tmp_path, GOOD))], capture_output=True, text=True)
    assert done.returncode == 0 and "$$w_1 = -5 - 0.6 * (-0.5) = -4.7$$" in done.stdout


ADAM_TEXT = GOOD.replace('"momentum"', '"adam"').replace("alpha = 0.6, beta = 0.5", "alpha = 0.2, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-6")

BAD = [
    # (id, spec text or None for a missing file, extra args, what the one line must say)
    ("syntax", GOOD.replace("0.1*w1**2 + 2*w2**2", "0.1*w1**2 +"), [], "exercise 1: function: expected a number, a name or '(', found the end at column 12"),
    ("injection", GOOD.replace('"0.1*w1**2 + 2*w2**2"', "\"__import__('os').system('x')\""), [], "function: unknown function '__import__' at column 1"),
    ("unknown function", GOOD.replace("0.1*w1**2", "erf(w1)"), [], "unknown function 'erf'"),
    ("unknown optimizer", GOOD.replace('"momentum"', '"sgdx"'), [], "exercise 1: optimizer: unknown optimizer 'sgdx'; known: gd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, adamw, adamax, nadam, radam, lion"),
    ("missing hyper", GOOD.replace(", beta = 0.5", ""), [], "exercise 1: hyper: missing beta; momentum needs alpha, beta"),
    ("unknown hyper", GOOD.replace("beta = 0.5", "beta = 0.5, lr = 1"), [], "hyper: unknown hyperparameter 'lr' for momentum; valid: alpha, beta"),
    ("bad hyper value", GOOD.replace("beta = 0.5", 'beta = "half"'), [], "hyper.beta: not a number: 'half'"),
    ("negative epochs", GOOD + "epochs = -1\n", [], "epochs: must be a whole number from 1 to 10000, got -1"),
    ("absurd epochs", GOOD + "epochs = 1000000000\n", [], "epochs: must be a whole number from 1 to 10000, got 1000000000"),
    ("non-numeric start", GOOD.replace("w1 = -5", 'w1 = "abc"'), [], "start.w1: not a number: 'abc'"),
    ("start not in f", GOOD.replace("w2 = -2 }", "w2 = -2, w3 = 1 }"), [], "start: 'w3' is not a variable of f (its variables: w1, w2)"),
    ("start missing", GOOD.replace(", w2 = -2", ""), [], "start: missing a start value for w2"),
    ("no variables", GOOD.replace("0.1*w1**2 + 2*w2**2", "3 + 4"), [], "function: f has no variables"),
    ("unknown lang", 'lang = "fr"\n' + GOOD, [], "lang: unknown language 'fr'; use en or vi"),
    ("malformed toml", GOOD.replace("[[exercise]]", "[[exercise]"), [], "not valid TOML"),
    ("missing file", None, [], "no such file"),
    ("exact blow-up", GOOD.replace('"momentum"', '"adam"').replace("alpha = 0.6, beta = 0.5", "alpha = 0.2, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-6") + "epochs = 9\n", [], "exercise 1 (adam): epoch 5, s_1: exact values grow too large; use numbers = \"precision:30\""),
    ("unknown key", GOOD + "epoch = 3\n", [], "unknown key 'epoch' in this exercise; valid keys: optimizer, hyper"),
    ("unknown top key", "titel = 'x'\n" + GOOD, [], "unknown key 'titel' in the top level"),
    ("bad numbers", GOOD + 'numbers = "round:3"\n', [], "numbers: unknown number mode 'round:3'; use exact, precision:N, hand:D (keep K, sig S) or sig:S"),
    ("no exercises", 'function = "w1**2"\n', [], "no exercises: add at least one [[exercise]]"),
    ("bad option", GOOD.replace('"momentum"', '"adam"').replace("alpha = 0.6, beta = 0.5", "alpha = 0.2, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-6") + 'options = { eps_placement = "middle" }\n', [], "options: eps_placement must be one of 'inside', 'outside', 'hat', got 'middle'"),
    ("boolean start", GOOD.replace("w1 = -5", "w1 = true"), [], "start.w1: a number is needed, not true/false"),
    ("division by zero", GOOD.replace('"momentum"', '"rmsprop"').replace("alpha = 0.6, beta = 0.5", "alpha = 0.1, gamma = 0.9, epsilon = 0").replace("w1 = -5", "w1 = 0"), [], "exercise 1 (rmsprop): epoch 1, w_1: division by zero"),
    # found by review: each of these was a traceback or a hang
    ("undefined f", GOOD.replace("0.1*w1**2", "w1 + 1/0"), [], "exercise 1 (momentum): f is undefined (a division by zero, or log(0))"),
    ("complex f", GOOD.replace("0.1*w1**2", "sqrt(-1)*w1"), [], "f is not a real number"),
    ("option list", ADAM_TEXT + 'options = { eps_placement = ["inside"] }\n', [], "eps_placement must be one of 'inside', 'outside', 'hat', got ['inside']"),
    ("huge literal", GOOD.replace("alpha = 0.6", "alpha = 1e1000000"), [], "hyper.alpha: 1E+1000000 is out of range: numbers must lie between 10^-300 and 10^300"),
    ("huge literal in f", GOOD.replace("0.1*w1**2", "w1*1e999999999"), [], "is out of range"),
    ("huge power", GOOD.replace("0.1*w1**2", "w1 + 10^10^10"), [], "the number is too large to compute (about 10^10000000000"),
    ("long f", GOOD.replace("0.1*w1**2", "+".join(["w1"] * 1000)), [], "expression has more than 120 operators"),
    ("power chain", GOOD.replace("0.1*w1**2", "w1" + "^w1" * 200), [], "expression has more than 120 operators"),
    ("odd variable", GOOD.replace("0.1*w1**2", "0.1*a_b_c**2").replace("w1 = -5", "a_b_c = -5"), [], "variable 'a_b_c': name variables with letters and then digits"),
    ("bad format flag", GOOD, ["--format", "md,docx"], "--format: unknown format 'docx'"),
    ("bad numbers flag", GOOD, ["--numbers", "hand"], "--numbers: hand needs a number, e.g. hand:4"),
    ("bad epochs flag", GOOD, ["--epochs", "0"], "--epochs: must be from 1 to 10000, got 0"),
    ("unknown flag", GOOD, ["--colour"], "unrecognized arguments: --colour"),
    ("missing templates", GOOD, ["--templates", "/nonexistent/dir"], "templates /nonexistent/dir: no such folder"),
]


@pytest.mark.parametrize("text,args,message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, text, args, message):
    spec = tmp_path / "spec.toml" if text is None else write(tmp_path, text)
    out = tmp_path / "out"
    code = main(["render", str(spec), "-o", str(out), "--format", "md,tex", *args])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("symopt: error: "), captured.err
    assert message in lines[0]
    if text is not None and not args:
        assert lines[0].startswith(f"symopt: error: {spec}: ")  # names the file
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_a_failed_render_leaves_earlier_outputs_untouched(tmp_path, capsys):
    spec = write(tmp_path, GOOD, "sheet.toml")
    assert main(["render", str(spec), "-o", str(tmp_path), "--format", "md"]) == 0
    before = (tmp_path / "sheet.md").read_bytes()
    write(tmp_path, GOOD + "epochs = 0\n", "sheet.toml")
    assert main(["render", str(spec), "-o", str(tmp_path), "--format", "md"]) == 2
    assert (tmp_path / "sheet.md").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.md", "sheet.toml"]  # no temporary left


def test_pdf_without_tex_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code = main(["render", str(write(tmp_path, GOOD)), "-o", str(tmp_path / "out"), "--format", "md,pdf"])
    err = capsys.readouterr().err
    assert code == 2 and "PDF needs latexmk and TeX Live" in err and "md and tex work without them" in err
    assert not (tmp_path / "out").exists()
    # ... and without --format, md and tex are written and no PDF is attempted
    assert main(["render", str(write(tmp_path, GOOD)), "-o", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["spec.md", "spec.tex"]


def test_output_folder_problems_are_one_line(tmp_path, capsys):
    spec = write(tmp_path, GOOD)
    (tmp_path / "afile").write_text("x")
    assert main(["render", str(spec), "-o", str(tmp_path / "afile"), "--format", "md"]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert main(["render", str(spec), "-o", str(tmp_path / "afile" / "sub"), "--format", "md"]) == 2
    assert "cannot write" in capsys.readouterr().err
    # a target that is a folder: nothing is written, not even the other formats
    (tmp_path / "out" / "spec.tex").mkdir(parents=True)
    assert main(["render", str(spec), "-o", str(tmp_path / "out"), "--format", "md,tex"]) == 2
    assert "spec.tex: is a folder" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["spec.tex"]


def test_a_broken_user_template_is_one_line(tmp_path, capsys):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "sheet.md.j2").write_text("{{ 1/0 }}")
    assert main(["solve", str(write(tmp_path, GOOD)), "--templates", str(tmp_path / "t")]) == 2
    assert capsys.readouterr().err == "symopt: error: template sheet.md.j2: ZeroDivisionError: division by zero\n"
    (tmp_path / "t" / "sheet.md.j2").write_bytes(b"\xff\xfe")
    assert main(["solve", str(write(tmp_path, GOOD)), "--templates", str(tmp_path / "t")]) == 2
    assert "template sheet.md.j2: UnicodeDecodeError" in capsys.readouterr().err


@pytest.mark.parametrize("args,message", [
    (["--fragment"], "--fragment: goes with --format tex"),
    (["--format", "json", "--templates", "."], "--templates: JSON uses no templates"),
])
def test_solve_flags_that_would_be_ignored(tmp_path, capsys, args, message):
    assert main(["solve", str(write(tmp_path, GOOD)), *args]) == 2
    assert message in capsys.readouterr().err


def test_writes_are_all_or_nothing(tmp_path, monkeypatch):
    """A failure while writing the second file leaves the first as it was, and no temporary."""
    from symopt import files

    a, b = tmp_path / "a.md", tmp_path / "b.tex"
    a.write_bytes(b"old a")
    real_fdopen, calls = files.os.fdopen, []

    def failing_fdopen(fd, *args, **kwargs):
        calls.append(fd)
        if len(calls) == 2:
            files.os.close(fd)
            raise OSError(28, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(files.os, "fdopen", failing_fdopen)
    with pytest.raises(files.SymoptError, match="cannot write: No space left on device"):
        files.write_all({a: b"new a", b: b"new b"})
    assert a.read_bytes() == b"old a" and not b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_render_fragment(tmp_path, capsys):
    assert main(["render", str(SEED_SPEC), "-o", str(tmp_path), "--fragment"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed.md", "seed.tex"]  # no PDF of a fragment
    tex = (tmp_path / "seed.tex").read_text(encoding="utf-8")
    assert tex.startswith("\\section*{Optimization Algorithms in Deep Learning}") and "\\documentclass" not in tex


def test_state_for_every_variable_at_once(tmp_path, capsys):
    spec = write(tmp_path, GOOD + "state = { v = 0.5 }\nepochs = 1\n")
    assert main(["solve", str(spec)]) == 0
    md = capsys.readouterr().out
    assert "$$w_1 = -5,\\; w_2 = -2,\\; v_1 = 0.5,\\; v_2 = 0.5,\\; \\alpha = 0.6,\\; \\beta = 0.5$$" in md
    assert "$$v_2 = 0.5 * 0.5 + 0.5 * (-8) = -3.75$$" in md
