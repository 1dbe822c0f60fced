"""Hand runs stay with the exact run (issue 13).

By hand every value is rounded and the rounded value carried.  With the default policy (4 decimal
places, never fewer than 3 significant figures) that must not wreck a run: on random problems that
converge, the hand path stays within 1% (or 10^-3) of the exact path over the first 5 epochs, and
where it does not, the sheet says so (``Worked.departs``) instead of printing a wrecked run.

The exact path is computed independently here (``precision:30``, a separate run), not read from the
hand run's own reference.  A property over random problems (hypothesis; ``SYMOPT_FUZZ=long`` runs
20 000), a seeded sample that measures how rarely a departure is flagged, and the cases that went
wrong before: ``small`` Adam and RMSProp, where ``hand:4`` carried s = 0.0000196 as 0 and sent w to
-139.3 and -13.3.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
import os
import random

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

import symopt
from symopt.check.problem import variants
from symopt.optimizers import OPTIMIZERS

LONG = os.environ.get("SYMOPT_FUZZ") == "long"
EPOCHS = 5
RELATIVE, ABSOLUTE = Fraction(1, 100), Fraction(1, 1000)

ADAPTIVE = ["adam", "adamw", "adamax", "nadam", "radam", "rmsprop", "adagrad"]
PLAIN = ["gd", "momentum", "nesterov"]
HYPER = {"beta": "0.9", "beta1": "0.9", "beta2": "0.999", "gamma": "0.9", "rho": "0.9", "mu": "0.5",
         "epsilon": "1e-8", "weight_decay": "0.01", "psi": "0.004", "s0": "0"}


def problem(rng: random.Random, optimizer: str, options: dict, numbers: str = "hand:4") -> dict:
    """A convex problem that converges: f = a(x - c)^2 + b(y - d)^2 (+ a small cross term), a step
    that keeps GD stable, start values and hyperparameters as a teacher would pick them."""
    a, b = (Decimal(rng.choice([1, 2, 5, 10, 20, 50, 100, 200])) / 100 for _ in range(2))
    c, d = (Decimal(rng.randint(-20, 20)) / 10 for _ in range(2))
    cross = Decimal(rng.randint(-2, 2)) / 100 * min(a, b)
    f = f"{a}*(x - ({c}))^2 + {b}*(y - ({d}))^2 + {cross}*x*y"
    opt = OPTIMIZERS[optimizer]
    hyper = {h: HYPER[h] for h in opt.hyper_for(options) if h in HYPER}
    if optimizer in PLAIN:  # alpha below 1/(2 max(a, b)): GD on the quadratic contracts
        hyper["alpha"] = str(Decimal(rng.randint(5, 40)) / 100 / (2 * max(a, b)))
    elif "alpha" in opt.hyper_for(options) and optimizer != "adadelta":
        hyper["alpha"] = str(Decimal(rng.choice([1, 2, 5, 10, 20])) / 100)
    if optimizer == "lion":
        hyper.update(alpha="0.01", beta1="0.9", beta2="0.99", weight_decay="0")
    start = {"x": str(Decimal(rng.randint(-50, 50)) / 10), "y": str(Decimal(rng.randint(-50, 50)) / 10)}
    return {"function": f, "exercise": [{"optimizer": optimizer, "options": options, "hyper": hyper, "start": start,
                                         "epochs": EPOCHS, "numbers": numbers}]}


def farthest(spec: dict) -> tuple[int | None, object]:
    """The first epoch where the hand path is farther from the exact path than 1% (or 10^-3), and
    the hand run's worked exercise."""
    hand = symopt.solve(spec).exercises[0]
    exact = symopt.solve(spec, numbers="precision:30").exercises[0]
    for h, e in zip(hand.epochs, exact.epochs, strict=True):
        for v in e.values:
            carried, right = Fraction(h.values[v]), Fraction(e.values[v])
            if abs(carried - right) > max(ABSOLUTE, RELATIVE * abs(right)):
                return h.number, hand
    return None, hand


CASES = [(key, options) for key in ADAPTIVE + PLAIN + ["lion", "adadelta"] for options in variants(OPTIMIZERS[key])
         if options.get("weight_decay_style", "none") == "none"]


@settings(max_examples=20_000 if LONG else 40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.sampled_from(CASES))
def test_a_hand_run_stays_with_the_exact_run_or_says_so(seed, case):
    key, options = case
    departed, hand = farthest(problem(random.Random(seed), key, options))
    if departed is not None:
        assert hand.departs is not None and hand.departs.epoch <= departed, (seed, key, options, departed)


def test_departures_are_rare_on_problems_that_converge():
    # Measured: of 300 random convex problems over the catalogue, how many hand:4 runs leave the
    # exact path by more than 1% (or 10^-3) in 5 epochs: 2 when this was written (RMSProp centered
    # with momentum, Adam with Keras' eps-hat and AMSGrad), each marked on its sheet.
    rng = random.Random(2026)
    departed = [c for c in (rng.choice(CASES) for _ in range(300)) if farthest(problem(rng, *c))[0] is not None]
    assert len(departed) <= 6, departed  # at most 2%


A = {"alpha": "0.1", "beta1": "0.9", "beta2": "0.999", "epsilon": "1e-8"}


@pytest.mark.parametrize("optimizer,hyper", [
    ("adam", A),  # s = 0.001 * 0.14^2 = 0.0000196 was carried as 0: w = -139.3 (exact 0.6)
    ("rmsprop", {"alpha": "0.01", "gamma": "0.999", "epsilon": "1e-8"}),  # s = 0.0000196 as 0: w = -13.3
    ("rmsprop", {"alpha": "0.1", "gamma": "0.99", "epsilon": "1e-8"}),  # 0.000196 as 0.0002
])
def test_small_values_are_carried_by_hand(optimizer, hyper):
    spec = {"function": "0.1*w**2", "exercise": [{"optimizer": optimizer, "hyper": hyper, "start": {"w": 0.7},
                                                  "epochs": 5, "numbers": "hand:4"}]}
    departed, hand = farthest(spec)
    assert departed is None and hand.departs is None
    s = next(line for line in hand.epochs[0].lines if line.quantity == "s")
    assert s.shown.value in (Fraction("0.0000196"), Fraction("0.000196"))


def test_a_run_that_rounding_wrecks_is_marked():
    # GD with small steps at 2 decimals: w = 0.7 - 0.01 * 0.14 = 0.6986 is carried as 0.70, so w
    # never moves, while the exact run goes 0.7 * 0.998^t.  At epoch 8 it is 0.6889, 0.0111 away:
    # more than one unit of the second decimal and more than 1%
    spec = {"function": "0.1*w**2", "exercise": [{"optimizer": "gd", "hyper": {"alpha": "0.01"}, "start": {"w": 0.7},
                                                  "epochs": 10, "numbers": "hand:2 sig 1"}]}
    hand = symopt.solve(spec).exercises[0]
    assert [e.params["w"] for e in hand.epochs] == ["0.7"] * 10
    assert hand.departs.epoch == 8 and hand.departs.carried.text == "0.7"
    md = symopt.solve(spec).to_markdown()
    assert ("From epoch 8 on, the rounded values carried by hand are farther from the run without rounding than "
            "rounding explains: $w = 0.7$ here, $0.689$ without rounding.") in md
    departs = symopt.solve(spec).to_dict()["exercises"][0]["departs"]
    assert departs == {"epoch": 8, "variable": "w", "carried": "0.7", "reference": "0.68887808718274685368"}
