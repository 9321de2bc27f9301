"""How the front end (parse, type-check, elaborate) grows with the number of transitions: it should be linear.

Each row loads a generated model of N guarded transitions over an enumeration, a counter and an input
(`mode == Idle and b and count < K do count := count + 1; mode := Run`), as a `.pump` file's text.
Times are CPU seconds of this process, so a busy machine inflates them less than wall time; the
peak is the memory the front end allocates at its largest (tracemalloc, measured in a second run).

Run: python benchmarks/front_end.py [--quick] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from pumpproof.lang.load import parse_model_text
from pumpproof.lang.parser import parse_model


def model_text(transitions: int) -> str:
    """A model with `transitions` transitions, each a guard of three conditions and two updates."""
    lines = ["type Mode = {Idle, Run, Alarm}", "var mode: Mode = Idle", "var count: 0..1000 = 0", "input b: bool"]
    lines += [
        f'transition t{i} "step {i}" when mode == Idle and b and count < {i % 1000} do count := count + 1; mode := Run'
        for i in range(transitions)
    ]
    return "\n".join(lines) + "\n"


def cpu_seconds(run: Callable[[str, str], object], text: str) -> float:
    """CPU time of running one front-end stage on `text`."""
    start = time.process_time()
    run(text, "generated.pump")
    return time.process_time() - start


def peak_mb(text: str) -> float:
    """The most memory (MB) the whole front end holds at once on `text`."""
    tracemalloc.start()
    parse_model_text(text, "generated.pump")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    ap.add_argument("--sizes", help="comma-separated numbers of transitions")
    args = ap.parse_args(argv)
    default = [1000, 5000] if args.quick else [1000, 10_000, 100_000]
    sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else default
    parse_model_text(model_text(1), "warm-up.pump")  # the grammar is compiled once per process
    table = Table(title="Front end: CPU time and memory vs number of transitions", header_style="bold")
    for col in ("transitions", "parse", "front end", "per transition", "peak memory"):
        table.add_column(col, justify="right")
    for n in sizes:
        text = model_text(n)
        parse, total = cpu_seconds(parse_model, text), cpu_seconds(parse_model_text, text)
        table.add_row(str(n), f"{parse:.2f}s", f"{total:.2f}s", f"{total / n * 1e6:.0f} µs", f"{peak_mb(text):.0f} MB")
    Console(width=120).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
