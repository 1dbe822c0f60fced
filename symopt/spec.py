"""Specs: TOML (or a dict from Python) checked into plain objects, with one-line errors.

TOML floats are read as :class:`decimal.Decimal`, so ``0.1`` is exactly 1/10 and ``1e-6`` is
exactly 10^-6.  Every problem is reported as ``<file>: <where>: <what is wrong and what to do>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
import re
import time
import tomllib

from . import dataset as _dataset, labels, schedules
from .arith import NumberMode, parse_mode, plain_value, whole_digits
from .errors import SymoptError
from .expr import Bin, Call, Neg, Node, children, names, parse
from .files import hidden_kind, read_text
from .notation import GRADIENT_NAMES, name_latex
from .numbers import exact
from .optimizers import OPTIMIZERS, Choice, Optimizer, Rules, custom, get

MAX_EPOCHS = 10_000
MAX_VARIABLES = 100
MAX_EXERCISES = 200
#: The work budget of one run, in worked lines (:func:`work`) summed over its exercises (over every
#: variant of an exam), checked before any work.  400 000 is hand Adam on 20 variables for 3 000
#: epochs: 12 s, 450 MB and a 34 MB Markdown sheet on a 2-core machine (SECURITY.md lists the
#: largest runs measured); each key's own bound alone allows 100 times more.
MAX_WORK = 400_000
#: A run that takes longer than this anyway (lines of f's functions at many digits cost up to a
#: hundred times a plain line) stops in one line (symopt.engine.work); the budget is meant to keep
#: every run far from it.
MAX_SECONDS = 60
_RUN_DEADLINE: float | None = None  # set by start_run(): one deadline for the whole command


@contextmanager
def one_run() -> Iterator[None]:
    """One time limit for everything done inside (the CLI's command: every variant of an exam and
    each of its papers share it), not one per call; outside, each call has its own."""
    global _RUN_DEADLINE
    before, _RUN_DEADLINE = _RUN_DEADLINE, time.monotonic() + MAX_SECONDS
    try:
        yield
    finally:
        _RUN_DEADLINE = before


def deadline() -> float:
    """When the work now starting must stop: the run's deadline, else :data:`MAX_SECONDS` from now."""
    return _RUN_DEADLINE if _RUN_DEADLINE is not None else time.monotonic() + MAX_SECONDS


def past(deadline_at: float, where: str, advice: str = "ask for fewer epochs, digits or variants") -> None:
    """SymoptError once `deadline_at` has passed: `where` says where the work stopped."""
    if time.monotonic() > deadline_at:
        raise SymoptError(f"stopped {where}: the run has taken more than {MAX_SECONDS} s (its lines need many digits "
                          f"of f's functions, or there are very many of them); {advice}")
#: The printed numbers of one run (symopt.engine.printed_work: each line's numbers, weighed by their
#: digits), checked once f's gradient is printed, before any epoch: 1.5 million is hand Adam on 20
#: variables for 3 000 epochs (1.42 million); a gradient of 100 terms at 1000 digits has 110 000 an epoch.
MAX_PRINTED = 1_500_000
EXERCISE_WORK = 50  # an exercise's own lines (heading, f, gradient, formulas) and its set-up
EPOCH_WORK = 3  # an epoch's heading and its set-up
FIGURE_WORK = 6000  # an image of figures (the path on f's contours and the loss: about 0.3 s)
#: A line of a derivation (``steps = true``): SymPy confirms each rule it applies: 5 to 100 ms a line
#: (a worked line of an epoch takes 30 µs); counted per variable from f's shape (:func:`step_lines`).
STEP_WORK = 1000
#: A derivation is refused past these (symopt.symbolic.derivation: a line of more nodes, more lines
#: for one variable), in one line before any epoch: steps are for an f a student derives by hand.
MAX_STEP_NODES = 400
MAX_STEP_LINES = 40
MULTS = ("*", "cdot", "times")
DEFAULT_MULT = "cdot"  # typeset products: 0.9 \cdot 0 (the reference sheet's * is mult = "*")
TOP_KEYS = ("title", "lang", "function", "mult", "defaults", "exercise", "optimizers", "figures", "notes", "table", "steps",
            "data")
