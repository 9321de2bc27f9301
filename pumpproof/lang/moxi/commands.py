"""MoXI commands from s-expressions: `set-logic`, `define-system` and `check-system`, their attributes checked.

Formulas stay s-expressions here (terms.py reads them once the names they may use are known). What is
valid MoXI but outside the subset pumpproof reads (other logics and sorts, other commands, a second
check-system) is an UnsupportedError naming the construct; what is not MoXI is a ModelError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from pumpproof.errors import ModelError, UnsupportedError
from pumpproof.lang.ir import BOOL, NUM, REAL, Type
from pumpproof.lang.location import Location
from pumpproof.lang.moxi.sexpr import Atom, AtomKind, SExpr, SList, shown

LOGIC = "QF_LIA"
LOGICS = {"QF_LIA": ("Bool", "Int"), "QF_LRA": ("Bool", "Real"), "QF_LIRA": ("Bool", "Int", "Real")}
"""The logics read, with the sorts each declares (linear arithmetic over the integers, the reals, or both)."""
COMMANDS = "set-logic (QF_LIA, QF_LRA or QF_LIRA), define-system, check-system"
SORTS: dict[str, Type] = {"Bool": BOOL, "Int": NUM, "Real": REAL}
RESERVED_CHARACTERS = "@'"
"""Characters no pumpproof variable name may hold: the unrolled copies of x are `x@3`, its next value is `x'`."""
RESERVED_PREFIX = "__"
"""Names the Z3 encoding uses for its own frame variables (`__tr`, the transition taken) start with this."""


@dataclass(frozen=True)
class Declared:
    """One variable of a signature (`(x Int)`): name, type and where it is declared."""

    name: str
    type: Type
    loc: Location


@dataclass(frozen=True)
class Instance:
    """`:subsys (N (S args...))`: the instance name, the system it instantiates and the actual arguments."""

    name: str
    system: str
    args: tuple[Atom, ...]
    loc: Location


@dataclass(frozen=True)
class SystemDef:
    """`define-system`: the signature, the formulas (None when absent, meaning true) and the sub-system instances."""

    name: str
    inputs: tuple[Declared, ...]
    outputs: tuple[Declared, ...]
    locals: tuple[Declared, ...]
    init: SExpr | None
    trans: SExpr | None
    inv: SExpr | None
    subsys: tuple[Instance, ...]
    loc: Location

    @property
    def signature(self) -> tuple[Declared, ...]:
        """Inputs, outputs and locals, in that order (the order check-system renames them in)."""
        return self.inputs + self.outputs + self.locals


@dataclass(frozen=True)
class Named:
    """A named formula of a check-system, `(r F)`; `kind` is the attribute that declares it (`reachable`, ...)."""

    name: str
    kind: str
    formula: SExpr
    loc: Location


@dataclass(frozen=True)
class Query:
    """`(q (g1 ... gn))`: a query and the named formulas it combines."""

    name: str
    parts: tuple[Atom, ...]
    loc: Location


@dataclass(frozen=True)
class CheckDef:
    """`check-system`: the system, its renamed signature (None when not given), named formulas and queries."""

    system: str
    signature: tuple[Declared, ...] | None
    formulas: dict[str, Named]
    queries: tuple[Query, ...]
    loc: Location


@dataclass(frozen=True)
class Script:
    """A MoXI file in the subset: its systems in definition order and its one check-system."""

    systems: dict[str, SystemDef] = field(default_factory=dict)
    check: CheckDef | None = None


def fail(message: str, where: SExpr | Location, hint: str | None = None) -> ModelError:
    """A ModelError located at a node (or a location)."""
    return ModelError(message, where if isinstance(where, Location) else where.loc, hint)


def unsupported(message: str, where: SExpr | Location, hint: str | None = None) -> UnsupportedError:
    """An UnsupportedError located at a node: valid MoXI outside the subset."""
    return UnsupportedError(message, where if isinstance(where, Location) else where.loc, hint)


def read_script(items: Sequence[SExpr], first: Location) -> Script:
    """The commands of a file; `first` locates the error of a file without a check-system."""
    script = Script()
    logic: Atom | None = None
    for item in items:
        head = _head(item)
        args = item.items[1:]  # type: ignore[union-attr]
        if head.text == "set-logic":
            logic = _logic(item, args, logic)
            continue
        if head.text not in ("define-system", "check-system"):
            raise unsupported(f"the command '{head.text}' is not supported", head, f"supported: {COMMANDS}")
        if logic is None:
            raise fail(f"'{head.text}' before the logic is set", head, f"start the file with (set-logic {LOGIC})")
        if script.check is not None:
            hint = "pumpproof reads one check-system per file (it may hold several queries): split the file"
            raise unsupported(f"'{head.text}' after the check-system", head, hint)
        if head.text == "define-system":
            system = _define_system(item, args, script.systems, logic.text)
            script.systems[system.name] = system
        else:
            script = Script(script.systems, _check_system(item, args, script.systems, logic.text))
    if script.check is None:
        hint = "add (check-system NAME :reachable (r F) :query (q (r))) after the systems"
        raise fail("the file has no check-system command: nothing says which system to check", first, hint)
    return script


def _head(item: SExpr) -> Atom:
    if not isinstance(item, SList) or not item.items or not isinstance(item.items[0], Atom):
        raise fail(
            f"expected a command such as (define-system ...), found {shown(item)}", item, f"commands: {COMMANDS}"
        )
    return item.items[0]


def _logic(item: SExpr, args: tuple[SExpr, ...], before: Atom | None) -> Atom:
    if before is not None:
        raise fail("the logic is set twice", item, "keep one set-logic")
    if len(args) != 1 or not isinstance(args[0], Atom):
        raise fail("set-logic takes one logic name", item, f"write (set-logic {LOGIC})")
    if args[0].text not in LOGICS:
        hint = "pumpproof reads QF_LIA, QF_LRA and QF_LIRA: Bool, Int and Real variables with linear arithmetic"
        raise unsupported(f"the logic {args[0].text} is not supported", args[0], hint)
    return args[0]


def _attributes(args: tuple[SExpr, ...], allowed: Sequence[str], repeatable: Sequence[str]) -> list[tuple[Atom, SExpr]]:
    """`:key value` pairs in order; unknown keys, a missing value and repeated unrepeatable keys are errors."""
    out: list[tuple[Atom, SExpr]] = []
    seen: set[str] = set()
    i = 0
    while i < len(args):
        key = args[i]
        if not (isinstance(key, Atom) and key.kind is AtomKind.KEYWORD):
            raise fail(
                f"expected an attribute such as :init, found {shown(key)}", key, f"attributes: {' '.join(allowed)}"
            )
        if key.text not in allowed:
            raise unsupported(f"the attribute {key.text} is not supported here", key, f"supported: {' '.join(allowed)}")
        if key.text in seen and key.text not in repeatable:
            raise fail(f"the attribute {key.text} is given twice", key, "MoXI allows it once per command")
        value = args[i + 1] if i + 1 < len(args) else None
        if value is None or (isinstance(value, Atom) and value.kind is AtomKind.KEYWORD):
            raise fail(f"the attribute {key.text} has no value", key)
        seen.add(key.text)
        out.append((key, value))
        i += 2
    return out


def _name(e: SExpr, what: str) -> Atom:
    """A declared name: a symbol without a prime that pumpproof can use for a variable."""
    if not (isinstance(e, Atom) and e.kind is AtomKind.SYMBOL):
        raise fail(f"expected the name of {what}, found {shown(e)}", e)
    if e.primed:
        raise fail(
            f"the name {e.text} ends with a prime", e, f"{e.text} is the next value of {e.base}; declare {e.base}"
        )
    if e.text in ("true", "false"):
        raise fail(f"the name {e.text} cannot be used for {what}", e, f"{e.text} is a Boolean constant: rename it")
    if not e.text or e.text.startswith(RESERVED_PREFIX) or any(c in RESERVED_CHARACTERS for c in e.text):
        hint = f"rename it: pumpproof names the steps of x x@3, its next value x', its own variables {RESERVED_PREFIX}x"
        raise unsupported(f"the name |{e.text}| cannot be used for {what}", e, hint)
    return e


def _sort(e: SExpr, logic: str) -> Type:
    """The type of a sort the logic has (QF_LIA has no Real)."""
    if isinstance(e, Atom) and e.text in LOGICS[logic]:
        return SORTS[e.text]
    if isinstance(e, Atom) and e.text in SORTS:
        hint = f"{logic} has the sorts {', '.join(LOGICS[logic])}: set the logic QF_LIRA for Int and Real"
        raise fail(f"the sort {e.text} is not in the logic {logic}", e, hint)
    raise unsupported(f"the sort {_written(e)} is not supported", e, "supported sorts: Bool, Int and Real")


def _written(e: SExpr) -> str:
    """An s-expression as text, for messages."""
    return e.text if isinstance(e, Atom) else "(" + " ".join(_written(i) for i in e.items) + ")"


def _signature(value: SExpr, what: str, seen: dict[str, Location], logic: str) -> tuple[Declared, ...]:
    """`((x Int) (b Bool) ...)`; names must be new in `seen` (which they are added to)."""
    if not isinstance(value, SList):
        raise fail(
            f"expected a list of ({what} Sort) pairs, found {shown(value)}", value, "for example ((x Int) (b Bool))"
        )
    out = []
    for pair in value.items:
        if not (isinstance(pair, SList) and len(pair.items) == 2):
            raise fail(f"expected ({what} Sort), found {shown(pair)}", pair, "for example (x Int)")
        name = _name(pair.items[0], f"a{'n' if what[0] in 'aeiou' else ''} {what}")
        if name.text in seen:
            first = seen[name.text]
            raise fail(f"'{name.text}' is declared twice (first on line {first.line})", name, "give each its own name")
        seen[name.text] = name.loc
        out.append(Declared(name.text, _sort(pair.items[1], logic), name.loc))
    return tuple(out)


def _define_system(item: SExpr, args: tuple[SExpr, ...], systems: dict[str, SystemDef], logic: str) -> SystemDef:
    if not args:
        raise fail("define-system needs a name", item)
    name = _name(args[0], "a system")
    if name.text in systems:
        raise fail(f"the system {name.text} is defined twice (first on line {systems[name.text].loc.line})", name)
    keys = (":input", ":output", ":local", ":init", ":trans", ":inv", ":subsys")
    declared: dict[str, Location] = {}
    parts: dict[str, tuple[Declared, ...]] = {":input": (), ":output": (), ":local": ()}
    formulas: dict[str, SExpr] = {}
    subsys: list[tuple[Atom, SExpr]] = []
    for key, value in _attributes(args[1:], keys, (":subsys",)):
        if key.text in parts:
            parts[key.text] = _signature(value, key.text[1:], declared, logic)
        elif key.text == ":subsys":
            subsys.append((key, value))
        else:
            formulas[key.text] = value
    system = SystemDef(
        name.text, parts[":input"], parts[":output"], parts[":local"],
        formulas.get(":init"), formulas.get(":trans"), formulas.get(":inv"), (), name.loc,
    )  # fmt: skip
    instances: dict[str, Location] = {}
    out = []
    for key, value in subsys:
        instance = _instance(key, value, system, systems)
        if instance.name in instances:
            raise fail(
                f"two sub-systems are named {instance.name} (first on line {instances[instance.name].line})",
                instance.loc,
            )
        instances[instance.name] = instance.loc
        out.append(instance)
    return replace(system, subsys=tuple(out))


def _instance(key: Atom, value: SExpr, parent: SystemDef, systems: dict[str, SystemDef]) -> Instance:
    """`(N (S x... y...))`, its arguments checked against S's inputs and outputs."""
    shape = "write :subsys (NAME (SYSTEM arg ...))"
    if not (isinstance(value, SList) and len(value.items) == 2 and isinstance(value.items[1], SList)):
        raise fail(f"expected (NAME (SYSTEM arg ...)) after :subsys, found {shown(value)}", value, shape)
    name = _name(value.items[0], "a sub-system instance")
    call = value.items[1].items
    if not call or not isinstance(call[0], Atom):
        raise fail("expected the name of a system", value.items[1], shape)
    target = call[0]
    if target.text == parent.name:
        raise fail(f"the system {parent.name} cannot be a sub-system of itself", target)
    if target.text not in systems:
        hint = "define a system before the systems that use it (which also keeps the sub-system graph acyclic)"
        raise fail(f"unknown system '{target.text}'", target, hint)
    sub = systems[target.text]
    params = sub.inputs + sub.outputs
    args = call[1:]
    if len(args) != len(params):
        expected = f"{len(sub.inputs)} input(s) and {len(sub.outputs)} output(s)"
        raise fail(f"{sub.name} takes {expected}, given {len(args)} argument(s)", target)
    own = {d.name: d for d in parent.signature}
    checked = []
    for arg, param in zip(args, params, strict=True):
        if not (isinstance(arg, Atom) and arg.kind is AtomKind.SYMBOL) or arg.primed or arg.text not in own:
            hint = f"pass a variable of {parent.name} (one of its inputs, outputs or locals)"
            raise fail(f"the argument for {param.name} of {sub.name} must be a variable of {parent.name}", arg, hint)
        if own[arg.text].type != param.type:
            found = f"{arg.text} is {sort_name(own[arg.text].type)}, {param.name} is {sort_name(param.type)}"
            raise fail(f"the argument has the wrong sort: {found}", arg)
        checked.append(arg)
    return Instance(name.text, sub.name, tuple(checked), name.loc)


