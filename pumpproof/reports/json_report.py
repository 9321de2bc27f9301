"""The machine-readable report (schema `pumpproof-result/1`, documented in the README), and reading it back.

A report read back (by `pumpproof show`) may have been edited or damaged: it must match the JSON
schema shipped with the package (schemas/pumpproof-result-1.schema.json) and have consistent
traces, or it is refused with the first problem found.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from pumpproof.errors import UsageError
from pumpproof.lang.ir import Value
from pumpproof.reports.counterexample import Counterexample, from_outcome
from pumpproof.reports.provenance import RunInfo
from pumpproof.reports.undecided import explored_by
from pumpproof.verify.analyses.vacuity import explain
from pumpproof.verify.results import Proved, Trace, Unknown, Vacuous, Verdict, Violated
from pumpproof.verify.run import Outcome

SCHEMA = "pumpproof-result/1"


def value(v: Value) -> Any:
    """A JSON value: booleans, integers and enum names as they are; non-integer times as "p/q" strings."""
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    return v


def trace_json(trace: Trace, cx: Counterexample | None = None) -> dict[str, Any]:
    """A counterexample as JSON; with its view `cx`, also the labels, shown inputs and watched variables for `show`."""
    out: dict[str, Any] = {
        "loop_start": trace.loop_start,
        "steps": [
            {
                "index": s.index,
                "transition": s.transition,
                "time": value(s.time),
                "elapsed": value(s.elapsed),
                "inputs": {k: value(v) for k, v in s.inputs.items()},
                "state": {k: value(v) for k, v in s.state.items()},
            }
            for s in trace.steps
        ],
    }
    for step, s in zip(out["steps"], trace.steps, strict=True):
        if s.monitors:  # the tableau's guesses of a lasso are needed to replay it again
            step["monitors"] = {k: value(v) for k, v in s.monitors.items()}
    if cx is not None:
        out["timed"] = cx.timed
        out["watched"] = list(cx.watched)
        for step, sv in zip(out["steps"], cx.steps, strict=True):
            step["label"] = sv.label
            step["shown_inputs"] = list(sv.inputs)
    return out


def outcome_json(o: Outcome) -> dict[str, Any]:
    """One requirement's result as JSON."""
    r = o.result
    req = o.requirement
    out: dict[str, Any] = {
        "id": req.id,
        "text": req.text,
        "source": req.source,
        "formula": req.formula_text,
        "formula_parsed": req.formula_parsed,
        "location": str(req.loc) if req.loc else None,
        "verdict": r.verdict.value,
        "engine": r.engine,
        "time_s": round(o.wall_s, 4),
        "depth": None,
        "explored_by": None,
        "reason": None,
        "invariant": None,
        "trace": None,
        "exercised": explain(o.vacuity) if o.vacuity is not None else None,
        "assumptions": list(o.assumptions),
        "notes": list(o.notes),
        "cache": o.cache.value if o.cache is not None else None,
    }
    if isinstance(r, Vacuous):
        out["reason"] = r.reason
    proof = r.proof if isinstance(r, Vacuous) else r
    if isinstance(proof, Proved):
        c = proof.certificate
        out["depth"] = c.k
        out["invariant"] = {"kind": c.kind.value, "k": c.k, "smt2": c.invariant_smt2, "text": c.invariant_text}
    elif isinstance(r, Violated):
        out["depth"] = len(r.trace.steps) - 1
        out["trace"] = trace_json(r.trace, from_outcome(o) if o.problem is not None else None)
    elif isinstance(r, Unknown):
        out["depth"] = r.depth
        out["explored_by"] = explored_by(r)
        out["reason"] = r.reason
    return out


def report(outcomes: list[Outcome], info: RunInfo, model_name: str, exit_code: int) -> dict[str, Any]:
    """The whole JSON document."""
    counts = {v.value.lower(): sum(o.result.verdict is v for o in outcomes) for v in Verdict}
    files = [asdict(f) for f in info.files]
    return {
        "schema": SCHEMA,
        "tool": {"name": "pumpproof", "version": info.tool_version},
        "solvers": info.solvers,
        "python": info.python,
        "platform": info.platform,
        "started": info.started,
        "command": info.command,
        "model": {"name": model_name, **next((f for f in files if f["role"] == "model"), {})},
        "files": files,
        "constants": info.constants,
        "options": info.options,
        "summary": {**counts, "exit_code": exit_code},
        "results": [outcome_json(o) for o in outcomes],
    }


def dumps(doc: dict[str, Any]) -> str:
    """Stable, readable JSON text."""
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


# ---------------------------------------------------------------- reading a report back

SCHEMA_FILE = "pumpproof-result-1.schema.json"
MAX_MESSAGE = 200
"""Characters of a validation message quoted in an error (it may repeat a long value from the file)."""
HINT = "give the file written by 'pumpproof check --json', unchanged"


def load(path: str) -> dict[str, Any]:
    """The pumpproof-result/1 document in `path`; UsageError when it is unreadable, not JSON, or not a valid report."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot read '{path}': {err.strerror or err}", hint=HINT) from None
    except UnicodeDecodeError as err:
        raise UsageError(f"'{path}' is not UTF-8 text (byte {err.start})", hint=HINT) from None
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
            raise UsageError(f"'{path}' is not a pumpproof report (schema {SCHEMA})", hint=HINT)
        _check(doc, path)
    except RecursionError:
        raise UsageError(f"'{path}' is not a pumpproof report: its JSON is nested too deeply", hint=HINT) from None
    except json.JSONDecodeError as err:
        raise UsageError(f"'{path}' is not JSON ({err.msg}, line {err.lineno})", hint=HINT) from None
    except ValueError as err:  # an integer of more digits than Python converts
        raise UsageError(f"'{path}' is not usable JSON ({err})", hint=HINT) from None
    return doc


@functools.cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(resources.files("pumpproof.reports").joinpath("schemas", SCHEMA_FILE).read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _check(doc: dict[str, Any], path: str) -> None:
    """The schema's verdict, then what a schema cannot say: unique ids, steps numbered from 0, one initial
    state, a loop that starts before the last step."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(doc))
    if error is not None:
        message = error.message
        if len(message) > MAX_MESSAGE:  # it quotes a long value: the rule's own words say more
            message = error.schema.get("description") or message[:MAX_MESSAGE] + "…"
        raise _invalid(path, error.json_path, message)
    ids = [r["id"] for r in doc["results"]]
    for i, r in enumerate(doc["results"]):
        problem = "a second result for this id" if ids.index(r["id"]) != i else None
        problem = problem or (_trace_problem(r["trace"]) if r["trace"] is not None else None)
        if problem:
            raise _invalid(path, f"$.results[{i}] ({r['id']})", problem)


def _invalid(path: str, where: str, problem: str) -> UsageError:
    return UsageError(f"'{path}' is not a valid {SCHEMA} report: at {where}: {problem}", hint=HINT)


def _trace_problem(trace: dict[str, Any]) -> str | None:
    """What keeps a saved trace from being a run (steps out of order, a second initial state, a loop
    that starts at or after the last step), or None."""
    steps, loop = trace["steps"], trace["loop_start"]
    for n, step in enumerate(steps):
        if step["index"] != n:
            return f"step {n} has index {step['index']}"
        if (step["transition"] is None) != (n == 0):
            return f"step {n}: only the first step, the initial state, has no transition"
    if loop is not None and loop >= len(steps) - 1:
        return f"loop_start {loop} is not a step before the last (the trace has {len(steps)} steps)"
    return None
