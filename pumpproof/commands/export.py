"""`export`: the model and its safety requirements as a MoXI file, printed or written; nothing is solved."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from pumpproof.commands.inputs import load, load_model
from pumpproof.errors import UsageError
from pumpproof.exits import EXIT_PROVED
from pumpproof.lang.characters import visible
from pumpproof.output import refuse_clashes, refuse_unwritable, write_atomically
from pumpproof.reports.provenance import command_line


def run(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    """0 once the file is written or printed; each requirement left out (liveness, unsupported) is a warning."""
    from pumpproof.verify.export_moxi import export_moxi

    if args.requirements is None:
        if args.only:
            raise UsageError("--only names requirements, but no requirements file is given", hint="give REQS")
        system, reqs = load_model(args), None
    else:
        system, reqs = load(args)
    if args.output is not None:
        inputs = [args.model, *([args.requirements] if args.requirements else [])]
        refuse_clashes([("-o", args.output)], [], inputs)
        refuse_unwritable([("-o", args.output)])
    exported = export_moxi(system, reqs, command_line(argv))
    for left in exported.omitted:
        print(f"warning: {visible(left.id)} is not exported: {visible(left.reason)}", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(exported.text)
        sys.stdout.flush()
    else:
        write_atomically(args.output, exported.text)
        stated = ", ".join(exported.stated) or "no query"
        print(f"MoXI written to {visible(args.output)} ({stated})", file=sys.stderr)
    return EXIT_PROVED
