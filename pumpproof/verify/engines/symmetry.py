"""Houdini lemmas for identical channels: filter one channel's candidates, rename the survivors to the others.

A model of K identical, independent channels (array indices) has K copies of every candidate lemma, and the
whole filter grows faster than K (each of its queries is over every channel). Here only the candidates of the
first channel and those of no channel are filtered; each survivor of the first channel is renamed to every other
channel (its variables `x[0]` become `x[c]`, a monitor becomes the other channel's monitor with the same
definition), and the union is checked inductive on the whole model (and filtered again there when it is not).
The lemmas a certificate needs are found the same way, for the first channel's part of the requirement. The
renaming is only a guess: what is returned is inductive on the whole model, so a model whose channels differ gets
weaker lemmas, never wrong ones (and k-induction falls back to the whole filter when they do not prove the
requirement)."""

from __future__ import annotations

import re
from collections.abc import Callable

import z3

from pumpproof.lang.ir import Expr, VarRef
from pumpproof.lang.text import expr_text
from pumpproof.lang.walk import substitute
from pumpproof.verify.budget import Budget
from pumpproof.verify.encoding import Encoding, FrameVar
from pumpproof.verify.engines.houdini import by_channels, channels_of, filter_inductive


def lemmas(enc: Encoding, cands: list[z3.BoolRef], budget: Budget) -> list[z3.BoolRef] | None:
    """Inductive lemmas among `cands` and their renamings, found by filtering one channel (see the module); None
    when the model has fewer than two channels, a channel's variables do not match the first's, or the budget ran
    out."""
    groups = by_channels(enc, cands)
    channels = _channels(enc, [k for k in groups if len(k) == 1])
    if channels is None:
        return None
    first, renamings = channels
    own = [cands[i] for i in groups[frozenset({first})]]
    kept = filter_inductive(enc, own + [cands[i] for i in groups.get(frozenset(), [])], budget)
    if kept is None:
        return None
    guessed = kept + [r for pairs in renamings for r in _renamed(_among(kept, own), pairs)]
    return guessed if _inductive(enc, guessed, budget) else filter_inductive(enc, guessed, budget)


def _inductive(enc: Encoding, lemmas: list[z3.BoolRef], budget: Budget) -> bool:
    """`lemmas` hold initially and are inductive together: two queries, without the filter's flags per lemma."""
    together = z3.And(lemmas)
    for holds, must in ((enc.init, together), (z3.And(enc.trans, enc.state_constraint(enc.cur), together),
                                               enc.priming(together))):  # fmt: skip
        solver = z3.Solver()
        solver.set("timeout", budget.remaining_ms())
        solver.add(holds, z3.Not(must))
        if solver.check() != z3.unsat:
            return False
    return True


def needed(
    enc: Encoding, lemmas: list[z3.BoolRef], core: Callable[[list[z3.BoolRef], z3.BoolRef], list[z3.BoolRef]]
) -> list[z3.BoolRef] | None:
    """A subset of `lemmas` that with the requirement is inductive, found for the first channel's part of the
    requirement by `core` (lemmas, bad states: the needed subset) and renamed to the other channels; None when the
    requirement is not a disjunction of bad states by channel or the union is not inductive."""
    bad = enc.bad
    parts = _disjuncts(bad)
    by_part = by_channels(enc, parts)
    groups = by_channels(enc, lemmas)
    channels = _channels(enc, [k for k in by_part if len(k) == 1])
    if channels is None or any(len(k) > 1 for k in by_part):
        return None
    first, renamings = channels
    own = [lemmas[i] for i in groups.get(frozenset({first}), [])]
    mine = [parts[i] for k in (frozenset({first}), frozenset()) for i in by_part.get(k, [])]
    kept = core(own + [lemmas[i] for i in groups.get(frozenset(), [])], z3.Or(mine))
    guessed = kept + [r for pairs in renamings for r in _renamed(_among(kept, own), pairs)]
    step = z3.Solver()
    good = z3.And(z3.Not(bad), *guessed)
    step.add(enc.trans, enc.state_constraint(enc.cur), good, z3.Not(enc.priming(good)))
    return guessed if step.check() == z3.unsat else None


