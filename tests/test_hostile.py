"""Hostile input, end to end: whatever the files and options hold, `pumpproof check` answers in bounded time
and memory with a verdict or exit 2 and a message, touches no file but its named outputs, and leaves no
process behind.

Each case runs the real command in a child process (a fresh interpreter, as a user runs it), tagged with an
environment variable so that any process it leaves behind is found in /proc. `tox -e soak` runs many more.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import MODELS, PROPERTIES, RUN_TAG, tagged_processes

SOAK = os.environ.get("PUMPPROOF_SOAK") == "1"
EXAMPLES = 400 if SOAK else 8
WALL_S = 120
MEMORY_BYTES = 4 << 30
"""Address space per process: the front end must refuse what would need more."""

MODEL = """\
const T = 5
type Mode = {Idle, Run, Alarm}
var mode: Mode = Idle
var occ: bool = false
var n[3]: 0..7 = 0
clock t
input key: bool
invariant mode != Run or not occ or t <= T
transition start "start infusing" when mode == Idle and key do mode := Run; t := 0
environment transition block "the line is blocked" when not occ do occ := true; t := 0
transition alarm "alarm" when mode == Run and occ and t >= T do mode := Alarm
transition count[c in 0..2] when n[c] < 7 do n[c] := n[c] + 1
"""
REQUIREMENTS = """\
requirement R1
  text   "an occlusion alarms in time"
  source "fuzz"
  always (mode == Run and occ -> mode == Alarm within T + 1)
define busy = mode == Run
requirement R2
  text   "the pump does not run forever blocked"
  source "fuzz"
  always (busy and occ -> eventually mode == Alarm)
