"""The server's store queries on PostgreSQL: API tokens, run search, metrics, steps by job."""

from __future__ import annotations

from conveyor.engine.ports.store import NewJob, NewRun
from conveyor.model.results import Conclusion, JobResult, StepResult
from conveyor.store import StoreHandle
from conveyor.store.api_tokens import SqlTokenStore
from conveyor.store.run_search import (
    RunFilter,
    job_duration_buckets,
    queued_jobs,
    runs_by_status,
    search_runs,
    steps_by_job,
)
from tests.integration.test_store_postgres import pg_server, pg_store, pg_url

__all__ = ["pg_server", "pg_store", "pg_url"]  # the fixtures


def test_tokens_on_postgres(pg_store: StoreHandle) -> None:
    tokens = SqlTokenStore(pg_store.database)  # type: ignore[arg-type]
    token = tokens.create("ci-bot", "admin")
    found = tokens.verify(token)
    assert found is not None
    assert found.role == "admin"
    assert tokens.revoke("ci-bot")
    assert tokens.verify(token) is None


def test_search_and_metrics_on_postgres(pg_store: StoreHandle) -> None:
    runs = pg_store.runs
    first = runs.create_run(
        NewRun("o/r", "CI", ".github/workflows/ci.yml", "push", ref="refs/heads/main")
    )
    second = runs.create_run(NewRun("o/r", "CI", ".github/workflows/ci.yml", "pull_request"))
    runs.start_job(second.id, 1, NewJob("build", "build", "build"))
    runs.start_job(first.id, 1, NewJob("build", "build", "build"))
    step = StepResult(
        0, "one", Conclusion.SUCCESS, Conclusion.SUCCESS, started_at=1.0, finished_at=2.0
    )
    runs.finish_step(first.id, 1, "build", step)
    runs.finish_job(
        first.id,
        1,
        "build",
        JobResult(Conclusion.SUCCESS, steps=(step,), started_at=10.0, finished_at=12.0),
    )
    runs.finish_run(first.id, Conclusion.SUCCESS)
    database = pg_store.database
    found = search_runs(database, RunFilter(repository="o/r", workflow="ci.yml", branch="main"))  # type: ignore[arg-type]
    assert [run.id for run in found] == [first.id]
    assert [r.id for r in search_runs(database, RunFilter(before=second.id))] == [first.id]  # type: ignore[arg-type]
    assert runs_by_status(database) == {"completed/success": 1, "queued": 1}  # type: ignore[arg-type]
    assert queued_jobs(database) == 1  # type: ignore[arg-type]
    counts, total = job_duration_buckets(database, (1.0, 5.0))  # type: ignore[arg-type]
    assert (counts, total) == ([0, 1, 1], 2.0)
    assert [s.name for s in steps_by_job(database, first.id, 1)["build"]] == ["one"]  # type: ignore[arg-type]
