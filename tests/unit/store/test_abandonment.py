from __future__ import annotations

import subprocess
import sys

from conveyor.engine.ports.store import (
    Admission,
    Conclusion,
    GroupTicket,
    NewJob,
    ProcessOwner,
    RunStatus,
    workflow_holder,
)
from conveyor.store import StoreHandle, open_store
from conveyor.store.owner import current_owner, is_alive, process_token
from tests.unit.store.conftest import REPO, new_run


def dead_owner() -> ProcessOwner:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    owner = ProcessOwner(child.pid, current_owner().host, process_token(child.pid))
    child.kill()
    child.wait()
    return owner


def test_liveness_tells_live_dead_and_foreign_processes_apart() -> None:
    assert is_alive(current_owner()) is True
    assert is_alive(dead_owner()) is False
    assert is_alive(ProcessOwner(1, "some-other-host", None)) is None
    reused = ProcessOwner(current_owner().pid, current_owner().host, "other-boot:1")
    assert is_alive(reused) is False  # same pid, different process


def test_opening_the_store_marks_runs_of_dead_processes_abandoned(store: StoreHandle) -> None:
    owner = dead_owner()
    orphan = store.runs.create_run(new_run(owner=owner))
    store.runs.set_run_status(orphan.id, RunStatus.IN_PROGRESS)
    store.runs.start_job(
        orphan.id, 1, NewJob("build", "build", "build", status=RunStatus.IN_PROGRESS)
    )
    store.runs.start_step(orphan.id, 1, "build", 0, "compile")
    deployment = store.environments.record_deployment(orphan.id, 1, "build", "prod", "in_progress")
    mine = store.runs.create_run(new_run(owner=current_owner()))
    finished = store.runs.create_run(new_run(owner=owner))
    store.runs.finish_run(finished.id, Conclusion.SUCCESS)
    group = GroupTicket(REPO, "g", workflow_holder(orphan.id, 1), orphan.id)
    store.concurrency.enter(group, cancel_in_progress=False)

    reopened = open_store(store.home)
    try:
        run = reopened.runs.get_run(orphan.id)
        assert run is not None
        assert (run.status, run.conclusion) == (RunStatus.COMPLETED, Conclusion.ABANDONED)
        assert run.reason is not None
        assert f"pid {owner.pid}" in run.reason
        (job,) = reopened.runs.list_jobs(orphan.id)
        assert job.conclusion is Conclusion.ABANDONED
        assert reopened.runs.list_steps(orphan.id, 1, "build")[0].conclusion is Conclusion.ABANDONED
        (shown,) = reopened.environments.list_deployments(REPO, "prod")
        assert (shown.id, shown.status) == (deployment.id, "error")
        assert reopened.runs.get_run(mine.id).status is RunStatus.QUEUED  # type: ignore[union-attr]
        assert reopened.runs.get_run(finished.id).conclusion is Conclusion.SUCCESS  # type: ignore[union-attr]
        newcomer = GroupTicket(REPO, "g", "run:x:1", mine.id)
        assert reopened.concurrency.enter(newcomer, cancel_in_progress=False) is Admission.RUNNING
        assert reopened.runs.sweep_abandoned() == []  # nothing left to mark
    finally:
        reopened.close()


def test_a_waiting_member_frees_a_group_held_by_a_dead_process(store: StoreHandle) -> None:
    orphan = store.runs.create_run(new_run(owner=dead_owner()))
    waiter = store.runs.create_run(new_run(owner=current_owner()))
    held = GroupTicket(REPO, "g", workflow_holder(orphan.id, 1), orphan.id)
    wanting = GroupTicket(REPO, "g", workflow_holder(waiter.id, 1), waiter.id)
    assert store.concurrency.enter(held, cancel_in_progress=False) is Admission.RUNNING
    # the holder died after the group was taken: the next poll notices and takes over
    assert store.concurrency.enter(wanting, cancel_in_progress=False) is Admission.RUNNING
    assert store.runs.get_run(orphan.id).conclusion is Conclusion.ABANDONED  # type: ignore[union-attr]


def test_a_dead_holders_group_is_held_while_a_process_it_started_lives(
    store: StoreHandle,
) -> None:
    owner = dead_owner()
    # a step process the dead owner left behind (its reaper was killed too)
    orphan_step = subprocess.Popen(["sleep", "60"], env=owner.environment())
    try:
        assert is_alive(owner) is True
        orphan = store.runs.create_run(new_run(owner=owner))
        waiter = store.runs.create_run(new_run(owner=current_owner()))
        held = GroupTicket(REPO, "g", workflow_holder(orphan.id, 1), orphan.id)
        wanting = GroupTicket(REPO, "g", workflow_holder(waiter.id, 1), waiter.id)
        assert store.concurrency.enter(held, cancel_in_progress=False) is Admission.RUNNING
        assert store.concurrency.enter(wanting, cancel_in_progress=False) is Admission.PENDING
        assert store.concurrency.poll(wanting) is Admission.PENDING
        assert store.runs.get_run(orphan.id).conclusion is None  # type: ignore[union-attr]
    finally:
        orphan_step.kill()
        orphan_step.wait()
    assert is_alive(owner) is False
    assert store.concurrency.poll(wanting) is Admission.RUNNING
    assert store.runs.get_run(orphan.id).conclusion is Conclusion.ABANDONED  # type: ignore[union-attr]
