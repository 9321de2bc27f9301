"""`lint`: dead transitions, unreached values, deadlocks and timelocks of a model."""

from __future__ import annotations

import argparse

from rich.console import Console

from pumpproof.commands.inputs import load_model, options
from pumpproof.exits import finding_code
from pumpproof.reports.terminal import plain


def run(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    """1 for a finding, else 3 when some question is undecided, else 0."""
    from pumpproof.reports.lint import render
    from pumpproof.verify.analyses.lint import lint

    system = load_model(args)
    with console.status(plain(f"linting {system.name}"), spinner="dots"):
        found = lint(system, options(args))
    render(console, found)
    return finding_code(bool(found.findings), not found.clean)
