"""What a reader needs from a counterexample: per step, the transition, the inputs that mattered, what changed.

Shared by every renderer (terminal, graphs, narrative) so they tell the same story. Inputs are
shown only where the fired transition or the requirement reads them, and not where the transition
copies them into a state variable that shows them: the rest are noise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from pumpproof.errors import PumpproofError
from pumpproof.lang.ir import DELAY, STUTTER, Transition, TransitionSystem, Value, VarRef
from pumpproof.lang.walk import var_names
from pumpproof.verify.evaluate import value_sent
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Step, Trace


@dataclass(frozen=True)
class Move:
    """One part's share in a step: its instance path ('' for the model's own transition), the template transition
    it took, and `!` when it sent, `?` when it received, '' when it moved alone."""

    instance: str
    transition: str
    role: str = ""

    @property
    def name(self) -> str:
        """`detector[1].clear`, or `clear` for the model's own transition."""
        return f"{self.instance}.{self.transition}" if self.instance else self.transition

    @property
    def part(self) -> str:
        """The instance, or `(model)` for the model's own transitions."""
        return self.instance or MODEL_PART


MODEL_PART = "(model)"
"""How reports name the model's own variables and transitions next to its instances (no instance has this name)."""


@dataclass(frozen=True)
class Moved:
    """Who moved in a step of a composed model: the parts' moves (sender first), the channel of a synchronisation
    with the value it carried (`valued` when the channel carries one), and whether it was a broadcast."""

    moves: tuple[Move, ...]
    channel: str | None = None
    value: Value | None = None
    valued: bool = False
    broadcast: bool = False
    environment: bool = False

    @property
    def sender(self) -> Move | None:
        """The part that sent, in a synchronisation."""
        return next((m for m in self.moves if m.role == "!"), None)

    @property
    def receivers(self) -> tuple[Move, ...]:
        """The parts that received, in a synchronisation (none for a broadcast nobody heard)."""
        return tuple(m for m in self.moves if m.role == "?")

    @property
    def message(self) -> str:
        """`raise(3)`, `silence`: the channel and the value it carried (`?` if it could not be read again)."""
        if self.channel is None:
            return ""
        if not self.valued:
            return self.channel
        return f"{self.channel}({'?' if self.value is None else fmt(self.value)})"

    @property
    def text(self) -> str:
        """`detector[1].clear` for a part moving alone, `detector[1] → manager: raise(3)` for a synchronisation
        (`manager → detector[0], detector[1]: silence (broadcast)`; `→ nobody` when no part heard a broadcast)."""
        sender = self.sender
        if self.channel is None or sender is None:
            return ", ".join(m.name for m in self.moves)
        heard = ", ".join(m.part for m in self.receivers) or "nobody"
        return f"{sender.part} → {heard}: {self.message}{' (broadcast)' if self.broadcast else ''}"

    @property
    def transitions(self) -> str:
        """The parts' transitions, `detector[1].occlude` and `manager.hear`, as `fired(...)` names them."""
        return " with ".join(f"`{m.name}`" for m in self.moves)


