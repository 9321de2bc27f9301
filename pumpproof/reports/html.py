"""The HTML evidence report: one self-contained `index.html` (inline CSS and SVG, no external URLs).

Run metadata, a traceability matrix, the assumptions every verdict rests on, the evidence for
each verdict (invariants, counterexample graphs, narratives, step tables) and the limitations.
Deterministic: the same run gives the same file apart from the values marked `volatile`
(timestamp and timings). Texts are data: autoescaped, with hidden characters written as escapes
(a bidi override would reorder a requirement's text in the browser).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import networkx as nx
from markupsafe import Markup

from pumpproof.lang.characters import visible_lines
from pumpproof.lang.ir import IntType, TransitionSystem
from pumpproof.output import write_atomically
from pumpproof.reports.counterexample import Counterexample, changes_text, from_outcome, inputs_text, transition_text
from pumpproof.reports.graphs import inline_svg, state_space_graph, trace_graph
from pumpproof.reports.msc import chart
from pumpproof.reports.narrative import narrate
from pumpproof.reports.provenance import RunInfo
from pumpproof.reports.terminal import detail
from pumpproof.reports.trace_view import fmt
from pumpproof.reports.undecided import not_decided
from pumpproof.verify.problem import RANGES_ID
from pumpproof.verify.results import Proved, Unknown, Verdict, Violated
from pumpproof.verify.run import Outcome
from pumpproof.verify.state_space import Projection

TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class Assumption:
    """One fact a verdict depends on, with a stable id (A1 for the first `assume`, I1 for the first `invariant`)."""

    id: str
    kind: str
    text: str
    where: str = ""


@dataclass
class Entry:
    """Everything the template shows for one requirement."""

    outcome: Outcome
    anchor: str
    assumptions: list[str]
    detail: str
    cx: Counterexample | None = None
    narrative: list[str] = field(default_factory=list)
    trace_svg: Markup | None = None
    space_svg: Markup | None = None
    msc_svg: Markup | None = None


def write_report(
    directory: str | os.PathLike[str],
    system: TransitionSystem,
    reqs_path: str,
    outcomes: list[Outcome],
    info: RunInfo,
    space: Projection | None = None,
) -> Path:
    """Write DIRECTORY/index.html; `space` is the state-space projection drawn next to each counterexample
    (verify.state_space.projection; None: only the counterexample's path).

    The page is rendered in full before anything is written, so a failure keeps the previous report.
    """
    path = Path(directory) / "index.html"
    write_atomically(path, render_report(system, reqs_path, outcomes, info, space))
    return path


def render_report(
    system: TransitionSystem,
    reqs_path: str,
    outcomes: list[Outcome],
    info: RunInfo,
    space: Projection | None = None,
) -> str:
    """The report's HTML text."""
    model_facts = _model_assumptions(system)
    ranges_used = any(o.requirement.id == RANGES_ID and isinstance(o.result, Proved) for o in outcomes)
    variables = space.variables if space else ()
    reachable, space_note = (space.graph, _space_note(space)) if space else (None, "")
    entries = [_entry(o, system, model_facts, ranges_used, variables, reachable) for o in outcomes]
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            system=system,
            reqs_path=reqs_path,
            info=info,
            entries=entries,
            counts={v: sum(o.result.verdict is v for o in outcomes) for v in Verdict},
            Verdict=Verdict,
            model_facts=model_facts,
            ranges=_ranges(system) if ranges_used else [],
            time_semantics=_time_semantics(system),
            variables=variables,
            space_note=space_note,
            unknowns=[e for e in entries if isinstance(e.outcome.result, Unknown)],
            header_comment=_header_comment(system),
            changes_text=changes_text,
            inputs_text=inputs_text,
            transition_text=transition_text,
        )
    )


