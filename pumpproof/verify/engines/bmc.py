"""Bounded model checking (Biere, Cimatti, Clarke, Zhu 1999): unroll Trans from Init and ask for Bad.

The solver is incremental, and step i of the unrolling is switched on by a literal r_i (r_i implies
step i and step i-1), so "Bad at step j" needs the run only up to j: a run that stops (deadlocks)
after its violation is still found. Shallow depths are checked one by one; deeper ones in windows
that grow with the depth ("Bad somewhere in lo..hi"), then a binary search inside the first
satisfiable window finds the shortest counterexample.

Tick-counting models need traces thousands of steps long; windows keep the number of queries
logarithmic in their length.
"""

from __future__ import annotations

import time

import z3

from pumpproof.verify.budget import Budget
from pumpproof.verify.encoding import Encoding
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Result, Search, Trace, Unknown, Violated
from pumpproof.verify.unroll import Unrolling

NAME = "bmc"
STEPWISE_DEPTH = 24
"""Depths checked one at a time before windows start."""
ARITH_SOLVER = 2
"""Z3's arithmetic solver for the unrolling (`smt.arith.solver`; Z3's default is 6): 2 found the tick family's
counterexamples 1.4-2.7x faster (`benchmarks/counterexamples.py`), and GPCA's and Spectrum's as fast or faster."""


class _Bmc:
    """An incremental unrolling with one activation literal per step and one per queried window."""

    def __init__(self, problem: SafetyProblem) -> None:
        self.unroll = Unrolling(Encoding(problem))
        self.solver = z3.Solver()
        self.solver.set("smt.arith.solver", ARITH_SOLVER)
        self.solver.add(self.unroll.init(0))
        self.depth = 0  # steps unrolled so far
        self.queries = 0

    def active(self, j: int) -> z3.BoolRef:
        """r_j: the run reaches step j."""
        return z3.BoolVal(True) if j == 0 else z3.Bool(f"__reach{j}")

    def extend(self, depth: int) -> None:
        while self.depth < depth:
            self.depth += 1
            j = self.depth
            self.solver.add(z3.Implies(self.active(j), self.unroll.trans(j)))
            self.solver.add(z3.Implies(self.active(j), self.active(j - 1)))

    def bad_between(self, lo: int, hi: int, budget: Budget) -> z3.CheckSatResult:
        """Is Bad reachable at some step in lo..hi (inclusive)? The model stays available when sat."""
        self.extend(hi)
        self.queries += 1
        flag = z3.Bool(f"__window{self.queries}")
        hits = [z3.And(self.active(j), self.unroll.bad(j)) for j in range(lo, hi + 1)]
        self.solver.add(z3.Implies(flag, z3.Or(hits)))
        self.solver.set("timeout", budget.remaining_ms())
        return self.solver.check(flag)

    def shortest(self, lo: int, hi: int, budget: Budget) -> int | None:
        """The least step in lo..hi where Bad is reachable, knowing it is reachable somewhere there."""
        while lo < hi:
            mid = (lo + hi) // 2
            answer = self.bad_between(lo, mid, budget)
            if answer == z3.unknown:
                return None
            if answer == z3.sat:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def found(self, lo: int, hi: int, budget: Budget) -> Trace | None:
        """The shortest trace with Bad in lo..hi, knowing one exists (None if the budget ran out)."""
        depth = self.shortest(lo, hi, budget)
        if depth is None or self.bad_between(depth, depth, budget) != z3.sat:
            return None
        return self.unroll.trace(self.solver.model(), depth + 1)


def shortest_violation(problem: SafetyProblem, depth: int, budget: Budget) -> Trace | None:
    """A shortest counterexample of at most `depth` steps, when another engine knows one exists."""
    bmc = _Bmc(problem)
    if bmc.bad_between(0, depth, budget) != z3.sat:
        return None
    return bmc.found(0, depth, budget)


def check(problem: SafetyProblem, budget: Budget) -> Result:
    """Search for a shortest counterexample until the budget or `budget.max_depth` runs out."""
    start = time.time()
    bmc = _Bmc(problem)
    explored = -1  # deepest step known to be free of Bad
    while budget.max_depth is None or explored < budget.max_depth:
        lo = explored + 1
        width = 1 if lo < STEPWISE_DEPTH else max(1, lo // 4)
        hi = lo + width - 1 if budget.max_depth is None else min(lo + width - 1, budget.max_depth)
        answer = bmc.bad_between(lo, hi, budget)
        if answer == z3.unknown or budget.expired():
            break
        if answer == z3.sat:
            trace = bmc.found(lo, hi, budget)
            if trace is None:
                break
            return Violated(NAME, time.time() - start, trace)
        explored = hi
    reason = "depth bound reached" if budget.max_depth is not None and explored >= budget.max_depth else "timeout"
    return Unknown(NAME, time.time() - start, reason, max(explored, 0), Search.BMC)
