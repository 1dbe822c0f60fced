"""User templates and figures under issue 17's bounds: a template that runs away (a huge repetition,
a width of 10^9, a self-include, a symlink out of its folder) ends in one line and exit 2, within a
time and memory limit the harness enforces; the bounds leave an ordinary template's output alone.
Figures draw a hostile optimizer name literally, leave gaps where f overflows a float, and draw a
10 000-epoch run with thinned markers, fast."""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SEED_SPEC, spec
import symopt
from symopt import figures
from test_bounds import symopt_limited
from test_figures import markers_in

LIMIT_S = 8.0  # wall time of a case, start-up and the seed's solve included

#: name -> (sheet.md.j2, what the one line on stderr says)
TEMPLATES: dict[str, tuple[str, str]] = {
    "a repetition of 10^10": ("{{ 'x' * 10**10 }}", "'*' would be about 10,000,000,000 characters; a template builds at most 134,217,728"),
    "center of 10^9": ("{{ 'x'.center(1000000000) }}", "center would be about 1,000,000,000 characters"),
    "the center filter": ("{{ 'x'|center(1000000000) }}", "center would be about 1,000,000,000 characters"),
    "a power": ("{{ 2**(10**9) }}", "'**' would build a number of about 2,000,000,000 bits"),
    "a % width": ("{{ '%1000000000s' % 'x' }}", "'%': a field width of more than 8 digits"),
    "a format width": ("{{ '{:>1000000000}'.format(1) }}", "format: a field width of more than 8 digits"),
    "a format width argument": ("{{ '{:{w}}'.format(1, w=10**9) }}", "format would be about 1,000,000,000 characters"),
    "the format filter": ("{{ '%*s'|format(10**9, 'x') }}", "format would be about 1,000,000,000 characters"),
    "indent": ("{{ ('a\\n' * 1000000)|indent(1000) }}", "indent would be about 1,002,001,000 characters"),
    "replace": ("{{ ('x' * 10**6).replace('x', 'y' * 10**6) }}", "replace would be about 1,000,001,000,000 characters"),
    "join": ("{{ (['x' * 10**7] * 100)|join }}", "join would be about 1,000,000,000 characters"),
    "str.join": ("{{ ''.join(['x' * 10**7] * 100) }}", "join would be about 1,000,000,000 characters"),
    "a generator joined": ("{{ range(100)|map('string')|join('y' * 10**7) }}", "join would be about 1,000,000,190 characters"),
    "loops that write": ("{% for i in range(100000) %}{% for j in range(100000) %}{{ 'x' * 100 }}{% endfor %}{% endfor %}",
                         "the document passes 134,217,728 characters"),
    "lipsum": ("{{ lipsum(100000000)|length }}", "lipsum would be about 100,000,000,000 characters"),  # a red-team find
    "a template including itself": ("{% include 'sheet.md.j2' %}", "includes, extends or calls itself without end"),
    # red-team finds: text that grows by concatenation, by a filter's factor or into a list of its characters
    "a text doubled by ~": ("{% set n = namespace(s='x') %}{% for i in range(40) %}{% set n.s = n.s ~ n.s %}{% endfor %}",
                            "'~' would be about 268,435,456 characters"),
    "a text doubled by +": ("{% set n = namespace(s='x') %}{% for i in range(40) %}{% set n.s = n.s + n.s %}{% endfor %}",
                            "'+' would be about 268,435,456 characters"),
    "a list doubled by +": ("{% set n = namespace(s=[1]) %}{% for i in range(40) %}{% set n.s = n.s + n.s %}{% endfor %}",
                            "'+' would build a list of 8,388,608 items; a template builds at most 4,194,304"),
    "an escape of 10^8": ("{{ ('<' * 10**8)|e }}", "the filter e would be about 1,600,000,000 characters"),
    "tojson": ("{{ ('<' * 10**8)|tojson }}", "the filter tojson would be about 600,000,000 characters"),
    "pprint": ("{{ ('\\x00' * 10**8)|pprint }}", "the filter pprint would be about 1,000,000,000 characters"),
    "xmlattr": ("{{ {'a': '<' * 10**8}|xmlattr }}", "a value of more than 4,194,304 items and characters, nested"),
    "upper": ("{{ ('ß' * 10**8)|upper }}", "the filter upper would be about 300,000,000 characters"),
    "urlize": ("{{ ('a.io ' * 2 * 10**7)|urlize }}", "the filter urlize would be about 6,400,000,000 characters"),
    "batch": ("{{ ('a' * 10**8)|batch(1)|list|length }}", "the filter batch would build a list of about 100,000,000 items"),
    "a % of many arguments": ("{{ ('%s' * 3 * 10**7) % ((1,) * 3 * 10**7) }}", "'*' would build a list of 30,000,000 items"),
    # second pass: whole numbers multiplied past any bit bound (54 s), a list of itself doubled 40 times
    # (2^40 items when written, in a few bytes)
    "a product of huge numbers": ("{% set a = 10**(10**5) %}{% set b = (a*a)*(a*a) %}{% set c = b*b %}{% set d = c*c %}{{ d*d > 0 }}",
                                  "'*' would build a number of about 1,328,772 bits; a template computes at most 1,048,576"),
    "a list of itself doubled": ("{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{% set ns.s = [ns.s, ns.s] %}{% endfor %}"
                                 "{{ ns.s }}", "a value of more than 4,194,304 items and characters, nested"),
    "the same to JSON": ("{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{% set ns.s = [ns.s, ns.s] %}{% endfor %}"
                         "{{ ns.s|tojson|length }}", "a value of more than 4,194,304 items and characters, nested"),
    # Jinja's own checks were tracebacks
    "xmlattr of a text": ("{{ 'x'|xmlattr }}", "AttributeError: 'str' object has no attribute 'items'"),
    "truncate(-1)": ("{{ 'abc'|truncate(-1) }}", "AssertionError: expected length >= 3, got -1"),
    "a negative leeway": ("{{ 'abcdefgh'|truncate(5, leeway=-10) }}", "AssertionError: expected leeway >= 0, got -10"),
}


