"""`pumpproof show`: a saved JSON report renders the same step table and narrative as the live run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from pumpproof import cli
from pumpproof.commands.show import show
from pumpproof.errors import UsageError
from pumpproof.reports import json_report
from pumpproof.reports.counterexample import from_outcome
from pumpproof.reports.terminal import render_evidence
from pumpproof.verify.results import Violated
from tests.reports.conftest import RECALLED, REQS


def console() -> Console:
    return Console(record=True, width=150, color_system=None)


def test_show_prints_what_the_live_run_printed(recalled, saved: Path) -> None:
    system, outcomes, _ = recalled
    violated = [o for o in outcomes if isinstance(o.result, Violated)]
    again = f"confirmed again by `show` on {RECALLED}, whose SHA-256 (and the requirements') match the report."
    live = console()
    for o in violated:
        render_evidence(live, from_outcome(o, system), again)
    shown = console()
    assert show(str(saved), shown) == 0
    text = shown.export_text()
    assert text.startswith("pumpproof show ") and "T_DETECT_MS=3000" in text
    assert text.endswith(live.export_text())  # after a heading, what the live run printed, but for the replay note
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
    (level,) = [r for r in doc["results"] if r["id"] == "UO-LEVEL"]
    delays = [f"delay {s['elapsed']}" for s in level["trace"]["steps"] if s["transition"] == "delay"]
    # Which run the engines found varies; each of its delays is shown as the report recorded it.
    assert "restart" in text and delays and all(d in text for d in delays)


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


# ---------------------------------------------------------------- a report is a claim: re-checked on its files


def _report_on_copies(recalled, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A report of the recalled run whose model and requirements are copies that a test may move or edit."""
    system, outcomes, info = recalled
    model, reqs = tmp_path / "model.pump", tmp_path / "reqs.req"
    shutil.copy(RECALLED, model)
    shutil.copy(REQS, reqs)
    files = tuple(
        type(f)(str(model if f.role == "model" else reqs), f.sha256, f.role) for f in info.files
    )  # the copies have the same bytes, so the same SHA-256
    doc = json_report.report(outcomes, type(info)(**{**info.__dict__, "files": files}), system.name, 1)
    path = tmp_path / "result.json"
    path.write_text(json_report.dumps(doc))
    return path, model, reqs


def test_without_its_files_show_says_it_shows_the_reports_claim(recalled, tmp_path: Path) -> None:
    path, model, reqs = _report_on_copies(recalled, tmp_path)
    moved = tmp_path / "elsewhere.pump"
    model.rename(moved)
    out = console()
    assert show(str(path), out, requirement="UO-LEVEL") == 3
    text = out.export_text()
    assert "NOT repeated by `show`" in text and "is not there (give its place with --model)" in text
    assert "confirmed" not in text
    out = console()
    assert show(str(path), out, requirement="UO-LEVEL", model=str(moved)) == 0
    assert "confirmed again by `show`" in out.export_text()


def test_a_changed_model_is_not_the_one_the_report_checked(recalled, tmp_path: Path) -> None:
    path, model, _ = _report_on_copies(recalled, tmp_path)
    model.write_text(model.read_text() + "\n// edited\n")
    out = console()
    assert show(str(path), out, requirement="UO-LIVE") == 3
    assert "is not the one checked (SHA-256" in out.export_text()


def _edit(path: Path, requirement: str, change: Any) -> Path:
    doc = json.loads(path.read_text())
    change(next(r for r in doc["results"] if r["id"] == requirement))
    edited = path.with_name("edited.json")
    edited.write_text(json.dumps(doc))
    return edited


@pytest.mark.parametrize(
    ("requirement", "change", "message"),
    [
        ("UO-LEVEL", lambda r: r["trace"]["steps"].pop(), "does not violate"),
        ("UO-LEVEL", lambda r: r["trace"]["steps"][-1]["state"].update(alarm_up=True), "different values"),
        ("UO-LEVEL", lambda r: r["trace"]["steps"][2].update(transition="detect_upstream_occlusion"), "not enabled"),
        ("UO-LEVEL", lambda r: r["trace"].update(loop_start=2), "has no loop"),
        ("UO-LIVE", lambda r: r["trace"].update(loop_start=1), "step"),
        ("UO-ARMED", lambda r: r["trace"]["steps"][1]["state"].update(mode="Nowhere"), "different values"),
        ("UO-ARMED", lambda r: r["trace"]["steps"][1]["state"].pop("mode"), "different values"),
    ],
    ids=[
        "not-violated",
        "edited-value",
        "disabled-transition",
        "fake-loop",
        "wrong-loop",
        "bad-value",
        "missing-variable",
    ],
)
def test_an_impossible_trace_is_refused_not_drawn(recalled, tmp_path: Path, requirement, change, message) -> None:
    path, _, _ = _report_on_copies(recalled, tmp_path)
    edited = _edit(path, requirement, change)
    out = console()
    with pytest.raises(UsageError, match=f"not a run of .* that violates it: .*{message}"):
        show(str(edited), out, requirement=requirement)
    assert out.export_text() == ""  # refused before anything is shown


