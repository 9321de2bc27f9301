"""Independent certificate checks: cvc5 re-checks every obligation of Z3-found proofs, and rejects bad ones."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pumpproof.lang.ir import Requirement, TransitionSystem
from pumpproof.verify.certificates import obligations
from pumpproof.verify.independent import MANIFEST, Answer, certify, check_script, recheck, write_bundle
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import Proved
from pumpproof.verify.run import Checker, Options

OPTIONS = Options(timeout_s=30)


def _outcomes(corrected: tuple[TransitionSystem, dict[str, Requirement]], ids: tuple[str, ...]):  # type: ignore[no-untyped-def]
    system, reqs = corrected
    checker = Checker(system, OPTIONS)
    return [checker.check(reqs[i]) for i in ids]


def test_cvc5_rechecks_safety_and_liveness_proofs(corrected) -> None:  # type: ignore[no-untyped-def]
    proofs = certify(_outcomes(corrected, ("UO-LEVEL", "UO-STOPS", "UO-LIVE")))
    assert [p.requirement for p in proofs] == ["UO-LEVEL", "UO-STOPS", "UO-LIVE"]
    for p in proofs:
        assert p.ok, [(c.obligation.name, c.answer) for c in p.checks]
        assert {c.obligation.name for c in p.checks} >= {"consecution", "safety"}
        assert all(c.solver.startswith("cvc5 ") for c in p.checks)
    assert proofs[2].rounds is not None and "k-liveness" in proofs[2].note


def test_cvc5_rejects_an_invariant_that_is_not_inductive(corrected) -> None:  # type: ignore[no-untyped-def]
    (outcome,) = _outcomes(corrected, ("UO-LEVEL",))
    assert isinstance(outcome.result, Proved) and isinstance(outcome.problem, SafetyProblem)
    weak = replace(outcome.result.certificate, invariant_smt2="true")
    answers = {c.obligation.name: c.answer for c in recheck(outcome.problem, obligations(outcome.problem, weak))}
    assert answers["initiation[0]"] == "unsat"
    assert answers["safety"] == "sat"  # `true` does not exclude the bad states


def test_check_script_reports_errors_instead_of_raising() -> None:
    answer, detail, _ = check_script("(set-logic ALL)\n(assert (> x 0))\n(check-sat)\n")
    assert answer is Answer.ERROR and "x" in detail
    assert check_script("(set-logic ALL)\n(check-sat)\n(check-sat)\n")[0] is Answer.SAT
    assert check_script("(set-logic ALL)\n")[:2] == (Answer.ERROR, "the script has no (check-sat)")
    assert check_script("(set-logic ALL)\n(declare-fun x () Int)\n(assert (> x x))\n(check-sat)\n")[0] == "unsat"


def test_bundle_has_one_standalone_file_per_obligation_and_a_manifest(corrected, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proofs = certify(_outcomes(corrected, ("UO-ARMED", "UO-LEVEL")))
    manifest_path = write_bundle(proofs, "spectrum_corrected", tmp_path / "certs")
    manifest = json.loads(manifest_path.read_text())
    assert manifest_path.name == MANIFEST and manifest["schema"] == "pumpproof-certificates/1"
    assert "cvc5" in manifest["rechecked_by"] and "z3" in manifest["generated_by"]
    files = [ob["file"] for proof in manifest["proofs"] for ob in proof["obligations"]]
    assert "UO-LEVEL.initiation-0.smt2" in files
    for name in files:
        script = (manifest_path.parent / name).read_text()
        assert script.startswith("(set-logic ALL)") and check_script(script)[0] == "unsat"
