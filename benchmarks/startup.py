"""Start-up of `pumpproof check` on small models: where the time goes before and between the engines' work.

Each row runs `pumpproof check` in a fresh interpreter (as a user or CI does) and reports medians over the runs:
the interpreter's own start, the imports, the time until the first question reaches the engines (imports,
parsing, elaboration, compiling the requirements: the start-up the 0.3 s target of issue 15 is about), the
questions asked and the median cost of one question beyond its engine's own time (forking the portfolio's
processes, collecting the answer, replaying or re-checking it), and the whole run. The package is byte-compiled
once into a private cache first (`PYTHONPYCACHEPREFIX`), so no run pays for compiling sources, whatever
PYTHONDONTWRITEBYTECODE says.

Run: python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
FAMILY = ROOT / "benchmarks" / "models"
ROWS = (
    ("tick K=1 T=10, proof", ["tick_detector.pump", "level.req", "-D", "K=1", "-D", "T=10"]),
    (
        "tick K=1 T=10, counterexample",
        ["tick_detector.pump", "level.req", "-D", "K=1", "-D", "T=10", "-D", "LATCH=true"],
    ),
    ("tick K=4 T=10, proof", ["tick_detector.pump", "level.req", "-D", "K=4", "-D", "T=10"]),
)
PROBE = """
import json, sys, time
t0 = time.perf_counter()
import pumpproof.verify.portfolio as portfolio
from pumpproof.cli import main
imported = time.perf_counter()
race, marks = portfolio.race, []
def timed(tasks, budget, label, deterministic=False):
    start = time.perf_counter()
    result = race(tasks, budget, label, deterministic)
    marks.append((start - t0, time.perf_counter() - start, result.time_s))
    return result
portfolio.race = timed
code = main(sys.argv[1:])
print(json.dumps({"imports": imported - t0, "marks": marks, "total": time.perf_counter() - t0}), file=sys.stderr)
raise SystemExit(code)
"""


def one_run(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """One `pumpproof check` in a new interpreter: the phases, in seconds."""
    files = [str(FAMILY / a) if a.endswith((".pump", ".req")) else a for a in argv]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "check", *files], env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"pumpproof check {' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    phases = json.loads(done.stderr.strip().splitlines()[-1])
    marks = phases["marks"]
    return {
        "interpreter": wall - phases["total"],
        "imports": phases["imports"],
        "first": wall - phases["total"] + (marks[0][0] if marks else phases["total"]),
        "questions": len(marks),
        "overhead": statistics.median(m[1] - m[2] for m in marks) if marks else 0.0,
        "wall": wall,
        "code": done.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per row (medians are shown)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"PYTHONPYCACHEPREFIX": cache, "PYTHONPATH": str(ROOT)}
        one_run(list(ROWS[0][1]), env)  # writes the byte code every later run reads
        table = Table(title=f"pumpproof check start-up ({os.cpu_count()} cores, median of {args.runs})")
        table.add_column("row")
        for name in ("exit", "interpreter s", "imports s", "first question s", "questions", "overhead ms/question"):
            table.add_column(name, justify="right")
        table.add_column("total s", justify="right")
        for label, argv in ROWS:
            runs = [one_run(list(argv), env) for _ in range(args.runs)]

            def median(key: str, runs: list[dict[str, float]] = runs) -> float:
                return statistics.median(r[key] for r in runs)

            table.add_row(
                label,
                str(int(runs[0]["code"])),
                f"{median('interpreter'):.3f}",
                f"{median('imports'):.3f}",
                f"{median('first'):.3f}",
                str(int(median("questions"))),
                f"{median('overhead') * 1000:.0f}",
                f"{median('wall'):.3f}",
            )
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
