"""A solved spec: the worked exercises and their outputs (Markdown, LaTeX, PDF, JSON).

:class:`Solution` is what ``symopt.solve`` returns.  It turns the worked exercises into one plain
*view* (headings in the sheet's language, lines as LaTeX) that every template reads, and shows
itself in Jupyter through ``_repr_markdown_`` and ``_repr_latex_``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
import json
from pathlib import Path

from .engine import Worked, function_latex
from .expr import parse
from .numbers import decimal_text, decimals_of
from .render import escape_latex, render
from .spec import Spec

LABELS = {
    "en": {"exercise": "Exercise {n}: {name}", "epoch": "Epoch {k}:",
           "diverged": "The run diverges at epoch {k}: {reason}. The remaining epochs are not computed.",
           "kink": "$f$ has no derivative where $|\\cdot|$ is 0; there $\\frac{d|x|}{dx}$ is taken as $\\operatorname{sign}(0) = 0$, as PyTorch does."},
    "vi": {"exercise": "Bài {n} {name}", "epoch": "Epoch {k}:",
           "diverged": "Quá trình phân kỳ ở epoch {k}: {reason}. Các epoch sau không được tính.",
           "kink": "$f$ không khả vi tại điểm $|\\cdot|$ bằng 0; tại đó lấy $\\frac{d|x|}{dx} = \\operatorname{sign}(0) = 0$, như PyTorch."},
}


@dataclass(frozen=True)
class Solution:
    spec: Spec
    exercises: tuple[Worked, ...]

    def figures(self, formats: tuple[str, ...], compare_epochs: int | None = None) -> list:
        """Each exercise's figure, and one comparing every path when the exercises share f and the
        start (2 variables); `compare_epochs` reruns them for that many epochs (default: the sheet's)."""
        from .figures import compare_figure, path_figure

        view = self.view()
        out = [path_figure(w, f"ex{n}-path", ex["heading"], formats)
               for n, (w, ex) in enumerate(zip(self.exercises, view["exercises"], strict=True), start=1)]
        first = self.exercises[0].exercise
        same = all(w.exercise.function == first.function and w.exercise.start == first.start for w in self.exercises)
        if len(self.exercises) > 1 and same and len(first.variables) == 2:
            worked = self.exercises
            if compare_epochs is not None:
                from . import solve

                worked = solve(self.spec, epochs=compare_epochs, numbers="precision:15").exercises
            figure = compare_figure(list(worked), "compare", view["title"], formats)
            if figure is not None:
                out.append(figure)
        return out

    def view(self, figures: dict | None = None) -> dict:
        """What the templates see: plain strings and lists, in the sheet's language.  `figures`:
        ``{"dir": "seed-figures", "ext": "svg", "names": [...]}`` adds each exercise's image path."""
        labels = LABELS[self.spec.lang]
        top = None if self.spec.function_text is None else function_latex(parse(self.spec.function_text), self.spec.mult)
        exercises = []
        for n, w in enumerate(self.exercises, start=1):
            exercises.append(
                {
                    "heading": labels["exercise"].format(n=n, name=w.exercise.optimizer.title),
                    "optimizer": w.exercise.optimizer.key,
                    "function": w.function_latex if w.function_latex != top else None,
                    "formulas": list(w.formulas),
                    "notes": [c.note[self.spec.lang] for c in w.notes]
                    + ([labels["kink"]] if _has_kink(w.exercise.function) else []),
                    "data": w.data,
                    "derivatives": list(w.derivatives),
                    "epochs": [
                        {"label": labels["epoch"].format(k=e.number), "lines": [line.latex for line in e.lines]}
                        for e in w.epochs
                    ],
                    "diverged": None if w.diverged is None else labels["diverged"].format(
                        k=w.diverged.epoch, reason=w.diverged.reason),
                }
            )
        compare = None
        for ex in exercises:
            ex["figure"] = None
        if figures:
            names = set(figures["names"])
            for n, ex in enumerate(exercises, start=1):
                name = f"ex{n}-path"
                ex["figure"] = f"{figures['dir']}/{name}.{figures['ext']}" if name in names else None
            compare = f"{figures['dir']}/compare.{figures['ext']}" if "compare" in names else None
        return {"title": self.spec.title, "lang": self.spec.lang, "function": top, "exercises": exercises, "compare": compare}

    def to_markdown(self, templates: str | Path | None = None, figures: dict | None = None) -> str:
        return render("sheet.md.j2", self.view(figures), "md", templates)

    def to_latex(self, templates: str | Path | None = None, fragment: bool = False, figures: dict | None = None) -> str:
        return render("body.tex.j2" if fragment else "sheet.tex.j2", self.view(figures), "tex", templates)

    def to_pdf(self, templates: str | Path | None = None, figures: dict | None = None, files: dict | None = None) -> bytes:
        """The PDF; with `figures`, `files` maps each figure's path to its PDF bytes."""
        from .pdf import compile_pdf

        return compile_pdf(self.to_latex(templates, figures=figures), files)

    def to_dict(self) -> dict:
        return {
            "title": self.spec.title,
            "exercises": [
                {
                    "optimizer": w.exercise.optimizer.key,
                    "function": w.exercise.function_text,
                    "variables": list(w.exercise.variables),
                    "gradient": w.gradient,
                    "hyper": {h: _decimal(q) for h, q in w.exercise.hyper.items()},
                    "options": w.exercise.optimizer.effective_options(w.exercise.options),
                    "start": {v: _decimal(q) for v, q in w.exercise.start.items()},
                    "numbers": str(w.exercise.numbers),
                    "diverged": w.diverged is not None,
                    "diverged_at": None if w.diverged is None else {"epoch": w.diverged.epoch, "line": w.diverged.line,
                                                                      "reason": w.diverged.reason.replace("$", "")},
                    "epochs": [
                        {
                            "epoch": e.number,
                            "params": e.params,
                            "lines": [
                                {"quantity": ln.quantity, "variable": ln.variable, "latex": ln.latex, "value": ln.value}
                                for ln in e.lines
                            ],
                        }
                        for e in w.epochs
                    ],
                }
                for w in self.exercises
            ],
        }

    def to_json(self) -> str:
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
            out += [f"$${line}$$" for line in ex["formulas"] + [ex["data"]] + ex["derivatives"]]
            for epoch in ex["epochs"]:
                out.append(f"$$\\text{{{escape_latex(epoch['label'])}}}$$")
                out += [f"$${line}$$" for line in epoch["lines"]]
        return "\n".join(out)


def _has_kink(node) -> bool:
    """Whether f uses abs (or sign): not differentiable everywhere."""
    from .expr import Bin, Call, Neg

    if isinstance(node, Call):
        return node.func in ("abs", "sign") or any(_has_kink(a) for a in node.args)
    if isinstance(node, Neg):
        return _has_kink(node.operand)
    if isinstance(node, Bin):
        return _has_kink(node.left) or _has_kink(node.right)
    return False


def _decimal(q: Fraction) -> str:
    return decimal_text(q) if decimals_of(q) is not None else f"{q.numerator}/{q.denominator}"
