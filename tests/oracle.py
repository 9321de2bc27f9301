"""The differential oracle: one generated case decided by the engines and by the explicit-state checker, with
every answer's independent checks. Used by the generated tests (verify/test_differential.py, verify/test_runs.py)
and by the regressions they found (trust/test_regressions.py).

Clocked safety models are compared engine with engine (`check_clocked`); clocked liveness with the explicit
checker on whole-unit delays, which is ground truth where digitization is exact (`digitization_gap`).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck

from pumpproof.errors import TooManyStates, UnsupportedError
from pumpproof.lang.ir import (
    BOOL,
    CLOCK,
    FALSE,
    NEGATED,
    NUM,
    Binary,
    Const,
    Expr,
    FairnessKind,
    Fired,
    Op,
    Requirement,
    Temporal,
    TemporalOp,
    TransitionSystem,
    VarRef,
)
from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.lang.text import expr_text
from pumpproof.lang.walk import clock_comparison, nodes, polar_comparisons, rewrite, var_names
from pumpproof.verify import explicit
from pumpproof.verify.budget import Budget
from pumpproof.verify.certificates import obligations
from pumpproof.verify.independent import recheck
from pumpproof.verify.lasso_replay import replay_lasso
from pumpproof.verify.ltl import LivenessProblem, k_liveness, liveness_problem
from pumpproof.verify.portfolio import decide, decide_liveness
from pumpproof.verify.problem import SafetyProblem, conj
from pumpproof.verify.results import Proved, Result, Verdict, Violated
from pumpproof.verify.run import problem_for
from tests.strategies import (
    Generated,
)

SOAK = os.environ.get("PUMPPROOF_SOAK") == "1"
"""`tox -e soak`: many more examples, drawn at random instead of from a fixed seed."""
TIMEOUT_S = 60
COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow], "derandomize": not SOAK}
"""Hypothesis settings shared by every generated test."""


def cvc5_agrees(problem: SafetyProblem, result: Result, case: Generated) -> None:
    """A proof's obligations are unsat for cvc5 too (a solver sharing no code with Z3)."""
    if isinstance(result, Proved) and result.certificate.invariant_smt2:
        checks = recheck(problem, obligations(problem, result.certificate), TIMEOUT_S)
        failed = [f"{c.obligation.name}: {c.said}" for c in checks if not c.holds]
        assert not failed, f"cvc5 rejects the {result.engine} certificate ({'; '.join(failed)})\n{case}"


def check_safety(case: Generated) -> None:
    """Safety, no clocks: kind and ic3 give the explicit verdict and shortest traces; bmc and dfs find the same
    traces."""
    p = case_problem(case)
    assert isinstance(p, SafetyProblem)
    truth = explicit.check(p, Budget.seconds(TIMEOUT_S))
    assert truth.verdict is not Verdict.UNKNOWN
    for engine in ("kind", "ic3"):
        result = decide(p, engine, TIMEOUT_S)
        assert result.verdict is truth.verdict, f"{engine} says {result.verdict}, explicit says {truth.verdict}\n{case}"
        if truth.verdict is Verdict.VIOLATED:
            assert len(result.trace.steps) == len(truth.trace.steps)  # every engine returns a shortest trace  # type: ignore[union-attr]
        cvc5_agrees(p, result, case)
    depth = len(truth.trace.steps) - 1 if truth.verdict is Verdict.VIOLATED else 8  # type: ignore[union-attr]
    result = decide(p, "bmc", TIMEOUT_S, max_depth=depth)
    # BMC proves nothing; a problem without bad states is proved before any engine starts, whichever is chosen.
    trivial = p.bad == FALSE and truth.verdict is Verdict.PROVED
    expected = truth.verdict if truth.verdict is Verdict.VIOLATED or trivial else Verdict.UNKNOWN
    assert result.verdict is expected, f"bmc says {result.verdict}, explicit says {truth.verdict}\n{case}"
    if expected is Verdict.VIOLATED:
        assert len(result.trace.steps) == len(truth.trace.steps)  # type: ignore[union-attr]
    result = decide(p, "dfs", TIMEOUT_S)  # finds what is reachable, proves nothing; its trace is shortened
    assert result.verdict is expected, f"dfs says {result.verdict}, explicit says {truth.verdict}\n{case}"
    if expected is Verdict.VIOLATED:
        assert len(result.trace.steps) == len(truth.trace.steps)  # type: ignore[union-attr]


