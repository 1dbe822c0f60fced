"""Shared paths, the seed solution, and the switches that make missing tools fail in CI.

TeX and node's KaTeX are real dependencies of some tests.  Locally a missing tool skips those
tests; with SYMOPT_REQUIRE_TEX=1 / SYMOPT_REQUIRE_KATEX=1 (set by the README's test command and
so by CI) a missing tool fails them instead.
"""

from __future__ import annotations

import os
from pathlib import Path
import shutil

import pytest

import symopt

ROOT = Path(__file__).resolve().parents[1]
SEED_SPEC = ROOT / "examples" / "seed.toml"
SEED_DOC = ROOT.parent / "shared" / "reference" / "seed-worked-solutions.md"
KATEX_DIR = ROOT / "tests" / "katex"


def seed_doc() -> str:
    """The reference sheet, as it is; its absence fails (CI puts shared/ beside the repo)."""
    if not SEED_DOC.exists():
        pytest.fail(f"the reference sheet is missing: {SEED_DOC} (shared/ must stand beside the repo)")
    return SEED_DOC.read_text(encoding="utf-8")


def require(available: bool, switch: str, what: str) -> None:
    """Skip when `what` is missing, or fail when the `switch` environment variable is set."""
    if available:
        return
    if os.environ.get(switch) == "1":
        pytest.fail(f"{what} is missing but {switch}=1: run the README's test command to install it")
    pytest.skip(f"{what} is not installed (set {switch}=1 to make this a failure)")


@pytest.fixture
def tex():
    require(shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None
            and shutil.which("pdftotext") is not None, "SYMOPT_REQUIRE_TEX", "TeX (latexmk, pdflatex, pdftotext)")


@pytest.fixture
def katex():
    require(shutil.which("node") is not None and (KATEX_DIR / "node_modules" / "katex").is_dir(),
            "SYMOPT_REQUIRE_KATEX", "node with tests/katex/node_modules/katex")
    return KATEX_DIR / "check.js"


@pytest.fixture(scope="session")
def seed_solution():
    return symopt.solve(SEED_SPEC)


def spec(optimizer: str, hyper: dict, *, function: str = "0.1*w1**2 + 2*w2**2", start=None, epochs: int = 2,
         numbers="exact", **extra) -> dict:
    """A one-exercise spec as a dict."""
    exercise = {"optimizer": optimizer, "hyper": hyper, "start": start or {"w1": -5, "w2": -2},
                "epochs": epochs, "numbers": numbers, **extra}
    return {"function": function, "mult": "*", "exercise": [exercise]}  # the exact strings here use the sheet's *
