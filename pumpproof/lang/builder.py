"""A Python API for writing models: it builds the same surface syntax as the parser and runs the same elaborator.

    m = ModelBuilder("pump")
    Mode = m.enum("Mode", ["Idle", "Run"])
    mode = m.var("mode", Mode, init="Idle")
    b = m.input("b", bool)
    m.transition("go", when=(mode == "Idle") & b, do={mode: "Run"})
    system = m.build()

Strings stand for enumeration values, Python bools and ints for literals. Every node is located at
the line of the calling Python code, so elaboration errors point into the script that built the model.
"""

from __future__ import annotations

import inspect
import linecache
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pumpproof.errors import ModelError
from pumpproof.lang import syntax as s
from pumpproof.lang.characters import HIDDEN, describe
from pumpproof.lang.elaborate import elaborate_model
from pumpproof.lang.ir import TransitionSystem
from pumpproof.lang.location import Location
from pumpproof.lang.parser import is_name


class Term:
    """A model expression; combine with `& | ~ == != < <= > >= + - * // %`, `.implies()` and `.iff()`."""

    def __init__(self, node: s.SExpr) -> None:
        self.node = node

    # Terms are dict keys in `do={...}`, so they hash by identity although `==` builds an expression.
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError("model expressions have no Python truth value: use & | ~ instead of and / or / not")

    def __and__(self, other: Operand) -> Term:
        return _apply("and", self, other)

    def __rand__(self, other: Operand) -> Term:
        return _apply("and", other, self)

    def __or__(self, other: Operand) -> Term:
        return _apply("or", self, other)

    def __ror__(self, other: Operand) -> Term:
        return _apply("or", other, self)

    def __invert__(self) -> Term:
        return _apply("not", self)

    def __neg__(self) -> Term:
        return _apply("neg", self)

    def __add__(self, other: Operand) -> Term:
        return _apply("+", self, other)

    def __radd__(self, other: Operand) -> Term:
        return _apply("+", other, self)

    def __sub__(self, other: Operand) -> Term:
        return _apply("-", self, other)

    def __rsub__(self, other: Operand) -> Term:
        return _apply("-", other, self)

    def __mul__(self, other: Operand) -> Term:
        return _apply("*", self, other)

    def __rmul__(self, other: Operand) -> Term:
        return _apply("*", other, self)

    def __floordiv__(self, other: Operand) -> Term:
        return _apply("/", self, other)

    def __mod__(self, other: Operand) -> Term:
        return _apply("%", self, other)

    def __eq__(self, other: Operand) -> Term:  # type: ignore[override]
        return _apply("==", self, other)

    def __ne__(self, other: Operand) -> Term:  # type: ignore[override]
        return _apply("!=", self, other)

    def __lt__(self, other: Operand) -> Term:
        return _apply("<", self, other)

    def __le__(self, other: Operand) -> Term:
        return _apply("<=", self, other)

    def __gt__(self, other: Operand) -> Term:
        return _apply(">", self, other)

    def __ge__(self, other: Operand) -> Term:
        return _apply(">=", self, other)

    def implies(self, other: Operand) -> Term:
        """`self -> other`."""
        return _apply("->", self, other)

    def iff(self, other: Operand) -> Term:
        """`self <-> other`."""
        return _apply("<->", self, other)


Operand = Term | bool | int | str
"""What builder methods accept as an expression: a Term, or a Python bool, int or enumeration value name."""


class Param(Term):
    """A parameter `name in lo..hi`: pass it as `over=` to make one declaration per value, or use it in any/all."""

    def __init__(self, decl: s.Param) -> None:
        super().__init__(s.Name(decl.name, decl.loc))
        self.decl = decl


@dataclass(frozen=True)
class Array:
    """An array or parameterised define; index it with an int or a Param."""

    name: str

    def __getitem__(self, index: Operand) -> Term:
        return Term(s.Index(self.name, _syntax(index), _caller()))


