from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from conveyor.errors import StoreError, UsageError
from conveyor.store.database import Database, connect
from conveyor.store.models import metadata
from conveyor.store.schema import (
    HEAD,
    VERSION_TABLE,
    current_revision,
    ensure_schema,
    known_revisions,
    migrate,
)

REVISIONS = known_revisions()


def schema_differences(conn: Connection) -> list[object]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
    )
    return list(compare_metadata(context, metadata))


def sqlite(tmp_path: Path) -> Database:
    return connect(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_head_constant_is_the_newest_revision() -> None:
    assert REVISIONS[-1] == HEAD
    assert sorted(REVISIONS) == REVISIONS


def test_migrating_an_empty_database_builds_exactly_the_models(tmp_path: Path) -> None:
    database = sqlite(tmp_path)
    ensure_schema(database)
    with database.read() as conn:
        assert current_revision(conn) == HEAD
        assert schema_differences(conn) == []


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    database = sqlite(tmp_path)
    ensure_schema(database)
    with database.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "db.sqlite").stat().st_mode & 0o777 == 0o600


SAMPLE_RUN = (
    "INSERT INTO repositories (id, key, created_at) VALUES (1, '/r', 1);"
    "INSERT INTO runs (id, repository_id, workflow, workflow_path, run_number, event, attempt,"
    " status, created_at, event_payload, inputs, options) VALUES"
    " (7, 1, 'CI', 'ci.yml', 1, 'push', 1, 'completed', 1, '{\"ref\":\"refs/heads/main\"}',"
    " '{}', '{}');"
    "INSERT INTO jobs (run_id, attempt, instance_key, job_id, name, status, outputs, reused)"
    " VALUES (7, 1, 'build', 'build', 'build', 'completed', '{\"a\":\"1\"}', 0)"
)


# SAMPLE_RUN writes `runs.event_payload`, which revision 0006 moved out.
@pytest.mark.parametrize("start", REVISIONS[: REVISIONS.index("0006")])
def test_upgrading_from_each_earlier_revision_keeps_the_data(tmp_path: Path, start: str) -> None:
    database = sqlite(tmp_path)
    with database.write(schema=True) as conn:
        migrate(conn, start)
        insert_sample_run(conn, start)
    ensure_schema(database)
    with database.read() as conn:
        assert current_revision(conn) == HEAD
        assert schema_differences(conn) == []
        outputs = conn.execute(text("SELECT outputs FROM jobs WHERE run_id = 7")).scalar()
        assert outputs == '{"a":"1"}'
        flag = conn.execute(text("SELECT cancel_requested FROM runs WHERE id = 7")).scalar()
        assert flag in (0, False)
        assert payload_of_run_7(conn) == {"ref": "refs/heads/main"}


def insert_sample_run(conn: Connection, revision: str) -> None:
    """SAMPLE_RUN as the schema at `revision` holds it (0006 on: the payload in event_payloads)."""
    sample = SAMPLE_RUN
    if conn.dialect.name == "postgresql":
        sample = sample.replace("', 0)", "', false)")
    if revision < "0006":
        for statement in sample.split(";"):
            conn.execute(text(statement))
        return
    raw = b'{"ref":"refs/heads/main"}'
    conn.execute(
        text("INSERT INTO event_payloads VALUES (1, :digest, :size, :data, 1)"),
        {"digest": hashlib.sha256(raw).hexdigest(), "size": len(raw), "data": zlib.compress(raw)},
    )
    statements = sample.replace(" event_payload,", " payload_id,")
    statements = statements.replace("""'{\"ref\":\"refs/heads/main\"}'""", "1")
    for statement in statements.split(";"):
        conn.execute(text(statement))


@pytest.mark.parametrize("start", REVISIONS[REVISIONS.index("0006") : -1])
def test_upgrading_from_a_revision_with_payload_rows_keeps_the_runs(
    tmp_path: Path, start: str
) -> None:
    database = sqlite(tmp_path)
    with database.write(schema=True) as conn:
        migrate(conn, start)
        conn.execute(text(SAMPLE_RUN.split(";")[0]))
        conn.execute(
            text(
                "INSERT INTO runs (id, repository_id, workflow, workflow_path, run_number, event,"
                " attempt, status, created_at, inputs, options) VALUES"
                " (7, 1, 'CI', 'ci.yml', 1, 'push', 1, 'completed', 1, '{}', '{}')"
            )
        )
    ensure_schema(database)
    with database.read() as conn:
        assert current_revision(conn) == HEAD
        assert schema_differences(conn) == []
        assert conn.execute(text("SELECT workflow FROM runs WHERE id = 7")).scalar() == "CI"


def payload_of_run_7(conn: Connection) -> object:
    """Run 7's payload, from `event_payloads` (revision 0006 on)."""
    data = conn.execute(
        text("SELECT data FROM event_payloads JOIN runs ON runs.payload_id = event_payloads.id")
    ).scalar_one()
    return json.loads(zlib.decompress(data))


def test_downgrading_to_base_and_back_up_works_and_keeps_runs(tmp_path: Path) -> None:
    database = sqlite(tmp_path)
    with database.write(schema=True) as conn:
        migrate(conn, "0005")  # SAMPLE_RUN has 0001-0005's runs.event_payload
        for statement in SAMPLE_RUN.split(";"):
            conn.execute(text(statement))
        migrate(conn, HEAD)
        migrate(conn, "0001")  # rebuilds runs/jobs in batch mode: must not cascade-delete jobs
        assert conn.execute(text("SELECT count(*) FROM jobs")).scalar() == 1
        migrate(conn, "base")
        assert current_revision(conn) is None
    ensure_schema(database)
    with database.read() as conn:
        assert schema_differences(conn) == []


def test_a_database_from_a_newer_conveyor_is_refused(tmp_path: Path) -> None:
    database = sqlite(tmp_path)
    ensure_schema(database)
    with database.write() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer than this conveyor"):
        ensure_schema(database)


def test_an_unsupported_database_url_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unsupported"):
        connect("mysql://localhost/x")
