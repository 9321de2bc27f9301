"""IR expressions printed back in the surface syntax of .pump and .req files (for findings, mutant names, messages)."""

from __future__ import annotations

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


def expr_text(e: Expr) -> str:
    """An IR expression in the surface syntax (fully parenthesised below the top), for findings and mutant names."""
    return _text(e, top=True)


def _text(e: Expr, top: bool = False) -> str:
    def wrap(s: str) -> str:
        return s if top else f"({s})"

    match e:
        case Const(value=v):
            return str(v).lower() if isinstance(v, bool) else str(v)
        case VarRef(name=name):
            return name
        case Unary(op=Op.NOT, arg=a):
            return wrap(f"not {_text(a)}")
        case Unary(op=Op.NEG, arg=a):
            return f"-{_text(a)}"
        case Binary(op=Op.MIN | Op.MAX as op, left=a, right=b):
            return f"{op.value}({_text(a, True)}, {_text(b, True)})"
        case Binary(op=op, left=a, right=b):
            return wrap(f"{_text(a)} {op.value} {_text(b)}")
        case Ite(cond=c, then=a, orelse=b):
            return wrap(f"if {_text(c, True)} then {_text(a, True)} else {_text(b, True)}")
        case Fired(transitions=names):
            return " or ".join(f"fired({n})" for n in names) if len(names) < 2 or top else wrap(_text(e, True))
        case Elapsed():
            return "elapsed"
        case Pre(arg=a):
            return f"pre({_text(a, True)})"
        case TemporalOp(op=op, args=(a,), bound=bound) if bound is not None:
            return wrap(f"{_text(a)} within {bound}")
        case TemporalOp(op=op, args=(a,)) if op in _TEMPORAL_PREFIX or op is Temporal.NEXT:
            return wrap(f"{op.value} {_text(a)}")
        case TemporalOp(op=op, args=(a, b)):
            return wrap(f"{_text(a)} {op.value} {_text(b)}")
    return repr(e)
