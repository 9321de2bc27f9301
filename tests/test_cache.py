"""The result cache (`check --cache DIR`): hits are re-checked on the model, never trusted; damaged entries are
ignored with a warning and never change a verdict."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pumpproof.cli import main
from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.reports import json_report
from pumpproof.verify import cache
from pumpproof.verify.cache import FORMAT, ResultCache, requirement_key
from pumpproof.verify.cone import cone
from pumpproof.verify.portfolio import Options
from pumpproof.verify.results import CacheUse, Verdict
from pumpproof.verify.run import Outcome, check_all
from tests.helpers import MODELS, PROPERTIES, ROOT

# Two parts that do not touch: the alarm logic (mode, alarm, go) and an indicator lamp that always blinks (so no
# run stops, and whether one does is not part of any requirement's problem).
MODEL = """
type Mode = {Idle, Run}
var mode: Mode = Idle
var alarm: bool = false
var lamp: bool = false
input go: bool
transition start when mode == Idle and go do mode := Run
transition stop when mode == Run do mode := Idle
transition ring when mode == Run do alarm := true
transition hush when alarm do alarm := false
transition blink when true do lamp := not lamp
"""
REQUIREMENTS = """
requirement R-RING
  text "The alarm rings only while running."
  source "test"
  always (fired(ring) -> mode == Run)

requirement R-QUIET
  text "The alarm never sounds (violated: it does, once running)."
  source "test"
  always (not alarm)

requirement R-BACK
  text "A running pump always comes back to Idle (violated: a lasso that keeps blinking)."
  source "test"
  always (mode == Run -> eventually mode == Idle)
"""
OPTIONS = Options(timeout_s=30.0)


def checked(
    tmp_path: Path, model: str = MODEL, warnings: list[str] | None = None, options: Options = OPTIONS
) -> dict[str, Outcome]:
    """The outcomes of REQUIREMENTS on `model` through the cache in tmp_path/cache, by requirement id."""
    system = parse_model_text(model, "<model>")
    reqs = parse_requirements_text(REQUIREMENTS, "<reqs>", system)
    store = ResultCache.open(str(tmp_path / "cache"), (warnings if warnings is not None else []).append)
    return {o.requirement.id: o for o in cache.check_all(system, reqs, options, store)}


def verdicts(outcomes: dict[str, Outcome]) -> dict[str, Verdict]:
    return {rid: o.result.verdict for rid, o in outcomes.items()}


def uses(outcomes: dict[str, Outcome]) -> dict[str, CacheUse | None]:
    return {rid: o.cache for rid, o in outcomes.items()}


def entry(tmp_path: Path, rid: str, model: str = MODEL) -> Path:
    """The file of `rid`'s entry for `model`."""
    system = parse_model_text(model, "<model>")
    req = next(r for r in parse_requirements_text(REQUIREMENTS, "<reqs>", system).requirements if r.id == rid)
    return tmp_path / "cache" / "entries" / f"{requirement_key(system, req, OPTIONS, False)}.json"


def test_verdicts_are_those_without_the_cache_and_the_second_run_is_served_from_it(tmp_path: Path) -> None:
    system = parse_model_text(MODEL, "<model>")
    reqs = parse_requirements_text(REQUIREMENTS, "<reqs>", system)
    plain = {o.requirement.id: o.result.verdict for o in check_all(system, reqs, OPTIONS)}
    first = checked(tmp_path)
    assert verdicts(first) == plain
    assert plain["R-RING"] is Verdict.PROVED and plain["R-QUIET"] is Verdict.VIOLATED
    assert plain["R-BACK"] is Verdict.VIOLATED and first["R-BACK"].result.trace.loop_start is not None  # type: ignore[union-attr]
    assert set(uses(first).values()) == {CacheUse.MISS}
    second = checked(tmp_path)
    assert verdicts(second) == plain
    assert set(uses(second).values()) == {CacheUse.HIT}
    assert second["R-RING"].carried and second["R-QUIET"].carried and second["R-BACK"].carried  # the lasso replayed
    assert second["R-QUIET"].result.trace == first["R-QUIET"].result.trace  # type: ignore[union-attr]


