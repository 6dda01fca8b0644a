"""`open_store()`: the store as every command uses it — schema checked, abandoned runs swept.

`open_run_store()` is `conveyor run`'s: the default SQLite store at HEAD through stdlib sqlite3
(`lite_store.py`), without importing SQLAlchemy; anything else through `open_store()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from conveyor.engine.ports.concurrency import ConcurrencyGate
from conveyor.engine.ports.environments import EnvironmentStore
from conveyor.engine.ports.secrets import SecretStore, VariableStore
from conveyor.engine.ports.store import RunStore
from conveyor.private_files import private_directory
from conveyor.store.coverage_points import CoverageTrend
from conveyor.store.location import DatabaseSettings, conveyor_home, database_settings
from conveyor.store.logs import DEFAULT_MAX_BYTES, FileLogStore
from conveyor.store.protection_gate import ProtectionGate
from conveyor.store.secret_box import KEY_FILE, SecretBox

if TYPE_CHECKING:
    from conveyor.store.lite_database import LiteDatabase


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
    database: DatabaseSettings | None = None,
    url: str | None = None,
    sweep: bool = True,
    max_log_bytes: int = DEFAULT_MAX_BYTES,
) -> StoreHandle:
    """Open (creating or migrating) the store under `home`, the database `database` says (its
    `url` overridden by `url`): `Settings.home` and `Settings.database` from bootstrap; without
    them, this process's CONVEYOR_HOME and CONVEYOR_DATABASE_* (tests, `conveyor daemon`)."""
    from conveyor.store.database import connect
    from conveyor.store.schema import ensure_schema

    home, database = _located(home, database)
    private_directory(home)
    connected = connect(url or database.url_for(home), database.timeout)
    try:
        ensure_schema(connected)
        return _swept(_sql_handle(home, connected, max_log_bytes), sweep=sweep)
    except BaseException:
        connected.dispose()
        raise


def _located(home: Path | None, database: DatabaseSettings | None) -> tuple[Path, DatabaseSettings]:
    """The home and database settings handed in, else this process's (the store's default)."""
    return home or conveyor_home(), database or database_settings()


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
    home: Path | None = None,
    *,
    database: DatabaseSettings | None = None,
    sweep: bool = True,
    max_log_bytes: int = DEFAULT_MAX_BYTES,
) -> StoreHandle:
    """The store for `conveyor run`: stdlib sqlite3 when the SQLite store is at HEAD.
    `home`, `database`: as `open_store()`'s."""
    home, database = _located(home, database)
    private_directory(home)
    handle = lite_handle(home, max_log_bytes, database)
    if handle is None:
        return open_store(home, database=database, sweep=sweep, max_log_bytes=max_log_bytes)
    try:
        return _swept(handle, sweep=sweep)
    except BaseException:
        handle.close()
        raise


def lite_handle(
    home: Path,
    max_log_bytes: int = DEFAULT_MAX_BYTES,
    database: DatabaseSettings | None = None,
) -> StoreHandle | None:
    """The store through stdlib sqlite3, or None when `open_store()` must open it (`database`:
    as `open_store()`'s)."""
    from conveyor.store.lite_database import open_lite

    lite = open_lite(home, database or database_settings())
    if lite is None:
        return None
    return _lite_handle(home, lite, max_log_bytes)


def _lite_handle(home: Path, database: LiteDatabase, max_log_bytes: int) -> StoreHandle:
    from conveyor.store.lite_concurrency import LiteConcurrencyGate
    from conveyor.store.lite_coverage import LiteCoverageTrend
    from conveyor.store.lite_environments import LiteEnvironmentStore
    from conveyor.store.lite_settings import LiteSecretStore, LiteVariableStore
    from conveyor.store.lite_store import LiteRunStore

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
def opened_store(
    home: Path | None = None, database: DatabaseSettings | None = None
) -> Iterator[StoreHandle]:
    """`with opened_store(settings.home, settings.database) as store:` — what each CLI command
    does; closed on the way out. Without them, as `open_store()`."""
    handle = open_store(home, database=database)
    try:
        yield handle
    finally:
        handle.close()
