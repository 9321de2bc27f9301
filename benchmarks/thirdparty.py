"""Third-party ground truth: pumpproof on models other people wrote, against the verdicts they recorded.

Runs `pumpproof check FILE.moxi --certify --json` on every model of a suite folder (`models/*.moxi` and
`verdicts.csv`, as in ../shared/thirdparty/kind2-moxi: `valid` = the bad states are unreachable =
PROVED, `invalid` = VIOLATED), one process per case with a wall-clock limit, a few at a time. Every
counterexample is replayed and every proof re-checked by cvc5 inside the command, as for `.pump` models.

`--explained FILE` (default: tests/trust/thirdparty_differences.csv) names the cases whose file does not
mean what the recorded verdict was decided on (a translation error in the file, with the construct and the
reason, each checked by a test): pumpproof must give the opposite verdict there, counted apart as
"explained"; the recorded verdict on such a case is wrong for the file and counts as WRONG.

Prints the counts (correct PROVED, correct VIOLATED, explained, UNKNOWN with reasons, refused input, WRONG), the
total and median seconds, and the ratio of each case's time to the time ic3ia recorded for it (on
another machine: read the ratios' spread, not their level). Exit 1 when any verdict is wrong (a PROVED
on an `invalid` model, a VIOLATED on a `valid` one, or an answer that failed its independent check),
else 0.

Run: python benchmarks/thirdparty.py --suite ../shared/thirdparty/kind2-moxi [--sample 100] [--timeout 60]
     [--jobs 2] [--only NAME]... [--if-present]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

GRACE_S = 15.0
"""Wall-clock seconds a case may run beyond its solver timeout (start-up, replay, cvc5) before it is killed."""


@dataclass(frozen=True)
class Case:
    """One model of the suite and the verdict recorded for it."""

    name: str
    path: Path
    expected: str
    """PROVED or VIOLATED."""
    ic3ia_s: float | None
    explained: str = ""
    """Why the file means the opposite of the recorded verdict (then `expected` is that opposite), if it does."""


@dataclass(frozen=True)
class Outcome:
    """What pumpproof said on one case: `verdict` PROVED, VIOLATED, UNKNOWN, REFUSED (exit 2) or FAILED
    (exit 4: an answer failed its independent check), with the reason for anything but a verdict."""

    case: Case
    verdict: str
    seconds: float
    reason: str = ""
    in_process_s: float | None = None
    """The seconds `pumpproof.cli.main` took inside the case's process (no interpreter start-up or module
    imports before it): what the issue's "measured in-process" ratio to ic3ia compares."""

    @property
    def wrong(self) -> bool:
        """A verdict that contradicts the recorded one, or an answer pumpproof itself caught being wrong."""
        return self.verdict == "FAILED" or self.verdict in {"PROVED", "VIOLATED"} - {self.case.expected}


OPPOSITE = {"PROVED": "VIOLATED", "VIOLATED": "PROVED"}
IN_PROCESS = """import importlib, sys, time
module, _, function = sys.argv[2].partition(":")
main = getattr(importlib.import_module(module), function)
start = time.perf_counter()
code = main(sys.argv[3:])
open(sys.argv[1], "w").write(repr(time.perf_counter() - start))
sys.exit(code)
"""
"""A case's process: `module:function(args)` (a command line's main), timed from after the module's import."""
ROOT = Path(__file__).resolve().parent.parent


def read_explained(path: Path | None) -> dict[str, str]:
    """Case name to the reason its file means the opposite of its recorded verdict (name,construct,reason rows)."""
    if path is None or not path.is_file():
        return {}
    with open(path, newline="") as f:
        return {row["name"]: f"{row['reason']}: {row['construct']}" for row in csv.DictReader(f)}


