"""Source locations: where in a model or property file a node came from."""

from __future__ import annotations

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
