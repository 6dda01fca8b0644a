"""The daemon: one thread that accepts commands on CONVEYOR_HOME/daemon.sock and forks a child
for each, with every module a command needs already imported (the warm start).

Its loop waits on the listening socket, signals (SIGCHLD: reap, and tell the client of a child
that died of a signal; SIGTERM, SIGINT, SIGHUP: stop) and the idle timeout
(CONVEYOR_DAEMON_IDLE_SECONDS, default 1800). Stopping (by `conveyor daemon stop`, a client of
other code, idleness or a signal) removes the socket and lets the running commands finish.
It never forks while another thread runs (it would exit at start if an import started one).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import selectors
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from conveyor import __version__
from conveyor.cli import main as cli_main
from conveyor.cli.daemon import child, frames, spare, wire
from conveyor.cli.daemon.warm import prepare_store, warm_up
from conveyor.private_files import PRIVATE_UMASK, open_private, private_directory, write_private
from conveyor.store.location import database_settings

DEFAULT_IDLE_SECONDS = 1800.0
MAX_SPARES_LOST = 3  # spares that died unused before the daemon stops making them (forks)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
REQUEST_TIMEOUT = 5.0


def log(message: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} [{os.getpid()}] {message}", file=sys.stderr, flush=True)


@dataclass
class Command:
    """A running command: its child process and the client's connection."""

    pid: int
    connection: socket.socket


