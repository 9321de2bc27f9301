"""How proof and counterexample times grow with the detection timer T and the number of channels K.

Two encodings of the same detector:
  clock  a clock measures how long the occlusion has persisted; time passes in delay steps;
  tick   a counter is incremented every step (a synchronous, firmware-style loop).
Each model comes correct (the detector re-arms at restart) and defective (the recalled H1 latch),
so every row has a proof time and a counterexample time. Engines: the default portfolio (which
answers with whichever engine is first, so its rows mix engines), k-induction with Houdini lemmas
alone (`kind`, one engine's growth in T), and Spacer alone (`ic3`, to show what the lemmas buy on
tick counters). Tick-counter counterexamples at T = 1000 come from the `extrapolate` engine
(about 2T steps); at T = 10^6 the trace would have 2·10^6 steps and is not attempted. A last
table times the liveness requirement UO-LIVE on the shipped Spectrum models with T_DETECT_MS
varied.

Run: python benchmarks/scaling.py [--quick] [--timeout S]   (or: tox -e bench)
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify.portfolio import Options, decide
from pumpproof.verify.problem import SafetyProblem, compile_requirement
from pumpproof.verify.results import Result
from pumpproof.verify.run import problem_for, verdict

MODELS = Path(__file__).parent / "models"


@dataclass(frozen=True)
class Case:
    """One benchmark row's model."""

    encoding: str
    k: int
    t: int
    correct: bool

    def problem(self) -> SafetyProblem:
        """benchmarks/models/<encoding>_detector.pump with this row's constants, and its level requirement."""
        overrides = {"K": str(self.k), "T": str(self.t), "LATCH": "false" if self.correct else "true"}
        system = load_model(str(MODELS / f"{self.encoding}_detector.pump"), overrides)
        reqs = load_requirements(str(MODELS / "level.req"), system)
        return compile_requirement(system, reqs.requirements[0])


def timed(case: Case, engine: str, timeout_s: float) -> tuple[str, Result | None]:
    """Wall time and result of deciding `case` with `engine`."""
    problem = case.problem()
    start = time.time()
    result = decide(problem, engine, timeout_s)
    wall = time.time() - start
    verdict = result.verdict.value
    ok = verdict == ("PROVED" if case.correct else "VIOLATED")
    cell = f"{wall:.2f}s" if ok else f"{verdict} {wall:.0f}s"
    notes = [f"{len(result.trace.steps) - 1} st"] if ok and hasattr(result, "trace") else []
    if ok and engine == "auto":
        notes.append(result.engine)  # which engine answered first
    return cell + (f" ({', '.join(notes)})" if notes else ""), result


def table(title: str, rows: list[tuple[str, int, int]], engines: list[str], timeout_s: float, console: Console) -> None:
    """Print one table: a row per (encoding, K, T), proof and counterexample time per engine."""
    t = Table(title=title, show_header=True, header_style="bold")
    for col in ("encoding", "K", "T"):
        t.add_column(col, justify="right")
    for e in engines:
        t.add_column(f"proof ({e})", justify="right")
        t.add_column(f"cex ({e})", justify="right")
    for encoding, k, tb in rows:
        cells = [encoding, str(k), str(tb)]
        for e in engines:
            for correct in (True, False):
                skip = encoding == "tick" and not correct and tb > 2000
                cells.append(
                    "n/a (trace > 2T steps)" if skip else timed(Case(encoding, k, tb, correct), e, timeout_s)[0]
                )
        t.add_row(*cells)
        console.print(f"  done {encoding} K={k} T={tb}", style="dim")
    console.print(t)


def liveness_table(bounds: list[int], timeout_s: float, console: Console) -> None:
    """UO-LIVE (every persisting occlusion eventually alarms) on the shipped Spectrum models, T_DETECT_MS varied."""
    t = Table(title="Liveness: UO-LIVE on the shipped Spectrum models", show_header=True, header_style="bold")
    for col in ("T_DETECT_MS", "proof (corrected)", "lasso (recalled)"):
        t.add_column(col, justify="right")
    for tb in bounds:
        cells = [str(tb)]
        for model, expected in (("spectrum_corrected", "PROVED"), ("spectrum_recalled", "VIOLATED")):
            system = load_model(f"models/{model}.pump", {"T_DETECT_MS": str(tb)})
            req = next(
                r
                for r in load_requirements("properties/upstream_occlusion.req", system).requirements
                if r.id == "UO-LIVE"
            )
            start = time.time()
            result = verdict(problem_for(system, req), Options(timeout_s=timeout_s))
            wall = time.time() - start
            cells.append(f"{wall:.2f}s" if result.verdict.value == expected else f"{result.verdict.value} {wall:.0f}s")
        t.add_row(*cells)
    console.print(t)


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small bounds only (a smoke run)")
    ap.add_argument("--timeout", type=float, default=120.0, help="per verification run, seconds")
    ap.add_argument("--engines", default="auto,kind,ic3", help="comma-separated engines to time")
    ap.add_argument("--channels", default="1,2,4,8,16,32", help="comma-separated K of family 2 (without --quick)")
    args = ap.parse_args(argv)
    console = Console(width=200)
    engines = args.engines.split(",")
    bounds = [10, 100] if args.quick else [10, 1000, 1_000_000]
    timer_rows = [(enc, 1, tb) for enc in ("clock", "tick") for tb in bounds]
    table("Family 1: detection timer T, one channel", timer_rows, engines, args.timeout, console)
    ks = [1, 2] if args.quick else [int(k) for k in args.channels.split(",")]
    ts = [100] if args.quick else [100, 1000]
    channel_rows = [(enc, k, tb) for enc in ("clock", "tick") for tb in ts for k in ks]
    table("Family 2: K independent channels", channel_rows, ["auto"], args.timeout, console)
    liveness_table(bounds, args.timeout, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
