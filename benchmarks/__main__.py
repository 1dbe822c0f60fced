"""symopt's benchmarks: ``python -m benchmarks`` prints one row per case; ``--quick`` is a small run
(CI runs it so the suite never rots; no test asserts a time).

Each row gives the median time of several runs, the cost per line (or per variant), the peak memory
where it matters, the ratio against the baseline measured in the same run, and the target.

- cold render: ``symopt render examples/seed.toml --format md,tex`` in a fresh interpreter, against a
  bare ``python -c "import sympy"`` (SymPy is the floor of any run that derives a gradient), and,
  to show what SymPy itself adds, against ``import sympy`` plus one addition: SymPy's first ``Add``
  imports ``sympy.tensor`` (and with it ``sympy.combinatorics``), which any differentiation pays;
- ``symopt --help``: SymPy must not be imported for it;
- Adam, 10 variables, 1 000 epochs, hand:4 and precision:30, trace + Markdown, in a fresh
  interpreter (time and peak memory), against
  - a naive engine that substitutes and prints every line with SymPy (``subs`` + ``latex``), and
  - the floor: plain Python with Decimal writing the same lines;
- GD in exact mode, 10 variables, 500 epochs, rational coefficients;
- exam: 500 variants, md + tex (PDFs: one TeX run each, the two in parallel);
- checker: 1 000 and 5 000-line worked solutions (linear: the time per line stays flat);
- gradebook: ``symopt check DIR --spec SPEC -o OUT`` on 300 submissions of 150 lines (Adam, two
  variables, hand:4; 30 with ``--quick``), end to end with its process pool, against checking them
  one by one in-process.
"""

from __future__ import annotations

import argparse
from decimal import ROUND_HALF_UP, Context, Decimal, getcontext
import os
from pathlib import Path
import statistics
import subprocess
import sys
import tempfile
import time

import symopt

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ADAM_HYPER = {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
LINES_PER_EPOCH = 12  # Adam, two variables


def adam_spec(variables: int, epochs: int, numbers: str) -> dict:
    coefficients = [Decimal(i) / 10 for i in range(1, variables + 1)]
    function = " + ".join(f"{c}*w{i}**2" for i, c in enumerate(coefficients, start=1))
    return {"function": function, "exercise": [{
        "optimizer": "adam", "hyper": ADAM_HYPER, "epochs": epochs, "numbers": numbers,
        "start": {f"w{i}": (-1) ** i * i for i in range(1, variables + 1)}}]}


def median_time(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# Children may write bytecode, as any Python install does (pip compiles SymPy's at install; this
# machine sets PYTHONDONTWRITEBYTECODE, which would make symopt, and only symopt, compile its modules
# on every start).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def command_time(args: list[str], repeats: int) -> float:
    return median_time(lambda: _run(args), repeats)


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT, env=CHILD_ENV)


def interleaved_times(commands: list[list[str]], repeats: int) -> tuple[list[float], list[float]]:
    """Median times of commands run in turn (after one warm-up run each, which writes bytecode and
    Jinja's template cache), and the median of each one's per-round ratio to the first: on a shared
    machine the speed drifts, and commands run back to back see the same drift."""
    for args in commands:
        _run(args)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeats):
        for args, out in zip(commands, times, strict=True):
            out.append(median_time(lambda args=args: _run(args), 1))
    medians = [statistics.median(t) for t in times]
    ratios = [statistics.median(b / a for a, b in zip(times[0], t, strict=True)) for t in times]
    return medians, ratios


# -- baselines -------------------------------------------------------------------------------------------

