"""IC3/PDR (Bradley 2011; Een, Mishchenko, Brayton 2011) through Z3's Spacer engine for constrained Horn clauses.

The problem is posed as three clauses over one predicate Inv(V): Init(V) -> Inv(V);
Inv(V) & Trans(V, V') -> Inv(V'); Inv(V) & Bad(V) -> false. A solution of Inv is an inductive
invariant, which becomes the certificate. When Spacer refutes the clauses, the length of its
derivation is taken as a depth hint and BMC recovers a shortest concrete trace up to that depth;
Spacer may inline clauses, so when the hint is too shallow BMC searches on without it.
"""

from __future__ import annotations

import time

import z3

from pumpproof.verify.budget import Budget
from pumpproof.verify.certificates import certificate
from pumpproof.verify.encoding import Encoding
from pumpproof.verify.engines import bmc
from pumpproof.verify.engines.bmc import shortest_violation
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import CertificateKind, Proved, Result, Unknown, Violated

NAME = "ic3"
RANDOM_SEED = 0
"""Spacer's random seed, fixed: the same question gets the same invariant (recorded by `sweep` with each task)."""


def interpretation(answer: z3.ExprRef, frame: list[z3.ExprRef]) -> z3.BoolRef:
    """The solution of Inv from Spacer's answer `ForAll(xs, Inv(xs) == body)`, over the frame constants.

    Not `get_cover_delta`: that reports the predicate after Spacer's preprocessing, which may have
    sliced away arguments (regression: tests/verify/test_engines.py::test_regression_sliced_cover).
    """
    body = answer.body() if z3.is_quantifier(answer) else answer
    if z3.is_true(body) or z3.is_false(body):
        return body
    head, solution = body.arg(0), body.arg(1)
    if not (z3.is_app(head) and head.decl().name() == "Inv"):
        head, solution = solution, head
    by_index = {z3.get_var_index(a): frame[i] for i, a in enumerate(head.children()) if z3.is_var(a)}
    return z3.substitute_vars(solution, *[by_index[j] for j in range(len(by_index))])


def _without_quantifiers(body: z3.BoolRef) -> z3.BoolRef:
    """Spacer's solution with the quantifiers it may leave in (an `exists` over the inputs, where it projected
    them away) eliminated: re-checking a quantified invariant was seen to take minutes, or give up, where the
    equivalent quantifier-free one takes milliseconds (tick_detector K=4: whether a run stops)."""
    if not _quantified(body):
        return body
    goals = z3.Tactic("qe")(body)
    eliminated = z3.simplify(goals.as_expr())
    return body if _quantified(eliminated) else eliminated


def _quantified(e: z3.ExprRef) -> bool:
    """Whether `e` contains a quantifier (its DAG walked once, each shared subterm visited once)."""
    seen: set[int] = set()
    pending = [e]
    while pending:
        n = pending.pop()
        if z3.is_quantifier(n):
            return True
        if n.get_id() not in seen:
            seen.add(n.get_id())
            pending += n.children()
    return False


def check(problem: SafetyProblem, budget: Budget, lemmas: z3.BoolRef | None = None) -> Result:
    """Run Spacer; `lemmas` (proved invariants over the frame, e.g. from Houdini) may strengthen the clauses."""
    start = time.time()
    enc = Encoding(problem)
    cur = list(enc.cur.values())
    nxt = list(enc.nxt.values())
    inv = z3.Function("Inv", *[v.sort() for v in cur], z3.BoolSort())
    fp = z3.Fixedpoint()
    fp.set(engine="spacer", timeout=budget.remaining_ms())
    fp.set("spacer.random_seed", RANDOM_SEED)
    fp.register_relation(inv)
    fp.declare_var(*cur, *nxt)
    step = [inv(*cur), enc.trans]
    if lemmas is not None:
        step += [lemmas, z3.substitute(lemmas, list(zip(cur, nxt, strict=False)))]
    fp.rule(inv(*cur), enc.init)
    fp.rule(inv(*nxt), step)
    try:
        answer = fp.query(z3.And(inv(*cur), enc.bad))
    except z3.Z3Exception as err:  # Spacer reports its timeout as an exception ("canceled")
        return Unknown(
            NAME, time.time() - start, f"spacer: {err.value.decode() if isinstance(err.value, bytes) else err}"
        )
    if answer == z3.unsat:
        body = _without_quantifiers(interpretation(fp.get_answer(), cur))
        if lemmas is not None:
            body = z3.And(body, lemmas)
        return Proved(NAME, time.time() - start, certificate(enc, z3.simplify(body), CertificateKind.INDUCTIVE, 1))
    if answer == z3.sat:
        hint = max(len(fp.get_rules_along_trace()) - 2, 0)
        trace = shortest_violation(problem, hint, budget)
        if trace is not None:
            return Violated(NAME, time.time() - start, trace)
        found = bmc.check(problem, budget)
        if isinstance(found, Violated):
            return Violated(NAME, time.time() - start, found.trace)
    reason = fp.reason_unknown() if answer == z3.unknown else "counterexample not recovered in time"
    return Unknown(NAME, time.time() - start, f"spacer: {reason}")
