"""Every optimizer and option that PyTorch or optax implements gives their numbers.

symopt runs at precision:30 with exact decimal hyperparameters; the framework runs in float64 with
its own gradients (autograd, jax.grad), never our SymPy.  30 epochs, three functions; every
parameter of every epoch must agree to 1e-9 relative.

Findings pinned here (see ../shared/reference/conventions.md):
- EMA momentum (the reference sheet's) is SGD(lr = α(1 − β), momentum = β) exactly;
- the "velocity" form v = βv − αg, w += v is SGD(lr = α, momentum = β) too (v is −α times the buffer);
- the reference sheet's Adam formula, √(Ŝ + ε), is optax.adam(eps=0, eps_root=ε);
- optax's adagrad and rmsprop put ε inside the root, PyTorch's outside.
"""

from __future__ import annotations

from fractions import Fraction
import importlib.util

import pytest

from conftest import require
import symopt

# f for symopt (text), the same f for a framework (given its math module), and the start
FUNCTIONS = {
    "quadratic": ("w1**2 + 0.5*w1*w2 + 2*w2**2", lambda m: lambda w1, w2: w1**2 + 0.5 * w1 * w2 + 2 * w2**2,
                  {"w1": "1.5", "w2": "-0.7"}),
    "rosenbrock": ("(1 - w1)**2 + 5*(w2 - w1**2)**2", lambda m: lambda w1, w2: (1 - w1) ** 2 + 5 * (w2 - w1**2) ** 2,
                   {"w1": "-0.5", "w2": "0.8"}),
    "transcendental": ("log(1 + w1**2) + sin(w2) + 0.1*exp(0.5*w1)",
                       lambda m: lambda w1, w2: m.log(1 + w1**2) + m.sin(w2) + 0.1 * m.exp(0.5 * w1),
                       {"w1": "1.2", "w2": "0.4"}),
}
EPOCHS = 30
ADAM = {"alpha": "0.02", "beta1": "0.9", "beta2": "0.999", "epsilon": "0.001"}

