"""The schema revision this code expects (a test keeps it equal to the newest migration)."""

HEAD = "0015"
VERSION_TABLE = "conveyor_alembic_version"
