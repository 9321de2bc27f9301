"""Running the peers on the files benchmarks/peer_models.py writes: SPIN (spin -a, pan compiled with -DSAFETY)
and ABC's `pdr` on the AIGER yosys makes from the Verilog, each in its own process group with a time limit and
its peak memory, and what each one's output says the verdict is."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROVED, VIOLATED = "PROVED", "VIOLATED"
"""The verdicts a peer can reach; anything else it reports (timeout, incomplete, error) is no verdict."""

YOSYS_SCRIPT = (
    "read_verilog {src}; prep -top {top}; flatten; techmap; dffunmap; aigmap; opt_clean; write_aiger -zinit {out}"
)
"""yosys 0.23: `dffunmap` turns the enabled registers into plain ones (write_aiger takes no enable), `aigmap` the
logic into AND gates; -zinit keeps the registers' initial value 0 (without an `= 0` they would start free)."""


# ---------------------------------------------------------------- running the peers


@dataclass(frozen=True)
class Ran:
    """A child process that ended or was killed: exit code (None when killed), seconds, peak resident MB, output."""

    code: int | None
    seconds: float
    peak_mb: float
    output: str


def run_limited(argv: Sequence[str], cwd: Path, timeout_s: float, env: dict[str, str] | None = None) -> Ran:
    """Run `argv` in its own process group, killed with the group after `timeout_s`; its peak memory from wait4
    (the largest of it and the descendants it waited for)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            _kill_group(child.pid)

        timer = threading.Timer(max(timeout_s, 0.01), kill)
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        _kill_group(child.pid)  # what it left running
        out.seek(0)
        code = None if killed.is_set() and os.WIFSIGNALED(status) else child.returncode
        return Ran(code, seconds, usage.ru_maxrss / 1024, out.read())


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group has ended already
        os.killpg(pid, signal.SIGKILL)


@dataclass(frozen=True)
class PeerRun:
    """A peer's answer: PROVED, VIOLATED, or why it has none (`timeout`, `incomplete (...)`, `error (...)`); the
    seconds of the whole run (generated file to verdict) and of the checker's own search, its peak MB, its states."""

    verdict: str
    seconds: float
    search_s: float | None = None
    peak_mb: float | None = None
    states: str | None = None

    @property
    def reached(self) -> bool:
        """True when the peer decided."""
        return self.verdict in (PROVED, VIOLATED)


SPIN_DEPTH = 1_000_000
"""pan's search depth (-m, about 53 bytes a step): deeper than any search of this family that fits in memory."""


def run_spin(source: Path, timeout_s: float, memory_mb: int = 4096) -> PeerRun:
    """`spin -a`, gcc with -DSAFETY, then pan's exhaustive search, in a folder next to `source`; all of it timed."""
    work = source.with_suffix(".pan")
    work.mkdir(exist_ok=True)
    deadline = time.perf_counter() + timeout_s
    spent = 0.0
    cc = ["gcc", "-O2", "-DSAFETY", f"-DMEMLIM={memory_mb}", "-w", "-o", "pan", "pan.c"]
    for argv in (["spin", "-a", str(source.resolve())], cc):
        ran = run_limited(argv, work, deadline - time.perf_counter())
        spent += ran.seconds
        if ran.code != 0:
            return PeerRun("timeout" if ran.code is None else f"error ({argv[0]} exit {ran.code})", spent)
    ran = run_limited(["./pan", f"-m{SPIN_DEPTH}", "-n"], work, deadline - time.perf_counter())
    spent += ran.seconds
    found = re.search(r"pan: elapsed time ([\d.e+-]+)", ran.output)
    states = re.search(r"([\d.e+]+) states, stored", ran.output)
    search_s = float(found[1]) if found else None
    return PeerRun(_spin_verdict(ran), spent, search_s, ran.peak_mb, states[1] if states else None)


PAN_INCOMPLETE = {"out of memory": "out of memory", "-dmemlim": "memory limit", "max search depth too small": "depth"}
"""pan's words (lower case) for a search it did not complete, and what the row says of it."""


def _spin_verdict(ran: Ran) -> str:
    """pan's verdict: a failed assertion violates; only a complete search without errors proves."""
    text = ran.output.lower()
    if ran.code is None:
        return "timeout"
    if "assertion violated" in text:
        return VIOLATED
    why = next((why for sign, why in PAN_INCOMPLETE.items() if sign in text), None)
    if why is None and "search not completed" in text:
        why = "search not completed"
    if why is None and "errors: 0" in text:
        return PROVED
    return f"incomplete ({why or f'pan exit {ran.code}'})"


ABC_COMMAND = "pdr"
"""ABC's IC3 (property directed reachability). `dprove`, its sequence of simplifications and engines, was tried: it
proves K=1 T=1000 in 21 s where `pdr` takes over 60, but finds the counterexamples 10 to 100 times slower."""


def run_abc(source: Path, top: str, timeout_s: float) -> PeerRun:
    """yosys from Verilog to AIGER, then ABC_COMMAND on the AIGER; all of it timed, ABC's part alone as search."""
    deadline = time.perf_counter() + timeout_s
    aig = source.with_suffix(".aig")
    script = YOSYS_SCRIPT.format(src=source.resolve(), top=top, out=aig.resolve())
    made = run_limited(["yosys", "-q", "-p", script], source.parent, timeout_s)
    if made.code != 0:
        return PeerRun("timeout" if made.code is None else f"error (yosys: {made.output.strip()[-200:]})", made.seconds)
    command = f"read_aiger {aig.resolve()}; {ABC_COMMAND}"
    ran = run_limited(["berkeley-abc", "-c", command], source.parent, deadline - time.perf_counter())
    total = made.seconds + ran.seconds
    if ran.code is None:
        verdict = "timeout"
    elif "Property proved" in ran.output:
        verdict = PROVED
    elif re.search(r"was asserted in frame \d+", ran.output):
        verdict = VIOLATED
    else:
        verdict = f"incomplete (abc exit {ran.code})"
    return PeerRun(verdict, total, ran.seconds, ran.peak_mb)
