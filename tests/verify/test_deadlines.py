"""`--timeout` is a deadline per question and `--total-timeout` one for the whole run, even for engines that
ignore their budget: such an engine is killed GRACE_S after the deadline and the question is UNKNOWN."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pumpproof import cli, exits
from pumpproof.lang.ir import TransitionSystem
from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify import portfolio, runs
from pumpproof.verify.budget import GRACE_S, Budget
from pumpproof.verify.engines import kliveness, lasso
from pumpproof.verify.ltl import liveness_problem
from pumpproof.verify.portfolio import AUTO, Options, decide, decide_liveness
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Result, Unknown, Violated
from pumpproof.verify.steps import can_step
from tests.helpers import problem

SLACK_S = 2.0
"""Room for forking, killing and confirming on a loaded CI machine: far below the minute an engine sleeps."""

COUNTER = """
var n: 0..9 = 0
transition inc when n < 5 do n := n + 1
transition reset when n == 5 do n := 0
"""


def ignores_its_budget(problem: SafetyProblem, budget: Budget) -> Result:
    """An engine that never looks at its deadline."""
    time.sleep(60)
    raise AssertionError("not killed")


@contextmanager
def wall_time_within(seconds: float) -> Iterator[None]:
    start = time.time()
    yield
    took = time.time() - start
    assert took < seconds + GRACE_S + SLACK_S, f"took {took:.1f} s for a deadline of {seconds} s"


@pytest.mark.parametrize("engine", ["bmc", AUTO])
def test_an_engine_that_ignores_its_budget_is_killed_after_the_deadline(
    monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    for name in portfolio.ENGINES:
        monkeypatch.setitem(portfolio.ENGINES, name, ignores_its_budget)
    with wall_time_within(1.0):
        result = decide(problem(COUNTER, "always n <= 5"), engine, timeout_s=1.0)
    assert isinstance(result, Unknown) and "timed out after 1 s" in result.reason


def test_liveness_engines_are_killed_after_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lasso, "check", ignores_its_budget)
    monkeypatch.setattr(kliveness, "check", lambda p, budget, engines: ignores_its_budget(p, budget))
    system = counter()
    text = 'requirement R\n  text "t"\n  source "s"\n  always eventually n == 0\n'
    live = liveness_problem(system, parse_requirements_text(text, "<r>", system).requirements[0])
    with wall_time_within(1.0):
        result = decide_liveness(live, timeout_s=1.0)
    assert isinstance(result, Unknown) and result.reason.count("timed out after 1 s") == 2


def test_the_initial_state_question_has_the_same_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "_initial", ignores_its_budget)
    with wall_time_within(1.0):
        result = runs.initial_state(counter(), Options(timeout_s=1.0))
    assert isinstance(result, Unknown) and result.reason == "timed out after 1 s"


TIMELOCK = """
type Mode = {Waiting, Done}
var mode: Mode = Waiting
clock t
invariant mode == Waiting -> t <= 0
environment transition finish when mode == Waiting do mode := Done
"""


def test_the_interpreters_search_for_a_timelock_keeps_to_its_budget() -> None:
    system = parse_model_text(TIMELOCK, "<timelock>")
    start = runs.initial_state(system, Options(timeout_s=30))
    assert isinstance(start, Violated)
    args = (system, runs.controller(system), can_step(system, among=()), start.trace)
    assert runs.stuck(*args, Budget.seconds(30)) is not None  # time stops in the initial state
    assert runs.stuck(*args, Budget(deadline=0.0)) is None  # out of time: undecided, not a finding


def test_total_timeout_bounds_the_run_and_leaves_the_rest_unknown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in portfolio.ENGINES:
        monkeypatch.setitem(portfolio.ENGINES, name, ignores_its_budget)
    model, reqs, report = tmp_path / "m.pump", tmp_path / "m.req", tmp_path / "r.json"
    model.write_text(COUNTER)
    reqs.write_text("".join(f'requirement R{i}\n  text "t"\n  source "s"\n  always n <= {i}\n' for i in range(5, 9)))
    with wall_time_within(2.0):
        code = cli.main(
            ["check", str(model), str(reqs), "--timeout", "1", "--total-timeout", "2", "--json", str(report)]
        )
    capsys.readouterr()
    doc = json.loads(report.read_text())
    assert code == exits.EXIT_UNKNOWN and doc["options"]["total_timeout_s"] == 2.0
    verdicts = {r["id"]: (r["verdict"], r["reason"]) for r in doc["results"]}
    assert all(v == "UNKNOWN" for v, _ in verdicts.values()), verdicts
    assert all(reason == portfolio.TOTAL_TIMEOUT for _, reason in (verdicts[f"R{i}"] for i in range(5, 9)))


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf"])
def test_timeouts_must_be_positive_seconds(capsys: pytest.CaptureFixture[str], value: str) -> None:
    for flag in ("--timeout", "--total-timeout"):
        assert cli.main(["lint", "m.pump", flag, value]) == exits.EXIT_USAGE
        assert "positive number of seconds" in capsys.readouterr().err


def counter() -> TransitionSystem:
    return parse_model_text(COUNTER, "<counter>")
