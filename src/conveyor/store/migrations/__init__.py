"""Alembic migrations of the run store, run programmatically by `conveyor.store.schema`."""
