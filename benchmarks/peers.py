"""pumpproof side by side with SPIN and ABC on two benchmark families.

`tick`: tick_detector.pump with level.req, K channels, detection time T in ticks, LATCH false (the requirement
holds) or true (the recalled latch violates it). `pause`: audio_pause_ticks.pump with audio_pause.req, an audio
pause of PAUSE ticks counted in an 8-bit register, which never ends beyond 256 (a violating run of PAUSE + 3
steps, found neither by BMC in time nor by `extrapolate`, whose small constants end the pause).
pumpproof reads the .pump file (`python -m pumpproof check` in a fresh process: the whole check, MODEL.RANGES and
MODEL.DEADLOCK too, every answer replayed or re-checked; its portfolio runs engines on every core, the peers use
one); SPIN and ABC read the Promela and Verilog that benchmarks/peer_models.py generates from the same IR
(generating them is not timed). SPIN's time includes `spin -a` and compiling pan, with pan's own search time
beside it; ABC's includes yosys's Verilog to AIGER, with `pdr`'s own time beside it. The tools take turns within
a row, `--reps` times; times and peak resident memory (of the largest process: pan, abc, pumpproof or one of its
engines) are medians. A tool that found no verdict in time on a row is not run on larger rows (same family and
verdict, no constant smaller). The verdicts reached must agree with each other and with the family's: a
disagreement is printed, and the exit code is 1.

Run: python benchmarks/peers.py [--quick] [--family tick|pause|all] [--verdict PROVED|VIOLATED] [--reps 3]
     [--channels K...] [--timers T...] [--timeout 60] [--write DIR]
(`--channels` and `--timers` pick tick rows: K in 1, 2, 4, 8, 16, 32 and T in 10 to 10^4.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from peer_models import load_problem, promela, verilog
from peer_runs import PROVED, VIOLATED, PeerRun, run_abc, run_limited, run_spin
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "benchmarks" / "models"
GRACE_S = 5.0
"""Beyond the timeout, pumpproof's start-up and reports before its process is killed."""


@dataclass(frozen=True)
class Family:
    """A benchmark model with one requirement, instantiated by `-D` constants."""

    model: Path
    requirements: Path
    requirement: str


TICK = Family(MODELS / "tick_detector.pump", MODELS / "level.req", "LEVEL")
PAUSE = Family(MODELS / "audio_pause_ticks.pump", MODELS / "audio_pause.req", "PAUSE-ENDS")
"""The acceptance model of deep counterexamples: the audio pause held in an 8-bit register ends only when it is
at most 256 ticks long."""


@dataclass(frozen=True)
class Row:
    """One instance of a family: its constants, in order (the larger values make the larger instance), and the
    verdict the family has on it."""

    family: Family
    constants: tuple[tuple[str, int | bool], ...]
    expected: str

    @property
    def defines(self) -> dict[str, str]:
        """The `-D` constants of this row."""
        return {n: str(v).lower() if isinstance(v, bool) else str(v) for n, v in self.constants}

    @property
    def shown(self) -> str:
        """The constants as the table shows them."""
        return " ".join(f"{n}={v}" for n, v in self.defines.items())

    @property
    def stem(self) -> str:
        """The generated files' name."""
        return f"{self.family.model.stem}_" + "_".join(f"{n}{v}" for n, v in self.defines.items())

    def no_larger_than(self, other: Row) -> bool:
        """Same family and verdict, and no constant larger: a tool that gave up on this row gives up on `other`."""
        return (self.family, self.expected) == (other.family, other.expected) and all(
            a <= b for (_, a), (_, b) in zip(self.constants, other.constants, strict=True)
        )


def tick_row(k: int, t: int, latch: bool) -> Row:
    """The tick family at K channels and timer T: the latch is the recalled defect."""
    return Row(TICK, (("K", k), ("T", t), ("LATCH", latch)), VIOLATED if latch else PROVED)


def pause_row(pause: int) -> Row:
    """The audio pause of `pause` ticks: it never ends beyond what 8 bits count (256 ticks)."""
    return Row(PAUSE, (("PAUSE", pause),), VIOLATED if pause > 256 else PROVED)


