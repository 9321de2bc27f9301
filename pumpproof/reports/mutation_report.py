"""Printing `pumpproof mutate`: the mutation score, and every surviving mutant with where it changes the model."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pumpproof.reports.lint import path_text
from pumpproof.reports.terminal import plain
from pumpproof.verify.analyses.equivalence import DIVERGE, MUTANT
from pumpproof.verify.analyses.mutate import Baseline, Kill, MutantResult, MutantStatus, MutationScore
from pumpproof.verify.analyses.survivors import Comparison
from pumpproof.verify.results import Unknown, Verdict

STATUS_STYLE = {
    MutantStatus.KILLED: "green",
    MutantStatus.SURVIVED: "bold red",
    MutantStatus.EQUIVALENT: "cyan",
    MutantStatus.FEWER_RUNS: "cyan",
    MutantStatus.UNKNOWN: "yellow",
}


def kill_text(kill: Kill) -> str:
    """`R1` for a counterexample on the mutant; `R1 vacuous on the mutant (why)` for a proof that became vacuous."""
    if kill.verdict is Verdict.VACUOUS:
        return f"{kill.requirement} vacuous on the mutant ({kill.reason})"
    return kill.requirement


def difference_text(r: MutantResult) -> str:
    """How a surviving mutant can be told apart: `after start → stop: armed = False (mutant: True)`."""
    trace, eq = r.difference, r.equivalence
    if trace is None or eq is None:
        return ""
    last = trace.steps[-1]
    seen = [n for n in eq.observed if last.state.get(n) != last.state.get(MUTANT + n)]
    if seen:
        what = ", ".join(f"{n} = {last.state[n]} (mutant: {last.state[MUTANT + n]})" for n in seen)
    elif last.transition == DIVERGE:
        what = "a step one of them can take and the other cannot"
        trace = replace(trace, steps=trace.steps[:-1])
    else:
        what = "time can pass in one of them and not in the other"
    return f"after {path_text(trace)}: {what}"


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
            elif r.status is MutantStatus.EQUIVALENT:
                killers = "- (proved equivalent)"
            elif r.status is MutantStatus.FEWER_RUNS:
                killers = "- (proved: the world does less, every run is one of the model's)"
            table.add_row(
                plain(r.mutant.name),
                Text(r.status.value, style=STATUS_STYLE[r.status]),
                plain(killers),
                plain(str(r.mutant.loc) if r.mutant.loc else ""),
            )
        console.print(table)
    for r in result.with_status(MutantStatus.SURVIVED):
        if r.difference is not None:
            console.print(plain(f"{r.mutant.name}: differs {difference_text(r)}"))
    killed, survived = len(result.with_status(MutantStatus.KILLED)), len(result.with_status(MutantStatus.SURVIVED))
    unknown = len(result.with_status(MutantStatus.UNKNOWN))
    equivalent = len(result.with_status(MutantStatus.EQUIVALENT))
    fewer = len(result.with_status(MutantStatus.FEWER_RUNS))
    score = f"{result.score:.0%}" if killed + survived else "n/a (no mutant decided)"
    line = (
        f"mutation score {score} for {', '.join(result.requirements)} on {result.model}: "
        f"{killed} killed, {survived} survived, {equivalent} equivalent, {fewer} with fewer runs of the world, "
        f"{unknown} undecided of {len(result.results)} mutants"
    )
    if result.sampling is not None and result.sampling.size < result.sampling.population:
        low, high = result.interval()
        line += (
            f" (a random sample of the model's {result.sampling.population} mutants, seed {result.sampling.seed}; "
            f"the whole set's score is in {low:.0%}-{high:.0%} with 95% confidence)"
        )
    stopped = sum(bool(r.timelock) for r in result.with_status(MutantStatus.SURVIVED))
    if stopped:
        line += f"; {stopped} of the survivors stop time, which `pumpproof lint` reports as a timelock"
    console.print(plain(line, "bold"))
    if survived:
        hint = (
            "a surviving mutant is a change to the model that no requirement notices and that is not equivalent: "
            "the run shown tells it apart from the model where the requirements can see, the scenario a missing "
            "requirement should forbid; equivalent mutants, and changes of the world proved to leave only runs of the "
            "model, are left out of the score"
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
