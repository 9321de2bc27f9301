"""Every file in broken/ must fail with the error its first line announces: `// expect: LINE:COL: message part`."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pumpproof.errors import InputError, ModelError, PropertyError, UsageError
from pumpproof.lang.characters import HIDDEN, visible
from pumpproof.lang.load import load_model, load_requirements, parse_model_text, parse_requirements_text

HERE = Path(__file__).parent
BROKEN = sorted((HERE / "broken").iterdir())
EXAMPLE = HERE / "examples" / "spectrum.pump"


def test_there_are_enough_broken_files() -> None:
    assert len(BROKEN) >= 30
    assert {p.suffix for p in BROKEN} == {".pump", ".req"}


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_file_reports_expected_error(path: Path) -> None:
    m = re.fullmatch(r"// expect: (\d+):(\d+): (.+)", path.read_text().splitlines()[0])
    assert m, f"{path.name} lacks an expect line"
    line, col, message = int(m[1]), int(m[2]), m[3]
    with pytest.raises(InputError) as info:
        if path.suffix == ".pump":
            load_model(str(path))
        else:
            load_requirements(str(path), load_model(str(EXAMPLE)))
    err = info.value
    assert isinstance(err, ModelError if path.suffix == ".pump" else PropertyError)
    assert message in err.message
    assert err.location is not None
    assert (err.location.file, err.location.line, err.location.col) == (str(path), line, col)
    rendered = err.render().split("\n")
    assert rendered[0] == f"{path}:{line}:{col}: error: {err.message}"
    # The line is echoed with hidden characters escaped, and the caret counts the escapes.
    source = path.read_bytes().decode("utf-8").split("\n")[line - 1].removesuffix("\r").expandtabs(1)
    assert rendered[1].strip() == visible(source).strip()
    assert rendered[2] == "  " + " " * len(visible(source[: col - 1])) + "^"


def test_unknown_override_lists_the_constants() -> None:
    with pytest.raises(UsageError) as info:
        load_model(str(EXAMPLE), {"T_DETECT": "5"})
    assert "no constant 'T_DETECT'; did you mean 'T_DETECT_MS'?" in info.value.message
    assert info.value.hint is not None and "T_DETECT_MS, CHANNELS, T_HALF_MS" in info.value.hint


@pytest.mark.parametrize("value", ["5.5", "five", "true", ""])
def test_override_must_be_an_integer(value: str) -> None:
    with pytest.raises(UsageError, match="integer constant"):
        load_model(str(EXAMPLE), {"T_DETECT_MS": value})


def test_bool_override_must_be_a_bool() -> None:
    with pytest.raises(UsageError, match="bool constant"):
        parse_model_text("const DEBUG = false", "m.pump", {"DEBUG": "1"})


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read model file"):
        load_model(str(tmp_path / "absent.pump"))
    with pytest.raises(UsageError, match="cannot read requirements file"):
        load_requirements(str(tmp_path), load_model(str(EXAMPLE)))


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.pump"
    path.write_bytes(b"var ok: bool\n// caf\xe9\n")
    with pytest.raises(ModelError) as info:
        load_model(str(path))
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.col) == (2, 7)


def test_deep_nesting_is_an_input_error() -> None:
    with pytest.raises(ModelError, match="nested too deeply"):
        parse_model_text("var b: bool\ninvariant " + "not (" * 2000 + "b" + ")" * 2000, "m.pump")


# ---------------------------------------------------------------- robustness

VALID_MODEL = EXAMPLE.read_text()
VALID_REQS = (HERE / "examples" / "spectrum.req").read_text()
TOKENS = ["var", "x", ":", "0..3", "=", ":=", "(", ")", "[", "]", "->", "and", "not", "if", "then", "else", "clock",
          "transition", "when", "do", ";", "1", "true", '"', "any", "in", "..", "requirement", "always", "within",
          "fired", "{", "}", ",", "\n", "//", "-", "*", "/", "%", "==", "<=", "@", "#"]  # fmt: skip


def _mutate(text: str, data: st.DataObject) -> str:
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 12))
        text = text[:at] + data.draw(st.sampled_from(["", *TOKENS])) + text[at + cut :]
    return text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_garbage_raises_only_input_errors(text: str) -> None:
    with contextlib.suppress(InputError):
        system = parse_model_text(text, "g.pump")
        parse_requirements_text(text, "g.req", system)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_model_raises_only_input_errors(data: st.DataObject) -> None:
    with contextlib.suppress(InputError):
        parse_model_text(_mutate(VALID_MODEL, data), "m.pump")


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_requirements_raise_only_input_errors(data: st.DataObject) -> None:
    system = parse_model_text(VALID_MODEL, "m.pump")
    with contextlib.suppress(InputError):
        parse_requirements_text(_mutate(VALID_REQS, data), "r.req", system)


HIDDEN_CHARACTERS = ["\x00", "\x07", "\x1b", "\t", "\r", "\n", "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\u2028",
                     "\ufffe", "\U0010ffff"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_hidden_characters_reach_neither_a_text_nor_an_error_message(data: st.DataObject) -> None:
    """A control or bidi character anywhere in a file is refused (with an escaped message) or is layout."""
    system = parse_model_text(VALID_MODEL, "m.pump")
    at = data.draw(st.integers(0, len(VALID_REQS)))
    text = VALID_REQS[:at] + data.draw(st.sampled_from(HIDDEN_CHARACTERS)) + VALID_REQS[at:]
    try:
        reqs = parse_requirements_text(text, "r.req", system)
    except InputError as err:
        assert not HIDDEN.search(err.render().replace("\n", ""))
    else:
        assert not any(HIDDEN.search(r.text + r.source) for r in reqs.requirements)
