"""Conformance: drive a Python implementation and the model with the same steps and compare what they show.

Hypothesis stateful testing picks, at each step, inputs and one step the model allows (a
transition, or with clocks a delay that reaches the next interesting clock value); the controller
must accept the same step and then show the same values of its observable variables. The model
side is executed by the replay interpreter, never by the Z3 encoding. A failure is shrunk to a
shortest step sequence and raised as NonConformance. `explore_conformance` is the exhaustive,
deterministic counterpart for short runs: every model run up to a depth, shortest deviation first.

A controller is any object with `observe() -> {variable: value}` (the model variables it shows)
and `step(event, inputs, delay) -> bool` (False: it refuses the event; `delay` is the time of a
`delay` step, 0 otherwise). See examples/controllers/spectrum.py.

In a composed model, one part can be checked alone: `Part(system, "manager", controller)` drives a controller
of the manager component (its template transitions, the value each receive gets, its own variable names) as
a controller of the whole, the model's other parts being its environment. See examples/controllers/alarm_manager.py.
A part deep inside a model (an alarm manager, reached only after an onset, a detection delay and a broadcast) is
exercised by starting runs at the checker's witnesses: `part_witnesses` finds a run ending with each of its
transitions (examples/controllers/gpca_manager.py).
"""

from __future__ import annotations

import copy
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from pumpproof.errors import ReplayError, UnsupportedError
from pumpproof.lang.ir import (
    COMPARISONS,
    DELAY,
    FALSE,
    Binary,
    ClockType,
    Const,
    Fired,
    Transition,
    TransitionSystem,
    Value,
)
from pumpproof.lang.walk import nodes
from pumpproof.verify.evaluate import Frame, value_sent
from pumpproof.verify.portfolio import Options, verdict
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.replay import check_step, initial_state, successor
from pumpproof.verify.results import Result, Step, Trace, Violated
from pumpproof.verify.steps import combinations, values_of


class Controller(Protocol):
    """An implementation under test."""

    def observe(self) -> Mapping[str, Value]:
        """The current values of the model variables the implementation shows."""
        ...

    def step(self, event: str, inputs: Mapping[str, Value], delay: Fraction) -> bool:
        """Take the model's step `event` (a transition name or `delay`); False if the implementation refuses it."""
        ...


class PartController(Protocol):
    """An implementation of one part (a component's instance) of a composed model."""

    def observe(self) -> Mapping[str, Value]:
        """The current values of the part's variables it shows, named as inside the component (`level`), and of
        the global variables it writes, by their names (`alarm_on[2]`)."""
        ...

    def step(self, event: str, received: Value | None, delay: Fraction) -> bool:
        """Take the component's transition `event` (`hear`, `take[2]`; `delay` for time) with the value its `sync
        c?(v)` receives (None for any other step); False if the implementation refuses it."""
        ...


@dataclass
class Part:
    """A controller of one instance of a composed model, seen as a controller of the whole model: it takes part in
    the steps its instance takes part in (and every delay), and shows its variables under the instance's path."""

    system: TransitionSystem
    instance: str
    inner: PartController
    before: Mapping[str, Value] = field(default_factory=dict)
    """The model's state before the coming step (set by `advance`): what a value sent is computed from."""
    steps: dict[str, Transition] = field(init=False, repr=False)
    own: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not any(o.instance == self.instance for t in self.system.transitions for o in t.origins):
            parts = sorted({o.instance for t in self.system.transitions for o in t.origins if o.instance})
            raise UnsupportedError(
                f"no part '{self.instance}' moves in model {self.system.name}",
                hint=f"name an instance by its path: {', '.join(parts) or 'the model has no parts'}",
            )
        self.steps = {t.name: t for t in self.system.transitions}
        self.own = frozenset(v.name for v in self.system.state_vars)

    def __deepcopy__(self, memo: dict[int, object]) -> Part:
        """A copy for another branch of the explorer: its own controller, the same (immutable) model."""
        twin = copy.copy(self)
        twin.inner = copy.deepcopy(self.inner, memo)
        return twin

    def observe(self) -> Mapping[str, Value]:
        # The part's own variables by their path; a global it writes (shared state) by its own name.
        path = f"{self.instance}."
        return {(path + n if path + n in self.own else n): v for n, v in self.inner.observe().items()}

    def step(self, event: str, inputs: Mapping[str, Value], delay: Fraction) -> bool:
        if event == DELAY:
            return self.inner.step(DELAY, None, delay)
        t = self.steps[event]
        mine = [o for o in t.origins if o.instance == self.instance]
        if not mine:
            return True  # the other parts moved
        (share,) = mine
        received = value_sent(t, {**self.before, **inputs}) if share.role == "?" else None
        return self.inner.step(share.transition, received, delay)


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
        first = Step(0, None, dict(inputs), initial_state(system, first, problem.name))
        frame, step = check_step(problem, first, None, None)
        return ModelRun(problem, [step], [frame], tuple(c.name for c in system.clocks), clock_bounds(system))

    def moves(self, inputs: Mapping[str, Value]) -> list[Step]:
        """Every step the model allows next with these inputs: enabled transitions, then delays to clock bounds."""
        system = self.problem.system
        candidates = [Step(len(self.steps), t.name, dict(inputs), {}) for t in system.transitions]
        candidates += [Step(len(self.steps), DELAY, dict(inputs), {}, elapsed=d) for d in self.delays()]
        out = []
        for c in candidates:
            try:
                out.append(self.checked(c))
            except ReplayError:
                continue  # guard false, or the step breaks an assumption or invariant
        return out

    def checked(self, candidate: Step) -> Step:
        """`candidate` (a transition or delay with its inputs) as the model takes it from the current state;
        ReplayError when the model does not allow it."""
        system, prev = self.problem.system, self.steps[-1]
        frame = Frame({**prev.state, **candidate.inputs}, None, 0)
        state, elapsed = successor(system, candidate, prev, frame, system.name)
        step = Step(candidate.index, candidate.transition, candidate.inputs, state, {}, elapsed)
        return check_step(self.problem, step, self.frames[-1], prev)[1]

    def delays(self) -> list[Value]:
        """Delays worth trying: the time until each clock reaches each constant it is compared with, nearest
        first, then 1."""
        now = [self.steps[-1].state[c] for c in self.clocks]
        gaps = sorted({b - c for b in self.bounds for c in now if b > c})  # type: ignore[operator]
        return [*gaps, *([] if 1 in gaps else [1])] if self.clocks else []

    def copy(self) -> ModelRun:
        """An independent copy of the run (for exploring several continuations)."""
        return ModelRun(self.problem, list(self.steps), list(self.frames), self.clocks, self.bounds)

    def allows(self, event: str) -> bool:
        """Whether some inputs let the model take `event` next."""
        return any(
            m.transition == event for inputs in input_valuations(self.problem.system) for m in self.moves(inputs)
        )

    def take(self, step: Step) -> None:
        """Append a step returned by `moves`."""
        frame, checked = check_step(self.problem, step, self.frames[-1], self.steps[-1])
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


