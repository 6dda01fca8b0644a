"""`open_store()`: the store as every command uses it — schema checked, abandoned runs swept."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conveyor.private_files import private_directory
from conveyor.store.concurrency import SqlConcurrencyGate
from conveyor.store.database import Database, connect, conveyor_home, database_url
from conveyor.store.environments import SqlEnvironmentStore
from conveyor.store.logs import DEFAULT_MAX_BYTES, FileLogStore
from conveyor.store.protection_gate import ProtectionGate
from conveyor.store.schema import ensure_schema
from conveyor.store.secret_box import KEY_FILE, SecretBox
from conveyor.store.secrets import SqlSecretStore, SqlVariableStore
from conveyor.store.sql_run_store import SqlRunStore


@dataclass
class StoreHandle:
    home: Path
    database: Database
    runs: SqlRunStore
    logs: FileLogStore
    secrets: SqlSecretStore
    variables: SqlVariableStore
    environments: SqlEnvironmentStore
    concurrency: SqlConcurrencyGate

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
    home = home or conveyor_home()
    private_directory(home)
    database = connect(url or database_url(home))
    try:
        ensure_schema(database)
        handle = StoreHandle(
            home=home,
            database=database,
            runs=SqlRunStore(database),
            logs=FileLogStore(home / "logs", max_log_bytes),
            secrets=SqlSecretStore(database, SecretBox(home / KEY_FILE)),
            variables=SqlVariableStore(database),
            environments=SqlEnvironmentStore(database),
            concurrency=SqlConcurrencyGate(database),
        )
        if sweep:
            handle.runs.sweep_abandoned()
    except BaseException:
        database.dispose()
        raise
    return handle


@contextmanager
def opened_store(home: Path | None = None) -> Iterator[StoreHandle]:
    """`with opened_store() as store:` — what each CLI command does; closed on the way out."""
    handle = open_store(home)
    try:
        yield handle
    finally:
        handle.close()