def check_liveness(case: Generated) -> None:
    """LTL with fairness: the lasso search / k-liveness verdict is the explicit fair-cycle checker's.

    Every formula goes through the tableau here, safety-shaped ones too (`always p` is LTL as well).
    """
    system, req = parse_case(case)
    p = liveness_problem(system, req)
    truth = explicit.check_liveness(p, Budget.seconds(TIMEOUT_S))
    result = decide_liveness(p, timeout_s=TIMEOUT_S)
    if isinstance(truth, Violated):
        replay_lasso(p, truth.trace)  # the explicit lasso passes the independent checks too
    if result.verdict is Verdict.UNKNOWN:
        # k-liveness is incomplete for proofs beyond its largest K; it must never contradict the truth.
        assert truth.verdict is Verdict.PROVED, f"symbolic gave up on a violated requirement\n{case}"
        return
    assert result.verdict is truth.verdict, f"symbolic says {result.verdict}, explicit says {truth.verdict}\n{case}"
    if isinstance(result, Proved):
        assert result.certificate.rounds is not None
        cvc5_agrees(k_liveness(p, result.certificate.rounds), result, case)


def check_clocked(case: Generated) -> None:
    """Clocks: no ground truth, so kind and ic3 must not contradict each other and bmc must not contradict a proof.

    Every answer is replayed or re-checked inside `decide` and proofs again by cvc5. (Digitisation,
    running the explicit checker on integer delays, is exact only for closed guards; the generated
    models and the `within` monitors use strict comparisons too, so it is not used as ground truth.)
    """
    p = case_problem(case)
    assert isinstance(p, SafetyProblem)
    verdicts = {}
    for engine in ("kind", "ic3"):
        result = decide(p, engine, TIMEOUT_S)
        verdicts[engine] = result.verdict
        cvc5_agrees(p, result, case)
    decided = {v for v in verdicts.values() if v is not Verdict.UNKNOWN}
    assert len(decided) <= 1, f"engines disagree: {verdicts}\n{case}"
    found = decide(p, "bmc", TIMEOUT_S, max_depth=8).verdict
    assert not (found is Verdict.VIOLATED and Verdict.PROVED in decided), f"bmc violates a proof: {verdicts}\n{case}"


def check_clocked_liveness(case: Generated) -> str:
    """Clocks in LTL: the lasso search / k-liveness verdict against the explicit fair-cycle checker on whole-unit
    delays. Those runs are real runs, so an explicit lasso refutes the requirement; inside the fragment that
    digitization decides exactly (no `digitization_gap`) the verdicts are equal. Returns the gap ('' if none),
    or why the explicit checker could not enumerate the runs (a regression with a large clock constant: its
    verdict is then checked against the one its file states)."""
    system, req = parse_case(case)
    p = liveness_problem(system, req)
    try:
        truth = explicit.check_liveness(p, Budget.seconds(TIMEOUT_S))
    except (UnsupportedError, TooManyStates) as e:
        return f"not enumerated: {e}"
    result = decide_liveness(p, timeout_s=TIMEOUT_S)
    if isinstance(truth, Violated):
        replay_lasso(p, truth.trace)
        assert result.verdict is not Verdict.PROVED, f"symbolic proves what a digitized run refutes\n{case}"
    gap = digitization_gap(system, req.formula)
    if gap:
        return gap
    if result.verdict is Verdict.UNKNOWN:
        assert truth.verdict is Verdict.PROVED, f"symbolic gave up on a violated requirement\n{case}"
        return gap
    assert result.verdict is truth.verdict, f"symbolic says {result.verdict}, digitized says {truth.verdict}\n{case}"
    if isinstance(result, Proved):
        assert result.certificate.rounds is not None
        cvc5_agrees(k_liveness(p, result.certificate.rounds), result, case)
    return gap


CLOSED = frozenset({Op.LE, Op.GE, Op.EQ})


def _strict(cmp: Binary, positive: bool) -> bool:
    """True for a clock comparison that, with its polarity, bounds the clock strictly (`c < 3`, `not c >= 3`)."""
    side = clock_comparison(cmp)
    return side is not None and (side[1] if positive else NEGATED[side[1]]) not in CLOSED


