"""The replay is a check of its own, not a copy of the engine: it rejects the wrong lassos the engines once gave.

And the issue-9 edit of the shipped Spectrum model (a silence period that ends without the alarm sounding
again) is not a proof of UO-SILENCE: time stops there, and the requirement is VACUOUS.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify.budget import Budget
from pumpproof.verify.engines import lasso
from pumpproof.verify.lasso_replay import replay_lasso
from pumpproof.verify.ltl import liveness_problem
from pumpproof.verify.portfolio import Options
from pumpproof.verify.replay import ReplayError
from pumpproof.verify.results import Verdict, Violated
from pumpproof.verify.run import check_all

ROOT = Path(__file__).parents[2]
FLIP = """
var x: bool = false
clock t
transition flip do x := not x
"""


def test_replay_rejects_a_lasso_built_with_ceilings_below_the_formulas_constants() -> None:
    """With the old ceilings (the formula's 50 left out) the lasso search finds a 'loop' of delays that only
    returns to its start up to the wrong ceiling; the replay decides on concrete values that it does not repeat."""
    system = parse_model_text(FLIP, "<flip>")
    req_text = 'requirement L1\n  text "t passes 50"\n  source "test"\n  eventually t > 50\n'
    (req,) = parse_requirements_text(req_text, "<reqs>", system).requirements
    problem = liveness_problem(system, req)
    assert problem.ceilings["t"] >= 50
    blind = replace(problem, ceilings={"t": 0})
    wrong = lasso.check(blind, Budget.seconds(30))
    assert isinstance(wrong, Violated), "with ceiling 0 every delay 'returns', so the search must find a lasso"
    with pytest.raises(ReplayError, match="does not repeat"):
        replay_lasso(blind, wrong.trace)  # the replay does not read the ceilings it is given
    assert lasso.check(problem, Budget.seconds(30, max_depth=6)).verdict is Verdict.UNKNOWN


def test_spectrum_silence_that_never_ends_is_not_a_proof() -> None:
    model = (ROOT / "models/spectrum_corrected.pump").read_text()
    edited = model.replace("do   audio_on := true", "do   audio_on := audio_on", 1)
    assert edited != model
    system = parse_model_text(edited, "spectrum_edited.pump")
    reqs = parse_requirements_text((ROOT / "properties/upstream_occlusion.req").read_text(), "uo.req", system)
    wanted = {"MODEL.TIME", "UO-SILENCE"}
    chosen = replace(reqs, requirements=tuple(r for r in reqs.requirements if r.id in wanted))
    outcomes = {o.requirement.id: o for o in check_all(system, chosen, Options(timeout_s=60))}
    assert outcomes["MODEL.TIME"].result.verdict is Verdict.VIOLATED
    assert outcomes["UO-SILENCE"].result.verdict is Verdict.VACUOUS
    assert "time stops" in outcomes["UO-SILENCE"].result.reason  # type: ignore[union-attr]
