"""The one place where IR meets Z3: a safety problem as Init(V), Trans(V, V'), Bad(V) over a frame V.

The frame holds every state variable, every input (the inputs of the step into the state), every
monitor, the index of the transition taken (`__tr`) and, with clocks, the delay (`__dt`). Putting
inputs and the step in the frame lets properties read them while engines see a plain transition
system. Enumerations are integers 0..n-1; clocks and delays are reals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import z3

from pumpproof.errors import InternalError
from pumpproof.lang.ir import (
    DELAY,
    RESERVED_PREFIX,
    STUTTER,
    Binary,
    BoolType,
    ClockType,
    Const,
    Elapsed,
    EnumType,
    Expr,
    Fired,
    IntType,
    Ite,
    Op,
    Pre,
    TemporalOp,
    Type,
    Unary,
    Value,
    VarKind,
    VarRef,
    is_real,
)
from pumpproof.lang.walk import fold_up, same_step
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Step
from pumpproof.verify.steps import can_step

FIRED = f"{RESERVED_PREFIX}tr"
ELAPSED = f"{RESERVED_PREFIX}dt"
STUTTER_INDEX = -3
INIT_INDEX = -2
DELAY_INDEX = -1

Env = Mapping[str, z3.ExprRef]


@dataclass(frozen=True)
class FrameVar:
    """One variable of the frame: its name, IR type and role (state, input, monitor or step)."""

    name: str
    type: Type
    role: str


def sort_of(t: Type) -> z3.SortRef:
    """The Z3 sort of an IR type."""
    if isinstance(t, BoolType):
        return z3.BoolSort()
    if is_real(t):
        return z3.RealSort()
    return z3.IntSort()


class Renaming:
    """One substitution of constants by terms, applied to many formulas.

    `z3.substitute` re-validates and re-marshals every pair on each call, which dominated lemma
    mining on models with thousands of candidates; here the pairs are checked and marshalled once.
    """

    def __init__(self, pairs: list[tuple[z3.ExprRef, z3.ExprRef]]) -> None:
        items = list(pairs)
        for a, b in items:
            if not a.sort().eq(b.sort()):
                raise InternalError(f"renaming {a} to a term of another sort: {b}")
        self._terms = items  # the arrays below hold raw pointers; these references keep them alive
        self._n = len(items)
        self._src = (z3.Ast * self._n)(*(a.as_ast() for a, _ in items))
        self._dst = (z3.Ast * self._n)(*(b.as_ast() for _, b in items))

    def __call__(self, e: z3.ExprRef) -> z3.ExprRef:
        """`e` with the constants replaced (of the same Python class as `e`: a BoolRef stays one)."""
        return type(e)(z3.Z3_substitute(e.ctx_ref(), e.as_ast(), self._n, self._src, self._dst), e.ctx)


class _Encoded:
    """Terms encoded for the last few models, by the identity of the parts of the model they come from. Every
    requirement's problem on one model adds its monitors to the same transitions, invariants and facts, and the
    frame constants are the same Z3 terms in every encoding, so these are encoded once per model, not once per
    problem (re-checking 40 invariants on a GPCA mutant spent 60% of its time re-encoding the transitions, and
    most of the rest re-encoding the invariants)."""

    SIZE = 8

    def __init__(self) -> None:
        self._entries: list[tuple[tuple[object, ...], z3.BoolRef]] = []

    def get(self, parts: tuple[object, ...]) -> z3.BoolRef | None:
        """The term encoded from these very parts (identity, not equality: comparing two models' expressions
        would cost as much as encoding them)."""
        for kept, term in self._entries:
            if all(a is b for a, b in zip(kept, parts, strict=True)):
                return term
        return None

    def put(self, parts: tuple[object, ...], term: z3.BoolRef) -> z3.BoolRef:
        """Keep `term` for `parts` (the entry holds the parts, so no identity is reused while it is kept)."""
        self._entries = [(parts, term), *self._entries[: self.SIZE - 1]]
        return term


_MOVES = _Encoded()
"""`Encoding._moves` by the model's variables, transitions and assumptions."""
_FACTS = _Encoded()
"""The model's invariants and proved facts over `Encoding.cur`, by its variables, invariants and the facts."""


