"""Every disagreement differential testing ever found, kept as a model and requirement pair and re-run."""

from __future__ import annotations

from pathlib import Path

import pytest

from pumpproof.testing import Generated
from tests.verify.test_differential import check_case

REGRESSIONS = Path(__file__).parent / "regressions"
CASES = sorted(REGRESSIONS.glob("*.pump"))


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
