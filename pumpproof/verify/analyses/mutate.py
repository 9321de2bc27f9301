"""Mutation analysis of a requirement set: small faults injected into the model, and which requirements notice.

A mutant is the model with one systematic change (DeMillo, Lipton, Sayward 1978; for model
checking, Ammann and Black 1999): a guard or one of its conditions negated, an update dropped, a
constant assignment swapped for another value, a comparison's boundary moved. A mutant survives
when every requirement is still PROVED on it: the requirements cannot tell that fault from the
intended design. Each mutant is checked as `check` checks a model (run.Checker), so a kill is a
replayed counterexample or a proof that the requirement became VACUOUS (the mutant has no run,
stops time, or never reaches the trigger), never an engine's word alone.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import partial

from pumpproof.errors import InternalError, ModelError, UsageError
from pumpproof.lang.compose import synchronise
from pumpproof.lang.ir import (
    COMPARISONS,
    FALSE,
    TRUE,
    Binary,
    BoolType,
    ClockType,
    Const,
    EnumType,
    Expr,
    Ite,
    Op,
    Requirement,
    Transition,
    TransitionSystem,
    Type,
    Update,
    VarRef,
)
from pumpproof.lang.location import Location
from pumpproof.lang.text import expr_text
from pumpproof.lang.typecheck import refair, refired
from pumpproof.lang.walk import children, nodes, rewrite, with_children
from pumpproof.verify.analyses.equivalence import Equivalence, equivalence, fewer_runs
from pumpproof.verify.cone import Cone, cone
from pumpproof.verify.portfolio import Options
from pumpproof.verify.problem import is_safety, neg
from pumpproof.verify.results import Proved, Result, Trace, Unknown, Vacuous, Verdict, Violated
from pumpproof.verify.run import Checker, Outcome, Progress

Path = tuple[int, ...]
# Moving a comparison's boundary by one: the off-by-one faults timers are prone to.
BOUNDARY = {Op.LE: Op.LT, Op.LT: Op.LE, Op.GE: Op.GT, Op.GT: Op.GE}


class Operator(str, Enum):
    """The kinds of mutation."""

    NEGATE_GUARD = "negate-guard"
    NEGATE_CONDITION = "negate-condition"
    DROP_UPDATE = "drop-update"
    SWAP_CONSTANT = "swap-constant"
    MOVE_BOUNDARY = "move-boundary"
    MOVE_RESET = "move-reset"
    TAKE_BRANCH = "take-branch"
    SCALE_TIMER = "scale-timer"
    NOT_REARMED = "recall-not-rearmed"
    """The Spectrum recall's first mechanism: a re-arming update skipped while a condition of the world persists."""
    RELEARNED = "recall-relearned"
    """The second: a value held while a condition is active (a reference pressure) updated during it anyway."""
    SUPPRESSED = "recall-suppressed"
    """The third: clearing an alarm also disables what raises it again."""


@dataclass(frozen=True)
class Mutant:
    """The model with one change: `name` is unique and stable (`restart: drop armed := true`); `transition` says
    where (a transition's name; `define delivering` or `timer t_occ` for a change at every use)."""

    name: str
    operator: Operator
    transition: str
    loc: Location | None
    system: TransitionSystem


def mutants(
    system: TransitionSystem, transitions: Sequence[str] | None = None, environment: bool = False
) -> list[Mutant]:
    """Every mutant of `system` (of the named transitions only, when given), in model order, without duplicates.

    An update of the world's own state (a variable only environment transitions write: an occlusion, the
    reservoir's level) is mutated only with `environment`: dropping or moving it makes a different world, not a
    fault of the design, and requirements that hold whatever the world does need not notice it."""
    out: list[Mutant] = []
    seen = {(system.transitions, system.invariants)}
    names: dict[str, int] = {}
    for where, op, what, loc, changed in _changes(system, transitions, environment):
        key = (changed.transitions, changed.invariants)
        if key in seen:  # e.g. negating the only condition of a guard is negating the guard
            continue
        seen.add(key)
        name = f"{where}: {what}"
        names[name] = names.get(name, 0) + 1
        out.append(Mutant(name if names[name] == 1 else f"{name} ({names[name]})", op, where, loc, changed))
    return out


def transitions(system: TransitionSystem) -> tuple[str, ...]:
    """The names of the transitions mutation changes, as the model writes them: the transitions that move alone
    and the parts' `sync` transitions (`manager.hear`), each changed once at every step it takes part in."""
    return tuple(t.name for t in _Units.of(system).transitions)


Change = tuple[str, Operator, str, Location | None, TransitionSystem]
Mutation = tuple[Operator, str, Location | None, Expr]
Changes = list[tuple[Operator, str, Location | None, dict[int, Transition]]]


