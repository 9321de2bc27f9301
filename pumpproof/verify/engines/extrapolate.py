"""Long counterexamples for large counter bounds: BMC at scaled-down constants, stretched, replayed.

A tick counter that must reach T = 1000 needs a trace of thousands of steps, beyond what BMC finds
in seconds. The same model with T = 6, 7, 8 has short traces. When those traces agree step for
step, except that runs of identical steps grow linearly with T, the run lengths are extrapolated
to the real constants and the stretched trace is executed by the interpreter on the real model.
Only a trace that replays there is reported, so a wrong guess costs time, never soundness.
This engine never proves anything; it answers VIOLATED or UNKNOWN. Its traces are not always the
shortest. Models with clocks do not need it: a delay step jumps to any deadline.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

from pumpproof.errors import TooManyStates, UnsupportedError
from pumpproof.lang.ir import (
    BOOL,
    TRUE,
    Binary,
    Const,
    EnumType,
    Expr,
    IntType,
    Op,
    TransitionSystem,
    Type,
    Value,
    VarRef,
)
from pumpproof.lang.walk import fold_up, with_children
from pumpproof.verify.budget import Budget
from pumpproof.verify.engines import bmc
from pumpproof.verify.frames import Space
from pumpproof.verify.problem import SafetyProblem, conj
from pumpproof.verify.replay import replay
from pumpproof.verify.results import Result, Step, Trace, Unknown, Violated
from pumpproof.verify.steps import refuse_unbounded

NAME = "extrapolate"
LARGE = 16
"""Named integer constants at least this large are scaled (timer bounds, not channel counts)."""
SCALES = (6, 7, 8)
"""Values of the largest constant in the sample models (the others keep their ratio to it)."""
SAMPLE_SHARE = 0.1
SAMPLE_S = 2.0
"""BMC may spend this share of the budget on one sample model, and at least SAMPLE_S seconds."""
MAX_STEPS = 100_000
"""Longest stretched trace worth building and replaying."""
OFFSETS = range(-2, 3)
MULTIPLES = range(1, 5)


@dataclass(frozen=True)
class Scaling:
    """New values for the large named constants; literals derived from them follow."""

    real: dict[str, int]
    scaled: dict[str, int]

    def literal(self, v: int) -> int:
        """`v` in the scaled model: `a*C + off` (a small multiple of a large constant, a small offset) moves with C."""
        if abs(v) < LARGE:
            return v
        for name, c in self.real.items():
            for a in MULTIPLES:
                if v - a * c in OFFSETS:
                    return a * self.scaled[name] + (v - a * c)
        return v

    def type(self, t: Type) -> Type:
        """An integer range with scaled bounds."""
        return IntType(self.literal(t.lo), self.literal(t.hi)) if isinstance(t, IntType) else t

    def expr(self, e: Expr) -> Expr:
        """`e` with its literals and integer types scaled (each shared node once)."""
        return fold_up(e, self._node)

    def _node(self, e: Expr, kids: tuple[Expr, ...]) -> Expr:
        if kids:
            e = with_children(e, kids)
        if isinstance(e, Const) and isinstance(e.value, int) and not isinstance(e.value, bool):
            e = replace(e, value=self.literal(e.value))
        if isinstance(getattr(e, "type", None), IntType):
            e = replace(e, type=self.type(e.type))
        return e

    def system(self, s: TransitionSystem) -> TransitionSystem:
        """The model with the scaled constants."""
        return replace(
            s,
            constants={**s.constants, **self.scaled},
            variables=tuple(
                replace(v, type=self.type(v.type), init=None if v.init is None else self.expr(v.init))
                for v in s.variables
            ),
            transitions=tuple(
                replace(
                    t,
                    guard=self.expr(t.guard),
                    updates=tuple(replace(u, value=self.expr(u.value)) for u in t.updates),
                )
                for t in s.transitions
            ),
            assumptions=tuple(self.expr(a) for a in s.assumptions),
            invariants=tuple(self.expr(i) for i in s.invariants),
            initial=tuple(self.expr(i) for i in s.initial),
            terminals=tuple(self.expr(i) for i in s.terminals),
            monitors=tuple(
                replace(
                    m,
                    type=self.type(m.type),
                    init=None if m.init is None else self.expr(m.init),
                    update=None if m.update is None else self.expr(m.update),
                )
                for m in s.monitors
            ),
        )

    def problem(self, p: SafetyProblem) -> SafetyProblem:
        """The safety problem with the scaled constants."""
        return replace(
            p,
            system=self.system(p.system),
            bad=self.expr(p.bad),
            assumed=tuple(self.expr(a) for a in p.assumed),
            initial=self.expr(p.initial),
            constraint=self.expr(p.constraint),
        )


def scalings(system: TransitionSystem) -> list[Scaling]:
    """One scaling per sample value in SCALES, keeping the ratios of the large constants exact (none if impossible)."""
    large = {n: v for n, v in system.constants.items() if not isinstance(v, bool) and v >= LARGE}
    if not large:
        return []
    top = max(large.values())
    unit = top // math.gcd(*large.values())  # the scaled top must be a multiple of this
    out = []
    for s in SCALES:
        top_scaled = unit * s
        if top_scaled >= top:
            break
        out.append(Scaling(large, {n: v * top_scaled // top for n, v in large.items()}))
    return out


Move = tuple[str | None, tuple[tuple[str, Value], ...], Value]
"""What a step does, independent of the state: the transition, the inputs, the time it takes."""


def move(step: Step) -> Move:
    """The move that produced `step`."""
    return (step.transition, tuple(sorted(step.inputs.items())), step.elapsed)


def simulate(space: Space, first: Step, moves: list[Move]) -> Trace | None:
    """The run of `moves` from the initial step `first` (with the initial values the model declares), when every
    step is one of the model's and the last frame is bad; None otherwise. Computed by compiled code: the trace is
    only proposed, the portfolio's replay by the interpreter is the judge."""
    inputs = [first.inputs, *(dict(m[1]) for m in moves)]
    path = space.run({**first.state, **space.fixed}, inputs, [m[0] for m in moves])
    return None if path is None or not space.is_bad(path[-1]) else space.trace(path)


