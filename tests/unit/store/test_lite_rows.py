"""The two adapters of the SQLite store write the same rows: one scripted run — a run with an
event payload, a job with steps, annotations, artifacts, caches, a concurrency group, an
environment with an approval and a deployment, secrets and variables, a cancel request, a
second attempt and an abandoned run — through SQLAlchemy Core and through stdlib sqlite3,
then every table of both files compared (timestamps as set/unset, ciphertexts as plaintext)."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from conveyor.engine.ports.store import (
    ArtifactRecord,
    CacheRecord,
    GroupTicket,
    NewJob,
    ProcessOwner,
    ProtectionRules,
    RunStatus,
    job_holder,
    workflow_holder,
)
from conveyor.errors import StoreError
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion, JobResult, StepResult
from conveyor.store import StoreHandle, open_store
from conveyor.store.coverage_points import CoveragePoint
from conveyor.store.handle import open_run_store
from conveyor.store.lite_database import LiteDatabase
from conveyor.store.location import DatabaseSettings
from conveyor.store.owner import current_owner
from conveyor.store.secret_box import KEY_FILE, SecretBox
from tests.unit.store.conftest import REPO, new_run, open_adapter
from tests.unit.store.test_abandonment import dead_owner

TIMES = {
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
    "last_used_at",
    "requested_at",
    "decided_at",
    "recorded_at",
}


def script(store: StoreHandle, dead: ProcessOwner) -> None:
    runs = store.runs
    store.secrets.set_secret(REPO, "token", "s3cret")
    store.secrets.set_secret(REPO, "token", "s3cret-2", environment="Prod")
    store.variables.set_variable(REPO, "region", "eu")
    store.variables.delete_variable(REPO, "missing")
    payload = {"ref": "refs/heads/main", "commits": [{"id": "abc"}] * 50}
    run = runs.create_run(new_run(owner=current_owner(), event_payload=payload, inputs={"a": 1}))
    runs.create_run(new_run(event_payload=payload))  # the payload row is shared
    runs.set_run_status(run.id, RunStatus.IN_PROGRESS)
    gate = store.concurrency
    gate.enter(
        GroupTicket(REPO, "Deploy", workflow_holder(run.id, 1), run.id), cancel_in_progress=False
    )
    job = GroupTicket(REPO, "jobs", job_holder(run.id, 1, "build"), run.id)
    gate.enter(job, cancel_in_progress=True)
    runs.start_job(run.id, 1, NewJob("build", "build", "Build", {"os": "linux"}, "Prod"))
    runs.set_job_status(run.id, 1, "build", RunStatus.IN_PROGRESS)
    runs.start_step(run.id, 1, "build", 0, "Compile", started_at=5.0)
    runs.finish_step(
        run.id, 1, "build", StepResult(0, "Compile", Conclusion.SUCCESS, Conclusion.SUCCESS)
    )
    skipped = StepResult(1, "Skipped", Conclusion.SKIPPED, Conclusion.SKIPPED)
    failed = StepResult(2, "Lint", Conclusion.FAILURE, Conclusion.SUCCESS, id="lint")
    runs.finish_steps(run.id, 1, [("build", skipped), ("build", failed)])
    note = Annotation(AnnotationLevel.ERROR, "bad", title="t", file="a.c", line=3, column=2)
    runs.add_annotation(run.id, 1, "build", note)
    environments(store, run.id)
    runs.record_artifact(ArtifactRecord(run.id, 1, "dist", "/a/dist", 10, 1.0, "sha256:x"))
    runs.record_artifact(ArtifactRecord(run.id, 1, "dist", "/a/dist2", 12, 2.0))
    cache = CacheRecord(REPO, "refs/heads/main", "deps-linux-1", "v1", "/c/1", 5, 1.0, 1.0)
    runs.save_cache(cache)
    runs.save_cache(cache)
    assert store.coverage is not None
    store.coverage.record(CoveragePoint(REPO, "main", "abc", run.id, 75.0, None, 50.0, 1.0))
    assert store.coverage.recent(REPO, "main")[0].diff_rate == 50.0
    assert runs.find_cache(REPO, ["refs/heads/main"], ["nope", "deps-linux"], "v1") is not None
    runs.request_cancel(run.id, "build")
    runs.finish_job(run.id, 1, "build", JobResult(Conclusion.SUCCESS, outputs={"x": "1"}))
    gate.wait(job, threading.Event())
    gate.release(job)
    runs.finish_run(run.id, Conclusion.SUCCESS)
    runs.begin_attempt(run.id, current_owner(), reuse=["build"])
    runs.request_cancel(run.id)
    runs.finish_run(run.id, Conclusion.CANCELLED, reason="asked")
    orphan = runs.create_run(new_run(owner=dead))
    runs.start_job(orphan.id, 1, NewJob("a", "a", "A", status=RunStatus.IN_PROGRESS))
    assert [r.id for r in runs.sweep_abandoned()] == [orphan.id]


def environments(store: StoreHandle, run_id: int) -> None:
    envs = store.environments
    rules = ProtectionRules(("bob",), True, 1.5, ("main",), None)
    envs.declare_environment(REPO, "Prod", rules, source="toml")
    envs.declare_environment(REPO, "Prod", rules, source="toml")
    envs.ensure_environment(REPO, "staging")
    envs.delete_environment(REPO, "staging")
    envs.request_approval(run_id, 1, "Prod")
    envs.request_approval(run_id, 1, "prod")
    envs.decide_approval(run_id, "prod", approve=True, reviewer="bob", comment="ok")
    deployment = envs.record_deployment(run_id, 1, "build", "Prod", "in_progress")
    envs.update_deployment(deployment.id, "success", url="https://x")
    envs.record_deployment(run_id, 1, "build", "Prod", "queued")


# Tables only `conveyor serve` writes (through SQLAlchemy); the lite store never touches them.
SERVER_ONLY_TABLES = frozenset(
    {
        "api_tokens",
        "forge_branch_protections",
        "forge_check_ids",
        "forge_check_runs",
        "forge_comments",
        "forge_issue_labels",
        "forge_issues",
        "forge_labels",
        "forge_pulls",
        "forge_release_assets",
        "forge_releases",
        "forge_reports",
        "forge_statuses",
        "job_tokens",
        "remote_jobs",
        "remote_workers",
        "schedule_ticks",
        "served_repositories",
        "webhook_deliveries",
    }
)


def dump(home: Path) -> dict[str, list[tuple[object, ...]]]:
    box = SecretBox(home / KEY_FILE)
    tables: dict[str, list[tuple[object, ...]]] = {}
    with closing(sqlite3.connect(home / "conveyor.db")) as conn:
        names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        for (name,) in names:
            if name in SERVER_ONLY_TABLES:
                continue
            cursor = conn.execute(
                f"SELECT * FROM {name} ORDER BY id"
                if name != "conveyor_alembic_version"
                else f"SELECT * FROM {name}"
            )
            columns = [column[0] for column in cursor.description]
            tables[name] = [
                tuple(
                    _value(box, row, column, value)
                    for column, value in zip(columns, row, strict=True)
                )
                for row in cursor.fetchall()
            ]
    return tables


def _value(box: SecretBox, row: tuple[object, ...], column: str, value: object) -> object:
    if column in TIMES:
        return value is not None
    if column == "ciphertext":
        return box.decrypt(value, "secret")  # type: ignore[arg-type]
    return value


def test_both_adapters_write_identical_rows_for_the_same_run(tmp_path: Path) -> None:
    dumps, dead = {}, dead_owner()
    for adapter in ("sql", "lite"):
        home = tmp_path / adapter
        store = open_adapter(adapter, home)
        try:
            script(store, dead)
        finally:
            store.close()
        dumps[adapter] = dump(home)
    assert set(dumps["sql"]) == set(dumps["lite"])
    for table, rows in dumps["sql"].items():
        assert rows or table in SERVER_ONLY_TABLES, f"the script writes into {table}"
        assert dumps["lite"][table] == rows, table


def test_a_locked_database_is_a_clear_store_error_on_the_stdlib_adapter(
    conveyor_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVEYOR_DATABASE_TIMEOUT", "0.2")
    store = open_adapter("lite", conveyor_home)
    with closing(sqlite3.connect(conveyor_home / "conveyor.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="is locked by another process"):
            store.runs.create_run(new_run())
        other.execute("ROLLBACK")
    assert store.runs.create_run(new_run()).run_number == 1  # nothing half-written
    store.close()


def test_the_stdlib_adapter_waits_the_timeout_it_is_handed(
    conveyor_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVEYOR_DATABASE_TIMEOUT", "30")
    open_store(conveyor_home).close()  # at HEAD: the stdlib adapter opens it
    store = open_run_store(conveyor_home, database=DatabaseSettings(timeout=0.2))
    assert isinstance(store.database, LiteDatabase)
    started = time.monotonic()
    with closing(sqlite3.connect(conveyor_home / "conveyor.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match=r"locked by another process \(waited 0\.2 s\)"):
            store.runs.create_run(new_run())
        other.execute("ROLLBACK")
    store.close()
    assert time.monotonic() - started < 10


def test_a_handed_database_url_keeps_the_stdlib_adapter_out(conveyor_home: Path) -> None:
    open_store(conveyor_home).close()
    elsewhere = conveyor_home / "elsewhere.db"
    store = open_run_store(conveyor_home, database=DatabaseSettings(url=f"sqlite:///{elsewhere}"))
    try:
        assert not isinstance(store.database, LiteDatabase)
        assert elsewhere.is_file()
    finally:
        store.close()
