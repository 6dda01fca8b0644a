"""Start, stop and ask the daemon (for `conveyor daemon ...` and CONVEYOR_DAEMON=auto)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conveyor.cli.daemon import client, wire
from conveyor.private_files import open_private, private_directory
from conveyor.store.location import conveyor_home

# The daemon runs as `python -c`: the interpreter and import path of the command that starts
# it; the fingerprint is taken before the imports, so a file changed meanwhile is noticed.
DAEMON = (
    "from conveyor.cli.daemon import wire; code = wire.fingerprint(); "
    "from conveyor.cli.daemon.server import main; main(code)"
)
START_TIMEOUT = 60.0
# A daemon started by `auto` (not asked for) leaves after 15 idle minutes, unless
# CONVEYOR_DAEMON_IDLE_SECONDS says otherwise; `conveyor daemon start` keeps the server's 30.
AUTO_IDLE_SECONDS = "900"
IDLE_VARIABLE = "CONVEYOR_DAEMON_IDLE_SECONDS"
MAX_LOG_BYTES = 1 << 20
# The daemon keeps only what the interpreter and its own settings read (not the secrets a
# shell may hold): each command brings its whole environment to its child.
KEPT_VARIABLES = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "CONVEYOR_HOME")
KEPT_PREFIXES = ("PYTHON", "LC_", "XDG_", "CONVEYOR_DAEMON_")


def socket_path(home: Path) -> str:
    return str(home / wire.SOCKET)


def ask(home: Path, verb: bytes) -> str | None:
    """The daemon's one-line answer to `status` or `stop`; None when no daemon of this user
    answers."""
    try:
        connection = client.connect(socket_path(home))
    except client.Unavailable:
        return None
    try:
        connection.sendall(wire.frame(verb))
        return client.read_line(connection).decode("utf-8", "replace") or None
    except OSError:
        return None
    finally:
        connection.close()


def answers_with_this_code(home: Path) -> bool:
    """A daemon answers and runs the code installed here (one of other code is told to exit)."""
    try:
        connection = client.connect(socket_path(home))
    except client.Unavailable:
        return False
    try:
        connection.sendall(wire.frame(b"hello\0" + wire.fingerprint()))
        return client.read_line(connection) == b"ok"
    except OSError:
        return False
    finally:
        connection.close()


def spawn(home: Path, idle_seconds: str = "") -> subprocess.Popen[bytes]:
    """The daemon process, detached (own session, no terminal), logging to daemon.log;
    `idle_seconds` is its idle time when CONVEYOR_DAEMON_IDLE_SECONDS is not set."""
    environment = {**_daemon_environment(), "CONVEYOR_HOME": str(home)}
    if idle_seconds and not environment.get(IDLE_VARIABLE, "").strip():
        environment[IDLE_VARIABLE] = idle_seconds
    private_directory(home)
    log = open_private(home / wire.LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    if os.fstat(log).st_size > MAX_LOG_BYTES:  # the daemons before this one's lines
        os.ftruncate(log, 0)
    try:
        return subprocess.Popen(
            [sys.executable, "-c", DAEMON],
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            env=environment,
        )
    finally:
        os.close(log)


def _daemon_environment() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name in KEPT_VARIABLES or name.startswith(KEPT_PREFIXES)
    }


def start(home: Path) -> tuple[bool, str]:
    """Start a daemon and wait until it answers: (started now, its status line)."""
    if answers_with_this_code(home) and (status := ask(home, b"status")):
        return False, status
    process = spawn(home)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        if status := ask(home, b"status"):
            return True, status
        time.sleep(0.05)
    status = ask(home, b"status")  # another daemon may have won the race
    if status is None:
        raise RuntimeError(f"the daemon did not start; see {home / wire.LOG_FILE}")
    return process.poll() is None, status


def stop(home: Path) -> str | None:
    """Tell the daemon to stop (its running commands finish); its answer, None if none ran."""
    return ask(home, b"stop")


def start_in_background() -> None:
    """CONVEYOR_DAEMON=auto: start a daemon, not waiting for it, if none answers."""
    try:
        home = conveyor_home()
        if not Path(socket_path(home)).exists() or not answers_with_this_code(home):
            spawn(home, AUTO_IDLE_SECONDS)
    except Exception:  # a convenience: never what a command fails of
        pass
