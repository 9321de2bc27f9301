"""The terminal report: a verdict table, then each counterexample as a step table of what changed."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pumpproof.lang.ir import TransitionSystem
from pumpproof.reports.provenance import RunInfo
from pumpproof.reports.trace_view import fmt, view
from pumpproof.verify.results import Proved, Unknown, Verdict, Violated
from pumpproof.verify.run import Outcome

STYLE = {Verdict.PROVED: "bold green", Verdict.VIOLATED: "bold red", Verdict.UNKNOWN: "bold yellow"}


def detail(outcome: Outcome) -> str:
    """A short note on how far the engine went: k for proofs, trace length, BMC depth."""
    r = outcome.result
    if isinstance(r, Proved):
        c = r.certificate
        rounds = f"≤{c.rounds} fair rounds, " if c.rounds is not None else ""
        return f"{rounds}{c.kind}" + (f", k={c.k}" if c.k > 1 else "")
    if isinstance(r, Violated):
        lasso = f", loop from {r.trace.loop_start}" if r.trace.loop_start is not None else ""
        return f"{len(r.trace.steps) - 1} steps{lasso}"
    return f"bmc depth {r.depth}"


def render(
    console: Console, system: TransitionSystem, outcomes: list[Outcome], info: RunInfo, invariants: bool
) -> None:
    """Print the whole report."""
    model = next((f for f in info.files if f.role == "model"), None)
    header = f"pumpproof {info.tool_version} · z3 {info.solvers.get('z3', '?')} · model {system.name}"
    if model is not None:
        header += f" ({model.path}, sha256 {model.sha256[:12]})"
    console.print(Text(header, style="dim"))
    table = Table(show_header=True, header_style="bold", expand=False)
    for col in ("requirement", "verdict", "engine", "time", "detail", "text"):
        table.add_column(col, overflow="fold", max_width=60 if col == "text" else None)
    for o in outcomes:
        v = o.result.verdict
        table.add_row(
            o.requirement.id,
            Text(v.value, style=STYLE[v]),
            o.result.engine,
            f"{o.wall_s:.2f}s",
            detail(o),
            o.requirement.text,
        )
    console.print(table)
    for o in outcomes:
        if isinstance(o.result, Violated):
            render_counterexample(console, system, o)
        elif isinstance(o.result, Unknown):
            console.print(Text(f"{o.requirement.id} UNKNOWN: {o.result.reason}", style="yellow"))
        elif invariants and isinstance(o.result, Proved):
            console.print(Text(f"\n{o.requirement.id} PROVED, {o.result.certificate.kind} invariant:", style="green"))
            for line in o.result.certificate.invariant_text.splitlines():
                console.print(f"  {line}", markup=False, highlight=False)
    counts = {v: sum(o.result.verdict is v for o in outcomes) for v in Verdict}
    summary = ", ".join(f"{counts[v]} {v.value.lower()}" for v in Verdict)
    console.print(Text(f"\n{summary}", style="bold"))


def render_counterexample(console: Console, system: TransitionSystem, outcome: Outcome) -> None:
    """The counterexample of a VIOLATED outcome as a step table (changed values only)."""
    assert isinstance(outcome.result, Violated)
    req = outcome.requirement
    console.print(Text(f"\n{req.id} VIOLATED: {req.text}", style="bold red"))
    console.print(Text(f"  formula: {req.formula_text}", style="dim"), markup=False)
    if req.loc is not None:
        console.print(Text(f"  at {req.loc}; source: {req.source}", style="dim"))
    trace = outcome.result.trace
    loop = trace.loop_start
    table = Table(show_header=True, header_style="bold", expand=False)
    if loop is not None:
        table.add_column("", justify="left")
    table.add_column("step", justify="right")
    if system.timed:
        table.add_column("time", justify="right")
    table.add_column("transition", overflow="fold")
    table.add_column("inputs", overflow="fold")
    table.add_column("changes", overflow="fold")
    steps = view(trace, system, outcome.problem)
    for s in steps:
        changes = ", ".join(
            f"{k}={fmt(new)}" if old is None else f"{k}: {fmt(old)}→{fmt(new)}" for k, (old, new) in s.changes.items()
        )
        name = s.transition or "(initial)"
        if s.transition == "delay":
            name = f"delay {fmt(s.elapsed)}"
        elif s.label and s.transition:
            name = f"{s.transition}: {s.label}"
        row = [] if loop is None else ["stem" if s.index <= loop else "loop"]
        row += [str(s.index)] + ([fmt(s.time)] if system.timed else [])
        row += [name, ", ".join(f"{k}={fmt(v)}" for k, v in s.inputs.items()), changes or "(no change)"]
        style = "red" if s.index == len(steps) - 1 or (loop is not None and s.index > loop) else None
        table.add_row(*row, style=style, end_section=loop is not None and s.index == loop)
    console.print(table)
    last = steps[-1]
    if loop is None:
        verdict = f"  step {last.index}: {req.id} fails."
    else:
        same = " (clocks past every constant they are compared with count as equal)" if system.timed else ""
        verdict = (
            f"  step {last.index} returns to the state of step {loop}{same}: steps {loop + 1}..{last.index} "
            f"repeat forever, and on that infinite run {req.id} fails."
        )
    console.print(Text(f"{verdict} Replayed on the model by the interpreter: confirmed.", style="red"))