def test_the_cone_leaves_out_what_cannot_affect_the_requirement() -> None:
    system = parse_model_text(MODEL, "<model>")
    reqs = {r.id: r for r in parse_requirements_text(REQUIREMENTS, "<reqs>", system).requirements}
    quiet = cone(system, reqs["R-QUIET"], stutter=False)
    assert quiet.variables == {"mode", "go", "alarm"}
    assert quiet.transitions == {"start", "stop", "ring", "hush"}
    assert "lamp" not in cone(system, reqs["R-QUIET"], stutter=True).variables  # every guard counts: none reads it
    # `fired(ring)` reads the step, so when each step can be taken counts too: every guard (`hush` reads alarm)
    ring = cone(system, reqs["R-RING"], stutter=False)
    assert ring.variables == {"mode", "go", "alarm"} and "blink" not in ring.transitions


def test_an_edit_outside_the_cone_keeps_the_hits(tmp_path: Path) -> None:
    checked(tmp_path)
    edited = MODEL.replace("do lamp := not lamp", "do lamp := true")
    outcomes = checked(tmp_path, edited)
    assert uses(outcomes) == {
        "MODEL.DEADLOCK": CacheUse.REUSED,
        "R-RING": CacheUse.HIT,
        "R-QUIET": CacheUse.HIT,
        "R-BACK": CacheUse.HIT,
    }
    assert verdicts(outcomes) == {
        "MODEL.DEADLOCK": Verdict.PROVED,
        "R-RING": Verdict.PROVED,
        "R-QUIET": Verdict.VIOLATED,
        "R-BACK": Verdict.VIOLATED,
    }


def test_an_edit_inside_the_cone_rechecks_the_stored_answers_of_the_requirement(tmp_path: Path) -> None:
    checked(tmp_path)
    edited = MODEL.replace("mode == Idle and go", "mode == Idle")
    outcomes = checked(tmp_path, edited)
    assert uses(outcomes)["R-RING"] is CacheUse.REUSED  # the old invariant still holds: a free proof
    assert uses(outcomes)["R-QUIET"] is CacheUse.REUSED  # the old trace still replays
    assert verdicts(outcomes)["R-RING"] is Verdict.PROVED
    again = checked(tmp_path, edited)
    assert uses(again)["R-RING"] is CacheUse.HIT  # stored under the new key too
    assert again["R-RING"].result.engine.count("invariant reused") == 1


def test_an_edit_that_breaks_a_stored_proof_is_solved_again(tmp_path: Path) -> None:
    checked(tmp_path)
    edited = MODEL.replace("transition ring when mode == Run", "transition ring when true")
    outcomes = checked(tmp_path, edited)
    assert verdicts(outcomes)["R-RING"] is Verdict.VIOLATED
    assert uses(outcomes)["R-RING"] is CacheUse.MISS


def test_an_answer_found_with_other_options_is_not_used(tmp_path: Path) -> None:
    """BMC to depth 4 cannot prove R-RING: a proof the portfolio stored must not make it PROVED."""
    checked(tmp_path)
    bounded = Options(engine="bmc", timeout_s=30.0, max_depth=4)
    edited = MODEL.replace("mode == Idle and go", "mode == Idle")  # inside the cone: no key of its own
    outcomes = checked(tmp_path, edited, options=bounded)
    assert verdicts(outcomes)["R-RING"] is Verdict.UNKNOWN and uses(outcomes)["R-RING"] is CacheUse.MISS
    assert verdicts(outcomes)["R-QUIET"] is Verdict.VIOLATED


@pytest.mark.parametrize(
    "damage",
    [
        b"\x00\xff garbage \x9c",
        b'{"format": "pumpproof-cache/1", "key": "truncat',
        b"[1, 2, 3]",
    ],
    ids=["garbage-bytes", "truncated", "wrong-shape"],
)
def test_a_damaged_entry_is_ignored_with_a_warning(tmp_path: Path, damage: bytes) -> None:
    checked(tmp_path)
    entry(tmp_path, "R-RING").write_bytes(damage)
    warnings: list[str] = []
    outcomes = checked(tmp_path, warnings=warnings)
    assert verdicts(outcomes)["R-RING"] is Verdict.PROVED
    assert uses(outcomes)["R-RING"] is CacheUse.RECHECK_FAILED
    assert len(warnings) == 1 and "ignored" in warnings[0] and "\n" not in warnings[0]
    assert uses(checked(tmp_path))["R-RING"] is CacheUse.HIT  # the entry was rewritten


def after_tampering(tmp_path: Path, rid: str, tamper: Callable[[dict[str, Any]], object]) -> Outcome:
    """`rid`'s outcome on a second run, once `tamper` has changed its stored entry (the JSON document) in place."""
    checked(tmp_path)
    path = entry(tmp_path, rid)
    doc = json.loads(path.read_text())
    tamper(doc)
    path.write_text(json.dumps(doc))
    return checked(tmp_path)[rid]


