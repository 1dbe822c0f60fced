"""Learning-rate schedules (issue 19): the spec's ``schedule``, α_t's formula and lines in every
number mode, worked examples of a public course reproduced, the checker on α_t, and the exam.

symopt's epoch t (from 1) uses the rate after t - 1 steps of the schedule, as PyTorch's schedulers
(``scheduler.step()`` after each ``optimizer.step()``) and optax's schedules do; the framework
cross-checks are in tests/test_frameworks.py.
"""

from __future__ import annotations

import csv
from fractions import Fraction
import io

import pytest

from conftest import ROOT
import symopt
from symopt.cli import main
from symopt.exam import variants as exam

F = "0.1*w1**2 + 2*w2**2"


def solution(schedule, optimizer: str = "gd", hyper: dict | None = None, epochs: int = 3, numbers: str = "hand:4", **extra):
    spec = {"function": F, "mult": "cdot", "exercise": [{
        "optimizer": optimizer, "hyper": hyper or {"alpha": "0.4"}, "start": {"w1": -5, "w2": -2}, "epochs": epochs,
        "numbers": numbers, "schedule": schedule, **extra}]}
    return symopt.solve(spec)


def rates(sol) -> list[Fraction]:
    """α_1, α_2, …: the value of each epoch's α_t line (one per epoch)."""
    out = []
    for e in sol.exercises[0].epochs:
        (line,) = [line for line in e.lines if line.quantity == "alpha_t"]
        out.append(Fraction(line.value))
    return out


def alpha_lines(sol) -> list[str]:
    return [line.latex for e in sol.exercises[0].epochs for line in e.lines if line.quantity == "alpha_t"]


# -- each kind is its formula ----------------------------------------------------------------------

FORMULAS = [
    ({"kind": "step", "step_size": 10, "gamma": "0.5"}, 30,
     "\\alpha_t = \\alpha \\cdot 0.5^{\\left\\lfloor \\frac{t - 1}{10} \\right\\rfloor}"),
    ({"kind": "step", "step_size": 1, "gamma": "0.5"}, 30, "\\alpha_t = \\alpha \\cdot 0.5^{t - 1}"),
    ({"kind": "exponential", "gamma": "0.9"}, 30, "\\alpha_t = \\alpha \\cdot 0.9^{t - 1}"),
    ({"kind": "multistep", "milestones": [10, 20], "gamma": "0.1"}, 30,
     "\\alpha_t = \\begin{cases} \\alpha & t \\le 10 \\\\ \\alpha \\cdot 0.1 & 10 < t \\le 20 \\\\ \\alpha \\cdot 0.1^2 & t > 20 \\end{cases}"),
    # a milestone the run never reaches is left out (PyTorch would decay after the 30th step)
    ({"kind": "multistep", "milestones": [15, 30], "gamma": "0.5"}, 30,
     "\\alpha_t = \\begin{cases} \\alpha & t \\le 15 \\\\ \\alpha \\cdot 0.5 & t > 15 \\end{cases}"),
    ({"kind": "inverse_time", "k": "0.5"}, 30, "\\alpha_t = \\frac{\\alpha}{1 + 0.5 (t - 1)}"),
    ({"kind": "inverse_time", "k": "1", "step_size": 100}, 30,
     "\\alpha_t = \\frac{\\alpha}{1 + 1 \\left\\lfloor \\frac{t - 1}{100} \\right\\rfloor}"),
    ({"kind": "cosine", "T": 30}, 30, "\\alpha_t = \\frac{\\alpha}{2} (1 + \\cos\\left(\\frac{\\pi (t - 1)}{30}\\right))"),
    # past T + 1 epochs the rate stays at alpha_min (d2l, optax), so the formula says so
    ({"kind": "cosine", "T": 20, "alpha_min": "0.01"}, 30,
     "\\alpha_t = \\begin{cases} 0.01 + \\frac{\\alpha - 0.01}{2} (1 + \\cos\\left(\\frac{\\pi (t - 1)}{20}\\right)) & t \\le 21 \\\\ "
     "0.01 & t > 21 \\end{cases}"),
    ({"kind": "warmup", "epochs": 5}, 30, "\\alpha_t = \\begin{cases} \\frac{\\alpha (t - 1)}{5} & t \\le 5 \\\\ \\alpha & t > 5 \\end{cases}"),
    ({"kind": "warmup", "epochs": 5}, 4, "\\alpha_t = \\frac{\\alpha (t - 1)}{5}"),
    ({"kind": "warmup", "epochs": 3, "alpha_start": "0.01", "then": {"kind": "exponential", "gamma": "0.9"}}, 30,
     "\\alpha_t = \\begin{cases} 0.01 + \\frac{(\\alpha - 0.01) (t - 1)}{3} & t \\le 3 \\\\ \\alpha \\cdot 0.9^{t - 4} & t > 3 \\end{cases}"),
    ("alpha/sqrt(t)", 30, "\\alpha_t = \\frac{\\alpha}{\\sqrt{t}}"),
]


