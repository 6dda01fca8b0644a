"""The Alembic migrations: the first enables pgvector, the head has the grants table."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text


def test_the_vector_extension_is_enabled(engine: Engine) -> None:
    with engine.connect() as connection:
        installed = connection.scalar(
            text("SELECT count(*) FROM pg_extension WHERE extname = 'vector'")
        )
    assert installed == 1


def test_the_grants_table_has_an_hnsw_cosine_index(engine: Engine) -> None:
    columns = {column["name"] for column in inspect(engine).get_columns("grants")}
    assert {"id", "title", "description", "amount_eur", "embedding", "created_at"} <= columns
    with engine.connect() as connection:
        index = connection.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_grants_embedding'")
        )
    assert "hnsw" in index
    assert "vector_cosine_ops" in index


def test_the_schema_is_at_the_head_revision(engine: Engine) -> None:
    with engine.connect() as connection:
        version = connection.scalar(text("SELECT version_num FROM alembic_version"))
    assert version == "0002"
