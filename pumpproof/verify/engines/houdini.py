"""Invariant strengthening by candidate lemmas filtered Houdini-style (Flanagan and Leino 2001).

Tick-counting firmware keeps timers as counters that grow in lockstep; the invariants that prove it
correct are relations between counters ("while the alarm is pending its age equals the occlusion
counter"), which IC3 rediscovers slowly, one value at a time. Guessing simple templates and keeping
the mutually inductive ones finds them in milliseconds at any timer bound.

Templates: bounds `v <= c`, `v >= c` for constants of the model; differences `u - w` in {-1, 0, 1}
for pairs of counters or clocks; literal implications `l -> atom`. Pairs are drawn within one
channel (array index) or with shared variables, so the candidate count grows linearly with channels.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import z3

from pumpproof.lang.ir import BoolType, ClockType, Const, EnumType, IntType, NumType
from pumpproof.lang.walk import nodes, var_names
from pumpproof.verify.budget import Budget
from pumpproof.verify.encoding import Encoding, FrameVar

_INDEX = re.compile(r"\[(\d+)\]")
MAX_CONSTANTS = 12


MAX_CANDIDATES = 20_000
"""The most candidates mined, the cheapest templates first (bounds, differences, implications, pairs of literals).
The shipped models have at most a few thousand; a flattened MoXI system of 300 variables has millions, which
took minutes to build and more to filter."""


def candidates(enc: Encoding) -> list[z3.BoolRef]:
    """Candidate lemmas over the frame variables (state and monitors), at most MAX_CANDIDATES of them."""
    return list(itertools.islice(_templates(enc), MAX_CANDIDATES))


def _templates(enc: Encoding) -> Iterator[z3.BoolRef]:
    frame = [f for f in enc.frame if f.role in ("state", "monitor")]
    channel = _channels(enc, frame)
    numeric = [f for f in frame if isinstance(f.type, (IntType, NumType, ClockType))]
    literals: list[tuple[FrameVar, z3.BoolRef]] = []
    for f in frame:
        x = enc.cur[f.name]
        if isinstance(f.type, BoolType):
            literals += [(f, x), (f, z3.Not(x))]
        elif isinstance(f.type, EnumType):
            literals += [(f, x == i) for i in range(len(f.type.values))]
    atoms = list(itertools.islice(_atoms(enc, numeric, channel), MAX_CANDIDATES))
    yield from (atom for _, atom in atoms)
    for (lf, lit), (vs, atom) in itertools.product(literals, atoms):
        if all(_compatible(channel[lf.name], channel[v.name]) for v in vs) and lf not in vs:
            yield z3.Implies(lit, atom)
    for (af, a), (bf, b) in itertools.combinations(literals, 2):
        if af != bf and _compatible(channel[af.name], channel[bf.name]):
            yield from (z3.Or(a, b), z3.Or(z3.Not(a), b), z3.Or(a, z3.Not(b)), z3.Or(z3.Not(a), z3.Not(b)))


def _atoms(
    enc: Encoding, numeric: list[FrameVar], channel: dict[str, frozenset[str]]
) -> Iterator[tuple[set[FrameVar], z3.BoolRef]]:
    """Bounds of each numeric variable by the model's constants, then differences of pairs in {-1, 0, 1}."""
    constants = _constants(enc)
    for f in numeric:
        x = enc.cur[f.name]
        yield from [({f}, x <= c) for c in constants] + [({f}, x >= c) for c in constants]
    for a, b in itertools.combinations(numeric, 2):
        same_sort = enc.cur[a.name].sort() == enc.cur[b.name].sort()
        if same_sort and _compatible(channel[a.name], channel[b.name]):
            diff = enc.cur[a.name] - enc.cur[b.name]
            yield from [({a, b}, diff <= d) for d in (-1, 0, 1)] + [({a, b}, diff >= d) for d in (-1, 0, 1)]


def _compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    return not a or not b or a == b


def _channels(enc: Encoding, frame: list[FrameVar]) -> dict[str, frozenset[str]]:
    """The array indices each variable belongs to: from its name, or for monitors from what they read."""
    out = {f.name: frozenset(_INDEX.findall(f.name)) for f in frame}
    for m in enc.system.monitors:
        read = set().union(*(var_names(e) for e in m.exprs()))
        out[m.name] = (
            frozenset().union(*(out.get(n, frozenset(_INDEX.findall(n))) for n in read)) if read else out[m.name]
        )
    return out


def _constants(enc: Encoding) -> list[int]:
    """Integer constants of the model and requirement, with their neighbours c-1 and c+1 (timers that
    fire at T keep their counter at most T-1), and 0 and 1; the smallest few."""
    system = enc.system
    exprs = [t.guard for t in system.transitions] + [u.value for t in system.transitions for u in t.updates]
    exprs += [*system.invariants, *system.initial, enc.problem.bad] + [e for m in system.monitors for e in m.exprs()]
    found = {0, 1}
    for e in exprs:
        for n in nodes(e):
            if isinstance(n, Const) and isinstance(n.value, int) and not isinstance(n.value, bool):
                found.update((n.value - 1, n.value, n.value + 1))
    return sorted(c for c in found if c >= 0)[:MAX_CONSTANTS]


def filter_inductive(enc: Encoding, cands: list[z3.BoolRef], budget: Budget) -> list[z3.BoolRef] | None:
    """The largest subset of `cands` that holds initially and is inductive (None if the budget ran out)."""
    alive = _initial(enc, cands, budget)
    if alive is None:
        return None
    solver = z3.Solver()
    solver.add(enc.trans, enc.state_constraint(enc.cur))
    # Candidate i is assumed now when flag i is, and may be the one broken next only then: one
    # query per round, with the dropped candidates' flags assumed false, no constraint rebuilt.
    flags = [z3.Bool(f"__cand{i}") for i in range(len(alive))]
    primed = [enc.priming(c) for c in alive]
    for flag, c in zip(flags, alive, strict=False):
        solver.add(z3.Implies(flag, c))
    solver.add(z3.Or([z3.And(flag, z3.Not(p)) for flag, p in zip(flags, primed, strict=False)]))
    keep = list(range(len(alive)))
    dropped: list[z3.BoolRef] = []
    while keep:
        solver.set("timeout", budget.remaining_ms())
        answer = solver.check([flags[i] for i in keep] + dropped)
        if answer == z3.unknown:
            return None
        if answer == z3.unsat:
            break
        model = solver.model()
        broken = {i for i in keep if not z3.is_true(model.eval(primed[i], model_completion=True))}
        dropped += [z3.Not(flags[i]) for i in broken]
        keep = [i for i in keep if i not in broken]
    return [alive[i] for i in keep]


def _initial(enc: Encoding, cands: list[z3.BoolRef], budget: Budget) -> list[z3.BoolRef] | None:
    solver = z3.Solver()
    solver.add(enc.init)
    alive = list(cands)
    while alive:
        solver.push()
        solver.add(z3.Or([z3.Not(c) for c in alive]))
        solver.set("timeout", budget.remaining_ms())
        answer = solver.check()
        if answer == z3.unknown:
            return None
        if answer == z3.unsat:
            solver.pop()
            break
        model = solver.model()
        alive = [c for c in alive if z3.is_true(model.eval(c, model_completion=True))]
        solver.pop()
    return alive
