"""Writing outputs so that nothing is ever half-written, mixed or written anywhere else.

A run's files are all written first, then put in place by renames alone (the swap); a failure
while writing leaves every earlier output as it was, and removes whatever it had written.  A rename
refused during the swap stops it there: the outputs before it new, the others old, each whole.

- **A file** is written to a hidden temporary beside it (``.seed.md.4711-3f9a0c1b.tmp``), then
  renamed over it: a reader sees the old file or the new one, never a part.
- **A bundle** is a folder that one run makes whole: ``symopt exam``'s ``DIR/<template>/`` (sheets,
  key, quiz: the key must never list other variants than the sheets), ``symopt render``'s
  ``DIR/<spec>-figures/``.  It is built as a hidden sibling folder (``.exam.4711-3f9a0c1b.tmp``), then
  exchanged with the old folder in one step (Linux ``renameat2(RENAME_EXCHANGE)``), and the old one,
  now under the hidden name, is removed.  A reader sees the old bundle or the new one, never a mix,
  and never files a later run did not make (fewer variants leave no old ones behind).  Where
  renameat2 cannot exchange (not Linux, or a file system without it), the old one is first renamed
  aside, so for an instant the bundle is missing (still never mixed).
- **The order of the swap**: bundles, then files in the order given.  What links to a bundle (a
  sheet's ``![…](seed-figures/ex1-path.svg)``, ``\\includegraphics``) is a file beside it and comes
  after it, so a new sheet never links a figure that is not there yet: between the bundle's
  exchange and the sheet's rename, or after a kill there, a reader sees the old sheet beside the
  new figures, each whole (a PDF embeds its figures, and is always whole).  Closing that last gap
  would put the sheets inside the swapped folder, which would move them; the next render puts
  both right.
- **A kill** at any moment leaves each output old or new, and beside them that run's hidden
  ``.*.tmp`` files and folders (new versions not yet swapped in, an old bundle not yet removed),
  which nothing reads; the next run writing the same outputs removes them (:func:`_sweep`: a
  temporary's name carries its writer's process id, so one of a run still going is left alone).
  A normal run or an error leaves none.
- **Symlinks**: a symlink where an output goes (``DIR/exam`` pointing to another folder, a
  ``seed.md`` pointing elsewhere) is replaced itself, never written through; its target is left
  as it is.
- **Permissions**: a new file gets what the umask gives (as ``touch`` would); a file written again
  keeps its permissions (0644 stays 0644, 0640 stays 0640), and so does a bundle's folder.
- **Errors** name the output (``out/seed.md: cannot write: Permission denied``), never a temporary.
- **Names** made from a user's file name stay one name inside the output folder (:func:`inside`),
  and those that sheets link to print as themselves in Markdown and LaTeX (:func:`slug`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
import csv
import errno
import io
import os
from pathlib import Path
import re
import shutil
import stat
import time
import unicodedata

from .errors import SymoptError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_NO_EXCHANGE = (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP)  # the system or the file system cannot exchange


def write_all(files: dict[Path, bytes], bundles: Iterable[Path] = ()) -> None:
    """Write every file, or (on an error) none of them.  A file under one of `bundles` (folders) goes
    into a new copy of its bundle, which then replaces the old bundle whole (see the module)."""
    contents: dict[Path, dict[Path, bytes]] = {bundle: {} for bundle in bundles}
    plain: dict[Path, bytes] = {}
    for path, data in files.items():
        owner = next((b for b in contents if b in path.parents), None)
        if owner is None:
            plain[path] = data
        else:
            contents[owner][path.relative_to(owner)] = data
    for bundle in contents:
        _check(bundle, folder=True)
    for path in plain:
        _check(path, folder=False)
    for target in [*contents, *plain]:
        _sweep(target)
    staged: list[tuple[Path, Path]] = []  # (the new version, its target), in the order of the swap
    try:
        for bundle, held in contents.items():
            staged.append((_stage_bundle(bundle, held), bundle))
        for path, data in plain.items():
            staged.append((_stage_file(path, data), path))
    except BaseException:
        for new, _ in staged:
            _discard(new)
        raise
    _swap(staged)


def inside(folder: Path, name: str) -> Path:
    """``folder/name`` for a name made from a user's file name (``...toml`` has the stem ``..``):
    one plain name, or one clear line, so that no output leaves the output folder."""
    if name in ("", ".", "..") or "/" in name or os.sep in name:
        raise SymoptError(f"{name!r} cannot name an output folder; rename the file", str(folder))
    return folder / name


def slug(stem: str) -> str:
    """A name that prints as itself in a Markdown link and in LaTeX's ``\\includegraphics``: letters
    (of any script: pdflatex takes UTF-8 file names, Vietnamese "bài" too), digits, ``-``, ``_`` and
    ``.`` are kept, anything else (spaces, ``()<>[]%#$&~{}\\``) becomes ``_``."""
    text = unicodedata.normalize("NFC", stem)  # "bài" as one letter à, not a plus a combining mark
    return "".join(c if c.isalpha() or c.isdecimal() or c in "-_." else "_" for c in text)


#: Characters no text symopt reads may hold (a spec's keys and strings, a file's name): control
#: characters (but tab and newline); the bidi marks, embeddings, overrides and isolates, which make a
#: text read otherwise than it is stored ("Trojan source"), in a sheet, a terminal or an LMS page;
#: the line and paragraph separators (a new line to JavaScript and some terminals); and every
#: invisible one: Unicode's format characters (category Cf: the soft hyphen, zero-width spaces and
#: joiners, invisible operators, the tag characters that smuggle ASCII, U+FEFF inside a text), and the
#: blanks that are letters or marks (Hangul fillers, the grapheme joiner, variation selectors,
#: the braille blank)
HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"  # Cf (Unicode 14)
    "\u2028\u2029"
    "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u2800\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def hidden_kind(text: str) -> str | None:
    """"a control character (U+001B)" or "a bidi control (U+202E)": the first of :data:`HIDDEN` in
    `text`, or None."""
    m = HIDDEN.search(text)
    if m is None:
        return None
    c = m.group()
    kind = ("a control character" if ord(c) <= 0x9F else "a bidi control" if _BIDI.match(c) else
            "a line separator" if c in "\u2028\u2029" else "an invisible character")
    return f"{kind} (U+{ord(c):04X})"


def shown(text: str) -> str:
    """`text` with every character of :data:`HIDDEN` written as its code (\\u001b), to be printed."""
    return HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) <= 0xFFFF else f"\\U{ord(m.group()):08x}", text)


