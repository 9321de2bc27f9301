"""The Python builder produces the same TransitionSystem as the text, and the same checks with Python locations."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from pumpproof.errors import ModelError
from pumpproof.lang.builder import Array, ModelBuilder, Term
from pumpproof.lang.ir import TransitionSystem
from pumpproof.lang.load import load_model, parse_model_text

EXAMPLE = str(Path(__file__).parent / "examples" / "spectrum.pump")


def build_spectrum() -> TransitionSystem:
    """examples/spectrum.pump, written with the builder."""
    m = ModelBuilder("spectrum_corrected")
    T = m.const("T_DETECT_MS", 3000)
    N = m.const("CHANNELS", 2)
    m.const("T_HALF_MS", T // 2)
    Mode = m.enum("Mode", ["Idle", "Delivering", "Alarm"])
    mode = m.var("mode", Mode, init="Idle")
    m.var("count", (0, T), init=0)
    primed = m.var("primed", bool)
    occluded = m.var("occluded", bool, init=False, size=N)
    t_occ = m.clock("t_occ")
    m.clock("t_ch", size=N)
    button = m.input("button", ["NoPress", "RunStop", "Clear"])
    m.input("pressure_psi", (0, 30))
    assert isinstance(occluded, Array) and isinstance(mode, Term) and isinstance(button, Term)
    delivering = m.define("delivering", mode == "Delivering")
    c = m.param("c", 0, N - 1)
    m.define("any_occluded", m.any(c, occluded[c]))
    m.define("ch_blocked", occluded[c] & ~primed, over=c)
    m.assume((button != "Clear") | (mode == "Alarm"))
    m.invariant((delivering & occluded[0]).implies(t_occ <= T))
    m.terminal((mode == "Idle") & occluded[c], over=c)
    m.transition("start", label="RUN/STOP pressed to start infusing",
                 when=(mode == "Idle") & (button == "RunStop"), do={mode: "Delivering", t_occ: 0})  # fmt: skip
    m.transition("occlusion_begins", over=c, label="an upstream occlusion begins on channel c",
                 when=~occluded[c], do={occluded[c]: True}, environment=True)  # fmt: skip
    return m.build()


def test_builder_equals_parsed_model() -> None:
    assert build_spectrum() == load_model(EXAMPLE)


def test_builder_operators_match_the_text() -> None:
    m = ModelBuilder("ops")
    a, b = m.var("a", bool), m.var("b", bool)
    n = m.var("n", (0, 9))
    x = m.clock("x")
    assert isinstance(n, Term) and isinstance(a, Term) and isinstance(x, Term)
    m.transition("t", when=(a | b).iff(~a) & ((m.ite(a, n * 2 + 1, -n) - 1) > (m.min(n, 3) - m.max(1, n) * 4)))
    m.invariant(1 - n < 5 + n)
    m.transition("u", when=m.all(m.param("i", 0, 1), x >= n))
    text = (
        "var a: bool\nvar b: bool\nvar n: 0..9\nclock x\n"
        "transition t when ((a or b) <-> not a) and (if a then n * 2 + 1 else -n) - 1 > min(n, 3) - max(1, n) * 4\n"
        "invariant 1 - n < 5 + n\ntransition u when all i in 0..1: x >= n"
    )
    assert m.build() == parse_model_text(text, "ops.pump")


def test_builder_division_only_on_constants() -> None:
    m = ModelBuilder("div")
    n = m.var("n", (0, 9), init=m.const("K", 7) // 2 % 3)
    assert isinstance(n, Term)
    assert m.build().var("n").init.value == 0  # type: ignore[union-attr]
    m.transition("halve", do={n: n // 2})
    with pytest.raises(ModelError, match="'/' is only allowed in constant expressions"):
        m.build()


def test_builder_errors_point_at_the_python_line() -> None:
    m = ModelBuilder("bad")
    line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    m.var("level", float)
    with pytest.raises(ModelError, match="unknown type 'float'") as info:
        m.build()
    loc = info.value.location
    assert loc is not None and (loc.file, loc.line) == (__file__, line)
    assert loc.line_text.strip() == 'm.var("level", float)'
    assert "^" in info.value.render()


def test_builder_rejects_bad_names_and_python_truth() -> None:
    m = ModelBuilder("bad")
    with pytest.raises(ModelError, match="'next' is not a valid name"):
        m.var("next", bool)
    a = m.var("a", bool)
    with pytest.raises(TypeError, match="use & | ~"):
        bool(a == True)  # noqa: E712
    with pytest.raises(TypeError, match="keys of do="):
        m.transition("t", do={a & a: True})  # type: ignore[dict-item]
    with pytest.raises(ModelError, match=r"label cannot contain U\+202E"):
        m.transition("t", label="alarm \u202eDEVORP")


def test_builder_overrides() -> None:
    m = ModelBuilder("o")
    m.var("level", (0, m.const("MAX", 5)))
    assert m.build({"MAX": "7"}).var("level").type.hi == 7  # type: ignore[union-attr]
