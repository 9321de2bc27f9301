"""The intermediate representation every layer shares: types, expressions, transition systems, requirements.

All nodes are frozen dataclasses. Expressions carry the source location they came from
(excluded from equality) so errors and SARIF can point at the file. Names of array elements and
parameterised transitions are flattened (`occluded[1]`, `occlusion_begins[1]`) by the elaborator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, TypeVar, Union

from pumpproof.lang.location import Location, SourceFile

# ---------------------------------------------------------------- types


@dataclass(frozen=True)
class BoolType:
    """The booleans."""

    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True)
class IntType:
    """A bounded integer range lo..hi (inclusive)."""

    lo: int
    hi: int

    def __str__(self) -> str:
        return f"{self.lo}..{self.hi}"


@dataclass(frozen=True)
class EnumType:
    """A named enumeration; values are distinct identifiers, unique across the model."""

    name: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ClockType:
    """A real-valued clock: starts at 0, grows with delay steps, may be reset to a constant."""

    def __str__(self) -> str:
        return "clock"


@dataclass(frozen=True)
class NumType:
    """Numbers without a declared range: unbounded integers (`var n: int`, literals, sums, constants) or, with
    `real`, rationals (MoXI's Real variables; no `.pump` declaration has this type).

    Engines reason about them in linear arithmetic; MODEL.RANGES does not apply to them, and the explicit-state
    checker and `extrapolate`, which need finitely many values, refuse models that declare them."""

    real: bool = False

    def __str__(self) -> str:
        return "real" if self.real else "int"


Type = BoolType | IntType | EnumType | ClockType | NumType
BOOL = BoolType()
NUM = NumType()
REAL = NumType(real=True)
CLOCK = ClockType()

MAX_INT = 2**63 - 1
"""The largest magnitude of an integer constant (a signed 64-bit word): literals, `-D` values and folded
constants beyond it are refused, so that every constant prints, solves and serialises exactly."""

Value = bool | int | str | Fraction
"""A runtime value: bool, int, enum value name, or Fraction for clocks and elapsed time."""


def is_numeric(t: Type) -> bool:
    """Integer-like types (bounded ints and unbounded integer arithmetic)."""
    return isinstance(t, (IntType, NumType))


def is_real(t: Type) -> bool:
    """Types whose values are rationals (Fractions at run time, Real in Z3): clocks and MoXI's Real."""
    return isinstance(t, ClockType) or (isinstance(t, NumType) and t.real)


# ---------------------------------------------------------------- expressions

_T = TypeVar("_T")


def _hash_once(cls: type[_T]) -> type[_T]:
    """Keep a node's structural hash once computed: a define used twice is one shared node, so an expression
    is a DAG whose tree can be exponentially large, and hashing must not walk that tree again on every lookup."""
    structural = cls.__hash__

    def __hash__(self: Any) -> int:
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = self.__dict__["_hash"] = structural(self)
        return cached

    def __getstate__(self: Any) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}  # string hashes differ between processes

    cls.__hash__ = __hash__  # type: ignore[method-assign]
    cls.__getstate__ = __getstate__  # type: ignore[method-assign]
    return cls


@dataclass(frozen=True)
class Const:
    """A literal: bool, int, enum value (value is the enum value's name), or Fraction (a MoXI decimal)."""

    value: Value
    type: Type
    loc: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class VarRef:
    """A reference to a state variable, input, clock or monitor variable, by flattened name."""

    name: str
    type: Type
    loc: Location | None = field(default=None, compare=False, repr=False)


class Op(str, Enum):
    """Operators of Unary and Binary nodes."""

    NOT = "not"
    NEG = "-u"
    TO_REAL = "to_real"
    AND = "and"
    OR = "or"
    IMPLIES = "->"
    IFF = "<->"
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    ADD = "+"
    SUB = "-"
    MUL = "*"
    MIN = "min"
    MAX = "max"


