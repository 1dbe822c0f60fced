"""Optimizers as data: an ordered list of update rules in symopt's expression language.

Rules run in order, once per variable per epoch, after the gradient ``g`` is known.  A name on the
right refers to its newest value: ``v`` in ``w = w - alpha*v`` is this step's v (assigned by an
earlier rule), ``w`` is the previous step's.  ``t`` is the step number, starting at 1.

The same rules give the sheet's general formulas, the computed values and the substituted lines.
Adding an optimizer is adding one entry to :data:`OPTIMIZERS`; an option (``eps_placement``)
fills named slots of the rules and says its convention in one sentence on the sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
import re

from .errors import SymoptError
from .expr import RULE_FUNCTIONS, Bin, Call, Name, Neg, Node, names, parse_rule
from .notation import Notation, Symbol, index_label, name_latex, per_epoch, subscript  # noqa: F401 (re-exported)
from .numbers import decimal_text, exact
from .schedules import BASE, TARGET, Schedule


@dataclass(frozen=True)
class Choice:
    """One value of an option: what it puts in the rules' slots, the hyperparameters and state it
    adds, and its note for the sheet (by language; may hold inline math $...$).  The note states
    the convention in mathematical words only, for students; `frameworks` (by language too) says
    which PyTorch, optax or Keras setting gives the same steps: on the card (``symopt
    optimizers``), and on a sheet only when its spec says ``notes = "frameworks"``.  `says` (by
    language) names the convention in a few words, as the checker's messages name it ("the
    arithmetic follows ε outside the square root"); a choice without it is named ``option = value``."""

    fills: dict[str, str]
    note: dict[str, str]
    hyper: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    frameworks: dict[str, str] = field(default_factory=dict)
    says: dict[str, str] = field(default_factory=dict)


OptionValue = str | bool  # a choice of an option: a name ("inside") or a flag
Choices = dict[OptionValue, Choice]  # an option's choices
Rules = list[tuple[str, Node]]  # (target, right-hand side) in order


