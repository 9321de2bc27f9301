"""The reviewed survivors of a mutation run: a CSV file of `mutant,reason` rows that `mutate --baseline` holds a
run against, so that CI fails on a new survivor (a fault the requirements newly let through), not on the ones a
reviewer has explained (an equivalent mutant, a behaviour no requirement should forbid)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pumpproof.errors import UsageError
from pumpproof.lang.location import Location
from pumpproof.verify.analyses.mutate import MutantStatus, MutationScore

HEADER = ("mutant", "reason")
UNREVIEWED = "unreviewed:"
"""How `--write-baseline` starts each reason; a baseline with such a reason is refused until someone writes one."""


@dataclass(frozen=True)
class Comparison:
    """A run's survivors against a reviewed baseline."""

    new: tuple[str, ...]
    """Survivors the baseline does not list: each fails the run."""
    stale: tuple[str, ...]
    """Listed mutants that no longer survive (killed, undecided, or no longer generated): the entry can go."""
    reviewed: int
    """Survivors the baseline explains."""


def read(path: str) -> dict[str, str]:
    """The baseline's reasons by mutant name; UsageError, located, for a malformed row or a reason not written."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read the baseline {path}: {err}") from None
    rows = list(csv.reader(io.StringIO(text)))
    lines = text.splitlines()

    def where(i: int) -> Location:
        return Location(path, i + 1, 1, lines[i] if i < len(lines) else "")

    if not rows or tuple(rows[0]) != HEADER:
        raise UsageError(f"the baseline must start with the header '{','.join(HEADER)}'", where(0))
    out: dict[str, str] = {}
    for i, row in enumerate(rows[1:], start=1):
        if not row:
            continue
        if len(row) != 2 or not row[0].strip():
            raise UsageError("expected two fields: the mutant's name and why it may survive", where(i))
        name, reason = row[0].strip(), row[1].strip()
        if not reason or reason.startswith(UNREVIEWED):
            hint = "write in one line why this mutant's behaviour is acceptable, or add a requirement that kills it"
            raise UsageError(f"no reviewed reason for '{name}'", where(i), hint)
        if name in out:
            raise UsageError(f"'{name}' is listed twice", where(i))
        out[name] = reason
    return out


def compare(result: MutationScore, baseline: Mapping[str, str]) -> Comparison:
    """Which survivors are new, which listed ones no longer survive (of a sample, only among the mutants it ran:
    the others were left out, not killed)."""
    alive = [r.mutant.name for r in result.with_status(MutantStatus.SURVIVED)]
    sampled = result.sampling is not None and result.sampling.size < result.sampling.population
    run = {r.mutant.name for r in result.results}
    new = tuple(n for n in alive if n not in baseline)
    stale = tuple(n for n in baseline if n not in alive and (n in run or not sampled))
    return Comparison(new, stale, len(alive) - len(new))


def write(path: str, result: MutationScore) -> int:
    """Write the survivors as a new baseline, each reason marked unreviewed; refuses to replace a file. Returns
    how many rows it wrote."""
    alive = result.with_status(MutantStatus.SURVIVED)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for r in alive:
        writer.writerow((r.mutant.name, f"{UNREVIEWED} (at {r.mutant.loc})"))
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(out.getvalue())
    except FileExistsError:
        raise UsageError(
            f"{path} exists; the baseline is written only to a new file", hint="choose another name, or remove it"
        ) from None
    except OSError as err:
        raise UsageError(f"cannot write the baseline {path}: {err}") from None
    return len(alive)
