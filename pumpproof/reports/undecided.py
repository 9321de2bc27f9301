"""What an UNKNOWN says, in every report: why nothing decided, and how far a search got without a violation."""

from __future__ import annotations

from pumpproof.verify.results import Unknown


def explored(r: Unknown) -> str | None:
    """`bounded model checking found no violation within 12 steps`; None when no search explored a depth."""
    if r.depth is None or r.explored_by is None:
        return None
    return f"{r.explored_by.value} found no violation within {r.depth} step{'' if r.depth == 1 else 's'}"


def not_decided(r: Unknown) -> str:
    """`not decided: REASON; bounded model checking found no violation within 12 steps`."""
    how = explored(r)
    return f"not decided: {r.reason}" + (f"; {how}" if how else "")


def searched(r: Unknown) -> str:
    """The table column's short form: `bmc depth 12`, `lasso depth 4`, or `–`."""
    return "–" if r.depth is None or r.explored_by is None else f"{r.explored_by.short} depth {r.depth}"


def explored_by(r: Unknown) -> str | None:
    """The search's short name for machine-read reports (JSON, SARIF): `bmc`, `k-induction`, `lasso` or None."""
    return None if r.explored_by is None else r.explored_by.short