@dataclass(frozen=True)
class Optimizer:
    key: str
    title: str
    hyper: tuple[str, ...]
    state: tuple[str, ...]
    rules: tuple[str, ...]  # may hold {slots} that options fill; a rule that fills to "" is dropped
    options: dict[str, Choices] = field(default_factory=dict)
    defaults: dict[str, OptionValue] = field(default_factory=dict)  # option -> default choice
    hyper_defaults: dict[str, str] = field(default_factory=dict)  # hyperparameter -> default value
    start: dict[str, str] = field(default_factory=dict)  # state -> initial value: a number or a hyperparameter
    fills: dict[str, str] = field(default_factory=dict)  # slots filled whatever the options
    symbols: dict[str, Symbol] = field(default_factory=dict)  # how its own quantities are written (else notation.QUANTITIES)
    # how a heading may name it besides its key, as regular expressions in any language (the
    # checker's reader: symopt.check.document.optimizer_named)
    spellings: tuple[str, ...] = ()
    # a learning-rate schedule (symopt.schedules): its rule alpha_t comes first, and every rule's alpha reads alpha_t
    schedule: Schedule | None = None

    def scheduled(self, schedule: Schedule | None) -> Optimizer:
        """This optimizer with a learning-rate schedule (None: as it is); a SymoptError when its
        rules have no alpha to schedule, or use the schedule's name themselves."""
        if schedule is None:
            return self
        hyper, used = self.all_hyper(), {n for text in self.rules for n in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)}
        if BASE not in hyper:
            raise SymoptError(f"{self.key}'s rules have no alpha to schedule; a schedule gives the alpha of each epoch", "schedule")
        if TARGET in used:
            raise SymoptError(f"{self.key}'s rules use the name {TARGET}, which a schedule gives the rate of each epoch", "schedule")
        key = (id(self), schedule)
        hit = _SCHEDULED.get(key)
        if hit is None or hit[0] is not self:
            if len(_SCHEDULED) >= 256:
                _SCHEDULED.clear()
            hit = _SCHEDULED[key] = (self, replace(self, schedule=schedule))
        return hit[1]

    def notation(self, variables, options: dict | None = None, gradient: str = "d", layout: str | None = None,
                 rules: Sequence[tuple[str, Node]] | None = None) -> Notation:
        """How an exercise with these variables writes this optimizer's names (see
        :mod:`symopt.notation`): which quantities belong to the epoch follows from the rules
        (`rules`: those the options choose, when they are known already)."""
        if rules is None:
            rules, _ = self.choose(options or {})
        quantities = (*self.state_for(options or {}), *(t for t, _ in rules))
        return Notation(variables, self.hyper_for(options or {}), per_epoch(rules, names), gradient, layout, self.symbols,
                        quantities)

    def effective_options(self, options: dict[str, object]) -> dict[str, object]:
        """The spec's options with every default filled in, as the sheet uses them."""
        return {option: options.get(option, default) for option, default in self.defaults.items()}

    def chosen(self, options: dict[str, object]) -> list[Choice]:
        """The Choice of every option (given or default); a clear error for an unknown one."""
        unknown = set(options) - set(self.options)
        if unknown:
            valid = ", ".join(sorted(self.options)) or "none"
            raise SymoptError(f"unknown option {sorted(unknown)[0]!r} for {self.key}; valid options: {valid}")
        chosen = []
        for option, choices in self.options.items():
            value = options.get(option, self.defaults[option])
            flag = any(isinstance(c, bool) for c in choices)
            if not isinstance(value, (str, bool)) or isinstance(value, bool) != flag or value not in choices:
                raise SymoptError(f"{option} must be one of {', '.join(_toml(c) for c in choices)}, got {_toml(value)}")
            chosen.append(choices[value])
        return chosen

    def all_hyper(self) -> tuple[str, ...]:
        """Every hyperparameter some choice of options uses."""
        extra = [h for choices in self.options.values() for c in choices.values() for h in c.hyper]
        return tuple(dict.fromkeys((*self.hyper, *extra)))

    def hyper_for(self, options: dict[str, object]) -> tuple[str, ...]:
        return self.hyper + tuple(h for c in self.chosen(options) for h in c.hyper if h not in self.hyper)

    def state_for(self, options: dict[str, object]) -> tuple[str, ...]:
        return self.state + tuple(s for c in self.chosen(options) for s in c.state if s not in self.state)

    def choose(self, options: dict[str, object]) -> tuple[Rules, list[Choice]]:
        """The parsed rules and the chosen options' notes for a spec's ``options`` table."""
        chosen = self.chosen(options)
        fills = dict(self.fills)
        for choice in chosen:
            fills.update(choice.fills)
        rules = []
        for rule in self.rules:
            for _ in range(4):  # a slot's text may hold slots of its own
                if "{" not in rule:
                    break
                rule = rule.format(**fills)
            if rule.strip():
                rules.append(_parsed(rule))
        notes = [c for c in chosen if c.note]
        if self.schedule is not None:
            rules = self.schedule.apply(rules)
            notes.append(Choice({}, self.schedule.note(), frameworks=self.schedule.frameworks()))
        return rules, notes


#: Each scheduled optimizer, made once per optimizer and schedule (the checker keeps what it works
#: out per optimizer object: a spec checked again gives the same one).
_SCHEDULED: dict[tuple[int, Schedule], tuple[Optimizer, Optimizer]] = {}


@lru_cache(maxsize=4096)
def _parsed(rule: str) -> tuple[str, Node]:
    """A rule's tree, parsed once per process (trees are immutable)."""
    return parse_rule(rule, RULE_FUNCTIONS)


