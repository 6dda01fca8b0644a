"""Every process a job started, so that none is left behind when the job ends.

Each step process leads its own process group; background processes it leaves stay in that group
unless they start a session of their own. To find those too, every step process gets a job token
in its environment (inherited by all descendants), and the end of the job also signals every
process whose `/proc/<pid>/environ` holds it (on Linux).

With a `Watchdog` (the reaper process of conveyor.services, wired by bootstrap), the same token
and the step process groups are registered outside this process: if conveyor dies, even by
SIGKILL, the watchdog kills them. Every step process also carries the run owner's marker
(`conveyor.engine.ports.store.ProcessOwner.marker`), so the store holds a dead owner's runs and
concurrency groups while one of them still lives.

Only processes created since the tracker was made can be the job's: when the kernel's pid
counter shows that pids were handed out in order since then (no wrap-around), only the pids in
that range are looked at, and only those started since then have their environment read.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

TOKEN_VARIABLE = "CONVEYOR_JOB_TOKEN"
_CHUNK = 64 * 1024
StartWindow = tuple[int, int]  # first and last clock tick since boot a process may have begun


class Watchdog(Protocol):
    """A process outside this one that kills a job's processes if this process dies."""

    def track_job(self, key: str, needle: str) -> None: ...

    def track_group(self, key: str, pgid: int, started: StartWindow | None) -> None: ...

    def forget_job(self, key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Supervision:
    """What keeps the executor's processes from outliving it: a watchdog, and the marks (the
    run owner's environment entry) of every step process."""

    watchdog: Watchdog | None = None
    marks: Mapping[str, str] = field(default_factory=dict)

    def tracker(self) -> ProcessTracker:
        return ProcessTracker(self.watchdog, self.marks)


class ProcessTracker:
    """Process groups, marker token and output drains of one job."""

    def __init__(
        self, watchdog: Watchdog | None = None, marks: Mapping[str, str] | None = None
    ) -> None:
        self.token = uuid.uuid4().hex
        self._since = _boot_ticks()  # processes started before cannot hold the token
        self._pids = _pid_counters()  # (last pid handed out, forks so far)
        self._groups: set[int] = set()
        self._drains: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._watchdog = watchdog
        self._marks = dict(marks or {})
        if watchdog is not None:  # before any process of the job starts
            watchdog.track_job(self.token, f"{TOKEN_VARIABLE}={self.token}")

    def marker(self) -> dict[str, str]:
        """The variables of every step process: the job token and the run owner's marks."""
        return {**self._marks, TOKEN_VARIABLE: self.token}

    def register(self, pgid: int, started: StartWindow | None) -> None:
        """A step's process group, led by `pgid` that began within `started` (`start_window`).

        The window, not the leader's /proc/<pid>/stat: reading that right after the spawn waits
        until the leader's exec has finished (~0.6 ms a step)."""
        with self._lock:
            self._groups.add(pgid)
        if self._watchdog is not None:
            self._watchdog.track_group(self.token, pgid, started)

    def drain(self, fd: int) -> None:
        """Keep reading (and dropping) a pipe that background processes still hold."""
        thread = threading.Thread(target=_drain, args=(fd,), name="conveyor-drain", daemon=True)
        thread.start()
        with self._lock:
            self._drains.append(thread)

    def end_all(self, grace: float = 1.0) -> int:
        """SIGTERM every leftover process, SIGKILL those still there after `grace` seconds.

        Returns how many processes were found left over."""
        leftovers = self._leftovers()
        if leftovers:
            for pid in leftovers:
                _signal(pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and any(_alive(pid) for pid in leftovers):
                time.sleep(0.02)
            for pid in self._leftovers() | {p for p in leftovers if _alive(p)}:
                _signal(pid, signal.SIGKILL)
        for thread in self._drains:
            thread.join(timeout=2.0)
        if self._watchdog is not None:
            self._watchdog.forget_job(self.token)
        return len(leftovers)

    def _leftovers(self) -> set[int]:
        with self._lock:
            groups = {pgid for pgid in self._groups if _group_exists(pgid)}
        if not _PROC.is_dir():
            return groups  # without /proc: the group leaders still there
        needle = f"{TOKEN_VARIABLE}={self.token}".encode()
        found = {
            pid
            for pid, pgrp, environ in _live_processes(since=self._since, pids_after=self._pids)
            if pgrp in groups or needle in environ
        }
        found.discard(os.getpid())
        return found


_PROC = Path("/proc")
_NANOSECONDS_PER_TICK = 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def group_alive(pgid: int) -> bool:
    """True while a live (non-zombie) process is in the group."""
    if not _group_exists(pgid):
        return False
    if not _PROC.is_dir():
        return True
    return any(pgrp == pgid for _, pgrp, _ in _live_processes(with_environ=False))


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _live_processes(
    with_environ: bool = True,
    since: int | None = None,
    pids_after: tuple[int, int] | None = None,
) -> list[tuple[int, int, bytes]]:
    """(pid, process group, environ) of every non-zombie process we can see in /proc. The
    environment is read only for processes started at or after `since` (clock ticks since boot).
    With `pids_after` (the `_pid_counters()` of an earlier moment), only processes created since
    then are listed, when the pid counters show which pids those are."""
    names = os.listdir(_PROC)
    window = _new_pids(pids_after) if pids_after is not None else None
    found = []
    for name in names:
        if not name.isdigit() or (window is not None and not window[0] < int(name) <= window[1]):
            continue
        fields = _stat_fields(name)
        if fields is None or fields[0] in ("Z", "X"):
            continue
        environ = b""
        if with_environ and (since is None or _start_ticks(fields) >= since):
            environ = _read(f"/proc/{name}/environ") or b""
        found.append((int(name), int(fields[2]), environ))
    return found


def _stat_fields(pid: str) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, ..."""
    raw = _read(f"/proc/{pid}/stat")
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace")
    return text[text.rfind(")") + 2 :].split()


def _start_ticks(fields: list[str]) -> int:
    """`starttime` (field 22 of stat; index 19 after the command name), in clock ticks."""
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return 1 << 62  # unknown: read it


def boot_tick() -> int | None:
    """The clock tick since boot now, as /proc/<pid>/stat counts a process's start (None when
    the clock is unknown). Taken before and after a spawn, the two make its `StartWindow`."""
    try:
        return time.clock_gettime_ns(time.CLOCK_BOOTTIME) // _NANOSECONDS_PER_TICK
    except (AttributeError, OSError):
        return None


def start_window(before: int | None, after: int | None) -> StartWindow | None:
    return None if before is None or after is None else (before, after)


def _boot_ticks() -> int | None:
    """Now, in the clock ticks since boot that /proc/<pid>/stat uses (None without /proc)."""
    raw = _read("/proc/uptime")
    try:
        seconds = float(raw.split()[0]) if raw else None
        ticks = os.sysconf("SC_CLK_TCK")
    except (ValueError, IndexError, OSError):
        return None
    return None if seconds is None else max(0, int(seconds * ticks) - 2)


def _pid_counters() -> tuple[int, int] | None:
    """(the last pid handed out, the processes and threads created since boot), or None."""
    loadavg, stat = _read("/proc/loadavg"), _read("/proc/stat")
    try:
        last = int(loadavg.split()[4]) if loadavg else None
        forks = next(
            int(line.split()[1])
            for line in (stat or b"").splitlines()
            if line.startswith(b"processes ")
        )
    except (ValueError, IndexError, StopIteration):
        return None
    return None if last is None else (last, forks)


def _new_pids(before: tuple[int, int] | None) -> tuple[int, int] | None:
    """The pids (first excluded, last included) of the processes created since `before`, when
    they were handed out without wrapping around: as many pids as were created (or more, if some
    were skipped). None when that cannot be told (then every process is looked at)."""
    now = _pid_counters()
    if before is None or now is None:
        return None
    (last_before, forks_before), (last_now, forks_now) = before, now
    if last_now < last_before or last_now - last_before < forks_now - forks_before:
        return None
    return last_before, last_now


def _read(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, _CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if _PROC.is_dir():
        fields = _stat_fields(str(pid))
        return fields is not None and fields[0] not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _drain(fd: int) -> None:
    os.set_blocking(fd, True)
    try:
        while os.read(fd, _CHUNK):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
