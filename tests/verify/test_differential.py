"""Differential testing: every symbolic engine agrees with the explicit-state checker on random models.

Each answer also passes its independent check (trace replay or certificate re-check) inside
`decide`. `tox -e soak` runs many more examples (PUMPPROOF_SOAK=1).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from pumpproof.testing import Generated, generated
from pumpproof.verify import explicit
from pumpproof.verify.budget import Budget
from pumpproof.verify.portfolio import decide
from pumpproof.verify.results import Verdict
from tests.helpers import problems

SOAK = os.environ.get("PUMPPROOF_SOAK") == "1"
EXAMPLES = 10_000 if SOAK else 150


def _check(case: Generated) -> None:
    (p,) = problems(case.model, case.requirement)
    truth = explicit.check(p, Budget.seconds(60))
    assert truth.verdict is not Verdict.UNKNOWN
    for engine in ("kind", "ic3"):
        result = decide(p, engine, 60)
        assert result.verdict is truth.verdict, f"{engine} says {result.verdict}, explicit says {truth.verdict}\n{case}"
        if truth.verdict is Verdict.VIOLATED:
            assert len(result.trace.steps) == len(truth.trace.steps)  # every engine returns a shortest trace  # type: ignore[union-attr]
    depth = len(truth.trace.steps) - 1 if truth.verdict is Verdict.VIOLATED else 8  # type: ignore[union-attr]
    result = decide(p, "bmc", 60, max_depth=depth)
    expected = truth.verdict if truth.verdict is Verdict.VIOLATED else Verdict.UNKNOWN
    assert result.verdict is expected, f"bmc says {result.verdict}, explicit says {truth.verdict}\n{case}"
    if expected is Verdict.VIOLATED:
        assert len(result.trace.steps) == len(truth.trace.steps)  # type: ignore[union-attr]


@pytest.mark.soak
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=not SOAK)
@given(generated())
def test_engines_agree_with_explicit_state(case: Generated) -> None:
    _check(case)
