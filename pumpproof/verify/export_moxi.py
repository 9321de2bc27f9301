"""MoXI output: the safety problems `pumpproof check` decides, written as one MoXI 0.1 system and its queries.

Encode once: nothing is translated from the model again. The file prints the Z3 encoding the engines
check (`verify.encoding`): the frame as the system's variables, Init as `:init`, Trans as `:trans`
(next-state constants as primed names), and per requirement its bad states as a `:reachable`
condition with a `:query` (reachable = VIOLATED). Every requirement's monitors live in the one
system: they are deterministic observers (an initial value and an update, nothing free), so adding
the others changes no run of the model or of one requirement's monitors.

MoXI's finite-trace semantics asks for a successor of the last state of a witness (the spec's
n-satisfiability: `always T` holds at positions 0..n), so `:trans` also has an idle step that keeps
every variable: a state with no step of its own (a timelock) can still witness a condition, and no
state becomes reachable that was not. Liveness requirements and formulas outside the supported
fragment are left out, each with the reason, in the file and for the caller.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, replace

import z3

from pumpproof import __version__
from pumpproof.errors import InternalError, UnsupportedError
from pumpproof.lang.characters import visible
from pumpproof.lang.ir import (
    FALSE,
    TRUE,
    BoolType,
    ClockType,
    EnumType,
    IntType,
    Requirement,
    RequirementSet,
    TransitionSystem,
    VarKind,
    is_real,
)
from pumpproof.lang.location import SourceFile
from pumpproof.verify.encoding import (
    DELAY_INDEX,
    ELAPSED,
    FIRED,
    INIT_INDEX,
    STUTTER_INDEX,
    Encoding,
    FrameVar,
    Renaming,
    sort_of,
)
from pumpproof.verify.ltl import LivenessProblem
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.run import problem_for, ranges_requirement
from pumpproof.verify.versions import solver_versions

MOXI_VERSION = "0.1"
ENCODING_NAMES = {FIRED: "$tr", ELAPSED: "$dt"}
"""The encoding's own frame variables; `$` appears in no other exported name (it is escaped there)."""
_KEPT = frozenset(string.ascii_letters + string.digits + "~@^&*_-+=.?/")
"""SMT-LIB's simple-symbol characters a name keeps; the others of that alphabet mean something here: `<` `>`
stand for `[` `]`, `$` starts the encoding's names, `%` an escape, and `!` is in the names Z3 gives `let`s."""
_RESERVED = frozenset({
    "_", "!", "as", "let", "exists", "forall", "match", "par", "BINARY", "DECIMAL", "HEXADECIMAL", "NUMERAL", "STRING",
    "true", "false", "not", "and", "or", "xor", "=>", "=", "distinct", "ite", "-", "+", "*", "/", "div", "mod", "abs",
    "<=", "<", ">=", ">", "to_real", "to_int", "is_int", "Bool", "Int", "Real",
})  # fmt: skip
"""SMT-LIB's reserved words and the symbols of the theories used (a variable may not shadow them)."""


def symbol(name: str) -> str:
    """The MoXI symbol of frame variable `name`: `[` `]` as `<` `>` (`occluded[1]` is `occluded<1>`), `__tr` and
    `__dt` as `$tr` and `$dt`, any other character outside SMT-LIB's symbols as `%hex%`. Injective: each
    character has its own code (none a prefix of another), and `$` begins only the encoding's names."""
    if name in ENCODING_NAMES:
        return ENCODING_NAMES[name]
    out = "".join("<" if c == "[" else ">" if c == "]" else c if c in _KEPT else f"%{ord(c):x}%" for c in name)
    if not out or out[0].isdigit() or out in _RESERVED:
        head = name[:1] or " "
        out = f"%{ord(head):x}%" + out[1:] if name else "%%"
    return out


@dataclass(frozen=True)
class Omitted:
    """A requirement the file does not state, and why."""

    id: str
    reason: str


@dataclass(frozen=True)
class Exported:
    """The MoXI text, the requirements it states (MODEL.RANGES first when the model has it) and those left out."""

    text: str
    stated: tuple[str, ...]
    omitted: tuple[Omitted, ...]


@dataclass(frozen=True)
class _Question:
    requirement: Requirement
    problem: SafetyProblem