@dataclass(frozen=True)
class StepView:
    """One step as shown to a reader; `moved` says which parts moved, in a composed model."""

    index: int
    transition: str | None
    label: str | None
    time: Value
    elapsed: Value
    inputs: dict[str, Value]
    changes: dict[str, tuple[Value | None, Value]]
    state: dict[str, Value]
    repeats: int = 1
    moved: Moved | None = None

    @property
    def first(self) -> int:
        """The index of the first step this row stands for (rows of repeated steps end at `index`)."""
        return self.index - self.repeats + 1

    @property
    def span(self) -> str:
        """`5`, or `3–1001` for a row of repeated steps."""
        return str(self.index) if self.repeats == 1 else f"{self.first}–{self.index}"

    @property
    def name(self) -> str:
        """`step 5` or `steps 3–1001`."""
        return f"step {self.span}" if self.repeats == 1 else f"steps {self.span}"


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
    """For each transition name (None for the requirement), the inputs it reads, less those it copies into a state
    variable: their values show as that variable's (a MoXI step copies every next value from an input)."""
    inputs = {v.name for v in system.inputs}
    out: dict[str | None, set[str]] = {}
    for t in system.transitions:
        read = var_names(t.guard).union(*(var_names(u.value) for u in t.updates))
        copied = {u.value.name for u in t.updates if isinstance(u.value, VarRef)}
        out[t.name] = (read & inputs) - copied
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
    labels[STUTTER] = "nothing can happen any more: the run has stopped and its last state repeats"
    reads = read_inputs(system, problem)
    composed = {t.name: t for t in system.transitions if t.origins}
    out: list[StepView] = []
    previous: dict[str, Value] | None = None
    for step in trace.steps:
        flat = composed.get(step.transition or "")
        moved = None if flat is None or previous is None else moved_in(flat, previous, step)
        if previous is None:
            changes: dict[str, tuple[Value | None, Value]] = {k: (None, v) for k, v in step.state.items()}
        else:
            changes = {k: (previous.get(k), v) for k, v in step.state.items() if previous.get(k) != v}
        relevant = reads.get(step.transition, set()) | reads.get(None, set())
        inputs = {k: v for k, v in step.inputs.items() if k in relevant}
        label = labels.get(step.transition) if step.transition else "initial state"
        out.append(
            StepView(step.index, step.transition, label, step.time, step.elapsed, inputs, changes, step.state, 1, moved)
        )
        previous = step.state
    return out


def moved_in(t: Transition, before: dict[str, Value], step: Step) -> Moved:
    """Who moved in `step`, a step of the composed transition `t` from the state `before`: the value a channel
    carried is the sender's expression read there, with the step's inputs, as the step itself read it."""
    moves = tuple(Move(o.instance, o.transition, o.role) for o in t.origins)
    sender = next((o for o in t.origins if o.role == "!"), None)
    if sender is None:
        return Moved(moves, environment=t.environment)
    try:
        value = value_sent(t, {**before, **step.inputs})
    except (PumpproofError, KeyError, ArithmeticError):
        value = None  # a trace that does not hold every value the expression reads (shown as `?`)
    return Moved(moves, sender.channel, value, sender.value is not None, sender.broadcast, t.environment)


MIN_RUN = 4
"""Runs of identical steps at least this long are shown as one row."""


def collapse(views: list[StepView]) -> list[StepView]:
    """Runs of MIN_RUN or more steps that repeat one move and change the same values by the same amounts, as one row.

    A tick-counter trace (a counter counting to 1000, one step at a time) then reads like a short
    one. The initial and the last (failing) step always keep rows of their own.
    """
    out = list(views[:1])
    i = 1
    while i < len(views):
        j = i
        while j + 1 < len(views) - 1 and _repeats(views[i], views[j + 1]):
            j += 1
        n = j - i + 1
        if n >= MIN_RUN:
            changes = {k: (views[i].changes[k][0], new) for k, (_, new) in views[j].changes.items()}
            out.append(replace(views[j], changes=changes, repeats=n))
        else:
            out += views[i : j + 1]
        i = j + 1
    return out


def _repeats(a: StepView, b: StepView) -> bool:
    """`b` does what `a` does: the same transition, inputs and duration, the same values changed by the same amounts."""
    same_move = a.transition is not None and (a.transition, a.inputs, a.elapsed) == (b.transition, b.inputs, b.elapsed)
    if not same_move or a.changes.keys() != b.changes.keys():
        return False
    return all(delta(a.changes[k]) is not None and delta(a.changes[k]) == delta(b.changes[k]) for k in a.changes)


def delta(change: tuple[Value | None, Value]) -> int | Fraction | None:
    """How much a numeric value grew in one change (None for booleans, enums and initial values)."""
    old, new = change
    numeric = (int, Fraction)
    if isinstance(old, bool) or isinstance(new, bool) or not (isinstance(old, numeric) and isinstance(new, numeric)):
        return None
    return new - old
