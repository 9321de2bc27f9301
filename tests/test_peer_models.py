"""The peer translators of benchmarks/peer_models.py: SPIN and ABC, on the Promela and Verilog generated from a
model, give pumpproof's known verdicts (the ground truth that benchmarks/peers.py compares times on); what the
translators cannot express is refused with a message that says what."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.peer_models import load_problem, promela, verilog
from benchmarks.peer_runs import PROVED, VIOLATED, run_abc, run_spin
from pumpproof.errors import UnsupportedError
from pumpproof.verify.problem import SafetyProblem

ROOT = Path(__file__).resolve().parents[1]
FAMILY = ROOT / "benchmarks" / "models"
TIMEOUT_S = 60

STUCK_REQUIREMENTS = """requirement NEVER-BROKEN
  text "the pump never breaks"
  source "test"
  always (mode != Broken)
requirement LEAVES-RUN
  text "a jam takes the pump out of Run within 2 steps"
  source "test"
  always (jammed -> (mode != Run) within 2)
"""
"""On tests/models/stuck.pump: `fail` never fires (PROVED); a jam leaves the pump stuck in Run, so only runs that
repeat their last state (the stutter step) see the deadline expire (VIOLATED)."""

FAMILY_CASES = [(k, t, latch) for k in (1, 2) for t in (3, 4) for latch in (False, True)]


def missing(*tools: str) -> pytest.MarkDecorator:
    """Skip unless every tool is installed (scripts/setup installs them)."""
    absent = [t for t in tools if shutil.which(t) is None]
    return pytest.mark.skipif(bool(absent), reason=f"not installed: {', '.join(absent)}")


def family(k: int, t: int, latch: bool) -> SafetyProblem:
    """The benchmark family's problem: tick_detector.pump with level.req."""
    constants = {"K": str(k), "T": str(t), "LATCH": str(latch).lower()}
    return load_problem(FAMILY / "tick_detector.pump", FAMILY / "level.req", constants)


def stuck(tmp_path: Path, requirement: str) -> SafetyProblem:
    """A requirement of STUCK_REQUIREMENTS on tests/models/stuck.pump (enumerations, guards, an assumption)."""
    req = tmp_path / "stuck.req"
    req.write_text(STUCK_REQUIREMENTS)
    return load_problem(ROOT / "tests" / "models" / "stuck.pump", req, {}, requirement)


def spin_verdict(problem: SafetyProblem, folder: Path) -> str:
    source = folder / "model.pml"
    source.write_text(promela(problem, "test"))
    return run_spin(source, TIMEOUT_S, memory_mb=512).verdict


def abc_verdict(problem: SafetyProblem, folder: Path) -> str:
    text, top = verilog(problem, "test")
    source = folder / "model.v"
    source.write_text(text)
    return run_abc(source, top, TIMEOUT_S).verdict


@pytest.mark.slow
@missing("spin", "gcc")
@pytest.mark.parametrize(("k", "t", "latch"), FAMILY_CASES)
def test_spin_gives_the_family_verdict(k: int, t: int, latch: bool, tmp_path: Path) -> None:
    assert spin_verdict(family(k, t, latch), tmp_path) == (VIOLATED if latch else PROVED)


@missing("yosys", "berkeley-abc")
@pytest.mark.parametrize(("k", "t", "latch"), FAMILY_CASES)
def test_abc_gives_the_family_verdict(k: int, t: int, latch: bool, tmp_path: Path) -> None:
    assert abc_verdict(family(k, t, latch), tmp_path) == (VIOLATED if latch else PROVED)


@pytest.mark.slow
@missing("spin", "gcc", "yosys", "berkeley-abc")
@pytest.mark.parametrize(("requirement", "expected"), [("NEVER-BROKEN", PROVED), ("LEAVES-RUN", VIOLATED)])
def test_peers_choose_transitions_and_stutter(requirement: str, expected: str, tmp_path: Path) -> None:
    problem = stuck(tmp_path, requirement)
    assert (spin_verdict(problem, tmp_path), abc_verdict(problem, tmp_path)) == (expected, expected)


@pytest.mark.slow
@missing("spin", "gcc")
@pytest.mark.parametrize(("pause", "expected"), [(256, PROVED), (257, VIOLATED)])
def test_spin_gives_the_audio_pause_verdict(pause: int, expected: str, tmp_path: Path) -> None:
    """The deep family of benchmarks/peers.py: a pause held in an 8-bit register ends when it is at most 256 ticks
    long."""
    problem = load_problem(FAMILY / "audio_pause_ticks.pump", FAMILY / "audio_pause.req", {"PAUSE": str(pause)})
    assert spin_verdict(problem, tmp_path) == expected


def test_a_timed_model_is_refused() -> None:
    problem = load_problem(FAMILY / "clock_detector.pump", FAMILY / "level.req", {"K": "1", "T": "3"})
    for translate in (promela, verilog):
        with pytest.raises(UnsupportedError, match=r"has clocks \(elapsed\[0\]\): the peer translators take untimed"):
            translate(problem, "test")
