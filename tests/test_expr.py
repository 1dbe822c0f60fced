"""The safe parser: what it accepts, how it reads it, and the one-line errors for the rest."""

from __future__ import annotations

import builtins
from fractions import Fraction

import pytest

from conftest import spec
import symopt
from symopt.errors import SymoptError
from symopt.expr import Bin, Call, Name, Neg, Num, parse, parse_rule, to_text


@pytest.mark.parametrize(
    "text,tree",
    [
        ("0.1*w1", Bin("*", Num(Fraction(1, 10)), Name("w1"))),
        ("w1^2", Bin("^", Name("w1"), Num(Fraction(2)))),
        ("w1**2", Bin("^", Name("w1"), Num(Fraction(2)))),
        ("-w1^2", Neg(Bin("^", Name("w1"), Num(Fraction(2))))),  # -(w1^2), as in maths
        ("2^-1", Bin("^", Num(Fraction(2)), Neg(Num(Fraction(1))))),
        ("a-b-c", Bin("-", Bin("-", Name("a"), Name("b")), Name("c"))),
        ("2^3^2", Bin("^", Num(Fraction(2)), Bin("^", Num(Fraction(3)), Num(Fraction(2))))),
        ("sqrt(s + 1e-6)", Call("sqrt", (Bin("+", Name("s"), Num(Fraction(1, 10**6))),))),
        (" ( w1 ) ", Name("w1")),
    ],
)
def test_parse(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize("text", ["0.1*w1**2 + 2*w2**2", "exp(-w1/3) - log(1 + w2^2)", "abs(w1)*tanh(w2)", "-(w1 - 1)**2"])
def test_to_text_round_trips(text):
    assert parse(to_text(parse(text))) == parse(text)


@pytest.mark.parametrize(
    "text,message",
    [
        ("0.1*w1**2 +", "expected a number, a name or '(', found the end at column 12"),
        ("w1 + * w2", "found '*' at column 6"),
        ("(w1 + w2", "expected ')'"),
        ("w1 w2", "expected an operator or the end, found 'w2' at column 4"),
        ("0.2w1", "write 0.2*w1, not 0.2w1"),
        ("__import__('os').system('x')", "unknown function '__import__' at column 1"),
        ("w1 + open('/etc/passwd')", "unknown function 'open'"),
        ("w1.real", "unexpected character '.' at column 3"),
        ("lambda: 1", "unexpected character ':'"),
        ("w1 @ w2", "unexpected character '@'"),
        ("sqrt(w1, w2)", "sqrt() takes 1 argument(s), got 2"),
        ("sin + w1", "sin is a function: write sin(...)"),
        ("", "the expression is empty"),
        ("(" * 200 + "w1" + ")" * 200, "nested deeper than 100 levels"),
        ("-" * 500 + "w1", "nested deeper than 100 levels"),
    ],
)
def test_errors_name_the_problem(text, message):
    with pytest.raises(SymoptError) as err:
        parse(text)
    assert message in str(err.value)


def test_rules():
    assert parse_rule("v = beta*v + (1 - beta)*g")[0] == "v"
    with pytest.raises(SymoptError, match="a rule is 'name = expression'"):
        parse_rule("beta*v")


def test_user_text_never_reaches_eval_or_sympify(monkeypatch):
    """The spec's text goes through our parser only: eval, exec and SymPy's string parser
    (what sympify and parse_expr use) are booby-trapped for the whole solve."""
    import sympy.parsing.sympy_parser as sympy_parser

    # import everything first: imports exec code objects, and Jinja's compiler (imported when a
    # template is first compiled, not read from Jinja's cache) evals its own namedtuples
    warm = symopt.solve(spec("gd", {"alpha": 0.1}))
    warm.to_markdown()
    warm.to_latex()

    def trap(original):
        def guarded(source, *args, **kwargs):
            if isinstance(source, str):
                raise AssertionError(f"text reached {original.__name__}: {source[:80]!r}")
            return original(source, *args, **kwargs)

        return guarded

    def no_parse_expr(*args, **kwargs):
        raise AssertionError("text reached SymPy's parse_expr")

    monkeypatch.setattr(builtins, "eval", trap(builtins.eval))
    monkeypatch.setattr(builtins, "exec", trap(builtins.exec))
    monkeypatch.setattr(sympy_parser, "parse_expr", no_parse_expr)
    s = spec("adam", {"alpha": 0.2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-6},
             function="0.1*w1**2 + 2*w2**2 + sin(w1)*exp(-w2/3) + abs(w1 - 1)", epochs=2, numbers="hand:4")
    solution = symopt.solve(s)
    assert solution.exercises[0].gradient == {
        "w1": "0.2*w1+cos(w1)*exp((-w2)/3)+sign(w1-1)",  # in f's order (tests/test_gradients.py)
        "w2": "4*w2-sin(w1)*exp((-w2)/3)/3",
    }
    solution.to_markdown()
    solution.to_latex()


@pytest.mark.parametrize("text", ["٣*w1", "w1 + ３"])
def test_only_ascii_digits(text):
    with pytest.raises(SymoptError, match="unexpected character"):
        parse(text)


def test_an_exponent_past_decimals_range_is_one_line():
    """Found by fuzzing (tests/test_fuzz.py): Decimal raised InvalidOperation for 1e99999…."""
    from symopt.check.mathtext import parse_math

    for parser in (parse, parse_math):
        with pytest.raises(SymoptError, match="out of range"):
            parser("1e9999999999999999999999999999999999999999999")
