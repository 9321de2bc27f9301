"""Replay of a lasso counterexample, independent of the search that found it.

Replay re-executes the steps with the interpreter, checks that the loop closes (for a clock that
differs, on its own: the clock must exceed every value it is compared with along the loop, computed
from the concrete frames, not from the search's ceilings), that the loop meets the model's fairness
and lets time pass, and then evaluates the ORIGINAL requirement on the infinite run by fixpoints
over the lasso's positions, not through the tableau: the requirement must be false there.
"""

from __future__ import annotations

from pumpproof.errors import ReplayError
from pumpproof.lang.ir import (
    PAST_TEMPORAL,
    Expr,
    FairnessKind,
    Temporal,
    TemporalOp,
    Value,
    VarRef,
)
from pumpproof.lang.walk import clock_comparison, nodes, postorder, rewrite
from pumpproof.verify.evaluate import Frame, evaluate
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.replay import replay_steps
from pumpproof.verify.results import Trace
from pumpproof.verify.steps import enabled


def replay_lasso(problem: LivenessProblem, trace: Trace) -> Trace:
    """Confirm that `trace` is a fair lasso of the model on which the requirement fails; ReplayError if not."""
    name = problem.name
    if trace.loop_start is None or not 0 <= trace.loop_start < len(trace.steps) - 1:
        raise ReplayError(f"{name}: a liveness counterexample needs a loop (loop_start {trace.loop_start})")
    checked, frames = replay_steps(problem.product(), trace)
    back, k = trace.loop_start, len(frames) - 1
    _check_closure(problem, checked, frames, back, k)
    loop = frames[back + 1 :]
    system = problem.system
    for fair in system.fairness:
        if not _fair_on_loop(problem, fair.kind, fair.transitions, fair.condition, loop):
            raise ReplayError(f"{name}: the loop violates the fairness assumption '{fair.kind.value} {fair.text}'")
    if system.timed and not any(f.elapsed > 0 for f in loop):  # type: ignore[operator]
        raise ReplayError(f"{name}: time does not pass in the loop (a Zeno run)")
    if holds_on_lasso(problem.formula, frames, back):
        raise ReplayError(f"{name}: the requirement holds on the replayed lasso")
    return checked


def _check_closure(problem: LivenessProblem, trace: Trace, frames: list[Frame], back: int, k: int) -> None:
    first, last = trace.steps[back], trace.steps[k]
    if first.transition != last.transition or first.inputs != last.inputs:
        raise ReplayError(f"{problem.name}: the loop does not close: step {k} is not entered like step {back}")
    if first.monitors != last.monitors:
        raise ReplayError(f"{problem.name}: the loop does not close: monitor values differ at steps {back} and {k}")
    clocks = {v.name for v in problem.system.clocks}
    for var, a in first.state.items():
        b = last.state[var]
        if a == b:
            continue
        if var not in clocks:
            raise ReplayError(
                f"{problem.name}: the loop does not close: {var} is {a} at step {back} but {b} at step {k}"
            )
        _check_outgrown(problem, frames, var, back, k)


def _check_outgrown(problem: LivenessProblem, frames: list[Frame], clock: str, back: int, k: int) -> None:
    """A clock that differs where the loop closes must exceed, at both ends, every value it is compared with
    anywhere along the loop: it only grows until reset, so each later round then reads every comparison as the
    first round did. Decided on the frames' concrete values, not on the engine's ceilings."""
    others = [
        side[2]
        for e in [*problem.exprs(), problem.formula, *(f.condition for f in problem.system.fairness if f.condition)]
        for n in nodes(e)
        if (side := clock_comparison(n)) is not None and isinstance(side[0], VarRef) and side[0].name == clock
    ]
    seen: list[Value] = []
    for j in range(back + 1, k + 1):
        nxt = frames[j + 1] if j < k else frames[back + 1]
        reads = Frame({**frames[j].values, **{n: nxt.values[n] for n in _inputs(problem)}}, None, 0)
        for here in (frames[j], reads):
            seen += [evaluate(o, here, frames[j - 1]) for o in others]
    low = min(frames[back].values[clock], frames[k].values[clock])
    top = max(seen, default=None)
    if top is not None and not low > top:  # type: ignore[operator]
        raise ReplayError(
            f"{problem.name}: the loop does not repeat: clock {clock} is {frames[back].values[clock]} at step {back} "
            f"and {frames[k].values[clock]} at step {k}, and it is compared with {top} along the loop, so later "
            "rounds would not read every comparison as the first one does"
        )


def _inputs(problem: LivenessProblem) -> list[str]:
    return [v.name for v in problem.system.inputs]


