"""The explicit-state checker's digitization: per-clock caps and time scaling keep the discrete behaviour."""

from __future__ import annotations

import networkx as nx
import pytest

from pumpproof.errors import TooManyStates, UnsupportedError
from pumpproof.lang.ir import DELAY, FALSE
from pumpproof.lang.load import parse_model_text
from pumpproof.lang.text import expr_text
from pumpproof.verify import explicit
from pumpproof.verify.budget import Budget
from pumpproof.verify.explicit import time_stops
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Unknown
from pumpproof.verify.state_space import StateSpace, projected_graph, reachable_graph, time_scaled

# Two timers with constants 4 and 10 (gcd 2) and a mode that depends on which fires first.
TIMERS = """
type Mode = {Idle, Running, Slow, Fast, Done}
var mode: Mode = Idle
var n: 0..3 = 0
clock x
clock y
invariant mode == Running -> x <= 10
invariant mode == Fast -> y <= 4
transition go when mode == Idle do mode := Running; x := 0; y := 0
transition quick when mode == Running and y <= 4 and x >= 4 do mode := Fast; y := 0
transition slow when mode == Running and x >= 10 do mode := Slow
transition finish when mode == Fast and y >= 4 and n < 3 do mode := Done; n := n + 1
transition again when mode == Done or mode == Slow do mode := Idle
"""


def projection(graph: nx.DiGraph, variables: tuple[str, ...]) -> tuple[set, set]:
    """Nodes and (source, target, transition) edges of a frame graph projected onto `variables`, delays left out."""
    nodes = {tuple(dict(n.state)[v] for v in variables) for n in graph}
    edges = {
        (tuple(dict(a.state)[v] for v in variables), tuple(dict(b.state)[v] for v in variables), t)
        for a, b, t in graph.edges(data="transition")
        if t != DELAY
    }
    return nodes, edges


def test_scaling_time_keeps_the_projected_state_graph() -> None:
    system = parse_model_text(TIMERS, "timers.pump")
    scaled = time_scaled(system)
    assert expr_text(scaled.transitions[1].guard) == "((mode == Running) and (y <= 2)) and (x >= 2)"
    assert expr_text(scaled.transitions[3].guard).endswith("(n < 3)")  # integers are not time
    full = reachable_graph(SafetyProblem("all", system, FALSE))
    fewer = reachable_graph(SafetyProblem("all", scaled, FALSE), per_clock=True)
    assert fewer.number_of_nodes() < full.number_of_nodes()
    variables = ("mode", "n")
    assert projection(fewer, variables) == projection(full, variables)
    shown = projected_graph(system, variables)
    nodes, edges = projection(full, variables)
    assert set(shown.nodes) == nodes
    assert {(a, b, t) for a, b, ts in shown.edges(data="transitions") for t in ts} == edges


def test_each_clock_is_capped_at_its_own_constants() -> None:
    problem = SafetyProblem("all", parse_model_text(TIMERS, "timers.pump"), FALSE)
    assert StateSpace(problem, per_clock=True).caps == {"x": 11, "y": 5}
    assert StateSpace(problem).caps == {"x": 11, "y": 11}  # traces to replay keep real clock values up to the cap


@pytest.mark.parametrize("guard", ["x > 4", "not (x >= 4)", "x >= n"])
def test_inexact_digitization_is_refused(guard: str) -> None:
    system = parse_model_text(TIMERS.replace("x >= 4", guard), "timers.pump")
    with pytest.raises(UnsupportedError, match="compared strictly or with a non-constant"):
        projected_graph(system, ("mode",))


def test_a_clock_ceiling_beyond_the_state_limit_is_refused_before_any_state_is_built() -> None:
    """Every state tries a delay of each length up to the ceiling: with a dead `t > 400000` the digitized
    graph would take hours, so it is refused at once; the safety search says UNKNOWN, with the reason."""
    system = parse_model_text(TIMERS.replace("x >= 4", "x >= 4 or (x > 400000 and n > 99)"), "timers.pump")
    problem = SafetyProblem("all", system, FALSE)
    with pytest.raises(TooManyStates, match="clock values up to 400001"):
        reachable_graph(problem)
    result = explicit.check(problem, Budget.seconds(5))
    assert isinstance(result, Unknown) and "400001" in result.reason


def test_clock_values_are_not_projected() -> None:
    with pytest.raises(UnsupportedError, match="clock values"):
        projected_graph(parse_model_text(TIMERS, "timers.pump"), ("mode", "x"))


def test_time_stops_finds_a_forced_zero_time_loop_and_ignores_the_environment() -> None:
    """`time_stops` on hand-made models: a zero-time loop of the pump's is stuck, and so is a bound that only
    the environment's transition can leave."""
    base = "var x: bool = false\nclock t\ninvariant t <= 2\n"
    spin = parse_model_text(base + "transition spin when t >= 2 do x := not x\n", "spin.pump")
    stop = time_stops(spin)
    assert stop is not None and stop.steps[-1].state["t"] == 2
    reset = parse_model_text(base + "environment transition reset when t >= 2 do t := 0\n", "env.pump")
    assert time_stops(reset) is not None  # only the environment could let time go on
    own = parse_model_text(base + "transition reset when t >= 2 do t := 0\n", "own.pump")
    assert time_stops(own) is None
