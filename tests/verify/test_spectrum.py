"""The shipped Spectrum models: the recall reproduced, the correction proved, each counterexample replayed."""

from __future__ import annotations

import pytest

from pumpproof.lang.ir import DELAY
from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify import explicit
from pumpproof.verify.budget import Budget
from pumpproof.verify.lasso_replay import replay_lasso
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.portfolio import Options, decide, verdict
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.replay import replay
from pumpproof.verify.results import Proved, Verdict, Violated
from pumpproof.verify.run import problem_for
from tests.helpers import MODELS, PROPERTIES, shipped

SAFETY = {
    *("UO-LEVEL", "UO-EDGE", "UO-RESTART", "UO-ARMED", "UO-CLEAR", "UO-STOPS"),
    *("UO-DETECT", "UO-NO-FALSE-ALARM", "UO-LATCH", "UO-SILENCE"),
    *("UO-START-UNDER", "UO-ONSET", "UO-DETECTOR-IDLE", "UO-NO-SIGNAL", "UO-SHOWN", "UO-START", "UO-STOP"),
    *("UO-RESUME", "UO-ACK", "UO-LATCH-CLEARED", "UO-SILENCE-QUIET", "UO-NOT-EARLY", "UO-SILENCE-HOLDS"),
    "UO-TRANSIENT",
}
ALL = SAFETY | {"UO-LIVE", "UO-LIVE-EDGE"}
# By construction (see each model's header): H1 keeps the first-occlusion alarm, so the edge form
# holds on it; H2 and H3 also lose later occlusions, so even the edge form fails there. Every variant
# fails to re-arm the detector at RUN/STOP, which the start and resume requirements see directly.
REARM = {"UO-LEVEL", "UO-RESTART", "UO-ARMED", "UO-LIVE", "UO-START-UNDER", "UO-START", "UO-RESUME"}
VIOLATED = {
    "spectrum_corrected.pump": set(),
    "spectrum_recalled.pump": REARM,
    "spectrum_recalled_h2.pump": REARM | {"UO-EDGE", "UO-LIVE-EDGE", "UO-ONSET"},
    "spectrum_recalled_h3.pump": REARM | {"UO-EDGE", "UO-LIVE-EDGE", "UO-ONSET"},
}


@pytest.mark.parametrize("model", sorted(VIOLATED))
def test_verdicts(model: str) -> None:
    _, problems = shipped(model)
    assert set(problems) == ALL
    verdicts = {rid: verdict(p, Options(timeout_s=60)).verdict for rid, p in problems.items()}
    assert {rid for rid, v in verdicts.items() if v is Verdict.VIOLATED} == VIOLATED[model]
    assert {rid for rid, v in verdicts.items() if v is Verdict.PROVED} == ALL - VIOLATED[model]


def test_recall_counterexample_tells_the_story() -> None:
    """Occlusion, alarm, RUN/STOP while still occluded, then delivery with no alarm past T."""
    system, problems = shipped("spectrum_recalled.pump")
    level = problems["UO-LEVEL"]
    assert isinstance(level, SafetyProblem)
    result = decide(level, timeout_s=60)
    assert isinstance(result, Violated)
    fired = [s.transition for s in result.trace.steps]
    assert fired.index("occlusion_begins") < fired.index("detect_upstream_occlusion") < fired.index("restart")
    assert "occlusion_clears" not in fired[fired.index("restart") :]
    last = result.trace.steps[-1]
    assert fired[-1] == DELAY
    assert last.state["mode"] == "Infusing" and last.state["occluded_up"] and not last.state["alarm_up"]
    restart_time = result.trace.steps[fired.index("restart")].time
    assert last.time - restart_time > system.constants["T_DETECT_MS"]


def test_corrected_proofs_carry_checked_invariants() -> None:
    _, problems = shipped("spectrum_corrected.pump")
    level = problems["UO-LEVEL"]
    assert isinstance(level, SafetyProblem)
    result = decide(level, timeout_s=60)
    assert isinstance(result, Proved)
    assert result.certificate.kind in ("inductive", "k-inductive")
    assert "t_occ" in result.certificate.invariant_text  # the proof relates the detector clock to the obligation's age


@pytest.mark.slow
@pytest.mark.parametrize("model", sorted(VIOLATED))
def test_verdicts_agree_with_the_explicit_checker_on_digitized_clocks(model: str) -> None:
    """Ground truth for every requirement, liveness included: enumerate the model with short timers."""
    system = load_model(str(MODELS / model), {"T_DETECT_MS": "2", "T_SILENCE_MS": "3"})
    for req in load_requirements(str(PROPERTIES / "upstream_occlusion.req"), system).requirements:
        problem = problem_for(system, req)
        if isinstance(problem, LivenessProblem):
            truth = explicit.check_liveness(problem, Budget.seconds(60))
            if isinstance(truth, Violated):
                replay_lasso(problem, truth.trace)  # the digitized lasso is a lasso of the model
        else:
            truth = explicit.check(problem, Budget.seconds(60))
            if isinstance(truth, Violated):
                replay(problem, truth.trace)
        symbolic = verdict(problem, Options(timeout_s=60))
        assert symbolic.verdict is truth.verdict, f"{model} {req.id}: symbolic {symbolic}, explicit {truth}"
        assert truth.verdict is (Verdict.VIOLATED if req.id in VIOLATED[model] else Verdict.PROVED)
