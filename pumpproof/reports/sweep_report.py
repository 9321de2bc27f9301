"""A sweep's merged outputs: one JSON document (schema `pumpproof-sweep/1`), one JUnit file, one HTML page and the
terminal table, each a table of verdicts per valuation with the places where a requirement's verdict changes.

Built from the tasks' results as plain data (`verify.sweep.TaskResult`): nothing here solves or loads a model.
"""

from __future__ import annotations

import datetime as dt
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from pumpproof.output import write_atomically
from pumpproof.reports.html import environment
from pumpproof.reports.terminal import plain
from pumpproof.verify.results import Verdict
from pumpproof.verify.sweep import SCHEMA, Change, TaskResult

STYLE = {"PROVED": "green", "VIOLATED": "bold red", "VACUOUS": "magenta", "UNKNOWN": "yellow"}


@dataclass(frozen=True)
class Group:
    """The tasks of one model and requirement file: a row per valuation, a column per requirement."""

    model: str
    requirements: str | None
    axes: tuple[str, ...]
    ids: tuple[str, ...]
    rows: tuple[tuple[TaskResult, dict[str, Change]], ...]
    """Each task with the changes at it, by requirement id."""


def groups(results: Sequence[TaskResult], changes: Sequence[Change], axes: Mapping[str, Sequence[str]]) -> list[Group]:
    """The results by model and requirement file, in the sweep's order."""
    keys = list(dict.fromkeys((r.task.model, r.task.requirements) for r in results))
    out = []
    for model, reqs in keys:
        members = [r for r in results if (r.task.model, r.task.requirements) == (model, reqs)]
        ids = tuple(dict.fromkeys(rid for r in members for rid in r.verdicts()))
        rows = []
        for r in members:
            at = {c.requirement: c for c in changes if (c.model, c.requirements, c.constants) == _key(r)}
            rows.append((r, at))
        out.append(Group(model, reqs, tuple(axes), ids, tuple(rows)))
    return out


def _key(r: TaskResult) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
    return r.task.model, r.task.requirements, r.task.constants


def change_text(c: Change) -> str:
    """`VIOLATED from T=100 (PROVED at T=10)`."""
    return f"{c.after} from {c.axis}={c.after_value} ({c.before} at {c.axis}={c.before_value})"


def document(
    results: Sequence[TaskResult], axes: Mapping[str, Sequence[str]], changes: Sequence[Change], command: str, code: int
) -> dict[str, Any]:
    """The merged JSON document: every task's own `pumpproof-result/1` report with its provenance, the changes."""
    verdicts = [v for r in results for v in r.verdicts().values()]
    counts = {v.value.lower(): verdicts.count(v.value) for v in Verdict}
    first = results[0].provenance if results else None
    return {
        "schema": SCHEMA,
        "tool": {"name": "pumpproof", "version": first.tool_version if first else None},
        "solvers": first.solvers if first else {},
        "command": command,
        "started": min((r.report["started"] for r in results), default=None),
        "axes": {name: list(values) for name, values in axes.items()},
        "summary": {"tasks": len(results), **counts, "exit_code": code},
        "tasks": [
            {
                "label": r.task.label(),
                "model": r.task.model,
                "requirements": r.task.requirements,
                "constants": dict(r.task.constants),
                "host": r.provenance.host,
                "seed": r.provenance.seed,
                "tool_version": r.provenance.tool_version,
                "solvers": r.provenance.solvers,
                "wall_s": round(r.provenance.wall_s, 3),
                "exit_code": r.exit_code,
                "report": r.report,
            }
            for r in results
        ],
        "changes": [
            {
                "model": c.model,
                "requirements": c.requirements,
                "requirement": c.requirement,
                "constants": dict(c.constants),
                "axis": c.axis,
                "from": {"value": c.before_value, "verdict": c.before},
                "to": {"value": c.after_value, "verdict": c.after},
            }
            for c in changes
        ],
    }


def junit_xml(results: Sequence[TaskResult]) -> str:
    """One JUnit document: each task's testsuite, named by its model and constants (`tick_detector[T=10,K=1]`)."""
    root = ET.Element("testsuites", name="pumpproof sweep")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    time_s = 0.0
    for r in results:
        suite = ET.fromstring(r.junit).find("testsuite")
        assert suite is not None, "a task's JUnit document has its testsuite"
        where = "[" + ",".join(f"{k}={v}" for k, v in r.task.constants) + "]" if r.task.constants else ""
        suite.set("name", f"{suite.get('name')}{where}")
        suite.set("hostname", r.provenance.host)
        for case in suite.iter("testcase"):
            case.set("classname", f"{case.get('classname')}{where}")
        for name in totals:
            totals[name] += int(suite.get(name, "0"))
        time_s += float(suite.get("time", "0"))
        root.append(suite)
    root.attrib.update({name: str(n) for name, n in totals.items()} | {"time": f"{time_s:.3f}"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_html(doc: Mapping[str, Any], table: Sequence[Group]) -> str:
    """The sweep's HTML page: run metadata, and per model and requirement file the verdicts per valuation."""
    hosts = sorted({t["host"] for t in doc["tasks"]})
    when = doc["started"] or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return (
        environment()
        .get_template("sweep.html.j2")
        .render(doc=doc, groups=table, hosts=hosts, started=when, change_text=change_text)
    )


def write_html(directory: str | os.PathLike[str], doc: Mapping[str, Any], table: Sequence[Group]) -> Path:
    """Write DIRECTORY/index.html (rendered in full first: a failure keeps the previous page)."""
    path = Path(directory) / "index.html"
    write_atomically(path, render_html(doc, table))
    return path


def render(console: Console, table: Sequence[Group]) -> None:
    """The verdicts per valuation on the terminal; `*` marks a verdict that changed from the previous value."""
    marked = False
    for g in table:
        t = Table(title=plain(f"{g.model} with {g.requirements or 'its queries'}"), header_style="bold")
        for name in g.axes:
            t.add_column(plain(name), justify="right")
        for rid in g.ids:
            t.add_column(plain(rid))
        for r, at in g.rows:
            cells = [plain(v) for _, v in r.task.constants]
            for rid in g.ids:
                verdict = r.verdicts().get(rid, "-")
                marked = marked or rid in at
                cells.append(plain(verdict + (" *" if rid in at else ""), STYLE.get(verdict, "")))
            t.add_row(*cells)
        console.print(t)
    if marked:
        console.print(plain("* the verdict changes here from the previous value of a constant", "dim"))
