"""Check a whole requirement set against a model: the built-in range check first, then each requirement.

Requirements of the safety shapes go to the safety portfolio (shortest traces, inductive
invariants); every other LTL formula goes through the tableau to the liveness engines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from pumpproof.errors import UnsupportedError
from pumpproof.lang.ir import FALSE, TRUE, Expr, Requirement, RequirementSet, TransitionSystem
from pumpproof.verify.ltl import LivenessProblem, liveness_problem
from pumpproof.verify.portfolio import AUTO, decide, decide_liveness
from pumpproof.verify.problem import RANGES_ID, SafetyProblem, compile_requirement, range_conditions, ranges_problem
from pumpproof.verify.results import Proved, Result, Unknown

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    """The verdict on one requirement, the problem it was decided on, and the assumptions it depends on."""

    requirement: Requirement
    result: Result
    wall_s: float
    problem: SafetyProblem | LivenessProblem | None
    assumptions: tuple[str, ...] = ()


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
        outcome = _timed(ranges_requirement(system), ranges, options, progress)
        outcomes.append(outcome)
        if isinstance(outcome.result, Proved):
            # Proved ranges are invariants: every later engine may assume them.
            assumed = range_conditions(system)
    runs = _FairRuns(system, assumed, options)
    for req in reqs.requirements:
        try:
            problem = problem_for(system, req, assumed)
        except UnsupportedError as err:
            where = f" ({err.location})" if err.location else ""
            result = Unknown("none", 0.0, 0, f"not supported yet{where}: {err.message}")
            outcomes.append(Outcome(req, result, 0.0, None))
            continue
        outcome = _timed(req, problem, options, progress)
        if isinstance(problem, LivenessProblem) and isinstance(outcome.result, Proved) and not runs.exist():
            vacuous = Unknown(
                outcome.result.engine,
                outcome.result.time_s,
                0,
                "vacuous: the model has no infinite run that meets its fairness assumptions",
            )
            outcome = replace(outcome, result=vacuous)
        outcomes.append(outcome)
    return outcomes


def problem_for(
    system: TransitionSystem, req: Requirement, assumed: tuple[Expr, ...] = ()
) -> SafetyProblem | LivenessProblem:
    """The safety problem for the safety shapes, else the tableau's liveness problem (UnsupportedError if neither)."""
    try:
        return replace(compile_requirement(system, req), assumed=assumed)
    except UnsupportedError:
        return replace(liveness_problem(system, req), assumed=assumed)


def verdict(problem: SafetyProblem | LivenessProblem, options: Options) -> Result:
    """Decide a problem of either kind with the engines `options` name."""
    if isinstance(problem, LivenessProblem):
        return decide_liveness(problem, options.engine, options.timeout_s, options.max_depth)
    return decide(problem, options.engine, options.timeout_s, options.max_depth)


class _FairRuns:
    """Whether the model has any fair infinite run at all (asked once, only when a liveness proof needs it)."""

    def __init__(self, system: TransitionSystem, assumed: tuple[Expr, ...], options: Options) -> None:
        self.system, self.assumed, self.options = system, assumed, options
        self.answer: bool | None = None

    def exist(self) -> bool:
        if self.answer is None:
            anything = Requirement("MODEL.FAIR-RUNS", "some fair infinite run exists", "pumpproof", FALSE, "false")
            problem = replace(liveness_problem(self.system, anything), assumed=self.assumed)
            result = verdict(problem, self.options)
            # Only a proof that no fair run exists makes liveness proofs vacuous; a found run or Unknown does not.
            self.answer = not isinstance(result, Proved)
        return self.answer


def _timed(
    req: Requirement, problem: SafetyProblem | LivenessProblem, options: Options, progress: Progress | None
) -> Outcome:
    if progress is not None:
        progress(req.id)
    start = time.time()
    result = verdict(problem, options)
    assumptions = problem.assumptions if isinstance(problem, LivenessProblem) else ()
    return Outcome(req, result, time.time() - start, problem, assumptions)
