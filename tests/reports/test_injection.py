"""Text a reviewer sees is data in every output: no escape sequence, bidi override, rich markup or DOT/XML syntax
from a requirement, a label, a file name or a saved report acts on the terminal, a graph or a document."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from pumpproof import cli
from pumpproof.commands.show import show
from pumpproof.lang.characters import HIDDEN
from pumpproof.lang.load import load_model, load_requirements
from pumpproof.reports import html, junit, msc, sarif, terminal
from pumpproof.reports.counterexample import from_outcome
from pumpproof.reports.graphs import render, trace_graph
from pumpproof.verify.results import Step, Trace, Violated
from pumpproof.verify.run import Outcome
from pumpproof.verify.state_space import projection
from tests.reports.conftest import TICK_MODEL, TICK_REQS, run_info, tick_outcome

ESCAPES = "\x1b[2J\x1b[H\x1b]0;all PROVED\x07\x1b[8mhidden\x1b[0m\r\x08\x9b31m"
BIDI = "\u202eDEVORP\u202c \u2066x\u2069"
XML_FORBIDDEN = "\x00\ufffe\ud800"
MARKUP = "[bold red]PROVED[/bold red] [link=https://evil.example]click[/link] [/x] :warning:"
POISON = f"{ESCAPES} {BIDI} {XML_FORBIDDEN} {MARKUP} <b>&amp;</b>"
MSC_PARTS = Path(__file__).parent / "models" / "msc_parts.pump"
FILE_NAME = "\x1b[2J\x1b]0;all PROVED\x07[bold red]\u202eDEVORP\x7f\udcff"  # \udcff: a byte that is not UTF-8


def hidden(text: str) -> list[str]:
    """The hidden characters of `text` other than the layout ones every multi-line output uses."""
    return [c for c in HIDDEN.findall(text) if c not in "\n\t"]


def strings(value: Any) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def console() -> Console:
    """A console that interprets markup and emoji, as rich does by default: only Text objects keep it out."""
    return Console(record=True, width=200, color_system=None)


@pytest.fixture
def poisoned(tick) -> tuple[Any, Outcome, Any]:
    """A violated outcome whose model name, transition labels, requirement text and source are all POISON (the
    language refuses such strings in files; a Python caller can still give them), with poisoned file names."""
    system, _ = tick
    system = replace(system, name=POISON, transitions=tuple(replace(t, label=POISON) for t in system.transitions))
    outcome = tick_outcome(tick)
    outcome = replace(outcome, requirement=replace(outcome.requirement, text=POISON, source=POISON))
    info = replace(run_info(system), command=f"pumpproof check {POISON}")
    info = replace(info, files=tuple(replace(f, path=f"{FILE_NAME}.{f.role}") for f in info.files))
    return system, outcome, info


def test_terminal_shows_markup_and_escapes_as_text(poisoned) -> None:
    system, outcome, info = poisoned
    out = console()
    terminal.render(out, system, [outcome], info, invariants=True)
    text = out.export_text()
    assert hidden(text) == []
    assert "[bold red]PROVED[/bold red]" in text and "[link=https://evil.example]" in text and "[/x]" in text
    assert "\\x1b[2J" in text and "\\u202e" in text and ":warning:" in text


def test_junit_stays_well_formed_xml(poisoned) -> None:
    system, outcome, info = poisoned
    document = junit.junit_xml(system, [outcome], info)
    root = ET.fromstring(document)
    assert hidden(document) == []
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "[/x]" in failure.get("message", "") and "<b>&amp;</b>" in (failure.text or "")


def test_sarif_strings_carry_no_hidden_character(poisoned) -> None:
    system, outcome, info = poisoned
    log = json.loads(sarif.dumps(sarif.sarif_log(system, f"{FILE_NAME}.req", [outcome], info)))
    assert [s for s in strings(log) if hidden(s)] == []
    assert any("[/x]" in s for s in strings(log))


def test_html_escapes_every_text(poisoned) -> None:
    system, outcome, info = poisoned
    page = html.render_report(system, f"{FILE_NAME}.req", [outcome], info, projection(system))
    assert hidden(page) == []
    assert "<b>&amp;</b>" not in page and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in page


def test_graph_labels_are_data(poisoned) -> None:
    system, outcome, _ = poisoned
    graph = trace_graph(from_outcome(outcome, system), prefix=POISON)
    assert hidden(graph.source) == []
    svg = render(graph, "svg").decode("utf-8")
    assert hidden(svg) == [] and "<b>&amp;</b>" not in svg


@pytest.fixture
def poisoned_parts() -> tuple[Any, Outcome]:
    """A violated outcome of a composed model whose instance, channel and variable names, labels, requirement id and
    texts are POISON (no `.pump` file can name them so; a Python caller can)."""
    system = load_model(str(MSC_PARTS))
    reqs = load_requirements(str(MSC_PARTS.with_suffix(".req")), system)

    def bad(name: str) -> str:
        return name.replace("server", f"server{POISON}").replace("client[0]", f"{POISON}[0]")

    transitions = tuple(
        replace(
            t,
            name=bad(t.name),
            label=POISON,
            origins=tuple(replace(o, instance=bad(o.instance), transition=POISON, channel=POISON) for o in t.origins),
        )
        for t in system.transitions
    )
    variables = tuple(replace(v, name=bad(v.name)) for v in system.variables)
    system = replace(system, name=POISON, transitions=transitions, variables=variables)
    start = {"rounds": 0, "client[0].waiting": False, "client[1].waiting": False}
    start |= {"server.got": 0, "server.busy": False, "server.pending": False}
    asked = {**start, "client[0].waiting": True, "server.got": 1, "server.busy": True, "server.pending": True}
    steps = [(None, start), ("client[0].ask+server.hear", asked), ("server.finish", {**asked, "server.busy": False})]
    trace = Trace(
        tuple(Step(i, t and bad(t), {}, {bad(k): v for k, v in s.items()}, time=i) for i, (t, s) in enumerate(steps)),
        loop_start=0,
    )
    req = replace(reqs.requirements[0], id=f"MP{POISON}", text=POISON, source=POISON)
    return system, Outcome(req, Violated("hand", 0.01, trace), 0.01, None)


def test_message_sequence_chart_texts_are_data(poisoned_parts) -> None:
    system, outcome = poisoned_parts
    svg = msc.chart(from_outcome(outcome, system), system, prefix=outcome.requirement.id)
    assert svg is not None
    root = ET.fromstring(svg)  # well-formed XML
    assert hidden(svg) == []
    assert "<b>&amp;</b>" not in svg and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in svg
    parts = [g.get("data-part", "") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "lifeline"]
    assert len(parts) == 4 and all("[bold red]" in p for p in parts[1:4:2])  # escaped, not dropped
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+", e.get("id", "x")) for e in root.iter())


def test_html_report_escapes_a_composed_model_s_chart(poisoned_parts) -> None:
    system, outcome = poisoned_parts
    info = run_info(system)
    page = html.render_report(system, "parts.req", [outcome], info)
    assert 'class="msc"' in page and hidden(page) == []
    assert "<b>&amp;</b>" not in page


# ---------------------------------------------------------------- the command line, with poisoned file names


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """The tick model (no `model` line: its name is the file's) and requirements with markup in their texts."""
    model = tmp_path / f"{FILE_NAME}.pump"
    model.write_text(TICK_MODEL.replace("model tick_pump\n", "").replace('"nothing happens"', f'"{MARKUP}"'))
    reqs = tmp_path / f"{FILE_NAME}.req"
    holds = f'requirement TP-SAFE\n  text "{MARKUP}"\n  source "test"\n  always (reported -> occluded)\n'
    reqs.write_text(TICK_REQS.replace('"test"', f'"{MARKUP}"') + holds)
    return model, reqs


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert hidden(out) == [] and hidden(err) == [] and "Traceback" not in err
    return code, out + err


@pytest.mark.slow
def test_check_and_every_output_file_with_poisoned_names(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    model, reqs = files
    out = tmp_path / "out"
    outputs = ["--json", f"{out}/r.json", "--junit", f"{out}/j.xml", "--sarif", f"{out}/r.sarif"]
    outputs += ["--report", f"{out}/html", "--graph-dir", f"{out}/graphs", "--invariants"]
    code, text = run(capsys, "check", str(model), str(reqs), *outputs)
    assert code == 1 and "[/x]" in text and "[bold red]PROVED[/bold red]" in text and "\\x1b]0;" in text
    root = ET.parse(out / "j.xml").getroot()
    assert root.find("testsuite") is not None and hidden((out / "j.xml").read_text()) == []
    assert [s for s in strings(json.loads((out / "r.sarif").read_text())) if hidden(s)] == []
    assert hidden((out / "html" / "index.html").read_text()) == []
    assert all(ET.parse(svg).getroot().tag.endswith("svg") for svg in (out / "graphs").iterdir())
    code, text = run(capsys, "show", f"{out}/r.json")
    assert code == 0 and "confirmed again by `show`" in text and "[/x]" in text
    code, text = run(capsys, "lint", str(model))
    assert code == 0 and "\\u202e" in text
    code, text = run(capsys, "mutate", str(model), str(reqs), "--only", "TP-SAFE", "--transition", "detect")
    assert "mutation score" in text and "\\x7f" in text


def test_errors_escape_the_file_name_and_the_echoed_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "check", str(tmp_path / f"{FILE_NAME}.pump"), "x.req")[0] == 2
    broken = tmp_path / f"{FILE_NAME}.pump"
    broken.write_text('transition t "[/x] \x1b[2J" when true\n')
    code, text = run(capsys, "lint", str(broken))
    assert code == 2 and "a string cannot contain U+001B (ESCAPE)" in text and '"[/x] \\x1b[2J"' in text


# ---------------------------------------------------------------- show, with a doctored report and no model at hand

DOT_ATTACKS = [
    '<x> ]; fake [label="PROVED" shape=box]; s0 -> fake [label=<y>',
    'ok"]; fake [label="PROVED"]; x [label="',
    "ends in a backslash \\",
    "\\N \\G \\E \\T \\H \\L",
    "<<b>PROVED</b>>",
]


def _doctored(saved: Path, tmp_path: Path, change: Any) -> Path:
    doc = json.loads(saved.read_text())
    for f in doc["files"]:
        f["path"] = str(tmp_path / "gone" / Path(f["path"]).name)  # the claim alone: nothing to replay on
    change(next(r for r in doc["results"] if r["id"] == "UO-LEVEL"))
    path = tmp_path / "doctored.json"
    path.write_text(json.dumps(doc))
    return path


def _poison_everything(r: dict[str, Any]) -> None:
    r.update(text=POISON, source=POISON, formula=POISON, location=POISON)
    for s in r["trace"]["steps"]:
        s["label"] = POISON
        s["state"][POISON] = POISON
        if s["transition"] is not None:
            s["transition"] = POISON


def test_show_prints_a_doctored_reports_texts_as_data(saved: Path, tmp_path: Path) -> None:
    out = console()
    assert show(str(_doctored(saved, tmp_path, _poison_everything)), out, requirement="UO-LEVEL") == 3
    text = out.export_text()
    assert hidden(text) == [] and "[/x]" in text and "NOT repeated by `show`" in text


@pytest.mark.parametrize("name", DOT_ATTACKS, ids=range(len(DOT_ATTACKS)))
def test_show_graph_draws_no_node_a_transition_name_asks_for(saved: Path, tmp_path: Path, name: str) -> None:
    def rename(r: dict[str, Any]) -> None:
        for s in r["trace"]["steps"][1:]:
            s["transition"] = name
        r["id"] = 'UO-LEVEL" ]; fake [label="PROVED'

    doctored = _doctored(saved, tmp_path, rename)
    svg = tmp_path / "cx.svg"
    assert show(str(doctored), console(), graph=str(svg), requirement='UO-LEVEL" ]; fake [label="PROVED') == 3
    steps = len(json.loads(doctored.read_text())["results"][1]["trace"]["steps"])
    titles = re.findall(r'<g id="[^"]*" class="node">\s*<title>([^<]*)</title>', svg.read_text())
    assert sorted(titles) == sorted([f"s{i}" for i in range(steps)] + ["fail"])


def test_show_graph_shortens_labels_graphviz_would_refuse(saved: Path, tmp_path: Path) -> None:
    long = "occluded_up and " * 2000  # 32 KiB: graphviz refuses any string over 16 KiB

    def lengthen(r: dict[str, Any]) -> None:
        r.update(text=long, formula=long)
        r["trace"]["steps"][1]["transition"] = long
        r["trace"]["steps"][1]["label"] = long

    svg = tmp_path / "cx.svg"
    assert show(str(_doctored(saved, tmp_path, lengthen)), console(), graph=str(svg), requirement="UO-LEVEL") == 3
    assert ET.parse(svg).getroot().tag.endswith("svg") and "…" in svg.read_text()
