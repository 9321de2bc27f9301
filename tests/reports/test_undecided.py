"""An UNKNOWN says how far a search got only when one explored step by step, and names that search."""

from __future__ import annotations

from pumpproof.reports.undecided import explored_by, not_decided, searched
from pumpproof.verify.portfolio import merge_unknowns
from pumpproof.verify.results import Search, Unknown


def test_the_furthest_search_is_named_and_bmc_wins_a_tie_with_induction() -> None:
    merged = merge_unknowns(
        [
            Unknown("kind", 1.0, "timeout in the induction step", 12, Search.INDUCTION),
            Unknown("bmc", 2.0, "timeout", 12, Search.BMC),
            Unknown("ic3", 3.0, "spacer: canceled"),
        ]
    )
    assert (merged.depth, merged.explored_by, merged.time_s) == (12, Search.BMC, 3.0)
    assert merged.reason == "kind: timeout in the induction step; bmc: timeout; ic3: spacer: canceled"
    assert not_decided(merged).endswith("; bounded model checking found no violation within 12 steps")
    assert searched(merged) == "bmc depth 12" and explored_by(merged) == "bmc"
    deeper = merge_unknowns(
        [Unknown("bmc", 1.0, "timeout", 3, Search.BMC), Unknown("kind", 1.0, "t", 9, Search.INDUCTION)]
    )
    assert (deeper.depth, deeper.explored_by) == (9, Search.INDUCTION)


def test_an_undecided_liveness_requirement_names_the_lasso_search_not_bmc() -> None:
    merged = merge_unknowns(
        [Unknown("lasso", 1.0, "no fair lasso found", 1, Search.LASSO), Unknown("k-liveness", 1.0, "t")]
    )
    assert not_decided(merged).endswith("the lasso search found no violation within 1 step")
    assert searched(merged) == "lasso depth 1" and explored_by(merged) == "lasso"


def test_nothing_explored_claims_no_depth() -> None:
    for unknown in (
        Unknown("none", 0.0, "not supported yet"),
        merge_unknowns([Unknown("ic3", 1.0, "spacer: canceled")]),
    ):
        assert unknown.depth is None and explored_by(unknown) is None and searched(unknown) == "–"
        assert "depth" not in not_decided(unknown) and "within" not in not_decided(unknown)
