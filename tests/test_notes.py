"""Student sheets carry no developer notes: every convention is stated in mathematical words, in
English and Vietnamese; which PyTorch, optax or Keras setting gives the same steps is on the card
(``symopt optimizers``) and on a sheet only with ``notes = "frameworks"``; exam question papers
never carry it.  Exact strings, as SymPy's printing tests are written."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT
import symopt
from symopt import card
from symopt.cli import main
from symopt.optimizers import OPTIMIZERS

#: what no student should read: framework names, and a reference sheet the student does not have
DEVELOPER = re.compile(r"PyTorch|optax|Keras|TensorFlow|jax|reference sheet|bài mẫu", re.IGNORECASE)

HYPER = {"alpha": "0.1", "beta": "0.9", "beta1": "0.9", "beta2": "0.99", "gamma": "0.9", "epsilon": "0.001",
         "s0": "0.1", "rho": "0.9", "mu": "0.5", "psi": "0.004", "weight_decay": "0.01"}

EPS_INSIDE = ("Convention: $\\epsilon$ inside the square root.", "Quy ước: $\\epsilon$ nằm trong dấu căn.")
EPS_OUTSIDE = ("Convention: $\\epsilon$ outside the square root.", "Quy ước: $\\epsilon$ nằm ngoài dấu căn.")
L2 = ("Weight decay as L2: $\\lambda W$ is added to the gradient first.",
      "Weight decay kiểu L2: cộng $\\lambda W$ vào gradient trước.")
DECOUPLED = ("Weight decay decoupled: $W$ shrinks by $\\alpha\\lambda W$ besides the step (AdamW).",
             "Weight decay tách rời: $W$ giảm thêm $\\alpha\\lambda W$ ngoài bước cập nhật (AdamW).")
L2_FRAMEWORKS = ("PyTorch weight_decay = $\\lambda$ (AdamW's is decoupled instead); "
                 "optax add_decayed_weights($\\lambda$) chained before the optimizer.",
                 "PyTorch weight_decay = $\\lambda$ (của AdamW thì tách rời); "
                 "optax add_decayed_weights($\\lambda$) đặt trước optimizer trong chain.")
DECOUPLED_FRAMEWORKS = ("PyTorch AdamW(weight_decay = $\\lambda$), or NAdam and RAdam with decoupled_weight_decay = True; "
                        "optax adamw(weight_decay = $\\lambda$).",
                        "PyTorch AdamW(weight_decay = $\\lambda$), hoặc NAdam và RAdam với decoupled_weight_decay = True; "
                        "optax adamw(weight_decay = $\\lambda$).")
ADAM_EPS = {
    "inside": (EPS_INSIDE, ("optax adam(eps = 0, eps_root = $\\epsilon$), adamw likewise.",
                            "optax adam(eps = 0, eps_root = $\\epsilon$), adamw cũng vậy.")),
    "outside": (EPS_OUTSIDE, ("PyTorch Adam and AdamW, optax adam and adamw (eps = $\\epsilon$), as in the Adam paper.",
                              "PyTorch Adam và AdamW, optax adam và adamw (eps = $\\epsilon$), như bài báo Adam gốc.")),
    "hat": (("Convention: the bias corrections go into the step size, and $\\epsilon$ is added to the uncorrected $\\sqrt{S_t}$.",
             "Quy ước: hiệu chỉnh độ lệch nằm trong bước học, và $\\epsilon$ cộng vào $\\sqrt{S_t}$ chưa hiệu chỉnh."),
            ("Keras Adam (its $\\hat{\\epsilon}$ form, epsilon = $\\epsilon$).",
             "Keras Adam (dạng $\\hat{\\epsilon}$, epsilon = $\\epsilon$).")),
}
AMSGRAD = (("AMSGrad: the running maximum of $S_t$ replaces $S_t$.", "AMSGrad: giá trị lớn nhất của $S_t$ thay cho $S_t$."),
           ("PyTorch and Keras amsgrad = True; optax amsgrad differs (it takes the maximum after bias correction).",
            "PyTorch và Keras amsgrad = True; optax amsgrad khác (lấy giá trị lớn nhất sau hiệu chỉnh độ lệch)."))

#: (optimizer, option, value) -> ((note en, note vi), (frameworks en, frameworks vi)); None: no note
EXPECTED: dict[tuple[str, str, object], tuple | None] = {
    ("momentum", "style", "ema"): (
        ("Momentum as an average of gradients: the new gradient has weight $1 - \\beta$.",
         "Momentum dạng trung bình của gradient: gradient mới có trọng số $1 - \\beta$."),
        ("PyTorch SGD(lr = $\\alpha(1 - \\beta)$, momentum = $\\beta$), not dampening = $\\beta$; "
         "optax sgd($\\alpha(1 - \\beta)$, momentum = $\\beta$).",
         "PyTorch SGD(lr = $\\alpha(1 - \\beta)$, momentum = $\\beta$), không phải dampening = $\\beta$; "
         "optax sgd($\\alpha(1 - \\beta)$, momentum = $\\beta$).")),
    ("momentum", "style", "heavy_ball"): (
        ("Heavy-ball momentum: the new gradient is added with weight 1.",
         "Momentum heavy-ball: gradient mới được cộng với trọng số 1."),
        ("PyTorch SGD(lr = $\\alpha$, momentum = $\\beta$); optax sgd($\\alpha$, momentum = $\\beta$).",
         "PyTorch SGD(lr = $\\alpha$, momentum = $\\beta$); optax sgd($\\alpha$, momentum = $\\beta$).")),
    ("momentum", "style", "velocity"): (
        ("Momentum as a velocity: $V_t$ is the step itself, the learning rate included.",
         "Momentum dạng vận tốc: $V_t$ chính là bước cập nhật, đã gồm tốc độ học."),
        ("Keras SGD(learning_rate = $\\alpha$, momentum = $\\beta$); PyTorch SGD(lr = $\\alpha$, momentum = $\\beta$) takes the same steps.",
         "Keras SGD(learning_rate = $\\alpha$, momentum = $\\beta$); PyTorch SGD(lr = $\\alpha$, momentum = $\\beta$) cho cùng các bước.")),
    ("adagrad", "eps_placement", "inside"): (
        EPS_INSIDE,
        ("optax adagrad and Keras Adagrad; both start the accumulator at initial_accumulator_value, 0.1 by default.",
         "optax adagrad và Keras Adagrad; cả hai khởi tạo bộ tích lũy bằng initial_accumulator_value, mặc định 0.1.")),
    ("adagrad", "eps_placement", "outside"): (
        EPS_OUTSIDE,
        ("PyTorch Adagrad; it starts the accumulator at initial_accumulator_value, 0 by default.",
         "PyTorch Adagrad; bộ tích lũy khởi tạo bằng initial_accumulator_value, mặc định 0.")),
    ("rmsprop", "eps_placement", "inside"): (
        EPS_INSIDE,
        ("optax rmsprop(decay = $\\gamma$); Keras RMSprop(rho = $\\gamma$).",
         "optax rmsprop(decay = $\\gamma$); Keras RMSprop(rho = $\\gamma$).")),
    ("rmsprop", "eps_placement", "outside"): (
        EPS_OUTSIDE,
        ("PyTorch RMSprop(alpha = $\\gamma$); optax rmsprop(decay = $\\gamma$, eps_in_sqrt = False).",
         "PyTorch RMSprop(alpha = $\\gamma$); optax rmsprop(decay = $\\gamma$, eps_in_sqrt = False).")),
    ("rmsprop", "centered", True): (
        ("Centered: the mean gradient $M_t$ is subtracted, $S_t - M_t^2$.",
         "Có tâm: trừ gradient trung bình $M_t$, $S_t - M_t^2$."),
        ("PyTorch RMSprop(centered = True); optax rmsprop(centered = True).",
         "PyTorch RMSprop(centered = True); optax rmsprop(centered = True).")),
    ("rmsprop", "momentum", True): (
        ("With momentum $\\mu$ on the scaled gradient.", "Có momentum $\\mu$ trên gradient đã chia tỉ lệ."),
        ("PyTorch RMSprop(momentum = $\\mu$); optax rmsprop(momentum = $\\mu$).",
         "PyTorch RMSprop(momentum = $\\mu$); optax rmsprop(momentum = $\\mu$).")),
    **{(key, "eps_placement", value): expected for key in ("adam", "adamw") for value, expected in ADAM_EPS.items()},
    **{(key, "amsgrad", True): AMSGRAD for key in ("adam", "adamw")},
    **{(key, "weight_decay_style", "l2"): (L2, L2_FRAMEWORKS) for key, o in OPTIMIZERS.items() if "weight_decay_style" in o.options},
    **{(key, "weight_decay_style", "decoupled"): (DECOUPLED, DECOUPLED_FRAMEWORKS)
       for key, o in OPTIMIZERS.items() if "weight_decay_style" in o.options},
}

KINK = ("$f$ has no derivative where $|\\cdot|$ is 0; there $\\frac{d|x|}{dx}$ is taken as $\\operatorname{sign}(0) = 0$.",
        "$f$ không khả vi tại điểm $|\\cdot|$ bằng 0; tại đó lấy $\\frac{d|x|}{dx} = \\operatorname{sign}(0) = 0$.")
KINK_FRAMEWORKS = ("PyTorch's autograd gives 0 there too; jax.grad gives 1.", "Autograd của PyTorch cũng cho 0 tại đó; jax.grad cho 1.")
IN_FRAMEWORKS = ("{} In frameworks: {}", "{} Trong các thư viện: {}")


def every_choice():
    """(optimizer, option, value) for every value of every option of the catalogue."""
    return [(key, option, value) for key, o in OPTIMIZERS.items() for option, choices in o.options.items() for value in choices]


def one_exercise(key: str, options: dict, function: str = "w1**2 + 2*w2**2") -> dict:
    hyper = OPTIMIZERS[key].hyper_for(options)
    return {"function": function, "exercise": [{
        "optimizer": key, "options": options, "hyper": {h: HYPER[h] for h in hyper},
        "start": {"w1": 1, "w2": -1}, "epochs": 1, "numbers": "hand:4"}]}


def notes_of(spec: dict, lang: str, **overrides) -> list[str]:
    return symopt.solve(spec, lang=lang, **overrides).view()["exercises"][0]["notes"]


def test_every_choice_is_in_the_table():
    """A new option gets its notes written here too (or None: it prints no note)."""
    for key, option, value in every_choice():
        choice = OPTIMIZERS[key].options[option][value]
        expected = EXPECTED.get((key, option, value))
        if expected is None:
            assert choice.note == {} and choice.frameworks == {}, (key, option, value)
        else:
            fill = OPTIMIZERS[key].notation(("w1", "w2")).fill  # «w» and «s»: the reference sheet's W and S_t
            assert (fill(choice.note["en"]), fill(choice.note["vi"])) == expected[0], (key, option, value)
            assert (choice.frameworks["en"], choice.frameworks["vi"]) == expected[1], (key, option, value)


@pytest.mark.parametrize("key,option,value", [c for c in every_choice() if c in EXPECTED], ids=str)
@pytest.mark.parametrize("lang", [0, 1], ids=["en", "vi"])
def test_each_option_states_its_convention_in_mathematical_words(key, option, value, lang):
    (note, frameworks) = (part[lang] for part in EXPECTED[key, option, value])
    spec = one_exercise(key, {option: value})
    code = ("en", "vi")[lang]
    plain = notes_of(spec, code)
    assert note in plain
    assert not any(DEVELOPER.search(n) for n in plain), plain
    with_frameworks = notes_of({**spec, "notes": "frameworks"}, code)
    assert IN_FRAMEWORKS[lang].format(note, frameworks) in with_frameworks
    assert note not in with_frameworks  # the note is followed by its framework settings, not printed twice


def test_seed_notes_exactly():
    """The reference example's momentum, RMSProp and Adam notes, as printed (vi)."""
    view = symopt.solve(ROOT / "examples" / "seed.toml").view()
    assert [ex["notes"][:-1] for ex in view["exercises"]] == [
        [], ["Momentum dạng trung bình của gradient: gradient mới có trọng số $1 - \\beta$."],
        ["Quy ước: $\\epsilon$ nằm trong dấu căn."], ["Quy ước: $\\epsilon$ nằm trong dấu căn."]]


