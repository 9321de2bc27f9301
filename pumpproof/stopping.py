"""How a command ends on SIGTERM or SIGHUP: with every engine process and helper program it started."""

from __future__ import annotations

import _thread
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like an interrupt, so that every engine process is ended on the way."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


ENDING = (signal.SIGTERM, signal.SIGHUP)
STOP_GRACE_S = 5.0
"""How long the command may take to unwind after SIGTERM or SIGHUP before it exits at once."""
WATCH_S = 0.02
"""How often the watcher looks whether the command has ended: a command's exit waits for it at most this long."""


@contextmanager
def ended_by_signals() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP end it, with every engine process it started.

    The signals are blocked and taken by a watcher thread, which acts even while the main thread is inside a
    long solver call: it kills the engines, makes the main thread raise Terminated (so outputs are not half
    written and the exit code says which signal), and exits at once if that takes longer than STOP_GRACE_S.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    done = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    def watch() -> None:
        while not done.is_set():
            # CPython returns a zeroed siginfo (si_signo 0) when another signal interrupts the wait at its deadline
            if (info := signal.sigtimedwait(ENDING, WATCH_S)) is None or info.si_signo not in ENDING:
                continue
            from pumpproof.verify.portfolio import end_engines

            end_engines()
            _thread.interrupt_main(signal.Signals(info.si_signo))
            if not done.wait(STOP_GRACE_S):
                print(f"stopped by {signal.Signals(info.si_signo).name}", file=sys.stderr, flush=True)
                end_engines()
                os._exit(128 + info.si_signo)
            return

    previous = {sig: signal.signal(sig, stop) for sig in ENDING}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, ENDING)
    watcher = threading.Thread(target=watch, name="pumpproof-signals", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_program(argv: Sequence[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    """Run a helper program (graphviz's `dot`) on `data`, its output captured, with SIGTERM and SIGHUP not
    blocked in it: a child inherits the blocked mask of `ended_by_signals`, and would outlive a `kill` of
    the process group. `communicate` writes all of `data` even when the program gives up early,
    so its own complaint is not lost to a broken pipe."""
    unblocked = signal.pthread_sigmask(signal.SIG_UNBLOCK, ENDING)
    try:
        child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
    with child:
        try:
            out, err = child.communicate(data)
        except BaseException:
            child.kill()
            raise
    return subprocess.CompletedProcess(list(argv), child.returncode, out, err)
