"""Characters that hide or rewrite text: the languages refuse them, and every report shows them as escapes.

Control characters move the cursor, clear the screen or set a window title in a terminal; the
bidirectional controls reorder what a reader sees (Trojan Source, CVE-2021-42574); line and
paragraph separators break lines where no editor does; noncharacters, lone surrogates and most
control characters are not allowed in XML 1.0.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Unicode's Bidi_Control characters: marks, embeddings, overrides and isolates."""
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
HIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{BIDI_CONTROLS}{_NONCHARACTERS}]")
"""C0 and C1 controls, DEL, line and paragraph separators, surrogates, bidi controls and noncharacters."""


def visible(text: str) -> str:
    """`text` with every HIDDEN character written as a Python-style escape (`\\x1b`, `\\u202e`), for one line."""
    return HIDDEN.sub(lambda m: _escape(m.group()), text)


def visible_lines(text: str) -> str:
    """Like `visible`, keeping line feeds and tabs: for multi-line texts (formulas, invariants, XML bodies)."""
    return HIDDEN.sub(lambda m: m.group() if m.group() in "\n\t" else _escape(m.group()), text)


_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(c: str) -> str:
    if c in _SHORT:
        return _SHORT[c]
    code = ord(c)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_CONTROL_NAMES = {
    "\x00": "NULL", "\x07": "BELL", "\x08": "BACKSPACE", "\t": "TAB", "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x7f": "DELETE", "\x9b": "CONTROL SEQUENCE INTRODUCER",
}  # fmt: skip
"""Unicode name aliases of the controls most often met (unicodedata has no names for controls)."""


def describe(c: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE), a bidirectional-text control`: what a HIDDEN character is, for messages."""
    name = _CONTROL_NAMES.get(c) or unicodedata.name(c, "")
    return f"U+{ord(c):04X}" + (f" ({name})" if name else "") + f", {_kind(c)}"


def _kind(c: str) -> str:
    if c in BIDI_CONTROLS:
        return "a bidirectional-text control"
    if c in "\u2028\u2029":
        return "a line or paragraph separator"
    category = unicodedata.category(c)
    if category == "Cc":
        return "a control character"
    return "a lone surrogate" if category == "Cs" else "a noncharacter"
