"""The local forge's rows on a real PostgreSQL: writers racing for the next issue number each
get their own (one number sequence per repository, however many server processes write)."""

from __future__ import annotations

import threading

import pytest

from conveyor.store import StoreHandle
from conveyor.store.forge_data import forge_data
from conveyor.store.forge_records import NewPull
from tests.integration.test_store_postgres import pg_server, pg_store, pg_url  # noqa: F401

pytestmark = pytest.mark.integration


def test_racing_writers_get_distinct_issue_numbers(pg_store: StoreHandle) -> None:  # noqa: F811
    data = forge_data(pg_store)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def write(worker: int) -> None:
        start.wait()
        try:
            for n in range(8):
                if n % 2:
                    data.issues.create("o/r", f"{worker}-{n}", None, "dev")
                else:
                    data.pulls.create(
                        "o/r", NewPull(f"{worker}-{n}", None, "dev", "f", "a", "m", "b")
                    )
        except BaseException as error:  # the test fails with it below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    listed = data.issues.listing("o/r", state="all", offset=0, limit=100)
    assert sorted(issue.number for issue in listed.items) == list(range(1, 33))
