"""`FileLogStore`: append-only files under CONVEYOR_HOME/logs, never database rows.

Layout: `logs/<run>/<attempt>/<job>/job.log` (the job's own lines) and, for all of the job's
steps, `steps.log` with its segment index `steps.idx` (see job_log.py: one file pair per job
instead of one file per step, which a 100-step job paid for with 100 file creations). Runs
recorded before that have `step-NNN.log` files (0-based step index); they are still read.
Appends are single `write(2)` calls on O_APPEND descriptors, so a reader following a log sees
whole lines; offsets are byte offsets within the step's (or the job's) own log. Each log is capped
(`max_bytes`): the first line that would cross the cap is replaced by a truncation marker and
later lines are dropped.
"""

from __future__ import annotations

import codecs
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote, unquote

from conveyor.engine.ports.store import LogChunk, LogKey
from conveyor.private_files import private_directory, write_private
from conveyor.store.digests import sha256_hex
from conveyor.store.job_log import DATA_FILE, JobStepsWriter, read_index, read_step

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
MARKER = "[conveyor] log truncated: this step wrote more than {size} bytes; the rest was dropped\n"
KEY_FILE = "instance-key"
MAX_NAME = 120


@dataclass
class _OpenLog:
    fd: int
    size: int
    truncated: bool


class FileLogStore:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._open: dict[LogKey, _OpenLog] = {}  # job logs
        self._steps: dict[Path, JobStepsWriter] = {}  # by job directory
        self._made: set[Path] = set()  # job directories known to exist
        self._lock = threading.Lock()
        self._dirs: dict[tuple[int, int, str], Path] = {}  # job_dir's answers: made once

    def path(self, key: LogKey) -> Path:
        """The file that holds `key`'s lines (a step's: its job's `steps.log`)."""
        name = "job.log" if key.step is None else DATA_FILE
        return self.job_dir(key.run_id, key.attempt, key.instance_key) / name

    def job_dir(self, run_id: int, attempt: int, instance_key: str) -> Path:
        """The job's folder (asked for every burst of lines: remembered, not joined again)."""
        key = (run_id, attempt, instance_key)
        directory = self._dirs.get(key)
        if directory is None:
            directory = self.root / str(run_id) / str(attempt) / job_dir_name(instance_key)
            self._dirs[key] = directory
        return directory

    def append(self, key: LogKey, text: str) -> int:
        """Append `text`; return the file's size afterwards."""
        data = text.encode("utf-8", "replace")
        with self._lock:
            if key.step is not None:
                return self._append_step(key, key.step, data)
            log = self._open.get(key) or self._open_log(key)
            if log.truncated:
                return log.size
            if log.size + len(data) > self.max_bytes:
                data = self._cut(data, self.max_bytes - log.size, self.max_bytes)
                log.truncated = True
            os.write(log.fd, data)
            log.size += len(data)
            return log.size

    def _append_step(self, key: LogKey, step: int, data: bytes) -> int:
        directory = self.job_dir(key.run_id, key.attempt, key.instance_key)
        writer = self._steps.get(directory) or self._open_steps(directory, key.instance_key)
        size = writer.sizes.get(step, 0)
        if step in writer.cut or not data:
            return size
        cut = size + len(data) > self.max_bytes
        if cut:
            data = self._cut(data, self.max_bytes - size, self.max_bytes)
        return writer.append(step, data, cut)

    def prepare_job(self, run_id: int, attempt: int, instance_key: str) -> None:
        """Make a starting job's step files now, while the disk has room (job_log.RESERVE)."""
        directory = self.job_dir(run_id, attempt, instance_key)
        with self._lock:
            if directory not in self._steps:
                self._open_steps(directory, instance_key)

    def _open_steps(self, directory: Path, instance_key: str) -> JobStepsWriter:
        if directory not in self._made:
            self._make_dir(directory, instance_key)
        writer = self._steps[directory] = JobStepsWriter(directory)
        return writer

    @staticmethod
    def _cut(data: bytes, room: int, cap: int | None = None) -> bytes:
        """The whole lines of `data` that fit in `room` bytes, then the truncation marker."""
        kept = data[: max(room, 0)]
        kept = kept[: kept.rfind(b"\n") + 1]
        return kept + ("\n" + MARKER.format(size=cap)).encode() if cap else kept

    def _open_log(self, key: LogKey) -> _OpenLog:
        path = self.path(key)  # the job's own log
        if path.parent not in self._made:
            self._make_dir(path.parent, key.instance_key)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        size = os.fstat(fd).st_size
        log = _OpenLog(fd, size, size > 0 and ends_with_marker(path, size))
        self._open[key] = log
        return log

    def _make_dir(self, directory: Path, instance_key: str) -> None:
        private_directory(directory)
        if quote(instance_key, safe="") != directory.name:
            write_private(directory / KEY_FILE, instance_key)
        self._made.add(directory)

    def read(self, key: LogKey, offset: int = 0, limit: int | None = None) -> LogChunk:
        """Text from byte `offset` (at most `limit` bytes), cut before an incomplete character."""
        if key.step is not None:
            directory = self.job_dir(key.run_id, key.attempt, key.instance_key)
            index = read_index(directory)
            if index is not None and key.step in index.segments:
                data = read_step(directory, index, key.step, offset, limit)
                return _chunk(data, offset, index.size(key.step), index.cut(key.step))
            return self._read_file(_legacy_path(directory, key.step), offset, limit)
        return self._read_file(self.path(key), offset, limit)

    def _read_file(self, path: Path, offset: int, limit: int | None) -> LogChunk:
        try:
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read() if limit is None else handle.read(limit)
                size = os.fstat(handle.fileno()).st_size
        except FileNotFoundError:
            return LogChunk("", offset, offset)
        chunk = _chunk(data, offset, size, size > 0)
        if chunk.truncated and not ends_with_marker(path, size):  # only at the end of the log
            return replace(chunk, truncated=False)
        return chunk

    def keys(self, run_id: int, attempt: int, instance_key: str | None = None) -> list[LogKey]:
        """The logs of an attempt (of one job), job log first, then steps in order."""
        base = self.root / str(run_id) / str(attempt)
        if instance_key is not None:
            dirs = [self.job_dir(run_id, attempt, instance_key)]
        else:
            dirs = sorted(base.iterdir()) if base.is_dir() else []
        found: list[LogKey] = []
        for directory in dirs:
            if directory.is_dir():
                found.extend(_logs_in(directory, run_id, attempt))
        return found

    def close(self, key: LogKey) -> None:
        """A step's log: nothing to do (its job's file stays open for the next step); the job's
        own log: closes it and the job's step files."""
        if key.step is not None:
            return
        with self._lock:
            log = self._open.pop(key, None)
            steps = self._steps.pop(self.job_dir(key.run_id, key.attempt, key.instance_key), None)
        if log is not None:
            os.close(log.fd)
        if steps is not None:
            steps.close()

    def close_all(self) -> None:
        with self._lock:
            logs, self._open = list(self._open.values()), {}
            writers, self._steps = list(self._steps.values()), {}
        for log in logs:
            os.close(log.fd)
        for writer in writers:
            writer.close()


