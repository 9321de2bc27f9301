"""The model's reachable states, projected onto a few variables, for reports to draw next to a counterexample.

Built on the explicit-state enumerator (verify.explicit) with clocks enumerated on `time_scaled`; the
reports receive the result, a `Projection`, and never enumerate states themselves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import networkx as nx

from pumpproof.errors import UnsupportedError
from pumpproof.lang.ir import DELAY, FALSE, NEGATED, Binary, Const, EnumType, Expr, Op, TransitionSystem, Update
from pumpproof.lang.text import expr_text
from pumpproof.lang.walk import clock_comparison, polar_comparisons, rewrite
from pumpproof.verify.explicit import reachable_graph
from pumpproof.verify.problem import SafetyProblem

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
    except UnsupportedError as err:
        return Projection(names, None, err.message)


def projected_graph(system: TransitionSystem, variables: Sequence[str], max_states: int = 10_000) -> nx.DiGraph:
    """The reachable states projected onto `variables`: nodes are value tuples, edges carry the transitions taken.

    Node attributes: `initial` (some initial state projects here), `frames` (how many reachable frames do).
    Delays never change a projected variable and are left out. Clocks are enumerated on `time_scaled`
    (UnsupportedError where that is not exact, or for a clock in `variables`). UnsupportedError for
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
