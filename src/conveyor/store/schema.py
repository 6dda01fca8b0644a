"""Bringing the database schema to the code's revision with Alembic, run programmatically.

Opening the store first reads the version table with one query (cheap, no Alembic import); only a
database behind the code is migrated, inside one write transaction (BEGIN IMMEDIATE on SQLite, an
advisory lock on PostgreSQL) so two processes opening a fresh store never both migrate it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from conveyor.errors import StoreError
from conveyor.store.database import Database
from conveyor.store.revision import HEAD, VERSION_TABLE

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_PG_MIGRATION_LOCK = 0x636F6E76  # "conv": serialises migrations across processes


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at, or None for an empty database."""
    dialect = conn.dialect
    if not dialect.has_table(conn, VERSION_TABLE):
        return None
    row = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def ensure_schema(database: Database) -> None:
    """Migrate to HEAD when behind; refuse a database from a newer conveyor."""
    revision = database.run_read(current_revision)
    if revision == HEAD:
        return
    with database.write(schema=True) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        migrate(conn, "head", check_known=True)


def migrate(conn: Connection, target: str, *, check_known: bool = False) -> None:
    """Upgrade (or downgrade, to a target below the current revision) in `conn`'s transaction."""
    from alembic import command
    from alembic.util.exc import CommandError

    config = alembic_config(conn)
    revision = current_revision(conn)
    if check_known and revision is not None and revision not in known_revisions():
        raise StoreError(
            f"the database schema is at revision {revision}, newer than this conveyor knows "
            f"(head {HEAD}): upgrade conveyor or point CONVEYOR_HOME elsewhere"
        )
    try:
        if target == "base" or (revision is not None and target < revision):
            command.downgrade(config, target)
        else:
            command.upgrade(config, target)
    except CommandError as error:
        raise StoreError(f"cannot migrate the database to {target}: {error}") from error


def known_revisions() -> list[str]:
    """Every revision, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def alembic_config(conn: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config
