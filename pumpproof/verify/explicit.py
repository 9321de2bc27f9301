"""Explicit-state model checking: breadth-first search of every reachable frame (verify.state_space).

Shares nothing with the Z3 encoding, so tests use it as ground truth for the symbolic engines on
small finite models; BFS gives shortest counterexamples. Liveness looks for a fair cycle in the
frame graph's strongly connected components; `time_stops` finds a digitized run where time stops.
Clocks are digitized as verify.state_space says: exact for closed clock constraints only.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable

import networkx as nx

from pumpproof.errors import TooManyStates, UnsupportedError
from pumpproof.lang.ir import (
    BOOL,
    CLOCK,
    DELAY,
    FALSE,
    NUM,
    Binary,
    Const,
    Elapsed,
    Expr,
    Op,
    TransitionSystem,
)
from pumpproof.verify.budget import Budget
from pumpproof.verify.evaluate import evaluate
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Certificate, CertificateKind, Proved, Result, Step, Trace, Unknown, Violated
from pumpproof.verify.state_space import DEFAULT_MAX_STATES, Node, StateSpace, reachable_graph

NAME = "explicit"


def check(problem: SafetyProblem, budget: Budget, max_states: int = DEFAULT_MAX_STATES) -> Result:
    """Breadth-first search for a bad frame; PROVED by exhaustion when none is reachable."""
    start = time.time()
    try:
        space = StateSpace(problem, max_states=max_states)
    except (UnsupportedError, TooManyStates) as e:
        return Unknown(NAME, time.time() - start, str(e))
    parent: dict[Node, Node | None] = {}
    todo: deque[tuple[Node, int]] = deque()
    for node in space.initial():
        if node not in parent:
            parent[node] = None
            todo.append((node, 0))
    depth = 0
    while todo:
        node, depth = todo.popleft()
        if evaluate(problem.bad, node.frame()):
            return Violated(NAME, time.time() - start, _trace(problem.system, node, parent))
        if len(parent) > max_states or budget.expired():
            return Unknown(NAME, time.time() - start, f"stopped after {len(parent)} states at depth {depth}")
        for nxt in space.successors(node):
            if nxt not in parent:
                parent[nxt] = node
                todo.append((nxt, depth + 1))
    text = f"all {len(parent)} reachable frames enumerated; none is bad"
    return Proved(NAME, time.time() - start, Certificate(CertificateKind.EXHAUSTIVE, 0, "", text))


def _trace(system: TransitionSystem, node: Node, parent: dict[Node, Node | None]) -> Trace:
    path: list[Node] = []
    cur: Node | None = node
    while cur is not None:
        path.append(cur)
        cur = parent[cur]
    path.reverse()
    return Trace(_steps(system, path, [0] + [n.elapsed for n in path[1:]]))


def _steps(system: TransitionSystem, path: list[Node], elapsed: list[int]) -> tuple[Step, ...]:
    """Nodes as trace steps, with the time each takes (`elapsed[i]`, the step into `path[i]`) and ends at, and
    clocks as they are, not capped."""
    times = list(itertools.accumulate(elapsed[1:], initial=0))
    resets = {t.name: {u.target for u in t.updates} for t in system.transitions}
    clocks = {v.name: dict(path[0].state)[v.name] for v in system.clocks}
    steps = []
    for i, n in enumerate(path):
        state = dict(n.state)
        if i:
            for c in clocks:
                grown = int(clocks[c]) + elapsed[i]
                clocks[c] = state[c] if c in resets.get(n.fired or "", ()) else grown
        state.update(clocks)
        steps.append(Step(i, n.fired, dict(n.inputs), state, dict(n.monitors), elapsed[i], times[i]))
    return tuple(steps)


# ---------------------------------------------------------------- fair cycles (liveness)


def check_liveness(problem: LivenessProblem, budget: Budget, max_states: int = DEFAULT_MAX_STATES) -> Result:
    """A fair lasso from a fair strongly connected component of the reachable product graph, or PROVED."""
    start = time.time()
    graph = reachable_graph(problem.product(), max_states, extra=problem.exprs())
    justice = _justice(problem)
    for comp in nx.strongly_connected_components(graph):
        fair = _fair_component(graph, set(comp), problem, justice)
        if fair is not None:
            return Violated(NAME, time.time() - start, _lasso(graph, fair, problem, justice))
    text = f"all {graph.number_of_nodes()} reachable frames enumerated; no fair cycle"
    return Proved(NAME, time.time() - start, Certificate(CertificateKind.EXHAUSTIVE, 0, "", text))


def _justice(problem: LivenessProblem) -> list[Expr]:
    """The conditions a fair loop must meet: the problem's justice and, with clocks, some time passing in it."""
    time_passes = Binary(Op.GT, Elapsed(CLOCK), Const(0, NUM), BOOL)
    return [*problem.justice, *([time_passes] if problem.system.timed else [])]


