"""k-liveness (Claessen and Sörensson 2012): a liveness requirement holds when, for some K, a safety engine
proves that no run meets the fairness and the requirement's negation more than K times."""

from __future__ import annotations

import time
from dataclasses import replace

from pumpproof.verify.budget import Budget
from pumpproof.verify.engines import Engine
from pumpproof.verify.ltl import LivenessProblem, k_liveness
from pumpproof.verify.results import Proved, Result, Unknown, Violated

NAME = "k-liveness"

K_ROUNDS = (1, 4, 16)


def check(problem: LivenessProblem, budget: Budget, engines: list[Engine]) -> Result:
    """Try "at most K fair rounds" for growing K; a proof for any K shows that no fair run exists.

    A violation only means K was too small; an engine that gives up hands over to the next.
    """
    start = time.time()
    reasons = []
    for k in K_ROUNDS:
        safety = k_liveness(problem, k)
        for engine in engines:
            result = engine(safety, budget)
            if isinstance(result, Proved):
                cert = replace(result.certificate, rounds=k)
                return Proved(f"{NAME}({result.engine})", time.time() - start, cert)
            reasons.append(f"K={k} {result.engine}: {result.verdict.value.lower()}")
            if isinstance(result, Violated) or budget.expired():
                break
        if budget.expired():
            break
    return Unknown(NAME, time.time() - start, "; ".join(reasons))
