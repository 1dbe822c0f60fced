"""A solved spec: the worked exercises and their outputs (:meth:`Solution.make`, in any format of
:data:`symopt.formats.FORMATS`: Markdown, LaTeX, PDF, JSON).

:class:`Solution` is what ``symopt.solve`` returns.  It turns the worked exercises into one plain
*view* (headings in the sheet's language, lines as LaTeX) that every template reads, and shows
itself in Jupyter through ``_repr_markdown_`` and ``_repr_latex_``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
import json
from pathlib import Path
from typing import TYPE_CHECKING

from . import formats, labels, spec as _bounds, tables
from .engine import Divergence, Epoch, Line, Worked, function_latex, printed_work, work
from .errors import SymoptError
from .expr import Call, Node, parse, walk
from .formats import escape_latex
from .numbers import Policy, rational_text, value_text
from .plan import Derivation
from .spec import Spec, from_dict, load, with_overrides

if TYPE_CHECKING:
    from .arith import NumberMode
    from .dataset import Dataset
    from .figures import Figure


def number_policy(mode: NumberMode, lang: str) -> str:
    """The sentence that states a sheet's number mode, in the sheet's language."""
    words = labels.words(lang, "sheet")
    rounding = words["decimals"].format(d=mode.decimals, s=mode.sig)
    keep = words["keep"].format(k=mode.keep) if mode.keep is not None and mode.keep > mode.decimals else ""
    if mode.kind == "exact":
        text = words["exact"].format(places=words["places"].format(d=max(mode.decimals, mode.kept)), rounding=rounding)
    elif mode.kind == "precision":
        text = words["precision"].format(digits=mode.digits)
    elif mode.kind == "hand":
        text = words["hand"].format(rounding=rounding, keep=keep)
    else:
        text = words["sig"].format(sig=mode.sig, keep="")
    return text + (words["padded"] if mode.padded else "") + (words["comma"] if mode.comma else "")


@dataclass(frozen=True)
class Solution:
    spec: Spec
    exercises: tuple[Worked, ...]

    def figures(self, formats: tuple[str, ...], compare_epochs: int | None = None) -> list[Figure]:
        """Each exercise's figure, and one comparing every path when the exercises share f and the
        start (2 variables); `compare_epochs` reruns them for that many epochs (default: the sheet's).
        They count in the work budget (:data:`symopt.spec.FIGURE_WORK` an image), before any is drawn."""
        from .figures import compare_figure, path_figure
        from .spec import FIGURE_WORK, check_work, work

        images = (len(self.exercises) + 1) * len(formats)
        try:
            check_work(work(self.spec.exercises) + images * FIGURE_WORK, what=f" and {images} images")
        except SymoptError as e:
            raise e.within(self.spec.source) from None
        view = self._plain_view
        out = [path_figure(w, f"ex{n}-path", ex["heading"], formats)
               for n, (w, ex) in enumerate(zip(self.exercises, view["exercises"], strict=True), start=1)]
        if self.comparable and len(self.exercises[0].exercise.variables) == 2:
            worked = self.exercises
            if compare_epochs is not None:
                worked = solve(self.spec, epochs=compare_epochs, numbers="precision:15").exercises
            figure = compare_figure(list(worked), "compare", view["title"], formats)
            if figure is not None:
                out.append(figure)
        return out

    @property
    def comparable(self) -> bool:
        """Whether the exercises can be compared: more than one, all of the same f from the same
        start (the comparison figure draws them on one map, the comparison table lists them)."""
        first = self.exercises[0].exercise if self.exercises else None
        return len(self.exercises) > 1 and first is not None and all(
            w.exercise.function == first.function and w.exercise.start == first.start for w in self.exercises)

    def view(self, figures: dict | None = None) -> dict:
        """What the templates see: plain strings and lists, in the sheet's language.  `figures`:
        ``{"dir": "seed-figures", "ext": "svg", "names": [...]}`` adds each exercise's image path.

        Built once per Solution (:attr:`_plain_view`); each call gets its own top dict and exercise
        dicts, to add keys to, while the lists inside them are shared and only read."""
        plain = self._plain_view
        exercises = [{**ex, "figure": None} for ex in plain["exercises"]]
        compare = None
        if figures:
            names = set(figures["names"])
            for n, ex in enumerate(exercises, start=1):
                name = f"ex{n}-path"
                ex["figure"] = f"{figures['dir']}/{name}.{figures['ext']}" if name in names else None
            compare = f"{figures['dir']}/compare.{figures['ext']}" if "compare" in names else None
        return {**plain, "exercises": exercises, "compare": compare}

    @cached_property
    def _plain_view(self) -> dict:
        """The view without its figures' paths, made once: f parsed and printed, each exercise's
        heading, notes and lines gathered, the first time a view is asked for."""
        sheet_words = labels.words(self.spec.lang, "sheet")
        comma = all(w.exercise.numbers.comma for w in self.exercises) and bool(self.exercises)
        top = None if self.spec.function_text is None else function_latex(parse(self.spec.function_text), self.spec.mult, comma)
        table = self.spec.table
        exercises = []
        for n, w in enumerate(self.exercises, start=1):
            orders = _orders(w.exercise.batches)
            exercises.append(
                {
                    "heading": sheet_words["exercise"].format(n=n, name=w.exercise.optimizer.title),
                    "optimizer": w.exercise.optimizer.key,
                    "function": w.function_latex if w.function_latex != top and w.exercise.data is None else None,
                    "dataset": None if w.exercise.data is None else {
                        "table": tables.data_table(w, sheet_words), "lines": list(w.problem)},
                    "formulas": list(w.formulas),
                    "notes": _notes(sheet_words, w, self.spec.lang, self.spec.notes == "frameworks"),
                    # what a question paper prints: the conventions in mathematical words only, whatever the spec's notes
                    "math_notes": _notes(sheet_words, w, self.spec.lang, False),
                    "data": w.data,
                    "data_rows": list(w.data_rows),
                    "steps": [_derivation(sheet_words, d) for d in w.steps],
                    "derivatives": list(w.derivatives),
                    "epochs": [
                        {"label": _label(sheet_words, w, e.number), "lines": [line.latex for line in e.lines],
                         "note": _departure(sheet_words, w) if w.departs is not None and w.departs.epoch == e.number else None,
                         **_batch(sheet_words, w, e, orders)}
                        for e in w.epochs
                    ],
                    "diverged": None if w.diverged is None else sheet_words["diverged"].format(
                        k=w.diverged.epoch, reason=_reason(sheet_words, w.diverged)),
                    "table": None if table is None else tables.trajectory(w, table, sheet_words),
                }
            )
        comparison = None
        if table is not None and self.comparable:
            comparison = tables.comparison(self.exercises, table, sheet_words, Policy(comma=comma))
        data = any(w.exercise.data is not None for w in self.exercises)  # a data table is a table too
        return {"title": self.spec.title, "lang": self.spec.lang, "function": top, "exercises": exercises, "compare": None,
                "comparison": comparison, "tables": table is not None or data}

    def make(self, fmt: str, templates: str | Path | None = None, fragment: bool = False, figures: dict | None = None,
             files: dict[str, bytes] | None = None, made: dict[str, formats.Made] | None = None) -> formats.Made:
        """The sheet in output format `fmt` (an entry of :data:`symopt.formats.FORMATS`): text, or
        bytes for a binary format.  `fragment`: the LaTeX body only (a format without one writes the
        whole sheet); `figures`: the figures' view (see :meth:`view`); `files`: each figure's path and
        bytes, for a format made from another (PDF); `made` keeps what is made on the way, by format."""
        return formats.produce(fmt, "fragment" if fragment else "sheet", lambda: self.view(figures), self, templates, files, made)

    def to_markdown(self, templates: str | Path | None = None, figures: dict | None = None) -> str:
        return formats.as_text(self.make("md", templates, figures=figures))

    def to_latex(self, templates: str | Path | None = None, fragment: bool = False, figures: dict | None = None) -> str:
        return formats.as_text(self.make("tex", templates, fragment, figures))

    def to_pdf(self, templates: str | Path | None = None, figures: dict | None = None, files: dict | None = None) -> bytes:
        """The PDF; with `figures`, `files` maps each figure's path to its PDF bytes."""
        pdf = self.make("pdf", templates, figures=figures, files=files)
        assert isinstance(pdf, bytes), "PDF is bytes"
        return pdf

    def to_dict(self) -> dict:
        table = self.spec.table
        out: dict[str, object] = {
            "title": self.spec.title,
            "exercises": [
                {
                    "optimizer": w.exercise.optimizer.key,
                    "function": w.exercise.function_text,
                    "variables": list(w.exercise.variables),
                    "gradient": w.gradient,
                    "hyper": {h: rational_text(q) for h, q in w.exercise.hyper.items()},
                    "options": w.exercise.optimizer.effective_options(w.exercise.options),
                    "start": {v: rational_text(q) for v, q in w.exercise.start.items()},
                    "numbers": str(w.exercise.numbers),
                    "diverged": w.diverged is not None,
                    "diverged_at": None if w.diverged is None else {
                        "epoch": w.diverged.epoch, "line": w.diverged.line, "kind": w.diverged.kind,
                        "reason": _reason(labels.words("en", "sheet"), w.diverged).replace("$", "")},
                    "departs": None if w.departs is None else {
                        "epoch": w.departs.epoch, "variable": w.departs.variable, "carried": w.departs.carried.plain,
                        "reference": value_text(w.departs.reference)},
                    **({"steps": [{"variable": d.variable, "lines": None if d.lines is None else
                                   [{"latex": latex, "rules": list(keys)} for latex, keys in d.lines]} for d in w.steps]}
                       if w.steps else {}),
                    **({"data": _data_dict(w.exercise.data)} if w.exercise.data is not None else {}),
                    "epochs": [
                        {
                            "epoch": e.number,
                            **({"pass": e.pass_number, "samples": list(e.samples)} if e.samples else {}),
                            "params": e.params,
                            **({"reference": {v: value_text(x) for v, x in e.reference.items()}} if e.reference is not None else {}),
                            "lines": [_line_dict(ln) for ln in e.lines],
                        }
                        for e in w.epochs
                    ],
                    **({"objective": tables.objective_dicts(w)} if table is not None else {}),
                }
                for w in self.exercises
            ],
        }
        if table is not None:  # (without a table, JSON is as it was)
            out["table"] = {"rows": table.rows, "comparison": tables.comparison_dict(self.exercises, table) if self.comparable else None}
        return out

    def to_json(self) -> str:  # the json format's maker (symopt/formats.py)
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_latex_(self) -> str:
        """For MathJax in notebooks: one display per line, headings as text."""
        view = self.view()
        out = [f"$$\\textbf{{{escape_latex(view['title'])}}}$$"]
        if view["function"]:
            out.append(f"$${view['function']}$$")
        for ex in view["exercises"]:
            out.append(f"$$\\textbf{{{escape_latex(ex['heading'])}}}$$")
            problem = ex["dataset"]["lines"] if ex["dataset"] else []
            out += [f"$${line}$$" for line in problem + ex["formulas"] + [ex["data"]]]
            for derivation in ex["steps"]:
                out += [f"$${derivation['lhs'] if k == 0 else ''} = {row['latex']} \\quad \\text{{({escape_latex(row['rule'])})}}$$"
                        for k, row in enumerate(derivation["rows"])]
            out += [f"$${line}$$" for line in ex["derivatives"]]
            for epoch in ex["epochs"]:
                out.append(f"$$\\text{{{escape_latex(epoch['label'])}}}$$")
                out += [f"$${line}$$" for line in epoch["lines"]]
        return "\n".join(out)


def _notes(sheet_words: dict, w: Worked, lang: str, frameworks: bool) -> list[str]:
    """An exercise's notes: each option's convention in mathematical words, |.|'s kink, the number
    policy; with `frameworks` (the spec's ``notes = "frameworks"``) each convention is followed by
    the PyTorch, optax or Keras setting that gives the same steps."""
    def note(text: str, framework: str) -> str:
        return sheet_words["frameworks"].format(note=text, frameworks=framework) if frameworks and framework else text

    notation = w.notation
    assert notation is not None, "work() gives every exercise its notation"
    notes = [note(notation.fill(labels.in_language(c.note, lang)), labels.in_language(c.frameworks, lang)) for c in w.notes]
    if notation.parameter.startswith("\\boldsymbol"):  # the formulas' vector: say what it is
        names = ", ".join(notation.variable(v) for v in w.exercise.variables)
        notes.insert(0, sheet_words["vector" if w.exercise.data is None else "vector_params"].format(p=notation.parameter, names=names))
    if _has_kink(w.exercise.function):
        notes.append(note(sheet_words["kink"], sheet_words["kink_frameworks"]))
    if w.exercise.data is not None:
        notes.append(batching(w.exercise.data, sheet_words))
    return notes + [number_policy(w.exercise.numbers, lang)]


def _derivation(sheet_words: dict, d: Derivation) -> dict:
    """A derivation as the templates show it: its left side (``\\frac{\\partial f}{\\partial w_1}``),
    each line's right side with the rules it applies in words (``sum rule, constant rule``), or the
    note that SymPy derived it."""
    rules = sheet_words["rules"]
    if d.lines is None:
        return {"lhs": d.lhs, "rows": [], "note": sheet_words["no_steps"].format(d=d.lhs)}
    return {"lhs": d.lhs, "rows": [{"latex": latex, "rule": ", ".join(rules[k] for k in keys)} for latex, keys in d.lines],
            "note": None}


def batching(data: Dataset, sheet_words: dict) -> str:
    """How a dataset problem's steps take its samples, and what an epoch is, in the sheet's language."""
    if data.batch is None:
        return sheet_words["full_batch"].format(n=data.n)
    order = sheet_words["given_order"] if data.seed is None else sheet_words["shuffled"].format(seed=data.seed)
    k = data.steps_per_epoch
    if data.batch == 1:
        return sheet_words["sgd"].format(order=order, n=data.n, k=k)
    last = data.n % data.batch
    return sheet_words["mini_batch"].format(b=data.batch, order=order, n=data.n, k=k,
                                            last=sheet_words["last_batch"].format(r=last) if last else "")


def _label(sheet_words: dict, w: Worked, t: int) -> str:
    """An epoch's label, ``Epoch 2:``; a step's, ``Step 5:``, where a dataset's epoch has several."""
    data = w.exercise.data
    return sheet_words["step" if data is not None and data.batch is not None else "epoch"].format(k=t)


def _orders(schedule: tuple[tuple[int, tuple[int, ...]], ...]) -> dict[int, list[int]]:
    """Each epoch's samples in the order its steps take them."""
    orders: dict[int, list[int]] = {}
    for epoch, samples in schedule:
        orders.setdefault(epoch, []).extend(samples)
    return orders


def _batch(sheet_words: dict, w: Worked, e: Epoch, orders: dict[int, list[int]]) -> dict:
    """A dataset step's samples, said before its lines, and at its epoch's first step the epoch's
    heading (one pass over the data: the samples in their order, `orders`); nothing for a full batch."""
    data = w.exercise.data
    if data is None or data.batch is None or not e.samples:
        return {"heading": None, "batch": None}
    schedule = w.exercise.batches
    heading = None
    if e.number == 1 or schedule[e.number - 2][0] != e.pass_number:
        heading = sheet_words["pass"].format(k=e.pass_number, order=", ".join(map(str, orders[e.pass_number])))
    if len(e.samples) == 1:
        return {"heading": heading, "batch": sheet_words["batch_one"].format(i=e.samples[0])}
    items = sheet_words["samples_word"].format(items=", ".join(map(str, e.samples)))
    return {"heading": heading, "batch": sheet_words["batch"].format(samples=items)}


def _data_dict(data: Dataset) -> dict:
    """A dataset problem for JSON: its columns, model, loss, reduction and batching (an epoch's
    ``epoch`` is then its step, ``pass`` the epoch of the data it belongs to)."""
    return {"columns": {c: [rational_text(q) for q in values] for c, values in data.columns}, "model": data.model,
            "loss": data.loss, "reduction": data.reduction, "batch": data.batch or "full", "seed": data.seed,
            "steps_per_epoch": data.steps_per_epoch}


def _has_kink(node: Node) -> bool:
    """Whether f uses abs (or sign): not differentiable everywhere."""
    return any(isinstance(n, Call) and n.func in ("abs", "sign") for n in walk(node))


def _line_dict(line: Line) -> dict:
    """A line for JSON: the fields of old (the value as shown), then the typed ones."""
    return {
        "quantity": line.quantity, "variable": line.variable, "latex": line.latex, "value": line.shown.text,
        "number": value_text(line.value), "relation": "≈" if line.approx else "=",
        "shown": {"text": line.shown.text, "rounded": line.shown.rounded, "places": line.shown.places},
        "operands": [{"name": o.key, "value": o.shown.plain, "rounded": o.shown.rounded, "places": o.shown.places}
                     for o in line.operands],
    }


def _reason(sheet_words: dict, d: Divergence) -> str:
    """Why a run stopped, from its :class:`~symopt.engine.Divergence`."""
    return sheet_words[d.kind].format(line=d.line, value=d.shown.text if d.shown is not None else "")


def _departure(sheet_words: dict, w: Worked) -> str:
    d = w.departs
    assert d is not None, "only a run that departs has a departure note"
    exact = w.exercise.numbers.policy().show_fraction(Fraction(d.reference), exact=False, extra=1).text
    return sheet_words["departs"].format(k=d.epoch, line=d.line, carried=d.carried.text, exact=exact)


def solve(
    spec: Spec | str | Path | dict, *, lang: str | None = None, numbers: str | dict | None = None,
    epochs: int | None = None, mult: str | None = None, notes: str | None = None,
) -> Solution:
    """Work out every exercise of `spec`.

    `spec` is a :class:`Spec`, a path to a TOML file, or a dict with the TOML structure (floats
    are read by their shortest repr, so 0.1 means 1/10).  The keywords are the CLI's flags and
    override the spec: ``lang``, ``mult``, ``notes`` (``"frameworks"`` adds the framework settings to
    each convention), and ``numbers`` and ``epochs`` for every exercise.
    """
    if isinstance(spec, (str, Path)):
        spec = load(spec)
    elif isinstance(spec, dict):
        spec = from_dict(spec)
    elif not isinstance(spec, Spec):
        raise SymoptError(f"solve() takes a Spec, a path or a dict, not {type(spec).__name__}")
    spec = with_overrides(spec, lang=lang, numbers=numbers, epochs=epochs, mult=mult, notes=notes)
    worked = []
    deadline = _bounds.deadline()
    printed = 0
    for n, exercise in enumerate(spec.exercises, start=1):  # (each gradient printed once, kept for its run)
        try:
            printed += printed_work(exercise, spec.mult)
        except SymoptError as e:
            raise e.within(f"{spec.source}: exercise {n} ({exercise.optimizer.key})") from None
        except RecursionError:
            raise SymoptError("an expression is nested too deeply", f"{spec.source}: exercise {n}") from None
    try:
        _bounds.check_printed(printed)
    except SymoptError as e:
        raise e.within(spec.source) from None
    for n, exercise in enumerate(spec.exercises, start=1):
        try:
            worked.append(work(exercise, spec.mult, deadline))
        except SymoptError as e:
            raise e.within(f"{spec.source}: exercise {n} ({exercise.optimizer.key})") from None
        except RecursionError:
            raise SymoptError("an expression is nested too deeply", f"{spec.source}: exercise {n}") from None
    return Solution(spec, tuple(worked))
