"""Jinja2 rendering: one environment factory; each format's delimiters and escape filter come from
its entry in :data:`symopt.formats.FORMATS`.

Templates live in ``templates/`` (installed as ``symopt/templates``); a user's folder given with
``--templates DIR`` comes first, so any template can be overridden by name.  LaTeX templates use
brace-free delimiters -- ``((* block *))``, ``((( variable )))``, ``((= comment =))`` -- so TeX
braces never clash with Jinja.  Plain text (titles, headings) is escaped at each insertion point;
math from the engine is inserted raw.  Templates run in Jinja's sandbox, bounded (:class:`_Bounded`):
a template builds no text past :data:`MAX_TEXT` characters and writes no document past it, includes
itself only so deep, and is read only from inside its folder (a symlink out of it is refused).  A
user's templates are the user's own code: these bounds turn a template that runs away into one line,
they do not make a hostile template safe to run (see SECURITY.md).

A part that several templates share exists once, and is found by name like any template, so a user's
folder holding only that part changes every document built on it: ``preamble.tex.j2``, included by
every full LaTeX document (``sheet.tex.j2``, ``card.tex.j2``, ``exam.tex.j2``, each setting ``size``,
``margin`` and ``graphicx`` first); ``problem.md.j2`` and ``problem.tex.j2``, the problem (title, f,
each exercise's heading, formulas, notes and data rows), which the worked sheet (``sheet.md.j2``,
``body.tex.j2``) and the question sheet (``question.md.j2``, ``question_body.tex.j2``) extend, filling
its blocks ``work`` (each exercise's) and ``end``.  ``tests/test_templates.py`` keeps them shared.

Compiled templates are kept in Jinja's bytecode cache (its per-user folder in the temporary
directory, which Jinja checks is the user's own and private), as Python keeps .pyc files: a cold
render then does not compile its templates again.  The cache reloads a template whose source changed.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
import os
from pathlib import Path
import re
from typing import Any

from jinja2 import ChoiceLoader, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import SandboxedEnvironment

from .errors import SymoptError
from .formats import FORMATS, Format, escape_latex as escape_latex, escape_md as escape_md  # the escapes: for their users
from .resources import resource

_MATH = re.compile(r"(\$[^$]+\$)")

MAX_TEXT = 128 * 2**20
"""Characters in any one text a template builds and in the document it writes (128 Mi).  The largest
sheet the work budget allows (:data:`symopt.spec.MAX_WORK` worked lines) is about 90 MB: 1000-digit
Adam; hand Adam is about 35 MB."""
MAX_ITEMS = 2**22
"""Items of a list a template builds (``|list``, ``|batch``, ``+``): 4 Mi."""
MAX_POWER_BITS = 2**20
"""Bits of a whole number a template may compute with ``**`` or ``*``."""
MAX_MEMORY = 2 * 2**30
"""Memory a template's rendering may take beyond what the process holds (2 GiB, where the system
lets a process limit its own address space): whatever the size checks above do not foresee runs
out of memory here, as one line, instead of taking the machine's."""


class _TooLarge(Exception):
    """A template asked for more than the bounds allow; `what` says what."""


def _bound(size: int, what: str) -> None:
    if size > MAX_TEXT:
        raise _TooLarge(f"{what} would be about {size:,} characters; a template builds at most {MAX_TEXT:,}")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else len(str(value))


def _result(value: Any, what: str) -> Any:
    """`value`, which a call, filter or operator built, if it is within the bounds."""
    if isinstance(value, str):
        _bound(len(value), what)
    elif isinstance(value, (list, tuple)) and len(value) > MAX_ITEMS:
        raise _TooLarge(f"{what} would build a list of {len(value):,} items; a template builds at most {MAX_ITEMS:,}")
    return value


def _width(args: tuple, what: str) -> None:
    """Whole numbers handed to a call or filter that pads or repeats by them (``center``, ``indent``,
    ``format``...) are widths: each is bounded before the call allocates."""
    for a in args:
        if isinstance(a, int) and not isinstance(a, bool):
            _bound(abs(a), what)


_FORMAT_WIDTH = re.compile(r"\d{9,}")
_WIDTH_FROM_ARGUMENT = re.compile(r"\*|\{[^{}]*\{")  # '%*s', '{:{w}}': a width an argument gives


