"""`pumpproof show TRACE.json`: render the counterexamples of a saved JSON report again, without re-solving.

The report is validated first (json_report.load) and each counterexample replayed again on the
model when its files are at hand (recheck): a reviewer sees either a re-checked run, drawn from
the model, or a heading that says it shows what the report claims.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from pumpproof.errors import UsageError
from pumpproof.reports import json_report
from pumpproof.reports.graphs import trace_graph, write_graph
from pumpproof.reports.recheck import recheck
from pumpproof.reports.terminal import plain, render_evidence

EXIT_CONFIRMED, EXIT_UNCONFIRMED = 0, 3


def show(
    path: str,
    console: Console,
    graph: str | None = None,
    requirement: str | None = None,
    model: str | None = None,
    requirements: str | None = None,
) -> int:
    """Print the step table and narrative of each counterexample in `path` (or of `requirement`).

    Returns 0 when every one was replayed again on the report's model and requirement files (or on
    `model` and `requirements`, the same files elsewhere), 3 when some could not be. `graph` (.svg,
    .png or .dot) draws the shown counterexample; it needs exactly one, so name the requirement when
    the report has several. A bad report, or a trace that does not replay, raises UsageError.
    """
    doc = json_report.load(path)
    chosen = violated(doc, requirement)
    if graph is not None and len(chosen) > 1:
        ids = ", ".join(r["id"] for r in chosen)
        raise UsageError(
            f"--graph draws one counterexample, and {path} has {len(chosen)}", hint=f"add --id (one of {ids})"
        )
    shown = recheck(doc, chosen, model, requirements)
    described = doc["model"]
    constants = ", ".join(f"{k}={json_report.value(v)}" for k, v in doc["constants"].items())
    where = f"model {described['name']} ({described.get('path', '?')})" + (f", {constants}" if constants else "")
    console.print(plain(f"pumpproof show {path}: {where}, from: {doc['command']}", "dim"))
    for s in shown:
        render_evidence(console, s.cx, s.replayed)
    if graph is not None:
        write_graph(trace_graph(shown[0].cx, prefix=shown[0].cx.req_id), graph)
        console.print(plain(f"graph written to {graph}", "dim"))
    return EXIT_CONFIRMED if all(s.confirmed for s in shown) else EXIT_UNCONFIRMED


def violated(doc: dict[str, Any], requirement: str | None = None) -> list[dict[str, Any]]:
    """The results of a report that have a counterexample, in report order; only `requirement`'s when given."""
    results = doc["results"]
    if requirement is not None:
        results = [r for r in results if r["id"] == requirement]
        if not results:
            known = ", ".join(r["id"] for r in doc["results"])
            raise UsageError(f"the report has no requirement '{requirement}'", hint=f"known: {known}")
        if results[0]["trace"] is None:
            raise UsageError(f"{requirement} is {results[0]['verdict']}: there is no counterexample to show")
    chosen = [r for r in results if r["trace"] is not None]
    if not chosen:
        raise UsageError("the report has no counterexample (nothing was violated)")
    return chosen
