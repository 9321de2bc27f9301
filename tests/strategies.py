"""Hypothesis strategies for random small models and requirements, written in the model language.

Used for differential testing: every engine must agree with the explicit-state checker. Models
are finite (clocks are digitized by the explicit checker); integer updates saturate, so every
variable stays in range. `liveness_generated` adds fairness and LTL requirements;
`clocked_generated` adds a clock (engines are then compared with each other);
`clocked_liveness_generated` compares clocks with the requirement's own constants. The shapes
that stop runs have their own generators: `no_run_generated` (assumptions and invariants that
contradict the initial state), `time_generated` (zero-time loops and timelocks) and
`deadlock_generated` (a pump that hangs while a deadline is open).
"""

from __future__ import annotations

import functools
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
def vocabularies(draw: st.DrawFn, small: bool = False) -> Vocabulary:
    """How many variables of each kind (`small`: at most two booleans, one integer and one boolean input)."""
    return Vocabulary(
        bools=tuple(f"b{i}" for i in range(draw(st.integers(1, 2 if small else 3)))),
        ints=tuple(f"n{i}" for i in range(draw(st.integers(0, 1 if small else 2)))),
        enums=tuple(f"e{i}" for i in range(draw(st.integers(0, 1)))),
        bool_inputs=tuple(f"in{i}" for i in range(draw(st.integers(0, 1)))),
        int_inputs=tuple(f"k{i}" for i in range(draw(st.integers(0, 0 if small else 1)))),
    )


@functools.cache  # strategies are immutable; building them anew for every draw is slow
def int_terms(v: Vocabulary, with_inputs: bool) -> st.SearchStrategy[str]:
    """Integer-valued terms in 0..INT_HI."""
    atoms = [st.integers(0, INT_HI).map(str)] + [st.just(n) for n in v.ints]
    if with_inputs:
        atoms += [st.just(k) for k in v.int_inputs]
    return st.one_of(atoms)


@functools.cache  # strategies are immutable; building them anew for every draw is slow
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


@dataclass(frozen=True)
class Features:
    """What a generated model may have beyond the clock-free basics (none: the models `generated` always drew)."""

    clocks: tuple[str, ...] = ()
    """Clocks: guards compare them with constants, updates reset them, invariants bound them from above."""
    strict: bool = False
    """Clock guards may be strict (`c > 2`), which runs with whole-unit delays cannot always follow."""
    environment: bool = False
    """Some transitions are the environment's (`environment transition`)."""
    spin: bool = False
    """A transition `spin` that changes nothing: with clocks it may go on firing without time passing."""
    hang: bool = False
    """A transition `hang` into phase Hung, where only `recover` (when there is one and it is enabled) moves."""
    contradictions: bool = False
    """`assume` and `invariant` lines that may contradict the initial state, or every state."""
    small: bool = False
    """Fewer variables and inputs (see `vocabularies`): clocks and tableaux multiply the frames to enumerate."""


