"""Running one step process under control: its own process group, output streamed in chunks,
stopped on cancel or timeout with SIGINT → SIGTERM → SIGKILL to the whole group.

When the step's main process exits normally, processes it left in the background keep running
(a server started for later steps, as on GitHub); their output is drained and dropped, and the
`ProcessTracker` ends them when the job ends.
"""

from __future__ import annotations

import contextlib
import enum
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conveyor.executors.local.lines import LineSplitter
from conveyor.executors.local.process_tracker import (
    ProcessTracker,
    boot_tick,
    group_alive,
    start_window,
)
from conveyor.private_files import user_umask

if TYPE_CHECKING:
    from conveyor.engine.ports.executor import CancelSignal

CHUNK = 64 * 1024
_POLL = 0.1  # how often cancel is looked at while a process runs
_DRAIN_CHUNKS = 256  # at most 16 MiB read after the main process exited


class StopReason(enum.StrEnum):
    NONE = "none"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed-out"


@dataclass(frozen=True, slots=True)
class StopPolicy:
    """Grace periods of the stop sequence (GitHub: 7.5 s after SIGINT, 2.5 s after SIGTERM)."""

    interrupt_grace: float = 7.5
    terminate_grace: float = 2.5


@dataclass(frozen=True, slots=True)
class ProcessResult:
    exit_code: int
    stopped: StopReason = StopReason.NONE


@dataclass(frozen=True, slots=True)
class ProcessControl:
    """When to stop a process: a deadline, the job's cancel signal, and whether cancel stops it.

    `stop_on_cancel` is asked once, when cancel is first seen (a step whose `if:` still holds
    with the job cancelled — `always()` — keeps running, until `cancel_grace` seconds pass).
    """

    cancel: CancelSignal
    tracker: ProcessTracker
    policy: StopPolicy
    deadline: float | None = None  # time.monotonic() value
    stop_on_cancel: Callable[[], bool] = lambda: True
    cancel_grace: float = 300.0
    forced: Callable[[], bool] = lambda: False  # a second Ctrl-C: SIGKILL now


def run_process(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    on_lines: Callable[[list[str]], None],
    control: ProcessControl,
) -> ProcessResult:
    """Run `argv` to completion (or until stopped), feeding its output lines to `on_lines`."""
    read_fd, write_fd = os.pipe()
    before = boot_tick()
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=write_fd,
            stderr=write_fd,
            start_new_session=True,
            umask=user_umask(),  # conveyor's own files are private; a step's are as usual
        )
    except OSError:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    control.tracker.register(process.pid, start_window(before, boot_tick()))
    watcher = _Watcher(process, read_fd, on_lines, control)
    return watcher.run()


class _Watcher:
    """The read/wait/stop loop of one process."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        fd: int,
        on_lines: Callable[[list[str]], None],
        control: ProcessControl,
    ) -> None:
        self.process, self.fd, self.on_lines, self.control = process, fd, on_lines, control
        self.splitter = LineSplitter()
        self.selector = selectors.DefaultSelector()
        self.selector.register(fd, selectors.EVENT_READ, "output")
        self.pidfd = _open_pidfd(process.pid)
        if self.pidfd is not None:
            self.selector.register(self.pidfd, selectors.EVENT_READ, "exit")
        self.eof = False
        self.stopper = _Stopper(process.pid, control.policy)
        self.cancel_seen = False

    def run(self) -> ProcessResult:
        try:
            while self.process.poll() is None:
                self._wait_once()
                self._check_stop()
            self._finish_output()
            self.stopper.finish_group()
        finally:
            self.selector.close()
            if self.pidfd is not None:
                os.close(self.pidfd)
        return ProcessResult(_exit_code(self.process.returncode), self.stopper.reason)

    def _wait_once(self) -> None:
        timeout = _POLL if self.pidfd is not None or self.eof else 0.05
        timeout = min(timeout, max(0.0, self.stopper.next_at() - time.monotonic()))
        for key, _ in self.selector.select(timeout):
            if key.data == "output":
                self._read()

    def _read(self) -> None:
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            self.eof = True
            self.selector.unregister(self.fd)
            return
        lines = self.splitter.feed(chunk)
        if lines:
            self.on_lines(lines)

    def _check_stop(self) -> None:
        now = time.monotonic()
        control = self.control
        if control.cancel.is_set() and not self.cancel_seen:
            self.cancel_seen = True
            if control.stop_on_cancel():
                self.stopper.start(StopReason.CANCELLED)
            else:
                self.stopper.cancel_deadline = now + control.cancel_grace
        if control.deadline is not None and now >= control.deadline:
            self.stopper.start(StopReason.TIMED_OUT)
        if self.stopper.cancel_deadline is not None and now >= self.stopper.cancel_deadline:
            self.stopper.start(StopReason.CANCELLED)
        if self.cancel_seen and control.forced():
            self.stopper.start(StopReason.CANCELLED)
            self.stopper.kill_now()
        self.stopper.escalate(now)

    def _finish_output(self) -> None:
        """The main process exited: take what it wrote, leave the rest to a drain thread."""
        if not self.eof:
            os.set_blocking(self.fd, False)
            try:  # bounded: background writers must not keep the step going
                for _ in range(_DRAIN_CHUNKS):
                    chunk = os.read(self.fd, CHUNK)
                    if not chunk:
                        self.eof = True
                        break
                    self.on_lines(self.splitter.feed(chunk))
            except BlockingIOError:
                pass
        self.on_lines(self.splitter.flush())
        if self.eof:
            os.close(self.fd)
        else:
            self.control.tracker.drain(self.fd)


class _Stopper:
    """The SIGINT → SIGTERM → SIGKILL sequence for one process group."""

    def __init__(self, pgid: int, policy: StopPolicy) -> None:
        self.pgid, self.policy = pgid, policy
        self.reason = StopReason.NONE
        self.stage = 0
        self.due: float | None = None
        self.cancel_deadline: float | None = None

    def next_at(self) -> float:
        candidates = [t for t in (self.due, self.cancel_deadline) if t is not None]
        return min(candidates) if candidates else time.monotonic() + _POLL

    def start(self, reason: StopReason) -> None:
        if self.reason is StopReason.NONE:
            self.reason = reason
            self.due = time.monotonic()

    def escalate(self, now: float) -> None:
        if self.due is None or now < self.due or self.stage >= 3:
            return
        signals = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
        graces = (self.policy.interrupt_grace, self.policy.terminate_grace, 0.0)
        _signal_group(self.pgid, signals[self.stage])
        self.due = now + graces[self.stage]
        self.stage += 1

    def kill_now(self) -> None:
        """Skip the grace periods: the next escalation is SIGKILL."""
        if self.stage < 2:
            self.stage, self.due = 2, time.monotonic()

    def finish_group(self) -> None:
        """After a stop, the main process is gone: keep escalating until the group is empty."""
        if self.reason is StopReason.NONE:
            return
        while self.stage < 3 and group_alive(self.pgid):
            time.sleep(max(0.0, min(0.02, (self.due or 0.0) - time.monotonic())))
            self.escalate(time.monotonic())
        if group_alive(self.pgid):
            _signal_group(self.pgid, signal.SIGKILL)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _open_pidfd(pid: int) -> int | None:
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        fd: int = opener(pid)
    except OSError:
        return None
    return fd


def _exit_code(returncode: int | None) -> int:
    if returncode is None:
        return -1
    return 128 - returncode if returncode < 0 else returncode