BOOL_OPS = frozenset({Op.AND, Op.OR, Op.IMPLIES, Op.IFF})
COMPARISONS = frozenset({Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE})
MIRROR = {Op.LT: Op.GT, Op.LE: Op.GE, Op.GT: Op.LT, Op.GE: Op.LE, Op.EQ: Op.EQ, Op.NE: Op.NE}
"""`a op b` is `b MIRROR[op] a`."""
NEGATED = {Op.LE: Op.GT, Op.GE: Op.LT, Op.EQ: Op.NE, Op.NE: Op.EQ, Op.LT: Op.GE, Op.GT: Op.LE}
"""`not (a op b)` is `a NEGATED[op] b`."""
ARITHMETIC = frozenset({Op.ADD, Op.SUB, Op.MUL, Op.MIN, Op.MAX})


@_hash_once
@dataclass(frozen=True)
class Unary:
    """`not a`, `-a`, or `to_real(a)` (an integer as a rational, MoXI's conversion)."""

    op: Op
    arg: Expr
    type: Type
    loc: Location | None = field(default=None, compare=False, repr=False)


@_hash_once
@dataclass(frozen=True)
class Binary:
    """Boolean connectives, comparisons and arithmetic (including min/max)."""

    op: Op
    left: Expr
    right: Expr
    type: Type
    loc: Location | None = field(default=None, compare=False, repr=False)


@_hash_once
@dataclass(frozen=True)
class Ite:
    """`if cond then a else b`."""

    cond: Expr
    then: Expr
    orelse: Expr
    type: Type
    loc: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Fired:
    """True in a state entered by one of the named transitions (`fired(run_stop)`).

    A parameterised family name matches every member: `fired(occlusion_begins)` covers
    `occlusion_begins[0]`, `occlusion_begins[1]`, ... The elaborator expands names here.
    """

    transitions: tuple[str, ...]
    type: Type = BOOL
    members: tuple[str, ...] = ()
    """The part transitions named (member keys, `manager.clear[0]`), whose flat steps `transitions` are: a model
    composed again from changed parts (a mutant) has other steps, found from these (`typecheck.refired`)."""
    loc: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Elapsed:
    """Time that passed in the step into the current state: the delay in clocked models, 1 per step otherwise."""

    type: Type = NUM
    loc: Location | None = field(default=None, compare=False, repr=False)


@_hash_once
@dataclass(frozen=True)
class Pre:
    """The value of `arg` in the previous state (only inside monitor updates; never written by users)."""

    arg: Expr
    type: Type
    loc: Location | None = field(default=None, compare=False, repr=False)


class Temporal(str, Enum):
    """Temporal operators of the property language; past ones reduce to monitors, future ones to automata."""

    ALWAYS = "always"
    EVENTUALLY = "eventually"
    NEXT = "next"
    UNTIL = "until"
    WEAK_UNTIL = "weak-until"
    RELEASE = "release"
    PREVIOUSLY = "previously"
    ONCE = "once"
    HISTORICALLY = "historically"
    SINCE = "since"
    HELD = "held"


UNARY_TEMPORAL = frozenset(
    {Temporal.ALWAYS, Temporal.EVENTUALLY, Temporal.NEXT, Temporal.PREVIOUSLY, Temporal.ONCE, Temporal.HISTORICALLY}
)
PAST_TEMPORAL = frozenset({Temporal.PREVIOUSLY, Temporal.ONCE, Temporal.HISTORICALLY, Temporal.SINCE, Temporal.HELD})


@_hash_once
@dataclass(frozen=True)
class TemporalOp:
    """A temporal operator over one or two boolean formulas.

    `bound` is set only for bounded `eventually` (written `q within T`): q holds at some state
    no more than `bound` time units later (model time with clocks, steps without); and for `held(f, T)`,
    past-time: f has held without a break for at least `bound` time units up to this state.
    """

    op: Temporal
    args: tuple[Expr, ...]
    bound: int | None = None
    type: Type = BOOL
    loc: Location | None = field(default=None, compare=False, repr=False)


Expr = Union[Const, VarRef, Unary, Binary, Ite, Fired, Elapsed, Pre, TemporalOp]  # noqa: UP007 - forward references

TRUE = Const(True, BOOL)
FALSE = Const(False, BOOL)


def balanced(terms: Sequence[_T], pair: Callable[[_T, _T], _T]) -> _T:
    """`terms` (at least one) joined in order by `pair` as a balanced tree: `all i in 0..599: x[i]` or a
    conjunction over 10,000 transitions is then about 14 levels deep instead of 10,000."""
    if len(terms) == 1:
        return terms[0]
    middle = (len(terms) + 1) // 2  # three terms stay left-nested: (a and b) and c
    return pair(balanced(terms[:middle], pair), balanced(terms[middle:], pair))