@pytest.mark.parametrize(("schedule", "epochs", "formula"), FORMULAS, ids=[str(i) for i in range(len(FORMULAS))])
def test_each_kind_is_its_formula(schedule, epochs, formula):
    ex = solution(schedule, epochs=epochs, numbers="precision:12").exercises[0]
    assert ex.formulas[0] == formula
    assert ex.formulas[1] == "W_t = W_{t-1} - \\alpha_t dW_t"  # the optimizer's alpha reads alpha_t


def test_no_schedule_and_a_constant_one_are_the_plain_sheet():
    plain = symopt.solve({"function": F, "exercise": [{"optimizer": "gd", "hyper": {"alpha": "0.4"}, "start": {"w1": -5, "w2": -2}}]})
    assert solution({"kind": "constant"}, epochs=2, numbers="exact").to_markdown() == plain.to_markdown()


def test_every_optimizer_takes_a_schedule():
    """Every rule's alpha reads alpha_t: the step of GD, the velocity of momentum, AdamW's decoupled decay."""
    step = {"kind": "step", "step_size": 1, "gamma": "0.5"}
    momentum = solution(step, "momentum", {"alpha": "0.2", "beta": "0.9"}, options={"style": "velocity"}).exercises[0]
    assert momentum.formulas[1] == "V_t = \\beta V_{t-1} - \\alpha_t dW_t"
    adamw = solution(step, "adamw", {"alpha": "0.2", "beta1": "0.9", "beta2": "0.999", "epsilon": "1e-8", "weight_decay": "0.1"}).exercises[0]
    assert adamw.formulas[-1].endswith("- \\alpha_t \\lambda W_{t-1}")
    mine = {"function": F, "optimizers": {"mine": {"state": {"m": 0}, "rules": ["m = 0.5*m + g", "w = w - alpha*m"]}},
            "exercise": [{"optimizer": "mine", "hyper": {"alpha": "0.1"}, "start": {"w1": 1, "w2": 1}, "schedule": step}]}
    assert symopt.solve(mine).exercises[0].formulas[-1] == "W_t = W_{t-1} - \\alpha_t M_t"


def test_the_alpha_line_in_every_number_mode():
    """α_t is a quantity of the epoch: one line per epoch, substituted; exact keeps cos(π/4) = √2/2."""
    cosine = {"kind": "cosine", "T": 4}
    assert alpha_lines(solution(cosine, numbers="exact"))[1] == \
        "\\alpha_2 = 0.2 \\cdot (1 + \\cos\\left(\\frac{\\pi \\cdot (2 - 1)}{4}\\right)) \\approx 0.3414"
    assert alpha_lines(solution(cosine, numbers="precision:8"))[1].endswith("\\approx 0.34142136")
    assert alpha_lines(solution(cosine, numbers="hand:2"))[1].endswith(" = 0.341")  # never fewer than 3 figures
    assert alpha_lines(solution(cosine, numbers="sig:3"))[2].endswith(" = 0.200")
    step = solution({"kind": "step", "step_size": 2, "gamma": "0.5"}, epochs=3)
    assert alpha_lines(step) == [
        "\\alpha_1 = 0.4 \\cdot 0.5^{\\left\\lfloor \\frac{1 - 1}{2} \\right\\rfloor} = 0.4",
        "\\alpha_2 = 0.4 \\cdot 0.5^{\\left\\lfloor \\frac{2 - 1}{2} \\right\\rfloor} = 0.4",
        "\\alpha_3 = 0.4 \\cdot 0.5^{\\left\\lfloor \\frac{3 - 1}{2} \\right\\rfloor} = 0.2"]
    w = [line.latex for line in step.exercises[0].epochs[2].lines if line.quantity == "w"]
    assert w[0] == "w_1 = -4.232 - 0.2 \\cdot (-0.8464) = -4.0627"  # epoch 3 steps with α_3


