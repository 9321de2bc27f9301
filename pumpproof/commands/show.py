"""`show`: a saved JSON report's counterexamples again, replayed on the model when it is there; a graph on request."""

from __future__ import annotations

import argparse

from rich.console import Console

from pumpproof.errors import UsageError
from pumpproof.exits import EXIT_PROVED, EXIT_UNKNOWN
from pumpproof.output import refuse_clashes, refuse_unwritable


def run(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    """0 when every counterexample shown was replayed again on unchanged files, 3 when some is only claimed."""
    from pumpproof.reports.graphs import format_of

    files = (args.model, args.requirements)
    if args.graph is not None:
        refuse_clashes([("--graph", args.graph)], [], [args.report, *filter(None, files)])
        refuse_unwritable([("--graph", args.graph)])
        format_of(args.graph)  # a bad file name is refused before anything is shown
    return show(args.report, console, args.graph, args.id, *files)


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
    from pumpproof.commands.recheck import recheck
    from pumpproof.reports import json_report
    from pumpproof.reports.show import render, violated

    doc = json_report.load(path)
    chosen = violated(doc, requirement)
    if graph is not None and len(chosen) > 1:
        ids = ", ".join(r["id"] for r in chosen)
        raise UsageError(
            f"--graph draws one counterexample, and {path} has {len(chosen)}", hint=f"add --id (one of {ids})"
        )
    shown = recheck(doc, chosen, model, requirements)
    render(console, path, doc, shown, graph)
    return EXIT_PROVED if all(s.confirmed for s in shown) else EXIT_UNKNOWN