def _fair_on_loop(
    problem: LivenessProblem, kind: FairnessKind, names: tuple[str, ...], condition: Expr | None, loop: list[Frame]
) -> bool:
    taken = any(f.fired in names for f in loop)
    if kind is FairnessKind.INFINITELY:
        assert condition is not None
        return any(evaluate(condition, f) for f in loop)
    can = [bool(evaluate(enabled(problem.system, names), f)) for f in loop]
    if kind is FairnessKind.WEAK:
        return taken or not all(can)
    return taken or not any(can)


# ---------------------------------------------------------------- LTL on a lasso


def holds_on_lasso(formula: Expr, frames: list[Frame], loop_start: int) -> bool:
    """Whether `formula` holds at position 0 of the run frames[0..k], frames[back+1..k], frames[back+1..k], ...

    Past operators are evaluated on the finite prefix; that is exact because closure requires every
    past subformula's memory to agree at back and k (checked here). Future operators are fixpoints.
    """
    k = len(frames) - 1
    succ = [j + 1 for j in range(k)] + [loop_start + 1]
    values: dict[Expr, list[bool]] = {}
    names: dict[Expr, str] = {}

    def at(e: Expr, j: int) -> bool:
        plain = rewrite(e, lambda n: VarRef(names[n], n.type) if n in names else None)
        extra = {names[t]: v[j] for t, v in values.items()}
        f = frames[j]
        return bool(evaluate(plain, Frame({**f.values, **extra}, f.fired, f.elapsed)))

    temporals = [n for n in postorder(formula) if isinstance(n, TemporalOp)]
    for t in temporals:
        if t in values:
            continue
        args = [[at(a, j) for j in range(k + 1)] for a in t.args]
        memory: list[object]
        if t.op is Temporal.HELD and t.bound is not None:
            ages = _streak_ages(args[0], frames, t.bound)
            values[t] = [x and age >= t.bound for x, age in zip(args[0], ages, strict=True)]  # type: ignore[operator]
            memory = list(zip(args[0], ages, strict=True))
        else:
            values[t] = _temporal(t, args, succ)
            memory = list(args[0] if t.op is Temporal.PREVIOUSLY else values[t])
        names[t] = f"__ltl{len(names)}"
        if t.op in PAST_TEMPORAL and memory[loop_start] != memory[k]:
            raise ReplayError(f"the loop does not close for the past-time formula '{t.op.value}'")
    return at(formula, 0)


def _streak_ages(a: list[bool], frames: list[Frame], cap: int) -> list[Value]:
    """Per position, how long `a` has held without a break up to it, capped at `cap`: what `held(a, cap)`
    remembers, computed from the frames' elapsed times as the monitor would be."""
    ages: list[Value] = [0]
    for j in range(1, len(a)):
        grown = ages[-1] + frames[j].elapsed  # type: ignore[operator]
        ages.append(min(grown, cap) if a[j] and a[j - 1] else 0)
    return ages


def _temporal(t: TemporalOp, args: list[list[bool]], succ: list[int]) -> list[bool]:
    n = len(succ)
    a = args[0]
    b = args[1] if len(args) > 1 else a
    match t.op:
        case Temporal.PREVIOUSLY:
            return [False] + a[:-1]
        case Temporal.ONCE:
            return _scan(a, lambda prev, x, _: prev or x)
        case Temporal.HISTORICALLY:
            return _scan(a, lambda prev, x, _: prev and x)
        case Temporal.SINCE:
            return _scan(b, lambda prev, x, j: x or (a[j] and prev))
        case Temporal.NEXT:
            return [a[succ[j]] for j in range(n)]
        case Temporal.EVENTUALLY if t.bound is None:
            return _fixpoint(lambda j, nxt: a[j] or nxt, succ, False)
        case Temporal.UNTIL:
            return _fixpoint(lambda j, nxt: b[j] or (a[j] and nxt), succ, False)
        case Temporal.ALWAYS:
            return _fixpoint(lambda j, nxt: a[j] and nxt, succ, True)
        case Temporal.WEAK_UNTIL:
            return _fixpoint(lambda j, nxt: b[j] or (a[j] and nxt), succ, True)
        case Temporal.RELEASE:
            return _fixpoint(lambda j, nxt: b[j] and (a[j] or nxt), succ, True)
    raise ReplayError(f"cannot evaluate '{t.op.value}' with a bound on a lasso")


def _scan(xs: list[bool], step: object) -> list[bool]:
    out = [xs[0]]
    for j in range(1, len(xs)):
        out.append(bool(step(out[-1], xs[j], j)))  # type: ignore[operator]
    return out


def _fixpoint(step: object, succ: list[int], start: bool) -> list[bool]:
    """Least (start False) or greatest (start True) fixpoint of v[j] = step(j, v[succ[j]])."""
    v = [start] * len(succ)
    changed = True
    while changed:
        changed = False
        for j in reversed(range(len(succ))):
            new = bool(step(j, v[succ[j]]))  # type: ignore[operator]
            if new != v[j]:
                v[j], changed = new, True
    return v
