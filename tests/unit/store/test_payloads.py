"""Event payloads are stored once per content, compressed, apart from the runs that use them;
revision 0006 moves the payloads of an existing database there and keeps it working."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from sqlalchemy import inspect, text

from conveyor.store import StoreHandle, open_store
from conveyor.store.database import connect
from conveyor.store.schema import current_revision, migrate
from tests.unit.store.conftest import new_run, raw_sql


def big_payload(commits: int = 20_000) -> dict[str, object]:
    """A push payload of a few megabytes, as compressible as a real one."""
    return {
        "ref": "refs/heads/main",
        "commits": [
            {
                "id": f"{index:040x}",
                "message": f"Change number {index}: adjust the handling of module {index % 97}",
                "author": {"name": "Alice Example", "email": "alice@example.com"},
                "added": [f"src/package_{index % 13}/module_{index}.py"],
                "removed": [],
                "modified": ["README.md", f"tests/test_module_{index}.py"],
            }
            for index in range(commits)
        ],
    }


def payload_rows(store: StoreHandle) -> list[tuple[int, int]]:
    with raw_sql(store) as conn:
        rows = conn.execute("SELECT size, length(data) FROM event_payloads").fetchall()
    return [(int(size), int(stored)) for size, stored in rows]


def test_a_payload_is_stored_once_and_compressed(store: StoreHandle) -> None:
    payload = big_payload()
    size = len(json.dumps(payload, separators=(",", ":")).encode())
    assert size > 4_000_000
    runs = [store.runs.create_run(new_run(event_payload=payload)) for _ in range(3)]
    [(stored_size, stored_bytes)] = payload_rows(store)  # one row for the three runs
    assert stored_size >= size
    assert stored_bytes < size / 10
    for run in runs:
        request = store.runs.run_request(run.id)
        assert request is not None
        assert request.event_payload == payload


def test_different_payloads_get_their_own_rows_and_an_empty_one_none(
    store: StoreHandle,
) -> None:
    first = store.runs.create_run(new_run(event_payload={"ref": "refs/heads/a"}))
    second = store.runs.create_run(new_run(event_payload={"ref": "refs/heads/b"}))
    empty = store.runs.create_run(new_run())
    assert len(payload_rows(store)) == 2
    found = [store.runs.run_request(run.id) for run in (first, second, empty)]
    assert [request.event_payload if request else None for request in found] == [
        {"ref": "refs/heads/a"},
        {"ref": "refs/heads/b"},
        {},
    ]


def test_revision_0006_moves_the_payloads_of_a_database_at_0005(conveyor_home: Path) -> None:
    payload = {"ref": "refs/heads/main", "after": "a" * 40, "text": "é" * 1000}
    stored = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    database = connect(f"sqlite:///{conveyor_home / 'conveyor.db'}")
    with database.write(schema=True) as conn:
        migrate(conn, "0005")
        conn.execute(text("INSERT INTO repositories (id, key, created_at) VALUES (1, '/r', 1)"))
        for run_id, body in ((7, stored), (8, stored), (9, "{}")):
            conn.execute(
                text(
                    "INSERT INTO runs (id, repository_id, workflow, workflow_path, run_number,"
                    " event, attempt, status, created_at, event_payload, inputs, options) VALUES"
                    " (:id, 1, 'CI', 'ci.yml', :id, 'push', 1, 'completed', 1, :body, '{}', '{}')"
                ),
                {"id": run_id, "body": body},
            )
        conn.execute(
            text(
                "INSERT INTO jobs (run_id, attempt, instance_key, job_id, name, status, outputs,"
                " reused) VALUES (7, 1, 'build', 'build', 'build', 'completed', '{}', 0)"
            )
        )
    database.dispose()
    store = open_store(conveyor_home)  # migrates to the head revision
    try:
        assert [store.runs.run_request(i).event_payload for i in (7, 8, 9)] == [  # type: ignore[union-attr]
            payload,
            payload,
            {},
        ]
        assert len(payload_rows(store)) == 1
        assert [job.job_id for job in store.runs.list_jobs(7)] == ["build"]
        with store.database.read() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("runs")}
            data = conn.execute(text("SELECT data FROM event_payloads")).scalar_one()
        assert "event_payload" not in columns
        assert json.loads(zlib.decompress(data)) == payload
        with store.database.write(schema=True) as conn:
            migrate(conn, "0005")  # and back: the payloads return to their column
            assert current_revision(conn) == "0005"
            rows = conn.execute(text("SELECT id, event_payload FROM runs ORDER BY id")).all()
            assert [(row[0], json.loads(row[1])) for row in rows] == [
                (7, payload),
                (8, payload),
                (9, {}),
            ]
            assert conn.execute(text("SELECT count(*) FROM jobs")).scalar() == 1
    finally:
        store.close()
