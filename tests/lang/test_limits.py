"""The front end's limits: integer magnitudes, nesting depth, the elaboration budget, file size, line counting.

Each limit is tried from several sides: a model just inside it works, one beyond it fails with a
located InputError (never a RecursionError, MemoryError or a hang), and the CLI exits 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pumpproof import cli, exits
from pumpproof.errors import InputError, ModelError, PropertyError, UsageError
from pumpproof.lang.builder import ModelBuilder
from pumpproof.lang.characters import visible
from pumpproof.lang.ir import MAX_INT
from pumpproof.lang.load import MAX_FILE_BYTES, load_model, parse_model_text, parse_requirements_text
from pumpproof.lang.text import MAX_TEXT, expr_text
from pumpproof.lang.typecheck import MAX_DEPTH
from pumpproof.lang.walk import depth, nodes, rewrite
from pumpproof.verify.encoding import Encoding
from pumpproof.verify.evaluate import Frame, evaluate
from pumpproof.verify.problem import SafetyProblem, conj
from pumpproof.verify.steps import can_step
from tests.helpers import ROOT


def located(error: InputError, line: int, col: int, part: str) -> None:
    """`error` says `part` at `line:col`, and its echoed line is that line of the text."""
    assert part in error.message, error.message
    assert error.location is not None
    assert (error.location.line, error.location.col) == (line, col), error.render()


def pumpproof(*args: str, timeout_s: float = 300, max_nodes: int | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess, for inputs whose failure mode is a hang or running out of memory; `max_nodes`
    lowers the elaboration budget, so that the cases that only show where it runs out run quickly."""
    lower = "" if max_nodes is None else f"import pumpproof.lang.typecheck as t; t.MAX_NODES = {max_nodes}; "
    code = f"import sys; {lower}from pumpproof import cli; sys.exit(cli.main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout_s, env=env
    )


# ---------------------------------------------------------------- integer magnitudes


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("const N = " + "9" * 5000, 1, 11),  # beyond Python's 4,300-digit conversion limit
        ("const N = 9223372036854775808", 1, 11),  # 2**63
        ("var x: 0.." + "1" * 25 + " = 0", 1, 11),
        ("var x: bool\ninvariant x or 1 < -" + "7" * 40, 2, 21),
    ],
    ids=["5000-digits", "2**63", "range-bound", "negated"],
)
def test_integer_literals_beyond_the_bound_are_located(text: str, line: int, col: int) -> None:
    with pytest.raises(ModelError) as info:
        parse_model_text(text, "m.pump")
    located(info.value, line, col, "too large")


def test_the_largest_integers_and_leading_zeros_are_accepted() -> None:
    text = f"const A = {MAX_INT}\nconst B = -{MAX_INT}\nconst C = {'0' * 5000}7"
    assert parse_model_text(text, "m.pump").constants == {"A": MAX_INT, "B": -MAX_INT, "C": 7}
    overrides = {"A": str(-MAX_INT), "B": "-" + "0" * 5000 + "12", "C": "0"}
    assert parse_model_text(text, "m.pump", overrides).constants == {"A": -MAX_INT, "B": -12, "C": 0}


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("const A = 3037000500 * 3037000500", 1, 11),  # just above 2**63
        ("const A = 4611686018427387904\nconst B = A + A", 2, 11),
        ("const A = 2000000000\nconst B = A * A * A", 2, 11),
        ("const A = -9223372036854775807\nconst B = A - 1", 2, 11),
        ("const A = 65536\nvar x: 0..10 = 0\ninvariant x < A * A * A * A", 3, 15),
    ],
)
def test_constant_folding_beyond_the_bound_is_located(text: str, line: int, col: int) -> None:
    with pytest.raises(ModelError) as info:
        parse_model_text(text, "m.pump")
    located(info.value, line, col, "too large")


@pytest.mark.parametrize("value", ["9" * 5000, str(2**63), str(-(2**63)), "-" + "1" * 30])
def test_overrides_beyond_the_bound_are_usage_errors(value: str) -> None:
    with pytest.raises(UsageError, match="too large"):
        parse_model_text("const N = 1", "m.pump", {"N": value})


