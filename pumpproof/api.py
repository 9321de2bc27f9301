"""The Python API: load or build a model and its requirements, check them, read the results as values."""

from __future__ import annotations

from collections.abc import Iterable

from pumpproof.errors import UsageError
from pumpproof.lang.ir import Requirement, RequirementSet, TransitionSystem
from pumpproof.verify.portfolio import Options
from pumpproof.verify.run import Outcome, check_all


def check(
    system: TransitionSystem,
    requirements: RequirementSet | Iterable[Requirement],
    *,
    engine: str = "auto",
    timeout_s: float = 60.0,
    max_depth: int | None = None,
    deterministic: bool = False,
    jobs: int = 1,
) -> list[Outcome]:
    """Decide every requirement on `system`, as `pumpproof check` does: the built-in questions about the model
    (MODEL.RANGES, MODEL.DEADLOCK or MODEL.TIME) first, then each requirement in order. Counterexamples are
    replayed and proofs re-checked before they are returned. The options are those of the command line; `jobs` > 1
    decides that many requirements at a time in forked processes (as `check -j`), the results in the same order."""
    if jobs < 1:
        raise UsageError(f"jobs must be at least 1, not {jobs}")
    if not isinstance(requirements, RequirementSet):
        requirements = RequirementSet("<python>", tuple(requirements))
    options = Options(engine=engine, timeout_s=timeout_s, max_depth=max_depth, deterministic=deterministic)
    return check_all(system, requirements, options, jobs=jobs)
