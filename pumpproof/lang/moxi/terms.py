"""MoXI terms to typed IR expressions: the linear-arithmetic operators over Int and Real, `let`, names resolved in
a scope, primes read as next values.

A primed name `x'` reads the next value of x, which the translation holds in an input named `x'` (see
`next_name`); where a formula may not read next values, a prime is an error that says so. Sorts are checked as
SMT-LIB checks them: Int and Real do not mix without `to_real`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction

from pumpproof.lang.ir import (
    BOOL,
    MAX_INT,
    NUM,
    REAL,
    Binary,
    BoolType,
    Const,
    Expr,
    Ite,
    Op,
    Type,
    Unary,
    VarRef,
    balanced,
)
from pumpproof.lang.location import Location
from pumpproof.lang.moxi.commands import fail, sort_name, unsupported
from pumpproof.lang.moxi.sexpr import Atom, AtomKind, SExpr, SList, shown

OPERATORS = "and or not => xor = distinct ite + - * / to_real < <= > >= let"
UNSUPPORTED = {
    "forall": "quantifiers",
    "exists": "quantifiers",
    "!": "annotations",
    "as": "qualified terms",
    "_": "indexed identifiers",
    "match": "match",
    "div": "integer division",
    "mod": "integer remainder",
    "abs": "abs",
    "to_int": "conversions to Int",
    "is_int": "is_int",
}


def next_name(name: str) -> str:
    """The input holding the next value of state variable `name` (no declared name has a prime)."""
    return f"{name}'"


@dataclass(frozen=True)
class Scope:
    """The names a formula may read (MoXI name to flat name and type), and whether it may read next values.

    `primes` is None when it may, else the reason it may not (completes "x' cannot be read here: ...").
    `bound` holds the names `let` binds around the formula, which hide variables of the same name.
    """

    names: Mapping[str, tuple[str, Type]]
    what: str
    primes: str | None = None
    bound: Mapping[str, Expr] = field(default_factory=dict)


def formula(e: SExpr, scope: Scope) -> Expr:
    """`e` as a Boolean IR expression (ModelError when it is not one, located at `e`)."""
    out = term(e, scope)
    if not isinstance(out.type, BoolType):
        raise fail(f"{scope.what} must be Bool, found an Int term", e)
    return out


def term(e: SExpr, scope: Scope) -> Expr:
    """`e` as an IR expression of type Bool or Int."""
    if isinstance(e, Atom):
        return _atom(e, scope)
    if not e.items:
        raise fail("an empty list is not a term", e)
    head = e.items[0]
    if not (isinstance(head, Atom) and head.kind is AtomKind.SYMBOL):
        raise unsupported(f"{shown(head)} cannot start a term", head, f"terms apply an operator: {OPERATORS}")
    if head.text == "let":
        return _let(head, e.items[1:], scope)
    build = _OPERATORS.get(head.text)
    if build is None:
        raise _unknown_operator(head, scope)
    return build(head, e.items[1:], tuple(term(a, scope) for a in e.items[1:]))


def _atom(e: Atom, scope: Scope) -> Expr:
    if e.kind is AtomKind.NUMERAL:
        value = int(e.text) if len(e.text) <= len(str(MAX_INT)) else MAX_INT + 1
        if value > MAX_INT:
            raise unsupported("this integer constant is too large", e, f"integer constants are at most {MAX_INT}")
        return Const(value, NUM, e.loc)
    if e.kind is AtomKind.LITERAL and e.text[0].isdigit():
        return Const(Fraction(e.text), REAL, e.loc)
    if e.kind is AtomKind.LITERAL:
        what = "bit-vector" if e.text.startswith("#") else "string"
        raise unsupported(f"{what} literals are not supported ({e.text})", e, "numerals and decimals only")
    if e.kind is AtomKind.KEYWORD:
        raise fail(f"expected a term, found the attribute {e.text}", e, "is a ')' missing before it?")
    if e.text in ("true", "false"):
        return Const(e.text == "true", BOOL, e.loc)
    if e.text in scope.bound:
        return scope.bound[e.text]
    found = scope.names.get(e.base)
    if found is None:
        close = difflib.get_close_matches(e.base, list(scope.names), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "formulas read the variables of :input, :output and :local"
        raise fail(f"unknown name '{e.base}' in {scope.what}", e, hint)
    name, typ = found
    if not e.primed:
        return VarRef(name, typ, e.loc)
    if scope.primes is not None:
        raise fail(f"{e.text} (the next value of {e.base}) cannot be read in {scope.what}", e, scope.primes)
    return VarRef(next_name(name), typ, e.loc)


def _unknown_operator(head: Atom, scope: Scope) -> Exception:
    if head.text in UNSUPPORTED:
        return unsupported(
            f"{UNSUPPORTED[head.text]} ('{head.text}') are not supported", head, f"supported: {OPERATORS}"
        )
    if head.base in scope.names:
        return fail(f"'{head.text}' is a variable, not a function", head, f"write {head.text} without parentheses")
    return unsupported(f"unknown function '{head.text}'", head, f"supported operators: {OPERATORS}")


Builder = Callable[[Atom, tuple[SExpr, ...], tuple[Expr, ...]], Expr]


def _arity(head: Atom, args: tuple[Expr, ...], least: int, most: int | None = None) -> None:
    if len(args) < least or (most is not None and len(args) > most):
        count = f"{least}" if most == least else f"at least {least}" if most is None else f"{least} to {most}"
        raise fail(f"'{head.text}' takes {count} argument(s), given {len(args)}", head)


def _sorts(
    head: Atom, syntax: tuple[SExpr, ...], args: tuple[Expr, ...], want: Type | None, numeric: bool = False
) -> Type:
    """The sort all `args` share (`want` when given; Int or Real when `numeric`); ModelError at the first
    argument of another (SMT-LIB does not mix Int and Real: `to_real` converts)."""
    expected = want or args[0].type
    if numeric and expected not in (NUM, REAL):
        raise fail(f"the arguments of '{head.text}' must be Int or Real, this one is Bool", syntax[0])
    for a, s in zip(args, syntax, strict=True):
        if a.type != expected:
            name, found = sort_name(expected), sort_name(a.type)
            hint = "write (to_real x) for an Int x among Reals" if {name, found} == {"Int", "Real"} else None
            raise fail(f"the arguments of '{head.text}' must be {name}, this one is {found}", s, hint)
    return expected


def _connective(op: Op, least: int = 1) -> Builder:
    def build(head: Atom, syntax: tuple[SExpr, ...], args: tuple[Expr, ...]) -> Expr:
        _arity(head, args, least)
        _sorts(head, syntax, args, BOOL)
        if op in (Op.AND, Op.OR):
            return balanced(args, lambda a, b: Binary(op, a, b, BOOL, head.loc))
        if op is Op.IMPLIES:  # right-associative
            out = args[-1]
            for a in reversed(args[:-1]):
                out = Binary(Op.IMPLIES, a, out, BOOL, head.loc)
            return out
        return _left(op, args, BOOL, head.loc)

    return build


def _not(head: Atom, syntax: tuple[SExpr, ...], args: tuple[Expr, ...]) -> Expr:
    _arity(head, args, 1, 1)
    _sorts(head, syntax, args, BOOL)
    return Unary(Op.NOT, args[0], BOOL, head.loc)


def _to_real(head: Atom, syntax: tuple[SExpr, ...], args: tuple[Expr, ...]) -> Expr:
    _arity(head, args, 1, 1)
    _sorts(head, syntax, args, NUM)
    a = args[0]
    return Const(Fraction(a.value), REAL, head.loc) if isinstance(a, Const) else Unary(Op.TO_REAL, a, REAL, head.loc)


def _chain(op: Op | None, numeric: bool) -> Builder:
    """`=` and the comparisons are chainable: (< a b c) is a < b and b < c; `distinct` compares every pair."""

    def build(head: Atom, syntax: tuple[SExpr, ...], args: tuple[Expr, ...]) -> Expr:
        _arity(head, args, 2)
        _sorts(head, syntax, args, None, numeric)
        if op is None:
            pairs = [(a, b) for i, a in enumerate(args) for b in args[i + 1 :]]
            parts = [Binary(Op.NE, a, b, BOOL, head.loc) for a, b in pairs]
        else:
            parts = [Binary(op, a, b, BOOL, head.loc) for a, b in zip(args, args[1:], strict=False)]
        return balanced(parts, lambda a, b: Binary(Op.AND, a, b, BOOL, head.loc))

    return build


def _ite(head: Atom, syntax: tuple[SExpr, ...], args: tuple[Expr, ...]) -> Expr:
    _arity(head, args, 3, 3)
    _sorts(head, syntax[:1], args[:1], BOOL)
    typ = _sorts(head, syntax[1:], args[1:], None)
    return Ite(args[0], args[1], args[2], typ, head.loc)


def _sum(op: Op) -> Builder:
    def build(head: Atom, syntax: tuple[SExpr, ...], args: tuple[Expr, ...]) -> Expr:
        _arity(head, args, 1)
        typ = _sorts(head, syntax, args, None, numeric=True)
        if op is Op.SUB and len(args) == 1:
            a = args[0]
            return Const(-_number(a), typ, head.loc) if isinstance(a, Const) else Unary(Op.NEG, a, typ, head.loc)
        return _left(op, args, typ, head.loc)

    return build


def _product(head: Atom, syntax: tuple[SExpr, ...], args: tuple[Expr, ...]) -> Expr:
    _arity(head, args, 1)
    typ = _sorts(head, syntax, args, None, numeric=True)
    variable = [s for a, s in zip(args, syntax, strict=True) if not isinstance(a, Const)]
    if len(variable) > 1:
        hint = "linear arithmetic: at most one factor of a product may be other than a constant"
        raise unsupported("a product of two non-constant terms is not linear", variable[1], hint)
    return _left(Op.MUL, args, typ, head.loc)


def _quotient(head: Atom, syntax: tuple[SExpr, ...], args: tuple[Expr, ...]) -> Expr:
    """Real division by constants: (/ x 2.0) is x times 1/2, so it stays linear (and exact)."""
    _arity(head, args, 2)
    _sorts(head, syntax, args, REAL)
    out = args[0]
    for a, s in zip(args[1:], syntax[1:], strict=True):
        if not isinstance(a, Const):
            hint = "linear arithmetic: divide by a constant only"
            raise unsupported("a division by a non-constant term is not linear", s, hint)
        if a.value == 0:
            raise fail("a division by zero", s)
        inverse = 1 / Fraction(_number(a))
        value = _number(out) * inverse if isinstance(out, Const) else None
        out = Const(value, REAL, head.loc) if value is not None else Binary(Op.MUL, out, Const(inverse, REAL), REAL)
    return out


def _let(head: Atom, rest: tuple[SExpr, ...], scope: Scope) -> Expr:
    """`(let ((n1 t1) ...) body)`: the terms read the outer scope (SMT-LIB's let binds in parallel), the body
    reads the names bound; each bound term is built once and shared where the body reads it."""
    if len(rest) != 2 or not isinstance(rest[0], SList):
        raise fail("let takes a list of bindings and a term", head, "for example (let ((a (+ x 1))) (> a y))")
    bound: dict[str, Expr] = {}
    for pair in rest[0].items:
        name, value = _binding(pair)
        if name.text in bound:
            raise fail(f"the let binds {name.text} twice", name, "bind each name once")
        bound[name.text] = term(value, scope)
    return term(rest[1], replace(scope, bound={**scope.bound, **bound}))


def _number(c: Const) -> int | Fraction:
    """The value of a numeric constant (the sort check has made sure it is one)."""
    assert isinstance(c.value, int | Fraction) and not isinstance(c.value, bool)
    return c.value


def _binding(pair: SExpr) -> tuple[Atom, SExpr]:
    """One `(name term)` of a let."""
    if isinstance(pair, SList) and len(pair.items) == 2:
        name, value = pair.items
        if isinstance(name, Atom) and name.kind is AtomKind.SYMBOL and not name.primed:
            return name, value
    raise fail(f"expected a binding (name term), found {shown(pair)}", pair, "for example (a (+ x 1))")


def _left(op: Op, args: tuple[Expr, ...], typ: Type, loc: Location) -> Expr:
    out = args[0]
    for a in args[1:]:
        out = Binary(op, out, a, typ, loc)
    return out


_OPERATORS: dict[str, Builder] = {
    "not": _not,
    "and": _connective(Op.AND),
    "or": _connective(Op.OR),
    "=>": _connective(Op.IMPLIES, 2),
    "xor": _connective(Op.NE, 2),
    "=": _chain(Op.EQ, numeric=False),
    "distinct": _chain(None, numeric=False),
    "<": _chain(Op.LT, numeric=True),
    "<=": _chain(Op.LE, numeric=True),
    ">": _chain(Op.GT, numeric=True),
    ">=": _chain(Op.GE, numeric=True),
    "ite": _ite,
    "+": _sum(Op.ADD),
    "-": _sum(Op.SUB),
    "*": _product,
    "/": _quotient,
    "to_real": _to_real,
}
