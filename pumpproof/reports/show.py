"""`pumpproof show TRACE.json`: render the counterexamples of a saved JSON report again, without re-solving."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from pumpproof.errors import UsageError
from pumpproof.reports.counterexample import Counterexample, from_json
from pumpproof.reports.graphs import trace_graph, write_graph
from pumpproof.reports.json_report import SCHEMA
from pumpproof.reports.terminal import render_evidence


def show(path: str, console: Console, graph: str | None = None, requirement: str | None = None) -> int:
    """Print the step table and narrative of each counterexample in `path` (or of `requirement`); 0 on success.

    `graph` (.svg, .png or .dot) draws the shown counterexample; it needs exactly one, so name the
    requirement when the report has several. Bad input raises UsageError.
    """
    doc = load_report(path)
    chosen = counterexamples(doc, requirement)
    if graph is not None and len(chosen) > 1:
        ids = ", ".join(cx.req_id for cx in chosen)
        raise UsageError(
            f"--graph draws one counterexample, and {path} has {len(chosen)}", hint=f"add --id (one of {ids})"
        )
    model = doc.get("model") or {}
    where = f"model {model.get('name', '?')} ({model.get('path', '?')})"
    console.print(Text(f"pumpproof show {path}: {where}, from: {doc.get('command', '?')}", style="dim"), markup=False)
    for cx in chosen:
        render_evidence(console, cx, "confirmed when the report was written (not repeated by `show`).")
    if graph is not None:
        write_graph(trace_graph(chosen[0], prefix=chosen[0].req_id), graph)
        console.print(Text(f"graph written to {graph}", style="dim"), markup=False)
    return 0


def load_report(path: str) -> dict[str, Any]:
    """A pumpproof-result/1 document (UsageError if unreadable or of another schema)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise UsageError(
            f"cannot read '{path}': {err.strerror or err}", hint="give the file written by --json"
        ) from None
    except json.JSONDecodeError as err:
        raise UsageError(
            f"'{path}' is not JSON ({err.msg}, line {err.lineno})", hint="give the file written by --json"
        ) from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise UsageError(
            f"'{path}' is not a pumpproof report (schema {SCHEMA})", hint="give the file written by --json"
        )
    return doc


def counterexamples(doc: dict[str, Any], requirement: str | None = None) -> list[Counterexample]:
    """The counterexamples of a report, in report order; only `requirement`'s when given."""
    results = doc.get("results", [])
    if requirement is not None:
        results = [r for r in results if r.get("id") == requirement]
        if not results:
            known = ", ".join(r.get("id", "?") for r in doc.get("results", []))
            raise UsageError(f"the report has no requirement '{requirement}'", hint=f"known: {known}")
        if results[0].get("trace") is None:
            verdict = results[0].get("verdict", "?")
            raise UsageError(f"{requirement} is {verdict}: there is no counterexample to show")
    chosen = [from_json(r) for r in results if r.get("trace") is not None]
    if not chosen:
        raise UsageError("the report has no counterexample (nothing was violated)")
    return chosen