@st.composite
def models(draw: st.DrawFn, features: Features = Features()) -> tuple[str, Vocabulary]:
    """A model text, with the `features` asked for, and its vocabulary."""
    f = features
    v = draw(vocabularies(f.small))
    lines = ["model generated", f"type Level = {{{', '.join(ENUM_VALUES)}}}"]
    if f.hang:
        lines += ["type Phase = {Going, Hung}", "var phase: Phase = Going"]
    lines += [f"clock {c}" for c in f.clocks]
    initially = []  # what the initial state meets
    for b in v.bools:
        init = draw(st.sampled_from(["= true", "= false", ""]))
        lines.append(f"var {b}: bool {init}".rstrip())
        initially += [b if init == "= true" else f"not {b}"] if init else []
    for n in v.ints:
        init = draw(st.sampled_from(["= 0", f"= {INT_HI}", ""]))
        lines.append(f"var {n}: 0..{INT_HI} {init}".rstrip())
        initially += [f"{n} == {init.removeprefix('= ')}"] if init else []
    for e in v.enums:
        value = draw(st.sampled_from(ENUM_VALUES))
        lines.append(f"var {e}: Level = {value}")
        initially.append(f"{e} == {value}")
    lines += [f"input {b}: bool" for b in v.bool_inputs]
    lines += [f"input {k}: 0..2" for k in v.int_inputs]
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"assume {draw(bool_exprs(v, True, 1))}")
    if f.contradictions:
        lines += draw(contradictions(v, initially))
    bound = draw(st.integers(1, 4)) if f.clocks else 0
    resettable = tuple(c for c in f.clocks if draw(st.integers(0, 2)))  # a third of the clocks only ever grow
    for i in range(draw(st.integers(1, 4))):
        guard, update = draw(bool_exprs(v, True)), draw(updates(v))
        if f.clocks:
            guard, update = draw(clocked_step(f, bound, resettable, guard, update))
        if f.hang:
            guard = f"phase == Going and ({guard})"
        lines.append(f"{draw(transition_kind(f))} t{i}\n  when {guard}{update}")
    if f.spin:
        guard = draw(st.sampled_from([*(f"{c} >= {bound}" for c in f.clocks), "true", "b0"]))
        again = draw(st.sampled_from(["", "\n  do b0 := b0"]))
        lines.append(f"{draw(transition_kind(f))} spin\n  when {guard}{again}")
    if f.hang:
        stop = draw(st.one_of(st.just("true"), bool_exprs(v, True, 0), bool_exprs(v, True, 1)))
        lines.append(f"transition hang\n  when phase == Going and ({stop})\n  do phase := Hung")
        if draw(st.integers(0, 2)) == 2:  # not the simplest choice, which Hypothesis draws often
            again = draw(bool_exprs(v, True, 1))
            lines.append(f"transition recover\n  when phase == Hung and ({again})\n  do phase := Going")
        if draw(st.integers(0, 3)) == 3:
            lines.append("terminal phase == Hung")
    for c in f.clocks if f.spin else resettable:  # an invariant on a clock that only grows stops time
        if draw(st.integers(0, 3)) < (3 if f.spin else 2):
            lines.append(f"invariant {draw(st.sampled_from(['true', 'b0', 'not b0']))} -> {c} <= {bound}")
    return "\n".join(lines) + "\n", v


@st.composite
def transition_kind(draw: st.DrawFn, features: Features) -> str:
    """`transition`, or with `features.environment` now and then `environment transition`."""
    if features.environment and draw(st.integers(0, 2)) == 0:
        return "environment transition"
    return "transition"


@st.composite
def clocked_step(
    draw: st.DrawFn, features: Features, bound: int, resettable: tuple[str, ...], guard: str, update: str
) -> tuple[str, str]:
    """A transition's guard and `do` clause with clock comparisons (against 0..bound+1) and resets added."""
    ops = [">=", "<=", "==", *([">", "<"] if features.strict else [])]
    for c in features.clocks:
        if draw(st.booleans()):
            guard = f"({guard}) and {c} {draw(st.sampled_from(ops))} {draw(st.integers(0, bound + 1))}"
        if c in resettable and draw(st.booleans()):
            update = f"{update}; {c} := 0" if update else f"\n  do {c} := 0"
    return guard, update


@st.composite
def contradictions(draw: st.DrawFn, v: Vocabulary, initially: list[str]) -> list[str]:
    """One or two `assume`/`invariant` lines; some contradict the initial state (`not` of an initial value),
    some every state (`false`), others merely rule some steps out."""
    lines = []
    for _ in range(draw(st.sampled_from([1, 1, 2]))):
        kind = draw(st.sampled_from(["assume", "invariant"]))
        choice = draw(st.integers(0, 5))
        if choice == 5 and initially:
            expr = f"not ({draw(st.sampled_from(initially))})"
        elif choice == 4:
            inputs = v.bool_inputs if kind == "assume" else ()  # an invariant cannot read inputs
            expr = draw(st.sampled_from(["false", *(f"{b} and not {b}" for b in inputs)]))
        else:
            expr = draw(bool_exprs(v, kind == "assume", 1))
        lines.append(f"{kind} {expr}")
    return lines


@functools.cache  # strategies are immutable; building them anew for every draw is slow
def past_formulas(v: Vocabulary) -> st.SearchStrategy[str]:
    """State formulas with past-time operators; `held` also over the others (`held((a) since (b), 2)`)."""
    base = bool_exprs(v, True, 1)
    simple = st.one_of(
        base,
        base.map(lambda a: f"previously ({a})"),
        base.map(lambda a: f"once ({a})"),
        base.map(lambda a: f"historically ({a})"),
        base.map(lambda a: f"rise({a})"),
        base.map(lambda a: f"fall({a})"),
        st.builds(lambda a, b: f"({a}) since ({b})", base, base),
    )
    return maybe_held(simple)


