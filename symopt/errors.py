"""The one error type users see.

Everything a user can get wrong (a spec, a flag, an expression, a number that blows up) raises
:class:`SymoptError` with a one-line message that names the file, key or line and says what to do.
The CLI prints it and exits 2; the Python API lets it propagate.  Anything else escaping symopt is
a bug in symopt.
"""


import re

ECHO = 60  # characters of a user's text an error repeats


def echo(text: str, quote: bool = True) -> str:
    """A user's text as an error repeats it: in quotes as written (a LaTeX backslash once, not
    doubled as repr writes it), at most :data:`ECHO` characters (a 5000-digit argument is not
    printed back whole), control and bidi characters written as codes."""
    from .files import shown

    cut = shown(text if len(text) <= ECHO else text[:ECHO] + "…").replace("\n", "\\n").replace("\t", "\\t")
    return f"'{cut}'" if quote else cut  # (a line break too: a message is one line)


LONG_RUN = 400  # a run of characters without a space longer than this is a user's text repeated whole (a path is shorter)
MAX_MESSAGE = 1000
_RUN = re.compile(rf"\S{{{LONG_RUN + 1},}}")


def short(text: str) -> str:
    """`text` with each run of more than :data:`LONG_RUN` characters without a space cut to its
    first 200 and last 100 (a 4000-character key or name repeated in a message), and at most
    :data:`MAX_MESSAGE` characters in all."""
    if len(text) <= LONG_RUN:
        return text
    text = _RUN.sub(lambda m: m.group()[:200] + "…" + m.group()[-100:], text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


class SymoptError(Exception):
    """A problem with the user's input, explained in one line (of at most :data:`MAX_MESSAGE`
    characters, whatever text of the user's it repeats)."""

    def __init__(self, message: str, where: str | None = None):
        where = None if where is None else short(where)
        self.where = where
        super().__init__(short(f"{where}: {message}" if where else message))

    def within(self, where: str) -> "SymoptError":
        """The same error, located more precisely (`file: exercise 2: hyper: ...`)."""
        inner = str(self)
        return SymoptError(inner, where)


class Diverged(SymoptError):
    """A run that blows up (past 10^300, or not finite).  The engine marks it on the sheet and
    stops that exercise; it is not the user's mistake to fix, but a result to show.
    `kind` is "limit" (past 10^300) or "overflow" (not finite); `line` the line's name once known."""

    def __init__(self, reason: str, where: str | None = None, *, kind: str = "limit", line: str | None = None):
        super().__init__(reason, where)
        self.reason, self.kind, self.line = reason, kind, line


class ExactTooLarge(SymoptError):
    """Exact mode's values outgrow what can be written (nested radicals, huge fractions): the run
    stops with this error, which names the epoch and line once the engine knows them."""

    def __init__(self, reason: str, where: str | None = None, *, epoch: int | None = None, line: str | None = None):
        super().__init__(reason, where)
        self.reason, self.epoch, self.line = reason, epoch, line


class UnknownName(SymoptError):
    """A name in a written line that stands for nothing the checker knows: no quantity with a value
    yet, no hyperparameter, no constant.  The checker says so on that line and checks it no further."""

    def __init__(self, name: str):
        super().__init__(f"{name}: a name symopt does not know")
        self.name = name
