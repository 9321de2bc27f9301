"""`check -j N`: requirements decided in forked workers, in the same order and with the same verdicts, their
engines bounded by shared slots."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from pumpproof import cli
from pumpproof.errors import UsageError
from pumpproof.exits import EXIT_USAGE
from pumpproof.verify import portfolio, slots, workers
from tests.helpers import MODELS, PROPERTIES

RECALLED = str(MODELS / "spectrum_recalled.pump")
REQS = str(PROPERTIES / "upstream_occlusion.req")


def _square(n: int) -> int:
    if n == 3:
        time.sleep(0.2)  # finishes last: the order of results is the items', not the workers'
    return n * n


def _refuse(n: int) -> int:
    if n == 2:
        raise UsageError(f"item {n} refused", hint="a hint survives the trip")
    return n


def test_results_come_in_the_items_order() -> None:
    done: list[int] = []
    assert workers.ordered(_square, [1, 2, 3, 4, 5], 2, done.append) == [1, 4, 9, 16, 25]
    assert sorted(done) == [0, 1, 2, 3, 4]
    assert workers.ordered(_square, [3, 4], 1) == [9, 16]
    assert workers.ordered(_square, [1, 2, 3, 4, 5], 2, fixed=True) == [1, 4, 9, 16, 25]


def test_a_task_error_is_raised_in_the_parent_with_its_type() -> None:
    with pytest.raises(UsageError, match="item 2 refused") as err:
        workers.ordered(_refuse, [1, 2, 3], 2)
    assert err.value.hint == "a hint survives the trip"
    assert slots.SHARED is None  # the run's slots are gone with it


def test_slots_are_held_whole_and_given_back() -> None:
    shared = slots.EngineSlots(4)
    inside: list[int] = []
    alive = 0
    lock = threading.Lock()

    def question(engines: int) -> None:
        nonlocal alive
        with shared.held(engines):
            with lock:
                alive += engines
                inside.append(alive)
            time.sleep(0.05)
            with lock:
                alive -= engines

    threads = [threading.Thread(target=question, args=(n,)) for n in (4, 2, 2, 1, 4, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert max(inside) <= 4 and len(inside) == 6
    with shared.held(9):  # a question wider than the run's slots takes them all, and still runs
        pass


def test_a_slot_limit_never_below_one_portfolio() -> None:
    assert slots.limit(1) == slots.WIDEST_PORTFOLIO and slots.limit(16) == 16
    assert len(portfolio.ENGINES) == slots.WIDEST_PORTFOLIO  # `auto` races every safety engine


def test_the_api_refuses_fewer_than_one_job() -> None:
    import pumpproof

    with pytest.raises(UsageError, match="jobs must be at least 1"):
        pumpproof.check(pumpproof.load_model(RECALLED), [], jobs=0)


@pytest.mark.parametrize("jobs", ["0", "-1", "x"])
def test_jobs_must_be_positive(jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", RECALLED, REQS, f"--jobs={jobs}"]) == EXIT_USAGE
    assert "expected a positive whole number of processes" in capsys.readouterr().err


def _verdicts(path: Path) -> list[tuple[str, str]]:
    return [(r["id"], r["verdict"]) for r in json.loads(path.read_text())["results"]]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["check", "certify"])
def test_one_and_two_jobs_give_the_same_verdicts_in_the_same_order(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = []
    for jobs in ("1", "2"):
        out = ["--out", str(tmp_path / f"certs{jobs}")] if command == "certify" else []
        argv = [command, RECALLED, REQS, "-j", jobs, "--json", str(tmp_path / f"{jobs}.json"), *out]
        codes.append(cli.main(argv))
    capsys.readouterr()
    assert codes == [1, 1]
    one, two = _verdicts(tmp_path / "1.json"), _verdicts(tmp_path / "2.json")
    assert one == two
    assert ("UO-LEVEL", "VIOLATED") in one and ("UO-EDGE", "PROVED") in one
