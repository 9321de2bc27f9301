"""The terminal report: formulas whose text leaves grouping to precedence are shown as parsed."""

from __future__ import annotations

import re

from rich.console import Console

from pumpproof.reports.terminal import render

HEADING = "Formulas as parsed, fully parenthesised:"
CLEAR = "always (fired(clear_alarm) -> ((not delivering) weak-until run_stop_pressed))"


def text_of(recalled, ids: set[str] | None = None) -> str:  # type: ignore[no-untyped-def]
    system, outcomes, info = recalled
    console = Console(record=True, width=200)
    render(console, system, [o for o in outcomes if ids is None or o.requirement.id in ids], info, invariants=False)
    return console.export_text()


def test_formulas_that_rely_on_precedence_are_shown_as_parsed(recalled) -> None:  # type: ignore[no-untyped-def]
    text = text_of(recalled)
    assert text.count(HEADING) == 1
    assert re.search(rf"^  UO-CLEAR +{re.escape(CLEAR)}", text, re.MULTILINE)
    section = text[text.index(HEADING) :].split("\n\n")[0]
    shown = re.findall(r"^  (\S+) +always", section, re.MULTILINE)
    _, outcomes, _ = recalled
    assert shown == [o.requirement.id for o in outcomes if o.requirement.parsed_differs]
    assert "UO-ARMED" not in shown and "MODEL.TIME" not in shown  # written fully grouped / built-in


def test_nothing_is_added_when_every_formula_is_written_fully_grouped(recalled) -> None:  # type: ignore[no-untyped-def]
    text = text_of(recalled, {"MODEL.TIME", "UO-ARMED"})
    assert "UO-ARMED" in text and HEADING not in text
