"""Expressions that are deep (an `all` over 600 elements, 1,000 channels) or shared (defines built from defines)
through the engines, the interpreter and the reports: verdicts in seconds, no RecursionError.

Where a regression would hang, the CLI runs in a subprocess with a timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pumpproof.errors import TooManyStates
from pumpproof.lang.ir import TRUE, BoolType
from pumpproof.lang.load import load_model, load_requirements, parse_model_text
from pumpproof.lang.walk import depth
from pumpproof.verify.encoding import Encoding
from pumpproof.verify.evaluate import Frame, evaluate
from pumpproof.verify.problem import compile_requirement
from pumpproof.verify.steps import can_step
from tests.helpers import ROOT

ALL_600 = """\
var x[600]: bool = false
define all_set = all i in 0..599: x[i]
transition fill when not all_set do x[k in 0..599] := true
transition drain when all_set do x[k in 0..599] := false
"""
SHARED = "\n".join(
    ["var x: bool = false", "var y: bool = false", "define d0 = x or y"]
    + [f"define d{i + 1} = d{i} and not d{i}" for i in range(40)]
    + ["transition t when not d40 do x := not x", "transition u do y := not y", ""]
)


def pumpproof(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pumpproof", *args], capture_output=True, text=True, timeout=600, env=env
    )


@pytest.mark.parametrize(
    ("model", "formula", "certify"),
    [(ALL_600, "always (all_set -> x[599])", []), (SHARED, "always (x or y or not d40)", ["--certify"])],
    ids=["all-600", "shared-defines"],  # cvc5 takes half a minute on the 600 variables: one model is enough
)
@pytest.mark.parametrize("command", ["check", "lint"])
def test_deep_and_shared_models_are_decided(
    tmp_path: Path, model: str, formula: str, certify: list[str], command: str
) -> None:
    pump, req = tmp_path / "m.pump", tmp_path / "m.req"
    pump.write_text(model)
    req.write_text(f'requirement R text "t" source "s" {formula}\n')
    reports = [*certify, "--report", str(tmp_path / "out"), "--json", str(tmp_path / "r.json")]
    args = [str(req), *reports] if command == "check" else []
    out = pumpproof(command, str(pump), *args, "--timeout", "60")
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr, out.stderr
    assert out.returncode == 0, out.stdout + out.stderr


def test_mutants_of_shared_defines_are_scored(tmp_path: Path) -> None:
    pump, req = tmp_path / "m.pump", tmp_path / "m.req"
    pump.write_text(SHARED)
    req.write_text('requirement R text "t" source "s" always (x or y or not d40)\n')
    out = pumpproof("mutate", str(pump), str(req), "--timeout", "60")
    assert out.returncode == 1 and "mutation score" in out.stdout, out.stdout + out.stderr  # the mutants survive


@pytest.mark.slow
def test_a_thousand_channels_encode_and_evaluate() -> None:
    """`-D K=1000` on the tick benchmark: a requirement of 1,000 conjuncts, guards over 1,000 channels."""
    models = ROOT / "benchmarks" / "models"
    system = load_model(str(models / "tick_detector.pump"), {"K": "1000"})
    requirement = load_requirements(str(models / "level.req"), system).requirements[0]
    assert depth(requirement.formula) < 40
    problem = replace(compile_requirement(system, requirement), stutter=False)  # as `check` decides: see below
    Encoding(problem)
    frame = [*problem.system.variables, *problem.system.monitors]
    values = {v.name: False if isinstance(v.type, BoolType) else 0 for v in frame}
    assert evaluate(problem.bad, Frame(values, None, 0)) is False
    assert can_step(system) == TRUE  # the one transition is always enabled: the inputs need not be listed
    text = (models / "tick_detector.pump").read_text() + "invariant count[0] < T\n"
    looked_at = parse_model_text(text, "tick_detector.pump", {"K": "1000"})
    with pytest.raises(TooManyStates, match="about 10\\^602 values are too many to enumerate"):
        can_step(looked_at)  # 2,000 boolean inputs the state after reads: deadlocks are not checked, lint says so
