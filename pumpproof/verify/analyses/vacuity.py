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
    Expr,
    Op,
    Requirement,
    Temporal,
    TemporalOp,
    TransitionSystem,
)
from pumpproof.lang.text import expr_text
from pumpproof.lang.walk import is_past
from pumpproof.verify.engines import bmc
from pumpproof.verify.portfolio import Options, carried, verdict
from pumpproof.verify.problem import MonitorBuilder, SafetyProblem
from pumpproof.verify.results import Reachability, Result, Trace, Unknown, Violated


@dataclass(frozen=True)
class TriggerCheck:
    """Whether one trigger is reachable: `result` is Violated (reachable, with a witness) or Proved (never)."""

    trigger: Expr
    text: str
    result: Result

    @property
    def reachability(self) -> Reachability:
        """Reached (with a witness run), proved unreachable, or undecided."""
        return Reachability.of(self.result)


@dataclass(frozen=True)
class VacuityResult:
    """The trigger checks of one requirement (none when the requirement has no trigger, e.g. `always p`)."""

    requirement: str
    checks: tuple[TriggerCheck, ...]

    @property
    def vacuous(self) -> bool:
        """True when some trigger is proved unreachable: that part of the requirement can never be exercised."""
        return any(c.reachability is Reachability.UNREACHABLE for c in self.checks)

    @property
    def decided(self) -> bool:
        """True when every trigger's reachability is known."""
        return all(c.reachability is not Reachability.UNDECIDED for c in self.checks)

    @property
    def unreached(self) -> tuple[TriggerCheck, ...]:
        """The triggers proved unreachable."""
        return tuple(c for c in self.checks if c.reachability is Reachability.UNREACHABLE)

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
    system: TransitionSystem,
    req: Requirement,
    options: Options,
    assumed: tuple[Expr, ...] = (),
    earlier: VacuityResult | None = None,
) -> VacuityResult:
    """Decide, for each trigger of `req`, whether some run reaches it (`assumed`: proved invariants, e.g. ranges).
    The answers of `earlier` (the same requirement's check on a related model) are tried first (`carried`): a
    witness run the interpreter replays on `system` up to the trigger, a proof of unreachability re-checked."""
    checks = []
    for i, trigger in enumerate(triggers(req.formula)):
        problem = replace(trigger_problem(system, req, trigger, i), assumed=assumed)
        kept = carried(problem, earlier.checks[i].result) if earlier is not None else None
        result = kept or _witnessed(problem, options) or verdict(problem, options)
        checks.append(TriggerCheck(trigger, expr_text(trigger), result))
    return VacuityResult(req.id, tuple(checks))


WITNESS_DEPTH = 16
WITNESS_S = 1.0
"""A trigger is almost always reached within a few steps: BMC alone looks that deep, for at most that long, before
the whole portfolio (which on a multi-channel model spends seconds mining lemmas first) is asked."""


def _witnessed(problem: SafetyProblem, options: Options) -> Violated | None:
    """A shallow run reaching the trigger, found by BMC alone (replayed like every trace), or None (at once when
    BMC is the chosen engine: its own search comes next anyway)."""
    if options.engine == bmc.NAME:
        return None
    depth = WITNESS_DEPTH if options.max_depth is None else min(WITNESS_DEPTH, options.max_depth)
    quick = replace(options, engine=bmc.NAME, timeout_s=min(WITNESS_S, options.timeout_s), max_depth=depth)
    found = verdict(problem, quick)
    return found if isinstance(found, Violated) else None


def explain(result: VacuityResult) -> str:
    """One line for a report: which triggers are never reached, or why the check is inconclusive."""
    if result.vacuous:
        names = "; ".join(c.text for c in result.unreached)
        return f"no run reaches the trigger ({names}), so the requirement is never exercised"
    undecided = [c for c in result.checks if isinstance(c.result, Unknown)]
    if undecided:
        return "vacuity undecided for: " + "; ".join(f"{c.text} ({c.result.reason})" for c in undecided)  # type: ignore[union-attr]
    return "every trigger is reached by some run" if result.checks else "no trigger (not an implication)"
