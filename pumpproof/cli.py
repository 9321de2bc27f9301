"""The `pumpproof` command. Every error is formatted here, once; exit codes are part of the interface.

Exit codes: 0 every requirement proved; 1 some requirement violated or vacuous; 2 bad input or
usage; 3 some requirement unknown and none violated or vacuous; 4 internal error (an engine answer
failed its check). An output that cannot be written after solving keeps the verdict's code, and
turns 0 into 2.
`lint` and `mutate` read them the same way: 1 a finding (a dead transition, a surviving mutant),
3 something undecided and nothing found. With `--certify` (and `certify`), 4 when cvc5 refutes a
proof obligation, 3 when it cannot confirm a proof and nothing else is wrong. `show`: 0 when every
counterexample shown was replayed again on the report's unchanged files, 3 when some is only the
report's claim (its files are not at hand, or changed).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pumpproof import __version__
from pumpproof.errors import InputError, InternalError, PumpproofError, UsageError
from pumpproof.lang.characters import visible_lines
from pumpproof.lang.ir import RequirementSet, TransitionSystem
from pumpproof.output import refuse_clashes, refuse_unwritable, same_dir, write_atomically, writing
from pumpproof.reports import json_report, terminal
from pumpproof.reports.provenance import RunInfo, run_info
from pumpproof.reports.terminal import plain
from pumpproof.stopping import Terminated, ended_by_signals
from pumpproof.verify.budget import GRACE_S
from pumpproof.verify.portfolio import CHOICES
from pumpproof.verify.problem import RANGES_ID
from pumpproof.verify.results import Unknown, Verdict, Violated
from pumpproof.verify.run import Options, Outcome, check_all
from pumpproof.verify.runs import DEADLOCK_ID, TIME_ID

if TYPE_CHECKING:
    from pumpproof.verify.independent import CertifiedProof

EXIT_PROVED, EXIT_VIOLATED, EXIT_USAGE, EXIT_UNKNOWN, EXIT_INTERNAL = 0, 1, 2, 3, 4
GRAPH_FORMATS = ("svg", "png", "dot")  # pumpproof.reports.graphs.FORMATS, without importing graphviz at start-up

Command = Callable[[argparse.Namespace, list[str], Console], int]


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 2, formatted like every other error) instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, hint=f"run '{self.prog} --help' for usage")


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = _Parser(prog="pumpproof", description="Formal verification of infusion-pump alarm logic.")
    parser.add_argument("--version", action="version", version=f"pumpproof {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="decide every requirement of a .req file on a .pump model")
    _model_arguments(check, requirements=True)
    _solver_arguments(check, "each requirement, each trigger's vacuity check, each question about the model's runs")
    _output_arguments(check)
    check.add_argument(
        "--certify", action="store_true", help="re-check every proof's obligations with cvc5 (independent of z3)"
    )
    check.add_argument(
        "--certificates",
        metavar="DIR",
        help="write the re-checked obligations (.smt2) and manifest.json (implies --certify)",
    )
    check.set_defaults(run=_check)

    certify = sub.add_parser(
        "certify", help="check, then re-check every proof with cvc5 and write a certificate bundle"
    )
    _model_arguments(certify, requirements=True)
    _solver_arguments(certify, "as for check, and each cvc5 obligation")
    _output_arguments(certify)
    certify.add_argument(
        "--out",
        dest="certificates",
        metavar="DIR",
        help="where to write the .smt2 obligations and manifest.json (default: ./MODEL-FILE-STEM.certificates)",
    )
    certify.set_defaults(run=_check, certify=True)

    lint = sub.add_parser("lint", help="dead transitions, unreached enum values, deadlocks and timelocks of a model")
    _model_arguments(lint, requirements=False)
    _solver_arguments(lint, "each question about the model")
    lint.set_defaults(run=_lint)

    mutate = sub.add_parser("mutate", help="inject small faults into the model and see which requirements notice")
    _model_arguments(mutate, requirements=True)
    _solver_arguments(mutate, "as for check, on the model and on each mutant")
    mutate.add_argument(
        "--transition", action="append", default=[], metavar="NAME", help="mutate only these transitions"
    )
    mutate.add_argument("--show-killed", action="store_true", help="list killed mutants too")
    mutate.set_defaults(run=_mutate)

    show = sub.add_parser(
        "show", help="print the counterexamples of a saved --json report again, replayed on the model if it is there"
    )
    show.add_argument("report", help="a JSON report written by 'check --json'")
    show.add_argument("--id", metavar="ID", help="only this requirement's counterexample")
    show.add_argument("--graph", metavar="FILE", help="draw the counterexample (.svg, .png or .dot)")
    show.add_argument("--model", metavar="FILE", help="the report's model file, if it is not where the report says")
    show.add_argument(
        "--requirements", metavar="FILE", help="the report's requirements file, if it is not where the report says"
    )
    show.set_defaults(run=_show)
    return parser


def _model_arguments(p: argparse.ArgumentParser, requirements: bool) -> None:
    p.add_argument("model", help="the model (.pump, or .moxi)")
    if requirements:
        p.add_argument("requirements", nargs="?", help="the requirements (.req; a .moxi model brings its queries)")
    p.add_argument(
        "-D", dest="defines", action="append", default=[], metavar="NAME=VALUE", help="override a model constant"
    )
    if requirements:
        p.add_argument("--only", action="append", default=[], metavar="ID", help="use only these requirement ids")


def _solver_arguments(p: argparse.ArgumentParser, per: str) -> None:
    p.add_argument("--engine", choices=CHOICES, default="auto", help="engine (default: auto, a parallel portfolio)")
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help=f"seconds per solver question ({per}; default 60): an engine still running {GRACE_S:g} s later is "
        "stopped and the question is UNKNOWN",
    )
    p.add_argument(
        "--total-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="seconds for the whole run (default: no bound): once spent, no question is asked and what is left "
        "is UNKNOWN (total timeout reached)",
    )
    p.add_argument("--max-depth", type=_depth, default=None, metavar="N", help="stop BMC after N steps")
    p.add_argument(
        "--deterministic",
        action="store_true",
        help="take each answer from the engines in a fixed order of preference, not from the first to finish: "
        "the same command gives the same engines, traces and invariants (a little slower)",
    )


def _depth(text: str) -> int:
    """A positive number of steps (argparse type)."""
    if not text.strip().isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text[:40]}': expected a positive whole number of steps")
    return int(text)


MAX_TIMEOUT_S = 1e6
"""The longest timeout (about 11 days): Z3 takes its timeout as a 32-bit count of milliseconds."""


def _seconds(text: str) -> float:
    """A number of seconds above 0 and at most MAX_TIMEOUT_S (argparse type; nan and inf are refused)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_TIMEOUT_S:  # also false for nan
        limit = f"{MAX_TIMEOUT_S:,.0f}"
        raise argparse.ArgumentTypeError(f"'{text[:40]}': expected a positive number of seconds, at most {limit}")
    return value


