"""The compiled frames (verify.frames) are the explicit checker's: the same initial frames and successors, and a run
followed through given moves is the run the explicit checker takes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pumpproof.lang.ir import STUTTER
from pumpproof.verify import frames
from pumpproof.verify.evaluate import evaluate
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.state_space import Node, StateSpace
from tests.helpers import problem
from tests.oracle import COMMON, case_problem
from tests.strategies import Generated, composed_generated, generated


def as_tuple(space: frames.Space, node: Node) -> frames.Node:
    """An explicit checker's frame laid out as the search lays its frames out."""
    values = {**dict(node.state), **dict(node.inputs), **dict(node.monitors)}
    return (*(values[name] for name in space.names), node.fired)


@settings(max_examples=150, **COMMON)  # type: ignore[arg-type]
@given(st.one_of(generated(), composed_generated()))
def test_the_compiled_frames_and_steps_are_the_explicit_checkers(case: Generated) -> None:
    """Every reachable frame, initial or not, has the same successors in both (so the same runs, monitors and
    bad frames): the compiled expressions agree with the interpreter's."""
    problem = case_problem(case)
    assert isinstance(problem, SafetyProblem)
    space, explicit = frames.Space(problem), StateSpace(problem)
    firsts = list(explicit.initial())
    assert set(space.initial()) == {as_tuple(space, n) for n in firsts}, case
    todo, seen = list(firsts), set(firsts)
    while todo:
        node = todo.pop()
        mine = as_tuple(space, node)
        assert space.is_bad(mine) == bool(evaluate(problem.bad, node.frame())), case
        theirs = list(explicit.successors(node))
        assert set(space.successors(mine)) == {as_tuple(space, n) for n in theirs}, case
        for n in theirs:
            if n not in seen:
                seen.add(n)
                todo.append(n)


@settings(max_examples=100, **COMMON)  # type: ignore[arg-type]
@given(st.one_of(generated(), composed_generated()), st.data())
def test_a_run_followed_through_its_moves_is_the_explicit_checkers(case: Generated, data: st.DataObject) -> None:
    """A walk of up to 8 steps through the explicit checker's successors, followed by `Space.run` from its first
    state with its inputs and transitions, gives the same frames; a step by a transition it does not take (or a
    stop where the run can still move) is refused."""
    problem = case_problem(case)
    assert isinstance(problem, SafetyProblem)
    space, explicit = frames.Space(problem), StateSpace(problem)
    walk = [data.draw(st.sampled_from(sorted(explicit.initial(), key=repr)))] if any(explicit.initial()) else []
    while walk and len(walk) < 9 and (after := sorted(explicit.successors(walk[-1]), key=repr)):
        walk.append(data.draw(st.sampled_from(after)))
    if not walk:
        return
    first = walk[0]
    inputs = [dict(n.inputs) for n in walk]
    fired = [n.fired for n in walk[1:]]
    assert space.run(dict(first.state), inputs, fired) == [as_tuple(space, n) for n in walk], case
    if len(walk) > 1:
        taken = {n.fired for n in explicit.successors(walk[-2]) if dict(n.inputs) == inputs[-1]}
        other = next((t.name for t in problem.system.transitions if t.name not in taken), None)
        if other is not None or STUTTER not in taken:
            wrong = other if other is not None else STUTTER
            assert space.run(dict(first.state), inputs, [*fired[:-1], wrong]) is None, case


def test_a_run_is_followed_without_listing_every_input_valuation() -> None:
    """With 13 boolean inputs (8,192 valuations, more than a search expands a frame with) a given run is followed."""
    names = [f"i{n}" for n in range(13)]
    model = "".join(f"input {n}: bool\n" for n in names) + "var n: 0..1 = 0\ntransition t when i12 do n := 1\n"
    space = frames.Space(problem(model, "always n < 1"))
    quiet, last = dict.fromkeys(names, False), {**dict.fromkeys(names, False), "i12": True}
    path = space.run({"n": 0}, [quiet, last], ["t"])
    assert path is not None and space.is_bad(path[-1]) and path[-1][0] == 1
    assert space.run({"n": 0}, [quiet, quiet], ["t"]) is None  # its guard is false with these inputs


def test_a_run_with_a_value_outside_its_type_is_refused() -> None:
    """As the interpreter refuses it: a guess made at scaled-down constants may carry such values."""
    space = frames.Space(problem("input k: 0..3\nvar n: 0..9\ntransition t do n := k\n", "always n < 9"))
    assert space.run({"n": 0}, [{"k": 0}, {"k": 3}], ["t"]) is not None
    assert space.run({"n": 0}, [{"k": 0}, {"k": 5}], ["t"]) is None  # an input
    assert space.run({"n": 12}, [{"k": 0}, {"k": 3}], ["t"]) is None  # a variable without an initial value
