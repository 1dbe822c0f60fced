"""`pip install .` (not only editable) works: the wheel carries the templates and the example.

Builds the wheel for real, installs it into a fresh virtual environment (reusing this
environment's sympy/jinja2/mpmath), and renders from outside the source tree.
"""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_installs_and_renders(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("symopt-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("symopt/templates/sheet.md.j2", "symopt/templates/sheet.tex.j2", "symopt/templates/body.tex.j2",
                 "symopt/examples/seed.toml", "symopt/cli.py"):
        assert name in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True, capture_output=True)
    where = subprocess.run([str(python), "-c", "import symopt; print(symopt.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv)  # the installed copy, not the source tree

    done = subprocess.run([str(venv / "bin" / "symopt"), "render", "-o", "out", "--format", "md,tex"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "seed.md").read_text(encoding="utf-8") == (ROOT / "output" / "seed.md").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "seed.tex").read_text(encoding="utf-8") == (ROOT / "output" / "seed.tex").read_text(encoding="utf-8")
