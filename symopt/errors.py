"""The one error type users see.

Everything a user can get wrong (a spec, a flag, an expression, a number that blows up) raises
:class:`SymoptError` with a one-line message that names the file, key or line and says what to do.
The CLI prints it and exits 2; the Python API lets it propagate.  Anything else escaping symopt is
a bug in symopt.
"""


ECHO = 60  # characters of a user's text an error repeats


def echo(text: str, quote: bool = True) -> str:
    """A user's text as an error repeats it: in quotes as written (a LaTeX backslash once, not
    doubled as repr writes it), at most :data:`ECHO` characters (a 5000-digit argument is not
    printed back whole), control and bidi characters written as codes."""
    from .files import shown

    cut = shown(text if len(text) <= ECHO else text[:ECHO] + "…")
    return f"'{cut}'" if quote else cut


class SymoptError(Exception):
    """A problem with the user's input, explained in one line."""

    def __init__(self, message: str, where: str | None = None):
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)

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
