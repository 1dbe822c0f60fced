"""What symopt writes, and only there: bundles swapped in whole (a kill at every step of the swap
leaves the old bundle or the new one), no write through a symlink, the umask's permissions (and an
old file's kept), errors that name the output, TeX killed with its whole process group, a byte
order mark accepted, and figure folders whose names inject nothing into Markdown or LaTeX.

The kills are real (SIGKILL, in a forked writer), and so is TeX."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
import errno
import hashlib
import json
import os
from pathlib import Path
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from urllib.parse import quote

from markdown_it import MarkdownIt
import pytest

from conftest import ROOT, spec
import symopt
from symopt import files
from symopt.cli import main

SPEC = """\
function = "w1**2"
[[exercise]]
optimizer = "gd"
hyper = { alpha = 0.1 }
start = { w1 = 1 }
epochs = 2
"""
EXAM = ROOT / "examples" / "exam.toml"
HIDDEN_CHARS = files.HIDDEN
HIDDEN = re.compile(r"^\.(.+)\.\d+-[0-9a-f]{8}\.tmp$")  # the writer's temporaries: .s.md.4711-3f9a0c1b.tmp


def write_spec(folder: Path, name: str = "s.toml", text: str = SPEC) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def tree(root: Path) -> dict[str, str]:
    """Every entry under `root` (folders end in /), with each file's SHA-256; symlinks as themselves."""
    out = {}
    for p in sorted(root.rglob("*")):
        key = str(p.relative_to(root))
        if p.is_symlink():
            out[key] = "-> " + os.readlink(p)
        elif p.is_dir():
            out[key + "/"] = ""
        else:
            out[key] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def visible(entries: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in entries.items() if not k.startswith(".")}


def part(entries: dict[str, str], top: str) -> dict[str, str]:
    return {k: v for k, v in entries.items() if k.split("/")[0] == top}


def hidden(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


# -- bundles: a kill at every step of the swap -------------------------------------------------------

#: Runs OLD once, keeps a copy, then for each step k of the swap: puts the copy back, forks a writer
#: of NEW that SIGKILLs itself at step k, and records what it left; until a writer gets through.
KILL_AT_EACH_STEP = r"""
import contextlib, hashlib, io, json, os, shutil, signal, sys
from pathlib import Path
from symopt import cli, files

old, new, out, report = json.loads(sys.argv[1])
out = Path(out)
pristine = out.with_name("pristine")
with contextlib.redirect_stdout(io.StringIO()):
    assert cli.main(old) == 0
shutil.copytree(out, pristine, symlinks=True)
runs = []
for k in range(20):
    shutil.rmtree(out)
    shutil.copytree(pristine, out, symlinks=True)
    pid = os.fork()
    if pid == 0:
        try:
            sys.stdout = open(os.devnull, "w")
            files._swap_step = lambda n: os.kill(os.getpid(), signal.SIGKILL) if n == k else None
            os._exit(cli.main(new))
        except BaseException:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    runs.append({"killed": killed, "code": None if killed else os.WEXITSTATUS(status),
                 "tree": {str(p.relative_to(out)) + ("/" if p.is_dir() else ""):
                          "" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
                          for p in sorted(out.rglob("*"))}})
    if not killed:
        break
Path(report).write_text(json.dumps(runs), encoding="utf-8")
"""


def kill_at_each_step(tmp_path: Path, old: list[str], new: list[str], out: Path) -> tuple[dict, list[dict]]:
    """The old tree, and per step of the swap what a writer killed there left (the last: not killed)."""
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, "-c", KILL_AT_EACH_STEP, json.dumps([old, new, str(out), str(report)])],
                   check=True, timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    runs = json.loads(report.read_text(encoding="utf-8"))
    assert [r["killed"] for r in runs] == [True] * (len(runs) - 1) + [False] and runs[-1]["code"] == 0
    return tree(tmp_path / "pristine"), runs


