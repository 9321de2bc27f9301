"""The command line: exit codes, reports, subcommands, and bad input handled without tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from pumpproof import cli, exits
from pumpproof.commands import check as check_command
from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify import independent, portfolio
from pumpproof.verify.analyses import mutate
from pumpproof.verify.results import Violated
from pumpproof.verify.run import Options
from tests.helpers import MODELS, PROPERTIES, STUCK
from tests.reports.conftest import sha256_of

CORRECTED = str(MODELS / "spectrum_corrected.pump")
RECALLED = str(MODELS / "spectrum_recalled.pump")
REQS = str(PROPERTIES / "upstream_occlusion.req")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
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
    assert doc["model"]["sha256"] == sha256_of(CORRECTED)
    assert doc["solvers"]["z3"] and doc["tool"]["version"]
    assert doc["command"].startswith("pumpproof check ")
    level = next(r for r in doc["results"] if r["id"] == "UO-LEVEL")
    assert level["verdict"] == "PROVED" and level["invariant"]["smt2"] and level["trace"] is None


@pytest.mark.slow
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
    assert code == 1 and doc["constants"]["T_DETECT_MS"] == 5000
    assert [r["id"] for r in doc["results"]] == ["MODEL.TIME", "UO-LEVEL"]  # the built-in check always runs


def test_unsupported_formula_is_unknown_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    reqs = tmp_path / "live.req"
    reqs.write_text(
        'requirement L1\n  text "t"\n  source "s"\n  always (occluded_up -> eventually (alarm_up within 5))\n'
    )
    junit, sarif = tmp_path / "j.xml", tmp_path / "r.sarif"
    code, out, _ = run(capsys, "check", CORRECTED, str(reqs), "--junit", str(junit), "--sarif", str(sarif))
    assert code == 3 and "not supported yet" in out
    # nothing was explored: no report may claim a depth that a search reached
    for text in (out, junit.read_text(), sarif.read_text()):
        assert "not supported yet" in text and "depth" not in text.replace('"depth": null', "")


def test_a_counterexample_too_big_to_replay_is_unknown_exit_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Replaying a stopped run checks that no transition can be taken for any input: with a million input
    values that is beyond the interpreter's limit, so the trace is not shown and the requirement is UNKNOWN
    (a limit of the tool, exit 3), not bad input (exit 2) and not VIOLATED on an unreplayed trace."""
    model, reqs = tmp_path / "noisy.pump", tmp_path / "noisy.req"
    model.write_text(
        "input noise: 0..1000000\nvar n: 0..3 = 0\ntransition up when n < 3 do n := n + 1\nterminal n == 3\n"
    )
    reqs.write_text('requirement R1\n  text "t"\n  source "s"\n  always (n == 3 -> previously n != 3)\n')
    code, out, err = run(capsys, "check", str(model), str(reqs))
    assert code == exits.EXIT_UNKNOWN and not err
    assert "R1 UNKNOWN: a counterexample from" in out and "1,000,001 values are too many to enumerate" in out


def test_a_vacuous_proof_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    reqs = tmp_path / "vacuous.req"
    reqs.write_text(
        'requirement V1\n  text "t"\n  source "s"\n'
        "  always (alarm_up and mode == Infusing -> not occluded_up within T_DETECT_MS)\n"
    )
    report = tmp_path / "r.json"
    code, out, _ = run(capsys, "check", CORRECTED, str(reqs), "--json", str(report))
    assert code == 1 and "VACUOUS" in out
    doc = json.loads(report.read_text())
    assert doc["summary"]["vacuous"] == 1 and doc["summary"]["exit_code"] == 1


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


# ---------------------------------------------------------------- check: report options