@st.composite
def maybe_held(draw: st.DrawFn, formulas: st.SearchStrategy[str]) -> str:
    """A formula of `formulas`, in one case of four as `held(f, T)` with T in 0..3 (as a branch of `one_of` it
    was drawn once in 25 formulas)."""
    f = draw(formulas)
    return f"held({f}, {draw(st.integers(0, 3))})" if draw(st.integers(0, 3)) == 0 else f


@st.composite
def safety_formulas(draw: st.DrawFn, v: Vocabulary) -> str:
    """A requirement of one of the safety shapes, over past-time formulas."""
    p, q, r = draw(past_formulas(v)), draw(past_formulas(v)), draw(past_formulas(v))
    shape = draw(st.sampled_from(["always", "within", "weak-until", "next"]))
    return {
        "always": f"always ({p})",
        # p in parentheses: `->` is right associative, and a p ending in `-> x` would change the shape.
        "within": f"always (({p}) -> ({q}) within {draw(st.integers(0, 3))})",
        "weak-until": f"always (({p}) -> ({q}) weak-until ({r}))",
        "next": f"always (({p}) -> next ({q}))",
    }[shape]


def requirement(formula: str, rid: str = "R1") -> str:
    """A one-requirement `.req` text."""
    return f'requirement {rid}\n  text "generated"\n  source "hypothesis"\n  {formula}\n'


@st.composite
def generated(draw: st.DrawFn) -> Generated:
    """A random model and a random safety requirement over it."""
    model, v = draw(models())
    return Generated(model, requirement(draw(safety_formulas(v))))


# ---------------------------------------------------------------- liveness (LTL with fairness)

INPUT_NAME = r"\b(?:in|k)\d+\b"


@functools.cache  # strategies are immutable; building them anew for every draw is slow
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
def fairness_lines(draw: st.DrawFn, model: str, v: Vocabulary, clocks: tuple[str, ...] = ()) -> list[str]:
    """Fairness declarations: weak/strong on transitions that read no inputs (and whose guards read no clocks),
    `infinitely` on state formulas."""
    blocks = model.split("\ntransition ")[1:]
    timed = re.compile(rf"\bwhen .*\b(?:{'|'.join(clocks)})\b") if clocks else None
    quiet = [b.split()[0] for b in blocks if not re.search(INPUT_NAME, b) and not (timed and timed.search(b))]
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
    return Generated(model + "".join(f"{line}\n" for line in fairness), requirement(formula, "L1"))


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


CLOSED = (">=", "<=", "==")
OPEN = (">", "<", "!=")


def clock_atoms(clocks: tuple[str, ...], top: int, positive: bool, loose: bool) -> st.SearchStrategy[str]:
    """A clock compared with a constant 0..top: strict where it occurs positively, closed where negatively (see
    `clock_ltl_formulas`), either when `loose`."""
    ops = CLOSED + OPEN if loose else OPEN if positive else CLOSED
    comparisons = st.builds(lambda c, op: f"{c} {op}", st.sampled_from(clocks), st.sampled_from(ops))
    return st.builds(lambda cmp, k: f"{cmp} {k}", comparisons, st.integers(0, top))