# (id, optimizer, hyper, options, framework, factory(hyper as floats))
CASES = [
    ("gd", "gd", {"alpha": "0.05"}, {}, "torch", lambda h, p: _t().SGD(p, lr=h["alpha"])),
    ("gd-l2", "gd", {"alpha": "0.05", "weight_decay": "0.1"}, {"weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().SGD(p, lr=h["alpha"], weight_decay=h["weight_decay"])),
    ("momentum-ema", "momentum", {"alpha": "0.1", "beta": "0.5"}, {}, "torch",
     lambda h, p: _t().SGD(p, lr=h["alpha"] * (1 - h["beta"]), momentum=h["beta"])),
    ("momentum-heavy-ball", "momentum", {"alpha": "0.02", "beta": "0.9"}, {"style": "heavy_ball"}, "torch",
     lambda h, p: _t().SGD(p, lr=h["alpha"], momentum=h["beta"])),
    ("momentum-velocity", "momentum", {"alpha": "0.02", "beta": "0.9"}, {"style": "velocity"}, "torch",
     lambda h, p: _t().SGD(p, lr=h["alpha"], momentum=h["beta"])),
    ("momentum-heavy-ball-l2", "momentum", {"alpha": "0.02", "beta": "0.9", "weight_decay": "0.05"},
     {"style": "heavy_ball", "weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().SGD(p, lr=h["alpha"], momentum=h["beta"], weight_decay=h["weight_decay"])),
    ("momentum-optax", "momentum", {"alpha": "0.02", "beta": "0.9"}, {"style": "heavy_ball"}, "optax",
     lambda h: _o().sgd(h["alpha"], momentum=h["beta"])),
    ("nesterov", "nesterov", {"alpha": "0.02", "beta": "0.9"}, {}, "torch",
     lambda h, p: _t().SGD(p, lr=h["alpha"], momentum=h["beta"], nesterov=True)),
    ("adagrad-outside", "adagrad", {"alpha": "0.1", "epsilon": "0.0001", "s0": "0.1"}, {}, "torch",
     lambda h, p: _t().Adagrad(p, lr=h["alpha"], eps=h["epsilon"], initial_accumulator_value=h["s0"])),
    ("adagrad-inside", "adagrad", {"alpha": "0.1", "epsilon": "0.0001", "s0": "0.1"}, {"eps_placement": "inside"}, "optax",
     lambda h: _o().adagrad(h["alpha"], initial_accumulator_value=h["s0"], eps=h["epsilon"])),
    ("rmsprop-outside", "rmsprop", {"alpha": "0.01", "gamma": "0.9", "epsilon": "0.001"}, {"eps_placement": "outside"}, "torch",
     lambda h, p: _t().RMSprop(p, lr=h["alpha"], alpha=h["gamma"], eps=h["epsilon"])),
    ("rmsprop-centered", "rmsprop", {"alpha": "0.01", "gamma": "0.9", "epsilon": "0.001"},
     {"eps_placement": "outside", "centered": True}, "torch",
     lambda h, p: _t().RMSprop(p, lr=h["alpha"], alpha=h["gamma"], eps=h["epsilon"], centered=True)),
    ("rmsprop-momentum", "rmsprop", {"alpha": "0.01", "gamma": "0.9", "epsilon": "0.001", "mu": "0.5"},
     {"eps_placement": "outside", "momentum": True}, "torch",
     lambda h, p: _t().RMSprop(p, lr=h["alpha"], alpha=h["gamma"], eps=h["epsilon"], momentum=h["mu"])),
    ("rmsprop-centered-momentum", "rmsprop", {"alpha": "0.01", "gamma": "0.9", "epsilon": "0.001", "mu": "0.5"},
     {"eps_placement": "outside", "momentum": True, "centered": True}, "torch",
     lambda h, p: _t().RMSprop(p, lr=h["alpha"], alpha=h["gamma"], eps=h["epsilon"], momentum=h["mu"], centered=True)),
    ("rmsprop-inside", "rmsprop", {"alpha": "0.01", "gamma": "0.9", "epsilon": "0.001"}, {}, "optax",
     lambda h: _o().rmsprop(h["alpha"], decay=h["gamma"], eps=h["epsilon"])),
    ("rmsprop-inside-centered", "rmsprop", {"alpha": "0.01", "gamma": "0.9", "epsilon": "0.001"}, {"centered": True}, "optax",
     lambda h: _o().rmsprop(h["alpha"], decay=h["gamma"], eps=h["epsilon"], centered=True)),
    ("adadelta", "adadelta", {"alpha": "1", "rho": "0.9", "epsilon": "0.001"}, {}, "torch",
     lambda h, p: _t().Adadelta(p, lr=h["alpha"], rho=h["rho"], eps=h["epsilon"])),
    ("adam-outside", "adam", ADAM, {"eps_placement": "outside"}, "torch",
     lambda h, p: _t().Adam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"])),
    ("adam-amsgrad", "adam", ADAM, {"eps_placement": "outside", "amsgrad": True}, "torch",
     lambda h, p: _t().Adam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], amsgrad=True)),
    ("adam-l2", "adam", {**ADAM, "weight_decay": "0.1"}, {"eps_placement": "outside", "weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().Adam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], weight_decay=h["weight_decay"])),
    ("adam-decoupled", "adam", {**ADAM, "weight_decay": "0.1"}, {"eps_placement": "outside", "weight_decay_style": "decoupled"}, "torch",
     lambda h, p: _t().AdamW(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], weight_decay=h["weight_decay"])),
    ("adam-inside", "adam", ADAM, {}, "optax",
     lambda h: _o().adam(h["alpha"], b1=h["beta1"], b2=h["beta2"], eps=0.0, eps_root=h["epsilon"])),
    ("adam-optax", "adam", ADAM, {"eps_placement": "outside"}, "optax",
     lambda h: _o().adam(h["alpha"], b1=h["beta1"], b2=h["beta2"], eps=h["epsilon"])),
    ("adamw", "adamw", {**ADAM, "weight_decay": "0.1"}, {}, "torch",
     lambda h, p: _t().AdamW(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], weight_decay=h["weight_decay"])),
    ("adamw-amsgrad", "adamw", {**ADAM, "weight_decay": "0.1"}, {"amsgrad": True}, "torch",
     lambda h, p: _t().AdamW(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], weight_decay=h["weight_decay"], amsgrad=True)),
    ("adamw-optax", "adamw", {**ADAM, "weight_decay": "0.1"}, {}, "optax",
     lambda h: _o().adamw(h["alpha"], b1=h["beta1"], b2=h["beta2"], eps=h["epsilon"], weight_decay=h["weight_decay"])),
    ("adamax", "adamax", ADAM, {}, "torch",
     lambda h, p: _t().Adamax(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"])),
    ("nadam", "nadam", {**ADAM, "psi": "0.004"}, {}, "torch",
     lambda h, p: _t().NAdam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], momentum_decay=h["psi"])),
    ("radam", "radam", {**ADAM, "beta2": "0.99"}, {}, "torch",
     lambda h, p: _t().RAdam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"])),
    ("nesterov-l2", "nesterov", {"alpha": "0.02", "beta": "0.9", "weight_decay": "0.05"}, {"weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().SGD(p, lr=h["alpha"], momentum=h["beta"], nesterov=True, weight_decay=h["weight_decay"])),
    ("adagrad-l2", "adagrad", {"alpha": "0.1", "epsilon": "0.0001", "s0": "0.1", "weight_decay": "0.05"}, {"weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().Adagrad(p, lr=h["alpha"], eps=h["epsilon"], initial_accumulator_value=h["s0"], weight_decay=h["weight_decay"])),
    ("rmsprop-l2", "rmsprop", {"alpha": "0.01", "gamma": "0.9", "epsilon": "0.001", "weight_decay": "0.05"},
     {"eps_placement": "outside", "weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().RMSprop(p, lr=h["alpha"], alpha=h["gamma"], eps=h["epsilon"], weight_decay=h["weight_decay"])),
    ("rmsprop-inside-momentum", "rmsprop", {"alpha": "0.01", "gamma": "0.9", "epsilon": "0.001", "mu": "0.5"}, {"momentum": True}, "optax",
     lambda h: _o().rmsprop(h["alpha"], decay=h["gamma"], eps=h["epsilon"], momentum=h["mu"])),
    ("adadelta-l2", "adadelta", {"alpha": "1", "rho": "0.9", "epsilon": "0.001", "weight_decay": "0.05"}, {"weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().Adadelta(p, lr=h["alpha"], rho=h["rho"], eps=h["epsilon"], weight_decay=h["weight_decay"])),
    ("adamax-l2", "adamax", {**ADAM, "weight_decay": "0.05"}, {"weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().Adamax(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], weight_decay=h["weight_decay"])),
    ("nadam-l2", "nadam", {**ADAM, "psi": "0.004", "weight_decay": "0.05"}, {"weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().NAdam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], momentum_decay=h["psi"], weight_decay=h["weight_decay"])),
    ("nadam-decoupled", "nadam", {**ADAM, "psi": "0.004", "weight_decay": "0.05"}, {"weight_decay_style": "decoupled"}, "torch",
     lambda h, p: _t().NAdam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], momentum_decay=h["psi"],
                             weight_decay=h["weight_decay"], decoupled_weight_decay=True)),
    ("radam-l2", "radam", {**ADAM, "beta2": "0.99", "weight_decay": "0.05"}, {"weight_decay_style": "l2"}, "torch",
     lambda h, p: _t().RAdam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], weight_decay=h["weight_decay"])),
    ("radam-decoupled", "radam", {**ADAM, "beta2": "0.99", "weight_decay": "0.05"}, {"weight_decay_style": "decoupled"}, "torch",
     lambda h, p: _t().RAdam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], weight_decay=h["weight_decay"],
                             decoupled_weight_decay=True)),
    ("lion", "lion", {"alpha": "0.01", "beta1": "0.9", "beta2": "0.99", "weight_decay": "0.1"}, {}, "optax",
     lambda h: _o().lion(h["alpha"], b1=h["beta1"], b2=h["beta2"], weight_decay=h["weight_decay"])),
]


def _t():
    import torch

    return torch.optim


def _o():
    import optax

    return optax


@pytest.fixture(scope="module")
def frameworks():
    have = all(importlib.util.find_spec(m) is not None for m in ("torch", "optax", "jax"))
    require(have, "SYMOPT_REQUIRE_FRAMEWORKS", "PyTorch and optax (pip install torch==2.13.0 optax)")


def _torch_run(make, start: dict, factory, hyper: dict) -> list[list[float]]:
    import torch

    names = sorted(start)
    params = [torch.tensor(float(start[n]), dtype=torch.float64, requires_grad=True) for n in names]
    opt = factory(hyper, params)
    f = make(torch)
    out = []
    for _ in range(EPOCHS):
        opt.zero_grad()
        loss = f(*params)
        loss.backward()
        opt.step()
        out.append([p.item() for p in params])
    return out


def _optax_run(make, start: dict, factory, hyper: dict) -> list[list[float]]:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    names = sorted(start)
    f_of = make(jnp)

    def f(w):
        return f_of(*w)

    params = jnp.array([float(start[n]) for n in names], dtype=jnp.float64)
    opt = factory(hyper)
    state = opt.init(params)
    grad = jax.grad(f)
    out = []
    for _ in range(EPOCHS):
        updates, state = opt.update(grad(params), state, params)
        params = params + updates
        out.append([float(x) for x in params])
    return out


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_symopt_matches_the_framework(case, function, frameworks):
    _, optimizer, hyper, options, framework, factory = case
    text, make, start = FUNCTIONS[function]
    spec = {"function": text, "exercise": [{
        "optimizer": optimizer, "hyper": hyper, "options": options, "start": start,
        "epochs": EPOCHS, "numbers": "precision:30"}]}
    ours = [[Fraction(e.params[n]) for n in sorted(start)] for e in symopt.solve(spec).exercises[0].epochs]
    floats = {k: float(v) for k, v in hyper.items()}
    run = _torch_run if framework == "torch" else _optax_run
    theirs = run(make, start, factory, floats)
    for epoch, (a, b) in enumerate(zip(ours, theirs, strict=True), start=1):
        for x, y in zip(a, b, strict=True):
            assert abs(float(x) - y) <= 1e-9 * max(abs(y), 1.0), (epoch, [float(v) for v in a], b)


# -- learning-rate schedules (symopt.schedules) ---------------------------------------------------
#
# symopt's epoch t (from 1) uses the rate after t - 1 steps of the schedule: PyTorch's, with
# scheduler.step() after each optimizer.step(), and optax's, a schedule of the count of updates so far.
# Every α_t of 30 epochs, and every parameter of a run with the schedule, agree to 1e-12.

ALPHA = "0.1"
SCHEDULE_EPOCHS = 30

# (id, the spec's schedule, PyTorch's scheduler of an optimizer, optax's schedule (None: optax has none))
SCHEDULES = [
    ("step", {"kind": "step", "step_size": 7, "gamma": "0.5"},
     lambda o: _s().StepLR(o, step_size=7, gamma=0.5),
     lambda a: _o().exponential_decay(a, 7, 0.5, staircase=True)),
    ("multistep", {"kind": "multistep", "milestones": [5, 12, 20], "gamma": "0.3"},
     lambda o: _s().MultiStepLR(o, milestones=[5, 12, 20], gamma=0.3),
     lambda a: _o().piecewise_constant_schedule(a, {5: 0.3, 12: 0.3, 20: 0.3})),
    ("exponential", {"kind": "exponential", "gamma": "0.9"},
     lambda o: _s().ExponentialLR(o, gamma=0.9),
     lambda a: _o().exponential_decay(a, 1, 0.9)),
    ("inverse-time", {"kind": "inverse_time", "k": "0.5"},
     lambda o: _s().LambdaLR(o, lambda n: 1 / (1 + 0.5 * n)), None),
    ("inverse-time-staircase", {"kind": "inverse_time", "k": "0.5", "step_size": 4},
     lambda o: _s().LambdaLR(o, lambda n: 1 / (1 + 0.5 * (n // 4))), None),
    ("cosine", {"kind": "cosine", "T": 30, "alpha_min": "0.001"},
     lambda o: _s().CosineAnnealingLR(o, T_max=30, eta_min=0.001),
     lambda a: _o().cosine_decay_schedule(a, 30, alpha=0.001 / a)),
    ("warmup-cosine", {"kind": "warmup", "epochs": 5, "alpha_start": "0.01", "then": {"kind": "cosine", "T": 25}},
     lambda o: _s().SequentialLR(o, [_s().LinearLR(o, start_factor=0.01 / 0.1, end_factor=1.0, total_iters=5),
                                     _s().CosineAnnealingLR(o, T_max=25)], milestones=[5]),
     lambda a: _o().warmup_cosine_decay_schedule(0.01, a, warmup_steps=5, decay_steps=30)),
    ("warmup-step", {"kind": "warmup", "epochs": 3, "alpha_start": "0.02", "then": {"kind": "step", "step_size": 10, "gamma": "0.1"}},
     lambda o: _s().SequentialLR(o, [_s().LinearLR(o, start_factor=0.02 / 0.1, end_factor=1.0, total_iters=3),
                                     _s().StepLR(o, step_size=10, gamma=0.1)], milestones=[3]),
     lambda a: _o().join_schedules([_o().linear_schedule(0.02, a, 3), _o().exponential_decay(a, 10, 0.1, staircase=True)], [3])),
]


def _s():
    import torch

    return torch.optim.lr_scheduler


def _x64() -> None:
    """optax computes in float64 (its schedules too: else float32, 1e-9 off)."""
    import jax

    jax.config.update("jax_enable_x64", True)


def _rates(schedule: dict, epochs: int = SCHEDULE_EPOCHS) -> list[Fraction]:
    """symopt's α_1 … α_30 (precision:30), as its α_t lines give them."""
    spec = {"function": "w1**2", "exercise": [{"optimizer": "gd", "hyper": {"alpha": ALPHA}, "start": {"w1": "1"},
                                               "epochs": epochs, "numbers": "precision:30", "schedule": schedule}]}
    epochs_ = symopt.solve(spec).exercises[0].epochs
    rates = [[Fraction(line.value) for line in e.lines if line.quantity == "alpha_t"] for e in epochs_]
    assert all(len(r) == 1 for r in rates)  # one α_t line per epoch
    return [r[0] for r in rates]


def _torch_rates(make, alpha: float, epochs: int = SCHEDULE_EPOCHS) -> list[float]:
    import torch

    params = [torch.zeros(1, dtype=torch.float64, requires_grad=True)]
    opt = torch.optim.SGD(params, lr=alpha)
    scheduler = make(opt)
    out = []
    for _ in range(epochs):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return out


@pytest.mark.filterwarnings("ignore::UserWarning")  # SequentialLR's own warning about step()'s epoch argument
@pytest.mark.parametrize("case", SCHEDULES, ids=[c[0] for c in SCHEDULES])
def test_every_rate_is_pytorchs_and_optaxs(case, frameworks):
    _, schedule, torch_make, optax_make = case
    ours = _rates(schedule)
    for t, (x, y) in enumerate(zip(ours, _torch_rates(torch_make, float(ALPHA)), strict=True), start=1):
        assert abs(float(x) - y) <= 1e-12, (t, float(x), y)
    if optax_make is not None:
        _x64()
        schedule_of = optax_make(float(ALPHA))
        for t, x in enumerate(ours, start=1):
            assert abs(float(x) - float(schedule_of(t - 1))) <= 1e-12, (t, float(x), float(schedule_of(t - 1)))


def test_cosine_stays_at_its_end_as_optax_and_d2l_do_where_pytorch_rises_again(frameworks):
    """Past T the rate stays at α_min (optax's cosine_decay_schedule, d2l's CosineScheduler);
    PyTorch's CosineAnnealingLR follows the cosine back up, so it agrees up to epoch T + 1 only."""
    ours = _rates({"kind": "cosine", "T": 12, "alpha_min": "0.01"})
    theirs = _torch_rates(lambda o: _s().CosineAnnealingLR(o, T_max=12, eta_min=0.01), 0.1)
    _x64()
    optax_of = _o().cosine_decay_schedule(0.1, 12, alpha=0.1)
    assert all(abs(float(x) - y) <= 1e-12 for x, y in zip(ours[:13], theirs[:13], strict=True))
    assert ours[13:] == [Fraction(1, 100)] * 17 and min(theirs[13:]) > 0.0101
    assert all(abs(float(x) - float(optax_of(t - 1))) <= 1e-12 for t, x in enumerate(ours, start=1))


# (id, optimizer, hyper, options, schedule case, PyTorch's optimizer of params and lr, optax's optimizer of a schedule)
SCHEDULED_RUNS = [
    ("adam-warmup-cosine", "adam", ADAM | {"alpha": ALPHA}, {"eps_placement": "outside"}, "warmup-cosine",
     lambda p, lr: _t().Adam(p, lr=lr, betas=(0.9, 0.999), eps=0.001),
     lambda s: _o().adam(s, b1=0.9, b2=0.999, eps=0.001)),
    ("momentum-step", "momentum", {"alpha": ALPHA, "beta": "0.9"}, {"style": "heavy_ball"}, "step",
     lambda p, lr: _t().SGD(p, lr=lr, momentum=0.9),
     lambda s: _o().sgd(s, momentum=0.9)),
    ("adamw-multistep", "adamw", ADAM | {"alpha": ALPHA, "weight_decay": "0.1"}, {}, "multistep",
     lambda p, lr: _t().AdamW(p, lr=lr, betas=(0.9, 0.999), eps=0.001, weight_decay=0.1),
     lambda s: _o().adamw(s, b1=0.9, b2=0.999, eps=0.001, weight_decay=0.1)),
    ("rmsprop-exponential", "rmsprop", {"alpha": "0.01", "gamma": "0.9", "epsilon": "0.001"}, {"eps_placement": "outside"},
     "exponential", lambda p, lr: _t().RMSprop(p, lr=lr, alpha=0.9, eps=0.001), None),
    ("gd-inverse-time", "gd", {"alpha": ALPHA}, {}, "inverse-time", lambda p, lr: _t().SGD(p, lr=lr), None),
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("run", SCHEDULED_RUNS, ids=[r[0] for r in SCHEDULED_RUNS])
def test_a_scheduled_run_is_the_frameworks(run, frameworks):
    """The whole run, every optimizer's alpha read as α_t: PyTorch's optimizer with its scheduler,
    optax's with the schedule as its learning rate."""
    import torch

    _, optimizer, hyper, options, case, torch_make, optax_make = run
    _, schedule, scheduler_make, schedule_make = next(c for c in SCHEDULES if c[0] == case)
    text, make, start = FUNCTIONS["quadratic"]
    spec = {"function": text, "exercise": [{"optimizer": optimizer, "hyper": hyper, "options": options, "start": start,
                                            "epochs": SCHEDULE_EPOCHS, "numbers": "precision:30", "schedule": schedule}]}
    ours = [[float(Fraction(e.params[n])) for n in sorted(start)] for e in symopt.solve(spec).exercises[0].epochs]
    lr = float(hyper["alpha"])
    params = [torch.tensor(float(start[n]), dtype=torch.float64, requires_grad=True) for n in sorted(start)]
    opt = torch_make(params, lr)
    scheduler, f, theirs = scheduler_make(opt), make(torch), []
    for _ in range(SCHEDULE_EPOCHS):
        opt.zero_grad()
        f(*params).backward()
        opt.step()
        scheduler.step()
        theirs.append([p.item() for p in params])
    runs = [theirs]
    if optax_make is not None and schedule_make is not None:
        _x64()
        import jax.numpy as jnp

        rate = schedule_make(lr)  # of the count in float64 (optax counts in int32, and its schedules then compute in float32)
        runs.append(_optax_run(make, start, lambda _: optax_make(lambda n: rate(jnp.asarray(n, dtype=jnp.float64))), {}))
    for other in runs:
        for epoch, (a, b) in enumerate(zip(ours, other, strict=True), start=1):
            for x, y in zip(a, b, strict=True):
                assert abs(x - y) <= 1e-12 * max(abs(y), 1.0), (epoch, a, b)


# -- dataset problems: linear and logistic regression in batches, as PyTorch trains them ---------------
DATA = {"x": ["0.5", "1.5", "-1", "2", "3"], "y": ["1", "2.5", "-0.5", "3", "4.5"]}
LABELS = {"x": ["0.5", "1.5", "-1", "2", "3"], "y": ["0", "1", "0", "1", "1"]}
#: (id, the exercise's dataset keys, optimizer, hyper, options, factory); 30 steps each
DATASET_CASES = [
    ("sgd", {"model": "linear", "batch": 1, "shuffle": {"seed": 5}, "epochs": 6}, "gd", {"alpha": "0.02"}, {},
     lambda h, p: _t().SGD(p, lr=h["alpha"])),
    ("mini-batch", {"model": "linear", "batch": 2, "epochs": 10}, "gd", {"alpha": "0.02"}, {},
     lambda h, p: _t().SGD(p, lr=h["alpha"])),
    ("mini-batch-sum-half", {"model": "linear", "batch": 2, "shuffle": {"seed": 1}, "loss": "half_squared", "reduction": "sum",
                             "epochs": 10}, "momentum", {"alpha": "0.01", "beta": "0.9"}, {"style": "heavy_ball"},
     lambda h, p: _t().SGD(p, lr=h["alpha"], momentum=h["beta"])),
    ("mini-batch-adam", {"model": "linear", "batch": 2, "shuffle": {"seed": 3}, "epochs": 10}, "adam", ADAM, {"eps_placement": "outside"},
     lambda h, p: _t().Adam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"])),
    ("full-batch", {"model": "linear", "epochs": 30}, "gd", {"alpha": "0.02"}, {}, lambda h, p: _t().SGD(p, lr=h["alpha"])),
    ("logistic-mini-batch", {"model": "logistic", "batch": 2, "shuffle": {"seed": 2}, "epochs": 10}, "gd", {"alpha": "0.5"}, {},
     lambda h, p: _t().SGD(p, lr=h["alpha"])),
    ("logistic-full-adam", {"model": "logistic", "epochs": 30}, "adam", ADAM, {"eps_placement": "outside"},
     lambda h, p: _t().Adam(p, lr=h["alpha"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"])),
]


@pytest.mark.parametrize("case", DATASET_CASES, ids=[c[0] for c in DATASET_CASES])
def test_dataset_steps_match_pytorch(case, frameworks):
    """Each step's batch (symopt's schedule, shuffled or not) trained by PyTorch: MSELoss or
    binary cross-entropy on the logits, reduced by the mean or the sum, autograd's gradient."""
    import torch

    name, keys, optimizer, hyper, options, factory = case
    logistic = keys["model"] == "logistic"
    data = LABELS if logistic else DATA
    spec = {"data": data, "exercise": [{"optimizer": optimizer, "hyper": hyper, "options": options, "start": {"w": "0.3", "b": "-0.2"},
                                        "numbers": "precision:30", **keys}]}
    epochs = symopt.solve(spec).exercises[0].epochs
    assert len(epochs) == 30
    x = torch.tensor([float(v) for v in data["x"]], dtype=torch.float64)
    y = torch.tensor([float(v) for v in data["y"]], dtype=torch.float64)
    w = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-0.2, dtype=torch.float64, requires_grad=True)
    opt = factory({k: float(v) for k, v in hyper.items()}, [w, b])
    reduction = keys.get("reduction", "mean")
    for e in epochs:
        batch = torch.tensor([i - 1 for i in e.samples])
        opt.zero_grad()
        z = w * x[batch] + b
        if logistic:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y[batch], reduction=reduction)
        else:
            loss = torch.nn.functional.mse_loss(z, y[batch], reduction=reduction) * (0.5 if keys.get("loss") == "half_squared" else 1)
        loss.backward()
        opt.step()
        for v, theirs in (("w", w.item()), ("b", b.item())):
            ours = float(Fraction(e.params[v]))
            assert abs(ours - theirs) <= 1e-9 * max(abs(theirs), 1.0), (name, e.number, v, ours, theirs)
