"""Printing `pumpproof lint`: the model's runs first (no run, deadlocks, time that stops), then dead transitions
and unreached values, each with its evidence."""

from __future__ import annotations

from rich.console import Console

from pumpproof.lang.ir import DELAY
from pumpproof.reports.terminal import plain
from pumpproof.verify.analyses.lint import Finding, LintReport
from pumpproof.verify.results import Proved, Reachability, Trace, Unknown, Violated
from pumpproof.verify.runs import DEADLOCK_ID, Check, Stop

HINTS = {
    Stop.DEADLOCK: "if the model may stop here on purpose (for example after a power-off), declare such states with "
    "'terminal <condition>'; otherwise some transition (or the passing of time) is missing from this state",
    Stop.TIMELOCK: "an invariant stops time here and the pump can do nothing about it: the transition that should "
    "act when the invariant's bound is reached (a detector, a timeout) cannot fire. If the invariant states that "
    "the environment acts in time (an operator who always answers within a bound), this is intended",
    Stop.ZENO: "an invariant stops time here and the pump's own transitions keep firing without changing anything "
    "that would let it pass: a transition that should end the situation (set a flag, reset a clock) leaves the "
    "state as it was, or its guard lets it fire again at once",
}
SILENT_HINT = (
    "a partner exists, but never in a state where both guards hold: compare the sender's guard with each "
    "receiver's (for a value channel, the receiver's guard reads the value sent), and the order in which the "
    "parts reach them"
)
NO_RUN_HINT = (
    "compare the invariants and assumptions with the initial values (a MoXI model's :init): a typo in an 'assume', "
    "an invariant that contradicts an initial value, or a -D value out of place leaves no run, and every "
    "requirement would hold"
)


def path_text(trace: Trace) -> str:
    """A witness run as the transitions it takes: `start → delay 3000 → detect`, and what repeats forever."""
    names = [f"delay {s.elapsed}" if s.transition == DELAY else str(s.transition) for s in trace.steps]
    if trace.loop_start is None:
        return " → ".join(names[1:]) or "(the initial state)"
    stem, loop = names[1 : trace.loop_start + 1], names[trace.loop_start + 1 :]
    return " → ".join(stem or ["(the initial state)"]) + ", then " + " → ".join(loop) + " again and again"


def _where(f: Finding) -> str:
    return f"{f.loc}: " if f.loc is not None else ""


def render(console: Console, cov: LintReport) -> None:
    """Print the findings of `cov`, most serious first, and a one-line summary."""
    console.print(plain(f"lint {cov.model}", "bold"))
    if cov.runs.none is not None:
        console.print(plain(cov.runs.none, "bold red"))
        console.print(plain(f"  hint: {NO_RUN_HINT}", "dim"))
        console.print(plain("no other question asked: without a run, every transition is dead", "bold"))
        return
    for note in (*cov.runs.notes, *cov.notes):
        console.print(plain(note, "yellow"))
    for check in cov.stops:
        assert isinstance(check.result, Violated) and check.stop is not None
        console.print(plain(f"{check.id}: {check.summary}, after", "bold red"))
        console.print(plain(f"  {path_text(check.result.trace)}"))
        console.print(plain(f"  hint: {HINTS[check.stop]}", "dim"))
    for f in cov.dead_transitions:
        console.print(plain(f"{_where(f)}dead transition: {f.subject.removeprefix('transition ')} never fires", "red"))
    for sync in cov.silent_syncs:
        where = f"{sync.origin.loc}: " if sync.origin.loc is not None else ""
        n = len(sync.steps)
        never = f"none of its {n} synchronisations fires" if n > 1 else "its one synchronisation never fires"
        console.print(plain(f"{where}sync never happens: {sync.subject} has partners, but {never}", "red"))
        console.print(plain(f"  hint: {SILENT_HINT}", "dim"))
    for f in cov.unreached_values:
        console.print(plain(f"{_where(f)}unreached value: no reachable state has {f.subject}", "red"))
    for f in cov.undecided:
        reason = f.result.reason if isinstance(f.result, Unknown) else ""
        console.print(plain(f"{_where(f)}undecided: {f.subject} ({reason})", "yellow"))
    fired = sum(f.reachability is Reachability.REACHED for f in cov.transitions)
    values = sum(f.reachability is Reachability.REACHED for f in cov.enum_values)
    parts = [f"{fired}/{len(cov.transitions)} transitions fire", f"{values}/{len(cov.enum_values)} enum values occur"]
    parts += [_summary(c, cov.terminals) for c in cov.runs.checks]
    console.print(plain(", ".join(parts), style="bold green" if cov.clean else "bold"))


def _summary(check: Check, terminals: int) -> str:
    if check.id == DEADLOCK_ID:
        excepted = " (terminal states excepted)" if terminals else ""
        return "deadlocks: " + _state(check, "none") + excepted
    return "time: " + _state(check, "always passes")


def _state(check: Check, fine: str) -> str:
    if isinstance(check.result, Proved):
        return fine
    return "see above" if isinstance(check.result, Violated) else "undecided"
