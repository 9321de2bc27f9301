"""Side by side with intrepyd: pumpproof on the Kind 2 benchmarks in MoXI, intrepyd on their Lustre originals.

intrepyd (a Python model checker over circuits, with a Lustre front-end) does not read MoXI, but the
verdicts of the MoXI suite (../shared/thirdparty/kind2-moxi) were recorded on Lustre files that the
kind2-mc/kind2-benchmarks repository publishes: `FMCAD08/Int` and `FMCAD08/Bool` hold the structured
originals of 546 of the 621 cases, `Deprecated/flat` a flattened `.ec` Lustre file of every one. So each
tool reads the file of its own language: `pumpproof check FILE.moxi` against the verdict the MoXI file
means (tests/trust/thirdparty_differences.csv: 69 files mean the opposite of their original), intrepyd's
`lustre2py` translation (Lustre `int` as unbounded integers, the property the main node's `--%PROPERTY`
output) and its portfolio (BMC, k-induction, backward reachability, PDR in parallel) against the recorded
verdict. Same cases (the `--sample` rule of thirdparty.py), same per-case timeout and wall-clock limit, one
process per case, the tools one after the other on the same machine; the times include interpreter
start-up and translation for both, and for pumpproof the replay of each counterexample and the re-check
of each proof that come with every answer (not `--certify`'s cvc5).

Prints, per tool, correct, wrong, UNKNOWN, refused input and errors, total and median seconds, the median
in-process seconds (from the call of each tool's main function: intrepyd's import and Lustre translation and
pumpproof's MoXI reading are inside, interpreter start-up is not), and the ratio of intrepyd's time to
pumpproof's on each case both decided, both ways. A missing intrepyd (or a missing
Lustre folder) is reported, not an error. Exit 1 when pumpproof gives a wrong verdict, else 0.

`tox -e intrepyd -- --lustre DIR` installs intrepyd 0.14.0 (pinned: the release this comparison was run
with; its compiled library may be used through intrepyd only, see its LICENSE.intrepid) and runs this on a
sample of 100. The Lustre originals: `git clone https://github.com/kind2-mc/kind2-benchmarks DIR`.

Run: python -m benchmarks.intrepyd_side_by_side --suite ../shared/thirdparty/kind2-moxi
     --lustre KIND2_BENCHMARKS [--sample 100] [--timeout 30] [--jobs 2] [--only NAME]...
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import importlib.util
import json
import re
import statistics
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.thirdparty import (
    GRACE_S,
    OPPOSITE,
    ROOT,
    Case,
    Outcome,
    read_explained,
    read_suite,
    run_case,
    run_limited,
    sample,
)

PROPERTY = re.compile(r"--%PROPERTY\s+(\w+)\s*;")
"""The Kind 2 annotation naming the main node's output that must always be true."""


def lustre_original(benchmarks: Path, name: str) -> Path:
    """A case's Lustre original in a kind2-benchmarks checkout: the structured file, else the flat `.ec` one."""
    structured = [*sorted(benchmarks.glob(f"FMCAD08/Int/*/{name}.lus")), *benchmarks.glob(f"FMCAD08/Bool/*/{name}.lus")]
    return structured[0] if structured else benchmarks / "Deprecated" / "flat" / f"{name}.ec"


def intrepyd_version() -> str | None:
    """The installed intrepyd's version, None when it is not installed."""
    return importlib.metadata.version("intrepyd") if importlib.util.find_spec("intrepyd") else None


