"""Formulas printed fully parenthesised: they show how the parser grouped them and parse back to the same syntax."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pumpproof.lang.parser import parse_requirements
from pumpproof.lang.syntax import DefineDecl
from pumpproof.lang.text import fully_parenthesised
from tests.helpers import ROOT, formula_syntax
from tests.strategies import ltl_formulas, vocabularies

SHIPPED = sorted(
    p
    for pattern in ("properties/*.req", "benchmarks/models/*.req", "tests/lang/examples/*.req", "tests/trust/**/*.req")
    for p in ROOT.glob(pattern)
)
UNARY = ["not", "always", "never", "eventually", "next", "previously", "once", "historically"]
BINARY = ["and", "or", "->", "<->", "until", "weak-until", "unless", "release", "since", "within"]
ATOMS = ["p", "q", "true", "x == 1", "-n + 1 <= m * 2", "a[i - 1]", "fired(t)", "rise(p)", "min(n, 2) > 0",
         "response(p, q)", "held(p and q, T + 1)", "if p then q else r", "any i in 0..N - 1: a[i]"]  # fmt: skip


def chains(operands: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Operands joined by binary operators, each under up to two unary ones, without parentheses."""
    operand = st.builds(lambda ops, a: " ".join([*ops, a]), st.lists(st.sampled_from(UNARY), max_size=2), operands)
    rest = st.lists(st.tuples(st.sampled_from(BINARY), operand), max_size=4)
    return st.builds(lambda first, tail: " ".join([first, *(f"{op} {a}" for op, a in tail)]), operand, rest)


UNPARENTHESISED = chains(st.recursive(st.sampled_from(ATOMS), lambda inner: chains(inner).map(lambda f: f"({f})")))


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("eventually x -> false", "(eventually x) -> false"),
        ("always (next x -> x)", "always ((next x) -> x)"),
        ("p and q until r or s", "(p and (q until r)) or s"),
        ("not p unless q -> r within T + 1", "((not p) weak-until q) -> (r within (T + 1))"),
        ("all c in 0..N - 1: a[c] -> if p then q else r", "all c in 0..N - 1: (a[c] -> (if p then q else r))"),
        ("response(p or q, -n < 2)", "response(p or q, (-n) < 2)"),
        ("previously held(p and q, T - 1) -> r", "(previously held(p and q, T - 1)) -> r"),
    ],
)
def test_shows_how_the_parser_grouped_the_formula(text: str, parsed: str) -> None:
    assert fully_parenthesised(formula_syntax(text)) == parsed


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_formula_parses_back_to_itself(path: Path) -> None:
    for item in parse_requirements(path.read_text(), str(path)).items:
        e = item.body if isinstance(item, DefineDecl) else item.formula
        assert formula_syntax(fully_parenthesised(e)) == e


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(UNPARENTHESISED)
def test_unparenthesised_formulas_parse_back_to_themselves(text: str) -> None:
    e = formula_syntax(text)
    assert formula_syntax(fully_parenthesised(e)) == e


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_generated_ltl_formulas_parse_back_to_themselves(data: st.DataObject) -> None:
    e = formula_syntax(data.draw(ltl_formulas(data.draw(vocabularies()))))
    assert formula_syntax(fully_parenthesised(e)) == e
