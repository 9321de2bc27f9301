"""Liveness: every LTL operator, with and without fairness, against the explicit-state fair-cycle checker."""

from __future__ import annotations

import pytest

from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify import explicit
from pumpproof.verify.budget import Budget
from pumpproof.verify.lasso_replay import holds_on_lasso, replay_lasso
from pumpproof.verify.ltl import LivenessProblem, liveness_problem
from pumpproof.verify.portfolio import Options, decide_liveness
from pumpproof.verify.results import Proved, Result, Vacuous, Verdict, Violated
from pumpproof.verify.run import NO_FAIR_RUN, Checker
from tests.helpers import ROOT

LANGUAGE_DOC = ROOT / "docs" / "language.md"

# A light that a button may switch on; once on it may blink off again; `stuck` can latch forever.
MODEL = """
type Light = {Off, On, Blink}
var light: Light = Off
var stuck: bool = false
input button: bool
transition press when light == Off and button do light := On
transition blink when light == On do light := Blink
transition settle when light == Blink do light := On
transition jam when not stuck do stuck := true
transition wait when stuck or light == Off
FAIRNESS
"""

FORMULAS = [
    "eventually light == On",
    "always eventually light != Off",
    "eventually always light == On",
    "always (light == On -> eventually light == Blink)",
    "always (light == On -> next (light == Blink or light == On))",
    "(light == Off) until (light == On)",
    "(light == Off) weak-until (light == On)",
    "(light != Blink) release (light == Off)",
    "always (light == Blink -> previously (light == On))",
    "eventually (stuck and once (light == On))",
    "always ((light == On) since (light == Blink) -> eventually stuck)",
    "always (rise(light == On) -> eventually fall(light == On))",
    "not eventually stuck",
    "always (button -> eventually light != Off)",
    "response(light == On, light == Blink)",
    "recurrence(light != Off) or persistence(stuck)",
]
FAIRNESS = ["", "fairness weak blink", "fairness strong settle", "fairness infinitely button"]


def _decide(fairness: str, formula: str) -> tuple[LivenessProblem, Result, Result]:
    system = parse_model_text(MODEL.replace("FAIRNESS", fairness), "<light>")
    reqs = parse_requirements_text(f'requirement L\n  text "t"\n  source "s"\n  {formula}\n', "<reqs>", system)
    p = liveness_problem(system, reqs.requirements[0])
    return p, explicit.check_liveness(p, Budget.seconds(30)), decide_liveness(p, timeout_s=30)


@pytest.mark.parametrize("fairness", FAIRNESS)
@pytest.mark.parametrize("formula", FORMULAS)
def test_symbolic_agrees_with_explicit(fairness: str, formula: str) -> None:
    p, truth, result = _decide(fairness, formula)
    assert truth.verdict is not Verdict.UNKNOWN
    assert result.verdict is truth.verdict, f"{formula} [{fairness}]: symbolic {result}, explicit {truth.verdict}"
    if isinstance(truth, Violated):
        replay_lasso(p, truth.trace)  # the explicit lasso also passes the independent checks
    if isinstance(result, Proved):
        assert result.certificate.rounds is not None


def test_lasso_evaluator_on_a_hand_made_loop() -> None:
    """`eventually always p` is false on a loop where p flickers, true where it settles."""
    from pumpproof.lang.ir import BOOL, Temporal, TemporalOp, VarRef
    from pumpproof.verify.evaluate import Frame

    p = VarRef("p", BOOL)
    fg = TemporalOp(Temporal.EVENTUALLY, (TemporalOp(Temporal.ALWAYS, (p,)),))
    flicker = [Frame({"p": v}, None, 0) for v in (False, True, False, True)]
    assert not holds_on_lasso(fg, flicker, 1)  # loop: positions 2, 3 -> p false, true, ...
    settled = [Frame({"p": v}, None, 0) for v in (False, True, True)]
    assert holds_on_lasso(fg, settled, 1)


def test_fairness_changes_the_verdict() -> None:
    """Without fairness the light may stay On forever; weak fairness on `blink` forbids it."""
    formula = "always (light == On -> eventually light == Blink)"
    assert _decide("", formula)[2].verdict is Verdict.VIOLATED
    assert _decide("fairness weak blink", formula)[2].verdict is Verdict.PROVED


def test_liveness_verdicts_list_their_assumptions() -> None:
    p, _, _ = _decide("fairness weak blink", "eventually light == On")
    assert any("fairness weak blink" in a for a in p.assumptions)
    assert any("repeats its last state" in a for a in p.assumptions)


def test_liveness_proof_without_any_fair_run_is_vacuous() -> None:
    # `stuck` never holds, so no run meets the fairness assumption and every liveness claim holds.
    system = parse_model_text(
        "var on: bool = false\nvar stuck: bool = false\ntransition toggle do on := not on\nfairness infinitely stuck\n",
        "<m>",
    )
    text = 'requirement R\n  text "t"\n  source "s"\n  eventually always on\n'
    reqs = parse_requirements_text(text, "<r>", system)
    outcome = Checker(system, Options(timeout_s=30)).check(reqs.requirements[0])
    assert isinstance(outcome.result, Vacuous), outcome.result
    assert outcome.result.reason == NO_FAIR_RUN and isinstance(outcome.result.proof, Proved)
    # docs/language.md says the same: VACUOUS, with this reason (it once said UNKNOWN).
    assert f'VACUOUS, with the reason "{NO_FAIR_RUN}"' in " ".join(LANGUAGE_DOC.read_text().split())
