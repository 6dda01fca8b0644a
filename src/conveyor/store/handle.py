"""`open_store()`: the store as every command uses it — schema checked, abandoned runs swept.

`open_run_store()` is `conveyor run`'s: the default SQLite store at HEAD through stdlib sqlite3
(`lite_store.py`), without importing SQLAlchemy; anything else through `open_store()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from conveyor.engine.ports.concurrency import ConcurrencyGate
from conveyor.engine.ports.environments import EnvironmentStore
from conveyor.engine.ports.secrets import SecretStore, VariableStore
from conveyor.engine.ports.store import RunStore
from conveyor.private_files import private_directory
from conveyor.store.coverage_points import CoverageTrend
from conveyor.store.location import conveyor_home
from conveyor.store.logs import DEFAULT_MAX_BYTES, FileLogStore
from conveyor.store.protection_gate import ProtectionGate
from conveyor.store.secret_box import KEY_FILE, SecretBox


class Disposable(Protocol):
    def dispose(self) -> None: ...


@dataclass
class StoreHandle:
    home: Path
    database: Disposable
    runs: RunStore
    logs: FileLogStore
    secrets: SecretStore
    variables: VariableStore
    environments: EnvironmentStore
    concurrency: ConcurrencyGate
    coverage: CoverageTrend | None = None  # coverage-gate's points (None: not kept)

    def gate(
        self, *, poll_interval: float = 1.0, notify: Callable[[str], None] | None = None
    ) -> ProtectionGate:
        gate = ProtectionGate(
            self.environments, self.secrets, self.variables, self.runs, poll_interval
        )
        if notify is not None:
            gate.notify = notify
        return gate

    def close(self) -> None:
        self.logs.close_all()
        self.database.dispose()


def open_store(
    home: Path | None = None,
    *,
    url: str | None = None,
    sweep: bool = True,
    max_log_bytes: int = DEFAULT_MAX_BYTES,
) -> StoreHandle:
    """Open (creating or migrating) the store under `home` (default CONVEYOR_HOME)."""
    from conveyor.store.database import connect, database_url
    from conveyor.store.schema import ensure_schema

    home = home or conveyor_home()
    private_directory(home)
    database = connect(url or database_url(home))
    try:
        ensure_schema(database)
        return _swept(_sql_handle(home, database, max_log_bytes), sweep=sweep)
    except BaseException:
        database.dispose()
        raise


def _sql_handle(home: Path, database: Any, max_log_bytes: int) -> StoreHandle:
    from conveyor.store.concurrency import SqlConcurrencyGate
    from conveyor.store.coverage_trend import SqlCoverageTrend
    from conveyor.store.environments import SqlEnvironmentStore
    from conveyor.store.secrets import SqlSecretStore, SqlVariableStore
    from conveyor.store.sql_run_store import SqlRunStore

    return StoreHandle(
        home=home,
        database=database,
        runs=SqlRunStore(database),
        logs=FileLogStore(home / "logs", max_log_bytes),
        secrets=SqlSecretStore(database, SecretBox(home / KEY_FILE)),
        variables=SqlVariableStore(database),
        environments=SqlEnvironmentStore(database),
        concurrency=SqlConcurrencyGate(database),
        coverage=SqlCoverageTrend(database),
    )


def _swept(handle: StoreHandle, *, sweep: bool) -> StoreHandle:
    if sweep:
        handle.runs.sweep_abandoned()
    return handle


def open_run_store(
    home: Path | None = None, *, sweep: bool = True, max_log_bytes: int = DEFAULT_MAX_BYTES
) -> StoreHandle:
    """The store for `conveyor run`: stdlib sqlite3 when the SQLite store is at HEAD."""
    home = home or conveyor_home()
    private_directory(home)
    handle = lite_handle(home, max_log_bytes)
    if handle is None:
        return open_store(home, sweep=sweep, max_log_bytes=max_log_bytes)
    try:
        return _swept(handle, sweep=sweep)
    except BaseException:
        handle.close()
        raise


def lite_handle(home: Path, max_log_bytes: int = DEFAULT_MAX_BYTES) -> StoreHandle | None:
    """The store through stdlib sqlite3, or None when `open_store()` must open it."""
    from conveyor.store.lite_concurrency import LiteConcurrencyGate
    from conveyor.store.lite_coverage import LiteCoverageTrend
    from conveyor.store.lite_database import open_lite
    from conveyor.store.lite_environments import LiteEnvironmentStore
    from conveyor.store.lite_settings import LiteSecretStore, LiteVariableStore
    from conveyor.store.lite_store import LiteRunStore

    database = open_lite(home)
    if database is None:
        return None
    try:
        database.prime_wal()  # on `conveyor run`'s store thread: see prime_wal
    except BaseException:
        database.dispose()
        raise
    return StoreHandle(
        home=home,
        database=database,
        runs=LiteRunStore(database),
        logs=FileLogStore(home / "logs", max_log_bytes),
        secrets=LiteSecretStore(database, SecretBox(home / KEY_FILE)),
        variables=LiteVariableStore(database),
        environments=LiteEnvironmentStore(database),
        concurrency=LiteConcurrencyGate(database),
        coverage=LiteCoverageTrend(database),
    )


@contextmanager
def opened_store(home: Path | None = None) -> Iterator[StoreHandle]:
    """`with opened_store() as store:` — what each CLI command does; closed on the way out."""
    handle = open_store(home)
    try:
        yield handle
    finally:
        handle.close()