@dataclass(frozen=True)
class _Units:
    """The transitions mutation changes, and how they make the model's flat transitions: those that move alone
    as they are, then the `sync` transitions of the parts composed again. A fault in a part's transition is
    one mutant, however many flat steps (a broadcast heard by several parts) that transition takes part in."""

    system: TransitionSystem
    alone: tuple[Transition, ...]

    @staticmethod
    def of(system: TransitionSystem) -> _Units:
        composed = tuple(synchronise(system.halves)) if system.halves else ()
        alone = system.transitions[: len(system.transitions) - len(composed)]
        if (*alone, *composed) != system.transitions:  # the halves are not what the model was composed of
            raise InternalError(f"{system.name}: its transitions do not end with the composition of its parts")
        return _Units(system, alone)

    @property
    def transitions(self) -> tuple[Transition, ...]:
        return (*self.alone, *(h.transition for h in self.system.halves))

    def changed(self, changes: Mapping[int, Transition]) -> TransitionSystem | None:
        """The model with the transitions at the given indices (of `transitions`) replaced; None when the parts
        no longer compose (a moved update makes two parts write one variable in one step)."""
        alone = tuple(changes.get(j, t) for j, t in enumerate(self.alone))
        n = len(alone)
        halves = tuple(replace(h, transition=changes[n + j]) if n + j in changes else h
                       for j, h in enumerate(self.system.halves))  # fmt: skip
        recomposed = any(j >= n for j in changes)
        try:
            composed = synchronise(halves) if recomposed else self.system.transitions[n:]
        except ModelError:
            return None
        changed = replace(self.system, transitions=(*alone, *composed), halves=halves)
        return refair(changed) if recomposed else changed  # only a composition again makes other flat steps


@dataclass(frozen=True)
class _Roles:
    """What the recall operators need to know of the whole model, found once per model: the variables' types, the
    conditions of the world, and the (condition, detector state) pairs the pump's guards read together."""

    types: Mapping[str, Type]
    world: frozenset[str]
    detections: tuple[tuple[str, str], ...]
    kept: frozenset[str]
    """The variables whose updates are left as they are: the world's own state, unless it is mutated too."""

    @staticmethod
    def of(system: TransitionSystem, environment: bool) -> _Roles:
        world = _world_conditions(system)
        kept = frozenset() if environment else _world_state(system)
        return _Roles({v.name: v.type for v in system.variables}, world, _detections(system, world), kept)


def _changes(system: TransitionSystem, chosen: Sequence[str] | None, environment: bool) -> Iterator[Change]:
    """Each transition's own mutations, then changes of a define or a timer at every use (whole-model runs)."""
    roles = _Roles.of(system, environment)
    units = _Units.of(system)
    steps = units.transitions
    for i, t in enumerate(steps):
        if chosen is not None and t.name not in chosen:
            continue
        own: Changes = [(op, what, loc, {i: changed}) for op, what, loc, changed in _transition_mutations(t, roles)]
        moved = _moved_resets(steps, i, roles.kept)
        for op, what, loc, changes in (*own, *moved, *_suppressions(system, t, i, roles.world)):
            mutated = units.changed(changes)
            if mutated is not None:
                yield t.name, op, what, loc, mutated
    if chosen is None:
        yield from _define_mutations(system)
        yield from _timer_mutations(system)


def _transition_mutations(t: Transition, roles: _Roles) -> Iterator[tuple[Operator, str, Location | None, Transition]]:
    g = t.guard
    yield Operator.NEGATE_GUARD, f"negate guard {expr_text(g)}", g.loc or t.loc, replace(t, guard=neg(g))
    for path, part in _conjuncts(g):
        changed = replace(t, guard=_replace_at(g, path, neg(part)))
        yield Operator.NEGATE_CONDITION, f"negate condition {expr_text(part)}", part.loc or t.loc, changed
    for op, what, loc, guard in _expr_mutations(g):
        yield op, what, loc or t.loc, replace(t, guard=guard)
    for j, u in enumerate(t.updates):
        if u.target in roles.kept:
            continue
        rest = t.updates[:j] + t.updates[j + 1 :]
        yield Operator.DROP_UPDATE, f"drop {_update_text(u)}", u.loc or t.loc, replace(t, updates=rest)
        for op, what, loc, value in (*_value_mutations(u), *_not_rearmed(u, roles)):
            changed = replace(t, updates=rest[:j] + (replace(u, value=value),) + rest[j:])
            yield op, what, loc or u.loc or t.loc, changed


