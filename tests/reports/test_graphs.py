"""Counterexample and state-space graphs: structure checked on the DOT source, rendering on SVG/PNG bytes."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import graphviz
import pytest

from pumpproof.errors import InternalError, TooManyStates, UsageError
from pumpproof.lang.ir import DELAY, TransitionSystem
from pumpproof.reports.counterexample import from_outcome
from pumpproof.reports.graphs import (
    CHANGED,
    FAIL,
    MAX_CHANGED_ROWS,
    PATH,
    render,
    state_space_graph,
    trace_graph,
    write_graph,
    write_trace_graphs,
)
from pumpproof.verify.results import Step, Trace, Violated
from pumpproof.verify.state_space import projected_graph
from tests.reports.conftest import tick_outcome


def node_line(dot: str, name: str) -> str:
    """The DOT statement of node `name` (labels may span lines)."""
    match = re.search(rf"^\t+{name} \[(.*?)\]$", dot, re.M | re.S)
    assert match, f"no node {name} in\n{dot}"
    return match.group(1)


def test_one_node_per_step_and_edges_name_transition_and_inputs(tick) -> None:
    system, _ = tick
    cx = from_outcome(tick_outcome(tick), system)
    dot = trace_graph(cx, prefix="t").source
    for i in range(len(cx.steps)):
        assert f'id="t-s{i}"' in dot
    assert len(re.findall(r"^\ts\d+ \[", dot, re.M)) == len(cx.steps)
    # the start and restart transitions read the button, so their edges show it
    assert re.search(r's0 -> s1 \[label="start\\nbutton=RunStop"', dot)
    assert re.search(r's5 -> s6 \[label="restart\\nbutton=RunStop"', dot)
    assert re.search(r"s2 -> s3 \[label=tick ", dot)


def test_changed_variables_are_highlighted_and_unchanged_ones_are_not(tick) -> None:
    system, _ = tick
    cx = from_outcome(tick_outcome(tick), system)
    restart = node_line(trace_graph(cx).source, "s6")
    assert f'bgcolor="{CHANGED}">mode: Alarm → Infusing' in restart
    # occluded is read by the requirement and did not change: shown, not highlighted
    assert '<td align="left">occluded = true</td>' in restart
    assert f'bgcolor="{CHANGED}">occluded' not in restart
    assert "* mode = Infusing" in restart and "\\noccluded = true" in restart  # tooltip: the full state


def test_finite_trace_marks_the_failing_step_with_the_requirement(tick) -> None:
    system, _ = tick
    cx = from_outcome(tick_outcome(tick), system)
    dot = trace_graph(cx).source
    last = node_line(dot, f"s{cx.violation_step}")
    assert f'color="{FAIL}"' in last
    assert f'color="{FAIL}"' not in node_line(dot, "s3")
    fail = node_line(dot, "fail")
    assert (
        f"TP-LEVEL fails at step {cx.violation_step}" in fail and "An occlusion while infusing alarms within 3" in fail
    )
    assert "constraint=false" not in dot  # no back edge without a loop


def test_lasso_loop_is_a_back_edge_to_the_state_it_returns_to(tick) -> None:
    system, _ = tick
    cx = from_outcome(tick_outcome(tick, loop_start=5), system)
    dot = trace_graph(cx).source
    back = re.search(r"^\ts7 -> s5 \[(.*)\]$", dot, re.M)
    assert back, dot
    assert "constraint=false" in back.group(1) and "back to step 5" in back.group(1)
    assert "steps 6..7 repeat forever" in node_line(dot, "fail")


def test_thirty_step_trace_keeps_labels_short_and_the_full_state_in_svg_tooltips(tick) -> None:
    names = [f"v{i:02d}" for i in range(20)]
    steps = [Step(0, None, {}, {n: 0 for n in names} | {"mode": "Stopped"})]
    for i in range(1, 31):
        state = dict(steps[-1].state)
        for n in names[: 1 + i % 9]:  # up to 9 variables change per step
            state[n] = i
        steps.append(Step(i, "tick", {}, state))
    system, _ = tick
    outcome = replace(tick_outcome(tick), result=Violated("hand", 0.0, Trace(tuple(steps))))
    cx = from_outcome(outcome, system)
    graph = trace_graph(cx, prefix="long")
    for i in range(31):
        rows = node_line(graph.source, f"s{i}").split("tooltip=")[0].count("<tr>")
        # header, changed rows, "+n more changed", the requirement's facts, "+n unchanged"
        assert rows <= 1 + MAX_CHANGED_ROWS + 1 + len(cx.watched) + 1, f"step {i} label has {rows} rows"
    assert "+3 more changed" in node_line(graph.source, "s8")
    svg = render(graph, "svg").decode()
    tooltips = re.findall(r'xlink:title="([^"]*v00 = [^"]*)"', svg)
    assert len(tooltips) == 31 and all(t.count("&#10;") == 20 for t in tooltips)  # 21 variables, 20 line breaks


def test_state_space_of_a_finite_model_with_the_counterexample_overlaid(tick) -> None:
    system, _ = tick
    reachable = projected_graph(system, ("mode",))
    assert set(reachable.nodes) == {("Stopped",), ("Infusing",), ("Alarm",)}
    assert reachable.nodes[("Stopped",)]["initial"] and not reachable.nodes[("Alarm",)]["initial"]
    assert reachable.edges[("Alarm",), ("Infusing",)]["transitions"] == {"restart"}
    cx = from_outcome(tick_outcome(tick), system)
    dot = state_space_graph(("mode",), reachable, cx, prefix="ss").source
    assert dot.count("mode = ") == 2 * 3  # label and tooltip of three nodes
    on_path = re.findall(rf"^\t(p\d) -> (p\d) \[.*color=\"{PATH}\".*$", dot, re.M)
    assert len(on_path) == 4  # Stopped->Infusing, Infusing->Infusing, Infusing->Alarm, Alarm->Infusing
    assert 'label="step 5\\ndetect"' in dot


def test_state_space_of_a_clocked_model_and_refusal_of_too_many_states(tick, recalled) -> None:
    clocked, _, _ = recalled
    modes = projected_graph(clocked, ("mode",))  # the timers, 3000 and 120000 ms, enumerated as 1 and 40
    assert set(modes.nodes) == {("Stopped",), ("Infusing",), ("OcclusionAlarm",)}
    assert modes.edges[("OcclusionAlarm",), ("Infusing",)]["transitions"] == {"restart"}
    assert all(DELAY not in ts for _, _, ts in modes.edges(data="transitions"))
    system, _ = tick
    with pytest.raises(TooManyStates, match="more than 5 reachable states"):
        projected_graph(system, ("mode",), max_states=5)


def test_path_only_view_when_the_state_space_is_unavailable(recalled) -> None:
    system, outcomes, _ = recalled
    level = next(o for o in outcomes if o.requirement.id == "UO-LEVEL")
    dot = state_space_graph(("mode",), None, from_outcome(level, system)).source
    assert set(re.findall(r"label=\"mode = (\w+)\"", dot)) == {"Stopped", "Infusing", "OcclusionAlarm"}
    assert "step 4" in dot and "step 5" in dot


def test_formats_and_output_files(tick, tmp_path: Path) -> None:
    system, _ = tick
    graph = trace_graph(from_outcome(tick_outcome(tick), system))
    for suffix, magic in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("dot", b"digraph")):
        write_graph(graph, tmp_path / f"g.{suffix}")
        assert (tmp_path / f"g.{suffix}").read_bytes().startswith(magic)
    assert render(graph, "svg") == render(graph, "svg")  # deterministic
    with pytest.raises(UsageError, match="cannot tell the graph format"):
        write_graph(graph, tmp_path / "g.jpeg")


def test_graph_dir_writes_one_svg_per_violated_requirement(recalled, tmp_path: Path) -> None:
    system, outcomes, _ = recalled
    written = write_trace_graphs(tmp_path / "graphs", system, outcomes)
    violated = sorted(o.requirement.id for o in outcomes if isinstance(o.result, Violated))
    assert violated and sorted(p.stem for p in written) == violated
    assert all(p.read_text().lstrip().startswith("<?xml") for p in written)


def test_tick_system_is_clock_free(tick) -> None:
    system: TransitionSystem = tick[0]
    assert not system.timed


def test_a_graph_dot_refuses_is_an_error_that_quotes_dot() -> None:
    graph = graphviz.Digraph(name="broken")
    graph.body.append("{ unbalanced\n")
    with pytest.raises(
        InternalError, match=r"graphviz's 'dot' could not draw graph broken as svg: Error: .*syntax error"
    ):
        render(graph, "svg")
