"""`conveyor serve`'s intake on PostgreSQL: a signed push runs to success; a repeated delivery
creates nothing (the store's PostgreSQL fixtures: a real server)."""

from __future__ import annotations

from pathlib import Path

from conveyor.engine.ports.store import RunQuery
from conveyor.store.handle import StoreHandle
from tests.integration.test_store_postgres import pg_server, pg_store, pg_url  # noqa: F401
from tests.unit.server.served import (
    delivery,
    make_repo,
    post,
    push_payload,
    register,
    served_app,
    wait_completed,
)


def test_a_signed_push_runs_to_success_on_postgres(
    conveyor_home: Path,
    pg_store: StoreHandle,  # noqa: F811
    tmp_path: Path,
) -> None:
    sha = make_repo(tmp_path / "app")
    register(pg_store, tmp_path / "app")
    with served_app(conveyor_home, pg_store) as (_wired, url):
        first = post(url, delivery(push_payload(sha), number=1))
        again = post(url, delivery(push_payload(sha), number=1))
        assert first.status_code == 202, first.text
        (run_id,) = first.json()["run_ids"]
        assert again.json()["run_ids"] == [run_id]
        assert wait_completed(pg_store, run_id) == "success"
    assert len(pg_store.runs.list_runs(RunQuery(limit=10))) == 1
