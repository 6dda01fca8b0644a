"""Every process a job started, so that none is left behind when the job ends.

Each step process leads its own process group; background processes it leaves stay in that group
unless they start a session of their own. To find those too, every step process gets a job token
in its environment (inherited by all descendants), and the end of the job also signals every
process whose `/proc/<pid>/environ` holds it (on Linux).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from pathlib import Path

TOKEN_VARIABLE = "CONVEYOR_JOB_TOKEN"
_CHUNK = 64 * 1024


class ProcessTracker:
    """Process groups, marker token and output drains of one job."""

    def __init__(self) -> None:
        self.token = uuid.uuid4().hex
        self._groups: set[int] = set()
        self._drains: list[threading.Thread] = []
        self._lock = threading.Lock()

    def marker(self) -> dict[str, str]:
        return {TOKEN_VARIABLE: self.token}

    def register(self, pgid: int) -> None:
        with self._lock:
            self._groups.add(pgid)

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
        return len(leftovers)

    def _leftovers(self) -> set[int]:
        with self._lock:
            groups = {pgid for pgid in self._groups if _group_exists(pgid)}
        if not _PROC.is_dir():
            return groups  # without /proc: the group leaders still there
        needle = f"{TOKEN_VARIABLE}={self.token}".encode()
        found = {
            pid for pid, pgrp, environ in _live_processes() if pgrp in groups or needle in environ
        }
        found.discard(os.getpid())
        return found


_PROC = Path("/proc")


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


def _live_processes(with_environ: bool = True) -> list[tuple[int, int, bytes]]:
    """(pid, process group, environ) of every non-zombie process we can see in /proc."""
    found = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry)
        if fields is None or fields[0] in ("Z", "X"):
            continue
        environ = b""
        if with_environ:
            with contextlib.suppress(OSError):
                environ = (entry / "environ").read_bytes()
        found.append((int(entry.name), int(fields[2]), environ))
    return found


def _stat_fields(entry: Path) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, ..."""
    try:
        raw = (entry / "stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def _alive(pid: int) -> bool:
    if _PROC.is_dir():
        fields = _stat_fields(_PROC / str(pid))
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
