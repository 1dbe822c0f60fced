"""symopt exam against hostile and oversized templates: every malformed key is one line naming it,
hostile text reaches no output as markup (Moodle's HTML, Cloze and math filters, spreadsheet
formulas), and the work is bounded: the Moodle writer is linear in the variants, an impossible
requirement gives up within seconds."""

from __future__ import annotations

import csv
from dataclasses import replace
from html.parser import HTMLParser
import io
from pathlib import Path
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
from symopt.errors import SymoptError
from symopt.exam import papers, variants as exam
from symopt.files import csv_cell
from test_exam import BASE as EXAM_BASE

BASE = EXAM_BASE.replace("variants = 3", "variants = 2")  # the exam tests' template, two variants
DRAW = "a = { choice = [0.1, 0.2] }"
TIMEOUT = 60  # seconds for a CLI run that must fail at once; the bounds tests say their own


def cli(tmp_path: Path, text: str, *args: str, timeout: float = TIMEOUT) -> tuple[int, str, Path]:
    """`symopt exam` on a template with `text` in a subprocess: exit code, stderr, output folder."""
    path = tmp_path / "exam.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "symopt", "exam", str(path), "-o", str(out), "-q", "--format", "md", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    return done.returncode, done.stderr, out


def one_line(tmp_path: Path, text: str, message: str, *args: str, timeout: float = TIMEOUT) -> str:
    """The template is refused in one line naming the file and holding `message`, and nothing is written."""
    code, err, out = cli(tmp_path, text, *args, timeout=timeout)
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"symopt: error: {tmp_path / 'exam.toml'}: ") and message in err, err
    assert not out.exists()
    return err


# -- 1. every malformed key of [exam], [draw] and [require]: one line naming it ------------------------------

def draw_entry(entry: str) -> str:
    return BASE.replace(DRAW, f"a = {{ {entry} }}")


NUMBERS = ", ".join(str(k) for k in range(exam.MAX_RANGE + 1))


MALFORMED = [
    (draw_entry("range = [1, 5], exclude = 2"), "draw.a.exclude: must be a list of numbers, like [0]"),
    (draw_entry('range = [1, 5], exclude = "12"'), "draw.a.exclude: must be a list of numbers"),  # was: 1 and 2 excluded
    (draw_entry("range = [1, 5], exclude = [[1]]"), "draw.a.exclude: not a number: [1]"),
    (draw_entry(f"range = [0, 5], exclude = [{NUMBERS}]"), f"draw.a.exclude: holds {exam.MAX_RANGE + 1} values"),
    (draw_entry("range = [1, 5], step = -1"), "draw.a: step must be more than 0, got -1"),
    (draw_entry('range = [1, 5], step = "x"'), "draw.a.step: not a number: 'x'"),
    (draw_entry("range = [1, 5], step = true"), "draw.a.step: a number is needed, not true/false"),
    (draw_entry("range = [1, 5], step = 1e-300"), f"draw.a: the range holds more than {exam.MAX_RANGE} values"),
    (draw_entry("range = [5, 1]"), "draw.a: range [5, 1] is empty (lo > hi)"),
    (draw_entry("range = [1, 2, 3]"), "draw.a.range: must be [lo, hi], like [-5, 5]"),
    (draw_entry("range = [nan, 1]"), "draw.a.range: not a finite number"),
    (draw_entry("range = [1979-05-27, 1980-05-27]"), "draw.a.range: not a number"),
    (draw_entry("choice = []"), "draw.a: an empty choice"),
    (draw_entry("choice = 2"), "draw.a.choice: must be a list of numbers, like [0.1, 0.2]"),
    (draw_entry('choice = ["x"]'), "draw.a.choice: not a number: 'x'"),
    (draw_entry(f"choice = [{NUMBERS}]"), f"draw.a.choice: holds {exam.MAX_RANGE + 1} values"),
    (BASE.replace(DRAW, f"{DRAW}\nb = {{ range = [1, 60000] }}\nc = {{ range = [1, 60000] }}"),
     f"draw.c: the range holds more than {exam.MAX_RANGE - 60002} values (the draws hold at most {exam.MAX_RANGE} together)"),
    (BASE.replace(DRAW, "\n".join(f"d{k} = {{ choice = [1] }}" for k in range(exam.MAX_DRAWS)) + f"\n{DRAW}"),
     f"draw: {exam.MAX_DRAWS + 1} draws; at most {exam.MAX_DRAWS}"),
    (BASE.replace("seed = 1", "seed = 1\n[require]\nmax_abs = -1"), "require.max_abs: must be 0 or more"),
    (BASE.replace("seed = 1", "seed = " + "9" * 400), "exam.seed: a number of"),
    (BASE.replace("seed = 1", "seed = 1\n[require]\nterminating = " + "[" * 600 + "]" * 600), "not valid TOML: arrays or tables nested too deeply"),  # spec.read_toml, shared
]


