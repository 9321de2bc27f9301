"""Independent re-check of proofs: every proof obligation, as SMT-LIB 2 text, decided by cvc5.

Z3 finds the invariants and re-checks them already (certificates.recheck); cvc5 shares no code
with Z3, so an obligation both answer `unsat` does not hang on one solver's soundness. The
obligations are written as standalone .smt2 files with a manifest, so a reviewer can re-run them
with any SMT-LIB 2 solver (tool validation evidence, IEC 62304 / ISO 13485 4.1.6).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import cvc5

from pumpproof import __version__
from pumpproof.output import write_atomically
from pumpproof.verify.certificates import Obligation, obligations
from pumpproof.verify.ltl import LivenessProblem, k_liveness
from pumpproof.verify.problem import SafetyProblem
from pumpproof.verify.results import CertificateKind, Proved, Vacuous
from pumpproof.verify.run import Outcome
from pumpproof.verify.versions import solver_versions

SOLVER = "cvc5"
MANIFEST = "manifest.json"
SCHEMA = "pumpproof-certificates/1"


def solver_version() -> str:
    """The version of the cvc5 library that re-checks obligations."""
    return str(cvc5.__version__)


class Answer(str, Enum):
    """What the solver says about an obligation's script: `unsat` means the obligation holds; `error` is a
    script it rejects (a bug in pumpproof's obligations)."""

    UNSAT = "unsat"
    SAT = "sat"
    UNKNOWN = "unknown"
    ERROR = "error"


@dataclass(frozen=True)
class ObligationCheck:
    """cvc5's answer on one obligation, with the solver's message for an error."""

    obligation: Obligation
    solver: str
    answer: Answer
    time_s: float
    detail: str = ""

    @property
    def holds(self) -> bool:
        """True when the solver proved the obligation (its script is unsatisfiable)."""
        return self.answer is Answer.UNSAT

    @property
    def said(self) -> str:
        """The answer as the manifest and the table print it (`error: MESSAGE` for an error)."""
        return f"error: {self.detail}" if self.answer is Answer.ERROR else self.answer.value


@dataclass(frozen=True)
class CertifiedProof:
    """One PROVED requirement with its obligations and cvc5's answer on each (empty when not re-checkable)."""

    requirement: str
    engine: str
    kind: CertificateKind
    k: int
    rounds: int | None
    checks: tuple[ObligationCheck, ...]
    note: str = ""

    @property
    def ok(self) -> bool:
        """True when there were obligations and cvc5 proved every one."""
        return bool(self.checks) and all(c.holds for c in self.checks)

    @property
    def refuted(self) -> bool:
        """cvc5 refutes the proof: an obligation is `sat`, or a script it rejects (a bug either way)."""
        return any(c.answer in (Answer.SAT, Answer.ERROR) for c in self.checks)

    @property
    def unconfirmed(self) -> bool:
        """Neither confirmed nor refuted: an obligation undecided in time, or none to check."""
        return not self.ok and not self.refuted


def check_script(script: str, timeout_s: float = 60.0) -> tuple[Answer, str, float]:
    """cvc5's answer on an SMT-LIB 2 script, its message for an error, and the seconds it took."""
    start = time.time()
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("tlimit-per", str(max(1, int(timeout_s * 1000))))
    symbols = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, script, "obligation")
    answers = []
    try:
        while not (command := parser.nextCommand()).isNull():
            out = command.invoke(solver, symbols).strip()
            if out:
                answers.append(out)
    except RuntimeError as err:  # cvc5 reports parse and logic errors as RuntimeError
        return Answer.ERROR, str(err), time.time() - start
    if not answers:
        return Answer.ERROR, "the script has no (check-sat)", time.time() - start
    last = answers[-1]
    known = {a.value: a for a in Answer if a is not Answer.ERROR}
    return (known[last], "", time.time() - start) if last in known else (Answer.ERROR, last, time.time() - start)


