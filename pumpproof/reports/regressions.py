"""`check --baseline OLD.json`: each requirement's verdict against an earlier report's, for a CI gate that fails
only when a verdict got worse (a known failure accepted in the baseline does not fail the merge again)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from pumpproof.reports.terminal import plain
from pumpproof.verify.results import Verdict
from pumpproof.verify.run import Outcome

RANK = {Verdict.PROVED: 0, Verdict.UNKNOWN: 1, Verdict.VACUOUS: 2, Verdict.VIOLATED: 2}
"""How bad a verdict is: a proof, then undecided, then a failure (VACUOUS is one: the requirement is never
exercised)."""


@dataclass(frozen=True)
class Change:
    """A requirement whose verdict is not the baseline's: `before` None when the baseline does not have it (it
    must then be PROVED not to count as worse), `after` None when this run no longer checks it."""

    requirement: str
    before: Verdict | None
    after: Verdict | None

    @property
    def worse(self) -> bool:
        """The verdict got worse (a new requirement counts as worse unless PROVED)."""
        return self.after is not None and RANK[self.after] > RANK[self.before or Verdict.PROVED]


def compare(outcomes: Sequence[Outcome], baseline: dict[str, Any]) -> list[Change]:
    """The requirements whose verdict differs from `baseline` (a loaded pumpproof-result/1 report), in this run's
    order, then those only the baseline has."""
    before = {r["id"]: Verdict(r["verdict"]) for r in baseline["results"]}
    now = {o.requirement.id: o.result.verdict for o in outcomes}
    changed = [Change(rid, before.get(rid), v) for rid, v in now.items() if before.get(rid) is not v]
    return changed + [Change(rid, v, None) for rid, v in before.items() if rid not in now]


def render(console: Console, changes: Sequence[Change], path: str) -> None:
    """The differences from the baseline, worse ones marked, and what the gate concludes."""
    worse = [c for c in changes if c.worse]
    if changes:
        table = Table(title=f"against the baseline {path}", title_justify="left")
        for name in ("requirement", "baseline", "now", ""):
            table.add_column(name)
        for c in changes:
            mark = "worse" if c.worse else ("removed" if c.after is None else "better" if c.before else "new")
            style = "bold red" if c.worse else "green"
            cells = (c.requirement, _text(c.before, "(not in it)"), _text(c.after, "(not checked)"), mark)
            table.add_row(*(plain(cell, style if i == 3 else "") for i, cell in enumerate(cells)))
        console.print(table)
    summary = f"{len(worse)} verdict(s) worse" if worse else "no verdict worse"
    console.print(plain(f"{summary} than the baseline {path}", "bold red" if worse else "green"))


def _text(verdict: Verdict | None, missing: str) -> str:
    return missing if verdict is None else verdict.value
