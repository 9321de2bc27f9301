"""Models from surface syntax to a TransitionSystem: declarations in order, arrays and parameters expanded.

Expressions go through the shared Checker (typecheck.py); this module adds what only models have:
constants with `-D` overrides, types and initial values, transitions and their updates, and the
rules for clocks in invariants (upper bounds only, so that the reachable delays form an interval).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from fractions import Fraction

from pumpproof.errors import ModelError, UsageError
from pumpproof.lang import syntax as s
from pumpproof.lang.compose import RECEIVED, synchronise
from pumpproof.lang.ir import (
    BOOL,
    CLOCK,
    DELAY,
    MAX_INT,
    NUM,
    Channel,
    ClockType,
    Const,
    EnumType,
    Expr,
    Fairness,
    FairnessKind,
    Half,
    IntType,
    Op,
    Origin,
    Transition,
    TransitionSystem,
    Type,
    Update,
    Var,
    VarKind,
    VarRef,
    is_numeric,
)
from pumpproof.lang.location import Location
from pumpproof.lang.typecheck import (
    INDEX_HINT,
    MAX_EXPANSION,
    Checker,
    Scope,
    assignable,
    describe,
    suggest,
    transition_names,
)
from pumpproof.lang.walk import clock_comparison, nodes, polar_comparisons, substitute

KINDS = {"var": "a variable", "input": "an input", "clock": "a clock"}
CONSTRAINTS = {"assume": "an assumption", "invariant": "an invariant", "terminal": "a terminal condition"}


def elaborate_model(
    model: s.ModelSyntax, default_name: str, overrides: Mapping[str, str] | None = None
) -> TransitionSystem:
    """Resolve, expand and type-check a parsed or built model; `overrides` are `-D NAME=VALUE` constants."""
    return _Model(model, overrides or {}).build(default_name)


class _Model:
    def __init__(self, model: s.ModelSyntax, overrides: Mapping[str, str]) -> None:
        self.model = model
        self.overrides = overrides
        self.root = self.scope = Scope(pending=_declared_names(model.decls))
        self.check = Checker(self.scope, ModelError, requirements=False)
        self.prefix = ""
        """The path of the instance being elaborated, with a trailing dot ('' at the top level)."""
        self.active: list[str] = []
        """The components being instantiated, outermost first (a component may not instantiate itself)."""
        self.components: dict[str, s.ComponentDecl] = {}
        self.channels: dict[str, Channel] = {}
        self.variables: dict[str, Var] = {}
        self.defines: dict[str, Expr] = {}
        self.enums: list[EnumType] = []
        self.template_enums: dict[int, EnumType] = {}
        """The enumerations declared inside components, by their syntax node: one type for every instance."""
        self.transitions: dict[str, Transition] = {}
        self.halves: list[Half] = []
        self.declared_transitions: dict[str, Location] = {}
        self.assumptions: list[Expr] = []
        self.invariants: list[Expr] = []
        self.terminals: list[Expr] = []
        self.fair_decls: list[tuple[Scope, str, s.FairnessDecl]] = []

    def build(self, default_name: str) -> TransitionSystem:
        constants = [d.name for d in self.model.decls if isinstance(d, s.ConstDecl)]
        for name in self.overrides:
            if name not in constants:
                listed = ", ".join(constants) if constants else "none"
                raise UsageError(f"-D {name}: the model has no constant '{name}'{suggest(name, constants)}",
                                 self.model.loc, hint=f"constants of this model: {listed}")  # fmt: skip
        self.declarations(self.model.decls)
        transitions = [*self.transitions.values(), *synchronise(self.halves)]
        # Fairness may name any transition of the model, declared before or after it.
        self.root.members, self.root.steps = transition_names(transitions)
        fairness = [f for scope, prefix, d in self.fair_decls for f in self.fair(scope, prefix, d)]
        return TransitionSystem(
            name=self.model.name or default_name,
            constants=dict(self.root.consts),
            variables=tuple(self.variables.values()),
            transitions=tuple(transitions),
            assumptions=tuple(self.assumptions),
            invariants=tuple(self.invariants),
            terminals=tuple(self.terminals),
            defines=self.defines,
            enums=tuple(self.enums),
            fairness=tuple(fairness),
            halves=tuple(self.halves),
            loc=self.model.loc,
        )

    def declarations(self, decls: tuple[s.Decl, ...]) -> None:
        """Elaborate declarations in order, at the top level or in the instance being elaborated."""
        for d in decls:
            match d:
                case s.ConstDecl():
                    self.constant(d)
                case s.TypeDecl():
                    self.check.declare(d.name, "a type", d.loc)
                    self.scope.types[d.name] = self.enum(d.name, d.enum)
                case s.VarDecl():
                    self.variable(d)
                case s.DefineDecl():
                    self.defines.update({self.prefix + n: e for n, e in self.check.define(d).items()})
                case s.ConstraintDecl():
                    with self.check.expanding(d.loc, d.param):
                        self.constraint(d)
                case s.TransitionDecl():
                    with self.check.expanding(d.loc, d.param):
                        self.transition(d)
                case s.FairnessDecl():
                    self.fair_decls.append((self.scope, self.prefix, d))
                case s.ChannelDecl() | s.ComponentDecl() if self.prefix:
                    hint = "declare it at the top level of the model: components share channels and templates"
                    what = "channels" if isinstance(d, s.ChannelDecl) else "components"
                    self.check.fail(f"{what} cannot be declared inside a component", d.loc, hint)
                case s.ChannelDecl():
                    self.channel(d)
                case s.ComponentDecl():
                    self.check.declare(d.name, "a component", d.loc)
                    self.components[d.name] = d
                case s.InstanceDecl():
                    with self.check.expanding(d.loc, d.param):
                        self.instance(d)

    # ------------------------------------------------------------ declarations

    def constant(self, d: s.ConstDecl) -> None:
        value = self.check.constant(d.value, {}, f"the value of constant '{d.name}'").value
        if isinstance(value, str | Fraction):  # a .pump literal is never a Fraction
            self.check.fail(f"constant '{d.name}' must be an integer or bool, found an enumeration value", d.value.loc)
        if d.name in self.overrides and not self.prefix:
            value = _override(d.name, self.overrides[d.name], value)
        self.check.declare(d.name, "a constant", d.loc)
        self.scope.consts[d.name] = value

    def enum(self, name: str, enum: s.EnumT) -> EnumType:
        """A new enumeration; in a component, one per template (`Detector.Phase`), its values shared by every
        instance and declared in the whole model."""
        if id(enum) in self.template_enums:
            result = self.template_enums[id(enum)]
            self.scope.enum_values.update(dict.fromkeys(result.values, result))
            return result
        result = EnumType(f"{self.active[-1]}.{name}" if self.active else name, tuple(v.name for v in enum.values))
        for v in enum.values:
            self.check.declare(v.name, f"a value of enumeration {result.name}", v.loc)
            for scope in {id(self.scope): self.scope, id(self.root): self.root}.values():
                scope.enum_values[v.name] = result
                scope.declared[v.name] = self.scope.declared[v.name]
        if self.active:
            self.template_enums[id(enum)] = result
        self.enums.append(result)
        return result

    def variable(self, d: s.VarDecl) -> None:
        size = self.size(d.size, f"array '{d.name}'")
        typ = CLOCK if d.type is None else self.type(d.type, d.name)
        init = Const(0, NUM, d.loc) if d.kind == "clock" else self.initial(d, typ)
        self.check.declare(d.name, KINDS[d.kind], d.loc)
        kind = VarKind.INPUT if d.kind == "input" else VarKind.STATE
        names = [d.name] if size is None else [f"{d.name}[{i}]" for i in range(size)]
        if size is not None:
            self.scope.families[d.name] = range(size)
        for n in names:
            self.scope.variables[n] = self.variables[self.prefix + n] = Var(self.prefix + n, typ, kind, init, d.loc)

    def size(self, size: s.SExpr | None, what: str) -> int | None:
        """The number of elements of an array (`what`: "array 'x'"), None for a single one."""
        if size is None:
            return None
        n = self.check.const_int(size, {}, f"the size of {what}")
        if not 1 <= n <= MAX_EXPANSION:
            self.check.fail(f"the size of {what} must be 1..{MAX_EXPANSION}, found {n}", size.loc)
        return n

    def type(self, t: s.TypeExpr, owner: str) -> Type:
        match t:
            case s.BoolT():
                return BOOL
            case s.RangeT():
                lo = self.check.const_int(t.lo, {}, "the lower bound of a range type")
                hi = self.check.const_int(t.hi, {}, "the upper bound of a range type")
                if lo > hi:
                    self.check.fail(f"the range {lo}..{hi} is empty", t.loc, "write the smaller bound first")
                return IntType(lo, hi)
            case s.EnumT():
                return self.enum(owner, t)
            case s.NamedT(name=name) if name in self.scope.types:
                return self.scope.types[name]
            case s.NamedT(name="int"):
                return NUM
            case s.NamedT(name="integer" | "nat"):
                hint = "write int for an unbounded integer, or lo..hi for a range, e.g. 0..100"
                self.check.fail(f"unknown type '{t.name}'", t.loc, hint)
            case s.NamedT(name=name) if name in self.scope.pending:
                self.check.unknown(name, t.loc)
        hint = "a type is bool, int, lo..hi, {A, B} or an enumeration declared with 'type'"
        self.check.fail(f"unknown type '{t.name}'{suggest(t.name, [*self.scope.types, 'bool'])}", t.loc, hint)

    def initial(self, d: s.VarDecl, typ: Type) -> Const | None:
        if d.init is None:
            return None
        hint = "use literals, constants and enumeration values; leave it out to allow any value"
        value = self.check.constant(d.init, {}, f"the initial value of '{d.name}'", hint)
        if not assignable(typ, value.type):
            found = f"must be {describe(typ)}, found {describe(value.type)}"
            self.check.fail(f"the initial value of '{d.name}' {found}", d.init.loc)
        if isinstance(typ, IntType) and not typ.lo <= int(value.value) <= typ.hi:
            self.check.fail(f"the initial value {value.value} of '{d.name}' is outside its range {typ}", d.init.loc)
        return value

    def constraint(self, d: s.ConstraintDecl) -> None:
        for binding in self.check.bindings(d.param):
            body = self.check.boolean(d.body, binding, CONSTRAINTS[d.kind])
            if d.kind == "assume":
                self.assumptions.append(body)
                continue
            for n in nodes(body):
                if isinstance(n, VarRef) and self.variables[n.name].kind is VarKind.INPUT:
                    hint = "invariants and terminal conditions describe states; constrain inputs with 'assume'"
                    self.check.fail(f"{CONSTRAINTS[d.kind]} cannot read input '{n.name}'", n.loc, hint)
            if d.kind == "terminal":
                self.terminals.append(body)
                continue
            self.upper_bounds(body)
            self.invariants.append(body)

    def upper_bounds(self, e: Expr) -> None:
        """Check that every clock comparison in invariant `e` is an upper bound once negations are pushed inward."""
        for cmp, positive in polar_comparisons(e):
            side = clock_comparison(cmp)
            if side is not None:
                self.clock_bound(side[0], side[1], positive, cmp.loc)

    def clock_bound(self, clock: Expr, op: Op, positive: bool, loc: Location | None) -> None:
        name = clock.name if isinstance(clock, VarRef) else "clock"
        hint = f"an invariant may only bound a clock from above ({name} <= T); put lower bounds in transition guards"
        if op in (Op.EQ, Op.NE):
            self.check.fail(f"an invariant cannot use '{op.value}' with clock '{name}'", loc, hint)
        if (op in (Op.LT, Op.LE)) != positive:
            self.check.fail(f"this invariant bounds clock '{name}' from below", loc, hint)

    def transition(self, d: s.TransitionDecl) -> None:
        if d.name == DELAY:
            self.check.fail(f"'{DELAY}' names the step that lets time pass", d.loc, "choose another transition name")
        for binding in self.check.bindings(d.param):
            member = d.name if d.param is None else f"{d.name}[{binding[d.param.name]}]"
            name = self.prefix + member
            if name in self.declared_transitions:
                line = f" (first declared on line {self.declared_transitions[name].line})"
                hint = "rename one of them, or make the parameter ranges of the family disjoint"
                self.check.fail(f"duplicate transition '{name}'{line}", d.loc, hint)
            self.declared_transitions[name] = d.loc
            with self.received(d.sync, binding) as (channel, value):
                guard: Expr = Const(True, BOOL, d.loc)
                if d.guard is not None:
                    guard = self.check.boolean(d.guard, binding, f"the guard of '{name}'")
                updates = self.updates(d, binding, name)
            role = "" if d.sync is None else "!" if d.sync.send else "?"
            channel_name, broadcast = (None, False) if channel is None else (channel.name, channel.broadcast)
            origin = Origin(self.prefix[:-1], member, channel_name, role, value, broadcast, d.loc)
            step = Transition(name, guard, updates, d.label, d.environment, d.loc, (origin,))
            if d.sync is None or channel is None:
                self.transitions[name] = step
            else:
                self.halves.append(Half(step, self.prefix[:-1], channel, d.sync.send, value))

    @contextmanager
    def received(self, sync: s.Sync | None, binding: dict[str, int]) -> Iterator[tuple[Channel | None, Expr | None]]:
        """Within it, the channel of a `sync` and the value a send sends; a receive's `c?(v)` names the value
        received `v` (RECEIVED until composition puts the sender's value in)."""
        if sync is None:
            yield None, None
            return
        channel = self.channel_of(sync, binding)
        what = f"channel '{channel.name}'"
        if sync.send and (sync.value is None) != (channel.type is None):
            hint = f"send with {sync.channel}!(value)" if channel.type else f"send with {sync.channel}!"
            carries = f"carries values of type {channel.type}" if channel.type else "carries no value"
            self.check.fail(f"{what} {carries}", sync.loc, hint)
        if sync.binding is not None and channel.type is None:
            self.check.fail(f"{what} carries no value", sync.binding.loc, f"receive with {sync.channel}?")
        value = None
        if sync.value is not None:
            assert channel.type is not None
            value = self.check.expr(sync.value, binding)
            if not assignable(channel.type, value.type) or isinstance(value.type, ClockType):
                self.check.fail(
                    f"{what} carries {describe(channel.type)}, found {describe(value.type)}", sync.value.loc
                )
        if sync.binding is None:
            yield channel, value
            return
        assert channel.type is not None
        name = sync.binding.name
        self.check.declare(name, f"the value received on {what}", sync.binding.loc)
        self.scope.variables[name] = Var(RECEIVED, channel.type, VarKind.STATE, None, sync.binding.loc)
        try:
            yield channel, value
        finally:
            del self.scope.variables[name], self.scope.declared[name]

    def channel_of(self, sync: s.Sync, binding: dict[str, int]) -> Channel:
        """The channel a `sync` names (an element of a channel array by its constant index)."""
        name = sync.channel
        if name not in self.channels and f"{name}[0]" not in self.channels:
            if name in self.scope.declared:
                self.check.fail(f"'{name}' is {self.scope.declared[name][0]}, not a channel", sync.loc)
            known = suggest(name, [c.split("[")[0] for c in self.channels])
            hint = f"declare it with 'chan {name}' (or 'broadcast chan {name}') at the top level"
            self.check.fail(f"unknown channel '{name}'{known}", sync.loc, hint)
        if sync.index is None:
            if name not in self.channels:
                self.check.fail(f"'{name}' is an array of channels: sync on one of them, e.g. {name}[0]", sync.loc)
            return self.channels[name]
        i = self.check.const_int(sync.index, binding, f"the index of channel '{name}'", INDEX_HINT)
        if f"{name}[{i}]" not in self.channels:
            what = "is not an array of channels" if name in self.channels else f"has no element {i}"
            self.check.fail(f"channel '{name}' {what}", sync.index.loc)
        return self.channels[f"{name}[{i}]"]

    def updates(self, d: s.TransitionDecl, binding: dict[str, int], name: str) -> tuple[Update, ...]:
        """The assignments of a transition as simultaneous updates; `seq` ones by substitution, each reading the
        values the assignments before it wrote (the elements of one parameterised assignment at once)."""
        updates: dict[str, Update] = {}
        for a in d.updates:
            element_bindings = [binding]
            if a.param is not None:
                element_bindings = [{**binding, a.param.name: v} for v in self.check.values(a.param, binding)]
            written = {target: u.value for target, u in updates.items()} if d.sequential else {}
            with self.check.expanding(a.loc, a.param):
                for element in element_bindings:
                    update = self.update(a, element)
                    if d.sequential:
                        update = Update(update.target, substitute(update.value, written), a.loc)
                        self.check.shallow(update.value, a.loc)
                    elif update.target in updates:
                        hint = "the assignments of a transition happen at once: keep one, or write 'seq' for 'do'"
                        self.check.fail(f"'{update.target}' is assigned twice in transition '{name}'", a.loc, hint)
                    updates[update.target] = update
        return tuple(updates.values())

    def fair(self, scope: Scope, prefix: str, d: s.FairnessDecl) -> list[Fairness]:
        """One fairness assumption per member of a named transition family, each over every synchronisation the
        member takes part in; or one for a condition. Its names are those of the part (`scope`) that states it."""
        self.scope = self.check.scope = scope
        try:
            if d.condition is not None:
                condition = self.check.boolean(d.condition, {}, "the fairness condition")
                return [Fairness(FairnessKind.INFINITELY, (), condition, d.text, loc=d.loc)]
            assert d.transition is not None
            name = prefix + self.check.fired_name(d.transition, {})
        finally:
            self.scope = self.check.scope = self.root
        kind = FairnessKind(d.kind)
        named = self.check.resolve_fired(name, d.transition)
        return [
            Fairness(kind, self.root.steps[m], None, f"fairness {kind.value} {m}", loc=d.loc, members=(m,))
            for m in named
        ]

    # ------------------------------------------------------------ composition

    def channel(self, d: s.ChannelDecl) -> None:
        """A channel, or one per element of a channel array (`ack[0]`, ...)."""
        size = self.size(d.size, f"channel array '{d.name}'")
        typ = None if d.type is None else self.type(d.type, d.name)
        self.check.declare(d.name, "a broadcast channel" if d.broadcast else "a channel", d.loc)
        for n in [d.name] if size is None else [f"{d.name}[{i}]" for i in range(size)]:
            self.channels[n] = Channel(n, d.broadcast, typ)

    def instance(self, d: s.InstanceDecl) -> None:
        """One part, or one per index of an instance array, each its component's declarations under its path."""
        component = self.component(d.component)
        size = self.size(d.size, f"instance array '{d.name}'")
        if len(d.args) != len(component.params):
            wanted = ", ".join(p.name for p in component.params) or "none"
            found = f"takes {len(component.params)} argument(s) ({wanted}), found {len(d.args)}"
            self.check.fail(f"component '{component.name}' {found}", d.component.loc)
        types = [self.param_type(p) for p in component.params]
        bindings = self.check.bindings(d.param) if size is None else [{} for _ in range(size)]
        self.check.declare(d.name, f"an instance of {component.name}", d.loc)
        for i, binding in enumerate(bindings):
            index = "" if d.param is None and size is None else f"[{binding[d.param.name] if d.param else i}]"
            args = [
                self.argument(a, p, typ, binding) for a, p, typ in zip(d.args, component.params, types, strict=True)
            ]
            self.part(component, d.name + index, args, d.loc)

    def component(self, ref: s.Name) -> s.ComponentDecl:
        """The component an instance names, refused when unknown or already being instantiated (recursion)."""
        if ref.name not in self.components:
            if ref.name in self.scope.pending:
                self.check.unknown(ref.name, ref.loc)
            hint = "declare it with 'component NAME ... end' before the instance"
            self.check.fail(f"unknown component '{ref.name}'{suggest(ref.name, self.components)}", ref.loc, hint)
        if ref.name in self.active:
            chain = " -> ".join([*self.active[self.active.index(ref.name) :], ref.name])
            hint = "a part cannot contain itself: instantiate the parts side by side at the top level"
            self.check.fail(f"component '{ref.name}' instantiates itself ({chain})", ref.loc, hint)
        return self.components[ref.name]

    def param_type(self, p: s.ComponentParam) -> Type:
        """The type of a component parameter: a named one, since an inline enumeration would be one per instance."""
        if isinstance(p.type, s.EnumT):
            self.check.fail(
                f"parameter '{p.name}' needs a named type",
                p.type.loc,
                "declare the enumeration with 'type' at the top level",
            )
        return self.type(p.type, p.name)

    def argument(self, arg: s.SExpr, p: s.ComponentParam, typ: Type, binding: dict[str, int]) -> Const:
        """The value of one instance argument: a constant of the parameter's type."""
        value = self.check.constant(
            arg, binding, f"the argument for parameter '{p.name}'", "use literals, constants and the instance index"
        )
        if not assignable(typ, value.type) or (isinstance(typ, IntType) and not typ.lo <= int(value.value) <= typ.hi):
            shown = str(value.value).lower() if isinstance(value.value, bool) else value.value
            self.check.fail(f"parameter '{p.name}' has type {typ}, the argument is {shown}", arg.loc)
        return value

    def part(self, component: s.ComponentDecl, name: str, args: list[Const], loc: Location) -> None:
        """Elaborate one instance `name` in a scope of its own; its parent then finds its names by path."""
        parent, prefix = self.scope, self.prefix
        child = parent.child(_declared_names(component.decls))
        self.scope = self.check.scope = child
        self.prefix = prefix + name + "."
        self.active.append(component.name)
        try:
            for p, value in zip(component.params, args, strict=True):
                self.check.declare(p.name, f"a parameter of component {component.name}", p.loc)
                child.defines[p.name] = value
            self.declarations(component.decls)
        finally:
            self.scope = self.check.scope = parent
            self.prefix = prefix
            self.active.pop()
        parent.instances[name] = loc
        parent.instances.update({f"{name}.{k}": v for k, v in child.instances.items()})
        parent.variables.update({f"{name}.{k}": v for k, v in child.variables.items() if k not in parent.variables})
        parent.defines.update({f"{name}.{k}": v for k, v in child.defines.items() if k not in parent.defines})

    def update(self, a: s.Assign, binding: dict[str, int]) -> Update:
        var = self.target(a.target, binding)
        if var.kind is VarKind.INPUT:
            hint = "the environment chooses inputs at every step; declare it with 'var' to make it state"
            self.check.fail(f"cannot assign to input '{var.name}'", a.target.loc, hint)
        value = self.check.expr(a.value, binding)
        if isinstance(var.type, ClockType):
            if not (isinstance(value, Const) and is_numeric(value.type) and int(value.value) >= 0):
                hint = f"write {var.name} := 0 (or another non-negative constant)"
                self.check.fail(f"clock '{var.name}' can only be reset to a non-negative constant", a.value.loc, hint)
        elif not assignable(var.type, value.type):
            found = f"'{var.name}' has type {var.type}, the value is {describe(value.type)}"
            self.check.fail(f"cannot assign this value: {found}", a.value.loc)
        return Update(var.name, value, a.loc)

    def target(self, t: s.Name | s.Index, binding: dict[str, int]) -> Var:
        """The variable an assignment writes, by flattened name."""
        base = t.name
        if base not in self.scope.declared:
            self.check.unknown(base, t.loc, "variable")
        what = self.scope.declared[base][0]
        if what not in KINDS.values():
            hint = "only variables and clocks can be assigned"
            self.check.fail(f"cannot assign to '{base}': it is {what}", t.loc, hint)
        if isinstance(t, s.Name) and base in self.scope.families:
            self.check.fail(f"'{base}' is an array: assign one element, e.g. {base}[0] := ...", t.loc)
        element = self.check.expr(t, binding)
        assert isinstance(element, VarRef)
        return self.variables[element.name]


def _override(name: str, text: str, default: int | bool) -> int | bool:
    """The value of `-D name=text`, of the same kind as the declared `default`."""
    text = text.strip()
    if isinstance(default, bool):
        if text not in ("true", "false"):
            raise UsageError(f"-D {name}={text}: '{name}' is a bool constant", hint="give true or false")
        return text == "true"
    if not re.fullmatch(r"-?[0-9]+", text):
        raise UsageError(f"-D {name}={text}: '{name}' is an integer constant", hint="give a whole number, e.g. 5000")
    digits = text.lstrip("-").lstrip("0") or "0"
    if len(digits) > len(str(MAX_INT)) or int(digits) > MAX_INT:  # the length first: int() refuses 4,300 digits
        shown = text if len(text) <= 40 else f"{text[:20]}... ({len(digits)} digits)"
        raise UsageError(f"-D {name}={shown}: too large", hint=f"integer constants are at most {MAX_INT} in magnitude")
    return -int(digits) if text.startswith("-") else int(digits)


def _declared_names(decls: tuple[s.Decl, ...]) -> dict[str, Location]:
    """Every name the declarations declare, with its first location (enumeration values included)."""
    names: dict[str, Location] = {}
    for d in decls:
        if isinstance(
            d, s.ConstDecl | s.TypeDecl | s.VarDecl | s.DefineDecl | s.ChannelDecl | s.ComponentDecl | s.InstanceDecl
        ):
            names.setdefault(d.name, d.loc)
        enum = d.enum if isinstance(d, s.TypeDecl) else d.type if isinstance(d, s.VarDecl) else None
        if isinstance(enum, s.EnumT):
            for v in enum.values:
                names.setdefault(v.name, v.loc)
    return names
