"""IR expressions printed back in the surface syntax of .pump and .req files (for findings, mutant names, messages)."""

from __future__ import annotations

from collections.abc import Iterator

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