class Daemon:
    def __init__(self, home: Path, fingerprint: bytes, lock: int, idle: float) -> None:
        self.home = home
        self.fingerprint = fingerprint
        self.lock: int | None = lock
        self.idle = idle
        self.path = home / wire.SOCKET
        self.selector = selectors.DefaultSelector()
        self.listener: socket.socket | None = None
        self.commands: dict[int, Command] = {}
        self.last_activity = time.monotonic()
        self.started = datetime.now(UTC)
        self.wake_reader, self.wake_writer = socket.socketpair()
        self.stop_requested: str | None = None  # set by a signal handler
        self.spare: spare.Spare | None = None  # a child forked ahead (see spare.py)
        self.spares_lost = 0  # spares that died before taking a command: none after a few

    # --- start and stop -------------------------------------------------------------------

    def listen(self) -> None:
        self.path.unlink(missing_ok=True)  # a dead daemon's (this one holds the lock)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address, directory = wire.socket_address(str(self.path))
        try:
            listener.bind(address)
        finally:
            if directory is not None:
                os.close(directory)
        os.chmod(self.path, 0o600)
        listener.listen(64)
        listener.setblocking(False)
        self.selector.register(listener, selectors.EVENT_READ, self._accept)
        self.listener = listener
        self.last_activity = time.monotonic()  # idle from now (not from before the warm-up)
        write_private(self.home / wire.PID_FILE, f"{os.getpid()}\n")

    def stop(self, reason: str) -> None:
        """Take no more commands; the running ones finish (the loop ends after them)."""
        if self.listener is None:
            return
        log(f"stopping: {reason}")
        self.selector.unregister(self.listener)
        self.listener.close()
        self.listener = None
        self.path.unlink(missing_ok=True)
        (self.home / wire.PID_FILE).unlink(missing_ok=True)
        self._drop_spare()
        if self.lock is not None:
            os.close(self.lock)  # a new daemon may start now
            self.lock = None

    def release_in_child(self) -> None:
        """In a forked child: close every descriptor of the daemon's (the child's own
        connection stays open: it reports the command's end through it)."""
        if self.listener is not None:
            self.listener.close()
        if self.lock is not None:
            os.close(self.lock)
        self.selector.close()
        self.wake_reader.close()
        self.wake_writer.close()
        for command in self.commands.values():
            command.connection.close()
        if self.spare is not None:
            self.spare.channel.close()

    # --- the loop -------------------------------------------------------------------------

    def serve(self) -> None:
        self._handle_signals()
        while self.listener is not None or self.commands:
            self._prepare_spare()
            for key, _ in self.selector.select(self._timeout()):
                callback: Callable[[socket.socket], None] = key.data
                callback(key.fileobj)  # type: ignore[arg-type]
            self._reap()
            if self.stop_requested:
                self.stop(self.stop_requested)
            if not self.commands and time.monotonic() - self.last_activity >= self.idle:
                self.stop(f"idle for {self.idle:g} s")
        log("exiting")

    def _handle_signals(self) -> None:
        self.wake_reader.setblocking(False)
        self.wake_writer.setblocking(False)
        signal.set_wakeup_fd(self.wake_writer.fileno())
        self.selector.register(self.wake_reader, selectors.EVENT_READ, self._drain)
        signal.signal(signal.SIGCHLD, lambda number, frame: None)
        for number in STOP_SIGNALS:
            signal.signal(number, self._request_stop)

    def _request_stop(self, number: int, frame: object) -> None:
        self.stop_requested = f"signal {number}"

    def _drain(self, reader: socket.socket) -> None:
        try:
            while reader.recv(4096):
                pass
        except BlockingIOError:
            pass

    def _timeout(self) -> float | None:
        if self.commands:
            return None
        return max(0.0, self.last_activity + self.idle - time.monotonic())

    # --- one connection -------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return
        self.last_activity = time.monotonic()
        connection.settimeout(REQUEST_TIMEOUT)
        try:
            if self._answer(connection):
                return  # a running command keeps its connection
        except (OSError, ValueError) as exc:
            log(f"dropped a connection: {exc}")
        connection.close()

    def _answer(self, connection: socket.socket) -> bool:
        """Serve one connection's first frame; True when a command now runs on it."""
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
        if wire.peer_uid(credentials) != os.getuid():
            log("refused a connection from another user")
            return False
        verb, _, rest = frames.read_frame(connection).partition(b"\0")
        if verb == b"status":
            connection.sendall(self._status().encode() + b"\n")
        elif verb == b"stop":
            connection.sendall(b"stopping %d\n" % os.getpid())
            self.stop("asked to")
        elif verb == b"hello" and rest != self.fingerprint:
            connection.sendall(b"skew\n")
            self.stop("a client of other code (an upgrade?)")
        elif verb == b"hello":
            connection.sendall(b"ok\n")
            return self._start_command(connection)
        return False

    def _status(self) -> str:
        started = self.started.strftime("%Y-%m-%dT%H:%M:%SZ")
        ready = f", spare {self.spare.pid}" if self.spare and self.spare.ready else ""
        return (
            f"pid {os.getpid()}, version {__version__}, since {started}, "
            f"{len(self.commands)} running, idle timeout {self.idle:g} s{ready}"
        )

    def _start_command(self, connection: socket.socket) -> bool:
        body, descriptors = frames.read_run(connection)
        try:
            pid = self._to_spare(connection, descriptors, body)
            if pid is None:
                pid = self._fork(connection, descriptors, body)
        finally:
            for descriptor in descriptors:
                os.close(descriptor)
        if pid is None:
            connection.sendall(b"busy\n")
            return False
        self.commands[pid] = Command(pid, connection)
        log(f"served {_command_name(body[0])!r} in child {pid}")
        return True

    def _fork(
        self,
        connection: socket.socket,
        descriptors: list[int],
        body: tuple[list[str], int, dict[bytes, bytes]],
    ) -> int | None:
        if threading.active_count() > 1 or len(descriptors) != wire.DESCRIPTORS:
            return None
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:
            log(f"cannot fork: {exc}")
            return None
        if pid == 0:
            child.become(connection, self.release_in_child, descriptors, body)
        return pid

    # --- the spare child ---------------------------------------------------------------------

    def _prepare_spare(self) -> None:
        """While idle, fork the next command's child ahead (never with a thread running)."""
        if self.spare or self.listener is None or self.commands or threading.active_count() > 1:
            return
        if self.spares_lost >= MAX_SPARES_LOST:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        self.spare = spare.fork_spare(self.release_in_child)
        if self.spare is not None:
            self.selector.register(self.spare.channel, selectors.EVENT_READ, self._spare_ready)

    def _spare_ready(self, channel: socket.socket) -> None:
        self.selector.unregister(channel)
        try:
            ready = channel.recv(1) == spare.READY
        except OSError:
            ready = False
        if self.spare is not None and ready:
            self.spare.ready = True
        else:  # it died before it was ready
            self._lost_spare("before it was ready")

    def _to_spare(
        self, connection: socket.socket, descriptors: list[int], body: frames.RunBody
    ) -> int | None:
        """The ready spare's pid once it has the command; None: fork one for it instead."""
        ready, self.spare = self.spare, None
        if ready is None:
            return None
        if not ready.ready:
            self.spare = ready  # still copying the daemon's memory: for the next command
            return None
        handed = spare.hand_over(ready, connection, descriptors, body)
        ready.close()
        return ready.pid if handed else None

    def _lost_spare(self, how: str) -> None:
        pid = self.spare.pid if self.spare else "?"
        self.spares_lost += 1
        self._drop_spare()
        given_up = "; no more spares" if self.spares_lost >= MAX_SPARES_LOST else ""
        log(f"spare child {pid} ended {how}{given_up}")

    def _drop_spare(self) -> None:
        if self.spare is not None:
            with contextlib.suppress(KeyError, ValueError):  # not registered (any more)
                self.selector.unregister(self.spare.channel)
            self.spare.close()
            self.spare = None

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self._ended(pid, status)

    def _ended(self, pid: int, status: int) -> None:
        if self.spare is not None and pid == self.spare.pid:
            self._lost_spare(f"with wait status {status}")
            return
        command = self.commands.pop(pid, None)
        self.last_activity = time.monotonic()
        log(f"ended child {pid} (wait status {status})")
        if command is None:
            return
        if os.WIFSIGNALED(status):
            with contextlib.suppress(OSError):
                command.connection.sendall(b"signal %d\n" % os.WTERMSIG(status))
        command.connection.close()