def _cyclic(graph: nx.DiGraph, comp: set[Node]) -> bool:
    node = next(iter(comp))
    return len(comp) > 1 or graph.has_edge(node, node)


def _fair_component(
    graph: nx.DiGraph, comp: set[Node], problem: LivenessProblem, justice: list[Expr]
) -> set[Node] | None:
    """A strongly connected part of `comp` meeting every justice and compassion condition (Emerson-Lei)."""
    sub = graph.subgraph(comp)
    for part in nx.strongly_connected_components(sub):
        part = set(part)
        if not _cyclic(sub, part):
            continue
        if not all(any(evaluate(j, n.frame()) for n in part) for j in justice):
            continue
        # Compassion (p, q) is broken only where p recurs without q; drop the p-states and look again.
        unmet = [
            p
            for p, q in problem.compassion
            if any(evaluate(p, n.frame()) for n in part) and not any(evaluate(q, n.frame()) for n in part)
        ]
        if not unmet:
            return part
        rest = {n for n in part if not any(evaluate(p, n.frame()) for p in unmet)}
        if rest and rest != part:
            found = _fair_component(graph, rest, problem, justice)
            if found is not None:
                return found
    return None


def _lasso(graph: nx.DiGraph, comp: set[Node], problem: LivenessProblem, justice: list[Expr]) -> Trace:
    """A shortest path into `comp`, then a cycle through a witness of every fairness condition and back."""
    entry_path = _shortest_path(graph, comp.__contains__)
    assert entry_path is not None
    entry = entry_path[-1]
    sub = graph.subgraph(comp)
    recurring = [q for p, q in problem.compassion if any(evaluate(p, n.frame()) for n in comp)]
    conditions = justice + recurring
    cycle: list[Node] = [entry]
    for cond in conditions:
        if any(evaluate(cond, n.frame()) for n in cycle):
            continue
        targets = [n for n in comp if evaluate(cond, n.frame())]
        hops = nx.single_source_shortest_path(sub, cycle[-1])
        cycle += min((hops[t] for t in targets if t in hops), key=len)[1:]
    if len(cycle) == 1:  # the loop needs at least one step: leave through a successor
        cycle.append(next(iter(sub.successors(entry))))
    cycle += nx.shortest_path(sub, cycle[-1], entry)[1:]
    return _graph_trace(problem.system, graph, entry_path + cycle[1:], loop_start=len(entry_path) - 1)


def _shortest_path(graph: nx.DiGraph, goal: Callable[[Node], bool]) -> list[Node] | None:
    """A shortest path from an initial node of `graph` to a node meeting `goal` (one breadth-first search from
    all initial nodes at once), or None when no reachable node does."""
    parent: dict[Node, Node | None] = {n: None for n, initial in graph.nodes(data="initial") if initial}
    todo = deque(parent)
    while todo:
        node = todo.popleft()
        if goal(node):
            path = [node]
            while (p := parent[path[-1]]) is not None:
                path.append(p)
            return path[::-1]
        for nxt in graph.successors(node):
            if nxt not in parent:
                parent[nxt] = node
                todo.append(nxt)
    return None


def _graph_trace(system: TransitionSystem, graph: nx.DiGraph, path: list[Node], loop_start: int | None = None) -> Trace:
    """A path of `graph` as a trace, each step taking the time its edge took."""
    elapsed = [0] + [graph.edges[a, b]["elapsed"] for a, b in itertools.pairwise(path)]
    return Trace(_steps(system, path, elapsed), loop_start)


# ---------------------------------------------------------------- time divergence (MODEL.TIME)


def time_stops(system: TransitionSystem, max_states: int = DEFAULT_MAX_STATES) -> Trace | None:
    """A shortest run to a reachable frame from which no zero-time run of the pump's own transitions (those not
    marked `environment`) reaches a frame where a delay can be taken: a deadlock, a timelock only the environment
    can leave, or a loop the pump is forced round in zero time. None when every reachable frame has such a run,
    so that time can always pass, by whole units, without the environment's help.

    Exact for one clock with closed guards and invariant bounds (and assumptions that read no clock): where time
    stops, a bound holds the clock at a whole number, and a real run there digitizes to a run ending in the same
    frame; a delay of one unit is possible exactly where time can pass at all. TooManyStates if the graph is
    too big. Tests compare it with MODEL.TIME (`runs.time_divergence`).
    """
    graph = reachable_graph(SafetyProblem(f"{system.name}: time divergence", system, FALSE), max_states, per_clock=True)
    own = {t.name for t in system.transitions if not t.environment}
    passes = {a for a, _, fired in graph.edges(data="transition") if fired == DELAY}
    todo = list(passes)
    while todo:  # backwards along the pump's own transitions, which take no time
        node = todo.pop()
        for before, _, fired in graph.in_edges(node, data="transition"):
            if fired in own and before not in passes:
                passes.add(before)
                todo.append(before)
    path = _shortest_path(graph, lambda n: n not in passes)
    return None if path is None else _graph_trace(system, graph, path)
