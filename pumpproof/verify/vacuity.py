"""Vacuity: a requirement `always (p -> ...)` whose trigger p is never reached holds for no good reason.

For every implication, response, `within`, weak-until or next requirement, each trigger p becomes
the safety problem "no reachable state satisfies p" (Beer, Ben-David, Eisner, Rodeh 1997: vacuity
by an interesting witness). VIOLATED there means the trigger happens, with a replayed witness run;
PROVED means it never does, and the requirement is reported VACUOUS rather than PROVED.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pumpproof.lang.ir import (
    Binary,
    Const,
    Elapsed,
    Expr,
    Fired,
    Ite,
    Op,
    Pre,
    Requirement,
    Temporal,
    TemporalOp,
    TransitionSystem,
    Unary,
    VarRef,
)
from pumpproof.lang.walk import is_past
from pumpproof.verify.portfolio import Options, verdict
from pumpproof.verify.problem import MonitorBuilder, SafetyProblem
from pumpproof.verify.results import Proved, Result, Trace, Unknown, Violated


@dataclass(frozen=True)
class TriggerCheck:
    """Whether one trigger is reachable: `result` is Violated (reachable, with a witness) or Proved (never)."""

    trigger: Expr
    text: str
    result: Result

    @property
    def reachable(self) -> bool | None:
        """True with a witness, False when proved unreachable, None when undecided."""
        if isinstance(self.result, Violated):
            return True
        return False if isinstance(self.result, Proved) else None


@dataclass(frozen=True)
class VacuityResult:
    """The trigger checks of one requirement (none when the requirement has no trigger, e.g. `always p`)."""

    requirement: str
    checks: tuple[TriggerCheck, ...]

    @property
    def vacuous(self) -> bool:
        """True when some trigger is proved unreachable: that part of the requirement can never be exercised."""
        return any(c.reachable is False for c in self.checks)

    @property
    def decided(self) -> bool:
        """True when every trigger's reachability is known."""
        return all(c.reachable is not None for c in self.checks)

    @property
    def unreached(self) -> tuple[TriggerCheck, ...]:
        """The triggers proved unreachable."""
        return tuple(c for c in self.checks if c.reachable is False)

    def witnesses(self) -> tuple[Trace, ...]:
        """A replayed run reaching each reachable trigger."""
        return tuple(c.result.trace for c in self.checks if isinstance(c.result, Violated))


def triggers(formula: Expr) -> list[Expr]:
    """The past-time antecedents of the implications in `formula`'s top-level `always` conjuncts."""
    if isinstance(formula, TemporalOp) and formula.op is Temporal.ALWAYS:
        return triggers(formula.args[0])
    if isinstance(formula, Binary) and formula.op is Op.AND:
        return triggers(formula.left) + triggers(formula.right)
    if isinstance(formula, Binary) and formula.op is Op.IMPLIES and is_past(formula.left):
        return [formula.left]
    return []


def trigger_problem(system: TransitionSystem, req: Requirement, trigger: Expr, index: int = 0) -> SafetyProblem:
    """The safety problem whose bad states are those where `trigger` holds (monitors compile its past operators)."""
    builder = MonitorBuilder(system, f"{req.id}.vacuity{index}")
    bad = builder.past(trigger)
    monitored = replace(system, monitors=system.monitors + tuple(builder.monitors))
    return SafetyProblem(f"{req.id}: trigger {expr_text(trigger)} reachable", monitored, bad)


def vacuity(
    system: TransitionSystem, req: Requirement, options: Options, assumed: tuple[Expr, ...] = ()
) -> VacuityResult:
    """Decide, for each trigger of `req`, whether some run reaches it (`assumed`: proved invariants, e.g. ranges)."""
    checks = []
    for i, trigger in enumerate(triggers(req.formula)):
        problem = replace(trigger_problem(system, req, trigger, i), assumed=assumed)
        checks.append(TriggerCheck(trigger, expr_text(trigger), verdict(problem, options)))
    return VacuityResult(req.id, tuple(checks))


def explain(result: VacuityResult) -> str:
    """One line for a report: which triggers are never reached, or why the check is inconclusive."""
    if result.vacuous:
        names = "; ".join(c.text for c in result.unreached)
        return f"vacuous: no run reaches the trigger ({names}), so the requirement is never exercised"
    undecided = [c for c in result.checks if isinstance(c.result, Unknown)]
    if undecided:
        return "vacuity undecided for: " + "; ".join(f"{c.text} ({c.result.reason})" for c in undecided)  # type: ignore[union-attr]
    return "every trigger is reached by some run" if result.checks else "no trigger (not an implication)"


# ---------------------------------------------------------------- formulas as text (for messages)

_TEMPORAL_PREFIX = {Temporal.PREVIOUSLY, Temporal.ONCE, Temporal.HISTORICALLY, Temporal.ALWAYS, Temporal.EVENTUALLY}


def expr_text(e: Expr) -> str:
    """An IR expression in the surface syntax (fully parenthesised below the top), for findings and mutant names."""
    return _text(e, top=True)


def _text(e: Expr, top: bool = False) -> str:
    def wrap(s: str) -> str:
        return s if top else f"({s})"

    match e:
        case Const(value=v):
            return str(v).lower() if isinstance(v, bool) else str(v)
        case VarRef(name=name):
            return name
        case Unary(op=Op.NOT, arg=a):
            return wrap(f"not {_text(a)}")
        case Unary(op=Op.NEG, arg=a):
            return f"-{_text(a)}"
        case Binary(op=Op.MIN | Op.MAX as op, left=a, right=b):
            return f"{op.value}({_text(a, True)}, {_text(b, True)})"
        case Binary(op=op, left=a, right=b):
            return wrap(f"{_text(a)} {op.value} {_text(b)}")
        case Ite(cond=c, then=a, orelse=b):
            return wrap(f"if {_text(c, True)} then {_text(a, True)} else {_text(b, True)}")
        case Fired(transitions=names):
            return " or ".join(f"fired({n})" for n in names) if len(names) < 2 or top else wrap(_text(e, True))
        case Elapsed():
            return "elapsed"
        case Pre(arg=a):
            return f"pre({_text(a, True)})"
        case TemporalOp(op=op, args=(a,), bound=bound) if bound is not None:
            return wrap(f"{_text(a)} within {bound}")
        case TemporalOp(op=op, args=(a,)) if op in _TEMPORAL_PREFIX or op is Temporal.NEXT:
            return wrap(f"{op.value} {_text(a)}")
        case TemporalOp(op=op, args=(a, b)):
            return wrap(f"{_text(a)} {op.value} {_text(b)}")
    return repr(e)