def rows(quick: bool, family: str) -> list[Row]:
    """The rows of `family` (tick, pause or both), smaller instances first (so that a timeout can spare the
    larger ones)."""
    out: list[Row] = []
    if family in ("tick", "all"):
        sizes = (
            ((1, 10), (2, 10), (1, 100))
            if quick
            else [(k, t) for k in (1, 2, 4, 8, 16, 32) for t in (10, 100, 1000, 10000)]
        )
        out += [tick_row(k, t, latch) for k, t in sizes for latch in (False, True)]
    if family in ("pause", "all"):
        out += [pause_row(p) for p in ((200, 500) if quick else (200, 500, 5000, 50000))]
    return out


def chosen(row: Row, channels: list[int] | None, timers: list[int] | None) -> bool:
    """Whether `row` is among the tick rows `--channels` and `--timers` ask for (every row of another family is)."""
    got = row.defines
    if row.family != TICK:
        return True
    return (channels is None or int(got["K"]) in channels) and (timers is None or int(got["T"]) in timers)


def run_pumpproof(row: Row, timeout_s: float, folder: Path) -> PeerRun:
    """`pumpproof check` on the row in a new interpreter; the verdict of LEVEL from its JSON report, and the
    seconds its engines spent on LEVEL as its own search time."""
    report = folder / f"{row.stem}.json"
    report.unlink(missing_ok=True)
    constants = [arg for name, value in row.defines.items() for arg in ("-D", f"{name}={value}")]
    argv = [sys.executable, "-m", "pumpproof", "check", str(row.family.model), str(row.family.requirements)]
    argv += constants
    argv += ["--json", str(report), "--timeout", f"{timeout_s:g}", "--total-timeout", f"{timeout_s:g}"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    ran = run_limited(argv, ROOT, timeout_s + GRACE_S, env)
    if ran.code is None:
        return PeerRun("timeout", ran.seconds, peak_mb=ran.peak_mb)
    if not report.exists():
        return PeerRun(f"error (exit {ran.code})", ran.seconds, peak_mb=ran.peak_mb)
    found = next(r for r in json.loads(report.read_text())["results"] if r["id"] == row.family.requirement)
    return PeerRun(found["verdict"], ran.seconds, found["time_s"], ran.peak_mb)


@dataclass
class Tool:
    """A tool of the comparison: how it runs a row, why it cannot (not installed), the rows it found no verdict on."""

    name: str
    run: Callable[[Row], PeerRun]
    missing: str = ""
    gave_up: list[Row] = field(default_factory=list)

    def spared(self, row: Row) -> Row | None:
        """A row no larger than `row` on which this tool found no verdict (then `row` is not run), else None."""
        return next((r for r in self.gave_up if r.no_larger_than(row)), None)


def lineup(timeout_s: float, folder: Path, tops: dict[Row, str]) -> list[Tool]:
    """pumpproof, SPIN and ABC, each with how it runs a row (its files in `folder`, the Verilog module of each
    row in `tops`), or why it cannot."""

    def spin(row: Row) -> PeerRun:
        return run_spin(folder / f"{row.stem}.pml", timeout_s)

    def abc(row: Row) -> PeerRun:
        return run_abc(folder / f"{row.stem}.v", tops[row], timeout_s)

    out = [Tool("pumpproof", lambda row: run_pumpproof(row, timeout_s, folder))]
    for name, run, needs in (("SPIN", spin, ("spin", "gcc")), ("ABC", abc, ("yosys", "berkeley-abc"))):
        absent = [n for n in needs if shutil.which(n) is None]
        out.append(Tool(name, run, f"{', '.join(absent)} not installed (scripts/setup installs it)" if absent else ""))
    return out


def write_models(row: Row, folder: Path) -> str:
    """Write the row's Promela and Verilog, generated from the IR of the model and its requirement; the name of
    the Verilog module."""
    problem = load_problem(row.family.model, row.family.requirements, row.defines, row.family.requirement)
    title = f"{row.family.model.stem} {row.shown}, requirement {problem.name}"
    (folder / f"{row.stem}.pml").write_text(promela(problem, title))
    text, top = verilog(problem, title)
    (folder / f"{row.stem}.v").write_text(text)
    return top


def measure(row: Row, tools: list[Tool], reps: int) -> dict[str, list[PeerRun]]:
    """Each tool's runs of `row`, taking turns; a tool not installed or spared has none, one without a verdict
    is not run again."""
    runs: dict[str, list[PeerRun]] = {t.name: [] for t in tools if not t.missing and not t.spared(row)}
    for _ in range(reps):
        for tool in tools:
            mine = runs.get(tool.name)
            if mine is not None and (not mine or mine[-1].reached):
                mine.append(tool.run(row))
    for tool in tools:
        if not all(r.reached for r in runs.get(tool.name, [])):
            tool.gave_up.append(row)
    return runs


COLUMNS = {"pumpproof": ["pumpproof", "s", "engine s", "MB"], "SPIN": ["SPIN", "s", "pan s", "MB", "states"]}
COLUMNS["ABC"] = ["ABC", "s", "pdr s", "MB"]


def cells_of(runs: list[PeerRun] | None, spared: Row | None, timeout_s: float) -> list[str]:
    """A tool's cells on a row: the verdict (the reps' verdicts joined if they differ), median seconds, median
    own search seconds, median peak MB, states; empty for a tool not run."""
    if not runs:
        return [f"spared (none at {spared.shown})" if spared else "", "", "", "", ""]

    def median(values: list[float | None], form: str) -> str:
        known = [v for v in values if v is not None]
        return form.format(statistics.median(known)) if known else ""

    verdict = "/".join(dict.fromkeys(r.verdict for r in runs))
    seconds = f">{timeout_s:g}" if "timeout" in verdict else median([r.seconds for r in runs], "{:.2f}")
    own = median([r.search_s for r in runs], "{:.2f}")
    return [verdict, seconds, own, median([r.peak_mb for r in runs], "{:.0f}"), runs[0].states or ""]


def decided_s(runs: list[PeerRun] | None) -> float | None:
    """The median seconds of runs that all reached a verdict, else None."""
    return statistics.median(r.seconds for r in runs) if runs and all(r.reached for r in runs) else None


def main(argv: list[str] | None = None) -> int:
    """Print the side-by-side table; 1 when the verdicts reached disagree."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a handful of small rows (a smoke run)")
    ap.add_argument("--family", choices=("tick", "pause", "all"), default="all", help="which rows (default: all)")
    ap.add_argument("--verdict", choices=(PROVED, VIOLATED), help="only the rows with this expected verdict")
    ap.add_argument("--channels", type=int, nargs="+", help="only the tick rows with these K")
    ap.add_argument("--timers", type=int, nargs="+", help="only the tick rows with these T")
    ap.add_argument("--reps", type=int, default=3, help="runs of each tool per row (medians shown; default 3)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per tool and run (default 60)")
    ap.add_argument("--write", type=Path, help="keep the generated Promela, Verilog, AIGER and JSON reports here")
    args = ap.parse_args(argv)
    console = Console(width=220)
    failed = False
    title = f"pumpproof, SPIN, ABC (medians of {args.reps}, timeout {args.timeout:g} s)"
    table = Table(title=title)
    for col in [
        "model",
        "constants",
        "expected",
        *(c for cols in COLUMNS.values() for c in cols),
        "pp/SPIN",
        "pp/ABC",
        "agree",
    ]:
        table.add_column(col, justify="left" if col in ("model", "constants", "expected", *COLUMNS) else "right")
    with tempfile.TemporaryDirectory(prefix="pumpproof-peers-") as tmp:
        folder = args.write or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        tops: dict[Row, str] = {}
        tools = lineup(args.timeout, folder, tops)
        for tool in tools:
            if tool.missing:
                console.print(f"{tool.name}: {tool.missing}; its columns are left empty", style="yellow")
        for row in rows(args.quick, args.family):
            if (args.verdict and row.expected != args.verdict) or not chosen(row, args.channels, args.timers):
                continue
            tops[row] = write_models(row, folder)
            spared = {t.name: t.spared(row) for t in tools}
            runs = measure(row, tools, args.reps)
            cells = [row.family.model.stem, row.shown, row.expected]
            for tool in tools:
                cells += cells_of(runs.get(tool.name), spared[tool.name], args.timeout)[: len(COLUMNS[tool.name])]
            mine = decided_s(runs.get("pumpproof"))
            for peer in ("SPIN", "ABC"):
                theirs = decided_s(runs.get(peer))
                cells.append(f"{mine / theirs:.2f}x" if mine is not None and theirs else "")
            reached = {name: sorted({r.verdict for r in rs if r.reached}) for name, rs in runs.items()}
            agree = {v for verdicts in reached.values() for v in verdicts} <= {row.expected}
            if not agree:
                failed = True
                said = ", ".join(f"{name} {'/'.join(v)}" for name, v in reached.items() if v)
                console.print(
                    f"DISAGREEMENT on {row.stem} (the family's verdict {row.expected}): {said}", style="bold red"
                )
            table.add_row(*cells, "yes" if agree else "NO")
            console.print(f"  done {row.stem}", style="dim")
    console.print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
