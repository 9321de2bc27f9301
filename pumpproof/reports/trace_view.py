"""What a reader needs from a counterexample: per step, the transition, the inputs that mattered, what changed.

Shared by every renderer (terminal, graphs, narrative) so they tell the same story. Inputs are
shown only where the fired transition or the requirement reads them: the rest are noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pumpproof.lang.ir import DELAY, TransitionSystem, Value
from pumpproof.lang.walk import var_names
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Trace


@dataclass(frozen=True)
class StepView:
    """One step as shown to a reader."""

    index: int
    transition: str | None
    label: str | None
    time: Value
    elapsed: Value
    inputs: dict[str, Value]
    changes: dict[str, tuple[Value | None, Value]]
    state: dict[str, Value]


def fmt(v: Value | None) -> str:
    """A value as the model language writes it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{float(v):.3f}".rstrip("0")
    return "-" if v is None else str(v)


def read_inputs(
    system: TransitionSystem, problem: SafetyProblem | LivenessProblem | None
) -> dict[str | None, set[str]]:
    """For each transition name (None for the requirement), the inputs it reads."""
    inputs = {v.name for v in system.inputs}
    out: dict[str | None, set[str]] = {}
    for t in system.transitions:
        read = var_names(t.guard).union(*(var_names(u.value) for u in t.updates))
        out[t.name] = read & inputs
    if problem is not None:
        watched = problem.bad if isinstance(problem, SafetyProblem) else problem.formula
        read = var_names(watched).union(*(var_names(e) for m in problem.system.monitors for e in m.exprs()))
        out[None] = read & inputs
    return out


def view(
    trace: Trace, system: TransitionSystem, problem: SafetyProblem | LivenessProblem | None = None
) -> list[StepView]:
    """The steps of `trace` with only relevant inputs and changed values."""
    labels = {t.name: t.label for t in system.transitions}
    labels[DELAY] = "time passes"
    reads = read_inputs(system, problem)
    out: list[StepView] = []
    previous: dict[str, Value] | None = None
    for step in trace.steps:
        if previous is None:
            changes: dict[str, tuple[Value | None, Value]] = {k: (None, v) for k, v in step.state.items()}
        else:
            changes = {k: (previous.get(k), v) for k, v in step.state.items() if previous.get(k) != v}
        relevant = reads.get(step.transition, set()) | reads.get(None, set())
        inputs = {k: v for k, v in step.inputs.items() if k in relevant}
        label = labels.get(step.transition) if step.transition else "initial state"
        out.append(StepView(step.index, step.transition, label, step.time, step.elapsed, inputs, changes, step.state))
        previous = step.state
    return out
