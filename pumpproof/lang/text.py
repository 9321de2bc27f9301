"""Expressions printed back in the surface syntax of .pump and .req files.

IR expressions for findings, mutant names and messages; parsed formulas fully parenthesised, so that a
reader sees how the parser grouped a requirement (and the text parses back to the same syntax).
"""

from __future__ import annotations

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


CALLS = frozenset({"min", "max", "rise", "fall", "response", "recurrence", "persistence"})
"""Operators written like a function call: their parentheses and commas already delimit the operands."""


def fully_parenthesised(e: s.SExpr) -> str:
    """A parsed expression with every operand that is not an atom in parentheses: how the parser grouped it."""
    return _grouped(e, top=True)


def _grouped(e: s.SExpr, top: bool = False) -> str:
    # top: the surrounding syntax (brackets, commas, `..`) already delimits e
    match e:
        case s.Lit(value=bool(b)):
            return str(b).lower()
        case s.Lit(value=v):
            return str(v)
        case s.Name(name=name):
            return name
        case s.Index(name=name, index=i):
            return f"{name}[{_grouped(i, True)}]"
        case s.FiredRef(name=name, index=i):
            return f"fired({name})" if i is None else f"fired({name}[{_grouped(i, True)}])"
        case s.Apply(op=op, args=args) if op in CALLS:
            return f"{op}({', '.join(_grouped(a, True) for a in args)})"
        case s.Apply(op="neg", args=(a,)):
            text = f"-{_grouped(a)}"
        case s.Apply(op=op, args=(a,)):
            text = f"{op} {_grouped(a)}"
        case s.Apply(op="if", args=(c, a, b)):
            text = f"if {_grouped(c)} then {_grouped(a)} else {_grouped(b)}"
        case s.Apply(op=op, args=(a, b)):
            text = f"{_grouped(a)} {op} {_grouped(b)}"
        case s.Quant(kind=kind, param=p, body=body):
            text = f"{kind} {p.name} in {_grouped(p.lo, True)}..{_grouped(p.hi, True)}: {_grouped(body)}"
        case _:
            raise AssertionError(e)
    return text if top else f"({text})"