def test_the_sheet_states_the_convention_in_both_languages():
    schedule = {"kind": "warmup", "epochs": 2, "then": {"kind": "cosine", "T": 10}}
    en = solution(schedule).to_markdown()
    assert ("Learning-rate schedule, linear warmup, then cosine annealing: epoch $t$ uses the rate $\\alpha_t$ in place of "
            "$\\alpha$; $\\alpha_t$ is the schedule's value after $t - 1$ of its steps, so epoch 1 uses its starting value.") in en
    vi = symopt.solve({"function": F, "lang": "vi", "exercise": [{"optimizer": "gd", "hyper": {"alpha": "0.4"},
                       "start": {"w1": -5, "w2": -2}, "schedule": schedule}]}).to_markdown()
    assert "Lịch tốc độ học, khởi động tuyến tính (warmup), rồi giảm theo cosine: epoch $t$ dùng tốc độ học $\\alpha_t$" in vi
    frameworks = symopt.solve({"function": F, "notes": "frameworks", "exercise": [{"optimizer": "gd", "hyper": {"alpha": "0.4"},
                               "start": {"w1": -5, "w2": -2}, "schedule": {"kind": "step", "step_size": 10, "gamma": "0.5"}}]})
    assert ("In frameworks: PyTorch StepLR(step\\_size = 10, gamma = 0.5), with scheduler.step() after each optimizer.step(); "
            "optax exponential\\_decay($\\alpha$, 10, 0.5, staircase = True).") in frameworks.to_markdown()


# -- worked examples of a public course --------------------------------------------------------------

D2L = "https://d2l.ai/chapter_optimization/lr-scheduler.html"  # Dive into Deep Learning, 12.11 "Learning Rate Scheduling"


def test_d2l_multi_factor_scheduler():
    """d2l 12.11, "Multi Factor Scheduler" (source: D2L): SGD with lr = 0.5 and
    MultiStepLR(milestones=[15, 30], gamma=0.5), the rate of each of num_epochs = 30 epochs: halved
    once 15 updates are done.  Its ``get_lr`` reads the rate, then steps: symopt's convention."""
    expected = [Fraction(1, 2)] * 15 + [Fraction(1, 4)] * 15
    sol = solution({"kind": "multistep", "milestones": [15, 30], "gamma": "0.5"}, "momentum", {"alpha": "0.5", "beta": "0.9"},
                   epochs=30, numbers="exact")
    assert rates(sol) == expected
    assert alpha_lines(sol)[15] == "\\alpha_{16} = \\begin{cases} 0.5 & 16 \\le 15 \\\\ 0.5 \\cdot 0.5 & 16 > 15 \\end{cases} = 0.25"


#: d2l's CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01), at epoch = 0, 1, …, 29 (its
#: plot, source: D2L): 0.3 · epoch/5 while epoch < 5, then 0.01 + 0.29 (1 + cos(π (epoch - 5)/15))/2
#: up to epoch 20, then 0.01.  Exact at 5, 10 and 15 (cos of 0, π/3, 2π/3).
D2L_WARMUP_COSINE = [0, 0.06, 0.12, 0.18, 0.24, 0.3, 0.296831402106, 0.287464091358, 0.272307464184, 0.252023937922, 0.2275,
                     0.199807464184, 0.170156627174, 0.139843372826, 0.110192535816, 0.0825, 0.057976062078, 0.037692535816,
                     0.022535908642, 0.013168597894, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01]
