"""The machine-readable report (schema `pumpproof-result/1`, documented in the README)."""

from __future__ import annotations

import json
from dataclasses import asdict
from fractions import Fraction
from typing import Any

from pumpproof.lang.ir import Value
from pumpproof.reports.counterexample import Counterexample, from_outcome
from pumpproof.reports.provenance import RunInfo
from pumpproof.verify.results import Proved, Trace, Unknown, Vacuous, Verdict, Violated
from pumpproof.verify.run import Outcome
from pumpproof.verify.vacuity import explain

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
        "reason": None,
        "invariant": None,
        "trace": None,
        "exercised": explain(o.vacuity) if o.vacuity is not None else None,
        "assumptions": list(o.assumptions),
        "notes": list(o.notes),
    }
    if isinstance(r, Vacuous):
        out["reason"] = r.reason
    proof = r.proof if isinstance(r, Vacuous) else r
    if isinstance(proof, Proved):
        c = proof.certificate
        out["depth"] = c.k
        out["invariant"] = {"kind": c.kind, "k": c.k, "smt2": c.invariant_smt2, "text": c.invariant_text}
    elif isinstance(r, Violated):
        out["depth"] = len(r.trace.steps) - 1
        out["trace"] = trace_json(r.trace, from_outcome(o) if o.problem is not None else None)
    elif isinstance(r, Unknown):
        out["depth"] = r.depth
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