def _format(text: Any, args: tuple, what: str) -> None:
    """A format (``%`` or ``str.format``) bounded by its field widths: those written in it, and
    arguments only where it takes its width from one (a number merely formatted is not a width)."""
    if not isinstance(text, str):
        return
    if _FORMAT_WIDTH.search(text):
        raise _TooLarge(f"{what}: a field width of more than 8 digits")
    if _WIDTH_FROM_ARGUMENT.search(text):
        _width(args, what)


def _precheck(name: str, value: Any, args: tuple, kwargs: dict) -> None:
    """Refuse a text operation whose result would pass :data:`MAX_TEXT`, from its arguments, before it
    runs: the str methods and Jinja filters that grow text by a number or a repetition."""
    every = (*args, *kwargs.values())
    if name in ("format", "format_map"):
        _format(value, every, name)
    elif name in ("center", "ljust", "rjust", "zfill", "expandtabs", "indent"):
        _width(every, name)
        if name == "expandtabs" and isinstance(value, str):
            _bound(len(value) + value.count("\t") * int(args[0] if args else 8), name)
        if name == "indent" and isinstance(value, str):
            width = every[0] if every else 4
            _bound(len(value) + (value.count("\n") + 1) * (width if isinstance(width, int) else len(str(width))), name)
    elif name == "replace" and isinstance(value, str) and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        _bound(len(value) + (value.count(old) if old else len(value) + 1) * len(new), name)
    elif name == "join" and args:
        items = args[0]
        if isinstance(items, (list, tuple)):
            _bound(sum(_length(i) for i in items) + len(value) * len(items), name)


def _lipsum(lipsum: Any) -> Any:
    """Jinja's ``lipsum(n, html, min, max)``, whose n paragraphs of at most `max` words are bounded
    from its arguments (about 10 characters a word)."""

    def bounded(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # Jinja's names
        _bound(abs(int(n)) * abs(int(max)) * 10, "lipsum")
        return str(lipsum(n, html, min, max))

    return bounded


_GROWING_FILTERS = ("center", "indent", "format", "replace", "join", "wordwrap")


#: Filters whose text grows by at most a factor of the text they are given (an escape writes
#: ``\textbackslash{}`` for ``\``, ``urlize`` a link of some 40 characters for ``a.io``): the text
#: given is bounded by the factor before they run.
_GROWTH = {"escape": 16, "e": 16, "forceescape": 16, "rich": 16, "display": 2, "tojson": 6, "pprint": 10,
           "xmlattr": 6, "urlencode": 12, "urlize": 64, "upper": 3, "lower": 3, "title": 3, "capitalize": 3,
           "string": 1, "truncate": 1, "trim": 1, "striptags": 1}
#: Filters that build a list of about as many items as their value has (characters of a text).
_LISTING = frozenset(["list", "batch", "slice", "map", "select", "reject", "selectattr", "rejectattr", "sort",
                      "unique", "dictsort", "groupby", "items", "reverse"])


def _given(value: Any) -> int:
    """The size of a filter's value: a text's characters, and a list's or a table's items and
    their texts, however nested (:func:`_walked`: refused past :data:`MAX_ITEMS`)."""
    if isinstance(value, str):
        return len(value)
    size = _walked(value)
    if size > MAX_ITEMS:
        raise _TooLarge(f"a value of more than {MAX_ITEMS:,} items and characters, nested; a template builds at most that")
    return size


def _walked(value: Any) -> int:
    """The items and characters of a value built of lists, tuples, tables and texts, counted as
    far as :data:`MAX_ITEMS` (a list of itself doubled 40 times, ``[s, s]``, holds 2^40 items when
    written, in a few bytes): the count, or more than MAX_ITEMS past it."""
    count, stack = 0, [value]
    while stack and count <= MAX_ITEMS:
        v = stack.pop()
        if isinstance(v, str):
            count += len(v)
        elif isinstance(v, dict):
            count += len(v)
            stack += v.keys()
            stack += v.values()
        elif isinstance(v, (list, tuple, set, frozenset)):
            count += len(v)
            stack += v
        else:
            count += 1
    return count


def _finalize(value: Any) -> Any:
    """What ``{{ value }}`` writes, bounded before it is turned into text."""
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        _given(value)
    return value


def _bounded_filter(name: str, function: Any) -> Any:
    """Jinja's filter `name`, prechecked from its arguments before it runs (the growing ones like
    the str method of the same name, :data:`_GROWING_FILTERS`; those of known growth,
    :data:`_GROWTH`; those that list their value, :data:`_LISTING`), and its result bounded."""
    passed = getattr(function, "jinja_pass_arg", None)  # the context, eval context or environment first
    growth = _GROWTH.get(name)

    def bounded(*args: Any, **kwargs: Any) -> Any:
        lead, rest = args[: 1 if passed else 0], list(args[1 if passed else 0:])
        value: Any = rest[0] if rest else None
        if name == "join" and rest:
            value = rest[0] = list(value)  # a generator (map, select) materialised once, to be measured
            sep = str(rest[1] if len(rest) > 1 else kwargs.get("d", ""))
            _bound(sum(_length(i) for i in value) + len(sep) * len(value), name)
        elif name == "wordwrap" and isinstance(value, str):
            wrap = rest[3] if len(rest) > 3 else kwargs.get("wrapstring") or "\n"
            _bound(len(value) * (1 + len(str(wrap))), name)
        elif name in _GROWING_FILTERS and rest:
            _precheck(name, value, tuple(rest[1:]), kwargs)
        elif growth is not None:
            _bound(_given(value) * growth, f"the filter {name}")
        elif name in _LISTING and isinstance(value, (str, list, tuple)) and len(value) > MAX_ITEMS:
            raise _TooLarge(f"the filter {name} would build a list of about {len(value):,} items; a template builds at most {MAX_ITEMS:,}")
        return _result(function(*lead, *rest, **kwargs), f"the filter {name}")

    if passed is not None:
        bounded.jinja_pass_arg = passed  # type: ignore[attr-defined]
    return bounded


def _binop(op: str, left: Any, right: Any) -> None:
    """The bound on ``*``, ``**`` and ``%`` of a template: repeated text and lists, powers, formats."""
    if op == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(n, int):
                _bound(len(seq) * n, "'*'")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_POWER_BITS:
            raise _TooLarge(f"'*' would build a number of about {left.bit_length() + right.bit_length():,} bits; "
                            f"a template computes at most {MAX_POWER_BITS:,}")
    elif op == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        if abs(left) > 1 and right * abs(left).bit_length() > MAX_POWER_BITS:
            raise _TooLarge(f"'**' would build a number of about {right * abs(left).bit_length():,} bits; a template computes at most {MAX_POWER_BITS:,}")
    elif op == "%" and isinstance(left, str):
        _format(left, right if isinstance(right, tuple) else (right,), "'%'")
    elif op == "+":
        if isinstance(left, str) and isinstance(right, str):
            _bound(len(left) + len(right), "'+'")
        elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)) and len(left) + len(right) > MAX_ITEMS:
            raise _TooLarge(f"'+' would build a list of {len(left) + len(right):,} items; a template builds at most {MAX_ITEMS:,}")


