"""Run engines on a safety problem, in parallel processes, and accept only independently checked answers.

`auto` starts BMC, k-induction (with Houdini lemmas, then Spacer) and IC3 (Spacer) at once and
takes the first definitive answer. Whatever engine answers, a VIOLATED trace is replayed by the
interpreter and a PROVED certificate is re-checked from its SMT-LIB text before it is returned.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
import traceback
from collections.abc import Callable
from dataclasses import replace

from pumpproof.errors import InternalError, UsageError
from pumpproof.verify import bmc, ic3, kinduction
from pumpproof.verify.budget import Budget
from pumpproof.verify.certificates import recheck
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.replay import replay
from pumpproof.verify.results import Proved, Result, Unknown, Violated

Engine = Callable[[SafetyProblem, Budget], Result]
ENGINES: dict[str, Engine] = {bmc.NAME: bmc.check, kinduction.NAME: kinduction.check, ic3.NAME: ic3.check}
AUTO = "auto"
CHOICES = (AUTO, *ENGINES)


def decide(problem: SafetyProblem, engine: str = AUTO, timeout_s: float = 60.0, max_depth: int | None = None) -> Result:
    """The verdict on `problem`, replayed or re-checked; Unknown when no engine decides in time."""
    if engine != AUTO and engine not in ENGINES:
        raise UsageError(f"unknown engine '{engine}'", hint=f"choose one of: {', '.join(CHOICES)}")
    budget = Budget.seconds(timeout_s, max_depth)
    names = list(ENGINES) if engine == AUTO else [engine]
    result = _race(problem, names, budget) if len(names) > 1 else ENGINES[names[0]](problem, budget)
    return confirm(problem, result)


def confirm(problem: SafetyProblem, result: Result) -> Result:
    """Replay a trace or re-check a certificate; raises InternalError (exit 4) if the engine was wrong."""
    if isinstance(result, Violated):
        return replace(result, trace=replay(problem, result.trace))
    if isinstance(result, Proved):
        recheck(problem, result.certificate)
    return result


def _worker(name: str, problem: SafetyProblem, budget: Budget, out: mp.Queue) -> None:  # type: ignore[type-arg]
    try:
        out.put((name, ENGINES[name](problem, budget), None))
    except Exception:  # noqa: BLE001 - any engine crash is reported to the parent as an internal error
        out.put((name, None, traceback.format_exc()))


def _race(problem: SafetyProblem, names: list[str], budget: Budget) -> Result:
    """First definitive answer among engines running in separate processes; merged Unknown otherwise."""
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    procs = {n: ctx.Process(target=_worker, args=(n, problem, budget, out), daemon=True) for n in names}
    for p in procs.values():
        p.start()
    unknowns: list[Unknown] = []
    try:
        while len(unknowns) < len(names):
            grace = max(budget.deadline - time.time(), 0) + 5.0
            try:
                name, result, crash = out.get(timeout=grace)
            except queue.Empty:
                unknowns += [Unknown(n, budget.deadline - time.time(), 0, "did not answer in time") for n in names]
                break
            if crash is not None:
                raise InternalError(f"engine {name} crashed on {problem.name}:\n{crash}")
            if isinstance(result, (Proved, Violated)):
                return result
            unknowns.append(result)
    finally:
        for p in procs.values():
            if p.is_alive():
                p.kill()
            p.join()
    return merge_unknowns(unknowns)


def merge_unknowns(unknowns: list[Unknown]) -> Unknown:
    """One Unknown for several engines: the deepest BMC depth and every engine's reason."""
    depth = max(
        (u.depth for u in unknowns if u.engine == bmc.NAME), default=max((u.depth for u in unknowns), default=0)
    )
    reasons = "; ".join(f"{u.engine}: {u.reason}" for u in unknowns)
    return Unknown(AUTO, max((u.time_s for u in unknowns), default=0.0), depth, reasons)
