"""Dataset problems: a loss over a small table of samples, worked in batch, stochastic or
mini-batch steps.

A spec's ``data`` is a table of named columns (``x = [1, 2, 3]``, ``y = [2, 4, 5]``, or ``x1``,
``x2``, ``y``); an exercise over it names a model (``model = "linear"``: ŷ = w·x + b, squared
error; ``"logistic"``: ŷ = σ(w·x + b), binary cross-entropy) or a per-sample loss in the
expression language (``loss = "(w*x - y)^2"``), how a batch's losses combine (``reduction``: their
mean or their sum), and how the samples are batched (``batch``: ``"full"``, ``1`` or ``B``;
``shuffle = { seed = N }``).  The parameters are the start's, in the order the spec declares them.

A :class:`Dataset` holds it all, checked; the per-sample lines a step writes are *rules over a
sample's columns* (:attr:`Dataset.samples`: ``ŷ = w x + b``, ``e = ŷ - y``, and per parameter
the gradient of the sample's loss, :attr:`Dataset.gradient`, SymPy-confirmed once), computed,
printed and read back by the same machinery as an optimizer's rules (:mod:`symopt.plan`,
:mod:`symopt.engine`, :mod:`symopt.check`).  An epoch is one pass over the data: ⌈n/B⌉ steps,
the last one shorter when B does not divide n (:meth:`Dataset.schedule`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
import random
import re

from .errors import SymoptError
from .expr import Bin, Call, Name, Neg, Node, Num, map_names, names, parse, to_text
from .numbers import exact

MODELS = ("linear", "logistic")
LOSSES = {"linear": ("squared", "half_squared"), "logistic": ("cross_entropy",)}
REDUCTIONS = ("mean", "sum")
KEYS = ("data", "model", "loss", "reduction", "batch", "shuffle", "bias")
MAX_SAMPLES = 1000  # rows of a data table (a hand exercise has 2 to 10)
MAX_COLUMNS = 20
#: Samples of one step: its gradient line sums them, and a checker reads lines of 5 000 characters
#: (symopt.check.document): a hundred numbers of 30 digits fit.
MAX_BATCH = 100
MAX_SEED = 2**63
#: Names a dataset problem writes itself: the per-sample quantities (ŷ, e, z), the loss L and its
#: mean J, the sample's index i and the batch B, Euler's e; a column or a parameter may not take them.
RESERVED = frozenset({"e", "z", "L", "J", "i", "n", "B", "yhat", "g", "t", "pi"})
TARGET = "y"  # the column a model predicts
ONE, TWO = Num(Fraction(1)), Num(Fraction(2))


@dataclass(frozen=True)
class Dataset:
    """A dataset problem, checked: its columns (declared order), parameters (declared order),
    model and per-sample loss, reduction and batching."""

    columns: tuple[tuple[str, tuple[Fraction, ...]], ...]
    params: tuple[str, ...]
    model: str | None  # "linear", "logistic", or None: a loss of the spec's own
    loss: str  # squared | half_squared | cross_entropy, or the spec's expression as written
    loss_tree: Node  # the loss of one sample, in the parameters and the columns
    reduction: str  # mean | sum: how a batch's gradients (and the data's losses) combine
    batch: int | None  # samples per step; None: the full batch
    seed: int | None = None  # the samples are shuffled for each epoch (random.Random(seed).shuffle)
    prediction: Node | None = None  # a model's linear part, w x + b (its z, for logistic regression)

    @property
    def n(self) -> int:
        return len(self.columns[0][1])

    @property
    def size(self) -> int:
        """The samples of a full step."""
        return self.n if self.batch is None else self.batch

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.n // self.size)

    def column(self, name: str) -> tuple[Fraction, ...]:
        return dict(self.columns)[name]

    @property
    def samples(self) -> tuple[tuple[str, Node], ...]:
        """The quantities a step writes for each sample of its batch, in order, as rules over the
        parameters, the sample's columns and the quantities before: a model's ``z``, ``yhat`` and
        ``e``; none for a loss of the spec's own (its gradient lines alone)."""
        if self.model is None or self.prediction is None:
            return ()
        error = Bin("-", Name("yhat"), Name(TARGET))
        if self.model == "logistic":
            sigmoid = Bin("/", ONE, Bin("+", ONE, Call("exp", (Neg(Name("z")),))))
            return (("z", self.prediction), ("yhat", sigmoid), ("e", error))
        return (("yhat", self.prediction), ("e", error))

    @property
    def gradient(self) -> tuple[Node, ...]:
        """Each parameter's gradient of one sample's loss, as a rule over the sample's quantities
        and columns (a model's: by the chain rule, ``2e x``, ``e``), confirmed by SymPy; the
        structure-keeping derivative of a loss of the spec's own (:func:`derived`)."""
        return derived(self)

    def objective(self) -> Node:
        """The loss on the whole data, J: the mean (or the sum) of every sample's loss, the columns
        written in (the tables' column and the figures' contours)."""
        total = summed([self.sample_tree(self.loss_tree, i) for i in range(1, self.n + 1)])
        return Bin("/", total, Num(Fraction(self.n))) if self.reduction == "mean" else total

    def sample_tree(self, tree: Node, i: int) -> Node:
        """`tree` with sample i's columns (1-based) written in as numbers."""
        values = {c: v[i - 1] for c, v in self.columns}
        return map_names(tree, lambda name: _number(values[name]) if name in values else None)

    def schedule(self, epochs: int) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """Each step's (epoch, samples), the samples numbered from 1: ⌈n/B⌉ steps an epoch, the
        samples in the given order or, with a seed, in an order drawn anew for each epoch from one
        :class:`random.Random` (its ``shuffle``)."""
        return _schedule(self.n, self.size, self.seed, epochs)

    def describe(self) -> str:
        """The model as a sentence's part, for messages: ``linear regression``."""
        return {"linear": "linear regression", "logistic": "logistic regression"}.get(self.model or "", "the loss")


