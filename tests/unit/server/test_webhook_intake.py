"""The webhook intake's database work, counted on the real SQLite store behind a real uvicorn:
a delivery costs few transactions and statements (benchmarks/bench_server.py measures the time
they take), and every guarantee holds with the faster path: one transaction for the delivery
and its runs, a repeated delivery id answers the first one's runs, a removed repository or a
changed secret counts from the next delivery on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from conveyor.engine.ports.store import NewRun, RunQuery
from conveyor.store.database import Database
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.served_repositories import ServedRepository, served_repositories
from conveyor.store.server_queue import Delivery, Recorded, record_delivery
from tests.unit.server.served import (
    NAME,
    delivery,
    make_repo,
    post,
    push_payload,
    register,
    served_app,
)


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


@dataclass
class Counted:
    transactions: int = 0
    statements: list[str] = field(default_factory=list)


@contextmanager
def counted(store: StoreHandle) -> Iterator[Counted]:
    """The transactions begun and the statements run (BEGIN aside) on the store's engine."""
    assert isinstance(store.database, Database)
    engine, seen = store.database.engine, Counted()

    def begun(*_args: Any) -> None:
        seen.transactions += 1

    def statement(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        if not text.startswith("BEGIN"):
            seen.statements.append(text)

    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(engine, "begin", begun)
        event.remove(engine, "before_cursor_execute", statement)


def new_push(sha: str, number: int) -> dict[str, object]:
    """A push payload no delivery sent before (GitHub's differ by their commits and times)."""
    return push_payload(sha) | {"head_commit": {"id": sha, "message": f"change {number}"}}


def test_a_delivery_that_fires_a_run_costs_three_transactions_and_nine_statements(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    with served_app(conveyor_home, store, pool=False) as (_wired, url):
        assert post(url, delivery(new_push(sha, 1), number=1)).status_code == 202  # warm
        with counted(store) as seen:
            answer = post(url, delivery(new_push(sha, 2), number=2))
    assert answer.status_code == 202, answer.text
    assert seen.transactions <= 3, seen
    assert len(seen.statements) <= 9, seen  # were 5 transactions, 14 statements


def test_a_delivery_that_fires_nothing_costs_three_transactions_and_four_statements(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    tag = push_payload(sha) | {"ref": "refs/tags/v1"}
    with served_app(conveyor_home, store, pool=False) as (_wired, url):
        assert post(url, delivery(tag, number=1)).status_code == 200  # warm
        with counted(store) as seen:
            answer = post(url, delivery(tag, number=2))
    assert answer.status_code == 200, answer.text
    assert answer.json()["not_fired"], answer.json()
    assert seen.transactions <= 3, seen
    assert len(seen.statements) <= 4, seen  # were 5 transactions, 6 statements


def test_the_next_delivery_sees_a_removed_repository_and_a_new_secret(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    repositories = served_repositories(store)
    with served_app(conveyor_home, store, pool=False) as (_wired, url):
        assert post(url, delivery(new_push(sha, 1), number=1)).status_code == 202
        repositories.remove(NAME)
        gone = post(url, delivery(new_push(sha, 2), number=2))
        repositories.add(ServedRepository(NAME, str(tmp_path / "app"), "main", False, 0.0), "new")
        old_secret = post(url, delivery(new_push(sha, 3), number=3))
        new_secret = post(url, delivery(new_push(sha, 4), number=4, secret="new"))
    assert (gone.status_code, old_secret.status_code, new_secret.status_code) == (404, 401, 202)
    assert len(store.runs.list_runs(RunQuery(limit=10))) == 2


def test_deliveries_of_one_payload_share_it_and_each_gets_its_own_run(
    conveyor_home: Path, store: StoreHandle, tmp_path: Path
) -> None:
    sha = make_repo(tmp_path / "app")
    register(store, tmp_path / "app")
    with served_app(conveyor_home, store, pool=False) as (_wired, url):
        answers = [post(url, delivery(new_push(sha, 1), number=n)) for n in (1, 2, 1)]
    ids = [tuple(answer.json()["run_ids"]) for answer in answers]
    assert [answer.status_code for answer in answers] == [202, 202, 200]
    assert ids[0] != ids[1]
    assert ids[2] == ids[0]
    runs = store.runs.list_runs(RunQuery(limit=10))
    assert sorted(run.run_number for run in runs) == [1, 2]
    requests = [store.runs.run_request(run.id) for run in runs]
    assert all(r is not None and r.event_payload == new_push(sha, 1) for r in requests)


def test_a_delivery_id_recorded_meanwhile_rolls_the_second_transaction_back(
    conveyor_home: Path, store: StoreHandle
) -> None:
    """Two deliveries with one id that both passed the early check (two threads or processes
    at once): the second transaction's runs roll back, it answers the first one's."""
    database = store.database
    assert isinstance(database, Database)
    run = NewRun(NAME, "CI", ".github/workflows/ci.yml", "push", event_payload={"n": 1})
    first = record_delivery(database, Delivery("same-id", NAME, "push"), [run])
    second = record_delivery(database, Delivery("same-id", NAME, "push"), [run, run])
    assert first == Recorded(first.run_ids)
    assert second == Recorded(first.run_ids, duplicate=True)
    assert [r.id for r in store.runs.list_runs(RunQuery(limit=10))] == list(first.run_ids)
