"""Versions of the solvers pumpproof runs, for provenance records."""

from __future__ import annotations

import z3


def solver_versions() -> dict[str, str]:
    """Solver name to version string."""
    return {"z3": z3.get_version_string()}
