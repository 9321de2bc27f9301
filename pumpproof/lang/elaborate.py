"""Models from surface syntax to a TransitionSystem: declarations in order, arrays and parameters expanded.

Expressions go through the shared Checker (typecheck.py); this module adds what only models have:
constants with `-D` overrides, types and initial values, transitions and their updates, and the
rules for clocks in invariants (upper bounds only, so that the reachable delays form an interval).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction

from pumpproof.errors import ModelError, UsageError
from pumpproof.lang import syntax as s
from pumpproof.lang.ir import (
    BOOL,
    CLOCK,
    DELAY,
    MAX_INT,
    NUM,
    ClockType,
    Const,
    EnumType,
    Expr,
    Fairness,
    FairnessKind,
    IntType,
    Op,
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
from pumpproof.lang.typecheck import MAX_EXPANSION, Checker, Scope, assignable, describe, suggest
from pumpproof.lang.walk import clock_comparison, nodes, polar_comparisons

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
        self.scope = Scope(pending=_declared_names(model))
        self.check = Checker(self.scope, ModelError, requirements=False)
        self.enums: list[EnumType] = []
        self.transitions: dict[str, Transition] = {}
        self.assumptions: list[Expr] = []
        self.invariants: list[Expr] = []
        self.terminals: list[Expr] = []
        self.fairness: list[Fairness] = []

    def build(self, default_name: str) -> TransitionSystem:
        constants = [d.name for d in self.model.decls if isinstance(d, s.ConstDecl)]
        for name in self.overrides:
            if name not in constants:
                listed = ", ".join(constants) if constants else "none"
                raise UsageError(f"-D {name}: the model has no constant '{name}'{suggest(name, constants)}",
                                 hint=f"constants of this model: {listed}")  # fmt: skip
        for d in self.model.decls:
            match d:
                case s.ConstDecl():
                    self.constant(d)
                case s.TypeDecl():
                    self.check.declare(d.name, "a type", d.loc)
                    self.scope.types[d.name] = self.enum(d.name, d.enum)
                case s.VarDecl():
                    self.variable(d)
                case s.DefineDecl():
                    self.check.define(d)
                case s.ConstraintDecl():
                    with self.check.expanding(d.loc, d.param):
                        self.constraint(d)
                case s.TransitionDecl():
                    with self.check.expanding(d.loc, d.param):
                        self.transition(d)
        # Fairness may name any transition of the model, declared before or after it.
        self.scope.transitions = list(self.transitions)
        for d in self.model.decls:
            if isinstance(d, s.FairnessDecl):
                self.fair(d)
        return TransitionSystem(
            name=self.model.name or default_name,
            constants=dict(self.scope.consts),
            variables=tuple(self.scope.variables.values()),
            transitions=tuple(self.transitions.values()),
            assumptions=tuple(self.assumptions),
            invariants=tuple(self.invariants),
            terminals=tuple(self.terminals),
            defines=dict(self.scope.defines),
            enums=tuple(self.enums),
            fairness=tuple(self.fairness),
            loc=self.model.loc,
        )

    # ------------------------------------------------------------ declarations

    def constant(self, d: s.ConstDecl) -> None:
        value = self.check.constant(d.value, {}, f"the value of constant '{d.name}'").value
        if isinstance(value, str | Fraction):  # a .pump literal is never a Fraction
            self.check.fail(f"constant '{d.name}' must be an integer or bool, found an enumeration value", d.value.loc)
        if d.name in self.overrides:
            value = _override(d.name, self.overrides[d.name], value)
        self.check.declare(d.name, "a constant", d.loc)
        self.scope.consts[d.name] = value

    def enum(self, name: str, enum: s.EnumT) -> EnumType:
        result = EnumType(name, tuple(v.name for v in enum.values))
        for v in enum.values:
            self.check.declare(v.name, f"a value of enumeration {name}", v.loc)
            self.scope.enum_values[v.name] = result
        self.enums.append(result)
        return result

    def variable(self, d: s.VarDecl) -> None:
        size = None
        if d.size is not None:
            size = self.check.const_int(d.size, {}, f"the size of array '{d.name}'")
            if not 1 <= size <= MAX_EXPANSION:
                self.check.fail(f"the size of array '{d.name}' must be 1..{MAX_EXPANSION}, found {size}", d.size.loc)
        typ = CLOCK if d.type is None else self.type(d.type, d.name)
        init = Const(0, NUM, d.loc) if d.kind == "clock" else self.initial(d, typ)
        self.check.declare(d.name, KINDS[d.kind], d.loc)
        kind = VarKind.INPUT if d.kind == "input" else VarKind.STATE
        names = [d.name] if size is None else [f"{d.name}[{i}]" for i in range(size)]
        if size is not None:
            self.scope.families[d.name] = range(size)
        self.scope.variables.update({n: Var(n, typ, kind, init, d.loc) for n in names})

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
                if isinstance(n, VarRef) and self.scope.variables[n.name].kind is VarKind.INPUT:
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
            name = d.name if d.param is None else f"{d.name}[{binding[d.param.name]}]"
            if name in self.transitions:
                first = self.transitions[name].loc
                line = f" (first declared on line {first.line})" if first else ""
                hint = "rename one of them, or make the parameter ranges of the family disjoint"
                self.check.fail(f"duplicate transition '{name}'{line}", d.loc, hint)
            guard: Expr = Const(True, BOOL, d.loc)
            if d.guard is not None:
                guard = self.check.boolean(d.guard, binding, f"the guard of '{name}'")
            updates: dict[str, Update] = {}
            for a in d.updates:
                element_bindings = [binding]
                if a.param is not None:
                    element_bindings = [{**binding, a.param.name: v} for v in self.check.values(a.param, binding)]
                with self.check.expanding(a.loc, a.param):
                    for element in element_bindings:
                        update = self.update(a, element)
                        if update.target in updates:
                            hint = "the assignments of a transition happen at once: keep one"
                            self.check.fail(f"'{update.target}' is assigned twice in transition '{name}'", a.loc, hint)
                        updates[update.target] = update
            self.transitions[name] = Transition(name, guard, tuple(updates.values()), d.label, d.environment, d.loc)

    def fair(self, d: s.FairnessDecl) -> None:
        """One fairness assumption per member of a named transition family, or one for a condition."""
        if d.condition is not None:
            condition = self.check.boolean(d.condition, {}, "the fairness condition")
            self.fairness.append(Fairness(FairnessKind.INFINITELY, (), condition, d.text, d.loc))
            return
        assert d.transition is not None
        kind = FairnessKind(d.kind)
        for name in self.check.transitions(d.transition, {}):
            self.fairness.append(Fairness(kind, (name,), None, f"fairness {kind.value} {name}", d.loc))

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
        return self.scope.variables[element.name]


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


def _declared_names(model: s.ModelSyntax) -> dict[str, Location]:
    """Every name the model declares, with its first location (enumeration values included)."""
    names: dict[str, Location] = {}
    for d in model.decls:
        if isinstance(d, s.ConstDecl | s.TypeDecl | s.VarDecl | s.DefineDecl):
            names.setdefault(d.name, d.loc)
        enum = d.enum if isinstance(d, s.TypeDecl) else d.type if isinstance(d, s.VarDecl) else None
        if isinstance(enum, s.EnumT):
            for v in enum.values:
                names.setdefault(v.name, v.loc)
    return names