def machine(
    system: TransitionSystem, factory: Callable[[], Controller], starts: Sequence[Trace] = ()
) -> type[RuleBasedStateMachine]:
    """A Hypothesis state machine that runs the model and a fresh controller side by side.

    One rule per model event (each transition, and `delay` with clocks), enabled when the model
    allows the event for some inputs: Hypothesis then chooses among the events itself, including its
    swarm testing (each run leaves some rules out), which reaches deep states far sooner than a
    uniform choice at every step. A run begins in an initial state or, drawn among `starts`, at the
    end of one of those model runs (followed step by step, both sides compared).
    """
    names = [t.name for t in system.transitions] + ([DELAY] if system.timed else [])

    def draw_inputs(data: st.DataObject) -> dict[str, Value]:
        return {v.name: data.draw(st.sampled_from(values_of(v.type)), label=v.name) for v in system.inputs}

    class Conformance(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model: ModelRun | None = None
            self.controller = factory()

        @initialize(data=st.data())
        def begin(self, data: st.DataObject) -> None:
            chosen = data.draw(st.integers(0, len(starts)), label="start") if starts else 0
            if chosen:
                self.model = follow(system, self.controller, starts[chosen - 1])
            else:
                self.model = ModelRun.start(system, draw_inputs(data))
                compare(self.controller, self.model)

        def take_event(self, name: str, data: st.DataObject) -> None:
            assert self.model is not None
            chosen = draw_inputs(data)
            moves = [m for m in self.model.moves(chosen) if m.transition == name]
            assume(moves)  # these inputs do not enable the event
            move = moves[0] if len(moves) == 1 else data.draw(st.sampled_from(moves), label="delay")
            advance(self.controller, self.model, move)

    for name in names:
        rule_name = _rule_name(name)
        setattr(Conformance, rule_name, _event_rule(name, rule_name))
    return Conformance


def _rule_name(event: str) -> str:
    """A Python identifier for the rule of `event` (a composed model's names hold `.`, `[`, `+`), unique by
    a hash of the name."""
    readable = re.sub(r"\W", "_", event)
    return f"event_{readable}_{zlib.crc32(event.encode()):08x}"


def _event_rule(name: str, rule_name: str) -> Callable[..., None]:
    """The rule that takes model event `name` (see `machine`)."""

    def enabled(self: Any) -> bool:
        return self.model is not None and self.model.allows(name)

    def take(self: Any, data: st.DataObject) -> None:
        self.take_event(name, data)

    take.__name__ = rule_name
    return precondition(enabled)(rule(data=st.data())(take))


def compare(controller: Controller, model: ModelRun) -> None:
    """Raise NonConformance unless the controller shows what the model's current state holds."""
    shown = controller.observe()
    state = model.steps[-1].state
    unknown = sorted(set(shown) - set(state))
    if unknown:
        raise NonConformance(f"the controller shows variables the model lacks: {', '.join(unknown)}", ())
    differ = [f"{k} = {shown[k]!r} (model: {state[k]!r})" for k in sorted(shown) if shown[k] != state[k]]
    if differ:
        raise NonConformance("the controller shows " + "; ".join(differ), tuple(model.steps))


def advance(controller: Controller, model: ModelRun, move: Step) -> None:
    """Take one model step (from `model.moves`) on both sides and compare what they show."""
    assert move.transition is not None
    delay = Fraction(move.elapsed) if move.transition == DELAY else Fraction(0)
    if isinstance(controller, Part):
        controller.before = model.steps[-1].state
    if not controller.step(move.transition, move.inputs, delay):
        steps = (*model.steps, move)
        raise NonConformance(f"the controller refuses {steps_text(steps[-2:])}, which the model allows", steps)
    model.take(move)
    compare(controller, model)


def follow(system: TransitionSystem, controller: Controller, run: Trace) -> ModelRun:
    """The model taken along `run` (a run of it, such as a witness from the checker) with `controller` beside it,
    compared at every step; the model at the run's end."""
    model = ModelRun.start(system, run.steps[0].inputs)
    compare(controller, model)
    for s in run.steps[1:]:
        try:
            move = model.checked(Step(len(model.steps), s.transition, s.inputs, {}, elapsed=s.elapsed))
        except ReplayError as e:
            raise UnsupportedError(
                f"the start run is not a run of model {system.name} at its step {s.index}: {e}",
                hint="start from runs of the model checked (witnesses from part_witnesses)",
            ) from e
        advance(controller, model, move)
    return model


def part_witnesses(system: TransitionSystem, instance: str, options: Options) -> dict[str, Result]:
    """For each transition of `instance`'s component (`hear[2]`), the checker's answer to "can it fire?": a
    replayed run of the whole model ending with it (Violated), a proof that it never fires, or Unknown.

    Starting conformance runs at these witnesses exercises every transition of the part, however deep in the
    model's runs it lies: random runs of a composed model rarely get its environment to an alarm."""
    shares: dict[str, list[str]] = {}
    for t in system.transitions:
        for o in t.origins:
            if o.instance == instance:
                shares.setdefault(o.transition, []).append(t.name)
    return {
        name: verdict(SafetyProblem(f"{instance}.{name} fires", system, Fired(tuple(flat))), options)
        for name, flat in sorted(shares.items())
    }


def witness_runs(results: Mapping[str, Result]) -> list[Trace]:
    """The witness runs among `part_witnesses`' answers."""
    return [r.trace for r in results.values() if isinstance(r, Violated)]


def explore_conformance(
    system: TransitionSystem, factory: Callable[[], Controller], depth: int, starts: Sequence[Trace] = ()
) -> int:
    """Every model run of up to `depth` steps, breadth first, against copies of the controller, from each initial
    state and from the end of each of the model runs `starts` (followed step by step, both sides compared).

    The exhaustive counterpart of `check_conformance`: deterministic, and the NonConformance it
    raises is a shortest one from its start. Pairs of (model state, controller attributes) seen before are not
    explored again. Returns the number of distinct pairs visited.
    """
    valuations = input_valuations(system)
    layer: list[tuple[Controller, ModelRun]] = []
    for inputs in valuations:
        model, controller = ModelRun.start(system, inputs), factory()
        compare(controller, model)
        layer.append((controller, model))
    for run in starts:
        controller = factory()
        layer.append((controller, follow(system, controller, run)))
    seen = {pair_key(c, m) for c, m in layer}
    for _ in range(depth):
        following = []
        for controller, model in layer:
            for move in (m for inputs in valuations for m in model.moves(inputs)):
                c, m = copy.deepcopy(controller), model.copy()
                advance(c, m, move)
                key = pair_key(c, m)
                if key not in seen:
                    seen.add(key)
                    following.append((c, m))
        layer = following
    return len(seen)


def input_valuations(system: TransitionSystem) -> list[dict[str, Value]]:
    """Every valuation of the model's inputs."""
    names = [v.name for v in system.inputs]
    choices = combinations([v.type for v in system.inputs], "the inputs")
    return [dict(zip(names, vs, strict=True)) for vs in choices]


def pair_key(controller: Controller, model: ModelRun) -> tuple[str, str]:
    """What identifies a (controller, model) pair for the explorer: the model state and the controller's attributes."""
    own = controller.inner if isinstance(controller, Part) else controller
    return repr(sorted(model.steps[-1].state.items())), repr(sorted(vars(own).items()))


def check_conformance(
    system: TransitionSystem,
    factory: Callable[[], Controller],
    max_examples: int = 200,
    max_steps: int = 30,
    derandomize: bool = False,
    starts: Sequence[Trace] = (),
) -> None:
    """Run the conformance test (runs begin at an initial state or at the end of one of the model runs `starts`);
    raises NonConformance with a shrunk step sequence if the controller deviates."""
    config = settings(
        max_examples=max_examples,
        stateful_step_count=max_steps,
        deadline=None,
        derandomize=derandomize,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    run_state_machine_as_test(machine(system, factory, starts), settings=config)