def smooth(problem: SafetyProblem, trace: Trace) -> Trace:
    """`trace` with inputs that do not matter set to their type's first value, then held where they matter.

    Each change is kept only if the run still violates the requirement. The result has few, long
    runs of identical moves, chosen the same way at every scale.
    """
    space = Space(problem)
    first, moves = trace.steps[0], [move(s) for s in trace.steps[1:]]
    inputs = [dict(first.inputs)] + [dict(m[1]) for m in moves]
    defaults = {v.name: _first_value(v.type) for v in problem.system.inputs}
    for hold in (False, True):
        for j, name in [(j, name) for j in range(len(inputs)) for name in defaults]:
            value = defaults[name] if not hold else inputs[j - 1][name] if j else None
            if value is None or inputs[j][name] == value:
                continue
            candidate = [dict(i) for i in inputs]
            candidate[j][name] = value
            items = [tuple(sorted(i.items())) for i in candidate]
            moved = [(m[0], items[k + 1], m[2]) for k, m in enumerate(moves)]
            smoothed = simulate(space, replace(first, inputs=candidate[0]), moved)
            if smoothed is not None:
                trace, inputs = smoothed, candidate
    return trace


def _first_value(t: Type) -> bool | int | str:
    """The value an input that does not matter is given: false, the lower bound, the first enum value."""
    if isinstance(t, IntType):
        return t.lo
    if isinstance(t, EnumType):
        return t.values[0]
    return False


Runs = list[tuple[Move, int]]


def runs(trace: Trace) -> Runs:
    """The moves of `trace`, run-length encoded."""
    out: Runs = []
    for step in trace.steps[1:]:
        m = move(step)
        if out and out[-1][0] == m:
            out[-1] = (m, out[-1][1] + 1)
        else:
            out.append((m, 1))
    return out