def environment() -> jinja2.Environment:
    """The templates of `pumpproof/reports/templates`, autoescaped, every printed value with hidden characters as
    escapes, undefined names an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_escape_hidden,
    )
    env.filters["fmt"] = fmt
    env.filters["not_decided"] = not_decided
    env.filters["sentence"] = _sentence
    return env


def _escape_hidden(value: object) -> object:
    """Every value the template prints, before autoescaping: hidden characters as escapes (Markup, the inline
    SVG that graphs built from escaped texts, as it is)."""
    return value if isinstance(value, Markup) else visible_lines(str(value))


def _entry(
    o: Outcome,
    system: TransitionSystem,
    model_facts: list[Assumption],
    ranges_used: bool,
    variables: tuple[str, ...],
    reachable: nx.DiGraph | None,
) -> Entry:
    ids = [a.id for a in model_facts] + ["T"]
    if ranges_used and o.requirement.id != RANGES_ID:
        ids.append("R")
    if o.assumptions:
        ids.append("F")
    entry = Entry(o, anchor=f"req-{o.requirement.id}", assumptions=ids, detail=detail(o))
    if isinstance(o.result, Violated):
        cx = from_outcome(o, system)
        entry.cx = cx
        entry.narrative = narrate(cx)
        entry.trace_svg = Markup(inline_svg(trace_graph(cx, prefix=f"trace-{o.requirement.id}")))
        msc = chart(cx, system, prefix=f"msc-{o.requirement.id}")  # None for a flat model
        entry.msc_svg = None if msc is None else Markup(msc)
        if variables:
            space = state_space_graph(variables, reachable, cx, prefix=f"space-{o.requirement.id}")
            entry.space_svg = Markup(inline_svg(space))
    return entry


def _model_assumptions(system: TransitionSystem) -> list[Assumption]:
    """The model's `assume` and `invariant` lines and its initial condition, once per source line (a parameterised
    line elaborates to many)."""
    out: list[Assumption] = []
    kinds = (
        ("assume", "A", system.assumptions),
        ("invariant", "I", system.invariants),
        ("initial", "S", system.initial),
    )
    for kind, prefix, exprs in kinds:
        seen: set[tuple[str, str]] = set()
        for e in exprs:
            where = str(e.loc) if e.loc else ""
            text = e.loc.line_text.split("//")[0].strip() if e.loc and e.loc.line_text else f"{kind} (generated)"
            if (where, text) in seen:
                continue
            seen.add((where, text))
            out.append(Assumption(f"{prefix}{len(seen)}", kind, text, where))
    return out


def _ranges(system: TransitionSystem) -> list[str]:
    return [f"{v.name} ∈ {v.type}" for v in system.state_vars if isinstance(v.type, IntType)]


def _time_semantics(system: TransitionSystem) -> str:
    if system.timed:
        clocks = ", ".join(v.name for v in system.clocks)
        return (
            f"Dense time: the clocks ({clocks}) grow only in delay steps, by any amount the invariants allow; "
            "transitions take no time. “within T” is measured in model time units."
        )
    return "Discrete time: every step is one time unit and samples the inputs once; “within T” means within T steps."


def _sentence(text: str) -> str:
    """`text` with its first letter capitalised, to start a sentence."""
    return text[:1].upper() + text[1:]


def _space_note(space: Projection) -> str:
    """What the state-space views show: every reachable state, or only the path and why."""
    listed = ", ".join(space.variables)
    if space.graph is None:
        return f"{_sentence(space.unavailable)}; shown is the counterexample's path projected onto {listed}."
    return f"All reachable states projected onto {listed}; the counterexample's path is drawn in blue."


def _header_comment(system: TransitionSystem) -> list[str]:
    """The model file's leading comment block, from the text that was parsed (the file may have changed since):
    its authors' own statement of purpose and abstractions."""
    if system.source is None:
        return []
    lines: list[str] = []
    for line in system.source.text.splitlines():
        stripped = line.strip()
        if not stripped.startswith(("//", "#")):
            break
        lines.append(stripped.lstrip("/#").strip())
    return lines
