"""Source locations: where in a model or property file a node came from, and the file as it was parsed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)  # one per syntax and IR node: slots keep 100,000 transitions small
class Location:
    """A 1-based line and column in a file, with the text of that line for caret diagnostics."""

    file: str
    line: int
    col: int
    line_text: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class SourceFile:
    """An input file as it was read: the SHA-256 of the bytes parsed and their text, so that provenance and
    reports describe what was verified even if the file changes while the engines run."""

    path: str
    sha256: str
    text: str

    @staticmethod
    def of(path: str, data: bytes, text: str) -> SourceFile:
        """The file at `path` whose bytes `data` decode to `text`."""
        return SourceFile(path, hashlib.sha256(data).hexdigest(), text)
