"""The Python API of README.md, run as written, and the requirement constructor."""

from __future__ import annotations

import contextlib
import io
import os
import re

import pytest

import pumpproof
from pumpproof import InputError, Verdict, check, load_model, requirement
from tests.helpers import ROOT

MODEL = str(ROOT / "models" / "spectrum_recalled.pump")


def _readme_example() -> str:
    section = (ROOT / "README.md").read_text().split("### From Python", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "README.md has no Python example under 'From Python'"
    return found[1]


@pytest.mark.slow
def test_the_readme_example_prints_a_verdict_for_every_requirement_and_finds_the_recall() -> None:
    code = _readme_example()
    assert len(code.strip().splitlines()) <= 6
    out = io.StringIO()
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    finally:
        os.chdir(here)
    rows = dict(line.split(" ") for line in out.getvalue().splitlines())
    text = (ROOT / "properties" / "upstream_occlusion.req").read_text()
    assert set(rows) == {"MODEL.TIME", *re.findall(r"^requirement (\S+)", text, re.MULTILINE)}
    assert rows["UO-LEVEL"] == "VIOLATED" and rows["UO-EDGE"] == "PROVED"  # the recall: level form fails


def test_everything_the_api_names_exists() -> None:
    assert all(hasattr(pumpproof, name) for name in pumpproof.__all__)


def test_a_requirement_built_in_python_is_checked_like_a_file() -> None:
    system = load_model(MODEL)
    holds = requirement(system, "PY-1", "always (alarm_up -> alarm_up)", text="a tautology", source="test")
    fails = requirement(system, "PY-2", "never alarm_up", text="the alarm never sounds", source="test")
    outcomes = check(system, [holds, fails], timeout_s=30, deterministic=True)
    verdicts = {o.requirement.id: o.result.verdict for o in outcomes}
    assert verdicts["PY-1"] is Verdict.PROVED and verdicts["PY-2"] is Verdict.VIOLATED
    assert holds.formula_text == "always (alarm_up -> alarm_up)" and holds.source == "test"


@pytest.mark.parametrize(
    ("rid", "formula", "text", "where"),
    [
        ("PY-1", "always (alarm_up and 3)", "t", "<requirement PY-1>:1:22"),
        ("PY-1", "always (no_such_thing)", "t", "<requirement PY-1>:1:9"),
        ("PY 1", "always true", "t", None),
        ("PY-1", "always true", "two\nlines", None),
        ("PY-1", "always true", "", None),
        ("MODEL.X", "always true", "t", None),
    ],
)
def test_a_bad_requirement_from_python_is_an_input_error_that_says_where(
    rid: str, formula: str, text: str, where: str | None
) -> None:
    with pytest.raises(InputError) as info:
        requirement(load_model(MODEL), rid, formula, text=text, source="test")
    if where is not None:
        assert str(info.value.location) == where
