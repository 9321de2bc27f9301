"""A direct interpreter of IR expressions on concrete values, independent of the Z3 encoding.

Replay and the explicit-state checker use it, so their verdicts are a genuine second opinion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from pumpproof.errors import InternalError
from pumpproof.lang.ir import (
    Binary,
    Const,
    Elapsed,
    Expr,
    Fired,
    Ite,
    Monitor,
    Op,
    Pre,
    TemporalOp,
    Unary,
    Value,
    VarRef,
)


@dataclass(frozen=True)
class Frame:
    """Everything an expression can read at one step: variable values, the transition taken, the time elapsed."""

    values: Mapping[str, Value]
    fired: str | None
    elapsed: Value


def evaluate(e: Expr, cur: Frame, pre: Frame | None = None) -> Value:
    """The value of `e` in frame `cur`; `Pre(x)` reads frame `pre`."""
    match e:
        case Const(value=v):
            return v
        case VarRef(name=name):
            try:
                return cur.values[name]
            except KeyError:
                raise InternalError(f"interpreter: no value for variable {name!r}") from None
        case Unary(op=Op.NOT, arg=a):
            return not evaluate(a, cur, pre)
        case Unary(op=Op.NEG, arg=a):
            return -_num(evaluate(a, cur, pre))
        case Binary(op=op, left=left, right=right):
            return _binary(op, left, right, cur, pre)
        case Ite(cond=c, then=t, orelse=o):
            return evaluate(t, cur, pre) if evaluate(c, cur, pre) else evaluate(o, cur, pre)
        case Fired(transitions=names):
            return cur.fired in names
        case Elapsed():
            return cur.elapsed
        case Pre(arg=a):
            if pre is None:
                raise InternalError("interpreter: previous-state reference in the initial state")
            return evaluate(a, pre, None)
        case TemporalOp():
            raise InternalError(f"interpreter: temporal operator {e.op.value!r} left after monitor compilation")
    raise InternalError(f"interpreter: unknown node {type(e).__name__}")


def _num(v: Value) -> int | Fraction:
    if isinstance(v, (bool, str)):
        raise InternalError(f"interpreter: expected a number, got {v!r}")
    return v


def _binary(op: Op, left: Expr, right: Expr, cur: Frame, pre: Frame | None) -> Value:
    # Short-circuit the connectives so guards like `i < N and a[i]` never read past what they need.
    if op is Op.AND:
        return bool(evaluate(left, cur, pre)) and bool(evaluate(right, cur, pre))
    if op is Op.OR:
        return bool(evaluate(left, cur, pre)) or bool(evaluate(right, cur, pre))
    if op is Op.IMPLIES:
        return (not evaluate(left, cur, pre)) or bool(evaluate(right, cur, pre))
    a = evaluate(left, cur, pre)
    b = evaluate(right, cur, pre)
    if op is Op.IFF or op is Op.EQ:
        return a == b
    if op is Op.NE:
        return a != b
    x, y = _num(a), _num(b)
    match op:
        case Op.LT:
            return x < y
        case Op.LE:
            return x <= y
        case Op.GT:
            return x > y
        case Op.GE:
            return x >= y
        case Op.ADD:
            return x + y
        case Op.SUB:
            return x - y
        case Op.MUL:
            return x * y
        case Op.MIN:
            return min(x, y)
        case Op.MAX:
            return max(x, y)
    raise InternalError(f"interpreter: unknown operator {op!r}")


def with_monitors(
    monitors: tuple[Monitor, ...],
    values: Mapping[str, Value],
    fired: str | None,
    elapsed: Value,
    before: Frame | None,
    free: Mapping[str, Value],
) -> Frame:
    """The frame extended with every monitor's value, in order; free monitors take their value from `free`."""
    out = dict(values)
    for m in monitors:
        here = Frame(out, fired, elapsed)
        if m.free:
            if m.name not in free:
                raise InternalError(f"interpreter: no value for free monitor {m.name!r}")
            out[m.name] = free[m.name]
        elif before is None:
            assert m.init is not None
            out[m.name] = evaluate(m.init, here)
        else:
            assert m.update is not None
            out[m.name] = evaluate(m.update, here, before)
    return Frame(out, fired, elapsed)
