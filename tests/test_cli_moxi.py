"""The command line on MoXI files: no requirements file needed, the usual exit codes, reports and `show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pumpproof import cli
from tests.helpers import MODELS as PUMP_MODELS

MOXI = Path(__file__).parent / "models" / "moxi"
COUNTER = str(MOXI / "counter.moxi")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_reads_the_queries_of_a_moxi_file_and_show_replays_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "counter.json"
    code, out, _ = run(capsys, "check", COUNTER, "--json", str(report), "--timeout", "30")
    assert code == 1
    assert "never_five VIOLATED" in out and "Replayed on the model by the interpreter: confirmed" in out
    doc = json.loads(report.read_text())
    assert {f["role"]: f["path"] for f in doc["files"]} == {"model": COUNTER, "requirements": COUNTER}
    assert {r["id"]: r["verdict"] for r in doc["results"]} == {"never_negative": "PROVED", "never_five": "VIOLATED"}
    code, out, _ = run(capsys, "show", str(report))
    assert code == 0 and "confirmed again by `show`" in out


def test_a_moxi_file_whose_queries_all_hold_exits_0_and_its_proof_is_certified(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = tmp_path / "positive.moxi"
    model.write_text(Path(COUNTER).read_text().replace(" :query (never_five (five))", ""))
    code, out, _ = run(capsys, "check", str(model), "--certify", "--timeout", "30")
    assert code == 0, out
    assert "never_negative" in out and "never_five" not in out


def test_a_pump_model_without_requirements_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", str(PUMP_MODELS / "spectrum_corrected.pump"))
    assert code == 2
    assert "a .pump model needs a requirements file" in err and "Traceback" not in err


def test_a_broken_moxi_file_is_located(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    model = tmp_path / "broken.moxi"
    model.write_text("(set-logic QF_LIA)\n(define-system S :local ((x Real)))\n")
    code, _, err = run(capsys, "check", str(model))
    assert code == 2
    assert err.startswith(f"{model}:2:29: error: the sort Real is not in the logic QF_LIA") and "Traceback" not in err


def test_lint_reads_a_moxi_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", str(MOXI / "dead_end.moxi"), "--timeout", "30")
    assert code == 1  # the run that stops after one step is a finding
    assert "MODEL.DEADLOCK" in out or "deadlock" in out
