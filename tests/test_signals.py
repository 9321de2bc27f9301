"""However `pumpproof` ends (SIGTERM, SIGHUP, SIGKILL), its engine processes end with it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import types
import uuid
from pathlib import Path

import pytest

from pumpproof.stopping import Terminated, ended_by_signals, run_program
from tests.helpers import ROOT, RUN_TAG, tagged_processes

SLOW = [
    "check",
    str(ROOT / "benchmarks/models/tick_detector.pump"),
    str(ROOT / "benchmarks/models/level.req"),
    *("-D", "K=8", "-D", "T=10000", "-D", "LATCH=true", "--timeout", "120"),
]


def _wait(condition: object, seconds: float) -> bool:
    end = time.time() + seconds
    while time.time() < end:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
def test_engines_end_with_the_command(sig: signal.Signals) -> None:
    tag = uuid.uuid4().hex
    proc = subprocess.Popen(
        [sys.executable, "-m", "pumpproof", *SLOW],
        env={**os.environ, RUN_TAG: tag},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait(lambda: len(tagged_processes(tag)) >= 3, 60), "the portfolio did not start its engines"
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert _wait(lambda: not tagged_processes(tag), 10), (
            f"engines left running after {sig.name}: {tagged_processes(tag)}"
        )
        if sig is not signal.SIGKILL:
            assert proc.returncode == 128 + sig, proc.stderr.read().decode() if proc.stderr else ""
    finally:
        for pid in [proc.pid, *tagged_processes(tag)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_workers_and_their_engines_end_with_the_command(sig: signal.Signals, tmp_path: Path) -> None:
    level = (ROOT / "benchmarks/models/level.req").read_text()
    reqs = tmp_path / "two.req"
    reqs.write_text(level + "\n" + level.replace("requirement LEVEL", "requirement LEVEL-AGAIN"))
    tag = uuid.uuid4().hex
    argv = [sys.executable, "-m", "pumpproof", *SLOW[:2], str(reqs), *SLOW[3:], "-j", "2"]
    proc = subprocess.Popen(argv, env={**os.environ, RUN_TAG: tag}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # the command, two workers and a portfolio's four engines (more than the model's own questions start)
        assert _wait(lambda: len(tagged_processes(tag)) >= 7, 90), "the workers did not start their engines"
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert _wait(lambda: not tagged_processes(tag), 10), f"left running after {sig.name}: {tagged_processes(tag)}"
        if sig is not signal.SIGKILL:
            assert proc.returncode == 128 + sig, proc.stderr.read().decode() if proc.stderr else ""
    finally:
        for pid in [proc.pid, *tagged_processes(tag)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _blocked(status: str) -> set[int]:
    """The signals a /proc/PID/status text says are blocked."""
    mask = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:")), 16)
    return {n for n in range(1, 65) if mask >> (n - 1) & 1}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_helper_programs_can_be_ended_while_the_command_blocks_the_signals() -> None:
    ending = {int(signal.SIGTERM), int(signal.SIGHUP)}
    with ended_by_signals():
        assert ending <= _blocked(Path("/proc/thread-self/status").read_text())  # the command's own thread
        child = run_program(["cat", "/proc/self/status"], b"")
        assert ending <= _blocked(Path("/proc/thread-self/status").read_text())
    assert not ending & _blocked(child.stdout.decode())


def test_a_wait_that_returns_no_signal_is_not_taken_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython's sigtimedwait answers a zeroed siginfo when another signal interrupts it at its deadline;
    the watcher must go on waiting, and still end the command on a real SIGTERM."""
    real, spurious = signal.sigtimedwait, [types.SimpleNamespace(si_signo=0)]

    def waits(sigset: object, timeout: float) -> object:
        return spurious.pop() if spurious else real(sigset, timeout)  # type: ignore[arg-type]

    monkeypatch.setattr(signal, "sigtimedwait", waits)
    with pytest.raises(Terminated) as ended, ended_by_signals():
        assert _wait(lambda: not spurious, 5)
        time.sleep(0.1)
        assert any(t.name == "pumpproof-signals" for t in threading.enumerate()), "the watcher died"
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    assert ended.value.signum == signal.SIGTERM
