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

import multiprocessing as mp
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from enum import Enum

from pumpproof.errors import UsageError
from pumpproof.lang.ir import (
    Binary,
    BoolType,
    Const,
    EnumType,
    Expr,
    Op,
    Requirement,
    Transition,
    TransitionSystem,
    Update,
)
from pumpproof.lang.location import Location
from pumpproof.lang.text import expr_text
from pumpproof.lang.walk import children, with_children
from pumpproof.verify.analyses.equivalence import Equivalence, equivalence
from pumpproof.verify.portfolio import Options
from pumpproof.verify.problem import neg
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


@dataclass(frozen=True)
class Mutant:
    """The model with one change: `name` is unique and stable (`restart: drop armed := true`)."""

    name: str
    operator: Operator
    transition: str
    loc: Location | None
    system: TransitionSystem


def mutants(system: TransitionSystem, transitions: Sequence[str] | None = None) -> list[Mutant]:
    """Every mutant of `system` (of the named transitions only, when given), in model order, without duplicates."""
    out: list[Mutant] = []
    seen = {system.transitions}
    for i, t in enumerate(system.transitions):
        if transitions is not None and t.name not in transitions:
            continue
        changes = [(op, what, loc, {i: changed}) for op, what, loc, changed in _transition_mutations(t)]
        changes += _moved_resets(system, i)
        for op, what, loc, changed in changes:
            new = tuple(changed.get(j, old) for j, old in enumerate(system.transitions))
            if new in seen:  # e.g. negating the only condition of a guard is negating the guard
                continue
            seen.add(new)
            out.append(Mutant(f"{t.name}: {what}", op, t.name, loc, replace(system, transitions=new)))
    return out


Change = tuple[Operator, str, Location | None, dict[int, Transition]]


def _moved_resets(system: TransitionSystem, i: int) -> list[Change]:
    """A constant assignment of transition i done by another transition instead (a reset in the wrong place).

    This is the shape of the Spectrum recall (H1): the detector re-armed when the occlusion clears
    rather than at restart.
    """
    t = system.transitions[i]
    out: list[Change] = []
    for j, u in enumerate(t.updates):
        if not isinstance(u.value, Const):
            continue
        without = replace(t, updates=t.updates[:j] + t.updates[j + 1 :])
        for k, other in enumerate(system.transitions):
            if k == i or any(v.target == u.target for v in other.updates):
                continue
            moved = replace(other, updates=(*other.updates, u))
            what = f"move {_update_text(u)} to {other.name}"
            out.append((Operator.MOVE_RESET, what, u.loc or t.loc, {i: without, k: moved}))
    return out


Mutation = tuple[Operator, str, Location | None, Transition]


def _transition_mutations(t: Transition) -> Iterator[Mutation]:
    g = t.guard
    yield Operator.NEGATE_GUARD, f"negate guard {expr_text(g)}", g.loc or t.loc, replace(t, guard=neg(g))
    for path, part in _conjuncts(g):
        changed = replace(t, guard=_replace_at(g, path, neg(part)))
        yield Operator.NEGATE_CONDITION, f"negate condition {expr_text(part)}", part.loc or t.loc, changed
    for path, node in _nodes(g):
        if isinstance(node, Binary) and node.op in BOUNDARY:
            moved = replace(node, op=BOUNDARY[node.op])
            what = f"{expr_text(node)} becomes {expr_text(moved)}"
            yield Operator.MOVE_BOUNDARY, what, node.loc or t.loc, replace(t, guard=_replace_at(g, path, moved))
    for j, u in enumerate(t.updates):
        rest = t.updates[:j] + t.updates[j + 1 :]
        yield Operator.DROP_UPDATE, f"drop {_update_text(u)}", u.loc or t.loc, replace(t, updates=rest)
        for value in _other_constants(u.value):
            swapped = replace(u, value=value)
            what = f"{_update_text(u)} becomes {_update_text(swapped)}"
            yield Operator.SWAP_CONSTANT, what, u.loc or t.loc, replace(t, updates=rest[:j] + (swapped,) + rest[j:])


def _update_text(u: Update) -> str:
    return f"{u.target} := {expr_text(u.value)}"