def model_gap(system: TransitionSystem) -> str:
    """Why runs with whole-unit delays may miss real-time runs of `system` (a strict clock constraint, a clock
    read by an update), or '' when every real run has a digitization that is a run too."""
    for t in system.transitions:
        strict = [expr_text(c) for c, positive in polar_comparisons(t.guard) if _strict(c, positive)]
        if strict:
            return f"transition {t.name} compares a clock strictly ({strict[0]})"
        if any(clock_comparison(n) for u in t.updates for n in nodes(u.value)):
            return f"transition {t.name} assigns a clock comparison"
    for e in (*system.invariants, *system.assumptions):
        if any(_strict(c, positive) for c, positive in polar_comparisons(e)):
            return f"a constraint compares a clock strictly ({expr_text(e)})"
    return ""


def _untimed(e: Expr) -> Expr:
    """`e` with each temporal operator replaced by the conjunction of its arguments: the same polarities, for
    `polar_comparisons` (every operator that remains after `digitization_gap`'s checks is monotone). `held(f, T)`
    keeps the comparison its monitor makes, `age >= T`, with a stand-in clock for the age of f's streak."""

    def flat(n: Expr) -> Expr | None:
        if not isinstance(n, TemporalOp):
            return None
        age = [Binary(Op.GE, VarRef("held-age", CLOCK), Const(n.bound, NUM), BOOL)] if n.op is Temporal.HELD else []
        return conj(*(_untimed(a) for a in n.args), *age)

    return rewrite(e, flat)


def _reads_fired(e: Expr) -> bool:
    return any(isinstance(n, Fired) for n in nodes(e))


def digitization_gap(system: TransitionSystem, formula: Expr) -> str:
    """Why the explicit checker's runs (whole-unit delays) may not decide `formula` on `system` as real-time runs
    do, or '' when they do.

    They do (Henzinger, Manna and Pnueli 1992) when every counterexample, a real run of the negation, has
    a digitization that is one too: the model is closed (`model_gap`); the negation meets closed clock
    constraints only, so rounding clocks keeps them; and nothing tells apart the repeated frames where
    rounding makes a delay zero (no `next`, `previously`, input or `fired`, in the formula or in fairness).
    """
    gap = model_gap(system)
    if gap:
        return gap
    clocks = {v.name for v in system.clocks}
    inputs = {v.name for v in system.inputs}
    ops = {n.op for n in nodes(formula) if isinstance(n, TemporalOp)}
    if ops & {Temporal.NEXT, Temporal.PREVIOUSLY}:
        return "the requirement counts steps (`next`, `previously`)"
    if var_names(formula) & inputs or _reads_fired(formula):
        return "the requirement reads inputs or `fired`"
    strict = [expr_text(c) for c, positive in polar_comparisons(_untimed(formula), False) if _strict(c, positive)]
    if strict:
        return f"a counterexample compares a clock strictly ({strict[0]} or its negation)"
    for fair in system.fairness:
        if fair.kind is FairnessKind.INFINITELY:
            condition = fair.condition
            if condition is not None and (var_names(condition) & (clocks | inputs) or _reads_fired(condition)):
                return f"fairness reads clocks, inputs or `fired` ({fair.text})"
            continue
        for t in (t for t in system.transitions if t.name in fair.transitions):
            reset = {u.target for u in t.updates if u.target in clocks}
            # Enabled: the guard and the invariants after t; with clocks in either, rounding may enable t.
            moved = [i for i in system.invariants if var_names(i) & {u.target for u in t.updates}]
            if var_names(t.guard) & clocks or any(var_names(i) & (clocks - reset) for i in moved):
                return f"whether {t.name} is enabled depends on a clock ({fair.text})"
    return ""


def parse_case(case: Generated) -> tuple[TransitionSystem, Requirement]:
    system = parse_model_text(case.model, "<model>")
    (req,) = parse_requirements_text(case.requirement, "<reqs>", system).requirements
    return system, req


def case_problem(case: Generated) -> SafetyProblem | LivenessProblem:
    return problem_for(*parse_case(case))


def check_case(case: Generated) -> None:
    """The differential check that fits the case: liveness (with or without clocks), clocked safety, or clock-free
    safety."""
    p = case_problem(case)
    if isinstance(p, LivenessProblem):
        (check_clocked_liveness if p.system.timed else check_liveness)(case)
    elif p.system.timed:
        check_clocked(case)
    else:
        check_safety(case)