def test_a_killed_exam_leaves_the_old_bundle_or_the_new_one(tmp_path):
    out = tmp_path / "out"
    common = ["exam", str(EXAM), "-o", str(out), "--format", "md", "-q"]
    old, runs = kill_at_each_step(tmp_path, common + ["-n", "3", "--seed", "1"], common + ["-n", "2", "--seed", "2"], out)
    new = runs[-1]["tree"]
    assert "exam/variant-003-solution.md" in old and "exam/variant-003-solution.md" not in new  # no old variant left over
    assert visible(new) == part(new, "exam") and part(old, "exam") != part(new, "exam")
    seen = []
    for run in runs:
        shown = visible(run["tree"])
        assert shown in (old, new)  # never a key of some variants beside sheets of others
        seen.append("old" if shown == old else "new")
        leftovers = {k.split("/")[0] for k in run["tree"]} - {"exam"}
        assert all(HIDDEN.match(name) and HIDDEN.match(name).group(1) == "exam" for name in leftovers), leftovers
    assert seen[0] == "old" and seen[-1] == "new" and len(runs) >= 3  # the kills went through every step
    assert not [k for k in new if k.startswith(".")]  # the run that got through left nothing hidden


def test_a_killed_render_leaves_its_figures_old_or_new_and_never_a_sheet_without_its_figures(tmp_path):
    spec = write_spec(tmp_path / "in")
    out = tmp_path / "out"
    common = ["render", str(spec), "-o", str(out), "--format", "md", "--figures", "svg"]
    old, runs = kill_at_each_step(tmp_path, common + ["--epochs", "2"], common + ["--epochs", "3"], out)
    new = runs[-1]["tree"]
    assert sorted(visible(new)) == ["s-figures/", "s-figures/ex1-path.svg", "s.md"]
    assert part(old, "s-figures") != part(new, "s-figures") and old["s.md"] != new["s.md"]
    seen = []
    for run in runs:
        figures, sheet = part(run["tree"], "s-figures"), run["tree"]["s.md"]
        assert figures in (part(old, "s-figures"), part(new, "s-figures"))  # the folder is never a mix
        assert sheet in (old["s.md"], new["s.md"])
        assert sheet == old["s.md"] or figures == part(new, "s-figures")  # a new sheet's figures are there
        seen.append((figures == part(new, "s-figures"), sheet == new["s.md"]))
        leftovers = {k.split("/")[0] for k in run["tree"]} - {"s-figures", "s.md"}
        assert all(HIDDEN.match(name) and HIDDEN.match(name).group(1) in ("s-figures", "s.md") for name in leftovers)
    assert seen[0] == (False, False) and (True, False) in seen and seen[-1] == (True, True)
    assert not [k for k in new if k.startswith(".")]


def test_a_failing_swap_names_the_output_leaves_each_whole_and_no_temporary(tmp_path, monkeypatch, capsys):
    spec = write_spec(tmp_path / "in")
    out, reference = tmp_path / "out", tmp_path / "new"

    def args(folder: Path, epochs: str) -> list[str]:
        return ["render", str(spec), "-o", str(folder), "--format", "md,tex", "--figures", "svg", "--epochs", epochs]

    assert main(args(reference, "3")) == 0
    steps: list[int] = []
    monkeypatch.setattr(files, "_swap_step", steps.append)
    assert main(args(out, "2")) == 0
    old, new = tree(out), tree(reference)
    pristine = tmp_path / "pristine"
    shutil.copytree(out, pristine)
    targets = [out / "s-figures", out / "s.md", out / "s.tex"]  # the figures first, then what links to them
    assert steps == [0, 1, 2, 3]  # three renames, then the old figures are removed
    capsys.readouterr()
    for k, target in enumerate(targets):
        shutil.rmtree(out)
        shutil.copytree(pristine, out)

        def fail(n: int, k: int = k) -> None:
            if n == k:
                raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(files, "_swap_step", fail)
        assert main(args(out, "3")) == 2
        assert capsys.readouterr().err == f"symopt: error: {target}: cannot write: {os.strerror(errno.EIO)}\n"
        now = tree(out)
        assert hidden(out) == []
        for top in ("s-figures", "s.md", "s.tex"):
            assert part(now, top) == (part(new, top) if targets.index(out / top) < k else part(old, top))


