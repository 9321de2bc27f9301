"""`sweep`: every model x requirement file x valuation of the `-D` constants decided as `check` would, on a local
process pool (`--jobs`) or on Dask (`--dask ADDRESS`, `--dask local`), merged into one JSON document, one HTML page
and one JUnit file. The exit code is `check`'s over every task: 1 a violation, 3 undecided, 0 all proved.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from rich.console import Console

from pumpproof.errors import UsageError
from pumpproof.exits import after_writing, exit_code
from pumpproof.output import refuse_clashes, refuse_unwritable, write_atomically, writing
from pumpproof.reports import json_report, junit, sweep_report
from pumpproof.reports.junit import UnknownAs
from pumpproof.reports.provenance import command_line, run_info
from pumpproof.reports.terminal import plain
from pumpproof.verify import slots, sweep
from pumpproof.verify.sweep import Task, TaskResult
from pumpproof.verify.workers import cores, ordered

DASK_HINT = "install it with: pip install 'pumpproof[dask]' (or pip install 'dask[distributed]')"
LOCAL = "local"


def run(args: argparse.Namespace, argv: list[str], console: Console) -> int:
    """Expand, check every input before solving, run the tasks, merge, print and write."""
    axes = sweep.parse_axes(args.defines)
    tasks = sweep.expand(
        args.models,
        args.req or [None],
        axes,
        only=tuple(args.only),
        engine=args.engine,
        timeout_s=args.timeout,
        max_depth=args.max_depth,
        deterministic=args.deterministic,
        total_deadline=None if args.total_timeout is None else time.time() + args.total_timeout,
    )
    files = [(flag, path) for flag, path in (("--json", args.json), ("--junit", args.junit)) if path]
    folders = [("--report", args.report)] if args.report else []
    refuse_clashes(files, folders, [*args.models, *(r for r in args.req if r)])
    refuse_unwritable(files)
    if args.dask:
        _dask()  # a missing dask is a usage error before anything is solved
    for task in tasks:  # every input error (a constant a model lacks, a bad value) before any solving
        sweep.load(task)
    job = partial(run_task, unknown_as=args.junit_unknown)
    with console.status(f"sweeping: {len(tasks)} tasks", spinner="dots") as status:
        finished = 0

        def done(_: int) -> None:
            nonlocal finished
            finished += 1
            status.update(f"sweeping: {finished} of {len(tasks)} tasks done")

        run_all = partial(on_dask, address=args.dask) if args.dask else ordered
        results = run_all(job, tasks, args.jobs, done)
    sweep.refuse_mixed_versions(results)
    code = sweep.sweep_exit_code(results)
    found = sweep.changes(results, axes)
    table = sweep_report.groups(results, found, axes)
    sweep_report.render(console, table)
    doc = sweep_report.document(results, axes, found, command_line(argv), code)
    unwritten: list[UsageError] = []
    if args.json:
        with writing("--json", unwritten):
            write_atomically(args.json, json_report.dumps(doc))
            console.print(plain(f"JSON report written to {args.json}", "dim"))
    if args.junit:
        with writing("--junit", unwritten):
            write_atomically(args.junit, sweep_report.junit_xml(results))
            console.print(plain(f"JUnit XML written to {args.junit}", "dim"))
    if args.report:
        with writing("--report", unwritten):
            index = sweep_report.write_html(args.report, doc, table)
            console.print(plain(f"HTML report written to {index}", "dim"))
    return after_writing(code, unwritten)


def run_task(task: Task, unknown_as: UnknownAs = "skipped") -> TaskResult:
    """One task decided, and its result as plain data (what a worker on any host sends back)."""
    if mp.current_process().daemon:
        raise UsageError(
            "this Dask worker runs tasks in a daemonic process, which cannot start the engines' processes",
            hint="start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False in their environment",
        )
    started = time.time()
    system, reqs, outcomes = sweep.decide(task)
    info = run_info(task.argv(), system, reqs, task.recorded_options())
    code = exit_code(outcomes)
    report = json_report.report(outcomes, info, system.name, code)
    suite = junit.junit_xml(system, outcomes, info, unknown_as)
    return TaskResult(task, report, suite, sweep.Provenance.here(started))


def _dask() -> None:
    """UsageError, saying how to install it, when dask.distributed is missing."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise UsageError("--dask needs dask.distributed, which is not installed", hint=DASK_HINT) from None


def on_dask(
    job: Callable[[Task], TaskResult],
    tasks: Sequence[Task],
    jobs: int,
    done: Callable[[int], None] | None = None,
    *,
    address: str,
) -> list[TaskResult]:
    """The tasks on a Dask cluster (`local`: a LocalCluster of `jobs` worker processes, one thread each), results in
    the tasks' order. Engines are child processes of a task, so the workers must not be daemonic processes: the
    local cluster is started so; a remote one needs DASK_DISTRIBUTED__WORKER__DAEMON=False on its workers."""
    import dask
    from dask.distributed import Client, LocalCluster, as_completed

    if address == LOCAL:  # one machine: its workers' portfolios share engine slots, as the local pool's do
        job = partial(_sharing, job, ClusterSlots(slots.limit(cores()), f"pumpproof-engines-{uuid.uuid4().hex}"))
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = None
        try:
            if address == LOCAL:
                cluster = LocalCluster(
                    n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
                )
                client = Client(cluster)
            else:
                client = Client(address, timeout=30)
        except OSError as err:
            if cluster is not None:
                cluster.close()
            raise UsageError(f"--dask {address}: cannot reach the scheduler ({err})") from None
        try:
            futures = client.map(job, tasks, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            results: dict[int, TaskResult] = {}
            for future in as_completed(futures):
                i = index[future.key]
                results[i] = future.result()
                if done is not None:
                    done(i)
            return [results[i] for i in range(len(tasks))]
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


@dataclass(frozen=True)
class ClusterSlots:
    """The engine slots of a LocalCluster's workers: a Dask semaphore of `size` leases (its workers are spawned, so
    they cannot share a semaphore inherited by forking), taken a question's worth at a time under a Dask lock."""

    size: int
    name: str

    @contextmanager
    def held(self, engines: int) -> Iterator[None]:
        """Hold `engines` leases (at most all of them) while the block runs."""
        from dask.distributed import Lock, Semaphore

        leases = Semaphore(max_leases=self.size, name=self.name)
        taken = 0
        try:
            with Lock(f"{self.name}-taking"):
                for _ in range(min(max(engines, 1), self.size)):
                    leases.acquire()
                    taken += 1
            yield
        finally:
            for _ in range(taken):
                leases.release()


def _sharing(job: Callable[[Task], TaskResult], shared: slots.Slots, task: Task) -> TaskResult:
    """`job(task)` with its portfolios taking their engines from `shared` (on a Dask worker)."""
    slots.SHARED = shared
    try:
        return job(task)
    finally:
        slots.SHARED = None
