"""The exception hierarchy. The CLI formats all of them in one place (`pumpproof.cli`)."""

from __future__ import annotations

from pumpproof.lang.location import Location


class PumpproofError(Exception):
    """Base of every error pumpproof raises on purpose."""

    exit_code = 4


class InputError(PumpproofError):
    """Bad user input: a model, property file, option or command line. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def render(self) -> str:
        """`file:line:col: error: message`, the offending line, a caret under the column, and the hint."""
        lines = []
        if self.location is None:
            lines.append(f"error: {self.message}")
        else:
            loc = self.location
            lines.append(f"{loc}: error: {self.message}")
            if loc.line_text:
                # tabs, form feeds and the like as one space each, so the caret lands under column `col`
                text = "".join(" " if c.isspace() else c for c in loc.line_text.rstrip("\n"))
                lines.append(f"  {text}")
                lines.append("  " + " " * max(loc.col - 1, 0) + "^")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class ModelError(InputError):
    """A syntax, type or semantic error in a `.pump` model."""


class PropertyError(InputError):
    """A syntax, type or semantic error in a `.req` requirement file."""


class UsageError(InputError):
    """A bad command line (unknown option value, missing file, bad -D)."""


class UnsupportedError(InputError):
    """Valid input that this version cannot check yet (for example a liveness formula)."""


class InternalError(PumpproofError):
    """A bug in pumpproof: an engine result that failed its independent check. Exit code 4."""

    exit_code = 4


class ReplayError(InternalError):
    """A counterexample that does not replay on the model: never shown as a result."""
