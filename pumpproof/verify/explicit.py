"""Explicit-state model checking: breadth-first enumeration of every reachable frame with the interpreter.

Shares nothing with the Z3 encoding, so tests use it as ground truth for the symbolic engines on
small finite models. A frame is the full valuation engines see: state, the step's inputs,
monitors and the transition taken. BFS gives shortest counterexamples.

Clocks are digitized (Henzinger, Manna and Pnueli 1992): a delay step lets a whole number of time
units pass (any number up to the cap, since requirements are sampled at steps and a long delay
may skip values a shorter one would show), and a clock value above every integer constant and
every bound of what the clock is compared with, in the model and the requirement alike, stands
for all such values. This is exact when clocks meet only closed constraints (<=, >=, == against
integer terms), as in the shipped models; with strict ones (<, >) runs that need fractional
delays are missed. A run that stops is extended by its repeated last state when the problem says
so (`SafetyProblem.stutter`), decided here from the interpreter's own successors.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import networkx as nx

from pumpproof.errors import UnsupportedError
from pumpproof.lang.ir import (
    BOOL,
    CLOCK,
    DELAY,
    FALSE,
    NUM,
    STUTTER,
    Binary,
    ClockType,
    Const,
    Elapsed,
    Expr,
    Op,
    TransitionSystem,
    Value,
    VarRef,
)
from pumpproof.lang.walk import clock_bounds, clock_comparison, nodes
from pumpproof.verify.budget import Budget
from pumpproof.verify.evaluate import Frame, evaluate, with_monitors
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Certificate, Proved, Result, Step, Trace, Unknown, Violated
from pumpproof.verify.steps import combinations, refuse_unbounded

NAME = "explicit"
DEFAULT_MAX_STATES = 200_000

Key = tuple[tuple[str, Value], ...]


@dataclass(frozen=True)
class Node:
    """One reachable frame: the state, the inputs of the step into it, its monitors, and the step taken."""

    state: Key
    inputs: Key
    monitors: Key
    fired: str | None
    elapsed: int = field(compare=False)
    """Time the step into this node took when it was first found: a whole number for a delay, 0 for a transition
    with clocks, else 1 (a step). Not part of the node's identity: delays of different lengths can reach the
    same frame, so graph edges carry their own `elapsed`."""

    def frame(self) -> Frame:
        """The interpreter frame of this node."""
        return Frame({**dict(self.state), **dict(self.inputs), **dict(self.monitors)}, self.fired, self.elapsed)


class StateSpace:
    """Successor generation for a finite system (clocks digitized) with monitors and the problem's constraints."""

    def __init__(
        self,
        problem: SafetyProblem,
        per_clock: bool = False,
        extra: Sequence[Expr] = (),
        max_states: int = DEFAULT_MAX_STATES,
    ) -> None:
        """`per_clock` caps each clock at its own constants: fewer states, but traces whose clock values
        are no longer those of a real run (fine for a projected graph, not for a trace to replay).
        `extra` are further expressions runs are judged by (fairness conditions), whose constants the
        digitization must also tell apart. A clock cap above `max_states` is refused (UnsupportedError)
        before any state is built: every state then tries that many delays, so the work grows with its square."""
        system = problem.system
        refuse_unbounded(system, "the explicit-state checker enumerates every value of every variable")
        self.problem = problem
        self.system = system
        self.clocks = [v.name for v in system.clocks]
        self.timed_monitors = [m.name for m in system.monitors if isinstance(m.type, ClockType)]
        self.cap = clock_cap([*problem.exprs(), *extra], self.clocks)
        if self.clocks and self.cap > max_states:
            raise UnsupportedError(
                f"clock values up to {self.cap} (the largest constant) are more than {max_states} states to digitize"
            )
        self.caps = clock_caps(problem, self.cap) if per_clock else {c: self.cap for c in self.clocks}
        free = [m for m in system.monitors if m.free]
        self.free_choices = [
            dict(zip((m.name for m in free), combo, strict=True))
            for combo in combinations([m.type for m in free], "the free monitors")
        ]
        inputs = system.inputs
        self.input_choices = [
            tuple(zip((v.name for v in inputs), combo, strict=True))
            for combo in combinations([v.type for v in inputs], "the inputs")
        ]

    def initial(self) -> Iterator[Node]:
        """Every initial frame."""
        fixed = [v for v in self.system.state_vars if v.init is not None]
        free = [v for v in self.system.state_vars if v.init is None and not isinstance(v.type, ClockType)]
        base = {v.name: evaluate(v.init, Frame({}, None, 0)) for v in fixed if v.init is not None}
        base.update({c: 0 for c in self.clocks})
        for combo in combinations([v.type for v in free], "the uninitialised variables"):
            state = {**base, **dict(zip((v.name for v in free), combo, strict=True))}
            for inputs in self.input_choices:
                yield from self._nodes(state, inputs, None, None)

    def successors(self, node: Node) -> Iterator[Node]:
        """Every frame one step after `node`: a transition, a delay of any whole number of time units up to
        the cap (a delay need not stop at every unit), or, when nothing can happen and the problem says so,
        the repeated last frame of a run that stopped."""
        before = node.frame()
        moved = False
        for inputs in self.input_choices:
            reads = Frame({**dict(node.state), **dict(inputs)}, None, 0)
            if not all(evaluate(a, reads) for a in self.system.assumptions):
                continue
            for t in self.system.transitions:
                if not evaluate(t.guard, reads):
                    continue
                state = dict(node.state)
                state.update({u.target: evaluate(u.value, reads) for u in t.updates})
                if self._legal(state, inputs, t.name):
                    moved = True
                    yield from self._nodes(state, inputs, t.name, before, 0 if self.clocks else 1)
            delayed: set[tuple[Key, Key]] = set()  # the shortest delay to each frame is enough
            for d in range(1, self.cap + 1) if self.clocks else ():
                state = dict(node.state)
                state.update({c: min(int(state[c]) + d, self.caps[c]) for c in self.clocks})
                if self._legal(state, inputs, DELAY):
                    moved = True
                    for n in self._nodes(state, inputs, DELAY, before, d):
                        if (n.state, n.monitors) not in delayed:
                            delayed.add((n.state, n.monitors))
                            yield n
        if not moved and self.problem.stutter and not self.clocks:
            yield from self._nodes(dict(node.state), node.inputs, STUTTER, before, 1)

    def _legal(self, state: dict[str, Value], inputs: Key, fired: str) -> bool:
        """The target state of a step meets every invariant."""
        values = {**state, **dict(inputs)}
        return all(evaluate(i, Frame(values, fired, 0)) for i in self.system.invariants)

    def _nodes(
        self, state: dict[str, Value], inputs: Key, fired: str | None, before: Frame | None, elapsed: int = 0
    ) -> Iterator[Node]:
        """The frames for `state` (one per admissible choice of free monitors); none when the step is ruled out
        (the initial state must meet the initial condition, the assumptions and the invariants too)."""
        values = {**state, **dict(inputs)}
        if before is None and not all(
            evaluate(c, Frame(values, None, 0))
            for c in (*self.system.initial, *self.system.assumptions, *self.system.invariants)
        ):
            return
        constraint = self.problem.initial if before is None else self.problem.constraint
        for free in self.free_choices:
            frame = with_monitors(self.system.monitors, values, fired, elapsed, before, free)
            if evaluate(constraint, frame, before):
                monitors = tuple((m.name, self._capped(m.name, frame.values[m.name])) for m in self.system.monitors)
                yield Node(tuple(sorted(state.items())), inputs, monitors, fired, elapsed)

    def _capped(self, name: str, value: Value) -> Value:
        """A clock-valued monitor beyond every constant: all such values behave alike."""
        return min(int(value), self.cap) if name in self.timed_monitors else value


