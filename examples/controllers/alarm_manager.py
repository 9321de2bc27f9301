"""A reference controller for the `Manager` part of tests/lang/components/alarm_system.pump, written the way
firmware would be: it hears which alarm a detector raises and escalates, and silences every detector at once.

`AlarmManager` conforms to its component. `ForgetfulManager` has a classic defect of alarm managers: it counts
the alarms it heard from the value before the step, so the third alarm escalates one alarm late. Check one part
alone with `check_conformance(system, lambda: Part(system, "manager", AlarmManager()))`
(pumpproof.verify.analyses.conformance).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

MAX_COUNT = 3


class AlarmManager:
    """Quiet until a detector raises an alarm; a High alarm, or the third alarm heard, makes it ring."""

    def __init__(self) -> None:
        self.level = "Quiet"
        self.count = 0
        self.sounding = False

    def observe(self) -> Mapping[str, object]:
        """The part's own state (its alarm level, the alarms heard, capped) and the model's `sounding`, which it
        writes."""
        return {"level": self.level, "count": self.count, "sounding": self.sounding}

    def step(self, event: str, received: object, delay: Fraction) -> bool:
        """One step the part takes part in; False when the manager would not take it now."""
        if event == "hear" and self.level != "Ringing":
            self.count = min(self.count + 1, MAX_COUNT)
            self.level = "Ringing" if received == "High" or self.count == MAX_COUNT else "Beeping"
            self.sounding = True
            return True
        if event == "mute" and self.level != "Quiet":
            self.level = "Quiet"
            self.sounding = False
            return True
        return event == "delay"


class ForgetfulManager(AlarmManager):
    """Decides the level on the count before this alarm: the third Low alarm only beeps."""

    def step(self, event: str, received: object, delay: Fraction) -> bool:
        if event == "hear" and self.level != "Ringing":
            escalate = received == "High" or self.count == MAX_COUNT
            self.count = min(self.count + 1, MAX_COUNT)
            self.level = "Ringing" if escalate else "Beeping"
            self.sounding = True
            return True
        return super().step(event, received, delay)
