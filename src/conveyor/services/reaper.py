"""The reaper: a watchdog process that kills a dead owner's services and removes their data.

conveyor starts one reaper per process (see `process.Reaper`) and tells it, over a pipe, about
each service process it starts ("add PID STARTTIME DIR"), the System V shared memory segments it
made ("shm PID SHMID") and the ones it stopped ("del PID"). When the pipe closes — the owner
exited, crashed, or was killed, even with SIGKILL — the reaper kills every process tree still
registered, removes its shared memory and its directory, then exits.

This module is also run as a script (`python -I -S reaper.py`), so it imports the standard
library only.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (field 3 onwards), None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    return data[data.rfind(")") + 2 :].split()


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (tells a reused PID apart)."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            fields = _stat_fields(int(name))
            if fields and len(fields) > 1:
                children.setdefault(int(fields[1]), []).append(int(name))
    return children


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (PostgreSQL's children leave its process group)."""
    children = _children_by_parent()
    found: list[int] = []
    pending = list(children.get(pid, []))
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(children.get(child, []))
    return found


def kill_tree(pid: int, started: int | None) -> None:
    """SIGKILL `pid` (if it is still the process started at `started`), its tree and group."""
    if started is not None and start_time(pid) != started:
        return
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGSTOP)  # no new children while we collect them
    for target in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


IPC_RMID = 0


def remove_shared_memory(shmid: int) -> None:
    """Mark a System V shared memory segment for removal (a killed PostgreSQL leaves one)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmctl(ctypes.c_int(shmid), ctypes.c_int(IPC_RMID), None)


class Entry:
    def __init__(self, started: int | None, directory: str) -> None:
        self.started = started
        self.directory = directory
        self.segments: list[int] = []

    def clean_up(self, pid: int) -> None:
        kill_tree(pid, self.started)
        for shmid in self.segments:
            remove_shared_memory(shmid)
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)


def _read_entries(stream: object) -> dict[int, Entry]:
    entries: dict[int, Entry] = {}
    for line in stream:  # type: ignore[attr-defined]
        words = line.rstrip("\n").split(" ", 3)
        if words[0] == "add" and len(words) == 4:
            started = int(words[2]) if words[2].isdigit() else None
            entries[int(words[1])] = Entry(started, words[3])
        elif words[0] == "shm" and len(words) == 3 and int(words[1]) in entries:
            entries[int(words[1])].segments.append(int(words[2]))
        elif words[0] == "del" and len(words) >= 2:
            entries.pop(int(words[1]), None)
    return entries


def main() -> None:
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    for pid, entry in _read_entries(sys.stdin).items():
        entry.clean_up(pid)


if __name__ == "__main__":
    main()
