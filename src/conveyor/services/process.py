"""Service processes: started in their own session, watched by the reaper, stopped for sure."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from conveyor.errors import InfrastructureError
from conveyor.services import reaper
from conveyor.services.accounts import Account


class Reaper:
    """The client side of the reaper process (one per conveyor process, started lazily)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._entries: dict[int, list[str]] = {}

    def track(self, pid: int, started: int | None, directory: Path) -> None:
        line = f"add {pid} {started if started is not None else '-'} {directory}"
        with self._lock:
            self._entries[pid] = [line]
            self._send(line)

    def track_shared_memory(self, pid: int, shmid: int) -> None:
        line = f"shm {pid} {shmid}"
        with self._lock:
            if pid in self._entries:
                self._entries[pid].append(line)
                self._send(line)

    def forget(self, pid: int) -> None:
        with self._lock:
            if self._entries.pop(pid, None) is not None:
                self._send(f"del {pid}")

    def _send(self, line: str) -> None:
        """Write `line`; a new reaper (the old one died) is first told everything known."""
        for _ in range(2):
            process, fresh = self._ensure_started()
            everything = [known for lines in self._entries.values() for known in lines]
            payload = "\n".join(everything) if fresh and everything else line
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
        )
        return self._process, True


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
                reaper.kill_tree(self.pid, self.started)
                self.popen.wait()
        if self.popen.returncode == -signal.SIGKILL:  # it could not clean up after itself
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
            env=dict(env),
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
