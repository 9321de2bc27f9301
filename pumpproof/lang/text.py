"""Expressions printed back in the surface syntax of .pump and .req files.

IR expressions for findings, mutant names and messages; parsed formulas fully parenthesised, so that a
reader sees how the parser grouped a requirement (and the text parses back to the same syntax).
"""

from __future__ import annotations

from collections.abc import Iterator

from pumpproof.lang import syntax as s
from pumpproof.lang.ir import (
    Binary,
    Const,
    Elapsed,
    Expr,
    Fired,
    Ite,
    Op,
    Pre,
    Temporal,
    TemporalOp,
    Unary,
    VarRef,
)

_TEMPORAL_PREFIX = {Temporal.PREVIOUSLY, Temporal.ONCE, Temporal.HISTORICALLY, Temporal.ALWAYS, Temporal.EVENTUALLY}


MAX_TEXT = 400
"""The most characters of an expression shown: a define used twice is one shared node, so the text of an
expression built from defines can be exponentially longer than the expression."""


def expr_text(e: Expr, limit: int = MAX_TEXT) -> str:
    """An IR expression in the surface syntax (fully parenthesised below the top), for findings and mutant names;
    cut after `limit` characters with '...'."""
    out: list[str] = []
    length = 0
    for piece in _pieces(e, top=True):
        out.append(piece)
        length += len(piece)
        if length > limit:
            return "".join(out)[:limit] + "..."
    return "".join(out)


def _pieces(e: Expr, top: bool = False) -> Iterator[str]:
    """The text of `e` in pieces, produced lazily so that a long text is never built whole."""
    opening, closing = ("", "") if top else ("(", ")")
    match e:
        case Const(value=v):
            yield str(v).lower() if isinstance(v, bool) else str(v)
        case VarRef(name=name):
            yield name
        case Unary(op=Op.NOT, arg=a):
            yield f"{opening}not "
            yield from _pieces(a)
            yield closing
        case Unary(op=Op.NEG, arg=a):
            yield "-"
            yield from _pieces(a)
        case Unary(op=Op.TO_REAL, arg=a):
            yield "to_real("
            yield from _pieces(a, True)
            yield ")"
        case Binary(op=Op.MIN | Op.MAX as op, left=a, right=b):
            yield f"{op.value}("
            yield from _pieces(a, True)
            yield ", "
            yield from _pieces(b, True)
            yield ")"
        case Binary(op=op, left=a, right=b):
            yield opening
            yield from _pieces(a)
            yield f" {op.value} "
            yield from _pieces(b)
            yield closing
        case Ite(cond=c, then=a, orelse=b):
            yield f"{opening}if "
            yield from _pieces(c, True)
            yield " then "
            yield from _pieces(a, True)
            yield " else "
            yield from _pieces(b, True)
            yield closing
        case Fired(transitions=names):
            text = " or ".join(f"fired({n})" for n in names)
            yield text if len(names) < 2 or top else f"({text})"
        case Elapsed():
            yield "elapsed"
        case Pre(arg=a):
            yield "pre("
            yield from _pieces(a, True)
            yield ")"
        case TemporalOp(op=Temporal.HELD, args=(a,), bound=bound):
            yield "held("
            yield from _pieces(a, True)
            yield f", {bound})"
        case TemporalOp(op=op, args=(a,), bound=bound) if bound is not None:
            yield opening
            yield from _pieces(a)
            yield f" within {bound}{closing}"
        case TemporalOp(op=op, args=(a,)) if op in _TEMPORAL_PREFIX or op is Temporal.NEXT:
            yield f"{opening}{op.value} "
            yield from _pieces(a)
            yield closing
        case TemporalOp(op=op, args=(a, b)):
            yield opening
            yield from _pieces(a)
            yield f" {op.value} "
            yield from _pieces(b)
            yield closing
        case _:
            yield repr(e)


CALLS = frozenset({"min", "max", "rise", "fall", "held", "response", "recurrence", "persistence"})
"""Operators written like a function call: their parentheses and commas already delimit the operands."""


def fully_parenthesised(e: s.SExpr) -> str:
    """A parsed expression with every operand that is not an atom in parentheses: how the parser grouped it.

    The walk keeps its own stack: a requirement may chain thousands of `and`s, a syntax tree that deep.
    """
    out: list[str] = []
    todo: list[str | tuple[s.SExpr, bool]] = [(e, True)]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            out.append(item)
        else:
            todo.extend(reversed(_layout(*item)))
    return "".join(out)


_Piece = str | tuple[s.SExpr, bool]
"""Text, or an operand with whether the surrounding syntax already delimits it."""


def _layout(e: s.SExpr, top: bool) -> list[_Piece]:
    """The pieces of `e`'s grouped text; `top`: brackets, commas or `..` around `e` already delimit it."""
    match e:
        case s.Lit(value=bool(b)):
            return [str(b).lower()]
        case s.Lit(value=v):
            return [str(v)]
        case s.Name(name=name):
            return [name]
        case s.Index(name=name, index=i):
            return [f"{name}[", (i, True), "]"]
        case s.Member(path=path, name=name, index=i):
            return _path([*path, s.Segment(name, i, e.loc)])
        case s.FiredRef(path=path, name=name, index=i):
            return ["fired(", *_path([*path, s.Segment(name, i, e.loc)]), ")"]
        case s.Apply(op=op, args=args) if op in CALLS:
            pieces: list[_Piece] = [f"{op}("]
            for n, arg in enumerate(args):
                pieces += [", ", (arg, True)] if n else [(arg, True)]
            return [*pieces, ")"]
        case s.Apply(op="neg", args=(a,)):
            pieces = ["-", (a, False)]
        case s.Apply(op=op, args=(a,)):
            pieces = [f"{op} ", (a, False)]
        case s.Apply(op="if", args=(c, a, b)):
            pieces = ["if ", (c, False), " then ", (a, False), " else ", (b, False)]
        case s.Apply(op=op, args=(a, b)):
            pieces = [(a, False), f" {op} ", (b, False)]
        case s.Quant(kind=kind, param=p, body=body):
            pieces = [f"{kind} {p.name} in ", (p.lo, True), "..", (p.hi, True), ": ", (body, False)]
        case _:
            raise AssertionError(e)
    return pieces if top else ["(", *pieces, ")"]


def _path(segments: list[s.Segment]) -> list[_Piece]:
    """`detector[1].armed`: the segments joined by dots, each with its index."""
    pieces: list[_Piece] = []
    for n, seg in enumerate(segments):
        pieces.append(f".{seg.name}" if n else seg.name)
        if seg.index is not None:
            pieces += ["[", (seg.index, True), "]"]
    return pieces