def edit_entry(path: Path, change: dict[str, object]) -> None:
    doc = json.loads(path.read_text())
    doc.update(change)
    path.write_text(json.dumps(doc))


def test_valid_json_of_the_wrong_shape_is_ignored(tmp_path: Path) -> None:
    checked(tmp_path)
    path = entry(tmp_path, "R-RING")
    edit_entry(path, {"result": {"verdict": "PROVED", "engine": "ic3", "time_s": 0.1, "certificate": {"k": "one"}}})
    warnings: list[str] = []
    outcomes = checked(tmp_path, warnings=warnings)
    assert verdicts(outcomes)["R-RING"] is Verdict.PROVED and uses(outcomes)["R-RING"] is CacheUse.RECHECK_FAILED
    assert len(warnings) == 1


def test_an_entry_of_another_version_is_ignored(tmp_path: Path) -> None:
    checked(tmp_path)
    edit_entry(entry(tmp_path, "R-QUIET"), {"versions": {"pumpproof": "0.0.1", "z3": "4.0"}})
    warnings: list[str] = []
    outcomes = checked(tmp_path, warnings=warnings)
    assert uses(outcomes)["R-QUIET"] is CacheUse.RECHECK_FAILED
    assert verdicts(outcomes)["R-QUIET"] is Verdict.VIOLATED
    assert any("another version" in w for w in warnings)


def test_a_stored_invariant_wrong_for_the_model_is_not_accepted(tmp_path: Path) -> None:
    """A tampered entry claims R-QUIET (violated) is proved, with the invariant `true`: it must be re-solved."""
    checked(tmp_path)
    ring = json.loads(entry(tmp_path, "R-RING").read_text())
    ring["result"]["certificate"]["smt2"] = "true"
    edit_entry(entry(tmp_path, "R-QUIET"), {"result": ring["result"], "vacuity": None})
    outcomes = checked(tmp_path)
    assert verdicts(outcomes)["R-QUIET"] is Verdict.VIOLATED
    assert uses(outcomes)["R-QUIET"] is CacheUse.RECHECK_FAILED


def test_a_stored_invariant_that_does_not_parse_is_not_accepted(tmp_path: Path) -> None:
    outcome = after_tampering(
        tmp_path, "R-RING", lambda doc: doc["result"]["certificate"].update(smt2="(and no_such_variable")
    )
    assert outcome.result.verdict is Verdict.PROVED and outcome.cache is CacheUse.RECHECK_FAILED


@pytest.mark.parametrize(
    "tamper",
    [
        lambda steps: steps[1].update(transition="blink"),
        lambda steps: steps[-1]["state"].update(alarm=False),
        lambda steps: steps[0]["state"].update(no_such_variable=3),
        lambda steps: steps[-1]["state"].update(mode="Broken"),
    ],
    ids=["wrong-transition", "wrong-state", "unknown-variable", "unknown-enum-value"],
)
def test_a_stored_trace_that_does_not_replay_is_not_accepted(tmp_path: Path, tamper: object) -> None:
    outcome = after_tampering(tmp_path, "R-QUIET", lambda doc: tamper(doc["result"]["trace"]["steps"]))  # type: ignore[operator]
    assert outcome.result.verdict is Verdict.VIOLATED and outcome.cache is CacheUse.RECHECK_FAILED


def test_a_stored_trace_claiming_a_proved_requirement_fails_is_not_accepted(tmp_path: Path) -> None:
    checked(tmp_path)
    quiet = json.loads(entry(tmp_path, "R-QUIET").read_text())
    edit_entry(entry(tmp_path, "R-RING"), {"result": quiet["result"], "vacuity": None})
    outcomes = checked(tmp_path)
    assert verdicts(outcomes)["R-RING"] is Verdict.PROVED
    assert uses(outcomes)["R-RING"] is CacheUse.RECHECK_FAILED


def test_concurrent_writers_leave_only_whole_entries(tmp_path: Path) -> None:
    store = ResultCache.open(str(tmp_path / "cache"))
    body = {"formula": "f", "result": None, "vacuity": None, "padding": "x" * 200_000}

    def write(n: int) -> None:
        for _ in range(20):
            store.write("k" * 64, "R", {**body, "writer": n}, "group")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    doc = store.read("k" * 64, "R")
    assert doc is not None and doc["format"] == FORMAT and doc["writer"] in range(4)
    assert [p.name for p in (tmp_path / "cache" / "entries").iterdir()] == ["k" * 64 + ".json"]


