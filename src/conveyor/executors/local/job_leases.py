"""Job directories of processes that died, swept by the next run.

A job directory (`runs/<run>/jobs/<slug>/`) holds what a step's secrets can be in: the step's
script (secrets substituted), the file-command files, the event payload. A job removes its
directory when it ends; a conveyor process killed with SIGKILL cannot. So each job holds a
*lease* while it runs: `<slug>.lease` beside its directory, locked with flock(2) before the
directory is made and unlocked by the kernel when the process dies, however it dies. The first
job a LocalExecutor runs sweeps: every job directory whose lease nobody holds is removed (the
workspace pools of processes that are gone, `runs/.pool-<pid>-<n>`, too). A directory kept on
purpose (`keep_workspace`) has no lease file once its job ended, and is left alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from conveyor.private_files import open_private, private_directory

SUFFIX = ".lease"


class JobLease:
    """The lock that says "a live process runs the job in this directory"."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def take(cls, root: Path) -> JobLease:
        """Lock `root`'s lease (waiting for a sweep that holds it to finish)."""
        path = root.with_name(root.name + SUFFIX)
        private_directory(path.parent)
        while True:
            fd = open_private(path, os.O_RDWR | os.O_CREAT)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _still_at(fd, path):
                return cls(path, fd)
            os.close(fd)  # a sweep removed it meanwhile: take a new one

    def release(self) -> None:
        """The job ended (its directory removed, or kept on purpose)."""
        if self._fd >= 0:
            self.path.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = -1


def sweep(home: Path, discard: Callable[[Path], None]) -> list[Path]:
    """`discard` every job directory (and workspace pool) left by a process that is gone;
    returns them."""
    runs = home / "runs"
    swept = [
        root for lease in runs.glob(f"*/jobs/*{SUFFIX}") if (root := _sweep_one(lease, discard))
    ]
    for pool in runs.glob(".pool-*"):
        if _pool_owner_gone(pool):
            discard(pool)
            swept.append(pool)
    return swept


def remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def _sweep_one(lease: Path, discard: Callable[[Path], None]) -> Path | None:
    """Discard the lease's job directory if no process holds the lease (holding it meanwhile),
    then remove the lease."""
    try:
        fd = os.open(lease, os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if not _still_at(fd, lease):
            return None
        root = lease.with_name(lease.name.removesuffix(SUFFIX))
        if root.exists():
            discard(root)
        lease.unlink(missing_ok=True)
        return root
    except BlockingIOError:
        return None  # its job runs
    finally:
        os.close(fd)


def _still_at(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), path.stat())
    except FileNotFoundError:
        return False


def _pool_owner_gone(pool: Path) -> bool:
    """`.pool-<pid>-<n>` of a process that no longer exists."""
    parts = pool.name.split("-")
    if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) == os.getpid():
        return False
    with contextlib.suppress(PermissionError):  # alive, as another user
        try:
            os.kill(int(parts[1]), 0)
        except ProcessLookupError:
            return True
    return False
