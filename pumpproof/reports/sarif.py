"""SARIF 2.1.0 for code-scanning tools: one result per violated or unknown requirement.

Each result points at the requirement in its `.req` file, with the model as a related location;
the rule is the requirement itself (ruleId = requirement id). No timestamps: the log depends on
the inputs only. Viewers show message texts as they are, so every string of the log is written
with hidden characters as escapes (`visible_lines`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pumpproof.lang.characters import visible_lines
from pumpproof.lang.ir import Requirement, TransitionSystem
from pumpproof.lang.location import Location
from pumpproof.output import write_atomically
from pumpproof.reports.counterexample import from_outcome
from pumpproof.reports.narrative import narrate
from pumpproof.reports.provenance import RunInfo
from pumpproof.reports.undecided import explored_by, not_decided
from pumpproof.verify.results import Unknown, Vacuous, Violated
from pumpproof.verify.run import Outcome

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def sarif_log(system: TransitionSystem, reqs_path: str, outcomes: list[Outcome], info: RunInfo) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    model_path = next((f.path for f in info.files if f.role == "model"), None)
    rules = [_rule(o.requirement) for o in outcomes]
    index = {o.requirement.id: i for i, o in enumerate(outcomes)}
    results = [_result(system, o, index[o.requirement.id], reqs_path, model_path) for o in outcomes]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pumpproof",
                "version": info.tool_version,
                "semanticVersion": info.tool_version,
                "rules": rules,
            }
        },
        "invocations": [{"commandLine": info.command, "executionSuccessful": True}],
        "artifacts": [
            {"location": {"uri": _uri(f.path)}, "roles": ["analysisTarget"], "hashes": {"sha-256": f.sha256}}
            for f in info.files
        ],
        "results": [r for r in results if r is not None],
        "properties": {"solvers": info.solvers, "python": info.python, "constants": info.constants},
    }
    return _escape_hidden({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]})


def _escape_hidden(value: Any) -> Any:
    """A JSON-ready value with the hidden characters of every string in it written as escapes."""
    if isinstance(value, str):
        return visible_lines(value)
    if isinstance(value, dict):
        return {k: _escape_hidden(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape_hidden(v) for v in value]
    return value


def dumps(log: dict[str, Any]) -> str:
    """Stable, readable JSON text."""
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def write_sarif(path: str, system: TransitionSystem, reqs_path: str, outcomes: list[Outcome], info: RunInfo) -> None:
    """Write the SARIF log to `path`."""
    write_atomically(path, dumps(sarif_log(system, reqs_path, outcomes, info)))


def _rule(req: Requirement) -> dict[str, Any]:
    return {
        "id": req.id,
        "shortDescription": {"text": req.text},
        "fullDescription": {"text": f"{req.text} Formula: {req.formula_text}"},
        "help": {"text": f"Source: {req.source}. Formula: {req.formula_text}"},
        "properties": {"source": req.source, "formula": req.formula_text},
    }


def _result(
    system: TransitionSystem, o: Outcome, rule_index: int, reqs_path: str, model_path: str | None
) -> dict[str, Any] | None:
    req, r = o.requirement, o.result
    if isinstance(r, Violated):
        level = "error"
        text = " ".join(narrate(from_outcome(o, system))[-1:])
        props: dict[str, Any] = {"verdict": "VIOLATED", "engine": r.engine, "steps": len(r.trace.steps) - 1}
    elif isinstance(r, Vacuous):
        level = "error"
        text = f"{req.id} holds only vacuously: {r.reason}. {req.text}"
        props = {"verdict": "VACUOUS", "engine": r.engine}
    elif isinstance(r, Unknown):
        level = "warning"
        text = f"{req.id}: {not_decided(r)}. {req.text}"
        props = {"verdict": "UNKNOWN", "engine": r.engine, "depth": r.depth, "explored_by": explored_by(r)}
    else:
        return None
    model_loc = system.loc if system.loc is not None and model_path is not None else None
    primary = req.loc or Location(reqs_path, 1, 1)
    related = []
    if model_path is not None:
        line = model_loc.line if model_loc else 1
        region = {"startLine": line}
        related.append(
            {
                "id": 1,
                "physicalLocation": {"artifactLocation": {"uri": _uri(model_path)}, "region": region},
                "message": {"text": f"model {system.name}"},
            }
        )
    return {
        "ruleId": req.id,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": text},
        "locations": [{"physicalLocation": _physical(primary)}],
        "relatedLocations": related,
        "properties": props,
    }


def _physical(loc: Location) -> dict[str, Any]:
    return {"artifactLocation": {"uri": _uri(loc.file)}, "region": {"startLine": loc.line, "startColumn": loc.col}}


def _uri(path: str) -> str:
    """A relative path as a relative URI reference, an absolute one as a file URI."""
    p = Path(path)
    # A file name that is not UTF-8 arrives with surrogate escapes: percent-encode its original bytes.
    return p.as_uri() if p.is_absolute() else quote(p.as_posix(), errors="surrogateescape")