@st.composite
def clock_ltl_formulas(
    draw: st.DrawFn, v: Vocabulary, clocks: tuple[str, ...], top: int, positive: bool, depth: int, loose: bool
) -> str:
    """LTL formulas over state formulas and comparisons of clocks with constants 0..top.

    Unless `loose`: a clock comparison is strict where it occurs positively and closed where negatively, so
    that the negation (whose runs are the counterexamples) meets closed constraints only (`held`, whose age
    comparison is closed, occurs negatively only); and no `next`, `previously` or input appears. Runs with
    whole-unit delays then decide the formula as real-time runs do (Henzinger, Manna and Pnueli 1992), so the
    explicit checker is ground truth for it.
    """

    def sub(polarity: bool, at: int | None = None) -> str:  # a subformula, one level down unless `at` says
        return draw(clock_ltl_formulas(v, clocks, top, polarity, depth - 1 if at is None else at, loose))

    kinds = ["clock", "state", *(["past", "unary", "binary", "implies"] if depth else [])]
    kind = draw(st.sampled_from(kinds))
    if kind == "clock":
        return draw(clock_atoms(clocks, top, positive, loose))
    if kind == "state":
        return draw(bool_exprs(v, loose, 1))
    if kind == "past":  # past operators over atoms only: the tableau takes past formulas whole
        # held(f, T) compares the age of f's streak with T, closed: in the fragment it occurs negatively only.
        held = ["held"] if loose or not positive else []
        op = draw(st.sampled_from(["once", "historically", "since", *(["previously"] if loose else []), *held]))
        if op == "since":
            return f"({sub(positive, 0)}) since ({sub(positive, 0)})"
        if op == "held":
            return f"held({sub(positive, 0)}, {draw(st.integers(0, top))})"
        return f"{op} ({sub(positive, 0)})"
    if kind == "unary":
        op = draw(st.sampled_from(["eventually", "always", "not", *(["next"] if loose else [])]))
        return f"{op} ({sub(not positive if op == 'not' else positive)})"
    if kind == "implies":
        return f"({sub(not positive)}) -> ({sub(positive)})"
    op = draw(st.sampled_from(["until", "weak-until", "release", "and", "or"]))
    return f"({sub(positive)}) {op} ({sub(positive)})"


@st.composite
def clocked_liveness_generated(draw: st.DrawFn) -> Generated:
    """A model with one or two clocks (closed guards, upper-bound invariants) and an LTL requirement whose clock
    comparisons use constants of their own, often beyond every constant of the model (`eventually c > 7`).

    Four in five cases keep to the fragment digitization decides exactly (see `clock_ltl_formulas`); the others
    may compare strictly anywhere and use `next`, `previously` and inputs.
    """
    loose = draw(st.integers(0, 4)) == 0
    clocks = ("c", "d") if draw(st.integers(0, 2)) == 0 else ("c",)
    model, v = draw(models(Features(clocks=clocks, strict=loose, small=True)))
    fairness = draw(fairness_lines(model, v, clocks))
    top = draw(st.sampled_from([4, 10, 15]))

    def atom(positive: bool) -> str:  # half of them a bare clock comparison, the shape whose constants matter
        if draw(st.booleans()):
            return draw(clock_atoms(clocks, top, positive, loose))
        return draw(clock_ltl_formulas(v, clocks, top, positive, 1, loose))

    shape = draw(st.sampled_from(["free", "eventually", "response", "held", "recurrence", "persistence"]))
    if shape == "free":
        formula = draw(clock_ltl_formulas(v, clocks, top, True, 2, loose))
    elif shape == "eventually":
        formula = f"eventually ({atom(True)})"
    elif shape == "response":
        formula = f"always (({atom(False)}) -> eventually ({atom(True)}))"
    elif shape == "held":  # a condition that persisted T time units is answered; held occurs negatively
        persisted = draw(clock_ltl_formulas(v, clocks, top, False, 0, loose))  # a past-time formula
        formula = f"always (held({persisted}, {draw(st.integers(0, top))}) -> eventually ({atom(True)}))"
    elif shape == "recurrence":
        formula = f"always eventually ({atom(True)})"
    else:
        formula = f"eventually always ({atom(True)})"
    return Generated(model + "".join(f"{line}\n" for line in fairness), requirement(formula, "L1"))


# ---------------------------------------------------------------- runs that stop


@st.composite
def no_run_generated(draw: st.DrawFn) -> Generated:
    """A clock-free model whose `assume`/`invariant` lines may contradict its initial state or every state, with a
    safety requirement (three in four) or an LTL one."""
    model, v = draw(models(Features(contradictions=True)))
    formula = draw(ltl_formulas(v, 1) if draw(st.integers(0, 3)) == 0 else safety_formulas(v))
    return Generated(model, requirement(formula))


