"""The untyped surface syntax of models and requirements, built by the parser and by the Python builder.

It mirrors the text closely (names unresolved, arrays and parameters unexpanded); the elaborator
turns it into the typed IR. Locations are excluded from equality, like in the IR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pumpproof.lang.location import Location


@dataclass(frozen=True)
class Lit:
    """A `true`/`false` or integer literal."""

    value: bool | int
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class Name:
    """An unresolved name: constant, enum value, variable, define or parameter."""

    name: str
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class Index:
    """`name[index]`: an array element or a member of a parameterised define."""

    name: str
    index: SExpr
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class Apply:
    """An operator applied to arguments: `and`, `+`, `always` ...; `neg` is unary minus, `if` takes three."""

    op: str
    args: tuple[SExpr, ...]
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class Quant:
    """`any p in lo..hi: body` (kind "any") or `all p in lo..hi: body` (kind "all")."""

    kind: str
    param: Param
    body: SExpr
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class Segment:
    """One step of a path through instances: `detector` or `detector[c]`."""

    name: str
    index: SExpr | None
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class Member:
    """`detector[1].armed` or `manager.count[0]` in a requirement: a name inside an instance, by its path."""

    path: tuple[Segment, ...]
    name: str
    index: SExpr | None
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class FiredRef:
    """`fired(t)`, `fired(t[i])` or, with a `path` through instances, `fired(manager.raise)` in a requirement."""

    name: str
    index: SExpr | None
    loc: Location = field(compare=False, repr=False)
    path: tuple[Segment, ...] = ()


SExpr = Lit | Name | Index | Apply | Quant | FiredRef | Member

# ---------------------------------------------------------------- types


@dataclass(frozen=True)
class BoolT:
    """The type `bool`."""

    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class RangeT:
    """The type `lo..hi`."""

    lo: SExpr
    hi: SExpr
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class NamedT:
    """A type written by name (an enumeration declared with `type`)."""

    name: str
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class EnumT:
    """An enumeration `{A, B, C}`."""

    values: tuple[Name, ...]
    loc: Location = field(compare=False, repr=False)


TypeExpr = BoolT | RangeT | NamedT | EnumT

# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Param:
    """`[p in lo..hi]` after a define, assume, invariant or transition: one copy per value."""

    name: str
    lo: SExpr
    hi: SExpr
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class ConstDecl:
    """`const NAME = expr`."""

    name: str
    value: SExpr
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class TypeDecl:
    """`type Name = {A, B}`."""

    name: str
    enum: EnumT
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class VarDecl:
    """`var`, `input` or `clock` (the kind), optionally an array of `size`; clocks have no type and no init."""

    kind: str
    name: str
    size: SExpr | None
    type: TypeExpr | None
    init: SExpr | None
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class DefineDecl:
    """`define name = expr` or `define name[p in lo..hi] = expr`."""

    name: str
    param: Param | None
    body: SExpr
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class ConstraintDecl:
    """`assume expr`, `invariant expr` or `terminal expr` (the kind), optionally parameterised."""

    kind: str
    param: Param | None
    body: SExpr
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class Assign:
    """`target := value`; the target is a Name or an Index.

    `x[p in lo..hi] := e` carries `param`: one update per value of p, all in the same step.
    """

    target: Name | Index
    value: SExpr
    loc: Location = field(compare=False, repr=False)
    param: Param | None = None


@dataclass(frozen=True)
class FairnessDecl:
    """`fairness weak t`, `fairness strong t` (transition, maybe a family) or `fairness infinitely expr`."""

    kind: str
    transition: FiredRef | None
    condition: SExpr | None
    text: str
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class Sync:
    """`sync c!`, `sync c[i]!(value)` (send) or `sync c?`, `sync c?(v)` (receive, naming the value `v`)."""

    channel: str
    index: SExpr | None
    send: bool
    value: SExpr | None
    binding: Name | None
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class TransitionDecl:
    """`[environment] transition name[p in lo..hi] "label" sync c! when guard do updates`; a missing guard means
    true. `sequential` for `seq` instead of `do`: each assignment reads the ones before it."""

    name: str
    param: Param | None
    label: str | None
    guard: SExpr | None
    updates: tuple[Assign, ...]
    loc: Location = field(compare=False, repr=False)
    environment: bool = False
    sync: Sync | None = None
    sequential: bool = False


@dataclass(frozen=True)
class ChannelDecl:
    """`chan name[N]: type` or `broadcast chan name`; size and type are optional."""

    name: str
    size: SExpr | None
    type: TypeExpr | None
    broadcast: bool
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class ComponentParam:
    """`name: type` in a component's parameter list: a constant of the instance, given by its argument."""

    name: str
    type: TypeExpr
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class ComponentDecl:
    """`component Name(params) decls end`: a template, elaborated once per instance."""

    name: str
    params: tuple[ComponentParam, ...]
    decls: tuple[Decl, ...]
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class InstanceDecl:
    """`instance name: Name(args)`, or an array of them, `instance name[N]: ...` or `instance name[c in lo..hi]:
    Name(c)` (the parameter bound to each index)."""

    name: str
    size: SExpr | None
    param: Param | None
    component: Name
    args: tuple[SExpr, ...]
    loc: Location = field(compare=False, repr=False)


Decl = (
    ConstDecl | TypeDecl | VarDecl | DefineDecl | ConstraintDecl | TransitionDecl | FairnessDecl | ChannelDecl
    | ComponentDecl | InstanceDecl
)  # fmt: skip


@dataclass(frozen=True)
class ModelSyntax:
    """A whole `.pump` file: its optional `model` name and its declarations in order."""

    name: str | None
    decls: tuple[Decl, ...]
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class RequirementSyntax:
    """`requirement ID text "..." source "..." formula`, with the formula's exact source text."""

    id: str
    text: str | None
    source: str | None
    formula: SExpr
    formula_text: str
    loc: Location = field(compare=False, repr=False)


@dataclass(frozen=True)
class RequirementsSyntax:
    """A whole `.req` file: local defines and requirements in order; located where its first item starts."""

    items: tuple[DefineDecl | RequirementSyntax, ...]
    loc: Location = field(compare=False, repr=False)
