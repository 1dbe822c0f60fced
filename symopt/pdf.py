"""LaTeX to PDF with latexmk, in a temporary folder, with shell escape off.

TeX reads and writes only inside its temporary folder (``openin_any=p``, ``openout_any=p``:
paranoid), and runs no shell commands.  latexmk runs in a process group of its own, so that at the
time limit (or when symopt is interrupted) latexmk and every pdflatex it started are killed
together: a document that loops forever leaves no TeX running.  Without latexmk, the error says
what to install.
"""

from __future__ import annotations

from contextlib import suppress
import os
from pathlib import Path
import re
import shutil
import signal
import subprocess
import tempfile

from .errors import SymoptError

INSTALL_HINT = (
    "PDF needs latexmk and TeX Live (Debian/Ubuntu: apt-get install latexmk texlive-latex-recommended "
    "texlive-fonts-recommended texlive-lang-other); md and tex work without them"
)
TIMEOUT_SECONDS = 120  # read at each run (the tests set a short one)


class TexFailed(SymoptError):
    """TeX ran and stopped on an error in the document (the .tex is worth keeping)."""


def tex_available() -> bool:
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


def compile_pdf(tex: str, files: dict[str, bytes] | None = None) -> bytes:
    """The PDF of a standalone LaTeX document; `files` (relative path -> bytes) are put beside it
    first, for the figures it includes."""
    if not tex_available():
        raise SymoptError(INSTALL_HINT)
    env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
    # a TeX killed at the time limit may still be dying while its folder is removed
    with tempfile.TemporaryDirectory(prefix="symopt-tex-", ignore_cleanup_errors=True) as tmp:
        for name, data in (files or {}).items():
            target = (Path(tmp) / name).resolve()
            if Path(tmp).resolve() not in target.parents:
                raise SymoptError(f"a figure path leaves the build folder: {name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        source = Path(tmp) / "sheet.tex"
        source.write_text(tex, encoding="utf-8")
        command = [
            "latexmk", "-pdf", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
            "-file-line-error", "sheet.tex",
        ]
        returncode = _run(command, tmp, env)
        pdf = Path(tmp) / "sheet.pdf"
        if returncode != 0 or not pdf.exists():
            raise TexFailed(f"LaTeX failed: {_first_error(Path(tmp) / 'sheet.log')}")
        return pdf.read_bytes()


def _run(command: list[str], folder: str, env: dict[str, str]) -> int:
    """latexmk's exit code; past the time limit, or on any interruption, its whole process group
    is killed and waited for.  Its output is not read: the log says what went wrong."""
    timeout = TIMEOUT_SECONDS
    with subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, start_new_session=True) as proc:
        try:
            return proc.wait(timeout=timeout)
        except BaseException as e:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # latexmk is still there (not waited for): its group too
            proc.wait()
            if isinstance(e, subprocess.TimeoutExpired):
                raise SymoptError(f"LaTeX did not finish within {timeout} s") from None
            raise


def _first_error(log: Path) -> str:
    """The first error of a LaTeX log, with its line number (file-line-error style)."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "no log was written"
    m = re.search(r"^\./[^:\n]+:(\d+): (.+)$", text, re.MULTILINE) or re.search(r"^! (.+)$", text, re.MULTILINE)
    if m is None:
        return "see the LaTeX log (run the .tex through pdflatex for details)"
    return f"line {m.group(1)}: {m.group(2)}" if m.lastindex == 2 else m.group(1)
