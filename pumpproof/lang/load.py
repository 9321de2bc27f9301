"""The front-end's public entry points: model and requirement files to IR, with every failure an InputError."""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from pumpproof.errors import InputError, ModelError, PropertyError, UsageError
from pumpproof.lang import syntax as s
from pumpproof.lang.characters import HIDDEN
from pumpproof.lang.elaborate import elaborate_model
from pumpproof.lang.ir import Requirement, RequirementSet, TransitionSystem
from pumpproof.lang.location import Location, SourceFile
from pumpproof.lang.moxi.translate import MoxiModel, read_moxi
from pumpproof.lang.parser import is_requirement_id, parse_formula, parse_model, parse_requirements
from pumpproof.lang.requirements import elaborate_requirements

MOXI = ".moxi"
"""The suffix of MoXI files: their systems are read by lang.moxi, and their queries are their requirements."""


def load_model(path: str, overrides: dict[str, str] | None = None) -> TransitionSystem:
    """Read, parse and elaborate a `.pump` file, or read a `.moxi` file; `overrides` come from `-D NAME=VALUE`.
    The model keeps the bytes' hash and text (`source`): the file is read once."""
    source = _read(path, "model", ModelError)
    if path.endswith(MOXI):
        if overrides:
            name = next(iter(overrides))
            raise UsageError(f"-D {name}: a MoXI model has no constants", hint="leave out -D")
        return replace(parse_moxi_text(source.text, path).system, source=source)
    return replace(parse_model_text(source.text, path, overrides), source=source)


def load_requirements(path: str | None, system: TransitionSystem) -> RequirementSet:
    """Read, parse and elaborate a `.req` file against the model it constrains (keeping `source`, as a model does).

    A `.moxi` model's requirements are its queries: `path` None (or the same file) reads them from the text the
    model was read from."""
    if path is not None and not path.endswith(MOXI):
        source = _read(path, "requirements", PropertyError)
        return replace(parse_requirements_text(source.text, path, system), source=source)
    model = system.source
    if model is None or not model.path.endswith(MOXI):
        hint = "give the requirements file after the model (a .moxi model brings its own queries)"
        raise UsageError("a .pump model needs a requirements file (.req)", hint=hint)
    if path is not None and _read(path, "requirements", PropertyError).sha256 != model.sha256:
        hint = f"leave it out: the queries of {model.path} are checked on {model.path}"
        raise UsageError(f"the queries of {path} are requirements on the system {path} defines", hint=hint)
    return replace(parse_moxi_text(model.text, model.path).requirements, source=model)


@functools.lru_cache(maxsize=2)
def parse_moxi_text(text: str, filename: str) -> MoxiModel:
    """Read MoXI text: the flattened system and one requirement per query; `filename` is used in locations.
    Kept for the next call: the model and its requirements come from one file, read once (the IR is frozen)."""
    with _collector_paused():
        return read_moxi(text, filename)


def parse_model_text(text: str, filename: str, overrides: dict[str, str] | None = None) -> TransitionSystem:
    """Parse and elaborate model text; `filename` is used in locations and as the default model name."""
    with _collector_paused():
        return elaborate_model(parse_model(text, filename), Path(filename).stem, overrides)


def parse_requirements_text(text: str, filename: str, system: TransitionSystem) -> RequirementSet:
    """Parse and elaborate requirement text against `system`."""
    with _collector_paused():
        return elaborate_requirements(parse_requirements(text, filename), system, filename)


def requirement(system: TransitionSystem, id: str, formula: str, *, text: str, source: str) -> Requirement:
    """One requirement built in Python: `formula` in the `.req` syntax, checked against `system` like a file's.
    Errors point into `formula`, named `<requirement ID>` in their location; `text` and `source` are one line."""
    if not is_requirement_id(id):
        raise UsageError(f"'{id[:40]}' cannot name a requirement", hint="use letters, digits, '_', '.' and '-'")
    for part, value in (("text", text), ("source", source)):
        if not value or HIDDEN.search(value):
            hint = "give one line of visible text (no control, line-break or bidirectional characters)"
            raise UsageError(f"requirement {id}: its {part} must be a non-empty line of text", hint=hint)
    where = f"<requirement {id}>"
    with _collector_paused():
        expr, formula_text = parse_formula(formula, where)
        item = s.RequirementSyntax(id, text, source, expr, formula_text, Location(where, 1, 1))
        (req,) = elaborate_requirements(s.RequirementsSyntax((item,), item.loc), system, where).requirements
    return req


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the front end builds its trees: they hold no cycles, and with
    millions of young objects the collector's passes took a third of the time on a model with 10,000
    transitions (benchmarks/front_end.py)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


MAX_FILE_BYTES = 16 * 2**20
"""The largest model or requirement file read (16 MiB): far beyond any real model, and `/dev/zero` ends."""


def _read_bounded(path: str, what: str) -> bytes:
    """The bytes of `path`, at most MAX_FILE_BYTES of them (UsageError for a larger file or a read failure)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise UsageError(f"cannot read {what} file '{path}': {e.strerror or e}", hint="check the path") from None
    if len(data) > MAX_FILE_BYTES:
        hint = f"{what} files are limited to {MAX_FILE_BYTES // 2**20} MiB; is '{path}' the file you meant?"
        raise UsageError(f"{what} file '{path}' is too large", hint=hint)
    return data


def _read(path: str, what: str, error: type[InputError]) -> SourceFile:
    data = _read_bounded(path, what)
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
