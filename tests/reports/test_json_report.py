"""The JSON report: every result carries its formula as written and as parsed."""

from __future__ import annotations

from pumpproof.reports.json_report import report


def test_every_result_has_its_formula_as_parsed(recalled) -> None:  # type: ignore[no-untyped-def]
    system, outcomes, info = recalled
    results = {r["id"]: r for r in report(outcomes, info, system.name, 1)["results"]}
    clear = results["UO-CLEAR"]
    assert clear["formula"] == "always (fired(clear_alarm) -> not delivering weak-until run_stop_pressed)"
    assert clear["formula_parsed"] == "always (fired(clear_alarm) -> ((not delivering) weak-until run_stop_pressed))"
    assert results["UO-ARMED"]["formula_parsed"] == results["UO-ARMED"]["formula"]
    assert results["MODEL.TIME"]["formula_parsed"] is None  # a built-in question has no formula to parse
