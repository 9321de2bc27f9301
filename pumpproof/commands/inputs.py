"""The parts of a command line every command reads the same way: the model, its requirements, `-D`, the options."""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from pumpproof.errors import UsageError
from pumpproof.lang.ir import RequirementSet, TransitionSystem
from pumpproof.verify.run import Options


def parse_defines(items: list[str]) -> dict[str, str]:
    """`-D NAME=VALUE` options as a dict."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"-D expects NAME=VALUE, got '{item}'", hint="for example: -D T_DETECT_MS=5000")
        out[name.strip()] = value.strip()
    return out


def load_model(args: argparse.Namespace) -> TransitionSystem:
    """The model file, with the `-D` overrides."""
    from pumpproof.lang.load import load_model as load

    return load(args.model, parse_defines(args.defines))


def load(args: argparse.Namespace) -> tuple[TransitionSystem, RequirementSet]:
    """The model and its requirements, narrowed to `--only` and without `--exclude` (UsageError for an id the file
    does not have)."""
    from pumpproof.lang.load import load_requirements

    system = load_model(args)
    reqs = load_requirements(args.requirements, system)
    known = {r.id for r in reqs.requirements}
    excluded = getattr(args, "exclude", [])  # only `mutate` has --exclude
    for flag, ids in (("--only", args.only), ("--exclude", excluded)):
        missing = [i for i in ids if i not in known]
        if missing:
            raise UsageError(
                f"{flag} names unknown requirement(s): {', '.join(missing)}", hint=f"known: {', '.join(sorted(known))}"
            )
    kept = [r for r in reqs.requirements if (not args.only or r.id in args.only) and r.id not in excluded]
    return system, replace(reqs, requirements=tuple(kept))


def options(args: argparse.Namespace) -> Options:
    """The engines' options; the total timeout starts counting now, once the input is loaded."""
    total = None if args.total_timeout is None else time.time() + args.total_timeout
    return Options(args.engine, args.timeout, args.max_depth, total, args.deterministic)


def recorded_options(args: argparse.Namespace) -> dict[str, object]:
    """The options a verdict depends on, as the run's record states them."""
    return {
        "engine": args.engine,
        "timeout_s": args.timeout,
        "total_timeout_s": args.total_timeout,
        "max_depth": args.max_depth,
        "deterministic": args.deterministic,
    }
