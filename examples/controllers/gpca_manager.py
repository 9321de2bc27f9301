"""A reference controller for the alarm manager of models/gpca/gpca.pump (the `manager` instance of `AlarmManager`),
written the way alarm-manager firmware is: a list of active alarm conditions by priority, the highest one's
level shown, one audio signal that AUDIO PAUSED quiets for two minutes, and an error log.

`GpcaAlarmManager` conforms to its component. Two classic defects of alarm managers are caught by the check:
`StaleLevelManager` shows the priority computed before the alarm it hears is added (a new alarm is shown one
alarm late), and `SilencingClearManager` silences the signal on every CANCEL although other alarms are still
active (IEC 60601-1-8: the signal stops only when no alarm condition is active). Check it with
`explore_conformance(system, lambda: Part(system, "manager", GpcaAlarmManager()), depth, starts)`, the starts
being `part_witnesses(system, "manager", options)` (pumpproof.verify.analyses.conformance): random runs of the
whole pump almost never reach an alarm, the model checker's witnesses do.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

CONDITIONS = 7  # N: upstream, downstream, air, empty, door (high), near empty (medium), stopped too long (low)
HIGH_LAST, MEDIUM, LOW = 4, 5, 6
AUDIO_PAUSE_MS = 120_000


class GpcaAlarmManager:
    """The alarm manager: hears alarm conditions, shows the highest priority, sounds, pauses and logs."""

    def __init__(self, latching: bool = True) -> None:
        self.active = [False] * CONDITIONS
        self.level = "Quiet"
        self.audio = "Silent"
        self.last_log = "NoEntry"
        self.logged = 0
        self.latching = latching
        self.paused_for = Fraction(0)  # time since AUDIO PAUSED (the model's clock t_audio)

    def observe(self) -> Mapping[str, object]:
        """The part's own variables by their names in the component, and the shared alarm list and level it writes."""
        shown: dict[str, object] = {f"alarm_on[{i}]": on for i, on in enumerate(self.active)}
        return shown | {
            "level": self.level,
            "audio": self.audio,
            "last_log": self.last_log,
            "logged": self.logged,
            "latching": self.latching,
            "t_audio": self.paused_for,
        }

    def highest(self) -> str:
        """The priority of the highest active alarm condition."""
        if any(self.active[: HIGH_LAST + 1]):
            return "HighAlarm"
        if self.active[MEDIUM]:
            return "MediumAlarm"
        return "LowAlarm" if self.active[LOW] else "Quiet"

    def step(self, event: str, received: object, delay: Fraction) -> bool:
        """One step of the manager (`hear[i]`, `clear[i]`, `resume`, `pause_audio`, `resound`, `delay`)."""
        name, _, index = event.partition("[")
        if name == "hear":
            self.hear(int(index.rstrip("]")))
        elif name == "clear":
            self.clear(int(index.rstrip("]")))
        elif name == "resume":
            self.active[LOW] = False
            self.level = self.highest()
            self.audio = self.audio if any(self.active) else "Silent"
        elif name == "pause_audio" and self.audio == "Sounding":
            self.audio, self.paused_for = "AudioPaused", Fraction(0)
        elif name == "resound" and self.audio == "AudioPaused" and self.paused_for >= AUDIO_PAUSE_MS:
            self.audio = "Sounding" if any(self.active) else "Silent"
        elif name == "delay":
            self.paused_for += delay
        else:
            return False
        return True

    def hear(self, condition: int) -> None:
        """An alarm condition is detected: annunciate it, sound and log it."""
        self.active[condition] = True
        self.level = self.highest()
        self.audio, self.last_log, self.logged = "Sounding", "ErrorEntry", condition

    def clear(self, condition: int) -> None:
        """CANCEL of the alarm at the head of the list: the signal stops only when no alarm is left."""
        self.active[condition] = False
        self.level = self.highest()
        self.audio = self.audio if any(self.active) else "Silent"
        self.last_log = "CancelEntry"


class StaleLevelManager(GpcaAlarmManager):
    """Computes the level shown before adding the alarm it hears: the first alarm leaves the display Quiet."""

    def hear(self, condition: int) -> None:
        level = self.highest()
        super().hear(condition)
        self.level = level


class SilencingClearManager(GpcaAlarmManager):
    """Silences the signal on every CANCEL, even while other alarm conditions stay active."""

    def clear(self, condition: int) -> None:
        super().clear(condition)
        self.audio = "Silent"
