"""The house: the package's layout (who may import whom), the one tree walker, the one number
display, and a sheet's view made once."""

from __future__ import annotations

import ast
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from conftest import SEED_SPEC
import symopt
from symopt import numbers, sheet
from symopt.expr import RULE_FUNCTIONS, Name, children, map_names, names, parse, replaced, walk

PACKAGE = Path(symopt.__file__).resolve().parent


# -- layout ------------------------------------------------------------------------------------------

def module_name(path: Path) -> str:
    """``symopt/check/ball.py`` -> ``symopt.check.ball``; a package's ``__init__.py`` is the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module `source` (the text of `module`) imports anywhere: at the top, inside functions
    (lazy imports), under TYPE_CHECKING.  ``from X import a`` imports X and, when a is a module,
    X.a, so both are listed."""
    package = module if is_package else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{alias.name}" for alias in node.names)
    return out


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def layout_breaches() -> list[str]:
    """Each import that goes against the layout of "How it is built": the core modules import
    neither the checker nor the exam, the exam not the checker nor the command, and the checker
    not the exam nor the command."""
    rules = [  # (the modules, the packages they must not import)
        (lambda p: p.parent == PACKAGE and p.name not in ("cli.py", "__init__.py"), ("symopt.check", "symopt.exam")),
        (lambda p: PACKAGE / "exam" in p.parents, ("symopt.check", "symopt.cli")),
        (lambda p: PACKAGE / "check" in p.parents, ("symopt.exam", "symopt.cli")),
    ]
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        found = imported(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
        for applies, forbidden in rules:
            if applies(path):
                out += [f"{module} imports {name}" for name in sorted(found) if any(within(name, p) for p in forbidden)]
    return out


def test_every_module_imports_only_what_the_layout_allows():
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    assert {"symopt.sheet", "symopt.check.checker", "symopt.exam.papers"} <= modules  # the walk found the tree
    assert layout_breaches() == []


def test_the_layout_test_sees_every_kind_of_import():
    lazy = "def f():\n    from ..check import report\n    return report\n"
    assert "symopt.check" in imported(lazy, "symopt.exam.papers")
    assert "symopt.check.gradebook" in imported("from .check import gradebook\n", "symopt.sheet")
    assert "symopt.check" in imported("from . import check\n", "symopt.engine")
    assert "symopt.exam.variants" in imported("if True:\n    import symopt.exam.variants\n", "symopt.spec")
    assert "symopt.cli" in imported("from .. import cli\n", "symopt.check", is_package=True)
    assert "symopt.labels" in imported("from .. import labels\n", "symopt.exam.variants")
    assert not within("symopt.checks", "symopt.check")


# -- the one tree walker --------------------------------------------------------------------------------

TREES = ["0.1*w1**2 + 2*w2**2", "-(1 - x)^2 + 100*(y - x^2)^2/sqrt(3 + sin(-y))", "x", "where(a > b, max(x, -y), 2)"]


def preorder(node):
    return [node, *(n for child in children(node) for n in preorder(child))]


@pytest.mark.parametrize("text", TREES)
def test_walk_is_the_pre_order_of_children(text):
    tree = parse(text, RULE_FUNCTIONS)
    assert list(walk(tree)) == preorder(tree)
    assert replaced(tree, lambda n: None) == tree
    renamed = map_names(tree, lambda name: name + "0")
    assert renamed == replaced(tree, lambda n: Name(n.id + "0") if isinstance(n, Name) else None)
    assert names(renamed) == {name + "0" for name in names(tree)}


# -- the one number display -------------------------------------------------------------------------------

def test_the_number_texts():
    assert numbers.rational_text(Fraction(-529, 125)) == "-4.232"
    assert numbers.rational_text(Fraction(64)) == "64"
    assert numbers.rational_text(Fraction(-2, 3)) == "-2/3"
    assert numbers.inline_text(Fraction(-1, 2)) == "(-0.5)"
    assert numbers.inline_text(Fraction(0)) == "0"
    assert numbers.value_text(Decimal("-4.60030")) == "-4.6003"
    assert numbers.value_text(Fraction(1, 3)) == "1/3"
    for q, latex, plain in ((Fraction(-2117, 10**12), "-2.117 \\cdot 10^{-9}", "-2.117e-9"),
                            (Fraction(1, 3 * 10**10), "3.333 \\cdot 10^{-11}", "3.333e-11"), (Fraction(5, 10**7), "5 \\cdot 10^{-7}", "5e-7")):
        assert numbers.scientific_text(q, 4) == latex and numbers.scientific_plain(q, 4) == plain
    with pytest.raises(ValueError):
        numbers.inline_text(Fraction(1, 3))


# -- a sheet's view, made once ------------------------------------------------------------------------------

def test_a_solution_makes_its_view_once(monkeypatch):
    solution = symopt.solve(SEED_SPEC)
    calls = []
    real = sheet.function_latex

    def counted(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(sheet, "function_latex", counted)
    first = solution.view()
    markdown, latex = solution.to_markdown(), solution.to_latex()
    assert len(calls) == 1 and first == solution.view()
    assert markdown == symopt.solve(SEED_SPEC).to_markdown() and latex == symopt.solve(SEED_SPEC).to_latex()


def test_a_view_is_the_callers_to_add_to():
    solution = symopt.solve(SEED_SPEC)
    view = solution.view({"dir": "seed-figures", "ext": "svg", "names": ["ex1-path", "compare"]})
    assert view["exercises"][0]["figure"] == "seed-figures/ex1-path.svg" and view["compare"] == "seed-figures/compare.svg"
    view["footer"] = "variant 1"
    view["exercises"][0]["task"] = "work out 2 epochs"
    again = solution.view()
    assert "footer" not in again and "task" not in again["exercises"][0]
    assert again["exercises"][0]["figure"] is None and again["compare"] is None
