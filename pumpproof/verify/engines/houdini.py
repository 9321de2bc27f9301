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
from collections.abc import Callable, Iterator

import z3

from pumpproof.errors import InternalError
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
    channel = channels_of(enc, frame)
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


def channels_of(enc: Encoding, frame: list[FrameVar]) -> dict[str, frozenset[str]]:
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
    groups = _groups(enc, cands)
    first = z3.Solver()
    first.add(enc.init)
    initially = _surviving(first, cands, groups, budget)
    if initially is None:
        return None
    alive = [cands[i] for i in initially]
    solver = z3.Solver()
    solver.add(enc.trans, enc.state_constraint(enc.cur))
    kept = _surviving(solver, [enc.priming(c) for c in alive], _regrouped(groups, initially), budget, alive)
    return None if kept is None else [alive[i] for i in kept]


def _surviving(
    solver: z3.Solver,
    tested: list[z3.BoolRef],
    groups: list[list[int]],
    budget: Budget,
    assumed: list[z3.BoolRef] | None = None,
) -> list[int] | None:
    """The indices of the greatest set S such that `tested[i]` holds for every i in S in every model of `solver`
    (where also `assumed[i]` holds for every i in S, when given); None if the budget ran out. For the initial
    states, `tested` are the candidates; for a step, `tested` are them in the next state, `assumed` them now.

    Candidate i is assumed when flag i is, and may be the one broken only then: one query per round, with the
    dropped candidates' flags asserted false, no constraint rebuilt. Channels that share no variable break
    their candidates independently, but a model of "some candidate breaks" breaks those of a channel or two,
    so rounds grew with the channels: a selector per group of `groups` asks for a model that breaks one
    candidate of each group at once. A group whose selector is in an unsat core (none of its candidates breaks
    now) is asked no more; once none is asked, the plain question remains. What is dropped does not change:
    only candidates a model breaks, until no model breaks one.
    """
    ctx = solver.ctx
    flags = [z3.Bool(f"__cand{i}") for i in range(len(tested))]
    # Built through the C API: z3py's Implies, And and Or coerce and re-check every argument, which took
    # longer than all the solving at eight channels.
    if assumed is not None:
        solver.add(*[_made(z3.Z3_mk_implies, ctx, flag, c) for flag, c in zip(flags, assumed, strict=True)])
    breaks = [_made(z3.Z3_mk_and, ctx, f, _made(z3.Z3_mk_not, ctx, t)) for f, t in zip(flags, tested, strict=True)]
    solver.add(_made(z3.Z3_mk_or, ctx, *breaks))
    selectors = [z3.Bool(f"__group{g}") for g in range(len(groups))] if len(groups) > 1 else []
    for selector, members in zip(selectors, groups, strict=False):
        solver.add(_made(z3.Z3_mk_implies, ctx, selector, _made(z3.Z3_mk_or, ctx, *[breaks[i] for i in members])))
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    holding = Truths(tested)
    raw, raw_selectors = [flag.as_ast() for flag in flags], [s.as_ast() for s in selectors]
    asked = set(range(len(selectors)))
    keep = list(range(len(tested)))
    while keep:
        solver.set("timeout", budget.remaining_ms())
        answer = _check_assuming(solver, [raw[i] for i in keep] + [raw_selectors[g] for g in sorted(asked)])
        if answer == z3.unknown:
            return None
        if answer == z3.unsat:
            core = {e.get_id() for e in solver.unsat_core()}
            stuck = {g for g in asked if selectors[g].get_id() in core}
            if not stuck:
                break
            asked -= stuck
            continue
        held = holding(solver.model())
        broken = [i for i in keep if not held >> i & 1]
        if not broken:  # the model must break a kept candidate: going on would ask the same question forever
            raise InternalError("a model that breaks a lemma broke none of the lemmas kept")
        solver.add(*[z3.Not(flags[i]) for i in broken])
        keep = [i for i in keep if held >> i & 1]
        asked &= {group_of[i] for i in keep}
    return keep


def _groups(enc: Encoding, cands: list[z3.BoolRef]) -> list[list[int]]:
    """The groups of `by_channels`, without their channels."""
    return list(by_channels(enc, cands).values())