def test_bundles_without_an_exchange_are_still_replaced_whole(tmp_path, monkeypatch):
    """Where renameat2 cannot exchange two folders (macOS; some file systems): rename aside, then in."""
    def no_exchange(a: Path, b: Path) -> None:
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    monkeypatch.setattr(files, "_exchange", no_exchange)
    bundle = tmp_path / "exam"
    files.write_all({bundle / "a": b"1", bundle / "b": b"1"}, [bundle])
    files.write_all({bundle / "a": b"2"}, [bundle])
    assert tree(tmp_path) == {"exam/": "", "exam/a": hashlib.sha256(b"2").hexdigest()}


def test_an_exam_template_named_dot_dot_writes_nothing_outside(tmp_path, capsys):
    template = tmp_path / "in" / "...toml"  # its stem is ..
    template.parent.mkdir()
    shutil.copy(EXAM, template)
    out = tmp_path / "in" / "out"
    assert main(["exam", str(template), "-o", str(out), "-n", "1", "--format", "md", "-q"]) == 2
    assert capsys.readouterr().err == f"symopt: error: {out}: '..' cannot name an output folder; rename the file\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["...toml", "in"]


# -- symlinks: replaced, never written through ----------------------------------------------------------

@pytest.mark.parametrize("link", ["exam", "s-figures", "s.md"])
def test_a_symlink_in_the_output_folder_is_replaced_not_written_through(link, tmp_path, capsys):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "key.csv").write_text("victim\n", encoding="utf-8")
    (victim / "ex1-path.svg").write_text("victim\n", encoding="utf-8")
    before = tree(victim)
    out = tmp_path / "out"
    out.mkdir()
    (out / link).symlink_to(victim / "key.csv" if link == "s.md" else victim)
    if link == "exam":
        assert main(["exam", str(EXAM), "-o", str(out), "-n", "1", "--format", "md", "-q"]) == 0
    else:
        assert main(["render", str(write_spec(tmp_path / "in")), "-o", str(out), "--format", "md", "--figures", "svg"]) == 0
    capsys.readouterr()
    assert tree(victim) == before
    assert not (out / link).is_symlink() and (out / link).exists()
    assert hidden(out) == []


# -- permissions --------------------------------------------------------------------------------------

@contextmanager
def umask(mask: int) -> Iterator[None]:
    was = os.umask(mask)
    try:
        yield
    finally:
        os.umask(was)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_outputs_get_the_umask(tmp_path, capsys):
    out = tmp_path / "out"
    with umask(0o027):
        assert main(["render", str(write_spec(tmp_path / "in")), "-o", str(out), "--format", "md", "--figures", "svg"]) == 0
        assert main(["exam", str(EXAM), "-o", str(out), "-n", "1", "--format", "md", "-q"]) == 0
    capsys.readouterr()
    for path in (out / "s.md", out / "s-figures" / "ex1-path.svg", out / "exam" / "key.csv", out / "exam" / "moodle.xml"):
        assert mode(path) == 0o640, path
    assert mode(out / "s-figures") == mode(out / "exam") == 0o750


def test_writing_again_keeps_each_files_permissions(tmp_path, capsys):
    out = tmp_path / "out"
    render = ["render", str(write_spec(tmp_path / "in")), "-o", str(out), "--format", "md,tex", "--figures", "svg"]
    exam = ["exam", str(EXAM), "-o", str(out), "-n", "1", "--format", "md", "-q"]
    assert main(render) == 0 and main(exam) == 0
    chosen = {out / "s.md": 0o644, out / "s.tex": 0o640, out / "s-figures" / "ex1-path.svg": 0o604,
              out / "s-figures": 0o711, out / "exam" / "key.csv": 0o640, out / "exam": 0o750}
    for path, wanted in chosen.items():
        path.chmod(wanted)
    with umask(0o077):  # which alone would give 0600 and 0700
        assert main(render) == 0 and main([*exam, "-n", "2"]) == 0
    capsys.readouterr()
    assert {path: mode(path) for path in chosen} == chosen
    assert mode(out / "exam" / "variant-002-solution.md") == 0o600  # no old file: the umask's


# -- errors name the output ---------------------------------------------------------------------------

