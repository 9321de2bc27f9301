"""The runs a model has, decided before any requirement: a PROVED is earned only on runs that exist.

- **A run at all**: an initial state that meets every invariant and assumption and, with clocks, a
  run on which time passes. Without one every requirement holds for no reason, and is VACUOUS.
- **MODEL.DEADLOCK** (models without clocks): a reachable state, outside `terminal` states, where no
  transition can be taken. Runs that stop go on by repeating their last state (SPIN's stutter
  extension), so every requirement is also checked on the frozen pump; the stop itself is a finding.
- **MODEL.TIME** (models with clocks): from every reachable state time can pass beyond any bound
  without the environment's help (time divergence; Tripakis 1999, Bowman and Gomez 2006). A state
  from which it cannot is a finding: a deadlock, a timelock only the environment can leave, or a
  loop of the pump's own transitions in zero time. Zeno runs the environment merely could choose
  are not. Proofs that need time to pass are then VACUOUS (see `needs_time`).

Time divergence is decided in two halves. A proof: "from every reachable state, at most N of the
pump's own zero-time steps lead to a state where time can pass" is a safety problem for the
engines, and with closed clock bounds in invariants it implies divergence (delaying each time to
the nearest bound passes whole time units between events). A finding: a state where that fails
is checked by the interpreter, which explores every zero-time step of the pump from it; when none
leads to a state where time can pass, the run to it and a loop (or dead end) there is the witness.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import partial

import z3

from pumpproof.errors import TooManyStates, UnsupportedError
from pumpproof.lang.ir import (
    BOOL,
    CLOCK,
    FALSE,
    NUM,
    TRUE,
    Binary,
    Const,
    Elapsed,
    Expr,
    IntType,
    Op,
    Temporal,
    TemporalOp,
    Transition,
    TransitionSystem,
    Value,
)
from pumpproof.lang.text import expr_text
from pumpproof.lang.walk import clock_comparison, nodes, polar_comparisons, size, var_names
from pumpproof.verify.budget import Budget
from pumpproof.verify.encoding import Encoding
from pumpproof.verify.evaluate import Frame, evaluate
from pumpproof.verify.portfolio import TOTAL_TIMEOUT, Options, Questions, confirm, race
from pumpproof.verify.problem import SafetyProblem, conj, neg
from pumpproof.verify.replay import moves, replay_steps
from pumpproof.verify.results import Certificate, CertificateKind, Proved, Result, Step, Trace, Unknown, Violated
from pumpproof.verify.slots import engines_running
from pumpproof.verify.steps import can_step, time_stoppers
from pumpproof.verify.unroll import Unrolling

DEADLOCK_ID = "MODEL.DEADLOCK"
TIME_ID = "MODEL.TIME"
MAX_LOOKAHEAD = 3
"""The most zero-time steps of the pump the divergence proof looks ahead."""
MAX_LOOKAHEAD_SIZE = 200_000
"""Expression nodes beyond which a deeper look-ahead is not built."""
MAX_ZERO_TIME_STATES = 100_000
"""States the interpreter explores from a suspect state before it gives up."""


class Stop(str, Enum):
    """How time stops in a state from which it cannot diverge."""

    DEADLOCK = "deadlock"
    TIMELOCK = "timelock"
    ZENO = "zero-time loop"


@dataclass(frozen=True)
class Check:
    """The answer to one built-in question about the model's runs (MODEL.DEADLOCK or MODEL.TIME).

    `result` is Violated with a replayed witness (the finding), Proved (with a re-checked certificate)
    or Unknown. `summary` says in a line what was found, or why it is undecided.
    """

    id: str
    text: str
    result: Result
    problem: SafetyProblem
    summary: str = ""
    stop: Stop | None = None


@dataclass(frozen=True)
class Runs:
    """What every verdict must know about the model's runs before it is given."""

    initial: Result
    """Violated: an initial state (a one-step witness); Proved: none exists."""
    time_passes: Result | None = None
    """With clocks: Violated: a run on which time passes; Proved: time never passes."""
    deadlock: Check | None = None
    time: Check | None = None
    stutter: bool = False
    """Some reachable state may stop the run (so runs must be extended by repeating it)."""
    notes: tuple[str, ...] = ()
    """Questions that could not be asked, and why."""
    answers: Mapping[str, Result] = field(default_factory=dict, compare=False, repr=False)
    """Every question asked, by name, with its answer: a related model (a mutant) tries them first."""
    carried: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The questions answered by an earlier answer that passed its re-check (`Questions.kept`)."""

    @property
    def none(self) -> str | None:
        """Why the model has no run at all, or None when it has one (or this is undecided)."""
        if isinstance(self.initial, Proved):
            return "the model has no run: no initial state meets its initial condition, invariants and assumptions"
        if isinstance(self.time_passes, Proved):
            return "the model has no run on which time passes: an invariant stops time from the initial state on"
        return None

    @property
    def checks(self) -> tuple[Check, ...]:
        """The built-in questions that were asked."""
        return tuple(c for c in (self.deadlock, self.time) if c is not None)


def runs(
    system: TransitionSystem,
    options: Options,
    assumed: tuple[Expr, ...] = (),
    earlier: Mapping[str, Result] | None = None,
) -> Runs:
    """Decide whether `system` has a run, whether a run can stop, and (with clocks) whether time always passes.
    `earlier`: the answers of a related model (`Runs.answers` of the unmutated one), tried first."""
    questions = Questions(options, earlier or {})
    return replace(_runs(system, questions, assumed), answers=questions.asked, carried=frozenset(questions.kept))


def _runs(system: TransitionSystem, questions: Questions, assumed: tuple[Expr, ...]) -> Runs:
    initial = initial_state(system, questions.options, assumed, questions)
    if isinstance(initial, Proved):
        return Runs(initial)
    undecided: tuple[str, ...] = ()
    if isinstance(initial, Unknown):
        undecided = (f"whether the model has a run is undecided ({initial.reason})",)
    if system.timed:
        elapses = Binary(Op.GT, Elapsed(CLOCK), Const(0, NUM), BOOL)
        passes = questions.ask(SafetyProblem(f"{system.name}: time passes", system, elapses, assumed))
        if isinstance(passes, Proved):
            return Runs(initial, passes)
        return Runs(initial, passes, time=_time_divergence(system, questions, assumed), notes=undecided)
    try:
        stopped = neg(can_step(system))
    except (UnsupportedError, TooManyStates) as err:
        note = f"deadlocks not checked ({err.message}): runs that stop are not checked beyond their last state"
        return Runs(initial, notes=(*undecided, note))
    anywhere = questions.ask(SafetyProblem(f"{system.name}: a run stops", system, stopped, assumed))
    if isinstance(anywhere, Proved) or not system.terminals:
        finding = anywhere
    else:
        bad = conj(stopped, *(neg(t) for t in system.terminals))
        finding = questions.ask(SafetyProblem(f"{system.name}: deadlock", system, bad, assumed))
    problem = SafetyProblem(f"{system.name}: deadlock", system, stopped, assumed)
    deadlock = Check(DEADLOCK_ID, DEADLOCK_TEXT, finding, problem, _deadlock_summary(finding), Stop.DEADLOCK)
    return Runs(initial, deadlock=deadlock, stutter=not isinstance(anywhere, Proved), notes=undecided)


DEADLOCK_TEXT = "No reachable state outside `terminal` states stops the run: some transition can always be taken."
TIME_TEXT = (
    "Time can always pass: from every reachable state the pump can let time go on beyond any bound "
    "without waiting for the environment (no deadlock, timelock or zero-time loop)."
)


def _deadlock_summary(result: Result) -> str:
    if isinstance(result, Violated):
        return "a reachable state where no transition can be taken (the run then repeats it forever)"
    return result.reason if isinstance(result, Unknown) else ""


def initial_state(
    system: TransitionSystem, options: Options, assumed: tuple[Expr, ...] = (), questions: Questions | None = None
) -> Result:
    """Violated with a replayed initial state, or Proved (certificate `false`, re-checked) when none exists;
    asked in a child process like every engine, so that the timeout holds (`questions`: a related model's answer
    is tried first, and this one kept)."""
    problem = SafetyProblem(f"{system.name}: an initial state", system, TRUE, assumed)
    return (questions or Questions(options)).ask(problem, partial(_decide_initial, options))


def _decide_initial(options: Options, problem: SafetyProblem) -> Result:
    """The initial-state question, asked of its one engine in a child process."""
    timeout_s = options.question_s()
    if timeout_s <= 0:
        return Unknown(INIT_ENGINE, 0.0, TOTAL_TIMEOUT)
    with engines_running(1):
        budget = Budget.seconds(timeout_s)
        result = race({INIT_ENGINE: partial(_initial, problem, budget)}, budget, problem.name)
    return confirm(problem, result)


INIT_ENGINE = "init"


def _initial(problem: SafetyProblem, budget: Budget) -> Result:
    """One satisfiability check of the initial condition: a state meeting it, or a proof that none does."""
    start = time.time()
    unroll = Unrolling(Encoding(problem))
    solver = z3.Solver()
    solver.set("timeout", budget.remaining_ms())
    solver.add(unroll.init(0))
    answer = solver.check()
    if answer == z3.sat:
        return Violated(INIT_ENGINE, time.time() - start, unroll.trace(solver.model(), 1))
    if answer == z3.unsat:
        cert = Certificate(CertificateKind.INDUCTIVE, 1, "false", "false (no state meets the initial condition)")
        return Proved(INIT_ENGINE, time.time() - start, cert)
    return Unknown(INIT_ENGINE, time.time() - start, f"z3: {solver.reason_unknown()}")


# ---------------------------------------------------------------- time divergence


TIME_ENGINE = "time"


def controller(system: TransitionSystem) -> tuple[Transition, ...]:
    """The pump's own transitions: those not marked `environment` (all of them when none is marked)."""
    return tuple(t for t in system.transitions if not t.environment)


