"""Conformance: the reference controller conforms to the corrected model; the recalled one is caught, shortest first."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from examples.controllers.alarm_manager import MAX_COUNT, AlarmManager, ForgetfulManager
from examples.controllers.gpca_manager import GpcaAlarmManager, SilencingClearManager, StaleLevelManager
from examples.controllers.spectrum import CorrectedSpectrum, RecalledSpectrum
from pumpproof.errors import UnsupportedError
from pumpproof.lang.load import load_model
from pumpproof.verify.analyses.conformance import (
    NonConformance,
    Part,
    check_conformance,
    explore_conformance,
    part_witnesses,
    witness_runs,
)
from pumpproof.verify.portfolio import Options
from pumpproof.verify.results import Proved, Trace, Violated

COMPONENTS = Path(__file__).parents[2] / "lang" / "components"
GPCA = Path(__file__).parents[3] / "models" / "gpca" / "gpca.pump"


class ValueBlind(AlarmManager):
    """Hears every alarm as Low."""

    def step(self, event: str, received: object, delay: Fraction) -> bool:
        return super().step(event, "Low" if event == "hear" else received, delay)


class StopIgnored(CorrectedSpectrum):
    """A shallow defect for the random search: RUN/STOP while infusing is accepted but does nothing."""

    def on_stop(self) -> bool:
        return self.mode == "Infusing"


@pytest.mark.slow
def test_corrected_controller_conforms_on_random_runs(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    check_conformance(system, CorrectedSpectrum, max_examples=150, max_steps=20, derandomize=True)


def test_corrected_controller_conforms_on_every_run_of_ten_steps(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    assert explore_conformance(system, CorrectedSpectrum, depth=10) > 1000  # distinct (model, controller) pairs


@pytest.mark.slow
def test_random_runs_catch_a_shallow_defect_and_shrink_it(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    with pytest.raises(NonConformance) as caught:
        check_conformance(system, StopIgnored, max_examples=200, max_steps=20, derandomize=True)
    events = [s.transition for s in caught.value.steps[1:]]
    assert events == ["start", "stop"], events
    assert "mode = 'Infusing' (model: 'Stopped')" in str(caught.value)


def test_recalled_controller_is_caught_by_the_shortest_run_pressing_run_stop_under_occlusion(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    with pytest.raises(NonConformance) as caught:
        explore_conformance(system, RecalledSpectrum, depth=10)
    steps = caught.value.steps
    events = [s.transition for s in steps[1:]]
    assert events[-1] == "detect_upstream_occlusion" and "refuses" in str(caught.value)
    assert len(events) == 7, events  # one alarm, RUN/STOP under the occlusion, the missing second alarm
    first_alarm = events.index("detect_upstream_occlusion") + 1  # index into steps (steps[0] is the initial state)
    run_stop = [i for i, s in enumerate(steps) if s.transition in ("restart", "start") and i > first_alarm]
    assert run_stop
    assert all(steps[i].state["occluded_up"] for i in run_stop)


def test_one_part_of_a_composed_model_is_checked_alone_with_the_values_it_receives() -> None:
    system = load_model(str(COMPONENTS / "alarm_system.pump"))
    visited = explore_conformance(system, lambda: Part(system, "manager", AlarmManager()), depth=8)
    assert visited > 20  # distinct (model, manager) pairs: both detectors' alarms, muting, re-arming
    check_conformance(system, lambda: Part(system, "manager", AlarmManager()), 20, 10, derandomize=True)
    with pytest.raises(NonConformance) as caught:
        explore_conformance(system, lambda: Part(system, "manager", ForgetfulManager()), depth=8)
    assert "manager.level = 'Beeping' (model: 'Ringing')" in str(caught.value)
    heard = [s.transition for s in caught.value.steps if s.transition and "manager.hear" in s.transition]
    assert len(heard) == MAX_COUNT  # the third alarm heard is the one that should ring
    # The value sent reaches the part: a manager that ignores it is caught at the first High alarm.
    with pytest.raises(NonConformance) as blind:
        explore_conformance(system, lambda: Part(system, "manager", ValueBlind()), depth=8)
    assert [s.transition for s in blind.value.steps[1:]] == ["detector[0].occlude+manager.hear"]


def test_a_part_that_does_not_exist_is_named_with_the_parts_that_do() -> None:
    system = load_model(str(COMPONENTS / "alarm_system.pump"))
    with pytest.raises(UnsupportedError, match=r"no part 'manger'.*") as caught:
        Part(system, "manger", AlarmManager())
    assert "detector[0], detector[1], manager" in (caught.value.hint or "")


def test_witnesses_of_a_part_end_with_each_of_its_transitions_and_prove_the_ones_that_never_fire(
    tmp_path: Path,
) -> None:
    system = load_model(str(COMPONENTS / "alarm_system.pump"))
    answers = part_witnesses(system, "manager", Options(timeout_s=30))
    assert sorted(answers) == ["hear", "mute"]
    for name, result in answers.items():
        assert isinstance(result, Violated), name
        last = result.trace.steps[-1].transition
        assert last is not None and f"manager.{name}" in last.split("+")
    # A part's transition that can never fire is answered by a proof, so it is not mistaken for covered.
    text = (COMPONENTS / "alarm_system.pump").read_text()
    dead = tmp_path / "dead_mute.pump"
    never = "sync silence! when level != Quiet and count > 3"
    dead.write_text(text.replace("sync silence! when level != Quiet", never))
    answers = part_witnesses(load_model(str(dead)), "manager", Options(timeout_s=30))
    assert isinstance(answers["mute"], Proved) and isinstance(answers["hear"], Violated)
    assert len(witness_runs(answers)) == 1


def test_a_start_that_is_not_a_run_of_the_model_is_refused_at_its_step() -> None:
    system = load_model(str(COMPONENTS / "alarm_system.pump"))
    (run,) = witness_runs({"mute": part_witnesses(system, "manager", Options(timeout_s=30))["mute"]})
    broken = Trace((run.steps[0], *run.steps[2:]))  # the mute without the alarm before it
    with pytest.raises(UnsupportedError, match="is not a run of model"):
        explore_conformance(system, lambda: Part(system, "manager", AlarmManager()), 0, [broken])


@pytest.mark.slow
def test_the_gpca_alarm_manager_conforms_around_a_witness_of_each_of_its_transitions() -> None:
    """Random runs of the whole pump never reach an alarm; runs from the checker's witnesses reach every transition
    of the manager, and three steps around each catch both defective managers."""
    system = load_model(str(GPCA))
    answers = part_witnesses(system, "manager", Options(timeout_s=60))
    assert not [name for name, r in answers.items() if not isinstance(r, Violated)]
    assert {n.partition("[")[0] for n in answers} == {"hear", "clear", "resume", "pause_audio", "resound"}
    runs = witness_runs(answers)
    visited = explore_conformance(system, lambda: Part(system, "manager", GpcaAlarmManager()), 3, runs)
    assert visited > 10_000
    check_conformance(system, lambda: Part(system, "manager", GpcaAlarmManager()), 20, 10, True, runs)
    with pytest.raises(NonConformance) as stale:
        explore_conformance(system, lambda: Part(system, "manager", StaleLevelManager()), 3, runs)
    assert "manager.level" not in str(stale.value) and "level = 'Quiet' (model: 'HighAlarm')" in str(stale.value)
    with pytest.raises(NonConformance) as silenced:
        explore_conformance(system, lambda: Part(system, "manager", SilencingClearManager()), 3, runs)
    assert "manager.audio = 'Silent' (model: 'Sounding')" in str(silenced.value)
    steps = silenced.value.steps
    assert "manager.clear" in (steps[-1].transition or "")
    assert sum(1 for s in steps if "manager.hear" in (s.transition or "")) == 2  # a second alarm still active