# named by their messages: pytest puts a test's id in the environment, and a template's is too long for exec
@pytest.mark.parametrize("text,message", MALFORMED, ids=[message[:40] for _, message in MALFORMED])
def test_malformed_draw_and_require_keys_are_one_line(text, message, tmp_path):
    one_line(tmp_path, text, message)


@pytest.mark.parametrize(
    "table,where,kind",
    [
        ({"require": {"terminating": ["w\u202e"]}}, "require.terminating 1", "a bidi control (U+202E)"),
        ({"require": {"terminating": ["w\x01"]}}, "require.terminating 1", "a control character (U+0001)"),
        ({"draw": {"a": {"choice": ["1\u2066"]}}}, "draw.a.choice 1", "a bidi control (U+2066)"),
        ({"draw": {"a\u202d": {"choice": [1]}}}, "draw", "a bidi control (U+202D)"),
        ({"exam": {"seed\x1b": 1}}, "exam", "a control character (U+001B)"),
    ],
)
def test_hidden_characters_in_the_templates_own_tables_are_refused(table, where, kind):
    data = {**tomllib.loads(BASE), **table}
    with pytest.raises(SymoptError) as refused:
        exam.template(data)
    assert str(refused.value) == f"{where}: holds {kind}, which shows otherwise than it is stored; remove it"


def test_a_bidi_draw_name_never_reaches_the_terminal(tmp_path):
    err = one_line(tmp_path, BASE.replace(DRAW, '"a\u202e" = { choice = [1] }'), "draw: holds a bidi control (U+202E)")
    assert "\u202e" not in err


# -- 2. hostile text in the outputs ------------------------------------------------------------------------

HOSTILE = r"""{1:SHORTANSWER:=pwned} {#1} \(\href{javascript:alert(1)}{click me}\) $$\alpha$$ \[y\] [tex]z[/tex] $a$ <b>bold</b> & "q" 'q'"""
BLANK = re.compile(r"\{[0-9]*:(NUMERICAL|NM|MULTICHOICE\w*|MC\w*|SHORTANSWER\w*|SA\w*|MW\w*):")  # Moodle's ANSWER_START_REGEX


def hostile_pairs(title: str) -> papers.Pairs:
    """Two variants of a template whose title and optimizer name are HOSTILE; the title is then
    set to `title` behind the spec's back, as a spec with hidden characters would have it."""
    text = f"title = '''{HOSTILE}'''\n" + BASE.replace('optimizer = "gd"', 'optimizer = "mine"') + f"""
[optimizers.mine]
name = '''{HOSTILE}'''
state = {{}}
rules = ["w = w - alpha*g"]
"""
    pairs = exam.generate(exam.template(tomllib.loads(text)), 2)
    return [(v, replace(s, spec=replace(s.spec, title=title))) for v, s in pairs]


