"""Reading MoXI: located errors for what is not MoXI or not in the subset, flattening with instance paths, and
the operators' meaning checked by evaluating what they translate to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pumpproof.errors import InputError, ModelError, UnsupportedError, UsageError
from pumpproof.lang.ir import BOOL, NUM, Requirement, TransitionSystem, VarKind
from pumpproof.lang.load import load_model, load_requirements, parse_moxi_text
from pumpproof.lang.moxi.sexpr import MAX_NESTING, parse
from pumpproof.lang.moxi.terms import Scope, formula
from pumpproof.lang.text import expr_text
from pumpproof.verify.evaluate import Frame, evaluate

HERE = Path(__file__).parent
BROKEN = sorted((HERE / "broken_moxi").glob("*.moxi"))
MODELS = HERE.parent / "models" / "moxi"


def test_there_are_enough_broken_files() -> None:
    assert len(BROKEN) >= 25


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_file_reports_expected_error(path: Path) -> None:
    m = re.fullmatch(r"; expect: (\d+):(\d+): (.+)", path.read_text().splitlines()[0])
    assert m, f"{path.name} lacks an expect line"
    line, col, message = int(m[1]), int(m[2]), m[3]
    with pytest.raises((ModelError, UnsupportedError)) as info:
        load_requirements(None, load_model(str(path)))
    err = info.value
    assert message in err.message
    assert err.location is not None
    assert (err.location.file, err.location.line, err.location.col) == (str(path), line, col)
    rendered = err.render().split("\n")
    assert rendered[0] == f"{path}:{line}:{col}: error: {err.message}"
    assert rendered[2].index("^") == col + 1  # two spaces of indent, then the caret under the column


def test_outside_the_subset_is_unsupported_and_not_moxi_is_a_model_error() -> None:
    kinds = {}
    for path in BROKEN:
        try:
            load_requirements(None, load_model(str(path)))
        except InputError as err:
            kinds[path.stem] = type(err)
    assert kinds["nonlinear"] is kinds["declare_fun"] is kinds["other_logic"] is UnsupportedError
    assert kinds["fairness_query"] is UnsupportedError
    assert kinds["unclosed"] is kinds["unknown_name"] is kinds["subsys_sort"] is ModelError
    assert kinds["real_sort"] is kinds["decimal"] is kinds["let"] is ModelError  # ill-sorted or ill-formed MoXI


def test_nesting_beyond_the_limit_is_a_located_error_not_a_crash() -> None:
    deep = "(set-logic QF_LIA)\n(define-system S :local ((b Bool)) :inv " + "(not " * (MAX_NESTING + 5) + "b"
    text = deep + ")" * (MAX_NESTING + 5) + ")\n(check-system S :reachable (r b) :query (q (r)))\n"
    with pytest.raises(ModelError, match=f"nested more than {MAX_NESTING} deep") as info:
        parse_moxi_text(text, "deep.moxi")
    assert info.value.location is not None and info.value.location.line == 2


def read(path: Path) -> tuple[TransitionSystem, tuple[Requirement, ...]]:
    system = load_model(str(path))
    return system, load_requirements(None, system).requirements


def test_nested_instances_are_flattened_with_their_paths() -> None:
    system, _ = read(MODELS / "delay.moxi")
    state = [v.name for v in system.state_vars]
    assert state[:4] == ["in", "out", "between", "steps"]  # the check-system's variables first
    assert set(state[4:]) == {"first.mid", "second.mid", "first.l.held", "second.l.held"}
    assert {v.name for v in system.inputs} == {f"{n}'" for n in state}  # one next value per variable
    assert all(v.kind is VarKind.STATE and v.init is None for v in system.state_vars)
    (step,) = system.transitions
    guard = expr_text(step.guard, 1000)
    # Inside instance `second`, the latch's input d is `between` and its local `held` is `second.l.held`.
    assert "second.l.held' == between" in guard and "first.l.held' == in" in guard
    assert {expr_text(i) for i in system.invariants} == {"between == first.mid", "out == second.mid"}
    assert [u.target for u in step.updates] == state and all(expr_text(u.value) == f"{u.target}'" for u in step.updates)
    assert "steps == 0" in {expr_text(i) for i in system.initial}


def test_locations_point_into_the_subsystem_that_was_flattened() -> None:
    text = (MODELS / "delay.moxi").read_text().replace("(= q' held')", "(= q' missing)")
    with pytest.raises(
        ModelError, match=r"unknown name 'missing' in the :trans of system Latch \(instance first.l\)"
    ) as info:
        parse_moxi_text(text, "delay.moxi")
    assert info.value.location is not None and (info.value.location.line, info.value.location.col) == (10, 33)


def test_a_local_named_like_an_instance_path_gets_a_fresh_flat_name() -> None:
    text = """(set-logic QF_LIA)
