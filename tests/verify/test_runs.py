"""The facts every verdict rests on (`pumpproof.verify.runs`) against the explicit-state graph, on generated models.

A model has an initial state iff the explicit checker enumerates one; MODEL.DEADLOCK is violated iff some
reachable frame outside `terminal` states has no successor; with clocks, MODEL.TIME holds iff from every
reachable frame of the digitized graph the pump's own transitions lead to a delay (`explicit.time_stops`).
The `Checker`'s verdicts follow from them: VACUOUS for every requirement of a model without a run, and
otherwise the explicit verdict on runs that repeat their last state when they stop. The engines themselves
are compared in test_differential.py; here one engine answers every question.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import event, given, settings

from pumpproof.errors import TooManyStates
from pumpproof.lang.ir import FALSE, TRUE, TransitionSystem
from pumpproof.lang.load import parse_model_text
from pumpproof.verify import explicit, runs
from pumpproof.verify.budget import Budget
from pumpproof.verify.evaluate import evaluate
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.portfolio import Options
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Proved, Result, Vacuous, Verdict, Violated
from pumpproof.verify.run import Checker, problem_for
from pumpproof.verify.state_space import reachable_graph
from pumpproof.verify.steps import can_step
from tests.oracle import COMMON, SOAK, TIMEOUT_S, check_case, model_gap, parse_case
from tests.strategies import Generated, deadlock_generated, no_run_generated, time_generated

NO_RUN_EXAMPLES = int(os.environ.get("PUMPPROOF_SOAK_NO_RUN", 3_000)) if SOAK else 60
DEADLOCK_EXAMPLES = int(os.environ.get("PUMPPROOF_SOAK_DEADLOCK", 3_000)) if SOAK else 60
TIME_EXAMPLES = int(os.environ.get("PUMPPROOF_SOAK_TIME", 5_000)) if SOAK else 500
RANKED_EXAMPLES = int(os.environ.get("PUMPPROOF_SOAK_TIME", 5_000)) if SOAK else 200
OPTIONS = Options(engine="ic3", timeout_s=TIMEOUT_S)
"""One engine in this process: no processes to start for each of the many small questions."""


def _truth(problem: SafetyProblem | LivenessProblem) -> Result:
    budget = Budget.seconds(TIMEOUT_S)
    if isinstance(problem, LivenessProblem):
        return explicit.check_liveness(problem, budget)
    return explicit.check(problem, budget)


def _check_runs(case: Generated) -> str:
    """A clock-free model's initial state and deadlocks, and the `Checker`'s verdict on its requirement, against
    the explicit graph; returns what the runs do ('no initial state', 'deadlock', ...)."""
    system, req = parse_case(case)
    graph = reachable_graph(SafetyProblem(f"{system.name}: runs", system, FALSE))
    checker = Checker(system, OPTIONS)
    facts, outcome = checker.facts, checker.check(req)
    initial = [n for n, first in graph.nodes(data="initial") if first]
    assert isinstance(facts.initial, Proved) != bool(initial), f"initial state: {facts.initial.verdict}\n{case}"
    if not initial:
        assert isinstance(outcome.result, Vacuous), f"{outcome.result.verdict} on a model without a run\n{case}"
        return "no initial state"
    stops = [n for n in graph if graph.out_degree(n) == 0]
    dead = [n for n in stops if not any(evaluate(t, n.frame()) for t in system.terminals)]
    assert facts.stutter == bool(stops), f"runs stop: {bool(stops)}, extended by stuttering: {facts.stutter}\n{case}"
    assert facts.deadlock is not None
    expected = Verdict.VIOLATED if dead else Verdict.PROVED
    assert facts.deadlock.result.verdict is expected, f"MODEL.DEADLOCK {facts.deadlock.result.verdict}\n{case}"
    truth = _truth(problem_for(system, req)).verdict
    got = outcome.result.verdict
    if truth is Verdict.VIOLATED:
        assert got is Verdict.VIOLATED, f"check says {got}, explicit says VIOLATED\n{case}"
    else:
        assert got in (Verdict.PROVED, Verdict.VACUOUS), f"check says {got}, explicit says {truth}\n{case}"
    return "deadlock" if dead else "stops in a terminal state" if stops else "never stops"


def time_gap(system: TransitionSystem) -> str:
    """Why the digitized graph may miss a reachable state where time stops (a second clock may stand between
    whole numbers there; a strict guard may need a fractional delay to get there), or '' when it cannot."""
    if len(system.clocks) > 1:
        return "more than one clock"
    return model_gap(system)


def _check_time(case: Generated) -> str:
    """MODEL.TIME against `explicit.time_stops`: never proved where a digitized run shows time stopping, and,
    where digitization is exact (no `time_gap`), violated exactly then; a deadline requirement is then never
    PROVED (it holds only because time stops: VACUOUS). Returns what was found."""
    system, req = parse_case(case)
    stop = explicit.time_stops(system)
    checker = Checker(system, OPTIONS)
    facts, outcome = checker.facts, checker.check(req)
    shown = "" if stop is None else f"time stops after: {', '.join(str(s.transition) for s in stop.steps[1:])}\n"
    if isinstance(facts.initial, Proved):
        assert stop is None and isinstance(outcome.result, Vacuous), f"no initial state\n{case}"
        return "no initial state"
    if facts.time is None:  # time never passes: every frame is stuck, the first one too
        assert isinstance(facts.time_passes, Proved), f"no MODEL.TIME, time passes: {facts.time_passes}\n{case}"
        assert stop is not None and len(stop.steps) == 1, f"time never passes, but the digitized run does\n{case}"
        assert isinstance(outcome.result, Vacuous), f"{outcome.result.verdict} on a model where time never passes"
        return "time never passes"
    found = facts.time
    got = found.result.verdict
    if stop is not None:
        assert got is not Verdict.PROVED, f"MODEL.TIME proved, but {shown}{case}"
    gap = time_gap(system)
    if not gap and stop is not None:
        assert got is Verdict.VIOLATED, f"MODEL.TIME {got} ({found.summary}), but {shown}{case}"
    if not gap and stop is None:
        assert got is not Verdict.VIOLATED, f"MODEL.TIME violated ({found.summary}), time never stops\n{case}"
    if got is Verdict.VIOLATED:
        assert outcome.result.verdict is not Verdict.PROVED, f"PROVED though time stops ({found.summary})\n{case}"
    if got is Verdict.UNKNOWN:
        return f"undecided: {found.summary.split(' (')[0]}"
    return f"{'exact' if not gap else 'not exact'}: {found.stop.value if found.stop else 'time diverges'}"


@pytest.mark.slow
@pytest.mark.soak
@settings(max_examples=NO_RUN_EXAMPLES, **COMMON)  # type: ignore[arg-type]
@given(no_run_generated())
def test_models_without_runs_make_every_verdict_vacuous(case: Generated) -> None:
    event(_check_runs(case))


@pytest.mark.slow
@pytest.mark.soak
@settings(max_examples=TIME_EXAMPLES, **COMMON)  # type: ignore[arg-type]
@given(time_generated())
def test_time_divergence_agrees_with_the_digitized_graph(case: Generated) -> None:
    event(_check_time(case))


@pytest.mark.slow
@pytest.mark.soak
def test_the_ranking_argument_alone_never_proves_that_time_passes_where_it_stops() -> None:
    """MODEL.TIME with no look-ahead, so that every proof is the ranking argument's (`runs._ranked`): never PROVED
    where a digitized run shows time stopping, and PROVED on a fair share of the models where time never stops."""
    seen: Counter[str] = Counter()

    @settings(max_examples=RANKED_EXAMPLES, **COMMON)  # type: ignore[arg-type]
    @given(time_generated())
    def run(case: Generated) -> None:
        system, _ = parse_case(case)
        stop = explicit.time_stops(system)
        with mock.patch.object(runs, "MAX_LOOKAHEAD", 0):
            got = runs.time_divergence(system, OPTIONS).result.verdict
        if stop is not None:
            assert got is not Verdict.PROVED, f"ranked MODEL.TIME proved, but time stops after {stop.steps}\n{case}"
        found = f"{'stops' if stop else 'diverges'}: {got.value}"
        event(found)
        seen[found] += 1

    run()
    diverging = seen["diverges: PROVED"] + seen["diverges: UNKNOWN"]
    assert seen["diverges: PROVED"] >= diverging // 4, f"the ranking proves too little: {dict(seen)}"


@pytest.mark.slow
@pytest.mark.soak
def test_deadlocks_under_open_deadlines() -> None:
    """Every engine and the `Checker` see a pump that hangs as frozen, and the cases do hang: a fair share has a
    reachable deadlock, and some have a verdict that only the frozen runs decide."""
    seen: Counter[str] = Counter()

    @settings(max_examples=DEADLOCK_EXAMPLES, **COMMON)  # type: ignore[arg-type]
    @given(deadlock_generated())
    def run(case: Generated) -> None:
        check_case(case)
        found = _check_runs(case)
        p = problem_for(*parse_case(case))
        if _truth(p).verdict is not _truth(replace(p, stutter=False)).verdict:
            found += ", decided by the frozen runs"
        event(found)
        seen.update(found.split(", "))
        seen["cases"] += 1

    run()
    assert seen["deadlock"] >= seen["cases"] // 4, f"too few deadlocks: {dict(seen)}"
    assert seen["decided by the frozen runs"] >= seen["cases"] // 10, f"too few verdicts need them: {dict(seen)}"


PARTS = """
const PARTS = 4
component Sensor(c: 0..PARTS-1)
  clock t
  var present: bool = false
  var reported: bool = false
  invariant present and not reported -> t <= 2
  environment transition arise when not present do present := true; t := 0
  {kind} report when present and not reported and t >= 1 do reported := true
  environment transition resolve when reported do present := false; reported := false
