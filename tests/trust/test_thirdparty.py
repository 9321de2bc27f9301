"""Verdicts from elsewhere: a sample of the Kind 2 benchmarks in MoXI (../shared/thirdparty/kind2-moxi), checked
against the verdicts recorded for them. UNKNOWN is allowed; a wrong verdict fails.

The recorded verdicts are those of the Lustre originals. A few MoXI files do not mean what their original
means (thirdparty_differences.csv: a strict `<` of the original written `>`, or a sub-system's output read
without its prime in a `:trans`); for those the MoXI file's own verdict is the opposite one, and the file must
still show the construct the table blames.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pumpproof.lang.load import load_model, load_requirements
from pumpproof.verify.portfolio import Options
from pumpproof.verify.results import Verdict
from pumpproof.verify.run import check_all

SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "thirdparty" / "kind2-moxi"
DIFFERENCES = Path(__file__).with_name("thirdparty_differences.csv")
SAMPLE_EVERY = 31
"""Every 31st model by name: 21 of the 621, across every family."""
EXPECTED = {"valid": Verdict.PROVED, "invalid": Verdict.VIOLATED}
OPPOSITE = {Verdict.PROVED: Verdict.VIOLATED, Verdict.VIOLATED: Verdict.PROVED}


def _recorded() -> dict[str, Verdict]:
    with open(SUITE / "verdicts.csv", newline="") as f:
        return {row["name"]: EXPECTED[row["expected"]] for row in csv.DictReader(f)}


def _differences() -> dict[str, dict[str, str]]:
    with open(DIFFERENCES, newline="") as f:
        return {row["name"]: row for row in csv.DictReader(f)}


SAMPLE = sorted(_recorded())[::SAMPLE_EVERY] if SUITE.is_dir() else []


def expected(name: str) -> Verdict:
    """The verdict the MoXI file must get: the recorded one, or its opposite where the file differs."""
    recorded = _recorded()[name]
    return OPPOSITE[recorded] if name in _differences() else recorded


def test_every_listed_difference_shows_in_its_file() -> None:
    if not SUITE.is_dir():
        pytest.skip(f"{SUITE} is not there")
    for name, row in _differences().items():
        text = (SUITE / "models" / f"{name}.moxi").read_text()
        assert row["construct"] in text, f"{name}: {row['construct']!r} is not in the file"


@pytest.mark.slow
@pytest.mark.parametrize("name", SAMPLE)
def test_a_sample_of_the_kind2_benchmarks_gets_no_wrong_verdict(name: str) -> None:
    path = str(SUITE / "models" / f"{name}.moxi")
    system = load_model(path)
    (outcome,) = check_all(system, load_requirements(None, system), Options(timeout_s=30))
    verdict = outcome.result.verdict
    assert verdict in (expected(name), Verdict.UNKNOWN), f"{name}: {verdict}, expected {expected(name)}"


def test_the_sample_is_large_enough() -> None:
    if not SUITE.is_dir():
        pytest.skip(f"{SUITE} is not there")
    assert len(SAMPLE) >= 20
