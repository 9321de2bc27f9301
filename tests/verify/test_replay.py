"""Replay rejects every counterexample that the model cannot produce; certificates are re-checked."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from pumpproof.errors import InternalError, ReplayError
from pumpproof.verify.budget import Budget
from pumpproof.verify.certificates import obligations, recheck
from pumpproof.verify.engines import bmc
from pumpproof.verify.portfolio import confirm, decide
from pumpproof.verify.replay import replay
from pumpproof.verify.results import Certificate, CertificateKind, Proved, Trace, Violated
from tests.helpers import problem
from tests.verify.test_engines import LEVEL, TIMER


@pytest.fixture(scope="module")
def violated() -> tuple:
    p = problem(TIMER.replace("LATCH", "true"), LEVEL)
    result = bmc.check(p, Budget.seconds(30))
    assert isinstance(result, Violated)
    return p, result.trace


def _tamper(trace: Trace, index: int, **changes: object) -> Trace:
    steps = list(trace.steps)
    steps[index] = replace(steps[index], **changes)  # type: ignore[arg-type]
    return replace(trace, steps=tuple(steps))


def test_genuine_trace_replays(violated: tuple) -> None:
    p, trace = violated
    assert replay(p, trace).steps[-1].state == trace.steps[-1].state


def test_changed_state_value_is_rejected(violated: tuple) -> None:
    p, trace = violated
    step = trace.steps[2]
    bad = _tamper(trace, 2, state={**step.state, "latched": not step.state["latched"]})
    with pytest.raises(ReplayError, match="different values"):
        replay(p, bad)


def test_disabled_transition_is_rejected(violated: tuple) -> None:
    p, trace = violated
    with pytest.raises(ReplayError, match="not enabled|different values"):
        replay(p, _tamper(trace, 1, transition="restart"))


def test_unknown_transition_is_rejected(violated: tuple) -> None:
    p, trace = violated
    with pytest.raises(ReplayError, match="no transition"):
        replay(p, _tamper(trace, 1, transition="teleport"))


def test_non_positive_delay_is_rejected(violated: tuple) -> None:
    p, trace = violated
    i = next(s.index for s in trace.steps if s.transition == "delay")
    with pytest.raises(ReplayError):
        replay(p, _tamper(trace, i, elapsed=Fraction(0)))


def test_truncated_trace_does_not_violate(violated: tuple) -> None:
    p, trace = violated
    with pytest.raises(ReplayError, match="does not violate"):
        replay(p, replace(trace, steps=trace.steps[:-1]))


def test_wrong_monitor_values_are_rejected(violated: tuple) -> None:
    p, trace = violated
    last = trace.steps[-1]
    monitors = {k: (not v if isinstance(v, bool) else v) for k, v in last.monitors.items()}
    with pytest.raises(ReplayError, match="monitor"):
        replay(p, _tamper(trace, len(trace.steps) - 1, monitors=monitors))


def test_confirm_turns_a_bad_trace_into_an_internal_error(violated: tuple) -> None:
    p, trace = violated
    with pytest.raises(InternalError):
        confirm(p, Violated("bogus", 0.0, replace(trace, steps=trace.steps[:-1])))


def test_certificate_obligations_and_a_forged_certificate() -> None:
    p = problem(TIMER.replace("LATCH", "false"), LEVEL)
    result = decide(p, "kind", 30)
    assert isinstance(result, Proved)
    names = [o.name for o in obligations(p, result.certificate)]
    assert names == ["initiation[0]", "consecution", "safety"]
    recheck(p, result.certificate)
    forged = Certificate(CertificateKind.INDUCTIVE, 1, "true", "true")
    with pytest.raises(InternalError, match="consecution|safety"):
        recheck(p, forged)
    with pytest.raises(InternalError):
        confirm(p, Proved("bogus", 0.0, forged))
