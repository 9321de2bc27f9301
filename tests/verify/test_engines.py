"""Each engine on models whose verdicts are known by construction; every answer is confirmed."""

from __future__ import annotations

import re
from dataclasses import replace
from unittest import mock

import pytest
import z3

from pumpproof.errors import InternalError
from pumpproof.lang.ir import DELAY, FALSE
from pumpproof.lang.load import load_model
from pumpproof.verify.budget import Budget
from pumpproof.verify.engines import ic3
from pumpproof.verify.portfolio import AUTO, NO_BAD_STATE, confirm, decide, reused
from pumpproof.verify.problem import SafetyProblem, neg
from pumpproof.verify.results import Proved, Search, Unknown, Verdict, Violated
from pumpproof.verify.steps import can_step
from tests.helpers import ROOT, problem

COUNTER = """
var n: 0..9 = 0
var done: bool = false
transition inc when n < 5 do n := n + 1
transition finish when n == 5 do done := true
"""

TIMER = """
const T_MS = 2500
type Mode = {Idle, Running, Alarm}
var mode: Mode = Idle
var occluded: bool = false
var latched: bool = false
clock t
invariant mode == Running and occluded and not latched -> t <= T_MS
transition start when mode == Idle do mode := Running; t := 0
transition occlude when not occluded do occluded := true; t := 0
transition unocclude when occluded do occluded := false; latched := false
transition detect when mode == Running and occluded and not latched and t >= T_MS
  do mode := Alarm; latched := LATCH
transition restart when mode == Alarm do mode := Running; t := 0
"""
LEVEL = "always (occluded and mode == Running -> (mode == Alarm or not occluded) within T_MS)"

SOLVING = ["kind", "ic3", AUTO]


@pytest.mark.parametrize("engine", SOLVING)
def test_counter_bound_is_proved(engine: str) -> None:
    result = decide(problem(COUNTER, "always (n <= 5 and (done -> n == 5))"), engine, 30)
    assert isinstance(result, Proved), result
    assert result.certificate.invariant_smt2


@pytest.mark.parametrize("engine", ["bmc", *SOLVING])
def test_counter_violation_is_shortest(engine: str) -> None:
    result = decide(problem(COUNTER, "always not done"), engine, 30)
    assert isinstance(result, Violated), result
    if engine in ("bmc", "kind"):  # BMC-based engines give shortest traces
        assert len(result.trace.steps) == 7
    assert result.trace.steps[-1].state["done"] is True
    assert result.trace.steps[-1].transition == "finish"


DEADLOCK = """
var n: 0..40 = 0
transition inc when n < 30 do n := n + 1
"""


@pytest.mark.parametrize("engine", ["bmc", *SOLVING])
def test_violation_at_a_deadlock_deeper_than_the_stepwise_phase_is_found(engine: str) -> None:
    # After n reaches 30 nothing is enabled: a BMC window that needs the run to continue past the
    # violation would miss it.
    result = decide(problem(DEADLOCK, "always n < 30"), engine, 60)
    assert isinstance(result, Violated), result
    assert len(result.trace.steps) == 31
    assert result.trace.steps[-1].state["n"] == 30


def test_bmc_alone_cannot_prove() -> None:
    result = decide(problem(COUNTER, "always n <= 5"), "bmc", 30, max_depth=12)
    assert isinstance(result, Unknown)
    assert (result.depth, result.explored_by) == (12, Search.BMC)


@pytest.mark.parametrize("engine", SOLVING)
def test_timed_detector_proved_when_rearmed(engine: str) -> None:
    result = decide(problem(TIMER.replace("LATCH", "false"), LEVEL), engine, 30)
    assert result.verdict is Verdict.PROVED, result


@pytest.mark.parametrize("engine", ["bmc", *SOLVING])
def test_timed_detector_latch_violates(engine: str) -> None:
    result = decide(problem(TIMER.replace("LATCH", "true"), LEVEL), engine, 30)
    assert isinstance(result, Violated), result
    fired = [s.transition for s in result.trace.steps]
    assert "detect" in fired and "restart" in fired
    assert fired[-1] == DELAY
    # The last delay carries the time past the bound: it is measured in model time, not steps.
    assert result.trace.steps[-1].time - result.trace.steps[fired.index("restart")].time > 2500


