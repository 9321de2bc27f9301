"""Exit codes, part of the command-line interface, and the rules that turn results into one.

0 every requirement proved; 1 some requirement violated or vacuous; 2 bad input or usage; 3 some
requirement unknown and none violated or vacuous (also a question too big to enumerate); 4 internal
error (an engine answer failed its check). An output that cannot be written after solving keeps the
verdict's code, and turns 0 into 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from pumpproof.errors import UsageError
from pumpproof.verify.results import Verdict
from pumpproof.verify.run import Outcome

EXIT_PROVED, EXIT_VIOLATED, EXIT_USAGE, EXIT_UNKNOWN, EXIT_INTERNAL = 0, 1, 2, 3, 4


def exit_code(outcomes: Sequence[Outcome]) -> int:
    """1 if anything is violated or vacuous (proved only because it is never exercised), else 3 if anything
    is unknown, else 0."""
    verdicts = {o.result.verdict for o in outcomes}
    if Verdict.VIOLATED in verdicts or Verdict.VACUOUS in verdicts:
        return EXIT_VIOLATED
    if Verdict.UNKNOWN in verdicts:
        return EXIT_UNKNOWN
    return EXIT_PROVED


def regression_code(worse: Sequence[Verdict]) -> int:
    """`check --baseline`: 1 if some verdict got worse to VIOLATED or VACUOUS, else 3 if some got worse to
    UNKNOWN, else 0 (whatever the verdicts the baseline already had)."""
    if Verdict.VIOLATED in worse or Verdict.VACUOUS in worse:
        return EXIT_VIOLATED
    return EXIT_UNKNOWN if worse else EXIT_PROVED


def finding_code(found: bool, undecided: bool) -> int:
    """`lint` and `mutate`: 1 for a finding (a dead transition, a surviving mutant), else 3 if something is
    undecided, else 0."""
    if found:
        return EXIT_VIOLATED
    return EXIT_UNKNOWN if undecided else EXIT_PROVED


def after_writing(code: int, unwritten: Sequence[UsageError]) -> int:
    """The verdict's exit code, unless outputs failed on a run that would exit 0: then 2, so nothing looks fine.

    Prints every failure and both codes, so the verdict stays visible either way.
    """
    if not unwritten:
        return code
    for err in unwritten:
        print(err.render(), file=sys.stderr)
    final = EXIT_USAGE if code == EXIT_PROVED else code
    print(f"verdict exit {code}; writing outputs failed: exit {final}", file=sys.stderr)
    return final
