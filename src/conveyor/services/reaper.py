"""The reaper: a watchdog process that kills a dead owner's processes and removes their data.

conveyor starts one reaper per process (see `process.Reaper`) and tells it, over a pipe:
- each service process it starts ("add PID STARTTIME DIR"), the System V shared memory segments
  it made ("shm PID SHMID") and the ones it stopped ("del PID"); each service directory from
  the moment it is made ("dir PATH") until it is removed ("undir PATH");
- each job whose steps run ("job KEY NEEDLE": a process whose environment holds the entry NEEDLE
  is the job's), the process group of each step ("grp KEY PGID FIRST-LAST": its leader
  started between those clock ticks since boot, both included), the job's end ("end KEY").
  It reads the pipe in batches, BATCH_PAUSE apart: a line per step must not wake it (and take
  a core from the steps) per step; at the end it reads what is left, so nothing is lost.
  The services are such a job too: every service process carries its NEEDLE, so one started
  just before the owner died, not yet registered, is found all the same.
When the pipe closes — the owner exited, crashed, or was killed, even with SIGKILL — the reaper
kills every service's process tree, every step's process group and tree, and every process
marked with a job's NEEDLE (it finds those that left their group or session, or were orphaned);
then it removes the shared memory the killed services leave (System V segments they created,
PostgreSQL's /dev/shm files they had mapped) and the services' directories, and exits.

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
import time

SHM_DIR = "/dev/shm/"
SHM_FILE_PREFIXES = ("PostgreSQL.",)  # POSIX segments of a PostgreSQL that uses them
BATCH_PAUSE = 0.05  # seconds between reads of the pipe (see `read_lines`)
_MARKED_ROUNDS = 50  # kill marked processes until none is left (new ones may be forking)


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


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for pid in _pids():
        fields = _stat_fields(pid)
        if fields and len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(pid)
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


def _shm_files(pids: list[int]) -> set[str]:
    """The POSIX shared memory files of `SHM_FILE_PREFIXES` these processes have mapped or open
    (a segment being made is open before it is mapped)."""
    found = set()
    for pid in pids:
        paths = [_mapped_path(line) for line in _maps(pid)] + _open_paths(pid)
        for path in paths:
            name = path[len(SHM_DIR) :] if path.startswith(SHM_DIR) else ""
            if name.startswith(SHM_FILE_PREFIXES) and "/" not in name:
                found.add(path)
    return found


def _maps(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/maps", "rb") as handle:
            return handle.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []


def _mapped_path(line: str) -> str:
    parts = line.split(None, 5)  # address perms offset dev inode [path]
    return parts[5] if len(parts) == 6 else ""


def _open_paths(pid: int) -> list[str]:
    paths = []
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                paths.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
    return paths


class Leftovers:
    """What killed processes cannot remove themselves: the System V segments they created and
    the POSIX shared memory files they had mapped (taken before they were killed)."""

    def __init__(self) -> None:
        self.pids: set[int] = set()
        self.files: set[str] = set()
        self.since = time.time()  # segments created before the oldest killed process are not theirs

    def add(self, pids: list[int]) -> None:
        self.pids.update(pids)
        self.files |= _shm_files(pids)
        started = [_wall_clock_start(pid) for pid in pids]
        self.since = min([self.since, *(t for t in started if t is not None)])

    def remove(self) -> None:
        """Once the processes are dead (a killed process may finish a system call first)."""
        wait_dead(self.pids)
        for shmid in _segments_created_by(self.pids, self.since):
            remove_shared_memory(shmid)
        for path in self.files:
            with contextlib.suppress(OSError):
                os.unlink(path)


def wait_dead(pids: set[int], bound: float = 5.0) -> None:
    """Until none of `pids` runs any more (gone, or a zombie), or `bound` seconds passed."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        states = [_stat_fields(pid) for pid in pids]
        if all(fields is None or fields[0] in ("Z", "X") for fields in states):
            return
        time.sleep(0.01)


def _wall_clock_start(pid: int) -> float | None:
    ticks = start_time(pid)
    boot = _boot_time()
    return None if ticks is None or boot is None else boot + ticks / os.sysconf("SC_CLK_TCK")


def _boot_time() -> float | None:
    with contextlib.suppress(OSError, ValueError), open("/proc/stat") as handle:
        for line in handle:
            if line.startswith("btime "):
                return float(line.split()[1])
    return None


def _segments_created_by(pids: set[int], since: float) -> list[int]:
    """System V segments whose creator is one of `pids` (created after `since`, not by an
    older process that had the same pid)."""
    found = []
    with contextlib.suppress(OSError), open("/proc/sysvipc/shm") as table:
        next(table, None)
        for line in table:
            fields = line.split()  # key shmid perms size cpid lpid nattch ... ctime (13)
            if len(fields) > 13 and int(fields[4]) in pids and int(fields[13]) >= since - 2:
                found.append(int(fields[1]))
    return found


def stop_tree(pid: int) -> list[int]:
    """SIGSTOP `pid` and every process below it (new children included) and wait until they
    are stopped; returns them."""
    stopped: list[int] = []
    for _ in range(_MARKED_ROUNDS):
        tree = [pid, *descendants(pid)]
        new = [target for target in tree if target not in stopped]
        if not new:
            break
        stop(new)
        stopped += new
    return stopped


def stop(pids: list[int], bound: float = 1.0) -> None:
    """SIGSTOP `pids` and wait (at most `bound` seconds) until each is stopped or gone."""
    for target in pids:
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGSTOP)
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        states = [_stat_fields(target) for target in pids]
        if all(fields is None or fields[0] in ("T", "t", "Z", "X") for fields in states):
            return
        time.sleep(0.002)


