"""Conformance: drive a Python implementation and the model with the same steps and compare what they show.

Hypothesis stateful testing picks, at each step, inputs and one step the model allows (a
transition, or with clocks a delay that reaches the next interesting clock value); the controller
must accept the same step and then show the same values of its observable variables. The model
side is executed by the replay interpreter, never by the Z3 encoding. A failure is shrunk to a
shortest step sequence and raised as NonConformance.

A controller is any object with `observe() -> {variable: value}` (the model variables it shows)
and `step(event, inputs, delay) -> bool` (False: it refuses the event; `delay` is the time of a
`delay` step, 0 otherwise). See examples/controllers/spectrum.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from pumpproof.errors import ReplayError, UnsupportedError
from pumpproof.lang.ir import COMPARISONS, DELAY, FALSE, Binary, ClockType, Const, TransitionSystem, Value
from pumpproof.lang.walk import nodes
from pumpproof.verify.evaluate import Frame
from pumpproof.verify.explicit import values_of
from pumpproof.verify.problem import SafetyProblem

# The replay interpreter's step semantics, reused (to become public: initial_state, successor, check_step).
from pumpproof.verify.replay import _initial_state, _replay_step, _successor
from pumpproof.verify.results import Step


class Controller(Protocol):
    """An implementation under test."""

    def observe(self) -> Mapping[str, Value]:
        """The current values of the model variables the implementation shows."""
        ...

    def step(self, event: str, inputs: Mapping[str, Value], delay: Fraction) -> bool:
        """Take the model's step `event` (a transition name or `delay`); False if the implementation refuses it."""
        ...


class NonConformance(AssertionError):
    """The implementation and the model disagree after `steps` (the model's run, shrunk by Hypothesis)."""

    def __init__(self, message: str, steps: tuple[Step, ...]) -> None:
        super().__init__(f"{message}\nsteps: {steps_text(steps)}")
        self.steps = steps


def steps_text(steps: tuple[Step, ...]) -> str:
    """`start, delay 3000, detect_upstream_occlusion`: a run as the steps it takes."""
    return ", ".join(f"delay {s.elapsed}" if s.transition == DELAY else str(s.transition) for s in steps[1:]) or "-"


@dataclass
class ModelRun:
    """The model's side: the run so far, extended one legal step at a time by the replay interpreter."""

    problem: SafetyProblem
    steps: list[Step]
    frames: list[Frame]
    clocks: tuple[str, ...] = ()
    bounds: frozenset[int] = frozenset()

    @staticmethod
    def start(system: TransitionSystem, inputs: Mapping[str, Value]) -> ModelRun:
        """The run at the initial state (every state variable must have an initial value)."""
        free = [v.name for v in system.state_vars if v.init is None and not isinstance(v.type, ClockType)]
        if free:
            raise UnsupportedError(
                f"conformance needs a single initial state; no initial value for {', '.join(free)}",
                hint="give every state variable an initial value (`var x: bool = false`)",
            )
        problem = SafetyProblem(f"{system.name}: conformance", system, FALSE)
        first = Step(0, None, dict(inputs), {})
        first = Step(0, None, dict(inputs), _initial_state(system, first, problem.name))
        frame, step = _replay_step(problem, first, None, None)
        return ModelRun(problem, [step], [frame], tuple(c.name for c in system.clocks), clock_bounds(system))

    def moves(self, inputs: Mapping[str, Value]) -> list[Step]:
        """Every step the model allows next with these inputs: enabled transitions, then delays to clock bounds."""
        system, prev = self.problem.system, self.steps[-1]
        candidates = [Step(len(self.steps), t.name, dict(inputs), {}) for t in system.transitions]
        candidates += [Step(len(self.steps), DELAY, dict(inputs), {}, elapsed=d) for d in self.delays()]
        out = []
        for c in candidates:
            try:
                state, elapsed = _successor(system, c, prev, Frame({**prev.state, **inputs}, None, 0), system.name)
                step = Step(c.index, c.transition, c.inputs, state, {}, elapsed)
                out.append(_replay_step(self.problem, step, self.frames[-1], prev)[1])
            except ReplayError:
                continue  # guard false, or the step breaks an assumption or invariant
        return out

    def delays(self) -> list[Value]:
        """Delays worth trying: 1, and the time until each clock reaches each constant it is compared with."""
        now = [self.steps[-1].state[c] for c in self.clocks]
        gaps = {b - c for b in self.bounds for c in now if b > c}  # type: ignore[operator]
        return sorted({1, *gaps}) if self.clocks else []

    def take(self, step: Step) -> None:
        """Append a step returned by `moves`."""
        frame, checked = _replay_step(self.problem, step, self.frames[-1], self.steps[-1])
        self.steps.append(checked)
        self.frames.append(frame)