def read_suite(folder: Path, explained: dict[str, str]) -> list[Case]:
    """The cases of `folder`, in name order; a model without a recorded verdict is left out."""
    expected = {"valid": "PROVED", "invalid": "VIOLATED"}
    cases = []
    with open(folder / "verdicts.csv", newline="") as f:
        for row in csv.DictReader(f):
            path = folder / "models" / f"{row['name']}.moxi"
            if path.is_file() and row["expected"] in expected:
                seconds = float(row["ic3ia_s"]) if row.get("ic3ia_s") else None
                verdict, why = expected[row["expected"]], explained.get(row["name"], "")
                cases.append(Case(row["name"], path, OPPOSITE[verdict] if why else verdict, seconds, why))
    return sorted(cases, key=lambda c: c.name)


def sample(cases: list[Case], n: int | None) -> list[Case]:
    """Every k-th case, so that a sample spreads over the suite's families and is the same on every run."""
    if n is None or n >= len(cases):
        return cases
    step = len(cases) / n
    return [cases[int(i * step)] for i in range(n)]


@dataclass(frozen=True)
class Ended:
    """How a limited run ended: exit status (None: killed at the limit), its stderr lines, wall-clock seconds,
    the seconds its main function took (None when it did not return) and the JSON it wrote (`--json FILE`)."""

    returncode: int | None
    stderr: list[str]
    seconds: float
    in_process_s: float | None
    report: dict[str, object] | None