# ---------------------------------------------------------------- transition systems


class VarKind(str, Enum):
    """State variables persist between steps; inputs are chosen afresh by the environment at every step."""

    STATE = "state"
    INPUT = "input"


@dataclass(frozen=True)
class Var:
    """A declared variable. `init` None means any value of the type (clocks always start at 0)."""

    name: str
    type: Type
    kind: VarKind
    init: Expr | None
    loc: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Update:
    """`target := value` inside a transition; all updates of a transition happen simultaneously."""

    target: str
    value: Expr
    loc: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Origin:
    """One part's share in a flat transition: the instance that moved (its path, `detector[1]`; '' for the model's
    own transitions), the template transition it took (`take`, `take[0]`) and, in a synchronisation, the channel
    and whether it sent (`!`) or received (`?`); a sender's `value` is the expression it sends (read in the state
    before the step), `broadcast` says the channel is a broadcast one (reports draw it to every receiver); `loc` is
    where the template transition is written."""

    instance: str
    transition: str
    channel: str | None = None
    role: str = ""
    value: Expr | None = field(default=None, compare=False)
    broadcast: bool = False
    loc: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Transition:
    """A named guarded command. Guard and update values read the pre-state and the step's inputs.

    `environment` marks what the pump cannot cause or prevent (an occlusion, a key press); the other
    transitions are the controller's. Verdicts do not depend on it; `lint`'s timelock check does.
    `origins` say which parts it came from, sender first, so that reports can speak in parts (empty for a
    transition not elaborated from a `.pump` file, a MoXI step); they do not change its meaning.
    """

    name: str
    guard: Expr
    updates: tuple[Update, ...]
    label: str | None = None
    environment: bool = False
    loc: Location | None = field(default=None, compare=False, repr=False)
    origins: tuple[Origin, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Channel:
    """A declared channel (one element of a channel array): broadcast or handshake, and the type of its value."""

    name: str
    broadcast: bool
    type: Type | None


@dataclass(frozen=True)
class Half:
    """A part's transition labelled `sync`: its guard and updates as elaborated (a receiver's reading RECEIVED),
    the part it belongs to ('' for the model's own), and for a sender the value it sends."""

    transition: Transition
    part: str
    channel: Channel
    send: bool
    value: Expr | None = None


@dataclass(frozen=True)
class Monitor:
    """A variable added by the verifier to observe the run (past-time operators, timers, tableau bits).

    `init` is evaluated on the initial state; `update` on each later state, where `Pre(e)` reads
    the previous state. Monitors may read earlier monitors' current values, never later ones.
    A monitor with `init`/`update` None is free: its value is chosen by the run (the prophecy
    bits of an LTL tableau) and constrained by the problem's constraints.
    """

    name: str
    type: Type
    init: Expr | None
    update: Expr | None

    @property
    def free(self) -> bool:
        """True for a monitor whose value the run chooses."""
        return self.update is None

    def exprs(self) -> tuple[Expr, ...]:
        """The expressions that define this monitor (none when it is free)."""
        return tuple(e for e in (self.init, self.update) if e is not None)


class FairnessKind(str, Enum):
    """Weak fairness (justice) on a transition, strong fairness (compassion), or a condition that recurs."""

    WEAK = "weak"
    STRONG = "strong"
    INFINITELY = "infinitely"


@dataclass(frozen=True)
class Fairness:
    """An assumption on infinite runs: `fairness weak t`, `fairness strong t`, `fairness infinitely e`.

    Weak: if t stays enabled it eventually fires. Strong: if t is enabled infinitely often it
    fires infinitely often. Infinitely: the condition holds infinitely often.
    """

    kind: FairnessKind
    transitions: tuple[str, ...] = ()
    condition: Expr | None = None
    text: str = ""
    """The declaration as the user wrote it (per family member for transitions)."""
    members: tuple[str, ...] = ()
    """The part transition named (its member key), whose flat steps `transitions` are (as `Fired.members`)."""
    loc: Location | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class TransitionSystem:
    """A pump model after elaboration: arrays flattened, `for` loops unrolled, constants folded.

    `assumptions` constrain the environment at each step (read the pre-state and the step's inputs);
    `invariants` must hold in every state (with clocks they bound how long time may pass);
    `initial` constrains the first state beyond the variables' `init` values (it reads state variables only:
    a relational initial condition, as MoXI's `:init`).
    `terminals` describe states where the model may stop on purpose (`lint` does not call them deadlocks).
    `defines` are named expressions the property file may use. `monitors` are empty in a parsed
    model and filled by the verifier's property compilation.
    """

    name: str
    constants: dict[str, int | bool]
    variables: tuple[Var, ...]
    transitions: tuple[Transition, ...]
    assumptions: tuple[Expr, ...] = ()
    invariants: tuple[Expr, ...] = ()
    initial: tuple[Expr, ...] = ()
    terminals: tuple[Expr, ...] = ()
    defines: dict[str, Expr] = field(default_factory=dict)
    enums: tuple[EnumType, ...] = ()
    monitors: tuple[Monitor, ...] = ()
    fairness: tuple[Fairness, ...] = ()
    halves: tuple[Half, ...] = field(default=(), compare=False, repr=False)
    """The parts' `sync` transitions before synchronisation: `transitions` ends with the flat transitions
    `compose.synchronise` makes of them (mutation changes one part's transition and composes again)."""
    loc: Location | None = field(default=None, compare=False, repr=False)
    source: SourceFile | None = field(default=None, compare=False, repr=False)
    """The model file as parsed (None for a model built in memory)."""

    @property
    def state_vars(self) -> tuple[Var, ...]:
        """State variables and clocks, in declaration order."""
        return tuple(v for v in self.variables if v.kind is VarKind.STATE)

    @property
    def inputs(self) -> tuple[Var, ...]:
        """Environment inputs, in declaration order."""
        return tuple(v for v in self.variables if v.kind is VarKind.INPUT)

    @property
    def clocks(self) -> tuple[Var, ...]:
        """Clock variables."""
        return tuple(v for v in self.variables if isinstance(v.type, ClockType))

    @property
    def unbounded(self) -> tuple[Var, ...]:
        """Variables and inputs of unbounded type (`int`, MoXI's Real)."""
        return tuple(v for v in self.variables if isinstance(v.type, NumType))

    @property
    def timed(self) -> bool:
        """True when time passes in delay steps (the model declares clocks)."""
        return any(isinstance(v.type, ClockType) for v in self.variables)

    def var(self, name: str) -> Var:
        """The variable called `name` (KeyError if none)."""
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)


