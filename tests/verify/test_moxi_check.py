"""MoXI models checked end to end: known verdicts both ways, replayed counterexamples that name the MoXI variables,
re-checked proofs, assumptions and :current per the MoXI draft, models without runs and models that deadlock."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pumpproof.lang.ir import Value
from pumpproof.lang.load import load_model, load_requirements, parse_moxi_text
from pumpproof.reports.trace_view import view
from pumpproof.verify import explicit
from pumpproof.verify.budget import Budget
from pumpproof.verify.independent import certify
from pumpproof.verify.portfolio import Options, decide
from pumpproof.verify.replay import replay
from pumpproof.verify.results import Proved, Vacuous, Verdict, Violated
from pumpproof.verify.run import Outcome, check_all, problem_for
from pumpproof.verify.runs import DEADLOCK_ID

MODELS = Path(__file__).resolve().parent.parent / "models" / "moxi"


def outcomes(path: Path | str, text: str | None = None) -> dict[str, Outcome]:
    """`check` on a MoXI file (or on `text` read as that file), by requirement id."""
    if text is None:
        system = load_model(str(path))
        reqs = load_requirements(None, system)
    else:
        model = parse_moxi_text(text, str(path))
        system, reqs = model.system, model.requirements
    return {o.requirement.id: o for o in check_all(system, reqs, Options(timeout_s=30))}


def states(outcome: Outcome) -> list[dict[str, Value]]:
    result = outcome.result
    assert isinstance(result, Violated), result
    return [s.state for s in result.trace.steps]


def test_an_unbounded_counter_never_goes_negative_and_reaches_five() -> None:
    found = outcomes(MODELS / "counter.moxi")
    assert isinstance(found["never_negative"].result, Proved)
    run = states(found["never_five"])
    assert [s["n"] for s in run] == [0, 1, 2, 3, 4, 5]  # the shortest run: five ticks
    assert all(set(s) == {"tick", "n"} for s in run)  # the MoXI variables, not the next values


def test_the_counterexample_replays_and_reads_like_the_moxi_model() -> None:
    outcome = outcomes(MODELS / "counter.moxi")["never_five"]
    result = outcome.result
    assert isinstance(result, Violated) and outcome.problem is not None
    assert replay(outcome.problem, result.trace).steps[-1].state["n"] == 5  # type: ignore[arg-type]
    rows = view(result.trace, outcome.problem.system, outcome.problem)
    assert all(not row.inputs for row in rows)  # the next values are shown as the variables they become
    assert rows[1].transition == "step" and rows[1].changes["n"] == (0, 1)


def test_a_moxi_proof_is_confirmed_by_cvc5() -> None:
    found = outcomes(MODELS / "counter.moxi")
    (proof,) = certify([found["never_negative"]])
    assert proof.ok, [c.answer for c in proof.checks]
    assert any(c.obligation.name.startswith("initiation") for c in proof.checks)


def test_assumptions_hold_in_every_state_and_step_and_current_replaces_the_initial_condition() -> None:
    found = outcomes(MODELS / "environment.moxi")
    assert isinstance(found["never_low"].result, Proved)  # from 10, a sum of non-negative inputs
    run = states(found["never_big"])
    assert [s["o"] for s in run][0] == 10 and run[-1]["o"] > 13
    assert all(0 <= int(s["i"]) <= 2 for s in run)  # `small`, in every state
    assert all(int(s["i"]) > 0 for s in run[1:])  # `rising`, on every step: the input after it
    text = (MODELS / "environment.moxi").read_text()
    without_current = outcomes("environment.moxi", text.replace(" start))", "))"))
    assert states(without_current["never_low"])[0]["o"] == 0  # the :init holds again: 0 < 10 at once
    without_rising = outcomes("environment.moxi", text.replace(" rising", ""))
    assert states(without_rising["never_big"])[-1]["o"] > 13  # still reachable: inputs of 2


def test_a_model_without_a_run_makes_every_query_vacuous() -> None:
    (outcome,) = outcomes(MODELS / "no_start.moxi").values()
    assert isinstance(outcome.result, Vacuous)
    assert "no initial state meets its initial condition" in outcome.result.reason


def test_a_state_without_successor_is_reached_on_a_finite_run_and_the_deadlock_is_found() -> None:
    found = outcomes(MODELS / "dead_end.moxi")
    assert [s["b"] for s in states(found["never_done"])] == [False, True]
    assert found[DEADLOCK_ID].result.verdict is Verdict.VIOLATED  # only Bool variables: the stop is found


def test_several_reachability_conditions_must_each_be_reached_somewhere_on_the_run() -> None:
    found = outcomes(MODELS / "shift.moxi")
    run = states(found["q_both"])
    full = [all(s[v] for v in ("s1", "s2", "s3")) for s in run]
    gap = [bool(s["s1"] and not s["s2"] and s["s3"]) for s in run]
    assert any(full) and any(gap) and not any(f and g for f, g in zip(full, gap, strict=True))
    assert isinstance(found["q_impossible"].result, Proved)


@pytest.mark.parametrize("query", ["q_full", "q_gap", "q_late", "q_both", "q_impossible"])
def test_the_engines_agree_with_the_explicit_state_checker_on_a_boolean_moxi_model(query: str) -> None:
    system = load_model(str(MODELS / "shift.moxi"))
    (req,) = [r for r in load_requirements(None, system).requirements if r.id == query]
    problem = replace(problem_for(system, req), stutter=False)
    truth = explicit.check(problem, Budget.seconds(60))  # type: ignore[arg-type]
    symbolic = decide(problem, timeout_s=60)  # type: ignore[arg-type]
    assert truth.verdict in (Verdict.PROVED, Verdict.VIOLATED)
    assert symbolic.verdict is truth.verdict
    if isinstance(truth, Violated) and isinstance(symbolic, Violated):
        assert len(symbolic.trace.steps) == len(truth.trace.steps)  # both shortest