Started = tuple[int, int]  # the first and last clock tick since boot the process may have begun


def kill_tree(pid: int, started: Started | None, leftovers: Leftovers | None = None) -> None:
    """SIGKILL `pid` (if it is still the process started within `started`), its tree and group.
    With `leftovers`, what the killed processes leave is added to it before they die."""
    if started is not None and not _started_within(pid, started):
        return
    tree = stop_tree(pid)  # nothing changes while we look
    if leftovers is not None:
        leftovers.add(tree)
    for target in tree:
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


def _started_within(pid: int, started: Started) -> bool:
    ticks = start_time(pid)
    return ticks is not None and started[0] <= ticks <= started[1]


def kill_group(pgid: int, started: Started | None) -> None:
    """A step's process group: its leader's tree while the leader lives, the group anyway (a
    pid that leads a live group is not handed out again, so the group is still the step's)."""
    kill_tree(pgid, started)
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)


def _marked(needles: list[bytes]) -> list[int]:
    """Live processes whose environment holds one of `needles` (entries `NAME=value`)."""
    found = []
    for pid in _pids():
        with contextlib.suppress(OSError), open(f"/proc/{pid}/environ", "rb") as handle:
            entries = handle.read().split(b"\0")
            if any(needle in entries for needle in needles) and pid != os.getpid():
                found.append(pid)
    return found


def kill_marked(needles: list[bytes], leftovers: Leftovers) -> None:
    """SIGKILL every process marked with a needle, again until none is left (bounded)."""
    for _ in range(_MARKED_ROUNDS):
        found = _marked(needles) if needles else []
        if not found:
            return
        stop(found)
        leftovers.add(found)
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


IPC_RMID = 0


def remove_shared_memory(shmid: int) -> None:
    """Mark a System V shared memory segment for removal (a killed PostgreSQL leaves one)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmctl(ctypes.c_int(shmid), ctypes.c_int(IPC_RMID), None)


def read_started(word: str) -> Started | None:
    """`TICKS` or `FIRST-LAST` (clock ticks since boot); None for anything else (`-`)."""
    first, _, last = word.partition("-")
    if not first.isdigit() or not (last or first).isdigit():
        return None
    return int(first), int(last or first)


class Entry:
    def __init__(self, started: Started | None, directory: str) -> None:
        self.started = started
        self.directory = directory
        self.segments: list[int] = []

    def clean_up(self, pid: int) -> None:
        leftovers = Leftovers()
        kill_tree(pid, self.started, leftovers)
        for shmid in self.segments:
            remove_shared_memory(shmid)
        leftovers.remove()
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)


class Job:
    """A job's steps: the marker of its processes and the process groups of its steps."""

    def __init__(self, needle: str) -> None:
        self.needle = needle.encode()
        self.groups: dict[int, Started | None] = {}


class Registry:
    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        self.jobs: dict[str, Job] = {}
        self.directories: set[str] = set()

    def read(self, line: str) -> None:
        command, _, path = line.rstrip("\n").partition(" ")
        if command in ("dir", "undir") and path:
            (self.directories.add if command == "dir" else self.directories.discard)(path)
            return
        words = line.rstrip("\n").split(" ", 3)
        if words[0] == "add" and len(words) == 4:
            self.entries[int(words[1])] = Entry(read_started(words[2]), words[3])
        elif words[0] == "shm" and len(words) == 3 and int(words[1]) in self.entries:
            self.entries[int(words[1])].segments.append(int(words[2]))
        elif words[0] == "del" and len(words) >= 2:
            self.entries.pop(int(words[1]), None)
        else:
            self._read_job(words)

    def _read_job(self, words: list[str]) -> None:
        if words[0] == "job" and len(words) == 3:
            self.jobs[words[1]] = Job(words[2])
        elif words[0] == "grp" and len(words) == 4 and words[1] in self.jobs:
            self.jobs[words[1]].groups[int(words[2])] = read_started(words[3])
        elif words[0] == "end" and len(words) == 2:
            self.jobs.pop(words[1], None)

    def clean_up(self) -> None:
        """Steps first (they may be using the services), then the services."""
        for job in self.jobs.values():
            for pgid, started in job.groups.items():
                kill_group(pgid, started)
        for pid, entry in self.entries.items():
            entry.clean_up(pid)
        leftovers = Leftovers()  # of processes started but not yet registered, and orphans
        kill_marked([job.needle for job in self.jobs.values()], leftovers)
        leftovers.remove()
        for directory in self.directories:
            shutil.rmtree(directory, ignore_errors=True)


class LineReader:
    """The pipe's lines until it closes, read in batches: after each read, `pause` seconds
    before the next, so that lines written meanwhile (a step's group, per step) do not wake
    this process each time; a closed pipe is seen at most `pause` late."""

    def __init__(self, fd: int, pause: float = BATCH_PAUSE) -> None:
        self.fd, self.pause = fd, pause
        self.pending = b""
        self.closed = False

    def batch(self) -> list[str]:
        """The complete lines of the next read (the unfinished last one when it closed)."""
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.closed = True
            rest, self.pending = self.pending, b""
            return [rest.decode("utf-8", "surrogateescape")] if rest else []
        *lines, self.pending = (self.pending + chunk).split(b"\n")
        time.sleep(self.pause)
        return [line.decode("utf-8", "surrogateescape") for line in lines]


def main() -> None:
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    registry = Registry()
    reader = LineReader(sys.stdin.fileno())
    while not reader.closed:
        for line in reader.batch():
            registry.read(line)
    registry.clean_up()


if __name__ == "__main__":
    main()
