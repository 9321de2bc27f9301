"""Message-sequence charts of composed counterexamples: lifelines, arrows, boxes, changes, time axis and loop, read
back from the SVG; and how the other reports name the parts that moved."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pumpproof import cli
from pumpproof.errors import UsageError
from pumpproof.lang.ir import RequirementSet, TransitionSystem
from pumpproof.lang.load import load_model, load_requirements, parse_requirements_text
from pumpproof.output import Requested
from pumpproof.reports import html, msc
from pumpproof.reports.counterexample import Counterexample, from_outcome, transition_text
from pumpproof.reports.graphs import trace_graph
from pumpproof.reports.narrative import narrate
from pumpproof.reports.trace_view import fmt
from pumpproof.verify.results import Step, Trace, Violated
from pumpproof.verify.run import Options, Outcome, check_all
from tests.reports.conftest import run_info, tick_outcome

HERE = Path(__file__).parent
PARTS = HERE / "models" / "msc_parts.pump"
PARTS_REQS = HERE / "models" / "msc_parts.req"
COMPONENTS = HERE.parent / "lang" / "components"
SVG = "{http://www.w3.org/2000/svg}"

TIMED_REQS = """
requirement TA-CLEAR
  text   "A sensor's report is cleared within 4 (false: the manager may wait)."
  source "test"
  always (sensor[0].reported -> (not sensor[0].reported) within 4)
"""


@pytest.fixture(scope="module")
def parts() -> tuple[TransitionSystem, RequirementSet, dict[str, Outcome]]:
    """The clients-and-server model checked: MP-SAFE violated by a finite trace, MP-LIVE by a lasso."""
    system = load_model(str(PARTS))
    reqs = load_requirements(str(PARTS_REQS), system)
    outcomes = check_all(system, reqs, Options(timeout_s=30))
    return system, reqs, {o.requirement.id: o for o in outcomes}


@pytest.fixture(scope="module")
def timed() -> tuple[TransitionSystem, Outcome]:
    """The timed sensors-and-manager model with a requirement its delays violate."""
    system = load_model(str(COMPONENTS / "timed_alarm.pump"))
    reqs = parse_requirements_text(TIMED_REQS, "timed.req", system)
    (outcome,) = [o for o in check_all(system, reqs, Options(timeout_s=30)) if o.requirement.id == "TA-CLEAR"]
    assert isinstance(outcome.result, Violated)
    return system, outcome


def drawn(cx: Counterexample, system: TransitionSystem) -> ET.Element:
    svg = msc.chart(cx, system, prefix=cx.req_id)
    assert svg is not None
    return ET.fromstring(svg)


def lifeline_x(root: ET.Element) -> dict[str, float]:
    """Each lifeline's part and the x of its vertical line."""
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "lifeline":
            line = g.find(f"{SVG}line")
            assert line is not None
            out[g.get("data-part", "")] = float(line.get("x1", "nan"))
    return out


def step_group(root: ET.Element, index: int) -> ET.Element:
    (g,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "step" and g.get("data-step") == str(index)]
    return g


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def violated(parts: tuple[TransitionSystem, RequirementSet, dict[str, Outcome]], rid: str) -> Counterexample:
    system, _, outcomes = parts
    assert isinstance(outcomes[rid].result, Violated)
    return from_outcome(outcomes[rid], system)


# ---------------------------------------------------------------- structure


def test_one_lifeline_per_instance_and_one_for_the_model_s_own_state(parts) -> None:
    system, _, _ = parts
    cx = violated(parts, "MP-SAFE")
    assert not [s for s in cx.steps if s.moved and "client[0]" in {m.instance for m in s.moved.moves}]
    root = drawn(cx, system)
    assert list(lifeline_x(root)) == ["(model)", "client[0]", "client[1]", "server"]
    assert msc.lifelines(system) == ["(model)", "client[0]", "client[1]", "server"]
    heads = {
        g.get("data-part"): float(g.find(f"{SVG}rect").get("width", "nan"))  # type: ignore[union-attr]
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "lifeline"
    }
    assert heads["client[0]"] < heads["client[1]"]  # client[0] does nothing in this run: a narrow lifeline


def test_the_model_s_lifeline_is_left_out_when_it_has_nothing_of_its_own(timed) -> None:
    system, outcome = timed
    root = drawn(from_outcome(outcome, system), system)
    assert list(lifeline_x(root)) == ["sensor[0]", "sensor[1]", "manager"]


