"""RunGuard: workflow-level concurrency groups, cancel requests from outside, carried jobs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pytest

from conveyor.engine.carryover import carried_jobs, instances_of, rerun_closure
from conveyor.engine.planner import WorkflowPlan, plan_workflow
from conveyor.engine.ports.store import (
    Admission,
    Conclusion,
    GroupTicket,
    NewRun,
    RunStatus,
    StoredJob,
)
from conveyor.engine.records import RunRecord
from conveyor.engine.run_guard import GuardState, RunGuard
from conveyor.engine.scope import RunScope, RunSettings
from conveyor.engine.session import RunRequest, RunSession
from conveyor.executors.fake import FakeExecutor, FakeJob
from conveyor.store.fake import FakeConcurrencyGate, FakeRunStore
from tests.unit.engine.conftest import Recorder, When, bounded, workflow_from

GROUPED = """
on: push
concurrency: deploy
jobs:
  ship: {runs-on: x, steps: [{run: echo}]}
  tidy:
    needs: ship
    if: always()
    runs-on: x
    steps: [{run: echo}]
"""

OTHER = GroupTicket("/repo", "deploy", "run:99:1", 99)


def plan_of(text: str) -> WorkflowPlan:
    return plan_workflow(workflow_from(text))


def execute(
    plan: WorkflowPlan,
    guard: RunGuard | None,
    executor: FakeExecutor,
    observer: Recorder | None = None,
    on_session: Callable[[RunSession], object] | None = None,
) -> tuple[RunRecord, Recorder]:
    observer = observer or Recorder()
    scope = RunScope(run_id="1", workflow=plan.workflow, github={"ref": "refs/heads/main"})
    session = RunSession(executor, observer, RunSettings("/repo"), poll_interval=0.01)
    observer.session = session
    if on_session is not None:
        on_session(session)
    return session.execute([RunRequest(plan, scope, guard)]), observer


def guard_for(
    gate: FakeConcurrencyGate, runs: FakeRunStore | None = None, observer: Recorder | None = None
) -> RunGuard:
    notify = observer.message if observer is not None else (lambda _text: None)
    return RunGuard("/repo", 1, 1, gate=gate, runs=runs, notify=notify, poll_interval=0.01)


def queued(gate: FakeConcurrencyGate, runs: FakeRunStore | None = None) -> Callable[[], bool]:
    """True once run 1 waits in the pending slot of group 'deploy' (and its run is PENDING)."""

    def check() -> bool:
        slots = gate.groups.get(("/repo", "deploy"))
        if slots is None or slots.pending is None or slots.pending.holder != "run:1:1":
            return False
        stored = runs.get_run(1) if runs is not None else None
        return stored is None or stored.status is RunStatus.PENDING

    return check


def test_a_free_group_is_taken_and_the_run_goes_ahead() -> None:
    gate = FakeConcurrencyGate()
    guard = guard_for(gate)
    record, observer = execute(plan_of(GROUPED), guard, FakeExecutor())
    assert record.conclusion == "success"
    assert guard.state is GuardState.ADMITTED
    assert gate.groups[("/repo", "deploy")].running == GroupTicket("/repo", "deploy", "run:1:1", 1)
    assert observer.messages == []


def test_a_held_group_keeps_the_run_pending_until_it_is_released() -> None:
    gate = FakeConcurrencyGate()
    assert gate.enter(OTHER, cancel_in_progress=False) is Admission.RUNNING
    runs = FakeRunStore()
    stored = runs.create_run(NewRun("/repo", "w", "w.yml", "push"))
    executor = FakeExecutor()
    before_release: list[object] = []

    def release() -> None:
        before_release.append(list(executor.started))
        gate.release(OTHER)

    releaser = When(queued(gate, runs), release, unblock=lambda: gate.release(OTHER))
    observer = Recorder()
    guard = guard_for(gate, runs, observer)
    record, _ = bounded(lambda: execute(plan_of(GROUPED), guard, executor, observer))
    releaser.check()
    assert before_release == [[]]  # nothing ran while the group was held
    assert record.conclusion == "success"
    assert executor.started == ["ship", "tidy"]
    assert "pending: another run holds concurrency group 'deploy'" in observer.messages[0]
    assert runs.get_run(stored.id).status is RunStatus.IN_PROGRESS  # type: ignore[union-attr]


def test_a_newer_pending_run_replaces_this_one_before_any_job_starts() -> None:
    gate = FakeConcurrencyGate()
    gate.enter(OTHER, cancel_in_progress=False)
    newer = GroupTicket("/repo", "deploy", "run:100:1", 100)
    replacer = When(
        queued(gate),
        lambda: gate.enter(newer, cancel_in_progress=False),
        unblock=lambda: gate.release(OTHER),
    )
    guard = guard_for(gate)
    executor = FakeExecutor()
    record, _ = bounded(lambda: execute(plan_of(GROUPED), guard, executor))
    replacer.check()
    assert record.conclusion == "cancelled"
    assert executor.started == []
    assert record.jobs == ()
    assert "replaced it while it was pending" in (guard.reason or "")
    assert gate.cancel_requests == ["run:1:1"]


def test_ctrl_c_while_pending_leaves_the_queue() -> None:
    gate = FakeConcurrencyGate()
    gate.enter(OTHER, cancel_in_progress=False)
    interrupters: list[When] = []

    def interrupt_when_queued(session: RunSession) -> None:
        cancel = session.request_cancel
        interrupters.append(When(queued(gate), cancel, unblock=cancel))

    record, _ = bounded(
        lambda: execute(
            plan_of(GROUPED), guard_for(gate), FakeExecutor(), on_session=interrupt_when_queued
        )
    )
    interrupters[0].check()
    assert (record.conclusion, record.interrupted) == ("cancelled", True)
    assert gate.groups[("/repo", "deploy")].pending is None


def test_a_cancel_request_from_outside_cancels_the_run_but_always_jobs_run() -> None:
    gate = FakeConcurrencyGate()
    guard = guard_for(gate)
    executor = FakeExecutor({"ship": FakeJob(until_cancelled=True)})
    canceller = When(
        lambda: executor.started == ["ship"], guard.request_cancel, unblock=guard.request_cancel
    )
    record, observer = bounded(lambda: execute(plan_of(GROUPED), guard, executor))
    canceller.check()
    assert record.conclusion == "cancelled"
    assert not record.interrupted  # not Ctrl-C: the exit status is 1, not 130
    assert executor.started == ["ship", "tidy"]
    assert {str(job.conclusion) for job in record.jobs} == {"cancelled", "success"}
    assert observer.messages == [
        ".github/workflows/test.yml: cancelled by a newer run of concurrency group 'deploy'"
    ]
    assert guard.reason == "cancelled by a newer run of concurrency group 'deploy'"


def test_without_a_group_the_guard_only_admits() -> None:
    guard = guard_for(FakeConcurrencyGate())
    text = "on: push\njobs:\n  a: {runs-on: x, steps: [{run: echo}]}\n"
    record, _ = execute(plan_of(text), guard, FakeExecutor())
    assert record.conclusion == "success"
    assert guard.group is None


# ---- carried jobs (conveyor rerun) ---------------------------------------------------------------

PIPELINE = """
on: push
jobs:
  build:
    runs-on: x
    outputs: {v: "${{ steps.s.outputs.v }}"}
    steps: [{id: s, run: echo}]
  test:
    needs: build
    strategy: {matrix: {n: [1, 2]}}
    runs-on: x
    steps: [{run: echo}]
  lint: {runs-on: x, steps: [{run: echo}]}
  report:
    needs: [test, lint]
    runs-on: x
    steps: [{run: echo}]