class _Generator(CodeGenerator):
    """Jinja's code generator, whose ``~`` (concatenation) is bounded as ``+`` is: it calls the
    environment's :meth:`_Bounded.joined`."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.joined((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Bounded(SandboxedEnvironment):
    """Jinja's sandbox with the size bounds of :data:`MAX_TEXT` and :data:`MAX_POWER_BITS` on the
    operators, calls and filters that grow text or numbers."""

    intercepted_binops = frozenset(["*", "**", "%", "+"])
    code_generator_class = _Generator

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _binop(operator, left, right)
        return _result(super().call_binop(context, operator, left, right), f"'{operator}'")

    def joined(self, parts: tuple) -> str:
        texts = [str(p) for p in parts]  # (each part's own text is bounded where it was built)
        _bound(sum(map(len, texts)), "'~'")
        return "".join(texts)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # Jinja's signature
        name = getattr(__obj, "__name__", "")
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)  # the sandbox wraps str.format
        if isinstance(owner, str) or name in ("format", "format_map"):
            _precheck(name, owner, args, kwargs)
        return _result(super().call(__context, __obj, *args, **kwargs), name or "a call")


class _Folder(FileSystemLoader):
    """A template folder whose files are read only from inside it: a template that is a symlink out of
    the folder (to /etc/hostname, say) is refused, not rendered into the sheet."""

    def get_source(self, environment: Any, template: str) -> Any:
        source, filename, uptodate = super().get_source(environment, template)
        folder = os.path.realpath(self.searchpath[0])
        if os.path.commonpath([folder, os.path.realpath(filename)]) != folder:
            raise SymoptError(f"template {template}: a link to {os.path.realpath(filename)}, outside the template folder {folder}; copy the file in instead")
        return source, filename, uptodate


def rich(escape):
    """Our own short texts: plain text with inline math ``$...$``; the text parts are escaped."""

    def rich(text: str) -> str:
        return "".join(part if _MATH.fullmatch(part) else escape(part) for part in _MATH.split(text))

    return rich


def environment(fmt: str, templates: str | Path | None = None) -> SandboxedEnvironment:
    """The Jinja2 environment for format `fmt` (an entry of :data:`symopt.formats.FORMATS`: its
    delimiters and its escape), with a user's template folder first.  One per (format, folder) in a
    process, so each template is compiled once (Jinja reloads a template whose file changed)."""
    return _environment(FORMATS[fmt], None if templates is None else str(templates))


@lru_cache(maxsize=16)
def _environment(fmt: Format, templates: str | None) -> SandboxedEnvironment:
    loaders = []
    if templates is not None:
        if not Path(templates).is_dir():
            raise SymoptError("no such folder", f"templates {templates}")
        loaders.append(_Folder(str(templates)))
    loaders.append(_Folder(str(resource("templates"))))
    options = dict(
        loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=False, finalize=_finalize,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    options.update(fmt.delimiters)
    env = _Bounded(bytecode_cache=_bytecode_cache(fmt.name), **options)
    env.filters["escape"] = fmt.escape
    env.filters["rich"] = rich(fmt.escape)
    env.filters["display"] = display_tex
    for name, function in env.filters.items():
        env.filters[name] = _bounded_filter(name, function)
    env.globals["lipsum"] = _lipsum(env.globals["lipsum"])
    return env


def display_tex(line: str) -> str:
    """A worked line as LaTeX display math; a line too long for the page is broken at its
    relations, aligned on them (``align*``: the checker reads a row that starts with = as the
    line's continuation)."""
    from .printer import display_rows

    rows = display_rows(line)
    if len(rows) == 1:
        return "\\[ " + line + " \\]"
    first, *rest = rows
    mark = " = " if " = " in first else " \\approx "
    body = [first.replace(mark, " &" + mark.strip() + " ", 1), *("&" + row for row in rest)]
    return "\\begin{align*}\n" + " \\\\\n".join(body) + "\n\\end{align*}"


class _Cache(FileSystemBytecodeCache):
    """Jinja's file cache, keyed by format too: formats compile with other options.  The name carries
    the sandbox's version (its intercepted operators are compiled into the code)."""

    def __init__(self, fmt: str):
        super().__init__(pattern="__symopt3_%s.cache")
        self.fmt = fmt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.fmt}|{name}", filename)


