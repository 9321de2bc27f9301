"""Engine slots: how many engine processes every portfolio of a parallel run may have alive at once, together.

`check -j N` decides N requirements at a time, each by a portfolio of up to five engine processes. Left alone,
N portfolios would start 5N engines on a machine of a few cores: each engine would get a fraction of a core, its
wall-clock timeout would expire on less work, and a question decided at `-j 1` could turn UNKNOWN. So a parallel
run shares a fixed number of slots, `limit(cores)`, between its portfolios, and a question takes one slot per
engine, all of them before any engine starts (its timeout starts counting then): every question is raced by
the same engines with the same time as at `-j 1`, so the verdicts are the same. Running fewer engines when the
share is small (in order of preference) would use the cores better but is not sound for the verdicts: BMC alone
never ends on a provable question, k-induction alone never finds a tick-counter trace of 2T steps, and whichever
engine came second would then wait for the first one's timeout.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

WIDEST_PORTFOLIO = 5
"""The most engines one question races (`auto` on a safety question: BMC, k-induction, IC3, extrapolation and the
depth-first search)."""


def limit(cores: int) -> int:
    """The engine processes a parallel run keeps alive at once: the cores, but never fewer than one whole portfolio
    (what `-j 1` runs anyway), so that every question can start all its engines."""
    return max(cores, WIDEST_PORTFOLIO)


class EngineSlots:
    """A counter shared by forked worker processes: `held(n)` waits until n slots are free and keeps them."""

    def __init__(self, size: int) -> None:
        ctx = mp.get_context("fork")
        self.size = size
        self._free = ctx.Semaphore(size)
        # Taking several slots is done under one lock: two questions each holding half of them, each waiting
        # for the other half, would wait forever. Releasing needs no lock.
        self._taking = ctx.Lock()

    @contextmanager
    def held(self, engines: int) -> Iterator[None]:
        """Hold `engines` slots (at most all of them) while the block runs."""
        wanted = min(max(engines, 1), self.size)
        taken = 0
        try:
            with self._taking:
                for _ in range(wanted):
                    self._free.acquire()
                    taken += 1
            yield
        finally:
            for _ in range(taken):
                self._free.release()


class Slots(Protocol):
    """Anything that holds engine slots: `EngineSlots` for forked workers, a Dask semaphore for a LocalCluster's."""

    def held(self, engines: int) -> AbstractContextManager[None]: ...


SHARED: Slots | None = None
"""The slots of the parallel run this process belongs to (set before its workers are forked); None: no bound,
a portfolio starts its engines at once (a run of one requirement at a time)."""


@contextmanager
def engines_running(engines: int) -> Iterator[None]:
    """While the block runs, `engines` engine processes count against the run's slots (nothing without a bound)."""
    if SHARED is None:
        yield
        return
    with SHARED.held(engines):
        yield
