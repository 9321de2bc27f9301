"""Lint: the model's runs first (a run at all, deadlocks, time that stops), then dead transitions and
unreachable enum values.

Each question is a reachability (safety) problem decided by the same engines as requirements, so
a finding comes with a replayed witness run or a proof: "transition t fires" is the bad state
`fired(t)`, "mode can be Alarm" is `mode == Alarm`; the questions about runs are those `check`
asks before any requirement (verify/runs.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from pumpproof.lang.ir import BOOL, Binary, Const, EnumType, Expr, Fired, Op, Origin, TransitionSystem, VarRef
from pumpproof.lang.location import Location
from pumpproof.verify.portfolio import Options, verdict
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Reachability, Result, Violated
from pumpproof.verify.runs import Check, Runs, runs


@dataclass(frozen=True)
class Finding:
    """One reachability question about the model: `result` Violated means reached (with a witness run)."""

    subject: str
    result: Result
    loc: Location | None = None

    @property
    def reachability(self) -> Reachability:
        """Reached (with a witness run), proved unreachable, or undecided."""
        return Reachability.of(self.result)


@dataclass(frozen=True)
class SilentSync:
    """A part's `sync` transition that has partners in the model but takes part in no step that can fire."""

    origin: Origin
    steps: tuple[Finding, ...]
    """The flat transitions it takes part in, each proved never to fire."""

    @property
    def subject(self) -> str:
        """`detector[1].report (sync raise[1]!)`."""
        part = f"{self.origin.instance}.{self.origin.transition}" if self.origin.instance else self.origin.transition
        return f"{part} (sync {self.origin.channel}{self.origin.role})"


@dataclass(frozen=True)
class LintReport:
    """The model's runs, which transitions can fire and which enum values occur."""

    model: str
    runs: Runs
    transitions: tuple[Finding, ...] = ()
    enum_values: tuple[Finding, ...] = ()
    terminals: int = 0
    """How many `terminal` conditions the model declares (states that may stop without being deadlocks)."""
    notes: tuple[str, ...] = ()
    """What a reader should know about how the questions were asked."""
    flat: tuple[tuple[Origin, ...], ...] = ()
    """The origins of each transition, in the order of `transitions`."""

    @property
    def dead_transitions(self) -> tuple[Finding, ...]:
        """Transitions proved never to fire."""
        return tuple(f for f in self.transitions if f.reachability is Reachability.UNREACHABLE)

    @property
    def unreached_values(self) -> tuple[Finding, ...]:
        """Enum values (`var == Value`) proved never to occur."""
        return tuple(f for f in self.enum_values if f.reachability is Reachability.UNREACHABLE)

    @property
    def silent_syncs(self) -> tuple[SilentSync, ...]:
        """Sends and receives that could meet a partner (the model has one) but never do: every synchronisation
        they take part in is dead. Their flat transitions are dead transitions too; this names the part."""
        steps: dict[Origin, list[Finding]] = {}
        for t, f in zip(self.flat, self.transitions, strict=True):
            for o in t:
                if o.channel is not None:
                    steps.setdefault(o, []).append(f)
        return tuple(
            SilentSync(o, tuple(fs))
            for o, fs in steps.items()
            if all(f.reachability is Reachability.UNREACHABLE for f in fs)
        )

    @property
    def stops(self) -> tuple[Check, ...]:
        """The questions about runs that stop or stop time, with a witness: the model's own findings."""
        return tuple(c for c in self.runs.checks if isinstance(c.result, Violated))

    @property
    def undecided(self) -> tuple[Finding, ...]:
        """Questions no engine answered in time."""
        asked = (*self.transitions, *self.enum_values, *(Finding(c.id, c.result) for c in self.runs.checks))
        return tuple(f for f in asked if f.reachability is Reachability.UNDECIDED)

    @property
    def findings(self) -> bool:
        """True when something is wrong with the model: no run, a stop, a dead transition, an unreached value."""
        return bool(self.runs.none or self.stops or self.dead_transitions or self.unreached_values)

    @property
    def clean(self) -> bool:
        """True when the model has runs that go on, every transition fires, every value occurs, and every question
        was asked and decided."""
        return not (self.findings or self.undecided or self.runs.notes) and bool(self.runs.checks)


def lint(system: TransitionSystem, options: Options, assumed: tuple[Expr, ...] = ()) -> LintReport:
    """Decide every lint question on `system`; without a run at all, nothing else is asked (everything is dead)."""
    facts = runs(system, options, assumed)
    terminals = len(system.terminals)
    notes = (UNMARKED,) if system.timed and not any(t.environment for t in system.transitions) else ()
    if facts.none is not None:
        return LintReport(system.name, facts, terminals=terminals, notes=notes)

    def reach(subject: str, target: Expr, loc: Location | None = None) -> Finding:
        return reachable(system, subject, target, options, assumed, loc)

    transitions = tuple(reach(f"transition {t.name}", Fired((t.name,)), t.loc) for t in system.transitions)
    values = tuple(
        reach(f"{v.name} == {value}", Binary(Op.EQ, VarRef(v.name, v.type), Const(value, v.type), BOOL), v.loc)
        for v in system.state_vars
        if isinstance(v.type, EnumType)
        for value in v.type.values
    )
    origins = tuple(t.origins for t in system.transitions)
    return LintReport(system.name, facts, transitions, values, terminals, notes, origins)


UNMARKED = (
    "no transition is marked 'environment', so whether time can always pass counts every transition as the "
    "pump's own: mark what the pump cannot cause or prevent (occlusions, key presses) to find timelocks that only "
    "the environment could leave"
)


def reachable(
    system: TransitionSystem,
    subject: str,
    target: Expr,
    options: Options,
    assumed: tuple[Expr, ...] = (),
    loc: Location | None = None,
) -> Finding:
    """Is a state satisfying `target` reachable? Decided by the portfolio, as requirements are."""
    return Finding(subject, verdict(SafetyProblem(f"{system.name}: {subject}", system, target, assumed), options), loc)
