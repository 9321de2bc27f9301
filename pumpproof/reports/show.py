"""Printing `pumpproof show`: a saved report's counterexamples, each with how far it was re-checked, and its graph.

`violated` picks the report's results that have a counterexample; `pumpproof.commands.show` replays them
again (recheck) before they are rendered here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console

from pumpproof.errors import UsageError
from pumpproof.reports import json_report
from pumpproof.reports.counterexample import Counterexample
from pumpproof.reports.graphs import trace_graph, write_graph
from pumpproof.reports.terminal import plain, render_evidence


@dataclass(frozen=True)
class Shown:
    """A counterexample to show; `replayed` completes "Replayed on the model by the interpreter: "."""

    cx: Counterexample
    replayed: str
    confirmed: bool


def render(console: Console, path: str, doc: dict[str, Any], shown: list[Shown], graph: str | None = None) -> None:
    """The report's model and command, then each counterexample's table and narrative; the first drawn to `graph`."""
    described = doc["model"]
    constants = ", ".join(f"{k}={json_report.value(v)}" for k, v in doc["constants"].items())
    where = f"model {described['name']} ({described.get('path', '?')})" + (f", {constants}" if constants else "")
    console.print(plain(f"pumpproof show {path}: {where}, from: {doc['command']}", "dim"))
    for s in shown:
        render_evidence(console, s.cx, s.replayed)
    if graph is not None:
        write_graph(trace_graph(shown[0].cx, prefix=shown[0].cx.req_id), graph)
        console.print(plain(f"graph written to {graph}", "dim"))


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
