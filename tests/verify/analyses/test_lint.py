"""Lint: dead transitions, unreached enum values, deadlocks (the explicit checker as reference)."""

from __future__ import annotations

import networkx as nx
from rich.console import Console

from pumpproof.lang.ir import FALSE
from pumpproof.lang.load import parse_model_text
from pumpproof.reports.lint import render as render_lint
from pumpproof.verify.analyses.lint import lint
from pumpproof.verify.portfolio import Options
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Proved, Violated
from pumpproof.verify.runs import DEADLOCK_ID, TIME_ID, Stop
from pumpproof.verify.state_space import reachable_graph
from tests.helpers import STUCK

OPTIONS = Options(timeout_s=30)


def test_dead_transitions_unreached_values_and_deadlock() -> None:
    system = parse_model_text(STUCK, "stuck.pump")
    cov = lint(system, OPTIONS)
    assert [f.subject for f in cov.dead_transitions] == ["transition fail"]  # the assumption forces go while running
    assert {f.subject for f in cov.unreached_values} == {"mode == Broken", "mode == Off"}
    (deadlock,) = cov.stops
    assert deadlock.id == DEADLOCK_ID and isinstance(deadlock.result, Violated)
    assert [s.transition for s in deadlock.result.trace.steps[1:]] == ["start", "jam"]
    assert not cov.clean


def test_deadlock_check_agrees_with_the_explicit_state_graph() -> None:
    system = parse_model_text(STUCK, "stuck.pump")
    graph = reachable_graph(SafetyProblem("all", system, FALSE))
    stuck = {dict(n.state)["mode"] for n in graph if graph.out_degree(n) == 0}
    assert stuck == {"Run"}
    assert nx.is_directed(graph)
    free = parse_model_text(STUCK.replace("and not jammed do mode := Idle", "do mode := Idle"), "free.pump")
    cov = lint(free, OPTIONS)
    assert cov.runs.deadlock is not None and isinstance(cov.runs.deadlock.result, Proved)
    assert not cov.runs.stutter  # no run stops: requirements need not extend any


def test_declared_terminal_states_are_not_deadlocks() -> None:
    system = parse_model_text(STUCK + "terminal mode == Run and jammed\n", "stuck.pump")
    graph = reachable_graph(SafetyProblem("all", system, FALSE))
    assert {dict(n.state)["jammed"] for n in graph if graph.out_degree(n) == 0} == {True}
    cov = lint(system, OPTIONS)
    assert cov.runs.deadlock is not None and isinstance(cov.runs.deadlock.result, Proved)
    assert cov.runs.stutter  # the terminal state still stops the run: it repeats
    console = Console(record=True, width=160)
    render_lint(console, cov)
    assert "deadlocks: none (terminal states excepted)" in console.export_text()
    narrower = parse_model_text(STUCK + "terminal mode == Idle\n", "stuck.pump")
    assert [c.id for c in lint(narrower, OPTIONS).stops] == [DEADLOCK_ID]


DETECTOR = """
clock x
var occluded: bool = false
var alarm: bool = false
invariant occluded and not alarm -> x <= 5
environment transition begins when not occluded do occluded := true; x := 0
environment transition clears when occluded do occluded := false; alarm := false
transition detect when occluded and not alarm and x >= 5 do alarm := true
"""


