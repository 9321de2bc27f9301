"""k-induction (Sheeran, Singh, Stalmarck 2000) strengthened with Houdini lemmas.

Lemmas are mined first (see `houdini`); then for k = 1, 2, ...: the base case asks BMC for a
violation within k steps, the step case asks whether k consecutive good lemma-states can be
followed by a bad one. With lemmas most alarm-logic requirements are 1-inductive, which gives an
ordinary inductive invariant as the certificate. If the step case keeps failing, the lemmas are
handed to Spacer, which then only has to find what the templates missed.
"""

from __future__ import annotations

import time
from functools import partial

import z3

from pumpproof.verify.budget import Budget
from pumpproof.verify.certificates import certificate
from pumpproof.verify.encoding import Encoding
from pumpproof.verify.engines import ic3, symmetry
from pumpproof.verify.engines.houdini import candidates, filter_inductive
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import CertificateKind, Proved, Result, Search, Unknown, Violated
from pumpproof.verify.unroll import Unrolling

NAME = "kind"
MAX_K = 6


def check(problem: SafetyProblem, budget: Budget) -> Result:
    """Prove by k-induction with mined lemmas (the problem's hints alone first, then the lemmas of one channel
    renamed to the others); fall back to Spacer with the lemmas; never refute beyond k."""
    start = time.time()
    enc = Encoding(problem)
    hints = [enc.expr(h, enc.cur) for h in problem.hints]
    if hints and (invariant := _closes(enc, filter_inductive(enc, hints, budget), budget)) is not None:
        return Proved(NAME, time.time() - start, certificate(enc, invariant, CertificateKind.INDUCTIVE, 1))
    cands = [*hints, *candidates(enc)]
    if (invariant := _closes(enc, symmetry.lemmas(enc, cands, budget), budget)) is not None:
        return Proved(NAME, time.time() - start, certificate(enc, invariant, CertificateKind.INDUCTIVE, 1))
    mined = filter_inductive(enc, cands, budget)
    if mined is None:
        return Unknown(NAME, time.time() - start, "timeout while mining lemmas")
    lemmas = z3.And(mined)
    unroll = Unrolling(enc)
    base = z3.Solver()
    base.add(unroll.init(0))
    for k in range(1, MAX_K + 1):
        # Base case: no violation in steps 0..k-1.
        base.set("timeout", budget.remaining_ms())
        answer = base.check(unroll.bad(k - 1))
        if answer == z3.sat:
            trace = unroll.trace(base.model(), k)
            return Violated(NAME, time.time() - start, trace)
        if answer == z3.unknown:
            return Unknown(NAME, time.time() - start, "timeout in the base case", k - 1, Search.INDUCTION)
        base.add(z3.Not(unroll.bad(k - 1)), unroll.trans(k))
        if _step_holds(enc, unroll, lemmas, k, budget):
            invariant = z3.And(z3.Not(enc.bad), *(_needed(enc, mined) if k == 1 else mined))
            kind = CertificateKind.INDUCTIVE if k == 1 else CertificateKind.K_INDUCTIVE
            return Proved(NAME, time.time() - start, certificate(enc, invariant, kind, k))
        if budget.expired():
            return Unknown(NAME, time.time() - start, "timeout in the induction step", k, Search.INDUCTION)
    result = ic3.check(problem, budget, lemmas)
    engine = f"{NAME}+{ic3.NAME}"
    match result:
        case Proved():
            return Proved(engine, time.time() - start, result.certificate)
        case Violated():
            return Violated(engine, time.time() - start, result.trace)
    reason = f"not {MAX_K}-inductive with {len(mined)} lemmas; {result.reason}"
    return Unknown(NAME, time.time() - start, reason, MAX_K, Search.INDUCTION)


def _closes(enc: Encoding, lemmas: list[z3.BoolRef] | None, budget: Budget) -> z3.BoolRef | None:
    """An inductive invariant made of the requirement and `lemmas` (inductive themselves: the problem's hints
    that are, or those renamed between identical channels), if that is one; None if not, or without lemmas."""
    if lemmas is None:
        return None
    unroll = Unrolling(enc)
    base = z3.Solver()
    base.set("timeout", budget.remaining_ms())
    base.add(unroll.init(0), unroll.bad(0))
    if base.check() != z3.unsat or not _step_holds(enc, unroll, z3.And(lemmas), 1, budget):
        return None
    guessed = symmetry.needed(enc, lemmas, partial(_needed, enc))
    return z3.And(z3.Not(enc.bad), *(_needed(enc, lemmas) if guessed is None else guessed))


def _needed(enc: Encoding, lemmas: list[z3.BoolRef], bad: z3.BoolRef | None = None) -> list[z3.BoolRef]:
    """A subset of `lemmas` that, with the requirement (or never `bad`), is still inductive: unsat cores to a
    fixpoint.

    Keeps certificates short enough for a reviewer to read; falls back to all lemmas if a core
    alone is not inductive.
    """
    keep = list(lemmas)
    while True:
        good = [z3.Not(enc.bad if bad is None else bad), *keep]
        flags = [z3.Bool(f"__lemma{i}") for i in range(len(good))]
        solver = z3.Solver()
        solver.add(enc.trans, enc.state_constraint(enc.cur))
        solver.add(*[z3.Implies(f, g) for f, g in zip(flags, good, strict=False)])
        primed = [enc.priming(g) for g in good]
        solver.add(z3.Not(z3.And(primed)))
        if solver.check(flags) != z3.unsat:
            return list(lemmas)
        core = {f.get_id() for f in solver.unsat_core()}  # by id: printing thousands of flags took seconds
        smaller = [g for f, g in zip(flags[1:], keep, strict=False) if f.get_id() in core]
        if len(smaller) == len(keep):
            return keep
        keep = smaller


def _step_holds(enc: Encoding, unroll: Unrolling, lemmas: z3.BoolRef, k: int, budget: Budget) -> bool:
    """Do k consecutive good states satisfying the lemmas always lead to a good state?"""
    solver = z3.Solver()
    for j in range(k + 1):
        solver.add(unroll.at(lemmas, j))
        solver.add(unroll.state_constraint(j))
        if j > 0:
            solver.add(unroll.trans(j))
        solver.add(unroll.bad(j) if j == k else z3.Not(unroll.bad(j)))
    solver.set("timeout", budget.remaining_ms())
    return solver.check() == z3.unsat