def export_moxi(system: TransitionSystem, reqs: RequirementSet | None = None, command: str | None = None) -> Exported:
    """MoXI text stating MODEL.RANGES (when the model has integer updates that may leave their range) and every
    safety requirement of `reqs` as reachability queries on one system; `command` goes into the header."""
    questions, omitted = _questions(system, reqs)
    enc = Encoding(_product(system, [q.problem for q in questions]))
    names = _names(enc.frame)
    rename = Renaming(
        [(enc.cur[n], z3.Const(s, enc.cur[n].sort())) for n, s in names.items()]
        + [(enc.nxt[n], z3.Const(s + "'", enc.nxt[n].sort())) for n, s in names.items()]
    )
    out = _Writer()
    _header(out, system, reqs, command, enc, names, questions, omitted)
    out.line(f"(set-logic {_logic(enc.frame)})")
    out.line()
    groups = _groups(enc.frame)
    _define_system(out, symbol(system.name), enc, groups, names, rename)
    if questions:
        _check_system(out, symbol(system.name), enc, groups, names, rename, questions)
    else:
        out.line("; No query: the model has no integer update that may leave its range, and no requirement is stated.")
    return Exported(out.text(), tuple(q.requirement.id for q in questions), tuple(omitted))


Groups = list[tuple[str, list[FrameVar]]]


def _define_system(
    out: _Writer, title: str, enc: Encoding, groups: Groups, names: dict[str, str], rename: Renaming
) -> None:
    """The system: the frame declared by role, Init, and Trans with the idle step."""
    out.line(f"(define-system {title}")
    for attribute, members in groups:
        out.line(f" :{attribute} (")
        for f in members:
            out.line(f"  ({names[f.name]} {sort_of(f.type).sexpr()})  ; {_describe(f)}")
        out.line(" )")
    idle = z3.And([enc.nxt[f.name] == enc.cur[f.name] for f in enc.frame])
    out.line(" :init")
    out.line(f"  {_printed(rename(enc.init))}")
    out.line(" :trans (or")
    out.line(f"  {_printed(rename(enc.trans))}")
    out.line("  ; the idle step: every variable keeps its value")
    out.line(f"  {_printed(rename(idle))})")
    out.line(")")
    out.line()


def _check_system(
    out: _Writer,
    title: str,
    enc: Encoding,
    groups: Groups,
    names: dict[str, str],
    rename: Renaming,
    questions: Sequence[_Question],
) -> None:
    """One `:reachable` condition, the requirement's bad states, and one `:query` per requirement."""
    out.line(f"(check-system {title}")
    for attribute, members in groups:
        out.line(f" :{attribute} (" + " ".join(f"({names[f.name]} {sort_of(f.type).sexpr()})" for f in members) + ")")
    used = set(names.values())
    for q in questions:
        req = q.requirement
        bad, query = _fresh(f"bad_{symbol(req.id)}", used), _fresh(f"q_{symbol(req.id)}", used)
        out.line(f" ; {_comment(req.id)}: {_comment(req.text)}")
        out.line(f" ; formula: {_comment(req.formula_text)}")
        out.line(f" :reachable ({bad}")
        out.line(f"  {_printed(rename(enc.expr(q.problem.bad, enc.cur)))})")
        out.line(f" :query ({query} ({bad}))")
    out.line(")")


def _questions(system: TransitionSystem, reqs: RequirementSet | None) -> tuple[list[_Question], list[Omitted]]:
    """The safety problems to state, MODEL.RANGES first, and the requirements left out."""
    questions: list[_Question] = []
    omitted: list[Omitted] = []
    ranges = ranges_requirement(system)
    chosen = ([ranges] if ranges is not None else []) + list(reqs.requirements if reqs is not None else ())
    for req in chosen:
        try:
            problem = problem_for(system, req)
        except UnsupportedError as err:
            omitted.append(Omitted(req.id, f"not supported: {err.message}"))
            continue
        if isinstance(problem, LivenessProblem):
            omitted.append(Omitted(req.id, LIVENESS))
            continue
        questions.append(_Question(req, problem))
    return questions, omitted


LIVENESS = "a liveness requirement: only safety requirements are exported, as reachability queries (docs/export.md)"


def _product(system: TransitionSystem, problems: Sequence[SafetyProblem]) -> SafetyProblem:
    """The model with every problem's monitors, as one safety problem (its own bad states are none)."""
    monitors = list(system.monitors)
    for p in problems:
        if p.initial != TRUE or p.constraint != TRUE or any(m.free for m in p.system.monitors):
            raise InternalError(f"export: {p.name} has free monitors or constraints, not a plain safety problem")
        if p.stutter != (not system.timed):
            raise InternalError(f"export: {p.name} extends the runs that stop differently from the model")
        monitors += p.system.monitors[len(system.monitors) :]
    return SafetyProblem(system.name, replace(system, monitors=tuple(monitors)), FALSE, stutter=not system.timed)


