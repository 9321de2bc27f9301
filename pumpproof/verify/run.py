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
from pumpproof.verify.portfolio import Options, verdict
from pumpproof.verify.problem import RANGES_ID, SafetyProblem, compile_requirement, range_conditions, ranges_problem
from pumpproof.verify.results import Proved, Result, Unknown, Vacuous
from pumpproof.verify.vacuity import VacuityResult, explain, vacuity

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    """The verdict on one requirement, the problem it was decided on, and the assumptions it depends on."""

    requirement: Requirement
    result: Result
    wall_s: float
    problem: SafetyProblem | LivenessProblem | None
    assumptions: tuple[str, ...] = ()
    vacuity: VacuityResult | None = None
    """For a proof: whether each trigger of the requirement is reachable (with a witness run when it is)."""


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
        if isinstance(outcome.result, Proved):
            outcome = _exercised(system, outcome, options, assumed, runs)
        outcomes.append(outcome)
    return outcomes


def _exercised(
    system: TransitionSystem, outcome: Outcome, options: Options, assumed: tuple[Expr, ...], runs: _FairRuns
) -> Outcome:
    """A proof turned VACUOUS when nothing it constrains can happen: no fair infinite run (liveness), or a
    trigger that no run reaches. An undecided trigger leaves the proof standing, with the check recorded."""
    proof = outcome.result
    assert isinstance(proof, Proved)
    start = time.time()
    if isinstance(outcome.problem, LivenessProblem) and not runs.exist():
        reason = "no infinite run of the model meets its fairness assumptions"
        return replace(outcome, result=Vacuous(proof.engine, proof.time_s, proof, reason))
    checked = vacuity(system, outcome.requirement, options, assumed)
    wall_s = outcome.wall_s + time.time() - start
    if checked.vacuous:
        return replace(outcome, result=Vacuous(proof.engine, proof.time_s, proof, explain(checked)), wall_s=wall_s)
    return replace(outcome, vacuity=checked, wall_s=wall_s)


def problem_for(
    system: TransitionSystem, req: Requirement, assumed: tuple[Expr, ...] = ()
) -> SafetyProblem | LivenessProblem:
    """The safety problem for the safety shapes, else the tableau's liveness problem (UnsupportedError if neither)."""
    try:
        return replace(compile_requirement(system, req), assumed=assumed)
    except UnsupportedError:
        return replace(liveness_problem(system, req), assumed=assumed)


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
