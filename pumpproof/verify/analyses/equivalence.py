"""Equivalent mutants, proved: a mutant whose observable behaviour cannot differ from the model's.

The model and the mutant run in lockstep in one product system: both take the transition of the same name with
the same inputs (or the same delay), each on its own copy of the state (the mutant's variables renamed). The
bad states are those where an observable variable (one the requirements read, defines expanded) differs, where
the two copies disagree on whether a transition may be taken (a step `#diverge` that fires when some guard or
range check holds in one copy and not in the other; a transition only one copy has, because a mutated part
composes into different steps, is disabled in the other), or where their invariants disagree (so that time could pass
in one and not in the other). Mutations change transitions only, so both copies start in the same states.

PROVED (by the engines, with a re-checked invariant) means every run of the model is a run of the mutant with
the same transitions, inputs, delays and observable values, and the other way round: no requirement over the
observables (and `fired`) can tell them apart. VIOLATED gives a run, from one state, where the two part: the
scenario a requirement that should kill the mutant would forbid. With a single initial state this is a run the
requirements can see differ; where variables the requirements do not read start free, a run of the mutant
from another start may still look the same (lockstep is sufficient for equivalence, not necessary), so the
mutant counts as a survivor, not proved equivalent.

The same product checked one way (`fewer_runs`) asks only that the mutant never do what the model cannot: a step
the model cannot take there, time passing where the model's cannot, or an observable value the model's run does
not have. PROVED means every run of the mutant is, as the requirements see it, a run of the model: a mutant that
restricts a guard only (the world does less) is so, and no requirement over all runs can kill it. Under fairness
that would not follow (a fair run of the mutant may be unfair in the model), so a model with fairness is not asked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pumpproof.lang.ir import (
    BOOL,
    FALSE,
    NUM,
    Binary,
    Const,
    Expr,
    IntType,
    Op,
    Requirement,
    Transition,
    TransitionSystem,
    Update,
    Var,
    VarKind,
    VarRef,
)
from pumpproof.lang.walk import nodes, substitute
from pumpproof.verify.portfolio import Options, verdict
from pumpproof.verify.problem import SafetyProblem, conj, disj, neg
from pumpproof.verify.results import Result

MUTANT = "#mutant."
"""The prefix of the mutant's copy of each state variable (`#` is in no model's names)."""
DIVERGED = "#diverged"
DIVERGE = "#diverge"


@dataclass(frozen=True)
class Equivalence:
    """Whether a mutant is observably equivalent to its model: `result` Proved (equivalent), Violated (a run to
    the first difference, over the product's variables), or Unknown; `observed` are the variables compared."""

    result: Result
    observed: tuple[str, ...]


def observables(system: TransitionSystem, requirements: tuple[Requirement, ...]) -> tuple[str, ...]:
    """The state variables the requirements read, through defines, in declaration order."""
    state = {v.name for v in system.state_vars}
    seen: set[str] = set()
    pending: list[Expr] = [r.formula for r in requirements]
    while pending:
        for n in nodes(pending.pop()):
            if isinstance(n, VarRef) and n.name not in seen:
                seen.add(n.name)
                if n.name in system.defines:
                    pending.append(system.defines[n.name])
    return tuple(v.name for v in system.state_vars if v.name in seen and v.name in state)


def product(
    model: TransitionSystem, mutant: TransitionSystem, observed: tuple[str, ...], fewer: bool = False
) -> SafetyProblem:
    """The lockstep product of `model` and `mutant` with its bad states (see the module docstring): where they part
    either way, or with `fewer` only where the mutant does what the model cannot."""
    copies = {v.name: VarRef(MUTANT + v.name, v.type) for v in mutant.state_vars}

    def mine(e: Expr) -> Expr:
        return substitute(e, copies)

    def enabled(b: Transition) -> Expr:
        """Whether the mutant's copy can take `b`."""
        return mine(conj(b.guard, _in_range(mutant, b)))

    theirs = {t.name: t for t in mutant.transitions}
    ours = {t.name for t in model.transitions}
    steps = []
    differs = []
    for a in model.transitions:
        b = theirs.get(a.name)
        ga = conj(a.guard, _in_range(model, a))
        gb = FALSE if b is None else enabled(b)
        if b is not None:
            updates = (*a.updates, *(Update(MUTANT + u.target, mine(u.value), u.loc) for u in b.updates))
            steps.append(replace(a, guard=conj(ga, gb), updates=updates, origins=()))
        differs.append(conj(gb, neg(ga)) if fewer else _xor(ga, gb))
    # A step only the mutant has (its parts compose differently) is a divergence wherever it is enabled.
    differs += [enabled(b) for b in mutant.transitions if b.name not in ours]
    flag = Var(DIVERGED, BOOL, VarKind.STATE, Const(False, BOOL))
    diverge = Transition(DIVERGE, disj(*differs), (Update(DIVERGED, Const(True, BOOL)),))
    copied = tuple(
        Var(MUTANT + v.name, v.type, v.kind, None if v.init is None else mine(v.init)) for v in model.state_vars
    )
    same = tuple(Binary(Op.EQ, VarRef(v.name, v.type), copies[v.name], BOOL) for v in model.state_vars)
    inv_a, inv_b = conj(*model.invariants), conj(*(mine(i) for i in mutant.invariants))
    timing = conj(inv_b, neg(inv_a)) if fewer else _xor(inv_a, inv_b)  # time passes in one and not in the other
    system = replace(
        model,
        name=f"{model.name} against its mutant",
        variables=(*model.variables, *copied, flag),
        transitions=(*steps, diverge),
        invariants=(inv_b if fewer else disj(inv_a, inv_b),),
        initial=(*model.initial, *same),
        terminals=(),
        fairness=(),
        monitors=(),
    )
    seen = [Binary(Op.NE, VarRef(n, copies[n].type), copies[n], BOOL) for n in observed]
    bad = disj(VarRef(DIVERGED, BOOL), timing, *seen)
    what = "the mutant does what the model cannot" if fewer else "the mutant's observable behaviour differs"
    # Both start equal; where the mutant's change does not show, most variables stay equal to their copies.
    return SafetyProblem(f"{model.name}: {what}", system, bad, hints=same)


def _in_range(system: TransitionSystem, t: Transition) -> Expr:
    """The step stays within the declared ranges (a step out of range is not a step of the model)."""
    types = {v.name: v.type for v in system.state_vars}
    checks = []
    for u in t.updates:
        kind = types.get(u.target)
        if isinstance(kind, IntType) and not isinstance(u.value, Const):
            low, high = Const(kind.lo, NUM), Const(kind.hi, NUM)
            checks += [Binary(Op.GE, u.value, low, BOOL), Binary(Op.LE, u.value, high, BOOL)]
    return conj(*checks)


def _xor(a: Expr, b: Expr) -> Expr:
    return Binary(Op.NE, a, b, BOOL)


def equivalence(
    model: TransitionSystem, mutant: TransitionSystem, requirements: tuple[Requirement, ...], options: Options
) -> Equivalence:
    """Decide whether `mutant` is observably equivalent to `model` for `requirements`."""
    observed = observables(model, requirements)
    return Equivalence(verdict(product(model, mutant, observed), options), observed)


def fewer_runs(
    model: TransitionSystem, mutant: TransitionSystem, requirements: tuple[Requirement, ...], options: Options
) -> Equivalence | None:
    """Decide whether every run of `mutant` is a run of `model` as `requirements` see it (None under fairness)."""
    if model.fairness:
        return None
    observed = observables(model, requirements)
    return Equivalence(verdict(product(model, mutant, observed, fewer=True), options), observed)
