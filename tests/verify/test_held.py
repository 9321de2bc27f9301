"""`held(f, T)` on small models whose own variables count how long p has held: the engines and the explicit-state
checker give the known verdicts at the boundary (exactly T holds, T - 1 does not), after a break, in the initial
state, in steps without clocks and in model time with them, under `within` and in liveness formulas."""

from __future__ import annotations

import pytest

from pumpproof.errors import UnsupportedError
from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify import explicit
from pumpproof.verify.budget import Budget
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.portfolio import decide, decide_liveness
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Verdict
from pumpproof.verify.run import problem_for
from tests.helpers import MODELS

# `run` counts the steps p has held before this state (0 where p starts or is false), capped at 5.
STEPS = """
var p: bool
var run: 0..5 = 0
transition on when true do p := true; run := if p then min(run + 1, 5) else 0
transition off when true do p := false; run := 0
"""

# `x` is the time since p last became true (p may start true at time 0); `on` while p holds changes nothing.
TIME = """
var p: bool
clock x
invariant not p -> x <= 10
transition on when not p do p := true; x := 0
transition again when p do p := true
transition off when p do p := false
"""

# p becomes true within one time unit and stays true.
SETTLES = """
var p: bool = false
clock x
invariant not p -> x <= 1
transition on when not p do p := true
"""

PROVED, VIOLATED = Verdict.PROVED, Verdict.VIOLATED

CASES = [
    (STEPS, "always (held(p, 3) <-> p and run >= 3)", PROVED),
    (STEPS, "always (held(p, 0) <-> p)", PROVED),
    (STEPS, "always (held(p, 3) -> run >= 4)", VIOLATED),  # exactly 3 steps are enough
    (STEPS, "always (p and run >= 2 -> held(p, 3))", VIOLATED),  # 2 are not
    (STEPS, "always (held(p, 9) -> run >= 5)", PROVED),  # beyond the model's own cap
    (STEPS, "always (not previously true -> not held(true, 1))", PROVED),  # false while the run is too young
    (STEPS, "always (previously held(p, 2) and p -> held(p, 3))", PROVED),
    (STEPS, "always (fired(off) -> not held(p or not p, 1) or run == 0)", PROVED),
    (STEPS, "always (fired(off) -> not held(p, 0))", PROVED),  # a break resets the streak
    (STEPS, "always (p and run == 1 -> (held(p, 3) or not p) within 2)", PROVED),
    (STEPS, "always (p and run == 1 -> held(p, 3) within 1)", VIOLATED),
    (TIME, "always (held(p, 5) <-> p and x >= 5)", PROVED),
    (TIME, "always (held(p, 5) -> x > 5)", VIOLATED),  # exactly 5 time units are enough
    (TIME, "always (p and x >= 4 -> held(p, 5))", VIOLATED),  # 4 are not
    (TIME, "always (held(not p, 10) -> x == 10)", PROVED),
    (TIME, "always (fired(on) -> not held(p, 1))", PROVED),  # a break resets the streak, in zero time too
    (TIME, "always (not previously true -> not held(true, 1))", PROVED),
    (SETTLES, "eventually held(p, 5)", PROVED),
    (SETTLES, "eventually always held(p, 5)", PROVED),
    (SETTLES, "eventually held(not p, 1)", VIOLATED),
    (SETTLES, "always (p -> eventually held(p, 3))", PROVED),
    (STEPS, "eventually held(p, 2)", VIOLATED),
    (STEPS, "always (held(p, 2) -> eventually not held(p, 3))", VIOLATED),
]


def checked(model: str, formula: str) -> SafetyProblem | LivenessProblem:
    """The problem of the one requirement `formula` on `model` (both text)."""
    system = parse_model_text(model, "m.pump")
    text = f'requirement R\n  text "t"\n  source "s"\n  {formula}\n'
    (req,) = parse_requirements_text(text, "r.req", system).requirements
    return problem_for(system, req)


@pytest.mark.parametrize(("model", "formula", "verdict"), CASES, ids=[f for _, f, _ in CASES])
def test_held_has_the_known_verdict(model: str, formula: str, verdict: Verdict) -> None:
    problem = checked(model, formula)
    budget = Budget.seconds(30)
    if isinstance(problem, LivenessProblem):
        results = [decide_liveness(problem, timeout_s=30), explicit.check_liveness(problem, budget)]
    else:
        results = [decide(problem, timeout_s=30), explicit.check(problem, budget)]
    assert [r.verdict for r in results] == [verdict, verdict], results


ONLY_AFTER = "always (rise(alarm_up) -> previously held(occluded_up and delivering, T_DETECT_MS))"
"""The alarm starts only after the occlusion has persisted T_DETECT_MS while the pump delivered."""
START = "do   mode := Infusing; armed := true; t_occ := 0\n"


@pytest.mark.parametrize(("start", "verdict"), [(START, PROVED), (START.replace("; t_occ := 0", ""), VIOLATED)])
def test_the_spectrum_alarm_starts_only_after_the_occlusion_persisted(start: str, verdict: Verdict) -> None:
    """Proved on the corrected model; violated when `start` does not restart the detector's clock (an occlusion
    that began while stopped then alarms as soon as the pump starts)."""
    text = (MODELS / "spectrum_corrected.pump").read_text()
    assert text.count(START) == 1
    problem = checked(text.replace(START, start), ONLY_AFTER)
    assert isinstance(problem, SafetyProblem)
    assert decide(problem, timeout_s=60).verdict is verdict


def test_held_over_a_future_formula_is_refused_where_it_is_written() -> None:
    """The tableau takes past formulas whole; `held` (like `once`) over `eventually` is refused, located, not
    crashed on."""
    with pytest.raises(UnsupportedError, match="the past-time operator 'held' cannot look back at a future") as info:
        checked(STEPS, "always (held(eventually p, 2) -> p)")
    assert info.value.location is not None and (info.value.location.line, info.value.location.col) == (4, 11)