"""


def stored(key: str, job_id: str, conclusion: Conclusion | None, **outputs: str) -> StoredJob:
    status = RunStatus.COMPLETED if conclusion else RunStatus.IN_PROGRESS
    return StoredJob(1, 1, key, job_id, key, status, conclusion, outputs=outputs, finished_at=1.0)


PREVIOUS = [
    stored("build", "build", Conclusion.SUCCESS, v="from-store"),
    stored("test (1)", "test", Conclusion.SUCCESS),
    stored("test (2)", "test", Conclusion.FAILURE),
    stored("lint", "lint", Conclusion.SUCCESS),
    stored("report", "report", Conclusion.SKIPPED),
]


def keys(carried: Mapping[str, Sequence[StoredJob]]) -> dict[str, list[str]]:
    return {job_id: [job.instance_key for job in jobs] for job_id, jobs in carried.items()}


def test_what_a_rerun_carries_over() -> None:
    plan = plan_of(PIPELINE)
    assert rerun_closure(plan, {"test"}) == {"test", "report"}
    assert keys(carried_jobs(plan, {"test"}, PREVIOUS)) == {"build": ["build"], "lint": ["lint"]}
    assert keys(carried_jobs(plan, {"lint"}, PREVIOUS)) == {
        "build": ["build"],
        "test": ["test (1)", "test (2)"],  # not re-run: carried as it was, failure included
    }
    assert carried_jobs(plan, None, PREVIOUS) == {}
    unfinished = [*PREVIOUS[:3], stored("lint", "lint", None)]
    assert set(carried_jobs(plan, {"test"}, unfinished)) == {"build"}  # lint must run again


def test_the_jobs_of_a_called_workflow_are_not_mistaken_for_a_top_level_job() -> None:
    jobs = [stored("build", "build", Conclusion.SUCCESS), stored("call / build", "build", None)]
    assert [job.instance_key for job in instances_of("build", jobs)] == ["build"]


def test_carried_jobs_are_not_run_and_their_outputs_reach_their_dependants() -> None:
    plan = plan_of(PIPELINE)
    carried = carried_jobs(plan, {"test"}, PREVIOUS)
    guard = RunGuard("/repo", 1, 2, carried=carried)
    executor = FakeExecutor()
    record, observer = execute(plan, guard, executor)
    assert record.conclusion == "success"
    assert executor.started == ["test (1)", "test (2)", "report"]
    needs = executor.documents[0].contexts["needs"]
    assert needs == {"build": {"result": "success", "outputs": {"v": "from-store"}}}
    assert {job.view.instance_key for job in record.jobs} >= {"build", "lint"}
    assert "build" not in {key for _, key in observer.events}  # not reported again


@pytest.mark.parametrize("conclusion", [Conclusion.FAILURE, Conclusion.CANCELLED])
def test_a_carried_failure_counts_for_the_run(conclusion: Conclusion) -> None:
    plan = plan_of(PIPELINE)
    previous = [*PREVIOUS[:3], stored("lint", "lint", conclusion), PREVIOUS[4]]
    guard = RunGuard("/repo", 1, 2, carried=carried_jobs(plan, {"test"}, previous))
    record, _ = execute(plan, guard, FakeExecutor())
    assert record.conclusion == str(conclusion)
