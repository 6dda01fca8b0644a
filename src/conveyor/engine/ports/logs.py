"""Per-step log files: appended by offset, read by range, followed live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LogKey:
    """One step's log (`step` None: the job's own lines — set-up, services, clean-up)."""

    run_id: int
    attempt: int
    instance_key: str
    step: int | None = None


@dataclass(frozen=True, slots=True)
class LogChunk:
    text: str
    offset: int  # byte offset the text starts at
    next_offset: int  # where to read from next
    truncated: bool = False  # the log hit its size cap


class LogStore(Protocol):
    """Per-step log files: appended by offset, read by range, followed live."""

    def append(self, key: LogKey, text: str) -> int: ...
    def read(self, key: LogKey, offset: int = 0, limit: int | None = None) -> LogChunk: ...
    def keys(self, run_id: int, attempt: int, instance_key: str | None = None) -> list[LogKey]: ...
    def close(self, key: LogKey) -> None: ...
