"""JUnit XML for CI dashboards: one testcase per requirement; a violation fails with its narrative.

UNKNOWN is never a pass: it is reported as skipped (the default) or as an error, as the caller
chooses. Times are the only values that differ between two runs of the same command. Every text
and attribute is written with hidden characters as escapes (`visible_lines`): most control
characters, lone surrogates and U+FFFE/U+FFFF are not allowed in XML 1.0 at all, even escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Literal

from pumpproof.lang.characters import visible_lines
from pumpproof.lang.ir import TransitionSystem
from pumpproof.output import write_atomically
from pumpproof.reports.counterexample import from_outcome
from pumpproof.reports.narrative import narrate
from pumpproof.reports.provenance import RunInfo
from pumpproof.reports.terminal import detail
from pumpproof.reports.undecided import not_decided
from pumpproof.verify.results import Proved, Unknown, Vacuous, Violated
from pumpproof.verify.run import Outcome

UnknownAs = Literal["skipped", "error"]


def junit_xml(
    system: TransitionSystem, outcomes: list[Outcome], info: RunInfo, unknown_as: UnknownAs = "skipped"
) -> str:
    """The JUnit XML document (one testsuite for the model, one testcase per requirement)."""
    if unknown_as not in ("skipped", "error"):
        raise ValueError(f"unknown_as must be 'skipped' or 'error', not {unknown_as!r}")
    violated = sum(isinstance(o.result, Violated) for o in outcomes)
    unknown = sum(isinstance(o.result, Unknown) for o in outcomes)
    errors = unknown if unknown_as == "error" else 0
    skipped = unknown if unknown_as == "skipped" else 0
    total = _seconds(sum(o.wall_s for o in outcomes))
    counts = {"tests": str(len(outcomes)), "failures": str(violated), "errors": str(errors)}
    root = ET.Element("testsuites", {"name": "pumpproof", **counts, "time": total})
    suite_attrs = {"name": system.name, **counts, "skipped": str(skipped), "time": total, "timestamp": info.started}
    suite = ET.SubElement(root, "testsuite", suite_attrs)
    props = ET.SubElement(suite, "properties")
    for name, value in _properties(info):
        ET.SubElement(props, "property", name=name, value=value)
    for o in outcomes:
        suite.append(_testcase(system, o, unknown_as))
    _escape_hidden(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(
    path: str, system: TransitionSystem, outcomes: list[Outcome], info: RunInfo, unknown_as: UnknownAs = "skipped"
) -> None:
    """Write the JUnit XML to `path`."""
    write_atomically(path, junit_xml(system, outcomes, info, unknown_as))


def _testcase(system: TransitionSystem, o: Outcome, unknown_as: UnknownAs) -> ET.Element:
    req, r = o.requirement, o.result
    case = ET.Element("testcase", name=req.id, classname=f"pumpproof.{system.name}", time=_seconds(o.wall_s))
    where = f"\nat {req.loc}" if req.loc else ""
    summary = f"{req.text}\nformula: {req.formula_text}\nsource: {req.source}{where}\nengine: {r.engine}, {detail(o)}"
    if isinstance(r, Violated):
        failure = ET.SubElement(case, "failure", type="VIOLATED", message=f"{req.id} violated: {req.text}")
        failure.text = "\n".join(narrate(from_outcome(o, system))) + "\n\n" + summary
    elif isinstance(r, Vacuous):
        failure = ET.SubElement(case, "failure", type="VACUOUS", message=f"{req.id} vacuous: {r.reason}")
        failure.text = f"holds only because it is never exercised: {r.reason}\n\n{summary}"
    elif isinstance(r, Unknown):
        element = ET.SubElement(case, unknown_as, type="UNKNOWN", message=f"{req.id} unknown: {r.reason}")
        element.text = f"{not_decided(r)}\n\n{summary}"
    elif isinstance(r, Proved):
        out = ET.SubElement(case, "system-out")
        out.text = f"PROVED ({r.certificate.kind}, k={r.certificate.k})\n{summary}\n\n{r.certificate.invariant_text}"
    return case


def _escape_hidden(root: ET.Element) -> None:
    """Every text, tail and attribute value of the tree with hidden characters as escapes, in place."""
    for element in root.iter():
        element.text = visible_lines(element.text) if element.text else element.text
        element.tail = visible_lines(element.tail) if element.tail else element.tail
        element.attrib = {visible_lines(k): visible_lines(v) for k, v in element.attrib.items()}


def _properties(info: RunInfo) -> list[tuple[str, str]]:
    """Run metadata: versions, the command, and each input file's SHA-256."""
    props = [("pumpproof.version", info.tool_version), ("python", info.python), ("command", info.command)]
    props += [(f"solver.{name}", version) for name, version in sorted(info.solvers.items())]
    props += [(f"sha256.{f.role}", f"{f.sha256}  {f.path}") for f in info.files]
    return props


def _seconds(t: float) -> str:
    return f"{t:.3f}"
