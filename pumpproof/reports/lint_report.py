"""Printing `pumpproof lint`: dead transitions, unreached enum values, deadlocks, each with its evidence."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from pumpproof.verify.coverage import DEADLOCK_HINT, Coverage, Finding
from pumpproof.verify.results import Trace, Unknown, Violated


def path_text(trace: Trace) -> str:
    """A witness run as the transitions it takes: `start → delay 3000 → detect_upstream_occlusion`."""
    steps = [f"delay {s.elapsed}" if s.transition == "delay" else str(s.transition) for s in trace.steps[1:]]
    return " → ".join(steps) or "(the initial state)"


def _where(f: Finding) -> str:
    return f"{f.loc}: " if f.loc is not None else ""


def render(console: Console, cov: Coverage) -> None:
    """Print the findings of `cov`, most serious first, and a one-line summary."""
    console.print(Text(f"lint {cov.model}", style="bold"))
    if cov.deadlock is None:
        console.print(Text(cov.deadlock_note, style="yellow"))
    elif isinstance(cov.deadlock.result, Violated):
        console.print(Text("deadlock reachable: no transition and no delay can be taken after", style="bold red"))
        console.print(f"  {path_text(cov.deadlock.result.trace)}", markup=False)
        console.print(Text(f"  hint: {DEADLOCK_HINT}", style="dim"))
    for f in cov.dead_transitions:
        console.print(
            Text(f"{_where(f)}dead transition: {f.subject.removeprefix('transition ')} never fires", style="red")
        )
    for f in cov.unreached_values:
        console.print(Text(f"{_where(f)}unreached value: no reachable state has {f.subject}", style="red"))
    for f in cov.undecided:
        reason = f.result.reason if isinstance(f.result, Unknown) else ""
        console.print(Text(f"{_where(f)}undecided: {f.subject} ({reason})", style="yellow"))
    fired = sum(f.reached is True for f in cov.transitions)
    values = sum(f.reached is True for f in cov.enum_values)
    deadlock = "none" if cov.deadlock is not None and cov.deadlock.reached is False else "see above"
    if cov.terminals:
        deadlock += " (terminal states excepted)"
    summary = (
        f"{fired}/{len(cov.transitions)} transitions fire, {values}/{len(cov.enum_values)} enum values occur, "
        f"deadlocks: {deadlock}"
    )
    console.print(Text(summary, style="bold green" if cov.clean else "bold"))