@dataclass(frozen=True)
class TypeName:
    """An enumeration declared with `ModelBuilder.enum`, usable as a variable type."""

    name: str


TypeSpec = type | tuple[Operand, Operand] | TypeName | Sequence[str]
"""`bool`, `(lo, hi)`, an enumeration from `enum`, or a list of value names for an inline enumeration."""


class ModelBuilder:
    """Collects declarations in call order; `build()` elaborates them exactly as a `.pump` file would be."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.loc = _caller()
        self.decls: list[s.Decl] = []

    def const(self, name: str, value: Operand) -> Term:
        """`const name = value`."""
        self.decls.append(s.ConstDecl(_checked(name), _syntax(value), _caller()))
        return Term(s.Name(name, _caller()))

    def enum(self, name: str, values: Sequence[str]) -> TypeName:
        """`type name = {values}`."""
        self.decls.append(s.TypeDecl(_checked(name), _enum(values), _caller()))
        return TypeName(name)

    def var(self, name: str, typ: TypeSpec, init: Operand | None = None, size: Operand | None = None) -> Term | Array:
        """`var name[size]: typ = init`; an Array when `size` is given."""
        return self._variable("var", name, _type(typ), init, size)

    def input(self, name: str, typ: TypeSpec, size: Operand | None = None) -> Term | Array:
        """`input name[size]: typ`."""
        return self._variable("input", name, _type(typ), None, size)

    def clock(self, name: str, size: Operand | None = None) -> Term | Array:
        """`clock name[size]`."""
        return self._variable("clock", name, None, None, size)

    def param(self, name: str, lo: Operand, hi: Operand) -> Param:
        """A parameter `name in lo..hi` for `over=`, `any` and `all`."""
        return Param(s.Param(_checked(name), _syntax(lo), _syntax(hi), _caller()))

    def define(self, name: str, body: Operand, over: Param | None = None) -> Term | Array:
        """`define name = body`, or `define name[p in lo..hi] = body` with `over=p`."""
        self.decls.append(s.DefineDecl(_checked(name), _decl(over), _syntax(body), _caller()))
        return Array(name) if over is not None else Term(s.Name(name, _caller()))

    def assume(self, body: Operand, over: Param | None = None) -> None:
        """`assume body` (one per value of `over`)."""
        self.decls.append(s.ConstraintDecl("assume", _decl(over), _syntax(body), _caller()))

    def invariant(self, body: Operand, over: Param | None = None) -> None:
        """`invariant body` (one per value of `over`)."""
        self.decls.append(s.ConstraintDecl("invariant", _decl(over), _syntax(body), _caller()))

    def terminal(self, body: Operand, over: Param | None = None) -> None:
        """`terminal body`: states where the model may stop on purpose (one per value of `over`)."""
        self.decls.append(s.ConstraintDecl("terminal", _decl(over), _syntax(body), _caller()))

    def transition(
        self,
        name: str,
        when: Operand | None = None,
        do: Mapping[Term, Operand] | None = None,
        label: str | None = None,
        over: Param | None = None,
        environment: bool = False,
    ) -> None:
        """`[environment] transition name[over] "label" when ... do target := value; ...`."""
        loc = _caller()
        updates = []
        for target, value in (do or {}).items():
            if not isinstance(target, Term) or not isinstance(target.node, s.Name | s.Index):
                raise TypeError(f"cannot assign to {target!r}: the keys of do= must be variables or array elements")
            updates.append(s.Assign(target.node, _syntax(value), loc))
        guard = None if when is None else _syntax(when)
        decl = s.TransitionDecl(_checked(name), _decl(over), _label(label), guard, tuple(updates), loc, environment)
        self.decls.append(decl)

    def ite(self, cond: Operand, then: Operand, orelse: Operand) -> Term:
        """`if cond then then else orelse`."""
        return _apply("if", cond, then, orelse)

    def min(self, a: Operand, b: Operand) -> Term:
        """`min(a, b)`."""
        return _apply("min", a, b)

    def max(self, a: Operand, b: Operand) -> Term:
        """`max(a, b)`."""
        return _apply("max", a, b)

    def any(self, p: Param, body: Operand) -> Term:
        """`any p in lo..hi: body`."""
        return Term(s.Quant("any", p.decl, _syntax(body), _caller()))

    def all(self, p: Param, body: Operand) -> Term:
        """`all p in lo..hi: body`."""
        return Term(s.Quant("all", p.decl, _syntax(body), _caller()))

    def syntax(self) -> s.ModelSyntax:
        """The surface syntax built so far."""
        return s.ModelSyntax(self.name, tuple(self.decls), self.loc)

    def build(self, overrides: dict[str, str] | None = None) -> TransitionSystem:
        """Elaborate the model; errors are ModelErrors located at the Python lines that built the bad part."""
        return elaborate_model(self.syntax(), self.name, overrides)

    def _variable(
        self, kind: str, name: str, typ: s.TypeExpr | None, init: Operand | None, size: Operand | None
    ) -> Term | Array:
        loc = _caller()
        sizes = None if size is None else _syntax(size)
        inits = None if init is None else _syntax(init)
        self.decls.append(s.VarDecl(kind, _checked(name), sizes, typ, inits, loc))
        return Term(s.Name(name, loc)) if size is None else Array(name)


def _caller() -> Location:
    """The first stack frame outside this module: where the user's code called the builder."""
    frame = inspect.currentframe()
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    if frame is None:
        return Location(__file__, 1, 1)
    file, line = frame.f_code.co_filename, frame.f_lineno
    text = linecache.getline(file, line).rstrip("\n")
    return Location(file, line, len(text) - len(text.lstrip()) + 1, text)


