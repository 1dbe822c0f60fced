"""Outputs are byte-identical before and after any speed work: the golden sheets (output/, compared
in tests/test_output.py and tests/test_install.py) and two 1 000-epoch sheets, pinned by SHA-256.

Beside each hash, a readable excerpt of its sheet (tests/data/pinned/: everything up to the end of
epoch 1, and the last epoch) is compared first, so a failure shows which lines changed.  If a
change alters a sheet on purpose (a new layout), say so in its commit, and write the excerpts and
print the hashes again with ``python3 tests/test_identical.py``."""

from __future__ import annotations

import hashlib
from pathlib import Path
import sys

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # (run as a script: the benchmark's module)

from benchmarks.__main__ import adam_spec  # the benchmark's Adam case, pinned here
import symopt

EPOCHS = 1000
EXCERPTS = Path(__file__).parent / "data" / "pinned"

# Changed on purpose by issue 13 (the number policy): hand:4 no longer carries small values as 0
# (this very sheet had s_1 = 0.001 * (-0.2)^2 = 0, then s_corr1 = 0), precision:30 shows 30 digits,
# trailing zeros count at precision:30 (1.00000…), operands get the digits their line needs, and the policy
# is stated on the sheet.  Changed on purpose by issue 14: Adam's note states its convention in
# mathematical words only ("Convention: $\epsilon$ inside the square root."), without the framework;
# and the notation table: products as \cdot (the new default sign), V_{\mathrm{corr}} upright, the data
# line spaced (,\;) and written on 4 lines instead of 1.  Checked when re-pinned: with \cdot read as *,
# ,\; as "," and \mathrm{corr} as corr, every one of the 60 000 epoch lines is byte-identical to before.
# Changed on purpose by issue 18: f's factor of 1 is not printed (1.0*w10**2 is w_{10}^2, not
# 1w_{10}^2); the f line alone differs (git diff of the excerpts shows it).
PINNED = {
    "hand:4": "38027b1ff8d6467f44c4a28772cd227011bb3ee856cdc6c34d57b313305b2714",
    "precision:30": "76725e9b1312bbcf1de998407b5084ce7ef2559c79d52cfba9d85bd3a0b5d39c",
}


def sheet(numbers: str) -> str:
    return symopt.solve(adam_spec(10, EPOCHS, numbers)).to_markdown()


def excerpt(md: str) -> str:
    """The sheet up to the end of epoch 1, and its last epoch."""
    return md[: md.index("\nEpoch 2:")] + "\n\n[epochs 2 to 999]\n" + md[md.rindex(f"\nEpoch {EPOCHS}:"):]


def excerpt_path(numbers: str) -> Path:
    return EXCERPTS / f"adam-10-{EPOCHS}-{numbers.replace(':', '-')}.md.txt"


@pytest.mark.parametrize("numbers", sorted(PINNED))
def test_a_1000_epoch_sheet_is_unchanged(numbers):
    md = sheet(numbers)
    assert md.count("$$") // 2 == 60020  # f, 5 formulas, the data line (4 rows), 10 derivatives, 60 000 lines
    assert excerpt(md) == excerpt_path(numbers).read_text(encoding="utf-8")  # pytest shows the lines that differ
    assert hashlib.sha256(md.encode("utf-8")).hexdigest() == PINNED[numbers]


def test_the_excerpt_is_the_sheets_first_and_last_epoch():
    md = symopt.solve(adam_spec(2, EPOCHS, "hand:4")).to_markdown()
    part = excerpt(md)
    assert part.startswith(md[:200]) and part.endswith(md[-200:])
    assert "\nEpoch 1:" in part and f"\nEpoch {EPOCHS}:" in part and "\nEpoch 2:" not in part and "\nEpoch 999:" not in part


if __name__ == "__main__":  # write the excerpts again and print the hashes, after a change on purpose
    EXCERPTS.mkdir(parents=True, exist_ok=True)
    for numbers in sorted(PINNED):
        md = sheet(numbers)
        excerpt_path(numbers).write_text(excerpt(md), encoding="utf-8")
        print(f'    "{numbers}": "{hashlib.sha256(md.encode("utf-8")).hexdigest()}",')