def time_divergence(system: TransitionSystem, options: Options, assumed: tuple[Expr, ...] = ()) -> Check:
    """MODEL.TIME: Proved when at most N zero-time steps of the pump always lead to a state where time can
    pass (closed bounds only), Violated with a witness when the interpreter shows time stuck, else Unknown
    (also when the inputs the steps read have too many values to enumerate)."""
    return _time_divergence(system, Questions(options), assumed)


def _time_divergence(system: TransitionSystem, questions: Questions, assumed: tuple[Expr, ...]) -> Check:
    try:
        return _look_ahead(system, questions, assumed)
    except (UnsupportedError, TooManyStates) as err:
        return _undecided(system, assumed, f"not decided: {err.message}")


def _look_ahead(system: TransitionSystem, questions: Questions, assumed: tuple[Expr, ...]) -> Check:
    options = questions.options
    own = controller(system)
    time_can_pass = can_step(system, among=())
    escape = time_can_pass
    reason = f"the pump may need more than {MAX_LOOKAHEAD} zero-time steps before time can pass"
    ranked, tried = None, False
    for n in range(1, MAX_LOOKAHEAD + 1):
        escape = can_step(system, among=own, then=escape)
        if size(escape) > MAX_LOOKAHEAD_SIZE:
            reason = f"the look-ahead over {_steps(n)} is too large to build"
            break
        problem = SafetyProblem(f"{system.name}: time can pass within {n} steps", system, neg(escape), assumed)
        result = questions.ask(problem)
        if isinstance(result, Proved):
            return _diverges(system, assumed, problem, result, f"time can pass within {_steps(n)} of the pump")
        if isinstance(result, Unknown):
            return _undecided(system, assumed, f"undecided within {_steps(n)} ({result.reason})")
        assert isinstance(result, Violated)
        search = Budget.seconds(options.question_s())
        witness = stuck(system, own, time_can_pass, result.trace, search)
        if witness is None and search.expired():
            reason = "the interpreter ran out of time searching the pump's zero-time steps from a suspect state"
            return _undecided(system, assumed, reason)
        if witness is not None:
            trace, stop, summary = witness
            found = Violated(TIME_ENGINE, result.time_s, trace)
            return Check(TIME_ID, TIME_TEXT, found, _plain(system, assumed), summary, stop)
        if n == 1:  # the ranking is one question, where deeper look-aheads grow with the parts at a deadline
            ranked, tried = _ranked(system, own, questions, assumed), True
            if ranked is not None:
                return ranked
    if not tried:
        ranked = _ranked(system, own, questions, assumed)
    return ranked or _undecided(system, assumed, reason)