def stretch(a: tuple[int, Runs], b: tuple[int, Runs], target: int) -> list[Move] | None:
    """The moves at scale `target`, from runs at two scales whose lengths grow linearly (None if they do not fit)."""
    (sa, ra), (sb, rb) = a, b
    if [m for m, _ in ra] != [m for m, _ in rb]:
        return None
    out: list[Move] = []
    for (m, na), (_, nb) in zip(ra, rb, strict=True):
        grown = (nb - na) * (target - sa)
        if grown % (sb - sa):
            return None
        n = na + grown // (sb - sa)
        if n < 1 or len(out) + n > MAX_STEPS:
            return None
        out += [m] * n
    return out


def _chosen(system: TransitionSystem, first: Step) -> tuple[Move, dict[str, Value]]:
    """What a run chooses in its first state: the inputs and the state variables without initial values."""
    free = {v.name: first.state[v.name] for v in system.state_vars if v.init is None and v.name in first.state}
    return move(first), free


def check(problem: SafetyProblem, budget: Budget) -> Result:
    """A replayed counterexample stretched from scaled-down models, or Unknown saying why there is none.

    Inputs the first sample leaves at their default are pinned there in the later samples, so that
    all samples violate the requirement the same way (on the same channel, say).
    """
    start = time.time()
    if problem.system.timed:
        return Unknown(NAME, 0.0, "not needed with clocks: a delay step reaches any deadline at once")
    try:
        refuse_unbounded(problem.system, "extrapolation scales counter bounds and starts inputs at a first value")
    except UnsupportedError as err:
        return Unknown(NAME, 0.0, err.message)
    samples = scalings(problem.system)
    if not samples:
        return Unknown(NAME, 0.0, f"no integer constant of at least {LARGE} to scale down")
    found: list[tuple[int, Runs, Step]] = []
    top = max(samples[0].real, key=lambda n: samples[0].real[n])
    pins: Expr = TRUE
    real: Space | None = None
    per_sample = max(SAMPLE_S, SAMPLE_SHARE * (budget.deadline - start))
    for scaling in samples:
        if budget.expired():
            return Unknown(NAME, time.time() - start, f"timeout after {len(found)} scaled-down samples")
        small = scaling.problem(problem)
        small = replace(small, initial=conj(small.initial, pins), constraint=conj(small.constraint, pins))
        result = bmc.check(small, Budget(min(budget.deadline, time.time() + per_sample)))
        if not isinstance(result, Violated):
            return Unknown(NAME, time.time() - start, f"no counterexample with {top} = {scaling.scaled[top]}")
        trace = smooth(small, replay(small, result.trace))
        if not found:
            pins = _pins(problem.system, trace)
        found.append((scaling.scaled[top], runs(trace), trace.steps[0]))
        if len(found) < 2:
            continue
        (sa, ra, first_a), (sb, rb, first_b) = found[-2], found[-1]
        if _chosen(problem.system, first_a) != _chosen(problem.system, first_b):
            continue
        moves = stretch((sa, ra), (sb, rb), samples[0].real[top])
        if moves is None:
            continue
        if budget.expired():
            reason = f"timeout before running a stretched trace of {len(moves)} steps"
            return Unknown(NAME, time.time() - start, reason)
        try:
            stretched = simulate(real or (real := Space(problem)), first_a, moves)
        except TooManyStates:  # a stop in the run: whether no step is enabled asks every input valuation
            continue
        if stretched is not None:
            return Violated(NAME, time.time() - start, stretched)
    return Unknown(NAME, time.time() - start, "the scaled-down counterexamples do not stretch to the real constants")


def _pins(system: TransitionSystem, trace: Trace) -> Expr:
    """`input == default` for every input that keeps its default value all along `trace`."""
    out = []
    for v in system.inputs:
        default = _first_value(v.type)
        if all(s.inputs[v.name] == default for s in trace.steps):
            out.append(Binary(Op.EQ, VarRef(v.name, v.type), Const(default, v.type), BOOL))
    return conj(*out)