def by_channels(enc: Encoding, cands: list[z3.BoolRef]) -> dict[frozenset[str], list[int]]:
    """The candidates' indices by the channels (array indices) of the variables they read: see `channels_of`."""
    frame = [f for f in enc.frame if f.role in ("state", "monitor")]
    channel = channels_of(enc, frame)
    named = {enc.cur[f.name].decl().name(): channel[f.name] for f in frame}
    if not cands:
        return {}
    ref = cands[0].ctx.ref()
    seen: dict[int, frozenset[str]] = {}  # by term id: the candidates share their literals and atoms

    def channels(term: z3.Ast) -> frozenset[str]:  # through the C API: z3py's children() cost more than Z3
        key = z3.Z3_get_ast_id(ref, term)
        if key not in seen:
            if z3.Z3_get_ast_kind(ref, term) != z3.Z3_APP_AST:
                seen[key] = frozenset()
            elif (arity := z3.Z3_get_app_num_args(ref, term)) == 0:
                symbol = z3.Z3_get_decl_name(ref, z3.Z3_get_app_decl(ref, term))
                seen[key] = named.get(z3.Z3_get_symbol_string(ref, symbol), frozenset())
            else:
                seen[key] = frozenset().union(*(channels(z3.Z3_get_app_arg(ref, term, i)) for i in range(arity)))
        return seen[key]

    by: dict[frozenset[str], list[int]] = {}
    for i, c in enumerate(cands):
        by.setdefault(channels(c.as_ast()), []).append(i)
    return by


def _regrouped(groups: list[list[int]], kept: list[int]) -> list[list[int]]:
    """`groups` of indices into a list, as groups of indices into its sublist at the positions `kept`."""
    position = {i: n for n, i in enumerate(kept)}
    regrouped = [[position[i] for i in members if i in position] for members in groups]
    return [members for members in regrouped if members]


def _made(make: Callable[..., z3.Ast], ctx: z3.Context, *args: z3.BoolRef) -> z3.BoolRef:
    """`make` (a Z3 C function building a Boolean term: binary, or n-ary when it is `Z3_mk_and` or `Z3_mk_or`)
    applied to `args`."""
    if make in (z3.Z3_mk_and, z3.Z3_mk_or):
        return z3.BoolRef(make(ctx.ref(), len(args), (z3.Ast * len(args))(*(a.as_ast() for a in args))), ctx)
    return z3.BoolRef(make(ctx.ref(), *(a.as_ast() for a in args)), ctx)


def _check_assuming(solver: z3.Solver, assumptions: list[z3.Ast]) -> z3.CheckSatResult:
    """`solver.check(*assumptions)` on raw terms: z3py re-validates each of thousands of flags on every call,
    which cost seven times the solving in the filter at eight channels."""
    array = (z3.Ast * len(assumptions))(*assumptions)
    return z3.CheckSatResult(z3.Z3_solver_check_assumptions(solver.ctx.ref(), solver.solver, len(assumptions), array))


class Truths:
    """Which of many formulas a model satisfies, in one evaluation: bit i of the answer is formula i's value.

    Evaluating thousands of lemmas one by one through the Python API cost more than the solving in every round
    of the filter (80 % of it at eight channels); one bit-vector term made of them all is evaluated inside Z3.
    """

    def __init__(self, formulas: list[z3.BoolRef]) -> None:
        ctx = z3.main_ctx() if not formulas else formulas[0].ctx
        one, zero = z3.BitVecVal(1, 1, ctx), z3.BitVecVal(0, 1, ctx)
        # Through the C API: z3py's If and Concat re-check and coerce their arguments, which cost more than Z3.
        bits = [z3.BitVecRef(z3.Z3_mk_ite(ctx.ref(), f.as_ast(), one.as_ast(), zero.as_ast()), ctx) for f in formulas]
        while len(bits) > 1:  # a balanced tree, lowest bit first: evaluating it stays n log n
            pairs = [
                z3.BitVecRef(z3.Z3_mk_concat(ctx.ref(), bits[i + 1].as_ast(), bits[i].as_ast()), ctx)
                for i in range(0, len(bits) - 1, 2)
            ]
            bits = pairs + bits[len(bits) - len(bits) % 2 :]
        self._term = bits[0] if bits else None

    def __call__(self, model: z3.ModelRef) -> int:
        """The formulas' values in `model` as the bits of one integer (a formula reading an unassigned
        constant takes the model's default for it)."""
        if self._term is None:
            return 0
        value = model.eval(self._term, model_completion=True)
        assert isinstance(value, z3.BitVecNumRef)
        # In binary: Python refuses to read an integer of more than 4,300 decimal digits (14,000 bits).
        return int(z3.Z3_get_numeral_binary_string(value.ctx_ref(), value.as_ast()), 2)
