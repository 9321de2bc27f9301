"""`pumpproof-hook` (or `python -m pumpproof.hooks`): the pre-commit hooks of `.pre-commit-hooks.yaml`, which map
the files a commit changes to `pumpproof` commands.

- `pumpproof-hook lint FILE...`: `pumpproof lint` on every changed model, once for each set of constants
  (`define`) the project's `[tool.pumpproof]` checks give it (none when it has no check).
- `pumpproof-hook check [--cache DIR] FILE...`: `pumpproof check` for every check of the `[tool.pumpproof]`
  table whose model or requirements changed (the table says which requirements go with which model); every
  check when pyproject.toml itself changed.

The commands run one after the other, in this process; the exit code is the most serious of theirs
(internal error, then bad input, then a violation, then undecided).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pumpproof.errors import InputError
from pumpproof.exits import EXIT_INTERNAL, EXIT_PROVED, EXIT_UNKNOWN, EXIT_USAGE, EXIT_VIOLATED
from pumpproof.project import PYPROJECT, ProjectCheck, project_checks

MODEL_SUFFIXES = (".pump", ".moxi")
SEVERITY = (EXIT_PROVED, EXIT_UNKNOWN, EXIT_VIOLATED, EXIT_USAGE, EXIT_INTERNAL)
"""Exit codes from the least serious to the most; any other code (a signal's) is more serious still."""


def lint_commands(files: Sequence[str], checks: Sequence[ProjectCheck], root: Path) -> list[list[str]]:
    """`pumpproof lint` command lines for the changed model files among `files` (paths relative to `root`)."""
    commands: list[list[str]] = []
    for name in files:
        if not name.endswith(MODEL_SUFFIXES):
            continue
        path = (root / name).resolve()
        defines = list(dict.fromkeys(c.defines for c in checks if c.model_path == path)) or [()]
        for constants in defines:
            commands.append(["lint", name, *(arg for k, v in constants for arg in ("-D", f"{k}={v}"))])
    return commands


def check_commands(
    files: Sequence[str], checks: Sequence[ProjectCheck], root: Path, cache: str | None = None
) -> tuple[list[list[str]], list[str]]:
    """`pumpproof check` command lines for the checks that read one of `files`, in the table's order, and the
    changed model and requirement files no check reads (to be named: they go unchecked)."""
    changed = {(root / name).resolve(): name for name in files}
    table_changed = (root / PYPROJECT).resolve() in changed
    commands = []
    read: set[Path] = set()
    for check in checks:
        inputs = set(check.inputs())
        read |= inputs
        if table_changed or inputs & changed.keys():
            chosen = replace(check, settings=replace(check.settings, cache=cache)) if cache else check
            commands.append(chosen.command())
    suffixes = (*MODEL_SUFFIXES, ".req")
    unchecked = [name for path, name in changed.items() if name.endswith(suffixes) and path not in read]
    return commands, unchecked


def most_serious(codes: Sequence[int]) -> int:
    """The exit code of several commands: the most serious of theirs (0 when there were none)."""
    return max(codes, key=lambda c: SEVERITY.index(c) if c in SEVERITY else len(SEVERITY), default=EXIT_PROVED)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook; return the exit code."""
    parser = argparse.ArgumentParser(prog="pumpproof-hook", description="pre-commit hooks of pumpproof")
    sub = parser.add_subparsers(dest="hook", required=True)
    sub.add_parser("lint", help="pumpproof lint on every changed model").add_argument("files", nargs="*")
    check = sub.add_parser("check", help="pumpproof check for the [tool.pumpproof] checks the changes touch")
    check.add_argument("--cache", metavar="DIR", help="the result cache's folder (`pumpproof check --cache DIR`)")
    check.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    root = Path.cwd()
    try:
        checks = project_checks(root)
    except InputError as err:
        print(err.render(), file=sys.stderr)
        return EXIT_USAGE
    if args.hook == "lint":
        commands = lint_commands(args.files, checks or [], root)
    else:
        if checks is None:
            print(
                f"error: no [tool.pumpproof] table in {root / 'pyproject.toml'}: nothing says which requirements "
                "go with which model\n  hint: see docs/ci.md, 'pre-commit'",
                file=sys.stderr,
            )
            return EXIT_USAGE
        commands, unchecked = check_commands(args.files, checks, root, args.cache)
        for name in unchecked:
            print(f"note: {name} is in no check of [tool.pumpproof]: not checked", file=sys.stderr)
    from pumpproof.cli import main as pumpproof

    codes = []
    for command in commands:
        print(f"$ pumpproof {shlex.join(command)}", flush=True)
        codes.append(pumpproof(command))
    return most_serious(codes)


if __name__ == "__main__":
    raise SystemExit(main())
