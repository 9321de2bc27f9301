"""Liveness: LTL requirements as fair-cycle problems, and their reduction to safety by k-liveness.

The negation of the requirement is turned into a symbolic tableau (Clarke, Grumberg, Hamaguchi
1994, as in NuSMV): one free boolean monitor per `next`-obligation, tied to the run by the
problem's constraints, and one justice condition per eventuality (`eventually`, `until`). A
counterexample is a run of the product that satisfies every justice condition infinitely often
(and the model's fairness, and, with clocks, lets time diverge): a lasso.

Proofs use k-liveness (Claessen and Sorensson 2012): count the rounds in which every justice
condition has been met; if "at most K rounds" is an invariant for some K, no fair run exists.
Non-Zeno is a justice condition too: a tick each time C units pass, C above every clock constant,
so a bounded timer yields at most a round or two and the proof does not grow with the timer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pumpproof.errors import UnsupportedError
from pumpproof.lang.ir import (
    BOOL,
    CLOCK,
    FALSE,
    NUM,
    PAST_TEMPORAL,
    TRUE,
    Binary,
    Const,
    Elapsed,
    Expr,
    FairnessKind,
    Fired,
    Ite,
    Op,
    Pre,
    Requirement,
    Temporal,
    TemporalOp,
    TransitionSystem,
    Unary,
    VarRef,
)
from pumpproof.lang.walk import clock_bounds, is_past
from pumpproof.verify.problem import MonitorBuilder, SafetyProblem, conj, disj, neg
from pumpproof.verify.steps import enabled


@dataclass(frozen=True)
class LivenessProblem:
    """Is there an infinite run of `system` (with monitors) that meets every fairness condition?

    `initial`/`constraint` tie the tableau's free monitors to the run; `justice` must each hold
    infinitely often; for each (p, q) in `compassion`, if p holds infinitely often so must q.
    `assumptions` say in words what the verdict depends on; `ceilings` give, per clock, the value
    above which all clock values behave alike (loops close modulo that; a clock compared with an
    unbounded term has none, and a loop must return it to the same value).
    """

    name: str
    system: TransitionSystem
    formula: Expr
    initial: Expr
    constraint: Expr
    justice: tuple[Expr, ...]
    compassion: tuple[tuple[Expr, Expr], ...]
    assumptions: tuple[str, ...]
    ceilings: dict[str, int] = field(default_factory=dict)
    assumed: tuple[Expr, ...] = ()
    stutter: bool = False
    """Runs that stop repeat their last state forever (see SafetyProblem)."""

    def product(self) -> SafetyProblem:
        """The model with the tableau's monitors and constraints, as a safety problem with no bad states."""
        return SafetyProblem(self.name, self.system, FALSE, self.assumed, self.initial, self.constraint, self.stutter)

    def exprs(self) -> list[Expr]:
        """Every expression a fair run of this problem evaluates, fairness conditions included."""
        return self.product().exprs() + list(self.justice) + [e for pair in self.compassion for e in pair]


class _Tableau:
    """sat(f): a state expression that holds exactly when f holds at the current position of the run."""

    def __init__(self, builder: MonitorBuilder) -> None:
        self.builder = builder
        self.next_bits: dict[Expr, VarRef] = {}
        self.pending: list[tuple[VarRef, Expr]] = []
        self.constraints: list[Expr] = []
        self.justice: list[Expr] = []
        self.memo: dict[Expr, Expr] = {}

    def sat(self, f: Expr) -> Expr:
        if f not in self.memo:
            self.memo[f] = self._sat(f)
        return self.memo[f]

    def _sat(self, f: Expr) -> Expr:
        if is_past(f):
            return self.builder.past(f)
        if isinstance(f, Unary) and f.op is Op.NOT:
            return neg(self.sat(f.arg))
        if isinstance(f, Binary) and f.op in (Op.AND, Op.OR, Op.IMPLIES, Op.IFF):
            return Binary(f.op, self.sat(f.left), self.sat(f.right), BOOL)
        if isinstance(f, Ite):
            return Ite(self.sat(f.cond), self.sat(f.then), self.sat(f.orelse), BOOL)
        if not isinstance(f, TemporalOp):
            raise UnsupportedError("this formula mixes temporal operators into a non-boolean expression", f.loc)
        # Everything is expressed through `until`, whose justice condition makes the encoding exact
        # under negation too (a next-bit for `always` alone could be false on a run where it holds).
        a = [*f.args]
        match f.op:
            case Temporal.NEXT:
                return self.next_bit(a[0])
            case Temporal.UNTIL:
                out = disj(self.sat(a[1]), conj(self.sat(a[0]), self.next_bit(f)))
                self.justice.append(disj(neg(out), self.sat(a[1])))
                return out
            case Temporal.EVENTUALLY if f.bound is None:
                return self.sat(_until(TRUE, a[0]))
            case Temporal.ALWAYS:
                return neg(self.sat(_until(TRUE, neg(a[0]))))
            case Temporal.RELEASE:
                return neg(self.sat(_until(neg(a[0]), neg(a[1]))))
            case Temporal.WEAK_UNTIL:
                return neg(self.sat(_until(neg(a[1]), conj(neg(a[0]), neg(a[1])))))
        if f.op in PAST_TEMPORAL:
            raise UnsupportedError(
                f"the past-time operator '{f.op.value}' cannot look back at a future formula "
                "(`eventually`, `until`, `next`, ...) here",
                f.loc,
                "past operators take past-time formulas: state formulas and past operators over them",
            )
        raise UnsupportedError(
            "`q within T` inside a liveness formula is not supported; state it as its own requirement "
            "`always (p -> q within T)`",
            f.loc,
        )

    def next_bit(self, f: Expr) -> VarRef:
        """The free monitor meaning "f holds at the next position"."""
        if f not in self.next_bits:
            bit = self.builder.add_free(self.builder.ref("next", BOOL))
            self.next_bits[f] = bit
            self.pending.append((bit, f))
        return self.next_bits[f]

    def close(self) -> Expr:
        """Tie every next-bit to the next position: Pre(bit) == sat(f) at every later step."""
        out = []
        while self.pending:
            bit, f = self.pending.pop()
            out.append(Binary(Op.IFF, Pre(bit, BOOL), self.sat(f), BOOL))
        return conj(*out)


