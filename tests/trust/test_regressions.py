"""Every disagreement differential testing ever found, and every wrong verdict a reader found, kept as a model
and requirement pair and re-run.

A pair whose requirement file says `// expect: VERDICT` (and `// expect MODEL.X: VERDICT` for a built-in
question) was a wrong verdict whose right answer a reader can state: `check` must give exactly that.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify.portfolio import Options
from pumpproof.verify.run import check_all
from tests.oracle import check_case
from tests.strategies import Generated

REGRESSIONS = Path(__file__).parent / "regressions"
CASES = sorted(REGRESSIONS.glob("*.pump"))
EXPECT = re.compile(r"^// expect(?: (MODEL\.[A-Z]+))?: ([A-Z]+)$", re.MULTILINE)
EXPECTED = [m for m in CASES if EXPECT.search(m.with_suffix(".req").read_text())]


def test_every_regression_has_a_requirement_file_and_a_header() -> None:
    assert CASES, "the regressions folder must not be empty"
    for model in CASES:
        req = model.with_suffix(".req")
        assert req.exists(), f"{model.name} has no {req.name}"
        for f in (model, req):
            assert f.read_text().startswith("//"), f"{f.name}: start with a comment saying what went wrong"


@pytest.mark.parametrize("model", CASES, ids=[c.stem for c in CASES])
def test_regression(model: Path) -> None:
    check_case(Generated(model.read_text(), model.with_suffix(".req").read_text()))


def _expected(req_text: str, requirement_id: str) -> dict[str, str]:
    return {check or requirement_id: verdict for check, verdict in EXPECT.findall(req_text)}


@pytest.mark.parametrize("model", EXPECTED, ids=[c.stem for c in EXPECTED])
def test_regression_verdict(model: Path) -> None:
    """The verdict `check` gives, built-in questions included, is the one a reader states for the model."""
    req_text = model.with_suffix(".req").read_text()
    system = parse_model_text(model.read_text(), str(model))
    reqs = parse_requirements_text(req_text, str(model.with_suffix(".req")), system)
    outcomes = {o.requirement.id: o.result.verdict.value for o in check_all(system, reqs, Options(timeout_s=30))}
    expected = _expected(req_text, reqs.requirements[0].id)
    assert {rid: outcomes.get(rid) for rid in expected} == expected
