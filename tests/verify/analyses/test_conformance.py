"""Conformance: the reference controller conforms to the corrected model; the recalled one is caught, shortest first."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from examples.controllers.alarm_manager import MAX_COUNT, AlarmManager, ForgetfulManager
from examples.controllers.spectrum import CorrectedSpectrum, RecalledSpectrum
from pumpproof.errors import UnsupportedError
from pumpproof.lang.load import load_model
from pumpproof.verify.analyses.conformance import NonConformance, Part, check_conformance, explore_conformance

COMPONENTS = Path(__file__).parents[2] / "lang" / "components"


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
