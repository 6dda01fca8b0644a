"""Files and directories conveyor creates under CONVEYOR_HOME: private to the user.

Everything conveyor makes there is 0700 (directories) or 0600 (files, 0700 when executable):
the database (its WAL and SHM files take the database file's mode), logs, workspaces and
RUNNER_TEMP, artifacts, caches, service logs, crash tracebacks, the secrets key. The adapters
that create them (store, executors, services, actions) and the CLI share these few functions.

`restrict_umask()`, called once by the `conveyor` command, sets the process umask to 0o077 so
that what conveyor's own tools write (git checkouts, PostgreSQL templates, library files) is
private too; `user_umask()` is the umask the user had, which step processes get back (as on
GitHub, a step's `mkdir`/`pip install` make files with the user's usual modes — inside job
directories that are 0700, so nobody else can reach them).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

PRIVATE_UMASK = 0o077
_OTHERS = 0o077  # group and other permission bits
_REPLACE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK

_user_umask: int | None = None


def restrict_umask() -> None:
    """Make this process's new files private (remembering the user's umask for steps)."""
    global _user_umask
    previous = os.umask(PRIVATE_UMASK)
    if _user_umask is None:
        _user_umask = previous


def user_umask() -> int:
    """The umask a step process should get: the user's, or -1 (keep the current one) when
    `restrict_umask` was never called."""
    return -1 if _user_umask is None else _user_umask


def private_directory(path: Path) -> Path:
    """`mkdir -p` where every directory made is 0700 (existing ones are left as they are)."""
    text = os.fspath(path)
    if not os.path.isdir(text):  # os.path, not pathlib: a job makes nine of these at its start
        _make_directory(text)
    return path


def _make_directory(path: str) -> None:
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        if not os.path.isdir(path):
            raise
    except FileNotFoundError:
        parent = os.path.dirname(path)
        if not parent or parent == path:
            raise
        _make_directory(parent)
        _make_directory(path)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """A descriptor for `path`, created 0600 if new (its directory must exist)."""
    return os.open(path, flags | os.O_CLOEXEC, 0o600)


@contextlib.contextmanager
def private_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on `path` (a 0600 lock file, made if new; its directory must
    exist): one process or thread at a time makes what the lock guards, the others wait."""
    fd = open_private(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes | str) -> None:
    """Write `path` whole (0600 if new, made private if it was not). Never blocks on a named
    pipe nor follows a symbolic link put there (OSError instead)."""
    fd = open_private(path, _REPLACE)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        _make_private(fd)
        view = memoryview(data.encode("utf-8") if isinstance(data, str) else data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _make_private(fd: int) -> None:
    mode = stat.S_IMODE(os.fstat(fd).st_mode)
    if mode & _OTHERS:
        os.fchmod(fd, mode & ~_OTHERS)


def make_tree_private(root: Path) -> None:
    """Remove group and other permissions from `root` and everything under it (after copying
    files that kept their source's modes into CONVEYOR_HOME); symbolic links are left alone, and
    never followed (what they point to is not conveyor's)."""
    if root.is_symlink():
        return
    _strip(root)
    for directory, subdirectories, files in os.walk(root):
        for name in (*subdirectories, *files):
            _strip(Path(directory, name))


def _strip(path: Path) -> None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(info.st_mode)
    if mode & _OTHERS and not stat.S_ISLNK(info.st_mode):
        os.chmod(path, mode & ~_OTHERS)
