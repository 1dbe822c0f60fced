"""Outputs are byte-identical before and after any speed work: the golden sheets (output/, compared
in tests/test_output.py and tests/test_install.py) and two 1 000-epoch sheets, pinned by SHA-256.

If a change alters these hashes on purpose (a new layout), say so in its commit and update them."""

from __future__ import annotations

import hashlib

import pytest

from benchmarks.__main__ import adam_spec  # the benchmark's Adam case, pinned here
import symopt

PINNED = {
    "hand:4": "252e5d48ce6f5e94ea8eb78b4e87044354fa66b1578889115cb318bd8e8079f5",
    "precision:30": "fd1f0f61d4d204ef056f5acffc8674179cc3453a081e77f21d70754b036e57e5",
}


@pytest.mark.parametrize("numbers", sorted(PINNED))
def test_a_1000_epoch_sheet_is_unchanged(numbers):
    md = symopt.solve(adam_spec(10, 1000, numbers)).to_markdown()
    assert md.count("$$") // 2 == 60017  # f, 5 formulas, the data line, 10 derivatives, 60 000 lines
    assert hashlib.sha256(md.encode("utf-8")).hexdigest() == PINNED[numbers]