def test_a_handshake_is_an_arrow_from_sender_to_receiver_labelled_with_channel_and_value(parts) -> None:
    system, _, _ = parts
    cx = violated(parts, "MP-SAFE")
    root = drawn(cx, system)
    x = lifeline_x(root)
    syncs = [s for s in cx.steps if s.moved is not None and s.moved.channel is not None]
    assert syncs, "the counterexample has a synchronisation"
    for s in syncs:
        g = step_group(root, s.index)
        assert s.moved is not None and s.moved.sender is not None
        (arrow,) = [e for e in g.iter(f"{SVG}line") if "sync" in (e.get("class") or "")]
        sender, (receiver,) = s.moved.sender.instance, s.moved.receivers
        assert (arrow.get("data-from"), arrow.get("data-to")) == (sender, receiver.instance)
        assert float(arrow.get("x1", "nan")) == pytest.approx(x[sender])
        assert float(arrow.get("x2", "nan")) == pytest.approx(x[receiver.instance], abs=3)
        client = int(sender[len("client[")])  # a client sends its number plus one
        assert [t.text for t in g.iter(f"{SVG}text") if t.get("class") == "message"] == [f"request({client + 1})"]


def test_every_step_is_drawn_once_and_the_failing_one_marked(parts) -> None:
    system, _, _ = parts
    cx = violated(parts, "MP-SAFE")
    root = drawn(cx, system)
    steps = [g.get("data-step") for g in root.iter(f"{SVG}g") if g.get("class") == "step"]
    assert steps == [str(s.index) for s in cx.steps[1:]]
    assert f"✗ MP-SAFE fails at step {cx.violation_step}" in texts(root)
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "loop"]


def test_changes_are_noted_on_the_lifeline_of_their_part(parts) -> None:
    system, _, _ = parts
    cx = violated(parts, "MP-SAFE")
    root = drawn(cx, system)
    x = lifeline_x(root)
    notes: dict[str, float] = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "changes":
            for t in g.iter(f"{SVG}text"):
                notes[t.text or ""] = float(t.get("x", "nan"))
    assert notes["rounds: 0 → 1"] == pytest.approx(x["(model)"])
    assert notes["busy: false → true"] == pytest.approx(x["server"])
    sender = next(s.moved.sender.instance for s in cx.steps if s.moved and s.moved.sender)
    assert notes["waiting: false → true"] == pytest.approx(x[sender])


def test_the_requirement_s_values_are_noted_at_the_start_and_in_the_failing_state(parts) -> None:
    system, _, _ = parts
    root = drawn(violated(parts, "MP-SAFE"), system)
    x = lifeline_x(root)

    def noted(kind: str) -> dict[str, float]:
        groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == kind]
        return {t.text or "": float(t.get("x", "nan")) for g in groups for t in g.iter(f"{SVG}text")}

    assert noted("initial") == {"rounds = 0": x["(model)"], "got = 0": x["server"]}
    assert noted("final") == {"rounds = 1": x["(model)"], "got = 2": x["server"]}


def test_a_part_moving_alone_is_a_box_with_its_transition(parts) -> None:
    system, _, _ = parts
    cx = violated(parts, "MP-LIVE")
    root = drawn(cx, system)
    x = lifeline_x(root)
    (finish,) = [s for s in cx.steps if s.transition == "server.finish"][:1]
    g = step_group(root, finish.index)
    (box,) = [r for r in g.iter(f"{SVG}rect") if r.get("class") == "local"]
    assert float(box.get("x", "nan")) + float(box.get("width", "nan")) / 2 == pytest.approx(x["server"])
    assert box.get("stroke-dasharray")  # `finish` is the environment's
    assert "finish" in texts(g)


def test_a_lasso_s_loop_is_bracketed(parts) -> None:
    system, _, _ = parts
    cx = violated(parts, "MP-LIVE")
    assert cx.loop_start is not None
    root = drawn(cx, system)
    (loop,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "loop"]
    assert loop.get("data-steps") == f"{cx.loop_start + 1}-{cx.violation_step}"
    assert f"back to step {cx.loop_start}" in texts(loop)
    assert any("repeat" in t and "forever" in t for t in texts(root))


def test_a_broadcast_is_an_arrow_to_every_receiver_that_moved_and_a_stub_when_nobody_heard() -> None:
    system = load_model(str(COMPONENTS / "alarm_system.pump"))
    quiet = {"sounding": False, "manager.level": "Quiet", "manager.count": 0}
    armed = {f"detector[{c}].{v}": v == "armed" for c in (0, 1) for v in ("armed", "raised")}
    raised1 = {**armed, "detector[1].raised": True, "sounding": True, "manager.level": "Beeping", "manager.count": 1}
    both = {**raised1, "detector[0].raised": True, "manager.level": "Ringing", "manager.count": 2}
    silenced = {**both, **{f"detector[{c}].{v}": False for c in (0, 1) for v in ("armed", "raised")}}
    silenced.update({"sounding": False, "manager.level": "Quiet"})
    steps = [
        (None, {**armed, **quiet}),
        ("detector[1].occlude+manager.hear", raised1),
        ("detector[0].occlude+manager.hear", both),
        ("manager.mute+detector[0].quiet+detector[1].quiet", silenced),
        ("manager.mute", silenced),  # not a run of the model: the chart draws what it is given
    ]
    trace = Trace(tuple(Step(i, t, {}, s, time=i) for i, (t, s) in enumerate(steps)))
    reqs = load_requirements(str(COMPONENTS / "alarm_system.req"), system)
    outcome = Outcome(reqs.requirements[3], Violated("hand", 0.01, trace), 0.01, None)
    cx = from_outcome(outcome, system)
    root = drawn(cx, system)
    x = lifeline_x(root)
    arrows = [e for e in step_group(root, 3).iter(f"{SVG}line") if e.get("class") == "sync"]
    assert [(a.get("data-from"), a.get("data-to")) for a in arrows] == [
        ("manager", "detector[0]"),
        ("manager", "detector[1]"),
    ]
    assert all(float(a.get("x1", "nan")) == pytest.approx(x["manager"]) for a in arrows)
    assert "silence (broadcast)" in texts(step_group(root, 3))
    assert [t for t in texts(step_group(root, 1)) if t.startswith("raise(")] == ["raise(Low)"]
    assert [t for t in texts(step_group(root, 2)) if t.startswith("raise(")] == ["raise(High)"]
    lost = step_group(root, 4)
    assert [e.get("class") for e in lost.iter(f"{SVG}line")] == ["sync lost"]
    assert "silence (broadcast): nobody heard" in texts(lost)


