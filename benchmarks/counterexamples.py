"""BMC alone on the tick family's counterexamples, timed under Z3's arithmetic solvers side by side.

Each row is the recall's latch (LATCH=true) at K channels and detection time T: BMC searches the level requirement
until it finds the shortest counterexample (about 2T steps), in process, without the portfolio or replay. The
columns are `smt.arith.solver` settings (`bmc.ARITH_SOLVER` is the one the engine uses), interleaved within each
row, median of the repetitions; compare rows on the same machine, with nothing else running.

Run: python benchmarks/counterexamples.py [--arith 6,2] [--reps 3] [--rows 1x10,4x10,8x10,2x40,8x20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from rich.console import Console
from rich.table import Table

from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify.budget import Budget
from pumpproof.verify.engines import bmc
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Violated
from pumpproof.verify.run import problem_for

MODEL, REQS = "benchmarks/models/tick_detector.pump", "benchmarks/models/level.req"


def problem(k: int, t: int) -> SafetyProblem:
    """The level requirement on the latching family member with `k` channels and detection time `t`."""
    system = load_model(MODEL, {"K": str(k), "T": str(t), "LATCH": "true"})
    (level,) = [r for r in load_requirements(REQS, system).requirements if r.id == "LEVEL"]
    found = problem_for(system, level)
    assert isinstance(found, SafetyProblem)
    return found


def timed(p: SafetyProblem, arith: int, timeout_s: float) -> tuple[float, int | None]:
    """Seconds BMC took with `arith`, and the counterexample's steps (None when it found none in time)."""
    chosen, bmc.ARITH_SOLVER = bmc.ARITH_SOLVER, arith
    try:
        start = time.perf_counter()
        result = bmc.check(p, Budget.seconds(timeout_s))
        return time.perf_counter() - start, len(result.trace.steps) - 1 if isinstance(result, Violated) else None
    finally:
        bmc.ARITH_SOLVER = chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arith", default="6,2", help="smt.arith.solver settings to compare (default: 6,2)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--rows", default="1x10,4x10,8x10,2x40,8x20", help="KxT rows")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    settings = [int(a) for a in args.arith.split(",")]
    table = Table(title=f"BMC alone, median of {args.reps} (s)")
    for col in ("K", "T", "steps", *(f"arith {a}" for a in settings), f"{settings[0]}/{settings[-1]}"):
        table.add_column(col, justify="right")
    for cell in args.rows.split(","):
        k, t = (int(n) for n in cell.split("x"))
        p = problem(k, t)
        times: dict[int, list[float]] = {a: [] for a in settings}
        steps: set[int | None] = set()
        for _ in range(args.reps):
            for a in settings:  # interleaved, so that a load on the machine falls on every column alike
                seconds, found = timed(p, a, args.timeout)
                times[a].append(seconds)
                steps.add(found)
        medians = [statistics.median(times[a]) for a in settings]
        shown = ", ".join(sorted("none" if s is None else str(s) for s in steps))  # one value unless they disagree
        ratio = f"{medians[0] / medians[-1]:.2f}x"
        table.add_row(str(k), str(t), shown, *(f"{m:.2f}" for m in medians), ratio)
    Console().print(table)


if __name__ == "__main__":
    main()
