"""One counterexample as every renderer sees it: the requirement, the steps (from trace_view) and the facts it reads.

Built from a live Outcome or from a saved JSON report, so `pumpproof show` tells the same story
as `pumpproof check` without re-solving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from pumpproof.lang.ir import TransitionSystem, Value
from pumpproof.lang.walk import var_names
from pumpproof.reports.trace_view import StepView, collapse, delta, fmt, view
from pumpproof.verify.results import Step, Trace, Violated
from pumpproof.verify.run import Outcome

_FRACTION = re.compile(r"^-?[0-9]+/0*[1-9][0-9]*$")


@dataclass(frozen=True)
class Counterexample:
    """A VIOLATED requirement with its steps; `watched` are the state variables the requirement reads."""

    req_id: str
    text: str
    formula: str
    source: str
    location: str | None
    steps: tuple[StepView, ...]
    loop_start: int | None
    watched: tuple[str, ...]
    timed: bool

    @property
    def rows(self) -> list[StepView]:
        """The steps as tables, graphs and stories show them: long runs of repeated steps as one row."""
        return collapse(list(self.steps)) if self.loop_start is None else list(self.steps)

    @property
    def violation_step(self) -> int:
        """Index of the step where the requirement fails (the last one)."""
        return len(self.steps) - 1

    @property
    def repeating(self) -> str:
        """What a lasso repeats forever: `steps 3..5 repeat`, or `step 5 repeats` (empty for a finite trace)."""
        if self.loop_start is None:
            return ""
        first, last = self.loop_start + 1, self.violation_step
        return f"step {last} repeats" if first >= last else f"steps {first}..{last} repeat"


def watched_vars(system: TransitionSystem, outcome: Outcome) -> tuple[str, ...]:
    """State variables the requirement reads, in declaration order."""
    read = var_names(outcome.requirement.formula)
    return tuple(v.name for v in system.state_vars if v.name in read)


def from_outcome(outcome: Outcome, system: TransitionSystem | None = None) -> Counterexample:
    """The counterexample of a VIOLATED outcome, viewed through trace_view."""
    result = outcome.result
    assert isinstance(result, Violated), "only violated outcomes have counterexamples"
    if system is None:
        assert outcome.problem is not None, "a violated outcome always carries its problem"
        system = outcome.problem.system
    req = outcome.requirement
    steps = view(result.trace, system, outcome.problem)
    return Counterexample(
        req.id,
        req.text,
        req.formula_text,
        req.source,
        str(req.loc) if req.loc else None,
        tuple(steps),
        result.trace.loop_start,
        watched_vars(system, outcome),
        system.timed,
    )


def parse_value(v: Any) -> Value:
    """A value as json_report wrote it ("p/q" strings are fractions of time)."""
    if isinstance(v, str) and _FRACTION.match(v):
        return Fraction(v)
    assert isinstance(v, (bool, int, str)), f"not a model value: {v!r}"
    return v


def trace_from_json(trace: dict[str, Any]) -> Trace:
    """A saved trace (of a report json_report.load accepted) as a Trace; monitors are left to a replay."""
    steps = tuple(
        Step(
            s["index"],
            s["transition"],
            {k: parse_value(v) for k, v in s["inputs"].items()},
            {k: parse_value(v) for k, v in s["state"].items()},
            {k: parse_value(v) for k, v in s.get("monitors", {}).items()},
            elapsed=parse_value(s["elapsed"]),
            time=parse_value(s["time"]),
        )
        for s in trace["steps"]
    )
    return Trace(steps, trace["loop_start"])


def from_json(result: dict[str, Any]) -> Counterexample:
    """The counterexample of one entry of a pumpproof-result/1 report's `results`, as the report tells it."""
    trace = result["trace"]
    raw = trace["steps"]
    steps = trace_from_json(trace).steps
    # A model-free system: trace_view still computes the changes; labels and shown inputs come from the JSON.
    bare = TransitionSystem("", {}, (), ())
    views = [
        replace(sv, label=s.get("label", sv.label), inputs=_shown(step.inputs, s.get("shown_inputs")))
        for sv, s, step in zip(view(Trace(steps), bare), raw, steps, strict=True)
    ]
    timed = trace.get("timed", any(s.transition == "delay" for s in steps))
    return Counterexample(
        result["id"],
        result["text"],
        result["formula"],
        result["source"],
        result["location"],
        tuple(views),
        trace["loop_start"],
        tuple(trace.get("watched", ())),
        bool(timed),
    )


def _shown(inputs: dict[str, Value], names: list[str] | None) -> dict[str, Value]:
    # Reports written before `shown_inputs` existed show every input.
    return dict(inputs) if names is None else {k: v for k, v in inputs.items() if k in names}


# ---------------------------------------------------------------- the text of one row, shared by every table


def transition_text(s: StepView) -> str:
    """`name: label`, `delay d` or `(initial)`, and `× n` for a row of repeated steps; a synchronisation of parts
    as the parts that took part and the message, `detector[1] → manager: raise(3) — label`."""
    if s.transition is None:
        return "(initial)"
    if s.transition == "delay":
        text = f"delay {fmt(s.elapsed)}"
    elif s.moved is not None and s.moved.channel is not None:
        text = f"{s.moved.text} — {s.label}" if s.label else s.moved.text
    else:
        text = f"{s.transition}: {s.label}" if s.label else s.transition
    return text if s.repeats == 1 else f"{text} × {s.repeats}"


def inputs_text(s: StepView) -> str:
    """The inputs that mattered, `name=value`."""
    return ", ".join(f"{k}={fmt(v)}" for k, v in s.inputs.items())


def changes_text(s: StepView) -> str:
    """What changed, `x: old→new` (`x=value` in the initial state, `(+d each)` over repeated steps)."""
    text = ", ".join(
        f"{k}={fmt(new)}" if old is None else f"{k}: {fmt(old)}→{fmt(new)}{_each(s, (old, new))}"
        for k, (old, new) in s.changes.items()
    )
    return text or "(no change)"


def _each(s: StepView, change: tuple[Value | None, Value]) -> str:
    """` (+d each)`: how much a value grows per step of a row of repeated steps."""
    grown = delta(change)
    if s.repeats == 1 or grown is None:
        return ""
    per = Fraction(grown) / s.repeats
    return f" ({'+' if per >= 0 else ''}{fmt(per)} each)"