def _expr_mutations(e: Expr) -> Iterator[Mutation]:
    """Changes inside `e`: a comparison's boundary moved, a constant swapped, an if-then-else's condition negated or
    one of its branches always taken."""
    for path, node in _nodes(e):
        changed: list[tuple[Operator, str, Expr]] = []
        if isinstance(node, Binary) and node.op in BOUNDARY:
            moved = replace(node, op=BOUNDARY[node.op])
            changed.append((Operator.MOVE_BOUNDARY, f"{expr_text(node)} becomes {expr_text(moved)}", moved))
        elif isinstance(node, Ite):
            cond = expr_text(node.cond)
            changed.append((Operator.NEGATE_CONDITION, f"negate condition {cond}", replace(node, cond=neg(node.cond))))
            changed.append((Operator.TAKE_BRANCH, f"if {cond} then ... always takes then", node.then))
            changed.append((Operator.TAKE_BRANCH, f"if {cond} then ... always takes else", node.orelse))
        elif path:  # a whole constant value is swapped by `_value_mutations`
            for other in _other_constants(node):
                changed.append((Operator.SWAP_CONSTANT, f"{expr_text(node)} becomes {expr_text(other)}", other))
        for op, what, new in changed:
            yield op, what, node.loc, _replace_at(e, path, new)


def _value_mutations(u: Update) -> Iterator[Mutation]:
    """Changes of an assigned value: another constant, or a change inside it (a hold-while-active update that no
    longer holds is the recall's re-learned reference)."""
    for value in _other_constants(u.value):
        yield Operator.SWAP_CONSTANT, f"{_update_text(u)} becomes {_update_text(replace(u, value=value))}", u.loc, value
    learnt = _learnt(u)
    for op, what, loc, value in _expr_mutations(u.value):
        if op is Operator.TAKE_BRANCH and learnt is not None and value is learnt:
            assert isinstance(u.value, Ite)
            what = f"{u.target} updated even while {expr_text(u.value.cond)} (recall: re-learned while active)"
            yield Operator.RELEARNED, what, loc, value
        else:
            yield op, f"in {u.target} := ...: {what}", loc, value


def _learnt(u: Update) -> Expr | None:
    """In a hold-while-active update (`x := if c then x else v`), the branch that updates the target (`v`)."""
    if not isinstance(u.value, Ite):
        return None
    then, orelse = u.value.then, u.value.orelse
    if isinstance(then, VarRef) and then.name == u.target:
        return orelse
    return then if isinstance(orelse, VarRef) and orelse.name == u.target else None


def _world_conditions(system: TransitionSystem) -> frozenset[str]:
    """The boolean state variables only the environment writes: conditions of the world (an occlusion); in a composed
    model, with what the parts do in the same steps (a detector's reference learnt as an occlusion begins)."""
    by_pump = {u.target for t in system.transitions if not t.environment for u in t.updates}
    by_world = {u.target for t in system.transitions if t.environment for u in t.updates}
    return frozenset(v.name for v in system.state_vars if isinstance(v.type, BoolType) and v.name in by_world - by_pump)


def _world_state(system: TransitionSystem) -> frozenset[str]:
    """The state variables that only environment transitions write, as the model writes them (a part's half of a
    `sync`, not the step it makes with others), and only with constants: the world's own state (an occlusion
    begins or ends, the reservoir runs low). A clock is the design's timer even where a key press restarts it, and
    a value computed in an environment transition is the design's response to it (a reference learnt on RUN)."""
    written = _Units.of(system).transitions
    by_pump = {u.target for t in written for u in t.updates if not t.environment or not isinstance(u.value, Const)}
    by_world = {u.target for t in written if t.environment for u in t.updates}
    clocks = {v.name for v in system.clocks}
    return frozenset(v.name for v in system.state_vars if v.name in by_world - by_pump - clocks)


