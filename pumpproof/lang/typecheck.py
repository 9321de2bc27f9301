"""Expressions from surface syntax to typed IR: name resolution, type checking, expansion and constant folding.

Shared by models and requirements: a Scope says what names mean, a Checker turns one expression at a
time into IR, with every node typed, every constant folded, `any`/`all` expanded and defines inlined.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

from pumpproof.errors import InputError
from pumpproof.lang import syntax as s
from pumpproof.lang.ir import (
    BOOL,
    MAX_INT,
    NUM,
    RESERVED_PREFIX,
    Binary,
    BoolType,
    ClockType,
    Const,
    EnumType,
    Expr,
    Fired,
    Ite,
    Op,
    Origin,
    Temporal,
    TemporalOp,
    Transition,
    TransitionSystem,
    Type,
    Unary,
    Var,
    VarKind,
    VarRef,
    balanced,
    is_numeric,
)
from pumpproof.lang.location import Location
from pumpproof.lang.walk import Memo, depth, rewrite

MAX_EXPANSION = 10_000
"""The most elements an array, a parameter range or an `any`/`all` may expand to."""
MAX_NODES = 2_000_000
"""The most expression nodes elaborating one file may visit in total: expansions multiply (an `any` inside an
`any`, a family of transitions each assigning a whole array), so each level's limit alone does not bound them."""
MAX_DEPTH = 100
"""The deepest an expression may nest, as written and once its defines are expanded: this checker, hashing and
printing recurse on expressions. Long `and`/`or` chains and `any`/`all` are balanced, so they count only
logarithmically."""
CHAINS = frozenset({"and", "or"})
"""Associative operators whose left-nested chains (`a and b and c ...`) are rebalanced."""

OPS = {
    "not": Op.NOT, "neg": Op.NEG, "and": Op.AND, "or": Op.OR, "->": Op.IMPLIES, "<->": Op.IFF,
    "==": Op.EQ, "!=": Op.NE, "<": Op.LT, "<=": Op.LE, ">": Op.GT, ">=": Op.GE,
    "+": Op.ADD, "-": Op.SUB, "*": Op.MUL, "min": Op.MIN, "max": Op.MAX,
}  # fmt: skip
TEMPORAL = {
    "always": Temporal.ALWAYS, "eventually": Temporal.EVENTUALLY, "next": Temporal.NEXT, "until": Temporal.UNTIL,
    "weak-until": Temporal.WEAK_UNTIL, "release": Temporal.RELEASE, "since": Temporal.SINCE,
    "previously": Temporal.PREVIOUSLY, "once": Temporal.ONCE, "historically": Temporal.HISTORICALLY,
}  # fmt: skip
PATTERNS = {"response", "recurrence", "persistence"}
"""Shorthands: response(p, q) is always (p -> eventually q); recurrence(p) is always eventually p;
persistence(p) is eventually always p."""
REQUIREMENT_ONLY = frozenset(TEMPORAL) | {"never", "within", "rise", "fall", "held"} | PATTERNS
FOLD: dict[Op, Callable[..., Any]] = {
    Op.NOT: operator.not_, Op.NEG: operator.neg, Op.AND: lambda a, b: a and b, Op.OR: lambda a, b: a or b,
    Op.IMPLIES: lambda a, b: not a or b, Op.IFF: operator.eq, Op.EQ: operator.eq, Op.NE: operator.ne,
    Op.LT: operator.lt, Op.LE: operator.le, Op.GT: operator.gt, Op.GE: operator.ge, Op.ADD: operator.add,
    Op.SUB: operator.sub, Op.MUL: operator.mul, Op.MIN: min, Op.MAX: max,
}  # fmt: skip
INDEX_HINT = "indices must be constants or parameters; to select by a variable v write any i in lo..hi: v == i and a[i]"


def describe(t: Type) -> str:
    """A type in words, for messages: 'bool', 'an integer', 'a clock', 'a value of enumeration Mode'."""
    if isinstance(t, BoolType):
        return "bool"
    if isinstance(t, ClockType):
        return "a clock"
    if isinstance(t, EnumType):
        return f"a value of enumeration {t.name}"
    return "an integer"


