"""Unbounded integers (`int`): decided in linear integer arithmetic, outside MODEL.RANGES, refused by the engines
that enumerate or scale values, and replayed by the interpreter like any other value."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from pumpproof.errors import ReplayError
from pumpproof.lang.ir import NUM, IntType, VarKind
from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify import explicit
from pumpproof.verify.budget import Budget
from pumpproof.verify.engines import extrapolate
from pumpproof.verify.portfolio import Options, decide
from pumpproof.verify.problem import SafetyProblem, range_conditions
from pumpproof.verify.replay import replay
from pumpproof.verify.results import Proved, Unknown, Violated
from pumpproof.verify.run import check_all, ranges_requirement
from tests.helpers import problem

COUNTER = """
const LIMIT = 100
var n: int = 0
var level: 0..3 = 0
input grow: bool
transition tick "the counter grows when asked" when grow do n := n + 1
transition fill when level < 3 do level := level + 1
"""

REQUIREMENTS = """
requirement NONNEG text "n never goes below 0" source "test" always n >= 0
requirement SMALL text "n stays below 5" source "test" always n < 5
"""


def test_int_declares_an_unbounded_variable_or_input() -> None:
    system = parse_model_text(COUNTER + "input step: int\n", "counter.pump")
    assert system.var("n").type == NUM and system.var("n").kind is VarKind.STATE
    assert system.var("step").type == NUM and system.var("step").kind is VarKind.INPUT
    assert [v.name for v in system.unbounded] == ["n", "step"]
    assert isinstance(system.var("level").type, IntType)


def test_an_unbounded_counter_is_proved_nonnegative_and_reaches_five_in_a_replayed_trace() -> None:
    system = parse_model_text(COUNTER, "counter.pump")
    reqs = parse_requirements_text(REQUIREMENTS, "counter.req", system)
    outcomes = {o.requirement.id: o for o in check_all(system, reqs, Options(timeout_s=30))}
    assert isinstance(outcomes["NONNEG"].result, Proved)
    found = outcomes["SMALL"].result
    assert isinstance(found, Violated)
    assert found.trace.steps[-1].state["n"] == 5
    assert len(found.trace.steps) == 6  # five ticks: the shortest run
    again = replay(outcomes["SMALL"].problem, found.trace)  # type: ignore[arg-type]
    assert again.steps[-1].state == found.trace.steps[-1].state


def test_ranges_apply_to_bounded_integers_only() -> None:
    system = parse_model_text(COUNTER, "counter.pump")
    conditions = range_conditions(system)
    assert len(conditions) == 1 and "level" in str(conditions[0]) and "'n'" not in str(conditions[0])
    unbounded_only = parse_model_text("var n: int = 0\ntransition tick do n := n - 1\n", "down.pump")
    assert ranges_requirement(unbounded_only) is None


def unstuttered(model: str, formula: str) -> SafetyProblem:
    """The problem without the stutter step, which needs the inputs' values listed (as `check` leaves it off when
    they cannot be: `runs` notes that deadlocks are not checked)."""
    return replace(problem(model, formula), stutter=False)


def test_an_unbounded_input_is_chosen_by_the_solver() -> None:
    p = unstuttered("var n: int = 0\ninput k: int\nassume k >= 1\ntransition add do n := n + k\n", "always n < 1000")
    found = decide(p, "bmc", 30)
    assert isinstance(found, Violated)
    assert len(found.trace.steps) == 2 and found.trace.steps[1].inputs["k"] >= 1000


def test_replay_refuses_a_value_that_is_not_an_integer() -> None:
    p = unstuttered("var n: int = 0\ninput k: int\ntransition add do n := n + k\n", "always n < 3")
    found = decide(p, "bmc", 30)
    assert isinstance(found, Violated)
    steps = list(found.trace.steps)
    for wrong in (Fraction(7, 2), True):
        steps[1] = replace(steps[1], inputs={"k": wrong})
        with pytest.raises(ReplayError, match="not a value of type int"):
            replay(p, replace(found.trace, steps=tuple(steps)))


def test_check_leaves_deadlocks_unchecked_when_an_unbounded_input_cannot_be_listed() -> None:
    system = parse_model_text("var n: int = 0\ninput k: int\ntransition add when k > 0 do n := n + k\n", "add.pump")
    reqs = parse_requirements_text('requirement R text "t" source "s" always n < 3', "add.req", system)
    (outcome,) = check_all(system, reqs, Options(timeout_s=30))
    assert isinstance(outcome.result, Violated)
    assert any("deadlocks not checked" in a for a in outcome.assumptions)
    # An input only the updates read need not be listed: whether the run can stop is asked (and it cannot).
    free = parse_model_text("var n: int = 0\ninput k: int\ntransition add do n := n + k\n", "add.pump")
    reqs = parse_requirements_text('requirement R text "t" source "s" always n < 3', "add.req", free)
    outcomes = {o.requirement.id: o for o in check_all(free, reqs, Options(timeout_s=30))}
    assert isinstance(outcomes["MODEL.DEADLOCK"].result, Proved)
    assert not any("deadlocks not checked" in a for a in outcomes["R"].assumptions)


@pytest.mark.parametrize("wide", ["int", "0..10000"])
def test_ranges_are_decided_when_the_inputs_a_step_reads_are_too_many_to_list(wide: str) -> None:
    # Regression: MODEL.RANGES was asked with the stutter step, which lists those inputs: the engines crashed.
    model = f"var n: 0..3 = 0\ninput p: {wide}\ntransition inc when n < 3 and p > 5 do n := n + 1\n"
    system = parse_model_text(model, "wide.pump")
    reqs = parse_requirements_text('requirement R text "t" source "s" always n <= 3', "wide.req", system)
    outcomes = {o.requirement.id: o.result for o in check_all(system, reqs, Options(timeout_s=30))}
    assert isinstance(outcomes["MODEL.RANGES"], Proved) and isinstance(outcomes["R"], Proved)


def test_the_explicit_checker_refuses_unbounded_integers() -> None:
    p = problem(COUNTER, "always n < 5")
    result = explicit.check(p, Budget.seconds(10))
    assert isinstance(result, Unknown)
    assert result.reason.startswith("the model has unbounded integers (n)")


def test_extrapolation_refuses_unbounded_integers() -> None:
    p = problem(COUNTER, "always n < LIMIT")
    result = extrapolate.check(p, Budget.seconds(10))
    assert isinstance(result, Unknown)
    assert result.reason.startswith("the model has unbounded integers (n)")
    bounded = problem(COUNTER.replace("var n: int", "var n: 0..LIMIT"), "always n < LIMIT")
    assert "unbounded" not in str(extrapolate.check(bounded, Budget.seconds(10)))
