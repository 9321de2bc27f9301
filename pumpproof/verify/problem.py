"""Safety problems: a transition system extended with monitors, and the bad states engines must not reach.

Requirements are compiled here, as a transformation of the IR (as pono's modifiers do), so that
every engine and the replay interpreter see the same monitors. Past-time operators become
monitor variables; bounded response, weak-until and next become small observers with a bad state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pumpproof.errors import UnsupportedError
from pumpproof.lang.ir import (
    BOOL,
    CLOCK,
    FALSE,
    NUM,
    TRUE,
    Binary,
    Const,
    Elapsed,
    Expr,
    IntType,
    Ite,
    Monitor,
    Op,
    Pre,
    Requirement,
    Temporal,
    TemporalOp,
    TransitionSystem,
    Type,
    Unary,
    VarRef,
    balanced,
)
from pumpproof.lang.walk import is_past, rewrite

RANGES_ID = "MODEL.RANGES"


@dataclass(frozen=True)
class SafetyProblem:
    """Decide whether any run of `system` reaches a state satisfying `bad`.

    `assumed` are invariants already proved for this system (the declared integer ranges), which
    engines may assume in every state. `initial` constrains the first state and `constraint` every
    later one (it may read `Pre`): the LTL tableau uses them to tie its free monitors to the run.
    With `stutter`, a run that stops (no transition can be taken, in a model without clocks) goes on
    by repeating its last state, inputs included, one time unit per step (SPIN's stutter extension):
    a pump that freezes is checked as frozen, not as finished. Reachability questions leave it off,
    since repeating a state reaches nothing new. `hints` are state formulas its author expects to be invariant
    (in a lockstep product, each variable equals its copy): k-induction tries them before mining its own
    lemmas; like any lemma they are checked, never assumed.
    """

    name: str
    system: TransitionSystem
    bad: Expr
    assumed: tuple[Expr, ...] = field(default=())
    initial: Expr = TRUE
    constraint: Expr = TRUE
    stutter: bool = False
    hints: tuple[Expr, ...] = ()

    def exprs(self) -> list[Expr]:
        """Every expression a run of this problem evaluates: guards, updates, invariants, assumptions, the initial
        condition, monitors, the bad states and the constraints."""
        system = self.system
        out = [t.guard for t in system.transitions] + [u.value for t in system.transitions for u in t.updates]
        out += [*system.invariants, *system.assumptions, *system.initial, self.bad, self.initial, self.constraint]
        return out + [e for m in system.monitors for e in m.exprs()]


def conj(*es: Expr) -> Expr:
    """The conjunction of `es` (true when empty), balanced."""
    return balanced(es, lambda a, b: Binary(Op.AND, a, b, BOOL)) if es else TRUE


def disj(*es: Expr) -> Expr:
    """The disjunction of `es` (false when empty), balanced."""
    return balanced(es, lambda a, b: Binary(Op.OR, a, b, BOOL)) if es else FALSE


def neg(e: Expr) -> Expr:
    """`not e` (`false` for `true`, and the other way round, so that a problem whose bad states are `not true`
    is seen to have none)."""
    if isinstance(e, Const) and isinstance(e.value, bool):
        return Const(not e.value, BOOL, e.loc)
    return Unary(Op.NOT, e, BOOL)


def range_conditions(system: TransitionSystem) -> tuple[Expr, ...]:
    """`lo <= v <= hi` for every bounded integer state variable whose updates are not all constants in range."""
    out = []
    for v in system.state_vars:
        if not isinstance(v.type, IntType):
            continue
        values = [u.value for t in system.transitions for u in t.updates if u.target == v.name]
        if all(isinstance(x, Const) and v.type.lo <= int(x.value) <= v.type.hi for x in values):
            continue
        ref = VarRef(v.name, v.type)
        out.append(
            conj(Binary(Op.GE, ref, Const(v.type.lo, NUM), BOOL), Binary(Op.LE, ref, Const(v.type.hi, NUM), BOOL))
        )
    return tuple(out)


def ranges_formula(system: TransitionSystem) -> Expr | None:
    """The formula of the built-in requirement MODEL.RANGES, `always` every `range_conditions` (None if there is
    none to check)."""
    conds = range_conditions(system)
    return TemporalOp(Temporal.ALWAYS, (conj(*conds),)) if conds else None


class MonitorBuilder:
    """Allocates monitor variables for one requirement, children before parents."""

    def __init__(self, system: TransitionSystem, prefix: str) -> None:
        self.system = system
        self.prefix = prefix
        self.monitors: list[Monitor] = []
        self.names = 0

    def ref(self, kind: str, type_: Type) -> VarRef:
        """A fresh monitor name, to be added later (monitors may read any monitor's previous value)."""
        self.names += 1
        return VarRef(f"{self.prefix}.{kind}{self.names - 1}", type_)

    def add(self, ref: VarRef, init: Expr, update: Expr) -> VarRef:
        """Add the monitor `ref` with its initial value and update."""
        self.monitors.append(Monitor(ref.name, ref.type, init, update))
        return ref

    def add_free(self, ref: VarRef) -> VarRef:
        """Add `ref` as a free monitor: the run chooses its value, the problem's constraints restrict it."""
        self.monitors.append(Monitor(ref.name, ref.type, None, None))
        return ref

    def latch(self, kind: str, init: Expr, update: Callable[[Expr], Expr]) -> VarRef:
        """A boolean monitor whose update reads its own previous value (passed to `update`)."""
        ref = self.ref(kind, BOOL)
        return self.add(ref, init, update(Pre(ref, BOOL)))

    def past(self, e: Expr) -> Expr:
        """Replace past-time operators in `e` by monitor variables."""
        return rewrite(e, self._past_node)

    def _past_node(self, e: Expr) -> Expr | None:
        if not isinstance(e, TemporalOp):
            return None
        args = tuple(self.past(a) for a in e.args)
        match e.op:
            case Temporal.PREVIOUSLY:
                return self.add(self.ref("prev", BOOL), FALSE, Pre(args[0], BOOL))
            case Temporal.ONCE:
                return self.latch("once", args[0], lambda before: disj(before, args[0]))
            case Temporal.HISTORICALLY:
                return self.latch("hist", args[0], lambda before: conj(before, args[0]))
            case Temporal.SINCE:
                return self.latch("since", args[1], lambda before: disj(args[1], conj(args[0], before)))
            case Temporal.HELD if e.bound is not None:
                return self.held(args[0], e.bound)
        raise UnsupportedError(f"operator '{e.op.value}' cannot appear inside a past-time formula", e.loc)

    def age(self, streak: Expr, cap: int | None) -> VarRef:
        """A monitor of the time `streak` has held without a break up to this state (0 where it starts or fails).

        Time is model time with clocks and steps without; with a `cap` the age stops growing there, keeping
        the state finite (no comparison with `cap` or less tells the capped values apart).
        """
        age_type: Type = CLOCK if self.system.timed else NUM
        age = self.ref("age", age_type)
        grown: Expr = Binary(Op.ADD, Pre(age, age_type), Elapsed(age_type), age_type)
        if cap is not None:
            grown = Binary(Op.MIN, grown, Const(cap, NUM), age_type)
        zero = Const(0, NUM)
        return self.add(age, zero, Ite(streak, Ite(Pre(streak, BOOL), grown, zero, age_type), zero, age_type))

    def held(self, f: Expr, bound: int) -> Expr:
        """`held(f, bound)`: f holds and has held without a break for at least `bound` time units (or steps)."""
        return conj(f, Binary(Op.GE, self.age(f, bound), Const(bound, NUM), BOOL))

    def bounded_response(self, trigger: Expr, response: Expr, bound: int) -> Expr:
        """Bad when `trigger` held `bound` time units ago (or earlier) and `response` has not held since.

        pending: an obligation is open; age: time since the oldest open obligation started.
        Without clocks time is steps and the age saturates at `bound`, keeping the state finite.
        """
        pending = self.latch(
            "pending", conj(trigger, neg(response)), lambda before: conj(neg(response), disj(trigger, before))
        )
        age = self.age(pending, None if self.system.timed else bound)
        # With clocks the response is late once time passes beyond the bound; in steps, once
        # `bound` further steps passed without it.
        late = Op.GT if self.system.timed else Op.GE
        return conj(pending, Binary(late, age, Const(bound, NUM), BOOL))

    def weak_until(self, trigger: Expr, hold: Expr, release: Expr) -> Expr:
        """Bad when an obligation opened by `trigger` is still open and `hold` fails before `release`."""
        active = self.latch(
            "until", conj(trigger, neg(release)), lambda before: conj(neg(release), disj(trigger, before))
        )
        return conj(active, neg(hold))

    def next_step(self, trigger: Expr, then: Expr) -> Expr:
        """Bad when `trigger` held in the previous state and `then` fails now."""
        was = self.add(self.ref("prev", BOOL), FALSE, Pre(trigger, BOOL))
        return conj(was, neg(then))


def compile_requirement(system: TransitionSystem, req: Requirement) -> SafetyProblem:
    """Compile a requirement into a safety problem, or raise UnsupportedError naming what is not supported."""
    formula = req.formula
    if not (isinstance(formula, TemporalOp) and formula.op is Temporal.ALWAYS):
        raise UnsupportedError(
            f"requirement {req.id}: only formulas of the form `always ...` (or `never ...`) can be checked yet",
            formula.loc or req.loc,
            "a formula without `always` constrains only the initial state; write `always (...)` for an invariant",
        )
    builder = MonitorBuilder(system, f"{req.id}")
    bads = [_body_bad(builder, part, req) for part in _conjuncts(formula.args[0])]
    monitored = replace(system, monitors=system.monitors + tuple(builder.monitors))
    return SafetyProblem(req.id, monitored, disj(*bads), stutter=not system.timed)


def _conjuncts(e: Expr) -> list[Expr]:
    """The parts of `e` joined by `and` and nested `always`, in order, each distinct node once (a define shared
    by both sides of an `and` is one part)."""
    out: list[Expr] = []
    seen: set[int] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Binary) and node.op is Op.AND:
            stack += [node.right, node.left]
        elif isinstance(node, TemporalOp) and node.op is Temporal.ALWAYS:
            stack.append(node.args[0])
        else:
            out.append(node)
    return out


def is_safety(formula: Expr) -> bool:
    """True for the shapes `compile_requirement` turns into a safety problem (the others go to the tableau)."""
    if not (isinstance(formula, TemporalOp) and formula.op is Temporal.ALWAYS):
        return False
    return all(_safety_part(part) for part in _conjuncts(formula.args[0]))


SAFETY_RESPONSES = frozenset({Temporal.WEAK_UNTIL, Temporal.NEXT})
"""Responses a past trigger may have in a safety shape, besides a bounded `eventually` (`q within T`)."""


def _safety_part(body: Expr) -> bool:
    """`p` or `p -> q within T`, `p -> q weak-until r`, `p -> next q`, with p, q and r past-time formulas."""
    if is_past(body):
        return True
    if not (isinstance(body, Binary) and body.op is Op.IMPLIES and is_past(body.left)):
        return False
    then = body.right
    if not isinstance(then, TemporalOp):
        return False
    bounded = then.op is Temporal.EVENTUALLY and then.bound is not None
    return (bounded or then.op in SAFETY_RESPONSES) and all(is_past(a) for a in then.args)


def _body_bad(builder: MonitorBuilder, body: Expr, req: Requirement) -> Expr:
    """The bad-state predicate of one conjunct under `always`."""
    if is_past(body):
        return neg(builder.past(body))
    if isinstance(body, Binary) and body.op is Op.IMPLIES and is_past(body.left):
        trigger = builder.past(body.left)
        then = body.right
        if isinstance(then, TemporalOp) and all(is_past(a) for a in then.args):
            args = tuple(builder.past(a) for a in then.args)
            if then.op is Temporal.EVENTUALLY and then.bound is not None:
                return builder.bounded_response(trigger, args[0], then.bound)
            if then.op is Temporal.WEAK_UNTIL:
                return builder.weak_until(trigger, args[0], args[1])
            if then.op is Temporal.NEXT:
                return builder.next_step(trigger, args[0])
    raise UnsupportedError(
        f"requirement {req.id}: this formula is not supported yet (only safety shapes are checked: "
        "`always p`, `always (p -> q within T)`, `always (p -> q weak-until r)`, `always (p -> next q)`)",
        body.loc or req.loc,
        "liveness (`eventually` without a bound, `until`) is planned; a bounded `q within T` is a safety form",
    )