def test_an_override_in_range_can_still_overflow_where_it_is_used() -> None:
    text = "const N = 1\nconst M = N * 4"
    assert parse_model_text(text, "m.pump", {"N": str(2**60)}).constants["M"] == 2**62
    with pytest.raises(ModelError) as info:
        parse_model_text(text, "m.pump", {"N": str(2**62)})
    located(info.value, 2, 11, "too large")


def test_the_builder_checks_integer_magnitudes() -> None:
    m = ModelBuilder("big")
    m.const("N", 2**70)
    with pytest.raises(ModelError, match="too large"):
        m.build()


# ---------------------------------------------------------------- nesting depth


def _many(n: int) -> str:
    return f"var x[{n}]: bool = false\n"


@pytest.mark.parametrize(
    "body",
    [
        "all i in 0..599: x[i]",
        "any i in 0..9999: x[i % 1 + 0]",  # a constant index folded per value
        " and ".join(f"x[{i}]" for i in range(2000)),  # a chain as written: balanced on elaboration
        " or ".join(f"(x[{i}] and x[{i + 1}])" for i in range(1000)),
        "(" * 3000 + "x[0]" + ")" * 3000,
    ],
    ids=["all-600", "any-10000", "and-chain", "or-chain", "parentheses"],
)
def test_long_expansions_and_chains_are_balanced(body: str) -> None:
    system = parse_model_text(_many(10_000) + f"define d = {body}\ntransition t when d do x[0] := true", "m.pump")
    assert depth(system.defines["d"]) <= 2 * 14
    assert system.transitions[0].guard is system.defines["d"]


def test_deep_expressions_are_walked_without_recursion() -> None:
    """A conjunction over 3,000 transitions (once a left-nested chain 3,000 deep) through every IR pass."""
    family = "transition t[i in 0..2999] when not x[i % 10] do x[i % 10] := true\n"
    system = parse_model_text(_many(10) + family, "m.pump")
    enabled = can_step(system)
    assert depth(enabled) < 40
    chain = conj()
    for t in system.transitions:
        chain = conj(chain, t.guard)  # deliberately left-nested, 3,000 deep
    assert depth(chain) > 3000
    assert len(list(nodes(chain))) > 3000
    flipped = rewrite(chain, lambda n: None)
    assert flipped is chain
    values = {v.name: False for v in system.variables}
    assert evaluate(chain, Frame(values, None, 0)) is True
    Encoding(SafetyProblem("deep", system, chain))
    assert len(expr_text(chain)) == MAX_TEXT + 3


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("var x: bool\ninvariant " + "not " * 150 + "x", 2, 11 + 4 * MAX_DEPTH),
        ("var x: 0..3 = 0\ninvariant " + " + ".join(["x"] * 150) + " > 0", 2, 11),
        (
            "var x: 0..3 = 0\ninvariant x > min(" + "min(" * 150 + "x" + ", 1)" * 150 + ", 1)",
            2,
            15 + 4 * (MAX_DEPTH - 1),
        ),
        (
            "var x: bool\ntransition t do x := " + "if x then " * 120 + "x" + " else x" * 120,
            2,
            25 + 10 * (MAX_DEPTH - 1),
        ),
    ],
    ids=["not", "sum", "min", "if"],
)
def test_deep_nesting_is_located(text: str, line: int, col: int) -> None:
    with pytest.raises(ModelError) as info:
        parse_model_text(text, "m.pump")
    located(info.value, line, col, "nested too deeply")
    rendered = info.value.render().splitlines()
    assert rendered[1].strip() == text.split("\n")[line - 1].strip()


def _chained_defines(count: int) -> str:
    lines = ["var x: bool = false", "var y: bool = false", "define d0 = x or y"]
    lines += [f"define d{i + 1} = (d{i} and x) or (not d{i} and y)" for i in range(count)]
    return "\n".join(lines) + "\ntransition t do x := not x\n"


