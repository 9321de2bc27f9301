"""Run engines on a safety problem, in parallel processes, and accept only independently checked answers.

`auto` starts BMC, k-induction (with Houdini lemmas, then Spacer), IC3 (Spacer) and the
scaled-constant extrapolation at once and takes the first definitive answer. Whatever engine
answers, a VIOLATED trace is replayed by the interpreter and a PROVED certificate is re-checked
from its SMT-LIB text before it is returned.

Every engine runs in a child process, one engine alone too, so the timeout of a question is a
deadline: an engine that overruns its budget is killed GRACE_S after it, and its answer is UNKNOWN.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import queue
import signal
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial

from pumpproof.errors import InternalError, ReplayError, TooManyStates, UsageError
from pumpproof.lang.ir import FALSE
from pumpproof.verify.budget import GRACE_S, Budget
from pumpproof.verify.certificates import RECHECK_S, Undecided, recheck
from pumpproof.verify.engines import Engine, bmc, dfs, extrapolate, ic3, kinduction, kliveness, lasso
from pumpproof.verify.lasso_replay import replay_lasso
from pumpproof.verify.ltl import LivenessProblem, k_liveness
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.replay import replay
from pumpproof.verify.results import Certificate, CertificateKind, Proved, Result, Search, Unknown, Violated
from pumpproof.verify.slots import engines_running

ENGINES: dict[str, Engine] = {
    bmc.NAME: bmc.check,
    kinduction.NAME: kinduction.check,
    ic3.NAME: ic3.check,
    extrapolate.NAME: extrapolate.check,
    dfs.NAME: dfs.check,
}
AUTO = "auto"
CHOICES = (AUTO, *ENGINES)
NEVER_PROVES = frozenset({bmc.NAME, extrapolate.NAME, dfs.NAME, lasso.NAME})
"""Engines that only find violations: a deterministic race does not wait for them once a proof is in."""
NEVER_REFUTES = frozenset({kliveness.NAME})
"""Engines that only prove (k-liveness's violations mean only that K was too small)."""
NO_BAD_STATE = "simplification"
"""What answers a problem whose bad states simplified to `false`: no engine is started; the certificate `true` is
re-checked like any other."""


def decide(
    problem: SafetyProblem,
    engine: str = AUTO,
    timeout_s: float = 60.0,
    max_depth: int | None = None,
    deterministic: bool = False,
) -> Result:
    """The verdict on `problem`, replayed or re-checked; Unknown when no engine decides in time. `deterministic`:
    see `race`."""
    if engine != AUTO and engine not in ENGINES:
        raise UsageError(f"unknown engine '{engine}'", hint=f"choose one of: {', '.join(CHOICES)}")
    if problem.bad == FALSE:  # no state is bad (a model whose one step is always enabled: whether a run stops)
        return confirm(problem, Proved(NO_BAD_STATE, 0.0, Certificate(CertificateKind.INDUCTIVE, 1, "true", "true")))
    names = list(ENGINES) if engine == AUTO else [engine]
    with engines_running(len(names)):  # the budget starts once every engine can run
        budget = Budget.seconds(timeout_s, max_depth)
        result = race({n: partial(ENGINES[n], problem, budget) for n in names}, budget, problem.name, deterministic)
    return confirm(problem, result, timeout_s)


def decide_liveness(
    problem: LivenessProblem,
    engine: str = AUTO,
    timeout_s: float = 60.0,
    max_depth: int | None = None,
    deterministic: bool = False,
) -> Result:
    """The verdict on a liveness requirement: a replayed lasso, a re-checked k-liveness proof, or Unknown.

    Every engine choice runs both halves: the lasso search refutes, k-liveness proves; `engine`
    picks the safety engine k-liveness uses (auto, and the engines that cannot prove: k-induction
    with lemmas, then Spacer).
    """
    if engine != AUTO and engine not in ENGINES:
        raise UsageError(f"unknown engine '{engine}'", hint=f"choose one of: {', '.join(CHOICES)}")
    refutes_only = engine == AUTO or engine in NEVER_PROVES
    safety: list[Engine] = [ic3.check, kinduction.check] if refutes_only else [ENGINES[engine]]
    with engines_running(2):
        budget = Budget.seconds(timeout_s, max_depth)
        tasks = {
            lasso.NAME: partial(lasso.check, problem, budget),
            kliveness.NAME: partial(kliveness.check, problem, budget, safety),
        }
        result = race(tasks, budget, problem.name, deterministic)
    if isinstance(result, Violated):
        try:
            return replace(result, trace=replay_lasso(problem, result.trace))
        except TooManyStates as err:
            return unconfirmed(result, err)
    if isinstance(result, Proved):
        assert result.certificate.rounds is not None
        return _rechecked(k_liveness(problem, result.certificate.rounds), result, timeout_s)
    return result


def confirm(problem: SafetyProblem, result: Result, timeout_s: float = RECHECK_S) -> Result:
    """Replay a trace or re-check a certificate (each obligation within `timeout_s`); raises InternalError (exit 4)
    if the engine was wrong, and answers Unknown when the re-check cannot decide."""
    if isinstance(result, Violated):
        try:
            return replace(result, trace=replay(problem, result.trace))
        except TooManyStates as err:
            return unconfirmed(result, err)
    if isinstance(result, Proved):
        return _rechecked(problem, result, timeout_s)
    return result


def _rechecked(problem: SafetyProblem, proof: Proved, timeout_s: float) -> Proved | Unknown:
    """`proof` once its certificate passes the re-check; Unknown when the re-check cannot decide it."""
    try:
        recheck(problem, proof.certificate, timeout_s)
    except Undecided as err:
        return Unknown(proof.engine, proof.time_s, f"a proof from {proof.engine} could not be re-checked: {err}")
    return proof


def unconfirmed(result: Violated, err: TooManyStates) -> Unknown:
    """A trace the interpreter could not replay within its limits: never shown, the requirement stays UNKNOWN."""
    reason = f"a counterexample from {result.engine} could not be replayed ({err.message})"
    return Unknown(result.engine, result.time_s, reason)


def _worker(name: str, task: Callable[[], Result], out: mp.Queue, parent: int) -> None:
    _die_with_parent(parent)
    try:
        out.put((name, task(), None))
    except Exception:  # noqa: BLE001 - any engine crash is reported to the parent as an internal error
        out.put((name, None, traceback.format_exc()))


def _die_with_parent(parent: int) -> None:
    """An engine process ends with the one that started it, however that ends (Linux: parent-death signal;
    elsewhere the parent's handlers and `race`'s finally do it). Interrupts are the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGHUP})
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


PR_SET_PDEATHSIG = 1
_RUNNING: set[mp.process.BaseProcess] = set()
"""The engine processes alive now, for `end_engines`."""


def end_engines() -> None:
    """Kill every engine process still running: the command is ending (a signal), whatever the parent is doing."""
    for p in list(_RUNNING):
        if p.is_alive():
            p.kill()


def race(tasks: Mapping[str, Callable[[], Result]], budget: Budget, label: str, deterministic: bool = False) -> Result:
    """First definitive answer among tasks running in separate (forked) processes; merged Unknown otherwise.

    `deterministic`: the answer of the first task in `tasks`' order that gives one, whichever finishes first.
    Once a task has answered, the race waits only for the tasks before it that could give that answer too
    (not for BMC once a proof is in), so the same question gets the same engine, trace and invariant on every
    run, unless a task's answer comes so close to the deadline that timing decides whether it counts.
    A task still running GRACE_S after the deadline is killed and counts as Unknown ("timed out after N s").
    """
    names = list(tasks)
    started = time.time()
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    procs = {n: ctx.Process(target=_worker, args=(n, tasks[n], out, os.getpid()), daemon=True) for n in names}
    for p in procs.values():
        p.start()
        _RUNNING.add(p)
    unknowns: dict[str, Unknown] = {}
    best: tuple[str, Proved | Violated] | None = None  # deterministic: the first task in order that answered
    try:
        while len(unknowns) < len(names) and not (best is not None and not _awaited(names, unknowns, *best)):
            try:
                name, result, crash = out.get(timeout=max(budget.deadline + GRACE_S - time.time(), 0))
            except queue.Empty:
                if best is not None:
                    return best[1]
                limit = f"timed out after {round(max(budget.deadline - started, 0), 1):g} s"
                unknowns |= {n: Unknown(n, time.time() - started, limit) for n in names if n not in unknowns}
                break
            if crash is not None:
                raise InternalError(f"engine {name} crashed on {label}:\n{crash}")
            if isinstance(result, Unknown):
                unknowns[name] = result
            elif not deterministic:
                return result
            elif best is None or names.index(name) < names.index(best[0]):
                best = (name, result)
        if best is not None:
            return best[1]
    finally:
        for p in procs.values():
            if p.is_alive():
                p.kill()
            p.join()
            _RUNNING.discard(p)
    answers = [unknowns[n] for n in names]
    return answers[0] if len(answers) == 1 else merge_unknowns(answers)


def _awaited(names: list[str], unknowns: Mapping[str, Unknown], name: str, answer: Proved | Violated) -> list[str]:
    """The tasks a deterministic race still waits for: those before `name` that could give `answer` too."""
    cannot = NEVER_PROVES if isinstance(answer, Proved) else NEVER_REFUTES
    return [n for n in names[: names.index(name)] if n not in unknowns and n not in cannot]


def merge_unknowns(unknowns: list[Unknown]) -> Unknown:
    """One Unknown for several engines: every engine's reason, and the search that got furthest (BMC before
    k-induction's base case at the same depth: both are bounded model checking, BMC's is the one it names)."""
    reasons = "; ".join(f"{u.engine}: {u.reason}" for u in unknowns)
    time_s = max((u.time_s for u in unknowns), default=0.0)
    searched = [u for u in unknowns if u.depth is not None and u.explored_by is not None]
    if not searched:
        return Unknown(AUTO, time_s, reasons)
    furthest = max(searched, key=lambda u: (u.depth, u.explored_by is Search.BMC))
    return Unknown(AUTO, time_s, reasons, furthest.depth, furthest.explored_by)


TOTAL_TIMEOUT = "total timeout reached"


@dataclass(frozen=True)
class Options:
    """How to run the engines: `timeout_s` per question, and optionally a deadline for the whole run."""

    engine: str = AUTO
    timeout_s: float = 60.0
    max_depth: int | None = None
    total_deadline: float | None = None
    """Seconds since the epoch after which no question is asked (`--total-timeout`); None: no bound."""
    deterministic: bool = False
    """Engines answer in a fixed order of preference, not first come (`--deterministic`; see `race`)."""

    def question_s(self) -> float:
        """The seconds the next question may take: `timeout_s`, cut short by the total deadline (0 once past it)."""
        if self.total_deadline is None:
            return self.timeout_s
        return max(min(self.timeout_s, self.total_deadline - time.time()), 0.0)


def reused(problem: SafetyProblem | LivenessProblem, proof: Proved) -> Proved | None:
    """`proof` (from a related model with the same variables and transitions, such as the unmutated one) as a
    proof of `problem`, when its invariant passes `problem`'s own obligations (re-checked as every proof is);
    None when it does not, or when the proof has no invariant to re-check."""
    cert = proof.certificate
    if cert.kind is CertificateKind.EXHAUSTIVE or (isinstance(problem, LivenessProblem) and cert.rounds is None):
        return None
    start = time.time()
    try:
        if isinstance(problem, LivenessProblem):
            assert cert.rounds is not None
            recheck(k_liveness(problem, cert.rounds), cert)
        else:
            recheck(problem, cert)
    except (InternalError, Undecided):
        return None
    engine = proof.engine if proof.engine.endswith(REUSED) else f"{proof.engine}{REUSED}"  # reused again: said once
    return Proved(engine, time.time() - start, cert)


REUSED = ", invariant reused"
"""How the engine of a proof whose invariant was reused is named: the engine that found it, then this."""


def carried(problem: SafetyProblem | LivenessProblem, earlier: Result | None) -> Proved | Violated | None:
    """`earlier` (the answer a related model, such as the unmutated one, gave to the same question) as the answer to
    `problem` when it still holds here: a proof whose invariant passes this problem's obligations (`reused`), a
    finite run (a lasso, for a liveness problem) the interpreter replays on it; None otherwise."""
    if isinstance(earlier, Proved):
        return reused(problem, earlier)
    if not isinstance(earlier, Violated) or (earlier.trace.loop_start is None) != isinstance(problem, SafetyProblem):
        return None
    try:
        if isinstance(problem, LivenessProblem):  # a lasso: its stem and loop replayed with the tableau's monitors
            return replace(earlier, trace=replay_lasso(problem, earlier.trace))
        return replace(earlier, trace=replay(problem, earlier.trace))
    except (ReplayError, TooManyStates):
        return None


@dataclass
class Questions:
    """Asks the engines questions by name, trying first the answer a related model gave to each (`carried`), and
    keeps every answer, for the next related model."""

    options: Options
    earlier: Mapping[str, Result] = field(default_factory=dict)
    asked: dict[str, Result] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)
    """The questions whose earlier answer was carried over (not decided again)."""

    def ask(self, problem: SafetyProblem, decide: Callable[[SafetyProblem], Result] | None = None) -> Result:
        """The answer to `problem`: carried over when it still holds, else decided (by `decide`; default: the
        engines `options` name)."""
        kept = carried(problem, self.earlier.get(problem.name))
        if kept is not None:
            self.kept.add(problem.name)
        result = kept or (decide(problem) if decide is not None else verdict(problem, self.options))
        self.asked[problem.name] = result
        return result


def verdict(problem: SafetyProblem | LivenessProblem, options: Options) -> Result:
    """Decide a problem of either kind with the engines `options` name; Unknown once the total deadline has passed."""
    timeout_s = options.question_s()
    if timeout_s <= 0:
        return Unknown(options.engine, 0.0, TOTAL_TIMEOUT)
    if isinstance(problem, LivenessProblem):
        return decide_liveness(problem, options.engine, timeout_s, options.max_depth, options.deterministic)
    return decide(problem, options.engine, timeout_s, options.max_depth, options.deterministic)
