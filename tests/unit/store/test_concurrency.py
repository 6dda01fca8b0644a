"""Concurrency groups: the SQL gate and the fake follow the same rules."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.store import (
    Admission,
    Conclusion,
    ConcurrencyGate,
    GroupTicket,
    job_holder,
    workflow_holder,
)
from conveyor.errors import StoreError
from conveyor.store import StoreHandle, open_store
from conveyor.store.concurrency import group_name
from conveyor.store.fake import FakeConcurrencyGate
from tests.unit.store.conftest import REPO, new_run, raw_sql


@pytest.fixture(params=["sql", "fake"])
def gate_and_store(
    request: pytest.FixtureRequest, conveyor_home: Path
) -> Iterator[tuple[ConcurrencyGate, StoreHandle]]:
    handle = open_store(conveyor_home)
    gate = handle.concurrency if request.param == "sql" else FakeConcurrencyGate()
    yield gate, handle
    handle.close()


def ticket(store: StoreHandle, group: str = "deploy") -> GroupTicket:
    run = store.runs.create_run(new_run())
    return GroupTicket(REPO, group, workflow_holder(run.id, 1), run.id)


def test_one_running_one_pending_and_a_newer_pending_displaces_the_older(
    gate_and_store: tuple[ConcurrencyGate, StoreHandle],
) -> None:
    gate, store = gate_and_store
    first, second, third = ticket(store), ticket(store, "DEPLOY"), ticket(store, "Deploy")
    assert gate.enter(first, cancel_in_progress=False) is Admission.RUNNING
    assert gate.enter(second, cancel_in_progress=False) is Admission.PENDING
    assert gate.enter(third, cancel_in_progress=False) is Admission.PENDING
    assert gate.poll(second) is Admission.CANCELLED
    assert gate.poll(third) is Admission.PENDING
    gate.release(first)
    assert gate.poll(third) is Admission.RUNNING
    assert gate.poll(third) is Admission.RUNNING  # polling again changes nothing


def test_other_groups_and_repositories_do_not_interfere(
    gate_and_store: tuple[ConcurrencyGate, StoreHandle],
) -> None:
    gate, store = gate_and_store
    first, second = ticket(store, "a"), ticket(store, "b")
    elsewhere = GroupTicket("/other/repo", "a", "run:99:1", first.run_id)
    for each in (first, second, elsewhere):
        assert gate.enter(each, cancel_in_progress=False) is Admission.RUNNING


def test_wait_returns_cancelled_and_leaves_the_queue_when_cancelled(
    gate_and_store: tuple[ConcurrencyGate, StoreHandle],
) -> None:
    gate, store = gate_and_store
    holder, waiter = ticket(store), ticket(store)
    gate.enter(holder, cancel_in_progress=False)
    gate.enter(waiter, cancel_in_progress=False)
    cancel = threading.Event()
    cancel.set()
    assert gate.wait(waiter, cancel, poll_interval=0.01) is Admission.CANCELLED
    gate.release(holder)
    latecomer = ticket(store)
    assert gate.enter(latecomer, cancel_in_progress=False) is Admission.RUNNING


def test_wait_returns_running_once_the_holder_releases(
    gate_and_store: tuple[ConcurrencyGate, StoreHandle],
) -> None:
    gate, store = gate_and_store
    holder, waiter = ticket(store), ticket(store)
    gate.enter(holder, cancel_in_progress=False)
    gate.enter(waiter, cancel_in_progress=False)
    timer = threading.Timer(0.1, gate.release, [holder])
    timer.start()
    assert gate.wait(waiter, threading.Event(), poll_interval=0.02) is Admission.RUNNING
    timer.join()


def test_sql_cancel_in_progress_asks_the_running_run_to_cancel(store: StoreHandle) -> None:
    gate = store.concurrency
    running, newcomer = ticket(store), ticket(store)
    gate.enter(running, cancel_in_progress=True)
    assert gate.enter(newcomer, cancel_in_progress=True) is Admission.PENDING
    assert store.runs.cancel_requested(running.run_id)
    assert not store.runs.cancel_requested(newcomer.run_id)
    store.runs.finish_run(running.run_id, Conclusion.CANCELLED)  # releases its slot
    assert gate.poll(newcomer) is Admission.RUNNING


def test_sql_displaced_pending_run_is_asked_to_cancel(store: StoreHandle) -> None:
    gate = store.concurrency
    first, second, third = ticket(store), ticket(store), ticket(store)
    gate.enter(first, cancel_in_progress=False)
    gate.enter(second, cancel_in_progress=False)
    gate.enter(third, cancel_in_progress=False)
    assert store.runs.cancel_requested(second.run_id)
    assert not store.runs.cancel_requested(first.run_id)


def test_sql_job_level_groups_are_released_when_the_job_finishes(store: StoreHandle) -> None:
    from conveyor.engine.ports.store import NewJob
    from conveyor.model.results import Conclusion, JobResult

    run = store.runs.create_run(new_run())
    store.runs.start_job(run.id, 1, NewJob("deploy", "deploy", "deploy"))
    job = GroupTicket(REPO, "prod", job_holder(run.id, 1, "deploy"), run.id)
    other = ticket(store, "prod")
    assert store.concurrency.enter(job, cancel_in_progress=False) is Admission.RUNNING
    assert store.concurrency.enter(other, cancel_in_progress=True) is Admission.PENDING
    assert store.runs.cancel_requested(run.id, "deploy")
    assert not store.runs.cancel_requested(run.id)  # only that job, not its run
    store.runs.finish_job(run.id, 1, "deploy", JobResult(Conclusion.CANCELLED))
    assert store.concurrency.poll(other) is Admission.RUNNING


def test_sql_a_finished_run_never_keeps_a_group(store: StoreHandle) -> None:
    stale, fresh = ticket(store), ticket(store)
    store.concurrency.enter(stale, cancel_in_progress=False)
    with raw_sql(store) as conn:  # a run that ended without releasing (old data)
        conn.execute("UPDATE runs SET status='completed' WHERE id=?", (stale.run_id,))
    assert store.concurrency.enter(fresh, cancel_in_progress=False) is Admission.RUNNING


@pytest.mark.parametrize("bad", ["", "   ", "x" * 400])
def test_group_names_must_be_1_to_399_characters(bad: str) -> None:
    with pytest.raises(StoreError, match="1 to 399"):
        group_name(bad)
    assert group_name(" Deploy-Main ") == "deploy-main"