def read_text(path: Path, what: str) -> str:
    """A user's UTF-8 file (`what` names it in errors: "a spec file"), or one clear line.  A byte
    order mark at its start (Windows editors write one) is dropped.  A name holding a control or
    bidi character is refused: it reaches sheets, footers and the terminal."""
    kind = hidden_kind(str(path))
    if kind:
        raise SymoptError(f"the file's name holds {kind}, which shows otherwise than it is stored; rename the file", shown(str(path)))
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SymoptError("no such file", str(path)) from None
    except IsADirectoryError:
        raise SymoptError(f"is a directory, not {what}", str(path)) from None
    except UnicodeDecodeError:
        raise SymoptError("is not UTF-8 text", str(path)) from None
    except OSError as e:
        raise SymoptError(e.strerror or "cannot be read", str(path)) from None


def _swap_step(step: int) -> None:
    """Called before each step of the swap (each rename, then the removal of old bundles), numbered
    from 0; the tests replace it to kill or fail the writer at every step in turn."""


def _swap(staged: list[tuple[Path, Path]]) -> None:
    """Put every new version in place, in order; an error stops there, each output whole (the
    earlier ones new, the later ones old), and removes every temporary."""
    old: list[tuple[Path, Path]] = []  # (where an old bundle now is, its bundle)
    for step, (new, target) in enumerate(staged):
        try:
            _swap_step(step)
            if new.is_dir():
                moved = _put_folder(new, target)
                if moved is not None:
                    old.append((moved, target))
            else:
                os.replace(new, target)
        except BaseException as e:
            for later, _ in staged[step:]:
                _discard(later)
            for moved, _ in old:
                _discard(moved)
            if isinstance(e, OSError):
                raise _cannot(e, target) from None
            raise
    _swap_step(len(staged))
    for moved, bundle in old:
        try:
            _remove(moved)
        except OSError as e:
            raise SymoptError(f"written, but its old version is left in {moved}: {e.strerror or e}", str(bundle)) from None