(define-system Inner :output ((y Bool)) :local ((x Bool)) :inv (= y x))
(define-system Outer :local ((a.x Bool) (b Bool)) :subsys (a (Inner b)) :inv a.x)
(check-system Outer :reachable (r (not b)) :query (q (r)))
"""
    system = parse_moxi_text(text, "clash.moxi").system
    assert [v.name for v in system.state_vars] == ["a.x", "b", "a.x~2"]
    assert {expr_text(i) for i in system.invariants} == {"a.x", "b == a.x~2"}


def test_check_system_may_rename_the_variables() -> None:
    text = """(set-logic QF_LIA)
(define-system S :input ((i Int)) :output ((o Int)) :inv (= o (+ i 1)))
(check-system S :input ((x Int)) :output ((y Int)) :reachable (r (= y 0)) :query (q (r)))
"""
    model = parse_moxi_text(text, "rename.moxi")
    assert [v.name for v in model.system.state_vars] == ["x", "y"]
    assert [expr_text(i) for i in model.system.invariants] == ["y == (x + 1)"]
    (req,) = model.requirements.requirements
    assert expr_text(req.formula) == "always (not (y == 0))"
    bad = text.replace(":output ((y Int))", ":output ((y Bool))")
    with pytest.raises(ModelError, match="y renames o of S, which is Int"):
        parse_moxi_text(bad, "rename.moxi")


def test_each_query_is_a_requirement_located_at_the_query() -> None:
    _, reqs = read(MODELS / "delay.moxi")
    assert [r.id for r in reqs] == ["out_early", "out_late"]
    early = reqs[0]
    assert early.source == str(MODELS / "delay.moxi")
    assert early.loc is not None and (early.loc.line, early.loc.col) == (34, 11)
    assert early.formula_text == "never (and out (< steps 2))"
    assert expr_text(early.formula) == "always (not (out and (steps < 2)))"
    assert "early" in early.text and "out_early" in early.text


SCOPE = Scope({"a": ("a", BOOL), "b": ("b", BOOL), "c": ("c", BOOL), "x": ("x", NUM), "y": ("y", NUM)}, "a test")


def meaning(term: str, **values: bool | int) -> bool | int:
    (e,), _ = parse(term, "term.moxi")
    return evaluate(formula(e, SCOPE), Frame(values, None, 0))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("term", "oracle"),
    [
        ("(=> a b c)", lambda a, b, c, x, y: (not a) or ((not b) or c)),  # right-associative
        ("(xor a b c)", lambda a, b, c, x, y: (a != b) != c),  # left-associative
        ("(= a b c)", lambda a, b, c, x, y: a == b == c),  # chainable
        ("(distinct x y 3)", lambda a, b, c, x, y: len({x, y, 3}) == 3),  # pairwise
        ("(< x y 4)", lambda a, b, c, x, y: x < y < 4),
        ("(>= x y 0)", lambda a, b, c, x, y: x >= y >= 0),
        ("(= (- x y 1) (* 2 (- y)))", lambda a, b, c, x, y: x - y - 1 == 2 * -y),
        ("(= (ite a x y) (+ x 0))", lambda a, b, c, x, y: (x if a else y) == x),
        ("(and a (or b (not c)))", lambda a, b, c, x, y: a and (b or not c)),
        ("(let ((s (+ x y)) (a (> x 0))) (and a (> s 1)))", lambda a, b, c, x, y: x > 0 and x + y > 1),  # shadows a
        ("(let ((x y) (y x)) (< x y))", lambda a, b, c, x, y: y < x),  # parallel: both read the outer names
        ("(let ((a b)) (let ((b a)) (= a b c)))", lambda a, b, c, x, y: b == c),  # nested: the inner reads the outer
        ("(> (/ (to_real x) 2.0) 0.5)", lambda a, b, c, x, y: x > 1),
        ("(= (* 1.5 (to_real y)) (- (to_real x) 0.5))", lambda a, b, c, x, y: 3 * y == 2 * x - 1),
        ("(< (to_real x) (/ 5.0 2.0) 2.75)", lambda a, b, c, x, y: x < 2.5),
    ],
)
def test_operators_mean_what_smt_lib_says(term: str, oracle: object) -> None:
    for a in (False, True):
        for b in (False, True):
            for c in (False, True):
                for x in (-1, 0, 2):
                    for y in (-1, 0, 2):
                        expected = oracle(a, b, c, x, y)  # type: ignore[operator]
                        assert meaning(term, a=a, b=b, c=c, x=x, y=y) == expected, (term, a, b, c, x, y)


def test_a_pump_model_needs_requirements_and_a_moxi_model_brings_them() -> None:
    pump = load_model(str(HERE / "examples" / "spectrum.pump"))
    with pytest.raises(UsageError, match="needs a requirements file"):
        load_requirements(None, pump)
    moxi = load_model(str(MODELS / "delay.moxi"))
    assert load_requirements(str(MODELS / "delay.moxi"), moxi) == load_requirements(None, moxi)
    with pytest.raises(UsageError, match="-D K: a MoXI model has no constants"):
        load_model(str(MODELS / "delay.moxi"), {"K": "1"})
