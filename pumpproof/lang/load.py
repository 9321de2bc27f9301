"""The front-end's public entry points: model and requirement files to IR, with every failure an InputError."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from pumpproof.errors import InputError, ModelError, PropertyError, UsageError
from pumpproof.lang.elaborate import elaborate_model
from pumpproof.lang.ir import RequirementSet, TransitionSystem
from pumpproof.lang.location import Location, SourceFile
from pumpproof.lang.parser import parse_model, parse_requirements
from pumpproof.lang.requirements import elaborate_requirements

T = TypeVar("T")


def load_model(path: str, overrides: dict[str, str] | None = None) -> TransitionSystem:
    """Read, parse and elaborate a `.pump` file; `overrides` come from `-D NAME=VALUE`. The model keeps the
    bytes' hash and text (`source`): the file is read once."""
    source = _read(path, "model", ModelError)
    return replace(parse_model_text(source.text, path, overrides), source=source)


def load_requirements(path: str, system: TransitionSystem) -> RequirementSet:
    """Read, parse and elaborate a `.req` file against the model it constrains (keeping `source`, as a model does)."""
    source = _read(path, "requirements", PropertyError)
    return replace(parse_requirements_text(source.text, path, system), source=source)


def parse_model_text(text: str, filename: str, overrides: dict[str, str] | None = None) -> TransitionSystem:
    """Parse and elaborate model text; `filename` is used in locations and as the default model name."""

    def run() -> TransitionSystem:
        return elaborate_model(parse_model(text, filename), Path(filename).stem, overrides)

    return _guard(run, filename, ModelError)


def parse_requirements_text(text: str, filename: str, system: TransitionSystem) -> RequirementSet:
    """Parse and elaborate requirement text against `system`."""
    return _guard(lambda: elaborate_requirements(parse_requirements(text, filename), system, filename),
                  filename, PropertyError)  # fmt: skip


def _guard(run: Callable[[], T], filename: str, error: type[InputError]) -> T:
    # Expressions nested hundreds deep exhaust Python's stack in the recursive passes.
    try:
        return run()
    except RecursionError:
        raise error("expressions are nested too deeply", Location(filename, 1, 1), "split them with defines") from None


def _read(path: str, what: str, error: type[InputError]) -> SourceFile:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read {what} file '{path}': {e.strerror or e}", hint="check the path") from None
    try:
        return SourceFile.of(path, data, data.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        text = data.split(b"\n")[line - 1].decode("utf-8", errors="replace")
        hint = "save the file with UTF-8 encoding"
        raise error(
            f"the file is not valid UTF-8 (byte 0x{data[e.start]:02x})", Location(path, line, col, text), hint
        ) from None