def _ranked(
    system: TransitionSystem, own: tuple[Transition, ...], questions: Questions, assumed: tuple[Expr, ...]
) -> Check | None:
    """MODEL.TIME by a ranking, for parts that each need a step of their own (a detector reporting at its
    deadline while another does): wherever time cannot pass, some step of the pump lowers the number of
    invariant conjuncts that stop time. That number is a natural number and 0 where time can pass, so from
    every reachable state at most that many steps of the pump lead to a state where time can pass."""
    stoppers = time_stoppers(system)
    escape = can_step(system, among=own, decreasing=stoppers)
    if size(escape) > MAX_LOOKAHEAD_SIZE:
        return None
    name = f"{system.name}: where time cannot pass, a step of the pump stops it fewer times"
    problem = SafetyProblem(name, system, neg(escape), assumed)
    result = questions.ask(problem)
    if not isinstance(result, Proved):
        return None
    bound = stoppers.type.hi if isinstance(stoppers.type, IntType) else 0
    summary = f"time can pass within {_steps(bound)} of the pump, each stopping time at fewer invariants"
    return _diverges(system, assumed, problem, result, summary)


def _diverges(
    system: TransitionSystem, assumed: tuple[Expr, ...], problem: SafetyProblem, result: Proved, summary: str
) -> Check:
    """The proved look-ahead as MODEL.TIME, unless a strict clock bound lets time converge to it instead."""
    strict = _strict_bound(system)
    if strict:
        reason = f"an invariant bounds a clock strictly ({strict}), so time may converge to the bound"
        return _undecided(system, assumed, reason)
    return Check(TIME_ID, TIME_TEXT, result, problem, summary)


