"""What all local providers share: settings, the service account, ports, directories, reaper."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conveyor.engine.ports.services import ContainerPolicy, ServiceRequest
from conveyor.errors import InfrastructureError, UsageError
from conveyor.private_files import private_directory
from conveyor.services.accounts import DEFAULT_SERVICE_USER, Account, service_account
from conveyor.services.host_ports import PortAllocator
from conveyor.services.process import shared_reaper
from conveyor.services.service_log import ServiceLog

SHM_DIR = Path("/dev/shm")
SHM_MINIMUM_FREE = 1 << 30  # use /dev/shm for runtime data only when it has 1 GiB free
LOG_TAIL_LINES = 30

SETTING_KEYS = frozenset({"runtime-dir", "cache-dir", "user", "container", "startup-timeout"})


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """The `[services]` settings that are not image rules (see docs/services.md)."""

    runtime_dir: Path | None = None  # None: /dev/shm when roomy, else the system temp dir
    cache_dir: Path | None = None  # None: <home>/cache/services, the home its caller hands
    user: str = DEFAULT_SERVICE_USER  # the account services run as when conveyor is root
    container: ContainerPolicy = ContainerPolicy.HOST
    startup_timeout: float = 60.0  # seconds for a service's own readiness check

    @classmethod
    def from_table(cls, table: Mapping[str, object]) -> tuple[ServiceSettings, dict[str, object]]:
        """Split a `[services]` table into settings and image rules (every other key)."""
        settings = cls(
            runtime_dir=_path_setting(table, "runtime-dir"),
            cache_dir=_path_setting(table, "cache-dir"),
            user=_text_setting(table, "user", DEFAULT_SERVICE_USER),
            container=ContainerPolicy(_text_setting(table, "container", "host")),
            startup_timeout=_seconds_setting(table, "startup-timeout", 60.0),
        )
        return settings, {key: value for key, value in table.items() if key not in SETTING_KEYS}


def _invalid(key: str, value: object) -> UsageError:
    return UsageError(f"services setting {key!r} has an invalid value: {value!r}")


def _path_setting(table: Mapping[str, object], key: str) -> Path | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise _invalid(key, value)
    return Path(value).expanduser()


def _text_setting(table: Mapping[str, object], key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise _invalid(key, value)
    if key == "container" and value not in tuple(ContainerPolicy):
        raise _invalid(key, value)
    return value


def _seconds_setting(table: Mapping[str, object], key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _invalid(key, value)
    return float(value)


def services_cache(home: Path) -> Path:
    """Where the services' caches are under CONVEYOR_HOME (without a `cache-dir` setting)."""
    return home / "cache" / "services"


def default_runtime_dir() -> Path:
    """/dev/shm when it exists with room to spare (throwaway data in memory), else $TMPDIR."""
    try:
        usage = shutil.disk_usage(SHM_DIR)
        if os.access(SHM_DIR, os.W_OK) and usage.free >= SHM_MINIMUM_FREE:
            return SHM_DIR
    except OSError:
        pass
    return Path(tempfile.gettempdir())


class ServiceRuntime:
    """Shared by the providers of one process: hands out ports, directories and log files."""

    def __init__(
        self, settings: ServiceSettings | None = None, *, home: Path | None = None
    ) -> None:
        self.settings = settings or ServiceSettings()
        self.home = home  # CONVEYOR_HOME, as bootstrap's Settings have it (for the cache)
        self.ports = PortAllocator()
        self.reaper = shared_reaper()
        self._account: Account | None = None
        self._lock = threading.Lock()

    @property
    def account(self) -> Account:
        with self._lock:
            if self._account is None:
                self._account = service_account(self.settings.user)
            return self._account

    @property
    def runtime_base(self) -> Path:
        return self.settings.runtime_dir or default_runtime_dir()

    @property
    def cache_base(self) -> Path:
        """The `cache-dir` setting, else the cache under the home this runtime was handed."""
        if self.settings.cache_dir is not None:
            return self.settings.cache_dir
        if self.home is None:
            raise InfrastructureError(
                "the services have no cache directory: set the services cache-dir "
                "(the caller handed no CONVEYOR_HOME)"
            )
        return services_cache(self.home)

    def new_run_dir(self, prefix: str) -> Path:
        """A fresh private directory for one instance, owned by the service account."""
        base = self.runtime_base
        if not self.account.can_traverse(base):
            raise InfrastructureError(
                f"the service account {self.account.name!r} cannot reach {base}; "
                "choose a services runtime-dir every user can traverse"
            )
        try:
            base.mkdir(parents=True, exist_ok=True)
            path = Path(tempfile.mkdtemp(prefix=f"conveyor-{prefix}-", dir=base))
        except OSError as exc:
            message = f"cannot create a service directory in {base}: {exc}"
            raise InfrastructureError(message) from exc
        self.reaper.track_directory(path)  # removed by the reaper if conveyor dies first
        self.account.give(path)
        return path

    def remove_run_dir(self, path: Path) -> None:
        """Remove a directory of `new_run_dir` (the reaper need not any more)."""
        remove_tree(path)
        self.reaper.forget_directory(path)

    def open_log(self, request: ServiceRequest, service_id: str, run_dir: Path) -> ServiceLog:
        """The service's log file: `<log_dir>/<id>.log`, or inside its runtime directory;
        the job's secrets masked in it (see service_log)."""
        directory = private_directory(Path(request.log_dir) if request.log_dir else run_dir)
        return ServiceLog(directory / f"{service_id}.log", request.mask)


def log_tail(path: Path | str, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a service log, for error messages."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16384))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    tail = text.splitlines()[-lines:]
    return "\n".join(tail) if tail else "(the log is empty)"


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