D2L_SCHEDULE = {"kind": "warmup", "epochs": 5, "then": {"kind": "cosine", "T": 15, "alpha_min": "0.01"}}


def test_d2l_warmup_then_cosine():
    """d2l 12.11, "Warmup" (source: D2L): epoch t of symopt uses d2l's scheduler(t - 1) (d2l's
    epoch counts from 0, PyTorch's convention), so its 30 rates are symopt's α_1 … α_30."""
    ours = rates(solution(D2L_SCHEDULE, hyper={"alpha": "0.3"}, epochs=30, numbers="precision:30"))
    assert len(ours) == 30
    for t, (x, y) in enumerate(zip(ours, D2L_WARMUP_COSINE, strict=True), start=1):
        assert abs(float(x) - y) <= 1e-12, (t, float(x), y)
    exact = alpha_lines(solution(D2L_SCHEDULE, hyper={"alpha": "0.3"}, epochs=11, numbers="exact"))  # (then w's radicals outgrow exact mode)
    assert exact[0].endswith(" = 0") and exact[5].endswith(" = 0.3") and exact[10].endswith(" = 0.2275")
    assert alpha_lines(solution(D2L_SCHEDULE, hyper={"alpha": "0.3"}, epochs=16))[15].endswith(" = 0.0825")
    assert exact[10] == ("\\alpha_{11} = \\begin{cases} \\frac{0.3 \\cdot (11 - 1)}{5} & 11 \\le 5 \\\\ 0.01 + 0.145 \\cdot "
                         "(1 + \\cos\\left(\\frac{\\pi \\cdot (11 - 6)}{15}\\right)) & 11 > 5 \\end{cases} = 0.2275")


def test_deeplearning_ai_inverse_time_decay():
    """The Deep Learning Specialization, course 2, "Learning rate decay" (Andrew Ng,
    https://www.coursera.org/lecture/deep-neural-network/learning-rate-decay-hjgIA):
    α = α0/(1 + decay_rate · epoch_num) with α0 = 0.2, decay_rate = 1 gives 0.1, 0.067, 0.05, 0.04
    in epochs 1 to 4.  The lecture decays in its first epoch already; symopt (and PyTorch) step the
    schedule after each epoch, so the lecture's epochs 1 to 4 are symopt's α_2 … α_5."""
    lines = alpha_lines(solution({"kind": "inverse_time", "k": "1"}, hyper={"alpha": "0.2"}, epochs=5, numbers="exact"))
    assert [line.rsplit(" ", 1)[-1] for line in lines] == ["0.2", "0.1", "0.0667", "0.05", "0.04"]
    assert lines[2] == "\\alpha_3 = \\frac{0.2}{1 + 1 \\cdot (3 - 1)} \\approx 0.0667"


# -- the checker --------------------------------------------------------------------------------------

STEP = {"kind": "step", "step_size": 2, "gamma": "0.5"}


def test_a_wrong_rate_is_flagged_on_its_line_and_carried_forward():
    """α_3 written 0.3 (0.2 is right) is one arithmetic error on its line; the w lines worked from
    the writer's 0.3 are right (error carried forward), and so are w lines worked from 0.2."""
    md = solution(STEP, epochs=3).to_markdown()
    wrong = md.replace("= 0.2$$", "= 0.3$$", 1)
    report = symopt.check(wrong)
    ((finding,),) = [report.errors]
    assert finding.kind == "arithmetic" and finding.line == _line_of(wrong, "\\alpha_3 =")
    carried = wrong.replace("-4.232 - 0.2 \\cdot (-0.8464) = -4.0627", "-4.232 - 0.3 \\cdot (-0.8464) = -3.9781") \
                   .replace("-0.72 - 0.2 \\cdot (-2.88) = -0.144", "-0.72 - 0.3 \\cdot (-2.88) = 0.144")
    assert carried != wrong
    assert [(f.line, f.kind) for f in symopt.check(carried).errors] == [(finding.line, "arithmetic")]
    slipped = md.replace("-4.232 - 0.2 \\cdot (-0.8464) = -4.0627", "-4.232 - 0.3 \\cdot (-0.8464) = -3.9781")
    assert [(f.line, f.kind) for f in symopt.check(slipped).errors] == [(_line_of(slipped, "w_1 = -4.232"), "substitution")]