FIGURES = ("none", "png", "svg", "pdf")
NOTES = ("math", "frameworks")  # a sheet's notes: conventions in mathematical words; also the framework settings
EXERCISE_KEYS = ("optimizer", "hyper", "options", "start", "state", "epochs", "numbers", "function", "gradient_name", "steps",
                 "schedule", *_dataset.KEYS)


@dataclass(frozen=True)
class Exercise:
    optimizer: Optimizer
    hyper: dict[str, Fraction]
    options: dict[str, object]
    function_text: str
    function: Node
    variables: tuple[str, ...]
    start: dict[str, Fraction]
    state: dict[str, dict[str, Fraction]]  # state name -> variable -> initial value
    epochs: int
    numbers: NumberMode
    gradient_name: str = "d"  # how lines name the gradient: dw_1, g_1 or \\frac{\\partial f}{\\partial w_1}
    steps: bool = False  # each ∂f/∂w_i derived by the rules, line by line, before the epochs
    # the rules and the chosen options' notes (Optimizer.choose of `options`), chosen once, when the
    # spec is checked; an exercise made without them chooses them itself
    rules: tuple[tuple[str, Node], ...] = field(default=(), compare=False, repr=False)
    notes: tuple[Choice, ...] = field(default=(), compare=False, repr=False)
    objective: bool = False  # f(w_t) is computed at the start and after each epoch (the spec's table)
    #: a dataset problem (symopt.dataset): f is the loss on the data, its variables the parameters in the
    #: order the spec declares them, and each step works a batch of samples; `epochs` are passes over the data
    data: _dataset.Dataset | None = None

    def __post_init__(self) -> None:
        if not self.rules:  # (every optimizer has a rule: at least w's)
            rules, notes = self.optimizer.choose(self.options)
            object.__setattr__(self, "rules", tuple(rules))
            object.__setattr__(self, "notes", tuple(notes))

    @property
    def updates(self) -> int:
        """The optimizer's steps: one per epoch, or a dataset's ⌈n/B⌉ per epoch (one pass over the data)."""
        return self.epochs if self.data is None else self.epochs * self.data.steps_per_epoch

    @property
    def batches(self) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """A dataset problem's steps: (epoch, the samples of its batch), numbered from 1; () otherwise."""
        return () if self.data is None else self.data.schedule(self.epochs)


@dataclass(frozen=True)
class Spec:
    title: str
    lang: str
    function_text: str | None
    exercises: tuple[Exercise, ...]
    mult: str = DEFAULT_MULT
    figures: str = "none"  # none | png | svg | pdf: what render draws (see symopt.figures)
    source: str = "<spec>"
    stem: str = "sheet"
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    notes: str = "math"  # math | frameworks: whether each convention also names its PyTorch/optax/Keras setting
    table: Table | None = None  # the spec's `table`: trajectory tables and the comparison (None: none)


TABLE_KEYS = ("rows", "tolerance", "minimum")
TABLE_ROWS = 21  # a trajectory table's rows by default: every epoch of a run of 20, every 50th of 1000
MAX_TABLE_ROWS = MAX_EPOCHS + 1


@dataclass(frozen=True)
class Table:
    """The spec's ``table``: after each exercise a table of its trajectory, at most `rows` rows
    (epoch 0, the start, included; a longer run shows every k-th epoch and the last); and when the
    exercises share f and the start, one comparison of them, where an exercise reaches f's minimum
    within the tolerance at the first epoch t with f(w_t) <= `minimum` + `tolerance`."""

    rows: int = TABLE_ROWS
    tolerance: Fraction = Fraction(1, 1000)
    minimum: Fraction = Fraction(0)

    @property
    def level(self) -> Fraction:
        """The value f must fall to: its minimum (as the spec takes it) plus the tolerance."""
        return self.minimum + self.tolerance


