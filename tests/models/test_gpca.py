"""The GPCA-like alarm system (models/gpca/): the correct design proves every requirement of properties/gpca.req,
lint finds nothing, and each defect variant differs from it only in its DEFECT lines, inside one part, and
violates the requirements its header names, with counterexamples the interpreter replays."""

from __future__ import annotations

import difflib
import re

import pytest

from pumpproof import Verdict, Violated, check, load_model, load_requirements
from pumpproof.verify.analyses.lint import lint
from pumpproof.verify.portfolio import Options
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.replay import replay
from tests.helpers import MODELS, PROPERTIES
from tests.oracle import SOAK

GPCA = MODELS / "gpca"
CORRECT = GPCA / "gpca.pump"
REQS = PROPERTIES / "gpca.req"

# Each variant's requirements VIOLATED (its header says the same); every other requirement of gpca.req stays PROVED.
# The Spectrum mechanisms: the level forms fail; H1 keeps alarming for every new occlusion, so the edge form holds.
SPECTRUM = {"GPCA-A1", "GPCA-A2", "GPCA-A5-UP", "GPCA-A5-DOWN"}
VIOLATED = {
    "defect_h1_not_rearmed.pump": SPECTRUM | {"GPCA-A6-UP", "GPCA-A6-DOWN", "GPCA-A6-REARM"},
    "defect_h2_reference_relearned.pump": SPECTRUM | {"GPCA-A4-EDGE", "GPCA-A39"},
    "defect_h3_suppressed_after_clear.pump": SPECTRUM | {"GPCA-A4-EDGE"},
    "defect_priority_inversion.pump": {"GPCA-A16-HIGH", "GPCA-A17"},
    "defect_audio_no_resound.pump": {"GPCA-A8-AUDIO", "GPCA-AUDIO-ON"},
    "defect_air_single_only.pump": {"GPCA-A13-CUMULATIVE"},
    "defect_clear_resumes.pump": {
        *("GPCA-A7", "GPCA-A1", "GPCA-A2", "GPCA-A4-EDGE", "GPCA-A6-UP", "GPCA-A6-DOWN", "GPCA-A6-SENSORS"),
        *("GPCA-A13-SINGLE", "GPCA-A13-CUMULATIVE", "GPCA-A38"),
        *("GPCA-NO-FALSE-ALARM", "GPCA-NO-EARLY-DOWN", "GPCA-NO-EARLY-AIR", "GPCA-NO-EARLY-DOOR"),
        *("GPCA-NO-EARLY-EMPTY", "GPCA-NO-EARLY-NEAR", "GPCA-START-READY"),
    },
    "defect_bolus_at_kvo.pump": {"GPCA-A35"},
    "defect_cancel_any.pump": {"GPCA-A19-HEAD", "GPCA-A19-CLEARS"},
}


def _requirement_ids() -> list[str]:
    return re.findall(r"^requirement (\S+)", REQS.read_text(), re.MULTILINE)


def _body(text: str) -> list[str]:
    """The lines after the `model` line: the header comment and the model's name differ by design."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("model "))
    return lines[start + 1 :]


def _component_of(lines: list[str], index: int) -> str | None:
    """The component whose `component ... end` block holds line `index`, or None at the top level."""
    for i in range(index, -1, -1):
        if lines[i] == "end" and i != index:
            return None
        if lines[i].startswith("component "):
            return lines[i].split()[1].split("(")[0]
    return None


def test_the_requirement_file_states_at_least_30_requirements_with_text_and_source() -> None:
    system = load_model(str(CORRECT))
    reqs = load_requirements(str(REQS), system).requirements
    assert len(reqs) >= 30
    assert all(r.text and r.source for r in reqs)
    assert {r.id for r in reqs} == set(_requirement_ids())


def test_the_correct_model_is_lint_clean() -> None:
    report = lint(load_model(str(CORRECT)), Options(timeout_s=60))
    assert report.clean, report


@pytest.mark.parametrize("variant", sorted(VIOLATED))
def test_a_variant_differs_from_the_correct_model_only_in_its_defect_lines_inside_one_part(variant: str) -> None:
    text = (GPCA / variant).read_text()
    header = text[: text.index("\nmodel ")]
    assert "DEFECT VARIANT of gpca.pump" in header and "Faulty part:" in header
    ours, theirs = _body(CORRECT.read_text()), _body(text)
    parts = set()
    changed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        assert tag in ("replace", "insert"), f"{variant}: gpca.pump's lines removed, no DEFECT line: {ours[i1:i2]}"
        for j in range(j1, j2):
            assert "DEFECT" in theirs[j], f"{variant}: {theirs[j]!r} differs from gpca.pump, not marked DEFECT"
            parts.add(_component_of(theirs, j))
            changed += 1
    assert changed >= 1
    assert len(parts) == 1 and None not in parts, f"{variant}: the defect should be in one part, found {parts}"


def _header_ids(variant: str) -> set[str]:
    """The requirement ids a variant's header names as expected to be VIOLATED (scripts/verify-models reads the
    same line)."""
    text = (GPCA / variant).read_text()
    header = text[: text.index("\nmodel ")]
    return set(re.findall(r"GPCA-[A-Z0-9-]*[A-Z0-9]", header.split("Expected VIOLATED:", 1)[1].split(".", 1)[0]))


@pytest.mark.parametrize("variant", sorted(VIOLATED))
def test_a_variant_violates_its_named_requirements_with_replayed_counterexamples(variant: str) -> None:
    expected = VIOLATED[variant]
    assert expected <= set(_requirement_ids())
    assert _header_ids(variant) == expected
    system = load_model(str(GPCA / variant))
    reqs = [r for r in load_requirements(str(REQS), system).requirements if r.id in expected]
    outcomes = [o for o in check(system, reqs, timeout_s=60) if not o.requirement.id.startswith("MODEL.")]
    assert {o.requirement.id for o in outcomes} == expected
    for outcome in outcomes:
        assert isinstance(outcome.result, Violated), f"{variant} {outcome.requirement.id}: {outcome.result}"
        assert isinstance(outcome.problem, SafetyProblem)
        replay(outcome.problem, outcome.result.trace)  # raises unless the run is a run of the model that fails


# scripts/verify-models (the main job, in CI) checks every variant's whole set too; here the variants run in the
# soak env only, so that the suite stays within its time.
ONLY_IN_SOAK = pytest.mark.skipif(not SOAK, reason="scripts/verify-models checks it; tox -e soak runs it here")


@pytest.mark.slow
@pytest.mark.soak
@pytest.mark.parametrize("variant", [None, *(pytest.param(v, marks=ONLY_IN_SOAK) for v in sorted(VIOLATED))])
def test_every_other_requirement_stays_proved(variant: str | None) -> None:
    """The whole requirement set: the correct model proves every requirement (none VACUOUS), each variant violates
    exactly its named requirements and proves the rest."""
    system = load_model(str(CORRECT if variant is None else GPCA / variant))
    outcomes = check(system, load_requirements(str(REQS), system), timeout_s=60)
    verdicts = {o.requirement.id: o.result.verdict for o in outcomes}
    violated = set() if variant is None else VIOLATED[variant]
    assert {rid for rid, v in verdicts.items() if v is not Verdict.PROVED} == violated
    assert all(verdicts[rid] is Verdict.VIOLATED for rid in violated)
