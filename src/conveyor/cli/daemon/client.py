"""The `conveyor` command's thin client: hand the command to a warm daemon, or run it here.

It imports `os`, `sys`, `_socket` and `_signal` (the C halves of `socket` and `signal`, whose
Python halves cost ~11 ms at start) and `wire`. When CONVEYOR_DAEMON is `off`, the command is
`daemon` (or one that may prompt on the terminal), no socket is there, the socket or the
process behind it is not this user's, or the daemon's code differs (it is then told to
exit), the command runs in this process (`conveyor.cli.main.main`) as it always did.
CONVEYOR_DAEMON=auto also starts a daemon in the background after such a run. Without
CONVEYOR_DAEMON, a command on an interactive terminal (stdin and stderr are terminals, `CI` is not
set) is `auto`; any other (scripts, CI, tests) is `on`: it uses a daemon but starts none.
`conveyor --version` (or `-V`) alone is answered here, as click's version option prints it.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # signal's C half: no stub
import _socket
import os
import stat
import sys

from conveyor.cli.daemon import wire

# `daemon` manages the daemon; `secrets` may prompt for a value with echo off, which needs the
# controlling terminal (a daemon's child has none); servers and workers gain nothing.
IN_PROCESS = frozenset({"daemon", "secrets", "serve", "worker"})
FORWARDED = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT)
VERSION_FLAGS = (["--version"], ["-V"])  # click's `version_option` of `conveyor.cli.main.cli`
HELLO_TIMEOUT = 2.0  # a daemon that does not answer this soon is not used
EXIT_LOST = 3
EXIT_INTERRUPTED = 130


class Unavailable(Exception):
    """No daemon of this code answers: run the command in this process."""


def main() -> None:
    argv = sys.argv[1:]
    if argv in VERSION_FLAGS:  # neither click nor a daemon: the interpreter's start is the cost
        _print_version()
    mode = daemon_mode(os.environ)
    if mode != "off" and _command(argv) not in IN_PROCESS:
        try:
            _exit(_through_daemon(argv))
        except Unavailable:
            pass
        except KeyboardInterrupt:  # Ctrl-C before the command was handed over: nothing ran
            os.write(2, b"conveyor: interrupted\n")
            sys.exit(EXIT_INTERRUPTED)
    _in_process(argv, auto=mode == "auto" and _command(argv) not in IN_PROCESS)


def daemon_mode(environ: dict[str, str] | os._Environ[str]) -> str:
    """CONVEYOR_DAEMON when set; else `auto` for a person at a terminal, `on` otherwise."""
    chosen = environ.get("CONVEYOR_DAEMON", "").strip().lower()
    if chosen:
        return chosen
    return "auto" if _interactive(environ) else "on"


def _interactive(environ: dict[str, str] | os._Environ[str]) -> bool:
    """stdin and stderr are terminals and `CI` is unset (some CI systems give a terminal)."""
    if environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    return os.isatty(0) and os.isatty(2)


def _print_version() -> None:
    from conveyor import __version__

    sys.stdout.write(f"conveyor, version {__version__}\n")
    sys.exit(0)


def _command(argv: list[str]) -> str | None:
    return next((argument for argument in argv if not argument.startswith("-")), None)


def _in_process(argv: list[str], *, auto: bool) -> None:
    from conveyor.cli.main import main as in_process

    try:
        in_process(argv)
    finally:
        if auto:
            from conveyor.cli.daemon.control import start_in_background

            start_in_background()


def _exit(status: tuple[str, int]) -> None:
    """Exit with the command's status. The client holds nothing to clean up, so it skips the
    interpreter's finalization (freeing every object: ~4 ms, the fingerprint's strings most)."""
    kind, number = status
    _flush()
    if kind == "signal":  # die as the command did, so the shell sees the same
        _signal.signal(number, _signal.SIG_DFL)
        os.kill(os.getpid(), number)
        number += 128  # a signal it survives: the shell's way to say it
    os._exit(number)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 (contextlib is not loaded in the client: importing it costs more)
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, or None: nothing to write
            pass


def _through_daemon(argv: list[str]) -> tuple[str, int]:
    path = os.path.join(wire.home_directory(), wire.SOCKET)
    connection = connect(path)
    try:
        _hello(connection)
        return _hand_over(connection, argv)
    finally:
        connection.close()


def connect(path: str) -> _socket.socket:
    """A connection to the daemon at `path` if the socket and the process listening on it are
    this user's; Unavailable otherwise (nothing is sent before the check)."""
    try:
        status = os.stat(path)
    except OSError:
        raise Unavailable from None
    if not stat.S_ISSOCK(status.st_mode) or status.st_uid != os.getuid():
        raise Unavailable
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    connection.settimeout(HELLO_TIMEOUT)
    address, directory = wire.socket_address(path)
    try:
        connection.connect(address)
        credentials = connection.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    except OSError:
        connection.close()
        raise Unavailable from None
    finally:
        if directory is not None:
            os.close(directory)
    if wire.peer_uid(credentials) != os.getuid():
        connection.close()
        raise Unavailable
    return connection