def test_defines_nesting_each_other_are_limited_where_they_grow_too_deep() -> None:
    parse_model_text(_chained_defines(30), "m.pump")  # 91 levels
    with pytest.raises(ModelError) as info:
        parse_model_text(_chained_defines(40), "m.pump")
    located(info.value, 36, 14, "once its defines are expanded")
    system = parse_model_text(_chained_defines(30), "m.pump")
    formula = "always (" + "not " * 10 + "d30)"
    parse_requirements_text('requirement R text "t" source "s" always (d30 or x)', "r.req", system)
    with pytest.raises(PropertyError, match="once its defines are expanded"):
        parse_requirements_text(f'requirement R text "t" source "s" {formula}', "r.req", system)


def test_deep_syntax_from_the_builder_is_located() -> None:
    m = ModelBuilder("deep")
    x = m.var("x", bool)
    guard = x
    for _ in range(5000):
        guard = ~guard
    m.transition("t", when=guard)
    with pytest.raises(ModelError, match="nested too deeply"):
        m.build()


# ---------------------------------------------------------------- shared defines


def test_shared_defines_stay_shared() -> None:
    """`d{i+1} = d{i} and not d{i}` 40 times: 80 distinct nodes, 2**40 as a tree."""
    lines = ["var x: bool = false", "var y: bool = false", "define d0 = x or y"]
    lines += [f"define d{i + 1} = d{i} and not d{i}" for i in range(40)]
    system = parse_model_text("\n".join(lines) + "\ntransition t when not d40 do x := not x\n", "m.pump")
    d40 = system.defines["d40"]
    assert len(list(nodes(d40))) < 200
    assert evaluate(d40, Frame({"x": True, "y": False}, None, 0)) is False
    assert len(expr_text(d40)) == MAX_TEXT + 3
    assert {d40: True}[d40]  # the hash walks each shared node once
    assert system.transitions[0].guard.arg is d40  # type: ignore[union-attr]


# ---------------------------------------------------------------- the elaboration budget


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("var x[10000]: bool\ndefine d = any i in 0..9999: any j in 0..9999: x[i] and x[j]", 2, 12),
        ("var x[10000]: bool\ntransition t[i in 0..9999] do x[j in 0..9999] := x[i]", 2, 12),
        ("var x[10000]: bool\ninvariant[i in 0..9999] all j in 0..9999: x[j] or x[i]", 2, 1),
        ("var x[10000]: bool\ndefine d[i in 0..9999] = all j in 0..9999: x[j] -> x[i]", 2, 8),
    ],
    ids=["any-in-any", "family-assigning-arrays", "invariant-family", "define-family"],
)
def test_expansions_that_multiply_are_limited_in_total(tmp_path: Path, text: str, line: int, col: int) -> None:
    model = tmp_path / "big.pump"
    model.write_text(text)
    out = pumpproof("lint", str(model), max_nodes=50_000)
    assert out.returncode == 2, out.stderr
    assert f"big.pump:{line}:{col}: error: the model is too large: it expands to more than 50,000" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_the_real_budget_stops_a_hundred_million_terms(tmp_path: Path) -> None:
    big = tmp_path / "big.pump"
    big.write_text("var x[10000]: bool\ndefine d = any i in 0..9999: any j in 0..9999: x[i] and x[j]\n")
    out = pumpproof("lint", str(big), timeout_s=600)
    assert out.returncode == 2, out.stderr
    assert "big.pump:2:12: error: the model is too large: it expands to more than 2,000,000" in out.stderr


# ---------------------------------------------------------------- file size


def test_a_file_beyond_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.pump"
    with big.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(UsageError, match="too large"):
        load_model(str(big))
    at_limit = tmp_path / "at_limit.pump"
    at_limit.write_bytes(b"var x: bool\n" + b" " * (MAX_FILE_BYTES - 12))
    assert load_model(str(at_limit)).variables[0].name == "x"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("where", ["model", "requirements"])
def test_an_endless_file_is_refused(tmp_path: Path, where: str) -> None:
    model = tmp_path / "m.pump"
    model.write_text("var x: bool = false\ntransition t do x := not x\n")
    args = ["check", "/dev/zero", os.devnull] if where == "model" else ["check", str(model), "/dev/zero"]
    out = pumpproof(*args, timeout_s=120)
    assert out.returncode == 2 and "too large" in out.stderr, out.stderr


# ---------------------------------------------------------------- huge input ranges


