"""Parallel runs, timed: `check -j 1` against `-j 2` on the whole Spectrum set, and a 3 x 8 sweep of the tick family
(`-D T=10,100,1000 -D K=1..8`) on the local pool and on a Dask LocalCluster.

Each row is the wall time of the run as the command does it, after loading (the model's own questions, then the
requirements; for the sweep every task's check and its reports); the speed-up is over the first row of its group,
and each row's verdicts are compared with that row's (they must be the same). Compare rows on the same machine,
with nothing else running.

Run: python benchmarks/parallel.py [--jobs 1,2] [--repeat N] [--quick] [--no-dask]   (or: tox -e bench)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from functools import partial

from rich.console import Console
from rich.table import Table

from pumpproof.commands.sweep import on_dask, run_task
from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify import sweep
from pumpproof.verify.portfolio import Options
from pumpproof.verify.run import check_all
from pumpproof.verify.workers import cores, ordered

SPECTRUM = ("models/spectrum_corrected.pump", "properties/upstream_occlusion.req")
TICK = ("benchmarks/models/tick_detector.pump", "benchmarks/models/level.req")
AXES = ["T=10,100,1000", "K=1..8"]
QUICK_AXES = ["T=10,100", "K=1..2"]


def timed(run: Callable[[], list[str]], repeat: int) -> tuple[float, list[str]]:
    """The median wall time of `repeat` runs, and the verdicts of the last."""
    times, verdicts = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        verdicts = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), verdicts


def spectrum(jobs: int) -> list[str]:
    """`check -j jobs` on the corrected Spectrum model: every verdict, in order."""
    system = load_model(SPECTRUM[0])
    reqs = load_requirements(SPECTRUM[1], system)
    return [f"{o.requirement.id}={o.result.verdict.value}" for o in check_all(system, reqs, Options(), jobs=jobs)]


def tick_sweep(axes: list[str], jobs: int, dask: bool) -> list[str]:
    """The sweep's tasks on the local pool or a LocalCluster of `jobs` workers: every task's verdicts, in order."""
    tasks = sweep.expand([TICK[0]], [TICK[1]], sweep.parse_axes(axes))
    run_all = partial(on_dask, address="local") if dask else ordered
    results = run_all(run_task, tasks, jobs)
    return [f"{r.task.label()}: {sorted(r.verdicts().items())}" for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", default="1,2", help="comma-separated worker counts (default: 1,2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; the median is shown (default: 1)")
    parser.add_argument("--quick", action="store_true", help="a 2 x 2 sweep instead of 3 x 8 (a smoke run)")
    parser.add_argument("--no-dask", action="store_true", help="leave out the LocalCluster rows")
    args = parser.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    axes = QUICK_AXES if args.quick else AXES
    table = Table(title=f"parallel runs ({cores()} cores, load average {os.getloadavg()[0]:.1f} at the start)")
    for name in ("run", "where", "jobs", "wall s", "speed-up", "same verdicts"):
        table.add_column(name, justify="right")
    sweep_name = "sweep " + " ".join(f"-D {a}" for a in axes) + " (tick)"
    groups: list[tuple[str, list[tuple[str, int, Callable[[], list[str]]]]]] = [
        ("check spectrum_corrected (27 requirements)", [("local", j, partial(spectrum, j)) for j in jobs]),
        (sweep_name, [("local pool", j, partial(tick_sweep, axes, j, False)) for j in jobs]),
    ]
    if not args.no_dask:
        groups[1][1].extend(("LocalCluster", j, partial(tick_sweep, axes, j, True)) for j in jobs if j > 1)
    console = Console(width=160)
    for name, rows in groups:
        first: tuple[float, list[str]] | None = None
        for where, j, run in rows:
            wall, verdicts = timed(run, args.repeat)
            first = first or (wall, verdicts)
            same = "yes" if verdicts == first[1] else "NO"
            table.add_row(name, where, str(j), f"{wall:.1f}", f"{first[0] / wall:.2f}x", same)
            console.print(f"  done {name}, {where}, -j {j}: {wall:.1f} s", style="dim")
    console.print(table)


if __name__ == "__main__":
    main()
