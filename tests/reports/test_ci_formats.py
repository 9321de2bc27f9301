"""JUnit XML and SARIF 2.1.0, validated against the vendored official schemas (see schemas/README.md)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from pumpproof.reports import json_report
from pumpproof.reports.junit import junit_xml, write_junit
from pumpproof.reports.sarif import sarif_log, write_sarif
from pumpproof.verify.results import Proved, Search, Unknown, Vacuous, Violated
from pumpproof.verify.run import Outcome
from tests.reports.conftest import REQS

SCHEMAS = Path(__file__).with_name("schemas")


def with_unknown(outcomes: list[Outcome]) -> list[Outcome]:
    """The run with UO-CLEAR turned UNKNOWN, as a timeout would leave it."""
    return [
        replace(o, result=Unknown("bmc", 1.5, "timeout after 1.5 s", 17, Search.BMC))
        if o.requirement.id == "UO-CLEAR"
        else o
        for o in outcomes
    ]


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


@pytest.mark.parametrize("unknown_as", ["skipped", "error"])
def test_junit_is_valid_and_counts_verdicts(recalled, junit_schema, unknown_as: str, tmp_path: Path) -> None:
    system, outcomes, info = recalled
    outcomes = with_unknown(outcomes)
    path = tmp_path / "junit.xml"
    write_junit(str(path), system, outcomes, info, unknown_as=unknown_as)  # type: ignore[arg-type]
    junit_schema.validate(str(path))
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == [o.requirement.id for o in outcomes]
    violated = [o.requirement.id for o in outcomes if isinstance(o.result, Violated)]
    assert suite.get("failures") == str(len(violated)) and violated
    assert [name for name, c in cases.items() if c.find("failure") is not None] == violated
    failure = cases["UO-LEVEL"].find("failure")
    assert failure is not None and "(transition `restart`)" in (failure.text or "")
    unknown = cases["UO-CLEAR"].find(unknown_as)
    assert (
        unknown is not None
        and "timeout" in (unknown.get("message") or "")
        and "no violation within 17 steps" in (unknown.text or "")
    )
    assert suite.get("errors") == ("1" if unknown_as == "error" else "0")
    assert suite.get("skipped") == ("1" if unknown_as == "skipped" else "0")


def test_junit_rejects_an_unknown_mapping(recalled) -> None:
    system, outcomes, info = recalled
    with pytest.raises(ValueError, match="unknown_as"):
        junit_xml(system, outcomes, info, unknown_as="passed")  # type: ignore[arg-type]


def test_sarif_is_valid_and_points_at_the_requirement_lines(recalled, tmp_path: Path) -> None:
    system, outcomes, info = recalled
    outcomes = with_unknown(outcomes)
    path = tmp_path / "out.sarif"
    write_sarif(str(path), system, REQS, outcomes, info)
    log = json.loads(path.read_text())
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "pumpproof"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [o.requirement.id for o in outcomes]
    flagged = {o.requirement.id: o for o in outcomes if isinstance(o.result, (Violated, Unknown))}
    assert [r["ruleId"] for r in run["results"]] == list(flagged)
    req_lines = Path(REQS).read_text().splitlines()
    for result in run["results"]:
        expected = "error" if isinstance(flagged[result["ruleId"]].result, Violated) else "warning"
        assert result["level"] == expected
        region = result["locations"][0]["physicalLocation"]["region"]
        assert req_lines[region["startLine"] - 1].strip() == f"requirement {result['ruleId']}"
        related = result["relatedLocations"][0]["physicalLocation"]
        assert related["artifactLocation"]["uri"].endswith("spectrum_recalled.pump")
    assert {a["hashes"]["sha-256"] for a in run["artifacts"]} == {f.sha256 for f in info.files}


def test_sarif_schema_rejects_a_broken_log(recalled) -> None:
    system, outcomes, info = recalled
    log = sarif_log(system, REQS, outcomes, info)
    log["runs"][0]["results"][0]["level"] = "fatal"
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(log)


def with_vacuous(outcomes: list[Outcome]) -> list[Outcome]:
    """The run with the proved UO-STOPS turned VACUOUS, as an unreachable trigger would leave it."""
    out = []
    for o in outcomes:
        if o.requirement.id == "UO-STOPS":
            assert isinstance(o.result, Proved)
            o = replace(o, result=Vacuous(o.result.engine, 0.1, o.result, "no run reaches the trigger (x)"))
        out.append(o)
    return out


def test_vacuous_is_a_junit_failure_and_a_sarif_error(recalled, junit_schema, tmp_path: Path) -> None:
    system, outcomes, info = recalled
    outcomes = with_vacuous(outcomes)
    path = tmp_path / "junit.xml"
    write_junit(str(path), system, outcomes, info)
    junit_schema.validate(str(path))
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    case = next(c for c in suite.findall("testcase") if c.get("name") == "UO-STOPS")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "VACUOUS"
    log = sarif_log(system, REQS, outcomes, info)
    jsonschema.Draft4Validator(json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())).validate(log)
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "UO-STOPS"]
    assert result["level"] == "error" and result["properties"]["verdict"] == "VACUOUS"
    doc = json_report.outcome_json(next(o for o in outcomes if o.requirement.id == "UO-STOPS"))
    assert doc["verdict"] == "VACUOUS" and doc["reason"].startswith("no run reaches") and doc["invariant"]["smt2"]