class TextNodes(HTMLParser):
    """The HTML's elements and its text nodes, as a browser (and MathJax, which does not read across
    tags) sees them: entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.texts.append(data)


def questions(xml: str) -> list[str]:
    """Each question's HTML, once moodle.xml has parsed as XML (and with lxml, where installed)."""
    try:
        from lxml import etree
    except ImportError:
        pass
    else:
        etree.fromstring(xml.encode("utf-8"))
    root = ET.fromstring(xml)
    return [q.find("questiontext/text").text for q in root.findall("question") if q.get("type") == "cloze"]


def test_moodle_xml_shows_hostile_text_as_text():
    title = HOSTILE + " \x01\x0b\x1f\ufffe end"
    pairs = hostile_pairs(title)
    rows = papers.key_rows(pairs, ("w",))
    texts = questions(papers.moodle_xml(exam.template(tomllib.loads(BASE)), pairs, rows))
    assert len(texts) == 2
    for k, text in enumerate(texts, start=1):
        # Cloze: exactly the key's blanks, no SHORTANSWER from the text
        assert len(BLANK.findall(text)) == len([r for r in rows if r["variant"] == k and r["quantity"] == "w"]) > 0
        assert "SHORTANSWER" not in "".join(m.group() for m in BLANK.finditer(text))
        plain = [line for line in text.split("\n") if "pwned" in line]
        assert len(plain) == 2  # the title and the exercise's heading
        for line in plain:
            # Moodle's filters read the stored text: no brace, no math delimiter, no [tex] in it
            assert not re.search(r"[{}]|\\\(|\\\[|\$\$|\[tex\]", line), line
            nodes = TextNodes()
            nodes.feed(line)
            assert set(nodes.tags) <= {"p", "h4", "span"}  # no <b> from the text
            # MathJax reads each text node: none holds a delimiter (a $ stands alone), together they say the text
            assert not any(re.search(r"\\[()\[\]]|\$\$", t) or ("$" in t and t != "$") for t in nodes.texts), nodes.texts
            shown = "".join(nodes.texts)
            assert "{1:SHORTANSWER:=pwned} {#1} \\(\\href{javascript:alert(1)}{click me}\\) $$\\alpha$$" in shown
            assert "<b>bold</b> & \"q\" 'q'" in shown
        assert "\ufffd\ufffd\ufffd\ufffd end" in "".join(plain)  # what XML cannot hold, replaced


def test_moodle_xml_of_a_hostile_file_name_parses(tmp_path):
    t = replace(exam.template(tomllib.loads(BASE)), stem="quiz\x01<&>]]>")
    pairs = exam.generate(t, 1)
    xml = papers.moodle_xml(t, pairs, papers.key_rows(pairs))
    assert questions(xml)
    assert ET.fromstring(xml).find("question[@type='cloze']/idnumber").text == "quiz\ufffd<&>]]>-1"
    assert ET.fromstring(xml).find("question[@type='category']/category/text").text == "$course$/top/symopt/quiz\ufffd<&>]]>"


def test_csv_cells_that_would_be_formulas_are_neutralised_but_numbers_stay():
    rows = [{"variant": 1, "variable": text, "value": number}
            for text, number in [("=HYPERLINK(\"http://x\")", "-4.6003"), ("+cmd|' /C calc'!A0", "+1"), ("@SUM(A1)", "-0,5"),
                                 ("-2+3", "1e-7"), ("\tx", "-12"), ("w1", ".5"), ("w2", "-1.5E+3")]]
    read = list(csv.DictReader(io.StringIO(papers.key_csv(rows))))
    assert [r["variable"] for r in read] == ["'=HYPERLINK(\"http://x\")", "'+cmd|' /C calc'!A0", "'@SUM(A1)", "'-2+3",
                                             "'\tx", "w1", "w2"]
    assert [r["value"] for r in read] == ["-4.6003", "+1", "-0,5", "1e-7", "-12", ".5", "-1.5E+3"]
    assert csv_cell("\rx") == " x" and csv_cell("a\nb") == "a b" and csv_cell(-3) == -3  # (a lone CR broke its row)


