"""Parameter sweeps: models x requirement files x valuations of constants, one task each, and their results merged.

`-D T=10,100,1000 -D K=1..8` gives the cartesian product of the lists (the first `-D` varies slowest), each
valuation a task on each model and requirement file. A task is plain data (paths, constants, options) and so is
its result (the task's `pumpproof-result/1` document and JUnit testsuite, the host, versions and seed), so a task
can run in a local worker or on a Dask worker of another host alike. Results that come from different tool or
solver versions are refused: a sweep's rows must be comparable. Where a requirement's verdict changes from one
value of a constant to the next (the others equal) is computed here, for every report to show.
"""

from __future__ import annotations

import itertools
import re
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pumpproof import __version__
from pumpproof.errors import UsageError
from pumpproof.lang.ir import RequirementSet, TransitionSystem
from pumpproof.verify.engines.ic3 import RANDOM_SEED
from pumpproof.verify.portfolio import Options
from pumpproof.verify.run import Outcome, check_all
from pumpproof.verify.versions import solver_versions

SCHEMA = "pumpproof-sweep/1"
MAX_TASKS = 10_000
"""The most tasks one sweep expands to: beyond, a typo in a range (1..80000) is more likely than intent."""
_RANGE = re.compile(r"(-?\d+)\.\.(-?\d+)")

Valuation = tuple[tuple[str, str], ...]
"""Constants of one task, in the order of the `-D` options: (name, value as written)."""


def parse_values(name: str, text: str) -> tuple[str, ...]:
    """The values of `-D NAME=TEXT`: a comma-separated list whose items are values or integer ranges `a..b`
    (both bounds included)."""
    values: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            raise UsageError(f"-D {name}={text}: an empty value", hint="for example: -D T=10,100,1000")
        bounds = _RANGE.fullmatch(item.replace(" ", ""))
        if bounds is None:
            values.append(item)
            continue
        low, high = int(bounds[1]), int(bounds[2])
        if low > high:
            raise UsageError(f"-D {name}={text}: the range {item} is empty", hint=f"write it {high}..{low}")
        if high - low >= MAX_TASKS:
            raise UsageError(f"-D {name}={text}: the range {item} has more than {MAX_TASKS:,} values")
        values.extend(str(v) for v in range(low, high + 1))
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise UsageError(f"-D {name}={text}: {', '.join(repeated)} given twice", hint="give each value once")
    return tuple(values)


