"""The terminal report: a verdict table, then each counterexample as a step table of what changed and its story.

Every text that comes from a model, a requirement file, a file name or a saved report reaches the
console through `plain`: a rich Text (never parsed as markup) with hidden characters escaped.
"""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pumpproof.lang.characters import visible, visible_lines
from pumpproof.lang.ir import TransitionSystem
from pumpproof.reports.counterexample import Counterexample, changes_text, from_outcome, inputs_text, transition_text
from pumpproof.reports.narrative import narrate
from pumpproof.reports.provenance import RunInfo
from pumpproof.reports.trace_view import fmt
from pumpproof.reports.undecided import searched
from pumpproof.verify.analyses.vacuity import explain
from pumpproof.verify.results import CacheUse, Proved, Unknown, Vacuous, Verdict, Violated
from pumpproof.verify.run import Outcome

STYLE = {
    Verdict.PROVED: "bold green",
    Verdict.VIOLATED: "bold red",
    Verdict.VACUOUS: "bold magenta",
    Verdict.UNKNOWN: "bold yellow",
}


def plain(text: str, style: str = "") -> Text:
    """One line of text for the console, as data: no markup, control and bidi characters as escapes."""
    return Text(visible(text), style=style)


def plain_lines(text: str, style: str = "") -> Text:
    """Like `plain` for a text of several lines (a formula as written in its file)."""
    return Text(visible_lines(text), style=style)


def detail(outcome: Outcome) -> str:
    """A short note on how far the engine went: k for proofs, trace length, the depth a search reached."""
    r = outcome.result.proof if isinstance(outcome.result, Vacuous) else outcome.result
    if isinstance(r, Proved):
        c = r.certificate
        rounds = f"≤{c.rounds} fair rounds, " if c.rounds is not None else ""
        return f"{rounds}{c.kind}" + (f", k={c.k}" if c.k > 1 else "")
    if isinstance(r, Violated):
        lasso = f", loop from {r.trace.loop_start}" if r.trace.loop_start is not None else ""
        return f"{len(r.trace.steps) - 1} steps{lasso}"
    return searched(r)


def render(
    console: Console, system: TransitionSystem, outcomes: list[Outcome], info: RunInfo, invariants: bool
) -> None:
    """Print the whole report."""
    model = next((f for f in info.files if f.role == "model"), None)
    header = f"pumpproof {info.tool_version} · z3 {info.solvers.get('z3', '?')} · model {system.name}"
    if model is not None:
        header += f" ({model.path}, sha256 {model.sha256[:12]})"
    console.print(plain(header, "dim"))
    table = Table(show_header=True, header_style="bold", expand=False)
    for col in ("requirement", "verdict", "engine", "time", "detail", "text"):
        table.add_column(col, overflow="fold", max_width=60 if col == "text" else None)
    for o in outcomes:
        v = o.result.verdict
        table.add_row(
            plain(o.requirement.id),
            Text(v.value, style=STYLE[v]),
            plain(o.result.engine),
            f"{o.wall_s:.2f}s",
            plain(detail(o)),
            plain(o.requirement.text),
        )
    console.print(table)
    render_cache(console, outcomes)
    render_parsed(console, outcomes)
    for o in outcomes:
        if isinstance(o.result, Violated):
            render_counterexample(console, system, o)
        elif isinstance(o.result, Unknown):
            console.print(plain(f"{o.requirement.id} UNKNOWN: {o.result.reason}", "yellow"))
        elif isinstance(o.result, Vacuous):
            console.print(plain(f"{o.requirement.id} VACUOUS: {o.result.reason}", "magenta"))
        elif o.vacuity is not None and not o.vacuity.decided:
            console.print(plain(f"{o.requirement.id} PROVED, but {explain(o.vacuity)}", "yellow"))
        elif invariants and isinstance(o.result, Proved):
            heading = f"{o.requirement.id} PROVED, {o.result.certificate.kind} invariant:"
            console.print(Text("\n") + plain(heading, "green"))
            for line in o.result.certificate.invariant_text.splitlines():
                console.print(plain(f"  {line}"))
        for note in o.notes:
            console.print(plain(f"  {o.requirement.id}: {note}", "yellow"))
    counts = {v: sum(o.result.verdict is v for o in outcomes) for v in Verdict}
    summary = ", ".join(f"{counts[v]} {v.value.lower()}" for v in Verdict)
    console.print(Text(f"\n{summary}", style="bold"))


