"""Synchronisation of parts over channels, as in UPPAAL: the flat transitions of handshakes and broadcasts.

A transition labelled `sync c!` or `sync c?` never moves alone. A handshake moves the sender and one enabled
receiver of another part in one step; a broadcast moves the sender and every enabled receiver of the other parts
(each part with an enabled receiving transition takes one of them). Each combination becomes one flat
transition: guards conjoined (and for a broadcast, the receivers left out are not enabled), the updates of the
parts run in order, sender first, each part's own assignments at once, the value sent read before the step.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from pumpproof.errors import ModelError
from pumpproof.lang.ir import BOOL, TRUE, Half, Op, Transition, Unary, Update
from pumpproof.lang.typecheck import fold, joined
from pumpproof.lang.walk import substitute

RECEIVED = "__received"
"""The name that stands for the value received in a receiver's guard and updates until it meets its sender."""
MAX_COMBINATIONS = 1024
"""The most flat transitions one broadcast sender may expand to: every subset of receivers is one, so the count
grows exponentially with the parts that listen."""


def synchronise(halves: Sequence[Half]) -> list[Transition]:
    """Every flat transition the `sync` transitions of a model make together, senders in declaration order."""
    out: list[Transition] = []
    heard: set[int] = set()
    for sender in (h for h in halves if h.send):
        receivers = [h for h in halves if not h.send and h.channel == sender.channel and h.part != sender.part]
        heard.update(id(r) for r in receivers)
        if not receivers and not sender.channel.broadcast:
            hint = f"add a transition with 'sync {sender.channel.name}?' to another part, or remove the send"
            message = f"no transition of another part receives on channel '{sender.channel.name}'"
            raise ModelError(f"{message}, so '{sender.transition.name}' can never fire", sender.transition.loc, hint)
        combos = _broadcasts(sender, receivers) if sender.channel.broadcast else [((r,), ()) for r in receivers]
        out += [_step(sender, chosen, left_out) for chosen, left_out in combos]
    for r in halves:
        if not r.send and id(r) not in heard:
            hint = f"add a transition with 'sync {r.channel.name}!' to another part, or remove the receive"
            message = f"no transition of another part sends on channel '{r.channel.name}'"
            raise ModelError(f"{message}, so '{r.transition.name}' can never fire", r.transition.loc, hint)
    return out


def _broadcasts(sender: Half, receivers: list[Half]) -> list[tuple[tuple[Half, ...], tuple[Half, ...]]]:
    """Per combination, the receivers that take part and those left out: each listening part takes one of its
    receiving transitions or, when none is enabled, none. A part with a receiver whose guard is `true` always
    takes part: leaving it out would be a flat transition whose guard is false, which lint would report as a
    dead transition of the sender."""
    parts: dict[str, list[Half]] = {}
    for r in receivers:
        parts.setdefault(r.part, []).append(r)
    always = {part for part, options in parts.items() if any(r.transition.guard == TRUE for r in options)}
    count = math.prod(len(options) + (part not in always) for part, options in parts.items())
    if count > MAX_COMBINATIONS:
        hint = "fewer parts listening, fewer receiving transitions per part, or a handshake channel"
        message = f"broadcast '{sender.transition.name}' on '{sender.channel.name}' has {count:,} combinations"
        raise ModelError(f"{message} of receivers, more than {MAX_COMBINATIONS:,}", sender.transition.loc, hint)
    out = []
    choices = ([*([None] * (part not in always)), *options] for part, options in parts.items())
    for picks in itertools.product(*choices):
        chosen = tuple(p for p in picks if p is not None)
        left_out = tuple(r for p, options in zip(picks, parts.values(), strict=True) if p is None for r in options)
        out.append((chosen, left_out))
    return out


def _step(sender: Half, chosen: tuple[Half, ...], left_out: tuple[Half, ...]) -> Transition:
    """The flat transition of `sender` with the receivers `chosen`, the receivers `left_out` not enabled."""
    value = {} if sender.value is None else {RECEIVED: sender.value}
    guards = [sender.transition.guard, *(substitute(r.transition.guard, value) for r in chosen)]
    guards += [fold(Unary(Op.NOT, substitute(r.transition.guard, value), BOOL, r.transition.loc)) for r in left_out]
    updates: dict[str, Update] = {u.target: u for u in sender.transition.updates}
    writers = dict.fromkeys(updates, sender)
    for r in chosen:
        # A later part reads what the parts before it wrote (UPPAAL's order), and the value sent as it was before.
        before = {**{target: u.value for target, u in updates.items()}, **value}
        for u in r.transition.updates:
            if u.target in writers:
                hint = "let one part write it, or pass the value over the channel"
                both = f"'{writers[u.target].transition.name}' and '{r.transition.name}'"
                raise ModelError(f"'{u.target}' is written by both {both} in one synchronised step", u.loc, hint)
            updates[u.target] = Update(u.target, substitute(u.value, before), u.loc)
            writers[u.target] = r
    parts = (sender, *chosen)
    t = sender.transition
    labels = [h.transition.label for h in parts if h.transition.label]
    return Transition(
        name="+".join(h.transition.name for h in parts),
        guard=joined(Op.AND, guards, t.loc),
        updates=tuple(updates.values()),
        label=" / ".join(labels) if labels else None,
        environment=t.environment,
        loc=t.loc,
        origins=tuple(o for h in parts for o in h.transition.origins),
    )
