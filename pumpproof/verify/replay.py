"""Replay: re-execute a counterexample on the IR with the interpreter, never through the Z3 encoding.

Every state is recomputed from the previous one, the transition named in the trace and the
step's inputs; the initial condition, guards, assumptions, invariants and types are checked; monitors are recomputed;
and the requirement must fail at the last step. Any disagreement is a ReplayError (exit 4): an
engine or encoding bug, never a result.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from fractions import Fraction

from pumpproof.errors import ReplayError
from pumpproof.lang.ir import (
    DELAY,
    STUTTER,
    BoolType,
    ClockType,
    EnumType,
    IntType,
    NumType,
    Transition,
    TransitionSystem,
    Type,
    Value,
    Var,
)
from pumpproof.verify.evaluate import Evaluation, Frame, evaluate, with_monitors
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Step, Trace
from pumpproof.verify.steps import combinations


def replay(problem: SafetyProblem, trace: Trace) -> Trace:
    """Check `trace` against `problem` and return it with interpreter-computed monitors and times."""
    checked, frames = replay_steps(problem, trace)
    if not evaluate(problem.bad, frames[-1]):
        raise ReplayError(f"{problem.name}: the replayed trace does not violate the requirement at its last step")
    return checked


def replay_steps(problem: SafetyProblem, trace: Trace) -> tuple[Trace, list[Frame]]:
    """Check that every step of `trace` is a step of the model; return it with recomputed monitors, and its frames."""
    if not trace.steps:
        raise ReplayError(f"{problem.name}: empty counterexample")
    steps: list[Step] = []
    frames: list[Frame] = []
    for step in trace.steps:
        frame, checked = check_step(problem, step, frames[-1] if frames else None, steps[-1] if steps else None)
        steps.append(checked)
        frames.append(frame)
    return replace(trace, steps=tuple(steps)), frames


def _fail(name: str, step: Step, message: str) -> ReplayError:
    return ReplayError(f"{name}: counterexample does not replay at step {step.index}: {message}")


def check_step(problem: SafetyProblem, step: Step, before: Frame | None, prev: Step | None) -> tuple[Frame, Step]:
    """Check one step (its inputs, state, initial condition, assumptions, invariants, constraints) after `prev`;
    ReplayError if illegal."""
    system, name = problem.system, problem.name
    constraint = problem.initial if before is None else problem.constraint
    for v in system.inputs:
        _check_value(v, step.inputs.get(v.name), name, step)
    if step.transition == STUTTER and not problem.stutter:
        raise _fail(name, step, "this problem does not extend runs that stop")
    if prev is None:
        if step.transition is not None:
            raise _fail(name, step, "the first state must be initial")
        state = initial_state(system, step, name)
        elapsed: Value = 0
        reads = Frame({**state, **step.inputs}, None, 0)
        if not all(evaluate(c, reads) for c in system.initial):
            raise _fail(name, step, "the first state does not meet the model's initial condition")
    else:
        reads = Frame({**prev.state, **step.inputs}, None, 0)
        state, elapsed = successor(system, step, prev, reads, name)
    if state != step.state:
        diff = sorted(k for k in state if state[k] != step.state.get(k))
        raise _fail(name, step, f"the model computes different values for {', '.join(diff)}")
    for a in system.assumptions if step.transition != STUTTER else ():
        if not evaluate(a, reads):
            raise _fail(name, step, "an environment assumption is broken")
    frame = Frame({**state, **step.inputs}, step.transition, elapsed)
    for inv in system.invariants:
        if not evaluate(inv, frame):
            raise _fail(name, step, "a model invariant is broken")
    frame = with_monitors(system.monitors, frame.values, step.transition, elapsed, before, step.monitors)
    monitors = {m.name: _normal(frame.values[m.name]) for m in system.monitors}
    recorded = {k: _normal(v) for k, v in step.monitors.items()}
    if recorded and recorded != monitors:
        diff = sorted(k for k in monitors if monitors[k] != recorded.get(k))
        raise _fail(name, step, f"the engine's monitor values differ from the interpreter's for {', '.join(diff)}")
    if not evaluate(constraint, frame, before):
        raise _fail(name, step, "the requirement's automaton does not accept this step")
    time = elapsed if prev is None else prev.time + elapsed  # type: ignore[operator]
    return frame, replace(step, monitors=monitors, elapsed=elapsed, time=time)


def initial_state(system: TransitionSystem, step: Step, name: str) -> dict[str, Value]:
    """The state of the first step: declared initial values, the rest taken from `step` (clocks start at 0); the
    model's initial condition is checked by `check_step`."""
    state: dict[str, Value] = {}
    for v in system.state_vars:
        if isinstance(v.type, ClockType):
            state[v.name] = 0
        elif v.init is not None:
            state[v.name] = evaluate(v.init, Frame({}, None, 0))
        else:
            _check_value(v, step.state.get(v.name), name, step)
            state[v.name] = step.state[v.name]
    return state


