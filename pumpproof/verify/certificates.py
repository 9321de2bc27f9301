"""Proof certificates: invariants as SMT-LIB terms, their proof obligations, and an independent re-check.

An engine's PROVED is accepted only after its invariant passes the obligations below in a fresh
solver that parses them from text, sharing nothing with the engine's solver state. The same
SMT-LIB scripts can be handed to any other SMT solver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import z3

from pumpproof.errors import InternalError
from pumpproof.lang.ir import STUTTER, EnumType, IntType
from pumpproof.verify.encoding import FIRED, INIT_INDEX, Encoding, Renaming
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Certificate, CertificateKind


def certificate(enc: Encoding, invariant: z3.BoolRef, kind: CertificateKind, k: int) -> Certificate:
    """Package an invariant over the frame variables `enc.cur` as a certificate."""
    return Certificate(kind, k, invariant.sexpr(), render(enc, invariant))


@dataclass(frozen=True)
class Obligation:
    """One proof obligation as a self-contained SMT-LIB 2 script that must answer `unsat`."""

    name: str
    script: str


def obligations(problem: SafetyProblem, cert: Certificate) -> list[Obligation]:
    """The obligations that make `cert` a proof of `problem`: initiation, consecution, safety."""
    enc = Encoding(problem)
    k = max(cert.k, 1)
    # Every frame is renamed `name@j`: the `@` also makes Z3 print each name quoted (`|x'@0|`), which a MoXI
    # name such as `x'` would not be, and the script must parse again.
    frames = [_frame(enc, j) for j in range(k + 1)]
    at = [_at(enc, f) for f in frames]
    invariant = parse_invariant(enc, cert.invariant_smt2)
    inv = [rename(invariant) for rename in at]
    trans = [_step(enc, frames[j - 1], frames[j])(enc.trans) for j in range(1, k + 1)]
    init = at[0](enc.init)
    out = []
    # Initiation: the first k states of every run satisfy the invariant.
    for j in range(k):
        out.append(Obligation(f"initiation[{j}]", _script([init, *trans[:j], z3.Not(inv[j])])))
    # Consecution: k consecutive invariant states (each a legal state) force the next one.
    legal = [rename(enc.state_constraint(enc.cur)) for rename in at[:k]]
    out.append(Obligation("consecution", _script([*legal, *inv[:k], *trans, z3.Not(inv[k])])))
    out.append(Obligation("safety", _script([inv[0], at[0](enc.bad)])))
    return out


RECHECK_S = 60.0
"""Seconds each obligation's re-check may take by default: most take milliseconds."""


class Undecided(Exception):
    """The re-check could not decide an obligation (the solver answered unknown, or ran out of time): the proof is
    neither confirmed nor refuted, so it must not be shown as PROVED."""


def recheck(problem: SafetyProblem, cert: Certificate, timeout_s: float = RECHECK_S) -> None:
    """Re-check every obligation with a fresh Z3 solver from its SMT-LIB text, each within `timeout_s`:
    InternalError if one fails (`sat`: the engine was wrong), Undecided if the solver cannot tell."""
    for ob in obligations(problem, cert):
        solver = z3.Solver()
        solver.set("timeout", max(1, int(timeout_s * 1000)))
        solver.from_string(ob.script)
        answer = solver.check()
        if answer == z3.unknown:
            why = solver.reason_unknown()
            raise Undecided(f"obligation '{ob.name}' of the proof is undecided by its re-check ({why})")
        if answer != z3.unsat:
            raise InternalError(f"{problem.name}: certificate obligation '{ob.name}' does not hold ({answer})")


def parse_invariant(enc: Encoding, smt2: str) -> z3.BoolRef:
    """Parse an invariant term over the frame variables."""
    decls = {name: c.decl() for name, c in enc.cur.items()}
    try:
        parsed = z3.parse_smt2_string(f"(assert {smt2})", decls=decls)
    except z3.Z3Exception as err:
        raise InternalError(f"certificate does not parse: {err}") from None
    return z3.And(list(parsed))


def _frame(enc: Encoding, j: int) -> dict[str, z3.ExprRef]:
    return {n: z3.Const(f"{n}@{j}", c.sort()) for n, c in enc.cur.items()}


def _at(enc: Encoding, frame: Mapping[str, z3.ExprRef]) -> Renaming:
    """Formulas over `enc.cur` moved to `frame`."""
    return Renaming([(enc.cur[n], t) for n, t in frame.items()])


def _step(enc: Encoding, a: Mapping[str, z3.ExprRef], b: Mapping[str, z3.ExprRef]) -> Renaming:
    """The step relation moved from (V, V') to the frames (a, b)."""
    return Renaming([(enc.cur[n], t) for n, t in a.items()] + [(enc.nxt[n], t) for n, t in b.items()])