def _check(path: Path, folder: bool) -> None:
    """An output must not be a folder where a file goes, nor a file where a bundle goes (a symlink
    is fine: it is replaced)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as e:
        raise _cannot(e, path) from None
    if not folder and stat.S_ISDIR(mode):
        raise SymoptError("is a folder; remove it or choose another -o", str(path))
    if folder and not (stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
        raise SymoptError("is a file where symopt writes a folder; remove it or choose another -o", str(path))


def _stage_file(path: Path, data: bytes) -> Path:
    """`data` in a new hidden file beside `path`, with the permissions `path` will have."""
    new = _beside(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(new, data, _mode(path, stat.S_ISREG))
    except BaseException as e:
        _discard(new)
        if isinstance(e, OSError):
            raise _cannot(e, path) from None
        raise
    return new


def _stage_bundle(bundle: Path, contents: dict[Path, bytes]) -> Path:
    """A new hidden folder beside `bundle` holding `contents` (relative path -> bytes), with the
    permissions of the old bundle's folder and files (none are read through a symlink)."""
    new = _beside(bundle)
    target = bundle
    try:
        bundle.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(new, 0o777)  # the umask applies, as to any folder the user makes
        was = _mode(bundle, stat.S_ISDIR)
        for relative, data in contents.items():
            target = bundle / relative
            (new / relative).parent.mkdir(parents=True, exist_ok=True)
            _create(new / relative, data, None if was is None else _mode(target, stat.S_ISREG))
        target = bundle
        if was is not None:
            os.chmod(new, was)  # last: a read-only folder stays read-only
    except BaseException as e:
        _discard(new)
        if isinstance(e, OSError):
            raise _cannot(e, target) from None
        raise
    return new


def _create(path: Path, data: bytes, mode: int | None) -> None:
    """A new file (never an existing one, nor through a symlink) holding `data`: with `mode`, or
    else what the umask gives."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    with os.fdopen(fd, "wb") as f:
        if mode is not None:
            os.fchmod(f.fileno(), mode)  # exactly the old file's, whatever the umask takes off
        f.write(data)


def _mode(path: Path, kind: Callable[[int], bool]) -> int | None:
    """The permissions of what is at `path` (never through a symlink there), if it is of `kind`
    (``stat.S_ISREG``, ``stat.S_ISDIR``); only the rwx bits, never set-user-ID or sticky."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return stat.S_IMODE(st.st_mode) & 0o777 if kind(st.st_mode) else None


def _put_folder(new: Path, target: Path) -> Path | None:
    """Swap the folder `new` into `target`: where the old target now is (None if there was none)."""
    try:
        _exchange(new, target)
        return new
    except FileNotFoundError:
        os.rename(new, target)  # no old version
        return None
    except OSError as e:
        if e.errno not in _NO_EXCHANGE:
            raise
    if not os.path.lexists(target):
        os.rename(new, target)
        return None
    aside = _beside(target)  # two renames: for an instant there is no target
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise
    return aside


def _exchange(a: Path, b: Path) -> None:
    """Exchange two entries of a folder in one step (Linux's renameat2; OSError ENOSYS elsewhere)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS), str(a))
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


def _beside(path: Path) -> Path:
    """A new hidden name beside `path`: ``.seed.md.4711-3f9a0c1b.tmp``, the writer's process id and a
    random part (the name cut so that the temporary never gets too long where the output is not)."""
    return path.with_name(f".{path.name[:50]}.{os.getpid()}-{os.urandom(4).hex()}.tmp")


_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.tmp")
_STALE_SECONDS = 24 * 3600  # a temporary this old is stale whatever its process id says (another host's)


def _sweep(target: Path) -> None:
    """Remove the temporaries of `target` that a killed run left (:func:`_beside`'s names): those whose
    writer is no longer running, or older than a day.  Best effort: what cannot be removed stays."""
    prefix = f".{target.name[:50]}."
    with suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            m = _TEMPORARY.fullmatch(entry.name)
            if not (entry.name.startswith(prefix) and m and m["name"] == target.name[:50]):
                continue
            with suppress(OSError):
                if not _running(int(m["pid"])) or time.time() - entry.stat(follow_symlinks=False).st_mtime > _STALE_SECONDS:
                    _remove(Path(entry.path))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or no such id to ask): left alone
    return True


def _remove(path: Path) -> None:
    """Remove a file, a symlink (not its target) or a folder and everything in it."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _discard(path: Path) -> None:
    """Remove a temporary, if it is there, while another error is on its way."""
    with suppress(OSError):
        _remove(path)


def _cannot(e: OSError, target: Path) -> SymoptError:
    return SymoptError(f"cannot write: {e.strerror or e}", str(target))


# A cell a spreadsheet would run as a formula (OWASP's CSV injection) starts with one of these
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# a number as symopt writes one (-4.6003, 0,5 with decimal commas, 1e-7): no formula, whatever its sign
_NUMBER = re.compile(r"[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as it is: text that would start a formula gets OWASP's leading
    ``'``, and a line break in text (a file name may hold one) is a space, since with ``\\n`` rows
    Python's writer leaves a lone CR unquoted.  A number stays as it is, so -4.6003 in key.csv is a
    value a teacher can compute with."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r", " ").replace("\n", " ")
    return "'" + value if value.startswith(_FORMULA) and not _NUMBER.fullmatch(value) else value


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows (the header first) as CSV with ``\\n`` line ends, every cell through :func:`csv_cell`:
    the one CSV writer of symopt (the exam's key, the checker's gradebook)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