DELAY = "delay"
"""The name of the implicit transition that lets time pass in clocked models."""

STUTTER = "(stopped)"
"""The step of a run that has stopped (models without clocks): nothing can happen, so the last state repeats."""

RESERVED_PREFIX = "__"
"""The start of the names pumpproof gives its own frame variables (the step taken, the delay): refused in models."""

BUILTIN_PREFIX = "MODEL."
"""Requirement ids starting with this name the questions pumpproof asks of every model (MODEL.RANGES, ...)."""


# ---------------------------------------------------------------- requirements


@dataclass(frozen=True)
class Requirement:
    """One requirement of a `.req` file: id, one-line text, source/trace tag, and formula.

    `formula_text` is the formula as written; `formula_parsed` is how the parser grouped it, fully
    parenthesised, so that a reader can see a misreading (None for built-in requirements).
    """

    id: str
    text: str
    source: str
    formula: Expr
    formula_text: str
    formula_parsed: str | None = None
    loc: Location | None = field(default=None, compare=False, repr=False)

    @property
    def parsed_differs(self) -> bool:
        """True when the text leaves some grouping to operator precedence: reports then show `formula_parsed`."""
        if self.formula_parsed is None:
            return False
        return "".join(self.formula_parsed.split()) != "".join(self.formula_text.split())


@dataclass(frozen=True)
class RequirementSet:
    """The requirements of one `.req` file, in file order."""

    path: str
    requirements: tuple[Requirement, ...]
    source: SourceFile | None = field(default=None, compare=False, repr=False)
    """The requirement file as parsed (None for requirements built in memory)."""
