"""The HTML evidence report: content, self-containment, determinism, and rendering in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from pumpproof.reports.graphs import CHANGED
from pumpproof.reports.html import write_report
from pumpproof.verify.results import Proved, Search, Unknown, Violated
from pumpproof.verify.run import Options, check_all
from pumpproof.verify.state_space import projection
from tests.reports.conftest import REQS, TICK_MODEL, TICK_REQS, run_info

VOLATILE = re.compile(r'<span class="volatile">[^<]*</span>')


def test_report_holds_the_evidence_for_every_verdict(recalled, tmp_path: Path) -> None:
    system, outcomes, info = recalled
    outcomes = [
        replace(o, result=Unknown("bmc", 2.0, "timeout after 2 s", 23, Search.BMC))
        if o.requirement.id == "UO-CLEAR"
        else o
        for o in outcomes
    ]
    html = write_report(tmp_path / "rep", system, REQS, outcomes, info, projection(system)).read_text()
    for f in info.files:
        assert f.sha256 in html and f.path in html
    assert info.command in html and "z3" in html
    for o in outcomes:
        rid = o.requirement.id
        assert f'<article id="req-{rid}"' in html and f'<a href="#req-{rid}">' in html
        if isinstance(o.result, Proved):
            first = o.result.certificate.invariant_text.splitlines()[0]
            assert first.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html
    violated = sum(isinstance(o.result, Violated) for o in outcomes)
    assert html.count("<svg") == 2 * violated  # counterexample graph and state-space view each
    assert "(transition `restart`)" in html
    assert "invariant alarm_up and not audio_on -&gt; t_silence &lt;= T_SILENCE_MS" in html
    assert "spectrum_recalled.pump:42:11" in html
    assert "Dense time" in html and "a proof is about the model, not the device" in html.lower()
    assert "Not decided: timeout after 2 s; bounded model checking found no violation within 23 steps." in html
    assert "All reachable states projected onto mode" in html  # clocks enumerated with time scaled down


def test_report_shows_how_formulas_that_rely_on_precedence_were_parsed(recalled, tmp_path: Path) -> None:
    system, outcomes, info = recalled
    html = write_report(tmp_path / "rep", system, REQS, outcomes, info, projection(system)).read_text()
    parsed = "always (fired(clear_alarm) -&gt; ((not delivering) weak-until run_stop_pressed))"
    assert f"<dt>parsed as</dt><dd><code>{parsed}</code></dd>" in html
    assert html.count("<dt>parsed as</dt>") == sum(o.requirement.parsed_differs for o in outcomes)
    armed = html[html.index('<article id="req-UO-ARMED"') :]
    assert "parsed as" not in armed[: armed.index("</article>")]  # written fully grouped


def test_report_is_self_contained(recalled, tmp_path: Path) -> None:
    system, outcomes, info = recalled
    html = write_report(tmp_path, system, REQS, outcomes, info, projection(system)).read_text()
    assert not re.search(r'\b(src|href)\s*=\s*"(?!#)', html), "only in-page links"
    assert "url(" not in html and "<script" not in html and "<link" not in html
    assert "<!DOCTYPE svg" not in html and "<?xml" not in html


def test_finite_model_report_shows_its_state_space_and_the_proved_ranges(tick, tmp_path: Path) -> None:
    system, reqs = tick
    outcomes = check_all(system, reqs, Options(timeout_s=30))
    model, req_file = tmp_path / "tick_pump.pump", tmp_path / "tick_pump.req"
    model.write_text(TICK_MODEL)
    req_file.write_text(TICK_REQS)
    html = write_report(
        tmp_path / "rep",
        system,
        str(req_file),
        outcomes,
        run_info(system, str(model), str(req_file)),
        projection(system),
    )
    text = html.read_text()
    assert "All reachable states projected onto mode" in text
    assert "count ∈ 0..2" in text and "Discrete time" in text
    assert "assume button == NoPress or mode != Infusing" in text


@pytest.mark.slow
def test_same_run_same_report_apart_from_timestamps_and_timings(recalled, tmp_path: Path) -> None:
    system, outcomes, info = recalled
    pages = []
    for i, started in enumerate(("2026-01-01T00:00:00+00:00", "2026-06-30T12:34:56+00:00")):
        timed = [replace(o, wall_s=o.wall_s * (i + 1) + 0.123) for o in outcomes]  # another run, other timings
        page = write_report(tmp_path / str(i), system, REQS, timed, replace(info, started=started), projection(system))
        pages.append(page.read_text())
    assert pages[0] != pages[1] and started in pages[1]
    first, second = (VOLATILE.sub('<span class="volatile"></span>', p) for p in pages)
    assert first == second


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_report_renders_in_headless_chromium_with_visible_graphs(recalled, tmp_path: Path) -> None:
    browser = chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    system, outcomes, info = recalled
    level = [o for o in outcomes if o.requirement.id in ("UO-LEVEL", "UO-EDGE")]  # one graph pair near the top
    page = write_report(tmp_path / "rep", system, REQS, level, info, projection(system))
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,4000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 4000)
    colors = image.getcolors(maxcolors=1 << 24) or []
    non_white = sum(n for n, rgb in colors if min(rgb) < 235)
    assert non_white > 0.02 * 1280 * 4000, "the page looks blank"
    # The highlight of changed values exists only inside the counterexample graph's SVG.
    highlight = tuple(int(CHANGED[i : i + 2], 16) for i in (1, 3, 5))
    bands = [
        band.point(lambda v, c=c: 255 if abs(v - c) <= 6 else 0)
        for band, c in zip(image.split(), highlight, strict=True)
    ]
    mask = ImageChops.multiply(ImageChops.multiply(bands[0], bands[1]), bands[2])
    count = sum(n for n, v in (mask.getcolors() or []) if v == 255)
    assert count > 2000, "the counterexample graph is not visible"
    box = mask.getbbox()
    assert box is not None and box[1] > 300, "the graph should sit below the run metadata"
