"""Vacuity: a requirement whose trigger no run reaches is reported, with a witness when the trigger is reached."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console

from pumpproof.lang.ir import Requirement, RequirementSet, TransitionSystem
from pumpproof.lang.load import parse_requirements_text
from pumpproof.reports import json_report, terminal
from pumpproof.verify.analyses.vacuity import explain, triggers, vacuity
from pumpproof.verify.independent import certify
from pumpproof.verify.portfolio import Options
from pumpproof.verify.results import Proved, Search, Unknown, Vacuous, Verdict, Violated
from pumpproof.verify.run import Checker, check_all
from tests.reports.conftest import run_info

OPTIONS = Options(timeout_s=30)


def _req(system: TransitionSystem, formula: str) -> Requirement:
    text = f'requirement V\n  text "t"\n  source "s"\n  {formula}\n'
    return parse_requirements_text(text, "<v>", system).requirements[0]


def test_level_requirement_is_exercised_with_a_witness(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    result = vacuity(system, reqs["UO-LEVEL"], OPTIONS)
    assert not result.vacuous and result.decided
    (witness,) = result.witnesses()
    last = witness.steps[-1].state
    assert last["occluded_up"] and last["mode"] == "Infusing"
    assert "every trigger is reached" in explain(result)


def test_unreachable_trigger_is_vacuous(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    # An alarm never coexists with delivery in the corrected model, so this holds only vacuously.
    req = _req(system, "always (alarm_up and mode == Infusing -> not occluded_up within T_DETECT_MS)")
    result = vacuity(system, req, OPTIONS)
    assert result.vacuous
    assert "alarm_up and (mode == Infusing)" in explain(result)


def test_a_shallow_trigger_is_witnessed_by_bmc_alone_and_an_unreachable_one_still_gets_the_engines_chosen(
    corrected,  # type: ignore[no-untyped-def]
) -> None:
    """The witness search comes first and is BMC's whatever `--engine` says (the run is replayed, so any engine
    may find it); a trigger it does not reach within WITNESS_DEPTH steps goes to the chosen engines, which prove
    it unreachable."""
    system, reqs = corrected
    kind = replace(OPTIONS, engine="kind")
    (reached,) = vacuity(system, reqs["UO-LEVEL"], kind).checks
    assert isinstance(reached.result, Violated) and reached.result.engine == "bmc"
    never = _req(system, "always (alarm_up and mode == Infusing -> not occluded_up within T_DETECT_MS)")
    (unreached,) = vacuity(system, never, kind).checks
    assert isinstance(unreached.result, Proved) and unreached.result.engine == "kind"


def test_triggers_of_each_shape(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    assert triggers(_req(system, "always (alarm_up or not alarm_up)").formula) == []
    clear = triggers(reqs["UO-CLEAR"].formula)
    assert len(clear) == 1
    both = _req(system, "always ((alarm_up -> not armed) and (fired(start) -> next armed))")
    assert len(triggers(both.formula)) == 2
    live = vacuity(system, reqs["UO-LIVE"], OPTIONS)  # the response trigger of a liveness requirement
    assert len(live.checks) == 1 and isinstance(live.checks[0].result, Violated)


def test_check_reports_vacuous_not_proved_and_keeps_the_proof(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    vacuous = _req(system, "always (alarm_up and mode == Infusing -> not occluded_up within T_DETECT_MS)")
    outcomes = {
        o.requirement.id: o for o in check_all(system, RequirementSet("<v>", (vacuous, reqs["UO-LEVEL"])), OPTIONS)
    }
    v = outcomes["V"].result
    assert isinstance(v, Vacuous) and v.verdict is Verdict.VACUOUS
    assert v.proof.certificate.invariant_smt2 and "no run reaches the trigger" in v.reason
    (rechecked,) = certify([outcomes["V"]], timeout_s=30)  # a vacuous proof is still a proof: cvc5 re-checks it
    assert rechecked.ok and rechecked.checks
    level = outcomes["UO-LEVEL"]
    assert isinstance(level.result, Proved)
    assert level.vacuity is not None and len(level.vacuity.witnesses()) == 1


def test_reports_say_whether_a_proof_was_exercised(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    level = Checker(system, OPTIONS).check(reqs["UO-LEVEL"])
    assert json_report.outcome_json(level)["exercised"] == "every trigger is reached by some run"
    assert level.vacuity is not None
    undecided = replace(level.vacuity.checks[0], result=Unknown("bmc", 1.0, "timeout", 9, Search.BMC))
    outcome = replace(level, vacuity=replace(level.vacuity, checks=(undecided,)))
    console = Console(record=True, width=200)
    terminal.render(console, system, [outcome], run_info(system), invariants=False)
    assert "UO-LEVEL PROVED, but vacuity undecided for:" in console.export_text()