def decide_lustre(lustre: Path, timeout_s: float) -> dict[str, str]:
    """intrepyd's portfolio on the `--%PROPERTY` output of a Lustre file's main node: verdict, engine, reason."""
    import intrepyd
    from intrepyd.engine import EngineResult
    from intrepyd.lustre2py import translator

    found = PROPERTY.search(lustre.read_text())
    if found is None:
        raise ValueError(f"{lustre}: no `--%PROPERTY NAME;`")
    with tempfile.TemporaryDirectory(prefix="intrepyd-") as tmp:
        encoding = Path(tmp) / "circuit.py"
        # the flat .ec files mark no main node: theirs is `top`
        translator.translate(str(lustre), None if lustre.suffix == ".lus" else "top", str(encoding), "real", "int")
        spec = importlib.util.spec_from_file_location("circuit", encoding)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    context = intrepyd.Context()
    circuit = module.mk_instance(context, "top")
    circuit.mk_circuit()
    if found[1] not in circuit.outputs:
        raise ValueError(f"{lustre}: the property {found[1]} is not the main node's first output")
    portfolio = context.mk_portfolio()
    portfolio.add_target(context.mk_not(circuit.outputs[found[1]]))
    result = portfolio.reach_targets(timeout=timeout_s)
    verdict = {EngineResult.REACHABLE: "VIOLATED", EngineResult.UNREACHABLE: "PROVED"}.get(result, "UNKNOWN")
    errors = "; ".join(f"{engine}: {message}" for engine, message in portfolio.get_last_errors().items())
    reason = "" if verdict != "UNKNOWN" else errors or f"timeout {timeout_s:g} s"
    return {"verdict": verdict, "engine": portfolio.get_last_engine() or "", "reason": reason}


def run_intrepyd(case: Case, timeout_s: float) -> Outcome:
    """`decide_lustre` on one case, in its own process (this module's `--decide`) within the wall-clock limit."""
    if not case.path.is_file():
        return Outcome(case, "REFUSED", 0.0, f"no Lustre original: {case.path}")
    args = ["--decide", str(case.path), "--timeout", str(timeout_s)]
    ended = run_limited("benchmarks.intrepyd_side_by_side:main", args, timeout_s + GRACE_S)
    if ended.returncode is None:
        return Outcome(case, "UNKNOWN", ended.seconds, f"killed after {timeout_s + GRACE_S:g} s")
    if ended.returncode == 2:
        return Outcome(case, "REFUSED", ended.seconds, ended.stderr[-1] if ended.stderr else "exit 2")
    if ended.report is None:
        return Outcome(case, "ERROR", ended.seconds, ended.stderr[-1] if ended.stderr else f"exit {ended.returncode}")
    verdict, reason = str(ended.report["verdict"]), str(ended.report["reason"])
    return Outcome(case, verdict, ended.seconds, reason, ended.in_process_s)


def lustre_case(case: Case, benchmarks: Path) -> Case:
    """A MoXI case's Lustre original, with the verdict recorded on it (the opposite of an explained difference)."""
    expected = OPPOSITE[case.expected] if case.explained else case.expected
    return dataclasses.replace(case, path=lustre_original(benchmarks, case.name), expected=expected, explained="")


def _quartiles(values: list[float]) -> str:
    """Median and quartiles of positive ratios, as `median Mx (quartiles Qx, Qx)`."""
    q = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return f"median {q[1]:.2f}x (quartiles {q[0]:.2f}x, {q[2]:.2f}x) on {len(values)}"


def _column(outcomes: list[Outcome]) -> list[str]:
    """One tool's cells: correct (explained), wrong, UNKNOWN, refused, error, total and median seconds, and the
    median of the seconds inside the process (after interpreter start-up and the harness's import)."""
    correct = [o for o in outcomes if o.verdict == o.case.expected]
    explained = sum(bool(o.case.explained) for o in correct)
    times = [o.seconds for o in outcomes]
    inside = [o.in_process_s for o in outcomes if o.in_process_s is not None]
    return [
        f"{len(correct)} ({explained} explained)" if explained else str(len(correct)),
        str(sum(o.wrong for o in outcomes)),
        *(str(sum(o.verdict == kind for o in outcomes)) for kind in ("UNKNOWN", "REFUSED", "ERROR")),
        f"{sum(times):.1f}" if times else "-",
        f"{statistics.median(times):.2f}" if times else "-",
        f"{statistics.median(inside):.2f}" if inside else "-",
    ]


ROWS = ("correct", "wrong", "UNKNOWN", "refused input", "error", "total seconds", "median seconds", "median in-process")


