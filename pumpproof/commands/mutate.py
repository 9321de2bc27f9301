"""`mutate`: the requirements on the unmutated model, then on every mutant, with a progress bar; the score."""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pumpproof.commands.inputs import load, options
from pumpproof.errors import UsageError
from pumpproof.exits import finding_code
from pumpproof.reports import mutation_report
from pumpproof.verify.analyses import mutate, survivors


def run(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    """1 when a mutant survives (with `--baseline`: one the baseline does not list), else 3 when one is undecided,
    else 0."""
    reviewed = survivors.read(args.baseline) if args.baseline else None
    if args.write_baseline and Path(args.write_baseline).exists():
        raise UsageError(f"{args.write_baseline} exists; the baseline is written only to a new file")
    system, reqs = load(args)
    names = mutate.transitions(system)
    unknown = [t for t in args.transition if t not in names]
    if unknown:
        raise UsageError(
            f"--transition names unknown transition(s): {', '.join(unknown)}", hint=f"known: {', '.join(names)}"
        )
    chosen = options(args)
    with console.status("checking the unmutated model", spinner="dots") as status:
        base = mutate.baseline(system, reqs.requirements, chosen, lambda rid: status.update(f"checking {rid}"))
    base.judges()  # refuses a requirement that already fails, before any mutant is run
    mutation_report.render_baseline(console, base)
    selected = mutate.mutants(system, args.transition or None, args.environment)
    sampling = None
    if args.sample is not None:
        selected, sampling = mutate.sample(selected, args.sample, args.sample_seed)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", style="dim", markup=False),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("mutants", total=len(selected), current="")
        finished = itertools.count(1)

        def done(m: mutate.Mutant) -> None:
            bar.update(task, completed=next(finished), current=m.name)

        result = mutate.score(system, reqs.requirements, chosen, selected, progress=done, base=base, jobs=args.jobs)
    result = replace(result, sampling=sampling)
    mutation_report.render(console, result, args.show_killed)
    survived, undecided = (result.with_status(s) for s in (mutate.MutantStatus.SURVIVED, mutate.MutantStatus.UNKNOWN))
    if args.write_baseline:
        written = survivors.write(args.write_baseline, result)
        console.print(f"{written} survivors written to {args.write_baseline}: write each one's reason", markup=False)
    if reviewed is None:
        return finding_code(bool(survived), bool(undecided))
    comparison = survivors.compare(result, reviewed)
    mutation_report.render_comparison(console, comparison, args.baseline)
    return finding_code(bool(comparison.new), bool(undecided))