def naive_lines(variables: int, epochs: int) -> int:
    """What a naive engine does: for every line, substitute into a SymPy expression and print it."""
    import sympy

    b1, b2, alpha, eps, t = (sympy.Rational(9, 10), sympy.Rational(999, 1000), sympy.Rational(1, 10),
                             sympy.Rational(1, 10**8), sympy.Symbol("t"))
    g, v, s, vh, sh, w = sympy.symbols("g v s vh sh w")
    rules = [("v", b1 * v + (1 - b1) * g), ("s", b2 * s + (1 - b2) * g**2), ("vh", v / (1 - b1**t)),
             ("sh", s / (1 - b2**t)), ("w", w - alpha * vh / sympy.sqrt(sh + eps))]
    state = [{"w": sympy.Integer((-1) ** i * i), "v": 0, "s": 0} for i in range(1, variables + 1)]
    lines = 0
    for step in range(1, epochs + 1):
        for i, env in enumerate(state, start=1):
            grad = sympy.Rational(2 * i, 10) * sympy.Symbol("w")
            env["g"] = grad.subs(sympy.Symbol("w"), env["w"]).evalf(30)
            sympy.latex(grad.subs(sympy.Symbol("w"), env["w"]))
            lines += 1
        for name, rule in rules:
            for env in state:
                subs = {sympy.Symbol(k): val for k, val in env.items()}
                subs[t] = step
                value = rule.subs(subs).evalf(30)
                sympy.latex(rule.subs(subs, evaluate=False))
                env[name] = value
                lines += 1
    return lines


def floor_lines(variables: int, epochs: int, decimals: int | None) -> list[str]:
    """The floor: plain Python with Decimal doing the work a sheet's lines need, and nothing else.

    Hand mode (`decimals` set): each value rounded to D decimals and carried, and the same rules run
    a second time without rounding (the 20-digit run symopt compares a hand run with).  Precision
    mode: each value computed at 40 digits and shown to 30, and each line computed a second time
    from its operands as shown (the check that a line adds up as printed)."""
    getcontext().prec = 40
    quantum = Decimal(1).scaleb(-decimals) if decimals is not None else None
    shown = Context(prec=30)

    def keep(x: Decimal) -> Decimal:
        return x.quantize(quantum, rounding=ROUND_HALF_UP).normalize() if quantum is not None else +x

    def show(x: Decimal) -> Decimal:
        return x.quantize(quantum, rounding=ROUND_HALF_UP).normalize() if quantum is not None else shown.plus(x)

    b1, b2, alpha, eps = Decimal("0.9"), Decimal("0.999"), Decimal("0.1"), Decimal("1e-8")
    w = [Decimal((-1) ** i * i) for i in range(1, variables + 1)]
    v = [Decimal(0)] * variables
    s = [Decimal(0)] * variables
    second = [[x, Decimal(0), Decimal(0)] for x in w]  # hand: the run without rounding; precision: unused
    out = []
    for step in range(1, epochs + 1):
        g = []
        for i in range(variables):
            c = Decimal(2 * (i + 1)) / 10
            g.append(keep(c * w[i]))
            again = c * (second[i][0] if quantum is not None else show(w[i]))
            out.append(f"dw_{i + 1} = {c} * ({show(w[i])}) = {show(g[i])}")
        for i in range(variables):
            new = keep(b1 * v[i] + (1 - b1) * g[i])
            again = b1 * (second[i][1] if quantum is not None else show(v[i])) + (1 - b1) * show(g[i])
            out.append(f"v_{i + 1} = {b1} * ({show(v[i])}) + {1 - b1} * ({show(g[i])}) = {show(new)}")
            v[i] = new
            if quantum is not None:
                second[i][1] = again
        for i in range(variables):
            new = keep(b2 * s[i] + (1 - b2) * g[i] ** 2)
            again = b2 * (second[i][2] if quantum is not None else show(s[i])) + (1 - b2) * show(g[i]) ** 2
            out.append(f"s_{i + 1} = {b2} * {show(s[i])} + {1 - b2} * ({show(g[i])})^2 = {show(new)}")
            s[i] = new
            if quantum is not None:
                second[i][2] = again
        vh, sh = [], []
        for i in range(variables):
            vh.append(keep(v[i] / (1 - b1**step)))
            again = (second[i][1] if quantum is not None else show(v[i])) / (1 - b1**step)
            out.append(f"v_{{corr{i + 1}}} = \\frac{{{show(v[i])}}}{{1 - {b1}^{step}}} = {show(vh[i])}")
        for i in range(variables):
            sh.append(keep(s[i] / (1 - b2**step)))
            again = (second[i][2] if quantum is not None else show(s[i])) / (1 - b2**step)
            out.append(f"s_{{corr{i + 1}}} = \\frac{{{show(s[i])}}}{{1 - {b2}^{step}}} = {show(sh[i])}")
        for i in range(variables):
            new = keep(w[i] - alpha * vh[i] / (sh[i] + eps).sqrt())
            again = show(w[i]) - alpha * show(vh[i]) / (show(sh[i]) + eps).sqrt()
            out.append(f"w_{i + 1} = {show(w[i])} - {alpha} * \\frac{{{show(vh[i])}}}{{\\sqrt{{{show(sh[i])} + 10^{{-8}}}}}} = {show(new)}")
            w[i] = new
            if quantum is not None:
                second[i][0] = again
    return out


