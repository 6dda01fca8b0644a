"""What a child forked by the daemon does to become the client's command, then runs it.

It leaves the daemon's session (its own session and process group, as a command started from
a shell is its group's leader), drops the daemon's descriptors and signal handlers, takes the
client's stdin, stdout and stderr (isatty answers as for the client: they are the client's
open files) and working directory, its whole environment, umask and argv, and runs
`conveyor.cli.main.main` as the console script would. It tells the client its pid first
(signals are forwarded to it) and its exit status last, and never returns to the daemon.
"""

from __future__ import annotations

import contextlib
import io
import locale
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from typing import NoReturn

from conveyor.bootstrap import after_result
from conveyor.cli.main import main as command_main
from conveyor.executors.local.processes import StopPolicy

EXIT_INTERNAL = 3
# When the client goes away (even killed with SIGKILL): SIGTERM — a graceful cancel, as one
# Ctrl-C —, SIGTERM again — the hard stop — if the command still runs after the steps' stop
# sequence, then SIGKILL (the reaper then stops what the command had started).
HARD_STOP_AFTER = StopPolicy().interrupt_grace + StopPolicy().terminate_grace + 2.0
KILL_AFTER = 5.0
DAEMON_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGQUIT)
_result_sent = threading.Event()  # the client has the exit status: its going away stops nothing


def become(
    connection: socket.socket,
    release_daemon: Callable[[], None],
    descriptors: list[int],
    body: tuple[list[str], int, dict[bytes, bytes]],
) -> NoReturn:
    """Run the command of `body` (argv, umask, environment) in this forked child; exit."""
    code = EXIT_INTERNAL
    daemon_log = -1
    try:
        connection.settimeout(None)
        leave_daemon(release_daemon)
        daemon_log = os.dup(2)  # the daemon's log: the cleanup reports there
        _take_descriptors(descriptors)
        argv, umask, environ = body
        _adopt(argv, umask, environ)
        connection.sendall(b"started %d\n" % os.getpid())
        _watch_client(connection)
        after_result.defer()  # the run's deletions: once the client has its status
        code = _run(argv)
        _finish()
    except BaseException:  # the child must never return into the daemon's loop
        _report_crash()
    try:
        _result_sent.set()
        _let_go_of_the_client(daemon_log)
        with contextlib.suppress(OSError):  # a client gone away: the cleanup is due all the same
            connection.sendall(b"exit %d\n" % code)
        _clean_up()
    finally:
        os._exit(code)


def leave_daemon(release_daemon: Callable[[], None]) -> None:
    """Its own session and process group (a spare child has left already), the default signal
    handlers, none of the daemon's descriptors."""
    if os.getsid(0) != os.getpid():
        os.setsid()
    signal.set_wakeup_fd(-1)
    for number in DAEMON_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    release_daemon()


def _take_descriptors(descriptors: list[int]) -> None:
    stdin, stdout, stderr, cwd = descriptors
    for source, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(source, target)
    os.fchdir(cwd)
    for descriptor in set(descriptors) - {0, 1, 2}:
        os.close(descriptor)


def _adopt(argv: list[str], umask: int, environ: dict[bytes, bytes]) -> None:
    os.environ.clear()
    for key, value in environ.items():
        os.environb[key] = value
    os.umask(umask)
    sys.argv = argv
    _refresh_process_state()
    _new_standard_streams()


def _refresh_process_state() -> None:
    """What the interpreter and the standard library read from the environment at start."""
    tempfile.tempdir = None  # TMPDIR
    time.tzset()  # TZ
    with contextlib.suppress(locale.Error):
        locale.setlocale(locale.LC_CTYPE, "")  # LANG, LC_ALL, LC_CTYPE


def _new_standard_streams() -> None:
    """sys.stdin/stdout/stderr over descriptors 0-2, buffered as Python does for them:
    stdout line-buffered on a terminal, stderr always; no buffer with PYTHONUNBUFFERED."""
    encoding = sys.__stdout__.encoding if sys.__stdout__ else "utf-8"
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    sys.stdin = _stream(0, "r", encoding, "strict", line_buffering=False)
    sys.stdout = _stream(
        1, "w", encoding, "strict", line_buffering=os.isatty(1), write_through=unbuffered
    )
    sys.stderr = _stream(
        2, "w", encoding, "backslashreplace", line_buffering=True, write_through=unbuffered
    )


def _stream(
    descriptor: int,
    mode: str,
    encoding: str,
    errors: str,
    *,
    line_buffering: bool,
    write_through: bool = False,
) -> io.TextIOWrapper:
    raw = io.FileIO(descriptor, mode, closefd=False)
    binary: io.RawIOBase | io.BufferedIOBase = raw  # unbuffered, as `python -u` has it
    if mode == "r":
        binary = io.BufferedReader(raw)
    elif not write_through:
        binary = io.BufferedWriter(raw)
    return io.TextIOWrapper(
        binary,  # type: ignore[arg-type]
        encoding=encoding,
        errors=errors,
        line_buffering=line_buffering,
        write_through=write_through,
    )


def _watch_client(connection: socket.socket) -> None:
    threading.Thread(
        target=_stop_when_gone, args=(connection,), name="client-watch", daemon=True
    ).start()


def _stop_when_gone(connection: socket.socket) -> None:
    try:
        while connection.recv(4096):
            pass  # a client sends nothing once its command runs
    except OSError:
        pass
    if _result_sent.is_set():
        return  # the command is over: only its cleanup runs
    for number, wait in ((signal.SIGTERM, HARD_STOP_AFTER), (signal.SIGTERM, KILL_AFTER)):
        os.kill(os.getpid(), number)
        time.sleep(wait)
    os.kill(os.getpid(), signal.SIGKILL)


def _let_go_of_the_client(daemon_log: int) -> None:
    """The output is complete: the client's stdin and stdout become /dev/null and stderr the
    daemon's log, so that a pipe the client writes into (`conveyor run | tee log`) ends with the
    result, not after the cleanup (which may delete thousands of files)."""
    _flush_streams()  # what a crashed command left in them
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return  # kept as they are: the exit status matters more
    for target, source in ((0, null), (1, null), (2, daemon_log if daemon_log >= 0 else null)):
        with contextlib.suppress(OSError):
            os.dup2(source, target)
    os.close(null)


def _run(argv: list[str]) -> int:
    try:
        command_main(argv[1:])
    except SystemExit as exc:
        return _exit_status(exc.code)
    return 0


def _exit_status(code: object) -> int:
    """What the interpreter makes of `sys.exit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _finish() -> None:
    """What the interpreter does at exit: wait for the threads still running, flush."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    _flush_streams()


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def _clean_up() -> None:
    """The work the command left for after its result (bootstrap.after_result)."""
    try:
        after_result.finish()
        _finish()
    except BaseException:
        _report_crash()


def _report_crash() -> None:
    try:
        text = "conveyor: internal error in the daemon's child:\n" + traceback.format_exc()
        os.write(2, text.encode("utf-8", "replace"))
    except BaseException:
        pass
