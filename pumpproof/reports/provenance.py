"""Run metadata that makes a verdict reproducible: the command, the inputs' hashes, tool and solver versions."""

from __future__ import annotations

import datetime as dt
import platform
import shlex
import sys
from dataclasses import dataclass, field

from pumpproof import __version__
from pumpproof.lang.ir import RequirementSet, TransitionSystem
from pumpproof.lang.location import SourceFile
from pumpproof.verify.versions import solver_versions


@dataclass(frozen=True)
class InputFile:
    """A file the verdict depends on, with its SHA-256."""

    path: str
    sha256: str
    role: str

    @staticmethod
    def parsed(source: SourceFile, role: str) -> InputFile:
        """The file as it was parsed: the hash of the bytes read, not of whatever the path holds now."""
        return InputFile(source.path, source.sha256, role)


@dataclass(frozen=True)
class RunInfo:
    """Everything needed to reproduce a run and to know what produced it."""

    command: str
    files: tuple[InputFile, ...]
    constants: dict[str, int | bool]
    options: dict[str, object]
    solvers: dict[str, str]
    tool_version: str = __version__
    python: str = field(default_factory=lambda: platform.python_version())
    platform: str = field(default_factory=platform.platform)
    started: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))


def run_info(argv: list[str], system: TransitionSystem, reqs: RequirementSet, options: dict[str, object]) -> RunInfo:
    """The metadata of a run of `argv` on files loaded from disk (their hashes are of the bytes parsed)."""
    assert system.source is not None and reqs.source is not None, "loaded from files"
    return RunInfo(
        command=command_line(argv),
        files=(InputFile.parsed(system.source, "model"), InputFile.parsed(reqs.source, "requirements")),
        constants=dict(system.constants),
        options=options,
        solvers=solver_versions(),
    )


def command_line(argv: list[str] | None = None) -> str:
    """The command as a user would retype it."""
    args = sys.argv[1:] if argv is None else argv
    return shlex.join(["pumpproof", *args])