"""
SHIPPED = ((MODELS / "spectrum_corrected.pump").read_text(), (PROPERTIES / "upstream_occlusion.req").read_text())
TOKENS = [
    "(", ")", ":=", "->", "within", "always", "eventually", "next", "not", "and", "any i in 0..9999:",
    "all i in 0..599: ", "0..1000000000000", "9" * 5000, "-" + "9" * 60, "T * T * T * T", "[0]", "[99]",
    "clock", "invariant", "assume", "transition", "terminal", "fairness weak", '"', "\\", "\x1b[2J",
    "\u202e", "[bold red]", "[/x]", "[link=http://x]", "\x00", "\ufffe", "\x0c", "\u2028", "\r", "\t",
]  # fmt: skip
CONTROL = [chr(c) for c in (*range(0x00, 0x20), 0x7F, 0x85, 0x9B, 0x202A, 0x202E, 0x2066, 0xFFFE)]


@dataclass(frozen=True)
class Case:
    """The files and extra options of one run."""

    model: bytes
    requirements: bytes
    options: tuple[str, ...] = ()


def _mutated(text: str, data: st.DataObject) -> str:
    for _ in range(data.draw(st.integers(1, 5), label="edits")):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 12))
        text = text[:at] + data.draw(st.sampled_from(["", *TOKENS])) + text[at + cut :]
    return text


@st.composite
def mutated_cases(draw: st.DrawFn) -> Case:
    """Token mutations of the fuzz model and requirements, or of the shipped Spectrum pair."""
    shipped = draw(st.booleans())
    model, reqs = SHIPPED if shipped else (MODEL, REQUIREMENTS)
    data = draw(st.data())
    which = draw(st.sampled_from(["model", "requirements", "both"]))
    if which != "requirements":
        model = _mutated(model, data)
    if which != "model":
        reqs = _mutated(reqs, data)
    return Case(model.encode(), reqs.encode(), ("--only", "UO-LEVEL") if shipped else ("--only", "R1"))


@st.composite
def byte_cases(draw: st.DrawFn) -> Case:
    """Arbitrary bytes, or valid files with bytes spliced in (invalid UTF-8, NULs, line ends of every kind)."""
    noise = draw(st.binary(max_size=300))
    if draw(st.booleans()):
        return Case(noise, REQUIREMENTS.encode())
    at = draw(st.integers(0, len(REQUIREMENTS)))
    return Case(MODEL.encode(), REQUIREMENTS.encode()[:at] + noise + REQUIREMENTS.encode()[at:])


@st.composite
def string_cases(draw: st.DrawFn) -> Case:
    """Control characters, bidi overrides and markup in requirement texts and transition labels."""
    pieces = st.sampled_from([*CONTROL, "[bold]", "[/x]", "]", "[", "<", "&", "'", "x"])
    evil = "".join(draw(st.lists(pieces, max_size=8))).replace('"', "")
    model = MODEL.replace('"start infusing"', f'"start {evil} infusing"')
    reqs = REQUIREMENTS.replace('"an occlusion alarms in time"', f'"alarms {evil} in time"')
    return Case(model.encode(), reqs.encode(), ("--only", "R1"))


@st.composite
def size_cases(draw: st.DrawFn) -> Case:
    """Oversized numbers, ranges and expansions, in the files and in the options."""
    digits = draw(st.sampled_from([19, 20, 400, 4301, 40_000]))
    big = "9" * digits
    kind = draw(st.sampled_from(["const", "range", "define", "any", "family", "option"]))
    model, options = MODEL, ("--only", "R1")
    if kind == "const":
        model = MODEL.replace("const T = 5", f"const T = {big}")
    elif kind == "range":
        model = MODEL.replace("input key: bool", f"input key: bool\ninput p: 0..{big}")
    elif kind == "define":
        chain = "".join(f"define d{i + 1} = d{i} and not d{i}\n" for i in range(draw(st.integers(10, 60))))
        model = MODEL + "define d0 = occ\n" + chain + "transition odd when d1 do occ := false\n"
    elif kind == "any":
        n = draw(st.sampled_from([600, 10_000]))
        model = MODEL + f"transition wide when any i in 0..{n}: any j in 0..{n}: i + j == 3 do occ := false\n"
    elif kind == "family":
        n = draw(st.sampled_from([3_000, 10_000]))
        model = MODEL + f"var w[{n}]: bool\ntransition f[i in 0..{n - 1}] do w[j in 0..{n - 1}] := w[i]\n"
    else:
        flag = draw(st.sampled_from(["-D", "--timeout", "--max-depth"]))
        value = draw(st.sampled_from([big, "nan", "inf", "-1", "0", "1e309", "T=" + big, "T=nan"]))
        options = (*options, flag, value)
    return Case(model.encode(), REQUIREMENTS.encode(), options)


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def _run(case: Case, folder: Path) -> None:
    inputs = folder / "inputs"
    inputs.mkdir(exist_ok=True)
    (inputs / "m.pump").write_bytes(case.model)
    (inputs / "r.req").write_bytes(case.requirements)
    (inputs / "keep.txt").write_text("a file no run may touch\n")
    before = _tree(inputs)
    out = folder / "out"
    tag = uuid.uuid4().hex
    cmd = [sys.executable, "-m", "pumpproof", "check", "inputs/m.pump", "inputs/r.req", "--timeout", "20"]
    cmd += [*case.options, "--json", "out/r.json", "--junit", "out/j.xml", "--report", "out/html"]
    env = {**os.environ, RUN_TAG: tag}
    try:
        done = subprocess.run(
            cmd, cwd=folder, env=env, capture_output=True, timeout=WALL_S, preexec_fn=_limits, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer in {WALL_S} s\n{case}")
    left = tagged_processes(tag)
    for pid in left:
        os.kill(pid, 9)
    err = done.stderr.decode(errors="replace")
    assert not left, f"processes left behind: {left}\n{case}"
    assert done.returncode in (0, 1, 2, 3), f"exit {done.returncode}\n{err[-3000:]}\n{case}"
    assert "Traceback" not in err, f"{err[-3000:]}\n{case}"
    if done.returncode == 2:
        assert re.search(r"error", err), f"exit 2 without a message\n{case}"
    assert _tree(inputs) == before, f"an input was changed\n{case}"
    assert {p.name for p in folder.iterdir()} <= {"inputs", "out"}, f"files outside the outputs\n{case}"
    if out.exists():
        named = {"r.json", "j.xml", "html"}
        assert {p.name for p in out.iterdir()} <= named, f"unnamed outputs: {sorted(os.listdir(out))}\n{case}"


COMMON = {
    "max_examples": EXAMPLES,
    "deadline": None,
    "derandomize": not SOAK,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
}


@pytest.mark.soak
@pytest.mark.parametrize(
    "cases", [mutated_cases(), byte_cases(), string_cases(), size_cases()], ids=["tokens", "bytes", "strings", "sizes"]
)
def test_hostile_input_gets_an_answer_or_a_message(
    cases: st.SearchStrategy[Case], tmp_path_factory: pytest.TempPathFactory
) -> None:
    @settings(**COMMON)  # type: ignore[arg-type]
    @given(cases)
    def one(case: Case) -> None:
        _run(case, tmp_path_factory.mktemp("hostile"))

    one()
