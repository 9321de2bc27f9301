"""Synchronous composition: a MoXI system with every `:subsys` instance flattened into one set of constraints.

An instance's inputs and outputs are the variables its parent passes; its locals are renamed with the
instance path (`call_Sofar.flby`; `a.b.x` for a local x of instance b inside instance a), so that
counterexamples name them as the original does; its `:init`, `:trans` and `:inv` are conjoined with the
parent's (MoXI 0.1, composite systems). Instances nest to any depth, flattened with a work list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pumpproof.lang.ir import Const, Expr, Type
from pumpproof.lang.moxi.commands import Declared, SystemDef
from pumpproof.lang.moxi.terms import Scope, formula

Names = dict[str, tuple[str, Type]]
ONE_STATE = {
    "init": "the initial condition is about the first state; relate a state to the next in :trans",
    "inv": "an invariant is about each state alone; relate a state to the next in :trans",
}


@dataclass(frozen=True)
class Flat:
    """The flattened system: its variables (by flat name, with their declarations) and its constraints over them.

    `names` are the names the check-system gives the top system's variables (their flat names too), for the
    check-system's formulas.
    """

    variables: tuple[Declared, ...]
    init: tuple[Expr, ...]
    trans: tuple[Expr, ...]
    inv: tuple[Expr, ...]
    names: Names


def flatten(systems: Mapping[str, SystemDef], top: SystemDef, names: Sequence[str]) -> Flat:
    """`top`, whose inputs, outputs and locals are called `names`, with every instance in it flattened in."""
    own: Names = {d.name: (n, d.type) for d, n in zip(top.signature, names, strict=True)}
    variables = [Declared(n, d.type, d.loc) for d, n in zip(top.signature, names, strict=True)]
    taken = set(names)
    parts: dict[str, list[Expr]] = {"init": [], "trans": [], "inv": []}
    todo: list[tuple[SystemDef, Names, str]] = [(top, own, "")]
    while todo:
        system, env, path = todo.pop()
        where = f"system {system.name}" + (f" (instance {path.removesuffix('.')})" if path else "")
        for kind, syntax in (("init", system.init), ("trans", system.trans), ("inv", system.inv)):
            if syntax is not None:
                e = formula(syntax, Scope(env, f"the :{kind} of {where}", ONE_STATE.get(kind)))
                if not (isinstance(e, Const) and e.value is True):
                    parts[kind].append(e)
        children = []
        for instance in system.subsys:
            sub = systems[instance.system]
            params = sub.inputs + sub.outputs
            inner: Names = {p.name: env[a.text] for p, a in zip(params, instance.args, strict=True)}
            prefix = f"{path}{instance.name}."
            for d in sub.locals:
                flat = _fresh(prefix + d.name, taken)
                variables.append(Declared(flat, d.type, d.loc))
                inner[d.name] = (flat, d.type)
            children.append((sub, inner, prefix))
        todo += reversed(children)  # depth first, in declaration order
    renamed: Names = {n: (n, d.type) for d, n in zip(top.signature, names, strict=True)}
    return Flat(tuple(variables), tuple(parts["init"]), tuple(parts["trans"]), tuple(parts["inv"]), renamed)


def _fresh(name: str, taken: set[str]) -> str:
    """`name`, or `name~2`, `name~3`, ... when a variable of that flat name exists already (a parent's local
    may be called `inst.x` too)."""
    out, n = name, 1
    while out in taken:
        n += 1
        out = f"{name}~{n}"
    taken.add(out)
    return out
