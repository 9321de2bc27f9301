"""pumpproof's safety problems for two peer model checkers, generated from the IR: Promela for SPIN, Verilog for
yosys (whose AIGER ABC's `pdr` reads); and how each peer runs on its file and what its verdict is.

Both follow the Z3 encoding's frames (pumpproof/verify/encoding.py): a frame is the state, the inputs of the step
into it and the requirement's monitors. The first frame has the declared initial values and free inputs; each
later one takes fresh inputs and a transition (an input `sel` picks one when there are several), computes every
update from the previous state and the new inputs, then the monitors in order, reading the new frame and, through
`Pre`, the previous one. A choice whose guard, assumptions, invariants or input ranges fail takes no step (the
frame is kept, which reaches nothing new); a frame from which no transition can be taken repeats, monitors
updated (the stutter step). Bad frames: the problem's `bad`, or a bounded integer out of its declared range
(pumpproof proves MODEL.RANGES before assuming it). Refused: clocks, unbounded or real numbers, initial values
that are not constants, the LTL tableau's free monitors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pumpproof.errors import InternalError, UnsupportedError
from pumpproof.lang.ir import (
    ARITHMETIC,
    BOOL,
    TRUE,
    Binary,
    BoolType,
    Const,
    Elapsed,
    EnumType,
    Expr,
    Fired,
    IntType,
    Ite,
    Op,
    Pre,
    Type,
    Unary,
    VarRef,
)
from pumpproof.lang.load import load_model, load_requirements
from pumpproof.lang.walk import Memo, children, fold_up, nodes, same_step, var_names
from pumpproof.verify.problem import SafetyProblem, conj, neg, range_conditions
from pumpproof.verify.run import problem_for
from pumpproof.verify.steps import can_step


def load_problem(
    model: Path, requirements: Path, constants: dict[str, str], requirement: str | None = None
) -> SafetyProblem:
    """The safety problem of one requirement (default: the file's first) on a model with `-D` constants."""
    system = load_model(str(model), constants)
    reqs = load_requirements(str(requirements), system).requirements
    req = reqs[0] if requirement is None else next(r for r in reqs if r.id == requirement)
    problem = problem_for(system, req)
    if not isinstance(problem, SafetyProblem):
        raise UnsupportedError(f"requirement {req.id} is a liveness property: the peer translators take safety only")
    return problem


# ---------------------------------------------------------------- what the translators take


def refuse_unsupported(problem: SafetyProblem) -> None:
    """UnsupportedError naming the first thing in `problem` that the translators cannot express."""
    system = problem.system
    if system.timed:
        clocks = ", ".join(v.name for v in system.clocks)
        raise UnsupportedError(
            f"model {system.name} has clocks ({clocks}): the peer translators take untimed models only",
            hint="count time in steps, as benchmarks/models/tick_detector.pump does",
        )
    if system.unbounded:
        raise UnsupportedError(f"model {system.name}: {system.unbounded[0].name} is unbounded (give it a range lo..hi)")
    for v in system.state_vars:
        if v.init is not None and not isinstance(v.init, Const):
            raise UnsupportedError(f"variable {v.name}: only constant initial values are translated")
    if any(m.free for m in system.monitors) or problem.initial != TRUE or problem.constraint != TRUE:
        raise UnsupportedError(f"requirement {problem.name}: the LTL tableau's free monitors are not translated")
    for n in (n for e in problem.exprs() for n in nodes(e)):
        if (isinstance(n, Unary) and n.op is Op.TO_REAL) or (isinstance(n, Const) and _is_fraction(n.value)):
            raise UnsupportedError(f"model {system.name} uses rational numbers: the peers take finite types only")


def _is_fraction(value: object) -> bool:
    return not isinstance(value, (bool, int, str))


# ---------------------------------------------------------------- value ranges (for widths and types)

Bounds = tuple[float, float]
"""An interval of integer values; a bound may be infinite while ranges are being widened."""


def _type_bounds(t: Type) -> Bounds:
    if isinstance(t, IntType):
        return (t.lo, t.hi)
    if isinstance(t, EnumType):
        return (0, len(t.values) - 1)
    return (0, 1)


def _join(a: Bounds, b: Bounds) -> Bounds:
    return (min(a[0], b[0]), max(a[1], b[1]))


def _times(a: float, b: float) -> float:
    return 0 if a == 0 or b == 0 else a * b  # a factor 0 is exact, even against an infinite bound


def _node_bounds(e: Expr, kids: tuple[Bounds, ...], known: dict[str, Bounds]) -> Bounds:
    """The interval of one node's values, from its children's intervals and the variables' (`known`)."""
    match e:
        case Const(value=bool()):
            return (0, 1)
        case Const(value=v, type=EnumType(values=values)):
            return (values.index(str(v)),) * 2
        case Const(value=int() as v):
            return (v, v)
        case VarRef(name=name):
            return known[name]
        case Unary(op=Op.NEG):
            return (-kids[0][1], -kids[0][0])
        case Binary(op=op) if op in ARITHMETIC:
            (alo, ahi), (blo, bhi) = kids
            if op is Op.ADD:
                return (alo + blo, ahi + bhi)
            if op is Op.SUB:
                return (alo - bhi, ahi - blo)
            if op is Op.MIN:
                return (min(alo, blo), min(ahi, bhi))
            if op is Op.MAX:
                return (max(alo, blo), max(ahi, bhi))
            products = [_times(x, y) for x in (alo, ahi) for y in (blo, bhi)]
            return (min(products), max(products))
        case Ite():
            return _join(kids[1], kids[2])
        case Pre():
            return kids[0]
    return (0, 1)  # booleans, and the time an untimed step takes (0 into the first frame, 1 into the others)


def bounds(e: Expr, known: dict[str, Bounds]) -> Bounds:
    """The interval of `e`'s values when every variable lies in its interval in `known` (read alike by Pre)."""
    return fold_up(e, lambda n, kids: _node_bounds(n, kids, known), children)


def variable_bounds(problem: SafetyProblem) -> dict[str, Bounds]:
    """The interval of every frame variable: the declared types', and for integer monitors (an obligation's age) a
    post-fixpoint of their updates, found by iterating, widening what still grows, then narrowing."""
    system = problem.system
    known = {v.name: _type_bounds(v.type) for v in system.variables}
    known |= {m.name: _type_bounds(m.type) for m in system.monitors}
    counted = [m for m in system.monitors if not isinstance(m.type, (BoolType, IntType, EnumType))]
    for m in counted:  # in order: a monitor's initial value may read an earlier monitor's
        assert m.init is not None
        known[m.name] = bounds(m.init, known)

    def applied() -> dict[str, Bounds]:
        out = dict(known)
        for m in counted:
            assert m.init is not None and m.update is not None
            out[m.name] = _join(bounds(m.init, known), bounds(m.update, known))
        return out

    for rounds in range(64):
        grown = {n: _join(known[n], b) for n, b in applied().items()}
        if grown == known:
            break
        if rounds >= 8:  # widen: a bound still moving goes to infinity, and narrowing below brings it back
            grown = {n: (-math.inf if b[0] < known[n][0] else b[0], math.inf if b[1] > known[n][1] else b[1])
                     for n, b in grown.items()}  # fmt: skip
        known = grown
    for _ in range(8):  # each application to a post-fixpoint gives another, no larger
        narrower = applied()
        if narrower == known:
            break
        known = narrower
    for m in counted:
        if not all(math.isfinite(b) for b in known[m.name]):
            raise UnsupportedError(f"monitor {m.name} of requirement {problem.name} has no finite range of values")
    return known


# ---------------------------------------------------------------- the frame machine, in either language


@dataclass
class _Frame:
    """One frame's variables as target-language texts: `values` by IR name, `fired` per transition name (a
    transition absent was not taken), `elapsed`; `memo` keeps each node's text, so a shared node is computed once."""

    values: dict[str, str]
    fired: dict[str, str]
    elapsed: str
    memo: Memo[str] = field(default_factory=dict)


class _Target:
    """The syntax of one target language (Promela's here), and the definitions written into the current block."""

    true, false, cond = "true", "false", "({0} -> {1} : {2})"

    def __init__(self, width: int) -> None:
        self.width = width
        self.block: list[str] = []
        self.temps: list[tuple[str, bool]] = []
        self.known: dict[tuple[bool, str], str] = {}

    def const(self, value: int) -> str:
        """An integer literal."""
        return f"({value})" if value < 0 else str(value)

    def define(self, boolean: bool, text: str) -> str:
        """A temporary holding `text` (a new one, written to the block, unless the block has one): its name."""
        if (boolean, text) not in self.known:
            name = self.known[boolean, text] = f"t{len(self.temps)}"
            self.temps.append((name, boolean))
            self.block.append(self.definition(name, boolean, text))
        return self.known[boolean, text]

    def all(self, parts: Iterable[str]) -> str:
        """The conjunction of boolean texts, constants left out."""
        if self.false in parts:
            return self.false
        kept = list(dict.fromkeys(p for p in parts if p != self.true))
        return self.true if not kept else kept[0] if len(kept) == 1 else self.define(True, f"({' && '.join(kept)})")

    def any(self, parts: Iterable[str]) -> str:
        """The disjunction of boolean texts, constants left out."""
        if self.true in parts:
            return self.true
        kept = list(dict.fromkeys(p for p in parts if p != self.false))
        return self.false if not kept else kept[0] if len(kept) == 1 else self.define(True, f"({' || '.join(kept)})")

    def definition(self, name: str, boolean: bool, text: str) -> str:
        """The line that gives temporary `name` its value."""
        return f"{name} = {text};"

    def take(self) -> list[str]:
        """The lines written since the last call; temporaries from them are not reused (Promela's branches)."""
        block, self.block, self.known = self.block, [], {}
        return block


class _Verilog(_Target):
    """Verilog: booleans are one bit, every integer node a signed wire wide enough for every node's values."""

    true, false, cond = "1'b1", "1'b0", "({0} ? {1} : {2})"

    def const(self, value: int) -> str:
        return f"(-{self.width}'sd{-value})" if value < 0 else f"{self.width}'sd{value}"

    def definition(self, name: str, boolean: bool, text: str) -> str:
        return f"wire {'' if boolean else f'signed [{self.width - 1}:0] '}{name} = {text};"


_INFIX = {Op.AND: "&&", Op.OR: "||", Op.IFF: "==", Op.EQ: "==", Op.NE: "!=", Op.LT: "<", Op.LE: "<=", Op.GT: ">"}
_INFIX |= {Op.GE: ">=", Op.ADD: "+", Op.SUB: "-", Op.MUL: "*"}


class _Lowering:
    """IR expressions to definitions in `target`: one temporary per distinct node and frame."""

    def __init__(self, target: _Target) -> None:
        self.target = target

    def expr(self, e: Expr, frame: _Frame, pre: _Frame | None = None) -> str:
        """The text of `e` in `frame`, with `Pre(...)` read in `pre`."""
        return fold_up(e, lambda n, kids: self._node(n, kids, frame, pre), same_step, frame.memo)

    def _node(self, e: Expr, kids: tuple[str, ...], frame: _Frame, pre: _Frame | None) -> str:
        t = self.target
        boolean = isinstance(e.type, BoolType)
        match e:
            case Const(value=bool() as v):
                return t.true if v else t.false
            case Const(value=v, type=EnumType(values=values)):
                return t.const(values.index(str(v)))
            case Const(value=int() as v):
                return t.const(v)
            case VarRef(name=name) if name in frame.values:
                return frame.values[name]
            case Unary(op=Op.NOT):
                return t.false if kids[0] == t.true else t.true if kids[0] == t.false else t.define(True, f"!{kids[0]}")
            case Unary(op=Op.NEG):
                return t.define(False, f"({t.const(0)} - {kids[0]})")
            case Binary(op=Op.AND):
                return t.all(kids)
            case Binary(op=Op.OR):
                return t.any(kids)
            case Binary(op=Op.IMPLIES):
                return t.define(True, f"(!{kids[0]} || {kids[1]})")
            case Binary(op=Op.MIN | Op.MAX as op):
                a, b = kids
                return t.define(False, t.cond.format(f"({a} {'<=' if op is Op.MIN else '>='} {b})", a, b))
            case Binary(op=op) if op in _INFIX:
                return t.define(boolean, f"({kids[0]} {_INFIX[op]} {kids[1]})")
            case Ite():
                return t.define(boolean, t.cond.format(*kids))
            case Fired(transitions=names):
                return t.any([frame.fired[n] for n in names if n in frame.fired])
            case Elapsed():
                return frame.elapsed
            case Pre(arg=arg) if pre is not None:
                return self.expr(arg, pre)
        raise InternalError(f"peer translation: cannot translate {e} here")


@dataclass(frozen=True)
class Slot:
    """A variable of the target: the IR name it holds (`__tr` for the step index), its identifier, its range."""

    name: str
    ident: str
    lo: int
    hi: int
    boolean: bool = False


@dataclass
class _Branch:
    """One way a new frame is made (initial, transition, stutter): its definitions, frame texts and validity."""

    block: list[str]
    values: dict[str, str]
    valid: str


@dataclass
class _Machine:
    """A problem's frame machine in one target, before the target lays it out in its own syntax."""

    stored: list[Slot]
    """What is kept from one frame to the next: state, monitors, inputs read later, the step index if read."""
    inputs: list[Slot]
    """The fresh inputs of a step, then the initial values to choose (`c_`), `sel` last when there are several
    transitions."""
    first: list[Slot]
    """The initial values to choose, for variables declared without one (read by the first step only)."""
    before: list[str]
    stuck: str | None
    """The condition (on the kept frame) under which no transition can be taken, when there is one."""
    branches: dict[str, _Branch]
    new: dict[str, str]
    """The identifier of each stored name's value in the new frame (the temporary every branch sets)."""
    after: list[str]
    bad: str


TR = "__tr"
"""The step into the frame, when something reads it later: 0 initial or stutter, i + 1 for transition i."""


def _mangle(names: Iterable[str], prefix: str, taken: set[str]) -> dict[str, str]:
    """Target identifiers for IR names (`running[0]` as `s_running_0`), distinct from each other."""
    out = {}
    for name in names:
        base = prefix + re.sub(r"\W+", "_", name).strip("_")
        ident, n = base, 1
        while ident in taken:
            ident, n = f"{base}_{n}", n + 1
        taken.add(ident)
        out[name] = ident
    return out


def _slots(named: Sequence[tuple[str, Type]], prefix: str, ranges: dict[str, Bounds], taken: set[str]) -> list[Slot]:
    idents = _mangle((n for n, _ in named), prefix, taken)
    return [Slot(n, idents[n], int(ranges[n][0]), int(ranges[n][1]), t == BOOL) for n, t in named]


def width_for(problem: SafetyProblem, ranges: dict[str, Bounds]) -> int:
    """Bits of a signed integer wide enough for every value of every node the frame machine computes (and for
    a stored value less its range's low end)."""
    memo: Memo[Bounds] = {}
    for e in [*problem.exprs(), *range_conditions(problem.system), can_step(problem.system)]:
        fold_up(e, lambda n, kids: _node_bounds(n, kids, ranges), children, memo)
    most = max([abs(b) for _, r in memo.values() for b in r] + [abs(b) for r in ranges.values() for b in r])
    return int(2 * most + 1).bit_length() + 1


class _Builder:
    """Builds a problem's frame machine in one target; `read` gives the text that reads a stored or input
    identifier (default the identifier itself)."""

    def __init__(self, problem: SafetyProblem, target: _Target, ranges: dict[str, Bounds], read: dict[str, str]):
        system = self.system = problem.system
        self.problem, self.target, self.read = problem, target, read
        self.lower = _Lowering(target)
        self.moves = system.transitions
        self.stop = can_step(system)
        self.stutters = problem.stutter and self.stop != TRUE
        monitored = [n for m in system.monitors for e in m.exprs() for n in nodes(e) if isinstance(n, Pre)]
        later = set().union(*(var_names(n.arg) for n in monitored))
        self.keep_tr = any(isinstance(n, Fired) for e in problem.exprs() for n in nodes(e))
        taken: set[str] = {"sel", "valid", "started", "f_tr"}
        kept = [(v.name, v.type) for v in system.inputs if self.stutters or v.name in later]
        self.stored = _slots([(v.name, v.type) for v in system.state_vars], "s_", ranges, taken)
        self.stored += _slots([(m.name, m.type) for m in system.monitors], "m_", ranges, taken)
        self.stored += _slots(kept, "f_", ranges, taken)
        self.stored += [Slot(TR, "f_tr", 0, len(self.moves))] if self.keep_tr else []
        self.inputs = _slots([(v.name, v.type) for v in system.inputs], "i_", ranges, taken)
        self.fresh = {s.name: read.get(s.ident, s.ident) for s in self.inputs}
        self.first = _slots([(v.name, v.type) for v in system.state_vars if v.init is None], "c_", ranges, taken)
        self.free = {s.name: read.get(s.ident, s.ident) for s in self.first}
        self.inputs += self.first + ([Slot("sel", "sel", 0, len(self.moves) - 1)] if len(self.moves) > 1 else [])
        self.new = _mangle([s.name for s in self.stored], "n_", taken)
        self.one = target.const(1)

    def fired_by(self, index: str) -> dict[str, str]:
        """Which transition a step index (`f_tr`, `n_tr`) says was taken."""
        return {t.name: f"({index} == {self.target.const(i + 1)})" for i, t in enumerate(self.moves)}

    def old(self) -> _Frame:
        """The kept frame, with a memo of its own: a Promela branch cannot read another branch's temporaries."""
        values = {s.name: self.read.get(s.ident, s.ident) for s in self.stored}
        return _Frame(values, self.fired_by(self.read.get("f_tr", "f_tr")), self.one)

    def finish(self, frame: _Frame, checks: Sequence[Expr], pre: _Frame | None, valid: list[str]) -> _Branch:
        """The monitors of `frame` (initial values without `pre`, else updates), then its validity."""
        for m in self.system.monitors:
            source = m.init if pre is None else m.update
            assert source is not None
            frame.values[m.name] = self.lower.expr(source, frame, pre)
        valid += [self.lower.expr(c, frame, pre) for c in checks]
        valid_text = self.target.all(valid)
        return _Branch(self.target.take(), frame.values, valid_text)

    def initial(self) -> _Branch:
        """The first frame: the declared initial values (chosen, `c_`, for a variable without one) and free
        inputs, where `initial`, the invariants and the assumptions hold."""
        system, t = self.system, self.target
        first = _Frame(
            {v.name: self.lower.expr(v.init, self.old()) for v in system.state_vars if v.init is not None},
            {},
            t.const(0),
        )
        first.values |= self.free | self.fresh | {TR: t.const(0)}
        return self.finish(first, [*system.initial, *system.invariants, *system.assumptions], None, [])

    def step(self) -> _Branch:
        """A transition: the kept state and the new inputs are read; the guard of the chosen transition, the
        assumptions and (in the new frame) the invariants hold."""
        t, lower, moves, old = self.target, self.lower, self.moves, self.old()
        reads = _Frame(old.values | self.fresh, old.fired, self.one)
        sel = self.read.get("sel", "sel")
        chosen = {m.name: t.true if len(moves) == 1 else f"({sel} == {t.const(i)})" for i, m in enumerate(moves)}
        values = {}
        for v in self.system.state_vars:
            text = reads.values[v.name]
            for move in reversed(moves):
                written = next((u.value for u in move.updates if u.target == v.name), None)
                if written is not None:
                    w = lower.expr(written, reads, old)
                    text = w if len(moves) == 1 else t.define(v.type == BOOL, t.cond.format(chosen[move.name], w, text))
            values[v.name] = text
        valid = [t.any([t.all([chosen[m.name], lower.expr(m.guard, reads, old)]) for m in moves])]
        valid += [lower.expr(a, reads, old) for a in self.system.assumptions]
        frame = _Frame(values | self.fresh, chosen, self.one)
        frame.values[TR] = self.one if len(moves) == 1 else t.define(False, f"({sel} + {self.one})")
        return self.finish(frame, self.system.invariants, old, valid)

    def stutter(self) -> _Branch:
        """The frame repeated, inputs included, when no transition can be taken; its monitors updated."""
        old = self.old()
        repeat = _Frame({v.name: old.values[v.name] for v in self.system.variables}, {}, self.one)
        repeat.values[TR] = self.target.const(0)
        return self.finish(repeat, (), old, [])

    def machine(self) -> _Machine:
        """The whole frame machine: the branches, then the bad states of the new frame."""
        t, system = self.target, self.system
        stuck = self.lower.expr(neg(self.stop), self.old()) if self.stutters else None
        before = t.take()
        branches = {"init": self.initial(), "step": self.step()}
        if self.stutters:
            branches["stutter"] = self.stutter()
        elapsed = t.cond.format("started", self.one, t.const(0))
        frame = _Frame(
            {v.name: self.new.get(v.name, self.fresh.get(v.name, "")) for v in system.variables}, {}, elapsed
        )
        frame.values |= {m.name: self.new[m.name] for m in system.monitors}
        frame.fired = self.fired_by(self.new[TR]) if self.keep_tr else {}
        bad = self.problem.bad
        if range_conditions(system):
            bad = Binary(Op.OR, bad, neg(conj(*range_conditions(system))), BOOL)
        bad_text = self.lower.expr(bad, frame)
        return _Machine(self.stored, self.inputs, self.first, before, stuck, branches, self.new, t.take(), bad_text)


# ---------------------------------------------------------------- Promela


def _promela_type(s: Slot) -> str:
    if s.boolean:
        return "bit"
    if s.lo >= 0 and s.hi <= 255:
        return "byte"
    return "short" if s.lo >= -(2**15) and s.hi < 2**15 else "int"


def _choice(s: Slot) -> str:
    """Promela that sets the input slot `s` (0 before) to any value of its range."""
    if s.boolean:
        return f"if :: skip :: {s.ident} = 1 fi"
    return f"select({s.ident} : {s.lo} .. {s.hi})"


def promela(problem: SafetyProblem, title: str) -> str:
    """The problem as one Promela process: each loop iteration, an atomic choice of inputs then one d_step that
    makes the new frame, asserts it is not bad and stores it; temporaries are hidden and inputs reset to 0, so
    that equal frames are one state."""
    refuse_unsupported(problem)
    ranges = variable_bounds(problem)
    if width_for(problem, ranges) > 31:
        raise UnsupportedError(f"requirement {problem.name}: values beyond Promela's 32-bit integers")
    target = _Target(32)
    m = _Builder(problem, target, ranges, {}).machine()
    arms = []
    for name, guard in (("init", "!started"), ("stutter", f"started && {m.stuck}"), ("step", "else")):
        if name not in m.branches:
            continue
        branch = m.branches[name]
        sets = [f"{m.new[s.name]} = {branch.values[s.name]};" for s in m.stored]
        arms += [f"        :: {guard} ->", *_indent([*branch.block, *sets, f"valid = {branch.valid};"], 11)]
    commit = ["started = 1;"] + [f"{s.ident} = {m.new[s.name]};" for s in m.stored]
    temps = dict.fromkeys([*(name for name, _ in target.temps), *m.new.values()])
    lines = [f"/* {title}: generated by benchmarks/peer_models.py */", "bit started;"]
    lines += [f"{_promela_type(s)} {s.ident};" for s in m.stored]
    lines += [f"hidden int {name};" for name in temps] + ["hidden byte valid;", ""]
    lines += ["active proctype frames() {"] + [f"  {_promela_type(s)} {s.ident};" for s in m.inputs]
    choices = [f"      {_choice(s)};" for s in m.inputs if s not in m.first]
    if m.first:  # only the first step reads them: later steps choose nothing, and do not multiply
        choices.append(f"      if :: !started -> {'; '.join(_choice(s) for s in m.first)} :: else -> skip fi;")
    lines += ["end:", "  do", "  :: atomic {", *choices, "      d_step {"]
    lines += _indent(m.before, 8) + ["        if"] + arms + ["        fi;", "        if", "        :: valid ->"]
    lines += _indent([*m.after, f"assert(!{m.bad});", *commit], 11) + ["        :: else -> skip", "        fi;"]
    lines += _indent([f"{s.ident} = 0;" for s in m.inputs], 8) + ["      }", "    }", "  od", "}", ""]
    return "\n".join(lines)


def _indent(lines: Iterable[str], spaces: int) -> list[str]:
    return [" " * spaces + line for line in lines]


# ---------------------------------------------------------------- Verilog and AIGER


def verilog(problem: SafetyProblem, title: str) -> tuple[str, str]:
    """The problem as a Verilog module (and its name): a register per stored slot (the value less its range's
    low end, so zero-extended), the inputs free each cycle, and the output `bad`, true in a cycle that makes a
    valid bad frame; registers start at 0 and `started` tells the first cycle, which makes the initial frame."""
    refuse_unsupported(problem)
    ranges = variable_bounds(problem)
    target = _Verilog(width_for(problem, ranges))
    w = target.width
    module = "peer_" + re.sub(r"\W+", "_", problem.system.name)

    def bits(s: Slot) -> int:
        return max(1, (s.hi - s.lo).bit_length())

    def declare(s: Slot, kind: str) -> str:
        return f"{kind} {'' if s.boolean else f'[{bits(s) - 1}:0] '}{s.ident}"

    # A machine first to learn the slots, then the real one with the texts that read them.
    slots = _Builder(problem, _Verilog(w), ranges, {})
    read, reads = {}, []
    for s in (*slots.stored, *slots.inputs):
        if not s.boolean:
            read[s.ident] = f"v_{s.ident}"
            low = f" + {target.const(s.lo)}" if s.lo else ""
            reads.append(f"wire signed [{w - 1}:0] v_{s.ident} = $signed({{1'b0, {s.ident}}}){low};")
    m = _Builder(problem, target, ranges, read).machine()
    body = [*reads, *m.before]
    for branch in m.branches.values():
        body += branch.block
    for s in m.stored:  # the new frame: the initial one first, then the stutter when stuck, else the step
        choice = m.branches["step"].values[s.name]
        if "stutter" in m.branches:
            choice = f"({m.stuck} ? {m.branches['stutter'].values[s.name]} : {choice})"
        text = f"(!started ? {m.branches['init'].values[s.name]} : {choice})"
        body.append(target.definition(m.new[s.name], s.boolean, text))
    valid = m.branches["step"].valid
    if "stutter" in m.branches:
        valid = f"({m.stuck} ? {m.branches['stutter'].valid} : {valid})"
    in_range = [f"({s.ident} <= {bits(s)}'d{s.hi - s.lo})" for s in m.inputs if s.hi - s.lo + 1 < 2 ** bits(s)]
    first = m.branches["init"].valid
    body.append(f"wire valid = {' && '.join([f'(!started ? {first} : {valid})', *in_range])};")
    body += [*m.after, f"assign bad = valid && {m.bad};"]
    commit = ["started <= 1'b1;"]
    for s in m.stored:
        if s.boolean:
            commit.append(f"{s.ident} <= {m.new[s.name]};")
        else:
            body.append(f"wire signed [{w - 1}:0] o_{s.ident} = {m.new[s.name]} - {target.const(s.lo)};")
            commit.append(f"{s.ident} <= o_{s.ident}[{bits(s) - 1}:0];")
    ports = ", ".join(["clk", *(s.ident for s in m.inputs), "bad"])
    lines = [f"// {title}: generated by benchmarks/peer_models.py", f"module {module}({ports});", "  input clk;"]
    lines += [f"  {declare(s, 'input')};" for s in m.inputs] + ["  output bad;", "  reg started = 1'b0;"]
    lines += [f"  {declare(s, 'reg')} = {bits(s)}'d0;" for s in m.stored]
    lines += _indent(body, 2) + ["  always @(posedge clk) begin", "    if (valid) begin"]
    lines += _indent(commit, 6) + ["    end", "  end", "endmodule", ""]
    return "\n".join(lines), module
