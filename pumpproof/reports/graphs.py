"""Counterexamples and state spaces drawn with graphviz (DOT, SVG, PNG).

The trace graph has one node per step: its short label shows what changed (highlighted) and the
facts the requirement reads; the full valuation is the node's tooltip. The state-space view
draws the reachable states projected onto a few variables (verify.state_space computes them) with
the counterexample's path overlaid. Output is deterministic: names come from step indices and
sorted values, never from ids or hashes.

Every text in a graph is data: plain labels and tooltips are escStrings with their backslashes
doubled and never HTML-like, HTML-like labels are built from html-escaped parts, node and graph
ids are made of safe characters only, hidden characters are escapes, and each text is cut short
(graphviz refuses a string over 16 KiB).
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import graphviz
import networkx as nx

from pumpproof.errors import InternalError, UsageError
from pumpproof.lang.characters import visible
from pumpproof.lang.ir import TransitionSystem, Value
from pumpproof.output import write_atomically
from pumpproof.reports.counterexample import Counterexample, from_outcome, inputs_text
from pumpproof.reports.trace_view import StepView, fmt
from pumpproof.stopping import run_program
from pumpproof.verify.results import Violated
from pumpproof.verify.run import Outcome

FORMATS = ("svg", "png", "dot")
CHANGED = "#ffe08a"
FAIL = "#c62828"
PATH = "#1565c0"
MAX_CHANGED_ROWS = 6
FONT = "Helvetica"
MAX_TEXT = 120
"""Characters of one line of a label or tooltip; with MAX_LINES lines a string stays far below graphviz's 16 KiB."""
MAX_LINES = 30
MAX_NOTE_LINES = 10
"""Lines of the requirement's text in the note beside the failing step."""


def trace_graph(cx: Counterexample, prefix: str = "cx") -> graphviz.Digraph:
    """One node per step, edges labelled with transition and inputs, the failing step marked, a lasso's back edge."""
    prefix = _id(prefix)
    g = graphviz.Digraph(name=prefix)
    g.attr("graph", id=prefix, rankdir="TB", nodesep="0.3", ranksep="0.35", fontname=FONT, tooltip=_quoted(cx.req_id))
    g.attr("node", shape="box", style="rounded", fontname=FONT, fontsize="10", margin="0.06,0.04")
    g.attr("edge", fontname=FONT, fontsize="9")
    for s in cx.rows:
        failing = cx.loop_start is None and s.index == cx.violation_step
        in_loop = cx.loop_start is not None and s.index >= cx.loop_start
        attrs = {"id": f"{prefix}-s{s.index}", "tooltip": _valuation(s)}
        if failing or in_loop:
            attrs.update(color=FAIL, penwidth="2.2" if failing else "1.6")
        g.node(f"s{s.index}", label=_step_label(s, cx), **attrs)
        if s.transition is not None:
            text = _quoted(*_edge_lines(s))
            g.edge(f"s{s.first - 1}", f"s{s.index}", label=text, tooltip=text, id=f"{prefix}-e{s.index}")
    _mark_failure(g, cx, prefix)
    return g


def _step_label(s: StepView, cx: Counterexample) -> str:
    """An HTML-like label: the step header, changed values highlighted, key facts, and a count of the rest."""
    header = s.name + (f" · t={fmt(s.time)}" if cx.timed else "")
    rows = [f'<tr><td align="left"><b>{_html(header)}</b></td></tr>']
    if s.transition is None:
        shown = [k for k, v in s.state.items() if k in cx.watched or isinstance(v, str)] or list(s.state)
        rows += [_row(k, s.state[k]) for k in shown[:MAX_CHANGED_ROWS]]
        hidden = len(s.state) - min(len(shown), MAX_CHANGED_ROWS)
    else:
        changed = list(s.changes)
        rows += [_row(k, s.state[k], CHANGED, s.changes[k][0]) for k in changed[:MAX_CHANGED_ROWS]]
        if len(changed) > MAX_CHANGED_ROWS:
            rows.append(_note(f"+{len(changed) - MAX_CHANGED_ROWS} more changed"))
        kept = [k for k in cx.watched if k in s.state and k not in s.changes][:MAX_CHANGED_ROWS]
        rows += [_row(k, s.state[k]) for k in kept]
        hidden = len(s.state) - len(changed) - len(kept)
    if hidden > 0:
        rows.append(_note(f"+{hidden} unchanged"))
    return '<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">' + "".join(rows) + "</table>>"