def _plain(system: TransitionSystem, assumed: tuple[Expr, ...]) -> SafetyProblem:
    return SafetyProblem(f"{system.name}: time divergence", system, FALSE, assumed)


def _undecided(system: TransitionSystem, assumed: tuple[Expr, ...], reason: str) -> Check:
    return Check(TIME_ID, TIME_TEXT, Unknown(TIME_ENGINE, 0.0, reason), _plain(system, assumed), reason)


def _strict_bound(system: TransitionSystem) -> str:
    """An invariant's strict upper bound on a clock (`x < T`), in words, or '' when every bound is closed."""
    for inv in system.invariants:
        for cmp, positive in polar_comparisons(inv):
            side = clock_comparison(cmp)
            if side is not None and side[1] is (Op.LT if positive else Op.GE):
                return expr_text(cmp)
    return ""


# ---------------------------------------------------------------- the interpreter's side


Moment = tuple[tuple[tuple[str, Value], ...], str | None, tuple[tuple[str, Value], ...]]
"""A state, the transition into it and that step's inputs (frames of a lasso must agree on all three)."""


def _steps(n: int) -> str:
    return "1 zero-time step" if n == 1 else f"{n} zero-time steps"


def stuck(
    system: TransitionSystem, among: tuple[Transition, ...], time_can_pass: Expr, trace: Trace, budget: Budget
) -> tuple[Trace, Stop, str] | None:
    """When no zero-time run of the transitions `among` from the last state of `trace` reaches a state where
    `time_can_pass`: the trace extended to a dead end or round a zero-time loop (replayed), how time stops and
    a line saying so. None when time can pass after all, or the search is too large to finish within `budget`."""
    last = trace.steps[-1]
    start: Moment = (_key(last.state), last.transition, _key(last.inputs))
    parent: dict[Moment, Moment | None] = {start: None}
    todo = deque([start])
    dead: Moment | None = None
    while todo:
        m = todo.popleft()
        if evaluate(time_can_pass, Frame(dict(m[0]), None, 0)) or budget.expired():
            return None
        successors = [(_key(s), t, _key(i)) for s, t, i in moves(system, dict(m[0]), among)]
        if not successors and dead is None:
            dead = m
        for nxt in successors:
            if nxt not in parent:
                if len(parent) >= MAX_ZERO_TIME_STATES:
                    return None
                parent[nxt] = m
                todo.append(nxt)
    path, loop_at = (_path(parent, dead), None) if dead is not None else _cycle(system, among, start)
    steps = list(trace.steps)
    for state, fired, inputs in path[1:]:
        steps.append(Step(len(steps), fired, dict(inputs), dict(state), elapsed=0, time=last.time))
    loop_start = None if loop_at is None else len(trace.steps) - 1 + loop_at
    checked, _ = replay_steps(_plain(system, ()), Trace(tuple(steps), loop_start))
    stop, summary = _how(system, dict(path[-1][0]), path, loop_at)
    return checked, stop, summary


