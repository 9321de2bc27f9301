"""IR expressions compiled to Python functions: the fast evaluator of the depth-first search (engines.dfs).

A search visits millions of frames, and walking the IR for each (verify.evaluate) costs most of its time. Here a
list of expressions becomes one Python function over a frame laid out as a tuple (one slot per variable), with
each shared subterm computed once; `Source` builds larger functions (a whole step) line by line. The search only
proposes traces: every trace it finds is replayed by verify.evaluate's interpreter before it is shown, and tests
compare the two evaluators on generated models.
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


Reading = tuple[str, str, str]
"""Where an expression reads, as names in the generated source: the frame's values, the transition that entered
it, the time that step took."""
NOW: Reading = ("v", "fired", "elapsed")
BEFORE: Reading = ("p", "pfired", "pelapsed")
"""The frames of `Compiled` functions; `Pre` reads BEFORE."""


def compile_exprs(exprs: Sequence[Expr], slots: Mapping[str, int]) -> Compiled:
    """One function computing `exprs` from a frame whose variable `x` is at index `slots[x]`."""
    source = Source(slots)
    results = source.values(exprs)
    source.line(f"return ({''.join(r + ', ' for r in results)})")
    function: Compiled = source.function("v, fired, elapsed, p, pfired, pelapsed")
    return function


class Source:
    """A generated Python function, built line by line: `values` emits the assignments its expressions need (shared
    and deeply nested subterms, each once) and gives their text."""

    def __init__(self, slots: Mapping[str, int]) -> None:
        self.slots = slots
        self.lines: list[str] = []
        self.constants: dict[str, object] = {}
        self.done: dict[tuple[int, Reading], tuple[str, int]] = {}
        """Per node and reading already emitted: its text and how deeply that text nests."""
        self.uses: dict[tuple[int, Reading], int] = {}
        self.before = BEFORE

    def values(self, exprs: Sequence[Expr], reading: Reading = NOW, before: Reading = BEFORE) -> list[str]:
        """The source of `exprs` read in `reading` (their `Pre` arguments in `before`), after the lines they need."""
        self.before = before
        for node, where in self._order(exprs, reading, before):
            key = (id(node), where)
            text, nesting = self._node(node, where)
            if nesting > NESTING or (self.uses.get(key, 0) > 1 and nesting > 0):
                name = f"t{len(self.lines)}"
                self.lines.append(f"{name} = {text}")
                text, nesting = name, 0
            self.done[key] = (text, nesting)
        return [self.done[(id(e), reading)][0] for e in exprs]

    def line(self, text: str) -> None:
        """A statement of the function, after those before it."""
        self.lines.append(text)

    def function(self, parameters: str) -> Callable[..., Any]:
        """The function, compiled, taking `parameters` (Python source)."""
        source = f"def _compiled({parameters}):\n" + "".join(f"    {line}\n" for line in self.lines)
        namespace: dict[str, object] = dict(self.constants)
        exec(compile(source, "<pumpproof.compiled>", "exec"), namespace)  # noqa: S102 - source generated from the IR
        return namespace["_compiled"]  # type: ignore[return-value]

    def _order(self, roots: Sequence[Expr], reading: Reading, before: Reading) -> list[tuple[Expr, Reading]]:
        """Every (node, reading) below `roots` not emitted yet, children first, once; counts how often each is used."""
        out: list[tuple[Expr, Reading]] = []
        seen: set[tuple[int, Reading]] = set()
        stack: list[tuple[Expr, Reading, bool]] = [(root, reading, False) for root in reversed(roots)]
        while stack:
            node, where, expanded = stack.pop()
            if expanded:
                out.append((node, where))
                continue
            key = (id(node), where)
            if key in seen or key in self.done:
                continue
            seen.add(key)
            stack.append((node, where, True))
            for kid, kid_reading in self._children(node, where, before):
                kid_key = (id(kid), kid_reading)
                self.uses[kid_key] = self.uses.get(kid_key, 0) + 1
                stack.append((kid, kid_reading, False))
        return out

    @staticmethod
    def _children(node: Expr, reading: Reading, before: Reading) -> list[tuple[Expr, Reading]]:
        if isinstance(node, Pre):
            if reading == before:
                raise InternalError("compiled: a previous-state reference inside another")
            return [(node.arg, before)]
        return [(kid, reading) for kid in children(node)]

    def _node(self, e: Expr, frame: Reading) -> tuple[str, int]:
        """The source of `e` from its children's (already emitted), and how deeply it nests."""
        values, fired, elapsed = frame
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
                return self.done[(id(a), self.before)]
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