def load(path: str | Path) -> Spec:
    """Read and check a TOML spec file."""
    path = Path(path)
    text = read_text(path, "a spec file")
    return loads(text, source=str(path), stem=path.stem)


def loads(text: str, source: str = "<spec>", stem: str = "sheet") -> Spec:
    return from_dict(read_toml(text, source), source=source, stem=stem)


MAX_NESTING = 20  # tables and arrays within each other (a spec needs four)
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
# a key (at a line's start, after [ or [[, or in an inline table) of more than MAX_NESTING dots
_DOTTED = re.compile(rf"(?:^|[{{,\[])[ \t]*(?:{_KEY_PART}[ \t]*\.[ \t]*){{{MAX_NESTING},}}{_KEY_PART}", re.M)


def read_toml(text: str, source: str) -> dict:
    """TOML text as nested dicts, floats as exact Decimals, or one line naming `source`: tomllib's own
    errors, and what it raises past its limits (nesting, a whole number of more than 4300 digits,
    an exponent Decimal cannot hold, memory).  A key dotted more than :data:`MAX_NESTING` deep is
    refused before tomllib reads it: ``a.a.a...`` of 50 000 parts (100 KB) took 8 GB in tomllib."""
    deep = _DOTTED.search(text)
    if deep:
        line = text.count("\n", 0, deep.start()) + 1
        raise SymoptError(f"line {line}: a key dotted more than {MAX_NESTING} deep; a spec's keys are nested four deep at most", source)
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as e:
        raise SymoptError(f"not valid TOML: {e}", source) from None
    except RecursionError:  # tomllib's parser recurses into each nested array or table
        raise SymoptError("not valid TOML: arrays or tables nested too deeply", source) from None
    except ValueError:  # Python's limit on the digits of a whole number (tomllib's int())
        raise SymoptError("a whole number of more than 4300 digits; numbers are at most 10^300", source) from None
    except ArithmeticError:  # decimal.InvalidOperation: 1e999999999999999999
        raise SymoptError("a number whose exponent is past any bound; numbers are between 10^-300 and 10^300", source) from None
    except MemoryError:
        raise SymoptError("too large to read (keys nested or repeated past memory)", source) from None


def from_dict(data: dict, source: str = "<spec>", stem: str = "sheet", overrides: dict | None = None) -> Spec:
    """Check a spec given as nested dicts (the TOML structure).  `overrides` are CLI flags:
    ``lang``, ``mult``, ``notes`` (top level), ``numbers``, ``epochs`` (every exercise)."""
    try:
        return _spec(data, source, stem, overrides or {})
    except SymoptError as e:
        raise e if e.where and e.where.startswith(source) else e.within(source) from None


def _spec(data: dict, source: str, stem: str, overrides: dict) -> Spec:
    if not isinstance(data, dict):
        raise SymoptError("a spec is a table of keys")
    screen(data)
    _only(data, TOP_KEYS, "the top level")
    title, lang, mult, notes, figures = _sheet_keys(data, overrides)
    table = _table_key(data.get("table", False))
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SymoptError("must be a table", "defaults")
    _only(defaults, EXERCISE_KEYS, "defaults")
    entries = data.get("exercise")
    if entries is None:
        raise SymoptError("no exercises: add at least one [[exercise]] with an optimizer")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries) or not entries:
        raise SymoptError("must be an array of tables ([[exercise]])", "exercise")
    if len(entries) > MAX_EXERCISES:
        raise SymoptError(f"{len(entries)} exercises; a spec holds at most {MAX_EXERCISES}: split it into several specs", "exercise")
    top_function, top_data = data.get("function"), data.get("data")
    if top_function is not None and top_data is not None:
        raise SymoptError("a spec gives f (function) or a data table with its model or loss (data), not both at the top level; "
                          "give one of them in each exercise instead", "data")
    columns = None if top_data is None else _columns(top_data)
    _steps_of(data)  # (the top level's: named there when it is wrong)
    customs = _customs(data)
    exercises = []
    for n, entry in enumerate(entries, start=1):
        merged = {**defaults, **entry}
        if "data" not in merged and columns is not None:
            merged["data"] = columns
        if "function" not in merged and "data" not in merged and top_function is not None:
            merged["function"] = top_function
        if "steps" not in merged and data.get("steps") is not None:  # the top level's, unless [defaults] or the exercise gives one
            merged["steps"] = data["steps"]
        for key in ("numbers", "epochs"):
            if overrides.get(key) is not None:
                merged[key] = overrides[key]
        try:
            _only(entry, EXERCISE_KEYS, "this exercise")
            exercises.append(_exercise(merged, customs, objective=table is not None))
        except SymoptError as e:
            raise e.within(f"exercise {n}") from None
    check_work(work(exercises))
    return Spec(title, lang, top_function, tuple(exercises), mult, figures, source, stem, data, notes=notes, table=table)


