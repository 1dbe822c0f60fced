"""What ``symopt check`` says: a summary, and the findings as text, Markdown or JSON.

Text is for the terminal (per exercise and epoch, ✓ or ✗, each finding with its line).  Markdown is
the writer's own document with a note after every line that is wrong, so it reads on GitHub as the
marked-up sheet.  JSON is for scripts: ``{"summary": {...}, "findings": [...]}``.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import re

from ..render import escape_md, rich
from .document import Document
from .findings import Finding

MARK = {"ok": "✓", "error": "✗", "warning": "⚠"}


@dataclass(frozen=True)
class Report:
    source: str
    document: Document
    findings: tuple[Finding, ...]  # every judged line's verdict and every warning, in line order

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def summary(self) -> dict[str, int]:
        """lines: lines judged; ok: those with nothing to say; errors and warnings: findings."""
        lines = {f.line for f in self.findings}
        flagged = {f.line for f in self.findings if f.severity != "ok"}
        return {"lines": len(lines), "ok": len(lines - flagged), "errors": len(self.errors), "warnings": len(self.warnings)}

    def to_dict(self, verbose: bool = False) -> dict:
        shown = [f for f in self.findings if verbose or f.severity != "ok"]
        return {"source": self.source, "summary": self.summary, "findings": [_finding_dict(f) for f in shown]}

    def to_json(self, verbose: bool = False) -> str:
        return json.dumps(self.to_dict(verbose), ensure_ascii=False, indent=2) + "\n"

    def headline(self) -> str:
        s = self.summary
        return (f"{self.source}: {_count(s['errors'], 'error')}, {_count(s['warnings'], 'warning')} "
                f"in {_count(s['lines'], 'line')} checked ({s['ok']} ok)")

    def to_text(self, verbose: bool = False) -> str:
        out = [self.headline()]
        general = [f for f in self.findings if f.exercise is None]
        for f in general:
            out.append(_text_finding(f, "  "))
        for n, section in enumerate(self.document.sections, start=1):
            mine = [f for f in self.findings if f.exercise == n]
            out.append("")
            out.append(f"Exercise {n} (line {section.line}): {section.heading}")
            given = [f for f in mine if f.epoch is None and (verbose or f.severity != "ok")]
            out += [_text_finding(f, "    ") for f in given]
            for block in section.epochs:
                lines = [f for f in mine if f.epoch == block.number and block.line <= f.line]
                worst = "error" if any(f.severity == "error" for f in lines) else "warning" if any(f.severity == "warning" for f in lines) else "ok"
                checked = len({f.line for f in lines})
                out.append(f"  Epoch {block.number}: {MARK[worst]} {_count(checked, 'line')}")
                out += [_text_finding(f, "    ") for f in lines if verbose or f.severity != "ok"]
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        """The document as written, with a note after each line that has something to say."""
        notes: dict[int, list[str]] = {}
        for f in self.findings:
            if f.severity != "ok":
                notes.setdefault(f.end or f.line, []).append(_markdown_note(f))
        s = self.summary
        out = [f"> **symopt check**: {_count(s['errors'], 'error')}, {_count(s['warnings'], 'warning')} in {_count(s['lines'], 'line')} checked", ""]
        for number, line in enumerate(self.document.lines, start=1):
            out.append(_TAG.sub("&lt;", line))
            for note in notes.get(number, []):
                out += ["", note, ""]
        return "\n".join(out).rstrip("\n") + "\n"


#: What starts raw HTML in Markdown (a tag, a comment, an autolink such as <javascript:...>): the
#: student's text is copied with it escaped, so a copy opened in a Markdown viewer runs nothing.
_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _finding_dict(f: Finding) -> dict:
    return {
        "exercise": f.exercise, "epoch": f.epoch, "quantity": f.quantity, "variable": f.variable,
        "line": f.line, "kind": f.kind, "severity": f.severity, "name": f.name,
        "written": f.written, "expected": f.expected, "message": f.text,
    }


def _text_finding(f: Finding, indent: str) -> str:
    head = f"{indent}line {f.line} {MARK[f.severity]} {f.kind}"
    if f.severity == "ok":
        return f"{head}  {f.name or ''}".rstrip()
    what = f"{f.name} = {f.written}, expected ≈ {f.expected}: ".replace("{,}", ",") if f.written and f.expected and f.name else ""
    return f"{head}  {what}{f.text}"


rich_md = rich(escape_md)


def _markdown_note(f: Finding) -> str:
    label = {"error": "✗", "warning": "⚠"}[f.severity]
    head = f"> {label} **{f.kind}**"
    if f.name:
        head += f" · ${f.name}$"
    if f.written and f.expected:
        head += f" · written ${f.written}$ · expected $\\approx {f.expected}$"
    return head + "  \n> " + rich_md(f.message.replace("\n", " "))