def recheck(
    problem: SafetyProblem, obligations_: Sequence[Obligation], timeout_s: float = 60.0
) -> list[ObligationCheck]:
    """Decide every obligation of a proof of `problem` with cvc5."""
    name = f"{SOLVER} {solver_version()}"
    out = []
    for ob in obligations_:
        answer, detail, took = check_script(ob.script, timeout_s)
        out.append(ObligationCheck(ob, name, answer, took, detail))
    return out


def proof_problem(outcome: Outcome) -> SafetyProblem | None:
    """The safety problem a proof's invariant proves (k-liveness's for liveness), None if it has none."""
    result, problem = proved(outcome), outcome.problem
    if not isinstance(result, Proved) or problem is None:
        return None
    if isinstance(problem, LivenessProblem):
        rounds = result.certificate.rounds
        return None if rounds is None else k_liveness(problem, rounds)
    return problem


def proved(outcome: Outcome) -> Proved | None:
    """The proof in an outcome: the result when PROVED, the underlying proof when VACUOUS."""
    result = outcome.result
    if isinstance(result, Vacuous):
        return result.proof
    return result if isinstance(result, Proved) else None


def certify(outcomes: Sequence[Outcome], timeout_s: float = 60.0) -> list[CertifiedProof]:
    """Re-check the certificate of every proof (PROVED, or VACUOUS) with cvc5; other verdicts are skipped."""
    out = []
    for outcome in outcomes:
        result = proved(outcome)
        if result is None:
            continue
        cert = result.certificate
        problem = proof_problem(outcome)
        rid = outcome.requirement.id
        if problem is None or not cert.invariant_smt2:
            note = f"no invariant to re-check (certificate kind '{cert.kind}')"
            out.append(CertifiedProof(rid, result.engine, cert.kind, cert.k, cert.rounds, (), note))
            continue
        checks = recheck(problem, obligations(problem, cert), timeout_s)
        note = f"k-liveness with K={cert.rounds}: the invariant proves at most K fair rounds" if cert.rounds else ""
        out.append(CertifiedProof(rid, result.engine, cert.kind, cert.k, cert.rounds, tuple(checks), note))
    return out


def file_name(requirement: str, obligation: str) -> str:
    """`UO-LEVEL.initiation-0.smt2`: a portable file name for one obligation."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{requirement}.{obligation}").strip("-")
    return f"{safe}.smt2"


def manifest(proofs: Sequence[CertifiedProof], model: str) -> dict[str, object]:
    """The manifest of a certificate bundle: which solver re-checked which file, with what answer."""
    entries = []
    for proof in proofs:
        obligations_json = [
            {
                "name": c.obligation.name,
                "file": file_name(proof.requirement, c.obligation.name),
                "sha256": hashlib.sha256(c.obligation.script.encode()).hexdigest(),
                "expected": "unsat",
                "answer": c.said,
                "solver": c.solver,
                "time_s": round(c.time_s, 4),
            }
            for c in proof.checks
        ]
        entries.append(
            {
                "id": proof.requirement,
                "engine": proof.engine,
                "kind": proof.kind.value,
                "k": proof.k,
                "rounds": proof.rounds,
                "rechecked": proof.ok,
                "note": proof.note,
                "obligations": obligations_json,
            }
        )
    return {
        "schema": SCHEMA,
        "tool": {"name": "pumpproof", "version": __version__},
        "model": model,
        "generated_by": solver_versions(),
        "rechecked_by": {SOLVER: solver_version()},
        "proofs": entries,
    }


def write_bundle(proofs: Sequence[CertifiedProof], model: str, out_dir: str | Path) -> Path:
    """Write every obligation as a standalone .smt2 file and the manifest; return the manifest's path."""
    folder = Path(out_dir)
    for proof in proofs:
        for c in proof.checks:
            write_atomically(folder / file_name(proof.requirement, c.obligation.name), c.obligation.script)
    path = folder / MANIFEST
    write_atomically(path, json.dumps(manifest(proofs, model), indent=2) + "\n")
    return path
