"""Printing `pumpproof lint`: dead transitions, unreached values, deadlocks and timelocks, with their evidence."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from pumpproof.verify.coverage import Coverage, Finding
from pumpproof.verify.results import Trace, Unknown, Violated

LOCKS = {
    "deadlock": "no transition and no delay can be taken",
    "timelock": "time cannot pass and only environment transitions can fire",
}
HINTS = {
    "deadlock": "if the model may stop here on purpose (for example after a power-off), declare such states with "
    "'terminal <condition>'; otherwise some transition (or the passing of time) is missing from this state",
    "timelock": "an invariant stops time here and the pump can do nothing about it: the transition that should "
    "act when the invariant's bound is reached (a detector, a timeout) cannot fire. If the invariant states that "
    "the environment acts in time (an operator who always answers within a bound), this is intended",
}


def path_text(trace: Trace) -> str:
    """A witness run as the transitions it takes: `start → delay 3000 → detect_upstream_occlusion`."""
    steps = [f"delay {s.elapsed}" if s.transition == "delay" else str(s.transition) for s in trace.steps[1:]]
    return " → ".join(steps) or "(the initial state)"


def _where(f: Finding) -> str:
    return f"{f.loc}: " if f.loc is not None else ""


def render(console: Console, cov: Coverage) -> None:
    """Print the findings of `cov`, most serious first, and a one-line summary."""
    console.print(Text(f"lint {cov.model}", style="bold"))
    for note in cov.notes:
        console.print(Text(note, style="yellow"))
    for f in cov.locks:
        if isinstance(f.result, Violated):
            console.print(Text(f"{f.subject} reachable: {LOCKS[f.subject]} after", style="bold red"))
            console.print(f"  {path_text(f.result.trace)}", markup=False)
            console.print(Text(f"  hint: {HINTS[f.subject]}", style="dim"))
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
    parts = [f"{fired}/{len(cov.transitions)} transitions fire", f"{values}/{len(cov.enum_values)} enum values occur"]
    for f in cov.locks:
        excepted = " (terminal states excepted)" if f is cov.deadlock and cov.terminals else ""
        parts.append(f"{f.subject}s: " + ("none" if f.reached is False else "see above") + excepted)
    console.print(Text(", ".join(parts), style="bold green" if cov.clean else "bold"))
