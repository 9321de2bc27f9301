"""Equivalent mutants: the lockstep product decided by the engines, checked against the explicit-state checker on
the same product and against the observable runs of model and mutant enumerated apart, on generated models (parts
composed over channels among them, whose mutants may compose into other steps than the model's)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from pumpproof.lang.ir import TransitionSystem, Value
from pumpproof.lang.load import parse_model_text, parse_requirements_text
from pumpproof.verify import explicit
from pumpproof.verify.analyses.equivalence import DIVERGE, equivalence, observables, product
from pumpproof.verify.analyses.mutate import mutants
from pumpproof.verify.budget import Budget
from pumpproof.verify.evaluate import Frame, evaluate
from pumpproof.verify.portfolio import Options, verdict
from pumpproof.verify.replay import moves
from pumpproof.verify.results import Proved, Violated
from pumpproof.verify.steps import values_of
from tests.oracle import COMMON
from tests.strategies import composed_generated, generated

DEPTH = 3
"""How many steps of observable runs the explicit side enumerates."""

Run = tuple[tuple[object, ...], ...]


def initial_states(system: TransitionSystem) -> list[dict[str, Value]]:
    """Every initial state: each variable without an initial value takes every value of its type."""
    fixed = {v.name: evaluate(v.init, Frame({}, None, 0)) for v in system.state_vars if v.init is not None}
    free = [v for v in system.state_vars if v.init is None]
    out = []
    for values in itertools.product(*(values_of(v.type) for v in free)):
        state = {**fixed, **dict(zip((v.name for v in free), values, strict=True))}
        if all(evaluate(c, Frame(state, None, 0)) for c in system.initial):
            out.append(state)
    return out


def observable_runs(system: TransitionSystem, observed: tuple[str, ...], depth: int) -> set[Run]:
    """Every run of up to `depth` steps as what a requirement can see: transitions, inputs, observed values."""

    def seen(state: dict[str, Value]) -> tuple[Value, ...]:
        return tuple(state[n] for n in observed)

    def extend(state: dict[str, Value], run: Run, left: int) -> Iterator[Run]:
        yield run
        if left:
            for target, name, inputs in moves(system, state):
                step = (name, tuple(sorted(inputs.items())), seen(target))
                yield from extend(target, (*run, step), left - 1)

    return {r for s in initial_states(system) for r in extend(s, ((None, (), seen(s)),), depth)}


@settings(max_examples=80, **COMMON)
@given(case=st.one_of(generated(), composed_generated()), pick=st.integers(0, 10_000))
def test_equivalence_agrees_with_the_explicit_product_and_with_the_runs_enumerated_apart(case, pick) -> None:  # type: ignore[no-untyped-def]
    system = parse_model_text(case.model, "generated.pump")
    reqs = parse_requirements_text(case.requirement, "generated.req", system).requirements
    found = mutants(system)
    if not found:
        return
    mutant = found[pick % len(found)]
    decided = equivalence(system, mutant.system, reqs, Options(timeout_s=60))
    truth = explicit.check(product(system, mutant.system, decided.observed), Budget.seconds(60))
    assert decided.result.verdict is truth.verdict, f"{mutant.name}\n{case}"
    model_runs = observable_runs(system, decided.observed, DEPTH)
    mutant_runs = observable_runs(mutant.system, decided.observed, DEPTH)
    if isinstance(decided.result, Proved):
        assert model_runs == mutant_runs, f"{mutant.name} proved equivalent, but runs differ\n{case}"
    else:
        assert isinstance(decided.result, Violated)
        steps = decided.result.trace.steps
        length = len(steps) - 1  # a `#diverge` step stands for the step one side can take and the other cannot
        # From one initial state, equal steps and inputs pair runs exactly; with several, a run of the mutant may
        # match the model's from another initial state (hidden values), so lockstep may part where runs do not.
        if length <= DEPTH and len(initial_states(system)) == 1:
            assert model_runs != mutant_runs, f"{mutant.name}: a difference at {length} steps, runs agree\n{case}"
        assert all(s.transition != DIVERGE for s in steps[:-1])


@settings(max_examples=60, **COMMON)
@given(case=st.one_of(generated(), composed_generated()), pick=st.integers(0, 10_000))
def test_fewer_runs_agrees_with_the_explicit_product_and_with_the_runs_enumerated_apart(case, pick) -> None:  # type: ignore[no-untyped-def]
    """PROVED: every observable run of the mutant (to DEPTH steps) is one of the model's; VIOLATED from a single
    initial state, within DEPTH steps: the mutant has a run the model has not."""
    system = parse_model_text(case.model, "generated.pump")
    reqs = tuple(parse_requirements_text(case.requirement, "generated.req", system).requirements)
    found = mutants(system, environment=True)
    if not found:
        return
    mutant = found[pick % len(found)]
    observed = observables(system, reqs)
    problem = product(system, mutant.system, observed, fewer=True)
    decided = verdict(problem, Options(timeout_s=60))
    truth = explicit.check(problem, Budget.seconds(60))
    assert decided.verdict is truth.verdict, f"{mutant.name}\n{case}"
    model_runs = observable_runs(system, observed, DEPTH)
    mutant_runs = observable_runs(mutant.system, observed, DEPTH)
    if isinstance(decided, Proved):
        assert mutant_runs <= model_runs, f"{mutant.name}: proved fewer runs, but the mutant has others\n{case}"
    else:
        assert isinstance(decided, Violated)
        length = len(decided.trace.steps) - 1
        if length <= DEPTH and len(initial_states(system)) == 1:
            assert not mutant_runs <= model_runs, f"{mutant.name}: parts at {length} steps, runs agree\n{case}"


def test_what_the_requirements_read_is_what_is_compared() -> None:
    system = parse_model_text(
        "var a: bool = false\nvar b: bool = false\ndefine both = a and b\ntransition t do a := true\n", "m.pump"
    )
    req = 'requirement R\n  text "t"\n  source "s"\n  always (both -> a)\n'
    (r,) = parse_requirements_text(req, "r.req", system).requirements
    assert observables(system, (r,)) == ("a", "b")
