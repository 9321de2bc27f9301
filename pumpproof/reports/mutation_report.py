"""Printing `pumpproof mutate`: the mutation score, and every surviving mutant with where it changes the model."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pumpproof.reports.terminal import plain
from pumpproof.verify.analyses.mutate import Baseline, Kill, MutantStatus, MutationScore
from pumpproof.verify.analyses.survivors import Comparison
from pumpproof.verify.results import Unknown, Verdict

STATUS_STYLE = {MutantStatus.KILLED: "green", MutantStatus.SURVIVED: "bold red", MutantStatus.UNKNOWN: "yellow"}


def kill_text(kill: Kill) -> str:
    """`R1` for a counterexample on the mutant; `R1 vacuous on the mutant (why)` for a proof that became vacuous."""
    if kill.verdict is Verdict.VACUOUS:
        return f"{kill.requirement} vacuous on the mutant ({kill.reason})"
    return kill.requirement


def render_baseline(console: Console, base: Baseline) -> None:
    """A note for each requirement UNKNOWN on the unmutated model: it judges no mutant."""
    for o in base.undecided:
        why = f" ({o.result.reason})" if isinstance(o.result, Unknown) else ""
        note = (
            f"note: {o.requirement.id} is UNKNOWN on the unmutated model{why}, so it judges no mutant: "
            "a mutant the other requirements do not kill is undecided"
        )
        console.print(plain(note, "yellow"))


def render(console: Console, result: MutationScore, show_killed: bool = False) -> None:
    """A table of surviving (and undecided) mutants, then the score; killed mutants too with `show_killed`."""
    shown = [r for r in result.results if show_killed or r.status is not MutantStatus.KILLED]
    if shown:
        table = Table(show_header=True, header_style="bold", expand=False)
        for col in ("mutant", "status", "killed by", "where"):
            table.add_column(col, overflow="fold")
        for r in shown:
            killers = ", ".join(map(kill_text, r.kills)) or (
                f"undecided: {', '.join(r.undecided)}" if r.undecided else "-"
            )
            if r.timelock:
                killers = "- (stops time: lint reports a timelock)"
            table.add_row(
                plain(r.mutant.name),
                Text(r.status.value, style=STATUS_STYLE[r.status]),
                plain(killers),
                plain(str(r.mutant.loc) if r.mutant.loc else ""),
            )
        console.print(table)
    killed, survived = len(result.with_status(MutantStatus.KILLED)), len(result.with_status(MutantStatus.SURVIVED))
    unknown = len(result.with_status(MutantStatus.UNKNOWN))
    score = f"{result.score:.0%}" if killed + survived else "n/a (no mutant decided)"
    line = (
        f"mutation score {score} for {', '.join(result.requirements)} on {result.model}: "
        f"{killed} killed, {survived} survived, {unknown} undecided of {len(result.results)} mutants"
    )
    stopped = sum(bool(r.timelock) for r in result.with_status(MutantStatus.SURVIVED))
    if stopped:
        line += f"; {stopped} of the survivors stop time, which `pumpproof lint` reports as a timelock"
    console.print(plain(line, "bold"))
    if survived:
        hint = (
            "a surviving mutant is a change to the model that no requirement notices: either a requirement "
            "is missing or too weak, or the change is harmless (an equivalent mutant)"
        )
        console.print(Text(hint, style="dim"))


def render_comparison(console: Console, comparison: Comparison, path: str) -> None:
    """The survivors against the reviewed baseline: the new ones (each fails the run), then entries gone stale."""
    for name in comparison.new:
        console.print(plain(f"new survivor, not in {path}: {name}", "bold red"))
    for name in comparison.stale:
        console.print(plain(f"no longer survives, its entry in {path} can go: {name}", "yellow"))
    line = f"baseline {path}: {comparison.reviewed} survivors reviewed, {len(comparison.new)} new"
    console.print(plain(line, "bold red" if comparison.new else "bold green"))
