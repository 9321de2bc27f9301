"""What can happen next in a state, as IR state expressions: enabled transitions, possible delays, any step.

Fairness, deadlocks, timelocks and the stutter step of runs that stop all ask "can this happen
from here?"; the answers are built here once, from the IR, for the encoding and the questions
that `lint` and `check` ask. Inputs are chosen by the step, so an expression that must hold for
some choice of inputs enumerates their values (finite types only).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import replace

from pumpproof.errors import TooManyStates, UnsupportedError
from pumpproof.lang.ir import (
    BOOL,
    FALSE,
    TRUE,
    Binary,
    BoolType,
    Const,
    EnumType,
    Expr,
    IntType,
    Ite,
    Op,
    Transition,
    TransitionSystem,
    Type,
    Value,
    balanced,
    is_real,
)
from pumpproof.lang.walk import clock_comparison, rewrite, substitute, var_names
from pumpproof.verify.problem import conj, disj

MAX_INPUT_CHOICES = 4096
"""The most valuations of the inputs a step reads that `can_step` expands a state expression over (one copy of
the step per valuation), and that the depth-first search expands each frame with."""
MAX_VALUATIONS = 200_000
"""The most valuations the interpreter enumerates (the moves from a state, the explicit checker's inputs and
initial states): a range of 10^12 input values is reported as not enumerated instead of being listed."""


def count_of(t: Type) -> int:
    """How many values a finite type has (UnsupportedError for clocks and unbounded integers)."""
    if isinstance(t, BoolType):
        return 2
    if isinstance(t, EnumType):
        return len(t.values)
    if isinstance(t, IntType):
        return t.hi - t.lo + 1
    raise UnsupportedError(f"the values of type {t} cannot be enumerated")


def refuse_unbounded(system: TransitionSystem, why: str) -> None:
    """UnsupportedError naming the unbounded integers and reals of `system`, if it has any: `why` needs finitely
    many values."""
    found = system.unbounded
    if found:
        names = [v.name for v in found]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        kinds = sorted({"reals" if is_real(v.type) else "integers" for v in found})
        raise UnsupportedError(f"the model has unbounded {' and '.join(kinds)} ({shown}): {why}")


def values_of(t: Type, limit: int = MAX_VALUATIONS) -> list[Value]:
    """Every value of a finite type with at most `limit` values (TooManyStates beyond)."""
    return [v for (v,) in combinations([t], f"type {t}", limit)]


def combinations(types: Sequence[Type], what: str, limit: int = MAX_VALUATIONS) -> Iterator[tuple[Value, ...]]:
    """Every choice of one value per type, in order; TooManyStates, before any is built, for more than `limit`
    (`what` names the types in the message)."""
    total = math.prod(count_of(t) for t in types)
    if total > limit:
        shown = f"{total:,}" if total < 10**15 else f"about 10^{len(str(total)) - 1}"
        raise TooManyStates(f"{what}: {shown} values are too many to enumerate (more than {limit:,})")
    return itertools.product(*(_values(t) for t in types))


def _values(t: Type) -> Sequence[Value]:
    if isinstance(t, BoolType):
        return [False, True]
    if isinstance(t, EnumType):
        return t.values
    assert isinstance(t, IntType)
    return range(t.lo, t.hi + 1)


def enabled(system: TransitionSystem, names: tuple[str, ...]) -> Expr:
    """A state expression: some transition of `names` can fire (its guard holds and its target state is legal).

    Fairness is declared only on transitions that read no inputs, so this needs no quantifier.
    """
    inputs = {v.name for v in system.inputs}
    options = []
    for t in system.transitions:
        if t.name not in names:
            continue
        read = var_names(t.guard).union(*(var_names(u.value) for u in t.updates))
        if read & inputs:
            raise UnsupportedError(
                f"fairness on transition {t.name}, which reads inputs ({', '.join(sorted(read & inputs))})",
                t.loc,
                "state the fairness as a condition instead: `fairness infinitely <expr>`",
            )
        options.append(conj(t.guard, *(after(t, inv) for inv in system.invariants)))
    return disj(*options)


def after(t: Transition, e: Expr) -> Expr:
    """`e` evaluated after `t` fires, as an expression over the state before (and the step's inputs)."""
    return substitute(e, {u.target: u.value for u in t.updates})


def can_step(
    system: TransitionSystem,
    among: tuple[Transition, ...] | None = None,
    delay: bool = True,
    then: Expr = TRUE,
    decreasing: Expr | None = None,
) -> Expr:
    """A state expression: some step (one of the transitions `among`, default all, or with clocks and `delay`
    a delay) can be taken from this state; with `then`, a transition counts only when its target state
    satisfies the state expression `then`, and with `decreasing` (an integer state expression) only when it
    leaves that expression smaller than it was.

    Inputs are chosen by the step, so each valuation of the inputs the steps read is tried in turn
    (TooManyStates beyond MAX_INPUT_CHOICES valuations).
    """
    among = system.transitions if among is None else among
    targets = (*system.invariants, *(() if then == TRUE else (then,)))
    # What a move's formula reads of the inputs: its guard and the assumptions, and its updates only where a
    # target state is looked at (an input read by the updates alone can take any value).
    looks = bool(targets) or decreasing is not None
    read = set().union(*(var_names(t.guard) for t in among), *(var_names(a) for a in system.assumptions))
    read |= {n for t in among for u in t.updates for n in var_names(u.value)} if looks else set()
    inputs = [v for v in system.inputs if v.name in read]
    options = []
    for combo in combinations([v.type for v in inputs], "the inputs the steps read", MAX_INPUT_CHOICES):
        fixed: dict[str, Expr] = {v.name: Const(value, v.type) for v, value in zip(inputs, combo, strict=True)}
        moves = []
        for t in among:
            if not looks:
                moves.append(substitute(t.guard, fixed))
                continue
            step = _fix(t, fixed)
            smaller = () if decreasing is None else (Binary(Op.LT, after(step, decreasing), decreasing, BOOL),)
            moves.append(conj(step.guard, *(after(step, e) for e in targets), *smaller))
        if system.timed and delay:
            moves.append(can_delay(system))
        options.append(conj(*(substitute(a, fixed) for a in system.assumptions), disj(*moves)))
    return disj(*options)


def can_delay(system: TransitionSystem) -> Expr:
    """A state expression: time can pass (the invariants still hold an instant later)."""
    return conj(*(just_after(i) for i in system.invariants))


def time_stoppers(system: TransitionSystem) -> Expr:
    """An integer state expression: how many conjuncts of the invariants hold now but not an instant later (each
    stops time); 0 exactly where time can pass (`can_delay`)."""
    parts = [c for i in system.invariants for c in _conjuncts(i)]
    count = IntType(0, len(parts))
    terms: list[Expr] = [Ite(just_after(c), Const(0, count), Const(1, count), count) for c in parts]
    return balanced(terms, lambda a, b: Binary(Op.ADD, a, b, count)) if terms else Const(0, count)


def _conjuncts(e: Expr) -> list[Expr]:
    if isinstance(e, Binary) and e.op is Op.AND:
        return [*_conjuncts(e.left), *_conjuncts(e.right)]
    return [e]


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


def _fix(t: Transition, fixed: dict[str, Expr]) -> Transition:
    return replace(
        t,
        guard=substitute(t.guard, fixed),
        updates=tuple(replace(u, value=substitute(u.value, fixed)) for u in t.updates),
    )