def write_inputs(tmp_path: Path) -> tuple[str, str]:
    model, reqs = tmp_path / "m.pump", tmp_path / "m.req"
    model.write_text("model m\n" + MODEL)
    reqs.write_text(REQUIREMENTS)
    return str(model), str(reqs)


def test_the_command_line_reports_the_cache_in_its_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, reqs = write_inputs(tmp_path)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "env-cache"))
    out = tmp_path / "r.json"
    assert main(["check", model, reqs, "--json", str(out)]) == 1
    assert main(["check", model, reqs, "--json", str(out)]) == 1
    doc = json_report.load(str(out))  # valid against the shipped schema
    assert {r["cache"] for r in doc["results"]} == {"hit"}
    monkeypatch.delenv(cache.CACHE_ENV)
    assert main(["check", model, reqs, "--json", str(out)]) == 1
    assert {r["cache"] for r in json_report.load(str(out))["results"]} == {None}


def test_an_unusable_cache_folder_is_a_usage_error_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, reqs = write_inputs(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["check", model, reqs, "--cache", str(blocker / "cache")]) == 2
    err = capsys.readouterr().err
    assert "cannot use" in err and "result cache" in err and "Traceback" not in err


@pytest.mark.slow
def test_spectrum_verdicts_are_the_same_with_the_cache(tmp_path: Path) -> None:
    from pumpproof.lang.load import load_model, load_requirements

    system = load_model(str(MODELS / "spectrum_corrected.pump"))
    reqs = load_requirements(str(PROPERTIES / "upstream_occlusion.req"), system)
    plain = [(o.requirement.id, o.result.verdict) for o in check_all(system, reqs, OPTIONS)]
    store = ResultCache.open(str(tmp_path / "cache"))
    cold = cache.check_all(system, reqs, OPTIONS, store)
    warm = cache.check_all(system, reqs, OPTIONS, store)
    assert [(o.requirement.id, o.result.verdict) for o in cold] == plain
    assert [(o.requirement.id, o.result.verdict) for o in warm] == plain
    assert {o.cache for o in warm} == {CacheUse.HIT}


def test_a_stored_lasso_that_does_not_replay_is_not_accepted(tmp_path: Path) -> None:
    # The loop's last state now leaves Run: not a step of the model, and no counterexample.
    outcome = after_tampering(
        tmp_path, "R-BACK", lambda doc: doc["result"]["trace"]["steps"][-1]["state"].update(mode="Idle")
    )
    assert outcome.result.verdict is Verdict.VIOLATED and outcome.cache is CacheUse.RECHECK_FAILED


def test_a_damaged_entry_of_the_runs_is_ignored(tmp_path: Path) -> None:
    checked(tmp_path)
    system = parse_model_text(MODEL, "<model>")
    (tmp_path / "cache" / "entries" / f"{cache.runs_key(system, OPTIONS)}.json").write_bytes(b"{}")
    warnings: list[str] = []
    outcomes = checked(tmp_path, warnings=warnings)
    assert uses(outcomes)["MODEL.DEADLOCK"] is CacheUse.RECHECK_FAILED
    assert verdicts(outcomes)["MODEL.DEADLOCK"] is Verdict.PROVED and len(warnings) == 1


@pytest.mark.slow
def test_concurrent_runs_share_a_cache(tmp_path: Path) -> None:
    """Two `check --cache` processes at once on the same folder: both finish with the same verdicts, and every
    entry they leave is whole (a third run is served from it)."""
    import subprocess
    import sys

    model, reqs = write_inputs(tmp_path)
    folder = str(tmp_path / "shared")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pumpproof", "check", model, reqs, "--cache", folder, "--json"]
    runs = [subprocess.Popen([*command, str(tmp_path / f"r{n}.json")], env=env) for n in range(2)]
    assert [run.wait(timeout=120) for run in runs] == [1, 1]
    reports = [json_report.load(str(tmp_path / f"r{n}.json")) for n in range(2)]
    assert [r["verdict"] for r in reports[0]["results"]] == [r["verdict"] for r in reports[1]["results"]]
    warnings: list[str] = []
    system = parse_model_text(Path(model).read_text(), model)
    store = ResultCache.open(folder, warnings.append)
    outcomes = cache.check_all(system, parse_requirements_text(REQUIREMENTS, reqs, system), OPTIONS, store)
    assert {o.cache for o in outcomes} == {CacheUse.HIT} and not warnings
