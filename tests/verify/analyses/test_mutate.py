"""Mutation score: the edge-form occlusion requirement lets recall-like mutants live; the level form kills them."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pytest
from rich.console import Console

from pumpproof.errors import UsageError
from pumpproof.lang.ir import Requirement, TransitionSystem
from pumpproof.lang.load import load_model, parse_model_text, parse_requirements_text
from pumpproof.lang.text import expr_text
from pumpproof.reports import mutation_report
from pumpproof.verify.analyses.mutate import (
    Baseline,
    Mutant,
    MutantStatus,
    Operator,
    baseline,
    mutants,
    score,
    transitions,
)
from pumpproof.verify.cone import cone
from pumpproof.verify.portfolio import Options, reused
from pumpproof.verify.results import Verdict, Violated
from pumpproof.verify.run import Checker, problem_for

OPTIONS = Options(timeout_s=30)
# The recall's mechanism H1 as a mutant: the detector is re-armed when the occlusion clears, not at restart.
RECALL_LIKE = "restart: move armed := true to occlusion_clears"


def test_every_operator_yields_located_mutants(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    found = mutants(system)
    names = [m.name for m in found]
    assert len(names) == len(set(names))
    # Its updates are constants: the operators inside values (branches, re-learning) have nothing to change.
    assert {m.operator for m in found} == set(Operator) - {Operator.TAKE_BRANCH, Operator.RELEARNED}
    assert all(m.loc is not None and m.loc.file.endswith("spectrum_corrected.pump") for m in found)
    # The recall's first mechanism: RUN/STOP under a persisting occlusion does not re-arm the detector.
    skipped = by_name_of(found)["restart: armed := true skipped while occluded_up (recall: not re-armed)"]
    restart = next(t for t in skipped.system.transitions if t.name == "restart")
    assert "armed := if occluded_up then armed else true" in [
        f"{u.target} := {expr_text(u.value)}" for u in restart.updates
    ]
    assert "clear_alarm: also armed := false (recall: the alarm suppressed after a clear)" in by_name_of(found)
    by_name = {m.name: m for m in found}
    assert "detect_upstream_occlusion: t_occ >= 3000 becomes t_occ > 3000" in by_name
    assert "restart: drop armed := true" in by_name
    moved = by_name[RECALL_LIKE].system
    clears = next(t for t in moved.transitions if t.name == "occlusion_clears")
    assert [u.target for u in clears.updates] == ["occluded_up", "armed"]


def by_name_of(found: list[Mutant]) -> dict[str, Mutant]:
    return {m.name: m for m in found}


ITE_MODEL = """
model ite_detector
const T = 5
type Mode = {Idle, Run, Alarm}
var mode: Mode = Idle
var occluded: bool = false
var armed: bool = false
var stale: bool = false         // the reference was learnt under the occlusion
clock t
define sees = occluded and not stale
invariant mode == Run and sees and armed -> t <= T
environment transition occlude when not occluded do occluded := true; t := 0
environment transition run when mode != Run
  do mode := Run; armed := true; t := 0; stale := if occluded then stale else false
transition detect when mode == Run and sees and armed and t >= T
  do mode := if armed then Alarm else Idle; armed := false
