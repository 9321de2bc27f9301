"""The cone of influence of a requirement: the part of a model its verdict depends on.

A safety requirement's verdict is the same on two models whose cones are equal: the transitions outside the cone
write nothing the cone reads, so on the cone's variables they are stutter steps, and the cone's reachable states
are those of its own transitions. The result cache keys its entries by the cone; `mutate` leaves out the safety
requirements whose cone a mutation does not change (they cannot kill it).
"""

from __future__ import annotations

from dataclasses import dataclass

from pumpproof.lang.ir import Expr, Monitor, Requirement, TransitionSystem, Var
from pumpproof.lang.walk import fired_names, var_names
from pumpproof.verify.problem import is_safety


@dataclass(frozen=True)
class Cone:
    """The part of a model one requirement depends on: the names it closes over, and the pieces that count."""

    variables: frozenset[str]
    transitions: frozenset[str]
    pieces: tuple[object, ...]


def cone(system: TransitionSystem, req: Requirement, stutter: bool) -> Cone:
    """The cone of influence of `req` (Kurshan's localization reduction, on the IR): the variables it reads,
    and until nothing is added, the guards and updates of every transition that writes one of them (or that
    it names in `fired(...)`), the initial conditions that constrain them, and every invariant and assumption
    (they prune runs, whatever they read). With `stutter`, whether a run stops is part of the problem:
    every guard and terminal counts. A liveness requirement depends on the fairness assumptions too."""
    reads = set(var_names(req.formula))
    named = set(fired_names(req.formula))
    always = [*system.invariants, *system.assumptions]
    if stutter:
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
    return Cone(frozenset(reads), frozenset(t.name for t in kept), tuple(pieces))


def _defining(var: Var | None, monitor: Monitor | None) -> list[Expr]:
    """The expressions that give a variable its values besides transitions: its initial value; a monitor's update."""
    found = [var.init] if var is not None else []
    if monitor is not None:
        found += [monitor.init, monitor.update]
    return [e for e in found if e is not None]