def _names(frame: Sequence[FrameVar]) -> dict[str, str]:
    """Each frame variable's MoXI symbol; UnsupportedError for a model variable with the name of one of the
    encoding's own."""
    names: dict[str, str] = {}
    for f in frame:
        if f.name in names:
            raise UnsupportedError(
                f"the variable name {f.name} is one the encoding uses for itself ({FIRED}, {ELAPSED})",
                hint="rename the variable",
            )
        names[f.name] = symbol(f.name)
    if len(set(names.values())) != len(names):
        raise InternalError("export: two variables have the same MoXI symbol")
    return names


def _fresh(label: str, used: set[str]) -> str:
    """`label`, or with `$` appended until no variable or earlier label has it."""
    while label in used:
        label += "$"
    used.add(label)
    return label


def _groups(frame: Sequence[FrameVar]) -> Groups:
    """`:input` the model's inputs and the delay; `:output` the model's variables and the transition taken;
    `:local` the monitors. MoXI gives the three the same meaning in a system that is not composed."""
    inputs = [f for f in frame if f.role == VarKind.INPUT.value or f.name == ELAPSED]
    outputs = [f for f in frame if f.role == VarKind.STATE.value or f.name == FIRED]
    local = [f for f in frame if f.role == "monitor"]
    return [(a, m) for a, m in (("input", inputs), ("output", outputs), ("local", local)) if m]


def _logic(frame: Sequence[FrameVar]) -> str:
    """QF_LIA, or QF_LIRA once clocks (and the delay) or other variables are reals: the transition taken is always
    an integer."""
    return "QF_LIRA" if any(is_real(f.type) for f in frame) else "QF_LIA"


_PRIMED = re.compile(r"\|([^|\\]*)'\|")


def _printed(term: z3.ExprRef, indent: str = "  ") -> str:
    """A term as SMT-LIB text in Z3's layout, each line after the first indented, primed names as MoXI writes
    them (Z3 quotes `|x'|`, MoXI reads `x'`)."""
    text = _tidy(term, {}).sexpr().replace("\n", "\n" + indent)
    return _PRIMED.sub(lambda m: m.group(1) + "'", text)


def _tidy(e: z3.ExprRef, done: dict[int, z3.ExprRef]) -> z3.ExprRef:
    """`e` as SMT-LIB writes it: an `and` or `or` of one argument is that argument (SMT-LIB's take two or
    more, Z3's any number), `(to_real 3)` the numeral `3.0`. Each shared subterm is rebuilt once."""
    key = e.get_id()
    if key in done:
        return done[key]
    out = e
    if z3.is_app(e) and e.num_args() > 0:
        kids = [_tidy(k, done) for k in e.children()]
        kind = e.decl().kind()
        if kind in (z3.Z3_OP_AND, z3.Z3_OP_OR) and len(kids) == 1:
            out = kids[0]
        elif kind == z3.Z3_OP_TO_REAL and z3.is_int_value(kids[0]):
            out = z3.RealVal(kids[0].as_long())
        elif any(not k.eq(old) for k, old in zip(kids, e.children(), strict=True)):
            args = (z3.Ast * len(kids))(*(k.as_ast() for k in kids))
            out = z3.ExprRef(z3.Z3_update_term(e.ctx_ref(), e.as_ast(), len(kids), args), e.ctx)
    done[key] = out
    return out


def _describe(f: FrameVar) -> str:
    """What a declared variable is, under its pumpproof name, with the values of an enumeration."""
    if f.name == FIRED:
        return f"{FIRED}: the transition taken into this state (see the table above)"
    if f.name == ELAPSED:
        return f"{ELAPSED}: the delay, the time the step into this state let pass (0 for a transition)"
    if f.role == VarKind.STATE.value and isinstance(f.type, ClockType):
        return _comment(f"clock {f.name}")
    kind = {VarKind.STATE.value: "var", VarKind.INPUT.value: "input"}.get(f.role, "monitor")
    text = f"{kind} {f.name}: {_type_text(f)}"
    if f.role == "monitor":
        text += f" (of {f.name.rsplit('.', 1)[0]})"
    return _comment(text)