def successor(
    system: TransitionSystem, step: Step, prev: Step, reads: Frame, name: str
) -> tuple[dict[str, Value], Value]:
    """The state after `step`'s transition (or delay) from `prev`, and the time it takes; ReplayError if disabled."""
    state = dict(prev.state)
    if step.transition == DELAY:
        if not system.timed:
            raise _fail(name, step, "a delay step in a model without clocks")
        d = step.elapsed
        if isinstance(d, (bool, str)) or not d > 0:
            raise _fail(name, step, f"a delay must be positive, got {d!r}")
        for c in system.clocks:
            state[c.name] = _normal(state[c.name] + d)  # type: ignore[operator]
        return state, d
    if step.transition == STUTTER:
        if system.timed:
            raise _fail(name, step, "a run with clocks cannot stop: time would have to stop with it")
        if step.inputs != prev.inputs:
            raise _fail(name, step, "a run that stopped repeats its last state, inputs included")
        if not stopped(system, prev.state):
            raise _fail(name, step, "the run has not stopped: some transition can still be taken")
        return state, 1
    matching = [t for t in system.transitions if t.name == step.transition]
    if not matching:
        raise _fail(name, step, f"no transition named {step.transition!r}")
    t, run = matching[0], Evaluation(reads)
    if not run.of(t.guard):
        raise _fail(name, step, f"transition {t.name} is not enabled")
    for u in t.updates:
        state[u.target] = _normal(run.of(u.value))
    return state, (0 if system.timed else 1)


def stopped(system: TransitionSystem, state: Mapping[str, Value]) -> bool:
    """True when no transition can be taken from `state`, whatever inputs the environment chooses."""
    return next(moves(system, state), None) is None


Move = tuple[dict[str, Value], str, dict[str, Value]]
"""A transition's target state, its name and the inputs of the step."""


def moves(
    system: TransitionSystem, state: Mapping[str, Value], among: tuple[Transition, ...] | None = None
) -> Iterator[Move]:
    """Every transition of `among` (default all) that can be taken from `state`, for every choice of inputs:
    the step's assumptions hold and its target state meets every invariant. No time passes; by the interpreter."""
    inputs = system.inputs
    for combo in combinations([v.type for v in inputs], "the inputs"):
        chosen = dict(zip((v.name for v in inputs), combo, strict=True))
        reads = Frame({**state, **chosen}, None, 0)
        if not all(evaluate(a, reads) for a in system.assumptions):
            continue
        for t in system.transitions if among is None else among:
            if not evaluate(t.guard, reads):
                continue
            target = {**state, **{u.target: _normal(evaluate(u.value, reads)) for u in t.updates}}
            if all(evaluate(i, Frame({**target, **chosen}, t.name, 0)) for i in system.invariants):
                yield target, t.name, chosen


def _normal(v: Value) -> Value:
    """Fractions with denominator 1 as ints, so values compare and print the same way as decoded ones."""
    if type(v) is Fraction and v.denominator == 1:  # not isinstance: this runs for every value of every step
        return int(v)
    return v


def _check_value(v: Var, value: Value | None, name: str, step: Step) -> None:
    if not fits(v.type, value):
        raise _fail(name, step, f"{v.name} = {value!r} is not a value of type {v.type}")


def fits(t: Type, value: Value | None) -> bool:
    """`value` is a value of type `t`."""
    if isinstance(t, BoolType):
        return isinstance(value, bool)
    if isinstance(t, EnumType):
        return value in t.values
    if isinstance(t, IntType):
        return isinstance(value, int) and not isinstance(value, bool) and t.lo <= value <= t.hi
    if isinstance(t, NumType) and not t.real:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)