class Encoding:
    """Init, Trans and Bad of one safety problem, over frame constants `cur` (V) and `nxt` (V')."""

    def __init__(self, problem: SafetyProblem) -> None:
        self.problem = problem
        system = problem.system
        self.system = system
        self.transitions = system.transitions
        self.index = {t.name: i for i, t in enumerate(system.transitions)}
        self.frame: list[FrameVar] = [FrameVar(v.name, v.type, v.kind.value) for v in system.variables]
        self.frame += [FrameVar(m.name, m.type, "monitor") for m in system.monitors]
        first = STUTTER_INDEX if problem.stutter else INIT_INDEX
        self.frame.append(FrameVar(FIRED, IntType(first, len(system.transitions) - 1), "step"))
        if system.timed:
            self.frame.append(FrameVar(ELAPSED, ClockType(), "step"))
        self.cur = {f.name: z3.Const(f.name, sort_of(f.type)) for f in self.frame}
        # `@` is in no variable's name (frames of an unrolling are `name@j`); `x'` may be one, a MoXI next value.
        self.nxt = {f.name: z3.Const(f"{f.name}@next", sort_of(f.type)) for f in self.frame}
        self.priming = Renaming([(self.cur[n], self.nxt[n]) for n in self.cur])
        """V to V': a state formula about the next state."""
        self.init = self._init()
        self.trans = self._trans()
        self.bad = self.expr(problem.bad, self.cur)

    # ------------------------------------------------------------ expressions

    def expr(self, e: Expr, env: Env, pre: Env | None = None) -> z3.ExprRef:
        """Encode `e` reading variables from `env` and `Pre(...)` from `pre`.

        Each distinct node is encoded once, so a define shared by many subterms stays one Z3 term
        (the expression is a DAG; as a tree it could be exponentially large).
        """
        return fold_up(e, lambda n, kids: self._node(n, kids, env, pre), same_step)

    def _node(self, e: Expr, kids: tuple[z3.ExprRef, ...], env: Env, pre: Env | None) -> z3.ExprRef:
        """One node, its children already encoded as `kids`."""
        match e:
            case Const(value=v, type=t):
                if isinstance(v, bool):
                    return z3.BoolVal(v)
                if isinstance(t, EnumType):
                    return z3.IntVal(t.values.index(str(v)))
                if isinstance(v, Fraction):
                    return z3.RealVal(f"{v.numerator}/{v.denominator}")
                return z3.RealVal(int(v)) if is_real(t) else z3.IntVal(int(v))
            case VarRef(name=name):
                return env[name]
            case Unary(op=Op.NOT):
                return z3.Not(kids[0])
            case Unary(op=Op.NEG):
                return -kids[0]
            case Unary(op=Op.TO_REAL):
                return z3.ToReal(kids[0])
            case Binary(op=op):
                return _binary(op, *kids)
            case Ite():
                return z3.If(*kids)
            case Fired(transitions=names):
                tr = env[FIRED]
                return z3.Or([tr == self.index[n] for n in names if n in self.index])
            case Elapsed():
                return env[ELAPSED]
            case Pre(arg=a):
                if pre is None:
                    raise InternalError("encoding: previous-state reference without a previous state")
                return self.expr(a, pre)
            case TemporalOp():
                raise InternalError(f"encoding: temporal operator {e.op.value!r} left after monitor compilation")
        raise InternalError(f"encoding: unknown node {type(e).__name__}")

    # ------------------------------------------------------------ the system

    def domain(self, env: Env) -> z3.BoolRef:
        """Type constraints that hold in every state: enumerations, input ranges, clocks non-negative.

        Integer state variables are deliberately unconstrained: leaving the range is a checked
        property (MODEL.RANGES), not an assumption.
        """
        out = []
        for f in self.frame:
            x = env[f.name]
            if isinstance(f.type, EnumType):
                out.append(z3.And(x >= 0, x < len(f.type.values)))
            elif isinstance(f.type, IntType) and f.role in (VarKind.INPUT.value, "step"):
                out.append(z3.And(x >= f.type.lo, x <= f.type.hi))
            elif isinstance(f.type, ClockType) and f.role != "monitor":
                out.append(x >= 0)
        return z3.And(out)

    def state_constraint(self, env: Env) -> z3.BoolRef:
        """What every reachable state satisfies: the domain, the model's invariants, proved facts."""
        key = (self.system.variables, self.system.invariants, self.problem.assumed)
        facts = _FACTS.get(key)
        if facts is None:
            encoded = [self.expr(e, self.cur) for e in (*self.system.invariants, *self.problem.assumed)]
            facts = _FACTS.put(key, z3.And(encoded) if encoded else z3.BoolVal(True))  # `(and)` is not SMT-LIB
        if env is not self.cur:
            facts = Renaming([(c, env[n]) for n, c in self.cur.items()])(facts)
        return z3.And(self.domain(env), facts)

    def _with_step(self, env: Env, elapsed: z3.ExprRef) -> dict[str, z3.ExprRef]:
        out = dict(env)
        if not self.system.timed:
            out[ELAPSED] = elapsed
        return out

    def _init(self) -> z3.BoolRef:
        env = self._with_step(self.cur, z3.IntVal(0))
        parts = [self.state_constraint(env), env[FIRED] == INIT_INDEX]
        if self.system.timed:
            parts.append(env[ELAPSED] == 0)
        for v in self.system.state_vars:
            if isinstance(v.type, ClockType):
                parts.append(env[v.name] == 0)
            elif v.init is not None:
                parts.append(env[v.name] == self.expr(v.init, env))
            elif isinstance(v.type, IntType):
                parts.append(z3.And(env[v.name] >= v.type.lo, env[v.name] <= v.type.hi))
        parts += [self.expr(c, env) for c in self.system.initial]
        parts += [self.expr(a, env) for a in self.system.assumptions]
        parts += [env[m.name] == self.expr(m.init, env) for m in self.system.monitors if m.init is not None]
        parts.append(self.expr(self.problem.initial, env))
        return z3.And(parts)

    def _trans(self) -> z3.BoolRef:
        """One step: the transition the step index names, with its guard, and each state variable's next value
        by that index (the value its update writes, a clock's growth in a delay, else the value it had).

        Written per variable rather than per transition, so the relation grows with the transitions plus the
        updates, not with transitions times variables: a composed model's parts each leave most variables alone.
        """
        cur, nxt = self.cur, self._with_step(self.nxt, z3.IntVal(1))
        key = (self.system.variables, self.system.transitions, self.system.assumptions)
        moves = _MOVES.get(key)
        if moves is None:
            moves = _MOVES.put(key, self._moves(cur, nxt))
        if self.problem.stutter:
            moves = z3.Or(moves, self._stutter())
        parts = [moves, self.state_constraint(nxt)]
        parts += [nxt[m.name] == self.expr(m.update, nxt, cur) for m in self.system.monitors if m.update is not None]
        parts.append(self.expr(self.problem.constraint, nxt, cur))
        return z3.And(parts)

    def _moves(self, cur: Env, nxt: Env) -> z3.BoolRef:
        """The model's own step: some transition's guard (or a delay), every state variable's next value, the
        assumptions. It depends only on the model's variables, transitions and assumptions."""
        # Guards, updates and assumptions read the previous state and this step's inputs.
        reads = dict(cur)
        reads.update({v.name: nxt[v.name] for v in self.system.inputs})
        fired = nxt[FIRED]
        steps = []
        writes: dict[str, list[tuple[int, z3.ExprRef]]] = {}
        for i, t in enumerate(self.transitions):
            parts = [fired == i, self.expr(t.guard, reads)]
            if self.system.timed:
                parts.append(nxt[ELAPSED] == 0)
            steps.append(z3.And(parts))
            for u in t.updates:
                writes.setdefault(u.target, []).append((i, self.expr(u.value, reads)))
        if self.system.timed:
            steps.append(z3.And(nxt[ELAPSED] > 0, fired == DELAY_INDEX))
        frame = []
        for v in self.system.state_vars:
            value = cur[v.name]
            if isinstance(v.type, ClockType):
                value = z3.If(fired == DELAY_INDEX, cur[v.name] + nxt[ELAPSED], value)
            for i, written in reversed(writes.get(v.name, [])):
                value = z3.If(fired == i, written, value)
            frame.append(nxt[v.name] == value)
        return z3.And(z3.Or(steps), *frame, *(self.expr(a, reads) for a in self.system.assumptions))

    def _stutter(self) -> z3.BoolRef:
        """The step of a run that has stopped: no transition can be taken, and the frame repeats."""
        cur, nxt = self.cur, self.nxt
        same = [nxt[v.name] == cur[v.name] for v in self.system.variables]
        return z3.And(z3.Not(self.expr(can_step(self.system), cur)), nxt[FIRED] == STUTTER_INDEX, *same)

    # ------------------------------------------------------------ decoding

    def value(self, model: z3.ModelRef, f: FrameVar, term: z3.ExprRef) -> Value:
        """The Python value of frame variable `f` (held in `term`) in `model`."""
        raw = model.eval(term, model_completion=True)
        if isinstance(f.type, BoolType):
            return z3.is_true(raw)
        if is_real(f.type):
            frac = Fraction(raw.as_fraction()) if isinstance(raw, z3.RatNumRef) else Fraction(str(raw))
            return int(frac) if frac.denominator == 1 else frac
        number = raw.as_long()
        if isinstance(f.type, EnumType):
            return f.type.values[number] if 0 <= number < len(f.type.values) else number
        return int(number)

    def transition_name(self, index: int) -> str | None:
        """The transition with encoded index `index` (None for the initial state)."""
        if index == INIT_INDEX:
            return None
        if index == DELAY_INDEX:
            return DELAY
        if index == STUTTER_INDEX:
            return STUTTER
        return self.transitions[index].name

    def decode_step(self, model: z3.ModelRef, env: Env, index: int, time: Value) -> Step:
        """Read step `index` of a trace out of `model`, where `env` maps frame names to that step's terms."""
        vals = {f.name: self.value(model, f, env[f.name]) for f in self.frame}
        fired = self.transition_name(int(vals[FIRED]))
        if self.system.timed:
            elapsed: Value = vals[ELAPSED]
        else:
            elapsed = 0 if fired is None else 1
        roles = {f.name: f.role for f in self.frame}
        return Step(
            index=index,
            transition=fired,
            inputs={k: v for k, v in vals.items() if roles[k] == VarKind.INPUT.value},
            state={k: v for k, v in vals.items() if roles[k] == VarKind.STATE.value},
            monitors={k: v for k, v in vals.items() if roles[k] == "monitor"},
            elapsed=elapsed,
            time=time + elapsed,  # type: ignore[operator]
        )


def _binary(op: Op, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
    match op:
        case Op.AND:
            return z3.And(a, b)
        case Op.OR:
            return z3.Or(a, b)
        case Op.IMPLIES:
            return z3.Implies(a, b)
        case Op.IFF | Op.EQ:
            return a == b
        case Op.NE:
            return a != b
        case Op.LT:
            return a < b
        case Op.LE:
            return a <= b
        case Op.GT:
            return a > b
        case Op.GE:
            return a >= b
        case Op.ADD:
            return a + b
        case Op.SUB:
            return a - b
        case Op.MUL:
            return a * b
        case Op.MIN:
            return z3.If(a <= b, a, b)
        case Op.MAX:
            return z3.If(a >= b, a, b)
    raise InternalError(f"encoding: unknown operator {op!r}")
