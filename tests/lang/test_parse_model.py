"""Models: parsing, expansion, folding, typing and the clock rules on valid input."""

from __future__ import annotations

from pathlib import Path

import pytest

from pumpproof.lang.ir import (
    BOOL,
    CLOCK,
    FALSE,
    NUM,
    TRUE,
    Binary,
    Const,
    EnumType,
    IntType,
    Op,
    Unary,
    VarKind,
    VarRef,
)
from pumpproof.lang.load import load_model, parse_model_text

EXAMPLE = str(Path(__file__).parent / "examples" / "spectrum.pump")
HEADER = "var a: bool\nvar b: bool\nvar c: bool\nvar n: 0..9\nclock x\n"


def guard(expr: str, header: str = HEADER) -> object:
    """The elaborated guard of a one-transition model."""
    return parse_model_text(f"{header}transition t when {expr}", "m.pump").transitions[0].guard


def ref(name: str, typ: object = BOOL) -> VarRef:
    return VarRef(name, typ)  # type: ignore[arg-type]


def test_example_model_elaborates() -> None:
    ts = load_model(EXAMPLE)
    assert ts.name == "spectrum_corrected"
    assert ts.constants == {"T_DETECT_MS": 3000, "CHANNELS": 2, "T_HALF_MS": 1500}
    assert [v.name for v in ts.variables] == [
        "mode", "count", "primed", "occluded[0]", "occluded[1]", "t_occ", "t_ch[0]", "t_ch[1]", "button",
        "pressure_psi",
    ]  # fmt: skip
    mode = EnumType("Mode", ("Idle", "Delivering", "Alarm"))
    button = EnumType("button", ("NoPress", "RunStop", "Clear"))
    assert ts.enums == (mode, button)
    assert ts.var("mode").init == Const("Idle", mode)
    assert ts.var("count").type == IntType(0, 3000)
    assert ts.var("primed").init is None
    assert ts.var("occluded[1]").init == FALSE
    assert ts.var("t_ch[1]").type == CLOCK and ts.var("t_ch[1]").init == Const(0, NUM)
    assert ts.var("button").kind is VarKind.INPUT and ts.var("button").init is None
    assert ts.timed
    assert [t.name for t in ts.transitions] == ["start", "occlusion_begins[0]", "occlusion_begins[1]"]
    begins1 = ts.transitions[2]
    assert begins1.guard == Unary(Op.NOT, ref("occluded[1]"), BOOL)
    assert begins1.updates[0].target == "occluded[1]" and begins1.updates[0].value == TRUE
    assert begins1.label == "an upstream occlusion begins on channel c"
    assert begins1.environment and not ts.transitions[0].environment
    assert set(ts.defines) == {"delivering", "any_occluded", "ch_blocked[0]", "ch_blocked[1]"}
    assert ts.defines["any_occluded"] == Binary(Op.OR, ref("occluded[0]"), ref("occluded[1]"), BOOL)
    assert len(ts.assumptions) == 1 and len(ts.invariants) == 1 and len(ts.terminals) == 2
    idle = Binary(Op.EQ, ref("mode", mode), Const("Idle", mode), BOOL)
    assert ts.terminals[1] == Binary(Op.AND, idle, ref("occluded[1]"), BOOL)


def test_defines_are_inlined() -> None:
    ts = load_model(EXAMPLE)
    invariant = ts.invariants[0]
    assert isinstance(invariant, Binary) and isinstance(invariant.left, Binary)
    assert invariant.left.left == ts.defines["delivering"]


def test_locations_point_at_names() -> None:
    ts = load_model(EXAMPLE)
    loc = ts.var("count").loc
    assert loc is not None and (loc.line, loc.col) == (10, 5) and loc.line_text.startswith("var count")


def test_overrides_replace_constants_before_later_ones_use_them() -> None:
    ts = load_model(EXAMPLE, {"T_DETECT_MS": "5000"})
    assert ts.constants["T_HALF_MS"] == 2500
    assert ts.var("count").type == IntType(0, 5000)
    assert parse_model_text("const DEBUG = false", "m.pump", {"DEBUG": "true"}).constants == {"DEBUG": True}


def test_model_name_defaults_to_file_stem() -> None:
    assert parse_model_text("var a: bool", "dir/infusion.pump").name == "infusion"


