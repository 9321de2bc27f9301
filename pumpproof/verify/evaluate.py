"""A direct interpreter of IR expressions on concrete values, independent of the Z3 encoding.

Replay and the explicit-state checker use it, so their verdicts are a genuine second opinion.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

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
    """The value of `e` in frame `cur`; `Pre(x)` reads frame `pre` (see `Evaluation.of`)."""
    return Evaluation(cur, pre).of(e)


class Evaluation:
    """Expressions evaluated in one frame, sharing the values of the compound nodes met so far (by identity): a
    step's guard and updates, say, read their common subterms once. The frame's values may grow between two
    expressions (monitors computed in order) but never change."""

    def __init__(self, cur: Frame, pre: Frame | None = None) -> None:
        self.cur, self.pre = cur, pre
        self.values = cur.values
        self.memo: dict[int, Value] = {}
        self.before: Evaluation | None = None
        """The evaluation of `Pre` arguments in `pre`, made at the first."""

    def of(self, e: Expr) -> Value:
        """The value of `e`.

        Connectives short-circuit, and each distinct node is evaluated at most once (defines are shared
        subterms: as a tree the expression could be exponentially large). An expression too deep for
        Python's stack is evaluated children first instead, every operand included.
        """
        try:
            return self.value(e)
        except RecursionError:
            for n in postorder(e, same_step):  # each node's children are known: one level of recursion at a time
                self.value(n)
            return self.value(e)

    def value(self, e: Expr) -> Value:
        """The value of `e` (remembered when it is compound)."""
        kind = type(e)
        if kind is Const:
            return e.value  # type: ignore[union-attr]
        if kind is VarRef:
            try:
                return self.values[e.name]  # type: ignore[union-attr]
            except KeyError:
                raise InternalError(f"interpreter: no value for variable {e.name!r}") from None  # type: ignore[union-attr]
        key = id(e)
        memo = self.memo
        known = memo.get(key, _UNSET)
        if known is not _UNSET:
            return known  # type: ignore[return-value]
        compound = _COMPOUND.get(kind)
        if compound is None:
            raise InternalError(f"interpreter: unknown node {kind.__name__}")
        value = memo[key] = compound(self, e)
        return value

    def unary(self, e: Unary) -> Value:
        if e.op is Op.NOT:
            return not self.value(e.arg)
        if e.op is Op.NEG:
            return -_num(self.value(e.arg))
        if e.op is Op.TO_REAL:
            return _num(self.value(e.arg))
        raise InternalError(f"interpreter: unknown operator {e.op!r}")

    def binary(self, e: Binary) -> Value:
        # Short-circuit the connectives: the interpreter reads no more than a guard needs.
        op = e.op
        if op is Op.AND:
            return bool(self.value(e.left)) and bool(self.value(e.right))
        if op is Op.OR:
            return bool(self.value(e.left)) or bool(self.value(e.right))
        if op is Op.IMPLIES:
            return (not self.value(e.left)) or bool(self.value(e.right))
        return _arithmetic(op, self.value(e.left), self.value(e.right))

    def ite(self, e: Ite) -> Value:
        return self.value(e.then) if self.value(e.cond) else self.value(e.orelse)

    def fired(self, e: Fired) -> Value:
        return self.cur.fired in e.transitions

    def elapsed(self, _: Elapsed) -> Value:
        return self.cur.elapsed

    def previous(self, e: Pre) -> Value:
        if self.pre is None:
            raise InternalError("interpreter: previous-state reference in the initial state")
        if self.before is None:
            self.before = Evaluation(self.pre)
        return self.before.of(e.arg)

    def temporal(self, e: TemporalOp) -> Value:
        raise InternalError(f"interpreter: temporal operator {e.op.value!r} left after monitor compilation")


_UNSET = object()
"""What the memo holds for a node not evaluated yet (no value is this object)."""

_COMPOUND: dict[type, Callable[[Evaluation, Any], Value]] = {
    Unary: Evaluation.unary,
    Binary: Evaluation.binary,
    Ite: Evaluation.ite,
    Fired: Evaluation.fired,
    Elapsed: Evaluation.elapsed,
    Pre: Evaluation.previous,
    TemporalOp: Evaluation.temporal,
}
"""How each kind of compound node is evaluated (by its exact type: a dictionary lookup, not a chain of patterns)."""


def _num(v: Value) -> int | Fraction:
    if isinstance(v, (bool, str)):
        raise InternalError(f"interpreter: expected a number, got {v!r}")
    return v


_ON_NUMBERS: dict[Op, Callable[[Any, Any], Value]] = {
    Op.LT: operator.lt,
    Op.LE: operator.le,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.ADD: operator.add,
    Op.SUB: operator.sub,
    Op.MUL: operator.mul,
    Op.MIN: min,
    Op.MAX: max,
}
"""The comparisons and arithmetic, which take numbers only."""


def _arithmetic(op: Op, a: Value, b: Value) -> Value:
    if op is Op.IFF or op is Op.EQ:
        return a == b
    if op is Op.NE:
        return a != b
    function = _ON_NUMBERS.get(op)
    if function is None:
        raise InternalError(f"interpreter: unknown operator {op!r}")
    return function(_num(a), _num(b))


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
    run = Evaluation(Frame(out, fired, elapsed), before)  # `out` grows monitor by monitor
    for m in monitors:
        if m.free:
            if m.name not in free:
                raise InternalError(f"interpreter: no value for free monitor {m.name!r}")
            out[m.name] = free[m.name]
        else:
            e = m.init if before is None else m.update
            assert e is not None
            out[m.name] = run.of(e)
    return Frame(out, fired, elapsed)
