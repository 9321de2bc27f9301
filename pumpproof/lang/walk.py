"""Generic traversals of IR expressions: children, bottom-up rewriting, variable and operator queries."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TypeVar

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

T = TypeVar("T")


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


def same_step(e: Expr) -> tuple[Expr, ...]:
    """The children of `e` read in the same state: a `Pre` argument reads the previous one (for `fold_up`)."""
    return () if isinstance(e, Pre) else children(e)


def postorder(e: Expr, kids: Callable[[Expr], tuple[Expr, ...]] = children, known: Container[int] = ()) -> list[Expr]:
    """Every distinct node of `e` once, children before parents, without recursion.

    A define used twice is one shared node, so an expression is a DAG: walking it as a tree could
    take exponential time, and deep expressions (long `and` chains) would exhaust Python's stack.
    `kids` chooses which children to enter (the Z3 encoding reads `Pre` arguments elsewhere); nodes
    whose id is in `known` are neither listed nor entered.
    """
    seen: set[int] = set()
    out: list[Expr] = []
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            out.append(node)
            continue
        if id(node) in seen or id(node) in known:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((k, False) for k in reversed(kids(node)) if id(k) not in seen)
    return out


Memo = dict[int, tuple[Expr, T]]
"""Values per node id, with the node itself: holding it keeps the id from being reused by another node."""


def fold_up(
    e: Expr,
    combine: Callable[[Expr, tuple[T, ...]], T],
    kids: Callable[[Expr], tuple[Expr, ...]] = children,
    memo: Memo[T] | None = None,
) -> T:
    """Compute a value per distinct node of `e` from its children's values (`combine(node, values)`), once each;
    `memo` carries the values over to later calls."""
    values: Memo[T] = {} if memo is None else memo
    if id(e) in values:
        return values[id(e)][1]
    below = kids(e)
    if all(id(k) in values for k in below):  # the common case in a memo built bottom-up: no walk needed
        values[id(e)] = (e, combine(e, tuple(values[id(k)][1] for k in below)))
        return values[id(e)][1]
    for n in postorder(e, kids, values):
        values[id(n)] = (n, combine(n, tuple(values[id(k)][1] for k in kids(n))))
    return values[id(e)][1]


def rewrite(e: Expr, fn: Callable[[Expr], Expr | None]) -> Expr:
    """Rewrite top-down: where `fn` returns an expression it replaces the node, else recurse into children.

    Each distinct node is rewritten once (shared subterms stay shared), without recursion; a node
    whose children are unchanged is kept as it is.
    """
    done: dict[int, Expr] = {}
    entered: set[int] = set()
    stack = [e]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in done:
            stack.pop()
        elif key not in entered:
            out = fn(node)
            if out is not None:
                done[key] = out
                stack.pop()
            else:
                entered.add(key)
                stack.extend(k for k in reversed(children(node)) if id(k) not in done)
        else:
            stack.pop()
            kids = children(node)
            new = tuple(done[id(k)] for k in kids)
            same = all(a is b for a, b in zip(kids, new, strict=True))
            done[key] = node if same else with_children(node, new)
    return done[id(e)]


def substitute(e: Expr, values: Mapping[str, Expr]) -> Expr:
    """`e` with every variable named in `values` replaced by its expression there (shared subterms stay shared)."""
    return rewrite(e, lambda n: values.get(n.name) if isinstance(n, VarRef) else None)


def nodes(e: Expr) -> Iterator[Expr]:
    """Every distinct node of `e` once, parents before children."""
    return reversed(postorder(e))


def depth(e: Expr, memo: Memo[int] | None = None) -> int:
    """The height of `e`: 1 for a leaf."""
    return fold_up(e, lambda _, below: 1 + max(below, default=0), memo=memo)


def size(e: Expr) -> int:
    """The number of distinct nodes of `e` (shared subterms counted once)."""
    return len(postorder(e))


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
    """Every comparison in boolean `e`, with its polarity once negations are pushed inward, each pair once.

    A comparison under `<->`, a boolean `==`/`!=` or an `if` condition occurs with both polarities.
    """
    seen: set[tuple[int, bool]] = set()
    stack = [(e, positive)]
    while stack:
        node, pos = stack.pop()
        if (id(node), pos) in seen:
            continue
        seen.add((id(node), pos))
        match node:
            case Unary(op=Op.NOT, arg=a):
                stack.append((a, not pos))
            case Binary(op=Op.AND | Op.OR, left=a, right=b):
                stack += [(b, pos), (a, pos)]
            case Binary(op=Op.IMPLIES, left=a, right=b):
                stack += [(b, pos), (a, not pos)]
            case Binary(op=Op.IFF | Op.EQ | Op.NE, left=a, right=b) if isinstance(a.type, BoolType):
                stack += [(b, not pos), (b, pos), (a, not pos), (a, pos)]
            case Ite(cond=c, then=a, orelse=b) if isinstance(node.type, BoolType):
                stack += [(b, pos), (a, pos), (c, not pos), (c, pos)]
            case Binary(op=op) if op in COMPARISONS:
                yield node, pos


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
    return fold_up(e, _magnitude)


def _magnitude(e: Expr, below: tuple[int | None, ...]) -> int | None:
    match e:
        case Const(value=v) if isinstance(v, int) and not isinstance(v, bool):
            return abs(v)
        case VarRef(type=IntType(lo=lo, hi=hi)):
            return max(abs(lo), abs(hi))
        case Unary(op=Op.NEG) | Pre():
            return below[0]
        case Binary(op=Op.ADD | Op.SUB | Op.MUL | Op.MIN | Op.MAX as op):
            x, y = below
            if x is None or y is None:
                return None
            return {Op.ADD: x + y, Op.SUB: x + y, Op.MUL: x * y}.get(op, max(x, y))
        case Ite():
            x, y = below[1:]
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