def assignable(target: Type, value: Type) -> bool:
    """True when a value of type `value` may be stored in a variable of type `target` (clocks take integers)."""
    if isinstance(target, BoolType | EnumType):
        return target == value
    return is_numeric(value)


def suggest(name: str, candidates: Iterable[str]) -> str:
    """The text "; did you mean 'x'?" for the closest candidate, or nothing."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def base_name(flat: str) -> str:
    """`occluded` for `occluded[1]`."""
    return flat.split("[", 1)[0]


def family_name(flat: str) -> str:
    """`take` for `take[0]`, `detector[1].take` for `detector[1].take[0]`: the name without its last index."""
    return re.sub(r"\[-?\d+\]$", "", flat)


def member_key(origin: Origin) -> str:
    """The name of one part's transition as requirements write it: `manager.raise`, `take[0]` at the top level."""
    return f"{origin.instance}.{origin.transition}" if origin.instance else origin.transition


def transition_names(
    transitions: Iterable[Transition],
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The names `fired(...)` and `fairness` accept, each with the part transitions (member keys) it covers, and
    per member key the flat transitions it takes part in (several when it synchronises with others).

    A member `detector[1].take[0]` is also found as its family `detector[1].take`, across the instance array as
    `detector.take[0]` and `detector.take`, and in any instance by its template name, `take[0]` and `take`."""
    members: dict[str, dict[str, None]] = {}
    steps: dict[str, dict[str, None]] = {}
    for t in transitions:
        for origin in t.origins or (Origin("", t.name),):
            key = member_key(origin)
            steps.setdefault(key, {})[t.name] = None
            local = (origin.transition, family_name(origin.transition))
            names = set(local)
            if origin.instance:
                array = re.sub(r"\[-?\d+\]", "", origin.instance)
                names |= {f"{inst}.{n}" for inst in (origin.instance, array) for n in local}
            for name in names:
                members.setdefault(name, {})[key] = None
    return {k: tuple(v) for k, v in members.items()}, {k: tuple(v) for k, v in steps.items()}


def refired(system: TransitionSystem, e: Expr) -> Expr:
    """`e` with each `fired(...)` naming the flat steps of `system` its part transitions take part in: a model
    composed again from changed parts (a mutant) has other steps than the one the requirement was read against
    (a broadcast's receiver disabled adds the sender's step alone)."""
    steps = _steps_of(system)

    def fn(n: Expr) -> Expr | None:
        return replace(n, transitions=steps(n.members)) if isinstance(n, Fired) and n.members else None

    return rewrite(e, fn)


def refair(system: TransitionSystem) -> TransitionSystem:
    """`system` with each fairness assumption on a transition naming the flat steps it takes part in now."""
    steps = _steps_of(system)
    fairness = tuple(replace(f, transitions=steps(f.members)) if f.members else f for f in system.fairness)
    return replace(system, fairness=fairness)


def _steps_of(system: TransitionSystem) -> Callable[[tuple[str, ...]], tuple[str, ...]]:
    """The flat steps of `system` that part transitions (member keys) take part in, each step once."""
    _, steps = transition_names(system.transitions)
    return lambda members: tuple(dict.fromkeys(t for m in members for t in steps.get(m, ())))


@dataclass
class Scope:
    """What names mean while elaborating a file: everything declared so far, variables and defines by flattened name."""

    consts: dict[str, int | bool] = field(default_factory=dict)
    types: dict[str, EnumType] = field(default_factory=dict)
    enum_values: dict[str, EnumType] = field(default_factory=dict)
    variables: dict[str, Var] = field(default_factory=dict)
    defines: dict[str, Expr] = field(default_factory=dict)
    families: dict[str, range] = field(default_factory=dict)
    """Arrays and parameterised defines: base name -> valid indices."""
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The names of transitions (`raise`, `manager.raise`, a family's name) -> the part transitions they cover."""
    steps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """A part transition (`manager.raise`) -> the flat transitions it takes part in."""
    instances: dict[str, Location | None] = field(default_factory=dict)
    """The instances below this scope, by path (`detector[1]`, `pump.valve`)."""
    declared: dict[str, tuple[str, Location | None]] = field(default_factory=dict)
    """Every name in the file's namespace -> what it is ('a constant') and where it was declared."""
    pending: dict[str, Location] = field(default_factory=dict)
    """Names declared further down the file, to tell 'declared too late' from 'unknown'."""

    def child(self, pending: Mapping[str, Location]) -> Scope:
        """A copy to elaborate one instance in: it sees everything declared so far, and what it declares stays in it;
        `pending` are the names its component declares."""
        return Scope(
            dict(self.consts), dict(self.types), dict(self.enum_values), dict(self.variables), dict(self.defines),
            dict(self.families), declared=dict(self.declared), pending={**self.pending, **pending},
        )  # fmt: skip

    @classmethod
    def of_system(cls, system: TransitionSystem) -> Scope:
        """The names an elaborated model offers to its requirement files."""
        scope = cls(consts=dict(system.constants), defines=dict(system.defines))
        scope.members, scope.steps = transition_names(system.transitions)
        scope.declared = {n: ("a constant", None) for n in system.constants}
        for enum in system.enums:
            scope.enum_values.update(dict.fromkeys(enum.values, enum))
            scope.declared.update(dict.fromkeys(enum.values, (f"a value of enumeration {enum.name}", None)))
        for v in system.variables:
            scope.variables[v.name] = v
        parts = [o.instance for t in system.transitions for o in t.origins]
        for flat in [*scope.variables, *scope.defines, *parts]:
            *path, _ = flat.split(".")  # the instances a qualified name lies in: `a` and `a.b` for `a.b.x`
            scope.instances.update(dict.fromkeys((".".join(path[: i + 1]) for i in range(len(path))), None))
        for v in system.variables:
            if "." not in v.name:
                scope.declared[base_name(v.name)] = ("an input" if v.kind is VarKind.INPUT else "a variable", v.loc)
        for d in system.defines:
            if "." not in d:
                scope.declared[base_name(d)] = ("a define", system.defines[d].loc)
        for flat in [*scope.variables, *scope.defines]:
            if m := re.fullmatch(r"(\w+)\[(-?\d+)\]", flat):
                old = scope.families.get(m[1], range(int(m[2]), int(m[2]) + 1))
                scope.families[m[1]] = range(min(old.start, int(m[2])), max(old.stop, int(m[2]) + 1))
        return scope


class Checker:
    """Turns surface expressions into typed, folded IR against a Scope; raises `error` with a location."""

    def __init__(self, scope: Scope, error: type[InputError], requirements: bool) -> None:
        self.scope = scope
        self.error = error
        self.requirements = requirements
        self.nesting = 0
        """How many `expr` calls are open: the syntax depth of the node being elaborated."""
        self.visited = 0
        """Expression nodes elaborated so far, against MAX_NODES."""
        self.expansions: list[Location] = []
        """The expansions in progress (parameterised declarations, any/all), outermost first."""
        self.depths: Memo[int] = {}
        """The depth of every expression elaborated, so shared defines are measured once."""

    def fail(self, message: str, loc: Location | None, hint: str | None = None) -> NoReturn:
        """Raise this file's error class."""
        raise self.error(message, loc, hint)

    # ------------------------------------------------------------ names and declarations

    def declare(self, name: str, what: str, loc: Location) -> None:
        """Enter `name` into the namespace, rejecting duplicates and the names reserved for pumpproof's own."""
        if name.startswith(RESERVED_PREFIX):
            hint = f"choose a name that does not start with '{RESERVED_PREFIX}'"
            own = f"names starting with '{RESERVED_PREFIX}' are pumpproof's own (the step taken, the delay)"
            self.fail(f"'{name}': {own}", loc, hint)
        if name in self.scope.declared:
            old, where = self.scope.declared[name]
            line = f" on line {where.line}" if where else " in the model"
            self.fail(f"'{name}' is already declared as {old}{line}", loc, "choose a different name")
        self.scope.declared[name] = (what, loc)
        self.scope.pending.pop(name, None)

    def define(self, d: s.DefineDecl) -> dict[str, Expr]:
        """Elaborate `define name = e` (or one member per parameter value), make it usable and return it by name."""
        if d.param is None:
            bodies = {d.name: self.expr(d.body, {})}
            self.declare(d.name, "a define", d.loc)
            self.scope.defines.update(bodies)
            return bodies
        indices = self.values(d.param, {})
        with self.expanding(d.loc, d.param):
            bodies = {f"{d.name}[{v}]": self.expr(d.body, {d.param.name: v}) for v in indices}
        self.declare(d.name, "a define", d.loc)
        self.scope.families[d.name] = indices
        self.scope.defines.update(bodies)
        return bodies

    @contextmanager
    def expanding(self, loc: Location, param: s.Param | None) -> Iterator[None]:
        """Within it, the construct at `loc` expands once per value of `param` (nothing without one): a model too
        large to elaborate is reported at the outermost expansion in progress."""
        if param is None:
            yield
            return
        self.expansions.append(loc)
        try:
            yield
        finally:
            self.expansions.pop()

    def bindings(self, param: s.Param | None) -> list[dict[str, int]]:
        """One parameter binding per copy of a parameterised declaration (one empty binding without parameter)."""
        return [{}] if param is None else [{param.name: v} for v in self.values(param, {})]

    def values(self, p: s.Param, params: Mapping[str, int]) -> range:
        """The values of a parameter `p in lo..hi` (empty when lo > hi)."""
        name = p.name
        if name in params:
            self.fail(f"parameter '{name}' is already in use here", p.loc, "choose a different name")
        if name in self.scope.declared:
            what = self.scope.declared[name][0]
            self.fail(f"parameter '{name}' hides {what} of the same name", p.loc, "rename the parameter")
        lo = self.const_int(p.lo, params, f"the lower bound of '{name}'")
        hi = self.const_int(p.hi, params, f"the upper bound of '{name}'")
        if hi - lo >= MAX_EXPANSION:
            self.fail(f"the range {lo}..{hi} has more than {MAX_EXPANSION} values", p.loc, "use a smaller range")
        return range(lo, hi + 1)

    def unknown(self, name: str, loc: Location, noun: str = "name") -> NoReturn:
        """Explain why `name` does not resolve: a type, declared later, a transition, or a typo."""
        if name in self.scope.types:
            self.fail(f"'{name}' is a type, not a value", loc)
        if name in self.scope.pending:
            line = self.scope.pending[name].line
            self.fail(f"'{name}' is used before its declaration on line {line}", loc, "move the declaration up")
        if name in self.scope.members:
            self.fail(f"'{name}' is a transition, not a value", loc, f"write fired({name}) to test that it just fired")
        candidates = [*self.scope.declared, *self.scope.families]
        self.fail(f"unknown {noun} '{name}'{suggest(name, candidates)}", loc)

    # ------------------------------------------------------------ expressions

    def expr(self, e: s.SExpr, params: Mapping[str, int]) -> Expr:
        """The typed, folded IR of `e`, with parameters bound to `params`; within the limits on depth and size."""
        if self.nesting >= MAX_DEPTH:
            hint = "split it into defines, or use any/all over an array"
            self.fail(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", e.loc, hint)
        self.visited += 1
        if self.visited > MAX_NODES:
            where = self.expansions[0] if self.expansions else e.loc
            hint = "expansions multiply: use smaller ranges, fewer nested any/all, or fewer parameterised elements"
            self.fail(f"the model is too large: it expands to more than {MAX_NODES:,} expression nodes", where, hint)
        self.nesting += 1
        try:
            out = self.elaborate(e, params)
        finally:
            self.nesting -= 1
        self.shallow(out, e.loc)
        return out

    def shallow(self, out: Expr, loc: Location) -> None:
        """Refuse an expression that defines make too deep to walk (each define nesting the one before)."""
        height = depth(out, self.depths)
        if height > MAX_DEPTH:
            levels = f"{height} levels, at most {MAX_DEPTH}"
            hint = "combine defines side by side rather than each from the one before"
            self.fail(f"the expression is nested too deeply once its defines are expanded ({levels})", loc, hint)

    def elaborate(self, e: s.SExpr, params: Mapping[str, int]) -> Expr:
        """The IR of one syntax node (`expr` adds the limits)."""
        match e:
            case s.Lit(value=bool(b)):
                return Const(b, BOOL, e.loc)
            case s.Lit(value=int(i)):
                return self.bounded(Const(i, NUM, e.loc))
            case s.Name():
                return self.name(e, params)
            case s.Index():
                return self.index(e, params)
            case s.Quant():
                return self.quantifier(e, params)
            case s.FiredRef():
                return self.fired(e, params)
            case s.Member():
                return self.member(e, params)
            case s.Apply() if e.op in REQUIREMENT_ONLY:
                if not self.requirements:
                    self.fail(f"'{e.op}' is a temporal operator: it can only be used in requirement files", e.loc)
                return self.temporal(e, params)
            case s.Apply():
                return self.apply(e, params)
        raise AssertionError(e)

    def boolean(self, e: s.SExpr, params: Mapping[str, int], what: str) -> Expr:
        """`e` elaborated, required to be bool (`what` names it in the error)."""
        out = self.expr(e, params)
        if not isinstance(out.type, BoolType):
            self.fail(f"{what} must be bool, found {describe(out.type)}", e.loc)
        return out

    def constant(self, e: s.SExpr, params: Mapping[str, int], what: str, hint: str | None = None) -> Const:
        """`e` elaborated, required to fold to a constant."""
        out = self.expr(e, params)
        if not isinstance(out, Const):
            self.fail(f"{what} must be a constant expression", e.loc, hint or "use literals, constants and parameters")
        return out

    def const_int(self, e: s.SExpr, params: Mapping[str, int], what: str, hint: str | None = None) -> int:
        """`e` elaborated, required to be a constant integer."""
        out = self.constant(e, params, what, hint)
        if not is_numeric(out.type):
            self.fail(f"{what} must be an integer, found {describe(out.type)}", e.loc)
        assert isinstance(out.value, int)
        return out.value

    def name(self, e: s.Name, params: Mapping[str, int]) -> Expr:
        scope, n = self.scope, e.name
        if n in params:
            return Const(params[n], NUM, e.loc)
        if n in scope.consts:
            value = scope.consts[n]
            return Const(value, BOOL if isinstance(value, bool) else NUM, e.loc)
        if n in scope.enum_values:
            return Const(n, scope.enum_values[n], e.loc)
        if n in scope.variables:
            return VarRef(scope.variables[n].name, scope.variables[n].type, e.loc)
        if n in scope.defines:
            return scope.defines[n]
        if n in scope.families:
            r = scope.families[n]
            hint = f"indices run {r.start}..{r.stop - 1}; any i in {r.start}..{r.stop - 1}: {n}[i] tests them all"
            self.fail(f"'{n}' is an array: write {n}[i] for one element", e.loc, hint)
        self.unknown(n, e.loc)

    def index(self, e: s.Index, params: Mapping[str, int]) -> Expr:
        if e.name not in self.scope.families:
            if e.name in self.scope.declared or e.name in params:
                self.fail(f"'{e.name}' is not an array", e.loc)
            self.unknown(e.name, e.loc)
        i = self.const_int(e.index, params, f"the index of '{e.name}'", INDEX_HINT)
        flat = f"{e.name}[{i}]"
        if flat in self.scope.variables:
            return VarRef(self.scope.variables[flat].name, self.scope.variables[flat].type, e.loc)
        if flat in self.scope.defines:
            return self.scope.defines[flat]
        r = self.scope.families[e.name]
        hint = f"valid indices are {r.start}..{r.stop - 1}"
        self.fail(f"index {i} is out of range for '{e.name}'", e.index.loc, hint)

    def quantifier(self, e: s.Quant, params: Mapping[str, int]) -> Expr:
        values = self.values(e.param, params)
        if not values:
            return Const(e.kind == "all", BOOL, e.loc)
        with self.expanding(e.loc, e.param):
            terms = [self.boolean(e.body, {**params, e.param.name: v}, f"the body of '{e.kind}'") for v in values]
        return joined(Op.OR if e.kind == "any" else Op.AND, terms, e.loc)

    def fired(self, e: s.FiredRef, params: Mapping[str, int]) -> Expr:
        if not self.requirements:
            self.fail("fired(...) can only be used in requirement files", e.loc, "a model tests its own state instead")
        return Fired(self.transitions(e, params), loc=e.loc, members=self.members(e, params))

    def transitions(self, e: s.FiredRef, params: Mapping[str, int]) -> tuple[str, ...]:
        """The flat transitions a name covers: itself, every member of a family, the indexed member, or every
        synchronisation a part's transition takes part in."""
        return tuple(dict.fromkeys(t for m in self.members(e, params) for t in self.scope.steps[m]))

    def members(self, e: s.FiredRef, params: Mapping[str, int]) -> tuple[str, ...]:
        """The part transitions (member keys, see `transition_names`) that `e` names."""
        return self.resolve_fired(self.fired_name(e, params), e)

    def fired_name(self, e: s.FiredRef, params: Mapping[str, int]) -> str:
        """The name `e` writes, its indices evaluated: `detector[1].take[0]`."""
        name = self.path(e.path, params) + e.name
        if e.index is None:
            return name
        return f"{name}[{self.const_int(e.index, params, f'the index of transition {name!r}', INDEX_HINT)}]"

    def resolve_fired(self, name: str, e: s.FiredRef) -> tuple[str, ...]:
        """The part transitions called `name` (written at `e`), or an error that says why there are none."""
        if name in self.scope.members:
            return self.scope.members[name]
        family = family_name(name)
        if family != name and self.scope.members.get(family, (family,)) != (family,):
            assert e.index is not None
            self.fail(f"transition family '{family}' has no member {name[len(family) + 1 : -1]}", e.index.loc)
        if family != name and family in self.scope.members:
            self.fail(f"transition '{family}' is not a family", e.loc, f"write fired({family})")
        self.fail(f"unknown transition '{family}'{suggest(family, self.scope.members)}", e.loc)

    def path(self, segments: tuple[s.Segment, ...], params: Mapping[str, int]) -> str:
        """The instance path `detector[1].` (with its dot) that `segments` write, indices evaluated; '' for none."""
        out = ""
        for seg in segments:
            out += seg.name
            if seg.index is not None:
                out += f"[{self.const_int(seg.index, params, f'the index of instance {out!r}', INDEX_HINT)}]"
            out += "."
        return out

    def member(self, e: s.Member, params: Mapping[str, int]) -> Expr:
        """A variable or define of an instance, by its path: `detector[1].armed`."""
        prefix = self.path(e.path, params)
        instance = prefix[:-1]
        if instance not in self.scope.instances:
            known = suggest(instance, self.scope.instances)
            self.fail(f"unknown instance '{instance}'{known}", e.path[0].loc, "instances are declared with 'instance'")
        flat = prefix + e.name
        if e.index is not None:
            flat += f"[{self.const_int(e.index, params, f'the index of {flat!r}', INDEX_HINT)}]"
        if flat in self.scope.variables:
            return VarRef(self.scope.variables[flat].name, self.scope.variables[flat].type, e.loc)
        if flat in self.scope.defines:
            return self.scope.defines[flat]
        inside = [n[len(prefix) :] for n in [*self.scope.variables, *self.scope.defines] if n.startswith(prefix)]
        local = flat[len(prefix) :]
        self.fail(f"instance '{instance}' has no variable or define '{local}'{suggest(local, inside)}", e.loc)

    def time_bound(self, e: s.SExpr, params: Mapping[str, int], what: str, example: str) -> int:
        """The time bound `e` of a timed operator, required to be a constant integer that is not negative."""
        hint = f"write a constant number of time units, e.g. {example}"
        bound = self.const_int(e, params, what, hint)
        if bound < 0:
            self.fail(f"{what} must not be negative, found {bound}", e.loc)
        return bound

    def temporal(self, e: s.Apply, params: Mapping[str, int]) -> Expr:
        if e.op == "within":
            body = self.boolean(e.args[0], params, "the left operand of 'within'")
            bound = self.time_bound(e.args[1], params, "the bound of 'within'", "within T_DETECT_MS")
            return TemporalOp(Temporal.EVENTUALLY, (body,), bound, loc=e.loc)
        if e.op == "held":
            body = self.boolean(e.args[0], params, "the formula of 'held'")
            bound = self.time_bound(e.args[1], params, "the duration of 'held'", "held(occluded, T_DETECT_MS)")
            return TemporalOp(Temporal.HELD, (body,), bound, loc=e.loc)
        args = tuple(self.boolean(a, params, f"the operand of '{e.op}'") for a in e.args)
        if e.op == "never":
            return TemporalOp(Temporal.ALWAYS, (Unary(Op.NOT, args[0], BOOL, e.loc),), loc=e.loc)
        if e.op in PATTERNS:
            return pattern(e.op, args, e.loc)
        if e.op in ("rise", "fall"):
            now, before = args[0], TemporalOp(Temporal.PREVIOUSLY, args, loc=e.loc)
            if e.op == "rise":
                return Binary(Op.AND, now, Unary(Op.NOT, before, BOOL, e.loc), BOOL, e.loc)
            return Binary(Op.AND, Unary(Op.NOT, now, BOOL, e.loc), before, BOOL, e.loc)
        return TemporalOp(TEMPORAL[e.op], args, loc=e.loc)

    def apply(self, e: s.Apply, params: Mapping[str, int]) -> Expr:
        syntax = _chain(e) if e.op in CHAINS else e.args
        args = tuple(self.expr(a, params) for a in syntax)
        for a, sa in zip(args, syntax, strict=True):
            if isinstance(a.type, ClockType) and e.op not in ("==", "!=", "<", "<=", ">", ">="):
                name = a.name if isinstance(a, VarRef) else "a clock"
                hint = f"compare it with an integer expression instead, e.g. {name} >= T"
                self.fail(f"clock '{name}' cannot be used with '{e.op}'", sa.loc, hint)
        if e.op == "if":
            return self.ite(e, args)
        if e.op in ("/", "%"):
            return self.divide(e, args)
        op = OPS[e.op]
        if op in (Op.NOT, Op.AND, Op.OR, Op.IMPLIES, Op.IFF):
            self.operands(e.op, args, syntax, boolean=True)
            result_type: Type = BOOL
        elif op in (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE):
            self.comparable(e, args[0], args[1])
            result_type = BOOL
        else:
            self.operands(e.op, args, syntax, boolean=False)
            result_type = NUM
        if e.op in CHAINS:
            return joined(op, args, e.loc)
        if len(args) == 1:
            return self.bounded(fold(Unary(op, args[0], result_type, e.loc)))
        return self.bounded(fold(Binary(op, args[0], args[1], result_type, e.loc)))

    def operands(self, op: str, args: tuple[Expr, ...], syntax: tuple[s.SExpr, ...], boolean: bool) -> None:
        for a, sa in zip(args, syntax, strict=True):
            if not (isinstance(a.type, BoolType) if boolean else is_numeric(a.type)):
                shown, noun = ("-" if op == "neg" else op), ("bool" if boolean else "an integer")
                self.fail(f"the operand of '{shown}' must be {noun}, found {describe(a.type)}", sa.loc)

    def bounded(self, e: Expr) -> Expr:
        """`e`, refused if it is an integer constant beyond MAX_INT (a literal, or one folded from others)."""
        if isinstance(e, Const) and type(e.value) is int and abs(e.value) > MAX_INT:
            hint = f"integer constants are at most {MAX_INT} (2**63 - 1) in magnitude"
            self.fail("this integer constant is too large", e.loc, hint)
        return e

    def comparable(self, e: s.Apply, left: Expr, right: Expr) -> None:
        lt, rt = left.type, right.type
        if isinstance(lt, ClockType) and isinstance(rt, ClockType):
            hint = "compare each clock with a constant or an integer expression instead"
            self.fail("two clocks cannot be compared with each other", e.loc, hint)
        if isinstance(lt, ClockType) or isinstance(rt, ClockType):
            other, loc = (right, e.args[1].loc) if isinstance(lt, ClockType) else (left, e.args[0].loc)
            if not is_numeric(other.type):
                self.fail(f"a clock can only be compared with an integer, found {describe(other.type)}", loc)
            return
        if is_numeric(lt) and is_numeric(rt):
            return
        if lt == rt and e.op in ("==", "!="):
            return
        if isinstance(lt, EnumType) and isinstance(rt, EnumType) and lt != rt:
            self.fail(f"cannot compare enumerations {lt.name} and {rt.name}: their values never match", e.loc)
        if lt == rt:
            self.fail(f"'{e.op}' needs integers: {describe(lt)} can only be compared with == and !=", e.loc)
        self.fail(f"cannot compare {describe(lt)} with {describe(rt)}", e.loc)

    def ite(self, e: s.Apply, args: tuple[Expr, ...]) -> Expr:
        cond, then, orelse = args
        if not isinstance(cond.type, BoolType):
            self.fail(f"the condition of 'if' must be bool, found {describe(cond.type)}", e.args[0].loc)
        if is_numeric(then.type) and is_numeric(orelse.type):
            result_type: Type = NUM
        elif then.type == orelse.type:
            result_type = then.type
        else:
            found = f"{describe(then.type)} and {describe(orelse.type)}"
            self.fail(f"the branches of 'if' must have the same type, found {found}", e.loc)
        return fold(Ite(cond, then, orelse, result_type, e.loc))

    def divide(self, e: s.Apply, args: tuple[Expr, ...]) -> Expr:
        self.operands(e.op, args, e.args, boolean=False)
        left, right = args
        if not isinstance(left, Const) or not isinstance(right, Const):
            hint = "division and remainder are computed when the model is loaded, so both sides must be constants"
            self.fail(f"'{e.op}' is only allowed in constant expressions", e.loc, hint)
        if right.value == 0:
            self.fail("division by zero", e.args[1].loc)
        assert isinstance(left.value, int) and isinstance(right.value, int)
        value = left.value // right.value if e.op == "/" else left.value % right.value
        return Const(value, NUM, e.loc)


def _chain(e: s.Apply) -> tuple[s.SExpr, ...]:
    """The operands of a left-nested chain `a op b op c ...` in order, found without recursion."""
    operands: list[s.SExpr] = []
    node: s.SExpr = e
    while isinstance(node, s.Apply) and node.op == e.op:
        operands.append(node.args[1])
        node = node.args[0]
    operands.append(node)
    return tuple(reversed(operands))


def joined(op: Op, terms: Sequence[Expr], loc: Location | None) -> Expr:
    """Boolean `terms` (at least one) joined by `op` as a balanced tree, folding constants."""
    return balanced(terms, lambda a, b: fold(Binary(op, a, b, BOOL, loc)))


def fold(e: Unary | Binary | Ite) -> Expr:
    """`e` evaluated to a Const when all its operands are constants, else `e` itself."""
    match e:
        case Unary(arg=Const() as a):
            value = FOLD[e.op](a.value)
        case Binary(left=Const() as a, right=Const() as b):
            value = FOLD[e.op](a.value, b.value)
        case Ite(cond=Const(value=c), then=Const() as a, orelse=Const() as b):
            return Const((a if c else b).value, e.type, e.loc)
        case _:
            return e
    return Const(value, BOOL if isinstance(value, bool) else NUM, e.loc)


def pattern(name: str, args: tuple[Expr, ...], loc: Location | None) -> Expr:
    """The LTL formula a pattern shorthand stands for (see PATTERNS)."""
    if name == "response":
        p, q = args
        later = TemporalOp(Temporal.EVENTUALLY, (q,), loc=loc)
        return TemporalOp(Temporal.ALWAYS, (Binary(Op.IMPLIES, p, later, BOOL, loc),), loc=loc)
    always, eventually = Temporal.ALWAYS, Temporal.EVENTUALLY
    inner, outer = (eventually, always) if name == "recurrence" else (always, eventually)
    return TemporalOp(outer, (TemporalOp(inner, args, loc=loc),), loc=loc)
