"""LaTeX to PDF with latexmk, in a temporary folder, with shell escape off.

TeX reads and writes only inside its temporary folder (``openin_any=p``, ``openout_any=p``:
paranoid), and runs no shell commands.  Without latexmk, the error says what to install.
"""

from __future__ import annotations

import os
from pathlib import Path
import re
import shutil
import subprocess
import tempfile

from .errors import SymoptError

INSTALL_HINT = (
    "PDF needs latexmk and TeX Live (Debian/Ubuntu: apt-get install latexmk texlive-latex-recommended "
    "texlive-fonts-recommended texlive-lang-other); md and tex work without them"
)
TIMEOUT_SECONDS = 120


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
    with tempfile.TemporaryDirectory(prefix="symopt-tex-") as tmp:
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
        try:
            done = subprocess.run(
                command, cwd=tmp, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                timeout=TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            raise SymoptError(f"LaTeX did not finish within {TIMEOUT_SECONDS} s") from None
        pdf = Path(tmp) / "sheet.pdf"
        if done.returncode != 0 or not pdf.exists():
            raise TexFailed(f"LaTeX failed: {_first_error(Path(tmp) / 'sheet.log')}")
        return pdf.read_bytes()


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
