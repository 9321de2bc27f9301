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
    Transition,
    Unary,
    Value,
    VarRef,
)
from pumpproof.lang.walk import postorder, same_step


@dataclass(frozen=True)
class Frame:
    """Everything an expression can read at one step: variable values, the transition taken, the time elapsed."""

    values: Mapping[str, Value]
    fired: str | None
    elapsed: Value


def value_sent(t: Transition, values: Mapping[str, Value]) -> Value | None:
    """The value a synchronised step of `t` carries, read as the step reads it: the sender's expression over the
    state before the step and the step's inputs (`values`). None when nothing is sent with a value."""
    sender = next((o for o in t.origins if o.role == "!"), None)
    return None if sender is None or sender.value is None else evaluate(sender.value, Frame(values, None, 0))


def evaluate(e: Expr, cur: Frame, pre: Frame | None = None) -> Value:
    """The value of `e` in frame `cur`; `Pre(x)` reads frame `pre`.

    Connectives short-circuit, and each distinct node is evaluated at most once (defines are shared
    subterms: as a tree the expression could be exponentially large). An expression too deep for
    Python's stack is evaluated children first instead, every operand included.
    """
    run = _Evaluation(cur, pre)
    try:
        return run.value(e)
    except RecursionError:
        for n in postorder(e, same_step):  # each node's children are known: one level of recursion at a time
            run.value(n)
        return run.value(e)


class _Evaluation:
    """One call of `evaluate`: the values of the compound nodes met so far, by identity."""

    def __init__(self, cur: Frame, pre: Frame | None) -> None:
        self.cur, self.pre = cur, pre
        self.memo: dict[int, Value] = {}

    def value(self, e: Expr) -> Value:
        """The value of `e` (remembered when it is compound)."""
        match e:
            case Const(value=v):
                return v
            case VarRef(name=name):
                try:
                    return self.cur.values[name]
                except KeyError:
                    raise InternalError(f"interpreter: no value for variable {name!r}") from None
        key = id(e)
        if key in self.memo:
            return self.memo[key]
        value = self.memo[key] = self.compound(e)
        return value

    def compound(self, e: Expr) -> Value:
        match e:
            case Unary(op=Op.NOT, arg=a):
                return not self.value(a)
            case Unary(op=Op.NEG, arg=a):
                return -_num(self.value(a))
            case Unary(op=Op.TO_REAL, arg=a):
                return _num(self.value(a))
            case Binary(op=op, left=left, right=right):
                return self.binary(op, left, right)
            case Ite(cond=c, then=t, orelse=o):
                return self.value(t) if self.value(c) else self.value(o)
            case Fired(transitions=names):
                return self.cur.fired in names
            case Elapsed():
                return self.cur.elapsed
            case Pre(arg=a):
                if self.pre is None:
                    raise InternalError("interpreter: previous-state reference in the initial state")
                return evaluate(a, self.pre, None)
            case TemporalOp():
                raise InternalError(f"interpreter: temporal operator {e.op.value!r} left after monitor compilation")
        raise InternalError(f"interpreter: unknown node {type(e).__name__}")

    def binary(self, op: Op, left: Expr, right: Expr) -> Value:
        # Short-circuit the connectives: the interpreter reads no more than a guard needs.
        if op is Op.AND:
            return bool(self.value(left)) and bool(self.value(right))
        if op is Op.OR:
            return bool(self.value(left)) or bool(self.value(right))
        if op is Op.IMPLIES:
            return (not self.value(left)) or bool(self.value(right))
        return _arithmetic(op, self.value(left), self.value(right))


def _num(v: Value) -> int | Fraction:
    if isinstance(v, (bool, str)):
        raise InternalError(f"interpreter: expected a number, got {v!r}")
    return v


def _arithmetic(op: Op, a: Value, b: Value) -> Value:
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