def _output_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="FILE", help="write the JSON report (schema pumpproof-result/1)")
    p.add_argument("--invariants", action="store_true", help="print the invariant of every proof")
    p.add_argument("--report", metavar="DIR", help="write the HTML evidence report, DIR/index.html")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML (one testcase per requirement)")
    p.add_argument(
        "--junit-unknown",
        choices=("skipped", "error"),
        default="skipped",
        help="how JUnit reports an UNKNOWN requirement (default: skipped)",
    )
    p.add_argument("--sarif", metavar="FILE", help="write a SARIF 2.1.0 log")
    p.add_argument("--graph-dir", metavar="DIR", help="draw each counterexample, DIR/<requirement id>.<format>")
    p.add_argument("--graph-format", choices=GRAPH_FORMATS, default="svg", help="for --graph-dir (default: svg)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    # Markup and emoji codes off: every text on the console is data (see terminal.plain).
    console = Console(width=None if sys.stdout.isatty() else 140, highlight=False, markup=False, emoji=False)
    try:
        args = build_parser().parse_args(args_list)
        run: Command = args.run
        with ended_by_signals():
            return run(args, args_list, console)
    except InputError as err:
        print(err.render(), file=sys.stderr)
        return EXIT_USAGE
    except PumpproofError as err:
        print(
            f"internal error: {visible_lines(str(err))}\n"
            "This is a bug in pumpproof; please report it with the command above.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Terminated as stop:
        print(f"stopped by {signal.Signals(stop.signum).name}", file=sys.stderr)
        return 128 + stop.signum
    except Exception:  # noqa: BLE001 - the last line of defence: never leave the user with a bare traceback
        trace = visible_lines(traceback.format_exc())
        print("internal error: unexpected exception (a bug in pumpproof)\n" + trace, file=sys.stderr)
        return EXIT_INTERNAL


def parse_defines(items: list[str]) -> dict[str, str]:
    """`-D NAME=VALUE` options as a dict."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"-D expects NAME=VALUE, got '{item}'", hint="for example: -D T_DETECT_MS=5000")
        out[name.strip()] = value.strip()
    return out


def _load_model(args: argparse.Namespace) -> TransitionSystem:
    from pumpproof.lang.load import load_model

    return load_model(args.model, parse_defines(args.defines))


def _load(args: argparse.Namespace) -> tuple[TransitionSystem, RequirementSet]:
    from pumpproof.lang.load import load_requirements

    system = _load_model(args)
    reqs = load_requirements(args.requirements, system)
    if args.only:
        known = {r.id for r in reqs.requirements}
        missing = [i for i in args.only if i not in known]
        if missing:
            raise UsageError(
                f"--only names unknown requirement(s): {', '.join(missing)}", hint=f"known: {', '.join(sorted(known))}"
            )
        reqs = replace(reqs, requirements=tuple(r for r in reqs.requirements if r.id in args.only))
    return system, reqs


def _options(args: argparse.Namespace) -> Options:
    """The engines' options; the total timeout starts counting now, once the input is loaded."""
    total = None if args.total_timeout is None else time.time() + args.total_timeout
    return Options(args.engine, args.timeout, args.max_depth, total, args.deterministic)


def exit_code(outcomes: list[Outcome]) -> int:
    """1 if anything is violated or vacuous (proved only because it is never exercised), else 3 if anything
    is unknown, else 0."""
    verdicts = {o.result.verdict for o in outcomes}
    if Verdict.VIOLATED in verdicts or Verdict.VACUOUS in verdicts:
        return EXIT_VIOLATED
    if Verdict.UNKNOWN in verdicts:
        return EXIT_UNKNOWN
    return EXIT_PROVED


# ---------------------------------------------------------------- output paths


def _planned_outputs(
    args: argparse.Namespace, ids: Sequence[str], inputs: Sequence[str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Every file and folder `check` may write: (flag, path) pairs."""
    files: list[tuple[str, str | None]] = [("--json", args.json), ("--junit", args.junit), ("--sarif", args.sarif)]
    folders: list[tuple[str, str]] = []
    if args.report:
        folders.append(("--report", args.report))
        files.append(("--report", os.path.join(args.report, "index.html")))
    if args.graph_dir:
        folders.append(("--graph-dir", args.graph_dir))
        files += [("--graph-dir", os.path.join(args.graph_dir, f"{i}.{args.graph_format}")) for i in ids]
    if args.certificates:
        flag = _certificates_flag(args)
        folders.append((flag, args.certificates))
        files.append((flag, os.path.join(args.certificates, "manifest.json")))
        # the obligations' file names are known only after solving; none of them can be an input
        files += [(flag, p) for p in inputs if p.endswith(".smt2") and same_dir(p, args.certificates)]
    return [(f, p) for f, p in files if p], folders


def _certificates_flag(args: argparse.Namespace) -> str:
    return "--out" if args.command == "certify" else "--certificates"


def _exit_after_writing(code: int, unwritten: Sequence[UsageError]) -> int:
    """The verdict's exit code, unless outputs failed on a run that would exit 0: then 2, so nothing looks fine.

    Prints every failure and both codes, so the verdict stays visible either way.
    """
    if not unwritten:
        return code
    for err in unwritten:
        print(err.render(), file=sys.stderr)
    final = EXIT_USAGE if code == EXIT_PROVED else code
    print(f"verdict exit {code}; writing outputs failed: exit {final}", file=sys.stderr)
    return final


def _wrote(console: Console, what: str, path: str | os.PathLike[str]) -> None:
    console.print(plain(f"{what} written to {path}", "dim"))


# ---------------------------------------------------------------- check and certify


def _check(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    if args.command == "certify" and not args.certificates:
        args.certificates = f"{Path(args.model).stem}.certificates"
    certify = args.certify or bool(args.certificates)
    system, reqs = _load(args)
    args.requirements = reqs.path  # a .moxi model's requirements are its queries: the model file
    inputs = [args.model, args.requirements]
    ids = [RANGES_ID, DEADLOCK_ID, TIME_ID, *(r.id for r in reqs.requirements)]
    files, folders = _planned_outputs(args, ids, inputs)
    refuse_clashes(files, folders, inputs)
    refuse_unwritable(files)
    options = _options(args)
    with console.status("checking", spinner="dots") as status:
        outcomes = check_all(system, reqs, options, progress=lambda rid: status.update(f"checking {rid}"))
    recorded = {
        "engine": args.engine,
        "timeout_s": args.timeout,
        "total_timeout_s": args.total_timeout,
        "max_depth": args.max_depth,
        "deterministic": args.deterministic,
    }
    info = run_info(argv, system, reqs, recorded)
    code = exit_code(outcomes)
    terminal.render(console, system, outcomes, info, args.invariants)
    failed: list[str] = []
    proofs: list[CertifiedProof] = []
    if certify:
        proofs, failed, unconfirmed = _certify(args, outcomes, console)
        if failed:
            code = EXIT_INTERNAL
        elif unconfirmed and code == EXIT_PROVED:
            code = EXIT_UNKNOWN
    unwritten = _write_outputs(args, system, outcomes, info, code, proofs, console)
    if failed:
        _exit_after_writing(code, unwritten)  # only to print what was not written: the exit is 4 regardless
        raise InternalError(
            f"cvc5 refutes the proof obligations of {', '.join(failed)}: the proof found by z3 does not hold "
            "(the certificates are kept for inspection)"
        )
    return _exit_after_writing(code, unwritten)


def _certify(
    args: argparse.Namespace, outcomes: list[Outcome], console: Console
) -> tuple[list[CertifiedProof], list[str], list[str]]:
    """Re-check every proof with cvc5 and print which solver answered what: the re-checked proofs, the
    requirements whose proof cvc5 refutes, and those it could not confirm."""
    from pumpproof.reports.certify import render as render_certify
    from pumpproof.verify import independent

    with console.status("re-checking proofs with cvc5", spinner="dots"):
        proofs = independent.certify(outcomes, args.timeout)
    render_certify(console, proofs)
    return proofs, [p.requirement for p in proofs if p.refuted], [p.requirement for p in proofs if p.unconfirmed]


def _write_outputs(
    args: argparse.Namespace,
    system: TransitionSystem,
    outcomes: list[Outcome],
    info: RunInfo,
    code: int,
    proofs: list[CertifiedProof],
    console: Console,
) -> list[UsageError]:
    """Every file `check` was asked for, once solving is over; returns the outputs that could not be written."""
    unwritten: list[UsageError] = []
    if args.certificates:
        from pumpproof.verify import independent

        with writing(_certificates_flag(args), unwritten):
            manifest = independent.write_bundle(proofs, system.name, args.certificates)
            _wrote(console, "certificates", manifest)
    if args.json:
        with writing("--json", unwritten):
            write_atomically(args.json, json_report.dumps(json_report.report(outcomes, info, system.name, code)))
            _wrote(console, "JSON report", args.json)
    if args.junit:
        from pumpproof.reports import junit

        with writing("--junit", unwritten):
            write_atomically(args.junit, junit.junit_xml(system, outcomes, info, args.junit_unknown))
            _wrote(console, "JUnit XML", args.junit)
    if args.sarif:
        from pumpproof.reports import sarif

        with writing("--sarif", unwritten):
            write_atomically(args.sarif, sarif.dumps(sarif.sarif_log(system, args.requirements, outcomes, info)))
            _wrote(console, "SARIF log", args.sarif)
    if args.report:
        from pumpproof.reports import html
        from pumpproof.verify.state_space import projection

        violated = any(isinstance(o.result, Violated) for o in outcomes)
        space = projection(system) if violated else None  # drawn next to each counterexample
        with writing("--report", unwritten):
            index = html.write_report(args.report, system, args.requirements, outcomes, info, space)
            _wrote(console, "HTML report", index)
    if args.graph_dir:
        from pumpproof.reports import graphs

        with writing("--graph-dir", unwritten):
            for path in graphs.write_trace_graphs(args.graph_dir, system, outcomes, args.graph_format):
                _wrote(console, "graph", path)
    return unwritten


# ---------------------------------------------------------------- lint, mutate, show


def _lint(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    from pumpproof.reports.lint import render as render_lint
    from pumpproof.verify.analyses.lint import lint

    system = _load_model(args)
    with console.status(plain(f"linting {system.name}"), spinner="dots"):
        found = lint(system, _options(args))
    render_lint(console, found)
    if found.findings:
        return EXIT_VIOLATED
    return EXIT_PROVED if found.clean else EXIT_UNKNOWN


def _mutate(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    from pumpproof.reports import mutation_report
    from pumpproof.verify.analyses import mutate

    system, reqs = _load(args)
    names = [t.name for t in system.transitions]
    unknown = [t for t in args.transition if t not in names]
    if unknown:
        raise UsageError(
            f"--transition names unknown transition(s): {', '.join(unknown)}", hint=f"known: {', '.join(names)}"
        )
    options = _options(args)
    with console.status("checking the unmutated model", spinner="dots") as status:
        base = mutate.baseline(system, reqs.requirements, options, lambda rid: status.update(f"checking {rid}"))
    base.judges()  # refuses a requirement that already fails, before any mutant is run
    for o in base.undecided:
        why = f" ({o.result.reason})" if isinstance(o.result, Unknown) else ""
        note = (
            f"note: {o.requirement.id} is UNKNOWN on the unmutated model{why}, so it judges no mutant: "
            "a mutant the other requirements do not kill is undecided"
        )
        console.print(plain(note, "yellow"))
    selected = mutate.mutants(system, args.transition or None)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", style="dim", markup=False),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("mutants", total=len(selected), current="")
        started = itertools.count()

        def starting(m: mutate.Mutant) -> None:
            bar.update(task, completed=next(started), current=m.name)

        result = mutate.score(system, reqs.requirements, options, selected, progress=starting, base=base)
    mutation_report.render(console, result, args.show_killed)
    if result.with_status(mutate.MutantStatus.SURVIVED):
        return EXIT_VIOLATED
    return EXIT_UNKNOWN if result.with_status(mutate.MutantStatus.UNKNOWN) else EXIT_PROVED


def _show(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    from pumpproof.reports.graphs import format_of
    from pumpproof.reports.show import show

    files = (args.model, args.requirements)
    if args.graph is None:
        return show(args.report, console, None, args.id, *files)
    refuse_clashes([("--graph", args.graph)], [], [args.report, *filter(None, files)])
    refuse_unwritable([("--graph", args.graph)])
    format_of(args.graph)  # a bad file name is refused before anything is shown
    return show(args.report, console, args.graph, args.id, *files)
