"""Deep counterexamples over small state spaces: depth-first search with state hashing, as SPIN does.

BMC's cost grows with the length of the run it looks for, and `extrapolate` needs a fault that shows at small
constants too; an audio pause of 50,000 ticks that never ends, over a few thousand states, is neither. This
search walks the frames the model allows (the semantics of verify.state_space, computed by compiled code in
verify.frames), remembers every frame it has seen, takes each frame's successors one at a time (a deep run is
followed at once, not after every shallower frame), and stops at the first bad frame. The run found is then
shortened by a breadth-first search when that ends within a share of the time left; else it stays as found,
longer than the shortest (as SPIN's runs are). It never proves (a finished search leaves no certificate to
re-check): it answers VIOLATED, with a trace the interpreter replays, or UNKNOWN. Models with clocks are left to
the symbolic engines (a delay reaches any deadline in one step there).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator

from pumpproof.errors import TooManyStates, UnsupportedError
from pumpproof.verify.budget import Budget
from pumpproof.verify.frames import Node, Space
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Result, Unknown, Violated

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


def check(problem: SafetyProblem, budget: Budget) -> Result:
    """A run to a bad frame, found depth first and then shortened; Unknown when there is none within the bounds."""
    start = time.time()
    try:
        space = Space(problem)
        space.input_choices  # noqa: B018 - every frame tries every valuation: too many, and the search is refused
    except (UnsupportedError, TooManyStates) as err:
        return Unknown(NAME, time.time() - start, err.message)
    path, why = _deepest_first(space, budget, budget.max_depth or MAX_DEPTH)
    if path is None:
        return Unknown(NAME, time.time() - start, why)
    took, left = time.time() - start, budget.deadline - time.time()
    spend = min(SHORTEN_SHARE * left, max(SHORTEN_S, SHORTEN_FACTOR * took))
    shorter = _shortest(space, Budget(time.time() + spend), MAX_STATES, longest=len(path))
    return Violated(NAME, time.time() - start, space.trace(shorter or path))


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
