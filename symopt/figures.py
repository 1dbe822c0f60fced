"""Figures: each exercise's path on the contours of f, its loss per epoch, and all optimizers at once.

Two variables: contours of f around the path, a marker and label per epoch, start and minimum
marked, plus f(w_t) per epoch.  One variable: the curve of f with the points.  Three or more: the
loss curve only.  The path drawn is the computed one: each function returns the coordinates it
plotted, and a test compares them with the trace.

matplotlib (Agg, no display) is an optional extra, ``pip install 'symopt[plot]'``.  Figures are
deterministic: DejaVu Sans (bundled with matplotlib), a fixed SVG hash salt, and no dates in SVG or
PDF metadata, so rerunning does not change the files.

Titles and optimizer names are the spec's text: :func:`_text` draws their ``$...$`` as math only when
matplotlib's parser reads it, else literally (a ``$\\frac{$`` in a name is text, not a crash).  Values
past 10^300 (exp(w1) at w1 = 710) are gaps in a curve, not an error.  A long run is drawn
in full as a line, with markers and epoch labels thinned to :data:`MARKED` points (10 000 labelled
points took 50 s a figure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import io
from typing import TYPE_CHECKING, Any

from .errors import SymoptError
from .expr import Call, Name, Neg, Node, Num
from .functions import TABLE

if TYPE_CHECKING:
    from .engine import Worked

INSTALL_HINT = "figures need matplotlib: pip install 'symopt[plot]' (or pip install matplotlib), or use --figures none"
MARKED = 40  # a path of more points has only its first MARKED/2 and its last marked and labelled
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


@dataclass(frozen=True)
class Figure:
    name: str  # file name without extension: ex1-path
    title: str
    images: dict[str, bytes]  # format -> bytes
    points: tuple[tuple[float, ...], ...]  # what was plotted: the start, then w after each epoch


def _pyplot() -> Any:  # matplotlib.pyplot (matplotlib is untyped)
    try:
        import matplotlib
    except ImportError:
        raise SymoptError(INSTALL_HINT) from None
    matplotlib.use("Agg")
    matplotlib.rcParams.update({
        "svg.hashsalt": "symopt", "font.family": "DejaVu Sans", "figure.dpi": 100, "savefig.dpi": 100,
        "path.simplify": False,
    })
    import matplotlib.pyplot as plt

    return plt


def _text(text: str) -> str:
    """`text` as matplotlib should draw it: its ``$...$`` math kept when matplotlib's mathtext reads
    every part of it, else every ``$`` escaped, so the text is drawn as written."""
    parts = text.replace("\\$", "").split("$")
    if len(parts) == 1:
        return text
    if len(parts) % 2 == 1:  # paired dollars: the odd parts are math
        from matplotlib.mathtext import MathTextParser

        try:
            parser = MathTextParser("path")
            for math in parts[1::2]:
                parser.parse(f"${math}$")
            return text
        except (ValueError, RecursionError, IndexError, KeyError):
            pass
    return text.replace("\\$", "$").replace("$", "\\$")


def _title(text: str, width: int = 70, lines: int = 3) -> str:
    """A figure's title (or a legend's label) as :func:`_text` draws it, wrapped at `width`
    characters on at most `lines` lines (a 300-character sheet title made the figure 20 inches
    wide, an 80-character optimizer name ran over the next panel).  A text with math is kept on one
    line: a break inside ``$...$`` would break the math."""
    import textwrap

    if len(text) <= width or "$" in text:
        return _text(text)
    return _text(textwrap.fill(text, width, max_lines=lines, placeholder=" …"))


def _label(text: str) -> str:
    return _title(text, 30, 2)


def _tight(fig: Any) -> None:
    """The figure's layout made tight, silently: with many long legend labels matplotlib cannot,
    and says so on stderr (a second line after the file names); the figure is drawn as it is."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Tight layout not applied", category=UserWarning)
        fig.tight_layout()


