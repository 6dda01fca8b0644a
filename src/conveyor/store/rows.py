"""Small helpers shared by the SQL adapters: JSON columns, repositories, portable upserts."""

from __future__ import annotations

import time
from collections.abc import Mapping

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from conveyor.store.json_columns import dumps, loads_mapping, loads_optional_mapping, loads_strings
from conveyor.store.models import RepositoryRow


def now() -> float:
    return time.time()


def insert_ignore(conn: Connection, table: Table, values: Mapping[str, object]) -> None:
    """INSERT … ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


def repository_id(conn: Connection, key: str, *, create: bool = True) -> int | None:
    """The id of repository `key` (its path, or owner/name on a server), made on first use."""
    query = select(RepositoryRow.id).where(RepositoryRow.key == key)
    found = conn.execute(query).scalar()
    if found is not None or not create:
        return found
    insert_ignore(conn, RepositoryRow.__table__, {"key": key, "created_at": now()})  # type: ignore[arg-type]
    return int(conn.execute(query).scalar_one())


def repository_key(conn: Connection, repository_pk: int) -> str:
    query = select(RepositoryRow.key).where(RepositoryRow.id == repository_pk)
    return str(conn.execute(query).scalar_one())


__all__ = [
    "dumps",
    "insert_ignore",
    "loads_mapping",
    "loads_optional_mapping",
    "loads_strings",
    "now",
    "repository_id",
    "repository_key",
]