"""


def test_values_defines_and_timers_are_mutated_where_they_are_written_and_at_every_use() -> None:
    system = parse_model_text(ITE_MODEL, "ite_detector.pump")
    found = by_name_of(mutants(system))
    assert {m.operator for m in found.values()} == set(Operator) - {Operator.SUPPRESSED}

    def updates(m: Mutant, name: str) -> list[str]:
        t = next(t for t in m.system.transitions if t.name == name)
        return [f"{u.target} := {expr_text(u.value)}" for u in t.updates]

    # Inside an if-then-else value: its condition negated, each branch always taken.
    assert "mode := if not armed then Alarm else Idle" in updates(
        found["detect: in mode := ...: negate condition armed"], "detect"
    )
    assert "mode := Idle" in updates(found["detect: in mode := ...: if armed then ... always takes else"], "detect")
    # The held reference re-learned even under the occlusion (the recall's second mechanism).
    relearned = found["run: stale updated even while occluded (recall: re-learned while active)"]
    assert relearned.operator is Operator.RELEARNED and "stale := false" in updates(relearned, "run")
    # A define changed at every use: the detector's guard and the invariant read the negated body together.
    negated = found["define sees: negate occluded and (not stale)"].system
    assert expr_text(negated.invariants[0]).count("not (occluded and (not stale))") == 1
    assert "not (occluded and (not stale))" in expr_text(
        next(t for t in negated.transitions if t.name == "detect").guard
    )
    # A timer scaled wherever its clock is compared with the bound, so the deadline moves consistently.
    doubled = found["timer t: bound 5 becomes 10"].system
    assert "t <= 10" in expr_text(doubled.invariants[0])
    assert "t >= 10" in expr_text(next(t for t in doubled.transitions if t.name == "detect").guard)


def test_the_world_s_own_state_is_mutated_only_when_asked() -> None:
    """`occluded` is written only by an environment transition: dropping or moving its update makes another world,
    so it is left alone by default; the design's updates in the same transition (`t := 0`, a restart) are not."""
    system = parse_model_text(ITE_MODEL, "ite_detector.pump")
    default, everything = (by_name_of(mutants(system, environment=e)) for e in (False, True))
    world = {name for name in everything if "occluded := true" in name}
    assert world and not world & default.keys()
    assert default.keys() == everything.keys() - world
    assert "occlude: drop t := 0" in default