def run_limited(entry: str, args: list[str], limit_s: float) -> Ended:
    """`entry` (`module:main`) on `args --json FILE` in a process group of its own, killed whole after `limit_s`."""
    with tempfile.TemporaryDirectory(prefix="pumpproof-thirdparty-") as tmp:
        report, timing = Path(tmp) / "result.json", Path(tmp) / "seconds"
        command = [sys.executable, "-c", IN_PROCESS, str(timing), entry, *args, "--json", str(report)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        start = time.time()
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, env=env
        )
        try:
            _, err = proc.communicate(timeout=limit_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return Ended(None, [], time.time() - start, None, None)
        seconds = time.time() - start
        inside = float(timing.read_text()) if timing.is_file() else None
        doc = json.loads(report.read_text()) if report.is_file() else None
        return Ended(proc.returncode, err.decode(errors="replace").strip().splitlines(), seconds, inside, doc)


def run_case(case: Case, timeout_s: float, certify: bool = True) -> Outcome:
    """`pumpproof check` on one model (with `--certify` unless told not), within the wall-clock limit."""
    args = ["check", str(case.path), "--timeout", str(timeout_s), *["--certify"] * certify]
    ended = run_limited("pumpproof.cli:main", args, timeout_s + GRACE_S)
    if ended.returncode is None:
        return Outcome(case, "UNKNOWN", ended.seconds, f"killed after {timeout_s + GRACE_S:g} s")
    if ended.returncode == 2:
        return Outcome(case, "REFUSED", ended.seconds, ended.stderr[0] if ended.stderr else "exit 2")
    if ended.returncode == 4 or ended.report is None:
        return Outcome(case, "FAILED", ended.seconds, " ".join(ended.stderr[:2]) or f"exit {ended.returncode}")
    return replace(_verdict(case, ended.report, ended.seconds), in_process_s=ended.in_process_s)


def _verdict(case: Case, doc: dict[str, object], seconds: float) -> Outcome:
    """The query's verdict from a JSON report (the built-in MODEL.* questions are not what the suite asks)."""
    results = [r for r in doc["results"] if not str(r["id"]).startswith("MODEL.")]  # type: ignore[attr-defined]
    verdicts = {r["verdict"] for r in results}
    if not results:
        return Outcome(case, "REFUSED", seconds, "the file has no query")
    if "VIOLATED" in verdicts:
        return Outcome(case, "VIOLATED", seconds)
    if verdicts == {"PROVED"}:
        return Outcome(case, "PROVED", seconds)
    reasons = "; ".join(str(r.get("reason") or r["verdict"]) for r in results if r["verdict"] != "PROVED")
    return Outcome(case, "UNKNOWN", seconds, reasons)


def _ratios(outcomes: list[Outcome], in_process: bool) -> list[float]:
    """Each decided case's seconds (wall-clock, or in-process) over the seconds ic3ia recorded for it."""
    out = []
    for o in outcomes:
        seconds = o.in_process_s if in_process else o.seconds
        if o.case.ic3ia_s and seconds is not None and o.verdict in ("PROVED", "VIOLATED"):
            out.append(seconds / o.case.ic3ia_s)
    return out


def render(console: Console, outcomes: list[Outcome], wall_s: float) -> None:
    """The summary table, the undecided and refused cases by reason, and every wrong case by name."""
    counts = Counter((o.verdict, o.case.expected) for o in outcomes if not o.wrong)
    table = Table(title=f"{len(outcomes)} third-party cases", show_header=True, header_style="bold")
    for col in ("outcome", "cases"):
        table.add_column(col)
    decided = [o for o in outcomes if not o.wrong and o.verdict == o.case.expected]
    table.add_row("correct PROVED", str(sum(o.verdict == "PROVED" and not o.case.explained for o in decided)))
    table.add_row("correct VIOLATED", str(sum(o.verdict == "VIOLATED" and not o.case.explained for o in decided)))
    table.add_row("explained (the file means the opposite)", str(sum(bool(o.case.explained) for o in decided)))
    table.add_row("UNKNOWN", str(sum(n for (v, _), n in counts.items() if v == "UNKNOWN")))
    table.add_row("refused input (exit 2)", str(sum(n for (v, _), n in counts.items() if v == "REFUSED")))
    wrong = sum(o.wrong for o in outcomes)
    table.add_row("WRONG", str(wrong), style="bold red" if wrong else "")
    times = [o.seconds for o in outcomes]
    table.add_row("total / median seconds", f"{sum(times):.1f} / {statistics.median(times):.2f}" if times else "-")
    inside = [o.in_process_s for o in outcomes if o.in_process_s is not None]
    if inside:
        table.add_row("in-process total / median seconds", f"{sum(inside):.1f} / {statistics.median(inside):.2f}")
    for what, ratios in (("", _ratios(outcomes, False)), ("in-process ", _ratios(outcomes, True))):
        if ratios:
            q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
            text = f"median {q[1]:.1f}x (quartiles {q[0]:.1f}x, {q[2]:.1f}x)"
            table.add_row(f"{what}time / ic3ia's recorded time", text)
    table.add_row("wall-clock seconds", f"{wall_s:.1f}")
    console.print(table)
    for kind in ("UNKNOWN", "REFUSED"):
        reasons = Counter(o.reason.split(" (")[0][:100] for o in outcomes if o.verdict == kind)
        for reason, n in reasons.most_common():
            console.print(f"  {kind.lower()} x{n}: {reason}", markup=False, highlight=False)
    for o in outcomes:
        if o.wrong:
            line = f"  WRONG {o.case.name}: {o.verdict}, recorded {o.case.expected} {o.reason}".rstrip()
            console.print(line, style="red", markup=False, highlight=False)


def main(argv: list[str] | None = None) -> int:
    """Run the suite and print the summary; 1 when any verdict is wrong."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", type=Path, required=True, help="a folder with models/*.moxi and verdicts.csv")
    ap.add_argument("--sample", type=int, help="run this many cases, spread evenly over the suite")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per solver question (default 60)")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these cases")
    ap.add_argument(
        "--explained",
        type=Path,
        default=ROOT / "tests" / "trust" / "thirdparty_differences.csv",
        help="cases whose file means the opposite of the recorded verdict (default: tests/trust/...)",
    )
    ap.add_argument("--if-present", action="store_true", help="a suite folder that does not exist is not an error")
    args = ap.parse_args(argv)
    if args.if_present and not (args.suite / "verdicts.csv").is_file():
        print(f"no third-party suite at {args.suite}: nothing to run")
        return 0
    cases = read_suite(args.suite, read_explained(args.explained))
    if args.only:
        cases = [c for c in cases if c.name in args.only]
    cases = sample(cases, args.sample)
    if not cases:
        print(f"no cases in {args.suite}", file=sys.stderr)
        return 2
    start = time.time()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(lambda c: run_case(c, args.timeout), cases))
    render(Console(width=140), outcomes, time.time() - start)
    return 1 if any(o.wrong for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
