"""Check a whole requirement set against a model: the model's runs and ranges first, then each requirement.

Requirements of the safety shapes go to the safety portfolio (shortest traces, inductive
invariants); every other LTL formula goes through the tableau to the liveness engines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from pumpproof.errors import UnsupportedError
from pumpproof.lang.ir import FALSE, TRUE, Expr, Requirement, RequirementSet, TransitionSystem
from pumpproof.lang.text import expr_text
from pumpproof.verify.analyses.vacuity import VacuityResult, explain, vacuity
from pumpproof.verify.ltl import LivenessProblem, liveness_problem
from pumpproof.verify.portfolio import Options, carried, verdict
from pumpproof.verify.problem import (
    RANGES_ID,
    SafetyProblem,
    compile_requirement,
    is_safety,
    range_conditions,
    ranges_formula,
)
from pumpproof.verify.results import CacheUse, Proved, Reachability, Result, Unknown, Vacuous, Violated
from pumpproof.verify.runs import DEADLOCK_ID, Check, Runs, needs_time, runs

Progress = Callable[[str], None]
NO_FAIR_RUN = "no infinite run of the model meets its fairness assumptions"
"""Why a liveness proof is VACUOUS on a model without fair infinite runs: it then holds on no run at all."""


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
    notes: tuple[str, ...] = ()
    """What else a reader must know with this verdict: how a built-in finding stops the run, or what could
    not be established about the runs a proof covers (time divergence undecided, say)."""
    carried: bool = False
    """The verdict is an earlier one (a related model's, or a cached one) that passed this model's re-check."""
    cache: CacheUse | None = None
    """How the result cache served this verdict (None: no cache in use)."""


def ranges_requirement(system: TransitionSystem) -> Requirement | None:
    """The built-in requirement MODEL.RANGES with its formula (`ranges_formula`), located at the model's header;
    None when every integer update is a constant in range."""
    formula = ranges_formula(system)
    if formula is None:
        return None
    text = "Every bounded integer variable stays within its declared range."
    return Requirement(RANGES_ID, text, "pumpproof built-in (type safety)", formula, expr_text(formula), loc=system.loc)


def check_requirement(system: TransitionSystem, check: Check) -> Requirement:
    """The built-in requirement of a question about the model's runs (MODEL.DEADLOCK, MODEL.TIME)."""
    formula = {DEADLOCK_ID: "always (some transition can be taken, or a terminal state)"}.get(
        check.id, "always (time can pass beyond any bound without the environment)"
    )
    return Requirement(check.id, check.text, "pumpproof built-in (runs that exist)", TRUE, formula, loc=system.loc)


def check_all(
    system: TransitionSystem,
    reqs: RequirementSet,
    options: Options,
    progress: Progress | None = None,
    jobs: int = 1,
) -> list[Outcome]:
    """Outcomes for MODEL.RANGES (when the model has non-trivial integer updates), the questions about the model's
    runs (MODEL.DEADLOCK without clocks, MODEL.TIME with them) and each requirement, in that order.

    `jobs` > 1: the requirements are decided that many at a time, each in a forked process, once the built-in
    questions (which every verdict depends on) are answered; their portfolios share the machine's engine slots
    (`pumpproof.verify.slots`), so each question runs the same engines with the same time as one at a time."""
    checker = Checker(system, options, progress)
    return [*checker.builtins, *each(checker, reqs.requirements, checker.check, jobs, progress)]


def each(
    checker: Checker,
    requirements: Sequence[Requirement],
    decide: Callable[[Requirement], Outcome],
    jobs: int,
    progress: Progress | None,
) -> list[Outcome]:
    """`decide` on every requirement, in order: `jobs` at a time in forked processes when `jobs` > 1 (see
    `check_all`), reporting how many are done through `progress`."""
    if jobs <= 1 or len(requirements) <= 1:
        return [decide(req) for req in requirements]
    from pumpproof.verify.workers import ordered

    finished = 0

    def done(_: int) -> None:
        nonlocal finished
        finished += 1
        if progress is not None:
            progress(f"requirements, {finished} of {len(requirements)} done")

    if progress is not None:
        progress(f"requirements, {jobs} at a time")
    checker.progress = None  # the callback is this process's (a terminal's spinner): the workers report by `done`
    return ordered(decide, requirements, jobs, done, fixed=checker.options.deterministic)


class Checker:
    """What every verdict on one model shares: the facts about its runs, the ranges proved, the fair-run question.

    A model with no run makes every requirement VACUOUS; with clocks, a reachable state where time stops makes
    every proof that needs time to pass VACUOUS (see `runs.needs_time`).
    """

    def __init__(
        self,
        system: TransitionSystem,
        options: Options,
        progress: Progress | None = None,
        earlier: Mapping[str, Outcome] | None = None,
        earlier_runs: Mapping[str, Result] | None = None,
    ) -> None:
        self.system, self.options, self.progress = system, options, progress
        # Outcomes of the same requirements on a related model (the unmutated one): a proof's invariant is tried
        # first and stands when it passes this model's own obligations; its trigger witnesses, when they replay;
        # likewise its answers about its runs (`earlier_runs`: its Runs.answers).
        self.earlier = earlier or {}
        if progress is not None:
            progress("the model's runs")
        self.facts = runs(system, options, earlier=earlier_runs)
        self.builtins: list[Outcome] = []
        self.assumed: tuple[Expr, ...] = ()
        self._problems: dict[str, SafetyProblem | LivenessProblem] = {}
        self.fair = _FairRuns(system, self.assumed, options, self.facts.stutter)
        if isinstance(self.facts.initial, Proved):
            return
        ranges = ranges_requirement(system)
        if ranges is not None:
            outcome = self.carried(ranges) or self.solved(ranges)  # no fact assumed yet: the ranges stand alone
            self.builtins.append(outcome)
            if isinstance(outcome.result, Proved):
                # Proved ranges are invariants: every later engine may assume them.
                self.assumed = range_conditions(system)
        for check in self.facts.checks:
            notes = (check.summary,) if check.summary and not isinstance(check.result, Proved) else ()
            req = check_requirement(system, check)
            self.builtins.append(Outcome(req, check.result, check.result.time_s, check.problem, notes=notes))
        self.fair = _FairRuns(system, self.assumed, options, self.facts.stutter)

    def check(self, req: Requirement) -> Outcome:
        """The verdict on `req`, earned on the runs the model has."""
        return self.settled(req) or self.carry(req) or self.solve(req)

    def settled(self, req: Requirement) -> Outcome | None:
        """The verdict on `req` when no engine can be asked: VACUOUS on a model without runs, UNKNOWN for a
        formula of no supported shape; None otherwise."""
        if isinstance(self.facts.initial, Proved):
            return _no_run(self.system, req, self.facts.initial, self.facts)
        try:
            self.problem(req)
        except UnsupportedError as err:
            where = f" ({err.location})" if err.location else ""
            return Outcome(req, Unknown("none", 0.0, f"not supported yet{where}: {err.message}"), 0.0, None)
        return None

    def problem(self, req: Requirement) -> SafetyProblem | LivenessProblem:
        """The problem `req` is decided on (built once; UnsupportedError if it has no supported shape)."""
        if req.id not in self._problems:
            self._problems[req.id] = problem_for(self.system, req, self.assumed, self.facts.stutter)
        return self._problems[req.id]

    def carry(self, req: Requirement, earlier: Outcome | None = None) -> Outcome | None:
        """`earlier`'s verdict on `req` (default: the related model's; or a result cache's) as this model's, when
        it passes this model's own re-check, and earned (`earned`); None otherwise (the caller then solves)."""
        earlier = earlier or self.earlier.get(req.id)
        kept = self.carried(req, earlier)
        return None if kept is None or earlier is None else self.earned(kept, earlier.vacuity)

    def carried(self, req: Requirement, earlier: Outcome | None = None) -> Outcome | None:
        """`earlier`'s verdict (default: the related model's) when it passes this model's re-check: a proof whose
        invariant passes its obligations (`reused`), a counterexample the interpreter replays; not yet earned."""
        earlier = earlier or self.earlier.get(req.id)
        if earlier is None or self.settled(req) is not None:  # no run, or not supported: nothing to re-check on
            return None
        problem = self.problem(req)
        start = time.time()
        stored = earlier.result.proof if isinstance(earlier.result, Vacuous) else earlier.result
        kept = carried(problem, stored) if isinstance(stored, (Proved, Violated)) else None
        if kept is None:
            return None
        assumptions = problem.assumptions if isinstance(problem, LivenessProblem) else ()
        return Outcome(req, kept, time.time() - start, problem, assumptions, carried=True)

    def solve(self, req: Requirement, witnesses: VacuityResult | None = None) -> Outcome:
        """The verdict on `req` from the engines, earned (`witnesses`: trigger checks of a related model, tried
        first; default: the related model's own)."""
        return self.settled(req) or self.earned(self.solved(req), witnesses)

    def solved(self, req: Requirement, options: Options | None = None) -> Outcome:
        """`req` decided by the engines (those of `options`, by default the checker's), not yet earned."""
        return _timed(req, self.problem(req), options or self.options, self.progress)

    def earned(self, outcome: Outcome, witnesses: VacuityResult | None = None) -> Outcome:
        """`outcome` with what the model's runs add: their semantics, and for a proof whether it is vacuous
        (`witnesses`: trigger checks of a related model, tried first; default: the related model's own)."""
        outcome = replace(outcome, assumptions=outcome.assumptions + _semantics(self.facts))
        if not isinstance(outcome.result, Proved):
            return outcome
        if witnesses is None:
            earlier = self.earlier.get(outcome.requirement.id)
            witnesses = None if earlier is None else earlier.vacuity
        return _earned(self.system, outcome, self.facts, self.options, self.assumed, self.fair, witnesses)


def _no_run(system: TransitionSystem, req: Requirement, proof: Proved, facts: Runs) -> Outcome:
    """A requirement of a model without an initial state: VACUOUS, with the proof that none exists (its
    certificate `false` re-checks on the requirement's own problem too)."""
    try:
        problem: SafetyProblem | LivenessProblem | None = problem_for(system, req, stutter=facts.stutter)
    except UnsupportedError:
        problem = None
    return Outcome(req, Vacuous(proof.engine, proof.time_s, proof, str(facts.none)), proof.time_s, problem)


def _semantics(facts: Runs) -> tuple[str, ...]:
    """What every verdict on this model assumes about runs that stop."""
    if facts.stutter:
        return ("a run that stops (MODEL.DEADLOCK) repeats its last state forever, one time unit per step",)
    return facts.notes


def _earned(
    system: TransitionSystem,
    outcome: Outcome,
    facts: Runs,
    options: Options,
    assumed: tuple[Expr, ...],
    fair: _FairRuns,
    witnesses: VacuityResult | None = None,
) -> Outcome:
    """A proof as it stands once the runs it covers are known: VACUOUS when time never passes, or when it may hold
    only because time stops; with a note when that could not be decided; else as the trigger and fairness checks
    leave it (`witnesses`: trigger witnesses of a related model, tried first)."""
    proof = outcome.result
    assert isinstance(proof, Proved)
    if facts.none is not None:
        return replace(outcome, result=Vacuous(proof.engine, proof.time_s, proof, facts.none))
    stop = facts.time
    if stop is not None and needs_time(outcome.requirement.formula, system):
        if isinstance(stop.result, Violated):
            reason = f"time stops in a reachable state (MODEL.TIME: {stop.summary}); this requirement needs it to pass"
            return replace(outcome, result=Vacuous(proof.engine, proof.time_s, proof, reason))
        if isinstance(stop.result, Unknown):
            note = f"whether time can always pass is undecided (MODEL.TIME: {stop.summary})"
            outcome = replace(outcome, notes=outcome.notes + (note,))
    return _exercised(system, outcome, options, assumed, fair, witnesses)


def _exercised(
    system: TransitionSystem,
    outcome: Outcome,
    options: Options,
    assumed: tuple[Expr, ...],
    runs: _FairRuns,
    witnesses: VacuityResult | None,
) -> Outcome:
    """A proof turned VACUOUS when nothing it constrains can happen: no fair infinite run (liveness), or a
    trigger that no run reaches. An undecided trigger leaves the proof standing, with the check recorded."""
    proof = outcome.result
    assert isinstance(proof, Proved)
    start = time.time()
    if isinstance(outcome.problem, LivenessProblem) and not runs.exist():
        return replace(outcome, result=Vacuous(proof.engine, proof.time_s, proof, NO_FAIR_RUN))
    checked = vacuity(system, outcome.requirement, options, assumed, witnesses)
    wall_s = outcome.wall_s + time.time() - start
    if checked.vacuous:
        return replace(outcome, result=Vacuous(proof.engine, proof.time_s, proof, explain(checked)), wall_s=wall_s)
    return replace(outcome, vacuity=checked, wall_s=wall_s)


def problem_for(
    system: TransitionSystem, req: Requirement, assumed: tuple[Expr, ...] = (), stutter: bool | None = None
) -> SafetyProblem | LivenessProblem:
    """The safety problem for the safety shapes, else the tableau's liveness problem (UnsupportedError if neither).

    `stutter` (default: for models without clocks) extends runs that stop by their repeated last state; it may
    be left off once no reachable state is known to stop the run.
    """
    repeat = not system.timed if stutter is None else stutter
    problem = compile_requirement(system, req) if is_safety(req.formula) else liveness_problem(system, req)
    return replace(problem, assumed=assumed, stutter=repeat)


class _FairRuns:
    """Whether the model has any fair infinite run at all (asked once, only when a liveness proof needs it)."""

    def __init__(self, system: TransitionSystem, assumed: tuple[Expr, ...], options: Options, stutter: bool) -> None:
        self.system, self.assumed, self.options, self.stutter = system, assumed, options, stutter
        self.answer: Reachability | None = None

    def exist(self) -> bool:
        """False only when it is proved that no fair infinite run exists (a found run or Unknown is not that)."""
        if self.answer is None:
            anything = Requirement("MODEL.FAIR-RUNS", "some fair infinite run exists", "pumpproof", FALSE, "false")
            problem = replace(liveness_problem(self.system, anything), assumed=self.assumed, stutter=self.stutter)
            result = verdict(problem, self.options)
            self.answer = Reachability.of(result)
        return self.answer is not Reachability.UNREACHABLE


def _timed(
    req: Requirement, problem: SafetyProblem | LivenessProblem, options: Options, progress: Progress | None
) -> Outcome:
    if progress is not None:
        progress(req.id)
    start = time.time()
    result = verdict(problem, options)
    assumptions = problem.assumptions if isinstance(problem, LivenessProblem) else ()
    return Outcome(req, result, time.time() - start, problem, assumptions)