def test_timer_bound_is_model_time_not_steps() -> None:
    """With T = 10^6 ms the trace is as short as with T = 2.5 s: delays are symbolic."""
    big = TIMER.replace("LATCH", "true").replace("T_MS = 2500", "T_MS = 1000000")
    result = decide(problem(big, LEVEL), AUTO, 30)
    assert isinstance(result, Violated)
    assert len(result.trace.steps) <= 10


def test_past_operators_and_fired() -> None:
    text = "always (fired(restart) -> previously (mode == Alarm))"
    assert decide(problem(TIMER.replace("LATCH", "true"), text), AUTO, 30).verdict is Verdict.PROVED
    text = "always (fired(restart) -> once occluded)"
    result = decide(problem(TIMER.replace("LATCH", "true"), text), AUTO, 30)
    assert result.verdict is Verdict.PROVED


def test_weak_until_and_next() -> None:
    model = TIMER.replace("LATCH", "false")
    until = "always (mode == Alarm -> mode == Alarm weak-until fired(restart))"
    assert decide(problem(model, until), AUTO, 30).verdict is Verdict.PROVED
    nxt = "always (mode == Alarm -> next mode == Alarm)"
    assert decide(problem(model, nxt), AUTO, 30).verdict is Verdict.VIOLATED


def test_regression_sliced_cover() -> None:
    """Spacer's cover of a sliced predicate dropped `pending`: the invariant must come from get_answer."""
    model = "var b0: bool = true\ntransition t0\n  when true\n"
    result = decide(problem(model, "always (b0 -> (true) within 0)"), "ic3", 30)
    assert isinstance(result, Proved)  # decide() re-checks the certificate; a sliced cover fails there


def test_k_induction_tries_a_problem_s_hints_and_checks_them() -> None:
    proved = problem(COUNTER, "always (done -> n == 5)")
    # `n <= 5` makes the requirement inductive; `not done` is no invariant and must be dropped, not assumed (the
    # certificate decide re-checks would not hold).
    hints = tuple(neg(problem(COUNTER, f"always ({p})").bad) for p in ("n <= 5", "not done"))
    result = decide(replace(proved, hints=hints), "kind", 30)
    assert isinstance(result, Proved), result
    assert result.engine == "kind" and result.certificate.k == 1
    wrong = problem(COUNTER, "always not done")
    result = decide(replace(wrong, hints=(neg(wrong.bad),)), "kind", 30)
    assert isinstance(result, Violated), result


def test_spacer_s_quantified_solutions_become_quantifier_free_invariants() -> None:
    """Spacer answered whether a run of the four-channel tick family stops with an invariant under `exists` (the
    inputs projected away), whose re-check took minutes; the certificate is the same invariant without it."""
    system = load_model(str(ROOT / "benchmarks" / "models" / "tick_detector.pump"), {"K": "4", "T": "10"})
    result = ic3.check(SafetyProblem("a run stops", system, neg(can_step(system))), Budget.seconds(60))
    assert isinstance(result, Proved), result
    assert not re.search(r"\b(exists|forall)\b", result.certificate.invariant_smt2)


def test_a_problem_without_bad_states_is_proved_without_starting_an_engine() -> None:
    trivial = problem(COUNTER, "always true")
    assert trivial.bad == FALSE  # `not true`, simplified
    with mock.patch("pumpproof.verify.portfolio.race", side_effect=AssertionError("an engine was started")):
        result = decide(trivial, AUTO, 30)
    assert isinstance(result, Proved) and result.engine == NO_BAD_STATE


def test_a_proof_its_re_check_cannot_decide_is_unknown_and_one_it_refutes_is_an_internal_error() -> None:
    """The re-check is the judge of every proof: `unknown` (out of time, or beyond the solver) leaves the question
    UNKNOWN with the reason, never PROVED and never a crash; `sat` means the engine was wrong (exit 4)."""
    counter = problem(COUNTER, "always (n <= 5 and (done -> n == 5))")
    proof = decide(counter, "kind", 30)
    assert isinstance(proof, Proved), proof
    with mock.patch("z3.Solver.check", return_value=z3.unknown):
        undecided = confirm(counter, proof)
    assert isinstance(undecided, Unknown) and "could not be re-checked" in undecided.reason
    assert "obligation 'initiation[0]'" in undecided.reason
    wrong = replace(proof, certificate=replace(proof.certificate, invariant_smt2="(< |n| 5)"))  # fails consecution
    with pytest.raises(InternalError, match="does not hold"):
        confirm(counter, wrong)
    assert reused(counter, wrong) is None  # a related model's proof that fails is simply not carried
