"""Trajectory tables (the spec's ``table``): after each exercise its epochs, parameters and f(w_t);
when the exercises share f and the start, one comparison of them: the epochs each takes to reach
f's minimum within the tolerance, and its final f.

A table is a plain view for the templates (``table.md.j2``, ``table.tex.j2``): its columns (a
heading and an alignment each), its rows of cells, and the notes under it.  A cell is math (a
number as the sheet's lines write it, ``\\approx`` where exact and precision modes mark a rounded
value), text, or nothing (a dash).  Nothing is computed here: the w of a row is the value the
epoch's w line ends with, and f(w_t) is the engine's (:class:`symopt.engine.Objective`), in the
sheet's number mode.  A later column (the loss on a dataset) is one more entry of the columns and
one more cell per row.

A run longer than the table's rows shows every k-th epoch and the last (:func:`shown_epochs`), and
the table says so.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from .numbers import Policy, Shown, rational_text, value_text

if TYPE_CHECKING:
    from .engine import Objective, Worked
    from .spec import Table

MAX_NAMED = 3  # f's column is headed f(w_1, w_2, w_3) up to this many variables, else f


def shown_epochs(last: int, rows: int) -> tuple[list[int], int]:
    """The epochs a table of at most `rows` rows shows of a run whose last complete epoch is `last`
    (0, the start, included), and the step between them: every epoch when they fit, else every
    k-th (k = ⌈last / (rows − 1)⌉) and the last: 1000 epochs in 21 rows are 0, 50, …, 1000."""
    if last + 1 <= rows:
        return list(range(last + 1)), 1
    step = -(-last // (rows - 1))
    shown = list(range(0, last + 1, step))
    return shown if shown[-1] == last else [*shown, last], step


def _math(shown: Shown | None, approx: bool = False) -> dict:
    if shown is None:
        return {"kind": "none", "value": ""}
    return {"kind": "math", "value": ("\\approx " if approx else "") + shown.text}


def _text(text: str, kind: str = "text") -> dict:
    return {"kind": kind, "value": text}


def _column(head: dict, align: str = "r") -> dict:
    return {"head": head, "align": align}


def parameters(w: Worked) -> dict[int, list[tuple[Shown, bool]]]:
    """Each complete epoch's w per variable as its lines show it (0: the start, as given), with
    whether it is marked rounded (exact and precision modes)."""
    ex = w.exercise
    policy = ex.numbers.policy()
    marks = not ex.numbers.carries
    out = {0: [(policy.given(ex.start[v]), False) for v in ex.variables]}
    for e in w.epochs:
        if not e.values:  # cut short by an overflow
            continue
        last = {line.variable: line for line in e.lines if line.quantity == "w"}
        out[e.number] = [(last[v].shown, marks and last[v].shown.rounded) for v in ex.variables]
    return out


def f_head(w: Worked) -> str:
    """f's column heading: ``f(w_1, w_2)``, as the sheet writes f's arguments (``f`` for many); a
    dataset problem's f is the loss on the data, ``J(w, b)``."""
    notation = w.notation
    assert notation is not None, "work() gives every exercise its notation"
    variables = w.exercise.variables
    letter = "f" if w.exercise.data is None else "J"
    if len(variables) > MAX_NAMED:
        return letter
    return letter + "(" + ("; " if w.exercise.numbers.comma else ", ").join(notation.variable(v) for v in variables) + ")"


def data_table(w: Worked, words: dict) -> dict:
    """A dataset problem's data: a row per sample, its number i and each column's value as given."""
    data = w.exercise.data
    assert data is not None and w.notation is not None, "a dataset problem's worked exercise"
    policy = w.exercise.numbers.policy()
    columns = [_column(_text("i", "math")), *(_column(_text(w.notation.variable(c), "math")) for c, _ in data.columns)]
    rows = [[_text(str(i + 1)), *(_math(policy.given(values[i])) for _, values in data.columns)] for i in range(data.n)]
    return {"caption": words["data"].format(n=data.n), "columns": columns, "rows": rows, "notes": []}


