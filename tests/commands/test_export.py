"""`pumpproof export`: printed or written MoXI, warnings for what is left out, and bad input refused (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pumpproof import cli
from tests.helpers import MODELS, PROPERTIES, ROOT

RECALLED = str(MODELS / "spectrum_recalled.pump")
REQS = str(PROPERTIES / "upstream_occlusion.req")
TICK = str(ROOT / "benchmarks" / "models" / "tick_detector.pump")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def without_command(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("; command:"))


def test_prints_the_file_and_warns_about_each_requirement_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "export", RECALLED, REQS, "--to", "moxi")
    assert code == 0
    assert out.startswith("; MoXI 0.1, written by pumpproof")
    assert f"; command: pumpproof export {RECALLED} {REQS} --to moxi" in out
    assert "(define-system spectrum_recalled" in out and ":query (q_UO-LEVEL (bad_UO-LEVEL))" in out
    warnings = err.splitlines()
    assert len(warnings) == 2
    assert warnings[0].startswith("warning: UO-LIVE is not exported: a liveness requirement")
    assert warnings[1].startswith("warning: UO-LIVE-EDGE is not exported")


def test_writes_the_same_file_with_o(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, printed, _ = run(capsys, "export", RECALLED, REQS, "--to", "moxi")
    target = tmp_path / "sub" / "recalled.moxi"
    code, out, err = run(capsys, "export", RECALLED, REQS, "--to", "moxi", "-o", str(target))
    assert code == 0 and out == ""
    assert without_command(target.read_text()) == without_command(printed)
    assert f"MoXI written to {target} (UO-LEVEL, UO-EDGE," in err


def test_only_and_defines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "export", RECALLED, REQS, "--to", "moxi", "--only", "UO-ARMED", "-D", "T_DETECT_MS=5")
    assert code == 0 and err == ""
    assert "; constants: T_DETECT_MS = 5, T_SILENCE_MS = 120000" in out
    assert out.count(":query") == 1 and "q_UO-ARMED" in out


def test_without_requirements_only_model_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", TICK, "--to", "moxi", "-D", "T=7")
    assert code == 0
    assert out.count(":query") == 1 and ":query (q_MODEL.RANGES (bad_MODEL.RANGES))" in out
    code, out, _ = run(capsys, "export", RECALLED, "--to", "moxi")
    assert code == 0 and ":query" not in out and "; No query:" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "vmt"], "argument --to: invalid choice: 'vmt' (choose from 'moxi')"),
        ([], "the following arguments are required: --to"),
        (["--to", "moxi", "-o", RECALLED], f"-o {RECALLED} would overwrite an input file"),
        (["--to", "moxi", "-o", REQS], f"-o {REQS} would overwrite an input file"),
        (["--to", "moxi", "-o", f"{REQS}/out.moxi"], "is not a directory"),
        (["--to", "moxi", "-o", str(MODELS)], "is a directory"),
        (["--to", "moxi", "--only", "UO-NOPE"], "--only names unknown requirement(s): UO-NOPE"),
    ],
)
def test_bad_input_is_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    before = Path(REQS).read_bytes(), Path(RECALLED).read_bytes()
    code, out, err = run(capsys, "export", RECALLED, REQS, *args)
    assert code == 2 and out == ""
    assert message in err
    assert (Path(REQS).read_bytes(), Path(RECALLED).read_bytes()) == before


def test_only_without_requirements_and_a_broken_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "export", RECALLED, "--to", "moxi", "--only", "UO-LEVEL")
    assert code == 2 and "no requirements file is given" in err
    broken = tmp_path / "broken.pump"
    broken.write_text("var x: bool = \n")
    code, out, err = run(capsys, "export", str(broken), "--to", "moxi")
    assert code == 2 and out == "" and f"{broken}:" in err
