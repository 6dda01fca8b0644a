"""`LiteSecretStore` and `LiteVariableStore`: `secrets.py`'s statements in stdlib sqlite3.

Names, values and scopes are checked by `secrets.py`'s own functions; the rows are the same
(test_lite_rows.py)."""

from __future__ import annotations

import time
from sqlite3 import Connection
from typing import Any

from conveyor.engine.ports.secrets import SecretInfo, VariableRecord
from conveyor.store.lite_database import LiteDatabase
from conveyor.store.lite_history import insert, repository_id
from conveyor.store.secret_box import SecretBox
from conveyor.store.setting_names import check_name, check_value, scope


class LiteSecretStore:
    def __init__(self, database: LiteDatabase, box: SecretBox) -> None:
        self.database = database
        self.box = box

    def set_secret(
        self, repository: str, name: str, value: str, environment: str | None = None
    ) -> None:
        key = check_name(name, "secret")
        check_value(value, "secret", key)
        self.database.run_write(lambda conn: self._set(conn, repository, key, value, environment))

    def _set(
        self, conn: Connection, repository: str, name: str, value: str, env: str | None
    ) -> None:
        sample = conn.execute("SELECT name, ciphertext FROM secrets LIMIT 1").fetchone()
        if sample is not None:  # never mix keys: the current key must open what is stored
            self.box.decrypt(sample.ciphertext, sample.name)
        token = self.box.encrypt(value, create=sample is None)
        _upsert(conn, "secrets", (repository, name, env), {"ciphertext": token})

    def delete_secret(self, repository: str, name: str, environment: str | None = None) -> bool:
        return self.database.run_write(
            lambda conn: _delete(conn, "secrets", repository, name, environment)
        )

    def list_secrets(self, repository: str, environment: str | None = None) -> list[SecretInfo]:
        rows = self.database.run_read(lambda conn: _rows(conn, "secrets", repository, environment))
        return [SecretInfo(r.name, r.environment or None, r.updated_at) for r in rows]

    def resolve_secrets(self, repository: str, environment: str | None = None) -> dict[str, str]:
        rows = self.database.run_read(
            lambda conn: _scoped(conn, "secrets", repository, environment)
        )
        return {r.name: self.box.decrypt(r.ciphertext, r.name) for r in rows}


class LiteVariableStore:
    def __init__(self, database: LiteDatabase) -> None:
        self.database = database

    def set_variable(
        self, repository: str, name: str, value: str, environment: str | None = None
    ) -> None:
        key = check_name(name, "variable")
        check_value(value, "variable", key)
        self.database.run_write(
            lambda conn: _upsert(
                conn, "variables", (repository, key, environment), {"value": value}
            )
        )

    def delete_variable(self, repository: str, name: str, environment: str | None = None) -> bool:
        return self.database.run_write(
            lambda conn: _delete(conn, "variables", repository, name, environment)
        )

    def list_variables(
        self, repository: str, environment: str | None = None
    ) -> list[VariableRecord]:
        rows = self.database.run_read(
            lambda conn: _rows(conn, "variables", repository, environment)
        )
        return [VariableRecord(r.name, r.value, r.environment or None, r.updated_at) for r in rows]

    def resolve_variables(self, repository: str, environment: str | None = None) -> dict[str, str]:
        rows = self.database.run_read(
            lambda conn: _scoped(conn, "variables", repository, environment)
        )
        return {r.name: r.value for r in rows}


_NAMED = "repository_id = ? AND environment = ? AND name = ?"


def _upsert(
    conn: Connection,
    table: str,
    where: tuple[str, str, str | None],
    values: dict[str, object],
) -> None:
    repository, name, env = where
    named = (repository_id(conn, repository), scope(env), name)
    ((column, value),) = values.items()
    updated = conn.execute(
        f"UPDATE {table} SET {column} = ?, updated_at = ? WHERE {_NAMED}",
        (value, time.time(), *named),
    )
    if not updated.rowcount:
        keys = dict(zip(("repository_id", "environment", "name"), named, strict=True))
        stamps = {"created_at": time.time(), "updated_at": time.time()}
        insert(conn, table, keys | values | stamps)


def _delete(conn: Connection, table: str, repository: str, name: str, env: str | None) -> bool:
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return False
    cursor = conn.execute(f"DELETE FROM {table} WHERE {_NAMED}", (repo, scope(env), name.upper()))
    return bool(cursor.rowcount)


def _rows(conn: Connection, table: str, repository: str, env: str | None) -> list[Any]:
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return []
    where, params = ("", (repo,)) if env is None else (" AND environment = ?", (repo, scope(env)))
    return conn.execute(
        f"SELECT * FROM {table} WHERE repository_id = ?{where} ORDER BY environment, name", params
    ).fetchall()


def _scoped(conn: Connection, table: str, repository: str, env: str | None) -> list[Any]:
    """Repository values, then the environment's over them (a later row wins in a dict)."""
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return []
    scopes = ("",) if env is None else ("", scope(env))
    marks = ", ".join("?" for _ in scopes)
    rows = conn.execute(
        f"SELECT * FROM {table} WHERE repository_id = ? AND environment IN ({marks})",
        (repo, *scopes),
    ).fetchall()
    return sorted(rows, key=lambda row: row.environment != "")
