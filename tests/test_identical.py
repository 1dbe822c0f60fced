"""Outputs are byte-identical before and after any speed work: the golden sheets (output/, compared
in tests/test_output.py and tests/test_install.py) and two 1 000-epoch sheets, pinned by SHA-256.

If a change alters these hashes on purpose (a new layout), say so in its commit and update them."""

from __future__ import annotations

from decimal import Decimal
import hashlib

import pytest

import symopt

PINNED = {
    "hand:4": "252e5d48ce6f5e94ea8eb78b4e87044354fa66b1578889115cb318bd8e8079f5",
    "precision:30": "fd1f0f61d4d204ef056f5acffc8674179cc3453a081e77f21d70754b036e57e5",
}


def adam_spec(variables: int, epochs: int, numbers: str) -> dict:
    """The benchmark's Adam case (benchmarks/__main__.py): 10 variables, f = sum of i/10 * w_i^2."""
    function = " + ".join(f"{Decimal(i) / 10}*w{i}**2" for i in range(1, variables + 1))
    return {"function": function, "exercise": [{
        "optimizer": "adam", "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
        "epochs": epochs, "numbers": numbers, "start": {f"w{i}": (-1) ** i * i for i in range(1, variables + 1)}}]}


@pytest.mark.parametrize("numbers", sorted(PINNED))
def test_a_1000_epoch_sheet_is_unchanged(numbers):
    md = symopt.solve(adam_spec(10, 1000, numbers)).to_markdown()
    assert md.count("$$") // 2 == 60017  # f, 5 formulas, the data line, 10 derivatives, 60 000 lines
    assert hashlib.sha256(md.encode("utf-8")).hexdigest() == PINNED[numbers]
