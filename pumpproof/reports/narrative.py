"""The plain-language story of a counterexample: one sentence per step, then which requirement fails and why.

Sentences come from the transition labels and the changed values (trace_view); facts the
requirement reads that persist are repeated where they matter, because a reviewer should not
have to scan the table to see that the occlusion is still there.
"""

from __future__ import annotations

from pumpproof.lang.ir import DELAY, STUTTER, Value
from pumpproof.reports.counterexample import Counterexample
from pumpproof.reports.trace_view import StepView, fmt


def narrate(cx: Counterexample) -> list[str]:
    """One sentence per step of `cx`, and a last one saying which requirement fails and why."""
    initial = cx.steps[0].state if cx.steps else {}
    out = [_sentence(s, cx, initial) for s in cx.rows]
    out.append(_verdict(cx))
    return out


def _sentence(s: StepView, cx: Counterexample, initial: dict[str, Value]) -> str:
    if s.transition is None:
        shown = [k for k, v in s.state.items() if k in cx.watched or isinstance(v, str)] or list(s.state)
        values = ", ".join(f"{k} = {fmt(s.state[k])}" for k in shown)
        rest = len(s.state) - len(shown)
        more = f" (and {rest} other variable{'s' if rest != 1 else ''} as in the table)" if rest else ""
        return f"step {s.index}: the run starts with {values}{more}{_free_inputs(s)}."
    parts = [f"{s.name}: {_event(s)}"]
    if s.repeats > 1:
        parts.append(f"{s.repeats} times in a row")
    changed = ", ".join(f"{k} {fmt(old)} -> {fmt(new)}" for k, (old, new) in s.changes.items())
    parts.append(changed or "nothing changes")
    persisting = _persisting(s, cx, initial)
    if persisting:
        parts.append(persisting)
    return "; ".join(parts) + "."


def _free_inputs(s: StepView) -> str:
    """The initial state's inputs, and why they may be anything: no transition has read them yet."""
    if not s.inputs:
        return ""
    values = ", ".join(f"{k} = {fmt(v)}" for k, v in s.inputs.items())
    inputs = "inputs" if len(s.inputs) > 1 else "input"
    return f", and with {inputs} {values}: inputs at step 0 are chosen freely by the environment (within any `assume`)"


def _event(s: StepView) -> str:
    """What happened: the label and the transition, or the delay, with the inputs that mattered."""
    if s.transition == DELAY:
        event = f"time passes by {fmt(s.elapsed)} (delay)"
    elif s.transition == STUTTER:
        event = "the run has stopped: no transition can be taken, so its last state repeats as time goes on"
    elif s.moved is not None and s.moved.channel is not None:  # parts synchronised: who told whom what
        who = f"{s.moved.text}, by {s.moved.transitions}"
        event = f"{s.label} ({who})" if s.label else who
    elif s.label:
        event = f"{s.label} (transition `{s.transition}`)"
    else:
        event = f"transition `{s.transition}` fires"
    if s.inputs:
        event += " with " + ", ".join(f"{k} = {fmt(v)}" for k, v in s.inputs.items())
    return event


def _persisting(s: StepView, cx: Counterexample, initial: dict[str, Value]) -> str:
    """Unchanged facts the requirement reads: those the run established, and all of them at the failing step."""
    last = s.index == cx.violation_step
    kept = [k for k in cx.watched if k in s.state and k not in s.changes and (last or s.state[k] != initial.get(k))]
    return ", ".join(f"{k} still {fmt(s.state[k])}" for k in kept)


def _verdict(cx: Counterexample) -> str:
    """The closing sentence: where the requirement fails, its text, and its formula."""
    why = f"requirement {cx.req_id} fails: “{cx.text}” (formula: {cx.formula})"
    if cx.loop_start is not None:
        last = cx.violation_step
        same = " (clocks past every constant they are compared with count as equal)" if cx.timed else ""
        return (
            f"Step {last} returns to the state of step {cx.loop_start}{same}: {cx.repeating} forever, "
            f"and on that infinite run {why}."
        )
    return f"At step {cx.violation_step} {why}."
