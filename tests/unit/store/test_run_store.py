"""The RunStore contract, checked on the SQL store and on the fake alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.store import (
    ArtifactRecord,
    CacheRecord,
    NewJob,
    RunQuery,
    RunStatus,
    RunStore,
)
from conveyor.errors import StoreError
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion, JobResult, StepResult
from conveyor.store.fake import FakeRunStore
from tests.unit.store.conftest import ADAPTERS, REPO, new_run, open_adapter


@pytest.fixture(params=[*ADAPTERS, "fake"])
def runs(request: pytest.FixtureRequest, conveyor_home: Path) -> Iterator[RunStore]:
    if request.param == "fake":
        yield FakeRunStore()
        return
    handle = open_adapter(request.param, conveyor_home)
    yield handle.runs
    handle.close()


def ok(index: int, name: str = "step") -> StepResult:
    return StepResult(
        index, name, Conclusion.SUCCESS, Conclusion.SUCCESS, started_at=1.0, finished_at=2.0
    )


def test_runs_are_numbered_per_workflow_and_listed_newest_first(runs: RunStore) -> None:
    first = runs.create_run(new_run())
    second = runs.create_run(new_run())
    other = runs.create_run(new_run(workflow="Docs", workflow_path=".github/workflows/docs.yml"))
    assert (first.run_number, second.run_number, other.run_number) == (1, 2, 1)
    assert first.status is RunStatus.QUEUED
    assert first.conclusion is None
    assert first.attempt == 1
    assert [r.id for r in runs.list_runs(RunQuery())] == [other.id, second.id, first.id]
    assert [r.id for r in runs.list_runs(RunQuery(workflow="Docs"))] == [other.id]
    assert [r.id for r in runs.list_runs(RunQuery(limit=1))] == [other.id]
    assert runs.get_run(9999) is None


def test_status_filter_matches_statuses_and_conclusions(runs: RunStore) -> None:
    done = runs.create_run(new_run())
    runs.create_run(new_run())
    runs.finish_run(done.id, Conclusion.FAILURE)
    assert [r.id for r in runs.list_runs(RunQuery(status="failure"))] == [done.id]
    assert len(runs.list_runs(RunQuery(status="queued"))) == 1
    assert runs.list_runs(RunQuery(status="success")) == []


def test_a_run_moves_to_in_progress_then_completes_once(runs: RunStore) -> None:
    run = runs.create_run(new_run())
    runs.set_run_status(run.id, RunStatus.IN_PROGRESS)
    started = runs.get_run(run.id)
    assert started is not None
    assert started.status is RunStatus.IN_PROGRESS
    assert started.started_at is not None
    done = runs.finish_run(run.id, Conclusion.SUCCESS)
    assert (done.status, done.conclusion) == (RunStatus.COMPLETED, Conclusion.SUCCESS)
    assert done.finished_at is not None
    assert done.finished_at >= started.started_at
    again = runs.finish_run(run.id, Conclusion.FAILURE)  # a finished run stays as it ended
    assert again.conclusion is Conclusion.SUCCESS
    runs.set_run_status(run.id, RunStatus.IN_PROGRESS)
    assert runs.get_run(run.id).status is RunStatus.COMPLETED  # type: ignore[union-attr]


def test_steps_ended_together_are_recorded_as_one_by_one(runs: RunStore) -> None:
    run = runs.create_run(new_run())
    runs.start_job(run.id, 1, NewJob("a", "a", "a"))
    runs.start_job(run.id, 1, NewJob("b", "b", "b"))
    runs.start_step(run.id, 1, "a", 0, "Build", started_at=5.0)
    failed = StepResult(1, "Test", Conclusion.FAILURE, Conclusion.SUCCESS, id="test")
    runs.finish_steps(run.id, 1, [("a", ok(0, "Build")), ("b", ok(0, "Lint")), ("a", failed)])
    runs.finish_steps(run.id, 1, [])
    steps = runs.list_steps(run.id, 1, "a")
    assert [(s.index, s.name, s.outcome, s.conclusion, s.step_id) for s in steps] == [
        (0, "Build", Conclusion.SUCCESS, Conclusion.SUCCESS, None),
        (1, "Test", Conclusion.FAILURE, Conclusion.SUCCESS, "test"),
    ]
    assert steps[0].started_at == 5.0  # the start recorded before is kept
    assert all(s.status is RunStatus.COMPLETED and s.finished_at for s in steps)
    assert [s.name for s in runs.list_steps(run.id, 1, "b")] == ["Lint"]


def test_jobs_steps_and_annotations_are_recorded(runs: RunStore) -> None:
    run = runs.create_run(new_run())
    runs.start_job(run.id, 1, NewJob("test (3.11)", "test", "test (3.11)", {"python": "3.11"}))
    runs.set_job_status(run.id, 1, "test (3.11)", RunStatus.IN_PROGRESS)
    runs.start_step(run.id, 1, "test (3.11)", 0, "Checkout")
    runs.finish_step(run.id, 1, "test (3.11)", ok(0, "Checkout"))
    skipped = StepResult(1, "Deploy", Conclusion.SKIPPED, Conclusion.SKIPPED)
    runs.finish_step(run.id, 1, "test (3.11)", skipped)  # never started: recorded whole
    note = Annotation(AnnotationLevel.ERROR, "boom", file="a.py", line=3)
    runs.add_annotation(run.id, 1, "test (3.11)", note)
    runs.finish_job(run.id, 1, "test (3.11)", JobResult(Conclusion.FAILURE, outputs={"v": "1"}))
    (job,) = runs.list_jobs(run.id)
    assert (job.status, job.conclusion) == (RunStatus.COMPLETED, Conclusion.FAILURE)
    assert job.matrix == {"python": "3.11"}
    assert job.outputs == {"v": "1"}
    assert job.started_at is not None
    assert job.finished_at is not None
    steps = runs.list_steps(run.id, 1, "test (3.11)")
    assert [(s.index, s.name, s.conclusion) for s in steps] == [
        (0, "Checkout", Conclusion.SUCCESS),
        (1, "Deploy", Conclusion.SKIPPED),
    ]
    (stored,) = runs.list_annotations(run.id)
    assert (stored.message, stored.line, stored.job) == ("boom", 3, "test (3.11)")


def test_start_job_twice_never_moves_a_job_back(runs: RunStore) -> None:
    run = runs.create_run(new_run())
    runs.start_job(run.id, 1, NewJob("a", "a", "a", status=RunStatus.IN_PROGRESS))
    runs.start_job(run.id, 1, NewJob("a", "a", "a", environment="prod"))
    (job,) = runs.list_jobs(run.id)
    assert job.status is RunStatus.IN_PROGRESS
    assert job.environment == "prod"


def test_rerun_starts_a_new_attempt_reusing_passed_jobs(runs: RunStore) -> None:
    new = new_run(event_payload={"ref": "x"}, inputs={"level": 3}, options={"jobs": ["a"]})
    run = runs.create_run(new)
    for key, status in (("a", Conclusion.SUCCESS), ("b", Conclusion.FAILURE)):
        runs.start_job(run.id, 1, NewJob(key, key, key))
        runs.finish_job(run.id, 1, key, JobResult(status, outputs={"out": key}))
    with pytest.raises(StoreError, match="still queued"):
        runs.begin_attempt(run.id, None, ["a"])
    runs.finish_run(run.id, Conclusion.FAILURE)
    second = runs.begin_attempt(run.id, None, ["a"])
    assert (second.attempt, second.status, second.conclusion) == (2, RunStatus.QUEUED, None)
    (reused,) = runs.list_jobs(run.id)
    assert (reused.instance_key, reused.reused, reused.outputs) == ("a", True, {"out": "a"})
    assert [j.instance_key for j in runs.list_jobs(run.id, attempt=1)] == ["a", "b"]
    request = runs.run_request(run.id)
    assert request is not None
    assert request.run.attempt == 2
    assert (request.event_payload, request.inputs, request.options) == (
        {"ref": "x"},
        {"level": 3},
        {"jobs": ["a"]},
    )
    assert runs.run_request(4242) is None


def test_cancel_requests_reach_the_run_or_one_job(runs: RunStore) -> None:
    run = runs.create_run(new_run())
    runs.start_job(run.id, 1, NewJob("a", "a", "a"))
    runs.start_job(run.id, 1, NewJob("b", "b", "b"))
    assert not runs.cancel_requested(run.id)
    runs.request_cancel(run.id, "a")
    assert runs.cancel_requested(run.id, "a")
    assert not runs.cancel_requested(run.id, "b")
    runs.request_cancel(run.id)
    assert runs.cancel_requested(run.id, "b")
    assert runs.cancel_requested(run.id)


def test_artifacts_replace_by_name_and_caches_match_by_prefix(runs: RunStore) -> None:
    run = runs.create_run(new_run())
    runs.record_artifact(ArtifactRecord(run.id, 1, "dist", "/a/1", 10, 1.0))
    runs.record_artifact(ArtifactRecord(run.id, 1, "dist", "/a/2", 20, 2.0))
    assert [(a.path, a.size) for a in runs.list_artifacts(run.id)] == [("/a/2", 20)]
    main = CacheRecord(REPO, "refs/heads/main", "deps-linux-abc", "v1", "/c/1", 5, 1.0, 1.0)
    runs.save_cache(main)
    runs.save_cache(main)  # immutable: saving again changes nothing
    found = runs.find_cache(REPO, ["refs/heads/feature", "refs/heads/main"], ["deps-linux-"], "v1")
    assert found is not None
    assert found.path == "/c/1"
    assert runs.find_cache(REPO, ["refs/heads/main"], ["deps-mac-"], "v1") is None
    assert runs.find_cache(REPO, ["refs/heads/main"], ["deps-linux-"], "v2") is None
