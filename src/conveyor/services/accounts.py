"""Who service processes run as: the current user, or an unprivileged account when root.

PostgreSQL refuses to run as root, and a throwaway database has no business running as root
anyway: when conveyor runs as root, services run as a system account (created on first use with
`useradd --system`, default name `conveyor-services`) that owns their runtime directories.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from conveyor.errors import InfrastructureError

DEFAULT_SERVICE_USER = "conveyor-services"

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    uid: int
    gid: int

    @property
    def is_current(self) -> bool:
        return self.uid == os.geteuid()

    def identity(self) -> tuple[int | None, int | None, list[int] | None]:
        """`user`, `group`, `extra_groups` for `subprocess.Popen` (None: stay who we are)."""
        if self.is_current:
            return None, None, None
        return self.uid, self.gid, []

    def give(self, path: Path) -> None:
        """Make `path` (not its contents) belong to this account."""
        if not self.is_current:
            os.chown(path, self.uid, self.gid)

    def can_traverse(self, path: Path) -> bool:
        """True when this account may reach `path` through every directory above it."""
        if self.is_current:
            return True
        return all(self._may_search(parent) for parent in [path, *path.parents])

    def _may_search(self, directory: Path) -> bool:
        try:
            info = directory.stat()
        except OSError:
            return False
        if info.st_uid == self.uid:
            return bool(info.st_mode & stat.S_IXUSR)
        if info.st_gid == self.gid:
            return bool(info.st_mode & stat.S_IXGRP)
        return bool(info.st_mode & stat.S_IXOTH)


def current_account() -> Account:
    uid = os.geteuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = str(uid)
    return Account(name, uid, os.getegid())


def service_account(name: str = DEFAULT_SERVICE_USER) -> Account:
    """The account services run as: the current user unless that is root."""
    if os.geteuid() != 0:
        return current_account()
    with _lock:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            _create_system_user(name)
            entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise InfrastructureError(f"the service account {name!r} is root; choose another user")
    return Account(name, entry.pw_uid, entry.pw_gid)


def _create_system_user(name: str) -> None:
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    command = [useradd, "--system", "--user-group", "--no-create-home"]
    command += ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise InfrastructureError(f"cannot create the service account {name!r}: {exc}") from exc
    if result.returncode not in (0, 9):  # 9: the name exists (created concurrently)
        detail = result.stderr.strip() or f"useradd exited with {result.returncode}"
        raise InfrastructureError(f"cannot create the service account {name!r}: {detail}")