def work(exercises: Iterable[Exercise]) -> int:
    """The work of exercises in the budget's unit (:data:`MAX_WORK`), worked lines: per exercise
    :data:`EXERCISE_WORK`, per epoch :data:`EPOCH_WORK` (and a line for f(w_t) with the spec's
    table) and per variable a line for its gradient and one per rule (6 for Adam), each weighed by
    the digits the number mode writes (a line of 100 digits counts twice: its time and memory grow
    with them).  A dataset problem counts per step, and its data: a row of the data table each
    sample, each sample of a batch its lines (a prediction, an error, a gradient per parameter),
    the batch's gradient a line per parameter and a sample (its sum), and f(w_t) a sample's worth
    of work per eight samples; and with ``steps`` :data:`STEP_WORK` per line its derivations may
    have (:func:`step_lines`)."""
    return sum(EXERCISE_WORK + _data_work(ex) + ex.updates * _step_work(ex) * (100 + shown_digits(ex.numbers)) // 100
               + STEP_WORK * step_lines(ex) for ex in exercises)


def _step_work(ex: Exercise) -> int:
    """The worked lines of one step (an epoch of a problem without data)."""
    variables = len(ex.variables)
    lines = EPOCH_WORK + ex.objective + variables * (len(ex.rules) + 1)
    if ex.data is not None:
        size = ex.data.size
        lines += size * (len(ex.data.samples) + variables) + variables * size + ex.objective * (ex.data.n // 8)
    return lines


def _data_work(ex: Exercise) -> int:
    return 0 if ex.data is None else ex.data.n * (1 + len(ex.data.columns) // 4)


def step_lines(ex: Exercise) -> int:
    """At most how many lines an exercise's derivations have (none without ``steps``): per variable,
    one a level of f's tree (a sum's terms one level: the sum rule takes them at once), and the
    simplified line, at most :data:`MAX_STEP_LINES`."""
    return len(ex.variables) * min(_levels(ex.function) + 1, MAX_STEP_LINES) if ex.steps else 0


def _levels(node: Node) -> int:
    """The rules a derivation applies one inside another at most: a level per operator or
    function, the terms of a sum (within sums and negations) one level, a number or a name none."""
    deepest, todo = 0, [(node, 0, False)]
    while todo:
        n, depth, in_sum = todo.pop()
        if not isinstance(n, (Bin, Neg, Call)):
            continue
        summing = isinstance(n, Bin) and n.op in ("+", "-")
        level = depth if in_sum and (summing or isinstance(n, Neg)) else depth + 1
        deepest = max(deepest, level)
        todo.extend((child, level, summing or (in_sum and isinstance(n, Neg))) for child in children(n))
    return deepest



def shown_digits(mode: NumberMode) -> int:
    """About how many digits a value of `mode` is written with."""
    return {"precision": mode.digits, "hand": mode.kept + mode.sig, "sig": mode.sig}.get(mode.kind, 30)


def check_work(total: int, times: int = 1, what: str = "") -> None:
    """SymoptError, before any work, when `times` runs of `total` are past :data:`MAX_WORK`."""
    if total * times > MAX_WORK:
        asked = f"{times} variants × {total}" if times > 1 else f"{total}"
        raise SymoptError(f"asks for {asked} worked lines (summed over the exercises{what}, longer lines counted more); one run works at most "
                          f"{MAX_WORK}: ask for fewer epochs, exercises, variables, digits, variants or figures")


def check_printed(total: int, times: int = 1) -> None:
    """SymoptError, before any epoch, when `times` runs print more than :data:`MAX_PRINTED` numbers."""
    if total * times > MAX_PRINTED:
        asked = f"{times} variants × {total}" if times > 1 else f"{total}"
        raise SymoptError(f"its lines would print {asked} numbers (weighed by their digits: f's gradient substitutes many "
                          f"values in each line); one run prints at most {MAX_PRINTED}: ask for fewer epochs, "
                          "variables, digits or variants, or a simpler f")


_WHOLE_BITS = 997  # a whole number past 2^997 is past 10^300: no key takes one


MAX_STRING = 4000  # characters of any one string (f of 120 operators is under 2000)
MAX_TITLE = 300  # characters of a title: one line of a sheet, a figure and an LMS question


def screen(data: object, where: str = "", sep: str = ".", depth: int = 0) -> None:
    """SymoptError naming the first key of `data` (nested tables and arrays, as TOML or the Python
    API gives them; `sep` joins `where` and a key) that holds what no key of a spec may: a string with a control or bidi character
    (:data:`symopt.files.HIDDEN`) or past :data:`MAX_STRING` characters, or a whole number past 10^300
    (whose digits Python will not even print)."""
    if isinstance(data, str):
        kind = hidden_kind(data)
        if kind:
            raise SymoptError(f"holds {kind}, which shows otherwise than it is stored; remove it", where or None)
        if len(data) > MAX_STRING:
            raise SymoptError(f"is {len(data)} characters long; a spec's text is at most {MAX_STRING}", where or None)
    elif isinstance(data, int) and not isinstance(data, bool) and data.bit_length() > _WHOLE_BITS:
        raise SymoptError(f"a number of about {whole_digits(data)} digits; numbers are at most 10^300", where or None)
    elif isinstance(data, (dict, list, tuple)) and depth >= MAX_NESTING:
        # named by its top key: the path down would be twenty keys long
        raise SymoptError(f"tables and arrays nested more than {MAX_NESTING} deep", re.split(r"[ .]", where)[0] or None)
    elif isinstance(data, dict):
        for key, value in data.items():
            screen(str(key), where)
            screen(value, f"{where}{sep}{key}" if where else str(key), ".", depth + 1)
    elif isinstance(data, (list, tuple)):  # named as the other errors name them: exercise 2: start.w1
        for i, value in enumerate(data, start=1):
            screen(value, f"{where} {i}", ": ", depth + 1)


def _sheet_keys(data: dict, overrides: dict) -> tuple[str, str, str, str, str]:
    """The keys of the whole sheet: title, lang, mult, notes, figures (CLI flags first)."""
    title = data.get("title", labels.DEFAULT_TITLE)
    if not isinstance(title, str):
        raise SymoptError("must be a string", "title")
    title = " ".join(title.split())  # a title is one line in every format
    if len(title) > MAX_TITLE:
        raise SymoptError(f"is {len(title)} characters long; a title is at most {MAX_TITLE} (one line)", "title")
    lang = overrides.get("lang") or data.get("lang", "en")
    if lang not in labels.TEXT:
        raise SymoptError(f"unknown language {lang!r}; use {' or '.join(labels.languages())}", "lang")
    mult = overrides.get("mult") or data.get("mult", DEFAULT_MULT)
    if mult not in MULTS:
        raise SymoptError(f"unknown multiplication sign {mult!r}; use one of {', '.join(MULTS)}", "mult")
    notes = overrides.get("notes") or data.get("notes", "math")
    if notes not in NOTES:
        raise SymoptError('must be "math" (the default: conventions in mathematical words) or "frameworks" '
                          f"(also the PyTorch, optax or Keras setting each matches), got {notes!r}", "notes")
    figures = data.get("figures", "none")
    if figures not in FIGURES:
        raise SymoptError(f"must be one of {', '.join(FIGURES)}, got {figures!r}", "figures")
    return title, lang, mult, notes, figures


TABLE_USAGE = "table = true, or a table such as { rows = 21, tolerance = 0.001, minimum = 0 }"


def _table_key(value: object) -> Table | None:
    """The spec's ``table``: false (the default: no tables), true (the defaults of :class:`Table`)
    or a table of its keys."""
    if value is False:
        return None
    if value is True:
        return Table()
    if not isinstance(value, dict):
        raise SymoptError(f"must be true, false or a table: {TABLE_USAGE}", "table")
    _only(value, TABLE_KEYS, "table")
    rows = value.get("rows", TABLE_ROWS)
    if isinstance(rows, bool) or not isinstance(rows, int) or not 2 <= rows <= MAX_TABLE_ROWS:
        raise SymoptError(f"must be a whole number from 2 to {MAX_TABLE_ROWS} (epoch 0 and the last at least), "
                          f"got {plain_value(rows)}", "table.rows")
    tolerance = _number(value.get("tolerance", Table.tolerance), "table.tolerance")
    if tolerance <= 0:
        raise SymoptError(f"must be more than 0, got {plain_value(value['tolerance'])}", "table.tolerance")
    return Table(rows, tolerance, _number(value.get("minimum", Table.minimum), "table.minimum"))


def _customs(data: dict) -> dict[str, Optimizer]:
    """The spec's own optimizers ([optimizers.my_adamax])."""
    table = data.get("optimizers", {})
    if not isinstance(table, dict):
        raise SymoptError("must be a table of tables ([optimizers.my_adamax])", "optimizers")
    customs = {}
    for key, entry in table.items():
        try:
            customs[key] = custom(key, entry)
        except SymoptError as e:
            raise e.within("optimizers") from None
    return customs


def _only(table: dict, allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise SymoptError(f"unknown key {key!r} in {where}; valid keys: {', '.join(allowed)}")


def _number(value: object, where: str) -> Fraction:
    try:
        return exact(value)
    except ValueError as e:
        raise SymoptError(str(e), where) from None


def _table(data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise SymoptError("must be a table, e.g. { w1 = -5, w2 = -2 }", key)
    return value


def natural_key(name: str) -> list:
    """w2 before w10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def variables_of(function: Node) -> tuple[str, ...]:
    return tuple(sorted(names(function) - {"pi"}, key=natural_key))


def _columns(value: object) -> tuple[tuple[str, tuple[Fraction, ...]], ...]:
    """The spec's ``data`` table (top level or an exercise's), checked (:func:`symopt.dataset.columns_of`)."""
    if isinstance(value, tuple):  # checked already: the top level's, given to each exercise
        return value
    return _dataset.columns_of(value)


def _exercise(data: dict, customs: dict[str, Optimizer] | None = None, objective: bool = False) -> Exercise:
    epochs = data.get("epochs", 2)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
        raise SymoptError(f"must be a whole number from 1 to {MAX_EPOCHS}, got {epochs!r}", "epochs")
    optimizer = _optimizer_of(data, customs)
    problem = None
    if "data" in data:
        function_text, function, variables, problem = _dataset_problem(data)
    else:
        for key in _dataset.KEYS:
            if key in data:
                raise SymoptError("is a key of a dataset problem: give the data table too ([data] with its columns)", key)
        function_text, function, variables = _function_of(data)
    if "schedule" in data:  # over every step the run takes: a dataset's epoch has several
        updates = epochs if problem is None else epochs * problem.steps_per_epoch
        optimizer = optimizer.scheduled(schedules.read(data["schedule"], updates))
    options = _table(data, "options")
    try:
        rules, notes = optimizer.choose(options)
    except SymoptError as e:
        raise e.within("options") from None
    hyper_names, state_names = optimizer.hyper_for(options), optimizer.state_for(options)
    _names_apart(optimizer, options, variables, hyper_names, state_names, rules,
                 *(("variable", "function") if problem is None else ("parameter", "loss" if problem.model is None else "model")))
    hyper = _hyper_of(data, optimizer, hyper_names)
    start = _start_of(data, variables, "variable of f" if problem is None else f"parameter of {problem.describe()}")
    state = _state_of(data, optimizer, state_names, hyper, variables)
    try:
        numbers = parse_mode(data.get("numbers", "exact"))
    except SymoptError as e:
        raise e.within("numbers") from None
    gradient_name = data.get("gradient_name", "d")
    if gradient_name not in GRADIENT_NAMES:
        raise SymoptError(f"must be one of {', '.join(map(repr, GRADIENT_NAMES))} (dw_1, g_1 or ∂f/∂w_1), got {gradient_name!r}",
                          "gradient_name")
    if problem is not None and gradient_name == "partial":
        raise SymoptError('a dataset problem names its gradient "d" (dw, db) or "g"; its per-sample gradients are '
                          "written \\frac{\\partial L^{(i)}}{\\partial w}", "gradient_name")
    return Exercise(optimizer, hyper, dict(options), function_text, function, variables, start, state, epochs, numbers,
                    gradient_name, _steps_of(data), tuple(rules), tuple(notes), objective, problem)


def _steps_of(data: dict) -> bool:
    """The ``steps`` key: whether each ∂f/∂w_i is derived by the rules on the sheet (default false)."""
    steps = data.get("steps", False)
    if not isinstance(steps, bool):
        raise SymoptError(f"must be true or false (each ∂f/∂w derived by the rules before the epochs), got {steps!r}", "steps")
    return steps


def _dataset_problem(data: dict) -> tuple[str, Node, tuple[str, ...], _dataset.Dataset]:
    """A dataset problem's loss as written, f (the loss on the data), its parameters and the problem."""
    if "function" in data:
        raise SymoptError("a dataset problem's loss comes from its model or its loss key, not from f; "
                          "leave function out of this exercise (and of [defaults])", "function")
    problem = _dataset.dataset_of(data, _columns(data["data"]), data.get("start", {}))
    if len(problem.params) > MAX_VARIABLES:
        raise SymoptError(f"{len(problem.params)} parameters; at most {MAX_VARIABLES} are supported", "start")
    return problem.loss if problem.model is None else problem.model, problem.objective(), problem.params, problem


def _optimizer_of(data: dict, customs: dict[str, Optimizer] | None) -> Optimizer:
    if "optimizer" not in data:
        raise SymoptError(f"missing 'optimizer' ({', '.join(OPTIMIZERS)})")
    if not isinstance(data["optimizer"], str):
        raise SymoptError("must be a string such as \"adam\"", "optimizer")
    try:
        return get(data["optimizer"], customs)
    except SymoptError as e:
        raise e.within("optimizer") from None


def _function_of(data: dict) -> tuple[str, Node, tuple[str, ...]]:
    """f as written, its tree and its variables."""
    if "function" not in data:
        raise SymoptError("missing 'function': give f at the top level or in the exercise")
    function_text = data["function"]
    try:
        function = parse(function_text)
    except SymoptError as e:
        raise e.within("function") from None
    variables = variables_of(function)
    for v in variables:
        if not re.fullmatch(r"[A-Za-z]+[0-9]*", v):
            raise SymoptError(f"variable {v!r}: name variables with letters and then digits (w1, x, theta2)", "function")
    if not variables:
        raise SymoptError("f has no variables; write it in terms of w1, w2, …", "function")
    if len(variables) > MAX_VARIABLES:
        raise SymoptError(f"f has {len(variables)} variables; at most {MAX_VARIABLES} are supported", "function")
    return function_text, function, variables


def _names_apart(optimizer: Optimizer, options: dict, variables, hyper_names, state_names, rules: Rules,
                 noun: str = "variable", key: str = "function") -> None:
    """f's variables (a dataset problem's parameters: `noun`, named in its `key`) are neither the
    optimizer's names nor printed as its symbols (`rules`: those the options choose)."""
    advice = f"rename the {noun}" if key != "model" else \
        "the model names its parameters w and b: give the loss of one sample yourself (loss = ...) with other names"
    clash = [v for v in variables if v in hyper_names or v in state_names or v in ("g", "t")]
    if clash:
        raise SymoptError(f"{clash[0]!r} names a hyperparameter or state of {optimizer.key}; {advice}", key)
    shared = optimizer.notation(variables, options, rules=rules).shared_symbols()
    if shared:
        v, symbol = shared[0]
        raise SymoptError(f"{noun} {v!r} would print as ${name_latex(v)}$, which {optimizer.title} writes as "
                          f"{symbol}; {advice}", key)


def _hyper_of(data: dict, optimizer: Optimizer, hyper_names) -> dict[str, Fraction]:
    hyper_in = _table(data, "hyper")
    for key in hyper_in:
        if key not in hyper_names:
            raise SymoptError(f"unknown hyperparameter {key!r} for {optimizer.key}; valid: {', '.join(hyper_names)}", "hyper")
    missing = [h for h in hyper_names if h not in hyper_in and h not in optimizer.hyper_defaults]
    if missing:
        raise SymoptError(f"missing {', '.join(missing)}; {optimizer.key} needs {', '.join(hyper_names)}", "hyper")
    return {h: _number(hyper_in.get(h, optimizer.hyper_defaults.get(h)), f"hyper.{h}") for h in hyper_names}


def _start_of(data: dict, variables, what: str = "variable of f") -> dict[str, Fraction]:
    """Each variable's start value (`what` the variables are: a dataset problem's are parameters)."""
    start_in = _table(data, "start")
    for key in start_in:
        if key not in variables:
            noun = what.split()[0]
            raise SymoptError(f"{key!r} is not a {what} (its {noun}s: {', '.join(variables)})", "start")
    missing = [v for v in variables if v not in start_in]
    if missing:
        raise SymoptError(f"missing a start value for {', '.join(missing)}", "start")
    return {v: _number(start_in[v], f"start.{v}") for v in variables}


def _state_of(data: dict, optimizer: Optimizer, state_names, hyper: dict, variables) -> dict[str, dict[str, Fraction]]:
    """Each state's start value per variable: the optimizer's (0, or a hyperparameter), or the spec's."""
    state = {}
    for name in state_names:
        first = optimizer.start.get(name, "0")
        q = hyper[first] if first in hyper else exact(first)
        state[name] = {v: q for v in variables}
    for key, value in _table(data, "state").items():
        if key not in state_names:
            valid = ", ".join(state_names) or "none"
            raise SymoptError(f"unknown state {key!r} for {optimizer.key}; its state: {valid}", "state")
        if isinstance(value, dict):
            for v, x in value.items():
                if v not in variables:
                    raise SymoptError(f"{v!r} is not a variable of f", f"state.{key}")
                state[key][v] = _number(x, f"state.{key}.{v}")
        else:
            q = _number(value, f"state.{key}")
            state[key] = {v: q for v in variables}
    return state


def with_overrides(spec: Spec, **overrides) -> Spec:
    """The spec re-checked with CLI flags (lang, mult, notes, numbers, epochs) applied."""
    if not any(v is not None for v in overrides.values()):
        return spec
    return from_dict(spec.raw, spec.source, spec.stem, overrides)

