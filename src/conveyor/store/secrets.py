"""`SqlSecretStore` (encrypted at rest) and `SqlVariableStore` (in clear), both scoped to a
repository and optionally to one of its environments; environment values win over repository ones.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, delete, insert, select, update

from conveyor.engine.ports.store import SecretInfo, VariableRecord
from conveyor.store.database import Database
from conveyor.store.models import SecretRow, VariableRow
from conveyor.store.rows import now, repository_id
from conveyor.store.secret_box import SecretBox
from conveyor.store.setting_names import check_name, check_value, scope


class SqlSecretStore:
    def __init__(self, database: Database, box: SecretBox) -> None:
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
        repo = repository_id(conn, repository)
        sample = conn.execute(select(SecretRow.c.name, SecretRow.c.ciphertext).limit(1)).first()
        if sample is not None:  # never mix keys: the current key must open what is stored
            self.box.decrypt(sample.ciphertext, sample.name)
        token = self.box.encrypt(value, create=sample is None)
        where = (SecretRow.c.repository_id == repo, SecretRow.c.environment == scope(env))
        updated = conn.execute(
            update(SecretRow)
            .where(*where, SecretRow.c.name == name)
            .values(ciphertext=token, updated_at=now())
        )
        if not updated.rowcount:
            values = {"repository_id": repo, "environment": scope(env), "name": name}
            conn.execute(
                insert(SecretRow).values(
                    **values, ciphertext=token, created_at=now(), updated_at=now()
                )
            )

    def delete_secret(self, repository: str, name: str, environment: str | None = None) -> bool:
        return self.database.run_write(
            lambda conn: _delete(conn, SecretRow, repository, name, environment)
        )

    def list_secrets(self, repository: str, environment: str | None = None) -> list[SecretInfo]:
        rows = self.database.run_read(lambda conn: _rows(conn, SecretRow, repository, environment))
        return [SecretInfo(r.name, r.environment or None, r.updated_at) for r in rows]

    def resolve_secrets(self, repository: str, environment: str | None = None) -> dict[str, str]:
        rows = self.database.run_read(
            lambda conn: _scoped(conn, SecretRow, repository, environment)
        )
        return {r.name: self.box.decrypt(r.ciphertext, r.name) for r in rows}


class SqlVariableStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def set_variable(
        self, repository: str, name: str, value: str, environment: str | None = None
    ) -> None:
        key = check_name(name, "variable")
        check_value(value, "variable", key)
        self.database.run_write(
            lambda conn: _set_variable(conn, repository, key, value, environment)
        )

    def delete_variable(self, repository: str, name: str, environment: str | None = None) -> bool:
        return self.database.run_write(
            lambda conn: _delete(conn, VariableRow, repository, name, environment)
        )

    def list_variables(
        self, repository: str, environment: str | None = None
    ) -> list[VariableRecord]:
        rows = self.database.run_read(
            lambda conn: _rows(conn, VariableRow, repository, environment)
        )
        return [VariableRecord(r.name, r.value, r.environment or None, r.updated_at) for r in rows]

    def resolve_variables(self, repository: str, environment: str | None = None) -> dict[str, str]:
        rows = self.database.run_read(
            lambda conn: _scoped(conn, VariableRow, repository, environment)
        )
        return {r.name: r.value for r in rows}


def _set_variable(
    conn: Connection, repository: str, name: str, value: str, env: str | None
) -> None:
    repo = repository_id(conn, repository)
    where = (VariableRow.c.repository_id == repo, VariableRow.c.environment == scope(env))
    updated = conn.execute(
        update(VariableRow)
        .where(*where, VariableRow.c.name == name)
        .values(value=value, updated_at=now())
    )
    if not updated.rowcount:
        values = {"repository_id": repo, "environment": scope(env), "name": name}
        conn.execute(
            insert(VariableRow).values(**values, value=value, created_at=now(), updated_at=now())
        )


def _delete(conn: Connection, table: Table, repository: str, name: str, env: str | None) -> bool:
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return False
    result = conn.execute(
        delete(table).where(
            table.c.repository_id == repo,
            table.c.environment == scope(env),
            table.c.name == name.upper(),
        )
    )
    return bool(result.rowcount)


def _rows(conn: Connection, table: Table, repository: str, env: str | None) -> list:  # type: ignore[type-arg]
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return []
    query = select(table).where(table.c.repository_id == repo)
    if env is not None:
        query = query.where(table.c.environment == scope(env))
    return list(conn.execute(query.order_by(table.c.environment, table.c.name)))


def _scoped(conn: Connection, table: Table, repository: str, env: str | None) -> list:  # type: ignore[type-arg]
    """Repository values, then the environment's over them (a later row wins in a dict)."""
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return []
    scopes = [""] if env is None else ["", scope(env)]
    query = select(table).where(table.c.repository_id == repo, table.c.environment.in_(scopes))
    rows = list(conn.execute(query))
    return sorted(rows, key=lambda row: row.environment != "")
