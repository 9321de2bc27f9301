"""The `pumpproof` command: its grammar, and every error formatted here, once. The commands' bodies are in
`pumpproof.commands`; the exit codes, part of the interface, in `pumpproof.exits`.

`lint` and `mutate` read exit codes the same way: 1 a finding (a dead transition, a surviving mutant),
3 something undecided and nothing found. With `--certify` (and `certify`), 4 when cvc5 refutes a
proof obligation, 3 when it cannot confirm a proof and nothing else is wrong. `show`: 0 when every
counterexample shown was replayed again on the report's unchanged files, 3 when some is only the
report's claim (its files are not at hand, or changed). A question too big to enumerate is 3.
`export` solves nothing: 0 once the file is written (a requirement left out is a warning), 2 for bad input.
`sweep` exits as `check` over all its tasks.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import math
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn

from rich.console import Console

from pumpproof import __version__
from pumpproof.errors import InputError, PumpproofError, TooManyStates, UsageError
from pumpproof.exits import EXIT_INTERNAL, EXIT_UNKNOWN, EXIT_USAGE
from pumpproof.lang.characters import visible, visible_lines
from pumpproof.stopping import Terminated, ended_by_signals
from pumpproof.verify.budget import GRACE_S
from pumpproof.verify.portfolio import CHOICES

GRAPH_FORMATS = ("svg", "png", "dot")  # pumpproof.reports.graphs.FORMATS, without importing graphviz at start-up
EXPORT_FORMATS = ("moxi",)

Command = Callable[[argparse.Namespace, list[str], Console], int]
COMMANDS = {
    "check": "check", "certify": "check", "lint": "lint", "mutate": "mutate", "show": "show", "export": "export",
    "sweep": "sweep",
}  # fmt: skip
"""The module of `pumpproof.commands` that runs each command (imported only when it runs: start-up stays short)."""


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
    _baseline_argument(check)
    _cache_argument(check)
    _jobs_argument(check, REQUIREMENTS_AT_A_TIME)
    check.add_argument(
        "--certify", action="store_true", help="re-check every proof's obligations with cvc5 (independent of z3)"
    )
    check.add_argument(
        "--certificates",
        metavar="DIR",
        help="write the re-checked obligations (.smt2) and manifest.json (implies --certify)",
    )

    certify = sub.add_parser(
        "certify", help="check, then re-check every proof with cvc5 and write a certificate bundle"
    )
    _model_arguments(certify, requirements=True)
    _solver_arguments(certify, "as for check, and each cvc5 obligation")
    _output_arguments(certify)
    _baseline_argument(certify)
    _cache_argument(certify)
    _jobs_argument(certify, REQUIREMENTS_AT_A_TIME)
    certify.add_argument(
        "--out",
        dest="certificates",
        metavar="DIR",
        help="where to write the .smt2 obligations and manifest.json (default: ./MODEL-FILE-STEM.certificates)",
    )
    certify.set_defaults(certify=True)

    lint = sub.add_parser("lint", help="dead transitions, unreached enum values, deadlocks and timelocks of a model")
    _model_arguments(lint, requirements=False)
    _solver_arguments(lint, "each question about the model")

    mutate = sub.add_parser("mutate", help="inject small faults into the model and see which requirements notice")
    _model_arguments(mutate, requirements=True)
    _solver_arguments(mutate, "as for check, on the model and on each mutant")
    mutate.add_argument(
        "--transition", action="append", default=[], metavar="NAME", help="mutate only these transitions"
    )
    mutate.add_argument("--show-killed", action="store_true", help="list killed mutants too")
    mutate.add_argument(
        "--environment",
        action="store_true",
        help="also mutate the world's own state (updates of variables only environment transitions write: "
        "a different world, not a fault of the design)",
    )
    mutate.add_argument(
        "--exclude", action="append", default=[], metavar="ID", help="leave out these requirements (meant to fail)"
    )
    mutate.add_argument(
        "--sample",
        type=_positive("mutants"),
        metavar="N",
        help="run a random sample of N mutants (the same for the same model and --sample-seed); the score is "
        "then an estimate, printed with its 95%% interval",
    )
    mutate.add_argument(
        "--sample-seed", type=int, default=1, metavar="S", help="the seed of --sample's draw (default: 1)"
    )
    mutate.add_argument(
        "--baseline",
        metavar="FILE",
        help="reviewed survivors (CSV: mutant,reason): exit 1 only for a survivor the file does not list",
    )
    mutate.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="write the survivors to a new FILE (never over an existing one), each reason to be reviewed",
    )
    mutate.add_argument(
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        metavar="N",
        help="mutants checked at a time, each in its own process (default: the number of cores)",
    )

    export = sub.add_parser(
        "export", help="write the model and its safety requirements as a MoXI file, for other model checkers"
    )
    _model_arguments(export, requirements=True)
    export.add_argument("--to", required=True, choices=EXPORT_FORMATS, help="the format (MoXI 0.1)")
    export.add_argument("-o", dest="output", metavar="FILE", help="write the file here (default: standard output)")

    _sweep_parser(sub)

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


def _positive(unit: str) -> Callable[[str], int]:
    """An argparse type: a positive whole number of `unit`."""

    def parse(text: str) -> int:
        if not text.strip().isdecimal() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"'{text[:40]}': expected a positive whole number of {unit}")
        return int(text)

    return parse


_depth = _positive("steps")
_jobs = _positive("processes")


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


def _baseline_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--baseline",
        metavar="OLD.json",
        help="an earlier 'check --json' report: exit 1 (or 3) only for a verdict worse than there, with the "
        "differences printed",
    )


def _cache_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--cache",
        metavar="DIR",
        help="keep each verdict in DIR and re-check it there first next time (never trusted unchecked); "
        "default: $PUMPPROOF_CACHE, else no cache",
    )


REQUIREMENTS_AT_A_TIME = (
    "requirements decided at a time, each in its own process, after the model's own questions; their engines "
    "share the cores (default: the number of cores)"
)


def _jobs_argument(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("-j", "--jobs", type=_jobs, default=os.cpu_count() or 1, metavar="N", help=what)


def _sweep_parser(sub: argparse._SubParsersAction) -> None:
    sweep = sub.add_parser(
        "sweep", help="check models x requirement files x values of constants (-D T=10,100 -D K=1..8), merged"
    )
    sweep.add_argument("models", nargs="+", metavar="MODEL", help="the models (.pump, or .moxi)")
    sweep.add_argument(
        "--req", action="append", default=[], metavar="REQS", help="requirements (.req), checked on every model"
    )
    sweep.add_argument(
        "-D",
        dest="defines",
        action="append",
        default=[],
        metavar="NAME=VALUES",
        help="the values of a model constant: a list (T=10,100,1000) of values and integer ranges (K=1..8); "
        "every combination is a task",
    )
    sweep.add_argument("--only", action="append", default=[], metavar="ID", help="use only these requirement ids")
    _solver_arguments(sweep, "in each task, as for check")
    _jobs_argument(sweep, "tasks at a time: local worker processes, or --dask local's workers (default: the cores)")
    sweep.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run the tasks on the Dask scheduler at ADDRESS (tcp://host:8786), or 'local' for a LocalCluster of "
        "--jobs workers (needs pumpproof[dask])",
    )
    sweep.add_argument("--json", metavar="FILE", help="write the merged JSON (schema pumpproof-sweep/1)")
    sweep.add_argument("--report", metavar="DIR", help="write the HTML table of verdicts per valuation, DIR/index.html")
    sweep.add_argument("--junit", metavar="FILE", help="write JUnit XML (a testsuite per task)")
    _junit_unknown_argument(sweep)


def _junit_unknown_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--junit-unknown",
        choices=("skipped", "error"),
        default="skipped",
        help="how JUnit reports an UNKNOWN requirement (default: skipped)",
    )


def _output_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="FILE", help="write the JSON report (schema pumpproof-result/1)")
    p.add_argument("--invariants", action="store_true", help="print the invariant of every proof")
    p.add_argument("--report", metavar="DIR", help="write the HTML evidence report, DIR/index.html")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML (one testcase per requirement)")
    _junit_unknown_argument(p)
    p.add_argument("--sarif", metavar="FILE", help="write a SARIF 2.1.0 log")
    p.add_argument(
        "--graph-dir",
        metavar="DIR",
        help="draw each counterexample, DIR/<requirement id>.<format>; for a composed model also its "
        "message-sequence chart, DIR/<requirement id>.msc.svg",
    )
    p.add_argument("--graph-format", choices=GRAPH_FORMATS, default="svg", help="for --graph-dir (default: svg)")


def entry() -> NoReturn:
    """The `pumpproof` command: `main`, then the exit handlers and a flush, then exit without tearing the
    interpreter down. Freeing the solver's objects and the modules one by one cost about 0.07 s of CPU per run,
    a seventh of a small check; every file is closed by then (mypy exits the same way)."""
    code = main()
    atexit._run_exitfuncs()  # what a normal exit runs first: multiprocessing's and weakref's finalizers among them
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`) loses nothing we can still write
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    # Markup and emoji codes off: every text on the console is data (see terminal.plain).
    console = Console(width=None if sys.stdout.isatty() else 140, highlight=False, markup=False, emoji=False)
    try:
        args = build_parser().parse_args(args_list)
        run: Command = importlib.import_module(f"pumpproof.commands.{COMMANDS[args.command]}").run
        with ended_by_signals():
            return run(args, args_list, console)
    except InputError as err:
        print(err.render(), file=sys.stderr)
        return EXIT_USAGE
    except TooManyStates as err:
        print(f"not decided: {visible(err.message)}", file=sys.stderr)
        return EXIT_UNKNOWN
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
