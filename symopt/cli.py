"""The ``symopt`` command.

``main(argv)`` takes an argument list and returns the exit code, so tests call it directly;
``entrypoint()`` is what the installed script runs.  Exit codes: 0 done, 2 bad input (one line on
stderr, no traceback, no file written).  SymPy is imported only when a command needs it, so
``symopt --help`` is instant.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
import sys
from typing import TYPE_CHECKING, NoReturn

from . import formats, labels
from .errors import SymoptError, echo
from .formats import FORMATS

if TYPE_CHECKING:
    from fractions import Fraction

    from .sheet import Solution
    from .spec import Spec

DESCRIPTION = """\
Worked solutions of deep-learning optimizers (GD, momentum, Nesterov, Adagrad, RMSProp, Adadelta,
Adam, AdamW, Adamax, NAdam, RAdam, Lion, and your own), line by line, with
every digit right. A spec (TOML) gives f, the optimizers, start values, hyperparameters and how
numbers are computed; symopt derives the gradient and writes every epoch out.
"""

EPILOG = """\
number modes (--numbers, or `numbers` in the spec; the sheet states the one it uses):
  exact            exact fractions and radicals (SymPy), shown to 4 decimal places (small values to
                   3 significant figures) with ≈ where rounded; every operand is shown with
                   the digits its line needs to add up; stops with an error if values grow too large
  precision:N      computed and shown to N significant digits (Python's decimal), N from 5 to 1000
  hand:D           as a student works: round each value half away from zero to D decimal places,
                   never to fewer than 3 significant figures, and carry the rounded value
  hand:D sig S     the same with a floor of S significant figures
  hand:D keep K    values that end within K decimals are kept as they are (0.0019206)
  sig:S            round each value to S significant figures and carry it
  add 'pad' to keep trailing zeros (57.9170), 'comma' for decimal commas (0,5); in a spec also
  a table: {mode = "hand", decimals = 4, keep = 7, sig = 3, pad = true, decimal = ","}

examples:
  symopt render                              render the bundled seed example into output/
  symopt render examples/seed.toml -o out --format md,tex
  symopt solve examples/seed.toml --format json
  symopt solve examples/seed.toml --numbers hand:3 --lang en
  symopt check my-solution.md                check a hand-worked solution (exit 1 on errors)
  symopt optimizers --format pdf -o card.pdf the reference card of every optimizer and option
  symopt exam quiz.toml -n 120 -o exams       120 variants with solutions, key and Moodle quiz
  symopt check my-solution.tex --spec examples/seed.toml --format md -o marked.md
  symopt check submissions/ --spec hw.toml   grade a class: graded/gradebook.csv, annotated copies
"""

CHECK_EPILOG = """\
class mode (several WORK files, or a folder):
  gradebook.csv columns: file, exercises, lines (epoch lines scored), ok (of them, nothing
  flagged), errors, warnings (the report's counts), points, score, status (ok, errors,
  no lines, unreadable), reason (why a file could not be graded, or its first error)

score, with error carried forward (each line is judged from the writer's own earlier numbers,
so a line that is right from an earlier slip scores in full; one slip costs one line):
  each epoch line the checker judges is worth 1 point: 0 with an error (arithmetic, substitution)
  or when it cannot be read, 1/2 when its only slip is rounding; notation warnings cost nothing.
  Formula and derivative lines, lines with a name symopt does not know, and lines not written
  are not scored. score = points / lines, a percentage with one decimal (half up); a file with
  no scored line has no score.

examples:
  symopt check work.md                             one file: the report, as before
  symopt check class/ --spec hw.toml -o graded     every .md and .tex in class/
  symopt check alice.md bob.tex                    two files: class mode, into graded/
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        raise SymoptError(f"{message} (see '{self.prog} --help')")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=labels.languages(), help="headings in English ('Exercise 1: Adam') or Vietnamese ('Bài 1 Adam'); overrides the spec's lang (default en)")
    p.add_argument("--numbers", metavar="MODE", help=(
        "how every exercise computes and rounds, overriding the spec: exact, precision:N (N significant "
        "digits), hand:D (D decimal places, at least 3 significant figures, carried as a student does; "
        "'hand:D keep K sig S'), sig:S (S significant figures, carried); add 'pad' or 'comma' (see below)"))
    p.add_argument("--epochs", type=_whole, metavar="N", help="epochs for every exercise, 1 to 10000; overrides the spec")
    p.add_argument("--mult", choices=("*", "cdot", "times"), help="multiplication sign in substituted lines; overrides the spec's mult (default cdot, a centred dot)")
    sheets = [f.templates[d] for f in FORMATS.values() for d in ("sheet", "fragment") if d in f.templates]
    p.add_argument("--templates", metavar="DIR", help=f"a folder of templates that override symopt's by name ({', '.join(sheets)})")