def sort_name(t: Type) -> str:
    """The MoXI sort of a type the front end gives variables and terms."""
    return "Bool" if t == BOOL else "Real" if t == REAL else "Int"


FORMULA_KINDS = {":assumption": "assumption", ":fairness": "fairness", ":reachable": "reachable", ":current": "current"}


def _check_system(item: SExpr, args: tuple[SExpr, ...], systems: dict[str, SystemDef], logic: str) -> CheckDef:
    if not args:
        raise fail("check-system needs the name of a system", item)
    target = args[0]
    if not (isinstance(target, Atom) and target.text in systems):
        raise fail(f"unknown system {shown(target)}", target, "check-system names a system defined before it")
    system = systems[target.text]
    keys = (":input", ":output", ":local", *FORMULA_KINDS, ":query", ":queries")
    declared: dict[str, Location] = {}
    renamed: dict[str, tuple[Declared, ...]] = {}
    formulas: dict[str, Named] = {}
    queries: list[Query] = []
    for key, value in _attributes(args[1:], keys, (*FORMULA_KINDS, ":query", ":queries")):
        if key.text in (":input", ":output", ":local"):
            renamed[key.text] = _signature(value, key.text[1:], declared, logic)
        elif key.text in FORMULA_KINDS:
            named = _named(key, value, FORMULA_KINDS[key.text])
            if named.name in formulas:
                raise fail(f"two formulas are named {named.name}", named.loc, "give each named formula its own name")
            formulas[named.name] = named
        else:
            queries += _queries(key, value)
    signature = None
    if renamed:
        signature = _renaming(system, renamed, target)
    names: dict[str, Location] = {}
    for q in queries:
        if q.name in names:
            raise fail(f"two queries are named {q.name} (first on line {names[q.name].line})", q.loc)
        names[q.name] = q.loc
        for part in q.parts:
            if part.text not in formulas:
                raise fail(f"the query {q.name} names '{part.text}', which no :reachable, :assumption, :fairness or "
                           ":current of this check-system defines", part)  # fmt: skip
    return CheckDef(system.name, signature, formulas, tuple(queries), target.loc)