def clock_cap(exprs: Sequence[Expr], clocks: Sequence[str]) -> int:
    """One more than every integer constant of `exprs` and every bound of a term a clock is compared with:
    the value standing for "larger than any bound" (UnsupportedError for a comparison with an unbounded term)."""
    values = [n.value for e in exprs for n in nodes(e) if isinstance(n, Const) and type(n.value) is int]
    bounds = clock_bounds(exprs, set(clocks))
    loose = sorted(c for c, b in bounds.items() if b is None)
    if loose:
        raise UnsupportedError(f"clock {loose[0]} is compared with an unbounded term: its digitization has no cap")
    return max([*values, *(b for b in bounds.values() if b is not None)], default=0) + 1


def clock_caps(problem: SafetyProblem, cap: int) -> dict[str, int]:
    """Per clock, one more than the constants it is compared with or reset to (Alur and Dill's maximal
    constant per clock): beyond them its exact value no longer matters. A clock compared with anything
    but a constant keeps the overall `cap`."""
    clocks = {v.name for v in problem.system.clocks}
    found: dict[str, set[int]] = {c: {0} for c in clocks}
    loose: set[str] = set()
    pairs = [(side[0], side[2]) for e in problem.exprs() for n in nodes(e) if (side := clock_comparison(n))]
    pairs += [(VarRef(u.target, CLOCK), u.value) for t in problem.system.transitions for u in t.updates]
    for clock, other in pairs:
        if isinstance(clock, VarRef) and clock.name in clocks:
            if isinstance(other, Const):
                found[clock.name].add(int(other.value))
            else:
                loose.add(clock.name)
    return {c: cap if c in loose else max(found[c]) + 1 for c in clocks}


def reachable_graph(
    problem: SafetyProblem, max_states: int = DEFAULT_MAX_STATES, per_clock: bool = False, extra: Sequence[Expr] = ()
) -> nx.DiGraph:
    """The reachable frame graph (nodes are `Node`s, edges carry the transition name); UnsupportedError if too big.

    `per_clock`, `extra`: see `StateSpace`."""
    space = StateSpace(problem, per_clock, extra, max_states)
    graph = nx.DiGraph()
    todo = deque(space.initial())
    graph.add_nodes_from(todo, initial=True)
    while todo:
        node = todo.popleft()
        for nxt in space.successors(node):
            if nxt not in graph:
                if graph.number_of_nodes() >= max_states:
                    raise UnsupportedError(
                        f"more than {max_states} reachable states; the model is too large to enumerate"
                    )
                graph.add_node(nxt, initial=False)
                todo.append(nxt)
            graph.add_edge(node, nxt, transition=nxt.fired, elapsed=nxt.elapsed)
    return graph


def check(problem: SafetyProblem, budget: Budget, max_states: int = DEFAULT_MAX_STATES) -> Result:
    """Breadth-first search for a bad frame; PROVED by exhaustion when none is reachable."""
    start = time.time()
    try:
        space = StateSpace(problem, max_states=max_states)
    except UnsupportedError as e:
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
    return Proved(NAME, time.time() - start, Certificate("exhaustive", 0, "", text))


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
    return Proved(NAME, time.time() - start, Certificate("exhaustive", 0, "", text))


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
    frame; a delay of one unit is possible exactly where time can pass at all. UnsupportedError if the graph is
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
