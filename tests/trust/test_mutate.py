"""Mutation score: the edge-form occlusion requirement lets recall-like mutants live; the level form kills them."""

from __future__ import annotations

from rich.console import Console

from pumpproof.reports import mutation_report
from pumpproof.verify.mutate import Operator, mutants, score
from pumpproof.verify.portfolio import Options

OPTIONS = Options(timeout_s=30)
# The recall's mechanism H1 as a mutant: the detector is re-armed when the occlusion clears, not at restart.
RECALL_LIKE = "restart: move armed := true to occlusion_clears"


def test_every_operator_yields_located_mutants(corrected) -> None:  # type: ignore[no-untyped-def]
    system, _ = corrected
    found = mutants(system)
    names = [m.name for m in found]
    assert len(names) == len(set(names))
    assert {m.operator for m in found} == set(Operator)
    assert all(m.loc is not None and m.loc.file.endswith("spectrum_corrected.pump") for m in found)
    by_name = {m.name: m for m in found}
    assert "detect_upstream_occlusion: t_occ >= 3000 becomes t_occ > 3000" in by_name
    assert "restart: drop armed := true" in by_name
    moved = by_name[RECALL_LIKE].system
    clears = next(t for t in moved.transitions if t.name == "occlusion_clears")
    assert [u.target for u in clears.updates] == ["occluded_up", "armed"]


def test_edge_form_lets_the_recall_mutant_survive_and_level_form_kills_it(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    restart = [m for m in mutants(system, ["restart"]) if "armed" in m.name]
    edge = score(system, [reqs["UO-EDGE"]], OPTIONS, restart)
    level = score(system, [reqs["UO-LEVEL"]], OPTIONS, restart)
    edge_alive = {r.mutant.name for r in edge.with_status("survived")}
    level_alive = {r.mutant.name for r in level.with_status("survived")}
    assert RECALL_LIKE in edge_alive
    assert not level_alive, level_alive
    assert level.score == 1.0 > edge.score
    console = Console(record=True, width=200)
    mutation_report.render(console, edge)
    text = console.export_text()
    assert RECALL_LIKE in text and "survived" in text and "spectrum_corrected.pump:60:" in text
    assert "killed" in text and "mutation score" in text


def test_survivors_that_stop_time_are_marked(corrected) -> None:  # type: ignore[no-untyped-def]
    system, reqs = corrected
    wanted = {
        "detect_upstream_occlusion: t_occ >= 3000 becomes t_occ > 3000": True,  # the invariant stops time at 3000
        "detect_upstream_occlusion: negate condition armed": True,
        "detect_upstream_occlusion: drop armed := false": False,  # harmless while delivering: no timelock
    }
    chosen = [m for m in mutants(system, ["detect_upstream_occlusion"]) if m.name in wanted]
    assert len(chosen) == len(wanted)
    result = score(system, [reqs["UO-LEVEL"], reqs["UO-LIVE"]], OPTIONS, chosen)
    assert {r.mutant.name: r.timelock for r in result.with_status("survived")} == wanted
    console = Console(record=True, width=200)
    mutation_report.render(console, result)
    assert "2 of the survivors stop time" in console.export_text()
