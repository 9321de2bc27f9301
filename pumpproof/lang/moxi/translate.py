"""A MoXI check-system as a pumpproof model and requirements: relational constraints in the guarded-command IR.

Every MoXI variable (input, output or local: all are state in MoXI) is a state variable; its next value
is an input named `x'`. The system's `:trans` becomes one transition, `step`, whose guard is the
conjunction of every instance's `:trans` (primed names read those inputs) and whose updates copy each
input into its variable (`x := x'`), so a step of the model is a step of the MoXI system and replay can
recompute it. `:inv` constraints are invariants (they hold in every state, the next one included), the
`:init` constraints the initial condition. A query is a requirement `always not R` (PROVED when R is
unreachable) on finite runs: a state reached after any number of steps, none required after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pumpproof.lang.ir import (
    BOOL,
    BUILTIN_PREFIX,
    TRUE,
    Binary,
    Expr,
    Op,
    Requirement,
    RequirementSet,
    Temporal,
    TemporalOp,
    Transition,
    TransitionSystem,
    Unary,
    Update,
    Var,
    VarKind,
    VarRef,
    balanced,
)
from pumpproof.lang.location import Location
from pumpproof.lang.moxi.commands import CheckDef, Named, Query, fail, read_script, unsupported
from pumpproof.lang.moxi.flatten import Flat, flatten
from pumpproof.lang.moxi.sexpr import parse
from pumpproof.lang.moxi.terms import Scope, formula, next_name
from pumpproof.lang.parser import is_requirement_id
from pumpproof.lang.walk import var_names

STEP = "step"
ONE_STATE = {
    "reachable": "a reachability condition is about one state (two-state conditions are not supported)",
    "current": "a :current condition is about the first state",
}
"""Why these check-system formulas may not read next values."""
MAX_FORMULA_TEXT = 200
"""The most characters of a reachability condition's MoXI text shown as a requirement's formula."""


@dataclass(frozen=True)
class MoxiModel:
    """A MoXI file read: the flattened system and one requirement per query."""

    system: TransitionSystem
    requirements: RequirementSet


def read_moxi(text: str, filename: str) -> MoxiModel:
    """Parse, flatten and translate MoXI text; ModelError or UnsupportedError (located) when it cannot be read."""
    items, lines = parse(text, filename)
    script = read_script(items, Location(filename, 1, 1, lines[0] if lines else ""))
    check = script.check
    assert check is not None
    top = script.systems[check.system]
    names = [d.name for d in (check.signature or top.signature)]
    flat = flatten(script.systems, top, names)
    queries = [(q, _parts(q, check)) for q in check.queries]
    if not queries:
        hint = "add :reachable (r F) :query (q (r)): the query asks whether a state satisfying F is reachable"
        raise fail(f"the check-system of {check.system} has no query: nothing to check", check.loc, hint)
    for named in check.formulas.values():  # every named formula is read, also one no query uses
        formula(named.formula, _scope(flat, named, ONE_STATE.get(named.kind)))
    assumed, current = _shared(queries)
    assumptions = [formula(a.formula, _scope(flat, a)) for a in assumed]
    nexts = {next_name(v.name) for v in flat.variables}
    steps = [a for a in assumptions if var_names(a) & nexts]  # they read next values: conditions on a step
    states = [a for a in assumptions if not var_names(a) & nexts]
    initial = flat.init
    if current is not None:  # MoXI 0.1: a query with :current C starts where C holds, instead of the :init
        initial = (formula(current.formula, _scope(flat, current, ONE_STATE["current"])),)
    system = _system(Path(filename).stem, flat, steps, states, initial, check)
    reqs = tuple(_requirement(q, reach, flat, text, filename, check) for q, (reach, _, _) in queries)
    return MoxiModel(system, RequirementSet(filename, reqs))


Parts = tuple[tuple[Named, ...], tuple[Named, ...], Named | None]
"""A query's reachability conditions, assumptions and initial condition."""


def _parts(q: Query, check: CheckDef) -> Parts:
    named = [check.formulas[p.text] for p in q.parts]
    fair = [n for n in named if n.kind == "fairness"]
    if fair:
        hint = "pumpproof checks reachability queries (finite runs); leave the fairness condition out of the query"
        raise unsupported(f"the query {q.name} has a fairness condition ({fair[0].name})", q.loc, hint)
    reach = tuple(n for n in named if n.kind == "reachable")
    if not reach:
        hint = "name a :reachable condition in the query; whether the model has any run is checked for every model"
        raise unsupported(f"the query {q.name} names no reachability condition", q.loc, hint)
    current = [n for n in named if n.kind == "current"]
    if len(current) > 1:
        raise fail(f"the query {q.name} names {len(current)} :current conditions", q.loc, "MoXI allows at most one")
    return reach, tuple(n for n in named if n.kind == "assumption"), current[0] if current else None