HUGE = "var x: bool = false\ninput p: 0..1000000000000\ntransition t when p > 5 do x := true\n"
HUGE_TIMED = (
    "var x: bool = false\nclock c\ninput p: 0..1000000000000\ninvariant c <= 5\n"
    "transition t when p > 5 and c >= 5 do x := true; c := 0\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["lint"],
        ["check", "REQ", "--report", "OUT"],
        ["check", "REQ", "--json", "OUT/r.json"],
    ],
)
@pytest.mark.parametrize("text", [HUGE, HUGE_TIMED], ids=["steps", "clocks"])
def test_huge_input_ranges_are_not_enumerated(tmp_path: Path, args: list[str], text: str) -> None:
    model, reqs = tmp_path / "huge.pump", tmp_path / "huge.req"
    model.write_text(text)
    reqs.write_text('requirement R text "t" source "s" always (not x)\n')
    command = [a.replace("REQ", str(reqs)).replace("OUT", str(tmp_path / "out")) for a in args]
    out = pumpproof(command[0], str(model), *command[1:], "--timeout", "20")
    assert out.returncode in (1, 3), out.stdout + out.stderr  # R is violated; lint cannot check deadlocks
    assert "Traceback" not in out.stderr
    if command[0] == "lint":
        assert "too many to enumerate" in out.stdout
    if "--report" in command:
        assert "too many to enumerate" in (tmp_path / "out" / "index.html").read_text()


# ---------------------------------------------------------------- command-line limits


@pytest.mark.parametrize(
    "option",
    [
        ["--timeout", "nan"],
        ["--timeout", "inf"],
        ["--timeout", "-1"],
        ["--timeout", "0"],
        ["--timeout", "1e300"],
        ["--timeout", "soon"],
        ["--max-depth", "-1"],
        ["--max-depth", "0"],
        ["--max-depth", "2.5"],
    ],
)
@pytest.mark.parametrize("command", ["check", "lint", "mutate"])
def test_solver_options_are_validated(capsys: pytest.CaptureFixture[str], command: str, option: list[str]) -> None:
    model = str(ROOT / "models" / "spectrum_corrected.pump")
    files = [model] if command == "lint" else [model, str(ROOT / "properties" / "upstream_occlusion.req")]
    assert cli.main([command, *files, *option]) == exits.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"argument {option[0]}: '{option[1]}'" in err and "Traceback" not in err


# ---------------------------------------------------------------- lines as the lexer counts them


@pytest.mark.parametrize("separator", ["\f", "\v", "\u2028", "\u2029", "\x85", "\x1c", "\r"], ids=repr)
def test_a_line_break_other_than_a_line_feed_is_refused_on_its_line(separator: str) -> None:
    text = f"var a: bool\n// a comment\ninvariant{separator}a and 3\n"
    with pytest.raises(ModelError) as info:
        parse_model_text(text, "m.pump")
    located(info.value, 3, 10, "cannot contain")
    assert info.value.render().splitlines()[1] == f"  invariant{visible(separator)}a and 3"


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=repr)
def test_every_line_ending_counts_as_one_line(newline: str) -> None:
    lines = ["// a comment", "var a: bool", "invariant a and 3"]
    with pytest.raises(ModelError) as info:
        parse_model_text(newline.join(lines) + newline, "m.pump")
    located(info.value, 3, 17, "must be bool")
    assert info.value.render().splitlines()[1] == "  invariant a and 3"


# ---------------------------------------------------------------- requirement files


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("", 1, 1),
        ("// requirements to come\n\n", 1, 1),
        ("\n\ndefine both = x and y\n", 3, 1),
    ],
)
def test_a_requirement_file_without_a_requirement_is_refused(text: str, line: int, col: int) -> None:
    system = parse_model_text("var x: bool\nvar y: bool", "m.pump")
    with pytest.raises(PropertyError) as info:
        parse_requirements_text(text, "r.req", system)
    located(info.value, line, col, "no requirement")


def test_an_empty_requirement_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.req"
    empty.write_text("")
    assert cli.main(["check", str(ROOT / "models" / "spectrum_corrected.pump"), str(empty)]) == exits.EXIT_USAGE
    assert "empty.req:1:1: error: the file states no requirement" in capsys.readouterr().err