def trajectory(w: Worked, table: Table, words: dict) -> dict:
    """The exercise's trajectory table: epoch, each parameter, f(w_t)."""
    notation = w.notation
    assert notation is not None, "work() gives every exercise its notation"
    params = parameters(w)
    objective = {o.epoch: o for o in w.objective}
    epochs, step = shown_epochs(max(params), table.rows)
    steps = w.exercise.data is not None and w.exercise.data.batch is not None  # rows of steps, not of epochs
    columns = [_column(_text(words["step_column" if steps else "epoch_column"])), *(_column(_text(notation.variable(v), "math")) for v in w.exercise.variables),
               _column(_text(f_head(w), "math"))]
    rows = []
    for t in epochs:
        o = objective.get(t)
        rows.append([_text(str(t)), *(_math(s, approx) for s, approx in params[t]),
                     _math(None if o is None else o.shown, o is not None and o.approx)])
    notes = []
    if step > 1:
        notes.append(words["every_step" if steps else "every"].format(k=step, last=epochs[-1]))
    if any(row[-1]["kind"] == "none" for row in rows):
        notes.append(words["no_value"])
    return {"caption": words["trajectory_steps" if steps else "trajectory"], "columns": columns, "rows": rows, "notes": notes}


def reached(objective: tuple[Objective, ...], level: Fraction) -> int | None:
    """The first epoch t (0: the start) at which f(w_t) <= `level`, by f's value as the run computed
    it (exact, to the mode's digits, or the carried one by hand); None when no epoch does."""
    for o in objective:
        if o.value is not None and Fraction(o.value) <= level:
            return o.epoch
    return None


def comparison(worked: tuple[Worked, ...], table: Table, words: dict, policy: Policy) -> dict:
    """One row per exercise: its number, optimizer, epochs worked, epochs to reach f's minimum
    within the tolerance (stated in a note under the table), and its final f."""
    first = worked[0]
    notation = first.notation
    assert notation is not None, "work() gives every exercise its notation"
    data = first.exercise.data  # a dataset problem's runs are compared in steps, by the loss on the data J
    heads = words["compare_columns" if data is None else "compare_columns_steps"]
    columns = [_column(_text(heads[0])), _column(_text(heads[1]), "l"), *(_column(_text(h, "rich")) for h in heads[2:])]
    rows = []
    for n, w in enumerate(worked, start=1):
        last = w.objective[-1] if w.objective else None
        run = str(last.epoch if last is not None else 0)
        at = reached(w.objective, table.level)
        rows.append([_text(str(n)), _text(w.exercise.optimizer.title),
                     _text(words["diverges"].format(k=run) if w.diverged is not None else run),
                     _math(None) if at is None else _text(str(at)),
                     _math(None if last is None else last.shown, last is not None and last.approx)])
    note = words["reach" if data is None else "reach_steps"].format(
        f=f"{'f' if data is None else 'J'}({notation.now('w')})", level=policy.given(table.level).text,
        tolerance=policy.given(table.tolerance).text, minimum=policy.given(table.minimum).text)
    return {"caption": words["comparison"], "columns": columns, "rows": rows, "notes": [note]}


def _value(o: Objective) -> dict:
    return {"epoch": o.epoch, "value": None if o.value is None else value_text(o.value),
            "shown": None if o.shown is None else o.shown.plain, "relation": None if o.shown is None else "≈" if o.approx else "="}


def objective_dicts(w: Worked) -> list[dict]:
    """f(w_t) of every epoch (not only those a table shows), for JSON."""
    return [_value(o) for o in w.objective]


def comparison_dict(worked: tuple[Worked, ...], table: Table) -> dict:
    """The comparison's data, for JSON: the criterion and each exercise's epochs to reach and final f."""
    return {
        "tolerance": rational_text(table.tolerance), "minimum": rational_text(table.minimum), "level": rational_text(table.level),
        "exercises": [{"exercise": n, "optimizer": w.exercise.optimizer.key, "epochs": w.objective[-1].epoch if w.objective else 0,
                       "diverged": w.diverged is not None, "reached": reached(w.objective, table.level),
                       "final": _value(w.objective[-1]) if w.objective else None}
                      for n, w in enumerate(worked, start=1)],
    }
