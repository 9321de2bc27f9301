"""The command line: exit codes, JSON report, and bad input handled without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pumpproof import cli
from pumpproof.verify import portfolio
from pumpproof.verify.results import Violated
from tests.helpers import MODELS, PROPERTIES

CORRECTED = str(MODELS / "spectrum_corrected.pump")
RECALLED = str(MODELS / "spectrum_recalled.pump")
REQS = str(PROPERTIES / "upstream_occlusion.req")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_corrected_model_exits_0_with_every_requirement_proved(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "out" / "result.json"
    code, out, _ = run(capsys, "check", CORRECTED, REQS, "--json", str(report))
    assert code == 0
    assert "UO-LEVEL" in out and "VIOLATED" not in out
    doc = json.loads(report.read_text())
    assert doc["schema"] == "pumpproof-result/1"
    assert doc["summary"]["exit_code"] == 0 and doc["summary"]["violated"] == 0
    assert doc["model"]["sha256"] == cli.sha256_of(CORRECTED)
    assert doc["solvers"]["z3"] and doc["tool"]["version"]
    assert doc["command"].startswith("pumpproof check ")
    level = next(r for r in doc["results"] if r["id"] == "UO-LEVEL")
    assert level["verdict"] == "PROVED" and level["invariant"]["smt2"] and level["trace"] is None


def test_recalled_model_exits_1_with_a_step_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, out, _ = run(capsys, "check", RECALLED, REQS, "--json", str(report))
    assert code == 1
    assert "UO-LEVEL VIOLATED" in out and "restart" in out and "Replayed" in out
    doc = json.loads(report.read_text())
    level = next(r for r in doc["results"] if r["id"] == "UO-LEVEL")
    assert level["verdict"] == "VIOLATED"
    steps = level["trace"]["steps"]
    assert steps[0]["transition"] is None and steps[-1]["state"]["alarm_up"] is False
    assert level["depth"] == len(steps) - 1


def test_constant_override_changes_the_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, _, _ = run(
        capsys, "check", RECALLED, REQS, "-D", "T_DETECT_MS=5000", "--only", "UO-LEVEL", "--json", str(report)
    )
    doc = json.loads(report.read_text())
    assert code == 1 and doc["constants"]["T_DETECT_MS"] == 5000 and len(doc["results"]) == 1


def test_unsupported_formula_is_unknown_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    reqs = tmp_path / "live.req"
    reqs.write_text(
        'requirement L1\n  text "t"\n  source "s"\n  always (occluded_up -> eventually (alarm_up within 5))\n'
    )
    code, out, _ = run(capsys, "check", CORRECTED, str(reqs))
    assert code == 3 and "not supported yet" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "missing.pump", REQS], "missing.pump"),
        (["check", CORRECTED, REQS, "-D", "NOPE=1"], "NOPE"),
        (["check", CORRECTED, REQS, "-D", "T_DETECT_MS"], "NAME=VALUE"),
        (["check", CORRECTED, REQS, "--engine", "magic"], "magic"),
        (["check", CORRECTED, REQS, "--only", "UO-NOPE"], "UO-NOPE"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_usage_exits_2_without_traceback(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_broken_model_points_at_file_line_col(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    model = tmp_path / "broken.pump"
    model.write_text("var mode: bool = false\ntransition go\n  when mode == 3\n")
    code, _, err = run(capsys, "check", str(model), REQS)
    assert code == 2
    assert f"{model}:3:" in err and "^" in err and "Traceback" not in err


def test_report_never_overwrites_an_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    model = tmp_path / "m.pump"
    model.write_text(Path(CORRECTED).read_text())
    before = model.read_bytes()
    code, _, err = run(capsys, "check", str(model), REQS, "--json", str(model))
    assert code == 2 and "overwrite" in err
    assert model.read_bytes() == before


def test_a_trace_that_does_not_replay_exits_4(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    genuine = portfolio.ENGINES["bmc"]

    def lying_engine(problem, budget):  # type: ignore[no-untyped-def]
        result = genuine(problem, budget)
        if isinstance(result, Violated):  # drop the violating step: the rest does not violate
            return replace(result, trace=replace(result.trace, steps=result.trace.steps[:-1]))
        return result

    monkeypatch.setitem(portfolio.ENGINES, "bmc", lying_engine)
    code, _, err = run(capsys, "check", RECALLED, REQS, "--engine", "bmc", "--only", "UO-LEVEL")
    assert code == 4 and "internal error" in err


def test_module_entry_point_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "pumpproof", "--version"], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.startswith("pumpproof ")