def _script(assertions: list[z3.ExprRef]) -> str:
    solver = z3.Solver()
    solver.add(*assertions)
    return "(set-logic ALL)\n" + solver.to_smt2()


# ---------------------------------------------------------------- human-readable invariants


def render(enc: Encoding, formula: z3.ExprRef) -> str:
    """The invariant in model syntax: enum values by name, `fired(t)` for the step index, one conjunct per line."""
    conjuncts = formula.children() if z3.is_and(formula) else [formula]
    return "\n".join(_text(enc, c, top=True) for c in conjuncts) or "true"


_INFIX = {z3.Z3_OP_LE: "<=", z3.Z3_OP_GE: ">=", z3.Z3_OP_LT: "<", z3.Z3_OP_GT: ">", z3.Z3_OP_EQ: "=="}
_ARITH = {z3.Z3_OP_ADD: " + ", z3.Z3_OP_SUB: " - ", z3.Z3_OP_MUL: "*"}


def _text(enc: Encoding, e: z3.ExprRef, top: bool = False) -> str:
    kind = e.decl().kind() if z3.is_app(e) else None
    kids = e.children()
    wrap = (lambda s: s) if top else (lambda s: f"({s})")
    if z3.is_true(e) or z3.is_false(e):
        return str(z3.is_true(e)).lower()
    if z3.is_int_value(e) or z3.is_rational_value(e):
        return str(e)
    if z3.is_const(e):
        return e.decl().name()
    if kind == z3.Z3_OP_NOT:
        return f"not {_text(enc, kids[0])}"
    if kind in (z3.Z3_OP_AND, z3.Z3_OP_OR):
        op = " and " if kind == z3.Z3_OP_AND else " or "
        return wrap(op.join(_text(enc, k) for k in kids))
    if kind == z3.Z3_OP_IMPLIES:
        return wrap(f"{_text(enc, kids[0])} -> {_text(enc, kids[1])}")
    if kind == z3.Z3_OP_ITE:
        return wrap(f"if {_text(enc, kids[0])} then {_text(enc, kids[1])} else {_text(enc, kids[2])}")
    if kind == z3.Z3_OP_TO_REAL:
        return _text(enc, kids[0], top)
    if kind is not None and kind in _INFIX and len(kids) == 2:
        named = _enum_comparison(enc, kind, kids[0], kids[1])
        if named is not None:
            return named
        return wrap(f"{_text(enc, kids[0])} {_INFIX[kind]} {_text(enc, kids[1])}")
    if kind in _ARITH:
        return wrap(_ARITH[kind].join(_text(enc, k) for k in kids))
    if kind == z3.Z3_OP_UMINUS:
        return f"-{_text(enc, kids[0])}"
    return str(e)


def _enum_comparison(enc: Encoding, kind: int, a: z3.ExprRef, b: z3.ExprRef) -> str | None:
    """`mode >= 2` as `mode in {Alarm}`, `__tr == 3` as `fired(run_stop)`: integers back to names."""
    if not (z3.is_const(a) and z3.is_int_value(b)):
        if z3.is_const(b) and z3.is_int_value(a):
            flipped = {z3.Z3_OP_LE: z3.Z3_OP_GE, z3.Z3_OP_GE: z3.Z3_OP_LE, z3.Z3_OP_LT: z3.Z3_OP_GT}
            return _enum_comparison(enc, flipped.get(kind, kind), b, a)
        return None
    name, k = a.decl().name(), b.as_long()
    tests = {
        z3.Z3_OP_LE: lambda i: i <= k,
        z3.Z3_OP_GE: lambda i: i >= k,
        z3.Z3_OP_LT: lambda i: i < k,
        z3.Z3_OP_GT: lambda i: i > k,
        z3.Z3_OP_EQ: lambda i: i == k,
    }
    types = {f.name: f.type for f in enc.frame}
    if name == FIRED:
        domain = types[FIRED]
        assert isinstance(domain, IntType)
        steps = range(domain.lo, len(enc.transitions))
        names = ["initial" if i == INIT_INDEX else enc.transition_name(i) for i in steps if tests[kind](i)]
        shown = [n if n in ("initial", STUTTER) else f"fired({n})" for n in names if n is not None]
        return "(" + " or ".join(shown) + ")" if len(shown) != 1 else shown[0]
    t = types.get(name)
    if not isinstance(t, EnumType):
        return None
    values = [v for i, v in enumerate(t.values) if tests[kind](i)]
    if len(values) == 1:
        return f"{name} == {values[0]}"
    return f"{name} in {{{', '.join(values)}}}"
