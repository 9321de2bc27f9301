"""`pumpproof show`: a saved JSON report renders the same step table and narrative as the live run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from pumpproof.errors import UsageError
from pumpproof.reports import json_report
from pumpproof.reports.counterexample import from_outcome
from pumpproof.reports.show import show
from pumpproof.reports.terminal import render_evidence
from pumpproof.verify.results import Violated


def console() -> Console:
    return Console(record=True, width=150, color_system=None)


@pytest.fixture
def saved(recalled, tmp_path: Path) -> Path:
    system, outcomes, info = recalled
    path = tmp_path / "result.json"
    path.write_text(json_report.dumps(json_report.report(outcomes, info, system.name, 1)))
    return path


def test_show_prints_what_the_live_run_printed(recalled, saved: Path) -> None:
    system, outcomes, _ = recalled
    violated = [o for o in outcomes if isinstance(o.result, Violated)]
    live = console()
    for o in violated:
        render_evidence(live, from_outcome(o, system))
    shown = console()
    assert show(str(saved), shown) == 0
    text = shown.export_text()
    now, then = (
        "interpreter: confirmed.",
        "interpreter: confirmed when the report was written (not repeated by `show`).",
    )
    assert text.startswith("pumpproof show ") and now not in text
    assert text.endswith(live.export_text().replace(now, then))  # after a heading, identical but for the replay note
    assert "(transition `restart`)" in text


def test_show_one_requirement_and_write_its_graph(saved: Path, tmp_path: Path) -> None:
    out = console()
    graph = tmp_path / "live.svg"
    assert show(str(saved), out, graph=str(graph), requirement="UO-LIVE") == 0
    text = out.export_text()
    assert "UO-LIVE VIOLATED" in text and "UO-LEVEL VIOLATED" not in text and "repeats forever" in text
    svg = graph.read_text()
    assert "back to step" in svg and "UO&#45;LIVE fails" in svg


def test_reports_written_before_the_view_fields_still_show(saved: Path, tmp_path: Path) -> None:
    doc = json.loads(saved.read_text())
    for result in doc["results"]:
        if result["trace"]:
            for key in ("timed", "watched"):
                del result["trace"][key]
            for s in result["trace"]["steps"]:
                del s["label"], s["shown_inputs"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    out = console()
    assert show(str(old), out, requirement="UO-LEVEL") == 0
    text = out.export_text()
    assert "restart" in text and "delay 3001" in text


def test_bad_input_is_a_usage_error(saved: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no requirement 'NOPE'"):
        show(str(saved), console(), requirement="NOPE")
    with pytest.raises(UsageError, match="UO-EDGE is PROVED"):
        show(str(saved), console(), requirement="UO-EDGE")
    with pytest.raises(UsageError, match="draws one counterexample"):
        show(str(saved), console(), graph=str(tmp_path / "g.svg"))
    (tmp_path / "x.json").write_text('{"schema": "other"}')
    with pytest.raises(UsageError, match="not a pumpproof report"):
        show(str(tmp_path / "x.json"), console())
    with pytest.raises(UsageError, match="cannot read"):
        show(str(tmp_path / "missing.json"), console())