@lru_cache(maxsize=64)
def _schedule(n: int, size: int, seed: int | None, epochs: int) -> tuple[tuple[int, tuple[int, ...]], ...]:
    rng = None if seed is None else random.Random(seed)
    out = []
    for epoch in range(1, epochs + 1):
        order = list(range(1, n + 1))
        if rng is not None:
            rng.shuffle(order)
        out += [(epoch, tuple(order[k:k + size])) for k in range(0, n, size)]
    return tuple(out)


def _number(q: Fraction) -> Node:
    return Neg(Num(-q)) if q < 0 else Num(q)


@lru_cache(maxsize=64)
def derived(data: Dataset) -> tuple[Node, ...]:
    """The gradient of one sample's loss per parameter (:attr:`Dataset.gradient`), derived once.

    A model's is written by the chain rule as a course writes it, the loss's derivative in the
    prediction times the prediction's in the parameter (``2e x``: squared error, ``e x``: half of
    it, or cross-entropy through the sigmoid, whose derivatives cancel), and SymPy confirms it equals
    the derivative of the loss itself; a loss of the spec's own is differentiated by
    :func:`symopt.symbolic.gradient`, the columns held constant."""
    from . import symbolic

    if data.model is None or data.prediction is None:
        return tuple(symbolic.gradient(data.loss_tree, list(data.params)))
    slope = {"squared": TWO}.get(data.loss)
    inner = symbolic.gradient(data.prediction, list(data.params))
    out = []
    error = Bin("-", data.prediction if data.model == "linear" else _sigmoid(data.prediction), Name(TARGET))
    for p, d in zip(data.params, inner, strict=True):
        factor: Node = Name("e") if slope is None else Bin("*", slope, Name("e"))
        tree = factor if d == ONE else symbolic.product(factor, d)
        written = map_names(tree, lambda name: error if name == "e" else None)
        if not symbolic.is_derivative(written, data.loss_tree, p):  # (a model's derivative is known: a bug)
            raise SymoptError(f"the derivative of the loss in {p} is not {to_text(tree)}; please report this")
        out.append(tree)
    return tuple(out)


def _sigmoid(z: Node) -> Node:
    return Bin("/", ONE, Bin("+", ONE, Call("exp", (Neg(z),))))


def _cross_entropy(prediction: Node) -> Node:
    """-(y ln σ(z) + (1 - y) ln(1 - σ(z))): the binary cross-entropy of one sample."""
    p = _sigmoid(prediction)
    y = Name(TARGET)
    return Neg(Bin("+", Bin("*", y, Call("log", (p,))), Bin("*", Bin("-", ONE, y), Call("log", (Bin("-", ONE, p),)))))


# -- the spec's keys ----------------------------------------------------------------------------------
_NAME = re.compile(r"[A-Za-z]+[0-9]*")