def test_a_lasso_without_its_monitor_values_is_shown_as_the_reports_claim(recalled, tmp_path: Path) -> None:
    path, _, _ = _report_on_copies(recalled, tmp_path)
    edited = _edit(path, "UO-LIVE", lambda r: [s.pop("monitors") for s in r["trace"]["steps"]])
    out = console()
    assert show(str(edited), out, requirement="UO-LIVE") == 3
    assert "does not record the monitor values its lasso needs" in out.export_text()


# ---------------------------------------------------------------- a report is validated before anything is shown


INVALID = {
    "results-a-string": (lambda d: d.update(results="UO-LEVEL"), "at $.results: 'UO-LEVEL' is not of type 'array'"),
    "missing-key": (lambda d: d["results"][0].pop("verdict"), "'verdict' is a required property"),
    "list-as-value": (lambda d: _violated(d)["trace"]["steps"][0]["state"].update(mode=[1]), "$.results["),
    "loop-out-of-range": (lambda d: _violated(d)["trace"].update(loop_start=99), "loop_start 99 is not a step"),
    "negative-loop": (lambda d: _violated(d)["trace"].update(loop_start=-1), "loop_start"),
    "time-1/0": (lambda d: _violated(d)["trace"]["steps"][1].update(time="1/0"), "time"),
    "value-1/0": (lambda d: _violated(d)["trace"]["steps"][1]["state"].update(t_occ="1/0"), "state"),
    "steps-out-of-order": (lambda d: _violated(d)["trace"]["steps"][1].update(index=5), "step 1 has index 5"),
    "second-initial-state": (lambda d: _violated(d)["trace"]["steps"][2].update(transition=None), "only the first"),
    "trace-of-a-proof": (lambda d: _violated(d).update(verdict="PROVED"), "trace"),
    "duplicate-id": (lambda d: d["results"].append(_violated(d)), "a second result for this id"),
    "empty-trace": (lambda d: _violated(d)["trace"].update(steps=[]), "steps"),
}


def _violated(doc: dict) -> dict:
    return next(r for r in doc["results"] if r["trace"] is not None)


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_report_is_refused_with_where_it_is_wrong(saved: Path, tmp_path: Path, case: str) -> None:
    doc = json.loads(saved.read_text())
    change, message = INVALID[case]
    change(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(UsageError, match="is not a valid pumpproof-result/1 report") as info:
        show(str(bad), console())
    assert message in info.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"schema": "pumpproof-result/1", "n": ' + "9" * 5000 + "}", "not usable JSON"),
        ("{", "is not JSON"),
    ],
    ids=["nested", "huge-integer", "truncated"],
)
def test_unreadable_json_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    with pytest.raises(UsageError, match=message):
        show(str(bad), console())
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(UsageError, match="not UTF-8"):
        show(str(bad), console())


def test_every_report_check_writes_matches_the_shipped_schema(saved: Path) -> None:
    assert json_report.load(str(saved))["schema"] == "pumpproof-result/1"


BUILT_IN = {
    "deadlock": ("MODEL.DEADLOCK", "var stop: bool = false\ntransition halt when not stop do stop := true\n", 0),
    "ranges": ("MODEL.RANGES", "var x: 0..3 = 0\ntransition inc do x := x + 1\n", 0),
    # Time: its steps replay; that time cannot pass after them is left to lint.
    "timelock": (
        "MODEL.TIME",
        "clock c\nvar done: bool = false\ninvariant c <= 5\n"
        "environment transition answer when c >= 5 and not done do done := true\n",
        3,
    ),
    "zero-time-loop": (
        "MODEL.TIME",
        "clock c\nvar z: bool = false\nvar b: bool = false\ninvariant z -> c <= 5\n"
        "transition go when not z and c >= 5 do z := true\ntransition spin when z do b := not b\n",
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(BUILT_IN))
def test_built_in_findings_replay_again(tmp_path: Path, case: str) -> None:
    rid, model, expected = BUILT_IN[case]
    (tmp_path / "m.pump").write_text(model)
    (tmp_path / "r.req").write_text('requirement R1\n  text "t"\n  source "s"\n  always true\n')
    report = tmp_path / "r.json"
    files = [str(tmp_path / "m.pump"), str(tmp_path / "r.req")]
    assert cli.main(["check", *files, "--json", str(report), "--timeout", "20"]) == 1
    out = console()
    assert show(str(report), out, requirement=rid) == expected
    assert f"{rid} VIOLATED" in out.export_text()
