"""Reference controllers for models/spectrum_corrected.pump, written the way firmware would be.

`CorrectedSpectrum` re-arms its occlusion detector at every (re)start and conforms to the model.
`RecalledSpectrum` has the defect of the 2022 recall as hypothesis H1: a one-shot "reported" latch
that only clearing the occlusion resets, so RUN/STOP under a persisting occlusion never re-alarms.
Check them with `pumpproof.verify.analyses.conformance.check_conformance(load_model(...), CorrectedSpectrum)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

T_DETECT_MS = 3000
T_SILENCE_MS = 120000


class CorrectedSpectrum:
    """Upstream-occlusion alarm logic of one channel, re-arming the detector at every (re)start."""

    def __init__(self) -> None:
        self.mode = "Stopped"
        self.occluded_up = False
        self.armed = False
        self.alarm_up = False
        self.audio_on = False
        self.t_occ_ms = Fraction(0)
        self.t_silence_ms = Fraction(0)

    def observe(self) -> Mapping[str, object]:
        """What the pump shows: mode, the sensed occlusion, the alarm and its sound."""
        shown = ("mode", "occluded_up", "alarm_up", "audio_on")
        return {name: getattr(self, name) for name in shown}

    def step(self, event: str, inputs: Mapping[str, object], delay: Fraction) -> bool:
        """Handle one event; False when this controller would not take it in its current state."""
        handler = getattr(self, f"on_{event}", None)
        return bool(handler(delay)) if event == "delay" else bool(handler and handler())

    # ---- time
    def on_delay(self, delay: Fraction) -> bool:
        self.t_occ_ms += delay
        self.t_silence_ms += delay
        return True

    # ---- the environment (sensed)
    def on_occlusion_begins(self) -> bool:
        self.occluded_up, self.t_occ_ms = True, Fraction(0)
        return True

    def on_occlusion_clears(self) -> bool:
        self.occluded_up = False
        return True

    # ---- the operator
    def on_start(self) -> bool:
        if self.mode != "Stopped":
            return False
        self.mode, self.armed, self.t_occ_ms = "Infusing", True, Fraction(0)
        return True

    def on_stop(self) -> bool:
        if self.mode != "Infusing":
            return False
        self.mode, self.armed = "Stopped", False
        return True

    def on_restart(self) -> bool:
        if self.mode != "OcclusionAlarm":
            return False
        self.mode, self.alarm_up, self.audio_on = "Infusing", False, False
        self.rearm()
        return True

    def rearm(self) -> None:
        """RUN/STOP after an occlusion alarm restarts detection from scratch."""
        self.armed, self.t_occ_ms = True, Fraction(0)

    def on_clear_alarm(self) -> bool:
        if self.mode != "OcclusionAlarm":
            return False
        self.mode, self.alarm_up, self.audio_on = "Stopped", False, False
        return True

    def on_silence(self) -> bool:
        if not (self.alarm_up and self.audio_on):
            return False
        self.audio_on, self.t_silence_ms = False, Fraction(0)
        return True

    # ---- the pump's software
    def detects(self) -> bool:
        """The detector fires: delivering, occluded, armed, and the occlusion has lasted T_DETECT_MS."""
        return self.mode == "Infusing" and self.occluded_up and self.armed and self.t_occ_ms >= T_DETECT_MS

    def on_detect_upstream_occlusion(self) -> bool:
        if not self.detects():
            return False
        self.mode, self.armed, self.alarm_up, self.audio_on = "OcclusionAlarm", False, True, True
        return True

    def on_audio_returns(self) -> bool:
        if not (self.alarm_up and not self.audio_on and self.t_silence_ms >= T_SILENCE_MS):
            return False
        self.audio_on = True
        return True


class RecalledSpectrum(CorrectedSpectrum):
    """The recalled logic (H1): an occlusion is reported once; only clearing the occlusion resets the latch."""

    def __init__(self) -> None:
        super().__init__()
        self.occlusion_reported = False

    def on_occlusion_clears(self) -> bool:
        self.occlusion_reported = False
        return super().on_occlusion_clears()

    def detects(self) -> bool:
        return super().detects() and not self.occlusion_reported

    def on_detect_upstream_occlusion(self) -> bool:
        if not super().on_detect_upstream_occlusion():
            return False
        self.occlusion_reported = True
        return True