def parse_axes(items: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """`-D NAME=VALUES` options as the values of each constant, in the order given."""
    axes: dict[str, tuple[str, ...]] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise UsageError(f"-D expects NAME=VALUES, got '{item}'", hint="for example: -D T=10,100,1000 -D K=1..8")
        if name in axes:
            raise UsageError(f"-D {name} given twice", hint=f"give its values in one list: -D {name}=1,2,3")
        axes[name] = parse_values(name, text)
    return axes


def valuations(axes: Mapping[str, Sequence[str]]) -> list[Valuation]:
    """The cartesian product of the axes' values, the first axis varying slowest; one empty valuation for none."""
    names = list(axes)
    return [tuple(zip(names, values, strict=True)) for values in itertools.product(*(axes[n] for n in names))]


@dataclass(frozen=True)
class Task:
    """One `check` of a sweep: a model file with constants, a requirement file, and the engines' options."""

    model: str
    requirements: str | None
    constants: Valuation
    only: tuple[str, ...] = ()
    engine: str = "auto"
    timeout_s: float = 60.0
    max_depth: int | None = None
    deterministic: bool = False
    total_deadline: float | None = None
    """Seconds since the epoch after which the task asks no question (`--total-timeout`, counted from the start
    of the sweep: every task shares it)."""

    def label(self) -> str:
        """`tick_detector.pump T=10 K=1`: which task, in a line."""
        name = self.model.rsplit("/", 1)[-1]
        return " ".join([name, *(f"{k}={v}" for k, v in self.constants)])

    def options(self) -> Options:
        """The engines' options of this task."""
        return Options(self.engine, self.timeout_s, self.max_depth, self.total_deadline, self.deterministic)

    def recorded_options(self) -> dict[str, object]:
        """The options as a report records them (those of `check`)."""
        return {
            "engine": self.engine,
            "timeout_s": self.timeout_s,
            "total_timeout_s": None if self.total_deadline is None else "shared by the sweep",
            "max_depth": self.max_depth,
            "deterministic": self.deterministic,
        }

    def argv(self) -> list[str]:
        """The `check` command line that decides this task alone."""
        defines = [part for name, value in self.constants for part in ("-D", f"{name}={value}")]
        only = [part for rid in self.only for part in ("--only", rid)]
        reqs = [self.requirements] if self.requirements else []
        options = ["--engine", self.engine, "--timeout", f"{self.timeout_s:g}"]
        options += ["--max-depth", str(self.max_depth)] if self.max_depth is not None else []
        options += ["--deterministic"] if self.deterministic else []
        return ["check", self.model, *reqs, *defines, *only, *options]


def expand(
    models: Sequence[str], requirements: Sequence[str | None], axes: Mapping[str, Sequence[str]], **options: Any
) -> list[Task]:
    """Every model x requirement file x valuation, in that order (UsageError beyond MAX_TASKS)."""
    count = len(models) * len(requirements) * len(valuations(axes))
    if count > MAX_TASKS:
        raise UsageError(f"the sweep expands to {count:,} tasks, more than {MAX_TASKS:,}", hint="sweep fewer values")
    return [Task(m, r, v, **options) for m in models for r in requirements for v in valuations(axes)]


def load(task: Task) -> tuple[TransitionSystem, RequirementSet]:
    """The task's model with its constants and its requirements (narrowed to `only`); UsageError with the file's
    location for a constant the model lacks or a value it refuses."""
    from pumpproof.lang.load import load_model, load_requirements

    system = load_model(task.model, dict(task.constants))
    reqs = load_requirements(task.requirements, system)
    known = {r.id for r in reqs.requirements}
    missing = [i for i in task.only if i not in known]
    if missing:
        raise UsageError(
            f"--only names unknown requirement(s) of {reqs.path}: {', '.join(missing)}",
            hint=f"known: {', '.join(sorted(known))}",
        )
    kept = tuple(r for r in reqs.requirements if not task.only or r.id in task.only)
    return system, replace(reqs, requirements=kept)


def decide(task: Task) -> tuple[TransitionSystem, RequirementSet, list[Outcome]]:
    """The task's outcomes, as `check` decides them, one requirement at a time (the task is the unit of
    parallelism)."""
    system, reqs = load(task)
    return system, reqs, check_all(system, reqs, task.options())


@dataclass(frozen=True)
class Provenance:
    """Where and with what a task ran."""

    host: str
    tool_version: str
    solvers: dict[str, str]
    seed: int | None
    wall_s: float

    @staticmethod
    def here(started: float) -> Provenance:
        """This process's host and versions, for a task started at `started` (seconds since the epoch)."""
        return Provenance(socket.gethostname(), __version__, solver_versions(), RANDOM_SEED, time.time() - started)

    def versions(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.tool_version, tuple(sorted(self.solvers.items()))


@dataclass(frozen=True)
class TaskResult:
    """A task's result as plain data: its `pumpproof-result/1` document and JUnit testsuite, and its provenance."""

    task: Task
    report: dict[str, Any]
    junit: str
    provenance: Provenance

    @property
    def exit_code(self) -> int:
        return int(self.report["summary"]["exit_code"])

    def verdicts(self) -> dict[str, str]:
        """Requirement id to verdict, in the report's order."""
        return {r["id"]: r["verdict"] for r in self.report["results"]}


def refuse_mixed_versions(results: Sequence[TaskResult]) -> None:
    """UsageError when the tasks ran on different pumpproof or solver versions (their verdicts are not comparable)."""
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
    for r in results:
        seen.setdefault(r.provenance.versions(), f"{r.task.label()} on {r.provenance.host}")
    if len(seen) > 1:
        listed = "; ".join(
            f"pumpproof {tool}, {', '.join(f'{n} {v}' for n, v in solvers)} ({where})"
            for (tool, solvers), where in seen.items()
        )
        raise UsageError(
            f"the sweep's tasks ran on different versions: {listed}",
            hint="install the same pumpproof and solvers on every worker",
        )


@dataclass(frozen=True)
class Change:
    """A requirement's verdict on one valuation differs from the one with the previous value of `axis`."""

    model: str
    requirements: str | None
    requirement: str
    constants: Valuation
    axis: str
    before_value: str
    after_value: str
    before: str
    after: str


def changes(results: Sequence[TaskResult], axes: Mapping[str, Sequence[str]]) -> list[Change]:
    """Every place where a requirement's verdict changes as one constant takes its next value, the others equal."""
    by_task = {(r.task.model, r.task.requirements, r.task.constants): r.verdicts() for r in results}
    found: list[Change] = []
    for r in results:
        here = dict(r.task.constants)
        for axis, values in axes.items():
            at = values.index(here[axis])
            if at == 0:
                continue
            before_key = tuple((n, values[at - 1] if n == axis else v) for n, v in r.task.constants)
            before = by_task.get((r.task.model, r.task.requirements, before_key))
            if before is None:
                continue
            for rid, verdict in r.verdicts().items():
                if rid in before and before[rid] != verdict:
                    found.append(
                        Change(
                            r.task.model, r.task.requirements, rid, r.task.constants, axis,
                            values[at - 1], here[axis], before[rid], verdict,
                        )
                    )  # fmt: skip
    return found


def sweep_exit_code(results: Sequence[TaskResult]) -> int:
    """As `check`'s: 1 if some task has a violated or vacuous requirement, else 3 if one is unknown, else 0."""
    codes = {r.exit_code for r in results}
    for code in (1, 3):
        if code in codes:
            return code
    return max(codes, default=0)
