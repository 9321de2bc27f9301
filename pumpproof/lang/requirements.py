"""Requirement files from surface syntax to a RequirementSet, checked against an elaborated model."""

from __future__ import annotations

from pumpproof.errors import PropertyError
from pumpproof.lang import syntax as s
from pumpproof.lang.ir import BUILTIN_PREFIX, Requirement, RequirementSet, TransitionSystem
from pumpproof.lang.text import fully_parenthesised
from pumpproof.lang.typecheck import Checker, Scope


def elaborate_requirements(reqs: s.RequirementsSyntax, system: TransitionSystem, path: str) -> RequirementSet:
    """Resolve every formula against `system` (its names, defines, transitions) and the file's own defines."""
    check = Checker(Scope.of_system(system), PropertyError, requirements=True)
    out: dict[str, Requirement] = {}
    for item in reqs.items:
        if isinstance(item, s.DefineDecl):
            check.define(item)
            continue
        if item.id.startswith(BUILTIN_PREFIX):
            hint = f"ids starting with '{BUILTIN_PREFIX}' name pumpproof's own checks of the model; choose another id"
            check.fail(f"requirement id '{item.id}' is reserved", item.loc, hint)
        if item.id in out:
            first = out[item.id].loc
            line = f" (first used on line {first.line})" if first else ""
            check.fail(f"duplicate requirement id '{item.id}'{line}", item.loc, "give every requirement its own id")
        for part, value in (("text", item.text), ("source", item.source)):
            if not value:
                hint = f'write {part} "..." after the id'
                check.fail(f"requirement '{item.id}' has no {part}", item.loc, hint)
        formula = check.boolean(item.formula, {}, f"the formula of requirement '{item.id}'")
        assert item.text is not None and item.source is not None
        parsed = fully_parenthesised(item.formula)
        out[item.id] = Requirement(item.id, item.text, item.source, formula, item.formula_text, parsed, item.loc)
    if not out:
        hint = 'write at least one: requirement ID text "..." source "..." always (...)'
        check.fail("the file states no requirement", reqs.loc, hint)
    return RequirementSet(path, tuple(out.values()))
