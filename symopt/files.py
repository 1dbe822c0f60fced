"""Writing outputs so that nothing is ever half-written.

All of a run's files are first written to temporary files beside their targets, then renamed
into place; a reader sees the old file or the new one, never a part, and a failure while writing
leaves every earlier output as it was.
"""

from __future__ import annotations

import os
from pathlib import Path
import tempfile

from .errors import SymoptError


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file, or (on an error) none of them."""
    for path in files:
        if path.is_dir():
            raise SymoptError("is a folder; remove it or choose another -o", str(path))
    temporaries: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temporaries.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        for tmp, path in temporaries:
            os.replace(tmp, path)
    except OSError as e:
        for tmp, _ in temporaries:
            if os.path.exists(tmp):
                os.unlink(tmp)
        where = e.filename if e.filename else str(next(iter(files)).parent)
        raise SymoptError(f"cannot write: {e.strerror or e}", str(where)) from None


def read_text(path: Path, what: str) -> str:
    """A user's UTF-8 file (`what` names it in errors: "a spec file"), or one clear line."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SymoptError("no such file", str(path)) from None
    except IsADirectoryError:
        raise SymoptError(f"is a directory, not {what}", str(path)) from None
    except UnicodeDecodeError:
        raise SymoptError("is not UTF-8 text", str(path)) from None
    except OSError as e:
        raise SymoptError(e.strerror or "cannot be read", str(path)) from None
