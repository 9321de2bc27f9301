"""`check` and `certify`: decide every requirement, print the verdicts, re-check proofs with cvc5, write the outputs."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from pumpproof.commands.inputs import load, options, recorded_options
from pumpproof.errors import InternalError, UsageError
from pumpproof.exits import EXIT_INTERNAL, EXIT_PROVED, EXIT_UNKNOWN, after_writing, exit_code, regression_code
from pumpproof.lang.ir import TransitionSystem
from pumpproof.output import Requested, refuse_clashes, refuse_unwritable, write_atomically, writing
from pumpproof.reports import json_report, regressions, terminal
from pumpproof.reports.provenance import RunInfo, run_info
from pumpproof.reports.terminal import plain
from pumpproof.verify.problem import RANGES_ID
from pumpproof.verify.results import Violated
from pumpproof.verify.run import Outcome, check_all
from pumpproof.verify.runs import DEADLOCK_ID, TIME_ID

if TYPE_CHECKING:
    from pumpproof.verify.cache import ResultCache
    from pumpproof.verify.independent import CertifiedProof


def run(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    """`check` (and `certify`, which is `check --certificates`): the exit code of the verdicts, the re-checks
    and the writes."""
    if args.command == "certify" and not args.certificates:
        args.certificates = f"{Path(args.model).stem}.certificates"
    system, reqs = load(args)
    args.requirements = reqs.path  # a .moxi model's requirements are its queries: the model file
    inputs = [args.model, args.requirements]
    ids = [RANGES_ID, DEADLOCK_ID, TIME_ID, *(r.id for r in reqs.requirements)]
    from pumpproof.reports.msc import composed

    files, folders = requested(args).planned(ids, inputs, charts=composed(system))
    refuse_clashes(files, folders, inputs)
    refuse_unwritable(files)
    baseline = json_report.load(args.baseline) if args.baseline else None  # a bad file stops before solving
    store = _result_cache(args)  # an unusable folder stops before solving too
    chosen = options(args)
    with console.status("checking", spinner="dots") as status:
        progress = lambda rid: status.update(f"checking {rid}")  # noqa: E731
        if store is None:
            outcomes = check_all(system, reqs, chosen, progress, args.jobs)
        else:
            from pumpproof.verify import cache

            outcomes = cache.check_all(system, reqs, chosen, store, progress, args.jobs)
    info = run_info(argv, system, reqs, recorded_options(args))
    code = exit_code(outcomes)
    terminal.render(console, system, outcomes, info, args.invariants)
    if baseline is not None:
        changes = regressions.compare(outcomes, baseline)
        regressions.render(console, changes, args.baseline)
        code = regression_code([c.after for c in changes if c.worse and c.after is not None])
    refuted: list[str] = []
    proofs: list[CertifiedProof] = []
    if args.certify or args.certificates:
        proofs = _certify(outcomes, args.timeout, console)
        refuted = [p.requirement for p in proofs if p.refuted]
        if refuted:
            code = EXIT_INTERNAL
        elif any(p.unconfirmed for p in proofs) and code == EXIT_PROVED:
            code = EXIT_UNKNOWN
    unwritten = write_outputs(args, system, outcomes, info, code, proofs, console)
    if refuted:
        after_writing(code, unwritten)  # only to print what was not written: the exit is 4 regardless
        raise InternalError(
            f"cvc5 refutes the proof obligations of {', '.join(refuted)}: the proof found by z3 does not hold "
            "(the certificates are kept for inspection)"
        )
    return after_writing(code, unwritten)


def _result_cache(args: argparse.Namespace) -> ResultCache | None:
    """The result cache `--cache` (or $PUMPPROOF_CACHE) names, opened; None without one."""
    from pumpproof.verify import cache

    folder = cache.cache_dir(args.cache)
    return None if folder is None else cache.ResultCache.open(folder)


def requested(args: argparse.Namespace) -> Requested:
    """The outputs the command line asks for."""
    flag = "--out" if args.command == "certify" else "--certificates"
    return Requested(
        args.json, args.junit, args.sarif, args.report, args.graph_dir, args.graph_format, args.certificates, flag
    )


def _certify(outcomes: list[Outcome], timeout_s: float, console: Console) -> list[CertifiedProof]:
    """Every proof re-checked with cvc5, and the table of which solver answered what."""
    from pumpproof.reports.certify import render
    from pumpproof.verify import independent

    with console.status("re-checking proofs with cvc5", spinner="dots"):
        proofs = independent.certify(outcomes, timeout_s)
    render(console, proofs)
    return proofs


def write_outputs(
    args: argparse.Namespace,
    system: TransitionSystem,
    outcomes: list[Outcome],
    info: RunInfo,
    code: int,
    proofs: list[CertifiedProof],
    console: Console,
) -> list[UsageError]:
    """Every file the command was asked for, once solving is over; returns the outputs that could not be written."""
    unwritten: list[UsageError] = []
    out = requested(args)
    if out.certificates:
        from pumpproof.verify import independent

        with writing(out.certificates_flag, unwritten):
            _wrote(console, "certificates", independent.write_bundle(proofs, system.name, out.certificates))
    if out.json:
        with writing("--json", unwritten):
            write_atomically(out.json, json_report.dumps(json_report.report(outcomes, info, system.name, code)))
            _wrote(console, "JSON report", out.json)
    if out.junit:
        from pumpproof.reports import junit

        with writing("--junit", unwritten):
            write_atomically(out.junit, junit.junit_xml(system, outcomes, info, args.junit_unknown))
            _wrote(console, "JUnit XML", out.junit)
    if out.sarif:
        from pumpproof.reports import sarif

        with writing("--sarif", unwritten):
            write_atomically(out.sarif, sarif.dumps(sarif.sarif_log(system, args.requirements, outcomes, info)))
            _wrote(console, "SARIF log", out.sarif)
    if out.report:
        from pumpproof.reports import html
        from pumpproof.verify.state_space import projection

        violated = any(isinstance(o.result, Violated) for o in outcomes)
        space = projection(system) if violated else None  # drawn next to each counterexample
        with writing("--report", unwritten):
            index = html.write_report(out.report, system, args.requirements, outcomes, info, space)
            _wrote(console, "HTML report", index)
    if out.graph_dir:
        from pumpproof.reports import graphs

        with writing("--graph-dir", unwritten):
            for path in graphs.write_trace_graphs(out.graph_dir, system, outcomes, out.graph_format):
                _wrote(console, "graph", path)
        from pumpproof.reports import msc

        with writing("--graph-dir", unwritten):
            for path in msc.write_charts(out.graph_dir, system, outcomes):
                _wrote(console, "message-sequence chart", path)
    return unwritten


def _wrote(console: Console, what: str, path: str | os.PathLike[str]) -> None:
    console.print(plain(f"{what} written to {path}", "dim"))
