"""Fixtures every test folder shares: the shipped Spectrum model and its requirements."""

from __future__ import annotations

import pytest

from pumpproof.lang.ir import Requirement, TransitionSystem
from pumpproof.lang.load import load_model, load_requirements
from tests.helpers import MODELS, PROPERTIES


@pytest.fixture(scope="module")
def corrected() -> tuple[TransitionSystem, dict[str, Requirement]]:
    """models/spectrum_corrected.pump and properties/upstream_occlusion.req by id."""
    system = load_model(str(MODELS / "spectrum_corrected.pump"))
    reqs = load_requirements(str(PROPERTIES / "upstream_occlusion.req"), system)
    return system, {r.id: r for r in reqs.requirements}