def clock_bounds(system: TransitionSystem) -> frozenset[int]:
    """The integer constants compared with anything in guards and invariants: the clock values where things change."""
    exprs = [t.guard for t in system.transitions] + list(system.invariants)
    return frozenset(
        int(n.value)
        for e in exprs
        for cmp in nodes(e)
        if isinstance(cmp, Binary) and cmp.op in COMPARISONS
        for n in (cmp.left, cmp.right)
        if isinstance(n, Const) and isinstance(n.value, int) and not isinstance(n.value, bool)
    )


def machine(system: TransitionSystem, factory: Callable[[], Controller]) -> type[RuleBasedStateMachine]:
    """A Hypothesis state machine that runs the model and a fresh controller side by side."""
    inputs = system.inputs
    names = [t.name for t in system.transitions] + ([DELAY] if system.timed else [])

    def draw_inputs(data: st.DataObject) -> dict[str, Value]:
        return {v.name: data.draw(st.sampled_from(values_of(v.type)), label=v.name) for v in inputs}

    class Conformance(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model: ModelRun | None = None
            self.controller = factory()

        def compare(self) -> None:
            assert self.model is not None
            shown = self.controller.observe()
            state = self.model.steps[-1].state
            unknown = sorted(set(shown) - set(state))
            if unknown:
                raise NonConformance(f"the controller shows variables the model lacks: {', '.join(unknown)}", ())
            differ = [f"{k} = {shown[k]!r} (model: {state[k]!r})" for k in sorted(shown) if shown[k] != state[k]]
            if differ:
                raise NonConformance("the controller shows " + "; ".join(differ), tuple(self.model.steps))

        @rule(data=st.data())
        def step(self, data: st.DataObject) -> None:
            chosen = draw_inputs(data)
            if self.model is None:
                self.model = ModelRun.start(system, chosen)
                self.compare()
                return
            # Steps are drawn by name, not by position among the enabled ones, so that deleting a step
            # while shrinking leaves the meaning of the later ones unchanged.
            allowed = self.model.moves(chosen)
            enabled = {m.transition for m in allowed}
            if not enabled:
                return
            name = data.draw(st.sampled_from(names).filter(enabled.__contains__), label="event")
            moves = [m for m in allowed if m.transition == name]
            move = moves[0] if len(moves) == 1 else data.draw(st.sampled_from(moves), label="delay")
            delay = Fraction(move.elapsed) if move.transition == DELAY else Fraction(0)
            assert move.transition is not None
            if not self.controller.step(move.transition, chosen, delay):
                steps = (*self.model.steps, move)
                raise NonConformance(f"the controller refuses {steps_text(steps[-2:])}, which the model allows", steps)
            self.model.take(move)
            self.compare()

    return Conformance


def check_conformance(
    system: TransitionSystem,
    factory: Callable[[], Controller],
    max_examples: int = 200,
    max_steps: int = 30,
    derandomize: bool = False,
) -> None:
    """Run the conformance test; raises NonConformance with a shrunk step sequence if the controller deviates."""
    config = settings(
        max_examples=max_examples,
        stateful_step_count=max_steps,
        deadline=None,
        derandomize=derandomize,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    run_state_machine_as_test(machine(system, factory), settings=config)