def render(console: Console, ours: list[Outcome], theirs: list[Outcome] | None, intrepyd: str) -> None:
    """The side-by-side table, the ratio of times, the reasons for no answer and every wrong or differing case."""
    table = Table(title=f"{len(ours)} Kind 2 benchmarks, side by side", header_style="bold")
    for col in ("", "pumpproof (MoXI files)", f"{intrepyd} (Lustre originals)"):
        table.add_column(col)
    others = _column(theirs) if theirs is not None else ["-"] * len(ROWS)
    for row, mine, other in zip(ROWS, _column(ours), others, strict=True):
        table.add_row(row, mine, other)
    console.print(table)
    if theirs is None:
        return
    both = [
        (o, t)
        for o, t in zip(ours, theirs, strict=True)
        if o.verdict == o.case.expected and t.verdict == t.case.expected
    ]
    if both:
        ratios = _quartiles([t.seconds / o.seconds for o, t in both])
        console.print(f"intrepyd's time / pumpproof's, cases both decided: {ratios}", markup=False)
        inside = [(o.in_process_s, t.in_process_s) for o, t in both if o.in_process_s and t.in_process_s]
        if inside:
            ratios = _quartiles([t / o for o, t in inside])
            console.print(f"the same, in-process seconds: {ratios}", markup=False)
    for tool, outcomes in (("pumpproof", ours), ("intrepyd", theirs)):
        for o in outcomes:
            if o.verdict != o.case.expected:
                line = f"  {tool} {o.case.name}: {o.verdict}, expected {o.case.expected} {o.reason[:120]}".rstrip()
                console.print(line, style="red" if o.wrong else "", markup=False, highlight=False)


def _answers(run: Callable[[Case, float], Outcome], cases: list[Case], timeout_s: float, jobs: int) -> list[Outcome]:
    """One tool on every case, `jobs` at a time."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda case: run(case, timeout_s), cases))


def main(argv: list[str] | None = None) -> int:
    """Run both tools on the (sampled) suite and print the comparison; 1 when pumpproof is wrong."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", type=Path, help="a folder with models/*.moxi and verdicts.csv")
    ap.add_argument("--lustre", type=Path, help="a kind2-benchmarks checkout (FMCAD08/, Deprecated/flat/)")
    ap.add_argument("--sample", type=int, help="run this many cases, spread evenly over the suite")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per case for each tool (default 30)")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these cases")
    ap.add_argument("--decide", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.decide:
        try:
            answer = decide_lustre(args.decide, args.timeout)
        except (ValueError, NotImplementedError, RuntimeError) as error:
            print(f"intrepyd cannot read {args.decide.name}: {type(error).__name__}: {error}", file=sys.stderr)
            return 2
        args.json.write_text(json.dumps(answer))
        return 0
    if args.suite is None:
        ap.error("--suite is required")
    cases = read_suite(args.suite, read_explained(ROOT / "tests" / "trust" / "thirdparty_differences.csv"))
    cases = sample([c for c in cases if c.name in args.only] if args.only else cases, args.sample)
    if not cases:
        print(f"no cases in {args.suite}", file=sys.stderr)
        return 2
    console = Console(width=140)
    ours = _answers(lambda case, t: run_case(case, t, certify=False), cases, args.timeout, args.jobs)
    version = intrepyd_version()
    theirs = None
    if version is None:
        console.print("intrepyd: not installed (tox -e intrepyd installs it)", markup=False)
    elif args.lustre is None or not args.lustre.is_dir():
        console.print(f"intrepyd: no Lustre originals at {args.lustre} (a kind2-benchmarks checkout)", markup=False)
    else:
        originals = [lustre_case(case, args.lustre) for case in cases]
        theirs = _answers(run_intrepyd, originals, args.timeout, args.jobs)
    render(console, ours, theirs, f"intrepyd {version}" if version else "intrepyd")
    return 1 if any(o.wrong for o in ours) else 0


if __name__ == "__main__":
    sys.exit(main())
