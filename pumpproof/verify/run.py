"""Check a whole requirement set against a model: the built-in range check first, then each requirement."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from pumpproof.errors import UnsupportedError
from pumpproof.lang.ir import TRUE, Expr, Requirement, RequirementSet, TransitionSystem
from pumpproof.verify.portfolio import AUTO, decide
from pumpproof.verify.problem import RANGES_ID, SafetyProblem, compile_requirement, range_conditions, ranges_problem
from pumpproof.verify.results import Proved, Result, Unknown

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    """The verdict on one requirement, with the problem it was decided on (None if not compiled)."""

    requirement: Requirement
    result: Result
    wall_s: float
    problem: SafetyProblem | None


@dataclass(frozen=True)
class Options:
    """How to run the engines."""

    engine: str = AUTO
    timeout_s: float = 60.0
    max_depth: int | None = None


def ranges_requirement(system: TransitionSystem) -> Requirement:
    """The built-in requirement MODEL.RANGES, located at the model's header."""
    return Requirement(
        RANGES_ID,
        "Every bounded integer variable stays within its declared range.",
        "pumpproof built-in (type safety)",
        TRUE,
        "always (every integer within its declared range)",
        system.loc,
    )


def check_all(
    system: TransitionSystem, reqs: RequirementSet, options: Options, progress: Progress | None = None
) -> list[Outcome]:
    """Outcomes for MODEL.RANGES (when the model has non-trivial integer updates) and each requirement."""
    outcomes: list[Outcome] = []
    assumed: tuple[Expr, ...] = ()
    ranges = ranges_problem(system)
    if ranges is not None:
        outcome = _decide(ranges_requirement(system), ranges, options, progress)
        outcomes.append(outcome)
        if isinstance(outcome.result, Proved):
            # Proved ranges are invariants: every later engine may assume them.
            assumed = range_conditions(system)
    for req in reqs.requirements:
        try:
            problem = compile_requirement(system, req)
        except UnsupportedError as err:
            where = f" ({err.location})" if err.location else ""
            result = Unknown("none", 0.0, 0, f"not supported yet{where}: {err.message}")
            outcomes.append(Outcome(req, result, 0.0, None))
            continue
        outcomes.append(_decide(req, replace(problem, assumed=assumed), options, progress))
    return outcomes


def _decide(req: Requirement, problem: SafetyProblem, options: Options, progress: Progress | None) -> Outcome:
    if progress is not None:
        progress(req.id)
    start = time.time()
    result = decide(problem, options.engine, options.timeout_s, options.max_depth)
    return Outcome(req, result, time.time() - start, problem)