def _command_name(argv: list[str]) -> str:
    """The command's name for the log (never its arguments: they may hold a secret)."""
    name = next((argument for argument in argv[1:] if not argument.startswith("-")), "")
    return name if name in cli_main.COMMANDS else "?"


def _take_lock(home: Path) -> int | None:
    descriptor = open_private(home / wire.LOCK_FILE, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def idle_seconds() -> float:
    raw = os.environ.get("CONVEYOR_DAEMON_IDLE_SECONDS", "")
    try:
        return float(raw) if raw else DEFAULT_IDLE_SECONDS
    except ValueError:
        log(f"CONVEYOR_DAEMON_IDLE_SECONDS is not a number ({raw!r}): {DEFAULT_IDLE_SECONDS:g}")
        return DEFAULT_IDLE_SECONDS


def main(fingerprint: bytes) -> None:
    """The daemon process (`conveyor daemon start` runs it, detached, logging to daemon.log);
    `fingerprint`: of the code as it was before it was imported."""
    os.umask(PRIVATE_UMASK)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as the console script's: never import from the current directory
    home = private_directory(Path(wire.home_directory()))
    os.chdir(home)
    lock = _take_lock(home)
    if lock is None:
        log("another daemon is running")
        return
    daemon = Daemon(home, fingerprint, lock, idle_seconds())
    problem = prepare_store(home, database_settings())  # the daemon's own, as its home
    if problem:
        log(f"{problem}: each command will")
    warm_up()
    if threading.active_count() > 1:
        log("a thread runs after the imports: a daemon cannot fork safely; exiting")
        return
    gc.freeze()  # the imported modules' objects stay shared with every child
    daemon.listen()
    log(f"listening on {daemon.path} (conveyor {__version__}, pid {os.getpid()})")
    daemon.serve()