def _detections(system: TransitionSystem, world: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(condition, variable) pairs that a transition of the pump reads together in its guard, in order: a condition
    of the world and the detector state (a flag, a clock) that detects it (`occluded_up and armed and t_occ >= T`)."""
    pairs: set[tuple[str, str]] = set()
    for t in system.transitions:
        if t.environment:
            continue
        read = {n.name for n in nodes(t.guard) if isinstance(n, VarRef)}
        pairs |= {(c, v) for c in read & world for v in read - world}
    return tuple(sorted(pairs))


def _not_rearmed(u: Update, roles: _Roles) -> Iterator[Mutation]:
    """A re-arming update (a flag set true, a clock reset) of a detector skipped while the condition it detects
    holds: the Spectrum recall, where RUN/STOP under a persisting occlusion did not re-arm the detector."""
    types = roles.types
    arming = isinstance(u.value, Const) and (u.value.value is True or isinstance(types[u.target], ClockType))
    if not arming:
        return
    for c, v in roles.detections:
        if v == u.target:
            what = f"{_update_text(u)} skipped while {c} (recall: not re-armed)"
            held = Ite(VarRef(c, types[c]), VarRef(v, types[v]), u.value, types[v])
            yield Operator.NOT_REARMED, what, u.loc, held


def _suppressions(system: TransitionSystem, t: Transition, i: int, world: frozenset[str]) -> Changes:
    """Transition `t` (at index i) clears an alarm (sets to false a flag the pump raises) and also clears a flag
    the raising transition's guard needs (`world`: not a condition of the world): the alarm suppressed after a
    clear."""
    cleared = {u.target for u in t.updates if u.value == FALSE}
    written = {u.target for u in t.updates}
    needed = []
    for raiser in system.transitions:
        if raiser.environment or not any(u.target in cleared and u.value == TRUE for u in raiser.updates):
            continue
        for _, part in _conjuncts(raiser.guard):
            if isinstance(part, VarRef) and isinstance(part.type, BoolType) and part.name not in world | written:
                needed.append(part.name)
    out: Changes = []
    for flag in dict.fromkeys(needed):
        what = f"also {flag} := false (recall: the alarm suppressed after a clear)"
        added = replace(t, updates=(*t.updates, Update(flag, FALSE)))
        out.append((Operator.SUPPRESSED, what, t.loc, {i: added}))
    return out


def _define_mutations(system: TransitionSystem) -> Iterator[Change]:
    """A define's body changed at every use in transitions and invariants (the requirements keep its meaning)."""
    for name, body in system.defines.items():
        changes = list(_expr_mutations(body))
        if isinstance(body.type, BoolType):
            changes.insert(0, (Operator.NEGATE_CONDITION, f"negate {expr_text(body)}", body.loc, neg(body)))
        for op, what, loc, new in changes:
            changed = _substituted(system, partial(_instead, body, new))
            yield f"define {name}", op, what, loc, changed


def _instead(old: Expr, new: Expr, n: Expr) -> Expr | None:
    """`new` where `n` is `old` itself (a define's body, shared by identity at each use)."""
    return new if n is old else None


def _timer_mutations(system: TransitionSystem) -> Iterator[Change]:
    """A clock's bound scaled by 2 and by 1/2 wherever the clock is compared with it, in guards and invariants: a
    deadline set wrong."""
    bounds = {
        (clock.name, int(bound.value)): bound.loc
        for e in [t.guard for t in system.transitions] + list(system.invariants)
        for clock, bound in _clock_bounds(e)
    }
    for (clock, bound), loc in bounds.items():
        for scaled in dict.fromkeys(s for s in (bound * 2, bound // 2) if s != bound):
            changed = _substituted(system, partial(_rescaled, clock, bound, scaled))
            yield f"timer {clock}", Operator.SCALE_TIMER, f"bound {bound} becomes {scaled}", loc, changed


def _clock_bounds(e: Expr) -> Iterator[tuple[VarRef, Const]]:
    """The comparisons of a clock with an integer constant in `e`."""
    for n in nodes(e):
        if (found := _clock_bound(n)) is not None:
            yield found[0], found[1]


def _clock_bound(n: Expr) -> tuple[VarRef, Const, int] | None:
    """For a comparison of a clock with an integer constant: the clock, the constant and its side (0: left)."""
    if isinstance(n, Binary) and n.op in COMPARISONS:
        for side, (a, b) in enumerate(((n.right, n.left), (n.left, n.right))):
            clock = isinstance(a, VarRef) and isinstance(a.type, ClockType)
            if clock and isinstance(b, Const) and isinstance(b.value, int) and not isinstance(b.value, bool):
                assert isinstance(a, VarRef)
                return a, b, side
    return None


def _rescaled(clock: str, bound: int, scaled: int, n: Expr) -> Expr | None:
    """`n` with `bound` replaced by `scaled` if it compares `clock` with it."""
    found = _clock_bound(n)
    if found is None or found[0].name != clock or found[1].value != bound:
        return None
    assert isinstance(n, Binary)
    new = replace(found[1], value=scaled)
    return replace(n, left=new) if found[2] == 0 else replace(n, right=new)


def _substituted(system: TransitionSystem, fn: Callable[[Expr], Expr | None]) -> TransitionSystem:
    """`system` with `fn` rewriting its guards, update values and invariants."""

    def rewritten(t: Transition) -> Transition:
        return replace(
            t, guard=rewrite(t.guard, fn), updates=tuple(replace(u, value=rewrite(u.value, fn)) for u in t.updates)
        )

    return replace(
        system,
        transitions=tuple(rewritten(t) for t in system.transitions),
        invariants=tuple(rewrite(e, fn) for e in system.invariants),
        halves=tuple(replace(h, transition=rewritten(h.transition)) for h in system.halves),
    )


def _moved_resets(steps: Sequence[Transition], i: int, kept: frozenset[str]) -> Changes:
    """A constant assignment of transition i done by another transition of the same part instead (a reset in
    the wrong place), one that does not write that variable already (`kept`: variables left alone)."""
    t = steps[i]
    out: Changes = []
    for j, u in enumerate(t.updates):
        if not isinstance(u.value, Const) or u.target in kept:
            continue
        without = replace(t, updates=t.updates[:j] + t.updates[j + 1 :])
        for k, other in enumerate(steps):
            if k == i or _part(other) != _part(t) or any(v.target == u.target for v in other.updates):
                continue
            moved = replace(other, updates=(*other.updates, u))
            out.append(
                (Operator.MOVE_RESET, f"move {_update_text(u)} to {other.name}", u.loc or t.loc, {i: without, k: moved})
            )
    return out


def _part(t: Transition) -> str:
    """The instance a part's transition belongs to ('' for the model's own, and for a transition not elaborated
    from a `.pump` file)."""
    return t.origins[0].instance if t.origins else ""


def _update_text(u: Update) -> str:
    return f"{u.target} := {expr_text(u.value)}"


def _other_constants(value: Expr) -> list[Expr]:
    """The other values a boolean or enum constant could have been."""
    if not isinstance(value, Const):
        return []
    if isinstance(value.type, BoolType):
        return [replace(value, value=not value.value)]
    if isinstance(value.type, EnumType):
        return [replace(value, value=v) for v in value.type.values if v != value.value]
    return []


def _conjuncts(e: Expr) -> list[tuple[Path, Expr]]:
    """The operands of the `and` tree at the top of `e`, with their paths."""
    return [(path, n) for path, n in _nodes(e, _is_and) if not _is_and(n)]


def _is_and(e: Expr) -> bool:
    return isinstance(e, Binary) and e.op is Op.AND


def _nodes(e: Expr, descend: Callable[[Expr], bool] = lambda _: True) -> Iterator[tuple[Path, Expr]]:
    """Each distinct node of `e` with the path to its first occurrence, parents first, entering only the nodes
    `descend` accepts. By identity and without recursion: a shared define is mutated once, not once per path."""
    seen: set[int] = set()
    stack: list[tuple[Path, Expr]] = [((), e)]
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield path, node
        if descend(node):
            stack += reversed([((*path, i), k) for i, k in enumerate(children(node))])


def _replace_at(e: Expr, path: Path, new: Expr) -> Expr:
    if not path:
        return new
    kids = list(children(e))
    kids[path[0]] = _replace_at(kids[path[0]], path[1:], new)
    return with_children(e, tuple(kids))


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Kill:
    """A requirement that fails on a mutant, as `check` would report it: VIOLATED (a replayed counterexample)
    or VACUOUS (`reason`: the mutant has no run, stops time, or never reaches the requirement's trigger)."""

    requirement: str
    verdict: Verdict
    reason: str = ""


class MutantStatus(str, Enum):
    """What the requirements did to a mutant."""

    KILLED = "killed"
    SURVIVED = "survived"
    EQUIVALENT = "equivalent"
    """Survived, and proved to behave as the model does wherever the requirements can see: no requirement over
    the same variables could kill it, so the score leaves it out."""
    FEWER_RUNS = "fewer runs"
    """Survived a change of the world alone (environment transitions), and proved to have only runs of the model as
    the requirements see them: the world does less (a key pressed in fewer states). No requirement over all runs
    could kill it, so the score leaves it out."""
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class MutantResult:
    """Which requirements killed a mutant (failed on it), and which could not be decided."""

    mutant: Mutant
    kills: tuple[Kill, ...]
    undecided: tuple[str, ...] = ()
    timelock: bool | None = None
    """For a survivor: True when it stops time waiting for the environment (`lint` would report it)."""
    equivalence: Equivalence | None = None
    """For a survivor: whether its observable behaviour can differ from the model's (with a run to a difference)."""
    fewer: Equivalence | None = None
    """For a survivor that changes the world alone: whether each of its runs is a run of the model."""

    @property
    def difference(self) -> Trace | None:
        """For a survivor that is not equivalent: a run of model and mutant in lockstep to where they differ."""
        result = None if self.equivalence is None else self.equivalence.result
        return result.trace if isinstance(result, Violated) else None

    @property
    def killed_by(self) -> tuple[str, ...]:
        """The ids of the requirements that killed the mutant."""
        return tuple(k.requirement for k in self.kills)

    @property
    def status(self) -> MutantStatus:
        """Killed, survived (every requirement proved), equivalent (survived, and proved equivalent), fewer runs
        (survived, a change of the world proved to leave only runs of the model), or unknown."""
        if self.kills:
            return MutantStatus.KILLED
        if self.undecided:
            return MutantStatus.UNKNOWN
        if self.equivalence is not None and isinstance(self.equivalence.result, Proved):
            return MutantStatus.EQUIVALENT
        if self.fewer is not None and isinstance(self.fewer.result, Proved):
            return MutantStatus.FEWER_RUNS
        return MutantStatus.SURVIVED


@dataclass(frozen=True)
class MutationScore:
    """The outcome of every mutant against one requirement set."""

    model: str
    requirements: tuple[str, ...]
    results: tuple[MutantResult, ...]
    sampling: Sampling | None = None
    """Set when the results are a random sample of the mutants, not all of them."""

    def with_status(self, status: MutantStatus) -> tuple[MutantResult, ...]:
        """The results whose status is `status`."""
        return tuple(r for r in self.results if r.status == status)

    @property
    def score(self) -> float:
        """Killed mutants over decided ones that are not equivalent (1.0 when there are none)."""
        killed, survived = self._counted()
        return killed / (killed + survived) if killed + survived else 1.0

    def interval(self) -> tuple[float, float]:
        """For a sample, the 95% interval of the whole set's score."""
        killed, survived = self._counted()
        return wilson_interval(killed, killed + survived)

    def _counted(self) -> tuple[int, int]:
        return len(self.with_status(MutantStatus.KILLED)), len(self.with_status(MutantStatus.SURVIVED))


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion (Wilson 1927): it stays inside [0, 1] and is honest near 100%,
    where most samples of a good requirement set are (the normal approximation gives 100%-100% for 20 of 20)."""
    if not trials:
        return 0.0, 1.0
    z, p = 1.959964, successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Sampling:
    """How a sample of mutants was drawn: `size` of the `population` mutants, uniformly, with `seed`."""

    size: int
    population: int
    seed: int


def sample(everything: Sequence[Mutant], size: int, seed: int) -> tuple[list[Mutant], Sampling]:
    """`size` mutants drawn uniformly with `seed`, in model order (mutant sampling, Acree 1980; Wong and Mathur
    1995: a fixed-seed random sample estimates the score of a set too large to run on every change). The same
    model and seed give the same sample."""
    if size >= len(everything):
        return list(everything), Sampling(len(everything), len(everything), seed)
    chosen = sorted(random.Random(seed).sample(range(len(everything)), size))
    return [everything[i] for i in chosen], Sampling(size, len(everything), seed)


@dataclass(frozen=True)
class Baseline:
    """The requirements' verdicts on the unmutated model. Only a requirement PROVED there can judge a mutant:
    one that already fails would 'kill' every mutant, one that is UNKNOWN cannot tell its own failure from a kill."""

    model: str
    outcomes: tuple[Outcome, ...]
    runs: Mapping[str, Result] = field(default_factory=dict)
    """The unmutated model's answers about its runs (an initial state, time passing): each mutant tries them first."""
    builtins: tuple[Outcome, ...] = ()
    """Its verdicts on the built-in questions (MODEL.RANGES): each mutant tries the proofs first too."""
    cones: Mapping[str, Cone] = field(default_factory=dict)
    """The cones of influence of its safety requirements: one a mutation leaves alone cannot kill the mutant."""

    def judges(self) -> tuple[Requirement, ...]:
        """The requirements PROVED on the unmutated model; UsageError if some requirement fails there."""
        failing = [o for o in self.outcomes if o.result.verdict in (Verdict.VIOLATED, Verdict.VACUOUS)]
        if failing:
            why = "; ".join(f"{o.requirement.id} is {_verdict_text(o.result)}" for o in failing)
            raise UsageError(
                f"{', '.join(o.requirement.id for o in failing)} already fails on {self.model} itself ({why}), "
                "so it would 'kill' every mutant",
                hint="run 'pumpproof check' and fix the model or the requirement, or leave it out with --only",
            )
        return tuple(o.requirement for o in self.outcomes if o.result.verdict is Verdict.PROVED)

    @property
    def by_id(self) -> dict[str, Outcome]:
        """The outcomes by requirement id (the built-in questions' too): a mutant's check tries each proof's invariant
        and witnesses first."""
        return {o.requirement.id: o for o in (*self.builtins, *self.outcomes)}

    @property
    def undecided(self) -> tuple[Outcome, ...]:
        """The requirements UNKNOWN on the unmutated model: left out, so no mutant can be said to survive them."""
        return tuple(o for o in self.outcomes if o.result.verdict is Verdict.UNKNOWN)


def _verdict_text(result: Result) -> str:
    return f"VACUOUS: {result.reason}" if isinstance(result, Vacuous) else result.verdict.value


def baseline(
    system: TransitionSystem, requirements: Sequence[Requirement], options: Options, progress: Progress | None = None
) -> Baseline:
    """Check `requirements` on the unmutated model, as `check` does."""
    checker = Checker(system, options, progress)
    outcomes = tuple(checker.check(req) for req in requirements)
    stutter = checker.facts.stutter
    cones = {r.id: cone(system, r, stutter) for r in requirements if is_safety(r.formula)}
    return Baseline(system.name, outcomes, checker.facts.answers, tuple(checker.builtins), cones)


def judge(
    mutant: Mutant,
    requirements: Sequence[Requirement],
    options: Options,
    all_kills: bool = False,
    earlier: Mapping[str, Outcome] | None = None,
    earlier_runs: Mapping[str, Result] | None = None,
    cones: Mapping[str, Cone] | None = None,
) -> MutantResult:
    """Check `requirements` on the mutant as `check` would (stopping at the first failure unless `all_kills`):
    a requirement VIOLATED or VACUOUS on it kills it; a survivor records whether it stops time. `earlier` (the
    unmutated model's outcomes) are tried first: a safety requirement whose cone the mutation leaves as it was
    (`cones`: the unmutated model's) keeps its proof, an invariant the mutation leaves inductive proves the mutant
    too, a trigger witness it leaves a run shows the trigger reachable; so are its answers about its runs
    (`earlier_runs`)."""
    checker = Checker(mutant.system, options, earlier=earlier, earlier_runs=earlier_runs)
    if mutant.system.halves:  # composed again: `fired(...)` names the steps its part transitions make now
        requirements = [replace(r, formula=refired(mutant.system, r.formula)) for r in requirements]
    kills, undecided = [], []
    for outcome in _verdicts(checker, requirements, cones or {}):
        result = outcome.result
        if isinstance(result, (Violated, Vacuous)):
            kills.append(
                Kill(outcome.requirement.id, result.verdict, result.reason if isinstance(result, Vacuous) else "")
            )
            if not all_kills:
                break
        elif isinstance(result, Unknown):
            undecided.append(outcome.requirement.id)
    stop = checker.facts.time
    timelock = None if stop is None or isinstance(stop.result, Unknown) else isinstance(stop.result, Violated)
    rank = {r.id: i for i, r in enumerate(requirements)}  # `_verdicts` answers cheapest first; results keep file order
    kills.sort(key=lambda k: rank[k.requirement])
    undecided.sort(key=rank.__getitem__)
    return MutantResult(mutant, tuple(kills), tuple(undecided), timelock if not kills else None)


QUICK_S = 2.0
"""Seconds each requirement a mutant's re-checked proofs leave open gets at first: most faults show, and most proofs
are found, within that; the rest get the whole timeout once every requirement had its quick turn."""


def _verdicts(checker: Checker, requirements: Sequence[Requirement], cones: Mapping[str, Cone]) -> Iterator[Outcome]:
    """The verdicts on the mutant, cheapest first, lazily (a caller that stops at the first kill asks no more): in
    the requirements' order, the unmutated model's proof kept where the requirement's cone is as it was (`cones`)
    or re-checked, and where it no longer holds the engines for
    QUICK_S seconds; then the whole timeout for the requirements still undecided; last each proof's vacuity. A
    requirement that is slow to decide is so decided only once every other one had its quick chance to kill."""
    quick = replace(checker.options, timeout_s=min(QUICK_S, checker.options.timeout_s))
    proofs: dict[str, Outcome] = {}
    slow = []
    for req in requirements:
        known = checker.settled(req) or _untouched(checker, req, cones) or checker.carried(req)
        if known is None:
            known = checker.solved(req, quick)
            if isinstance(known.result, Unknown) and quick.timeout_s < checker.options.timeout_s:
                slow.append(req)
                continue
        if isinstance(known.result, Proved):
            proofs[req.id] = known
        else:
            yield known
    for req in slow:
        outcome = checker.solved(req)
        if isinstance(outcome.result, Proved):
            proofs[req.id] = outcome
        else:
            yield outcome
    yield from (checker.earned(proofs[r.id]) for r in requirements if r.id in proofs)


def _untouched(checker: Checker, req: Requirement, cones: Mapping[str, Cone]) -> Outcome | None:
    """The unmutated model's proof of safety requirement `req`, when the mutation left its cone as it was: the
    mutant's cone then has the same reachable states (`verify.cone`), so the verdict is the same; None otherwise."""
    earlier, before = checker.earlier.get(req.id), cones.get(req.id)
    if earlier is None or before is None or not isinstance(earlier.result, Proved):
        return None
    if cone(checker.system, req, checker.facts.stutter) != before:
        return None
    return replace(earlier, wall_s=0.0, carried=True)


def score(
    system: TransitionSystem,
    requirements: Sequence[Requirement],
    options: Options,
    selected: Sequence[Mutant] | None = None,
    all_kills: bool = False,
    progress: Callable[[Mutant], None] | None = None,
    base: Baseline | None = None,
    jobs: int = 1,
) -> MutationScore:
    """Run every mutant (or `selected`) against the `requirements` PROVED on `system` (`base`, when already checked),
    `jobs` mutants at a time (each in its own process, its engines in theirs); `progress` is called as each mutant
    is done. A mutant none of them kills is undecided when some requirement was UNKNOWN on `system`."""
    base = baseline(system, requirements, options) if base is None else base
    left_out = tuple(o.requirement.id for o in base.undecided)
    chosen = mutants(system) if selected is None else selected
    job = _Job(system, base.judges(), options, all_kills, base.by_id, base.runs, base.cones)
    _KILLS.clear()
    if jobs <= 1 or len(chosen) <= 1:
        results = dict(_reported(((i, job(m)) for i, m in enumerate(chosen)), chosen, progress))
    else:
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork"), initializer=_KILLS.clear) as pool:
            futures = {pool.submit(job, m): i for i, m in enumerate(chosen)}
            results = dict(_reported(((futures[f], f.result()) for f in as_completed(futures)), chosen, progress))
    ordered = []
    for i in range(len(chosen)):
        result = results[i]
        if not result.kills and left_out:
            result = replace(result, undecided=result.undecided + left_out)
        ordered.append(result)
    return MutationScore(system.name, tuple(r.id for r in requirements), tuple(ordered))


_KILLS: Counter[str] = Counter()
"""Kills per requirement in this process's mutants so far (`_Job`), reset by `score`."""


@dataclass(frozen=True)
class _Job:
    """`judge` with everything but the mutant fixed: what each worker process runs."""

    model: TransitionSystem
    judges: tuple[Requirement, ...]
    options: Options
    all_kills: bool
    earlier: Mapping[str, Outcome]
    earlier_runs: Mapping[str, Result]
    cones: Mapping[str, Cone]

    def __call__(self, mutant: Mutant) -> MutantResult:
        if self.options.question_s() <= 0:  # past --total-timeout: the mutant is left undecided, not run
            return MutantResult(mutant, (), tuple(r.id for r in self.judges))
        # The requirements that killed most mutants so far in this process go first: a mutant stops at its
        # first kill, and faults of one model tend to fall to the same few requirements (liveness, the costlier
        # questions, after safety among equals). Which requirement is
        # named as the killer then depends on the order mutants came in, unless --deterministic keeps file order.
        adaptive = not (self.all_kills or self.options.deterministic)
        judges = (
            sorted(self.judges, key=lambda r: (-_KILLS[r.id], not is_safety(r.formula))) if adaptive else self.judges
        )
        result = judge(mutant, judges, self.options, self.all_kills, self.earlier, self.earlier_runs, self.cones)
        _KILLS.update(result.killed_by)
        if result.status is not MutantStatus.SURVIVED:
            return result
        result = replace(result, equivalence=equivalence(self.model, mutant.system, self.judges, self.options))
        if result.status is not MutantStatus.SURVIVED or not _world_only(self.model, mutant.system):
            return result
        return replace(result, fewer=fewer_runs(self.model, mutant.system, self.judges, self.options))


def _world_only(model: TransitionSystem, mutant: TransitionSystem) -> bool:
    """Whether the mutation changed environment transitions only (the world, not the design): those that move
    alone come first in both, then the parts' transitions are the halves."""
    n = len(_Units.of(model).alone)
    before = (*model.transitions[:n], *(h.transition for h in model.halves))
    after = (*mutant.transitions[:n], *(h.transition for h in mutant.halves))
    changed = [b for a, b in zip(before, after, strict=True) if a != b]
    return model.invariants == mutant.invariants and bool(changed) and all(t.environment for t in changed)


def _reported(
    done: Iterator[tuple[int, MutantResult]], chosen: Sequence[Mutant], progress: Callable[[Mutant], None] | None
) -> Iterator[tuple[int, MutantResult]]:
    """The results as they come, reporting each mutant done."""
    for i, result in done:
        if progress is not None:
            progress(chosen[i])
        yield i, result
