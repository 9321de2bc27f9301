"""Safety or liveness is decided by the formula's shape (`is_safety`), and the shape agrees with what
`compile_requirement` accepts: no requirement reaches the tableau because a safety compilation failed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pumpproof.errors import UnsupportedError
from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify.problem import compile_requirement, is_safety
from tests.strategies import Generated, clocked_liveness_generated, generated, liveness_generated


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.one_of(generated(), liveness_generated(), clocked_liveness_generated()))
def test_the_shape_says_exactly_which_requirements_compile_to_safety(case: Generated) -> None:
    system = parse_model_text(case.model, "<model>")
    (req,) = parse_requirements_text(case.requirement, "<reqs>", system).requirements
    try:
        compile_requirement(system, req)
        compiled = True
    except UnsupportedError:
        compiled = False
    assert is_safety(req.formula) is compiled, case