def render_with(templates: Path, tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    done = subprocess.run(symopt_limited("render", str(SEED_SPEC), "--templates", str(templates), "-o", str(tmp_path / "out"),
                                         "--format", "md", *extra),
                          capture_output=True, text=True, cwd=ROOT, timeout=4 * LIMIT_S)
    return done, time.perf_counter() - start


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_template_that_runs_away_is_one_line(name, tmp_path):
    body, message = TEMPLATES[name]
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "sheet.md.j2").write_text(body, encoding="utf-8")
    done, seconds = render_with(folder, tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr[:1000]
    assert done.stderr.startswith("symopt: error: template sheet.md.j2: ") and message in done.stderr, done.stderr
    assert seconds < LIMIT_S, f"{name}: {seconds:.1f} s"
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_a_template_linked_out_of_its_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("the host's secret\n", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "sheet.md.j2").symlink_to(outside)
    done, _ = render_with(folder, tmp_path)
    assert done.returncode == 2 and "secret" not in done.stdout, done.stdout
    assert f"template sheet.md.j2: a link to {outside}, outside the template folder {folder}; copy the file in instead" in done.stderr
    # a folder that is itself a link is the folder: its own files are read
    (folder / "sheet.md.j2").unlink()
    (folder / "sheet.md.j2").write_text("mine: {{ 'ab'|center(6) }}|", encoding="utf-8")
    link = tmp_path / "linked"
    link.symlink_to(folder)
    done, _ = render_with(link, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "seed.md").read_text(encoding="utf-8") == "mine:   ab  |"


def test_the_bounds_leave_ordinary_templates_alone():
    """Every operation the bounds watch, at an ordinary size, gives Jinja's own result."""
    body = ("{{ 'ab'|center(6) }}|{{ '%5.2f' % 3.14159 }}|{{ 'x' * 3 }}|{{ [1] * 2 }}|{{ 2**10 }}|{{ ['a', 'b']|join(',') }}|"
            "{{ range(3)|map('string')|join('-') }}|{{ 'a\\nb'|indent(2) }}|{{ 'a-b'.replace('-', '+') }}|"
            "{{ '{:>4}'.format(7) }}|{{ 'a b c'|wordwrap(1, wrapstring='/') }}|{{ '%s=%d'|format('n', 3) }}|"
            "{{ '%d' % 300000000 }}|{{ '{}'.format(10**12) }}|{{ 'a' ~ 1 ~ 'b' }}|{{ 'a' + 'b' }}|{{ [1] + [2] }}|"
            "{{ '<&>'|e }}|{{ 'x'|tojson }}|{{ 'ß'|upper }}|{{ 'abc'|list|length }}|{{ 'abcd'|batch(3)|list|length }}|"
            "{{ {'k': 'v'}|xmlattr }}|{{ title|escape }}")  # a big number formatted is no width
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "sheet.md.j2").write_text(body, encoding="utf-8")
        out = symopt.solve(spec("gd", {"alpha": 0.1}, epochs=1)).to_markdown(templates=folder)
    assert out.split("|")[:23] == ["  ab  ", " 3.14", "xxx", "[1, 1]", "1024", "a,b", "0-1-2", "a\n  b", "a+b", "   7", "a/b/c", "n=3",
                                   "300000000", "1000000000000", "a1b", "ab", "[1, 2]", "&lt;&amp;&gt;", '"x"', "SS", "3", "2", ' k="v"']
    # (|e is the format's escape: Markdown's escapes HTML)


