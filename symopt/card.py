"""The reference card: every optimizer with its hyperparameters, state, rules and options.

``symopt optimizers`` prints it in each format of :data:`symopt.formats.FORMATS` that offers it
(text, Markdown, LaTeX, PDF), for a teacher to pin up or hand out.  The formulas are printed from the same rules the engine runs, so the card cannot drift
from what the sheets compute.  Each option's choice shows the note a sheet prints for it and which
PyTorch, optax or Keras setting gives the same steps (:attr:`Choice.frameworks`), which a sheet
shows only when its spec says ``notes = "frameworks"``.
"""

from __future__ import annotations

from pathlib import Path

from . import formats, labels
from .engine import rule_formulas
from .numbers import constant_latex, exact
from .optimizers import OPTIMIZERS, Optimizer, name_latex


def view(lang: str = "en", optimizers: dict[str, Optimizer] | None = None) -> dict:
    """What the card templates see."""
    entries = []
    for opt in (optimizers or OPTIMIZERS).values():
        rules, _ = opt.choose({})
        notation = opt.notation(("w1", "w2"))  # the reference sheet's names
        defaults = opt.effective_options({})
        entries.append({
            "key": opt.key,
            "title": opt.title,
            "hyper": [name_latex(h) + (f" = {constant_latex(exact(opt.hyper_defaults[h]))}" if h in opt.hyper_defaults else "")
                      for h in opt.hyper_for({})],
            "state": [f"{_start_name(notation, s)} = {_start(opt, s)}" for s in opt.state_for({})],
            "formulas": rule_formulas(notation, rules, set(opt.all_hyper())),
            "options": [
                {"name": option, "choices": [
                    {"value": _toml(value), "default": value == defaults[option], "note": notation.fill(choice.note.get(lang, "")),
                     "frameworks": choice.frameworks.get(lang, ""),
                     # what the choice adds, as the sheet prints it: hyperparameters (\lambda), state (S_{max})
                     "adds": ", ".join([name_latex(h) for h in choice.hyper] + [notation.now(x) for x in choice.state])}
                    for value, choice in choices.items()]}
                for option, choices in opt.options.items()
            ],
        })
    return {"lang": lang, "labels": labels.words(lang, "card"), "optimizers": entries}


def _start_name(notation, state: str) -> str:
    """A state's start: ``V_{t-1}`` per variable, ``\\Pi_0`` for a quantity of the epoch."""
    return notation.line(state, epoch=0) if state in notation.per_epoch else notation.prev(state)


def _start(opt: Optimizer, state: str) -> str:
    first = opt.start.get(state, "0")
    return name_latex(first) if first in opt.all_hyper() else first


def _toml(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else f'"{value}"'


def to_text(lang: str = "en") -> str:  # the text format's maker (symopt/formats.py)
    card = view(lang)
    labels = card["labels"]
    out = [labels["title"], ""]
    for o in card["optimizers"]:
        out.append(f"{o['key']}: {o['title']}")
        out.append(f"  {labels['hyper']}: {', '.join(o['hyper'])}")
        out.append(f"  {labels['state']}: {', '.join(o['state']) or labels['none']}")
        out += [f"    {f}" for f in o["formulas"]]
        for option in o["options"]:
            choices = ", ".join(c["value"] + (f" ({labels['default']})" if c["default"] else "") for c in option["choices"])
            out.append(f"  {option['name']}: {choices}")
            for c in option["choices"]:
                if c["note"] or c["adds"]:
                    adds = f" (+ {c['adds']})" if c["adds"] else ""
                    out.append(f"    {c['value']}{adds}" + (f": {c['note'].replace('$', '')}" if c["note"] else ""))
                if c["frameworks"]:
                    out.append(f"      {labels['frameworks']}: {c['frameworks'].replace('$', '')}")
        out.append("")
    return "\n".join(out)


def make(fmt: str, lang: str = "en", templates: str | Path | None = None) -> formats.Made:
    """The card in output format `fmt` (an entry of :data:`symopt.formats.FORMATS`): text, or bytes
    for a binary format (PDF)."""
    return formats.produce(fmt, "card", lambda: view(lang), lang, templates)


def to_markdown(lang: str = "en", templates: str | Path | None = None) -> str:
    return formats.as_text(make("md", lang, templates))


def to_latex(lang: str = "en", templates: str | Path | None = None) -> str:
    """The card as a LaTeX document; its preamble is the shared preamble.tex.j2 (a user's `templates`
    folder overrides either by name)."""
    return formats.as_text(make("tex", lang, templates))