# -- cases --------------------------------------------------------------------------------------------------

ADAM_CHILD = """
import resource, sys, time
import symopt
from benchmarks.__main__ import adam_spec
spec = adam_spec(10, {epochs}, {numbers!r})
symopt.solve(adam_spec(10, 2, {numbers!r}))  # warm: imports and SymPy's one derivation
start = time.perf_counter()
md = symopt.solve(spec).to_markdown()
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, md.count("$$") // 2)
"""


def adam_run(epochs: int, numbers: str) -> tuple[float, float, int]:
    """(seconds, peak MB, lines) of one Adam run in a fresh interpreter."""
    done = subprocess.run([PYTHON, "-c", ADAM_CHILD.format(epochs=epochs, numbers=numbers)], check=True,
                          capture_output=True, text=True, cwd=ROOT, env=CHILD_ENV)
    seconds, megabytes, lines = done.stdout.split()
    return float(seconds), float(megabytes), int(lines)


def check_case(lines: int, repeats: int) -> tuple[float, int]:
    spec = adam_spec(2, max(1, lines // LINES_PER_EPOCH), "hand:4")
    text = symopt.solve(spec).to_markdown()
    report = symopt.check(text)
    assert not report.errors and not report.warnings, "the benchmark's own sheet must check clean"

    def cold() -> None:  # a new document: nothing of it read before (the parse caches would flatter a repeat)
        from symopt.check import mathtext

        mathtext.forget()
        symopt.check(text)

    return median_time(cold, repeats), report.summary["lines"]


BEFORE_COMMIT = "cb0a30f"  # main when issue 15 was taken: the checker's rate before its work

BEFORE_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
import symopt
from benchmarks.__main__ import adam_spec
text = symopt.solve(adam_spec(2, {epochs}, "hand:4")).to_markdown()
report = symopt.check(text)
assert not report.errors and not report.warnings
times = []
for _ in range({repeats}):
    start = time.perf_counter()
    symopt.check(text)
    times.append(time.perf_counter() - start)
times.sort()
print(times[len(times) // 2] / report.summary["lines"] * 1000)
"""


def check_before(lines: int, repeats: int) -> float | None:
    """ms per line of the checker at BEFORE_COMMIT on its own sheet of the same size, in the same
    run (from the repository's history; None where the history is not there, a shallow clone)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE_COMMIT, "symopt", "benchmarks", "templates"],
                                 capture_output=True)
        if archive.returncode:
            return None
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        done = subprocess.run([PYTHON, "-c", BEFORE_CHILD.format(root=tmp, epochs=max(1, lines // LINES_PER_EPOCH), repeats=repeats)],
                              capture_output=True, text=True, cwd=tmp, env={**CHILD_ENV, "PYTHONPATH": tmp})
        return float(done.stdout) if done.returncode == 0 else None


def exam_template():
    from symopt.exam import variants as exam

    return exam.load(ROOT / "examples" / "exam.toml")


def stress_report(t, count: int) -> str:
    from symopt.exam.stress import report

    return report(t, count)[0]


def exam_case(variants: int) -> float:
    from symopt.exam import variants as exam
    from symopt.exam.papers import exam_files

    t = exam.load(ROOT / "examples" / "exam.toml")  # its draws allow 150 variants; widen them for 500
    wider = {**t.spec, "defaults": {**t.spec["defaults"], "start": {"w1": "{w1}", "w2": "{w2}"}}}
    draws = {"a": {"choice": [0.1, 0.2, 0.5]}, "alpha": {"range": [0.1, 0.5], "step": 0.1},
             "w1": {"range": [-5, 5], "step": 0.5, "exclude": [0]}, "w2": {"range": [-3, 3], "step": 1, "exclude": [0]}}
    t = exam.template({**wider, "exam": {"variants": variants, "seed": 2026}, "draw": draws,
                       "require": {"max_abs": 100, "distinct": True, "close_to_exact": False}})
    # (close_to_exact off: by hand about half of these Adam draws land more than 10^-4 from the
    # exact run, and 500 distinct variants would not be found; this case measures speed)
    return median_time(lambda: exam_files(t, exam.generate(t, variants), ["md", "tex"], Path("unused")), 1)


GRADEBOOK_EPOCHS = 12  # Adam, two variables: 144 epoch lines, 151 with the formulas and derivatives


def gradebook_case(submissions: int) -> tuple[float, float, float, int]:
    """``symopt check DIR --spec SPEC -o OUT`` in a fresh interpreter on a class of `submissions`
    sheets of one Adam spec, each headed by its student's name (no two alike), every tenth with one
    digit changed: (seconds, CPU seconds of the run and its workers, seconds to check the
    submissions one by one in-process, lines per submission)."""
    import re
    import resource

    spec = adam_spec(2, GRADEBOOK_EPOCHS, "hand:4")
    (ex,) = spec["exercise"]
    toml = (f'function = "{spec["function"]}"\n\n[[exercise]]\noptimizer = "adam"\nnumbers = "hand:4"\n'
            f'epochs = {GRADEBOOK_EPOCHS}\nhyper = {{ {", ".join(f"{k} = {v}" for k, v in ex["hyper"].items())} }}\n'
            f'start = {{ {", ".join(f"{k} = {v}" for k, v in ex["start"].items())} }}\n')
    sheet = symopt.solve(symopt.loads(toml)).to_markdown()
    report = symopt.check(sheet, symopt.loads(toml))
    assert not report.errors and not report.warnings, "the benchmark's own sheet must check clean"
    values = [m.start(1) for m in re.finditer(r"= -?\d+(?:\.\d+)?(\d)\$\$$", sheet, re.M)]
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "class", Path(tmp) / "graded"
        folder.mkdir()
        (Path(tmp) / "spec.toml").write_text(toml, encoding="utf-8")
        for i in range(1, submissions + 1):
            text = sheet
            if i % 10 == 0:  # one digit changed: an error (or a rounding slip) somewhere in the sheet
                at = values[(i * 37) % len(values)]
                text = text[:at] + str((int(text[at]) + 3) % 10) + text[at + 1:]
            (folder / f"student{i:03d}.md").write_text(f"Student {i:03d}\n\n{text}", encoding="utf-8")
        one = folder / "student001.md"
        symopt.check(one, symopt.loads(toml))  # warm
        single = median_time(lambda: symopt.check(one, symopt.loads(toml)), 3)
        args = [PYTHON, "-m", "symopt", "check", str(folder), "--spec", str(Path(tmp) / "spec.toml"), "-o", str(out), "-q"]
        cpu = lambda: (lambda r: r.ru_utime + r.ru_stime)(resource.getrusage(resource.RUSAGE_CHILDREN))
        cpu_before, start = cpu(), time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=CHILD_ENV)
        seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu_before  # the workers are waited for: counted
        assert done.returncode == 1 and done.stdout.startswith(f"graded {submissions} submissions"), done.stdout + done.stderr
        table = (out / "gradebook.csv").read_text(encoding="utf-8").splitlines()
        assert len(table) == submissions + 1 and not any(",unreadable," in r for r in table), table[:3]
    return seconds, cpu_seconds, single * submissions, report.summary["lines"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer runs (for CI)")
    args = parser.parse_args(argv)
    quick = args.quick
    repeats = 1 if quick else 5
    rows: list[tuple[str, str, str, str, str, str]] = []  # case, time, per item, memory, ratio, target

    def row(case, seconds, per="", memory="", ratio="", target=""):
        rows.append((case, f"{seconds:.3f}", per, memory, ratio, target))
        print(" | ".join(rows[-1]), file=sys.stderr)

    render = [PYTHON, "-m", "symopt", "render", "examples/seed.toml", "-o", str(Path(tempfile.gettempdir()) / "symopt-bench"),
              "--format", "md,tex"]
    first_add = [PYTHON, "-c", "import sympy; sympy.Symbol('x') + 1"]
    (sympy_s, add_s, render_s), (_, add_ratio, ratio) = interleaved_times(
        [[PYTHON, "-c", "import sympy"], first_add, render], 5 if quick else 21)
    row("python -c 'import sympy' (baseline)", sympy_s)
    row("import sympy + its first Add (which imports sympy.tensor)", add_s, ratio=f"{add_ratio:.2f}x import sympy")
    row("cold symopt render seed, md+tex", render_s, ratio=f"{ratio:.2f}x import sympy", target="<= 1.3x")
    help_s = command_time([PYTHON, "-m", "symopt", "--help"], repeats)
    row("symopt --help", help_s, target="<= 0.3 s")

    epochs = 100 if quick else 1000
    naive_epochs = 2 if quick else 20
    start = time.perf_counter()
    naive_count = naive_lines(10, naive_epochs)
    naive_per = (time.perf_counter() - start) / naive_count
    row(f"naive SymPy subs+latex, {naive_epochs} epochs", naive_per * naive_count, f"{naive_per * 1e6:.0f} us/line")
    for numbers, decimals in (("hand:4", 4), ("precision:30", None)):
        runs = [adam_run(epochs, numbers) for _ in range(repeats if quick else 3)]
        seconds, megabytes, lines = statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[0][2]
        floor = median_time(lambda d=decimals: floor_lines(10, epochs, d), repeats)
        per = seconds / lines
        row(f"Adam 10 vars {epochs} epochs {numbers}", seconds, f"{per * 1e6:.0f} us/line", f"{megabytes:.0f} MB",
            f"{naive_per / per:.0f}x faster than naive; {seconds / floor:.1f}x the floor ({floor:.3f} s)",
            "<= 3 s, <= 300 MB; >= 50x naive; <= 5x floor")

    gd = {"function": " + ".join(f"{i}/{i + 2}*w{i}**2" for i in range(1, 11)), "exercise": [{
        "optimizer": "gd", "hyper": {"alpha": 0.1}, "epochs": 50 if quick else 500, "numbers": "exact",
        "start": {f"w{i}": 1 for i in range(1, 11)}}]}
    symopt.solve({**gd, "exercise": [{**gd["exercise"][0], "epochs": 1}]})
    gd_s = median_time(lambda: symopt.solve(gd).to_markdown(), 1)
    row(f"GD exact 10 vars {gd['exercise'][0]['epochs']} epochs", gd_s, target="<= 2 s")

    variants = 20 if quick else 500
    exam_s = exam_case(variants)
    row(f"exam {variants} variants md+tex", exam_s, f"{exam_s / variants * 1000:.1f} ms/variant", target="<= 10 s")
    stressed = 50 if quick else 500
    stress_s = median_time(lambda: stress_report(exam_template(), stressed), 1)
    row(f"exam --stress {stressed} on examples/exam.toml", stress_s, f"{stress_s / stressed * 1000:.1f} ms/variant", target="<= 10 s")

    sizes = [240, 960] if quick else [1000, 5000]
    checks = [check_case(n, repeats) for n in sizes]
    for size, (seconds, lines) in zip(sizes, checks, strict=True):
        rate = seconds / lines * 1000
        before = check_before(size, repeats)  # on the same sheet: a long sheet's later lines cost more, then as now
        ratio = (f"{before / rate:.2f}x as fast as before issue 15 ({before:.2f} ms/line, {BEFORE_COMMIT}, this run)"
                 if before else "")
        row(f"check {lines} lines", seconds, f"{rate:.2f} ms/line", ratio=ratio,
            target="<= 0.25 ms/line (set as 0.8 -> 0.25: >= 3.2x before)")
    growth = (checks[-1][0] / checks[0][0]) / (checks[-1][1] / checks[0][1])
    row("checker growth", growth, ratio=f"{growth:.2f}x as fast as the line count", target="linear (about 1)")

    submissions = 30 if quick else 300
    class_s, class_cpu, serial_s, class_lines = gradebook_case(submissions)
    row(f"gradebook: {submissions} submissions of {class_lines} lines", class_s,
        f"{class_s / submissions * 1000:.0f} ms/submission",
        ratio=(f"{class_s / serial_s:.2f}x one by one in-process ({serial_s:.1f} s); "
               f"{class_cpu:.1f} s CPU on {os.cpu_count()} cores"), target="<= 15 s")

    print("| case | time (s) | per item | peak memory | ratio | target |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
