"""Long runs of a repeated step (a tick counter counting) are one row in tables, graphs and stories; JSON keeps all."""

from __future__ import annotations

from pumpproof.lang.ir import RequirementSet, TransitionSystem
from pumpproof.reports.counterexample import Counterexample, changes_text, from_outcome, transition_text
from pumpproof.reports.graphs import trace_graph
from pumpproof.reports.json_report import trace_json
from pumpproof.reports.narrative import narrate
from pumpproof.reports.terminal import step_table
from pumpproof.reports.trace_view import MIN_RUN
from pumpproof.verify.results import Trace, Violated
from pumpproof.verify.run import Outcome
from tests.reports.conftest import step, tick_outcome

TICKS = 6


def long_trace(ticks: int = TICKS, loop_start: int | None = None) -> Trace:
    """Start, occlude, `ticks` counting steps, detect, idle."""
    base = {"mode": "Infusing", "occluded": True, "reported": False, "count": 0}
    states = [(None, {**base, "mode": "Stopped", "occluded": False}), ("start", {**base, "occluded": False})]
    states.append(("occlude", base))
    states += [("tick", {**base, "count": n}) for n in range(1, ticks + 1)]
    states += [("detect", {**base, "mode": "Alarm", "reported": True, "count": ticks})]
    states += [("idle", {**base, "mode": "Alarm", "reported": True, "count": ticks})]
    return Trace(tuple(step(i, t, s) for i, (t, s) in enumerate(states)), loop_start)


def cx_of(tick: tuple[TransitionSystem, RequirementSet], trace: Trace) -> Counterexample:
    """The counterexample view of `trace` as a violation of the tick model's requirement."""
    system, reqs = tick
    return from_outcome(Outcome(reqs.requirements[0], Violated("hand", 0.01, trace), 0.01, None), system)


def test_a_counting_run_is_one_row_saying_how_often_and_by_how_much(tick) -> None:
    cx = cx_of(tick, long_trace())
    rows = cx.rows
    assert [r.span for r in rows] == ["0", "1", "2", f"3–{2 + TICKS}", str(3 + TICKS), str(4 + TICKS)]
    run = rows[3]
    assert transition_text(run) == f"tick: the detector counts the occlusion × {TICKS}"
    assert changes_text(run) == f"count: 0→{TICKS} (+1 each)"
    assert len(step_table(cx).rows) == len(rows)


def test_graph_and_story_show_the_run_once(tick) -> None:
    cx = cx_of(tick, long_trace())
    source = trace_graph(cx).source
    assert f"s2 -> s{2 + TICKS}" in source and "s3 " not in source
    story = narrate(cx)
    assert len(story) == len(cx.rows) + 1
    assert story[3].startswith(f"steps 3–{2 + TICKS}: the detector counts the occlusion (transition `tick`)")
    assert f"{TICKS} times in a row; count 0 -> {TICKS}" in story[3]


def test_short_runs_lassos_and_the_json_keep_every_step(tick) -> None:
    short = cx_of(tick, long_trace(MIN_RUN - 1))
    assert [r.index for r in short.rows] == list(range(len(short.steps)))
    lasso = cx_of(tick, long_trace(loop_start=2))
    assert len(lasso.rows) == len(lasso.steps)
    cx = cx_of(tick, long_trace())
    assert len(trace_json(long_trace(), cx)["steps"]) == len(cx.steps) == 5 + TICKS


def test_steps_that_change_a_boolean_each_time_are_not_merged(tick) -> None:
    # Four `occlude` steps flipping `occluded`: the same move, but no constant growth to summarise.
    base = {"mode": "Infusing", "occluded": False, "reported": False, "count": 0}
    states = [{**base, "occluded": i % 2 == 1} for i in range(7)]
    trace = Trace(tuple(step(i, None if i == 0 else "occlude", s) for i, s in enumerate(states)))
    cx = cx_of(tick, trace)
    assert len(cx.rows) == len(cx.steps)


def test_the_hand_built_recall_trace_is_unchanged(tick) -> None:
    system, _ = tick
    cx = from_outcome(tick_outcome(tick), system)
    assert cx.rows == list(cx.steps)