end
instance sensor[c in 0..PARTS-1]: Sensor(c)
"""
"""Four parts that may all reach their deadline at once: each needs a step of its own (four zero-time steps, more
than the look-ahead's three) before time can pass; with `report` the environment's, time stops."""


@pytest.mark.parametrize("kind", ["transition", "environment transition"])
def test_parts_at_their_deadlines_at_once(kind: str) -> None:
    system = parse_model_text(PARTS.replace("{kind}", kind), "parts.pump")
    stop = explicit.time_stops(system)
    found = Checker(system, OPTIONS).facts.time
    assert found is not None
    if kind == "transition":
        assert stop is None and found.result.verdict is Verdict.PROVED, found.summary
        assert "each stopping time at fewer invariants" in found.summary
    else:
        assert stop is not None and found.result.verdict is Verdict.VIOLATED, found.summary


def test_a_related_models_answers_about_its_runs_are_carried_only_where_they_still_hold() -> None:
    """A mutant asks the unmutated model's questions about runs with its answers tried first: a witness is kept
    when it replays, a proof when its invariant re-checks; the verdicts are those of asking afresh."""
    from pumpproof.lang.load import load_model
    from pumpproof.verify.analyses.mutate import mutants
    from tests.helpers import MODELS

    system = load_model(str(MODELS / "spectrum_corrected.pump"))
    base = runs.runs(system, Options(timeout_s=30))
    chosen = {m.name: m for m in mutants(system)}
    names = ("restart: drop t_occ := 0", "timer t_occ: bound 3000 becomes 1500", "start: negate guard mode == Stopped")
    reused = set()
    for name in names:
        mutant = chosen[name].system
        carried = runs.runs(mutant, Options(timeout_s=30), earlier=base.answers)
        fresh = runs.runs(mutant, Options(timeout_s=30))
        assert carried.initial.verdict is fresh.initial.verdict, name
        assert [r.verdict for r in (carried.time_passes, carried.time and carried.time.result) if r is not None] == [
            r.verdict for r in (fresh.time_passes, fresh.time and fresh.time.result) if r is not None
        ], name
        reused |= {q for q, r in carried.answers.items() if "invariant reused" in r.engine}
    assert reused  # some proof about the runs was carried over, re-checked, not searched again
    # The initial state is the unmutated one's, replayed: no mutation here touches the initial condition.
    first = next(q for q in base.answers if q.endswith("an initial state"))
    kept = runs.runs(chosen[names[0]].system, Options(timeout_s=30), earlier=base.answers).answers[first]
    assert isinstance(kept, Violated) and kept.trace.steps[0].state == base.answers[first].trace.steps[0].state  # type: ignore[union-attr]


def test_inputs_only_the_updates_read_are_not_enumerated_to_ask_whether_a_run_stops() -> None:
    """The eight-channel tick family reads 16 inputs, beyond MAX_INPUT_CHOICES valuations; its one transition is
    always enabled and nothing looks at the state it leads to, so the inputs need not be tried (the deadlock check
    used to be skipped, and at four channels building its 256 cases took most of the start-up)."""
    tick = (Path(__file__).parents[2] / "benchmarks" / "models" / "tick_detector.pump").read_text()
    system = parse_model_text(tick, "tick_detector.pump", {"K": "8"})
    assert can_step(system) == TRUE
    looked_at = parse_model_text(tick + "invariant count[0] < T\n", "tick_detector.pump", {"K": "8"})
    with pytest.raises(TooManyStates):  # the invariant reads the state after the step, so every input counts
        can_step(looked_at)
