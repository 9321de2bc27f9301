"""Mutation against the explicit-state checker on generated composed models: a mutant is judged as the mutant
itself would be checked, with the requirement read afresh against its own steps (a part's transition mutated
composes into other flat steps than the model's, and `fired(...)` must name those). The generator reaches the
class rarely (about one model in 300 tells a stale `fired` from a fresh one); the broadcast case in test_mutate.py
pins it, and the soak runs many more examples."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pumpproof.lang.ir import Requirement
from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify import explicit
from pumpproof.verify.analyses.mutate import Baseline, Mutant, baseline, judge, mutants
from pumpproof.verify.budget import Budget
from pumpproof.verify.portfolio import Options
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Verdict
from pumpproof.verify.run import problem_for
from tests.oracle import COMMON, SOAK
from tests.strategies import Generated, composed_generated

EXAMPLES = 2_000 if SOAK else 40
OPTIONS = Options(timeout_s=60)


@settings(max_examples=EXAMPLES, **COMMON)
@given(case=composed_generated(), pick=st.integers(0, 10_000))
def test_a_composed_mutant_is_killed_exactly_when_the_explicit_checker_violates_it_read_afresh(  # type: ignore[no-untyped-def]
    case, pick
) -> None:
    system = parse_model_text(case.model, "generated.pump")
    (req,) = parse_requirements_text(case.requirement, "generated.req", system).requirements
    found = mutants(system)
    if not found:
        return
    steps = {t.name for t in system.transitions}
    recomposed = [m for m in found if {t.name for t in m.system.transitions} != steps]
    # every mutant whose parts compose into other flat steps than the model's (a few), else one of the others
    base = baseline(system, [req], OPTIONS)
    for mutant in recomposed[:4] or [found[pick % len(found)]]:
        _agrees(case, req, mutant, base)


def _agrees(case: Generated, req: Requirement, mutant: Mutant, base: Baseline) -> None:
    """`judge` kills `mutant` by a violation exactly when the explicit checker violates the requirement read
    against the mutant itself; so does the fast path, where the unmutated model's proof is kept (its cone left
    alone) or re-checked first."""
    (afresh,) = parse_requirements_text(case.requirement, "generated.req", mutant.system).requirements
    problem = problem_for(mutant.system, afresh)
    assert isinstance(problem, SafetyProblem)
    truth = explicit.check(problem, Budget.seconds(60))
    judged = [judge(mutant, [req], OPTIONS)]
    if base.outcomes[0].result.verdict is Verdict.PROVED:  # only a proof judges mutants
        judged.append(judge(mutant, [req], OPTIONS, earlier=base.by_id, earlier_runs=base.runs, cones=base.cones))
    for result in judged:
        violated = [k for k in result.kills if k.verdict is Verdict.VIOLATED]
        assert bool(violated) == (truth.verdict is Verdict.VIOLATED), f"{mutant.name}: explicit {truth.verdict}\n{case}"
