from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.engine.ports.store import Conclusion, RunQuery
from conveyor.store import StoreHandle
from conveyor.store.location import DatabaseSettings
from conveyor.store.quick_listing import quick_runs
from tests.unit.store.conftest import new_run, raw_sql
from tests.unit.store.test_abandonment import dead_owner

SQLITE = DatabaseSettings()  # the SQLite file under the home
QUERIES = [
    RunQuery(),
    RunQuery(limit=2),
    RunQuery(status="failure"),
    RunQuery(status="queued"),
    RunQuery(workflow="docs.yml"),
    RunQuery(workflow="Docs"),
    RunQuery(workflow="d_cs.yml"),  # `_` is not a wildcard
    RunQuery(repository="/elsewhere"),
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_quick_listing_answers_exactly_like_the_store(
    store: StoreHandle, query: RunQuery
) -> None:
    for index in range(5):
        run = store.runs.create_run(
            new_run(workflow="Docs", workflow_path=".github/workflows/docs.yml")
            if index % 2
            else new_run()
        )
        if index < 3:
            store.runs.finish_run(run.id, Conclusion.FAILURE if index else Conclusion.SUCCESS)
    assert quick_runs(store.home, query, SQLITE) == store.runs.list_runs(query)


def test_it_steps_aside_when_it_cannot_answer(store: StoreHandle, tmp_path: Path) -> None:
    assert quick_runs(tmp_path, RunQuery(), SQLITE) is None  # no database yet
    assert quick_runs(store.home, RunQuery(), SQLITE) == []
    store.runs.create_run(new_run(owner=dead_owner()))
    assert quick_runs(store.home, RunQuery(), SQLITE) is None  # a run must be swept first
    store.runs.sweep_abandoned()
    assert quick_runs(store.home, RunQuery(), SQLITE) is not None
    with raw_sql(store) as conn:
        conn.execute("UPDATE conveyor_alembic_version SET version_num = '0004'")
    assert quick_runs(store.home, RunQuery(), SQLITE) is None  # needs a migration


def test_it_follows_the_database_settings_it_is_handed(
    store: StoreHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVEYOR_DATABASE_URL", "postgresql://somewhere/db")
    assert quick_runs(store.home, RunQuery(), DatabaseSettings()) == []  # the SQLite file
    monkeypatch.delenv("CONVEYOR_DATABASE_URL")
    elsewhere = DatabaseSettings(url="postgresql://somewhere/db")
    assert quick_runs(store.home, RunQuery(), elsewhere) is None
