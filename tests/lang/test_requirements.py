"""Requirement files: names, fired(), temporal operators and their precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from pumpproof.errors import PropertyError
from pumpproof.lang.ir import BOOL, CLOCK, FALSE, NUM, Binary, Const, Fired, Op, Temporal, TemporalOp, Unary, VarRef
from pumpproof.lang.load import load_model, load_requirements, parse_requirements_text
from pumpproof.lang.walk import is_past

HERE = Path(__file__).parent
SYSTEM = load_model(str(HERE / "examples" / "spectrum.pump"))


def formula(text: str) -> object:
    return parse_requirements_text(f'requirement R text "t" source "s" {text}', "r.req", SYSTEM).requirements[0].formula


def ref(name: str) -> VarRef:
    return VarRef(name, BOOL)


def t(op: Temporal, *args: object, bound: int | None = None) -> TemporalOp:
    return TemporalOp(op, args, bound)  # type: ignore[arg-type]


def test_example_requirements_load() -> None:
    reqs = load_requirements(str(HERE / "examples" / "spectrum.req"), SYSTEM)
    assert [r.id for r in reqs.requirements] == ["UO-1", "UO.2", "UO_3", "UO-4", "UO-5"]
    first = reqs.requirements[0]  # `alarm` is a local define, inlined like model defines
    assert first.source == "OPENPCAB-27/29; IEC 60601-2-24"
    assert first.formula_text == "always (occluded[0] and delivering -> alarm within T_DETECT_MS)"
    implication = Binary(
        Op.IMPLIES,
        Binary(Op.AND, ref("occluded[0]"), SYSTEM.defines["delivering"], BOOL),
        t(Temporal.EVENTUALLY, formula("mode == Alarm"), bound=3000),
        BOOL,
    )
    assert first.formula == t(Temporal.ALWAYS, implication)


def test_requirements_keep_their_formula_as_parsed() -> None:
    reqs = load_requirements(str(HERE / "examples" / "spectrum.req"), SYSTEM).requirements
    first = reqs[0]
    assert first.formula_parsed == "always ((occluded[0] and delivering) -> (alarm within T_DETECT_MS))"
    assert first.parsed_differs
    text = 'requirement R text "t" source "s" always (primed -> delivering)'
    (plain,) = parse_requirements_text(text, "r.req", SYSTEM).requirements
    assert plain.formula_parsed == "always (primed -> delivering)" and not plain.parsed_differs


def test_never_rise_fall_and_unless_reduce_to_core_operators() -> None:
    p, q = ref("primed"), ref("occluded[0]")
    assert formula("never primed") == t(Temporal.ALWAYS, Unary(Op.NOT, p, BOOL))
    assert formula("rise(primed)") == Binary(Op.AND, p, Unary(Op.NOT, t(Temporal.PREVIOUSLY, p), BOOL), BOOL)
    assert formula("fall(primed)") == Binary(Op.AND, Unary(Op.NOT, p, BOOL), t(Temporal.PREVIOUSLY, p), BOOL)
    assert formula("primed unless occluded[0]") == t(Temporal.WEAK_UNTIL, p, q)
    assert formula("primed weak-until occluded[0]") == t(Temporal.WEAK_UNTIL, p, q)


def test_held_carries_its_duration_as_a_past_time_bound() -> None:
    p, q = ref("primed"), ref("occluded[0]")
    both = Binary(Op.AND, p, q, BOOL)
    assert formula("held(primed and occluded[0], T_HALF_MS + 1)") == t(Temporal.HELD, both, bound=1501)
    assert formula("held(primed, 0) and occluded[0]") == Binary(Op.AND, t(Temporal.HELD, p, bound=0), q, BOOL)
    assert formula("previously held(primed, 2) -> occluded[0] within 3") == Binary(
        Op.IMPLIES, t(Temporal.PREVIOUSLY, t(Temporal.HELD, p, bound=2)), t(Temporal.EVENTUALLY, q, bound=3), BOOL
    )
    assert is_past(formula("held(primed since occluded[0], 1)"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("held(primed, t_occ)", "r.req:1:56: error: the duration of 'held' must be a constant expression"),
        ("held(primed, 0 - 1)", "r.req:1:56: error: the duration of 'held' must not be negative, found -1"),
        ("held(count + 1, 1)", "r.req:1:48: error: the formula of 'held' must be bool, found an integer"),
        ("held(primed)", "r.req:1:54: error: expected an operator or ',' after 'primed', found ')'"),
        ("held(primed, 1, 2)", "r.req:1:57: error: expected an operator or ')' after '1', found ','"),
    ],
)
def test_held_needs_a_formula_and_a_constant_duration(text: str, message: str) -> None:
    """The errors name the operand and point at it (the broken files check the same for whole files)."""
    with pytest.raises(PropertyError) as info:
        formula(f"always ({text})")
    assert info.value.render().startswith(message), info.value.render()


def test_pattern_shorthands_are_their_ltl_formulas() -> None:
    p, q = ref("primed"), ref("occluded[0]")
    assert formula("response(primed, occluded[0])") == formula("always (primed -> eventually occluded[0])")
    assert formula("response(primed, occluded[0])") == t(
        Temporal.ALWAYS, Binary(Op.IMPLIES, p, t(Temporal.EVENTUALLY, q), BOOL)
    )
    assert formula("recurrence(primed)") == t(Temporal.ALWAYS, t(Temporal.EVENTUALLY, p))
    assert formula("persistence(primed)") == t(Temporal.EVENTUALLY, t(Temporal.ALWAYS, p))


def test_fired_resolves_members_and_families() -> None:
    def fired(*names: str) -> Fired:  # in a flat model each transition is its own part transition
        return Fired(names, members=names)

    assert formula("fired(start)") == fired("start")
    assert formula("fired(occlusion_begins)") == fired("occlusion_begins[0]", "occlusion_begins[1]")
    assert formula("fired(occlusion_begins[CHANNELS - 1])") == fired("occlusion_begins[1]")
    assert formula("any c in 0..0: fired(occlusion_begins[c])") == fired("occlusion_begins[0]")


def test_temporal_precedence() -> None:
    """Unary operators bind tightest, then the binary temporal ones, then `and`, `or`, `->` (docs/language.md)."""
    p, q, r = ref("primed"), ref("occluded[0]"), ref("occluded[1]")
    assert formula("eventually primed -> false") == Binary(Op.IMPLIES, t(Temporal.EVENTUALLY, p), FALSE, BOOL)
    assert formula("always (next primed -> primed)") == t(
        Temporal.ALWAYS, Binary(Op.IMPLIES, t(Temporal.NEXT, p), p, BOOL)
    )
    assert formula("always primed -> next occluded[0]") == Binary(
        Op.IMPLIES, t(Temporal.ALWAYS, p), t(Temporal.NEXT, q), BOOL
    )
    assert formula("previously primed and occluded[0]") == Binary(Op.AND, t(Temporal.PREVIOUSLY, p), q, BOOL)
    assert formula("primed until occluded[0] or occluded[1]") == Binary(Op.OR, t(Temporal.UNTIL, p, q), r, BOOL)
    assert formula("primed and occluded[0] since occluded[1]") == Binary(Op.AND, p, t(Temporal.SINCE, q, r), BOOL)
    assert formula("primed -> occluded[0] since occluded[1]") == Binary(Op.IMPLIES, p, t(Temporal.SINCE, q, r), BOOL)
    assert formula("primed -> occluded[0] within 2 + 3") == Binary(
        Op.IMPLIES, p, t(Temporal.EVENTUALLY, q, bound=5), BOOL
    )


def test_liveness_is_left_to_the_verifier() -> None:
    assert formula("eventually (primed release occluded[0])") == t(
        Temporal.EVENTUALLY, t(Temporal.RELEASE, ref("primed"), ref("occluded[0]"))
    )


def test_requirements_may_read_inputs_and_clocks() -> None:
    f = formula("always (button == RunStop -> t_occ <= T_HALF_MS)")
    assert isinstance(f, TemporalOp) and isinstance(f.args[0], Binary)
    assert f.args[0].right == Binary(Op.LE, VarRef("t_occ", CLOCK), Const(1500, NUM), BOOL)


@pytest.mark.parametrize("text", ['"t"', '"t" source ""'])
def test_empty_text_or_source_is_rejected(text: str) -> None:
    with pytest.raises(PropertyError, match="has no"):
        parse_requirements_text(f"requirement R text {text} true", "r.req", SYSTEM)