def test_the_keys_negative_values_stay_numbers(tmp_path):
    code, err, out = cli(tmp_path, BASE)
    assert code == 0, err
    values = [r["value"] for r in csv.DictReader((out / "exam" / "key.csv").open(encoding="utf-8"))]
    assert any(v.startswith("-") for v in values) and not any(v.startswith("'") for v in values)


# -- 3. work: the Moodle writer is linear, rejected draws are bounded --------------------------------------

class Passes(list):
    """A list that counts how often it is read through."""

    passes = 0

    def __iter__(self):
        self.passes += 1
        return super().__iter__()


def test_moodle_xml_reads_the_key_once_whatever_the_variants():
    t = exam.template(tomllib.loads(BASE.replace("{ choice = [0.1, 0.2] }", "{ range = [0.1, 0.9], step = 0.1 }")))
    pairs = exam.generate(t, 8)
    rows = Passes(papers.key_rows(pairs))
    papers.moodle_xml(t, pairs, rows)
    assert rows.passes == 1  # it was 1 per variant and exercise: quadratic, 400 s for -n 10000


LONG = BASE.replace('hyper = { alpha = 0.1 }', 'hyper = { alpha = 0.1 }\nepochs = 10000\nnumbers = "hand:4"')


def test_an_impossible_requirement_on_long_runs_gives_up_within_seconds(tmp_path):
    # every draw runs 10 000 epochs (74 950 worked lines, about 1.5 s) and none meets max_abs:
    # it was 200 draws (82 s and more) before the per-variant bound said so
    err = one_line(tmp_path, LONG.replace("seed = 1", "seed = 1\n[require]\nmax_abs = 0.001"),
                   "variant 1: gave up after 1 rejected draw (max_abs = 0.001: 1) costing 74950 worked lines, "
                   f"past the bound of {exam.REJECT_WORK} + {exam.REJECT_RATIO} × the 0 kept", timeout=20)
    assert "widen the draws or relax [require]" in err


def test_rejected_work_may_grow_with_the_work_kept(monkeypatch):
    # 100 epochs × 2 variables a draw (799 worked lines); the first three draws pass, every later one is rejected, and
    # the bound (REJECT_WORK + REJECT_RATIO × kept) stops the run only once the rejected work is past it
    t = exam.template(tomllib.loads(LONG.replace("epochs = 10000", "epochs = 100")))
    judged = []

    def unmet(t, solution):
        judged.append(solution)
        return None if len(judged) <= 3 else "max_abs = 1"

    monkeypatch.setattr(exam, "unmet", unmet)
    with pytest.raises(SymoptError) as stopped:
        exam.generate(t, 5)
    # 3 variants kept (2397): the rejected work may reach 60 000 + 10 × 2397 = 83 970, so 106 draws of 799
    assert str(stopped.value).startswith(
        "<template>: variant 4: gave up after 106 rejected draws (max_abs = 1: 106) costing 84694 worked lines, "
        "past the bound of 60000 + 10 × the 2397 kept; widen the draws")


def test_a_repeated_draw_under_distinct_is_not_solved(monkeypatch):
    t = exam.template(tomllib.loads(BASE.replace("seed = 1", "seed = 5\n[require]\ndistinct = true")))
    # at seed 5 variant 2's first four draws repeat variant 1's: they were solved, and rejected after
    assert all(exam.draw(t, 2, k).values == exam.draw(t, 1, 0).values for k in range(4))
    import symopt.sheet

    solves = []
    solve = symopt.sheet.solve
    monkeypatch.setattr(symopt.sheet, "solve", lambda spec: solves.append(1) or solve(spec))
    pairs = exam.generate(t, 2)
    assert len(solves) == 2 and pairs[0][0].values != pairs[1][0].values


def test_the_variants_whole_work_is_checked_before_any(tmp_path):
    # 6 variants of 75 250 worked lines (74 950 and the papers) are past one run's budget: refused before the first draw is solved
    one_line(tmp_path, LONG, "asks for 6 variants × 75250 worked lines", "-n", "6", timeout=20)
