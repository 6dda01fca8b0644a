"""Small helpers shared by the SQL adapters: JSON columns, repositories, portable upserts."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.dialects import sqlite

from conveyor import clock
from conveyor.store.json_columns import dumps, loads_mapping, loads_optional_mapping, loads_strings
from conveyor.store.models import RepositoryRow

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql


_REPOSITORY_ID = select(RepositoryRow.c.id).where(RepositoryRow.c.key == bindparam("key"))


def now() -> float:
    """The process's clock (conveyor/clock.py: shifted when CONVEYOR_CLOCK_START is set)."""
    return clock.now()


def upsert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT with ON CONFLICT; PostgreSQL's is imported only when used."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    return sqlite.insert(table)


@cache
def insert_ignoring(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """INSERT … ON CONFLICT DO NOTHING into `table`, built once per dialect (a statement run
    many times a second: its rowcount says whether the row went in)."""
    return upsert(dialect, table).on_conflict_do_nothing()


def insert_ignore(conn: Connection, table: Table, values: Mapping[str, object]) -> None:
    """INSERT … ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike."""
    conn.execute(upsert(conn.dialect.name, table).values(**values).on_conflict_do_nothing())


def repository_id(conn: Connection, key: str, *, create: bool = True) -> int | None:
    """The id of repository `key` (its path, or owner/name on a server), made on first use."""
    found = conn.execute(_REPOSITORY_ID, {"key": key}).scalar()
    if found is not None or not create:
        return found
    insert_ignore(conn, RepositoryRow, {"key": key, "created_at": now()})
    return int(conn.execute(_REPOSITORY_ID, {"key": key}).scalar_one())


def repository_key(conn: Connection, repository_pk: int) -> str:
    query = select(RepositoryRow.c.key).where(RepositoryRow.c.id == repository_pk)
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
