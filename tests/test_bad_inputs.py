"""The bad-input catalogue (tests/bad_inputs/cases.toml): each case exits with its code (2 unless
said), prints one line naming what is wrong, no traceback, and writes nothing.  A case's file is
`file` (text), `hex` (bytes), or `file` with ``{repeat}`` standing for `repeat.text` `repeat.times`
times (an input too long to write out)."""

from __future__ import annotations

from pathlib import Path
import tomllib

import pytest

from symopt.cli import main

CASES = tomllib.loads((Path(__file__).parent / "bad_inputs" / "cases.toml").read_text(encoding="utf-8"))["case"]


def test_the_catalogue_is_broad():
    kinds = {c["args"][0] for c in CASES}
    assert len(CASES) >= 40 and {"render", "check", "exam"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case, tmp_path, capsys):
    path = tmp_path / "input.toml"
    text = case.get("file", "").replace("{repeat}", case["repeat"]["text"] * case["repeat"]["times"]) if "repeat" in case else case.get("file")
    path.write_bytes(bytes.fromhex(case["hex"]) if "hex" in case else text.encode("utf-8"))
    out = tmp_path / "out"
    args = [a.replace("{file}", str(path)).replace("{out}", str(out)) for a in case["args"]]
    try:
        code = main(args)
    except SystemExit as e:  # argparse's own exits
        code = e.code
    err = capsys.readouterr().err
    assert code == case.get("code", 2), err
    assert case["message"] in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())