def _files_help(command: str) -> str:
    """--format's help where it takes a list: the command's formats, and its defaults."""
    chosen = [f for f in FORMATS.values() if command in f.default_for and f.needs is None]
    wanted = [f for f in FORMATS.values() if command in f.default_for and f.needs is not None]
    return (f"comma-separated: {', '.join(formats.names(command))} (default: {','.join(f.name for f in chosen)}"
            + "".join(f", and {f.name} when {f.needs} is installed" for f in wanted) + ")")


def _fragment_formats(command: str) -> str:
    """The formats of `command` that have a fragment (a body to \\input): ``tex``."""
    return formats.listing([f for f in formats.names(command) if "fragment" in FORMATS[f].templates], "or")


def _card_help() -> str:
    """--format's help for the card: each format, what it needs."""
    out = []
    for name in formats.names("optimizers"):
        fmt = FORMATS[name]
        needs = (["-o"] if fmt.binary else []) + ([fmt.needs] if fmt.needs else [])
        out.append(name + (" (default)" if "optimizers" in fmt.default_for else "") + (f" (needs {' and '.join(needs)})" if needs else ""))
    return formats.listing(out, "or", serial=True)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symopt", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__

    parser.add_argument("--version", action="version", version=f"symopt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    written = [FORMATS[f] for f in formats.names("render")]
    fragments = [f for f in written if "fragment" in f.templates]
    render = sub.add_parser(
        "render", help=f"write the worked solution of a spec as {formats.listing([f.title for f in written])} files",
        description=(
            f"Write DIR/<spec name>{formats.listing(['.' + f.extension for f in written])} and print their paths.\n"
            "Without SPEC, render the bundled example (the reference sheet)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    render.add_argument("spec", nargs="?", metavar="SPEC", help="a TOML spec (default: the bundled examples/seed.toml)")
    render.add_argument("-o", "--output", metavar="DIR", default="output", help="output folder (default: output/)")
    render.add_argument("--format", default=None, metavar="LIST", help=_files_help("render"))
    render.add_argument("--fragment", action="store_true", help=(
        f"{formats.listing([f.title for f in fragments], 'or')} body only, to \\input into your own document "
        f"(no {formats.listing([f.title for f in written if f.source is not None], 'or')})"))
    render.add_argument("--figures", choices=("none", "png", "svg", "pdf"), help=(
        "draw each exercise's path on f's contours and its loss, into DIR/<spec name>-figures/ (letters, digits "
        "and - _ . of the name kept, anything else as _): Markdown "
        "embeds png or svg (svg for pdf), LaTeX includes PDF figures; overrides the spec's figures (default none); "
        "needs matplotlib (pip install 'symopt[plot]')"))
    render.add_argument("--compare-epochs", type=_whole, metavar="N", help="epochs of the figure comparing every path (default: the sheet's)")
    _common(render)

    printed = formats.names("solve")
    solve = sub.add_parser(
        "solve", help=f"print the worked solution of a spec to stdout ({formats.listing(printed, 'or')})",
        description=(
            "Print the worked solution to stdout. JSON holds every line with its value as shown,\n"
            "and each epoch's carried parameters at the number mode's full precision."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    solve.add_argument("spec", metavar="SPEC", help="a TOML spec")
    solve.add_argument("--format", choices=printed, default=formats.defaults("solve")[0], help=f"output format (default {formats.defaults('solve')[0]})")
    solve.add_argument("--fragment", action="store_true", help=f"with --format {_fragment_formats('solve')}: the body only")
    _common(solve)

    exam = sub.add_parser(
        "exam", help="randomized exam variants: question and solution sheets, answer key, Moodle quiz",
        description=(
            "Draw N variants of an exam template (a spec with [exam], [draw] and [require] tables) and\n"
            "write under DIR/<template name>/: per variant a question paper (header, points, instructions,\n"
            "answer space; [exam] course, date, duration, fields, points, ask, answer) and a solution sheet,\n"
            "questions.pdf and solutions.pdf with all variants, key.csv and key.json (the asked lines), and\n"
            "moodle.xml (Cloze questions, partial credit for known convention mistakes, the worked solution\n"
            "as feedback). The folder is replaced whole: it holds this run's files only, never a mix with an\n"
            "earlier run's. Variant K depends only on the seed and K: --variant K regenerates it alone.\n"
            "--stress N tests the template's draws instead and writes nothing."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    exam.add_argument("template", metavar="TEMPLATE", help="an exam template (TOML)")
    exam.add_argument("-n", "--variants", type=_whole, metavar="N", help="how many variants (default: the template's [exam] variants)")
    exam.add_argument("--seed", type=_whole, metavar="S", help="the random seed (default: the template's [exam] seed)")
    exam.add_argument("--variant", type=_whole, metavar="K", help="write variant K only")
    exam.add_argument("-o", "--output", metavar="DIR", default="output", help="output folder (default: output/)")
    exam.add_argument("--format", default=None, metavar="LIST", help=_files_help("exam"))
    exam.add_argument("--stress", type=_whole, metavar="N", help=(
        "draw N variants and print, per drawn value and per asked answer, the range and a histogram, the share "
        "of variants drawn again and why, and the degenerate variants (an answer equal to its start, a step "
        "larger than alpha, a hand run that leaves the exact one); writes nothing; exit 1 when any is degenerate"))
    exam.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    card = sub.add_parser(
        "optimizers", help="print the reference card: every optimizer, its rules and options",
        description="Every optimizer symopt knows, with its hyperparameters, state, rules and options (the\ndefault marked): a reference card to print.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    card.add_argument("--format", choices=formats.names("optimizers"), default=formats.defaults("optimizers")[0], help=_card_help())
    card.add_argument("--lang", choices=labels.languages(), default="en", help="language of the headings and notes (default en)")
    card.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    check = sub.add_parser(
        "check", help="grade hand-worked solutions line by line, one or a whole class (exit 1 when any has errors)",
        description=(
            "Read a worked solution (Markdown with $$ lines, or LaTeX) and judge every line from the\n"
            "writer's own earlier numbers: right, off by rounding only, an arithmetic error, a\n"
            "substitution or formula error, or unreadable. Without --spec the problem is read from\n"
            "the document: f from the f(...) = ... line, the optimizer from each heading, start\n"
            "values and hyperparameters from the data line, conventions from the formula lines.\n\n"
            "One WORK file: its report on stdout (or -o FILE).\n"
            "Several, or a folder (every .md and .tex file directly in it, sorted by name; not its\n"
            "subfolders, hidden files or earlier *.checked.md copies): class mode. Each file is checked in a\n"
            "process pool over every core, and DIR (-o, default graded/) gets gradebook.csv, one row\n"
            "per file, and each file's annotated copy <stem>.checked.md (the md report; <name>.checked.md\n"
            "where two files share a stem). A file that cannot be checked is a row with its reason.\n\n"
            "exit codes: 0 no errors (warnings allowed; in class mode: every file graded without\n"
            "errors), 1 errors found (class mode: or a file unreadable or with no line to score),\n"
            "2 bad input (one file), bad arguments (class mode: a WORK or --spec that does not exist)"
        ),
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("work", metavar="WORK", nargs="+",
                       help="a worked solution (.md or .tex file); several files or folders grade a class")
    check.add_argument("--spec", metavar="SPEC", help="a TOML spec stating the problem; its exercises are matched to the document's in order")
    check.add_argument("--format", choices=("text", "md", "json"), default=None,
                       help="one file only: text (default): per exercise and epoch; md: the document with a note after each wrong line; json: summary and findings")
    check.add_argument("-o", "--output", metavar="FILE|DIR",
                       help="one file: write the report to FILE instead of stdout; class mode: the folder for "
                            "gradebook.csv and the annotated copies (default: graded/)")
    check.add_argument("--verbose", action="store_true", help="one file only: list every line, ok ones too")
    check.add_argument("--exam", metavar="TEMPLATE", help="grade against variant --variant K of this exam template")
    check.add_argument("--variant", type=_whole, metavar="K", help="with --exam: the variant the work answers")
    check.add_argument("--slack", default="0", metavar="UNITS",
                       help="accept each = within this many more units of the last written digit (default 0: half a unit, the rounding shown)")
    check.add_argument("-q", "--quiet", action="store_true", help="class mode: no progress bar")
    return parser


def _whole(text: str) -> int:
    """A flag's whole number; argparse's own message repeated a 5000-digit argument whole."""
    if len(text) <= 12:
        with suppress(ValueError):
            return int(text)
    raise argparse.ArgumentTypeError(f"not a whole number of at most 12 digits: {echo(text)}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        from .spec import one_run

        with one_run():
            return _run(args)
    except SymoptError as e:
        print(f"symopt: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symopt: interrupted", file=sys.stderr)
        return 130


def _overrides(args: argparse.Namespace) -> dict:
    from .arith import parse_mode
    from .spec import MAX_EPOCHS

    if args.numbers is not None:
        try:
            parse_mode(args.numbers)
        except SymoptError as e:
            raise e.within("--numbers") from None
    if args.epochs is not None and not 1 <= args.epochs <= MAX_EPOCHS:
        raise SymoptError(f"must be from 1 to {MAX_EPOCHS}, got {args.epochs}", "--epochs")
    return {"lang": args.lang, "numbers": args.numbers, "epochs": args.epochs, "mult": args.mult}


def _check(args: argparse.Namespace) -> int:
    from .check import check
    from .files import write_all
    from .numbers import exact

    try:
        slack = exact(args.slack)
    except ValueError as e:
        raise SymoptError(f"{e}; give a number of units such as 0.5", "--slack") from None
    spec = args.spec
    marks = None
    if args.exam or args.variant is not None:
        if not (args.exam and args.variant is not None):
            raise SymoptError("--exam TEMPLATE and --variant K go together", "--exam")
        if args.spec:
            raise SymoptError("give --spec or --exam, not both", "--spec")
        spec, marks = _exam_spec(args.exam, args.variant)
    if len(args.work) > 1 or Path(args.work[0]).is_dir():
        return _grade_class(args, spec, slack, marks)
    report = check(Path(args.work[0]), spec, slack=slack)  # a path, even one with = or $ in its name
    score = None
    if marks is not None:
        from .check.gradebook import by_scheme

        score = by_scheme(report, marks)
    if args.format == "json":
        text = report.to_json(args.verbose)
        if score is not None:
            import json

            data = json.loads(text)
            data["score"] = {"points": float(score.points), "total": float(score.total),
                             "exercises": [{"points": float(p), "total": float(t)} for p, t in score.exercises]}
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "md":
        text = report.to_markdown() + (f"\n> **{score.text(report_lang(spec))}**\n" if score is not None else "")
    else:
        text = report.to_text(args.verbose) + (f"\n{score.text(report_lang(spec))}\n" if score is not None else "")
    if args.output:
        write_all({Path(args.output): text.encode("utf-8")})
        print(report.headline(), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 1 if report.errors else 0


def report_lang(spec: Spec | str | None) -> str:
    return getattr(spec, "lang", "en")


def _grade_class(args: argparse.Namespace, spec: Spec | str | None, slack: Fraction, marks: list | None = None) -> int:
    """Class mode: every submission graded in a process pool, then the gradebook and the copies."""
    from . import load
    from .check import gradebook
    from .files import write_all

    for flag, given in (("--format", args.format is not None), ("--verbose", args.verbose)):
        if given:
            raise SymoptError("goes with one WORK file; class mode writes gradebook.csv and Markdown copies", flag)
    if slack < 0:  # said once here, not once per file
        raise SymoptError("must be 0 or more (units of the last written digit)", "--slack")
    out = Path(args.output or "graded")
    if out.exists() and not out.is_dir():
        raise SymoptError("exists and is not a folder; class mode writes a folder", f"-o {out}")
    paths = gradebook.submissions(args.work)
    if isinstance(spec, str):
        spec = load(spec)  # once, here: a missing or bad spec stops the run before any grading
    graded = gradebook.grade(paths, spec, slack, _progress(args.quiet), marks=marks)
    write_all(gradebook.outputs(graded, out))
    print(gradebook.summary(graded, out / gradebook.CSV_NAME))
    return gradebook.exit_code(graded)


def _exam_spec(template: str, variant: int) -> tuple[Spec, list]:
    """Variant K's spec, and the marking scheme of its answer (symopt.exam.marking)."""
    from .exam import variants as exam
    from .exam.marking import scheme
    from .spec import from_dict

    t = exam.load(template)
    if not 1 <= variant <= exam.MAX_VARIANTS:
        raise SymoptError(f"must be from 1 to {exam.MAX_VARIANTS}", "--variant")
    drawn, solution = exam.generate(t, variant)[-1]
    return from_dict(drawn.spec, source=t.source, stem=t.stem), scheme(t.paper, solution)


def _progress(quiet: bool) -> Callable[[int, int], None] | None:
    if quiet or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        filled = 30 * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _exam(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from .exam import variants as exam
    from .exam.papers import exam_files
    from .files import inside, write_all

    chosen = _formats(args.format, "exam")
    t = exam.load(args.template)
    out = Path(args.output)
    bundle = inside(out, t.stem)  # what exam_files writes into, swapped in whole
    if args.variants is not None:
        if not 1 <= args.variants <= exam.MAX_VARIANTS:
            raise SymoptError(f"must be from 1 to {exam.MAX_VARIANTS}, got {args.variants}", "-n")
        t = replace(t, variants=args.variants)
    if args.seed is not None:
        if not 0 <= args.seed < 2**63:
            raise SymoptError("must be a whole number from 0", "--seed")
        t = replace(t, seed=args.seed)
    count = t.variants
    if args.stress is not None:
        from .exam.stress import report

        if args.variant is not None or args.variants is not None:
            raise SymoptError("draws its own N variants: drop --variant and -n", "--stress")
        if not 1 <= args.stress <= exam.MAX_VARIANTS:
            raise SymoptError(f"must be from 1 to {exam.MAX_VARIANTS}, got {args.stress}", "--stress")
        text, degenerate = report(t, args.stress, _progress(args.quiet))
        sys.stdout.write(text)
        return 1 if degenerate else 0
    if args.variant is not None:
        if not 1 <= args.variant <= exam.MAX_VARIANTS:
            raise SymoptError(f"must be from 1 to {exam.MAX_VARIANTS}", "--variant")
        count = args.variant
    pairs = exam.generate(t, count, _progress(args.quiet))
    if args.variant is not None:
        pairs = pairs[-1:]
    if out.exists() and not out.is_dir():
        raise SymoptError("exists and is not a folder", f"-o {out}")
    files = exam_files(t, pairs, chosen, out)
    write_all(files, [bundle])
    print(f"{bundle}: {len(pairs)} variant{'s' if len(pairs) != 1 else ''}, {len(files)} files")
    from .exam.stress import flags

    found = flags(t, pairs)
    if found:  # written all the same: the teacher decides; --stress says more
        bad = sorted({f.variant for f in found})
        print(f"symopt: note: {len(bad)} of {len(pairs)} variants look degenerate (variant {found[0].variant}, exercise "
              f"{found[0].exercise}: {found[0].what}); 'symopt exam {args.template} --stress N' lists them", file=sys.stderr)
    return 0


def _formats(text: str | None, command: str, fragment: bool = False) -> list[str]:
    """--format: a comma-separated list of the command's formats (:data:`symopt.formats.FORMATS`);
    by default its default formats that are installed (md, tex, and pdf when TeX is there)."""
    if text is None:
        return formats.defaults(command, fragment)
    offered = formats.names(command)
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in chosen if f not in offered]
    if bad or not chosen:
        raise SymoptError(f"unknown format {bad[0] if bad else ''!r}; use a comma-separated list of {', '.join(offered)}", "--format")
    made = [FORMATS[f] for f in chosen if FORMATS[f].source is not None]
    if made and fragment:
        raise SymoptError(f"a fragment has no {made[0].title}; drop {made[0].name} from --format or drop --fragment", "--fragment")
    return chosen


def _card(args: argparse.Namespace) -> int:
    from . import card
    from .files import write_all

    fmt = FORMATS[args.format]
    if fmt.binary and not args.output:
        raise SymoptError(f"a {fmt.title} goes to a file: add -o card.{fmt.extension}", f"--format {fmt.name}")
    data = formats.data(card.make(fmt.name, args.lang))
    if args.output:
        write_all({Path(args.output): data})
        print(args.output)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args)
    if args.command == "optimizers":
        return _card(args)
    if args.command == "exam":
        return _exam(args)
    if args.command == "solve":
        return _solve(args)
    return _render(args)


def _solve(args: argparse.Namespace) -> int:
    from . import load
    from .sheet import solve

    overrides = _overrides(args)
    fmt = FORMATS[args.format]
    if args.fragment and "fragment" not in fmt.templates:
        raise SymoptError(f"goes with --format {_fragment_formats('solve')}", "--fragment")
    if args.templates and not fmt.templates:
        templated = formats.listing([f for f in formats.names("solve") if FORMATS[f].templates], "or")
        raise SymoptError(f"{fmt.title} uses no templates; drop --templates or choose {templated}", "--templates")
    solution = solve(load(args.spec), **overrides)
    sys.stdout.write(formats.as_text(solution.make(fmt.name, args.templates, fragment=args.fragment)))
    return 0


def _render(args: argparse.Namespace) -> int:
    from . import load
    from .files import write_all
    from .pdf import TexFailed
    from .resources import resource
    from .sheet import solve

    overrides = _overrides(args)
    chosen = _formats(args.format, "render", args.fragment)
    spec_path = Path(args.spec) if args.spec else resource("examples/seed.toml")
    solution = solve(load(spec_path), **overrides)
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise SymoptError("exists and is not a folder", f"-o {out}")
    wanted = [name for name in FORMATS if name in chosen]  # in the table's order: made, written and printed so
    views, figure_files = _figures(args, solution, wanted, spec_path.stem)
    bundles = [out / _figure_folder(spec_path.stem)] if figure_files else []  # the figures: swapped in whole

    def path(name: str) -> Path:
        return out / f"{spec_path.stem}.{FORMATS[name].extension}"

    contents: dict[str, bytes] = {}  # everything is produced before anything is written
    made: dict[str, formats.Made] = {}  # each format made once: the LaTeX of the .tex is the PDF's
    for name in wanted:
        fmt = FORMATS[name]
        view = views.get(name)
        ext = view["ext"] if view else None
        embedded = {n: data for n, data in figure_files.items() if ext is not None and n.endswith(f".{ext}")}
        try:
            contents[name] = formats.data(solution.make(name, args.templates, args.fragment, view, embedded, made))
        except TexFailed as e:  # keep what was made, the source (.tex) above all, to find the error in
            source = str(fmt.source)
            contents[source] = formats.data(made[source])
            kept = {path(n): contents[n] for n in FORMATS if n in contents}
            kept.update({out / n: data for n, data in figure_files.items()})
            write_all(kept, bundles)
            raise SymoptError(f"{e}; kept {path(source)} to look into") from None
    files = {path(name): contents[name] for name in wanted}
    files.update({out / name: data for name, data in figure_files.items()})
    write_all(files, bundles)
    for name in wanted:
        print(path(name))
    for bundle in bundles:
        print(bundle)
    return 0


def _figures(args: argparse.Namespace, solution: Solution, chosen: list[str],
             stem: str) -> tuple[dict[str, dict | None], dict[str, bytes]]:
    """The figures render writes: each format's view of them (``{"dir", "ext", "names"}``, None for a
    format that embeds none), and the files by relative path."""
    choice = args.figures or solution.spec.figures
    if choice == "none":
        if args.compare_epochs is not None:
            raise SymoptError("draws no figure without --figures png|svg|pdf", "--compare-epochs")
        return {}, {}
    if args.compare_epochs is not None and not 1 <= args.compare_epochs <= 1000:
        raise SymoptError(f"must be from 1 to 1000, got {args.compare_epochs}", "--compare-epochs")
    exts = {name: formats.image(name, choice) for name in chosen}
    wanted = tuple(dict.fromkeys(ext for ext in exts.values() if ext is not None))
    folder = _figure_folder(stem)
    drawn = solution.figures(wanted, args.compare_epochs)
    names = [f.name for f in drawn]
    files = {f"{folder}/{f.name}.{ext}": data for f in drawn for ext, data in f.images.items()}
    return {name: None if ext is None else {"dir": folder, "ext": ext, "names": names} for name, ext in exts.items()}, files


def _figure_folder(stem: str) -> str:
    """``seed-figures``: the sheets link to it by this name, so it is a slug of the spec's name
    (``a b#c.toml`` gives ``a_b_c-figures``): nothing in it is Markdown or TeX."""
    from .files import slug

    return f"{slug(stem)}-figures"


def entrypoint() -> None:
    sys.exit(main())
