"""Helpers for the integration tests that start real PostgreSQL and Redis servers.

Service runtime directories go to a fresh directory per test (world-traversable, as the service
account needs); the template cache is shared by the whole test session.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from conveyor.services.accounts import service_account
from conveyor.services.postgres_install import find_installs
from conveyor.services.registry import LocalServiceRegistry
from conveyor.services.runtime import ServiceRuntime, ServiceSettings, default_runtime_dir
from conveyor.services.supervisor import LocalServiceLauncher


@functools.cache
def session_cache_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="conveyor-test-services-cache-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def new_runtime_base() -> Path:
    path = Path(tempfile.mkdtemp(prefix="conveyor-test-services-", dir=default_runtime_dir()))
    path.chmod(0o755)
    return path


def launcher_for(runtime_base: Path, startup_timeout: float = 60.0) -> LocalServiceLauncher:
    settings = ServiceSettings(
        runtime_dir=runtime_base, cache_dir=session_cache_dir(), startup_timeout=startup_timeout
    )
    return LocalServiceLauncher(LocalServiceRegistry(ServiceRuntime(settings)))


def processes_using(base: Path) -> list[str]:
    """Processes whose working directory or command line is under `base`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{name}/cwd")
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if cwd.startswith(str(base)) or str(base) in cmdline:
            found.append(f"{name}: {cmdline.strip()} (cwd {cwd})")
    return found


def leftovers(base: Path) -> list[str]:
    """Everything a service left behind under `base`: processes and directory entries."""
    entries = sorted(os.listdir(base)) if base.exists() else []
    return processes_using(base) + [f"file: {entry}" for entry in entries]


def shared_memory_of_services() -> set[str]:
    """System V segments and /dev/shm files owned by the account services run as that no
    process uses (a leak; those of services running meanwhile, in other tests, are in use)."""
    uid = service_account().uid
    found = set()
    with open("/proc/sysvipc/shm") as table:
        next(table)
        for line in table:
            fields = line.split()  # key shmid perms size cpid lpid nattch uid ...
            if int(fields[7]) == uid and int(fields[6]) == 0:
                found.add(f"System V segment {fields[1]}")
    shm = Path("/dev/shm")
    if shm.is_dir():
        in_use = _files_in_use()
        for entry in shm.iterdir():
            with contextlib.suppress(OSError):
                if entry.is_file() and entry.stat().st_uid == uid and str(entry) not in in_use:
                    found.add(str(entry))
    return found


def _files_in_use() -> set[str]:
    """Every file a live process has mapped or open."""
    used = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        with contextlib.suppress(OSError), open(f"/proc/{name}/maps") as maps:
            used.update(line.split(None, 5)[5].strip() for line in maps if line.count("/"))
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{name}/fd"):
                with contextlib.suppress(OSError):
                    used.add(os.readlink(f"/proc/{name}/fd/{fd}"))
    return used


@contextlib.contextmanager
def nothing_left_behind(base: Path) -> Iterator[None]:
    """Assert that what ran inside left no process, file or shared memory behind."""
    before = shared_memory_of_services()
    try:
        yield
    finally:
        found = wait_for_nothing_left(base)
        found += sorted(shared_memory_of_services() - before)
        shutil.rmtree(base, ignore_errors=True)
    assert found == [], f"left behind: {found}"


def wait_for_nothing_left(base: Path, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while (found := leftovers(base)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def psql() -> str:
    """A psql client: the system's, else the one beside the PostgreSQL server found."""
    found = shutil.which("psql")
    if found:
        return found
    return find_installs()[0].tool("psql")
