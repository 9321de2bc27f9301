"""The scaled-constant engine: long tick-counter traces stretched from small T, and honest Unknowns otherwise."""

from __future__ import annotations

import pytest

from benchmarks.scaling import Case
from pumpproof.lang.load import parse_model_text
from pumpproof.verify.budget import Budget
from pumpproof.verify.engines.extrapolate import Scaling, check, scalings
from pumpproof.verify.portfolio import AUTO, decide
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Unknown, Violated
from tests.helpers import problem
from tests.verify.test_engines import COUNTER


def tick(bound: int, latch: bool) -> SafetyProblem:
    """The firmware-style two-channel detector of benchmarks/models/tick_detector.pump; `latch` is the recall defect."""
    return Case("tick", 2, bound, correct=not latch).problem()


def test_a_trace_thousands_of_steps_long_is_stretched_from_small_bounds() -> None:
    result = decide(tick(1000, latch=True), "extrapolate", 60)
    assert isinstance(result, Violated), result  # `decide` replayed it on the model with T = 1000
    last = result.trace.steps[-1]
    assert last.state["reported[0]"] or last.state["reported[1]"]  # the latched detector, as in the recall
    assert len(result.trace.steps) == 2 * 1000 + 3


@pytest.mark.slow
def test_the_stretched_trace_is_as_short_as_bmc_finds() -> None:
    stretched = decide(tick(40, latch=True), "extrapolate", 60)
    shortest = decide(tick(40, latch=True), "bmc", 60)
    assert isinstance(stretched, Violated) and isinstance(shortest, Violated)
    assert len(stretched.trace.steps) == len(shortest.trace.steps)


def test_the_portfolio_answers_with_a_deep_trace() -> None:
    """Stretched by `extrapolate` or found depth first by `dfs`, whichever comes first (BMC alone finds none in a
    minute); the trace `dfs` finds is not always the shortest."""
    result = decide(tick(1000, latch=True), AUTO, 60)
    assert isinstance(result, Violated), result
    assert result.engine in ("extrapolate", "dfs") and len(result.trace.steps) >= 2 * 1000 + 3


@pytest.mark.slow
def test_a_correct_model_is_never_refuted() -> None:
    result = decide(tick(1000, latch=False), "extrapolate", 60)
    assert isinstance(result, Unknown)
    assert "no counterexample with T = 6" in result.reason


THRESHOLD = """
const T = 1000
var n: 0..T = 0
transition inc when n < T do n := n + 1
"""


def test_a_violation_only_at_small_bounds_is_not_reported() -> None:
    # 500 is no multiple of T, so it is not scaled: at T = 6, 7, 8 the counter passes the threshold
    # "too early" and violates; at T = 1000 it cannot. The stretched trace fails replay: Unknown.
    p = problem(THRESHOLD, "always not (n == T and n < 500)")
    result = decide(p, "extrapolate", 60)
    assert isinstance(result, Unknown), result
    assert "do not stretch" in result.reason
    assert decide(p, AUTO, 60).verdict.value == "PROVED"


def test_models_without_large_constants_are_left_to_the_other_engines() -> None:
    result = decide(problem(COUNTER, "always not done"), "extrapolate", 30)
    assert isinstance(result, Unknown)
    assert "no integer constant" in result.reason


def test_literals_derived_from_a_constant_move_with_it() -> None:
    s = Scaling({"T": 1000}, {"T": 6})
    assert [s.literal(v) for v in (1000, 999, 1002, 2000, 3001, 500, 10, -1000)] == [6, 5, 8, 12, 19, 500, 10, -1000]


def test_scaled_constants_keep_their_ratios() -> None:
    system = parse_model_text("const A = 1000\nconst B = 1500\nconst K = 8\nvar x: bool = false\n", "<m>")
    scaled = [s.scaled for s in scalings(system)]
    assert scaled == [{"A": 12, "B": 18}, {"A": 14, "B": 21}, {"A": 16, "B": 24}]


def test_a_spent_budget_is_reported_as_a_timeout() -> None:
    result = check(tick(1000, latch=True), Budget.seconds(0))
    assert isinstance(result, Unknown) and result.reason == "timeout after 0 scaled-down samples"