@pytest.mark.parametrize(
    ("text", "value"),
    [("1 + 2 * 3", 7), ("-7 / 2", -4), ("7 % 3", 1), ("min(3, max(1, 2))", 2), ("if 1 < 2 then 10 else 20", 10),
     ("2 * (3 - 5)", -4), ("- 2 * 3", -6)],
)  # fmt: skip
def test_constant_expressions_fold(text: str, value: int) -> None:
    assert parse_model_text(f"const K = {text}", "m.pump").constants["K"] == value


def test_precedence() -> None:
    a, b, c = ref("a"), ref("b"), ref("c")
    assert guard("a or b and c") == Binary(Op.OR, a, Binary(Op.AND, b, c, BOOL), BOOL)
    assert guard("a -> b -> c") == Binary(Op.IMPLIES, a, Binary(Op.IMPLIES, b, c, BOOL), BOOL)
    assert guard("a <-> b -> c") == Binary(Op.IFF, a, Binary(Op.IMPLIES, b, c, BOOL), BOOL)
    assert guard("not a == b") == Unary(Op.NOT, Binary(Op.EQ, a, b, BOOL), BOOL)
    n = ref("n", IntType(0, 9))
    assert guard("- n * 2 < 1") == Binary(
        Op.LT, Binary(Op.MUL, Unary(Op.NEG, n, NUM), Const(2, NUM), NUM), Const(1, NUM), BOOL
    )
    # `if` extends as far right as possible
    assert guard("if a then b else c -> a") == guard("if a then b else (c -> a)")


def test_any_and_all_expand_and_empty_ranges_are_neutral() -> None:
    header = HEADER + "var o[3]: bool\n"
    o = [ref(f"o[{i}]") for i in range(3)]
    assert guard("any i in 0..2: o[i]", header) == Binary(Op.OR, Binary(Op.OR, o[0], o[1], BOOL), o[2], BOOL)
    assert guard("all i in 1..1: o[i]", header) == o[1]
    assert guard("any i in 1..0: o[i]", header) == FALSE
    assert guard("all i in 1..0: o[i]", header) == TRUE


def test_parameterised_declarations_expand() -> None:
    ts = parse_model_text(
        "const N = 3\nvar o[N]: bool\nclock x[N]\n"
        "assume[i in 0..N-1] o[i] or not o[i]\ninvariant[i in 1..N-1] o[i] -> x[i] <= 5\n"
        "define d[i in 1..2] = o[i - 1]\ntransition t[i in 1..2] when d[i] do o[i] := false; x[i] := 0\n",
        "m.pump",
    )
    assert len(ts.assumptions) == 3 and len(ts.invariants) == 2
    assert [t.name for t in ts.transitions] == ["t[1]", "t[2]"]
    assert ts.transitions[1].guard == ref("o[1]")
    assert ts.defines["d[2]"] == ref("o[1]")


@pytest.mark.parametrize(
    "invariant",
    ["x <= 5", "5 >= x", "not (x > 5)", "a -> x < 5", "not a or x <= n", "not (a and x > 5)", "x > 5 -> a",
     "if a then x <= 1 else x <= 2", "a and (n > 3 -> x <= n)"],
)  # fmt: skip
def test_clock_upper_bounds_are_accepted_in_invariants(invariant: str) -> None:
    ts = parse_model_text(f"{HEADER}invariant {invariant}", "m.pump")
    assert ts.invariants[0].type == BOOL


def test_clocks_in_guards_may_be_lower_bounds_and_equalities() -> None:
    assert guard("x >= 3 and x == n").type == BOOL


def test_inline_enum_types_are_named_after_their_variable() -> None:
    ts = parse_model_text("input key[2]: {Up, Down}\nvar last: {None_, Pressed} = None_", "m.pump")
    key = EnumType("key", ("Up", "Down"))
    assert ts.var("key[1]").type == key
    assert ts.enums == (key, EnumType("last", ("None_", "Pressed")))


def test_contextual_keywords_can_be_names() -> None:
    ts = parse_model_text("var release: bool\nvar source: bool\ntransition text when release do source := true",
                          "m.pump")  # fmt: skip
    assert ts.transitions[0].name == "text"


def test_comments_and_free_layout() -> None:
    ts = parse_model_text("# hash comment\nvar a: bool // trailing\ntransition t\n  when\n a do a :=\n false", "m.pump")
    assert ts.transitions[0].updates[0].value == FALSE
