"""symopt: worked solutions of deep-learning optimizers, every digit right.

    >>> import symopt
    >>> sheet = symopt.solve("examples/seed.toml")          # a path, a dict, or a Spec
    >>> print(sheet.to_markdown())                          # also .to_latex(), .to_json()

A spec (TOML or the same structure as a dict) names f, the optimizers, start values,
hyperparameters and a number mode; :func:`solve` derives the gradient once with SymPy, runs every
epoch, and returns a :class:`~symopt.sheet.Solution`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import check
from .errors import SymoptError
from .spec import Spec, load, loads

if TYPE_CHECKING:
    from .check.report import Report
    from .sheet import Solution, solve

__all__ = ["Report", "Solution", "Spec", "SymoptError", "__version__", "check", "load", "loads", "solve"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    if name in ("Solution", "solve"):  # imported on first use: they bring SymPy in
        from . import sheet

        return getattr(sheet, name)
    if name == "Report":
        from .check.report import Report

        return Report
    raise AttributeError(f"module 'symopt' has no attribute {name!r}")
