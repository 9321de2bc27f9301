"""Whole-model mutation analysis, timed: how long `pumpproof mutate` takes on a model and its requirement set, and
what it finds (killed, survived, proved equivalent, the score over non-equivalent mutants).

Each row is one run of the analysis as `mutate` does it (the unmutated model checked once, then every mutant,
`--jobs` at a time). Wall time includes the unmutated check, not the interpreter's start-up; compare rows on the
same machine, with nothing else running.

Run: python benchmarks/mutation.py [--jobs 1,2] [MODEL REQS]...
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from rich.console import Console
from rich.table import Table

from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify.analyses import mutate
from pumpproof.verify.portfolio import Options

DEFAULT = ("models/spectrum_corrected.pump", "properties/upstream_occlusion.req")


def row(model: str, reqs: str, jobs: int) -> list[str]:
    """One timed run: the cells of its table row."""
    system = load_model(model)
    requirements = load_requirements(reqs, system).requirements
    options = Options()
    start = time.perf_counter()
    base = mutate.baseline(system, requirements, options)
    base_s = time.perf_counter() - start
    finished: list[float] = []
    result = mutate.score(
        system, requirements, options, base=base, jobs=jobs, progress=lambda _: finished.append(time.perf_counter())
    )
    total = time.perf_counter() - start
    gaps = [b - a for a, b in zip([start + base_s, *finished], finished, strict=False)]
    counts = {s: len(result.with_status(s)) for s in mutate.MutantStatus}
    return [
        os.path.basename(model),
        str(len(requirements)),
        str(jobs),
        str(len(result.results)),
        str(counts[mutate.MutantStatus.KILLED]),
        str(counts[mutate.MutantStatus.SURVIVED]),
        str(counts[mutate.MutantStatus.EQUIVALENT]),
        str(counts[mutate.MutantStatus.UNKNOWN]),
        f"{result.score:.1%}",
        f"{base_s:.1f}",
        f"{statistics.median(gaps) if gaps else 0:.2f}",
        f"{total:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", default=str(os.cpu_count() or 1), help="comma-separated worker counts")
    parser.add_argument("pairs", nargs="*", help="MODEL REQS pairs (default: the corrected Spectrum model)")
    args = parser.parse_args()
    pairs = args.pairs or list(DEFAULT)
    if len(pairs) % 2:
        parser.error("give models and requirement files in pairs")
    table = Table(title=f"whole-model mutation ({os.cpu_count()} cores)")
    for name in ("model", "reqs", "jobs", "mutants", "killed", "survived", "equivalent", "unknown"):
        table.add_column(name, justify="right")
    for name in ("score", "unmutated s", "median s between results", "total s"):
        table.add_column(name, justify="right")
    for i in range(0, len(pairs), 2):
        for jobs in (int(j) for j in args.jobs.split(",")):
            table.add_row(*row(pairs[i], pairs[i + 1], jobs))
    Console().print(table)


if __name__ == "__main__":
    main()
