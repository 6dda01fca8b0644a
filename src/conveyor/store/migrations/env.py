"""Alembic environment: always handed an open connection by `conveyor.store.schema`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from conveyor.store.models import metadata
from conveyor.store.revision import VERSION_TABLE


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()


connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("conveyor's migrations run through conveyor.store.schema, not alembic's CLI")
run_migrations(connection)