def columns_of(value: object) -> tuple[tuple[str, tuple[Fraction, ...]], ...]:
    """The spec's ``data``: named columns of exact numbers, all as long."""
    if not isinstance(value, Mapping) or not value:
        raise SymoptError("must be a table of named columns, e.g. { x = [1, 2, 3], y = [2, 4, 5] }", "data")
    if len(value) > MAX_COLUMNS:
        raise SymoptError(f"{len(value)} columns; a data table has at most {MAX_COLUMNS}", "data")
    out = []
    for name, column in value.items():
        where = f"data.{name}"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise SymoptError("name a column with letters, then digits (x, x1, y)", where)
        if name in RESERVED:
            raise SymoptError(f"{name!r} is a name the sheet writes itself ({', '.join(sorted(RESERVED))}); rename the column", where)
        if not isinstance(column, list) or not column:
            raise SymoptError("must be an array of numbers, one per sample, e.g. [1, 2, 3]", where)
        if len(column) > MAX_SAMPLES:
            raise SymoptError(f"{len(column)} samples; a data table has at most {MAX_SAMPLES}", where)
        values = []
        for k, x in enumerate(column, start=1):
            try:
                values.append(exact(x))
            except ValueError as e:
                raise SymoptError(str(e), f"{where}, sample {k}") from None
        out.append((name, tuple(values)))
    lengths = {len(c) for _, c in out}
    if len(lengths) > 1:
        sizes = ", ".join(f"{name} {len(c)}" for name, c in out)
        raise SymoptError(f"the columns have different lengths ({sizes}); give every column one value per sample", "data")
    return tuple(out)


def dataset_of(entry: Mapping, columns: tuple[tuple[str, tuple[Fraction, ...]], ...], start: object) -> Dataset:
    """An exercise's dataset problem: its `columns` (the spec's data) and its keys `entry`
    (model, loss, reduction, batch, shuffle, bias); the parameters are `start`'s keys, in order."""
    n = len(columns[0][1])
    model = entry.get("model")
    if model is not None and model not in MODELS:
        raise SymoptError(f"must be one of {', '.join(map(repr, MODELS))}, or leave it out and give the loss of one sample "
                          f"as an expression (loss = \"(w*x - y)^2\"); got {model!r}", "model")
    if not isinstance(start, Mapping):
        raise SymoptError("must be a table of the parameters' start values, e.g. { w = 0, b = 0 }", "start")
    reduction = entry.get("reduction", "mean")
    if reduction not in REDUCTIONS:
        raise SymoptError(f"must be \"mean\" (a batch's gradient is the mean of its samples') or \"sum\", got {reduction!r}", "reduction")
    batch = _batch_of(entry.get("batch", "full"), n)
    if (n if batch is None else batch) > MAX_BATCH:
        raise SymoptError(f"a step of {n if batch is None else batch} samples: a step holds at most {MAX_BATCH} (its gradient "
                          f"line sums them); give batch = B of at most {MAX_BATCH}", "batch")
    seed = _seed_of(entry.get("shuffle", False), batch)
    if model is None:
        for key in ("bias",):
            if key in entry:
                raise SymoptError("is a key of a model (model = \"linear\" or \"logistic\")", key)
        return _own_loss(entry, columns, start, reduction, batch, seed)
    return _model(model, entry, columns, start, reduction, batch, seed)


def _batch_of(value: object, n: int) -> int | None:
    if value == "full":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= n:
        raise SymoptError(f"must be \"full\" (every sample in each step), 1 (stochastic gradient descent) or a batch "
                          f"size up to the {n} samples, got {value!r}", "batch")
    return None if value == n else value


