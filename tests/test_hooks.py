"""The pre-commit hooks (`pumpproof.hooks`, `.pre-commit-hooks.yaml`): which changed files become which commands."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from pumpproof.hooks import check_commands, lint_commands, main, most_serious
from pumpproof.project import project_checks
from tests.helpers import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TABLE = """\
[tool.pumpproof]
timeout = 20
checks = [
  {model = "models/detector.pump", requirements = "properties/level.req", define = {T = 10, LATCH = true}},
  {model = "models/detector.pump", requirements = "properties/level.req", name = "default"},
  {model = "models/tick.pump", requirements = "properties/level.req", only = ["LEVEL"], certify = true},
]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two benchmark models, one requirements file, three checks; the current folder is the project's."""
    (tmp_path / "models").mkdir()
    (tmp_path / "properties").mkdir()
    shutil.copy(ROOT / "benchmarks" / "models" / "clock_detector.pump", tmp_path / "models" / "detector.pump")
    shutil.copy(ROOT / "benchmarks" / "models" / "tick_detector.pump", tmp_path / "models" / "tick.pump")
    shutil.copy(ROOT / "benchmarks" / "models" / "level.req", tmp_path / "properties" / "level.req")
    (tmp_path / "pyproject.toml").write_text(TABLE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_lint_each_changed_model_once_per_set_of_constants(project: Path) -> None:
    checks = project_checks(project) or []
    files = ["models/detector.pump", "README.md", "models/tick.pump", "models/new.pump", "properties/level.req"]
    assert lint_commands(files, checks, project) == [
        ["lint", "models/detector.pump", "-D", "T=10", "-D", "LATCH=true"],
        ["lint", "models/detector.pump"],
        ["lint", "models/tick.pump"],
        ["lint", "models/new.pump"],  # in no check: linted with the model's own constants
    ]


def test_check_what_the_changes_touch(project: Path) -> None:
    checks = project_checks(project) or []
    detector = ["check", "models/detector.pump", "properties/level.req"]
    tick = ["check", "models/tick.pump", "properties/level.req", "--only", "LEVEL", "--timeout", "20", "--certify"]
    with_constants = [*detector, "-D", "T=10", "-D", "LATCH=true", "--timeout", "20"]
    assert check_commands(["models/detector.pump"], checks, project) == (
        [with_constants, [*detector, "--timeout", "20"]],
        [],
    )
    assert check_commands(["properties/level.req"], checks, project)[0] == [
        with_constants,
        [*detector, "--timeout", "20"],
        tick,
    ]
    commands, unchecked = check_commands(["models/tick.pump", "models/new.pump", "docs/x.md"], checks, project, "c")
    assert commands == [[*tick, "--cache", "c"]]
    assert unchecked == ["models/new.pump"]
    assert len(check_commands(["pyproject.toml"], checks, project)[0]) == 3  # the table changed: every check


def test_most_serious_exit_code() -> None:
    assert most_serious([]) == 0
    assert most_serious([0, 3, 0]) == 3
    assert most_serious([3, 1]) == 1
    assert most_serious([1, 2, 3]) == 2
    assert most_serious([4, 2]) == 4
    assert most_serious([4, 130]) == 130


def test_check_hook_runs_the_checks(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--cache", ".cache", "models/tick.pump"]) == 0  # LEVEL holds on the tick model
    out, err = capsys.readouterr()
    assert "$ pumpproof check models/tick.pump properties/level.req --only LEVEL" in out
    assert "--cache .cache" in out
    assert (project / ".cache" / "entries").is_dir()  # the checks went through the result cache


def test_check_hook_without_a_table_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "models/x.pump"]) == 2
    assert main(["lint"]) == 0  # nothing changed that lint reads


def test_manifest_names_installed_commands() -> None:
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert [h["id"] for h in hooks] == ["pumpproof-lint", "pumpproof-check"]
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= hook.keys()
        assert hook["language"] == "python"
        assert hook["entry"].split()[0] in scripts
    lint, check = (re.compile(h["files"]) for h in hooks)
    assert lint.search("models/a.pump") and lint.search("m.moxi") and not lint.search("properties/a.req")
    assert check.search("properties/a.req") and check.search("pyproject.toml")
    assert not check.search("sub/pyproject.toml")


def test_the_ci_workflow_runs_options_check_knows() -> None:
    """docs/ci.md: its YAML is valid, and its `pumpproof check` command line parses."""
    yaml = pytest.importorskip("yaml")
    from pumpproof.cli import build_parser

    text = (ROOT / "docs" / "ci.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    steps = blocks[0]["jobs"]["verify"]["steps"]
    (command,) = [s["run"].split() for s in steps if "pumpproof check" in s.get("run", "")]
    assert command[:2] == ["pumpproof", "check"]
    args = build_parser().parse_args(command[1:])
    assert args.baseline and args.sarif and args.junit and args.cache
    uses = {s.get("uses", "").split("@")[0] for s in steps}
    assert {"actions/cache", "github/codeql-action/upload-sarif"} <= uses
