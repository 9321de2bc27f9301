"""The frames of an untimed model, computed by compiled code: what `engines.dfs` searches and `engines.extrapolate`
runs its stretched traces on.

The semantics is verify.state_space's (tests compare the two frame by frame on generated models), with the
expressions compiled by verify.compiled instead of walked by verify.evaluate. Whatever an engine finds here is only
proposed: the interpreter replays every trace before it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, cast

from pumpproof.errors import UnsupportedError
from pumpproof.lang.ir import STUTTER, Expr, Transition, TransitionSystem, Value
from pumpproof.verify.compiled import Reading, Source, compile_exprs
from pumpproof.verify.evaluate import Frame, evaluate
from pumpproof.verify.problem import SafetyProblem, conj
from pumpproof.verify.replay import fits
from pumpproof.verify.results import Step, Trace
from pumpproof.verify.steps import MAX_INPUT_CHOICES, combinations, refuse_unbounded

Node = tuple[Value | None, ...]
"""A frame: the state variables, the inputs, the monitors, in `Space.names` order, then the transition taken (None
in an initial frame)."""


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
        self.input_types = [v.type for v in system.inputs]
        free = [m for m in system.monitors if m.free]
        self.free_choices = [dict(zip((m.name for m in free), c, strict=True)) for c in
                             combinations([m.type for m in free], "the free monitors")]  # fmt: skip
        self.assumed = compile_exprs([conj(*system.assumptions)], slots)
        before = self.names[: len(self.states) + len(self.inputs)]
        self.steps = [(t.name, _step(t, system, slots, before)) for t in system.transitions]
        self.step_named = dict(self.steps)
        self.starts = compile_exprs([conj(*system.initial, *system.assumptions, *system.invariants)], slots)
        self.start = _completion(system, problem.initial, slots, initial=True)
        self.complete = _completion(system, problem.constraint, slots, initial=False)
        self.bad = compile_exprs([problem.bad], slots)
        self.size = len(self.states)
        self.fixed = {v.name: evaluate(v.init, Frame({}, None, 0)) for v in system.state_vars if v.init is not None}
        self.unset = [v for v in system.state_vars if v.init is None]

    @cached_property
    def input_choices(self) -> list[tuple[Value, ...]]:
        """Every valuation of the inputs, or TooManyStates beyond MAX_INPUT_CHOICES.

        Every frame's successors try each: at 65,536 (the tick family at K = 8) a frame took 1.4 ms, 14,727 frames
        in 20 s, reaching nothing the symbolic engines do not while it took a core from them on a two-core
        machine. Beyond MAX_INPUT_CHOICES (the bound `can_step` expands a step with too), the search is left to
        them; following given inputs (`run`) needs none of it."""
        return [tuple(c) for c in combinations(self.input_types, "the inputs", MAX_INPUT_CHOICES)]

    def initial(self) -> Iterator[Node]:
        """Every initial frame."""
        for combo in combinations([v.type for v in self.unset], "the uninitialised variables"):
            chosen = {**self.fixed, **dict(zip((v.name for v in self.unset), combo, strict=True))}
            for inputs in self.input_choices:
                yield from self._started([*(chosen[name] for name in self.states), *inputs])

    def _started(self, values: list[Value | None]) -> Iterator[Node]:
        """The initial frames of a state and inputs (`values`): none if they are not initial."""
        if self.starts(values, None, 0, None, None, 0)[0]:
            for free in self.free_choices:
                node = self.start(list(values), None, 0, None, None, 0, free)
                if node is not None:
                    yield node

    def successors(self, node: Node) -> Iterator[Node]:
        """Every frame one step after `node`, in the order of the inputs' values, then of the transitions; a run
        that stops repeats its last frame when the problem says so."""
        size = self.size
        moved = False
        for inputs in self.input_choices:
            reads = (*node[:size], *inputs)
            if not self.assumed(reads, None, 0, None, None, 0)[0]:
                continue
            for name, step in self.steps:
                values = step(reads)
                if values is not None:
                    moved = True
                    yield from self._completed(node, name, values)
        if not moved and self.stutter:
            yield from self._completed(node, STUTTER, list(node[: size + len(self.inputs)]))

    def _completed(self, node: Node, name: str, values: list[Value | None]) -> Iterator[Node]:
        """The frames a step `name` from `node` to the state and inputs `values` enters (one per free choice the
        requirement's constraint accepts)."""
        pfired = fired_into(node)
        for free in self.free_choices:
            nxt = self.complete(list(values), name, 1, node, pfired, 0 if pfired is None else 1, free)
            if nxt is not None:
                yield nxt

    def run(
        self, state: Mapping[str, Value], inputs: Sequence[Mapping[str, Value]], fired: Sequence[str | None]
    ) -> list[Node] | None:
        """The frames of the run from `state` (every state variable) and `inputs[0]` taking transition `fired[i]` with
        `inputs[i + 1]`, when every step is one of the model's and every input and uninitialised variable has a
        value of its type (with a free monitor, its first choice accepted); None when not. Only a stop (STUTTER)
        tries every input valuation, to see that no step is enabled."""
        valuations = {tuple(i[n] for n in self.inputs) for i in inputs}  # the few a run repeats
        free = [(v.type, state[v.name]) for v in self.unset]
        typed = [*free, *((t, x) for valuation in valuations for t, x in zip(self.input_types, valuation, strict=True))]
        if not all(fits(t, x) for t, x in typed):
            return None
        first = next(self._started([*(state[n] for n in self.states), *(inputs[0][n] for n in self.inputs)]), None)
        if first is None:
            return None
        path = [first]
        for name, chosen in zip(fired, inputs[1:], strict=True):
            nxt = self._moved(path[-1], name, chosen)
            if nxt is None:
                return None
            path.append(nxt)
        return path

    def _moved(self, node: Node, name: str | None, chosen: Mapping[str, Value]) -> Node | None:
        """The frame the step `name` with inputs `chosen` enters from `node`; None if it is not a step of the model."""
        values = (*node[: self.size], *(chosen[n] for n in self.inputs))
        if name == STUTTER:
            stops = (n for n in self.successors(node) if fired_into(n) == STUTTER and n[: len(values)] == values)
            return next(stops, None)
        if (
            name is None
            or (step := self.step_named.get(name)) is None
            or not self.assumed(values, None, 0, None, None, 0)[0]
        ):
            return None
        after = step(values)
        return None if after is None else next(self._completed(node, name, after), None)

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