def _other_constants(value: Expr) -> list[Expr]:
    """The other values a constant boolean or enum assignment could have stored."""
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
        """Killed, survived (every requirement proved), equivalent (survived, and proved equivalent), or unknown."""
        if self.kills:
            return MutantStatus.KILLED
        if self.undecided:
            return MutantStatus.UNKNOWN
        equivalent = self.equivalence is not None and isinstance(self.equivalence.result, Proved)
        return MutantStatus.EQUIVALENT if equivalent else MutantStatus.SURVIVED


@dataclass(frozen=True)
class MutationScore:
    """The outcome of every mutant against one requirement set."""

    model: str
    requirements: tuple[str, ...]
    results: tuple[MutantResult, ...]

    def with_status(self, status: MutantStatus) -> tuple[MutantResult, ...]:
        """The results whose status is `status`."""
        return tuple(r for r in self.results if r.status == status)

    @property
    def score(self) -> float:
        """Killed mutants over decided ones that are not equivalent (1.0 when there are none)."""
        killed, survived = len(self.with_status(MutantStatus.KILLED)), len(self.with_status(MutantStatus.SURVIVED))
        return killed / (killed + survived) if killed + survived else 1.0


@dataclass(frozen=True)
class Baseline:
    """The requirements' verdicts on the unmutated model. Only a requirement PROVED there can judge a mutant:
    one that already fails would 'kill' every mutant, one that is UNKNOWN cannot tell its own failure from a kill."""

    model: str
    outcomes: tuple[Outcome, ...]

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
        """The outcomes by requirement id: a mutant's check tries each proof's invariant and witnesses first."""
        return {o.requirement.id: o for o in self.outcomes}

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
    return Baseline(system.name, tuple(checker.check(req) for req in requirements))


def judge(
    mutant: Mutant,
    requirements: Sequence[Requirement],
    options: Options,
    all_kills: bool = False,
    earlier: Mapping[str, Outcome] | None = None,
) -> MutantResult:
    """Check `requirements` on the mutant as `check` would (stopping at the first failure unless `all_kills`):
    a requirement VIOLATED or VACUOUS on it kills it; a survivor records whether it stops time. `earlier` (the
    unmutated model's outcomes) are tried first: an invariant the mutation leaves inductive proves the mutant too,
    a trigger witness it leaves a run shows the trigger reachable."""
    checker = Checker(mutant.system, options, earlier=earlier)
    kills, undecided = [], []
    for req in requirements:
        result = checker.check(req).result
        if isinstance(result, (Violated, Vacuous)):
            kills.append(Kill(req.id, result.verdict, result.reason if isinstance(result, Vacuous) else ""))
            if not all_kills:
                break
        elif isinstance(result, Unknown):
            undecided.append(req.id)
    stop = checker.facts.time
    timelock = None if stop is None or isinstance(stop.result, Unknown) else isinstance(stop.result, Violated)
    return MutantResult(mutant, tuple(kills), tuple(undecided), timelock if not kills else None)


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
    job = _Job(system, base.judges(), options, all_kills, base.by_id)
    if jobs <= 1 or len(chosen) <= 1:
        results = dict(_reported(((i, job(m)) for i, m in enumerate(chosen)), chosen, progress))
    else:
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
            futures = {pool.submit(job, m): i for i, m in enumerate(chosen)}
            results = dict(_reported(((futures[f], f.result()) for f in as_completed(futures)), chosen, progress))
    ordered = []
    for i in range(len(chosen)):
        result = results[i]
        if not result.kills and left_out:
            result = replace(result, undecided=result.undecided + left_out)
        ordered.append(result)
    return MutationScore(system.name, tuple(r.id for r in requirements), tuple(ordered))


@dataclass(frozen=True)
class _Job:
    """`judge` with everything but the mutant fixed: what each worker process runs."""

    model: TransitionSystem
    judges: tuple[Requirement, ...]
    options: Options
    all_kills: bool
    earlier: Mapping[str, Outcome]

    def __call__(self, mutant: Mutant) -> MutantResult:
        result = judge(mutant, self.judges, self.options, self.all_kills, self.earlier)
        if result.status is not MutantStatus.SURVIVED:
            return result
        return replace(result, equivalence=equivalence(self.model, mutant.system, self.judges, self.options))


def _reported(
    done: Iterator[tuple[int, MutantResult]], chosen: Sequence[Mutant], progress: Callable[[Mutant], None] | None
) -> Iterator[tuple[int, MutantResult]]:
    """The results as they come, reporting each mutant done."""
    for i, result in done:
        if progress is not None:
            progress(chosen[i])
        yield i, result
