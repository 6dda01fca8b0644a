"""One job's step logs in one file pair: `steps.log` and its index `steps.idx`.

`steps.log` holds the bytes of every step of the job in the order the recorder wrote them (one
`write(2)` per step and burst). `steps.idx` has one line per such write, a segment:
`<step> <start> <end> <flag>\\n` — the byte range `[start, end)` of `steps.log` belongs to step
`<step>`; the flag is `.` or `t` (the step reached its size cap with this segment). A step's log
is the concatenation of its segments; its offsets count the step's own bytes.

Crash safety: the data is written before its index line, so every indexed range is on disk when
a reader sees it. A killed run can leave bytes no line indexes (never shown) and, on a full disk,
a last line cut short: a line without its four fields is ignored, and a writer that reopens the
file ends such a line first. Files are created 0600 (directory 0700, made by the caller).

Full disk: both files are given `RESERVE` bytes of disk when they are made, before the job's first
step starts (on the job's thread: `StoreReporter.step_started`)
(`posix_fallocate`; the unwritten part reads as NUL bytes, which no reader shows), and written at
explicit offsets (the data after the last indexed byte), so a step that fills the disk still has
its first lines, and their index, stored.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA_FILE = "steps.log"
INDEX_FILE = "steps.idx"
_WRITE = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC
RESERVE = 64 * 1024  # bytes of disk set aside in each file when it is made


@dataclass(frozen=True, slots=True)
class Segment:
    step: int
    start: int
    end: int
    cut: bool  # the step's cap was reached: nothing follows


@dataclass
class StepIndex:
    """What the index says about each step: its segments, size and whether it was cut."""

    segments: dict[int, list[Segment]] = field(default_factory=dict)

    def add(self, segment: Segment) -> None:
        self.segments.setdefault(segment.step, []).append(segment)

    def size(self, step: int) -> int:
        return sum(s.end - s.start for s in self.segments.get(step, ()))

    def cut(self, step: int) -> bool:
        return any(s.cut for s in self.segments.get(step, ()))


def parse_index(data: bytes) -> StepIndex:
    """The segments of an index file's text; malformed or unfinished lines are skipped."""
    index = StepIndex()
    lines = data.rstrip(b"\0").split(b"\n")  # NUL bytes: the reserved, unwritten part
    for line in lines[:-1]:  # the part after the last newline is unfinished
        segment = _segment(line)
        if segment is not None:
            index.add(segment)
    return index


def _segment(line: bytes) -> Segment | None:
    fields = line.split(b" ")
    if len(fields) != 4 or fields[3] not in (b".", b"t"):
        return None
    try:
        step, start, end = (int(f) for f in fields[:3])
    except ValueError:
        return None
    if min(step, start) < 0 or end < start:
        return None
    return Segment(step, start, end, fields[3] == b"t")


def read_index(directory: Path) -> StepIndex | None:
    """The index of `directory`'s steps, or None when it has none (older runs: one file per
    step, or no step wrote anything)."""
    try:
        return parse_index((directory / INDEX_FILE).read_bytes())
    except FileNotFoundError:
        return None


class JobStepsWriter:
    """The open `steps.log`/`steps.idx` of one job (one writer: the recorder's thread)."""

    def __init__(self, directory: Path) -> None:
        self.data_fd = os.open(directory / DATA_FILE, _WRITE, 0o600)
        self.index_fd = os.open(directory / INDEX_FILE, _WRITE, 0o600)
        self.end = 0  # where the next data goes: after the last indexed byte
        self.index_end = 0
        self.sizes: dict[int, int] = {}
        self.cut: set[int] = set()
        if os.fstat(self.index_fd).st_size:
            self._resume(directory / INDEX_FILE)
        _reserve(self.data_fd)
        _reserve(self.index_fd)

    def _resume(self, path: Path) -> None:
        """Sizes, caps and ends from an existing index; an unfinished last line is ended."""
        data = path.read_bytes().rstrip(b"\0")
        index = parse_index(data)
        self.sizes = {step: index.size(step) for step in index.segments}
        self.cut = {step for step in index.segments if index.cut(step)}
        ends = [segment.end for segments in index.segments.values() for segment in segments]
        self.end, self.index_end = max(ends, default=0), len(data)
        if data and not data.endswith(b"\n"):
            self.index_end += os.pwrite(self.index_fd, b"\n", self.index_end)

    def append(self, step: int, data: bytes, cut: bool) -> int:
        """Write one segment of `step` (`cut`: its last); return the step's size afterwards."""
        written = os.pwrite(self.data_fd, data, self.end)
        start, self.end = self.end, self.end + written
        flag = "t" if cut and written == len(data) else "."
        line = f"{step} {start} {self.end} {flag}\n".encode()
        self.index_end += os.pwrite(self.index_fd, line, self.index_end)
        size = self.sizes.get(step, 0) + written
        self.sizes[step] = size
        if flag == "t":
            self.cut.add(step)
        return size

    def close(self) -> None:
        os.close(self.data_fd)
        os.close(self.index_fd)


def _reserve(fd: int) -> None:
    """Set `RESERVE` bytes of disk aside for a file that has less (nothing when it cannot: the
    disk is full already, and the lines are written while room is left)."""
    if os.fstat(fd).st_size < RESERVE:
        with contextlib.suppress(OSError):
            os.posix_fallocate(fd, 0, RESERVE)


def read_step(
    directory: Path, index: StepIndex, step: int, offset: int, limit: int | None
) -> bytes:
    """Bytes of `step` from its own byte `offset`, at most `limit` of them."""
    wanted = (1 << 62) if limit is None else limit
    pieces: list[bytes] = []
    try:
        fd = os.open(directory / DATA_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return b""
    try:
        for start, end in _ranges(index.segments.get(step, []), offset):
            if wanted <= 0:
                break
            piece = os.pread(fd, min(end - start, wanted), start)
            pieces.append(piece)
            wanted -= len(piece)
    finally:
        os.close(fd)
    return b"".join(pieces)


def _ranges(segments: list[Segment], offset: int) -> Iterator[tuple[int, int]]:
    """The physical ranges of the step's bytes from its own byte `offset` on."""
    position = 0
    for segment in segments:
        length = segment.end - segment.start
        if position + length > offset:
            skip = max(0, offset - position)
            yield segment.start + skip, segment.end
        position += length
