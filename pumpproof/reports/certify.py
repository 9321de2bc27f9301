"""The terminal table of `check --certify`: which solver re-checked which proof, and with what answer."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pumpproof.reports.terminal import plain
from pumpproof.verify.independent import CertifiedProof


def render(console: Console, proofs: list[CertifiedProof]) -> None:
    """One row per re-checked proof: confirmed, not confirmed (with why) or REFUTED (with the obligation)."""
    if not proofs:
        console.print(Text("independent re-check: no PROVED requirement to re-check", style="yellow"))
        return
    table = Table(
        show_header=True, header_style="bold", expand=False, title="independent re-check", title_justify="left"
    )
    for col in ("requirement", "proof", "re-checked by", "obligations", "time", "result"):
        table.add_column(col, overflow="fold")
    for p in proofs:
        solvers = ", ".join(sorted({c.solver for c in p.checks})) or "-"
        held = sum(c.holds for c in p.checks)
        wrong = ", ".join(f"{c.obligation.name}: {c.said}" for c in p.checks if not c.holds)
        if p.refuted:
            result = plain(f"REFUTED ({wrong})", "bold red")
        elif not p.ok:
            result = plain(f"not confirmed ({wrong or p.note})", "bold yellow")
        else:
            result = plain("confirmed" + (f" ({p.note})" if p.note else ""), "bold green")
        table.add_row(
            plain(p.requirement),
            f"{p.engine}, {p.kind}" + (f", k={p.k}" if p.k > 1 else ""),
            solvers,
            f"{held}/{len(p.checks)} unsat",
            f"{sum(c.time_s for c in p.checks):.2f}s",
            result,
        )
    console.print(table)
