"""The `pumpproof` command. Every error is formatted here, once; exit codes are part of the interface.

Exit codes: 0 every requirement proved; 1 some requirement violated; 2 bad input or usage;
3 some requirement unknown and none violated; 4 internal error (an engine answer failed its check).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence

from rich.console import Console

from pumpproof import __version__
from pumpproof.errors import InputError, PumpproofError, UsageError
from pumpproof.lang.ir import RequirementSet, TransitionSystem
from pumpproof.reports import json_report, terminal
from pumpproof.reports.provenance import InputFile, RunInfo, command_line, sha256_of
from pumpproof.verify.portfolio import CHOICES
from pumpproof.verify.results import Verdict
from pumpproof.verify.run import Options, Outcome, check_all
from pumpproof.verify.versions import solver_versions

EXIT_PROVED, EXIT_VIOLATED, EXIT_USAGE, EXIT_UNKNOWN, EXIT_INTERNAL = 0, 1, 2, 3, 4


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
    check.add_argument("model", help="the model (.pump)")
    check.add_argument("requirements", help="the requirements (.req)")
    check.add_argument(
        "-D", dest="defines", action="append", default=[], metavar="NAME=VALUE", help="override a model constant"
    )
    check.add_argument("--engine", choices=CHOICES, default="auto", help="engine (default: auto, a parallel portfolio)")
    check.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="per requirement (default 60)")
    check.add_argument("--max-depth", type=int, default=None, metavar="N", help="stop BMC after N steps")
    check.add_argument("--json", metavar="FILE", help="write the JSON report (schema pumpproof-result/1)")
    check.add_argument("--invariants", action="store_true", help="print the invariant of every proof")
    check.add_argument("--only", action="append", default=[], metavar="ID", help="check only these requirement ids")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    console = Console(width=None if sys.stdout.isatty() else 140, highlight=False)
    try:
        args = build_parser().parse_args(args_list)
        return _check(args, args_list, console)
    except InputError as err:
        print(err.render(), file=sys.stderr)
        return EXIT_USAGE
    except PumpproofError as err:
        print(
            f"internal error: {err}\nThis is a bug in pumpproof; please report it with the command above.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - the last line of defence: never leave the user with a bare traceback
        print("internal error: unexpected exception (a bug in pumpproof)\n" + traceback.format_exc(), file=sys.stderr)
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


def _load(args: argparse.Namespace) -> tuple[TransitionSystem, RequirementSet]:
    from pumpproof.lang.load import load_model, load_requirements

    system = load_model(args.model, parse_defines(args.defines))
    reqs = load_requirements(args.requirements, system)
    if args.only:
        known = {r.id for r in reqs.requirements}
        missing = [i for i in args.only if i not in known]
        if missing:
            raise UsageError(
                f"--only names unknown requirement(s): {', '.join(missing)}", hint=f"known: {', '.join(sorted(known))}"
            )
        reqs = RequirementSet(reqs.path, tuple(r for r in reqs.requirements if r.id in args.only))
    return system, reqs


def exit_code(outcomes: list[Outcome]) -> int:
    """1 if anything is violated, else 3 if anything is unknown, else 0."""
    verdicts = {o.result.verdict for o in outcomes}
    if Verdict.VIOLATED in verdicts:
        return EXIT_VIOLATED
    if Verdict.UNKNOWN in verdicts:
        return EXIT_UNKNOWN
    return EXIT_PROVED


def _check(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    inputs = [os.path.abspath(p) for p in (args.model, args.requirements)]
    if args.json and os.path.abspath(args.json) in inputs:
        raise UsageError(f"--json {args.json} would overwrite an input file", hint="choose another output path")
    system, reqs = _load(args)
    options = Options(args.engine, args.timeout, args.max_depth)
    with console.status("checking", spinner="dots") as status:
        outcomes = check_all(system, reqs, options, progress=lambda rid: status.update(f"checking {rid}"))
    info = RunInfo(
        command=command_line(argv),
        files=(
            InputFile(args.model, sha256_of(args.model), "model"),
            InputFile(args.requirements, sha256_of(args.requirements), "requirements"),
        ),
        constants=dict(system.constants),
        options={"engine": args.engine, "timeout_s": args.timeout, "max_depth": args.max_depth},
        solvers=solver_versions(),
    )
    code = exit_code(outcomes)
    terminal.render(console, system, outcomes, info, args.invariants)
    if args.json:
        write_atomically(args.json, json_report.dumps(json_report.report(outcomes, info, system.name, code)))
    return code


def write_atomically(path: str, text: str) -> None:
    """Write `text` to `path` through a temporary file, so a crash never leaves half a report."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".pumpproof-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror}") from None