def job_dir_name(instance_key: str) -> str:
    """A file-system-safe, reversible name; long keys are shortened with a hash."""
    name = quote(instance_key, safe="")
    if len(name) <= MAX_NAME:
        return name
    digest = sha256_hex(instance_key.encode())[:16]
    return f"{name[:80]}-{digest}"


def _chunk(data: bytes, offset: int, size: int, truncated: bool) -> LogChunk:
    """`data` read from `offset` of a log of `size` bytes, cut before an incomplete character."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    text = decoder.decode(data, final=False)
    pending = len(decoder.getstate()[0])
    end = offset + len(data) - pending
    return LogChunk(text, offset, end, end >= size and truncated)


def _legacy_path(directory: Path, step: int) -> Path:
    """Where runs recorded before the one-file-per-job layout kept a step's log."""
    return directory / f"step-{step:03d}.log"


def _logs_in(directory: Path, run_id: int, attempt: int) -> list[LogKey]:
    key_file = directory / KEY_FILE
    instance = key_file.read_text("utf-8") if key_file.exists() else unquote(directory.name)
    index = read_index(directory)
    legacy = {
        int(path.stem.removeprefix("step-"))
        for path in directory.glob("step-*.log")
        if path.stem.removeprefix("step-").isdigit()
    }
    steps = sorted(legacy | set(index.segments if index is not None else ()))
    head = [LogKey(run_id, attempt, instance)] if (directory / "job.log").exists() else []
    return head + [LogKey(run_id, attempt, instance, step) for step in steps]


def ends_with_marker(path: Path, size: int) -> bool:
    tail = len(MARKER) + 32
    with path.open("rb") as handle:
        handle.seek(max(0, size - tail))
        return b"[conveyor] log truncated:" in handle.read()