def _row(name: str, v: Value, bgcolor: str | None = None, old: Value | None = None) -> str:
    text = f"{name} = {fmt(v)}" if old is None else f"{name}: {fmt(old)} → {fmt(v)}"
    bg = f' bgcolor="{bgcolor}"' if bgcolor else ""
    return f'<tr><td align="left"{bg}>{_html(text)}</td></tr>'


def _note(text: str) -> str:
    return f'<tr><td align="left"><font color="#666666" point-size="9">{_html(text)}</font></td></tr>'


def _shown(text: str, limit: int = MAX_TEXT) -> str:
    """`text` with hidden characters escaped, cut to `limit` characters."""
    text = visible(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _html(text: str) -> str:
    """A text for an HTML-like label: shown, shortened and html-escaped."""
    return html.escape(_shown(text), quote=True)


def _quoted(*lines: str) -> graphviz.nohtml:
    """A plain label or tooltip of at most MAX_LINES lines: each shown and shortened, backslashes literal
    (not graphviz's `\\N`, `\\l` ...), joined by DOT line breaks, never taken for an HTML-like label."""
    shown = [_shown(line).replace("\\", "\\\\") for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        shown.append(f"+{len(lines) - MAX_LINES} more")
    return graphviz.nohtml("\\n".join(shown))


def _id(text: str) -> str:
    """A graph or element id: the characters of requirement ids, anything else as `_`."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", text)[:MAX_TEXT]


def _valuation(s: StepView) -> graphviz.nohtml:
    """The full state (and the step's inputs) for the tooltip; changed variables marked with *."""
    lines = [f"{'* ' if k in s.changes and s.transition else ''}{k} = {fmt(v)}" for k, v in s.state.items()]
    lines += [f"input {k} = {fmt(v)}" for k, v in s.inputs.items()]
    return _quoted(*lines)


def _edge_lines(s: StepView) -> list[str]:
    """The transition (in a composed model the parts that moved: `detector[1] → manager: raise(3)`), the inputs."""
    name = f"delay {fmt(s.elapsed)}" if s.transition == "delay" else str(s.transition)
    if s.moved is not None and s.moved.channel is not None:
        name = s.moved.text
    if s.repeats > 1:
        name += f" × {s.repeats}"
    inputs = inputs_text(s)
    return [name, inputs] if inputs else [name]


def _mark_failure(g: graphviz.Digraph, cx: Counterexample, prefix: str) -> None:
    """A note with the requirement beside the failing step; for a lasso, the back edge to the loop's start."""
    last = cx.violation_step
    if cx.loop_start is None:
        headline = f"✗ {cx.req_id} fails at step {last}"
    else:
        headline = f"✗ {cx.req_id} fails: {cx.repeating} forever"
        g.edge(
            f"s{last}",
            f"s{cx.loop_start}",
            label=f"back to step {cx.loop_start}",
            tooltip=f"step {last} returns to the state of step {cx.loop_start}",
            id=f"{prefix}-loop",
            color=FAIL,
            fontcolor=FAIL,
            style="dashed",
            constraint="false",
        )
    lines = textwrap.wrap(visible(cx.text), 48)
    if len(lines) > MAX_NOTE_LINES:
        lines = lines[: MAX_NOTE_LINES - 1] + ["…"]
    body = "<br/>".join(_html(line) for line in lines)
    label = f'<<b>{_html(headline)}</b><br/><font point-size="9">{body}</font>>'
    with g.subgraph(name=f"{prefix}_fail_rank") as same:
        same.attr(rank="same")
        same.node(
            "fail",
            label=label,
            shape="note",
            color=FAIL,
            fontcolor=FAIL,
            id=f"{prefix}-fail",
            tooltip=_quoted(f"{cx.req_id}: {' '.join(cx.formula.split())}"),
        )
        same.node(f"s{last}")
    g.edge("fail", f"s{last}", style="dotted", color=FAIL, arrowhead="none", id=f"{prefix}-fail-edge")


# ---------------------------------------------------------------- state-space view


def default_variables(state: dict[str, Value]) -> tuple[str, ...]:
    """The mode-like variables of a state (enum values), else its booleans."""
    enums = tuple(k for k, v in state.items() if isinstance(v, str))
    return enums or tuple(k for k, v in state.items() if isinstance(v, bool))[:4]


def state_space_graph(
    variables: Sequence[str], reachable: nx.DiGraph | None, cx: Counterexample | None, prefix: str = "ss"
) -> graphviz.Digraph:
    """The projected reachable states (from verify.state_space.projected_graph) with `cx`'s path in blue.

    With `reachable` None (clocks, too many states) only the counterexample's path is projected.
    """
    path = [tuple(s.state[v] for v in variables) for s in cx.steps] if cx is not None else []
    nodes = set(reachable.nodes) if reachable is not None else set()
    nodes |= set(path)
    names = {key: f"p{i}" for i, key in enumerate(sorted(nodes, key=_sort_key))}
    on_path = set(path)
    steps_on: dict[tuple[tuple[Value, ...], tuple[Value, ...]], list[int]] = {}
    for i in range(1, len(path)):
        steps_on.setdefault((path[i - 1], path[i]), []).append(i)
    prefix = _id(prefix)
    g = graphviz.Digraph(name=prefix)
    g.attr("graph", id=prefix, rankdir="LR", fontname=FONT, nodesep="0.3")
    g.attr("node", shape="box", style="rounded", fontname=FONT, fontsize="10")
    g.attr("edge", fontname=FONT, fontsize="9", color="#888888")
    for key in sorted(nodes, key=_sort_key):
        text = _quoted(*(f"{v} = {fmt(x)}" for v, x in zip(variables, key, strict=True)))
        attrs = {"id": f"{prefix}-{names[key]}", "tooltip": text}
        data = reachable.nodes[key] if reachable is not None and key in reachable else {}
        if data.get("initial") or (path and key == path[0]):
            attrs["peripheries"] = "2"
        if key in on_path:
            attrs.update(color=PATH, penwidth="2")
        g.node(names[key], label=text, **attrs)
    edges: set[tuple[tuple[Value, ...], tuple[Value, ...]]] = set(steps_on)
    if reachable is not None:
        edges |= set(reachable.edges)
    for a, b in sorted(edges, key=lambda e: (_sort_key(e[0]), _sort_key(e[1]))):
        attrs = {"id": f"{prefix}-{names[a]}-{names[b]}"}
        lines = []
        if (a, b) in steps_on:
            lines.append("step " + ", ".join(str(i) for i in steps_on[a, b]))
            attrs.update(color=PATH, fontcolor=PATH, penwidth="2")
        if reachable is not None and reachable.has_edge(a, b):
            lines.append(_short(sorted(t or "" for t in reachable.edges[a, b]["transitions"])))
        label = _quoted(*lines)
        g.edge(names[a], names[b], label=label, tooltip=label or "step", **attrs)
    return g


def _sort_key(key: tuple[Value, ...]) -> tuple[str, ...]:
    return tuple(f"{type(x).__name__}:{x}" for x in key)


def _short(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")


# ---------------------------------------------------------------- output


def render(graph: graphviz.Digraph, fmt_: str) -> bytes:
    """The graph as DOT source, SVG or PNG bytes (SVG and PNG need graphviz's `dot`; its complaint if it fails)."""
    if fmt_ == "dot":
        return graph.source.encode("utf-8")
    if fmt_ not in FORMATS:
        raise UsageError(f"unknown graph format '{fmt_}'", hint=f"use one of: {', '.join(FORMATS)}")
    try:
        done = run_program(["dot", f"-T{fmt_}"], graph.source.encode("utf-8"))
    except FileNotFoundError:
        raise UsageError(
            "graphviz's 'dot' program is not installed", hint="install it (apt-get install graphviz)"
        ) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        reason = visible(said[0]) if said else f"exit status {done.returncode}"
        raise InternalError(f"graphviz's 'dot' could not draw graph {graph.name} as {fmt_}: {reason}")
    return done.stdout


def format_of(path: str | Path) -> str:
    """The graph format a file name asks for (.svg, .png or .dot); a usage error otherwise."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UsageError(f"cannot tell the graph format of '{path}'", hint="name the file .svg, .png or .dot")
    return suffix


def write_graph(graph: graphviz.Digraph, path: str | Path) -> None:
    """Write the graph in the format its file name asks for."""
    write_atomically(path, render(graph, format_of(path)))


def inline_svg(graph: graphviz.Digraph) -> str:
    """The SVG element alone (no XML prolog or DOCTYPE), to embed in HTML."""
    svg = render(graph, "svg").decode("utf-8")
    return svg[svg.index("<svg") :]


def write_trace_graphs(
    directory: str | Path, system: TransitionSystem, outcomes: list[Outcome], fmt_: str = "svg"
) -> list[Path]:
    """One graph per violated requirement, DIRECTORY/<id>.<fmt>; returns the paths written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for o in outcomes:
        if isinstance(o.result, Violated):
            path = folder / f"{o.requirement.id}.{fmt_}"
            write_graph(trace_graph(from_outcome(o, system), prefix=o.requirement.id), path)
            written.append(path)
    return written