def _shared(queries: Sequence[tuple[Query, Parts]]) -> tuple[tuple[Named, ...], Named | None]:
    """The assumptions and initial condition every query names: one model serves them all."""
    first, (_, assumed, current) = queries[0]
    for q, (_, other, start) in queries[1:]:
        if ({a.name for a in other}, start) != ({a.name for a in assumed}, current):
            hint = "pumpproof checks every query of a file on one model: give each its own file"
            raise unsupported(f"the queries {first.name} and {q.name} name different assumptions or :current "
                              "conditions", q.loc, hint)  # fmt: skip
    return assumed, current


def _scope(flat: Flat, n: Named, primes: str | None = None) -> Scope:
    """What a check-system formula reads: the checked system's variables, by the check-system's names."""
    return Scope(flat.names, f"the {n.kind} condition {n.name}", primes)


def _system(
    name: str, flat: Flat, guards: list[Expr], invariants: list[Expr], initial: tuple[Expr, ...], check: CheckDef
) -> TransitionSystem:
    state = [Var(v.name, v.type, VarKind.STATE, None, v.loc) for v in flat.variables]
    nexts = [Var(next_name(v.name), v.type, VarKind.INPUT, None, v.loc) for v in flat.variables]
    updates = tuple(Update(v.name, VarRef(next_name(v.name), v.type), v.loc) for v in flat.variables)
    label = "a step of the MoXI system (every :trans)"
    step = Transition(STEP, conj(*flat.trans, *guards), updates, label, loc=check.loc)
    return TransitionSystem(
        name=name,
        constants={},
        variables=(*state, *nexts),
        transitions=(step,),
        invariants=(*flat.inv, *invariants),
        initial=initial,
        loc=check.loc,
    )


def _requirement(
    q: Query, reach: tuple[Named, ...], flat: Flat, text: str, filename: str, check: CheckDef
) -> Requirement:
    """`always not R` for one reachability condition; `always not (once R1 and once R2 ...)` for several (MoXI:
    a trace that satisfies each somewhere)."""
    if not is_requirement_id(q.name) or q.name.startswith(BUILTIN_PREFIX):
        hint = f"name the query with letters, digits, '_', '.' and '-', not starting with {BUILTIN_PREFIX}"
        raise unsupported(f"the query name {q.name} cannot be a requirement id", q.loc, hint)
    clash = next((v.name for v in flat.variables if v.name.startswith(f"{q.name}.")), None)
    if clash is not None:
        hint = "the verifier names its own variables QUERY.name: rename the query"
        raise unsupported(f"the query name {q.name} is the prefix of the variable {clash}", q.loc, hint)
    conditions = [formula(r.formula, _scope(flat, r, ONE_STATE["reachable"])) for r in reach]
    sources = [_source(text, r) for r in reach]
    if len(conditions) == 1:
        bad, shown = conditions[0], sources[0]
        sentence = f"no reachable state satisfies {reach[0].name}"
    else:
        bad = conj(*(TemporalOp(Temporal.ONCE, (c,)) for c in conditions))
        shown = "(" + " and ".join(f"once {s}" for s in sources) + ")"
        sentence = f"no run reaches each of {', '.join(r.name for r in reach)}"
    formula_ = TemporalOp(Temporal.ALWAYS, (Unary(Op.NOT, bad, BOOL),))
    words = f"MoXI query {q.name} of check-system {check.system}: {sentence}."
    return Requirement(q.name, words, filename, formula_, f"never {shown}", None, q.loc)


def conj(*es: Expr) -> Expr:
    """The conjunction of `es` (true when empty), balanced."""
    return balanced(es, lambda a, b: Binary(Op.AND, a, b, BOOL)) if es else TRUE


def _source(text: str, n: Named) -> str:
    """The formula of `n` as the file writes it, on one line, cut at MAX_FORMULA_TEXT characters."""
    e = n.formula
    one_line = " ".join(text[e.start : e.end].split())
    return one_line if len(one_line) <= MAX_FORMULA_TEXT else one_line[:MAX_FORMULA_TEXT] + "..."
