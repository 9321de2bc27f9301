"""The model's reachable frames, enumerated by the interpreter: the service the explicit-state checker (the
test oracle, verify.explicit), MODEL.TIME's look-ahead tests and the reports' state-space drawings share.

A frame is the full valuation engines see: state, the step's inputs, monitors and the transition taken.
Clocks are digitized (Henzinger, Manna and Pnueli 1992): a delay step lets a whole number of time units
pass (any number up to the cap, since requirements are sampled at steps and a long delay may skip values
a shorter one would show), and a clock value above every integer constant and every bound of what the
clock is compared with, in the model and the requirement alike, stands for all such values. This is exact
when clocks meet only closed constraints (<=, >=, == against integer terms), as in the shipped models;
with strict ones (<, >) runs that need fractional delays are missed. A run that stops is extended by its
repeated last state when the problem says so (`SafetyProblem.stutter`).

`projection` gives the reports the reachable states projected onto a few variables (clocks enumerated on
`time_scaled`), as a `Projection`: the reports never enumerate states themselves.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx

from pumpproof.errors import TooManyStates, UnsupportedError
from pumpproof.lang.ir import (
    CLOCK,
    DELAY,
    FALSE,
    NEGATED,
    STUTTER,
    Binary,
    ClockType,
    Const,
    EnumType,
    Expr,
    Op,
    TransitionSystem,
    Update,
    Value,
    VarRef,
)
from pumpproof.lang.text import expr_text
from pumpproof.lang.walk import clock_bounds, clock_comparison, nodes, polar_comparisons, rewrite
from pumpproof.verify.evaluate import Frame, evaluate, with_monitors
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.steps import combinations, refuse_unbounded

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
        digitization must also tell apart. A clock cap above `max_states` is refused (TooManyStates)
        before any state is built: every state then tries that many delays, so the work grows with its square."""
        system = problem.system
        refuse_unbounded(system, "the explicit-state checker enumerates every value of every variable")
        self.problem = problem
        self.system = system
        self.clocks = [v.name for v in system.clocks]
        self.timed_monitors = [m.name for m in system.monitors if isinstance(m.type, ClockType)]
        self.cap = clock_cap([*problem.exprs(), *extra], self.clocks)
        if self.clocks and self.cap > max_states:
            raise TooManyStates(
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
    """The reachable frame graph (nodes are `Node`s, edges carry the transition name); TooManyStates if too big.

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
                    raise TooManyStates(f"more than {max_states} reachable states; the model is too large to enumerate")
                graph.add_node(nxt, initial=False)
                todo.append(nxt)
            graph.add_edge(node, nxt, transition=nxt.fired, elapsed=nxt.elapsed)
    return graph


MAX_STATES = 10_000
"""The most reachable frames enumerated for a projection: beyond it the report shows the counterexample's path."""


@dataclass(frozen=True)
class Projection:
    """The reachable states projected onto `variables` (`graph`, see `projected_graph`), or None and why not."""

    variables: tuple[str, ...]
    graph: nx.DiGraph | None
    unavailable: str = ""
    """Why the states were not enumerated (the refusal's message), when `graph` is None."""


def projection(
    system: TransitionSystem, variables: Sequence[str] | None = None, max_states: int = MAX_STATES
) -> Projection | None:
    """The projection onto `variables` (default: the enumeration-typed state variables); None without any."""
    names = tuple(variables) if variables else tuple(v.name for v in system.state_vars if isinstance(v.type, EnumType))
    if not names:
        return None
    try:
        return Projection(names, projected_graph(system, names, max_states))
    except (UnsupportedError, TooManyStates) as err:
        return Projection(names, None, err.message)


def projected_graph(system: TransitionSystem, variables: Sequence[str], max_states: int = 10_000) -> nx.DiGraph:
    """The reachable states projected onto `variables`: nodes are value tuples, edges carry the transitions taken.

    Node attributes: `initial` (some initial state projects here), `frames` (how many reachable frames do).
    Delays never change a projected variable and are left out. Clocks are enumerated on `time_scaled`
    (UnsupportedError where that is not exact, or for a clock in `variables`). TooManyStates for
    more than `max_states` reachable frames.
    """
    if system.timed:
        shown = [v.name for v in system.clocks if v.name in variables]
        if shown:
            raise UnsupportedError(f"clock values ({', '.join(shown)}) are not enumerated")
        system = time_scaled(system)
    full = reachable_graph(SafetyProblem(f"{system.name}: reachable states", system, FALSE), max_states, per_clock=True)
    out = nx.DiGraph()
    for node, data in full.nodes(data=True):
        state = dict(node.state)
        key = tuple(state[v] for v in variables)
        if key not in out:
            out.add_node(key, initial=False, frames=0)
        out.nodes[key]["initial"] |= bool(data.get("initial"))
        out.nodes[key]["frames"] += 1
    for a, b, data in full.edges(data=True):
        if data["transition"] == DELAY:
            continue
        ka, kb = (tuple(dict(n.state)[v] for v in variables) for n in (a, b))
        if not out.has_edge(ka, kb):
            out.add_edge(ka, kb, transitions=set())
        out.edges[ka, kb]["transitions"].add(data["transition"])
    return out


def time_scaled(system: TransitionSystem) -> TransitionSystem:
    """`system` with every clock constant divided by their greatest common divisor.

    Scaling time changes no run's sequence of discrete states, and digitization is exact when
    clocks meet only closed constraints against constants (see the module docstring): a detector
    timer of 3000 ms then costs as few states as one of 1. UnsupportedError when a clock is compared
    strictly or with something other than a constant.
    """
    clocks = {v.name for v in system.clocks}
    compared = [c for t in system.transitions for c in polar_comparisons(t.guard)]
    compared += [(c, p) for t in system.transitions for u in t.updates for c, _ in polar_comparisons(u.value)
                 for p in (True, False)]  # fmt: skip
    compared += [c for e in (*system.invariants, *system.assumptions, *system.initial) for c in polar_comparisons(e)]
    constants = [int(u.value.value) for t in system.transitions for u in t.updates
                 if u.target in clocks and isinstance(u.value, Const)]  # fmt: skip
    for cmp, positive in compared:
        side = clock_comparison(cmp)
        if side is None:
            continue
        _, op, other = side
        if (op if positive else NEGATED[op]) not in (Op.LE, Op.GE, Op.EQ) or not isinstance(other, Const):
            raise UnsupportedError(
                f"a clock is compared strictly or with a non-constant ({expr_text(cmp)}): its digitized states "
                "would not be exact"
            )
        constants.append(int(other.value))
    divisor = math.gcd(*constants)
    if divisor <= 1:
        return system

    def scale(n: Expr) -> Expr | None:
        if isinstance(n, Binary) and clock_comparison(n) is not None:
            left, right = (Const(int(x.value) // divisor, x.type, x.loc) if isinstance(x, Const) else x
                           for x in (n.left, n.right))  # fmt: skip
            return replace(n, left=left, right=right)
        return None

    def update(u: Update) -> Update:
        if u.target in clocks and isinstance(u.value, Const):
            return replace(u, value=Const(int(u.value.value) // divisor, u.value.type, u.value.loc))
        return replace(u, value=rewrite(u.value, scale))

    return replace(
        system,
        transitions=tuple(
            replace(t, guard=rewrite(t.guard, scale), updates=tuple(update(u) for u in t.updates))
            for t in system.transitions
        ),
        invariants=tuple(rewrite(i, scale) for i in system.invariants),
        assumptions=tuple(rewrite(a, scale) for a in system.assumptions),
        initial=tuple(rewrite(i, scale) for i in system.initial),
    )
