"""Components, instances, channels and sequential updates: what they parse to and elaborate to (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pumpproof import check, load_model
from pumpproof.errors import ModelError, PropertyError
from pumpproof.lang import syntax as s
from pumpproof.lang.compose import MAX_COMBINATIONS
from pumpproof.lang.ir import FairnessKind, Origin, TransitionSystem
from pumpproof.lang.load import load_requirements, parse_model_text, parse_requirements_text
from pumpproof.lang.parser import parse_model
from pumpproof.lang.text import expr_text
from pumpproof.verify.analyses.lint import lint
from pumpproof.verify.portfolio import Options
from pumpproof.verify.results import Verdict

HERE = Path(__file__).parent / "components"
SYSTEM = HERE / "alarm_system.pump"


def _updates(system: TransitionSystem, name: str) -> dict[str, str]:
    (t,) = [t for t in system.transitions if t.name == name]
    return {u.target: expr_text(u.value) for u in t.updates}


def test_components_instances_and_channels_parse_to_their_declarations() -> None:
    text = SYSTEM.read_text()
    decls = parse_model(text, "m.pump").decls
    kinds = [type(d).__name__ for d in decls]
    assert kinds.count("ComponentDecl") == 2 and kinds.count("InstanceDecl") == 2
    raise_chan, silence = (d for d in decls if isinstance(d, s.ChannelDecl))
    assert (raise_chan.broadcast, silence.broadcast) == (False, True)
    detector = next(d for d in decls if isinstance(d, s.ComponentDecl))
    assert [p.name for p in detector.params] == ["c"]
    occlude = next(d for d in detector.decls if isinstance(d, s.TransitionDecl))
    assert occlude.environment and occlude.sync is not None and occlude.sync.send and occlude.sync.value is not None
    family = next(d for d in decls if isinstance(d, s.InstanceDecl))
    assert family.param is not None and family.param.name == "c"


def test_a_part_s_names_are_qualified_by_its_instance_path() -> None:
    system = load_model(str(SYSTEM))
    names = [v.name for v in system.variables]
    assert names == [
        "sounding", "detector[0].armed", "detector[0].raised", "detector[1].armed", "detector[1].raised",
        "manager.level", "manager.count",
    ]  # fmt: skip
    assert system.var("manager.level").type.name == "Manager.level"  # type: ignore[union-attr]


def test_a_handshake_is_one_transition_per_sender_and_receiver_with_the_value_sent() -> None:
    system = load_model(str(SYSTEM))
    hear = _updates(system, "detector[1].occlude+manager.hear")
    assert hear["detector[1].raised"] == "true"
    # `seq`: the level reads the count just written; the value sent from channel 1 is Low
    assert hear["manager.level"] == "if (Low == High) or (min(manager.count + 1, 3) == 3) then Ringing else Beeping"
    (t,) = [t for t in system.transitions if t.name == "detector[1].occlude+manager.hear"]
    assert t.environment  # the sender's
    assert t.origins == (
        Origin("detector[1]", "occlude", "raise", "!"),
        Origin("manager", "hear", "raise", "?"),
    )


def test_a_broadcast_is_one_transition_per_set_of_enabled_receivers() -> None:
    system = load_model(str(SYSTEM))
    mutes = {t.name: expr_text(t.guard) for t in system.transitions if t.name.startswith("manager.mute")}
    alone, first, second = "manager.mute", "+detector[0].quiet", "+detector[1].quiet"
    assert set(mutes) == {alone, alone + first, alone + second, alone + first + second}
    assert mutes[alone] == "((manager.level != Quiet) and (not detector[0].raised)) and (not detector[1].raised)"
    assert mutes[alone + second] == "((manager.level != Quiet) and detector[1].raised) and (not detector[0].raised)"
    assert mutes[alone + first + second] == "((manager.level != Quiet) and detector[0].raised) and detector[1].raised"


def test_a_broadcast_with_too_many_combinations_is_refused() -> None:
    parts = 11  # 2**11 subsets of listeners
    assert 2**parts > MAX_COMBINATIONS
    text = f"""broadcast chan tick
component L var n: bool = false transition t sync tick? when not n do n := true end
instance listener[{parts}]: L
transition send sync tick!
"""
    with pytest.raises(ModelError, match="2,048 combinations of receivers"):
        parse_model_text(text, "m.pump")


def test_a_receiver_without_a_guard_always_takes_part_in_a_broadcast() -> None:
    """Regression: leaving out a receiver that is always enabled made a flat transition with a false guard, which
    lint reported as a dead transition of the sender although the sender fires (with the receiver)."""
    text = """broadcast chan ping
var n: 0..1 = 0
component S transition send sync ping! when n == 0 do n := 1 end
component L var heard: bool = false transition hear sync ping? do heard := true end
component G var ready: bool transition look sync ping? when ready do ready := false end
instance s: S
instance l: L
instance g: G
terminal n == 1
"""
    system = parse_model_text(text, "m.pump")
    assert {t.name for t in system.transitions} == {"s.send+l.hear", "s.send+l.hear+g.look"}
    report = lint(system, Options(timeout_s=30))
    assert not report.dead_transitions


def test_a_later_part_reads_what_the_sender_wrote() -> None:
    text = """chan go
var x: 0..9 = 0
var y: 0..9 = 0
component S transition send sync go! do x := 5 end
component R transition take sync go? do y := x end
instance s: S
instance r: R
"""
    assert _updates(parse_model_text(text, "m.pump"), "s.send+r.take") == {"x": "5", "y": "5"}


def test_seq_assignments_read_the_ones_before_and_do_stays_simultaneous() -> None:
    text = """var x: 0..9 = 1
