"""The pytest plugin (`pumpproof.pytest_plugin`): a temporary project whose pyproject.toml names a model and its
requirements, run by pytest through `pytester`.

The plugin is loaded with `-p pumpproof.pytest_plugin`, which works whether or not pumpproof's `pytest11` entry
point is installed (`test_loaded_by_name_and_by_entry_point` installs a stand-in for it).
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pumpproof.project import project_checks
from tests.helpers import ROOT

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "pumpproof.pytest_plugin", "-p", "no:cacheprovider")
MODEL = "models/clock_detector.pump"
REQUIREMENTS = """\
requirement NO-RUN-IN-ALARM
  text "the pump never runs while it alarms"
  source "test"
  always (not (alarm[0] and running[0]))

requirement LEVEL
  text "every persisting occlusion while running alarms within T"
  source "benchmark"
  always (all c in 0..K-1: (blocked[c] -> (alarm[c] or not blocked[c]) within T))

requirement NEVER-TRIGGERED
  text "an alarm while running means an occlusion (it never happens)"
  source "test"
  always ((alarm[0] and running[0]) -> occluded[0])
"""
CHECK = f'{{model = "{MODEL}", requirements = "properties/detector.req", define = {{T = 10, LATCH = true}}}}'
TABLE = f"""\
[tool.pumpproof]
timeout = 30
checks = [{CHECK}]
"""
IDS = ["MODEL.TIME", "NO-RUN-IN-ALARM", "LEVEL", "NEVER-TRIGGERED"]
"""The items, in order: the built-in question of a model with clocks first, then the requirements as written."""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """The clock-encoded benchmark detector with the recalled latch (LATCH = true): one requirement PROVED, the
    level requirement VIOLATED, one VACUOUS (its trigger is never reached)."""
    (pytester.path / "models").mkdir()
    (pytester.path / "properties").mkdir()
    shutil.copy(ROOT / "benchmarks" / "models" / "clock_detector.pump", pytester.path / MODEL)
    (pytester.path / "properties" / "detector.req").write_text(REQUIREMENTS)
    pytester.makepyprojecttoml(TABLE)
    return pytester


def collected(result: pytest.RunResult) -> list[str]:
    """The node ids `--collect-only -q` printed."""
    return [line for line in result.outlines if "::" in line]


def test_one_item_per_requirement_with_its_verdict(project: pytest.Pytester) -> None:
    ids = collected(project.runpytest(*PLUGIN, "--collect-only", "-q"))
    assert ids == [f"{MODEL}::{rid}" for rid in IDS]
    result = project.runpytest(*PLUGIN, "-rA")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            f"PASSED {MODEL}::MODEL.TIME",
            f"PASSED {MODEL}::NO-RUN-IN-ALARM",
            f"FAILED {MODEL}::LEVEL - LEVEL VIOLATED*",
            f"FAILED {MODEL}::NEVER-TRIGGERED - NEVER-TRIGGERED VACUOUS*",
        ]
    )


def test_a_failure_is_its_evidence_without_a_traceback(project: pytest.Pytester) -> None:
    result = project.runpytest(*PLUGIN)
    text = result.stdout.str()
    assert "LEVEL VIOLATED: every persisting occlusion while running alarms within T" in text
    assert "at properties/detector.req:6:13; source: benchmark" in text
    assert "step 6: time passes by 11 (delay)" in text  # the narrative
    assert "At step 6 requirement LEVEL fails" in text
    assert "Replayed on the model by the interpreter: confirmed." in text
    assert "no run reaches the trigger (alarm[0] and running[0])" in text  # why NEVER-TRIGGERED is VACUOUS
    for noise in ("Traceback", "pytest_plugin.py", "RequirementFailed", "runtest"):
        assert noise not in text


def test_k_and_exitfirst_select_the_work(project: pytest.Pytester) -> None:
    project.runpytest(*PLUGIN, "-k", "LEVEL").assert_outcomes(failed=1, deselected=3)
    project.runpytest(*PLUGIN, "--deselect", f"{MODEL}::LEVEL").assert_outcomes(passed=2, failed=1, deselected=1)
    project.runpytest(*PLUGIN, "-x").assert_outcomes(passed=2, failed=1)  # NEVER-TRIGGERED never asked
    project.runpytest(*PLUGIN, "-m", "not pumpproof").assert_outcomes(deselected=4)


def test_junit_xml(project: pytest.Pytester) -> None:
    project.runpytest(*PLUGIN, "--junitxml", "out.xml").assert_outcomes(passed=2, failed=2)
    cases = {c.get("name"): c for c in ET.parse(project.path / "out.xml").iter("testcase")}
    assert list(cases) == IDS
    assert {c.get("classname") for c in cases.values()} == {"models.clock_detector.pump"}
    failure = cases["LEVEL"].find("failure")
    assert failure is not None
    assert failure.get("message") == "LEVEL VIOLATED: every persisting occlusion while running alarms within T"
    assert "At step 6 requirement LEVEL fails" in (failure.text or "")
    verdicts = {n: {p.get("name"): p.get("value") for p in c.iter("property")}["verdict"] for n, c in cases.items()}
    assert list(verdicts.values()) == ["PROVED", "PROVED", "VIOLATED", "VACUOUS"]


def test_the_result_cache_serves_a_second_run(project: pytest.Pytester) -> None:
    """With `cache` in the table each requirement goes through the result cache: stored on the first run, served
    (re-checked) on the second, with the same outcomes."""
    project.makepyprojecttoml(TABLE.replace("timeout = 30", 'timeout = 30\ncache = ".verdicts"'))
    for run, expected in (("first", "miss"), ("second", "hit")):
        project.runpytest(*PLUGIN, "--junitxml", f"{run}.xml").assert_outcomes(passed=2, failed=2)
        cases = ET.parse(project.path / f"{run}.xml").iter("testcase")
        served = {
            c.get("name"): {p.get("name"): p.get("value") for p in c.iter("property")}.get("cache") for c in cases
        }
        assert served == {"MODEL.TIME": None, **{rid: expected for rid in IDS[1:]}}
    assert any((project.path / ".verdicts" / "entries").iterdir())


@pytest.mark.slow
def test_xdist_workers(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(*PLUGIN, "-n", "2", "--junitxml", "out.xml")
    result.assert_outcomes(passed=2, failed=2)
    assert "At step 6 requirement LEVEL fails" in result.stdout.str()
    assert sorted(c.get("name") or "" for c in ET.parse(project.path / "out.xml").iter("testcase")) == sorted(IDS)
    project.runpytest_subprocess(*PLUGIN, "-n", "2", "--dist", "loadfile").assert_outcomes(passed=2, failed=2)


def test_unknown_is_skipped_with_the_reason_and_checks_of_one_model_are_told_apart(project: pytest.Pytester) -> None:
    bounded = f'{{model = "{MODEL}", requirements = "properties/detector.req", only = ["NO-RUN-IN-ALARM"], '
    bounded += 'engine = "bmc", max-depth = 3, name = "bmc"}'
    project.makepyprojecttoml(f"[tool.pumpproof]\ntimeout = 30\nchecks = [{CHECK}, {bounded}]\n")
    ids = collected(project.runpytest(*PLUGIN, "--collect-only", "-q"))
    assert ids == [f"{MODEL}::{rid}[T=10,LATCH=true]" for rid in IDS] + [
        f"{MODEL}::MODEL.TIME[bmc]",
        f"{MODEL}::NO-RUN-IN-ALARM[bmc]",
    ]
    result = project.runpytest(*PLUGIN, "-rs", "-k", "bmc")
    result.assert_outcomes(skipped=2, deselected=4)
    result.stdout.fnmatch_lines(
        ["SKIPPED [[]1[]] properties/detector.req:1: not decided: *bounded model checking*3 steps*"]
    )


def test_certify_rechecks_each_proof_with_cvc5(project: pytest.Pytester) -> None:
    project.makepyprojecttoml(TABLE.replace("timeout = 30", "timeout = 30\ncertify = true"))
    result = project.runpytest(*PLUGIN, "-rP", "-k", "NO-RUN-IN-ALARM")
    result.assert_outcomes(passed=1, deselected=3)
    result.stdout.fnmatch_lines(["NO-RUN-IN-ALARM PROVED by *", "*re-checked by cvc5: they hold"])


@pytest.mark.parametrize(
    ("path", "old", "new", "where"),
    [
        (MODEL, "var alarm[K]: bool = false", "var alarm[K]: bool = flase", f"{MODEL}:10:*"),
        ("properties/detector.req", "always (not (alarm[0]", "always (not (alarms[0]", "properties/detector.req:4:*"),
    ],
)
def test_a_bad_file_is_one_collection_error_at_its_line(
    project: pytest.Pytester, path: str, old: str, new: str, where: str
) -> None:
    text = (project.path / path).read_text()
    assert old in text
    (project.path / path).write_text(text.replace(old, new))
    result = project.runpytest(*PLUGIN)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"checks[[]0[]]: {where}: error: *"])
    assert "Traceback" not in result.stdout.str()


def test_a_bad_table_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makepyprojecttoml(f'[tool.pumpproof]\nchecks = [{{modle = "{MODEL}"}}]\n')
    result = project.runpytest(*PLUGIN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*[[]tool.pumpproof[]] checks[[]0[]]: unknown key(s) 'modle'*"])


def test_no_table_no_items(project: pytest.Pytester) -> None:
    project.makepyprojecttoml("[tool.pytest.ini_options]\naddopts = '-q'\n")
    project.makepyfile(test_plain="def test_plain():\n    pass\n")
    # In-process, pytester's inner session finds pumpproof imported already (by this one) and says it cannot
    # rewrite its asserts; a real run does not (the entry point is installed wherever tox installs pumpproof).
    result = project.runpytest(*PLUGIN, "-v", "-W", "ignore::pytest.PytestAssertRewriteWarning")
    result.assert_outcomes(passed=1, warnings=0)
    assert "pumpproof:" not in result.stdout.str()  # the report header of an active plugin
    assert collected(project.runpytest(*PLUGIN, MODEL, "--collect-only", "-q")) == []


def test_testpaths_do_not_hide_the_models_but_named_paths_do(project: pytest.Pytester) -> None:
    project.makepyprojecttoml(TABLE + '\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    (project.path / "tests").mkdir()
    (project.path / "tests" / "test_plain.py").write_text("def test_plain():\n    pass\n")
    plain = "tests/test_plain.py::test_plain"
    assert collected(project.runpytest(*PLUGIN, "--collect-only", "-q")) == [plain, *(f"{MODEL}::{r}" for r in IDS)]
    assert collected(project.runpytest(*PLUGIN, "tests", "--collect-only", "-q")) == [plain]
    assert len(collected(project.runpytest(*PLUGIN, "models", "--collect-only", "-q"))) == len(IDS)


def test_loaded_by_name_and_by_entry_point(
    project: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With pumpproof's entry point installed (a stand-in distribution on the path here), the plugin loads by
    itself, and `-p pumpproof.pytest_plugin` does not load it twice (which pytest would refuse)."""
    dist = tmp_path / "site" / "pumpproof_entry_point-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pumpproof-entry-point\nVersion: 0\n")
    (dist / "entry_points.txt").write_text("[pytest11]\npumpproof = pumpproof.pytest_plugin\n")
    monkeypatch.setenv("PYTHONPATH", f"{dist.parent}:{ROOT}")
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    expected = [f"{MODEL}::{rid}" for rid in IDS]
    for args in ((), ("-p", "pumpproof.pytest_plugin"), ("-p", "pumpproof")):
        result = project.runpytest_subprocess(*args, "-p", "no:cacheprovider", "--collect-only", "-q")
        assert collected(result) == expected, result.stderr.str()


def test_the_readme_table_names_shipped_files(tmp_path: Path) -> None:
    """The example of README.md, "pytest", is a valid table for this repository's files (read, not run)."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### pytest\n", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    for folder in ("models", "properties", "benchmarks"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    (tmp_path / "pyproject.toml").write_text(table)
    checks = project_checks(tmp_path)
    assert checks is not None
    assert [c.model for c in checks] == ["models/spectrum_recalled.pump", "benchmarks/models/clock_detector.pump"]
    assert checks[1].defines == (("T", "10"), ("LATCH", "true"))
    assert checks[1].settings.timeout_s == 60
    for check in checks:
        check.load()