def _toml(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else repr(value)


_EPS_INSIDE = {"en": "Convention: $\\epsilon$ inside the square root.", "vi": "Quy ước: $\\epsilon$ nằm trong dấu căn."}
_EPS_OUTSIDE = {"en": "Convention: $\\epsilon$ outside the square root.", "vi": "Quy ước: $\\epsilon$ nằm ngoài dấu căn."}
_SAYS_INSIDE = {"en": "ε inside the square root", "vi": "ε nằm trong dấu căn"}
_SAYS_OUTSIDE = {"en": "ε outside the square root", "vi": "ε nằm ngoài dấu căn"}


def _eps(inside: str, outside: str, frameworks: dict[str, dict[str, str]]) -> Choices:
    """The two placements of ε at a root, as the slot ``denominator``; `frameworks`: which
    framework settings each placement is, by placement and language."""
    return {
        "inside": Choice({"denominator": inside}, _EPS_INSIDE, frameworks=frameworks["inside"], says=_SAYS_INSIDE),
        "outside": Choice({"denominator": outside}, _EPS_OUTSIDE, frameworks=frameworks["outside"], says=_SAYS_OUTSIDE),
    }


def _flag(on: Choice, off: Choice | None = None) -> Choices:
    return {False: off or Choice({}, {}), True: on}


_WEIGHT_DECAY: Choices = {
    "none": Choice({"decay": "", "decoupled": ""}, {}),
    "l2": Choice(
        {"decay": "g = g + weight_decay*w", "decoupled": ""},
        {"en": "Weight decay as L2: $\\lambda «w»$ is added to the gradient first.",
         "vi": "Weight decay kiểu L2: cộng $\\lambda «w»$ vào gradient trước."},
        hyper=("weight_decay",), says={"en": "Weight decay as L2", "vi": "Weight decay kiểu L2"},
        frameworks={
            "en": "PyTorch weight_decay = $\\lambda$ (AdamW's is decoupled instead); "
                  "optax add_decayed_weights($\\lambda$) chained before the optimizer.",
            "vi": "PyTorch weight_decay = $\\lambda$ (của AdamW thì tách rời); "
                  "optax add_decayed_weights($\\lambda$) đặt trước optimizer trong chain."},
    ),
    "decoupled": Choice(
        {"decay": "", "decoupled": " - alpha*weight_decay*w"},
        {"en": "Weight decay decoupled: $«w»$ shrinks by $\\alpha\\lambda «w»$ besides the step (AdamW).",
         "vi": "Weight decay tách rời: $«w»$ giảm thêm $\\alpha\\lambda «w»$ ngoài bước cập nhật (AdamW)."},
        hyper=("weight_decay",), says={"en": "Weight decay decoupled", "vi": "Weight decay tách rời"},
        frameworks={
            "en": "PyTorch AdamW(weight_decay = $\\lambda$), or NAdam and RAdam with decoupled_weight_decay = True; "
                  "optax adamw(weight_decay = $\\lambda$).",
            "vi": "PyTorch AdamW(weight_decay = $\\lambda$), hoặc NAdam và RAdam với decoupled_weight_decay = True; "
                  "optax adamw(weight_decay = $\\lambda$)."},
    ),
}

_ADAM_EPS: Choices = {
    "inside": Choice(
        {"v_hat_rule": "v_hat = v/(1 - beta1^t)", "s_hat_rule": "s_hat = {second}/(1 - beta2^t)",
         "step": "alpha*(v_hat/sqrt(s_hat + epsilon))"},
        _EPS_INSIDE, says=_SAYS_INSIDE,
        frameworks={"en": "optax adam(eps = 0, eps_root = $\\epsilon$), adamw likewise.",
                    "vi": "optax adam(eps = 0, eps_root = $\\epsilon$), adamw cũng vậy."},
    ),
    "outside": Choice(
        {"v_hat_rule": "v_hat = v/(1 - beta1^t)", "s_hat_rule": "s_hat = {second}/(1 - beta2^t)",
         "step": "alpha*(v_hat/(sqrt(s_hat) + epsilon))"},
        _EPS_OUTSIDE, says=_SAYS_OUTSIDE,
        frameworks={"en": "PyTorch Adam and AdamW, optax adam and adamw (eps = $\\epsilon$), as in the Adam paper.",
                    "vi": "PyTorch Adam và AdamW, optax adam và adamw (eps = $\\epsilon$), như bài báo Adam gốc."},
    ),
    "hat": Choice(
        {"v_hat_rule": "", "s_hat_rule": "",
         "step": "alpha*sqrt(1 - beta2^t)/(1 - beta1^t)*(v/(sqrt({second}) + epsilon))"},
        {"en": "Convention: the bias corrections go into the step size, and $\\epsilon$ is added to the uncorrected $\\sqrt{«s»}$.",
         "vi": "Quy ước: hiệu chỉnh độ lệch nằm trong bước học, và $\\epsilon$ cộng vào $\\sqrt{«s»}$ chưa hiệu chỉnh."},
        says={"en": "the bias corrections go into the step size", "vi": "hiệu chỉnh độ lệch nằm trong bước học"},
        frameworks={"en": "Keras Adam (its $\\hat{\\epsilon}$ form, epsilon = $\\epsilon$).",
                    "vi": "Keras Adam (dạng $\\hat{\\epsilon}$, epsilon = $\\epsilon$)."},
    ),
}

_AMSGRAD = _flag(
    Choice({"max_rule": "s_max = max(s_max, s)", "second": "s_max"},
           {"en": "AMSGrad: the running maximum of $«s»$ replaces $«s»$.",
            "vi": "AMSGrad: giá trị lớn nhất của $«s»$ thay cho $«s»$."},
           state=("s_max",), says={"en": "AMSGrad", "vi": "AMSGrad"},
           frameworks={"en": "PyTorch and Keras amsgrad = True; optax amsgrad differs (it takes the maximum after bias correction).",
                       "vi": "PyTorch và Keras amsgrad = True; optax amsgrad khác (lấy giá trị lớn nhất sau hiệu chỉnh độ lệch)."}),
    Choice({"max_rule": "", "second": "s"}, {}),
)

_ADAM_RULES = (
    "{decay}",
    "v = beta1*v + (1 - beta1)*g",
    "s = beta2*s + (1 - beta2)*g^2",
    "{max_rule}",
    "{v_hat_rule}",
    "{s_hat_rule}",
    "w = w - {step}{decoupled}",
)
OPTIMIZERS: dict[str, Optimizer] = {}


def _register(*optimizers: Optimizer) -> None:
    for o in optimizers:
        OPTIMIZERS[o.key] = o


def _notes(en: str, vi: str) -> dict[str, str]:
    return {"en": en, "vi": vi}


_EPS_PLACES = {  # Adagrad
    "inside": _notes(
        "optax adagrad and Keras Adagrad; both start the accumulator at initial_accumulator_value, 0.1 by default.",
        "optax adagrad và Keras Adagrad; cả hai khởi tạo bộ tích lũy bằng initial_accumulator_value, mặc định 0.1."),
    "outside": _notes(
        "PyTorch Adagrad; it starts the accumulator at initial_accumulator_value, 0 by default.",
        "PyTorch Adagrad; bộ tích lũy khởi tạo bằng initial_accumulator_value, mặc định 0."),
}
_RMS_PLACES = {  # RMSProp
    "inside": _notes("optax rmsprop(decay = $\\gamma$); Keras RMSprop(rho = $\\gamma$).",
                     "optax rmsprop(decay = $\\gamma$); Keras RMSprop(rho = $\\gamma$)."),
    "outside": _notes("PyTorch RMSprop(alpha = $\\gamma$); optax rmsprop(decay = $\\gamma$, eps_in_sqrt = False).",
                      "PyTorch RMSprop(alpha = $\\gamma$); optax rmsprop(decay = $\\gamma$, eps_in_sqrt = False)."),
}

_register(
    Optimizer(
        "gd", "Gradient Descent", ("alpha",), (), ("{decay}", "w = w - alpha*g{decoupled}"),
        options={"weight_decay_style": _WEIGHT_DECAY}, defaults={"weight_decay_style": "none"},
        spellings=(r"\bgradient\s+descent\b", r"\bsgd\b", "giảm (theo )?gradient", "hạ gradient"),
    ),
    Optimizer(
        "momentum", "Gradient Descent + Momentum", ("alpha", "beta"), ("v",),
        ("{decay}", "v = {velocity}", "w = {step}{decoupled}"),
        options={
            "style": {
                "ema": Choice({"velocity": "beta*v + (1 - beta)*g", "step": "w - alpha*v"}, _notes(
                    "Momentum as an average of gradients: the new gradient has weight $1 - \\beta$.",
                    "Momentum dạng trung bình của gradient: gradient mới có trọng số $1 - \\beta$."),
                    says=_notes("Momentum as an average of gradients", "Momentum dạng trung bình của gradient"), frameworks=_notes(
                    "PyTorch SGD(lr = $\\alpha(1 - \\beta)$, momentum = $\\beta$), not dampening = $\\beta$; "
                    "optax sgd($\\alpha(1 - \\beta)$, momentum = $\\beta$).",
                    "PyTorch SGD(lr = $\\alpha(1 - \\beta)$, momentum = $\\beta$), không phải dampening = $\\beta$; "
                    "optax sgd($\\alpha(1 - \\beta)$, momentum = $\\beta$).")),
                "heavy_ball": Choice({"velocity": "beta*v + g", "step": "w - alpha*v"}, _notes(
                    "Heavy-ball momentum: the new gradient is added with weight 1.",
                    "Momentum heavy-ball: gradient mới được cộng với trọng số 1."),
                    says=_notes("Heavy-ball momentum", "Momentum heavy-ball"), frameworks=_notes(
                    "PyTorch SGD(lr = $\\alpha$, momentum = $\\beta$); optax sgd($\\alpha$, momentum = $\\beta$).",
                    "PyTorch SGD(lr = $\\alpha$, momentum = $\\beta$); optax sgd($\\alpha$, momentum = $\\beta$).")),
                "velocity": Choice({"velocity": "beta*v - alpha*g", "step": "w + v"}, _notes(
                    "Momentum as a velocity: $«v»$ is the step itself, the learning rate included.",
                    "Momentum dạng vận tốc: $«v»$ chính là bước cập nhật, đã gồm tốc độ học."),
                    says=_notes("Momentum as a velocity", "Momentum dạng vận tốc"), frameworks=_notes(
                    "Keras SGD(learning_rate = $\\alpha$, momentum = $\\beta$); "
                    "PyTorch SGD(lr = $\\alpha$, momentum = $\\beta$) takes the same steps.",
                    "Keras SGD(learning_rate = $\\alpha$, momentum = $\\beta$); "
                    "PyTorch SGD(lr = $\\alpha$, momentum = $\\beta$) cho cùng các bước.")),
            },
            "weight_decay_style": _WEIGHT_DECAY,
        },
        defaults={"style": "ema", "weight_decay_style": "none"},
        spellings=("quán tính",),
    ),
    Optimizer(
        "nesterov", "Nesterov Momentum", ("alpha", "beta"), ("v",),
        ("{decay}", "v = beta*v + g", "w = w - alpha*(g + beta*v){decoupled}"),
        options={"weight_decay_style": _WEIGHT_DECAY}, defaults={"weight_decay_style": "none"},
        spellings=(r"\bnag\b",),
    ),
    Optimizer(
        "adagrad", "Adagrad", ("alpha", "epsilon", "s0"), ("s",),
        ("{decay}", "s = s + g^2", "w = w - alpha*(g/{denominator}){decoupled}"),
        options={"eps_placement": _eps("sqrt(s + epsilon)", "(sqrt(s) + epsilon)", _EPS_PLACES), "weight_decay_style": _WEIGHT_DECAY},
        defaults={"eps_placement": "outside", "weight_decay_style": "none"},
        hyper_defaults={"s0": "0"}, start={"s": "s0"},
    ),
    Optimizer(
        "rmsprop", "RMSProp", ("alpha", "gamma", "epsilon"), ("s",),
        ("{decay}", "s = gamma*s + (1 - gamma)*g^2", "{center_rule}", "{momentum_rule}", "w = w - {rms_step}{decoupled}"),
        options={
            "eps_placement": _eps("sqrt({avg} + epsilon)", "(sqrt({avg}) + epsilon)", _RMS_PLACES),
            "centered": _flag(
                Choice({"center_rule": "m = gamma*m + (1 - gamma)*g", "avg": "s - m^2"}, _notes(
                    "Centered: the mean gradient $«m»$ is subtracted, $«s» - «m»^2$.",
                    "Có tâm: trừ gradient trung bình $«m»$, $«s» - «m»^2$."), state=("m",),
                    says=_notes("Centered", "Có tâm"), frameworks=_notes(
                    "PyTorch RMSprop(centered = True); optax rmsprop(centered = True).",
                    "PyTorch RMSprop(centered = True); optax rmsprop(centered = True).")),
                Choice({"center_rule": "", "avg": "s"}, {}),
            ),
            "momentum": _flag(
                Choice({"momentum_rule": "b = mu*b + g/{denominator}", "rms_step": "alpha*b"}, _notes(
                    "With momentum $\\mu$ on the scaled gradient.",
                    "Có momentum $\\mu$ trên gradient đã chia tỉ lệ."),
                    hyper=("mu",), state=("b",),
                    says=_notes("With momentum \\mu on the scaled gradient", "Có momentum \\mu trên gradient đã chia tỉ lệ"),
                    frameworks=_notes(
                    "PyTorch RMSprop(momentum = $\\mu$); optax rmsprop(momentum = $\\mu$).",
                    "PyTorch RMSprop(momentum = $\\mu$); optax rmsprop(momentum = $\\mu$).")),
                Choice({"momentum_rule": "", "rms_step": "alpha*(g/{denominator})"}, {}),
            ),
            "weight_decay_style": _WEIGHT_DECAY,
        },
        defaults={"eps_placement": "inside", "centered": False, "momentum": False, "weight_decay_style": "none"},
        spellings=(r"\brms\s*-?\s*prop\b",),
    ),
    Optimizer(
        "adadelta", "Adadelta", ("alpha", "rho", "epsilon"), ("s", "u"),
        ("{decay}", "s = rho*s + (1 - rho)*g^2", "d = sqrt(u + epsilon)/sqrt(s + epsilon)*g",
         "u = rho*u + (1 - rho)*d^2", "w = w - alpha*d{decoupled}"),
        options={"weight_decay_style": _WEIGHT_DECAY}, defaults={"weight_decay_style": "none"},
        hyper_defaults={"alpha": "1"},
    ),
    Optimizer(
        "adam", "Adam", ("alpha", "beta1", "beta2", "epsilon"), ("v", "s"), _ADAM_RULES,
        options={"eps_placement": _ADAM_EPS, "amsgrad": _AMSGRAD, "weight_decay_style": _WEIGHT_DECAY},
        defaults={"eps_placement": "inside", "amsgrad": False, "weight_decay_style": "none"},
    ),
    Optimizer(
        "adamw", "AdamW", ("alpha", "beta1", "beta2", "epsilon", "weight_decay"), ("v", "s"), _ADAM_RULES,
        options={"eps_placement": _ADAM_EPS, "amsgrad": _AMSGRAD},
        defaults={"eps_placement": "outside", "amsgrad": False},
        fills={"decay": "", "decoupled": " - alpha*weight_decay*w"},
    ),
    Optimizer(
        "adamax", "Adamax", ("alpha", "beta1", "beta2", "epsilon"), ("v", "u"),
        ("{decay}", "v = beta1*v + (1 - beta1)*g", "u = max(beta2*u, abs(g) + epsilon)",
         "w = w - alpha*(v/((1 - beta1^t)*u)){decoupled}"),
        options={"weight_decay_style": _WEIGHT_DECAY}, defaults={"weight_decay_style": "none"},
    ),
    Optimizer(
        "nadam", "NAdam", ("alpha", "beta1", "beta2", "epsilon", "psi"), ("v", "s", "p"),
        ("{decay}", "mu = beta1*(1 - 0.5*0.96^(t*psi))", "mu_next = beta1*(1 - 0.5*0.96^((t + 1)*psi))",
         "p = p*mu", "v = beta1*v + (1 - beta1)*g", "s = beta2*s + (1 - beta2)*g^2",
         "v_hat = mu_next*v/(1 - p*mu_next) + (1 - mu)*g/(1 - p)", "s_hat = s/(1 - beta2^t)",
         "w = w - alpha*(v_hat/(sqrt(s_hat) + epsilon)){decoupled}"),
        options={"weight_decay_style": _WEIGHT_DECAY}, defaults={"weight_decay_style": "none"},
        hyper_defaults={"psi": "0.004"}, start={"p": "1"},
    ),
    Optimizer(
        "radam", "RAdam", ("alpha", "beta1", "beta2", "epsilon"), ("v", "s"),
        ("{decay}", "rho_inf = 2/(1 - beta2) - 1", "rho = rho_inf - 2*t*beta2^t/(1 - beta2^t)",
         "r = where(rho > 5, sqrt((rho - 4)*(rho - 2)*rho_inf/((rho_inf - 4)*(rho_inf - 2)*rho)), 1)",
         "v = beta1*v + (1 - beta1)*g", "s = beta2*s + (1 - beta2)*g^2", "v_hat = v/(1 - beta1^t)",
         "l = where(rho > 5, sqrt(1 - beta2^t)/(sqrt(s) + epsilon), 1)",
         "w = w - alpha*v_hat*r*l{decoupled}"),
        options={"weight_decay_style": _WEIGHT_DECAY}, defaults={"weight_decay_style": "none"},
    ),
    Optimizer(
        "lion", "Lion", ("alpha", "beta1", "beta2", "weight_decay"), ("v",),
        ("c = sign((1 - beta1)*g + beta1*v)", "v = beta2*v + (1 - beta2)*g", "w = w - alpha*(c + weight_decay*w)"),
    ),
)


def get(key: str, custom: dict[str, Optimizer] | None = None) -> Optimizer:
    known = {**OPTIMIZERS, **(custom or {})}
    if key not in known:
        raise SymoptError(f"unknown optimizer {key!r}; known: {', '.join(known)}")
    return known[key]


CUSTOM_KEYS = ("name", "state", "rules", "defaults")
MAX_NAME = 160


def custom(key: str, entry: object) -> Optimizer:
    """A user's optimizer from a spec's ``[optimizers.<key>]`` table, through the same safe parser.

    Its hyperparameters are the names its rules use that are neither its state, nor a target of
    its rules, nor w, g or t; ``defaults`` may give some of them values."""
    table = _custom_table(key, entry)
    title = table.get("name", key)
    if not isinstance(title, str) or not title.strip():
        raise SymoptError("must be a non-empty string", f"{key}.name")
    if len(title) > MAX_NAME:
        raise SymoptError(f"is {len(title)} characters long; an optimizer's name is at most {MAX_NAME} (a heading and a legend)", f"{key}.name")
    state = table.get("state", {})
    if not isinstance(state, dict):
        raise SymoptError("must be a table of initial values, e.g. { m = 0 }", f"{key}.state")
    texts, rules = _custom_rules(key, table.get("rules"))
    targets = [t for t, _ in rules]
    _check_assigned(key, state, targets)
    hyper = _hyperparameters(rules, state, targets)
    defaults = table.get("defaults", {})
    if not isinstance(defaults, dict) or any(k not in hyper for k in defaults):
        raise SymoptError(f"must be a table of hyperparameter values; the hyperparameters are {', '.join(hyper) or 'none'}", f"{key}.defaults")
    starts, hyper_defaults = _decimals(state, f"{key}.state"), _decimals(defaults, f"{key}.defaults")
    return Optimizer(key, " ".join(title.split()), tuple(hyper), tuple(state), tuple(texts),
                     hyper_defaults=hyper_defaults, start=starts)


def _custom_table(key: str, entry: object) -> dict:
    """The entry, when it may be an optimizer: a new name, and a table of only the keys one has."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key):
        raise SymoptError("name an optimizer with letters, digits and _", key)
    if key in OPTIMIZERS:
        raise SymoptError(f"{key!r} is a built-in optimizer; give yours another name", key)
    if not isinstance(entry, dict):
        raise SymoptError("must be a table with name, state and rules", key)
    for k in entry:
        if k not in CUSTOM_KEYS:
            raise SymoptError(f"unknown key {k!r}; valid keys: {', '.join(CUSTOM_KEYS)}", key)
    return entry


def _custom_rules(key: str, texts: object) -> tuple[list[str], list[tuple[str, Node]]]:
    """The rules as written and as parsed (target, right-hand side); a rule that does not parse is
    named by its place in the list."""
    if not isinstance(texts, list) or not texts or not all(isinstance(r, str) for r in texts):
        raise SymoptError('must be a list of rules such as ["v = beta*v + g", "w = w - alpha*v"]', f"{key}.rules")
    rules = []
    for i, text in enumerate(texts):
        try:
            rules.append(parse_rule(text, RULE_FUNCTIONS))
        except SymoptError as e:
            raise e.within(f"{key}.rules[{i}]") from None
    return texts, rules


def _check_assigned(key: str, state: dict, targets: list[str]) -> None:
    """The names the optimizer gives values: its state not w, g or t (the run's own), no rule
    assigning t, and one rule updating w."""
    for name in state:
        if name in ("w", "g", "t") or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            raise SymoptError(f"{name!r} cannot name a state (w, g and t are taken)", f"{key}.state")
    if "t" in targets:
        raise SymoptError("t is the step number; a rule cannot assign it", f"{key}.rules")
    if "w" not in targets:
        raise SymoptError("no rule updates w; end with a rule such as 'w = w - alpha*g'", f"{key}.rules")


def _hyperparameters(rules: list[tuple[str, Node]], state: dict, targets: list[str]) -> list[str]:
    """The names the rules use, in the order they first appear, that are neither state, nor a
    rule's target, nor w, g, t or pi."""
    hyper: list[str] = []
    for _, rhs in rules:
        for name in _names_in_order(rhs):
            if name not in state and name not in targets and name not in ("w", "g", "t", "pi") and name not in hyper:
                hyper.append(name)
    return hyper


def _decimals(table: dict, where: str) -> dict[str, str]:
    """Each value of a spec's table as exact decimal text (TOML numbers are decimals)."""
    out = {}
    for name, value in table.items():
        try:
            out[name] = decimal_text(exact(value))
        except ValueError as e:
            raise SymoptError(str(e), f"{where}.{name}") from None
    return out


def _names_in_order(node: Node) -> list[str]:
    if isinstance(node, Name):
        return [node.id]
    children = [node.operand] if isinstance(node, Neg) else list(node.args) if isinstance(node, Call) else \
        [node.left, node.right] if isinstance(node, Bin) else []
    return [n for child in children for n in _names_in_order(child)]
