"""How long an engine may run, and how deep BMC may go."""

from __future__ import annotations

import time
from dataclasses import dataclass

GRACE_S = 1.0
"""How long past its deadline an engine's process may run before it is killed (its answer is then UNKNOWN)."""


@dataclass(frozen=True)
class Budget:
    """A wall-clock deadline (seconds since the epoch) and an optional depth bound for unrolling engines."""

    deadline: float
    max_depth: int | None = None

    @staticmethod
    def seconds(timeout_s: float, max_depth: int | None = None) -> Budget:
        """A budget ending `timeout_s` seconds from now."""
        return Budget(time.time() + timeout_s, max_depth)

    def remaining_ms(self) -> int:
        """Milliseconds left (at least 1), for Z3's timeout parameter."""
        return max(1, int((self.deadline - time.time()) * 1000))

    def expired(self) -> bool:
        """True once the deadline has passed."""
        return time.time() >= self.deadline
