"""The depth-first search finds deep runs that the symbolic engines do not (the acceptance model of a broken audio
pause); its frames are tested in test_frames.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify import frames
from pumpproof.verify.budget import Budget
from pumpproof.verify.engines import dfs, extrapolate
from pumpproof.verify.portfolio import decide
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Unknown, Violated
from pumpproof.verify.run import problem_for
from tests.helpers import problem

ROOT = Path(__file__).resolve().parents[2]
DEEP = ROOT / "benchmarks" / "models" / "audio_pause_ticks.pump"
DEEP_REQS = ROOT / "benchmarks" / "models" / "audio_pause.req"


def deep(pause: int) -> SafetyProblem:
    """The acceptance model's requirement with an audio pause of `pause` ticks."""
    system = load_model(str(DEEP), {"PAUSE": str(pause)})
    (req,) = load_requirements(str(DEEP_REQS), system).requirements
    problem = problem_for(system, req)
    assert isinstance(problem, SafetyProblem)
    return problem


def test_the_search_finds_the_pause_that_never_ends_in_a_run_of_pause_plus_one_ticks() -> None:
    result = decide(deep(500), "dfs", 60)
    assert isinstance(result, Violated), result  # `decide` replayed it
    steps = result.trace.steps
    # the initial state, the tick that raises the alarm, then the pause: paused in 501 states in a row, 1 too many
    assert len(steps) == 2 + 501 and not steps[1].state["paused"] and all(s.state["paused"] for s in steps[2:])
    assert [s.state["count"] for s in steps[256:259]] == [254, 255, 0]  # the 8-bit register wraps


def test_extrapolation_cannot_find_it_since_with_small_constants_the_pause_ends() -> None:
    result = extrapolate.check(deep(500), Budget.seconds(30))
    assert isinstance(result, Unknown) and "no counterexample with PAUSE = 6" in result.reason, result


def test_with_a_pause_the_register_holds_the_search_finds_nothing_and_proves_nothing() -> None:
    result = dfs.check(deep(200), Budget.seconds(60))
    assert isinstance(result, Unknown) and "among all" in result.reason and "proves nothing" in result.reason


def test_a_search_that_reaches_its_depth_bound_says_so() -> None:
    result = dfs.check(deep(500), Budget.seconds(60, max_depth=100))
    assert isinstance(result, Unknown) and "within 100 steps" in result.reason


SHORTCUT = """
model m
input go: bool
var x: bool = false
var y: bool = false
transition aside when not go do y := true
transition up when go do x := true
"""
"""The search goes `aside` first, then `up`; the shortest run is `up` alone, found on the same level as `aside`."""


def test_the_run_found_is_shortened_even_when_a_frame_as_deep_as_the_bad_one_comes_first() -> None:
    shortcut = problem(SHORTCUT, "always not x")
    path, _ = dfs._deepest_first(frames.Space(shortcut), Budget.seconds(10), 100)
    assert path is not None and len(path) == 3  # aside, then up
    result = dfs.check(shortcut, Budget.seconds(10))
    assert isinstance(result, Violated) and [s.transition for s in result.trace.steps] == [None, "up"]


@pytest.mark.parametrize("model", ["clock x\nvar n: 0..2 = 0\ntransition t when x >= 1 do n := 1; x := 0\n",
                                   "var n: int = 0\ntransition t do n := n + 1\n"])  # fmt: skip
def test_models_it_cannot_enumerate_are_left_to_the_others(model: str) -> None:
    result = dfs.check(problem(model, "always n <= 1"), Budget.seconds(10))
    assert isinstance(result, Unknown) and ("clocks" in result.reason or "unbounded" in result.reason)


def test_a_model_with_more_input_values_than_a_frame_is_expanded_with_is_left_to_the_others() -> None:
    def inputs(count: int) -> str:
        names = [f"i{n}" for n in range(count)]
        declared = "".join(f"input {n}: bool\n" for n in names)
        return declared + f"var n: 0..1 = 0\ntransition t when {' or '.join(names)} do n := 1\n"

    over = dfs.check(problem(inputs(13), "always n < 1"), Budget.seconds(10))  # 8,192 valuations
    assert isinstance(over, Unknown) and "8,192 values are too many" in over.reason, over
    assert isinstance(dfs.check(problem(inputs(12), "always n < 1"), Budget.seconds(10)), Violated)
