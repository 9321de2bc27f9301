"""Conformance: the reference controller conforms to the corrected model; the recalled one is caught, shrunk."""

from __future__ import annotations

import pytest

from examples.controllers.spectrum import CorrectedSpectrum, RecalledSpectrum
from pumpproof.conformance import NonConformance, check_conformance


def test_corrected_controller_conforms(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    check_conformance(system, CorrectedSpectrum, max_examples=150, max_steps=20, derandomize=True)


def test_recalled_controller_is_caught_with_a_short_run_pressing_run_stop_under_occlusion(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    with pytest.raises(NonConformance) as caught:
        check_conformance(system, RecalledSpectrum, max_examples=300, max_steps=20, derandomize=True)
    steps = caught.value.steps
    events = [s.transition for s in steps[1:]]
    assert events[-1] == "detect_upstream_occlusion" and "refuses" in str(caught.value)
    assert len(events) <= 8, events  # shrunk: one alarm, RUN/STOP under the occlusion, the missing second alarm
    first_alarm = events.index("detect_upstream_occlusion") + 1  # index into steps (steps[0] is the initial state)
    run_stop = [i for i, s in enumerate(steps) if s.transition in ("restart", "start") and i > first_alarm]
    assert run_stop
    assert all(steps[i].state["occluded_up"] for i in run_stop)