@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` made read-only: by its mode, or where that does not stop us (root) immutable."""
    def writable() -> bool:
        try:
            (folder / "probe").touch()
        except OSError:
            return False
        (folder / "probe").unlink()
        return True

    folder.chmod(0o555)
    immutable = writable() and shutil.which("chattr") is not None
    if immutable:
        subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    try:
        if writable():
            pytest.skip("cannot make a folder read-only here (root without chattr)")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        folder.chmod(0o755)


def test_write_errors_name_the_output_not_a_temporary(tmp_path, capsys):
    spec = write_spec(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    with read_only(out):
        assert main(["render", str(spec), "-o", str(out), "--format", "md"]) == 2
        err = capsys.readouterr().err
        assert re.fullmatch(rf"symopt: error: {re.escape(str(out / 's.md'))}: cannot write: [^\n]+\n", err), err
        assert main(["exam", str(EXAM), "-o", str(out), "-n", "1", "--format", "md", "-q"]) == 2
        err = capsys.readouterr().err
        assert re.fullmatch(rf"symopt: error: {re.escape(str(out / 'exam'))}: cannot write: [^\n]+\n", err), err
    assert list(out.iterdir()) == []


def test_long_names_are_written_and_too_long_ones_named(tmp_path, capsys):
    """A temporary's name is cut, so a 240-letter spec renders; a figure folder past the system's
    255 bytes is an error that names it."""
    long = write_spec(tmp_path / "in", "x" * 240 + ".toml")
    out = tmp_path / "out"
    assert main(["render", str(long), "-o", str(out), "--format", "md", "--figures", "svg"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["x" * 240 + "-figures", "x" * 240 + ".md"]
    longest = write_spec(tmp_path / "in", "y" * 250 + ".toml")
    assert main(["render", str(longest), "-o", str(out), "--format", "md", "--figures", "svg"]) == 2
    assert capsys.readouterr().err.endswith(f"{out / ('y' * 250 + '-figures')}: cannot write: File name too long\n")
    assert hidden(out) == [] and len(list(out.iterdir())) == 2


# -- TeX: a document that never ends ------------------------------------------------------------------

def tex_processes(folder: Path) -> list[int]:
    """Processes (not zombies) whose working folder is under `folder`: pdflatex in its build folder."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with suppress(OSError):
            if os.readlink(proc / "cwd").startswith(str(folder)) and (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.append(int(proc.name))
    return found


def test_tex_that_never_ends_is_killed_with_every_pdflatex(tex, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "sheet.tex.j2").write_text("\\documentclass{article}\\begin{document}\\def\\x{\\x}\\x\\end{document}\n",
                                            encoding="utf-8")
    builds = tmp_path / "tmp"  # where TeX builds: the processes left there are ours
    builds.mkdir()
    args = ["render", str(write_spec(tmp_path / "in")), "-o", str(tmp_path / "out"), "--format", "pdf", "--templates", str(templates)]
    code = f"import symopt.pdf as p; p.TIMEOUT_SECONDS = 2; from symopt.cli import main; raise SystemExit(main({args!r}))"
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, start_new_session=True,
                            cwd=ROOT, env={**os.environ, "TMPDIR": str(builds), "PYTHONPATH": str(ROOT)})
    try:
        _, err = proc.communicate(timeout=30)
        deadline = time.monotonic() + 3
        while tex_processes(builds) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tex_processes(builds) == []
        assert proc.returncode == 2 and err == "symopt: error: LaTeX did not finish within 2 s\n"
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in tex_processes(builds):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# -- messages ------------------------------------------------------------------------------------------

def test_a_byte_order_mark_is_accepted(tmp_path, monkeypatch, capsys):
    """As Windows editors write one: a spec renders, a worked solution checks as without it."""
    spec = write_spec(tmp_path / "in", text="\ufeff" + SPEC)
    assert main(["render", str(spec), "-o", str(tmp_path / "out"), "--format", "md"]) == 0
    sheet = (tmp_path / "out" / "s.md").read_text(encoding="utf-8")
    assert sheet == symopt.solve(symopt.loads(SPEC)).to_markdown()
    reports = []
    for folder, text in (("plain", sheet), ("bom", "\ufeff" + sheet)):
        write_spec(tmp_path / folder, "work.md", text)
        monkeypatch.chdir(tmp_path / folder)
        capsys.readouterr()
        assert main(["check", "work.md", "--verbose"]) == 0
        reports.append(capsys.readouterr().out)
    assert reports[0] == reports[1] and "ok" in reports[0]


@pytest.mark.parametrize("name", ["nosuchfile", "no such=file.md", "a$b.md"])
def test_checking_a_missing_file_says_so(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", name]) == 2
    assert capsys.readouterr().err == f"symopt: error: {name}: no such file\n"


# -- figure folders named after hostile spec names ----------------------------------------------------

HOSTILE = {
    "x)<img src=x onerror=alert(1)>(y.toml": "x__img_src_x_onerror_alert_1___y-figures",
    "a%b.toml": "a_b-figures",
    "a b#c.toml": "a_b_c-figures",
    "bài 1.toml": "bài_1-figures",
    "[l](j:1)`$\\x{}~^&.toml": "_l__j_1____x_____-figures",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_spec_name_injects_nothing_into_markdown(name, tmp_path, capsys):
    out = tmp_path / "out"
    spec = write_spec(tmp_path / "in", name)
    assert main(["render", str(spec), "-o", str(out), "--format", "md,tex", "--figures", "svg"]) == 0
    folder = HOSTILE[name]
    md = (out / (spec.stem + ".md")).read_text(encoding="utf-8")
    html = MarkdownIt("commonmark").render(md)
    assert "<img" not in md and "onerror" not in html.replace(f"{folder}/", "")
    link = quote(f"{folder}/ex1-path.svg")  # as a browser asks for it: bài as b%C3%A0i
    assert re.findall(r"<img [^>]*>", html) == [f'<img src="{link}" alt="Exercise 1: Gradient Descent" />']
    assert (out / folder / "ex1-path.svg").exists()
    assert f"\\includegraphics[width=\\linewidth]{{{folder}/ex1-path.pdf}}" in (out / (spec.stem + ".tex")).read_text(encoding="utf-8")
    capsys.readouterr()


