"""The exception hierarchy. The CLI formats all of them in one place (`pumpproof.cli`)."""

from __future__ import annotations

from pumpproof.lang.characters import visible
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
        """`file:line:col: error: message`, the offending line, a caret under the column, and the hint.

        Every part is shown with hidden characters escaped: file names, messages and source lines may
        carry terminal escape sequences (the message about such a character quotes its line).
        """
        lines = []
        if self.location is None:
            lines.append(f"error: {visible(self.message)}")
        else:
            loc = self.location
            lines.append(f"{visible(str(loc))}: error: {visible(self.message)}")
            if loc.line_text:
                text = loc.line_text.rstrip("\n").expandtabs(1)
                lines.append(f"  {visible(text)}")
                lines.append("  " + " " * len(visible(text[: max(loc.col - 1, 0)])) + "^")
        if self.hint:
            lines.append(f"  hint: {visible(self.hint)}")
        return "\n".join(lines)


class ModelError(InputError):
    """A syntax, type or semantic error in a `.pump` model."""


class PropertyError(InputError):
    """A syntax, type or semantic error in a `.req` requirement file."""


class UsageError(InputError):
    """A bad command line (unknown option value, missing file, bad -D)."""


class UnsupportedError(InputError):
    """Valid input that this version cannot check yet (for example a liveness formula)."""


class TooManyStates(PumpproofError):
    """An enumeration beyond its limit (reachable states, clock values, input valuations): nothing is wrong with
    the input, the question is only too big to enumerate. Exit code 3, like any question left undecided."""

    exit_code = 3

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InternalError(PumpproofError):
    """A bug in pumpproof: an engine result that failed its independent check. Exit code 4."""

    exit_code = 4


class ReplayError(InternalError):
    """A counterexample that does not replay on the model: never shown as a result."""