def _hello(connection: _socket.socket) -> None:
    try:
        connection.sendall(wire.frame(b"hello\0" + wire.fingerprint()))
        answer = read_line(connection)
    except OSError:
        raise Unavailable from None
    if answer != b"ok":
        raise Unavailable


def _hand_over(connection: _socket.socket, argv: list[str]) -> tuple[str, int]:
    descriptors = _descriptors()
    pending: list[int] = []
    forward = _Forwarder(pending)
    previous = {number: _signal.signal(number, forward) for number in FORWARDED}
    try:
        _send_run(connection, argv, descriptors)
        connection.settimeout(None)
        return _follow(connection, forward)
    finally:
        for descriptor in descriptors[3:]:
            os.close(descriptor)
        for number, handler in previous.items():
            _signal.signal(number, handler)


def _descriptors() -> list[int]:
    for descriptor in (0, 1, 2):
        try:
            os.fstat(descriptor)
        except OSError:  # a closed standard stream: in process, as Python sets it up
            raise Unavailable from None
    try:
        cwd = os.open(".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        raise Unavailable from None
    return [0, 1, 2, cwd]


def _send_run(connection: _socket.socket, argv: list[str], descriptors: list[int]) -> None:
    umask = os.umask(0o077)
    os.umask(umask)
    data = wire.frame(wire.run_body([sys.argv[0], *argv], umask, dict(os.environb)))
    rights = b"".join(descriptor.to_bytes(4, sys.byteorder) for descriptor in descriptors)
    try:
        sent = connection.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)])
        connection.sendall(data[sent:])
    except OSError:
        raise Unavailable from None


class _Forwarder:
    """The signal handler: a signal goes to the command's process (kept until it is known),
    through a pidfd where the kernel has them (never to a reused pid)."""

    def __init__(self, pending: list[int]) -> None:
        self.pending = pending
        self.pid: int | None = None
        self.pidfd: int | None = None

    def __call__(self, number: int, frame: object) -> None:
        if self.pid is None:
            self.pending.append(number)
            return
        try:
            if self.pidfd is not None:
                _signal.pidfd_send_signal(self.pidfd, number)
            else:
                os.kill(self.pid, number)
        except OSError:
            pass  # it has just ended

    def attach(self, pid: int) -> None:
        try:
            self.pidfd = os.pidfd_open(pid)
        except (OSError, AttributeError):
            self.pidfd = None
        self.pid = pid
        for number in self.pending:
            self(number, None)


def _follow(connection: _socket.socket, forward: _Forwarder) -> tuple[str, int]:
    """Read the command's lines until its end: ('exit', code) or ('signal', number)."""
    first = read_line(connection)
    if first in (b"busy", b""):  # no child was started (it would hold the connection open)
        raise Unavailable
    if not first.startswith(b"started "):
        return _lost()
    forward.attach(int(first.split()[1]))
    try:
        while line := read_line(connection):
            kind, _, number = line.decode("ascii", "replace").partition(" ")
            if kind in ("exit", "signal") and number.isdigit():
                return kind, int(number)
        return _lost()
    finally:
        if forward.pidfd is not None:
            os.close(forward.pidfd)


def _lost() -> tuple[str, int]:
    os.write(2, b"conveyor: the daemon ended the command without an exit status\n")
    return "exit", EXIT_LOST


def read_line(connection: _socket.socket) -> bytes:
    """One line without its newline; b"" at the end of the stream."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(1)
        if not chunk:
            return b""
        data += chunk
    return data[:-1]
