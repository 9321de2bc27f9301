"""The IR's initial condition (`TransitionSystem.initial`, MoXI's :init) is honoured by every engine, interpreter
and certificate check: a run may start only where it holds, and nothing may assume more or less."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pumpproof.errors import InternalError, ReplayError
from pumpproof.lang.ir import BOOL, NUM, Binary, Const, Op, TransitionSystem, VarRef
from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify import explicit
from pumpproof.verify.budget import Budget
from pumpproof.verify.certificates import obligations, recheck
from pumpproof.verify.engines.extrapolate import Scaling
from pumpproof.verify.independent import recheck as cvc5_recheck
from pumpproof.verify.lasso_replay import replay_lasso
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.portfolio import decide, decide_liveness
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.replay import replay
from pumpproof.verify.results import Proved, Unknown, Verdict, Violated
from pumpproof.verify.run import problem_for

# Two separate loops, 0 <-> 1 and 2 <-> 3: where a run starts decides which it stays in.
LOOPS = """
const T = 100
var x: 0..3
transition t01 when x == 0 do x := 1
transition t10 when x == 1 do x := 0
transition t23 when x == 2 do x := 3
transition t32 when x == 3 do x := 2
"""
REQUIREMENTS = """
requirement HIGH text "x stays at 2 or 3" source "test" always x >= 2
requirement THREE text "x is 3 again and again" source "test" always eventually x == 3
"""


def loops(starting: bool) -> TransitionSystem:
    """The model, with the initial condition `x == 2` when `starting`."""
    system = parse_model_text(LOOPS, "loops.pump")
    x = VarRef("x", system.var("x").type)
    return replace(system, initial=(Binary(Op.EQ, x, Const(2, NUM), BOOL),)) if starting else system


def problems(starting: bool) -> tuple[SafetyProblem, LivenessProblem]:
    system = loops(starting)
    high, three = parse_requirements_text(REQUIREMENTS, "loops.req", system).requirements
    safety, liveness = problem_for(system, high), problem_for(system, three)
    assert isinstance(safety, SafetyProblem) and isinstance(liveness, LivenessProblem)
    return safety, liveness


@pytest.mark.parametrize("engine", ["kind", "ic3"])
def test_the_engines_start_only_where_the_initial_condition_holds(engine: str) -> None:
    assert isinstance(decide(problems(True)[0], engine, 30), Proved)
    found = decide(problems(False)[0], engine, 30)
    assert isinstance(found, Violated) and found.trace.steps[0].state["x"] < 2


def test_bmc_finds_no_violation_from_the_initial_condition_and_one_without() -> None:
    assert isinstance(decide(problems(True)[0], "bmc", 30, max_depth=6), Unknown)
    assert isinstance(decide(problems(False)[0], "bmc", 30), Violated)


def test_the_explicit_checker_starts_only_where_the_initial_condition_holds() -> None:
    assert isinstance(explicit.check(problems(True)[0], Budget.seconds(30)), Proved)
    assert isinstance(explicit.check(problems(False)[0], Budget.seconds(30)), Violated)
    assert explicit.check_liveness(problems(True)[1], Budget.seconds(30)).verdict is Verdict.PROVED
    assert explicit.check_liveness(problems(False)[1], Budget.seconds(30)).verdict is Verdict.VIOLATED


def test_replay_refuses_a_run_that_starts_outside_the_initial_condition() -> None:
    found = decide(problems(False)[0], "bmc", 30)
    assert isinstance(found, Violated)
    with pytest.raises(ReplayError, match="does not meet the model's initial condition"):
        replay(problems(True)[0], found.trace)


def test_lasso_replay_refuses_a_lasso_that_starts_outside_the_initial_condition() -> None:
    assert decide_liveness(problems(True)[1], timeout_s=30).verdict is Verdict.PROVED
    found = decide_liveness(problems(False)[1], timeout_s=30)
    assert isinstance(found, Violated)  # a lasso round 0 <-> 1, replayed on the model without the condition
    with pytest.raises(ReplayError, match="does not meet the model's initial condition"):
        replay_lasso(problems(True)[1], found.trace)


def test_certificates_need_the_initial_condition_for_initiation() -> None:
    proof = decide(problems(True)[0], "ic3", 30)
    assert isinstance(proof, Proved)
    recheck(problems(True)[0], proof.certificate)  # z3, from the SMT-LIB text
    assert all(c.holds for c in cvc5_recheck(problems(True)[0], obligations(problems(True)[0], proof.certificate)))
    with pytest.raises(InternalError, match="initiation"):
        recheck(problems(False)[0], proof.certificate)
    answers = {
        c.obligation.name: c.answer
        for c in cvc5_recheck(problems(False)[0], obligations(problems(False)[0], proof.certificate))
    }
    assert answers["initiation[0]"] == "sat"


def test_scaled_models_scale_the_initial_condition_too() -> None:
    system = loops(True)
    at_t = replace(system, initial=(Binary(Op.LE, VarRef("x", system.var("x").type), Const(100, NUM), BOOL),))
    scaled = Scaling({"T": 100}, {"T": 6}).system(at_t)
    assert scaled.initial[0].right == Const(6, NUM)  # type: ignore[union-attr]
