"""`--deterministic`: the answer comes from the first engine in a fixed order that gives one, not the fastest."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pumpproof.verify.budget import Budget
from pumpproof.verify.portfolio import race
from pumpproof.verify.results import Certificate, CertificateKind, Proved, Result, Step, Trace, Unknown, Violated
from tests.helpers import ROOT


def _after(seconds: float, result: Result):  # type: ignore[no-untyped-def]
    def task() -> Result:
        time.sleep(seconds)
        return result

    return task


def _proof(engine: str) -> Proved:
    return Proved(engine, 0.0, Certificate(CertificateKind.INDUCTIVE, 1, "true", f"found by {engine}"))


def _violation(engine: str, steps: int) -> Violated:
    return Violated(engine, 0.0, Trace(tuple(Step(i, None, {}, {}) for i in range(steps + 1))))


def test_a_proof_comes_from_the_first_prover_in_order_without_waiting_for_bmc() -> None:
    tasks = {
        "bmc": _after(60, Unknown("bmc", 60.0, "never proves")),
        "kind": _after(1.0, _proof("kind")),
        "ic3": _after(0.0, _proof("ic3")),
    }
    assert race(tasks, Budget.seconds(30), "p").engine == "ic3"  # first come
    started = time.time()
    assert race(tasks, Budget.seconds(30), "p", deterministic=True).engine == "kind"
    assert time.time() - started < 20, "waited for BMC, which cannot prove"


def test_a_violation_comes_from_bmc_when_it_finds_one_and_from_the_next_in_order_when_it_gives_up() -> None:
    tasks = {"bmc": _after(1.0, _violation("bmc", 3)), "kind": _after(0.0, _violation("kind", 5))}
    assert race(tasks, Budget.seconds(30), "p", deterministic=True).engine == "bmc"
    tasks["bmc"] = _after(0.5, Unknown("bmc", 0.5, "timeout", 2))
    assert race(tasks, Budget.seconds(30), "p", deterministic=True).engine == "kind"


@pytest.mark.slow
def test_two_runs_of_a_deterministic_command_give_the_same_report_apart_from_times(tmp_path: Path) -> None:
    """Two commands, two processes: within one Python process Z3's term tables carry over from run to run,
    and its simplifier then words an invariant differently."""
    model, reqs = ROOT / "models" / "spectrum_recalled.pump", ROOT / "properties" / "upstream_occlusion.req"
    docs = []
    for i in range(2):
        out = tmp_path / f"{i}.json"
        command = ["check", str(model), str(reqs), "--deterministic", "--timeout", "60", "--json", str(out)]
        subprocess.run([sys.executable, "-m", "pumpproof", *command], cwd=ROOT, capture_output=True, check=False)
        doc = json.loads(out.read_text())
        assert doc["options"]["deterministic"] is True
        docs.append([{k: v for k, v in r.items() if k != "time_s"} for r in doc["results"]])
    assert docs[0] == docs[1]