def render_cache(console: Console, outcomes: list[Outcome]) -> None:
    """With --cache: how many verdicts came from the cache (each re-checked on this model) and which were solved."""
    served = [o for o in outcomes if o.cache is not None]
    if not served:
        return
    uses = {u: [o.requirement.id for o in served if o.cache is u] for u in CacheUse}
    parts = [
        f"{len(uses[CacheUse.HIT])} from the cache, re-checked",
        f"{len(uses[CacheUse.REUSED])} re-checked from an edited model's entry",
        f"{len(uses[CacheUse.MISS])} solved (not cached)",
    ]
    if uses[CacheUse.RECHECK_FAILED]:
        parts.append(
            f"{len(uses[CacheUse.RECHECK_FAILED])} solved again, the entry failed its re-check: "
            + ", ".join(uses[CacheUse.RECHECK_FAILED])
        )
    console.print(plain("cache: " + "; ".join(parts), "dim"))


def render_parsed(console: Console, outcomes: list[Outcome]) -> None:
    """How the parser grouped each formula whose text leaves grouping to precedence, so a misreading shows."""
    reqs = [o.requirement for o in outcomes if o.requirement.parsed_differs]
    if not reqs:
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column(overflow="fold")
    for r in reqs:
        grid.add_row(Text(r.id, style="dim"), Text(r.formula_parsed or "", style="dim"))
    console.print(Text("Formulas as parsed, fully parenthesised:", style="dim"))
    console.print(Padding(grid, (0, 0, 0, 2)))


def render_counterexample(console: Console, system: TransitionSystem, outcome: Outcome) -> None:
    """The counterexample of a VIOLATED outcome as a step table (changed values only) and its narrative."""
    render_evidence(console, from_outcome(outcome, system))


def render_evidence(console: Console, cx: Counterexample, replayed: str = "confirmed.") -> None:
    """A counterexample's heading, step table and plain-language narrative (also used by `pumpproof show`,
    which says whether it replayed the saved trace again or shows the report's claim)."""
    console.print(Text("\n") + plain(f"{cx.req_id} VIOLATED: {cx.text}", "bold red"))
    console.print(plain_lines(f"  formula: {cx.formula}", "dim"))
    if cx.location is not None:
        console.print(plain(f"  at {cx.location}; source: {cx.source}", "dim"))
    console.print(step_table(cx))
    *steps, verdict = narrate(cx)
    for sentence in steps:
        console.print(Padding(plain(sentence), (0, 0, 0, 2), expand=False))
    console.print(Padding(plain(verdict, "red"), (0, 0, 0, 2), expand=False))
    console.print(plain(f"  Replayed on the model by the interpreter: {replayed}", "red"))


def step_table(cx: Counterexample) -> Table:
    """The step table: one row per step, the failing step (or the loop of a lasso) in red."""
    loop = cx.loop_start
    table = Table(show_header=True, header_style="bold", expand=False)
    if loop is not None:
        table.add_column("", justify="left")
    table.add_column("step", justify="right")
    if cx.timed:
        table.add_column("time", justify="right")
    table.add_column("transition", overflow="fold")
    rows = cx.rows
    inputs = any(inputs_text(s) for s in rows)  # no column when no step shows an input
    if inputs:
        table.add_column("inputs", overflow="fold")
    table.add_column("changes", overflow="fold")
    for s in rows:
        row = [] if loop is None else ["stem" if s.index <= loop else "loop"]
        row += [s.span] + ([fmt(s.time)] if cx.timed else [])
        row += [transition_text(s), *([inputs_text(s)] if inputs else []), changes_text(s)]
        style = "red" if s.index == cx.violation_step or (loop is not None and s.index > loop) else None
        table.add_row(*map(plain, row), style=style, end_section=loop is not None and s.index == loop)
    return table
