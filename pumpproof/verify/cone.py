"""The cone of influence of a requirement: the part of a model its verdict depends on.

A safety requirement's verdict is the same on two models whose cones are equal: the transitions outside the cone
write nothing the cone reads, so on the cone's variables they are stutter steps, and the cone's reachable states
are those of its own transitions. A requirement that can tell such steps apart (`next`, `previously`, `fired`,
a bound counted in steps, an input, which is drawn afresh at every step) depends on when they can be taken, so
its cone holds every guard. The result cache keys its entries by the cone; `mutate` leaves out the safety
requirements whose cone a mutation does not change (they cannot kill it).
"""

from __future__ import annotations

from dataclasses import dataclass

from pumpproof.lang.ir import (
    Elapsed,
    Expr,
    Fired,
    Monitor,
    Pre,
    Requirement,
    Temporal,
    TemporalOp,
    TransitionSystem,
    Var,
    VarRef,
)
from pumpproof.lang.walk import fired_names, nodes, var_names
from pumpproof.verify.problem import is_safety


@dataclass(frozen=True)
class Cone:
    """The part of a model one requirement depends on: the names it closes over, and the pieces that count."""

    variables: frozenset[str]
    transitions: frozenset[str]
    pieces: tuple[object, ...]
    stutter: bool
    """Whether it was taken for runs that may stop (extended by repeating their last state)."""


def cone(system: TransitionSystem, req: Requirement, stutter: bool) -> Cone:
    """The cone of influence of `req` (Kurshan's localization reduction, on the IR): the variables it reads,
    and until nothing is added, the guards and updates of every transition that writes one of them (or that
    it names in `fired(...)`), the initial conditions that constrain them, and every invariant and assumption
    (they prune runs, whatever they read). With `stutter`, whether a run stops is part of the problem, and for
    a requirement that counts steps (`counts_steps`) when each step can be taken: every guard and terminal
    counts then. A liveness requirement depends on the fairness assumptions too."""
    reads = set(var_names(req.formula))
    named = set(fired_names(req.formula))
    always = [*system.invariants, *system.assumptions]
    if stutter or counts_steps(system, req.formula):
        always += [t.guard for t in system.transitions] + list(system.terminals)
    fair = not is_safety(req.formula)
    if fair:
        always += [f.condition for f in system.fairness if f.condition is not None]
        named |= {n for f in system.fairness for n in f.transitions}
    for e in always:
        reads |= var_names(e)
    monitors = {m.name: m for m in system.monitors}
    decls = {v.name: v for v in system.variables}
    while True:
        before = len(reads)
        for name in list(reads):
            for init in _defining(decls.get(name), monitors.get(name)):
                reads |= var_names(init)
        for t in system.transitions:
            writes = [u for u in t.updates if u.target in reads]
            if writes or t.name in named:
                reads |= var_names(t.guard)
                for u in writes:
                    reads |= var_names(u.value)
        for e in system.initial:
            if var_names(e) & reads:
                reads |= var_names(e)
        if len(reads) == before:
            break
    kept = [t for t in system.transitions if t.name in named or any(u.target in reads for u in t.updates)]
    pieces: list[object] = [
        system.timed,
        stutter,
        tuple(v for v in system.variables if v.name in reads),
        tuple(m for m in system.monitors if m.name in reads),
        tuple((t.name, t.guard, t.environment, tuple(u for u in t.updates if u.target in reads)) for t in kept),
        tuple(always),
        tuple(e for e in system.initial if var_names(e) & reads),
        system.fairness if fair else (),
    ]
    return Cone(frozenset(reads), frozenset(t.name for t in kept), tuple(pieces), stutter)


def _defining(var: Var | None, monitor: Monitor | None) -> list[Expr]:
    """The expressions that give a variable its values besides transitions: its initial value; a monitor's update."""
    found = [var.init] if var is not None else []
    if monitor is not None:
        found += [monitor.init, monitor.update]
    return [e for e in found if e is not None]


def counts_steps(system: TransitionSystem, formula: Expr) -> bool:
    """Whether a step that leaves every state variable `formula` reads as it was can change its truth: it reads
    the step (`fired`, the time it took), the previous state (`next`, `previously`, `rise`), an input (drawn
    afresh at every step) or a monitor of the model, or bounds an operator in steps (a model without clocks)."""
    per_step = {v.name for v in system.inputs} | {m.name for m in system.monitors}
    for node in nodes(formula):
        if isinstance(node, (Fired, Elapsed, Pre)) or (isinstance(node, VarRef) and node.name in per_step):
            return True
        if isinstance(node, TemporalOp) and (node.op in STEPWISE or (node.bound is not None and not system.timed)):
            return True
    return False


STEPWISE = frozenset({Temporal.NEXT, Temporal.PREVIOUSLY})
"""Operators that look one step ahead or back: a step that changes nothing they read still moves them."""