@pytest.mark.parametrize("lang", [0, 1], ids=["en", "vi"])
def test_whole_sheets_carry_no_developer_notes(lang):
    """Every sheet of the catalogue in md and tex, number policies and the |.| kink included."""
    code = ("en", "vi")[lang]
    exercises = [one_exercise(key, {option: value}, "abs(w1) + 2*w2**2")["exercise"][0] for key, option, value in every_choice()]
    for numbers in ("hand:4 keep 7 pad comma", "exact", "sig:3", "precision:8"):
        spec = {"function": "abs(w1) + 2*w2**2", "exercise": exercises, "defaults": {"numbers": numbers}}
        sheet = symopt.solve(spec, lang=code)
        for text in (sheet.to_markdown(), sheet.to_latex()):
            assert not DEVELOPER.search(text), DEVELOPER.search(text)
    notes = notes_of(one_exercise("gd", {}, "abs(w1) + 2*w2**2"), code)
    assert notes[0] == KINK[lang]
    assert notes_of(one_exercise("gd", {}, "abs(w1) + 2*w2**2"), code, notes="frameworks")[0] == \
        IN_FRAMEWORKS[lang].format(KINK[lang], KINK_FRAMEWORKS[lang])


def test_frameworks_opt_in_exactly():
    spec = {**one_exercise("adam", {}), "notes": "frameworks"}
    sheet = symopt.solve(spec)
    assert sheet.spec.notes == "frameworks"
    md = sheet.to_markdown()
    assert ("\nConvention: $\\epsilon$ inside the square root. In frameworks: optax adam(eps = 0, "
            "eps\\_root = $\\epsilon$), adamw likewise.\n") in md
    tex = sheet.to_latex()
    assert ("\nConvention: $\\epsilon$ inside the square root. In frameworks: optax adam(eps = 0, "
            "eps\\_root = $\\epsilon$), adamw likewise.\n") in tex
    # the number policy has no framework setting: it is printed as it is
    assert sheet.view()["exercises"][0]["notes"][-1].startswith("Numbers: every value is rounded to 4 decimal places")
    # the Python API takes it as the CLI's other top-level keys: a keyword overriding the spec
    assert symopt.solve(one_exercise("adam", {}), notes="frameworks").view() == sheet.view()
    assert symopt.solve(spec, notes="math").spec.notes == "math"
    assert "In frameworks" not in symopt.solve(spec, notes="math").to_markdown()