def _disjuncts(term: z3.BoolRef) -> list[z3.BoolRef]:
    """The disjuncts of `term`, through nested disjunctions (the IR builds wide ones as balanced trees)."""
    out, todo = [], [term]
    while todo:
        t = todo.pop()
        if z3.is_or(t):
            todo += reversed(t.children())
        else:
            out.append(t)
    return out


Pairs = list[tuple[z3.ExprRef, z3.ExprRef]]
"""A renaming from the first channel to another, as the variables' terms."""


def _channels(enc: Encoding, keys: list[frozenset[str]]) -> tuple[str, list[Pairs]] | None:
    """The first of the channels `keys` name, and the renamings from it to each other one; None when there are
    fewer than two or a channel's variables do not match the first's."""
    single = sorted((next(iter(k)) for k in keys), key=lambda c: (len(c), c))
    if len(single) < 2:
        return None
    frame = [f for f in enc.frame if f.role in ("input", "state", "monitor")]  # in order: monitors read the rest
    channel = channels_of(enc, frame)
    renamings = [_renaming(enc, frame, channel, single[0], other) for other in single[1:]]
    if any(r is None for r in renamings):
        return None
    return single[0], [[(enc.cur[a], enc.cur[b]) for a, b in r.items()] for r in renamings if r is not None]


def _among(kept: list[z3.BoolRef], own: list[z3.BoolRef]) -> list[z3.BoolRef]:
    """The terms of `kept` that are among `own`."""
    ids = {c.get_id() for c in own}
    return [c for c in kept if c.get_id() in ids]


def _renamed(terms: list[z3.BoolRef], pairs: Pairs) -> list[z3.BoolRef]:
    """Each of `terms` with the variables of `pairs` replaced at once (through the C API: z3py's `substitute`
    re-checks every pair for every term)."""
    if not terms:
        return []
    ctx = terms[0].ctx
    sources, targets = (z3.Ast * len(pairs))(), (z3.Ast * len(pairs))()
    for i, (a, b) in enumerate(pairs):
        sources[i], targets[i] = a.as_ast(), b.as_ast()
    ref = ctx.ref()
    return [z3.BoolRef(z3.Z3_substitute(ref, t.as_ast(), len(pairs), sources, targets), ctx) for t in terms]


def _renaming(
    enc: Encoding, frame: list[FrameVar], channel: dict[str, frozenset[str]], first: str, other: str
) -> dict[str, str] | None:
    """The variables of channel `first` (inputs, state, monitors) and their counterparts in channel `other`: the
    same name with the other index, for a monitor the one whose definition reads the same once renamed; None
    unless every variable of each has one counterpart of the same sort. `frame` lists the variables in the
    encoding's order (monitors after what they read), `channel` their channels."""
    mine = [f.name for f in frame if channel[f.name] == {first}]
    theirs = {f.name for f in frame if channel[f.name] == {other}}
    token = re.compile(re.escape(f"[{first}]"))
    monitors = {m.name: m for m in enc.system.monitors}
    out: dict[str, str] = {}
    for name in mine:
        if name not in monitors:
            target = token.sub(f"[{other}]", name)
        else:
            target = next((n for n in sorted(theirs) if n in monitors and _same(monitors[name].exprs(),
                           monitors[n].exprs(), {**out, name: n}, enc)), "")  # fmt: skip
        if target not in theirs or enc.cur[target].sort() != enc.cur[name].sort():
            return None
        out[name] = target
        theirs.discard(target)
    return out if not theirs else None


def _same(mine: tuple[Expr, ...], theirs: tuple[Expr, ...], renaming: dict[str, str], enc: Encoding) -> bool:
    """`mine` renamed by `renaming` reads as `theirs`."""
    types = {f.name: f.type for f in enc.frame}
    refs = {a: VarRef(b, types[b]) for a, b in renaming.items()}
    if len(mine) != len(theirs):
        return False
    return all(expr_text(substitute(a, refs)) == expr_text(b) for a, b in zip(mine, theirs, strict=True))