def test_what_the_size_checks_do_not_foresee_runs_out_of_the_templates_memory(tmp_path):
    """The address-space ceiling around rendering (render.MAX_MEMORY above what the process holds):
    here 16 MiB, and a 64 MB text within MAX_TEXT passes it.  In a fresh process: one that has run
    other tests may hold enough freed memory to build the text without mapping more."""
    (tmp_path / "t.md.j2").write_text("{{ ('x' * 64 * 2**20)|length }}", encoding="utf-8")
    program = f"""
import resource
from symopt import render
from symopt.errors import SymoptError
before = resource.getrlimit(resource.RLIMIT_AS)
render.MAX_MEMORY = 16 * 2**20
try:
    render.render("t.md.j2", {{}}, "md", {str(tmp_path)!r})
except SymoptError as e:
    print(e)
assert resource.getrlimit(resource.RLIMIT_AS) == before  # the process's own limit is back
render.MAX_MEMORY = 2**30
print(render.render("t.md.j2", {{}}, "md", {str(tmp_path)!r}))
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["template t.md.j2: ran out of memory (a template may take 16 MiB)", str(64 * 2**20)]


# -- figures ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, drawn", [
    ("Adam", "Adam"),
    ("Adam ($\\beta$ = 0.9)", "Adam ($\\beta$ = 0.9)"),  # math matplotlib reads stays math
    ("My $\\frac{$ opt", "My \\$\\frac{\\$ opt"),  # broken math is drawn as written
    ("one $ dollar", "one \\$ dollar"),
    ("$" + "{" * 500 + "x" + "}" * 500 + "$", "\\$" + "{" * 500 + "x" + "}" * 500 + "\\$"),  # too deep for mathtext
    ("cost \\$5 and $x$", "cost \\$5 and $x$"),
])
def test_figure_text_is_math_only_when_matplotlib_reads_it(text, drawn):
    assert figures._text(text) == drawn


def test_figures_of_a_hostile_name_an_overflow_and_a_long_run(tmp_path):
    toml = '''title = "A $\\\\frac{$ title"
function = "exp(w1) + 2*w2**2"
[optimizers.mine]
name = "My $\\\\frac{$ opt $x^{$y$}$"
state = { m = 0 }
rules = ["m = 0.5*m + g", "w = w - alpha*m"]
[[exercise]]
optimizer = "mine"
epochs = 3
start = { w1 = -1, w2 = -2 }
hyper = { alpha = 0.1 }
[[exercise]]
optimizer = "gd"
numbers = "hand:4"
epochs = 10000
start = { w1 = -1, w2 = -2 }
hyper = { alpha = 0.01 }
[[exercise]]
optimizer = "gd"
numbers = "precision:20"
function = "exp(w1)"
epochs = 2
start = { w1 = 690 }
hyper = { alpha = 0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001 }
'''
    path = tmp_path / "attack.toml"
    path.write_text(toml, encoding="utf-8")
    start = time.perf_counter()
    done = subprocess.run(symopt_limited("render", str(path), "-o", str(tmp_path / "out"), "--format", "md", "--figures", "svg"),
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    seconds = time.perf_counter() - start
    assert done.returncode == 0 and "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr[-2000:]
    assert seconds < 3 * LIMIT_S, f"{seconds:.1f} s"  # 10 000 labelled points took 50 s
    drawn = tmp_path / "out" / "attack-figures"
    hostile = (drawn / "ex1-path.svg").read_bytes()
    assert markers_in(hostile, "path") == 4
    long_run = (drawn / "ex2-path.svg").read_bytes()
    assert markers_in(long_run, "path") == figures.MARKED // 2 + 1  # the first epochs and the last
    assert 0 < markers_in(long_run, "loss") <= figures.MARKED + 1
    overflow = (drawn / "ex3-path.svg").read_bytes()  # f near 10^299 on the path; past 10^300 (a float's overflow too) on the wider view: a gap
    assert markers_in(overflow, "path") == 3
