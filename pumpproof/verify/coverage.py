"""Model coverage and sanity: dead transitions, unreachable enum values, deadlocks.

Each question is a reachability (safety) problem decided by the same engines as requirements, so
a finding comes with a replayed witness run or a proof: "transition t fires" is the bad state
`fired(t)`, "mode can be Alarm" is `mode == Alarm`, "a deadlock is reachable" is "no transition and
no delay can be taken here" (inputs enumerated, clocks looked at just after the current instant).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

from pumpproof.errors import UnsupportedError
from pumpproof.lang.ir import (
    BOOL,
    FALSE,
    TRUE,
    Binary,
    Const,
    EnumType,
    Expr,
    Fired,
    Op,
    Transition,
    TransitionSystem,
    VarRef,
)
from pumpproof.lang.location import Location
from pumpproof.lang.walk import clock_comparison, rewrite, var_names
from pumpproof.verify.explicit import values_of
from pumpproof.verify.ltl import enabled
from pumpproof.verify.portfolio import Options, verdict
from pumpproof.verify.problem import SafetyProblem, conj, disj, neg
from pumpproof.verify.results import Proved, Result, Violated

MAX_INPUT_CHOICES = 4096


@dataclass(frozen=True)
class Finding:
    """One reachability question about the model: `result` Violated means reached (with a witness run)."""

    subject: str
    result: Result
    loc: Location | None = None

    @property
    def reached(self) -> bool | None:
        """True with a witness, False when proved unreachable, None when undecided."""
        if isinstance(self.result, Violated):
            return True
        return False if isinstance(self.result, Proved) else None


@dataclass(frozen=True)
class Coverage:
    """Which transitions can fire, which enum values occur, whether a deadlock or a timelock is reachable."""

    model: str
    transitions: tuple[Finding, ...]
    enum_values: tuple[Finding, ...]
    deadlock: Finding | None
    timelock: Finding | None = None
    """Only for models with clocks and `environment` transitions."""
    notes: tuple[str, ...] = ()
    """Why a question was not asked."""
    terminals: int = 0
    """How many `terminal` conditions the model declares (states that may stop without being deadlocks)."""

    @property
    def dead_transitions(self) -> tuple[Finding, ...]:
        """Transitions proved never to fire."""
        return tuple(f for f in self.transitions if f.reached is False)

    @property
    def unreached_values(self) -> tuple[Finding, ...]:
        """Enum values (`var == Value`) proved never to occur."""
        return tuple(f for f in self.enum_values if f.reached is False)

    @property
    def locks(self) -> tuple[Finding, ...]:
        """The deadlock and timelock questions that were asked."""
        return tuple(f for f in (self.deadlock, self.timelock) if f is not None)

    @property
    def undecided(self) -> tuple[Finding, ...]:
        """Questions no engine answered in time."""
        return tuple(f for f in (*self.transitions, *self.enum_values, *self.locks) if f.reached is None)

    @property
    def findings(self) -> bool:
        """True when something is wrong with the model: a dead transition, an unreached value, a reachable lock."""
        return bool(self.dead_transitions or self.unreached_values or any(f.reached for f in self.locks))

    @property
    def clean(self) -> bool:
        """True when every transition fires, every value occurs, no lock is reachable, and every question is decided
        (the deadlock question must have been asked; the timelock question applies only to some models)."""
        return not (self.findings or self.undecided) and self.deadlock is not None


def coverage(system: TransitionSystem, options: Options, assumed: tuple[Expr, ...] = ()) -> Coverage:
    """Decide every coverage question on `system`; its `terminal` states may stop without being deadlocks.

    A timelock is a state where time cannot pass and only `environment` transitions can fire: the
    pump then waits for the environment to act before time may go on, which is how an urgency
    invariant hides a detector that never fires.
    """

    def reach(subject: str, target: Expr, loc: Location | None = None) -> Finding:
        return reachable(system, subject, target, options, assumed, loc)

    transitions = tuple(reach(f"transition {t.name}", Fired((t.name,)), t.loc) for t in system.transitions)
    values = tuple(
        reach(f"{v.name} == {value}", Binary(Op.EQ, VarRef(v.name, v.type), Const(value, v.type), BOOL), v.loc)
        for v in system.state_vars
        if isinstance(v.type, EnumType)
        for value in v.type.values
    )
    terminals = len(system.terminals)
    try:
        anything = can_step(system)
        timelock = timelock_target(system)
    except UnsupportedError as err:
        return Coverage(system.name, transitions, values, None, None, (f"deadlock not checked: {err.message}",))
    deadlock = reach("deadlock", conj(neg(anything), *(neg(t) for t in system.terminals)), system.loc)
    if timelock is None:
        notes = ("timelocks not checked: no transition is marked 'environment'",) if system.timed else ()
        return Coverage(system.name, transitions, values, deadlock, None, notes, terminals)
    return Coverage(system.name, transitions, values, deadlock, reach("timelock", timelock, system.loc), (), terminals)


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


def timelock_target(system: TransitionSystem) -> Expr | None:
    """States where time cannot pass and only environment transitions can fire; None when the question
    does not apply (no clocks, or no transition marked `environment`)."""
    if not system.timed or not any(t.environment for t in system.transitions):
        return None
    controller = tuple(t for t in system.transitions if not t.environment)
    return conj(neg(can_step(system, controller)), can_step(system))


def can_step(system: TransitionSystem, among: tuple[Transition, ...] | None = None) -> Expr:
    """A state expression: some step (one of the transitions `among`, default all, or with clocks a
    delay) can be taken from this state.

    Inputs are chosen by the step, so each valuation of the inputs the steps read is tried in turn
    (UnsupportedError beyond MAX_INPUT_CHOICES valuations).
    """
    among = system.transitions if among is None else among
    read = set().union(*(var_names(t.guard) for t in among), *(var_names(a) for a in system.assumptions))
    read |= {n for t in among for u in t.updates for n in var_names(u.value)}
    inputs = [v for v in system.inputs if v.name in read]
    choices = 1
    for v in inputs:
        choices *= len(values_of(v.type))
    if choices > MAX_INPUT_CHOICES:
        raise UnsupportedError(f"the steps read inputs with {choices} combined values (more than {MAX_INPUT_CHOICES})")
    options = []
    for combo in itertools.product(*(values_of(v.type) for v in inputs)):
        fixed: dict[str, Expr] = {v.name: Const(value, v.type) for v, value in zip(inputs, combo, strict=True)}  # type: ignore[arg-type]
        steps = replace(system, transitions=tuple(_fix(t, fixed) for t in system.transitions))
        moves = enabled(steps, tuple(t.name for t in among))
        if system.timed:
            moves = disj(moves, conj(*(just_after(i) for i in system.invariants)))
        options.append(conj(*(_subst(a, fixed) for a in system.assumptions), moves))
    return disj(*options)


def just_after(e: Expr) -> Expr:
    """`e` an instant after now, when every clock has grown a little: `x <= T` becomes `x < T`, `x >= T` stays.

    Exact for clock comparisons with clock-free terms (the only ones the language allows): each is
    constant on some interval (now, now + d), so a delay is possible iff the invariants hold just after.
    """

    def node(n: Expr) -> Expr | None:
        side = clock_comparison(n)
        if side is None:
            return None
        clock, op, other = side
        if op in (Op.EQ, Op.NE):
            return FALSE if op is Op.EQ else TRUE
        return Binary({Op.LE: Op.LT, Op.GT: Op.GE}.get(op, op), clock, other, BOOL)

    return rewrite(e, node)


def _subst(e: Expr, fixed: dict[str, Expr]) -> Expr:
    return rewrite(e, lambda n: fixed.get(n.name) if isinstance(n, VarRef) else None)


def _fix(t: Transition, fixed: dict[str, Expr]) -> Transition:
    return replace(
        t, guard=_subst(t.guard, fixed), updates=tuple(replace(u, value=_subst(u.value, fixed)) for u in t.updates)
    )
