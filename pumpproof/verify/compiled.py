"""IR expressions compiled to Python functions: the fast evaluator of the depth-first search (engines.dfs).

A search visits millions of frames, and walking the IR for each (verify.evaluate) costs most of its time. Here a
list of expressions becomes one Python function over a frame laid out as a tuple (one slot per variable), with
each shared subterm computed once. The search only proposes traces: every trace it finds is replayed by
verify.evaluate's interpreter before it is shown, and tests compare the two evaluators on generated models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from pumpproof.errors import InternalError
from pumpproof.lang.ir import Binary, Const, Elapsed, Expr, Fired, Ite, Op, Pre, TemporalOp, Unary, Value, VarRef
from pumpproof.lang.walk import children

Compiled = Callable[[Sequence[Any], str | None, Value, Sequence[Any] | None, Any, Value], tuple[Value, ...]]
"""`f(v, fired, elapsed, p, pfired, pelapsed)`: the expressions' values in the frame `v` (entered by `fired`, after
`elapsed`), where `Pre` reads the previous frame `p` (entered by `pfired` after `pelapsed`). A frame is a sequence
whose slots hold values; slots beyond those the expressions read may hold anything."""

NESTING = 24
"""A subterm nested deeper than this in one line is computed on its own line (CPython's parser limits nesting)."""

_INFIX = {
    Op.AND: "and",
    Op.OR: "or",
    Op.IFF: "==",
    Op.EQ: "==",
    Op.NE: "!=",
    Op.LT: "<",
    Op.LE: "<=",
    Op.GT: ">",
    Op.GE: ">=",
    Op.ADD: "+",
    Op.SUB: "-",
    Op.MUL: "*",
}


def compile_exprs(exprs: Sequence[Expr], slots: Mapping[str, int]) -> Compiled:
    """One function computing `exprs` from a frame whose variable `x` is at index `slots[x]`."""
    emitter = _Emitter(slots)
    emitter.emit(emitter.order(exprs))
    results = [emitter.done[(id(e), "v")][0] for e in exprs]
    body = [*emitter.lines, f"return ({''.join(r + ', ' for r in results)})"]
    source = "def _compiled(v, fired, elapsed, p, pfired, pelapsed):\n" + "".join(f"    {line}\n" for line in body)
    namespace: dict[str, object] = dict(emitter.constants)
    exec(compile(source, "<pumpproof.compiled>", "exec"), namespace)  # noqa: S102 - source generated from the IR
    function: Compiled = namespace["_compiled"]  # type: ignore[assignment]
    return function


_FRAMES = {"v": ("v", "fired", "elapsed"), "p": ("p", "pfired", "pelapsed")}
"""The names a frame's values, transition and elapsed time have in the generated function."""


class _Emitter:
    """Python source for expressions: shared and deeply nested subterms become assignments, in order."""

    def __init__(self, slots: Mapping[str, int]) -> None:
        self.slots = slots
        self.lines: list[str] = []
        self.constants: dict[str, object] = {}
        self.done: dict[tuple[int, str], tuple[str, int]] = {}
        """Per node and frame already emitted: its text and how deeply that text nests."""
        self.uses: dict[tuple[int, str], int] = {}

    def order(self, roots: Sequence[Expr]) -> list[tuple[Expr, str]]:
        """Every (node, frame) below `roots`, children first, once; counts how often each is used."""
        out: list[tuple[Expr, str]] = []
        seen: set[tuple[int, str]] = set()
        stack: list[tuple[Expr, str, bool]] = [(root, "v", False) for root in reversed(roots)]
        while stack:
            node, where, expanded = stack.pop()
            if expanded:
                out.append((node, where))
                continue
            key = (id(node), where)
            if key in seen:
                continue
            seen.add(key)
            stack.append((node, where, True))
            for kid, kid_frame in self._children(node, where):
                kid_key = (id(kid), kid_frame)
                self.uses[kid_key] = self.uses.get(kid_key, 0) + 1
                stack.append((kid, kid_frame, False))
        return out

    def emit(self, order: list[tuple[Expr, str]]) -> None:
        """The source of every node of `order`; shared and deeply nested ones become assignments."""
        for node, where in order:
            key = (id(node), where)
            text, nesting = self._node(node, where)
            if nesting > NESTING or (self.uses.get(key, 0) > 1 and nesting > 0):
                name = f"t{len(self.lines)}"
                self.lines.append(f"{name} = {text}")
                text, nesting = name, 0
            self.done[key] = (text, nesting)

    @staticmethod
    def _children(node: Expr, frame: str) -> list[tuple[Expr, str]]:
        if isinstance(node, Pre):
            if frame == "p":
                raise InternalError("compiled: a previous-state reference inside another")
            return [(node.arg, "p")]
        return [(kid, frame) for kid in children(node)]

    def _node(self, e: Expr, frame: str) -> tuple[str, int]:
        """The source of `e` from its children's (already emitted), and how deeply it nests."""
        values, fired, elapsed = _FRAMES[frame]
        match e:
            case Const(value=v):
                return self._constant(v), 0
            case VarRef(name=name):
                if name not in self.slots:
                    raise InternalError(f"compiled: no slot for variable {name!r}")
                return f"{values}[{self.slots[name]}]", 0
            case Fired(transitions=names):
                name = f"c{len(self.constants)}"
                self.constants[name] = frozenset(names)
                return f"({fired} in {name})", 1
            case Elapsed():
                return elapsed, 0
            case Pre(arg=a):
                return self.done[(id(a), "p")]
            case Unary(op=op, arg=a):
                text, nesting = self.done[(id(a), frame)]
                shown = {Op.NOT: f"(not {text})", Op.NEG: f"(-{text})", Op.TO_REAL: text}[op]
                return shown, nesting + 1
            case Binary(op=op, left=left, right=right):
                (lt, ln), (rt, rn) = self.done[(id(left), frame)], self.done[(id(right), frame)]
                if op is Op.IMPLIES:
                    shown = f"((not {lt}) or {rt})"
                elif op in (Op.MIN, Op.MAX):
                    shown = f"{op.value}({lt}, {rt})"
                else:
                    shown = f"({lt} {_INFIX[op]} {rt})"
                return shown, max(ln, rn) + 1
            case Ite(cond=c, then=t, orelse=o):
                (ct, cn), (tt, tn), (ot, on) = (self.done[(id(x), frame)] for x in (c, t, o))
                return f"({tt} if {ct} else {ot})", max(cn, tn, on) + 1
            case TemporalOp():
                raise InternalError(f"compiled: temporal operator {e.op.value!r} left after monitor compilation")
        raise InternalError(f"compiled: unknown node {type(e).__name__}")

    def _constant(self, v: Value) -> str:
        if isinstance(v, (bool, int, str)):
            return repr(v)
        if isinstance(v, Fraction):
            name = f"c{len(self.constants)}"
            self.constants[name] = v
            return name
        raise InternalError(f"compiled: unknown constant {v!r}")