def _type_text(f: FrameVar) -> str:
    """`bool`, `0..3`, `real`, `int`, or an enumeration's name (unless declared inline) and its values by number."""
    t = f.type
    if isinstance(t, EnumType):
        values = "{" + ", ".join(f"{i} {v}" for i, v in enumerate(t.values)) + "}"
        return values if t.name == f.name.split("[")[0] else f"{t.name} {values}"
    if isinstance(t, BoolType):
        return "bool"
    if isinstance(t, IntType):
        return f"{t.lo}..{t.hi}"
    return "real" if is_real(t) else "int"


def _header(
    out: _Writer,
    system: TransitionSystem,
    reqs: RequirementSet | None,
    command: str | None,
    enc: Encoding,
    names: dict[str, str],
    questions: Sequence[_Question],
    omitted: Sequence[Omitted],
) -> None:
    """Where the file comes from, what it states and how to read its names."""
    solvers = ", ".join(f"{k} {v}" for k, v in solver_versions().items())
    out.line(f"; MoXI {MOXI_VERSION}, written by pumpproof {__version__} ({solvers}).")
    if command:
        out.line(f"; command: {_comment(command)}")
    for role, source in (("model", system.source), ("requirements", reqs.source if reqs else None)):
        if isinstance(source, SourceFile):
            out.line(f"; {role}: {_comment(source.path)} (sha256 {source.sha256})")
    constants = ", ".join(f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in system.constants.items())
    out.line(f"; constants: {_comment(constants) or '(none)'}")
    out.line(";")
    for line in _READING:
        out.line(f"; {line}")
    out.line(";")
    out.line(f"; {names[FIRED]}, the transition taken into a state:")
    first = STUTTER_INDEX if not system.timed else INIT_INDEX
    steps = {STUTTER_INDEX: "(stopped): a run that stopped repeats its state", INIT_INDEX: "none: the initial state"}
    steps[DELAY_INDEX] = "delay: time passes by the delay"
    for i in range(first, len(enc.transitions)):
        if i == DELAY_INDEX and not system.timed:
            continue
        if i >= 0:
            t = enc.transitions[i]
            steps[i] = t.name + (f': "{t.label}"' if t.label else "")
        out.line(f";   {i:>3}  {_comment(steps[i])}")
    renamed = [(n, s) for n, s in names.items() if n != s]
    if renamed:
        out.line("; Renamed variables (pumpproof name -> MoXI symbol):")
        for line in _wrapped([_comment(f"{n} -> {s}") for n, s in renamed]):
            out.line(f";   {line}")
    if questions:
        out.line("; Queries, one per requirement: bad_<id> holds in its bad states, q_<id> asks if one is reachable.")
    for o in omitted:
        out.line(f"; Left out: {_comment(o.id)}: {_comment(o.reason)}.")
    out.line()


_READING = (
    "The system is the problem pumpproof's engines check, printed from its Z3 encoding. A state holds every",
    "variable of the model, the inputs of the step into the state, the monitors each requirement adds (past-time",
    "operators, the age of an open `within` obligation), the transition taken ($tr) and, with clocks, the delay",
    "($dt). A step is one transition (no time passes) or, with clocks, a delay by $dt > 0 (every clock grows by it);",
    "without clocks a run that can take no transition repeats its last state, (stopped). The idle step is for MoXI's",
    "finite-trace semantics, which wants a successor of a witness's last state; it reaches no new state.",
    "Enumerations are integers 0..n-1 (each declaration lists its values), clocks and the delay are reals; integer",
    "variables are not bounded by their declared range, since leaving it is what MODEL.RANGES asks.",
    "A query is satisfiable (its bad states reachable) exactly when pumpproof's verdict is VIOLATED; unsatisfiable",
    "is PROVED, or VACUOUS when pumpproof also finds the proof holds only because its trigger never happens.",
    "Names: a[i] is written a<i>, the encoding's __tr and __dt are $tr and $dt, and any other character SMT-LIB",
    "symbols do not allow is %hex% (a code point in hexadecimal); each declaration has the original name.",
)


def _wrapped(items: Sequence[str], width: int = 100) -> list[str]:
    """`items` joined by commas into lines of about `width` characters, never breaking an item."""
    lines = [""]
    for item in items:
        if lines[-1] and len(lines[-1]) + len(item) + 2 > width:
            lines[-1] += ","
            lines.append("")
        lines[-1] += (", " if lines[-1] else "") + item
    return lines


def _comment(text: str) -> str:
    """`text` for a comment: hidden characters escaped, and non-ASCII ones as `\\u` escapes (some readers are ASCII)."""
    return visible(text).encode("ascii", "backslashreplace").decode("ascii")


class _Writer:
    """Lines of text, joined once."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, text: str = "") -> None:
        self.lines.append(text)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
