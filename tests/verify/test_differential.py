"""Differential testing: every symbolic engine agrees with the explicit-state checker on random models.

Each answer also passes its independent checks: traces replay (inside `decide`), certificates are
re-checked by Z3 (inside `decide`) and by cvc5. Liveness requirements are compared with the explicit
fair-cycle checker; clocked models as tests/oracle.py says, where the checks live. `tox -e soak` runs
many more examples (PUMPPROOF_SOAK=1). Every disagreement found becomes a file pair in
tests/trust/regressions/ (checked by `oracle.check_case`). The facts about a model's runs (initial
state, deadlocks, time divergence) are compared with the explicit graph in test_runs.py.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.oracle import COMMON, SOAK, check_clocked, check_clocked_liveness, check_liveness, check_safety
from tests.strategies import (
    Generated,
    clocked_generated,
    clocked_liveness_generated,
    composed_generated,
    generated,
    liveness_generated,
)

EXAMPLES = 10_000 if SOAK else 150
LIVENESS_EXAMPLES = int(os.environ.get("PUMPPROOF_SOAK_LIVENESS", 3_000)) if SOAK else 200
CLOCKED_EXAMPLES = int(os.environ.get("PUMPPROOF_SOAK_CLOCKED", 3_000)) if SOAK else 80
CLOCKED_LIVENESS_EXAMPLES = int(os.environ.get("PUMPPROOF_SOAK_CLOCKED_LIVENESS", 3_000)) if SOAK else 100


@pytest.mark.slow
@pytest.mark.soak
@settings(max_examples=EXAMPLES, **COMMON)  # type: ignore[arg-type]
@given(st.one_of(generated(), composed_generated()))
def test_engines_agree_with_explicit_state(case: Generated) -> None:
    check_safety(case)


@pytest.mark.slow
@pytest.mark.soak
@settings(max_examples=LIVENESS_EXAMPLES, **COMMON)  # type: ignore[arg-type]
@given(liveness_generated())
def test_liveness_agrees_with_explicit_fair_cycles(case: Generated) -> None:
    check_liveness(case)


@pytest.mark.slow
@pytest.mark.soak
@settings(max_examples=CLOCKED_EXAMPLES, **COMMON)  # type: ignore[arg-type]
@given(clocked_generated())
def test_engines_agree_with_each_other_on_clocked_models(case: Generated) -> None:
    check_clocked(case)


@pytest.mark.slow
@pytest.mark.soak
@settings(max_examples=CLOCKED_LIVENESS_EXAMPLES, **COMMON)  # type: ignore[arg-type]
@given(clocked_liveness_generated())
def test_clocked_liveness_agrees_with_explicit_digitized_runs(case: Generated) -> None:
    event("digitization is not exact" if check_clocked_liveness(case) else "digitization is exact")