def test_every_report_option_writes_its_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junit, sarif = tmp_path / "ci" / "pumpproof.xml", tmp_path / "ci" / "pumpproof.sarif"
    report, graphs = tmp_path / "report", tmp_path / "graphs"
    code, out, _ = run(
        capsys, "check", RECALLED, REQS, "--only", "UO-LEVEL", "--only", "UO-EDGE",
        "--junit", str(junit), "--sarif", str(sarif), "--report", str(report), "--graph-dir", str(graphs),
    )  # fmt: skip
    assert code == 1
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["UO-LEVEL"].find("failure") is not None and cases["UO-EDGE"].find("failure") is None
    log = json.loads(sarif.read_text())
    assert log["version"] == "2.1.0"
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["UO-LEVEL"]
    assert "UO-LEVEL" in (report / "index.html").read_text()
    assert sorted(p.name for p in graphs.iterdir()) == ["UO-LEVEL.svg"]  # one graph per violated requirement
    assert ET.parse(graphs / "UO-LEVEL.svg").getroot().tag.endswith("svg")
    assert f"graph written to {graphs / 'UO-LEVEL.svg'}" in out


def test_graph_format_dot_and_junit_unknown_as_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    reqs = tmp_path / "live.req"
    reqs.write_text(
        'requirement L1\n  text "t"\n  source "s"\n  always (occluded_up -> eventually (alarm_up within 5))\n'
    )
    for unknown_as in ("skipped", "error"):
        junit = tmp_path / f"{unknown_as}.xml"
        code, _, _ = run(capsys, "check", CORRECTED, str(reqs), "--junit", str(junit), "--junit-unknown", unknown_as)
        suite = ET.parse(junit).getroot().find("testsuite")
        assert code == 3 and suite is not None
        assert (suite.get("skipped"), suite.get("errors")) == (("1", "0") if unknown_as == "skipped" else ("0", "1"))
    graphs = tmp_path / "dot"
    code, _, _ = run(capsys, "check", RECALLED, REQS, "--only", "UO-LEVEL", "--graph-dir", str(graphs),
                     "--graph-format", "dot")  # fmt: skip
    assert code == 1 and (graphs / "UO-LEVEL.dot").read_text().startswith("digraph")


@pytest.mark.parametrize(
    "option, target",
    [
        ("--junit", "model"),
        ("--sarif", "requirements"),
        ("--json", "requirements"),
        ("--report", "model"),
        ("--graph-dir", "model"),
        ("--certificates", "requirements"),
    ],
)
def test_no_output_may_overwrite_an_input_and_nothing_is_solved(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, option: str, target: str
) -> None:
    model, reqs = tmp_path / "m.pump", tmp_path / "m.req"
    model.write_text(Path(CORRECTED).read_text())
    reqs.write_text(Path(REQS).read_text())
    before = (model.read_bytes(), reqs.read_bytes())
    monkeypatch.setattr(check_command, "check_all", lambda *a, **k: pytest.fail("solved before refusing the output"))
    path = model if target == "model" else reqs
    code, _, err = run(capsys, "check", str(model), str(reqs), option, str(path))
    assert code == 2 and "overwrite" in err and option in err
    assert (model.read_bytes(), reqs.read_bytes()) == before


def test_outputs_inside_a_directory_may_not_overwrite_an_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = tmp_path / "index.html"  # what --report DIR would write
    model.write_text(Path(RECALLED).read_text())
    code, _, err = run(capsys, "check", str(model), REQS, "--report", str(tmp_path))
    assert code == 2 and "--report" in err and "overwrite" in err
    graphs = tmp_path / "graphs"
    graphs.mkdir()
    reqs = graphs / "UO-LEVEL.svg"  # what --graph-dir DIR would write for a violated UO-LEVEL
    reqs.write_text(Path(REQS).read_text())
    code, _, err = run(capsys, "check", RECALLED, str(reqs), "--graph-dir", str(graphs))
    assert code == 2 and "--graph-dir" in err and reqs.read_text() == Path(REQS).read_text()


