"""Houdini's lemma filter keeps exactly the greatest inductive subset of its candidates: the one a plain filter,
asking about each candidate on its own, keeps (the fast filter evaluates them all at once inside Z3)."""

from __future__ import annotations

from pathlib import Path

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify.budget import Budget
from pumpproof.verify.encoding import Encoding
from pumpproof.verify.engines.houdini import MAX_CANDIDATES, Truths, candidates, filter_inductive
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.run import problem_for
from tests.oracle import COMMON, case_problem
from tests.strategies import Generated, composed_generated, generated

FAMILY = Path(__file__).resolve().parents[2] / "benchmarks" / "models"


def one_by_one(enc: Encoding, cands: list[z3.BoolRef]) -> list[z3.BoolRef]:
    """Houdini asked candidate by candidate: keep those true in every initial state, then drop every candidate
    that some step from a state satisfying all the kept ones breaks, until none is dropped."""
    first = z3.Solver()
    first.add(enc.init)
    kept = [c for c in cands if first.check(z3.Not(c)) == z3.unsat]
    while True:
        step = z3.Solver()
        step.add(enc.trans, enc.state_constraint(enc.cur), *kept)
        still = [c for c in kept if step.check(z3.Not(enc.priming(c))) == z3.unsat]
        if len(still) == len(kept):
            return kept
        kept = still


def same_lemmas(enc: Encoding, cands: list[z3.BoolRef]) -> None:
    fast = filter_inductive(enc, cands, Budget.seconds(120))
    assert fast is not None
    assert [c.sexpr() for c in fast] == [c.sexpr() for c in one_by_one(enc, cands)]


@settings(max_examples=40, **COMMON)  # type: ignore[arg-type]
@given(st.one_of(generated(), composed_generated()))
def test_the_filter_keeps_what_asking_one_by_one_keeps(case: Generated) -> None:
    problem = case_problem(case)
    assert isinstance(problem, SafetyProblem)
    enc = Encoding(problem)
    same_lemmas(enc, candidates(enc))


def test_the_filter_on_two_channels_of_the_tick_family() -> None:
    """Hundreds of candidates, so the answer's bits span many machine words, some dropped in every round."""
    system = load_model(str(FAMILY / "tick_detector.pump"), {"K": "2", "T": "4"})
    (req,) = load_requirements(str(FAMILY / "level.req"), system).requirements
    problem = problem_for(system, req)
    assert isinstance(problem, SafetyProblem)
    enc = Encoding(problem)
    cands = candidates(enc)
    assert len(cands) > 200
    same_lemmas(enc, cands)


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.booleans()), max_size=40), st.integers(0, 3))
def test_truths_gives_each_formulas_value_as_its_bit(shapes: list[tuple[int, int, bool]], value: int) -> None:
    x = z3.Int("x")
    formulas = [(x <= c if op == 0 else x == c if op == 1 else x >= c) for op, c, _ in shapes]
    formulas = [z3.Not(f) if negated else f for f, (_, _, negated) in zip(formulas, shapes, strict=True)]
    solver = z3.Solver()
    solver.add(x == value)
    assert solver.check() == z3.sat
    model = solver.model()
    bits = Truths(formulas)(model)
    assert bits >> len(formulas) == 0
    assert [bool(bits >> i & 1) for i in range(len(formulas))] == [z3.is_true(model.eval(f)) for f in formulas]


def test_truths_reads_the_answer_for_as_many_formulas_as_are_mined() -> None:
    """20,000 bits: more than Python reads as a decimal integer (4,300 digits)."""
    x = z3.Int("x")
    formulas = [x <= n % 7 for n in range(MAX_CANDIDATES)]
    solver = z3.Solver()
    solver.add(x == 3)
    assert solver.check() == z3.sat
    bits = Truths(formulas)(solver.model())
    assert [bool(bits >> i & 1) for i in range(len(formulas))] == [n % 7 >= 3 for n in range(MAX_CANDIDATES)]
