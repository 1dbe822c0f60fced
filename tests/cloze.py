"""Moodle's reading of a Cloze (multianswer) question, ported from its importer: the regular
expressions of ``qtype_multianswer_extract_question`` in moodle/question/type/multianswer/
questiontype.php, with their group numbers, and its loop, which takes the first blank, reads its
alternatives, and replaces it by ``{#k}``.  A test that reads our quiz with it reads it as Moodle's
import does, not only as XML."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
import re

FRACTION = r"=|%(-?[0-9]+)%"
ANSWER = r".+?(?<!\\|&)(?=[~#}]|$)"
FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
ALTERNATIVE = f"({FRACTION})?({ANSWER})(#({FEEDBACK}))?"  # groups: 1 fraction, 2 percent, 3 answer, 5 feedback
NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
NUMERICAL_ALTERNATIVE = f"^({NUMBER})(:{NUMBER})?$"  # groups: 1 the answer, 6 the absolute error margin
TYPE = r"(NUMERICAL|NM)|(MULTICHOICE|MC)|(SHORTANSWER|SA|MW)"
START = rf"\{{([0-9]*):({TYPE}):"
BLANK = re.compile(START + f"({ALTERNATIVE}(~{ALTERNATIVE})*)" + r"\}")  # groups: 1 norm, 3 numerical, 6 alternatives


@dataclass(frozen=True)
class Answer:
    fraction: Fraction  # 1 for "=", the percentage for "%50%", else 0
    answer: str
    tolerance: str | None  # a NUMERICAL answer's margin
    feedback: str


@dataclass(frozen=True)
class Blank:
    kind: str  # numerical, multichoice, shortanswer
    weight: int
    answers: tuple[Answer, ...]


def read(text: str) -> tuple[str, list[Blank]]:
    """The question's text with each blank replaced by {#k}, and its blanks, as Moodle reads them."""
    blanks: list[Blank] = []
    while (m := BLANK.search(text)) is not None:
        kind = "numerical" if m.group(3) else "multichoice" if m.group(4) else "shortanswer"
        answers = []
        remaining = m.group(6)
        alternative = re.compile("~?" + ALTERNATIVE)
        while remaining and (a := alternative.match(remaining)) is not None and a.group(0):
            fraction = Fraction(1) if a.group(1) == "=" else Fraction(int(a.group(2)), 100) if a.group(2) else Fraction(0)
            tolerance = None
            answer = a.group(3)
            if kind == "numerical":
                numeric = re.match(NUMERICAL_ALTERNATIVE, answer)
                assert numeric is not None, f"Moodle reads {answer!r} as no number"
                answer, tolerance = numeric.group(1), numeric.group(6)
            answers.append(Answer(fraction, answer, tolerance, a.group(5) or ""))
            remaining = remaining[len(a.group(0)):]
        blanks.append(Blank(kind, int(m.group(1) or 1), tuple(answers)))
        text = text[:m.start()] + "{#" + str(len(blanks)) + "}" + text[m.end():]
    return text, blanks
