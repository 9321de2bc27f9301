"""Generic traversals of IR expressions: children, bottom-up rewriting, variable and operator queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from pumpproof.lang.ir import (
    COMPARISONS,
    MIRROR,
    PAST_TEMPORAL,
    Binary,
    BoolType,
    ClockType,
    Const,
    Expr,
    Fired,
    IntType,
    Ite,
    Op,
    Pre,
    TemporalOp,
    Unary,
    VarRef,
)


def children(e: Expr) -> tuple[Expr, ...]:
    """The direct subexpressions of `e`."""
    match e:
        case Unary(arg=a) | Pre(arg=a):
            return (a,)
        case Binary(left=left, right=right):
            return (left, right)
        case Ite(cond=c, then=t, orelse=o):
            return (c, t, o)
        case TemporalOp(args=args):
            return args
        case _:
            return ()


def with_children(e: Expr, kids: tuple[Expr, ...]) -> Expr:
    """A copy of `e` with its subexpressions replaced, in `children` order."""
    match e:
        case Unary() | Pre():
            return replace(e, arg=kids[0])
        case Binary():
            return replace(e, left=kids[0], right=kids[1])
        case Ite():
            return replace(e, cond=kids[0], then=kids[1], orelse=kids[2])
        case TemporalOp():
            return replace(e, args=kids)
        case _:
            return e


def rewrite(e: Expr, fn: Callable[[Expr], Expr | None]) -> Expr:
    """Rewrite top-down: where `fn` returns an expression it replaces the node, else recurse into children."""
    out = fn(e)
    if out is not None:
        return out
    kids = children(e)
    if not kids:
        return e
    return with_children(e, tuple(rewrite(k, fn) for k in kids))


def nodes(e: Expr) -> Iterator[Expr]:
    """Every node of `e`, parents before children."""
    yield e
    for k in children(e):
        yield from nodes(k)


def var_names(e: Expr) -> set[str]:
    """Names of the variables `e` reads."""
    return {n.name for n in nodes(e) if isinstance(n, VarRef)}


def fired_names(e: Expr) -> set[str]:
    """Names of the transitions `e` mentions in `fired(...)`."""
    return {t for n in nodes(e) if isinstance(n, Fired) for t in n.transitions}


def is_past(e: Expr) -> bool:
    """True when `e` has no future temporal operator (it can be decided by looking back)."""
    return all(not isinstance(n, TemporalOp) or n.op in PAST_TEMPORAL for n in nodes(e))


def is_state_formula(e: Expr) -> bool:
    """True when `e` has no temporal operator at all."""
    return not any(isinstance(n, TemporalOp) for n in nodes(e))


def polar_comparisons(e: Expr, positive: bool = True) -> Iterator[tuple[Binary, bool]]:
    """Every comparison in boolean `e`, with its polarity once negations are pushed inward.

    A comparison under `<->`, a boolean `==`/`!=` or an `if` condition occurs with both polarities.
    """
    match e:
        case Unary(op=Op.NOT, arg=a):
            yield from polar_comparisons(a, not positive)
        case Binary(op=Op.AND | Op.OR, left=a, right=b):
            yield from polar_comparisons(a, positive)
            yield from polar_comparisons(b, positive)
        case Binary(op=Op.IMPLIES, left=a, right=b):
            yield from polar_comparisons(a, not positive)
            yield from polar_comparisons(b, positive)
        case Binary(op=Op.IFF | Op.EQ | Op.NE, left=a, right=b) if isinstance(a.type, BoolType):
            for sub in (a, b):
                yield from polar_comparisons(sub, positive)
                yield from polar_comparisons(sub, not positive)
        case Ite(cond=c, then=a, orelse=b) if isinstance(e.type, BoolType):
            yield from polar_comparisons(c, positive)
            yield from polar_comparisons(c, not positive)
            yield from polar_comparisons(a, positive)
            yield from polar_comparisons(b, positive)
        case Binary(op=op) if op in COMPARISONS:
            yield e, positive


def clock_comparison(e: Expr) -> tuple[Expr, Op, Expr] | None:
    """A comparison with a clock as `(clock, op, other)`, the clock moved to the left; None for anything else."""
    if not (isinstance(e, Binary) and e.op in COMPARISONS):
        return None
    if isinstance(e.left.type, ClockType):
        return e.left, e.op, e.right
    if isinstance(e.right.type, ClockType):
        return e.right, MIRROR[e.op], e.left
    return None


def magnitude(e: Expr) -> int | None:
    """An upper bound on |e| for an integer expression, from its constants and declared ranges (interval
    arithmetic); None when `e` reads something without a declared bound (a counter monitor, an input-free
    `NUM` term of unknown size) or is not an integer expression."""
    match e:
        case Const(value=v) if isinstance(v, int) and not isinstance(v, bool):
            return abs(v)
        case VarRef(type=IntType(lo=lo, hi=hi)):
            return max(abs(lo), abs(hi))
        case Unary(op=Op.NEG, arg=a) | Pre(arg=a):
            return magnitude(a)
        case Binary(op=Op.ADD | Op.SUB | Op.MUL | Op.MIN | Op.MAX as op, left=a, right=b):
            x, y = magnitude(a), magnitude(b)
            if x is None or y is None:
                return None
            return {Op.ADD: x + y, Op.SUB: x + y, Op.MUL: x * y}.get(op, max(x, y))
        case Ite(then=a, orelse=b):
            x, y = magnitude(a), magnitude(b)
            return None if x is None or y is None else max(x, y)
    return None


def clock_bounds(exprs: Iterable[Expr], clocks: set[str]) -> dict[str, int | None]:
    """Per clock of `clocks`, the largest |value| it is compared with in `exprs` (Alur and Dill's maximal
    constant, with integer terms bounded by their ranges); None when some comparand is unbounded.

    Above its bound a clock's exact value no longer changes any comparison it takes part in.
    """
    out: dict[str, int | None] = {c: 0 for c in clocks}
    for e in exprs:
        for n in nodes(e):
            side = clock_comparison(n)
            if side is None or not isinstance(side[0], VarRef) or side[0].name not in out:
                continue
            name, bound = side[0].name, magnitude(side[2])
            current = out[name]
            out[name] = None if bound is None or current is None else max(current, bound)
    return out
