"""The Z3 encoding: the parts of it one model's problems share are encoded once, and never lent to another model."""

from __future__ import annotations

from dataclasses import replace
from unittest import mock

from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify.encoding import Encoding
from pumpproof.verify.problem import range_conditions
from pumpproof.verify.run import problem_for
from tests.helpers import ROOT


def test_one_model_s_step_relation_is_encoded_once_and_a_changed_model_gets_its_own() -> None:
    system = load_model(str(ROOT / "models" / "spectrum_corrected.pump"))
    reqs = load_requirements(str(ROOT / "properties" / "upstream_occlusion.req"), system).requirements
    first, second = (problem_for(system, r) for r in reqs[:2])
    with mock.patch.object(Encoding, "_moves", autospec=True, side_effect=Encoding._moves) as moves:
        a, b = Encoding(first), Encoding(second)
        assert moves.call_count == 1  # the second requirement's problem adds monitors to the same transitions
        dropped = replace(system, transitions=system.transitions[1:])  # another model: its own relation
        c = Encoding(replace(first, system=replace(first.system, transitions=dropped.transitions)))
        assert moves.call_count == 2
    assert not a.trans.eq(c.trans)
    # What each problem adds stays its own: the monitors, and the facts it may assume.
    assert not a.trans.eq(b.trans)
    assumed = Encoding(replace(first, assumed=range_conditions(system) or (system.invariants[0],)))
    assert not assumed.state_constraint(assumed.cur).eq(a.state_constraint(a.cur))
