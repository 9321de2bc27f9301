"""Shared fixtures: a recalled-model run (real engines, < 1 s) and a small clock-free model for hand-built traces."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pumpproof.lang.ir import RequirementSet, TransitionSystem
from pumpproof.lang.load import load_model, load_requirements, parse_model_text, parse_requirements_text
from pumpproof.reports import json_report
from pumpproof.reports.provenance import InputFile, RunInfo
from pumpproof.verify.results import Step, Trace, Violated
from pumpproof.verify.run import Options, Outcome, check_all
from tests.helpers import MODELS, PROPERTIES

RECALLED = str(MODELS / "spectrum_recalled.pump")
REQS = str(PROPERTIES / "upstream_occlusion.req")

# A tick-driven pump (no clocks): finite, so its state space can be enumerated.
TICK_MODEL = """
model tick_pump
const T_DETECT = 2
type Mode = {Stopped, Infusing, Alarm}
var mode: Mode = Stopped
var occluded: bool = false
var reported: bool = false
var count: 0..T_DETECT = 0
input button: {NoPress, RunStop}
assume button == NoPress or mode != Infusing
transition start "RUN/STOP pressed to start infusing"
  when mode == Stopped and button == RunStop
  do   mode := Infusing; count := 0
transition occlude "an occlusion begins"
  when not occluded
  do   occluded := true
transition tick "the detector counts the occlusion"
  when mode == Infusing and occluded and not reported and count < T_DETECT
  do   count := count + 1
transition detect "occlusion detected: alarm"
  when mode == Infusing and occluded and not reported and count >= T_DETECT
  do   mode := Alarm; reported := true
transition restart "RUN/STOP pressed in alarm: resume"
  when mode == Alarm and button == RunStop
  do   mode := Infusing; count := 0
transition idle "nothing happens"
  when mode == Infusing
"""

TICK_REQS = """
requirement TP-LEVEL
  text   "An occlusion while infusing alarms within 3 steps."
  source "test"
  always (occluded and mode == Infusing -> (mode == Alarm or not occluded) within 3)
"""


@pytest.fixture(scope="session")
def recalled() -> tuple[TransitionSystem, list[Outcome], RunInfo]:
    """The shipped recalled model checked against the shipped requirements."""
    system = load_model(RECALLED)
    reqs = load_requirements(REQS, system)
    return system, check_all(system, reqs, Options(timeout_s=30)), run_info(system)


def run_info(system: TransitionSystem, model: str = RECALLED, reqs: str = REQS) -> RunInfo:
    """Provenance for a run on files `model` and `reqs`."""
    return RunInfo(
        command=f"pumpproof check {model} {reqs}",
        files=(InputFile(model, sha256_of(model), "model"), InputFile(reqs, sha256_of(reqs), "requirements")),
        constants=dict(system.constants),
        options={"engine": "auto"},
        solvers={"z3": "test"},
    )


def sha256_of(path: str) -> str:
    """The SHA-256 of the bytes at `path` now."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def saved(recalled, tmp_path: Path) -> Path:
    """The recalled run's JSON report, as `check --json` writes it."""
    system, outcomes, info = recalled
    path = tmp_path / "result.json"
    path.write_text(json_report.dumps(json_report.report(outcomes, info, system.name, 1)))
    return path


@pytest.fixture(scope="session")
def tick() -> tuple[TransitionSystem, RequirementSet]:
    """The clock-free tick model and its one requirement."""
    system = parse_model_text(TICK_MODEL, "tick_pump.pump")
    return system, parse_requirements_text(TICK_REQS, "tick_pump.req", system)


def step(i: int, transition: str | None, state: dict, inputs: dict | None = None) -> Step:
    """A hand-built step of the tick model."""
    return Step(i, transition, inputs or {"button": "NoPress"}, state, elapsed=0 if i == 0 else 1, time=i)


def tick_trace(loop_start: int | None = None) -> Trace:
    """Start, occlude, detect after two ticks, restart with RUN/STOP while still occluded, tick again."""
    base = {"mode": "Stopped", "occluded": False, "reported": False, "count": 0}
    states = [
        (None, base, None),
        ("start", {**base, "mode": "Infusing"}, {"button": "RunStop"}),
        ("occlude", {**base, "mode": "Infusing", "occluded": True}, None),
        ("tick", {**base, "mode": "Infusing", "occluded": True, "count": 1}, None),
        ("tick", {**base, "mode": "Infusing", "occluded": True, "count": 2}, None),
        ("detect", {**base, "mode": "Alarm", "occluded": True, "reported": True, "count": 2}, None),
        ("restart", {**base, "mode": "Infusing", "occluded": True, "reported": True}, {"button": "RunStop"}),
        ("idle", {**base, "mode": "Infusing", "occluded": True, "reported": True}, None),
    ]
    return Trace(tuple(step(i, t, s, inp) for i, (t, s, inp) in enumerate(states)), loop_start)


def tick_outcome(tick: tuple[TransitionSystem, RequirementSet], loop_start: int | None = None) -> Outcome:
    """A VIOLATED outcome of TP-LEVEL with the hand-built trace (no problem: the view takes the system)."""
    _, reqs = tick
    return Outcome(reqs.requirements[0], Violated("hand", 0.01, tick_trace(loop_start)), 0.01, None)
