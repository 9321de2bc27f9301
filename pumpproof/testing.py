"""Hypothesis strategies for random small models and requirements, written in the model language.

Used for differential testing: every engine must agree with the explicit-state checker. Models
are finite and clock-free (so the explicit checker can enumerate them); integer updates saturate,
so every variable stays in range. `liveness_generated` adds fairness and LTL requirements;
`clocked_generated` adds a clock (engines are then compared with each other).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

ENUM_VALUES = ("Lo", "Mid", "Hi")
INT_HI = 3


@dataclass(frozen=True)
class Generated:
    """A random model and one requirement on it, as source text."""

    model: str
    requirement: str

    def __str__(self) -> str:
        return f"{self.model}\n---\n{self.requirement}"


@dataclass(frozen=True)
class Vocabulary:
    """The names a generated model declares, by type."""

    bools: tuple[str, ...]
    ints: tuple[str, ...]
    enums: tuple[str, ...]
    bool_inputs: tuple[str, ...]
    int_inputs: tuple[str, ...]


@st.composite
def vocabularies(draw: st.DrawFn) -> Vocabulary:
    """How many variables of each kind."""
    return Vocabulary(
        bools=tuple(f"b{i}" for i in range(draw(st.integers(1, 3)))),
        ints=tuple(f"n{i}" for i in range(draw(st.integers(0, 2)))),
        enums=tuple(f"e{i}" for i in range(draw(st.integers(0, 1)))),
        bool_inputs=tuple(f"in{i}" for i in range(draw(st.integers(0, 1)))),
        int_inputs=tuple(f"k{i}" for i in range(draw(st.integers(0, 1)))),
    )


def int_terms(v: Vocabulary, with_inputs: bool) -> st.SearchStrategy[str]:
    """Integer-valued terms in 0..INT_HI."""
    atoms = [st.integers(0, INT_HI).map(str)] + [st.just(n) for n in v.ints]
    if with_inputs:
        atoms += [st.just(k) for k in v.int_inputs]
    return st.one_of(atoms)


def bool_exprs(v: Vocabulary, with_inputs: bool, depth: int = 2) -> st.SearchStrategy[str]:
    """Boolean expressions over the vocabulary."""
    atoms: list[st.SearchStrategy[str]] = [st.sampled_from(["true", "false"])] + [st.just(b) for b in v.bools]
    if with_inputs:
        atoms += [st.just(b) for b in v.bool_inputs]
    ints = int_terms(v, with_inputs)
    atoms.append(st.builds(lambda a, op, b: f"{a} {op} {b}", ints, st.sampled_from(["==", "!=", "<", "<="]), ints))
    atoms += [st.sampled_from([f"{e} == {x}" for x in ENUM_VALUES]) for e in v.enums]
    base = st.one_of(atoms)
    if depth == 0:
        return base
    sub = bool_exprs(v, with_inputs, depth - 1)
    return st.one_of(
        base,
        sub.map(lambda a: f"not ({a})"),
        st.builds(lambda a, op, b: f"({a}) {op} ({b})", sub, st.sampled_from(["and", "or", "->"]), sub),
    )


@st.composite
def updates(draw: st.DrawFn, v: Vocabulary) -> str:
    """A `do` clause assigning a random subset of the state variables."""
    parts = []
    for b in v.bools:
        if draw(st.booleans()):
            parts.append(f"{b} := {draw(bool_exprs(v, True, 1))}")
    for n in v.ints:
        if draw(st.booleans()):
            other = draw(int_terms(v, True))
            choices = [f"min({n} + 1, {INT_HI})", f"max({n} - 1, 0)", other, f"min({other} + 1, {INT_HI})"]
            expr = draw(st.sampled_from(choices))
            parts.append(f"{n} := {expr}")
    for e in v.enums:
        if draw(st.booleans()):
            parts.append(f"{e} := {draw(st.sampled_from(ENUM_VALUES))}")
    return f"\n  do {'; '.join(parts)}" if parts else ""


@st.composite
def models(draw: st.DrawFn) -> tuple[str, Vocabulary]:
    """A model text and its vocabulary."""
    v = draw(vocabularies())
    lines = ["model generated", f"type Level = {{{', '.join(ENUM_VALUES)}}}"]
    for b in v.bools:
        init = draw(st.sampled_from(["= true", "= false", ""]))
        lines.append(f"var {b}: bool {init}".rstrip())
    for n in v.ints:
        init = draw(st.sampled_from(["= 0", f"= {INT_HI}", ""]))
        lines.append(f"var {n}: 0..{INT_HI} {init}".rstrip())
    for e in v.enums:
        lines.append(f"var {e}: Level = {draw(st.sampled_from(ENUM_VALUES))}")
    lines += [f"input {b}: bool" for b in v.bool_inputs]
    lines += [f"input {k}: 0..2" for k in v.int_inputs]
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"assume {draw(bool_exprs(v, True, 1))}")
    for i in range(draw(st.integers(1, 4))):
        lines.append(f"transition t{i}\n  when {draw(bool_exprs(v, True))}{draw(updates(v))}")
    return "\n".join(lines) + "\n", v


def past_formulas(v: Vocabulary) -> st.SearchStrategy[str]:
    """State formulas with past-time operators."""
    base = bool_exprs(v, True, 1)
    return st.one_of(
        base,
        base.map(lambda a: f"previously ({a})"),
        base.map(lambda a: f"once ({a})"),
        base.map(lambda a: f"historically ({a})"),
        base.map(lambda a: f"rise({a})"),
        base.map(lambda a: f"fall({a})"),
        st.builds(lambda a, b: f"({a}) since ({b})", base, base),
    )


@st.composite
def generated(draw: st.DrawFn) -> Generated:
    """A random model and a random safety requirement over it."""
    model, v = draw(models())
    p, q, r = draw(past_formulas(v)), draw(past_formulas(v)), draw(past_formulas(v))
    shape = draw(st.sampled_from(["always", "within", "weak-until", "next"]))
    formula = {
        "always": f"always ({p})",
        # p in parentheses: `->` is right associative, and a p ending in `-> x` would change the shape.
        "within": f"always (({p}) -> ({q}) within {draw(st.integers(0, 3))})",
        "weak-until": f"always (({p}) -> ({q}) weak-until ({r}))",
        "next": f"always (({p}) -> next ({q}))",
    }[shape]
    req = f'requirement R1\n  text "generated"\n  source "hypothesis"\n  {formula}\n'
    return Generated(model, req)


# ---------------------------------------------------------------- liveness (LTL with fairness)

INPUT_NAME = r"\b(?:in|k)\d+\b"


def ltl_formulas(v: Vocabulary, depth: int = 2) -> st.SearchStrategy[str]:
    """LTL formulas nesting every future operator (and past ones inside) over the vocabulary."""
    base = past_formulas(v)
    if depth == 0:
        return base
    sub = ltl_formulas(v, depth - 1)
    unary = st.sampled_from(["eventually", "always", "next", "not"])
    binary = st.sampled_from(["until", "weak-until", "release", "and", "or", "->"])
    return st.one_of(
        base,
        st.builds(lambda op, a: f"{op} ({a})", unary, sub),
        st.builds(lambda a, op, b: f"({a}) {op} ({b})", sub, binary, sub),
    )


@st.composite
def fairness_lines(draw: st.DrawFn, model: str, v: Vocabulary) -> list[str]:
    """Fairness declarations: weak/strong on transitions that read no inputs, `infinitely` on state formulas."""
    blocks = model.split("\ntransition ")[1:]
    quiet = [b.split()[0] for b in blocks if not re.search(INPUT_NAME, b)]
    lines = []
    for name in quiet:
        kind = draw(st.sampled_from(["", "", "weak", "strong"]))
        if kind:
            lines.append(f"fairness {kind} {name}")
    if draw(st.booleans()):
        lines.append(f"fairness infinitely {draw(bool_exprs(v, False, 1))}")
    return lines


@st.composite
def liveness_generated(draw: st.DrawFn) -> Generated:
    """A random model with fairness and an LTL requirement (decided by the explicit fair-cycle checker too)."""
    model, v = draw(models())
    fairness = draw(fairness_lines(model, v))
    shape = draw(st.sampled_from(["free", "response", "recurrence", "persistence"]))
    p, q = draw(past_formulas(v)), draw(past_formulas(v))
    formula = {
        "free": draw(ltl_formulas(v)),
        "response": f"always (({p}) -> eventually ({q}))",
        "recurrence": f"always eventually ({p})",
        "persistence": f"eventually always ({p})",
    }[shape]
    req = f'requirement L1\n  text "generated"\n  source "hypothesis"\n  {formula}\n'
    return Generated(model + "".join(f"{line}\n" for line in fairness), req)


# ---------------------------------------------------------------- clocks


@st.composite
def clocked_generated(draw: st.DrawFn) -> Generated:
    """A safety case whose model also has a clock `c`: guards compare it, updates reset it, an invariant bounds it.

    The explicit checker cannot enumerate clocks, so these cases compare the symbolic engines with
    each other and check that every trace replays and every certificate re-checks.
    """
    case = draw(generated())
    lines = case.model.splitlines()
    out = []
    bound = draw(st.integers(1, 4))
    for line in lines:
        if line.startswith("type Level"):
            out += [line, "clock c"]
            continue
        if line.startswith("  when ") and draw(st.booleans()):
            cmp = draw(st.sampled_from([">=", ">", "<=", "<"]))
            line = f"  when ({line.removeprefix('  when ')}) and c {cmp} {draw(st.integers(0, bound + 1))}"
        if line.startswith("  do ") and draw(st.booleans()):
            line = f"{line}; c := 0"
        out.append(line)
    if draw(st.booleans()):
        guard = draw(st.sampled_from(["true", "b0", "not b0"]))
        out.append(f"invariant {guard} -> c <= {bound}")
    return Generated("\n".join(out) + "\n", case.requirement)