@pytest.mark.parametrize("value", ["pytorch", "none", "", 1, ["frameworks"]])
def test_a_bad_notes_value_is_one_line_and_exit_2(tmp_path, capsys, value):
    spec = {**one_exercise("gd", {}), "notes": value}
    path = tmp_path / "bad.toml"
    body = "\n".join(f"{k} = {json.dumps(v)}" for k, v in spec.items() if k != "exercise")
    path.write_text(body + '\n[[exercise]]\noptimizer = "gd"\nhyper = { alpha = 0.1 }\nstart = { w1 = 1, w2 = -1 }\n',
                    encoding="utf-8")
    assert main(["solve", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (f'symopt: error: {path}: notes: must be "math" (the default: conventions in mathematical words) '
                   f'or "frameworks" (also the PyTorch, optax or Keras setting each matches), got {value!r}\n')
    with pytest.raises(symopt.SymoptError, match=r"^<spec>: notes: must be \"math\""):
        symopt.solve(spec)
    with pytest.raises(symopt.SymoptError, match=r"notes: must be"):
        symopt.solve(one_exercise("gd", {}), notes="x")


# -- the card ----------------------------------------------------------------------------------------

def test_card_lists_the_framework_settings(capsys):
    assert main(["optimizers"]) == 0
    text = capsys.readouterr().out
    assert ('  style: "ema" (default), "heavy_ball", "velocity"\n'
            '    "ema": Momentum as an average of gradients: the new gradient has weight 1 - \\beta.\n'
            "      Frameworks: PyTorch SGD(lr = \\alpha(1 - \\beta), momentum = \\beta), not dampening = \\beta; "
            "optax sgd(\\alpha(1 - \\beta), momentum = \\beta).\n") in text
    assert ('    "inside": Convention: \\epsilon inside the square root.\n'
            "      Frameworks: optax adam(eps = 0, eps_root = \\epsilon), adamw likewise.\n") in text
    md = card.to_markdown("en")
    assert "| Options | Note on the sheet | Frameworks |\n|---|---|---|\n" in md
    assert ('| `eps_placement = "hat"` | Convention: the bias corrections go into the step size, and $\\epsilon$ is '
            "added to the uncorrected $\\sqrt{S_t}$. | Keras Adam (its $\\hat{\\epsilon}$ form, epsilon = $\\epsilon$). |\n") in md
    vi = card.to_markdown("vi")
    assert "| Tùy chọn | Ghi chú trên bài giải | Trong các thư viện |\n" in vi
    assert ('| `eps_placement = "outside"` | Quy ước: $\\epsilon$ nằm ngoài dấu căn. | PyTorch RMSprop(alpha = $\\gamma$); '
            "optax rmsprop(decay = $\\gamma$, eps\\_in\\_sqrt = False). |\n") in vi
    # every choice with a note shows its framework settings on the card, in both languages
    for key, option, value in every_choice():
        expected = EXPECTED.get((key, option, value))
        if expected:
            for lang, out in ((0, md), (1, vi)):
                assert expected[1][lang].replace("_", "\\_") in out, (key, option, value)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_card_has_no_empty_entries_and_sets_what_a_choice_adds_as_math(lang):
    tex = card.to_latex(lang)
    default = "default" if lang == "en" else "mặc định"
    assert f"\\item \\texttt{{amsgrad = false}} ({default})\n" in tex
    assert f"({default}):\n" not in tex and f"({default}): \n" not in tex
    s_max = OPTIMIZERS["adam"].notation(("w1", "w2")).now("s_max")
    assert f"\\item \\texttt{{amsgrad = true}} (+ ${s_max}$): AMSGrad" in tex
    assert "\\mathrm{s\\_max}" not in tex and "\\mathrm{s\\_max}" not in card.to_markdown(lang)
    assert "\\texttt{weight\\_decay\\_style = \"l2\"} (+ $\\lambda$): Weight decay" in tex
    assert f"| `amsgrad = false` ({default}) |  |  |\n" in card.to_markdown(lang)


# -- exams -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("notes", [None, "frameworks"])
def test_exam_question_papers_carry_no_framework_notes(tmp_path, notes):
    """Even with the opt-in, a question paper states the conventions in mathematical words only;
    the solutions follow the spec."""
    text = (ROOT / "examples" / "exam.toml").read_text(encoding="utf-8")
    if notes:
        text = text.replace('lang = "en"\n', f'lang = "en"\nnotes = "{notes}"\n')
        assert 'notes = "frameworks"' in text
    template = tmp_path / "quiz.toml"
    template.write_text(text, encoding="utf-8")
    assert main(["exam", str(template), "-n", "3", "-o", str(tmp_path / "out"), "--format", "md,tex", "-q"]) == 0
    folder = tmp_path / "out" / "quiz"
    questions = sorted(folder.glob("variant-*-question.*"))
    solutions = sorted(folder.glob("variant-*-solution.*"))
    assert len(questions) == len(solutions) == 6
    for path in questions + [folder / "moodle.xml"]:
        body = path.read_text(encoding="utf-8")
        assert not DEVELOPER.search(body), (path.name, DEVELOPER.search(body))
    for path in questions:
        assert "\nConvention: $\\epsilon$ inside the square root.\n" in path.read_text(encoding="utf-8")
    framework_line = ("\nConvention: $\\epsilon$ inside the square root. In frameworks: optax adam(eps = 0, "
                      "eps\\_root = $\\epsilon$), adamw likewise.\n")
    for path in solutions:
        assert (framework_line in path.read_text(encoding="utf-8")) == (notes == "frameworks"), path.name


def test_a_sheet_with_framework_notes_reads_back_clean():
    """The checker reads the framework notes as the text they are: every line of the catalogue's
    sheet, in Markdown (en) and LaTeX (vi), is judged right."""
    from test_catalogue import catalogue

    spec = {**catalogue(epochs=1), "notes": "frameworks"}
    for lang, fmt in (("en", "md"), ("vi", "tex")):
        sheet = symopt.solve(spec, lang=lang)
        for text in ([sheet.to_markdown()] if fmt == "md" else [sheet.to_latex()]):
            assert "PyTorch" in text
            report = symopt.check(text, spec=spec)
            assert report.summary["errors"] == 0 and report.summary["warnings"] == 0
            assert report.summary["ok"] == report.summary["lines"] > 800
