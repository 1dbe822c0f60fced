"""The plan of an exercise (symopt.plan): its options resolved once (when the spec is checked), its
gradient derived once, its formulas and templates printed once, shared by the engine and the
checker; and the option words the checker's messages use (Choice.says)."""

from __future__ import annotations

from fractions import Fraction

import pytest

import symopt
from symopt import symbolic
from symopt.arith import Hand, OnePass, RationalHand, parse_mode
from symopt.engine import work
from symopt.optimizers import OPTIMIZERS, Optimizer
from symopt.plan import plan_of
from symopt.spec import Exercise, from_dict

ADAM = {"function": "0.1*w1**2 + 2*w2**2", "exercise": [{
    "optimizer": "adam", "options": {"eps_placement": "outside"}, "epochs": 3, "numbers": "hand:4",
    "hyper": {"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}, "start": {"w1": -5, "w2": -2}}]}


def _counting(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    choose = Optimizer.choose

    def counted(self, options):
        calls.append(dict(options))
        return choose(self, options)

    monkeypatch.setattr(Optimizer, "choose", counted)
    return calls


def test_options_are_chosen_once_when_the_spec_is_checked(monkeypatch):
    calls = _counting(monkeypatch)
    ex = from_dict(ADAM).exercises[0]
    assert len(calls) == 1  # spec checking (its notation check reuses the rules)
    rules, notes = Optimizer.choose(ex.optimizer, ex.options)
    assert ex.rules == tuple(rules) and ex.notes == tuple(notes)
    calls.clear()
    first = work(ex)
    assert work(ex).epochs == first.epochs and not calls  # the engine runs from the exercise's rules
    assert first.notes == ex.notes and [c.says["en"] for c in first.notes] == ["ε outside the square root"]


def test_an_exercise_made_without_rules_chooses_them():
    ex = from_dict(ADAM).exercises[0]
    bare = Exercise(ex.optimizer, ex.hyper, ex.options, ex.function_text, ex.function, ex.variables, ex.start, ex.state,
                    ex.epochs, ex.numbers)
    assert bare.rules == ex.rules and bare.notes == ex.notes and bare == ex
    assert [line.latex for e in work(bare).epochs for line in e.lines] == [line.latex for e in work(ex).epochs for line in e.lines]


def test_one_plan_per_exercise_shared_by_the_engine_and_the_checker():
    spec = from_dict(ADAM)
    ex = spec.exercises[0]
    symbolic._gradient.cache_clear()
    solution = symopt.solve(spec)
    plan = plan_of(ex)
    assert plan_of(ex) is plan and plan.printed("cdot") is plan.printed("cdot")
    assert symbolic._gradient.cache_info().misses == 1  # SymPy once
    report = symopt.check(solution.to_markdown(), spec=spec)
    assert report.summary["errors"] == 0 and symbolic._gradient.cache_info().misses == 1
    shared = plan.shared["checker"]  # the checker's compiled rules, kept with the plan for every document
    assert shared.notation is plan.notation
    stated = shared.variants[shared.stated]
    assert shared.rules[shared.stated] == {q: rule.rhs for q, rule in plan.variant(stated).items()}
    assert [rule.rhs for rule in plan.variant(stated).values()] == [rhs for _, rhs in ex.rules]
    assert [tree for pairs in shared.gradient.values() for tree, _ in pairs] == list(plan.gradient)
    assert symopt.check(solution.to_markdown(), spec=spec).summary == report.summary
    assert plan.shared["checker"] is shared


def test_a_plan_serves_every_multiplication_sign_and_guard():
    spec = dict(ADAM, exercise=[dict(ADAM["exercise"][0], numbers="precision:12")])
    ex = from_dict(spec).exercises[0]
    star, cdot = work(ex, "*"), work(ex, "cdot")
    assert "\\cdot" in cdot.epochs[0].lines[0].latex and "\\cdot" not in star.epochs[0].lines[0].latex
    # the update's formula is printed per sign, the others (and the derivatives) are the same
    assert [f.replace("\\alpha *", "\\alpha \\cdot") for f in star.formulas] == list(cdot.formulas) != list(star.formulas)
    assert star.derivatives == cdot.derivatives
    assert [e.values for e in star.epochs] == [e.values for e in cdot.epochs]


def _old_description(note: str) -> str:
    """How the checker once read an option's words out of its English note."""
    return note.removeprefix("Convention: ").split(",")[0].split(":")[0].rstrip(".").replace("$\\epsilon$", "ε").replace("$", "")


@pytest.mark.parametrize("key", list(OPTIMIZERS))
def test_every_choice_says_what_its_note_says(key):
    opt = OPTIMIZERS[key]
    notation = opt.notation(("w1", "w2"))
    for choices in opt.options.values():
        for choice in choices.values():
            if choice.note:
                assert set(choice.says) == set(choice.note)
                assert choice.says["en"] == _old_description(notation.fill(choice.note["en"]))
            else:
                assert not choice.says  # named "option = value" in the messages


def test_every_arithmetic_declares_its_exact_one():
    """Only hand mode in decimals computes a line twice (the compiler reads `exact`, declared by all)."""
    for arith in (parse_mode("exact").arithmetic(), parse_mode("precision:30").arithmetic(),
                  parse_mode("hand:4").arithmetic([Fraction(1, 3)])):
        assert isinstance(arith, OnePass) and arith.exact is None and arith.evaluators is None
    for mode in ("hand:4", "sig:3"):
        hand = parse_mode(mode).arithmetic()
        assert isinstance(hand, Hand) and isinstance(hand.exact, RationalHand)


def test_a_step_term_that_is_no_number_is_an_error():
    """A middle line writes a part of the step alone (t + 1) as a number; sqrt(t) it cannot (it was
    an AttributeError)."""
    from symopt.errors import SymoptError

    spec = {"function": "w1**2", "optimizers": {"my": {"state": {"v": 0}, "rules": ["v = beta*v + g/sqrt(t)", "w = w - alpha*v"]}},
            "exercise": [{"optimizer": "my", "hyper": {"alpha": 0.1, "beta": 0.9}, "start": {"w1": 1}, "numbers": "hand:4"}]}
    with pytest.raises(SymoptError, match=r"epoch 1: a line cannot write sqrt\(t\) as a number"):
        symopt.solve(spec)