def test_two_outputs_on_one_path_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    same = tmp_path / "out"
    code, _, err = run(capsys, "check", CORRECTED, REQS, "--json", str(same), "--sarif", str(same))
    assert code == 2 and "--json and --sarif" in err and not same.exists()
    code, _, err = run(capsys, "check", CORRECTED, REQS, "--report", str(same), "--junit", str(same))
    assert code == 2 and "--report and --junit" in err and not same.exists()


def test_outputs_are_written_only_after_solving(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("engine crashed")

    monkeypatch.setattr(check_command, "check_all", crash)
    outs = {
        "--json": tmp_path / "r.json", "--junit": tmp_path / "j.xml", "--sarif": tmp_path / "s.sarif",
        "--report": tmp_path / "report", "--graph-dir": tmp_path / "graphs", "--certificates": tmp_path / "certs",
    }  # fmt: skip
    code, _, err = run(capsys, "check", CORRECTED, REQS, *(x for o, p in outs.items() for x in (o, str(p))))
    assert code == 4 and "engine crashed" in err
    assert list(tmp_path.iterdir()) == []


def test_provenance_and_report_describe_the_bytes_parsed_not_the_file_after_solving(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    model, reqs = tmp_path / "m.pump", tmp_path / "m.req"
    model.write_text("// the model as verified\n" + TINY)
    reqs.write_text('requirement R\n  text "t"\n  source "s"\n  always (fired(up) -> go)\n')
    parsed = {"model": sha256_of(str(model)), "requirements": sha256_of(str(reqs))}
    solve = check_command.check_all

    def edited_while_solving(*args: object, **kwargs: object) -> object:
        outcomes = solve(*args, **kwargs)  # type: ignore[arg-type]
        model.write_text("// edited after the run started\n" + TINY)
        reqs.write_text(reqs.read_text() + "// edited\n")
        return outcomes

    monkeypatch.setattr(check_command, "check_all", edited_while_solving)
    out = tmp_path / "out"
    code, text, _ = run(capsys, "check", str(model), str(reqs), "--json", str(out / "r.json"), "--report", str(out))
    assert code == 0 and sha256_of(str(model)) != parsed["model"]
    doc = json.loads((out / "r.json").read_text())
    assert {f["role"]: f["sha256"] for f in doc["files"]} == parsed
    assert f"sha256 {parsed['model'][:12]}" in text
    html = (out / "index.html").read_text()
    assert parsed["model"] in html and parsed["requirements"] in html
    assert "the model as verified" in html and "edited after the run started" not in html


# ---------------------------------------------------------------- certify


def test_certify_rechecks_with_cvc5_and_writes_the_bundle_by_default_in_cwd(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "certify", CORRECTED, REQS, "--only", "UO-LEVEL", "--only", "UO-ARMED")
    assert code == 0
    assert f"cvc5 {independent.solver_version()}" in out and "confirmed" in out
    manifest = json.loads((tmp_path / "spectrum_corrected.certificates" / independent.MANIFEST).read_text())
    ids = [(p["id"], p["rechecked"]) for p in manifest["proofs"]]
    assert ids == [("MODEL.TIME", True), ("UO-LEVEL", True), ("UO-ARMED", True)]
    assert all(ob["answer"] == "unsat" for p in manifest["proofs"] for ob in p["obligations"])


def test_check_certify_prints_without_writing_and_out_dir_is_honoured(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", CORRECTED, REQS, "--only", "UO-LEVEL", "--certify")
    assert code == 0 and "cvc5" in out and "3/3 unsat" in out
    assert list(tmp_path.iterdir()) == []  # --certify alone writes nothing
    code, _, _ = run(capsys, "certify", CORRECTED, REQS, "--only", "UO-LEVEL", "--out", "bundle")
    assert code == 0 and (tmp_path / "bundle" / independent.MANIFEST).is_file()
    assert (tmp_path / "bundle" / "UO-LEVEL.safety.smt2").read_text().startswith("(set-logic")


def test_a_proof_cvc5_refutes_exits_4_and_keeps_the_certificates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(independent, "check_script", lambda script, timeout_s=60.0: (independent.Answer.SAT, "", 0.0))
    certs, report = tmp_path / "certs", tmp_path / "r.json"
    code, out, err = run(
        capsys, "check", CORRECTED, REQS, "--only", "UO-LEVEL", "--certificates", str(certs), "--json", str(report)
    )
    assert code == 4 and "internal error" in err and "UO-LEVEL" in err and "REFUTED" in out
    manifest = json.loads((certs / independent.MANIFEST).read_text())
    assert manifest["proofs"][0]["rechecked"] is False
    assert json.loads(report.read_text())["summary"]["exit_code"] == 4


def test_a_proof_cvc5_cannot_decide_is_unknown_exit_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    undecided = (independent.Answer.UNKNOWN, "", 0.0)
    monkeypatch.setattr(independent, "check_script", lambda script, timeout_s=60.0: undecided)
    code, out, err = run(capsys, "check", CORRECTED, REQS, "--only", "UO-LEVEL", "--certify")
    assert code == 3 and "not confirmed" in out and "internal error" not in err


# ---------------------------------------------------------------- lint

# 5001 input values: too many to enumerate for the deadlock question, which stays undecided
WIDE = """
input n: 0..5000
var x: bool = false
transition up when n > 2 and not x do x := true
transition down when x do x := false
"""


def test_lint_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "lint", CORRECTED, "--timeout", "30")
    assert code == 0 and "9/9 transitions fire" in out and "time: always passes" in out
    stuck = tmp_path / "stuck.pump"
    stuck.write_text(STUCK)
    code, out, _ = run(capsys, "lint", str(stuck))
    assert code == 1 and "dead transition: fail" in out and "MODEL.DEADLOCK" in out
    assert "start → jam" in out
    wide = tmp_path / "wide.pump"
    wide.write_text(WIDE)
    code, out, _ = run(capsys, "lint", str(wide))
    assert code == 3 and "deadlocks not checked" in out and "2/2 transitions fire" in out


def test_lint_applies_defines(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "lint", CORRECTED, "-D", "NOPE=1")
    assert code == 2 and "NOPE" in err


# ---------------------------------------------------------------- mutate

TINY = """
input go: bool
var x: bool = false
transition up when go do x := true
transition down when not go do x := false
"""


def _tiny(tmp_path: Path) -> str:
    model = tmp_path / "tiny.pump"
    model.write_text(TINY)
    return str(model)


def _req(tmp_path: Path, formula: str) -> str:
    path = tmp_path / "r.req"
    path.write_text(f'requirement R\n  text "t"\n  source "s"\n  {formula}\n')
    return str(path)


@pytest.mark.slow
def test_mutate_edge_form_lets_the_recall_like_mutant_survive(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "mutate", CORRECTED, REQS, "--only", "UO-EDGE", "--transition", "restart", "--timeout", "30"
    )
    assert code == 1
    assert "restart: move armed := true to occlusion_clears" in out and "survived" in out
    assert "mutation score" in out
    assert "restart: drop armed := true" not in out  # killed by UO-EDGE: listed only with --show-killed


def test_mutate_exit_0_when_every_mutant_is_killed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    model = _tiny(tmp_path)
    reqs = _req(tmp_path, "always (fired(up) -> go and x)")
    code, out, _ = run(capsys, "mutate", model, reqs, "--transition", "up", "--show-killed")
    counts = "3 killed, 0 survived, 0 equivalent, 0 with fewer runs of the world, 0 undecided of 3 mutants"
    assert code == 0 and counts in out
    assert "up: drop x := true" in out  # listed because of --show-killed
    weak = _req(tmp_path, "always (fired(up) -> go and (x or not x))")  # reads x, but says nothing about it
    code, out, _ = run(capsys, "mutate", model, weak, "--transition", "up")
    assert code == 1 and "1 killed, 2 survived, 0 equivalent" in out
    assert "up: drop x := true: differs after up: x = True (mutant: False)" in out  # tells the survivor apart
    blind = _req(tmp_path, "always (fired(up) -> go)")  # reads no variable: x is not observable
    code, out, _ = run(capsys, "mutate", model, blind, "--transition", "up")
    assert code == 0 and "1 killed, 0 survived, 2 equivalent" in out


def test_mutate_baseline_fails_only_on_a_survivor_it_does_not_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = _tiny(tmp_path)
    weak = _req(tmp_path, "always (fired(up) -> go and (x or not x))")  # 'drop x := true', 'x := false' live
    written = tmp_path / "survivors.csv"
    code, out, _ = run(capsys, "mutate", model, weak, "--transition", "up", "--write-baseline", str(written))
    assert code == 1 and "2 survivors written" in out
    rows = written.read_text().splitlines()
    assert rows[0] == "mutant,reason" and len(rows) == 3 and all("unreviewed:" in r for r in rows[1:])
    code, _, err = run(capsys, "mutate", model, weak, "--transition", "up", "--baseline", str(written))
    assert code == 2 and "survivors.csv:2:1: error: no reviewed reason for 'up: drop x := true'" in err
    before = written.read_text()
    code, _, err = run(capsys, "mutate", model, weak, "--write-baseline", str(written))
    assert code == 2 and "exists" in err and written.read_text() == before  # never overwritten
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text('mutant,reason\n"up: drop x := true","x is read by no requirement"\n')
    code, out, _ = run(capsys, "mutate", model, weak, "--transition", "up", "--baseline", str(reviewed))
    assert code == 1 and "new survivor, not in" in out and "1 survivors reviewed, 1 new" in out
    reviewed.write_text(reviewed.read_text() + '"up: x := true becomes x := false","as above"\n"gone","old"\n')
    code, out, _ = run(capsys, "mutate", model, weak, "--transition", "up", "--baseline", str(reviewed))
    assert code == 0 and "2 survivors reviewed, 0 new" in out and "its entry in" in out and "gone" in out


def test_mutate_sample_runs_the_same_random_mutants_and_says_the_score_is_an_estimate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = _tiny(tmp_path)
    weak = _req(tmp_path, "always (fired(up) -> go and (x or not x))")  # 'drop x := true', 'x := false' live
    _, everything, _ = run(capsys, "mutate", model, weak, "--show-killed")
    total = int(re.search(r"of (\d+) mutants", everything).group(1))  # type: ignore[union-attr]
    shown = [run(capsys, "mutate", model, weak, "--show-killed", "--sample", "3", "--sample-seed", str(seed))[1]
             for seed in (1, 1, 2)]  # fmt: skip
    shown = [" ".join(out.split()) for out in shown]  # the console wraps long lines
    assert shown[0] == shown[1] and "of 3 mutants" in shown[0]  # the same seed draws the same sample
    assert f"a random sample of the model's {total} mutants, seed 1" in shown[0] and "95% confidence" in shown[0]
    assert "seed 2" in shown[2]
    _, all_of_them, _ = run(capsys, "mutate", model, weak, "--sample", str(total + 5))
    assert f"of {total} mutants" in all_of_them and "random sample" not in all_of_them  # no sample needed
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text('mutant,reason\n"up: drop x := true","read by no requirement"\n')
    code, out, _ = run(capsys, "mutate", model, weak, "--sample", "1", "--baseline", str(reviewed))
    drawn = "up: drop x := true" in out or "mutant: False" in out
    assert code in (0, 1) and ("its entry in" not in out or drawn)  # an entry outside the sample is not stale
    code, _, err = run(capsys, "mutate", model, weak, "--sample", "0")
    assert code == 2 and "positive whole number of mutants" in err


def test_the_interval_of_a_sampled_score_holds_the_whole_set_s_score() -> None:
    low, high = mutate.wilson_interval(20, 20)
    assert high == 1.0 and 0.83 < low < 0.85  # 20 of 20 killed still allows a 16% gap
    low, high = mutate.wilson_interval(61, 66)
    assert low < 61 / 66 < high and 0.83 < low < 0.85 and 0.96 < high < 0.98
    assert mutate.wilson_interval(0, 0) == (0.0, 1.0) and mutate.wilson_interval(0, 5)[0] == 0.0


def test_mutate_exclude_leaves_out_a_requirement_meant_to_fail(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("mutate", RECALLED, REQS, "--only", "UO-LEVEL", "--only", "UO-STOPS", "--transition", "restart")
    code, _, err = run(capsys, *args)
    assert code == 2 and "UO-LEVEL already fails" in err
    code, out, _ = run(capsys, *args, "--exclude", "UO-LEVEL")
    assert code in (0, 1) and "mutation score" in out and "for UO-STOPS on" in out
    code, _, err = run(capsys, *args, "--exclude", "UO-NOPE")
    assert code == 2 and "--exclude names unknown requirement(s): UO-NOPE" in err


def test_mutate_exit_3_when_nothing_survives_but_something_is_undecided(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = _tiny(tmp_path)
    reqs = _req(tmp_path, "always (x -> eventually (not x within 5))")  # not supported: undecided everywhere
    code, out, _ = run(capsys, "mutate", model, reqs, "--transition", "up")
    assert code == 3 and "0 survived, 0 equivalent, 0 with fewer runs of the world, 3 undecided" in out
    assert "UNKNOWN on the unmutated model" in out


def test_mutate_refuses_a_requirement_the_model_already_violates(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "mutate", RECALLED, REQS, "--only", "UO-LEVEL", "--transition", "restart")
    assert code == 2 and "UO-LEVEL already fails" in err


def test_mutate_refuses_a_requirement_vacuous_on_the_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    model = _tiny(tmp_path)
    reqs = _req(tmp_path, "always (x and not x -> fired(down))")  # a trigger no run reaches
    code, _, err = run(capsys, "mutate", model, reqs, "--transition", "up")
    assert code == 2 and "R already fails on tiny itself (R is VACUOUS" in err


def test_mutate_refuses_an_unknown_transition(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "mutate", CORRECTED, REQS, "--transition", "nope")
    assert code == 2 and "nope" in err and "restart" in err


def test_score_reports_progress_before_each_mutant(tmp_path: Path) -> None:
    model = _tiny(tmp_path)
    system = load_model(model, {})
    reqs = load_requirements(_req(tmp_path, "always (fired(up) -> go)"), system).requirements
    selected = mutate.mutants(system, ["up"])
    seen: list[mutate.Mutant] = []
    result = mutate.score(system, reqs, Options(timeout_s=30), selected, progress=seen.append)
    assert seen == selected and [r.mutant for r in result.results] == selected


# ---------------------------------------------------------------- show


def test_show_round_trip_from_a_json_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, checked, _ = run(capsys, "check", RECALLED, REQS, "--only", "UO-LEVEL", "--json", str(report))
    assert code == 1
    code, out, _ = run(capsys, "show", str(report))
    assert code == 0 and "UO-LEVEL" in out and "restart" in out and "confirmed again by `show`" in out
    graph = tmp_path / "cx.svg"
    code, out, _ = run(capsys, "show", str(report), "--id", "UO-LEVEL", "--graph", str(graph))
    assert code == 0 and ET.parse(graph).getroot().tag.endswith("svg")
    before = report.read_bytes()
    code, _, err = run(capsys, "show", str(report), "--graph", str(report))
    assert code == 2 and "overwrite" in err and report.read_bytes() == before
    code, _, err = run(capsys, "show", str(report), "--id", "UO-NOPE")
    assert code == 2 and "UO-NOPE" in err
    code, out, err = run(capsys, "show", str(report), "--graph", str(tmp_path / "cx.jpg"))
    assert code == 2 and "graph format" in err and out == ""  # refused before anything is shown


def test_show_without_a_counterexample_or_report_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = tmp_path / "ok.json"
    assert run(capsys, "check", CORRECTED, REQS, "--only", "UO-LEVEL", "--json", str(report))[0] == 0
    code, _, err = run(capsys, "show", str(report))
    assert code == 2 and "no counterexample" in err
    code, _, err = run(capsys, "show", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in err and "Traceback" not in err


def test_module_entry_point_runs_subcommands(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pumpproof", "show", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2 and "missing.json" in out.stderr


BASELINE_MODEL = """
var x: bool = false
var y: bool = false
transition up when not x do x := true
transition down when x do x := false{extra}
"""
BASELINE_REQS = """
requirement NO-Y
  text "y never holds"
  source "test"
  never (y)
requirement NEVER-X
  text "x never holds (a failure the baseline accepts)"
  source "test"
  never (x)
"""


def test_a_baseline_fails_only_the_verdicts_that_got_worse(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    model, reqs, old = tmp_path / "m.pump", tmp_path / "r.req", tmp_path / "old.json"
    model.write_text(BASELINE_MODEL.format(extra=""))
    reqs.write_text(BASELINE_REQS)
    assert run(capsys, "check", str(model), str(reqs), "--json", str(old))[0] == 1  # NEVER-X is VIOLATED
    code, out, _ = run(capsys, "check", str(model), str(reqs), "--baseline", str(old))
    assert code == 0 and "no verdict worse than the baseline" in out  # the known failure does not fail again
    model.write_text(BASELINE_MODEL.format(extra="; y := true"))
    code, out, _ = run(capsys, "check", str(model), str(reqs), "--baseline", str(old))
    assert code == 1 and "1 verdict(s) worse than the baseline" in out
    row = next(line for line in out.splitlines() if "NO-Y" in line and "worse" in line)
    assert row.index("PROVED") < row.index("VIOLATED")
    reqs.write_text(
        BASELINE_REQS.replace("never (x)", "never (x and not x)")
        + BASELINE_REQS.split("requirement NEVER-X")[0].replace("NO-Y", "NEW")
    )
    model.write_text(BASELINE_MODEL.format(extra=""))
    code, out, _ = run(capsys, "check", str(model), str(reqs), "--baseline", str(old))
    assert code == 0 and "better" in out and "new" in out  # NEVER-X now proved, NEW proved


def test_a_baseline_that_is_no_report_is_refused_before_solving(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model, reqs, junk, out_json = tmp_path / "m.pump", tmp_path / "r.req", tmp_path / "old.json", tmp_path / "o.json"
    model.write_text(BASELINE_MODEL.format(extra=""))
    reqs.write_text(BASELINE_REQS)
    junk.write_text('{"schema": "something else"}')
    code, _, err = run(capsys, "check", str(model), str(reqs), "--baseline", str(junk), "--json", str(out_json))
    assert code == 2 and "is not a pumpproof report" in err and "Traceback" not in err
    assert not out_json.exists()


def test_the_command_exits_without_teardown_yet_runs_the_exit_handlers_and_writes_everything(tmp_path: Path) -> None:
    """`cli.entry` ends with `os._exit` (the interpreter's teardown cost about 0.07 s of CPU per run): the exit code,
    the piped output, the JSON report and a registered exit handler are all still there."""
    model, reqs, report = _tiny(tmp_path), _req(tmp_path, "always (x or not x)"), tmp_path / "out.json"
    program = (
        "import atexit, sys; atexit.register(print, 'the exit handler ran'); "
        f"sys.argv = ['pumpproof', 'check', {model!r}, {reqs!r}, '--json', {str(report)!r}]; "
        "from pumpproof.cli import entry; entry()"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "proved, 0 violated" in done.stdout and done.stdout.rstrip().endswith("the exit handler ran")
    assert {r["id"] for r in json.loads(report.read_text())["results"]} >= {"R"}
    argv = [sys.executable, "-m", "pumpproof", "check", model, _req(tmp_path, "always x")]
    violated = subprocess.run(argv, capture_output=True, timeout=120)
    assert violated.returncode == exits.EXIT_VIOLATED and b"1 violated" in violated.stdout
