"""Unparenthesised formulas are read as SPIN reads them: its never claim for the formula as written equals
its never claim for pumpproof's fully parenthesised reading, and differs for a misreading.

SPIN passes a parenthesised subformula without temporal operators through as one opaque predicate,
so claims are compared with every guard replaced by its truth table over the atoms. The formulas
leave out where pumpproof differs from SPIN on purpose (docs/language.md, Precedence): `and`, `or`,
`->`, `<->` mixed without parentheses (one level in SPIN) and chains of `until` (grouped to the
left there). `next` is left out because SPIN translates `X` only when built with -DNXT.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess

import pytest

from pumpproof.lang.text import fully_parenthesised
from tests.helpers import formula_syntax

ATOMS = ("a", "b", "c", "d")
SPIN_WORDS = {"always": "[]", "eventually": "<>", "never": "[] !", "not": "!", "and": "&&", "or": "||",
              "until": "U", "release": "V"}  # fmt: skip
STEP = re.compile(r"^\s*:: (?P<atomic>atomic \{ )?(?P<guard>.+?) -> (?P<then>goto \w+|assert\(.*\) \})$")
"""A transition of a never claim: `:: guard -> goto S`, or `:: atomic { guard -> assert(!guard) }` (accepts)."""
GUARD = re.compile(r"(?:[\sa-d01()!&|]|true|false)*")
"""What a guard may contain: only then is it evaluated as Python."""

FORMULAS = [  # (as written, a different reading that must give another never claim)
    ("always a -> b", "always (a -> b)"),
    ("eventually a -> b", "eventually (a -> b)"),
    ("always (eventually a -> b)", "always eventually (a -> b)"),
    ("eventually a and b", "eventually (a and b)"),
    ("always a or b", "always (a or b)"),
    ("never a -> b", "never (a -> b)"),
    ("not a -> b", "not (a -> b)"),
    ("not a until b", "not (a until b)"),
    ("not always a and eventually b", "not (always a and eventually b)"),
    ("always eventually a -> always eventually b", "always eventually (a -> always eventually b)"),
    ("eventually always a <-> b", "eventually always (a <-> b)"),
    ("always a until b", "always (a until b)"),
    ("eventually a until always b", "eventually (a until always b)"),
    ("a until b and c", "a until (b and c)"),
    ("a until b or c", "a until (b or c)"),
    ("a and b until c", "(a and b) until c"),
    ("a or b until c", "(a or b) until c"),
    ("a -> b until c", "(a -> b) until c"),
    ("a until b -> c", "a until (b -> c)"),
    ("a release b and c", "a release (b and c)"),
    ("a until eventually b and c", "a until eventually (b and c)"),
    ("a and b until c or d", "a and b until (c or d)"),
]


@pytest.fixture(scope="module")
def spin() -> str:
    """The `spin` executable (required in CI, where `scripts/setup` installs it)."""
    found = shutil.which("spin")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("spin is required in CI (apt-get install spin)")
        pytest.skip("spin is not installed")
    return found


def in_spin(text: str) -> str:
    """A pumpproof formula over ATOMS in SPIN's LTL syntax, word by word."""
    return re.sub(r"[a-z]+", lambda m: SPIN_WORDS.get(m[0], m[0]), text)


def truth_table(guard: str) -> str:
    """A guard of a never claim (a C expression over ATOMS) as the string of its values on every assignment."""
    assert GUARD.fullmatch(guard), guard
    python = guard.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    names = {"__builtins__": {}, "true": True, "false": False}
    rows = itertools.product((False, True), repeat=len(ATOMS))
    return "".join("1" if eval(python, names, dict(zip(ATOMS, row, strict=True))) else "0" for row in rows)


def never_claim(spin: str, formula: str) -> str:
    """SPIN's never claim for `formula`, without the comment that repeats it and with guards as truth tables."""
    out = subprocess.run([spin, "-f", formula], capture_output=True, text=True, check=True, timeout=60).stdout
    lines = []
    for line in out.splitlines()[1:]:
        m = STEP.match(line)
        if m is not None:
            then = m["then"] if m["then"].startswith("goto") else "accept"
            line = f":: {'atomic ' if m['atomic'] else ''}{truth_table(m['guard'])} -> {then}"
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize(("text", "misreading"), FORMULAS)
def test_unparenthesised_formulas_are_read_as_spin_reads_them(spin: str, text: str, misreading: str) -> None:
    parsed = fully_parenthesised(formula_syntax(text))
    assert formula_syntax(misreading) != formula_syntax(text)
    written = never_claim(spin, in_spin(text))
    assert written == never_claim(spin, in_spin(parsed)), f"SPIN does not read {text!r} as {parsed!r}"
    assert written != never_claim(spin, in_spin(misreading)), f"SPIN cannot tell {text!r} from {misreading!r}"
