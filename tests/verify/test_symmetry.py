"""Lemmas renamed between channels (engines.symmetry): on identical channels they are the whole filter's, and on
channels that differ the renamings that do not hold are dropped, so what is returned is always inductive; the
lemmas a certificate needs, found for one channel and renamed, make an inductive invariant with the requirement."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import z3
from hypothesis import given, settings

from pumpproof.lang.load import load_model, load_requirements, parse_model_text, parse_requirements_text
from pumpproof.verify.budget import Budget
from pumpproof.verify.encoding import Encoding
from pumpproof.verify.engines import kinduction, symmetry
from pumpproof.verify.engines.houdini import candidates, filter_inductive
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Proved
from pumpproof.verify.run import problem_for
from tests.oracle import COMMON, case_problem
from tests.strategies import Generated, composed_generated

FAMILY = Path(__file__).resolve().parents[2] / "benchmarks" / "models"

UNEQUAL = """
model unequal
const K = 2
input go[K]: bool
var n[K]: 0..7 = 0
transition step
  do n[c in 0..K-1] := if go[c] and n[c] < 2 + 3 * c then n[c] + 1 else n[c]
"""
"""Two channels that differ: the first counts to 2, the second to 5."""


def encoding(system_text: str | None, formula: str, constants: dict[str, str] | None = None) -> Encoding:
    if system_text is None:
        system = load_model(str(FAMILY / "tick_detector.pump"), constants or {})
        (req,) = load_requirements(str(FAMILY / "level.req"), system).requirements
    else:
        system = parse_model_text(system_text, "m.pump")
        text = f'requirement R\n  text "r"\n  source "test"\n  {formula}\n'
        (req,) = parse_requirements_text(text, "m.req", system).requirements
    problem = problem_for(system, req)
    assert isinstance(problem, SafetyProblem)
    return Encoding(problem)


def assert_inductive(enc: Encoding, lemmas: list[z3.BoolRef]) -> None:
    """Every lemma holds in every initial state, and a step from a state where all hold keeps them all."""
    first = z3.Solver()
    first.add(enc.init, z3.Not(z3.And(lemmas)))
    assert first.check() == z3.unsat
    step = z3.Solver()
    step.add(enc.trans, enc.state_constraint(enc.cur), *lemmas, z3.Not(enc.priming(z3.And(lemmas))))
    assert step.check() == z3.unsat


def test_on_identical_channels_the_renamed_lemmas_are_the_whole_filters() -> None:
    enc = encoding(None, "", {"K": "3", "T": "20"})
    cands = candidates(enc)
    renamed, whole = symmetry.lemmas(enc, cands, Budget.seconds(60)), filter_inductive(enc, cands, Budget.seconds(60))
    assert renamed is not None and whole is not None
    assert {c.sexpr() for c in renamed} == {c.sexpr() for c in whole}
    assert any("count[2]" in c.sexpr() for c in renamed)  # renamed from channel 0's


def test_renamings_that_do_not_hold_on_another_channel_are_dropped() -> None:
    enc = encoding(UNEQUAL, "always n[1] <= 5")
    found = symmetry.lemmas(enc, candidates(enc), Budget.seconds(60))
    assert found is not None
    shown = {str(c) for c in found}
    assert "n[0] <= 2" in shown and "n[1] <= 2" not in shown and "n[1] <= 5" in shown, shown
    assert_inductive(enc, found)
    assert isinstance(kinduction.check(enc.problem, Budget.seconds(60)), Proved)


def test_the_lemmas_a_certificate_needs_are_found_for_one_channel_and_renamed() -> None:
    """The requirement's bad states are one disjunct per channel: the lemmas the first channel's needs, renamed,
    make with the requirement an inductive invariant, a dozen lemmas a channel of the hundreds kept."""
    enc = encoding(None, "", {"K": "3", "T": "20"})
    kept = symmetry.lemmas(enc, candidates(enc), Budget.seconds(60))
    assert kept is not None
    needed = symmetry.needed(enc, kept, partial(kinduction._needed, enc))
    assert needed is not None and len(needed) < len(kept) / 3
    assert {c.sexpr() for c in needed} <= {c.sexpr() for c in kept}
    assert_inductive(enc, [z3.Not(enc.bad), *needed])
    assert all(any(f"[{c}]" in n.sexpr() for n in needed) for c in range(3))


def test_a_requirement_on_one_channel_is_left_to_the_whole_search_for_needed_lemmas() -> None:
    enc = encoding(UNEQUAL, "always n[1] <= 5")
    kept = symmetry.lemmas(enc, candidates(enc), Budget.seconds(60))
    assert kept is not None and symmetry.needed(enc, kept, partial(kinduction._needed, enc)) is None


def test_a_model_without_two_channels_gets_none() -> None:
    enc = encoding(None, "", {"K": "1", "T": "20"})
    assert symmetry.lemmas(enc, candidates(enc), Budget.seconds(60)) is None


@settings(max_examples=60, **COMMON)  # type: ignore[arg-type]
@given(composed_generated())
def test_what_is_returned_on_generated_instance_arrays_is_inductive(case: Generated) -> None:
    """Two instances of a component, identical or not (a guard `c == 0`): the lemmas hold initially and are
    inductive, whatever the renaming guessed."""
    problem = case_problem(case)
    assert isinstance(problem, SafetyProblem)
    enc = Encoding(problem)
    found = symmetry.lemmas(enc, candidates(enc), Budget.seconds(60))
    if found:
        assert_inductive(enc, found)
        needed = symmetry.needed(enc, found, partial(kinduction._needed, enc))
        if needed is not None:
            assert_inductive(enc, [z3.Not(enc.bad), *needed])
