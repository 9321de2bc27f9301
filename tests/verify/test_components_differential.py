"""Composed models against the oracles of the generated tests: a handshake and a broadcast between two kinds of
parts, decided by every symbolic engine and, without clocks, by the explicit-state checker (issue 13)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT
from tests.oracle import check_clocked, check_safety
from tests.strategies import Generated

COMPONENTS = ROOT / "tests" / "lang" / "components"
UNTIMED = (COMPONENTS / "alarm_system.pump").read_text()
REQUIREMENTS = re.split(r"\n(?=requirement )", (COMPONENTS / "alarm_system.req").read_text().strip())
TIMED = (COMPONENTS / "timed_alarm.pump").read_text()
TIMED_REQUIREMENTS = [
    "always (sensor[0].reported -> manager.alarms > 0)",
    "always (sensor[0].occluded and not sensor[0].reported -> sensor[0].t <= T_DETECT_MS)",
    "never (manager.alarms == 2)",
    "always (fired(manager.clear) -> manager.since >= 2)",
]


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda r: r.split()[1])
def test_engines_agree_with_explicit_state_on_a_composed_model(requirement: str) -> None:
    check_safety(Generated(UNTIMED, requirement))


@pytest.mark.parametrize("formula", TIMED_REQUIREMENTS)
def test_engines_agree_on_a_composed_model_with_clocks(formula: str) -> None:
    check_clocked(Generated(TIMED, f'requirement T text "t" source "s" {formula}'))
