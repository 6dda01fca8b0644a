"""Service processes: started in their own session, watched by the reaper, stopped for sure."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from conveyor.errors import InfrastructureError
from conveyor.services import reaper
from conveyor.services.accounts import Account

SERVICE_VARIABLE = "CONVEYOR_SERVICE_OWNER"


class Reaper:
    """The client side of the reaper process (one per conveyor process: `shared_reaper()`,
    started by `start()` or by the first thing it is told). It watches services and, for the
    local executor, the steps of each job."""

    def __init__(self, environment: Mapping[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._entries: dict[str, list[str]] = {}
        self._environment = dict(environment or {})
        self._token = uuid.uuid4().hex

    def marks(self) -> dict[str, str]:
        """The environment entry of every process started for a service: the reaper kills
        those too, even one started just before conveyor died (before `track` told it)."""
        with self._lock:
            if "services" not in self._entries:
                line = f"job services-{self._token} {SERVICE_VARIABLE}={self._token}"
                self._entries["services"] = [line]
                self._send(line)
        return {SERVICE_VARIABLE: self._token}

    def mark(self, environment: Mapping[str, str]) -> None:
        """Variables the reaper process starts with (it marks itself as the run's, see
        `conveyor.engine.ports.store.OWNER_VARIABLE`); for a reaper started from now on."""
        with self._lock:
            self._environment.update(environment)

    def track(self, pid: int, started: int | None, directory: Path) -> None:
        line = f"add {pid} {started if started is not None else '-'} {directory}"
        with self._lock:
            self._entries[f"pid {pid}"] = [line]
            self._send(line)

    def track_shared_memory(self, pid: int, shmid: int) -> None:
        line = f"shm {pid} {shmid}"
        with self._lock:
            if f"pid {pid}" in self._entries:
                self._entries[f"pid {pid}"].append(line)
                self._send(line)

    def forget(self, pid: int) -> None:
        with self._lock:
            if self._entries.pop(f"pid {pid}", None) is not None:
                self._send(f"del {pid}")

    def track_directory(self, directory: Path) -> None:
        """A service directory, removed if this process dies before it does."""
        line = f"dir {directory}"
        with self._lock:
            self._entries[line] = [line]
            self._send(line)

    def forget_directory(self, directory: Path) -> None:
        with self._lock:
            if self._entries.pop(f"dir {directory}", None) is not None:
                self._send(f"undir {directory}")

    def track_job(self, key: str, needle: str) -> None:
        """A job's steps: every process whose environment holds the entry `needle` is its."""
        line = f"job {key} {needle}"
        with self._lock:
            self._entries[f"job {key}"] = [line]
            self._send(line)

    def track_group(self, key: str, pgid: int, started: tuple[int, int] | None) -> None:
        """The process group of one of the job's steps (led by `pgid`, started within the clock
        ticks `started`)."""
        line = f"grp {key} {pgid} {f'{started[0]}-{started[1]}' if started is not None else '-'}"
        with self._lock:
            if f"job {key}" in self._entries:
                self._entries[f"job {key}"].append(line)
                self._send(line)

    def forget_job(self, key: str) -> None:
        with self._lock:
            if self._entries.pop(f"job {key}", None) is not None:
                self._send(f"end {key}")

    def start(self) -> None:
        """Start the reaper process now rather than with the first thing it is told (its
        Python start then overlaps other work, not a job's first step). Marks first."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return
            if self._entries:
                self._send("")  # the new reaper is told everything (not this empty line)
            else:
                self._ensure_started()

    def _send(self, line: str) -> None:
        """Write `line`; a new reaper (the old one died) is first told everything known."""
        for _ in range(2):
            process, fresh = self._ensure_started()
            payload = line
            if fresh:  # not on every call: a job's entry grows by a line per step
                everything = [known for lines in self._entries.values() for known in lines]
                payload = "\n".join(everything) if everything else line
            try:
                assert process.stdin is not None
                process.stdin.write(payload.encode() + b"\n")
                process.stdin.flush()
                return
            except (BrokenPipeError, ValueError):
                self._process = None

    def _ensure_started(self) -> tuple[subprocess.Popen[bytes], bool]:
        if self._process is not None and self._process.poll() is None:
            return self._process, False
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", reaper.__file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd="/",
            env={**os.environ, **self._environment},
        )
        return self._process, True


_SHARED = Reaper()


def shared_reaper() -> Reaper:
    """This process's reaper: the services and the local executor's steps share it."""
    return _SHARED


def _new_reaper_in_child() -> None:
    """A forked child (the daemon forks one per command) is a process of its own: its reaper
    and token are its own, or one command's end would kill another's services."""
    global _SHARED
    _SHARED = Reaper()


os.register_at_fork(after_in_child=_new_reaper_in_child)


@dataclass
class ServiceProcess:
    """A running service's main process (its children are found through /proc when needed)."""

    popen: subprocess.Popen[bytes]
    started: int | None
    reaper: Reaper
    segments: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def owns_shared_memory(self, shmid: int) -> None:
        """Remove this System V segment if the process has to be killed (here or by the reaper)."""
        self.segments.append(shmid)
        self.reaper.track_shared_memory(self.pid, shmid)

    def stop(self, signal_number: int = signal.SIGTERM, grace: float = 5.0) -> None:
        """Ask politely, then kill the whole tree; always reaps it."""
        if self.running():
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal_number)
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                leftovers = reaper.Leftovers()
                started = None if self.started is None else (self.started, self.started)
                reaper.kill_tree(self.pid, started, leftovers)
                self.popen.wait()
                leftovers.remove()  # it could not clean up after itself
        if self.popen.returncode == -signal.SIGKILL:
            for shmid in self.segments:
                reaper.remove_shared_memory(shmid)
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signal.SIGKILL)  # stragglers left in its process group

    def release(self) -> None:
        """Tell the reaper this process and its directory are taken care of."""
        self.reaper.forget(self.pid)


def spawn(
    argv: Sequence[str],
    *,
    run_dir: Path,
    log: IO[bytes] | int,
    env: Mapping[str, str],
    account: Account,
    reaper_client: Reaper,
    stdin: int | None = subprocess.DEVNULL,
) -> ServiceProcess:
    """Start `argv` as `account` in a new session, output to `log`, registered with the reaper."""
    user, group, extra_groups = account.identity()
    try:
        popen = subprocess.Popen(
            list(argv),
            cwd=run_dir,
            env={**env, **reaper_client.marks()},
            stdin=stdin,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            group=group,
            extra_groups=extra_groups,
        )
    except OSError as exc:
        raise InfrastructureError(f"cannot start {argv[0]}: {exc}") from exc
    process = ServiceProcess(popen, reaper.start_time(popen.pid), reaper_client)
    reaper_client.track(popen.pid, process.started, run_dir)
    return process