def _marked(count: int, spread: bool = False) -> list[int]:
    """Indices of the points (0 is the start) drawn with a marker and labelled: all of a short path;
    of a long one its first :data:`MARKED`/2 (where a path moves; late epochs crowd at the minimum)
    and its last, or, `spread`, about :data:`MARKED` evenly (a loss curve over the epochs)."""
    if count <= MARKED:
        return list(range(count))
    if spread:
        return sorted({*range(0, count, -(-count // MARKED)), count - 1})
    return [*range(MARKED // 2), count - 1]


BEYOND = 1e300  # past it a value is a gap in a curve, as a run past 10^300 diverges on the sheet


def _finite(values: Any) -> Any:
    """Values past :data:`BEYOND` (or a float's overflow) as nan: matplotlib leaves a gap there, where
    its tick arithmetic (a range of 10^308) would overflow."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(values) <= BEYOND, values, np.nan)


def grid_values(node: Node, env: dict[str, Any]) -> Any:  # a float or a numpy array, as env's values
    """f on a numpy grid (vectorised; only for drawing contours, never for the sheet's numbers)."""
    import numpy as np

    if isinstance(node, Num):
        return float(node.value)
    if isinstance(node, Name):
        return np.pi if node.id == "pi" else env[node.id]
    if isinstance(node, Neg):
        return -grid_values(node.operand, env)
    if isinstance(node, Call):
        arg = grid_values(node.args[0], env)
        function = TABLE[node.func].numpy
        assert function is not None, node.func  # every function f may use has numpy's name
        return getattr(np, function)(arg)
    left, right = grid_values(node.left, env), grid_values(node.right, env)
    return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}[node.op](left, right)


def trace(worked: Worked) -> tuple[tuple[float, ...], ...]:
    """The start and w after each epoch, as floats."""
    ex = worked.exercise
    points = [tuple(float(ex.start[v]) for v in ex.variables)]
    points += [tuple(float(e.values[v]) for v in ex.variables) for e in worked.epochs]
    return tuple(points)


def _save(fig: Any, formats: tuple[str, ...]) -> dict[str, bytes]:
    images = {}
    for fmt in formats:
        buffer = io.BytesIO()
        metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}[fmt]
        fig.savefig(buffer, format=fmt, metadata=metadata, bbox_inches="tight")
        images[fmt] = buffer.getvalue()
    return images


def _window(points: Sequence[tuple[float, ...]], margin: float = 0.25) -> list[tuple[float, float]]:
    """Plot limits around the points, a little wider than them."""
    lows = [min(p[i] for p in points) for i in range(2)]
    highs = [max(p[i] for p in points) for i in range(2)]
    out = []
    for lo, hi in zip(lows, highs, strict=True):
        span = max(hi - lo, 1e-9, 0.2 * max(abs(lo), abs(hi)))
        out.append((lo - margin * span, hi + margin * span))
    return out


def feature(worked: Worked) -> str | None:
    """The one feature of a dataset problem's model (linear or logistic regression on x), whose data
    and fitted curve a figure draws; None for any other problem."""
    data = worked.exercise.data
    if data is None or data.model is None or len(data.columns) != 2:
        return None
    return next(c for c, _ in data.columns if c != "y")


def fitted(worked: Worked, params: tuple[float, ...], xs: Any) -> Any:
    """The model's prediction ŷ at the feature's values `xs` (a numpy array) for the parameters
    `params` (in the exercise's order), by its own per-sample rules: w x + b, σ(w x + b)."""
    import numpy as np

    ex = worked.exercise
    x = feature(worked)
    assert ex.data is not None and x is not None, "a model of one feature"
    env: dict[str, Any] = dict(zip(ex.variables, params, strict=True))
    env[x] = np.asarray(xs, dtype=float)
    with np.errstate(all="ignore"):
        for q, tree in ex.data.samples:
            env[q] = grid_values(tree, env) * np.ones_like(env[x])
            if q == "yhat":  # (the error after it needs y)
                return env[q]
    raise AssertionError("a model predicts yhat")


def _fit_panel(ax: Any, worked: Worked, points: tuple[tuple[float, ...], ...]) -> None:
    """The data and the fitted curve: at the start (dashed) and after the last step."""
    import numpy as np

    ex = worked.exercise
    x = feature(worked)
    assert ex.data is not None and x is not None
    xs, ys = ([float(v) for v in ex.data.column(c)] for c in (x, "y"))
    span = max(max(xs) - min(xs), 1.0)
    grid = np.linspace(min(xs) - 0.15 * span, max(xs) + 0.15 * span, 200)
    (dots,) = ax.plot(xs, ys, "o", color="black", markersize=5, label="data")
    dots.set_gid("data")
    last = f"after {'step' if ex.data.batch is not None else 'epoch'} {len(points) - 1}"
    for params, style, label, gid in ((points[0], "--", "start", "fit-start"), (points[-1], "-", last, "fit")):
        (line,) = ax.plot(grid, _finite(fitted(worked, params, grid)), style, color=COLOURS[1] if gid == "fit" else "gray",
                          linewidth=1.4, label=label)
        line.set_gid(gid)
    ax.set_xlabel(f"${_latex_name(x)}$")
    ax.set_ylabel("$y$")
    ax.legend(loc="best", fontsize=8)
    ax.set_title("data and fitted line" if ex.data.model == "linear" else "data and fitted model", fontsize=10)


def path_figure(worked: Worked, name: str, title: str, formats: tuple[str, ...]) -> Figure:
    """The exercise's path on f's contours (2 variables), on f's curve (1), or its loss (3+); a
    dataset problem's f is the loss on the data J, drawn per step, and a model of one feature adds
    the data and its fitted curve."""
    import numpy as np

    plt = _pyplot()
    ex = worked.exercise
    points = trace(worked)
    labels = [_latex_name(v) for v in ex.variables]
    with np.errstate(all="ignore"):
        losses = list(_finite([grid_values(ex.function, dict(zip(ex.variables, p, strict=True))) for p in points]))
    marked = _marked(len(points))
    shown, name_of_path = _title(title, 60), _label(ex.optimizer.title)
    fit = feature(worked) is not None
    columns = (2 if len(ex.variables) <= 2 else 1) + fit
    fig, axes = plt.subplots(1, columns, figsize=(5 * columns if columns > 1 else 5.5, 4.2))
    axes = list(np.atleast_1d(axes))
    if fit:
        _fit_panel(axes.pop(), worked, points)
    if len(ex.variables) == 2:
        (x0, x1), (y0, y1) = _window(points)
        xs, ys = np.meshgrid(np.linspace(x0, x1, 240), np.linspace(y0, y1, 240))
        with np.errstate(all="ignore"):
            zs = _finite(grid_values(ex.function, {ex.variables[0]: xs, ex.variables[1]: ys}) * np.ones_like(xs))
        ax = axes[0]
        contours = ax.contour(xs, ys, zs, levels=18, cmap="viridis", linewidths=0.8)
        contours.set_gid("contours")
        px, py = [p[0] for p in points], [p[1] for p in points]
        (line,) = ax.plot(px, py, "-o", color=COLOURS[1], markersize=4, linewidth=1.4, label=name_of_path, markevery=marked)
        line.set_gid("path")
        ax.plot(px[:1], py[:1], "s", color="black", markersize=7, label="start")
        i, j = np.unravel_index(np.nanargmin(zs), zs.shape) if np.isfinite(zs).any() else (0, 0)
        if 0 < i < zs.shape[0] - 1 and 0 < j < zs.shape[1] - 1:  # a minimum inside the view, not its edge
            ax.plot([xs[i, j]], [ys[i, j]], "*", color="black", markersize=11, label="minimum")
        for k in marked[1:]:
            ax.annotate(str(k), points[k][:2], textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.set_xlabel(f"${labels[0]}$")
        ax.set_ylabel(f"${labels[1]}$")
        ax.legend(loc="best", fontsize=8)
        ax.set_title(shown, fontsize=10)
    elif len(ex.variables) == 1:
        ax = axes[0]
        xs_p = [p[0] for p in points]
        lo, hi = min(xs_p), max(xs_p)
        span = max(hi - lo, 1e-9, 0.2 * max(abs(lo), abs(hi)))
        xs = np.linspace(lo - 0.3 * span, hi + 0.3 * span, 400)
        with np.errstate(all="ignore"):
            ax.plot(xs, _finite(grid_values(ex.function, {ex.variables[0]: xs}) * np.ones_like(xs)), color="gray", linewidth=1)
        (line,) = ax.plot(xs_p, losses, "-o", color=COLOURS[1], markersize=4, label=name_of_path, markevery=marked)
        line.set_gid("path")
        ax.plot(xs_p[:1], losses[:1], "s", color="black", markersize=7, label="start")
        for k in marked[1:]:
            if np.isfinite(losses[k]):
                ax.annotate(str(k), (xs_p[k], losses[k]), textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.set_xlabel(f"${labels[0]}$")
        ax.set_ylabel("$f$")
        ax.legend(loc="best", fontsize=8)
        ax.set_title(shown, fontsize=10)
    loss_ax = axes[-1]
    (loss_line,) = loss_ax.plot(range(len(losses)), losses, "-o", color=COLOURS[0], markersize=4, markevery=_marked(len(losses), spread=True))
    loss_line.set_gid("loss")
    from matplotlib.ticker import MaxNLocator

    loss_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    steps = ex.data is not None and ex.data.batch is not None
    loss_ax.set_xlabel("step" if steps else "epoch")
    loss_ax.set_ylabel("$f(w_t)$" if ex.data is None else "$J$, the loss on the data")
    loss_ax.set_title("loss" if len(ex.variables) <= 2 else f"{shown}: loss ({len(ex.variables)} variables: no contour)", fontsize=10)
    if len(ex.variables) > 2:
        loss_ax.title.set_gid("no-contour-note")
    _tight(fig)
    images = _save(fig, formats)
    plt.close(fig)
    return Figure(name, title, images, points)


def compare_figure(worked_list: list[Worked], name: str, title: str, formats: tuple[str, ...]) -> Figure | None:
    """Every exercise's path on one contour map (same f, same start, 2 variables), one colour each."""
    import numpy as np

    if not worked_list or len(worked_list[0].exercise.variables) != 2:
        return None
    plt = _pyplot()
    first = worked_list[0].exercise
    paths = [trace(w) for w in worked_list]
    (x0, x1), (y0, y1) = _window([p for path in paths for p in path])
    xs, ys = np.meshgrid(np.linspace(x0, x1, 240), np.linspace(y0, y1, 240))
    with np.errstate(all="ignore"):
        zs = _finite(grid_values(first.function, {first.variables[0]: xs, first.variables[1]: ys}) * np.ones_like(xs))
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.contour(xs, ys, zs, levels=18, cmap="Greys", linewidths=0.7)
    for k, (w, path) in enumerate(zip(worked_list, paths, strict=True)):
        ax.plot([p[0] for p in path], [p[1] for p in path], "-o", markersize=3, linewidth=1.3, markevery=_marked(len(path)),
                color=COLOURS[k % len(COLOURS)], label=_label(w.exercise.optimizer.title))
    ax.plot([paths[0][0][0]], [paths[0][0][1]], "s", color="black", markersize=7, label="start")
    labels = [_latex_name(v) for v in first.variables]
    ax.set_xlabel(f"${labels[0]}$")
    ax.set_ylabel(f"${labels[1]}$")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(_title(title), fontsize=10)
    _tight(fig)
    images = _save(fig, formats)
    plt.close(fig)
    return Figure(name, title, images, tuple(p for path in paths for p in path))


def _latex_name(variable: str) -> str:
    from .optimizers import name_latex

    return name_latex(variable)