@pytest.mark.parametrize("name", ["a%b.toml", "bài 1.toml"])
def test_a_hostile_spec_name_still_compiles_with_its_figures(name, tex, tmp_path, capsys):
    out = tmp_path / "out"
    spec = write_spec(tmp_path / "in", name)
    assert main(["render", str(spec), "-o", str(out), "--format", "pdf", "--figures", "png"]) == 0
    assert (out / HOSTILE[name] / "ex1-path.pdf").exists()
    text = subprocess.run(["pdftotext", str(out / (spec.stem + ".pdf")), "-"], capture_output=True, text=True, check=True).stdout
    assert "epoch" in text  # the figure's axis label: the figure is in the PDF
    capsys.readouterr()


def test_the_next_run_removes_what_a_killed_run_left_but_not_a_running_one(tmp_path):
    """A kill leaves hidden temporaries (above); the next run writing those outputs removes them,
    except those of a writer still running (a concurrent run), named by its process id."""
    spec = write_spec(tmp_path / "in")
    out = tmp_path / "out"
    args = ["render", str(spec), "-o", str(out), "--format", "md", "--figures", "svg"]
    assert main(args) == 0
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead = int(gone.stdout)  # a process that has ended
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / f".s.md.{dead}-0123abcd.tmp").write_text("half", encoding="utf-8")
        (out / f".s-figures.{dead}-0123abcd.tmp").mkdir()
        (out / f".s-figures.{dead}-0123abcd.tmp" / "ex1-path.svg").write_text("old", encoding="utf-8")
        (out / f".s.md.{alive.pid}-4567cdef.tmp").write_text("being written", encoding="utf-8")
        (out / f".other.md.{dead}-0123abcd.tmp").write_text("not ours to sweep", encoding="utf-8")
        assert main(args) == 0
        assert hidden(out) == [f".other.md.{dead}-0123abcd.tmp", f".s.md.{alive.pid}-4567cdef.tmp"]
    finally:
        alive.kill()
        alive.wait()


