"""The parser tables kept between runs: a damaged or unwritable cache never changes what is parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pumpproof.lang import larkcache

GRAMMAR = 'start: WORD ("," WORD)*\nWORD: /[a-z]+/\n%ignore " "\n'


def _words() -> list[str]:
    return [str(t) for t in larkcache.build(GRAMMAR, "words").parse("ab, cd").children]


def test_the_tables_are_written_once_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _words() == ["ab", "cd"]
    (cached,) = (tmp_path / "pumpproof").iterdir()
    assert cached.name.startswith("words-") and (tmp_path / "pumpproof").stat().st_mode & 0o077 == 0
    assert _words() == ["ab", "cd"]


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _words()
    (cached,) = (tmp_path / "pumpproof").iterdir()
    cached.write_bytes(cached.read_bytes()[:65] + b"\x00garbage")  # the grammar's hash line, then no pickle
    assert _words() == ["ab", "cd"]


def test_no_cache_directory_means_building_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _words() == ["ab", "cd"]
