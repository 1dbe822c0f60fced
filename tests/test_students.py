"""`symopt check` against students' worked solutions with planted errors (tests/data/students).

The corpus is written by tests/data/students/make.py, which does not use symopt: every number is
computed there with `decimal`, the way the student works (rounded values carried), and every
planted error is recorded in manifest.json with its line and kind.  This test measures the
checker on it:

- recall: planted errors found at their line with the right kind / planted errors;
- precision: flagged findings (kind != ok) that match a planted (line, kind) / flagged findings;
- false alarms on the documents without planted errors (must be 0);
- unread lines: "unreadable" findings, or "notation" findings that say the line is not checked,
  at lines not planted as such, plus every judged line the checker skipped silently (the manifest
  says how many lines each document has to be judged: formula, derivative and epoch lines).

    python3 -m pytest tests/test_students.py -s      # prints the figures and the table
"""

from __future__ import annotations

import filecmp
import json
from pathlib import Path
import subprocess
import sys

import symopt

HERE = Path(__file__).resolve().parent / "data" / "students"
MANIFEST = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))

RECALL, PRECISION = 0.95, 0.9


def _unread(f, planted) -> bool:
    if (f.line, f.kind) in planted:
        return False
    return f.kind == "unreadable" or (f.kind == "notation" and "not checked" in f.message)


def _measure():
    rows, totals = [], {"planted": 0, "found": 0, "flagged": 0, "matched": 0, "false_ok": 0, "unread": 0}
    for doc in MANIFEST:
        planted = {(p["line"], p["kind"]): p for p in doc["planted"]}
        spec = str(HERE / doc["spec"]) if doc["spec"] else None
        row = {"file": doc["file"], "missed": [], "false": [], "unread": [], "lines": (doc["lines"], None), "error": None}
        try:
            report = symopt.check(HERE / doc["file"], spec=spec)
            findings = list(report.findings)
            counted = report.summary["lines"]
        except Exception as e:  # a document the checker cannot take at all: every planted error missed
            findings, counted = [], 0
            row["error"] = f"{type(e).__name__}: {e}"
        flagged = [f for f in findings if f.kind != "ok"]
        hits = {(f.line, f.kind) for f in flagged}
        row["missed"] = [p for key, p in planted.items() if key not in hits]
        row["false"] = [f for f in flagged if (f.line, f.kind) not in planted]
        row["unread"] = [f for f in findings if _unread(f, planted)]
        row["lines"] = (doc["lines"], counted)
        skipped = max(0, doc["lines"] - counted)
        totals["planted"] += len(planted)
        totals["found"] += len(planted) - len(row["missed"])
        totals["flagged"] += len(flagged)
        totals["matched"] += len(flagged) - len(row["false"])
        totals["unread"] += len({f.line for f in row["unread"]}) + skipped
        if doc["correct"]:
            totals["false_ok"] += len(flagged)
        rows.append(row)
    return rows, totals


def _table(rows) -> str:
    out = []
    for r in rows:
        want, got = r["lines"]
        bad = r["missed"] or r["false"] or r["unread"] or r["error"] or want != got
        if not bad:
            continue
        out.append(f"{r['file']}: lines judged {got} of {want}")
        if r["error"]:
            out.append(f"    cannot check: {r['error']}")
        for p in r["missed"]:
            out.append(f"    MISSED line {p['line']} {p['kind']}: {p['what']}")
        for f in r["false"]:
            out.append(f"    FALSE  line {f.line} {f.kind}: {f.message.replace(chr(10), ' ')[:160]}")
        unread_lines = sorted({f.line for f in r["unread"]})
        if unread_lines:
            out.append(f"    unread lines: {unread_lines}")
    return "\n".join(out)


def test_checker_on_students():
    rows, t = _measure()
    recall = t["found"] / t["planted"] if t["planted"] else 1.0
    precision = t["matched"] / t["flagged"] if t["flagged"] else 1.0
    figures = (f"recall {recall:.3f} ({t['found']}/{t['planted']}), precision {precision:.3f} "
               f"({t['matched']}/{t['flagged']}), false alarms on correct documents {t['false_ok']}, "
               f"unread lines {t['unread']}")
    table = _table(rows)
    print("\n" + figures + "\n" + table)
    ok = recall >= RECALL and precision >= PRECISION and t["false_ok"] == 0 and t["unread"] == 0
    assert ok, figures + "\n" + table


def test_corpus_is_reproducible(tmp_path):
    """make.py rewrites the committed corpus byte for byte."""
    subprocess.run([sys.executable, str(HERE / "make.py"), str(tmp_path)], check=True)
    made = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in HERE.iterdir() if p.is_file() and p.name != "make.py")
    assert made == committed, f"files differ: made {made}, committed {committed}"
    _match, mismatch, errors = filecmp.cmpfiles(tmp_path, HERE, made, shallow=False)
    assert not mismatch and not errors, f"regenerate with python3 tests/data/students/make.py: {mismatch + errors}"


def test_manifest_is_sound():
    """The corpus keeps its promises: 32+ documents, 8+ correct, every kind planted several times."""
    assert len(MANIFEST) >= 32
    assert sum(d["correct"] for d in MANIFEST) >= 8
    kinds = [p["kind"] for d in MANIFEST for p in d["planted"]]
    for kind in ("arithmetic", "substitution", "rounding", "formula", "notation", "unreadable"):
        assert kinds.count(kind) >= 3, kind
    styles = [s for d in MANIFEST for s in d["style"]]
    assert sum(1 for s in set(styles) if styles.count(s) >= 2) >= 12
    for d in MANIFEST:
        text = (HERE / d["file"]).read_text(encoding="utf-8").splitlines()
        assert d["correct"] == (not d["planted"])
        for p in d["planted"]:
            assert 1 <= p["line"] <= len(text) and text[p["line"] - 1].strip(), (d["file"], p)
        if d["spec"]:
            assert (HERE / d["spec"]).exists()
