"""Deep counterexamples over small state spaces: depth-first search with state hashing, as SPIN does.

BMC's cost grows with the length of the run it looks for, and `extrapolate` needs a fault that shows at small
constants too; an audio pause of 50,000 ticks that never ends, over a few thousand states, is neither. This
search walks the frames the model allows (the semantics of verify.state_space, with the expressions compiled by
verify.compiled), remembers every frame it has seen, takes each frame's successors one at a time (a deep run is
followed at once, not after every shallower frame), and stops at the first bad frame. The run found is then
shortened by a breadth-first search when that ends within a share of the time left; else it stays as found,
longer than the shortest (as SPIN's runs are). It never proves (a finished search leaves no certificate to
re-check): it answers VIOLATED, with a trace the interpreter replays, or UNKNOWN. Models with clocks are left to
the symbolic engines (a delay reaches any deadline in one step there).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from pumpproof.errors import TooManyStates, UnsupportedError
from pumpproof.lang.ir import STUTTER, Expr, Transition, TransitionSystem, Value
from pumpproof.verify.budget import Budget
from pumpproof.verify.compiled import Reading, Source, compile_exprs
from pumpproof.verify.evaluate import Frame, evaluate
from pumpproof.verify.problem import SafetyProblem, conj
from pumpproof.verify.results import Result, Step, Trace, Unknown, Violated
from pumpproof.verify.steps import MAX_INPUT_CHOICES, combinations, refuse_unbounded

NAME = "dfs"
MAX_STATES = 1_000_000
"""Frames remembered at most (each costs about 600 bytes with the search's stack: 400 MB for the 651,180 frames of
the tick family at K = 2, T = 1000): beyond, the search gives up."""
MAX_DEPTH = 100_000
"""Longest run followed (and replayed): frames deeper are remembered, not expanded."""
SHORTEN_SHARE = 0.25
SHORTEN_FACTOR = 3.0
SHORTEN_S = 1.0
"""Shortening the run found may take SHORTEN_FACTOR times as long as finding it took, and at least SHORTEN_S
seconds, but no more than SHORTEN_SHARE of the time left."""
CHECK_EVERY = 4096
"""Successors tried between two looks at the clock and the memory bound."""

Node = tuple[Value | None, ...]
"""A frame: the state variables, the inputs, the monitors, in `Space.names` order, then the transition taken (None
in an initial frame)."""


def check(problem: SafetyProblem, budget: Budget) -> Result:
    """A run to a bad frame, found depth first and then shortened; Unknown when there is none within the bounds."""
    start = time.time()
    try:
        space = Space(problem)
    except (UnsupportedError, TooManyStates) as err:
        return Unknown(NAME, time.time() - start, err.message)
    path, why = _deepest_first(space, budget, budget.max_depth or MAX_DEPTH)
    if path is None:
        return Unknown(NAME, time.time() - start, why)
    took, left = time.time() - start, budget.deadline - time.time()
    spend = min(SHORTEN_SHARE * left, max(SHORTEN_S, SHORTEN_FACTOR * took))
    shorter = _shortest(space, Budget(time.time() + spend), MAX_STATES, longest=len(path))
    return Violated(NAME, time.time() - start, space.trace(shorter or path))


class Space:
    """The frames of an untimed model, as `verify.state_space.StateSpace` defines them, computed by compiled code."""

    def __init__(self, problem: SafetyProblem) -> None:
        system = problem.system
        if system.timed:
            raise UnsupportedError("the model has clocks: a delay reaches any deadline, which the symbolic engines do")
        refuse_unbounded(system, "the depth-first search enumerates every value of every variable")
        self.stutter = problem.stutter
        self.states = [v.name for v in system.state_vars]
        self.inputs = [v.name for v in system.inputs]
        self.names = [*self.states, *self.inputs, *(m.name for m in system.monitors)]
        slots = {name: i for i, name in enumerate(self.names)}
        # Every frame tries every input valuation: at 65,536 (the tick family at K = 8) a frame took 1.4 ms, 14,727
        # frames in 20 s, reaching nothing the symbolic engines do not while it took a core from them on a
        # two-core machine. Beyond MAX_INPUT_CHOICES (the bound `can_step` expands a step with too), it is left to them.
        inputs = [v.type for v in system.inputs]
        self.input_choices = [tuple(c) for c in combinations(inputs, "the inputs", MAX_INPUT_CHOICES)]
        free = [m for m in system.monitors if m.free]
        self.free_choices = [dict(zip((m.name for m in free), c, strict=True)) for c in
                             combinations([m.type for m in free], "the free monitors")]  # fmt: skip
        self.assumed = compile_exprs([conj(*system.assumptions)], slots)
        before = self.names[: len(self.states) + len(self.inputs)]
        self.steps = [(t.name, _step(t, system, slots, before)) for t in system.transitions]
        self.starts = compile_exprs([conj(*system.initial, *system.assumptions, *system.invariants)], slots)
        self.start = _completion(system, problem.initial, slots, initial=True)
        self.complete = _completion(system, problem.constraint, slots, initial=False)
        self.bad = compile_exprs([problem.bad], slots)
        self.size = len(self.states)
        fixed = {v.name: evaluate(v.init, Frame({}, None, 0)) for v in system.state_vars if v.init is not None}
        unset = [v for v in system.state_vars if v.init is None]
        self.first_states: list[list[Value | None]] = [
            [{**fixed, **dict(zip((v.name for v in unset), combo, strict=True))}[name] for name in self.states]
            for combo in combinations([v.type for v in unset], "the uninitialised variables")
        ]

    def initial(self) -> Iterator[Node]:
        """Every initial frame."""
        for state in self.first_states:
            for inputs in self.input_choices:
                values = [*state, *inputs]
                if self.starts(values, None, 0, None, None, 0)[0]:
                    for free in self.free_choices:
                        node = self.start(list(values), None, 0, None, None, 0, free)
                        if node is not None:
                            yield node

    def successors(self, node: Node) -> Iterator[Node]:
        """Every frame one step after `node`, in the order of the inputs' values, then of the transitions; a run
        that stops repeats its last frame when the problem says so."""
        size = self.size
        pfired = fired_into(node)
        pelapsed = 0 if pfired is None else 1
        moved = False
        for inputs in self.input_choices:
            reads = (*node[:size], *inputs)
            if not self.assumed(reads, None, 0, None, None, 0)[0]:
                continue
            for name, step in self.steps:
                values = step(reads)
                if values is not None:
                    moved = True
                    for free in self.free_choices:
                        nxt = self.complete(list(values), name, 1, node, pfired, pelapsed, free)
                        if nxt is not None:
                            yield nxt
        if not moved and self.stutter:
            for free in self.free_choices:
                nxt = self.complete(list(node[: size + len(self.inputs)]), STUTTER, 1, node, pfired, pelapsed, free)
                if nxt is not None:
                    yield nxt

    def is_bad(self, node: Node) -> bool:
        """The frame is a bad one."""
        fired = fired_into(node)
        return bool(self.bad(node, fired, 0 if fired is None else 1, None, None, 0)[0])

    def trace(self, path: Sequence[Node]) -> Trace:
        """The run as a trace: one time unit per step."""
        size, inputs = self.size, len(self.inputs)

        def named(node: Node, lo: int, hi: int) -> dict[str, Value]:
            return dict(zip(self.names[lo:hi], cast("tuple[Value, ...]", node[lo:hi]), strict=True))

        ins, monitors = (size, size + inputs), (size + inputs, len(self.names))
        return Trace(tuple(
            Step(i, fired_into(n), named(n, *ins), named(n, 0, size), named(n, *monitors), 1 if i else 0, i)
            for i, n in enumerate(path)
        ))  # fmt: skip


def _step(t: Transition, system: TransitionSystem, slots: dict[str, int], names: list[str]) -> Callable[..., Any]:
    """`t` as one function of the state and inputs before it (`r`, laid out as `names`): those after it, or None
    when its guard is false or its target breaks an invariant (read, as the interpreter does, with no time
    elapsed)."""
    source = Source(slots)
    before: Reading = ("r", "None", "0")
    (guard,) = source.values([t.guard], before)
    source.line(f"if not {guard}: return None")
    updated = dict(zip((u.target for u in t.updates), source.values([u.value for u in t.updates], before), strict=True))
    source.line(f"v = [{', '.join(updated.get(name, f'r[{i}]') for i, name in enumerate(names))}]")
    (legal,) = source.values([conj(*system.invariants)], ("v", repr(t.name), "0"))
    source.line(f"if not {legal}: return None")
    source.line("return v")
    return source.function("r")


def _completion(system: TransitionSystem, constraint: Expr, slots: dict[str, int], initial: bool) -> Callable[..., Any]:
    """One function completing a frame `v` (state and inputs, extended in place) with every monitor in order (its
    initial value or its update; a free one from `free`), then checking `constraint`: the frame as a node, or None
    when the constraint rules it out."""
    source = Source(slots)
    for m in system.monitors:
        e = m.init if initial else m.update
        if e is None:
            source.line(f"v.append(free[{m.name!r}])")
        else:
            (value,) = source.values([e])
            source.line(f"v.append({value})")
    (ok,) = source.values([constraint])
    source.line(f"if not {ok}: return None")
    source.line("v.append(fired)")
    source.line("return tuple(v)")
    return source.function("v, fired, elapsed, p, pfired, pelapsed, free")


def fired_into(node: Node) -> str | None:
    """The transition taken into the frame (None for an initial frame)."""
    return cast("str | None", node[-1])


def _deepest_first(space: Space, budget: Budget, max_depth: int) -> tuple[list[Node] | None, str]:
    """A run to a bad frame, depth first; else None and why the search ended."""
    seen: set[Node] = set()
    cut, tried = False, 0
    for first in space.initial():
        if first in seen:
            continue
        seen.add(first)
        if space.is_bad(first):
            return [first], ""
        stack: list[tuple[Node, Iterator[Node]]] = [(first, space.successors(first))]
        while stack:
            nxt = next(stack[-1][1], None)
            tried += 1
            if tried % CHECK_EVERY == 0:
                if len(seen) >= MAX_STATES:
                    return None, f"stopped after {len(seen):,} frames (the most it keeps)"
                if budget.expired():
                    return None, f"timed out after {len(seen):,} frames, {len(stack):,} steps deep"
            if nxt is None:
                stack.pop()
                continue
            if nxt in seen:
                continue
            seen.add(nxt)
            if space.is_bad(nxt):
                return [n for n, _ in stack] + [nxt], ""
            if len(stack) < max_depth:
                stack.append((nxt, space.successors(nxt)))
            else:
                cut = True
    if cut:
        return None, f"no bad frame within {max_depth:,} steps ({len(seen):,} frames)"
    return None, f"no bad frame among all {len(seen):,} reachable frames (a search proves nothing)"


def _shortest(space: Space, budget: Budget, max_states: int, longest: int) -> list[Node] | None:
    """A shortest run to a bad frame, breadth first, when one is found within `max_states` frames, the budget and
    fewer than `longest` frames; else None."""
    parent: dict[Node, Node | None] = {}
    todo: deque[tuple[Node, int]] = deque()
    for first in space.initial():
        if first not in parent:
            parent[first] = None
            todo.append((first, 1))
    while todo:
        node, length = todo.popleft()
        if space.is_bad(node):
            path = [node]
            while (before := parent[path[-1]]) is not None:
                path.append(before)
            return path[::-1]
        if length + 1 >= longest:
            continue  # its successors cannot be shorter; others as long as it may still be bad
        for nxt in space.successors(node):
            if nxt not in parent:
                parent[nxt] = node
                todo.append((nxt, length + 1))
        if len(parent) > max_states or budget.expired():
            return None
    return None