def _line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith("$$" + start))


def test_the_checker_reads_the_schedule_from_the_formula():
    """Without a spec the schedule is the document's α_t formula; α_0 (the lecture's) is α."""
    md = solution(STEP, epochs=3).to_markdown()
    lecture = md.replace("\\alpha_t = \\alpha \\cdot", "\\alpha_t = \\alpha_0 \\cdot")
    assert lecture != md and symopt.check(lecture).summary == symopt.check(md).summary == {"lines": 19, "ok": 19, "errors": 0, "warnings": 0}
    other = md.replace("\\alpha_t = \\alpha \\cdot 0.5", "\\alpha_t = \\alpha \\cdot 0.6")  # then every α_t line substitutes 0.5 for 0.6
    assert [(f.line, f.kind) for f in symopt.check(other).errors] == [(_line_of(other, f"\\alpha_{t} ="), "substitution") for t in (1, 2, 3)]
    data = lecture.replace("\\alpha = 0.4$$", "\\alpha_0 = 0.4$$")  # the data line too
    assert data != lecture and symopt.check(data).summary["ok"] == 19
    with pytest.raises(symopt.SymoptError, match=r"the formula for the learning rate uses \\beta"):
        symopt.check(md.replace("\\alpha_t = \\alpha \\cdot 0.5", "\\alpha_t = \\alpha \\cdot \\beta"))


# -- the spec -------------------------------------------------------------------------------------------

BAD = [
    ({"kind": "stp"}, "schedule: kind 'stp'; a schedule's kind is one of constant, step, multistep, exponential, inverse_time, cosine, warmup"),
    ({"gamma": 0.5}, "schedule: no kind; a schedule's kind is one of"),
    ({"kind": "step", "gamma": 0.5}, "schedule: a step schedule needs step_size"),
    ({"kind": "exponential"}, "schedule: an exponential schedule needs gamma"),  # (a new user read "a exponential")
    ({"kind": "step", "step_size": 2.5, "gamma": 0.5}, "schedule.step_size: must be a whole number of epochs from 1 to 1000000, got 2.5"),
    ({"kind": "step", "step_size": 2, "gamma": 0}, "schedule.gamma: must be a number above 0, got 0"),
    ({"kind": "step", "step_size": 2, "gamma": 0.5, "T": 3}, "schedule: unknown key 'T' for a step schedule; its keys: kind, step_size, gamma"),
    ({"kind": "multistep", "milestones": [5, 3], "gamma": 0.5}, "schedule.milestones: must be whole numbers of epochs from 1 to 1000000, increasing"),
    ({"kind": "cosine", "T": 5, "alpha_min": -1}, "schedule.alpha_min: must be 0 or more, got -1"),
    ({"kind": "warmup", "epochs": 3, "then": {"kind": "warmup", "epochs": 2}}, "schedule.then: a warmup is followed by another kind"),
    ({"kind": "warmup", "epochs": 3, "then": {"kind": "cosine"}}, "schedule.then: a cosine schedule needs T"),
    ("alpha*beta^t", "schedule: a schedule is an expression of t (the epoch, from 1) and alpha; 'beta' is neither"),
    ("alpha*2", "schedule: the schedule does not depend on t; leave it out for a constant rate"),
    (True, "schedule: must be a table such as"),
]


