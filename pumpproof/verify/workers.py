"""Tasks on forked worker processes, results in the tasks' order: `check -j N` and the local `sweep`.

Each worker is an ordinary engine-owning process: it ends with the command (a parent-death signal, and the
parent's `end_engines` on SIGTERM, SIGHUP and Ctrl-C kills the workers like engines), and its own engine
processes end with it. While the workers run, every portfolio they start takes its engines' slots from one
`slots.EngineSlots` (see `pumpproof.verify.slots` for why).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import queue
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pumpproof.errors import InternalError
from pumpproof.verify import portfolio, slots

T = TypeVar("T")
R = TypeVar("R")
POLL_S = 0.5
"""How often the parent looks whether a worker died without a word (killed by the OOM killer, say)."""


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def ordered(
    task: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    done: Callable[[int], None] | None = None,
    fixed: bool = False,
) -> list[R]:
    """`task(item)` for every item, `jobs` at a time in forked processes, returned in the items' order; `done(i)` is
    called in this process as item i's result comes in. An exception in a task is raised here (the first to come),
    after every worker has been stopped.

    Each worker takes the next item left as it becomes free; `fixed`: worker w takes items w, w + jobs, ... in turn
    instead, so that each item is decided after the same others in the same process on every run (Z3 words an
    invariant after the terms its process has seen: `--deterministic` needs this)."""
    if jobs <= 1 or len(items) <= 1:
        serial = []
        for i, item in enumerate(items):
            serial.append(task(item))
            if done is not None:
                done(i)
        return serial
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    count = min(jobs, len(items))
    queues = [ctx.Queue() for _ in range(count if fixed else 1)]
    for i in range(len(items)):
        queues[i % len(queues)].put(i)
    for n in range(count):
        queues[n % len(queues)].put(None)
    previous = slots.SHARED
    slots.SHARED = slots.EngineSlots(slots.limit(cores())) if previous is None else previous
    workers = [
        ctx.Process(target=_work, args=(task, items, queues[n % len(queues)], out, os.getpid())) for n in range(count)
    ]
    results: dict[int, Any] = {}
    try:
        for w in workers:
            w.start()
            portfolio._RUNNING.add(w)
        while len(results) < len(items):
            try:
                i, result, error = out.get(timeout=POLL_S)
            except queue.Empty:
                if not any(w.is_alive() for w in workers) and out.empty():
                    raise InternalError("a worker process ended without its results") from None
                continue
            if error is not None:
                raise error
            results[i] = result
            if done is not None:
                done(i)
    finally:
        slots.SHARED = previous
        for w in workers:
            if w.is_alive():
                w.kill()
            w.join()
            portfolio._RUNNING.discard(w)
    return [results[i] for i in range(len(items))]


def _work(task: Callable[[Any], Any], items: Sequence[Any], todo: mp.Queue, out: mp.Queue, parent: int) -> None:
    """A worker: the items whose indices it takes from `todo`, until None."""
    portfolio._die_with_parent(parent)
    portfolio._RUNNING.clear()  # the siblings forked before this one are the parent's to end
    while (i := todo.get()) is not None:
        try:
            out.put((i, task(items[i]), None))
        except Exception as err:  # noqa: BLE001 - raised again in the parent
            out.put((i, None, _portable(err)))


def _portable(err: Exception) -> Exception:
    """`err` if it survives pickling (a PumpproofError keeps its type, location and hint), else an InternalError
    with its traceback."""
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:  # noqa: BLE001 - any exception that cannot be sent is described instead
        return InternalError("a worker failed:\n" + "".join(traceback.format_exception(err)))