def test_a_detector_that_cannot_fire_at_its_deadline_is_a_timelock() -> None:
    ok = lint(parse_model_text(DETECTOR, "ok.pump"), OPTIONS)
    assert ok.runs.time is not None and isinstance(ok.runs.time.result, Proved) and ok.clean
    late = lint(parse_model_text(DETECTOR.replace("x >= 5", "x > 5"), "late.pump"), OPTIONS)
    (stop,) = late.stops
    assert stop.id == TIME_ID and stop.stop is Stop.TIMELOCK and isinstance(stop.result, Violated)
    last = stop.result.trace.steps[-1]
    assert last.state["occluded"] and not last.state["alarm"] and last.state["x"] == 5
    assert late.findings and not late.clean
    console = Console(record=True, width=160)
    render_lint(console, late)
    text = console.export_text()
    assert "MODEL.TIME: time cannot pass, the pump can do nothing, and only the environment can act" in text
    assert "begins → delay 5" in text and "time: see above" in text
    # Unmarked, `clears` is the pump's own move, and it lets time pass: nothing is found, and lint says why.
    unmarked = lint(parse_model_text(DETECTOR.replace("environment ", ""), "unmarked.pump"), OPTIONS)
    assert not unmarked.stops and "no transition is marked 'environment'" in unmarked.notes[0]


def test_a_clock_that_can_neither_pass_nor_be_left_is_a_deadlock() -> None:
    model = """
clock x
var done: bool = false
invariant not done -> x <= 5
transition finish when x >= 6 do done := true
"""
    cov = lint(parse_model_text(model, "timelock.pump"), OPTIONS)
    assert [f.subject for f in cov.dead_transitions] == ["transition finish"]
    (stop,) = cov.stops
    assert stop.stop is Stop.DEADLOCK and stop.result.trace.steps[-1].state["x"] == 5  # type: ignore[union-attr]
    fixed = lint(parse_model_text(model.replace(">= 6", ">= 5"), "ok.pump"), OPTIONS)
    assert not fixed.stops and fixed.runs.time is not None  # after finishing, time passes freely
    assert isinstance(fixed.runs.time.result, Proved)


def test_spectrum_model_is_fully_covered_and_lint_prints_it(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    cov = lint(system, OPTIONS)
    assert cov.clean, [(f.subject, f.result) for f in cov.undecided]
    console = Console(record=True, width=120)
    render_lint(console, cov)
    assert "9/9 transitions fire, 3/3 enum values occur, time: always passes" in console.export_text()


def test_lint_report_names_each_finding() -> None:
    cov = lint(parse_model_text(STUCK, "stuck.pump"), OPTIONS)
    console = Console(record=True, width=160)
    render_lint(console, cov)
    text = console.export_text()
    assert "MODEL.DEADLOCK: a reachable state where no transition can be taken" in text and "start → jam" in text
    assert "stuck.pump:12:12: dead transition: fail never fires" in text
    assert "unreached value: no reachable state has mode == Off" in text


PING = """
chan ping
component Sender
  var sent: bool = false
  transition send sync ping! when not sent do sent := true
end
component Quick
  var heard: bool = false
  transition hear sync ping? do heard := true
end
component Deaf
  var heard: bool = false
  transition hear sync ping? when heard do heard := false
end
instance s: Sender
instance quick: Quick
instance deaf: Deaf
terminal s.sent
"""


def test_a_sync_with_partners_that_never_meet_them_is_named_by_its_part() -> None:
    cov = lint(parse_model_text(PING, "ping.pump"), OPTIONS)
    (deaf,) = cov.silent_syncs
    assert deaf.subject == "deaf.hear (sync ping?)" and deaf.origin.loc is not None and deaf.origin.loc.line == 13
    assert [f.subject for f in deaf.steps] == ["transition s.send+deaf.hear"]
    console = Console(record=True, width=200)
    render_lint(console, cov)
    text = console.export_text()
    assert (
        "ping.pump:13:" in text
        and "sync never happens: deaf.hear (sync ping?) has partners, but its one synchronisation never fires" in text
    )
    # Without the partner that listens, the send never happens either: both halves are named.
    alone = lint(parse_model_text(PING.replace("instance quick: Quick\n", ""), "alone.pump"), OPTIONS)
    assert {s.subject for s in alone.silent_syncs} == {"s.send (sync ping!)", "deaf.hear (sync ping?)"}
    assert all(f.loc is not None for s in alone.silent_syncs for f in s.steps)