def _bytecode_cache(fmt: str) -> FileSystemBytecodeCache | None:
    try:
        return _Cache(fmt)
    except (OSError, RuntimeError):  # no private temporary folder to be had: compile every time
        return None


def render(name: str, view: dict, fmt: str, templates: str | Path | None = None) -> str:
    try:
        with _memory_ceiling():
            return _written(environment(fmt, templates).get_template(name).generate(**view))
    except TemplateError as e:
        raise SymoptError(f"template {name}: {e}") from None
    except _TooLarge as e:
        raise SymoptError(f"template {name}: {e}") from None
    except RecursionError:
        raise SymoptError(f"template {name}: includes, extends or calls itself without end (too deeply nested)") from None
    except MemoryError:
        raise SymoptError(f"template {name}: ran out of memory (a template may take {_mebi(MAX_MEMORY)})") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, OSError, AttributeError, AssertionError) as e:
        # a user's template is code of its own: its errors are reported, not raised through
        raise SymoptError(f"template {name}: {type(e).__name__}: {e}") from None


def _mebi(size: int) -> str:
    return f"{size // 2**30} GiB" if size % 2**30 == 0 else f"{size // 2**20} MiB"


def _written(chunks: Any) -> str:
    """The document a template writes, stopped past :data:`MAX_TEXT` characters."""
    out, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_TEXT:
            raise _TooLarge(f"the document passes {MAX_TEXT:,} characters")
        out.append(chunk)
    return "".join(out)


@contextmanager
def _memory_ceiling() -> Any:
    """The process's address space limited to what it holds now plus :data:`MAX_MEMORY` while a
    template renders (where the system has ``RLIMIT_AS`` and ``/proc/self/statm``; a tighter limit
    already set is kept), so an allocation past it is a MemoryError, not the machine's memory."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm") as statm:
            held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError, IndexError):
        yield
        return
    ceiling = held + MAX_MEMORY
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    if soft != resource.RLIM_INFINITY and soft <= ceiling:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
