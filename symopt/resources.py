"""Where symopt's own files are: templates and the bundled example.

In a wheel they are installed inside the package (``symopt/templates``, ``symopt/examples``);
in a source checkout they are the top-level ``templates/`` and ``examples/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource(name: str) -> Path:
    """The folder or file `name` (``templates``, ``examples/seed.toml``) of this installation."""
    installed = _PACKAGE / name
    if installed.exists():
        return installed
    return _PACKAGE.parent / name
