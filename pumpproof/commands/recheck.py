"""Re-checking a saved report's counterexamples before `pumpproof show` calls them confirmed.

A report is a claim, and a file anyone can edit. When the model and requirement files it names
are at hand and unchanged (their SHA-256 match the report's), every shown counterexample is
replayed again by the interpreter (verify.replay) on the model with the report's constants, and
shown as the model tells it (labels, texts, inputs): nothing of the report but the steps is
trusted. A trace that does not replay is refused. Without the files, or for MODEL.TIME (whose
"time cannot pass from here" is not a replay), what is shown is said to be the report's claim.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from pumpproof.errors import InternalError, ReplayError, UsageError
from pumpproof.lang.ir import FALSE, Requirement, RequirementSet, TransitionSystem
from pumpproof.lang.load import load_model, load_requirements
from pumpproof.reports.counterexample import from_json, from_outcome, trace_from_json
from pumpproof.reports.show import Shown
from pumpproof.verify.evaluate import Frame, evaluate
from pumpproof.verify.lasso_replay import replay_lasso
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.problem import RANGES_ID, SafetyProblem
from pumpproof.verify.replay import replay, replay_steps, stopped
from pumpproof.verify.results import Trace, Violated
from pumpproof.verify.run import Outcome, check_requirement, problem_for, ranges_requirement
from pumpproof.verify.runs import DEADLOCK_ID, DEADLOCK_TEXT, TIME_ID, TIME_TEXT, Check

RUNS_TEXT = {DEADLOCK_ID: DEADLOCK_TEXT, TIME_ID: TIME_TEXT}
"""The built-in questions about the model's runs whose findings have counterexamples."""
TIME_CLAIM = "that time cannot pass after the last one is the report's claim (`pumpproof lint` decides it again)"


def recheck(
    doc: dict[str, Any], results: list[dict[str, Any]], model: str | None = None, requirements: str | None = None
) -> list[Shown]:
    """The counterexamples of `results` (entries of `doc`, a report json_report.load accepted), replayed on the
    report's files (or on `model` and `requirements`, which must be the same files elsewhere) when possible.
    UsageError when a trace does not replay."""
    files = {f["role"]: f for f in doc["files"]}
    paths = {"model": model, "requirements": requirements}
    missing = next(filter(None, (_unavailable(role, files.get(role), paths[role]) for role in paths)), None)
    if missing is not None:
        note = f"NOT repeated by `show`: {missing}; shown is what the report claims."
        return [Shown(from_json(r), note, False) for r in results]
    model_path = model or files["model"]["path"]
    system = load_model(model_path, {name: _literal(v) for name, v in doc["constants"].items()})
    reqs = load_requirements(requirements or files["requirements"]["path"], system)
    return [_replayed(system, reqs, r, model_path) for r in results]


def _unavailable(role: str, entry: dict[str, Any] | None, given: str | None) -> str | None:
    """Why the report's `role` file cannot be used for a re-check, or None when it can."""
    flag = f"--{role}"
    if entry is None:
        return f"the report names no {role} file"
    path = given or entry["path"]
    if not os.path.isfile(path):
        return f"the {role} file {path} is not there (give its place with {flag})"
    actual = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if actual != entry["sha256"]:
        recorded = entry["sha256"]
        return f"the {role} file {path} is not the one checked (SHA-256 {actual[:12]}…, the report's {recorded[:12]}…)"
    return None


def _literal(value: int | bool) -> str:
    """A constant's value as `-D` takes it."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _replayed(system: TransitionSystem, reqs: RequirementSet, result: dict[str, Any], model_path: str) -> Shown:
    rid, trace = result["id"], trace_from_json(result["trace"])
    try:
        req, problem, checked, claim = _replay(system, reqs, rid, trace, result)
    except InternalError as err:  # a ReplayError, or the interpreter missing a value the trace should give
        raise UsageError(
            f"the report's counterexample for {rid} is not a run of {model_path} that violates it: {err}",
            hint="the report was edited, or was not written for these files: run 'pumpproof check' again",
        ) from None
    if checked is None:
        return Shown(from_json(result), f"NOT repeated by `show`: {claim}; shown is what the report claims.", False)
    outcome = Outcome(req, Violated(result["engine"], result.get("time_s", 0.0), checked), 0.0, problem)
    if claim:
        return Shown(from_outcome(outcome, system), f"its steps replay again on {model_path}, but {claim}.", False)
    note = f"confirmed again by `show` on {model_path}, whose SHA-256 (and the requirements') match the report."
    return Shown(from_outcome(outcome, system), note, True)


def _replay(
    system: TransitionSystem, reqs: RequirementSet, rid: str, trace: Trace, result: dict[str, Any]
) -> tuple[Requirement, SafetyProblem | LivenessProblem, Trace | None, str]:
    """The requirement, its problem, the replayed trace (None when it cannot be replayed) and what of the
    report's claim is left unchecked ('' when nothing is)."""
    if rid in RUNS_TEXT:
        plain = SafetyProblem(rid, system, FALSE)
        checked, _ = replay_steps(plain, trace if rid == TIME_ID else _finite(trace, rid))
        req = check_requirement(system, Check(rid, RUNS_TEXT[rid], Violated(result["engine"], 0.0, checked), plain))
        if rid == TIME_ID:
            _check_closed(checked)
            return req, plain, checked, TIME_CLAIM
        _check_deadlock(system, checked)
        return req, plain, checked, ""
    if rid == RANGES_ID:
        found = ranges_requirement(system)
        if found is None:
            raise ReplayError(f"{rid}: no integer of the model can leave its range")
    else:
        found = next((r for r in reqs.requirements if r.id == rid), None)
    if found is None:
        raise ReplayError(f"{rid}: the requirements file has no requirement of that id")
    problem = problem_for(system, found)
    if not isinstance(problem, LivenessProblem):
        return found, problem, replay(problem, _finite(trace, rid)), ""
    if not all(s.monitors for s in trace.steps) and any(m.free for m in problem.system.monitors):
        # Reports written before the tableau's guesses were saved cannot be replayed.
        return found, problem, None, "the report does not record the monitor values its lasso needs"
    return found, problem, replay_lasso(problem, trace), ""


def _finite(trace: Trace, rid: str) -> Trace:
    """`trace`, which must be a finite counterexample: a loop there would be drawn as something it is not."""
    if trace.loop_start is not None:
        raise ReplayError(
            f"{rid}: a counterexample of a safety requirement has no loop (loop_start {trace.loop_start})"
        )
    return trace


def _check_closed(trace: Trace) -> None:
    """A witness that time stops in a zero-time loop: its last state is the state the loop returns to."""
    if trace.loop_start is not None and trace.steps[-1].state != trace.steps[trace.loop_start].state:
        raise ReplayError(f"{TIME_ID}: the last step does not return to the state of step {trace.loop_start}")


def _check_deadlock(system: TransitionSystem, trace: Trace) -> None:
    """The interpreter's view of a MODEL.DEADLOCK witness: nothing can be taken in its last state, not a terminal."""
    last = trace.steps[-1]
    if not stopped(system, last.state):
        raise ReplayError(f"{DEADLOCK_ID}: some transition can still be taken in the last state")
    if any(evaluate(t, Frame({**last.state, **last.inputs}, None, 0)) for t in system.terminals):
        raise ReplayError(f"{DEADLOCK_ID}: the last state is a terminal state, where the model may stop")
