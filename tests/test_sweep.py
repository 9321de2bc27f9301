"""`pumpproof sweep`: -D lists and ranges expanded to tasks, run locally or on a Dask LocalCluster, merged into one
JSON document, one JUnit file and one HTML page."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema

from pumpproof import __version__, cli
from pumpproof.errors import UsageError
from pumpproof.exits import EXIT_USAGE, EXIT_VIOLATED
from pumpproof.reports import json_report
from pumpproof.verify import sweep
from pumpproof.verify.sweep import Provenance, Task, TaskResult
from tests.helpers import ROOT
from tests.reports.test_ci_formats import SCHEMAS

TICK = str(ROOT / "benchmarks/models/tick_detector.pump")
LEVEL = str(ROOT / "benchmarks/models/level.req")
SMALL = ["-D", "LATCH=false,true", "-D", "T=10,20"]
"""Four tasks of the tick family: the recalled latch (LATCH=true) violates LEVEL at every T."""


# ---------------------------------------------------------------- expansion (unit)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("10,100,1000", ("10", "100", "1000")),
        ("1..8", tuple(str(k) for k in range(1, 9))),
        ("1..3, 10", ("1", "2", "3", "10")),
        ("-2..0", ("-2", "-1", "0")),
        ("true,false", ("true", "false")),
        ("5", ("5",)),
    ],
)
def test_values_are_lists_and_integer_ranges(text: str, values: tuple[str, ...]) -> None:
    assert sweep.parse_values("T", text) == values


@pytest.mark.parametrize(
    ("text", "problem"),
    [("8..1", "the range 8..1 is empty"), ("1,,2", "an empty value"), ("1,2,1", "1 given twice"), ("0..99999", "more")],
)
def test_bad_values_are_usage_errors(text: str, problem: str) -> None:
    with pytest.raises(UsageError, match=problem):
        sweep.parse_values("T", text)


def test_axes_keep_their_order_and_refuse_a_constant_given_twice() -> None:
    axes = sweep.parse_axes(["T=10,100", "K=1..2"])
    assert list(axes) == ["T", "K"]
    assert sweep.valuations(axes) == [
        (("T", "10"), ("K", "1")),
        (("T", "10"), ("K", "2")),
        (("T", "100"), ("K", "1")),
        (("T", "100"), ("K", "2")),
    ]
    assert sweep.valuations({}) == [()]
    with pytest.raises(UsageError, match="-D T given twice"):
        sweep.parse_axes(["T=1", "T=2"])
    with pytest.raises(UsageError, match="NAME=VALUES"):
        sweep.parse_axes(["T"])


def test_expansion_is_models_by_requirements_by_valuations() -> None:
    tasks = sweep.expand(["a.pump", "b.pump"], ["r.req"], sweep.parse_axes(["T=10,100,1000", "K=1..8"]))
    assert len(tasks) == 2 * 3 * 8
    assert tasks[0] == Task("a.pump", "r.req", (("T", "10"), ("K", "1")))
    assert tasks[8].constants == (("T", "100"), ("K", "1")) and tasks[24].model == "b.pump"
    assert tasks[0].label() == "a.pump T=10 K=1"
    assert tasks[0].argv()[:6] == ["check", "a.pump", "r.req", "-D", "T=10", "-D"]
    with pytest.raises(UsageError, match="more than 10,000"):
        sweep.expand(["a.pump"], ["r.req"], sweep.parse_axes(["T=1..200", "K=1..200"]))


def _result(task: Task, verdicts: dict[str, str], tool: str = __version__, host: str = "h") -> TaskResult:
    report = {"summary": {"exit_code": 1 if "VIOLATED" in verdicts.values() else 0}, "started": "t"}
    report["results"] = [{"id": rid, "verdict": v} for rid, v in verdicts.items()]
    return TaskResult(task, report, "", Provenance(host, tool, {"z3": "4.13"}, 0, 0.1))


def test_changes_are_found_along_each_constant_the_others_equal() -> None:
    axes = sweep.parse_axes(["T=10,100,1000", "K=1,2"])
    tasks = sweep.expand(["m.pump"], ["r.req"], axes)
    verdict = {("1000", "2"): "UNKNOWN", ("100", "2"): "VIOLATED", ("1000", "1"): "VIOLATED"}
    results = [_result(t, {"R": verdict.get(tuple(v for _, v in t.constants), "PROVED")}) for t in tasks]
    found = {(c.constants, c.axis, c.before, c.after) for c in sweep.changes(results, axes)}
    assert found == {
        ((("T", "100"), ("K", "2")), "T", "PROVED", "VIOLATED"),
        ((("T", "100"), ("K", "2")), "K", "PROVED", "VIOLATED"),
        ((("T", "1000"), ("K", "1")), "T", "PROVED", "VIOLATED"),
        ((("T", "1000"), ("K", "2")), "T", "VIOLATED", "UNKNOWN"),
        ((("T", "1000"), ("K", "2")), "K", "VIOLATED", "UNKNOWN"),
    }
    assert sweep.sweep_exit_code(results) == EXIT_VIOLATED


def test_results_of_different_versions_are_refused() -> None:
    task = Task("m.pump", "r.req", ())
    same = [_result(task, {"R": "PROVED"}, host="a"), _result(task, {"R": "PROVED"}, host="b")]
    sweep.refuse_mixed_versions(same)
    with pytest.raises(UsageError, match=r"different versions: pumpproof 0\.0\.1.*on a.*pumpproof"):
        sweep.refuse_mixed_versions([_result(task, {"R": "PROVED"}, tool="0.0.1", host="a"), *same])


# ---------------------------------------------------------------- the command


def test_a_constant_the_model_lacks_is_refused_at_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sweep", TICK, "--req", LEVEL, "-D", "T=10,20", "-D", "Q=1..2"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "tick_detector.pump:4:1: error: -D Q: the model has no constant 'Q'" in err and "K, T, LATCH" in err


def test_dask_missing_is_a_usage_error_saying_how_to_install_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as when not installed
    assert cli.main(["sweep", TICK, "--req", LEVEL, "-D", "T=10", "--dask", "local"]) == EXIT_USAGE
    assert "pip install 'pumpproof[dask]'" in capsys.readouterr().err


@pytest.fixture(scope="module")
def local_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("sweep")
    argv = ["sweep", TICK, "--req", LEVEL, *SMALL, "-j", "2", "--timeout", "60"]
    code = cli.main([*argv, "--json", str(out / "s.json"), "--junit", str(out / "s.xml"), "--report", str(out / "r")])
    return code, out


def _table(doc: dict[str, Any]) -> list[tuple[dict[str, str], list[tuple[str, str]]]]:
    return [(t["constants"], [(r["id"], r["verdict"]) for r in t["report"]["results"]]) for t in doc["tasks"]]


def test_a_small_sweep_merges_its_tasks_in_order(local_sweep: tuple[int, Path]) -> None:
    code, out = local_sweep
    assert code == EXIT_VIOLATED
    doc = json.loads((out / "s.json").read_text())
    schema = json.loads((ROOT / "pumpproof/reports/schemas/pumpproof-sweep-1.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["schema"] == sweep.SCHEMA and doc["axes"] == {"LATCH": ["false", "true"], "T": ["10", "20"]}
    assert doc["summary"]["tasks"] == 4 and doc["summary"]["exit_code"] == EXIT_VIOLATED
    levels = [(c["LATCH"], c["T"], dict(v)["LEVEL"]) for c, v in _table(doc)]
    assert levels == [
        ("false", "10", "PROVED"),
        ("false", "20", "PROVED"),
        ("true", "10", "VIOLATED"),
        ("true", "20", "VIOLATED"),
    ]
    assert {(c["constants"]["T"], c["axis"], c["from"]["verdict"], c["to"]["verdict"]) for c in doc["changes"]} == {
        ("10", "LATCH", "PROVED", "VIOLATED"),
        ("20", "LATCH", "PROVED", "VIOLATED"),
    }
    for task in doc["tasks"]:
        assert task["tool_version"] == __version__ and task["solvers"]["z3"] and task["host"]
        assert task["seed"] == 0 and task["report"]["constants"]["T"] == int(task["constants"]["T"])
        jsonschema.validate(task["report"], json_report._validator().schema)
        assert task["report"]["command"].startswith("pumpproof check ")


def test_the_merged_junit_is_valid_with_a_testsuite_per_task(local_sweep: tuple[int, Path]) -> None:
    _, out = local_sweep
    schema = xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))
    schema.validate(str(out / "s.xml"))
    tree = ET.parse(out / "s.xml").getroot()
    names = [s.get("name") for s in tree.findall("testsuite")]
    assert names == [f"tick_detector[LATCH={latch},T={t}]" for latch in ("false", "true") for t in ("10", "20")]
    assert tree.get("failures") == "2" and tree.get("tests") == "12"


def test_the_html_marks_where_a_verdict_changes(local_sweep: tuple[int, Path]) -> None:
    _, out = local_sweep
    page = (out / "r" / "index.html").read_text()
    assert page.count('<td class="changed"') == 2
    assert "VIOLATED from LATCH=true (PROVED at LATCH=false)" in page


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_local_result(local_sweep: tuple[int, Path], tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    _, out = local_sweep
    argv = ["sweep", TICK, "--req", LEVEL, *SMALL, "--dask", "local", "-j", "2", "--json", str(tmp_path / "d.json")]
    assert cli.main(argv) == EXIT_VIOLATED
    local, dask = (json.loads(p.read_text()) for p in (out / "s.json", tmp_path / "d.json"))
    assert _table(dask) == _table(local)
    assert dask["changes"] == local["changes"] and dask["summary"] == local["summary"]