def _renaming(system: SystemDef, renamed: dict[str, tuple[Declared, ...]], where: Atom) -> tuple[Declared, ...]:
    """The check-system's names for the system's inputs, outputs and locals, position by position."""
    out: list[Declared] = []
    for key, own in ((":input", system.inputs), (":output", system.outputs), (":local", system.locals)):
        given = renamed.get(key, ())
        if len(given) != len(own):
            hint = f"list one name per {key[1:]} of {system.name}, in its order ({len(own)})"
            raise fail(f"{key} renames {len(given)} variable(s) of {system.name}, which has {len(own)}", where, hint)
        for new, old in zip(given, own, strict=True):
            if new.type != old.type:
                raise fail(f"{new.name} renames {old.name} of {system.name}, which is {sort_name(old.type)}", new.loc)
        out += given
    return tuple(out)


def _named(key: Atom, value: SExpr, kind: str) -> Named:
    if not (isinstance(value, SList) and len(value.items) == 2):
        raise fail(f"expected (NAME FORMULA) after {key.text}, found {shown(value)}", value, f"write {key.text} (r F)")
    name = value.items[0]
    if not (isinstance(name, Atom) and name.kind is AtomKind.SYMBOL and not name.primed):
        raise fail(f"expected the name of the {kind} formula, found {shown(name)}", name)
    return Named(name.text, kind, value.items[1], name.loc)


def _queries(key: Atom, value: SExpr) -> list[Query]:
    shape = "write :query (q (r a ...)) with the names of the formulas it combines"
    if key.text == ":queries":
        if not isinstance(value, SList):
            raise fail(f"expected a list of queries after :queries, found {shown(value)}", value, shape)
        return [q for item in value.items for q in _queries(Atom(":query", AtomKind.KEYWORD, key.loc, 0, 0), item)]
    if not (isinstance(value, SList) and len(value.items) == 2 and isinstance(value.items[1], SList)):
        raise fail(f"expected (NAME (FORMULA-NAME ...)) for a query, found {shown(value)}", value, shape)
    name = value.items[0]
    if not (isinstance(name, Atom) and name.kind is AtomKind.SYMBOL and not name.primed):
        raise fail(f"expected the name of the query, found {shown(name)}", name, shape)
    parts = []
    for part in value.items[1].items:
        if not (isinstance(part, Atom) and part.kind is AtomKind.SYMBOL):
            raise fail(f"expected the name of a formula, found {shown(part)}", part, shape)
        parts.append(part)
    return [Query(name.text, tuple(parts), name.loc)]