@pytest.mark.parametrize("name, command, shown", [
    ("s\x1b[31mred.toml", "render", "s\\u001b[31mred.toml: the file's name holds a control character (U+001B)"),
    ("exam\x01.toml", "exam", "exam\\u0001.toml: the file's name holds a control character (U+0001)"),
    ("work\u202edm.md", "check", "work\\u202edm.md: the file's name holds a bidi control (U+202E)"),
])
def test_a_file_name_with_a_control_character_is_refused_and_printed_without_it(tmp_path, capsys, name, command, shown):
    """A name reaches sheet footers, LaTeX (which stopped on ^^A) and the terminal (\\x1b is an escape
    sequence): refused at load, the error printing its code instead of the character."""
    path = tmp_path / name
    path.write_bytes((ROOT / "examples" / ("exam.toml" if command == "exam" else "seed.toml")).read_bytes())
    assert main([command, str(path), *(["-o", str(tmp_path / "out")] if command != "check" else [])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and shown in err and "rename the file" in err and not HIDDEN_CHARS.search(err), err
    assert not (tmp_path / "out").exists()
    # in a class, the submission is an unreadable row, named without the character
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "bad\x1b.md").write_text("# x\n", encoding="utf-8")
    assert main(["check", str(folder), "--spec", str(ROOT / "examples" / "seed.toml"), "-q", "-o", str(tmp_path / "graded")]) == 1
    book = (tmp_path / "graded" / "gradebook.csv").read_text(encoding="utf-8")
    assert "bad\\u001b.md" in book and not HIDDEN_CHARS.search(book), book


@pytest.mark.parametrize("char, kind", [
    ("\u0007", "a control character"), ("\u202e", "a bidi control"), ("\u200f", "a bidi control"), ("\u200e", "a bidi control"),
    ("\u061c", "a bidi control"), ("\u2028", "a line separator"), ("\u2029", "a line separator"),
    ("\u200b", "an invisible character"), ("\u2060", "an invisible character"), ("\ufeff", "an invisible character"),
    ("\u00ad", "an invisible character"), ("\u180e", "an invisible character"),
    # second pass: the joiners, invisible operators, ASCII-smuggling tags, Hangul fillers, variation selectors
    ("\u200d", "an invisible character"), ("\u200c", "an invisible character"), ("\u2063", "an invisible character"),
    ("\U000e0041", "an invisible character"), ("\u3164", "an invisible character"), ("\ufe0f", "an invisible character"),
    ("\u034f", "an invisible character"), ("\u2800", "an invisible character"), ("\U0001d173", "an invisible character"),
])
def test_a_hidden_character_in_a_spec_is_refused_by_its_kind(char, kind):
    """A red-team pass found U+2028, U+200B, U+200E/F and U+061C passing: each reads otherwise than
    it is stored (or breaks a line in JavaScript); Vietnamese letters and tabs are not refused."""
    from symopt.errors import SymoptError

    with pytest.raises(SymoptError, match=f"^<spec>: title: holds {kind} \\(U\\+{ord(char):04X}\\), which shows otherwise"):
        symopt.solve(spec("gd", {"alpha": 0.1}, epochs=1) | {"title": f"Bài{char} tập"})
    assert symopt.solve(spec("gd", {"alpha": 0.1}, epochs=1) | {"title": "Bài tập\tAdam"}).spec.title == "Bài tập Adam"


def test_the_annotated_copy_of_a_students_html_runs_nothing():
    """The checker's annotated copy (--format md, a class's <stem>.checked.md) copied the student's
    raw HTML: a Markdown viewer ran it.  Now every tag, comment and autolink is written as text."""
    work = ("$$f(w_1) = w_1^2$$\n\n## Exercise 1: GD <script>alert(1)</script>\n\n$$w_1 = 1, \\alpha = 0.1$$\n\n"
            "Epoch 1:\n\n<img src=x onerror=alert(2)> <!-- c --> <javascript:alert(3)>\n\n$$dw_1 = 2 \\cdot 1 = 3$$\n\n"
            "$$w_1 = 1 - 0.1 \\cdot 2 = 0.8$$\n\nso w < 0, a <= b\n")
    copy = symopt.check(work).to_markdown()
    assert "✗" in copy  # the wrong line is marked
    html = MarkdownIt("commonmark").render(copy)
    assert not re.search(r"<(script|img|!--)|href=\"javascript", html), html
    text = re.sub(r"<[^>]+>", "", html)
    for shown in ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<javascript:alert(3)>", "w < 0, a <= b"):
        assert shown in text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"), text