@st.composite
def deadlock_generated(draw: st.DrawFn) -> Generated:
    """A clock-free model that may hang (phase Hung, where nothing but perhaps `recover` is enabled) while a
    requirement's deadline is open: mostly `always (p -> q within T)`, else a response or a safety shape. Half
    the triggers open the deadline as the pump hangs (`fired(hang)`, `phase == Hung`, or has hung for a few
    steps, `held(phase == Hung, 2)`), half the responses need it to recover (`phase == Going`): only runs that
    repeat their last state then see the deadline expire."""
    model, v = draw(models(Features(hang=True)))
    hung = st.one_of(
        st.sampled_from(["fired(hang)", "phase == Hung"]), st.integers(1, 3).map(lambda n: f"held(phase == Hung, {n})")
    )
    p = draw(st.one_of(hung, bool_exprs(v, True, 1)))
    q = draw(st.one_of(st.just("phase == Going"), bool_exprs(v, True, 1)))
    shape = draw(st.sampled_from(["within", "within", "response", "other"]))
    if shape == "within":
        formula = f"always (({p}) -> ({q}) within {draw(st.integers(1, 3))})"
    elif shape == "response":
        formula = f"always (({p}) -> eventually ({q}))"
    else:
        formula = draw(safety_formulas(v))
    return Generated(model, requirement(formula))


@st.composite
def time_generated(draw: st.DrawFn) -> Generated:
    """A clocked model where time may stop: invariants bound the clocks, `spin` changes nothing, some transitions
    are the environment's (which time divergence may not rely on), and a bounded-response requirement.

    One in four models has a second clock or strict guards (digitization then is not exact for time divergence).
    """
    inexact = draw(st.integers(0, 3)) == 0
    clocks = ("c", "d") if inexact and draw(st.booleans()) else ("c",)
    features = Features(clocks=clocks, strict=inexact and len(clocks) == 1, environment=True, spin=True, small=True)
    model, v = draw(models(features))
    p, q = draw(bool_exprs(v, True, 1)), draw(bool_exprs(v, True, 1))
    return Generated(model, requirement(f"always (({p}) -> ({q}) within {draw(st.integers(0, 3))})"))


# ---------------------------------------------------------------- parts composed over channels

PARTS = 2


@st.composite
def composed_generated(draw: st.DrawFn) -> Generated:
    """Two instances of one component that synchronise over a broadcast and a handshake channel, and a safety
    requirement over their variables: each flat step is one part's transition or a sender with its receivers,
    so a fault in a part's transition changes several steps at once (what component-level mutation makes)."""
    v = draw(vocabularies(small=True))
    v = Vocabulary(v.bools, v.ints, (), (), ())  # a part's own state; the parts share no inputs
    lines = ["model composed", "broadcast chan tick", "chan pass", f"component P(c: 0..{PARTS - 1})"]
    lines += [f"  var {b}: bool = {draw(st.sampled_from(['true', 'false']))}" for b in v.bools]
    lines += [f"  var {n}: 0..{INT_HI} = 0" for n in v.ints]
    steps = ["own"]
    if draw(st.booleans()):
        steps += ["send sync tick!", *(["hear sync tick?"] if draw(st.booleans()) else [])]
    if draw(st.booleans()):
        steps += ["give sync pass!", "take sync pass?"]
    for step in steps:
        # a receiver that always listens (half the receivers) makes every send a joint step, until a mutant
        # disables it and the send goes alone: a flat step the model does not have
        always = [st.just("true")] * (3 if "?" in step else 1)
        guard = draw(st.one_of(bool_exprs(v, False), st.just("c == 0"), *always))
        lines.append(f"  transition {step} when {guard}{draw(updates(v)).replace(chr(10), ' ')}")
    lines += ["end", f"instance p[c in 0..{PARTS - 1}]: P(c)"]
    flat = Vocabulary(
        *(tuple(f"p[{i}].{n}" for i in range(PARTS) for n in names) for names in (v.bools, v.ints)), (), (), ()
    )
    # `fired(...)` of a part's transition, in one instance or in all: the flat steps it names are the model's,
    # and a mutant composes into others (a receiver disabled leaves its sender's step alone)
    named = [step.split()[0] for step in steps]
    fired = st.sampled_from([*named, *(f"p[{i}].{n}" for i in range(PARTS) for n in named)])
    atoms = st.sampled_from([*flat.bools, *(f"not {b}" for b in flat.bools), *(f"{n} == 0" for n in flat.ints)])
    formula = st.one_of(
        safety_formulas(flat),
        st.tuples(fired, st.one_of(atoms, past_formulas(flat))).map(lambda fq: f"always (fired({fq[0]}) -> ({fq[1]}))"),
        st.tuples(fired, atoms).map(lambda fa: f"always (({fa[1]}) -> once fired({fa[0]}))"),
    )
    return Generated("\n".join(lines) + "\n", requirement(draw(formula)))
