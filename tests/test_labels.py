"""Every word symopt writes for a reader is in one catalogue, symopt.labels: adding a language is
adding its entry.  The test adds one (French, as a teacher in Lyon would want it) and uses it
everywhere: the spec's lang and the CLI's --lang accept it, the sheet, the optimizer card and an
exam variant are written in it, and the checker reads its own sheet back (its headings and epoch
labels are the new language's)."""

from __future__ import annotations

import copy
import tomllib

import pytest

from conftest import ROOT
import symopt
from symopt import labels
from symopt.cli import main
from symopt.exam import variants as exam


@pytest.fixture
def french(monkeypatch):
    entry = copy.deepcopy(labels.TEXT["en"])
    entry["sheet"].update({"exercise": "Exercice {n} : {name}", "epoch": "Époque {k} :",
                           "places": "{d} décimales", "decimals": "{d} décimales, jamais moins de {s} chiffres significatifs"})
    entry["card"]["title"] = "Les optimiseurs de symopt"
    entry["exam"]["variant"] = "Sujet {k}"
    entry["reads"] = {"exercise": ["exercice"], "epoch": ["époque"], "in": ["à"], "and": ["et"]}
    monkeypatch.setitem(labels.TEXT, "fr", entry)
    return "fr"


SPEC = {"function": "0.1*w1**2 + 2*w2**2", "exercise": [
    {"optimizer": "adam", "hyper": {"alpha": "0.2", "beta1": "0.9", "beta2": "0.999", "epsilon": "1e-6"},
     "start": {"w1": "-5", "w2": "-2"}, "epochs": 2, "numbers": "hand:4"}]}


def test_a_language_is_one_entry(french):
    assert labels.languages() == ("en", "vi", "fr")
    md = symopt.solve({**SPEC, "lang": french}).to_markdown()
    assert "## Exercice 1 : Adam" in md and "Époque 1 :" in md and "Époque 2 :" in md and "Epoch" not in md
    assert "4 décimales, jamais moins de 3 chiffres significatifs" in md
    assert "Convention: $\\epsilon$ inside the square root." in md  # an optimizer's note falls back to English
    report, english = symopt.check(md), symopt.check(symopt.solve(SPEC).to_markdown())
    assert report.summary == english.summary and english.summary["lines"] == 31 and not report.errors and not report.warnings


def test_the_reader_takes_the_new_languages_words(french):
    md = symopt.solve({**SPEC, "lang": "en"}).to_markdown()
    french_md = md.replace("## Exercise 1: Adam", "Exercice 1 : Adam").replace("Epoch ", "Époque ")
    wrong = french_md.replace("= -4.8$$", "= -4.7$$", 1)
    assert [f.kind for f in symopt.check(wrong).errors] == ["arithmetic"]


def test_the_cli_card_and_exam_speak_it(french, tmp_path, capsys):
    (tmp_path / "s.toml").write_text('lang = "fr"\nfunction = "w1**2"\n[[exercise]]\noptimizer = "gd"\n'
                                     'hyper = { alpha = 0.1 }\nstart = { w1 = 1 }\nepochs = 1\n', encoding="utf-8")
    assert main(["render", str(tmp_path / "s.toml"), "-o", str(tmp_path), "--format", "md"]) == 0
    assert "Exercice 1 : Gradient Descent" in (tmp_path / "s.md").read_text(encoding="utf-8")
    assert main(["optimizers", "--lang", "fr"]) == 0
    assert "Les optimiseurs de symopt" in capsys.readouterr().out
    data = tomllib.loads((ROOT / "examples" / "exam.toml").read_text(encoding="utf-8"))
    variant = exam.draw(exam.template({**data, "lang": "fr"}), 3)
    assert variant.spec["title"] == "Optimizers: quiz · Sujet 3"


def test_an_unknown_language_is_refused_with_the_known_ones():
    with pytest.raises(symopt.SymoptError, match="unknown language 'fr'; use en or vi"):
        symopt.solve({**SPEC, "lang": "fr"})