def _checked(name: str) -> str:
    if not is_name(name):
        hint = "names are letters, digits and '_', do not start with a digit, and are not reserved words"
        raise ModelError(f"'{name}' is not a valid name", _caller(), hint)
    return name


def _label(label: str | None) -> str | None:
    """A transition's description, under the rule for strings in model files (no characters that hide text)."""
    hidden = HIDDEN.search(label or "")
    if hidden:
        hint = "delete it: such characters can hide or reorder text in terminals and reports"
        raise ModelError(f"a transition label cannot contain {describe(hidden.group())}", _caller(), hint)
    return label


def _decl(over: Param | None) -> s.Param | None:
    return over.decl if over is not None else None


def _syntax(value: Operand) -> s.SExpr:
    if isinstance(value, Term):
        return value.node
    if isinstance(value, bool | int):
        return s.Lit(value, _caller())
    if isinstance(value, str):
        return s.Name(value, _caller())
    raise TypeError(f"cannot use {value!r} in a model expression: expected a Term, bool, int or str")


def _apply(op: str, *args: Operand) -> Term:
    return Term(s.Apply(op, tuple(_syntax(a) for a in args), _caller()))


def _enum(values: Sequence[str]) -> s.EnumT:
    loc = _caller()
    return s.EnumT(tuple(s.Name(_checked(v), loc) for v in values), loc)


def _type(spec: TypeSpec) -> s.TypeExpr:
    loc = _caller()
    if spec is bool:
        return s.BoolT(loc)
    if isinstance(spec, TypeName):
        return s.NamedT(spec.name, loc)
    if isinstance(spec, type):
        return s.NamedT(spec.__name__, loc)  # `int` and friends: the elaborator explains what to write
    if isinstance(spec, tuple) and len(spec) == 2 and not all(isinstance(v, str) for v in spec):
        return s.RangeT(_syntax(spec[0]), _syntax(spec[1]), loc)
    if isinstance(spec, Sequence) and not isinstance(spec, str) and all(isinstance(v, str) for v in spec):
        return _enum([str(v) for v in spec])
    raise TypeError(f"unknown type {spec!r}: expected bool, (lo, hi), an enum from ModelBuilder.enum or a value list")