@pytest.mark.parametrize(("schedule", "message"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_a_bad_schedule_is_one_line_naming_its_key(schedule, message):
    with pytest.raises(symopt.SymoptError) as e:
        solution(schedule)
    assert str(e.value).startswith("<spec>: exercise 1: " + message) and "\n" not in str(e.value)


def test_an_optimizer_without_alpha_cannot_be_scheduled():
    spec = {"function": F, "optimizers": {"mine": {"state": {"m": 0}, "rules": ["m = 0.5*m + g", "w = w - lr*m"]}},
            "exercise": [{"optimizer": "mine", "hyper": {"lr": "0.1"}, "start": {"w1": 1, "w2": 1}, "schedule": STEP}]}
    with pytest.raises(symopt.SymoptError, match="exercise 1: schedule: mine's rules have no alpha to schedule"):
        symopt.solve(spec)


# -- the exam ---------------------------------------------------------------------------------------------

def test_an_exam_draws_a_schedule_and_checks_its_key(tmp_path):
    """An exam template takes a schedule like any spec key, with drawn values; the paper states the
    α_t formula, the key comes from the scheduled run, and each variant's solution reads back clean."""
    template = tmp_path / "sched.toml"
    template.write_text(
        'function = "{a}*w1**2 + 2*w2**2"\n[exam]\nvariants = 3\nseed = 7\nask = ["w"]\n'
        '[draw]\na = { choice = [0.1, 0.2] }\ng = { choice = [0.5, 0.8] }\n'
        '[defaults]\nstart = { w1 = -5, w2 = -2 }\nepochs = 3\nnumbers = "hand:4"\n'
        '[[exercise]]\noptimizer = "gd"\nhyper = { alpha = 0.2 }\nschedule = { kind = "step", step_size = 2, gamma = "{g}" }\n',
        encoding="utf-8")
    assert main(["exam", str(template), "-o", str(tmp_path / "out"), "-q", "--format", "md"]) == 0
    out = tmp_path / "out" / "sched"
    t = exam.load(template)
    for k in (1, 2, 3):
        variant = exam.draw(t, k)
        sol = symopt.solve(variant.spec)
        assert rates(sol) == [Fraction(1, 5), Fraction(1, 5), Fraction(1, 5) * variant.values["g"]]
        question = (out / f"variant-00{k}-question.md").read_text(encoding="utf-8")
        assert "\\alpha_t = \\alpha \\cdot " in question and "Learning-rate schedule, step decay" in question
        report = symopt.check((out / f"variant-00{k}-solution.md").read_text(encoding="utf-8"))
        assert report.summary["errors"] == 0 and report.summary["warnings"] == 0
        w = [line for line in sol.exercises[0].epochs[2].lines if line.quantity == "w"]
        key = [row for row in csv.DictReader(io.StringIO((out / "key.csv").read_text(encoding="utf-8")))
               if row["variant"] == str(k) and row["epoch"] == "3"]
        assert [row["value"] for row in key] == [line.text for line in w]


# -- what users see -----------------------------------------------------------------------------------

EXAMPLE = ROOT / "examples" / "schedules.toml"


def test_the_example_reads_back_clean_in_every_format():
    sol = symopt.solve(EXAMPLE)
    assert rates(sol)[11] == Fraction("0.1998")  # d2l's 0.199807464184 at epoch 11 (its count from 0), to 4 decimals
    for text in (sol.to_markdown(), sol.to_latex()):
        report = symopt.check(text)
        assert report.summary["errors"] == 0 and report.summary["warnings"] == 0, [f.text for f in report.findings if f.severity != "ok"][:3]


def test_a_schedule_sheet_compiles_to_pdf(tex, tmp_path):
    from test_pdf import pdf_text

    for lang in ("en", "vi"):
        pdf = tmp_path / f"schedules-{lang}.pdf"
        pdf.write_bytes(symopt.solve(EXAMPLE, lang=lang).to_pdf())
        text = " ".join(pdf_text(pdf).split())
        assert ("Learning-rate schedule, linear warmup, then cosine annealing" if lang == "en" else "Lịch tốc độ học") in text
        assert "12 ≤ 5" in text and "12 > 5" in text and "w1 = −3.1601 − 0.1998 · (−0.632) = −3.0338" in text  # epoch 12
