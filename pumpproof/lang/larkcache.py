"""LALR parsers whose tables are kept between runs: building them takes longer than most checks."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import lark


def build(grammar: str, name: str, **options: object) -> lark.Lark:
    """A LALR parser for `grammar`, its tables cached in the user's own cache directory (a private folder, not
    the shared temporary one: lark loads the file with pickle). Lark re-checks the grammar's hash on loading
    and rebuilds on a mismatch or a damaged file; without a writable cache directory it simply builds."""
    folder = _folder()
    if folder is None:
        return lark.Lark(grammar, parser="lalr", **options)
    key = f"{grammar}{sorted(options.items())}{lark.__version__}{sys.version_info[:2]}"
    path = folder / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.lark"
    return lark.Lark(grammar, parser="lalr", cache=str(path), **options)


def _folder() -> Path | None:
    """`$XDG_CACHE_HOME/pumpproof` (default `~/.cache/pumpproof`), created readable by its owner only."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "pumpproof"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None
