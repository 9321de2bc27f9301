"""`show`: a saved JSON report's counterexamples again, replayed on the model when it is there; a graph on request."""

from __future__ import annotations

import argparse

from rich.console import Console

from pumpproof.output import refuse_clashes, refuse_unwritable


def run(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    """0 when every counterexample shown was replayed again on unchanged files, 3 when some is only claimed."""
    from pumpproof.reports.graphs import format_of
    from pumpproof.reports.show import show

    files = (args.model, args.requirements)
    if args.graph is not None:
        refuse_clashes([("--graph", args.graph)], [], [args.report, *filter(None, files)])
        refuse_unwritable([("--graph", args.graph)])
        format_of(args.graph)  # a bad file name is refused before anything is shown
    return show(args.report, console, args.graph, args.id, *files)