def _until(a: Expr, b: Expr) -> Expr:
    return TemporalOp(Temporal.UNTIL, (a, b))


def liveness_problem(system: TransitionSystem, req: Requirement) -> LivenessProblem:
    """The fair-cycle problem whose solutions are exactly the counterexamples to `req`."""
    builder = MonitorBuilder(system, req.id)
    tableau = _Tableau(builder)
    initial = tableau.sat(neg(req.formula))
    constraint = tableau.close()
    justice = list(tableau.justice)
    compassion: list[tuple[Expr, Expr]] = []
    assumptions = []
    for fair in system.fairness:
        match fair.kind:
            case FairnessKind.INFINITELY:
                assert fair.condition is not None
                justice.append(fair.condition)
            case FairnessKind.WEAK:
                justice.append(disj(neg(enabled(system, fair.transitions)), Fired(fair.transitions)))
            case FairnessKind.STRONG:
                compassion.append((enabled(system, fair.transitions), Fired(fair.transitions)))
        assumptions.append(fair.text)
    if system.timed:
        assumptions.append("time diverges (no Zeno runs)")
    else:
        assumptions.append("a run that stops (nothing enabled) repeats its last state forever")
    monitored = replace(system, monitors=system.monitors + tuple(builder.monitors))
    problem = LivenessProblem(
        req.id,
        monitored,
        req.formula,
        initial,
        constraint,
        tuple(justice),
        tuple(compassion),
        tuple(assumptions),
        stutter=not system.timed,
    )
    return replace(problem, ceilings=clock_ceilings(problem))


def clock_ceilings(problem: LivenessProblem) -> dict[str, int]:
    """Per clock, a bound above which its exact value no longer matters: the largest value it is compared
    with anywhere in the problem, the requirement's own formula and fairness included (a clock compared
    with an unbounded term gets no ceiling)."""
    bounds = clock_bounds(problem.exprs(), {v.name for v in problem.system.clocks})
    return {c: b for c, b in bounds.items() if b is not None}


# ---------------------------------------------------------------- k-liveness


def k_liveness(problem: LivenessProblem, k: int) -> SafetyProblem:
    """Safety problem "at most k fair rounds": its proof shows that no fair run exists."""
    builder = MonitorBuilder(problem.system, f"{problem.name}.klive")
    justice = list(problem.justice)
    initial, constraint = problem.initial, problem.constraint
    for p, q in problem.compassion:
        # GF p -> GF q: guess a point after which p never holds again, or see q infinitely often.
        quiet = builder.add_free(builder.ref("quiet", BOOL))
        justice.append(disj(quiet, q))
        initial = conj(initial, disj(neg(quiet), neg(p)))
        constraint = conj(constraint, disj(neg(Pre(quiet, BOOL)), quiet), disj(neg(quiet), neg(p)))
    if problem.system.timed:
        justice.append(_tick(builder, problem))
    seen = [builder.ref("seen", BOOL) for _ in justice]
    # A round ends when every justice condition has held since the previous round ended.
    round_ = builder.add(
        builder.ref("round", BOOL), FALSE, conj(*(disj(Pre(s, BOOL), j) for s, j in zip(seen, justice, strict=True)))
    )
    for s, j in zip(seen, justice, strict=True):
        builder.add(s, FALSE, conj(neg(round_), disj(Pre(s, BOOL), j)))
    count = builder.ref("rounds", NUM)
    grown = Binary(Op.ADD, Pre(count, NUM), Ite(round_, Const(1, NUM), Const(0, NUM), NUM), NUM)
    builder.add(count, Const(0, NUM), Binary(Op.MIN, grown, Const(k + 1, NUM), NUM))
    system = replace(problem.system, monitors=problem.system.monitors + tuple(builder.monitors))
    bad = Binary(Op.GT, count, Const(k, NUM), BOOL)
    name = f"{problem.name}[k-liveness {k}]"
    return SafetyProblem(name, system, bad, problem.assumed, initial, constraint, problem.stutter)


def _tick(builder: MonitorBuilder, problem: LivenessProblem) -> Expr:
    """A justice condition that holds each time another C time units have passed (C above every clock bound)."""
    c = max(problem.ceilings.values(), default=0) + 1
    z = builder.ref("period", CLOCK)
    tick = builder.add(
        builder.ref("tick", BOOL),
        FALSE,
        Binary(Op.GE, Binary(Op.ADD, Pre(z, CLOCK), Elapsed(CLOCK), CLOCK), Const(c, NUM), BOOL),
    )
    builder.add(z, Const(0, NUM), Ite(tick, Const(0, NUM), Binary(Op.ADD, Pre(z, CLOCK), Elapsed(CLOCK), CLOCK), CLOCK))
    return tick