def _seed_of(value: object, batch: int | None) -> int | None:
    if value is False:
        return None
    if not isinstance(value, Mapping) or set(value) != {"seed"}:
        raise SymoptError("must be false (the samples in the given order) or { seed = N }: shuffled for each epoch, "
                          "from a stated seed so that the sheet can be worked again", "shuffle")
    seed = value["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < MAX_SEED:
        raise SymoptError(f"must be a whole number from 0 to 2^63 - 1, got {seed!r}", "shuffle.seed")
    if batch is None:
        raise SymoptError("a full batch holds every sample in each step: there is nothing to shuffle; "
                          "give batch = 1 or a batch size", "shuffle")
    return seed


def _params(start: Mapping, allowed: list[str]) -> tuple[str, ...]:
    """The parameters in the order the start declares them (those it leaves out last: the spec's
    start then says they are missing, and names any key that is none of them)."""
    return tuple([k for k in start if k in allowed] + [p for p in allowed if p not in start])


def _model(model: str, entry: Mapping, columns: tuple, start: Mapping, reduction: str, batch: int | None,
           seed: int | None) -> Dataset:
    names_ = [c for c, _ in columns]
    if TARGET not in names_:
        raise SymoptError(f"{model} regression predicts the column y: name the target column y", "data")
    features = [c for c in names_ if c != TARGET]
    if not features:
        raise SymoptError("add a feature column beside y (x, or x1, x2, …)", "data")
    losses = LOSSES[model]
    loss = entry.get("loss", losses[0])
    if loss not in losses:
        raise SymoptError(f"{model} regression's loss is {' or '.join(map(repr, losses))}, got {loss!r}", "loss")
    bias = entry.get("bias", True)
    if not isinstance(bias, bool):
        raise SymoptError("must be true (the model has an intercept b, the default) or false", "bias")
    weights = ["w"] if len(features) == 1 else [f"w{k}" for k in range(1, len(features) + 1)]
    clash = sorted(set(weights + ["b"] * bias) & set(names_))
    if clash:
        raise SymoptError(f"a column is named {clash[0]!r}, which is a parameter of the model; rename the column", "data")
    if model == "logistic" and any(not 0 <= q <= 1 for q in dict(columns)[TARGET]):
        raise SymoptError("logistic regression's labels y are 0 or 1 (probabilities from 0 to 1)", "data.y")
    params = _params(start, weights + ["b"] * bias)
    linear: Node | None = None
    for w, x in zip(weights, features, strict=True):
        term = Bin("*", Name(w), Name(x))
        linear = term if linear is None else Bin("+", linear, term)
    assert linear is not None
    if bias:
        linear = Bin("+", linear, Name("b"))
    if model == "logistic":
        loss_tree = _cross_entropy(linear)
    else:
        square = Bin("^", Bin("-", linear, Name(TARGET)), TWO)
        loss_tree = square if loss == "squared" else Bin("*", Num(Fraction(1, 2)), square)
    return Dataset(columns, params, model, loss, loss_tree, reduction, batch, seed, linear)


def _own_loss(entry: Mapping, columns: tuple, start: Mapping, reduction: str, batch: int | None, seed: int | None) -> Dataset:
    text = entry.get("loss")
    if text is None:
        raise SymoptError("a dataset problem needs model = \"linear\" or \"logistic\", or the loss of one sample as an "
                          "expression in the columns and the parameters (loss = \"(w*x - y)^2\")", "loss")
    if not isinstance(text, str):
        raise SymoptError("must be the loss of one sample as an expression, e.g. \"(w*x - y)^2\"", "loss")
    try:
        tree = parse(text)
    except SymoptError as e:
        raise e.within("loss") from None
    column_names = {c for c, _ in columns}
    params = [p for p in names(tree) - {"pi"} if p not in column_names]
    for p in params:
        if not _NAME.fullmatch(p) or p in RESERVED:
            raise SymoptError(f"parameter {p!r}: name parameters with letters, then digits, and not "
                              f"{', '.join(sorted(RESERVED))}", "loss")
    if not params:
        raise SymoptError("the loss has no parameter: every name in it is a column", "loss")
    return Dataset(columns, _params(start, sorted(params)), None, text, tree, reduction, batch, seed)


def batch_tree(size: int, reduction: str) -> Node:
    """A batch's gradient from its samples' (the names ``#1`` … ``#k``): their mean, written
    ``\\frac{1}{k} (a + b + …)`` (a long sum breaks between its terms on a page), or their sum."""
    total = summed([Name(f"#{k}") for k in range(1, size + 1)])
    return Bin("*", Bin("/", ONE, Num(Fraction(size))), total) if reduction == "mean" and size > 1 else total


def summed(terms: list[Node]) -> Node:
    """The sum of `terms`, in order, as a balanced tree (a thousand samples nest ten deep, not a
    thousand: every walk of a tree recurses); it prints as ``a + b + c + d``."""
    if len(terms) == 1:
        return terms[0]
    half = len(terms) // 2
    return Bin("+", summed(terms[:half]), summed(terms[half:]))


def batch_sizes(data: Dataset) -> tuple[int, ...]:
    """The sizes of the batches of more than one sample that an epoch holds (B, and the last one's)."""
    last = data.n % data.size or data.size
    return tuple(sorted({data.size, last} - {1}))


def written_loss(data: Dataset) -> Node:
    """One sample's loss as a course writes it: in the prediction, ``(ŷ - y)^2``, ``½(ŷ - y)^2``,
    ``-(y ln ŷ + (1 - y) ln(1 - ŷ))``; a loss of the spec's own as the spec writes it."""
    if data.model is None:
        return data.loss_tree
    yhat, y = Name("yhat"), Name(TARGET)
    if data.model == "logistic":
        return Neg(Bin("+", Bin("*", y, Call("log", (yhat,))), Bin("*", Bin("-", ONE, y), Call("log", (Bin("-", ONE, yhat),)))))
    square = Bin("^", Bin("-", yhat, y), TWO)
    return square if data.loss == "squared" else Bin("/", square, TWO)