def test_delays_and_the_cumulative_time_are_on_the_axis(timed) -> None:
    system, outcome = timed
    cx = from_outcome(outcome, system)
    root = drawn(cx, system)
    delays = [s for s in cx.steps if s.transition == "delay"]
    assert delays, "the counterexample lets time pass"
    for s in delays:
        g = step_group(root, s.index)
        assert [r.get("class") for r in g.iter(f"{SVG}rect")] == ["delay"]
        assert f"delay {fmt(s.elapsed)}" in texts(g)
    (axis,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "axis"]
    shown = [t for t in texts(axis) if t.startswith("t = ")]
    assert len(shown) == len(cx.steps) - 1
    assert shown[-1] != "t = 0"  # the last step comes after some delay


def test_a_flat_model_gets_no_chart(tick) -> None:
    system, _ = tick
    outcome = tick_outcome(tick)
    assert msc.chart(from_outcome(outcome, system), system) is None
    assert msc.write_charts("unused", system, [outcome]) == []


# ---------------------------------------------------------------- the other reports name the parts


def test_narrative_and_trace_graph_name_the_parts_that_synchronised(parts) -> None:
    system, _, _ = parts
    cx = violated(parts, "MP-SAFE")
    sync = next(s for s in cx.steps if s.moved is not None and s.moved.sender is not None)
    assert sync.moved is not None and sync.moved.sender is not None
    sender = sync.moved.sender.instance
    told = f"{sender} → server: request({int(sender[len('client[')]) + 1})"
    story = narrate(cx)[sync.index]
    assert told in story and f"`{sender}.ask` with `server.hear`" in story
    assert told in trace_graph(cx).source
    assert transition_text(sync) == told  # the step tables of the terminal and the HTML report
    local = next(s for s in cx.steps if s.transition == "count")
    assert "`count`" in narrate(cx)[local.index]


# ---------------------------------------------------------------- outputs


def test_the_html_report_shows_the_chart_of_a_composed_model_only(parts, tick) -> None:
    system, _, outcomes = parts
    page = html.render_report(system, str(PARTS_REQS), list(outcomes.values()), run_info(system))
    assert page.count('class="msc"') == 2 and 'id="msc-MP-SAFE"' in page and 'id="msc-MP-LIVE"' in page
    flat, _ = tick
    page = html.render_report(flat, "tick.req", [tick_outcome(tick)], run_info(flat))
    assert 'class="msc"' not in page and "Message-sequence chart" not in page


def test_graph_dir_writes_the_chart_beside_the_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "graphs"
    code = cli.main(["check", str(PARTS), str(PARTS_REQS), "--graph-dir", str(out), "--graph-format", "dot"])
    capsys.readouterr()
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ["MP-LIVE.dot", "MP-LIVE.msc.svg", "MP-SAFE.dot", "MP-SAFE.msc.svg"]
    root = ET.parse(out / "MP-LIVE.msc.svg").getroot()
    assert root.tag == f"{SVG}svg" and [g for g in root.iter(f"{SVG}g") if g.get("class") == "loop"]


def test_a_chart_may_not_take_the_name_of_another_requirement_s_graph() -> None:
    planned = Requested(graph_dir="out").planned(["A", "A.msc"], [], charts=False)
    assert ("--graph-dir", "out/A.msc.svg") in planned[0]
    with pytest.raises(UsageError, match="chart of A and the graph of A.msc"):
        Requested(graph_dir="out").planned(["A", "A.msc"], [], charts=True)
    files, _ = Requested(graph_dir="out", graph_format="png").planned(["A", "A.msc"], [], charts=True)
    assert ("--graph-dir", "out/A.msc.svg") in files and ("--graph-dir", "out/A.msc.png") in files
