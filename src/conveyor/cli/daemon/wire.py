"""What the thin client and the daemon share: where the daemon's files are, the fingerprint of
the code, and the frames on the socket. Imports `os` and `sys` only (the client's budget).

Files, all under CONVEYOR_HOME: `daemon.sock` (0600), `daemon.pid`, `daemon.log` (0600) and
`daemon.lock` (held by the live daemon).

On the socket (a Unix stream socket; both sides check the other's uid with SO_PEERCRED):
  client → `hello` frame: b"hello\\0" + fingerprint; daemon → b"ok\\n" or b"skew\\n"
  client → `run` frame with stdin, stdout, stderr and the cwd as SCM_RIGHTS descriptors:
           b"run\\0" umask \\0 argc \\0 argv... \\0 KEY=VALUE... (NUL cannot occur in any)
  child  → b"started PID\\n", then b"exit CODE\\n"; the daemon → b"signal N\\n" if it died
           of a signal, b"busy\\n" if it could not fork
  client → `stop` / `status` frames; daemon → one line
A frame is a 4-byte big-endian length and its body.
"""

from __future__ import annotations

import os
import sys

SOCKET = "daemon.sock"
PID_FILE = "daemon.pid"
LOG_FILE = "daemon.log"
LOCK_FILE = "daemon.lock"
MAX_FRAME = 64 * 1024 * 1024
SUN_PATH_MAX = 107  # sockaddr_un.sun_path, less the NUL
DESCRIPTORS = 4  # stdin, stdout, stderr, cwd


def home_directory(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """CONVEYOR_HOME, else $XDG_DATA_HOME/conveyor, else ~/.local/share/conveyor: the rule
    of `conveyor.store.location.conveyor_home` (a test keeps them equal), without creating it."""
    explicit = environ.get("CONVEYOR_HOME")
    if explicit:
        return explicit
    data = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data, "conveyor")


def socket_address(path: str) -> tuple[str, int | None]:
    """An address `connect`/`bind` accept for `path`, and a descriptor to close afterwards:
    a path longer than sun_path is reached through its directory's /proc/self/fd entry."""
    if len(os.fsencode(path)) <= SUN_PATH_MAX:
        return path, None
    directory = os.open(os.path.dirname(path) or ".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    return f"/proc/self/fd/{directory}/{os.path.basename(path)}", directory


def fingerprint() -> bytes:
    """conveyor's version, the interpreter, the import path (each entry's mtime: a package
    installed changes its directory) and every file of the package (size, mtime)."""
    import conveyor

    root = os.path.dirname(conveyor.__file__)
    parts = [conveyor.__version__, sys.executable, sys.version]
    for entry in sys.path[1:]:  # [0] is the script's directory or the current one
        parts.append(f"{entry} {_mtime(entry)}")
    _stamp_tree(root, parts)
    return "\n".join(parts).encode("utf-8", "surrogateescape")


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _stamp_tree(directory: str, parts: list[str]) -> None:
    with os.scandir(directory) as entries:
        for entry in sorted(entries, key=lambda item: item.name):
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                _stamp_tree(entry.path, parts)
            elif entry.name.endswith(".py"):
                status = entry.stat()
                parts.append(f"{entry.path} {status.st_size} {status.st_mtime_ns}")


def frame(body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + body


def frame_length(header: bytes) -> int:
    length = int.from_bytes(header[:4], "big")
    if length > MAX_FRAME:
        raise ValueError(f"frame of {length} bytes")
    return length


def run_body(argv: list[str], umask: int, environ: dict[bytes, bytes]) -> bytes:
    fields = [b"run", b"%d" % umask, b"%d" % len(argv)]
    fields += [os.fsencode(argument) for argument in argv]
    fields += [key + b"=" + value for key, value in environ.items()]
    return b"\0".join(fields)


def parse_run(body: bytes) -> tuple[list[str], int, dict[bytes, bytes]]:
    """(argv, umask, environment) of a `run` body."""
    fields = body.split(b"\0")
    if fields[0] != b"run":
        raise ValueError("not a run frame")
    umask, count = int(fields[1]), int(fields[2])
    argv = [os.fsdecode(argument) for argument in fields[3 : 3 + count]]
    environ: dict[bytes, bytes] = {}
    for entry in fields[3 + count :]:
        key, separator, value = entry.partition(b"=")
        if key and separator:
            environ[key] = value
    return argv, umask, environ


def peer_uid(credentials: bytes) -> int:
    """The uid in a SO_PEERCRED answer (struct ucred: pid, uid, gid as C ints)."""
    return int.from_bytes(credentials[4:8], sys.byteorder)
