"""Engine results as values: Proved(certificate), Violated(trace), Unknown(reason, how far a search went)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from pumpproof.lang.ir import Value


class Verdict(str, Enum):
    """The honest answers: proved, violated, unknown, and vacuous (holds only because it is never exercised)."""

    PROVED = "PROVED"
    VIOLATED = "VIOLATED"
    VACUOUS = "VACUOUS"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Step:
    """One state of a counterexample, with the step that produced it.

    `transition` is None for the initial state, `delay` for a time step. `inputs` are the
    inputs of the step into this state; `time` is the model time of this state.
    """

    index: int
    transition: str | None
    inputs: dict[str, Value]
    state: dict[str, Value]
    monitors: dict[str, Value] = field(default_factory=dict)
    elapsed: Value = 0
    time: Value = 0


@dataclass(frozen=True)
class Trace:
    """A finite counterexample: the last step is where the requirement fails.

    `loop_start` (lassos, for liveness) is the index the last state loops back to.
    """

    steps: tuple[Step, ...]
    loop_start: int | None = None

    @property
    def violation_step(self) -> int:
        """Index of the step where the requirement fails."""
        return len(self.steps) - 1


class CertificateKind(str, Enum):
    """What a proof's evidence is. INDUCTIVE: Init -> Inv, Inv & Trans -> Inv', Inv -> not Bad. K_INDUCTIVE: Inv
    holds on the first k states and k consecutive Inv-states force the next one. EXHAUSTIVE: every reachable
    state was enumerated (no invariant to re-check)."""

    INDUCTIVE = "inductive"
    K_INDUCTIVE = "k-inductive"
    EXHAUSTIVE = "exhaustive"

    def __str__(self) -> str:  # reports and templates print the kind as written
        return self.value


@dataclass(frozen=True)
class Certificate:
    """Evidence for PROVED: an invariant over the frame variables that an independent solver can re-check.

    `invariant_smt2` is an SMT-LIB 2 term over the frame variables (empty for EXHAUSTIVE); `invariant_text`
    is for humans.
    """

    kind: CertificateKind
    k: int
    invariant_smt2: str
    invariant_text: str
    rounds: int | None = None
    """For a liveness proof: the K of k-liveness, whose safety problem the invariant proves."""


@dataclass(frozen=True)
class Proved:
    """The requirement holds on every run."""

    engine: str
    time_s: float
    certificate: Certificate
    verdict: Verdict = Verdict.PROVED


@dataclass(frozen=True)
class Violated:
    """The requirement fails on the run in `trace` (already replayed when a user sees it)."""

    engine: str
    time_s: float
    trace: Trace
    verdict: Verdict = Verdict.VIOLATED


class Search(str, Enum):
    """A search that explores runs step by step, so that an undecided answer can say how far it got."""

    BMC = "bounded model checking"
    INDUCTION = "the base case of k-induction"
    LASSO = "the lasso search"

    @property
    def short(self) -> str:
        """The search's name in a table column."""
        return {Search.BMC: "bmc", Search.INDUCTION: "k-induction", Search.LASSO: "lasso"}[self]


@dataclass(frozen=True)
class Unknown:
    """No engine decided, for `reason`. `explored_by` found no violation within `depth` steps; both None when
    the engine explores no depth (ic3, extrapolation, a requirement outside the supported fragment)."""

    engine: str
    time_s: float
    reason: str
    depth: int | None = None
    explored_by: Search | None = None
    verdict: Verdict = Verdict.UNKNOWN


@dataclass(frozen=True)
class Vacuous:
    """The requirement holds, but only because what it constrains never happens (a trigger no run reaches,
    or no run that meets the fairness assumptions): the proof says nothing about the pump's behaviour."""

    engine: str
    time_s: float
    proof: Proved
    reason: str
    verdict: Verdict = Verdict.VACUOUS


Result = Proved | Violated | Vacuous | Unknown


class Reachability(str, Enum):
    """The answer to "can a run get there?" (a transition firing, a value occurring, a trigger, a fair run):
    REACHED with a replayed witness run, UNREACHABLE when proved, UNDECIDED when no engine answered."""

    REACHED = "reached"
    UNREACHABLE = "unreachable"
    UNDECIDED = "undecided"

    @staticmethod
    def of(result: Result) -> Reachability:
        """The answer of a reachability question asked as the safety problem "never gets there"."""
        if isinstance(result, Violated):
            return Reachability.REACHED
        return Reachability.UNREACHABLE if isinstance(result, Proved) else Reachability.UNDECIDED


class CacheUse(str, Enum):
    """How the result cache (`check --cache`) served a verdict; every stored answer is re-checked, never trusted."""

    HIT = "hit"
    """The entry of this very question (same key), re-checked on the model: its invariant or trace still holds."""
    REUSED = "reused"
    """An entry of the same requirement on an edited model (another key) that passed the re-check: a free verdict."""
    MISS = "miss"
    """No entry: solved, and stored."""
    RECHECK_FAILED = "rechecked-failed"
    """An entry was found but did not pass the re-check (or was unreadable): solved again, and the entry rewritten."""
