"""Writing outputs: never through a link, never over a device, never half a report; the verdict survives a failure."""

from __future__ import annotations

import errno
import json
import os
import resource
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pumpproof import cli, output
from pumpproof.commands import check as check_command
from pumpproof.errors import UsageError
from pumpproof.output import OutputError, check_writable, refuse_clashes, write_atomically, writing
from pumpproof.verify import independent
from tests.helpers import MODELS, PROPERTIES

CORRECTED = MODELS / "spectrum_corrected.pump"
RECALLED = MODELS / "spectrum_recalled.pump"
REQS = str(PROPERTIES / "upstream_occlusion.req")
VIOLATED_LEVEL = ("--only", "UO-LEVEL", "--engine", "bmc")  # one requirement, violated on RECALLED, quickly


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def leftovers(folder: Path) -> list[str]:
    """Temporary files a write left behind."""
    return [p.name for p in folder.rglob(".pumpproof-*")]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A copy of the recalled model that a test may link to."""
    path = tmp_path / "model.pump"
    path.write_text(RECALLED.read_text())
    return path


@pytest.fixture(params=[0o022, 0o077])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def no_space(fd: int, payload: bytes) -> None:
    """What a full disk does: half the bytes land, then ENOSPC."""
    os.write(fd, payload[: len(payload) // 2])
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# ---------------------------------------------------------------- write_atomically


def test_a_hard_link_is_broken_not_written_through(tmp_path: Path, model: Path) -> None:
    before = model.read_bytes()
    name = tmp_path / "index.html"
    os.link(model, name)
    write_atomically(name, "<html>")
    assert name.read_text() == "<html>" and model.read_bytes() == before
    assert model.stat().st_nlink == 1


def test_a_symbolic_link_is_replaced_and_its_target_left_alone(tmp_path: Path, model: Path) -> None:
    before = model.read_bytes()
    link, dangling = tmp_path / "r.json", tmp_path / "gone.json"
    link.symlink_to(model)
    dangling.symlink_to(tmp_path / "nowhere")
    write_atomically(link, "{}")
    write_atomically(dangling, "{}")
    assert not link.is_symlink() and link.read_text() == "{}" and model.read_bytes() == before
    assert not dangling.is_symlink() and not (tmp_path / "nowhere").exists()


def test_character_devices_fifos_and_descriptors_are_streams(tmp_path: Path) -> None:
    write_atomically("/dev/null", "{}")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    (tmp_path / "to-fifo").symlink_to(fifo)
    write_atomically(tmp_path / "to-fifo", "through a link to a FIFO")
    reader.join(timeout=10)
    assert received == [b"through a link to a FIFO"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    read_end, write_end = os.pipe()
    try:
        write_atomically(f"/dev/fd/{write_end}", b"to a descriptor")
        assert os.read(read_end, 100) == b"to a descriptor"
    finally:
        os.close(read_end)
        os.close(write_end)
    assert leftovers(tmp_path) == []


def test_a_full_disk_keeps_the_previous_file_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = tmp_path / "index.html"
    previous.write_text("the previous report")
    monkeypatch.setattr(output, "_write_all", no_space)
    with pytest.raises(OutputError, match=f"cannot write {previous}: No space left on device"):
        write_atomically(previous, "the new report, longer than the space left")
    assert previous.read_text() == "the previous report" and leftovers(tmp_path) == []


def test_files_get_the_permissions_the_umask_gives(tmp_path: Path, umask: int) -> None:
    fresh, existing = tmp_path / "new.json", tmp_path / "old.json"
    existing.write_text("")
    existing.chmod(0o600)
    for path in (fresh, existing):
        write_atomically(path, "{}")
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_what_cannot_be_written_is_refused_before_solving(tmp_path: Path) -> None:
    check_writable(tmp_path / "new" / "deeper" / "r.json")  # folders are made on writing
    check_writable("/dev/null")
    assert list(tmp_path.iterdir()) == []  # the probe leaves nothing behind
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with pytest.raises(OutputError, match="is not a directory"):
        check_writable(not_a_folder / "r.json")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock"))
        with pytest.raises(OutputError, match="a socket, not a file"):
            write_atomically(tmp_path / "sock", "{}")
    fd = os.open(not_a_folder, os.O_RDONLY)
    try:
        with pytest.raises(OutputError, match="reading only"):
            check_writable(f"/dev/fd/{fd}")
    finally:
        os.close(fd)


# ---------------------------------------------------------------- the command line


@pytest.mark.slow
def test_no_output_writes_through_a_link_into_the_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model: Path
) -> None:
    before = model.read_bytes()
    report, graphs = tmp_path / "report", tmp_path / "graphs"
    report.mkdir()
    graphs.mkdir()
    os.link(model, report / "index.html")
    os.link(model, graphs / "UO-LEVEL.svg")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not an input either")
    (tmp_path / "r.sarif").symlink_to(elsewhere)
    code, _, _ = run(capsys, "check", str(model), REQS, *VIOLATED_LEVEL, "--report", str(report),
                     "--graph-dir", str(graphs), "--sarif", str(tmp_path / "r.sarif"))  # fmt: skip
    assert code == 1 and model.read_bytes() == before and elsewhere.read_text() == "not an input either"
    assert "UO-LEVEL" in (report / "index.html").read_text() and (graphs / "UO-LEVEL.svg").read_bytes() != before
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"


def test_certificates_are_not_written_through_links(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model: Path
) -> None:
    model.write_text(CORRECTED.read_text())
    before = model.read_bytes()
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / "UO-LEVEL.safety.smt2").symlink_to(model)
    os.link(model, certs / "UO-LEVEL.initiation.smt2")
    os.link(model, certs / independent.MANIFEST)
    code, _, _ = run(capsys, "check", str(model), REQS, "--only", "UO-LEVEL", "--certificates", str(certs))
    assert code == 0 and model.read_bytes() == before
    assert (certs / "UO-LEVEL.safety.smt2").read_text().startswith("(set-logic")
    assert not (certs / "UO-LEVEL.safety.smt2").is_symlink()
    assert json.loads((certs / independent.MANIFEST).read_text())["schema"] == independent.SCHEMA


def test_json_to_dev_null_and_to_a_link_to_dev_stdout(tmp_path: Path) -> None:
    to_stdout = tmp_path / "result.json"
    to_stdout.symlink_to("/dev/stdout")
    command = [sys.executable, "-m", "pumpproof", "check", str(CORRECTED), REQS, "--only", "UO-LEVEL"]
    piped = subprocess.run([*command, "--json", str(to_stdout)], capture_output=True, text=True, check=False)
    assert piped.returncode == 0 and '"schema": "pumpproof-result/1"' in piped.stdout
    assert to_stdout.is_symlink()
    captured = tmp_path / "stdout.txt"
    with captured.open("w") as stdout:  # /dev/stdout is a regular file now: still written, never replaced
        done = subprocess.run([*command, "--json", "/dev/stdout", "--sarif", "/dev/null"], stdout=stdout, check=False)
    text = captured.read_text()
    assert done.returncode == 0 and text.index("UO-LEVEL") < text.index('"schema": "pumpproof-result/1"')
    assert os.path.islink("/dev/stdout") and stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.slow
def test_a_file_size_limit_keeps_the_previous_report_and_the_violated_exit_code(tmp_path: Path, model: Path) -> None:
    report = tmp_path / "report"
    report.mkdir()
    (report / "index.html").write_text("the previous report")

    def limit_file_size() -> None:  # Python ignores SIGXFSZ, so the write fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))

    done = subprocess.run(
        [sys.executable, "-m", "pumpproof", "check", str(model), REQS, *VIOLATED_LEVEL, "--report", str(report),
         "--json", str(tmp_path / "r.json")],
        capture_output=True, text=True, check=False, preexec_fn=limit_file_size,
    )  # fmt: skip
    assert done.returncode == 1 and "UO-LEVEL VIOLATED" in done.stdout
    assert f"--report: cannot write {report / 'index.html'}: File too large" in done.stderr
    assert "verdict exit 1; writing outputs failed: exit 1" in done.stderr
    assert (report / "index.html").read_text() == "the previous report" and leftovers(tmp_path) == []
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["exit_code"] == 1  # the small one was written


def test_a_failed_write_after_proofs_exits_2_and_says_both(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(output, "_write_all", no_space)
    code, out, err = run(
        capsys, "check", str(CORRECTED), REQS, "--only", "UO-LEVEL", "--json", str(tmp_path / "r.json")
    )
    assert code == 2 and "2 proved, 0 violated" in out
    assert "--json: cannot write" in err and "verdict exit 0; writing outputs failed: exit 2" in err
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_is_refused_before_solving(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(check_command, "check_all", lambda *a, **k: pytest.fail("solved before refusing the output"))
    (tmp_path / "file").write_text("")
    code, _, err = run(capsys, "check", str(CORRECTED), REQS, "--junit", str(tmp_path / "file" / "j.xml"))
    assert code == 2 and "--junit: cannot write" in err and "is not a directory" in err


@pytest.mark.slow
def test_every_output_gets_the_umask_permissions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, umask: int
) -> None:
    outputs = {"--json": "r.json", "--junit": "j.xml", "--sarif": "s.sarif", "--report": "report"}
    flags = [x for flag, name in outputs.items() for x in (flag, str(tmp_path / name))]
    code, _, _ = run(capsys, "check", str(RECALLED), REQS, *VIOLATED_LEVEL, *flags, "--graph-dir", str(tmp_path))
    assert code == 1
    written = [tmp_path / "r.json", tmp_path / "j.xml", tmp_path / "s.sarif", tmp_path / "report" / "index.html"]
    assert {stat.S_IMODE(p.stat().st_mode) for p in [*written, tmp_path / "UO-LEVEL.svg"]} == {0o666 & ~umask}


def test_planned_outputs_may_not_overwrite_inputs_each_other_or_a_folder(tmp_path: Path) -> None:
    model, folder = tmp_path / "m.pump", tmp_path / "out"
    model.write_text("var x: bool")
    folder.mkdir()
    cases = {
        "would overwrite an input file": ([("--json", str(model))], []),
        "is a directory": ([("--json", str(folder))], []),
        "is a file, not a directory": ([], [("--report", str(model.with_suffix(".json")))]),
        "would both write": ([("--json", str(tmp_path / "r")), ("--sarif", str(tmp_path / "r"))], []),
    }
    (tmp_path / "m.json").write_text("{}")
    for message, (files, folders) in cases.items():
        with pytest.raises(UsageError, match=message):
            refuse_clashes(files, folders, [str(model)])
    refuse_clashes([("--json", str(tmp_path / "r.json"))], [("--report", str(folder))], [str(model)])


def test_the_plan_names_every_file_a_run_may_write(tmp_path: Path) -> None:
    """One graph per requirement, the report's index, the bundle's manifest, and an input `.smt2` that a bundle
    beside it could overwrite (only that one: a `.smt2` elsewhere is no clash)."""
    out, certs = str(tmp_path / "report"), str(tmp_path / "certs")
    beside, elsewhere = os.path.join(certs, "R1.smt2"), str(tmp_path / "R1.smt2")
    asked = output.Requested(json="r.json", report=out, graph_dir="g", graph_format="png", certificates=certs)
    files, folders = asked.planned(["R1", "R2"], ["m.pump", beside, elsewhere])
    assert folders == [("--report", out), ("--graph-dir", "g"), ("--certificates", certs)]
    assert files == [
        ("--json", "r.json"),
        ("--report", os.path.join(out, "index.html")),
        ("--graph-dir", os.path.join("g", "R1.png")),
        ("--graph-dir", os.path.join("g", "R2.png")),
        ("--certificates", os.path.join(certs, "manifest.json")),
        ("--certificates", beside),
    ]
    assert output.Requested().planned(["R1"], ["m.pump"]) == ([], [])


def test_a_failed_output_is_recorded_and_the_next_one_still_written(tmp_path: Path) -> None:
    unwritten: list[UsageError] = []
    (tmp_path / "a-file").write_text("not a folder")
    with writing("--json", unwritten):
        write_atomically(tmp_path / "a-file" / "r.json", "{}")
    with writing("--sarif", unwritten):
        write_atomically(tmp_path / "r.sarif", "{}")
    assert [e.message.split(":")[0] for e in unwritten] == ["--json"] and (tmp_path / "r.sarif").exists()
