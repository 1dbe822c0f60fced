"""Writing outputs so that nothing is ever half-written.

Every file is written to a temporary file in the same folder and renamed into place, so a reader
sees the old file or the new one, never a part.  Callers produce all contents first and write
last, so a failure leaves earlier outputs untouched.
"""

from __future__ import annotations

import os
from pathlib import Path
import tempfile


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
