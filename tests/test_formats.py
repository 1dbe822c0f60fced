"""The output formats are one table (symopt/formats.py): a format added to it at runtime is offered,
listed, written and printed by the CLI with no other code changed, and the CLI's --format choices are
exactly the table's."""

from __future__ import annotations

import argparse

import pytest

from conftest import SEED_SPEC
import symopt
from symopt import card, formats
from symopt.cli import build_parser, main
from symopt.formats import FORMATS, Format

TXT_TEMPLATE = """\
{{ title | escape }}
{% for ex in exercises %}
{{ ex.heading | escape }}: {{ ex.epochs | length }} epochs
{% endfor %}
"""


def format_option(command: str) -> argparse.Action:
    """The --format option of `command` in a freshly built parser."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return next(a for a in sub.choices[command]._actions if "--format" in a.option_strings)


def help_of(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines: compare words


def test_a_format_from_a_template_is_one_entry(tmp_path, monkeypatch, capsys):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "sheet.txt.j2").write_text(TXT_TEMPLATE, encoding="utf-8")
    monkeypatch.setitem(FORMATS, "txt", Format("txt", "plain text", "txt", templates={"sheet": "sheet.txt.j2"},
                                               escape=str.upper, commands=("render",)))
    out = tmp_path / "out"
    assert main(["render", str(SEED_SPEC), "--format", "txt", "-o", str(out), "--templates", str(templates)]) == 0
    assert capsys.readouterr().out == f"{out / 'seed.txt'}\n"
    view = symopt.solve(SEED_SPEC).view()
    expected = view["title"].upper() + "\n" + "".join(f"{ex['heading'].upper()}: {len(ex['epochs'])} epochs\n" for ex in view["exercises"])
    assert (out / "seed.txt").read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in out.iterdir()) == ["seed.txt"]
    # next to the others, in one run, and listed by the help and the error for a bad --format
    assert main(["render", str(SEED_SPEC), "--format", "md,txt", "-o", str(out), "--templates", str(templates)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["seed.md", "seed.txt"]
    text = help_of(capsys, "render")
    assert "comma-separated: md, tex, pdf, txt (default: md,tex, and pdf when TeX is installed)" in text
    assert "(sheet.md.j2, sheet.tex.j2, body.tex.j2, sheet.txt.j2)" in text
    assert "as Markdown, LaTeX, PDF and plain text files" in help_of(capsys)
    assert main(["render", str(SEED_SPEC), "--format", "docx", "-o", str(out)]) == 2
    assert capsys.readouterr().err == "symopt: error: --format: unknown format 'docx'; use a comma-separated list of md, tex, pdf, txt\n"


def test_a_format_made_from_another_is_one_entry(tmp_path, monkeypatch, capsys):
    def plain(md: str, files: dict | None) -> str:
        return md.replace("$$", "")

    monkeypatch.setitem(FORMATS, "txt", Format("txt", "plain text", "txt", source="md", convert=plain,
                                               commands=("render", "optimizers")))
    out = tmp_path / "out"
    assert main(["render", str(SEED_SPEC), "--format", "txt", "-o", str(out)]) == 0
    assert (out / "seed.txt").read_text(encoding="utf-8") == symopt.solve(SEED_SPEC).to_markdown().replace("$$", "")
    capsys.readouterr()
    assert main(["optimizers", "--format", "txt"]) == 0
    assert capsys.readouterr().out == card.to_markdown().replace("$$", "")
    assert main(["render", str(SEED_SPEC), "--format", "txt", "--fragment", "-o", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "symopt: error: --fragment: a fragment has no plain text; drop txt from --format or drop --fragment"]
    assert "text (default), md, tex, pdf (needs -o and TeX), or txt" in help_of(capsys, "optimizers")


@pytest.mark.parametrize("command", ["render", "solve", "optimizers", "exam"])
def test_the_cli_offers_exactly_the_tables_formats(command, monkeypatch, capsys):
    monkeypatch.setitem(FORMATS, "rtf", Format("rtf", "RTF", "rtf", templates={"sheet": "sheet.rtf.j2"}, commands=(command,)))
    offered = formats.names(command)
    assert offered[-1] == "rtf" and len(offered) > 1
    option = format_option(command)
    if option.choices is not None:  # one format: argparse's choices
        assert list(option.choices) == offered
    else:  # a comma-separated list: each of the table's, and nothing else
        from symopt.cli import _formats

        assert _formats(",".join(offered), command) == offered
        for other in [name for name in FORMATS if name not in offered] + ["docx"]:
            with pytest.raises(symopt.SymoptError, match=f"unknown format '{other}'; use a comma-separated list of {', '.join(offered)}$"):
                _formats(f"md,{other}", command)
    text = help_of(capsys, command)
    assert ("--format {" + ",".join(offered) + "}" if option.choices is not None else "comma-separated: " + ", ".join(offered)) in text


def test_the_table_gives_the_formats_and_help_of_before(capsys):
    assert {c: formats.names(c) for c in ("render", "solve", "optimizers", "exam")} == {
        "render": ["md", "tex", "pdf"], "solve": ["md", "tex", "json"],
        "optimizers": ["text", "md", "tex", "pdf"], "exam": ["md", "tex", "pdf"]}
    assert format_option("solve").default == "md" and format_option("optimizers").default == "text"
    assert format_option("render").help == format_option("exam").help == "comma-separated: md, tex, pdf (default: md,tex, and pdf when TeX is installed)"
    assert format_option("optimizers").help == "text (default), md, tex, or pdf (needs -o and TeX)"
    assert "print the worked solution of a spec to stdout (md, tex or json)" in help_of(capsys)
    text = help_of(capsys, "render")
    assert "Write DIR/<spec name>.md, .tex and .pdf and print their paths." in text
    assert "LaTeX body only, to \\input into your own document (no PDF)" in text
    assert "override symopt's by name (sheet.md.j2, sheet.tex.j2, body.tex.j2)" in text
