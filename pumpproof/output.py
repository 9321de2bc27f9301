"""Every file pumpproof writes, written one way: never half a file, never through a link, never over a device.

Reports are evidence, so a full disk must not leave a truncated report in place of the previous one,
and a link planted in an output folder must not redirect a write onto the model. A file is written
to a temporary file in its own folder and renamed over the name; that replaces a symbolic link or a
hard link itself and leaves what it pointed at alone. A character device or FIFO (`/dev/null`, a
terminal, a pipe, also through a link) and an open descriptor (`/dev/stdout`, `/dev/fd/N`) are
written to as streams: there is nothing there to replace.

Before any solving, a run's planned outputs are checked against its inputs and each other
(`refuse_clashes`) and for writability (`refuse_unwritable`); after it, `writing` keeps one failed
output from losing the others and the verdict.
"""

from __future__ import annotations

import fcntl
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pumpproof.errors import InputError, UsageError

_DESCRIPTOR = re.compile(r"/(?:dev/fd|proc/self/fd)/(\d+)")
_MAX_LINKS = 40  # Linux's limit on links followed in one lookup (ELOOP)


class OutputError(UsageError):
    """An output that cannot be written, with its path and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}", hint="choose another output location")
        self.path = path
        self.reason = reason


def write_atomically(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path` as its kind requires (see the module); OutputError if it cannot."""
    name = os.fspath(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        descriptor = _descriptor(name)
        if descriptor is not None:
            sys.stdout.flush()  # what was printed before comes before the report
            sys.stderr.flush()
            _write_all(descriptor, payload)
        elif _is_stream(name):
            fd = os.open(name, os.O_WRONLY)  # a FIFO waits here for its reader, like a shell redirection
            try:
                _write_all(fd, payload)
            finally:
                os.close(fd)
        else:
            _replace(name, payload)
    except OSError as err:
        raise OutputError(name, err.strerror or str(err)) from None


def check_writable(path: str | os.PathLike[str]) -> None:
    """OutputError now, before any solving, if `path` could not be written later.

    A folder is probed with a real file (created and removed): permission bits say nothing to root.
    """
    name = os.fspath(path)
    try:
        descriptor = _descriptor(name)
        if descriptor is not None:
            if fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
                raise OutputError(name, "the descriptor is open for reading only")
        elif _is_stream(name):
            if not os.access(name, os.W_OK):
                raise OutputError(name, "permission denied")
        else:
            fd, probe = tempfile.mkstemp(dir=_existing_folder(name), prefix=".pumpproof-probe-")
            os.close(fd)
            os.unlink(probe)
    except OSError as err:
        raise OutputError(name, err.strerror or str(err)) from None


def _is_stream(path: str) -> bool:
    """A character device or FIFO, or a link to one; OutputError for what is no file at all (a block device, a socket).

    Any other link is not followed: it is replaced, and its target never written.
    """
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            mode = os.stat(path).st_mode
            if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
                return False
    except OSError:  # nothing there yet, or a dangling link: a name to create or replace
        return False
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise OutputError(path, f"it is {'a block device' if stat.S_ISBLK(mode) else 'a socket'}, not a file")
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _descriptor(path: str) -> int | None:
    """The descriptor number `path` names (/dev/stdout, /dev/fd/N, /proc/self/fd/N, a link to one), if any."""
    name = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        match = _DESCRIPTOR.fullmatch(name)
        if match:
            return int(match[1])
        if not os.path.islink(name):
            return None
        name = os.path.normpath(os.path.join(os.path.dirname(name), os.readlink(name)))
    return None


def _replace(path: str, payload: bytes) -> None:
    """A temporary file in `path`'s folder, synced, given the umask's permissions, renamed over `path`."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".pumpproof-", suffix=".tmp")
    try:
        try:
            _write_all(fd, payload)
            os.fsync(fd)  # the data is on disk before the name points at it
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would hide a report from its readers
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _write_all(fd: int, payload: bytes) -> None:
    """Write every byte (a pipe or a signal may take fewer per call)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def _existing_folder(path: str) -> str:
    """The folder `path` will be created in, or its nearest ancestor that exists (folders are made on writing)."""
    folder = os.path.dirname(os.path.abspath(path))
    while not os.path.lexists(folder):
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise OutputError(path, f"{folder} is not a directory")
    return folder


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- planning a run's outputs


@dataclass(frozen=True)
class Requested:
    """The outputs a run was asked for, by flag (None where the flag was not given)."""

    json: str | None = None
    junit: str | None = None
    sarif: str | None = None
    report: str | None = None
    graph_dir: str | None = None
    graph_format: str = "svg"
    certificates: str | None = None
    certificates_flag: str = "--certificates"

    def planned(
        self, ids: Sequence[str], inputs: Sequence[str], charts: bool = False
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Every file and every folder the run may write, as (flag, path) pairs: `ids` name the requirements
        (a graph each, and with `charts`, a composed model's, a message-sequence chart `<id>.msc.svg` each),
        `inputs` the files read (a certificate bundle beside them must not take their names)."""
        given: list[tuple[str, str | None]] = [("--json", self.json), ("--junit", self.junit), ("--sarif", self.sarif)]
        files = [(flag, path) for flag, path in given if path]
        folders: list[tuple[str, str]] = []
        if self.report:
            folders.append(("--report", self.report))
            files.append(("--report", os.path.join(self.report, "index.html")))
        if self.graph_dir:
            folders.append(("--graph-dir", self.graph_dir))
            graphs = {os.path.join(self.graph_dir, f"{i}.{self.graph_format}"): i for i in ids}
            files += [("--graph-dir", path) for path in graphs]
            if charts:
                for i in ids:
                    path = os.path.join(self.graph_dir, f"{i}.msc.svg")
                    if path in graphs:
                        raise UsageError(
                            f"--graph-dir: the chart of {i} and the graph of {graphs[path]} would both be {path}",
                            hint="rename one of the requirements, or choose another --graph-format",
                        )
                    files.append(("--graph-dir", path))
        if self.certificates:
            flag = self.certificates_flag
            folders.append((flag, self.certificates))
            files.append((flag, os.path.join(self.certificates, "manifest.json")))
            # the obligations' file names are known only after solving; none of them can be an input
            files += [(flag, p) for p in inputs if p.endswith(".smt2") and same_dir(p, self.certificates)]
        return files, folders


def refuse_clashes(files: list[tuple[str, str]], folders: list[tuple[str, str]], inputs: Sequence[str]) -> None:
    """UsageError, before any solving, if an output would overwrite an input, another output, or is the wrong kind."""
    given = {os.path.realpath(p): p for p in inputs}
    writers = {os.path.realpath(path): flag for flag, path in folders}
    for flag, path in folders:
        if os.path.realpath(path) in given:
            raise UsageError(f"{flag} {path} would overwrite an input file", hint="choose another output directory")
        if os.path.exists(path) and not os.path.isdir(path):
            raise UsageError(f"{flag} {path} is a file, not a directory", hint="choose another output directory")
    for flag, path in files:
        real = os.path.realpath(path)
        if real in given:
            raise UsageError(f"{flag} {path} would overwrite an input file", hint="choose another output path")
        if os.path.isdir(path):
            raise UsageError(f"{flag} {path} is a directory", hint="give a file name")
        if real in writers and writers[real] != flag:
            raise UsageError(
                f"{writers[real]} and {flag} would both write {path}", hint="give each output its own path"
            )
        writers[real] = flag


def same_dir(path: str, folder: str) -> bool:
    """True when `path` is a file directly inside `folder`."""
    return os.path.realpath(os.path.dirname(os.path.abspath(path))) == os.path.realpath(folder)


def refuse_unwritable(files: list[tuple[str, str]]) -> None:
    """UsageError, before any solving, if an output's folder (or device) cannot be written."""
    for flag, path in files:
        try:
            check_writable(path)
        except OutputError as err:
            raise UsageError(f"{flag}: {err.message}", hint=err.hint) from None


@contextmanager
def writing(flag: str, unwritten: list[UsageError]) -> Iterator[None]:
    """Record a failed output in `unwritten` instead of raising, so the other outputs and the verdict survive it."""
    try:
        yield
    except InputError as err:  # a file that cannot be written, or graphviz missing
        unwritten.append(UsageError(f"{flag}: {err.message}", hint=err.hint))
