"""The plain-language narrative: one sentence per step from labels and changes, then the failing requirement."""

from __future__ import annotations

from rich.console import Console

from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.reports.counterexample import from_outcome
from pumpproof.reports.narrative import narrate
from pumpproof.reports.terminal import render_evidence, step_table
from pumpproof.verify.results import Violated
from pumpproof.verify.run import Checker, Options
from tests.reports.conftest import tick_outcome


def test_one_sentence_per_step_and_a_closing_verdict(tick) -> None:
    system, _ = tick
    cx = from_outcome(tick_outcome(tick), system)
    story = narrate(cx)
    assert len(story) == len(cx.steps) + 1
    assert [s.split(":")[0] for s in story[:-1]] == [f"step {i}" for i in range(len(cx.steps))]
    assert (
        story[0]
        == "step 0: the run starts with mode = Stopped, occluded = false (and 2 other variables as in the table)."
    )
    assert story[1].startswith("step 1: RUN/STOP pressed to start infusing (transition `start`) with button = RunStop;")
    assert "mode Stopped -> Infusing" in story[1]


def test_persisting_facts_the_requirement_reads_are_repeated(tick) -> None:
    system, _ = tick
    story = narrate(from_outcome(tick_outcome(tick), system))
    restart = story[6]
    assert restart == (
        "step 6: RUN/STOP pressed in alarm: resume (transition `restart`) with button = RunStop; "
        "mode Alarm -> Infusing, count 2 -> 0; occluded still true."
    )
    assert "still" not in story[1]  # nothing the requirement reads has been established yet
    assert story[7].endswith("nothing changes; mode still Infusing, occluded still true.")


def test_finite_and_lasso_verdicts_name_the_requirement_and_its_text(tick) -> None:
    system, _ = tick
    finite = narrate(from_outcome(tick_outcome(tick), system))[-1]
    assert finite.startswith(
        "At step 7 requirement TP-LEVEL fails: “An occlusion while infusing alarms within 3 steps.”"
    )
    lasso = narrate(from_outcome(tick_outcome(tick, loop_start=5), system))[-1]
    assert lasso.startswith("Step 7 returns to the state of step 5: steps 6..7 repeat forever")
    assert "TP-LEVEL fails" in lasso and "clocks" not in lasso  # a clock-free model has no clock caveat


def test_recalled_model_story_of_the_restart(recalled) -> None:
    system, outcomes, _ = recalled
    level = next(o for o in outcomes if o.requirement.id == "UO-LEVEL")
    story = narrate(from_outcome(level, system))
    restart = next(s for s in story if "(transition `restart`)" in s)
    assert "mode OcclusionAlarm -> Infusing" in restart and restart.endswith("occluded_up still true.")
    assert "time passes by" in story[-2] and "alarm_up still false" in story[-2]
    assert "UO-LEVEL fails" in story[-1] and level.requirement.text in story[-1]


def test_step_table_has_an_inputs_column_only_when_some_step_shows_an_input(recalled, tick) -> None:  # type: ignore[no-untyped-def]
    system, outcomes, _ = recalled
    level = next(o for o in outcomes if o.requirement.id == "UO-LEVEL")
    headers = [c.header for c in step_table(from_outcome(level, system)).columns]
    assert "inputs" not in headers and "changes" in headers  # the Spectrum model has no inputs
    headers = [c.header for c in step_table(from_outcome(tick_outcome(tick), tick[0])).columns]
    assert "inputs" in headers  # RUN/STOP is an input there


KEYS_MODEL = """
type Key = {NoKey, ResetKey}
input key: Key
var alarm: bool = false
transition raise when not alarm do alarm := true
transition reset when alarm and key == ResetKey do alarm := false
"""
FREE = "inputs at step 0 are chosen freely by the environment"


def test_inputs_of_the_initial_state_are_said_to_be_free() -> None:
    system = parse_model_text(KEYS_MODEL, "keys.pump")
    text = 'requirement K1\n  text "t"\n  source "s"\n  never (key == ResetKey)\n'
    req = parse_requirements_text(text, "keys.req", system).requirements[0]
    outcome = Checker(system, Options(timeout_s=30)).check(req)
    assert isinstance(outcome.result, Violated) and len(outcome.result.trace.steps) == 1  # fails at step 0
    cx = from_outcome(outcome, system)
    story = narrate(cx)
    assert (
        story[0]
        == f"step 0: the run starts with alarm = false, and with input key = ResetKey: {FREE} (within any `assume`)."
    )
    assert sum(FREE in s for s in story) == 1
    console = Console(record=True, width=400)
    render_evidence(console, cx)
    assert console.export_text().count(FREE) == 1


def test_initial_inputs_nothing_reads_are_not_mentioned(tick) -> None:
    system, _ = tick
    assert not any(FREE in s for s in narrate(from_outcome(tick_outcome(tick), system)))