def _key(values: dict[str, Value]) -> tuple[tuple[str, Value], ...]:
    return tuple(sorted(values.items()))


def _cycle(system: TransitionSystem, among: tuple[Transition, ...], start: Moment) -> tuple[list[Moment], int]:
    """A path from `start` that returns to a moment on it, and the index it returns to (every moment reachable
    from `start` has a successor here)."""
    path = [start]
    seen = {start: 0}
    while True:
        state, fired, inputs = next(moves(system, dict(path[-1][0]), among))
        nxt = (_key(state), fired, _key(inputs))
        if nxt in seen:
            return path + [nxt], seen[nxt]
        seen[nxt] = len(path)
        path.append(nxt)


def _path(parent: dict[Moment, Moment | None], end: Moment) -> list[Moment]:
    out = [end]
    while (p := parent[out[-1]]) is not None:
        out.append(p)
    return out[::-1]


def _how(
    system: TransitionSystem, state: dict[str, Value], path: list[Moment], loop_at: int | None
) -> tuple[Stop, str]:
    if loop_at is not None:
        names = sorted({str(m[1]) for m in path[loop_at + 1 :]})
        return Stop.ZENO, (
            f"time cannot pass, and the pump's own transitions ({', '.join(names)}) can only go on firing in zero time"
        )
    if next(moves(system, state), None) is not None:
        return Stop.TIMELOCK, "time cannot pass, the pump can do nothing, and only the environment can act"
    return Stop.DEADLOCK, "time cannot pass and no transition can be taken"


def needs_time(formula: Expr, system: TransitionSystem) -> bool:
    """True when a proof of `formula` may hold only because time stops: it has a deadline (`within`), looks
    at later states (`next`, `eventually`, `until`, `release`) or reads a clock."""
    later = (Temporal.EVENTUALLY, Temporal.NEXT, Temporal.UNTIL, Temporal.RELEASE)
    if any(isinstance(n, TemporalOp) and n.op in later for n in nodes(formula)):
        return True
    return bool(var_names(formula) & {v.name for v in system.clocks})
