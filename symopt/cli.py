"""The ``symopt`` command.

``main(argv)`` takes an argument list and returns the exit code, so tests call it directly;
``entrypoint()`` is what the installed script runs.  Exit codes: 0 done, 2 bad input (one line on
stderr, no traceback, no file written).  SymPy is imported only when a command needs it, so
``symopt --help`` is instant.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys

from . import labels
from .errors import SymoptError

FORMATS = ("md", "tex", "pdf")

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
    def error(self, message: str) -> None:  # one line, exit 2
        raise SymoptError(f"{message} (see '{self.prog} --help')")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=labels.languages(), help="headings in English ('Exercise 1: Adam') or Vietnamese ('Bài 1 Adam'); overrides the spec's lang (default en)")
    p.add_argument("--numbers", metavar="MODE", help=(
        "how every exercise computes and rounds, overriding the spec: exact, precision:N (N significant "
        "digits), hand:D (D decimal places, at least 3 significant figures, carried as a student does; "
        "'hand:D keep K sig S'), sig:S (S significant figures, carried); add 'pad' or 'comma' (see below)"))
    p.add_argument("--epochs", type=int, metavar="N", help="epochs for every exercise, 1 to 10000; overrides the spec")
    p.add_argument("--mult", choices=("*", "cdot", "times"), help="multiplication sign in substituted lines; overrides the spec's mult (default cdot, a centred dot)")
    p.add_argument("--templates", metavar="DIR", help="a folder of templates that override symopt's by name (sheet.md.j2, sheet.tex.j2, body.tex.j2)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symopt", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__

    parser.add_argument("--version", action="version", version=f"symopt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    render = sub.add_parser(
        "render", help="write the worked solution of a spec as Markdown, LaTeX and PDF files",
        description=(
            "Write DIR/<spec name>.md, .tex and .pdf and print their paths.\n"
            "Without SPEC, render the bundled example (the reference sheet)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    render.add_argument("spec", nargs="?", metavar="SPEC", help="a TOML spec (default: the bundled examples/seed.toml)")
    render.add_argument("-o", "--output", metavar="DIR", default="output", help="output folder (default: output/)")
    render.add_argument("--format", default=None, metavar="LIST", help="comma-separated: md, tex, pdf (default: md,tex, and pdf when TeX is installed)")
    render.add_argument("--fragment", action="store_true", help="LaTeX body only, to \\input into your own document (no PDF)")
    render.add_argument("--figures", choices=("none", "png", "svg", "pdf"), help=(
        "draw each exercise's path on f's contours and its loss, into DIR/<spec name>-figures/: Markdown "
        "embeds png or svg (svg for pdf), LaTeX includes PDF figures; overrides the spec's figures (default none); "
        "needs matplotlib (pip install 'symopt[plot]')"))
    render.add_argument("--compare-epochs", type=int, metavar="N", help="epochs of the figure comparing every path (default: the sheet's)")
    _common(render)

    solve = sub.add_parser(
        "solve", help="print the worked solution of a spec to stdout (md, tex or json)",
        description=(
            "Print the worked solution to stdout. JSON holds every line with its value as shown,\n"
            "and each epoch's carried parameters at the number mode's full precision."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    solve.add_argument("spec", metavar="SPEC", help="a TOML spec")
    solve.add_argument("--format", choices=("md", "tex", "json"), default="md", help="output format (default md)")
    solve.add_argument("--fragment", action="store_true", help="with --format tex: the body only")
    _common(solve)

    exam = sub.add_parser(
        "exam", help="randomized exam variants: question and solution sheets, answer key, Moodle quiz",
        description=(
            "Draw N variants of an exam template (a spec with [exam], [draw] and [require] tables) and\n"
            "write under DIR/<template name>/: per variant a question and a solution sheet, questions.pdf\n"
            "and solutions.pdf with all variants, key.csv and key.json, and moodle.xml (Cloze questions).\n"
            "Variant K depends only on the seed and K: --variant K regenerates it alone."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    exam.add_argument("template", metavar="TEMPLATE", help="an exam template (TOML)")
    exam.add_argument("-n", "--variants", type=int, metavar="N", help="how many variants (default: the template's [exam] variants)")
    exam.add_argument("--seed", type=int, metavar="S", help="the random seed (default: the template's [exam] seed)")
    exam.add_argument("--variant", type=int, metavar="K", help="write variant K only")
    exam.add_argument("-o", "--output", metavar="DIR", default="output", help="output folder (default: output/)")
    exam.add_argument("--format", default=None, metavar="LIST", help="comma-separated: md, tex, pdf (default: md,tex, and pdf when TeX is installed)")
    exam.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    card = sub.add_parser(
        "optimizers", help="print the reference card: every optimizer, its rules and options",
        description="Every optimizer symopt knows, with its hyperparameters, state, rules and options (the\ndefault marked): a reference card to print.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    card.add_argument("--format", choices=("text", "md", "tex", "pdf"), default="text", help="text (default), md, tex, or pdf (needs -o and TeX)")
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
    check.add_argument("--variant", type=int, metavar="K", help="with --exam: the variant the work answers")
    check.add_argument("--slack", default="0", metavar="UNITS",
                       help="accept each = within this many more units of the last written digit (default 0: half a unit, the rounding shown)")
    check.add_argument("-q", "--quiet", action="store_true", help="class mode: no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return _run(args)
    except SymoptError as e:
        print(f"symopt: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symopt: interrupted", file=sys.stderr)
        return 130


def _overrides(args) -> dict:
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


def _check(args) -> int:
    from . import check
    from .files import write_all
    from .numbers import exact

    try:
        slack = exact(args.slack)
    except ValueError as e:
        raise SymoptError(f"{e}; give a number of units such as 0.5", "--slack") from None
    spec = args.spec
    if args.exam or args.variant is not None:
        if not (args.exam and args.variant is not None):
            raise SymoptError("--exam TEMPLATE and --variant K go together", "--exam")
        if args.spec:
            raise SymoptError("give --spec or --exam, not both", "--spec")
        spec = _exam_spec(args.exam, args.variant)
    if len(args.work) > 1 or Path(args.work[0]).is_dir():
        return _grade_class(args, spec, slack)
    report = check(args.work[0], spec, slack=slack)
    if args.format == "json":
        text = report.to_json(args.verbose)
    elif args.format == "md":
        text = report.to_markdown()
    else:
        text = report.to_text(args.verbose)
    if args.output:
        write_all({Path(args.output): text.encode("utf-8")})
        print(report.headline(), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 1 if report.errors else 0


def _grade_class(args, spec, slack) -> int:
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
    graded = gradebook.grade(paths, spec, slack, _progress(args.quiet))
    write_all(gradebook.outputs(graded, out))
    print(gradebook.summary(graded, out / gradebook.CSV_NAME))
    return gradebook.exit_code(graded)


def _exam_spec(template: str, variant: int):
    from .exam import variants as exam
    from .spec import from_dict

    t = exam.load(template)
    if not 1 <= variant <= exam.MAX_VARIANTS:
        raise SymoptError(f"must be from 1 to {exam.MAX_VARIANTS}", "--variant")
    drawn, _ = exam.generate(t, variant)[-1]
    return from_dict(drawn.spec, source=t.source, stem=t.stem)


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        filled = 30 * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _exam(args) -> int:
    from dataclasses import replace

    from .exam import variants as exam
    from .exam.papers import exam_files
    from .files import write_all
    from .pdf import tex_available

    formats = _formats(args.format, fragment=False, tex=tex_available)
    t = exam.load(args.template)
    if args.variants is not None:
        if not 1 <= args.variants <= exam.MAX_VARIANTS:
            raise SymoptError(f"must be from 1 to {exam.MAX_VARIANTS}, got {args.variants}", "-n")
        t = replace(t, variants=args.variants)
    if args.seed is not None:
        if not 0 <= args.seed < 2**63:
            raise SymoptError("must be a whole number from 0", "--seed")
        t = replace(t, seed=args.seed)
    count = t.variants
    if args.variant is not None:
        if not 1 <= args.variant <= exam.MAX_VARIANTS:
            raise SymoptError(f"must be from 1 to {exam.MAX_VARIANTS}", "--variant")
        count = args.variant
    pairs = exam.generate(t, count, _progress(args.quiet))
    if args.variant is not None:
        pairs = pairs[-1:]
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise SymoptError("exists and is not a folder", f"-o {out}")
    files = exam_files(t, pairs, formats, out)
    write_all(files)
    print(f"{out / t.stem}: {len(pairs)} variant{'s' if len(pairs) != 1 else ''}, {len(files)} files")
    return 0


def _formats(text: str | None, fragment: bool, tex) -> list[str]:
    """--format: a comma-separated list of md, tex, pdf; by default md, tex, and pdf when TeX is there."""
    if text is None:
        return ["md", "tex"] + (["pdf"] if tex() and not fragment else [])
    formats = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise SymoptError(f"unknown format {bad[0] if bad else ''!r}; use a comma-separated list of md, tex, pdf", "--format")
    if "pdf" in formats and fragment:
        raise SymoptError("a fragment has no PDF; drop pdf from --format or drop --fragment", "--fragment")
    return formats


def _card(args) -> int:
    from . import card
    from .files import write_all

    if args.format == "pdf" and not args.output:
        raise SymoptError("a PDF goes to a file: add -o card.pdf", "--format pdf")
    if args.format == "pdf":
        from .pdf import compile_pdf

        data = compile_pdf(card.to_latex(args.lang))
    else:
        text = {"text": card.to_text, "md": card.to_markdown, "tex": card.to_latex}[args.format](args.lang)
        data = text.encode("utf-8")
    if args.output:
        write_all({Path(args.output): data})
        print(args.output)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def _run(args) -> int:  # noqa: C901 (to carve into steps (issue 16))
    if args.command == "check":
        return _check(args)
    if args.command == "optimizers":
        return _card(args)
    if args.command == "exam":
        return _exam(args)
    from . import load
    from .resources import resource
    from .sheet import solve

    overrides = _overrides(args)
    if args.command == "solve":
        if args.fragment and args.format != "tex":
            raise SymoptError("goes with --format tex", "--fragment")
        if args.templates and args.format == "json":
            raise SymoptError("JSON uses no templates; drop --templates or choose md or tex", "--templates")
        solution = solve(load(args.spec), **overrides)
        if args.format == "json":
            text = solution.to_json()
        elif args.format == "tex":
            text = solution.to_latex(args.templates, fragment=args.fragment)
        else:
            text = solution.to_markdown(args.templates)
        sys.stdout.write(text)
        return 0

    from .files import write_all
    from .pdf import tex_available

    formats = _formats(args.format, args.fragment, tex_available)
    spec_path = Path(args.spec) if args.spec else resource("examples/seed.toml")
    solution = solve(load(spec_path), **overrides)
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise SymoptError("exists and is not a folder", f"-o {out}")
    contents: dict[str, bytes] = {}  # everything is produced before anything is written
    md_figures, tex_figures, figure_files = _figures(args, solution, formats, spec_path.stem)
    if "md" in formats:
        contents["md"] = solution.to_markdown(args.templates, figures=md_figures).encode("utf-8")
    if "tex" in formats or "pdf" in formats:
        tex = solution.to_latex(args.templates, fragment=args.fragment, figures=tex_figures)
        if "tex" in formats:
            contents["tex"] = tex.encode("utf-8")
        if "pdf" in formats:
            from .pdf import TexFailed, compile_pdf

            pdf_files = {name: data for name, data in figure_files.items() if name.endswith(".pdf")}
            try:
                contents["pdf"] = compile_pdf(tex, pdf_files)
            except TexFailed as e:  # keep what was made, the .tex above all, to find the error in
                contents["tex"] = tex.encode("utf-8")
                kept = {out / f"{spec_path.stem}.{fmt}": contents[fmt] for fmt in FORMATS if fmt in contents}
                kept.update({out / name: data for name, data in figure_files.items()})
                write_all(kept)
                raise SymoptError(f"{e}; kept {out / f'{spec_path.stem}.tex'} to look into") from None
    files = {out / f"{spec_path.stem}.{fmt}": contents[fmt] for fmt in FORMATS if fmt in contents}
    files.update({out / name: data for name, data in figure_files.items()})
    write_all(files)
    for path in files:
        if path.suffix[1:] in FORMATS and path.parent == out:
            print(path)
    if figure_files:
        print(out / f"{spec_path.stem}-figures")
    return 0


def _figures(args, solution, formats: list[str], stem: str):
    """The figures render writes: the views for md and tex, and the files by relative path."""
    choice = args.figures or solution.spec.figures
    if choice == "none":
        if args.compare_epochs is not None:
            raise SymoptError("draws no figure without --figures png|svg|pdf", "--compare-epochs")
        return None, None, {}
    if args.compare_epochs is not None and not 1 <= args.compare_epochs <= 1000:
        raise SymoptError(f"must be from 1 to 1000, got {args.compare_epochs}", "--compare-epochs")
    md_ext = "png" if choice == "png" else "svg"
    wanted = tuple(dict.fromkeys(([md_ext] if "md" in formats else []) + (["pdf"] if "tex" in formats or "pdf" in formats else [])))
    folder = f"{stem}-figures"
    drawn = solution.figures(wanted, args.compare_epochs)
    names = [f.name for f in drawn]
    files = {f"{folder}/{f.name}.{ext}": data for f in drawn for ext, data in f.images.items()}
    return ({"dir": folder, "ext": md_ext, "names": names}, {"dir": folder, "ext": "pdf", "names": names}, files)


def entrypoint() -> None:
    sys.exit(main())
