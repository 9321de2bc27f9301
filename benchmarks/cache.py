"""The result cache, timed: the full Spectrum set checked cold, then again with a warm cache after one transition
of the model is edited (an edited copy in a temporary folder; models/ is never written).

Rows: the model checked without a cache; with an empty cache (which it fills); again, unchanged, with the warm
cache; the edited copy without a cache; the edited copy with the warm cache. Every cached row must give the
verdicts of its row without a cache (exit 1 otherwise); the speed-up is the edited copy's cold time over its
warm time (target: at least 5x). Wall times are in-process (`check_all`), without the interpreter's start-up.

Run: python benchmarks/cache.py [MODEL REQS]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify import cache
from pumpproof.verify.portfolio import Options
from pumpproof.verify.run import Outcome, check_all

DEFAULT = ("models/spectrum_corrected.pump", "properties/upstream_occlusion.req")
EDIT = ("  do   audio_on := true\n", "  do   audio_on := true; t_silence := 0\n")
"""The edit: the silence period's end also restarts its clock (the last transition of the Spectrum model)."""
TARGET = 5.0


def timed(model: str, reqs: str, store: cache.ResultCache | None) -> tuple[float, list[Outcome]]:
    """Seconds to check `reqs` on `model` (through `store` when given), and the outcomes."""
    system = load_model(model)
    requirements = load_requirements(reqs, system)
    start = time.perf_counter()
    if store is None:
        outcomes = check_all(system, requirements, Options())
    else:
        outcomes = cache.check_all(system, requirements, Options(), store)
    return time.perf_counter() - start, outcomes


def served(outcomes: list[Outcome]) -> str:
    """How the cache served the outcomes, e.g. "27 hit"."""
    counts = Counter(o.cache.value for o in outcomes if o.cache is not None)
    return ", ".join(f"{n} {use}" for use, n in sorted(counts.items())) or "-"


def verdicts(outcomes: list[Outcome]) -> list[tuple[str, str]]:
    return [(o.requirement.id, o.result.verdict.value) for o in outcomes]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pair", nargs="*", help="MODEL REQS (default: the corrected Spectrum model)")
    args = parser.parse_args()
    model, reqs = args.pair or DEFAULT
    text = Path(model).read_text(encoding="utf-8")
    if EDIT[0] not in text:
        parser.error(f"{model} has no line '{EDIT[0].strip()}' to edit")
    with tempfile.TemporaryDirectory(prefix="pumpproof-cache-bench-") as folder:
        edited = Path(folder) / Path(model).name
        edited.write_text(text.replace(EDIT[0], EDIT[1], 1), encoding="utf-8")
        store = cache.ResultCache.open(str(Path(folder) / "cache"))
        runs = [
            ("cold, no cache", model, None),
            ("cold, empty cache", model, store),
            ("warm, unchanged", model, store),
            ("edited, no cache", str(edited), None),
            ("edited, warm cache", str(edited), store),
        ]
        rows = [(name, *timed(path, reqs, with_store)) for name, path, with_store in runs]
    same = verdicts(rows[1][2]) == verdicts(rows[2][2]) == verdicts(rows[0][2])
    same = same and verdicts(rows[4][2]) == verdicts(rows[3][2])
    table = Table(title=f"result cache: {os.path.basename(model)} + {os.path.basename(reqs)} ({os.cpu_count()} cores)")
    for column in ("run", "results", "proved", "violated", "cache", "wall s"):
        table.add_column(column, justify="left" if column in ("run", "cache") else "right")
    for name, wall_s, outcomes in rows:
        proved = sum(v == "PROVED" for _, v in verdicts(outcomes))
        violated = sum(v == "VIOLATED" for _, v in verdicts(outcomes))
        table.add_row(name, str(len(outcomes)), str(proved), str(violated), served(outcomes), f"{wall_s:.2f}")
    console = Console()
    console.print(table)
    speedup = rows[3][1] / max(rows[4][1], 1e-9)
    unchanged = rows[0][1] / max(rows[2][1], 1e-9)
    console.print(f"speed-up after the edit: {speedup:.1f}x (target ≥{TARGET:g}x); unchanged model: {unchanged:.1f}x")
    console.print("verdicts identical with and without the cache" if same else "VERDICTS DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