var y: 0..9 = 2
var a[2]: 0..9 = 0
transition swap do x := y; y := x
transition in_order seq x := y; y := x; x := x + 1
transition shift seq a[0] := x; a[i in 0..1] := a[1 - i]
"""
    system = parse_model_text(text, "m.pump")
    assert _updates(system, "swap") == {"x": "y", "y": "x"}
    assert _updates(system, "in_order") == {"x": "y + 1", "y": "y"}
    # the elements of one parameterised assignment happen at once, after the assignments before it
    assert _updates(system, "shift") == {"a[0]": "a[1]", "a[1]": "x"}


def test_seq_is_still_a_name_after_do() -> None:
    system = parse_model_text("var seq: bool = false\ntransition t do seq := true", "m.pump")
    assert _updates(system, "t") == {"seq": "true"}


def test_parameters_enumerations_and_nested_instances() -> None:
    text = """type Kind = {Up, Down}
component Valve(k: Kind)
  var phase: {Shut, Open} = Shut
  transition open when k == Up and phase == Shut do phase := Open
end
component Pump(n: 0..3)
  const LIMIT = n * 2
  var count: 0..6 = LIMIT
  instance valve: Valve(if n > 1 then Up else Down)
end
instance pump[2]: Pump(3)
define opened = pump[0].valve.phase == Open
"""
    system = parse_model_text(text, "m.pump")
    assert system.var("pump[1].count").init is not None and system.var("pump[1].count").init.value == 6  # type: ignore[union-attr]
    assert [t.name for t in system.transitions] == ["pump[0].valve.open", "pump[1].valve.open"]
    assert [e.name for e in system.enums] == ["Kind", "Valve.phase"]  # one type for every instance
    assert expr_text(system.defines["opened"]) == "pump[0].valve.phase == Open"


def test_requirements_name_parts_and_their_transitions() -> None:
    system = load_model(str(SYSTEM))
    reqs = parse_requirements_text(
        """requirement R1 text "t" source "s" always (fired(manager.hear) -> detector[0].armed or detector[1].armed)
requirement R2 text "t" source "s" always (fired(quiet) -> true)
requirement R3 text "t" source "s" always (fired(detector.occlude) -> fired(detector[0].occlude) or true)
""",
        "r.req",
        system,
    ).requirements
    fired = [r.formula.args[0].left.transitions for r in reqs]  # type: ignore[attr-defined]
    assert fired[0] == ("detector[0].occlude+manager.hear", "detector[1].occlude+manager.hear")
    quiet = ("manager.mute+detector[0].quiet", "manager.mute+detector[1].quiet")
    assert set(fired[1]) == {*quiet, quiet[0] + "+detector[1].quiet"}
    assert fired[2] == fired[0]


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("always detector[2].armed", "unknown instance 'detector[2]'"),
        ("always manager.lvl == Quiet", "instance 'manager' has no variable or define 'lvl'; did you mean 'level'?"),
        ("always fired(manager.heer)", "unknown transition 'manager.heer'; did you mean 'manager.hear'?"),
        ("always fired(manager.hear[0])", "transition 'manager.hear' is not a family"),
        ("always fired(detector[0].occlude[1])", "transition 'detector[0].occlude' is not a family"),
    ],
)
def test_requirements_with_wrong_part_names_are_located_errors(formula: str, message: str) -> None:
    system = load_model(str(SYSTEM))
    with pytest.raises(PropertyError) as info:
        parse_requirements_text(f'requirement R text "t" source "s" {formula}', "r.req", system)
    assert message in info.value.message and info.value.location is not None


def test_fairness_in_a_component_covers_every_synchronisation_of_its_transition() -> None:
    text = """chan go
var x: bool = false
component S transition send sync go! fairness weak send end
component R transition a sync go? do x := true transition b sync go? do x := false end
instance s: S
instance r: R
"""
    (fair,) = parse_model_text(text, "m.pump").fairness
    assert fair.kind is FairnessKind.WEAK and fair.transitions == ("s.send+r.a", "s.send+r.b")


def test_a_composed_model_and_its_hand_flattened_twin_give_the_same_verdicts() -> None:
    outcomes = {}
    for name in ("alarm_system", "alarm_system_flat"):
        system = load_model(str(HERE / f"{name}.pump"))
        reqs = load_requirements(str(HERE / f"{name}.req"), system)
        found = check(system, reqs, timeout_s=30, deterministic=True)
        outcomes[name] = {o.requirement.id: (o.result.verdict, _length(o.result)) for o in found}
    assert outcomes["alarm_system"] == outcomes["alarm_system_flat"]
    assert outcomes["alarm_system"]["AS-4"][0] is Verdict.VIOLATED


def _length(result: object) -> int | None:
    trace = getattr(result, "trace", None)
    return None if trace is None else len(trace.steps)


def test_channel_arrays_inputs_in_parts_and_fairness_by_path() -> None:
    text = """chan ack[2]
var done[2]: bool = false
component Worker(i: 0..1)
  input press: bool
  transition finish sync ack[i]! when press
end
instance worker[i in 0..1]: Worker(i)
transition confirm[i in 0..1] sync ack[i]? do done[i] := true
fairness weak worker[1].finish
"""
    system = parse_model_text(text, "m.pump")
    assert [t.name for t in system.transitions] == ["worker[0].finish+confirm[0]", "worker[1].finish+confirm[1]"]
    assert [v.name for v in system.inputs] == ["worker[0].press", "worker[1].press"]
    (fair,) = system.fairness
    assert fair.transitions == ("worker[1].finish+confirm[1]",) and fair.text == "fairness weak worker[1].finish"
