"""symopt: worked solutions of deep-learning optimizers, every digit right.

    >>> import symopt
    >>> sheet = symopt.solve("examples/seed.toml")          # a path, a dict, or a Spec
    >>> print(sheet.to_markdown())                          # also .to_latex(), .to_json()

A spec (TOML or the same structure as a dict) names f, the optimizers, start values,
hyperparameters and a number mode; :func:`solve` derives the gradient once with SymPy, runs every
epoch, and returns a :class:`~symopt.sheet.Solution`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SymoptError
from .spec import Spec, from_dict, load, loads, with_overrides

if TYPE_CHECKING:
    from .sheet import Solution

__all__ = ["SymoptError", "Spec", "Solution", "load", "loads", "solve", "__version__"]
__version__ = "0.1.0"


def solve(
    spec: "Spec | str | Path | dict", *, lang: str | None = None, numbers: str | dict | None = None,
    epochs: int | None = None, mult: str | None = None,
) -> "Solution":
    """Work out every exercise of `spec`.

    `spec` is a :class:`Spec`, a path to a TOML file, or a dict with the TOML structure (floats
    are read by their shortest repr, so 0.1 means 1/10).  The keywords are the CLI's flags and
    override the spec: ``lang``, ``mult``, and ``numbers`` and ``epochs`` for every exercise.
    """
    from .engine import work
    from .sheet import Solution

    if isinstance(spec, (str, Path)):
        spec = load(spec)
    elif isinstance(spec, dict):
        spec = from_dict(spec)
    elif not isinstance(spec, Spec):
        raise SymoptError(f"solve() takes a Spec, a path or a dict, not {type(spec).__name__}")
    spec = with_overrides(spec, lang=lang, numbers=numbers, epochs=epochs, mult=mult)
    worked = []
    for n, exercise in enumerate(spec.exercises, start=1):
        try:
            worked.append(work(exercise, spec.mult))
        except SymoptError as e:
            raise e.within(f"{spec.source}: exercise {n} ({exercise.optimizer.key})") from None
        except RecursionError:
            raise SymoptError("an expression is nested too deeply", f"{spec.source}: exercise {n}") from None
    return Solution(spec, tuple(worked))


def __getattr__(name: str):
    if name == "Solution":  # imported on first use: it brings SymPy in
        from .sheet import Solution

        return Solution
    raise AttributeError(f"module 'symopt' has no attribute {name!r}")
