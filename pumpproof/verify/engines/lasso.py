"""The bounded lasso search for liveness counterexamples (verify.lasso_replay confirms what it finds).

A lasso is a finite trace s0..sk whose last frame equals the frame at `loop_start` l (same state,
inputs, monitors and transition taken; a clock may differ only where both values exceed the clock's
ceiling, the largest value it is compared with anywhere in the problem, above which no guard,
invariant or formula tells them apart). The infinite run is s0..sk followed by s(l+1)..sk forever.
"""

from __future__ import annotations

import time
from dataclasses import replace

import z3

from pumpproof.lang.ir import (
    ClockType,
)
from pumpproof.verify.budget import Budget
from pumpproof.verify.encoding import ELAPSED, Encoding
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.results import Result, Search, Unknown, Violated
from pumpproof.verify.unroll import Unrolling

NAME = "lasso"


def check(problem: LivenessProblem, budget: Budget) -> Result:
    """Search for a fair lasso of growing length; Unknown when the budget or `budget.max_depth` runs out."""
    start = time.time()
    enc = Encoding(problem.product())
    unroll = Unrolling(enc)
    solver = z3.Solver()
    solver.add(unroll.init(0))
    k = 0
    while budget.max_depth is None or k < budget.max_depth:
        k += 1
        solver.add(unroll.trans(k))
        options = [
            z3.And(_closes(enc, unroll, problem, back, k), _fair(enc, unroll, problem, back, k)) for back in range(k)
        ]
        flag = z3.Bool(f"__lasso{k}")
        solver.add(z3.Implies(flag, z3.Or(options)))
        solver.set("timeout", budget.remaining_ms())
        answer = solver.check(flag)
        if answer == z3.sat:
            model = solver.model()
            loop = next(back for back, o in enumerate(options) if z3.is_true(model.eval(o, model_completion=True)))
            trace = unroll.trace(model, k + 1)
            return Violated(NAME, time.time() - start, replace(trace, loop_start=loop))
        if answer == z3.unknown or budget.expired():
            break
    return Unknown(NAME, time.time() - start, "no fair lasso found", k, Search.LASSO)


def _closes(enc: Encoding, unroll: Unrolling, problem: LivenessProblem, back: int, k: int) -> z3.BoolRef:
    a, b = unroll.frame(back), unroll.frame(k)
    parts = []
    for f in enc.frame:
        if f.name == ELAPSED:
            continue
        if isinstance(f.type, ClockType) and f.name in problem.ceilings:
            c = problem.ceilings[f.name]
            parts.append(z3.Or(a[f.name] == b[f.name], z3.And(a[f.name] > c, b[f.name] > c)))
        else:
            parts.append(a[f.name] == b[f.name])
    return z3.And(parts)


def _fair(enc: Encoding, unroll: Unrolling, problem: LivenessProblem, back: int, k: int) -> z3.BoolRef:
    loop = range(back + 1, k + 1)
    parts = [z3.Or([enc.expr(j, unroll.frame(i)) for i in loop]) for j in problem.justice]
    for p, q in problem.compassion:
        parts.append(
            z3.Implies(
                z3.Or([enc.expr(p, unroll.frame(i)) for i in loop]), z3.Or([enc.expr(q, unroll.frame(i)) for i in loop])
            )
        )
    if problem.system.timed:
        parts.append(z3.Or([unroll.frame(i)[ELAPSED] > 0 for i in loop]))
    return z3.And(parts)
