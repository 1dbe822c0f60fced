"""Benchmarks: ``python -m benchmarks [--quick]`` prints one table row per case.

Timings are medians of several runs, measured in this process after a warm-up, so they show the
per-line cost of symopt itself (imports and SymPy's one-off derivation are in the warm-up).
Cases so far:

- check N lines: ``symopt.check`` on an Adam worked solution of N lines; the checker should be
  linear in the size of the document (the time per line stays flat as N grows).
- exam N variants: ``examples/exam.toml`` drawn, solved and written as md + tex in memory (the
  files symopt exam writes, without PDFs).
"""

from __future__ import annotations

import argparse
from pathlib import Path
import statistics
import time

import symopt

ROOT = Path(__file__).resolve().parents[1]

ADAM = {
    "function": "0.1*w1**2 + 2*w2**2",
    "exercise": [{"optimizer": "adam", "start": {"w1": -5, "w2": -2}, "numbers": "hand:4",
                  "hyper": {"alpha": 0.2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6}}],
}
LINES_PER_EPOCH = 12  # Adam, two variables


def median_time(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_case(lines: int, repeats: int) -> tuple[str, float, int]:
    text = symopt.solve(ADAM, epochs=max(1, lines // LINES_PER_EPOCH)).to_markdown()
    report = symopt.check(text)
    assert not report.errors and not report.warnings, "the benchmark's own sheet must check clean"
    return f"check {report.summary['lines']} lines", median_time(lambda: symopt.check(text), repeats), report.summary["lines"]


def exam_case(variants: int) -> tuple[str, float, int]:
    from symopt import exam
    from symopt.exam_files import exam_files

    t = exam.load(ROOT / "examples" / "exam.toml")  # its draws allow 150 variants; widen them for 500
    wider = {**t.spec, "defaults": {**t.spec["defaults"], "start": {"w1": "{w1}", "w2": "{w2}"}}}
    draws = {"a": {"choice": [0.1, 0.2, 0.5]}, "alpha": {"range": [0.1, 0.5], "step": 0.1},
             "w1": {"range": [-5, 5], "step": 0.5, "exclude": [0]}, "w2": {"range": [-3, 3], "step": 1, "exclude": [0]}}
    t = exam.template({**wider, "exam": {"variants": variants, "seed": 2026}, "draw": draws,
                       "require": {"max_abs": 100, "distinct": True}})

    def run():
        exam_files(t, exam.generate(t, variants), ["md", "tex"], Path("unused"))

    return f"exam {variants} variants md+tex", median_time(run, 1), variants


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (for CI)")
    args = parser.parse_args(argv)
    sizes, repeats = ([240, 960], 1) if args.quick else ([1000, 5000], 3)
    symopt.check(symopt.solve(ADAM, epochs=2).to_markdown())  # warm-up: imports, parser tables
    rows = [check_case(n, repeats) for n in sizes]
    print(f"{'case':<28} {'time (s)':>9} {'per item (ms)':>14}")
    for name, seconds, lines in rows:
        print(f"{name:<28} {seconds:>9.3f} {1000 * seconds / lines:>14.3f}")
    growth = (rows[-1][1] / rows[0][1]) / (rows[-1][2] / rows[0][2])
    print(f"checker time grows {growth:.2f}x as fast as the line count (1.00 = linear)")
    name, seconds, count = exam_case(20 if args.quick else 500)
    print(f"{name:<28} {seconds:>9.3f} {1000 * seconds / count:>14.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