@pytest.mark.slow
def test_edge_form_lets_the_recall_mutant_survive_and_level_form_kills_it(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    restart = [m for m in mutants(system, ["restart"]) if "armed :=" in m.name]
    edge = score(system, [reqs["UO-EDGE"]], OPTIONS, restart)
    level = score(system, [reqs["UO-LEVEL"]], OPTIONS, restart)
    edge_alive = {r.mutant.name for r in edge.with_status(MutantStatus.SURVIVED)}
    level_alive = {r.mutant.name for r in level.with_status(MutantStatus.SURVIVED)}
    assert RECALL_LIKE in edge_alive
    assert not level_alive, level_alive
    assert level.score == 1.0 > edge.score
    console = Console(record=True, width=200)
    mutation_report.render(console, edge)
    text = console.export_text()
    assert RECALL_LIKE in text and "survived" in text and "spectrum_corrected.pump:60:" in text
    assert "killed" in text and "mutation score" in text


def test_survivors_that_stop_time_are_marked(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    wanted = {
        "detect_upstream_occlusion: t_occ >= 3000 becomes t_occ > 3000": True,  # the invariant stops time at 3000
        "detect_upstream_occlusion: negate condition armed": True,
        "detect_upstream_occlusion: drop armed := false": False,  # harmless while delivering: no timelock
    }
    chosen = [m for m in mutants(system, ["detect_upstream_occlusion"]) if m.name in wanted]
    assert len(chosen) == len(wanted)
    # UO-ARMED reads no clock and no later state: time that stops cannot make it vacuous.
    result = score(system, [reqs["UO-ARMED"]], OPTIONS, chosen)
    assert {r.mutant.name: r.timelock for r in result.with_status(MutantStatus.SURVIVED)} == wanted
    console = Console(record=True, width=200)
    mutation_report.render(console, result)
    assert "2 of the survivors stop time" in console.export_text()


def test_a_mutant_that_stops_time_kills_the_requirements_that_need_time(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    stopping = {
        "detect_upstream_occlusion: t_occ >= 3000 becomes t_occ > 3000",
        "detect_upstream_occlusion: negate condition armed",
    }
    chosen = [m for m in mutants(system, ["detect_upstream_occlusion"]) if m.name in stopping]
    result = score(system, [reqs["UO-LEVEL"]], OPTIONS, chosen)
    assert {r.mutant.name for r in result.with_status(MutantStatus.KILLED)} == stopping
    for r in result.results:
        (kill,) = r.kills
        assert kill.requirement == "UO-LEVEL" and kill.verdict is Verdict.VACUOUS
        assert "time stops in a reachable state" in kill.reason
    console = Console(record=True, width=300)
    mutation_report.render(console, result, show_killed=True)
    assert "UO-LEVEL vacuous on the mutant (time stops" in console.export_text()


TOGGLE = """
input go: bool
var x: bool = false
transition up when go do x := true
transition down when not go do x := false
"""

ZERO_TIME_START = """
type Mode = {Priming, Ready}
var mode: Mode = Priming
clock t
invariant mode == Priming -> t <= 0
transition primed when mode == Priming do mode := Ready
transition reprime when mode == Ready and t >= 5 do mode := Priming; t := 0
"""


def _load(model: str, formula: str) -> tuple[TransitionSystem, list[Requirement]]:
    system = parse_model_text(model, "m.pump")
    reqs = parse_requirements_text(f'requirement R1\n  text "t"\n  source "s"\n  {formula}\n', "r.req", system)
    return system, list(reqs.requirements)


def test_a_mutant_that_leaves_the_trigger_unreached_is_killed_as_vacuous() -> None:
    system, reqs = _load(TOGGLE, "always (x -> fired(up))")  # x holds only right after `up`
    result = score(system, reqs, OPTIONS, mutants(system, ["up"]))
    dropped = next(r for r in result.results if r.mutant.name == "up: drop x := true")
    assert dropped.status is MutantStatus.KILLED, "no run sets x: the proof of R1 is vacuous, which `check` reports"
    (kill,) = dropped.kills
    assert kill.verdict is Verdict.VACUOUS and "no run reaches the trigger (x)" in kill.reason


def test_a_mutant_on_which_time_never_passes_is_killed() -> None:
    system, reqs = _load(ZERO_TIME_START, "always (fired(primed) -> t <= 0)")
    stuck = [m for m in mutants(system, ["primed"]) if m.operator is Operator.NEGATE_GUARD]
    (result,) = score(system, reqs, OPTIONS, stuck).results
    assert result.status is MutantStatus.KILLED
    (kill,) = result.kills
    assert kill.verdict is Verdict.VACUOUS and "no run on which time passes" in kill.reason


def test_requirements_that_fail_or_are_undecided_on_the_model_judge_no_mutant() -> None:
    system, vacuous = _load(TOGGLE, "always (x and not x -> fired(down))")
    with pytest.raises(UsageError, match=r"R1 already fails on m itself \(R1 is VACUOUS: no run reaches"):
        score(system, vacuous, OPTIONS, mutants(system, ["up"]))
    _, unsupported = _load(TOGGLE, "always (x -> eventually (not x within 5))")
    base = baseline(system, unsupported, OPTIONS)
    assert [o.requirement.id for o in base.undecided] == ["R1"] and base.judges() == ()
    result = score(system, unsupported, OPTIONS, mutants(system, ["up"]), base=base)
    assert {r.status for r in result.results} == {MutantStatus.UNKNOWN}
    assert all(r.undecided == ("R1",) for r in result.results)


TWO_PARTS = """
input go: bool
var x: bool = false
var y: 0..3 = 0
transition up when go do x := true
transition down when not go do x := false
transition count when y < 3 do y := y + 1
transition reset when y == 3 do y := 0
"""


def test_a_safety_requirement_whose_cone_the_mutation_leaves_alone_keeps_its_proof_unasked() -> None:
    system, reqs = _load(TWO_PARTS, "always (y <= 3)")  # reads y: `up` and `down` are outside its cone
    base = baseline(system, reqs, OPTIONS)
    asked: list[str] = []
    carried = Checker.carried

    def recorded(checker: Checker, req: Requirement, earlier: object = None) -> object:
        asked.append(req.id)
        return carried(checker, req, earlier)  # type: ignore[arg-type]

    with mock.patch.object(Checker, "carried", recorded):
        outside = score(system, reqs, OPTIONS, mutants(system, ["up", "down"]), base=base)
        assert "R1" not in asked and outside.results
        assert not any(r.kills for r in outside.results)
        inside = score(system, reqs, OPTIONS, mutants(system, ["count"]), base=base)
    assert "R1" in asked, "a mutant inside the cone has its proof re-checked"
    bound = next(r for r in inside.results if r.mutant.name == "count: y < 3 becomes y <= 3")
    assert bound.killed_by == ("R1",)  # y reaches 4


FLIP = """
input go: bool
var x: bool = false
var y: bool = false
transition flip do x := not x
transition other when false do y := true
"""


@pytest.mark.parametrize(
    "formula",
    [
        "always ((not x) -> next x)",
        "always (x -> previously (not x))",
        "always ((not x) -> x within 1)",
        "always (fired(flip) -> x or not x)",
        "always (go -> x or not x)",
    ],
    ids=["next", "previously", "within-steps", "fired", "input"],
)
def test_a_requirement_that_counts_steps_is_asked_when_a_mutation_outside_its_variables_adds_steps(
    formula: str,
) -> None:
    """`other` writes only y, but its guard widened lets steps be taken that leave x as it was: a requirement
    that can tell such a step (`next`, `previously`, a bound in steps; `fired` and inputs read the step) keeps
    every guard in its cone, so the mutant is judged, not carried unasked."""
    system, reqs = _load(FLIP, formula)
    (req,) = reqs
    base = baseline(system, reqs, OPTIONS)
    widened = next(m for m in mutants(system, ["other"]) if m.name == "other: negate guard false")
    assert cone(widened.system, req, base.cones["R1"].stutter) != base.cones["R1"]
    result = score(system, reqs, OPTIONS, [widened], base=base)
    if "next" in formula or "within" in formula or "previously" in formula:
        assert result.results[0].killed_by == ("R1",)  # a step of `other` leaves x as it was


def test_mutants_not_started_by_the_total_deadline_are_undecided_not_run() -> None:
    system, reqs = _load(TOGGLE, "always (x -> fired(up) or x)")
    base = baseline(system, reqs, OPTIONS)
    past = replace(OPTIONS, total_deadline=time.time() - 1)
    with mock.patch("pumpproof.verify.analyses.mutate.judge", side_effect=AssertionError("a mutant was run")):
        result = score(system, reqs, past, mutants(system), base=base, jobs=1)
    assert result.results and {r.status for r in result.results} == {MutantStatus.UNKNOWN}
    assert all(r.undecided == ("R1",) for r in result.results)


@pytest.mark.slow
def test_reused_proofs_and_parallel_workers_give_the_verdicts_of_checking_each_mutant_afresh(corrected) -> None:  # type: ignore[no-untyped-def]
    """The fast path (the unmutated model's invariants and witnesses tried first, mutants two at a time) against
    the exhaustive one (every requirement decided from scratch on every mutant, one at a time)."""
    system, reqs = corrected
    chosen = [reqs[r] for r in ("UO-LEVEL", "UO-ARMED", "UO-LIVE")]  # a proof by ic3, one that survives, liveness
    selected = mutants(system)[::5]
    base = baseline(system, chosen, OPTIONS)
    fast = score(system, chosen, OPTIONS, selected, base=base, jobs=2, all_kills=True)
    afresh = Baseline(base.model, tuple(replace(o, vacuity=None) for o in base.outcomes))
    nothing_carried = mock.patch("pumpproof.verify.run.carried", lambda problem, earlier: None)
    with nothing_carried, mock.patch("pumpproof.verify.portfolio.carried", lambda problem, earlier: None):
        slow = score(system, chosen, OPTIONS, selected, base=afresh, all_kills=True)
    assert [r.mutant.name for r in fast.results] == [m.name for m in selected]
    assert [(r.status, r.killed_by) for r in fast.results] == [(r.status, r.killed_by) for r in slow.results]
    statuses = {r.status for r in fast.results}
    assert {MutantStatus.KILLED, MutantStatus.SURVIVED} <= statuses  # both kinds of answer were compared


def test_an_invariant_the_mutation_breaks_is_not_reused(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    base = baseline(system, [reqs["UO-LEVEL"]], OPTIONS)
    (proof,) = base.outcomes
    recall = next(m for m in mutants(system) if m.name == RECALL_LIKE)
    assert reused(problem_for(system, reqs["UO-LEVEL"]), proof.result) is not None  # type: ignore[arg-type]
    assert reused(problem_for(recall.system, reqs["UO-LEVEL"]), proof.result) is None  # type: ignore[arg-type]


def test_a_part_s_transition_is_mutated_once_at_every_step_it_takes_part_in() -> None:
    system = load_model(str(Path(__file__).parents[2] / "lang" / "components" / "alarm_system.pump"))
    assert "manager.hear" in transitions(system)  # named as the model writes it, not as a flat step
    assert "detector[0].occlude+manager.hear" not in transitions(system)
    found = by_name_of(mutants(system))
    moved = [name.split(": move ", 1)[1] for name, m in found.items() if m.operator is Operator.MOVE_RESET]
    for what in moved:
        update, destination = what.split(" to ", 1)
        assert destination.startswith(update.split(".", 1)[0] + "."), what  # within the part that writes it
    # The manager's shared `sounding` has nowhere to go: its only other transition already writes it.
    assert not [what for what in moved if what.startswith("sounding")]
    # Silencing a detector without disarming it changes every broadcast step its `quiet` takes part in.
    mutant = found["detector[0].quiet: drop detector[0].armed := false"].system
    quiet = [t for t in mutant.transitions if "detector[0].quiet" in t.name]
    assert len(quiet) == 2
    assert all("detector[0].armed" not in {u.target for u in t.updates} for t in quiet)
    assert all("detector[1].armed" in {u.target for u in t.updates} for t in quiet if "detector[1].quiet" in t.name)


BROADCAST = """
model bc
broadcast chan go
var on: bool = false
component Sender
  environment transition send "send" sync go!
end
component Receiver
  transition hear "hear" sync go?
    do on := true
end
instance s: Sender
instance r: Receiver
fairness weak s.send
"""


def test_fired_and_fairness_name_the_steps_a_mutant_s_parts_make_once_composed_again() -> None:
    """A receiver whose guard the mutation makes false lets the sender's step happen alone, a flat step the model
    did not have: `fired(s.send)` and `fairness weak s.send` must name it (they named only `s.send+r.hear`)."""
    system, reqs = _load(BROADCAST, "always (fired(s.send) -> on)")
    base = baseline(system, reqs, OPTIONS)
    deaf = next(m for m in mutants(system) if m.name == "r.hear: negate guard true")
    names = {t.name for t in deaf.system.transitions}
    assert "s.send" in names and "s.send" not in {t.name for t in system.transitions}  # the new flat step
    assert all(f.transitions and set(f.transitions) <= names for f in deaf.system.fairness)
    assert "s.send" in {t for f in deaf.system.fairness for t in f.transitions}
    (result,) = score(system, reqs, OPTIONS, [deaf], base=base).results
    # VIOLATED by the step `s.send` alone, not VACUOUS, as when fired(s.send) named only the step the mutant lost
    assert [(k.requirement, k.verdict) for k in result.kills] == [("R1", Verdict.VIOLATED)]


WORLD = """
var alarm: bool = false
var count: 0..3 = 0
var shown: bool = false
environment transition occur "a condition occurs" when not alarm do alarm := true
environment transition cancel "the nurse cancels" when alarm and count < 3 do alarm := false; count := count + 1
transition reset "the pump resets the count" when count == 3 and not alarm do count := 0
transition report "the pump shows the alarm" when alarm and count <= 3 do shown := true
"""


def test_a_change_of_the_world_that_leaves_only_runs_of_the_model_is_proved_so_and_left_out_of_the_score() -> None:
    """A world that does less (a condition that never occurs, a CANCEL the nurse cannot press once the count is
    out of range) cannot be killed by any requirement over all runs; a world that does more, and a design that
    does less, stay survivors."""
    system, reqs = _load(WORLD, "always (alarm or not alarm)")
    result = score(system, reqs, OPTIONS, mutants(system, ["occur", "cancel", "report"]))
    by_name = {r.mutant.name: r for r in result.results}
    for name in ("occur: negate guard not alarm", "cancel: negate condition count < 3"):
        assert by_name[name].status is MutantStatus.FEWER_RUNS, name
    more = by_name["cancel: negate condition alarm"]  # CANCEL pressed with no alarm: a step the model has not
    assert more.status is MutantStatus.SURVIVED and more.fewer is not None
    assert isinstance(more.fewer.result, Violated)
    design = by_name["report: negate condition count <= 3"]  # the pump never shows the alarm: fewer runs, yet kept
    assert design.status is MutantStatus.SURVIVED and design.fewer is None
    killed, survived = (len(result.with_status(s)) for s in (MutantStatus.KILLED, MutantStatus.SURVIVED))
    assert result.score == killed / (killed + survived)
    out = Console(width=200, record=True)
    mutation_report.render(out, result)
    assert "2 with fewer runs of the world" in out.export_text()
