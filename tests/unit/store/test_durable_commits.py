"""The commits that end something are fsynced: `PRAGMA synchronous` is FULL (2) on the very
connection that commits a run's conclusion, a new attempt, an approval or an abandonment, and
NORMAL (1) for progress. Read at COMMIT time through a SQLAlchemy event on a real SQLite
database (a SIGKILL cannot tell an fsynced commit from one in the page cache; this can); on the
stdlib sqlite3 adapter, from the statements its connection traces (the PRAGMA before COMMIT)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, event

from conveyor.engine.ports.store import NewJob, RunStatus
from conveyor.model.results import Conclusion, JobResult, StepResult
from conveyor.store import RunRecorder, StoreHandle
from conveyor.store.lite_database import LiteDatabase
from conveyor.store.owner import current_owner
from tests.unit.store.conftest import new_run
from tests.unit.store.test_abandonment import dead_owner

NORMAL, FULL = 1, 2


@dataclass
class CommitLog:
    """Every commit on an engine: the statements of its transaction and `synchronous` then."""

    pending: dict[int, list[str]] = field(default_factory=dict)
    commits: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)

    def statement(self, conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        self.pending.setdefault(id(conn.connection.dbapi_connection), []).append(sql)

    def commit(self, conn: Any) -> None:
        driver = conn.connection.driver_connection
        level = driver.execute("PRAGMA synchronous").fetchone()[0]
        statements = self.pending.pop(id(conn.connection.dbapi_connection), [])
        self.commits.append((level, tuple(statements)))

    def traced(self, sql: str) -> None:
        """The stdlib adapter's trace: `synchronous` is what the last PRAGMA set it to."""
        if sql.startswith("PRAGMA synchronous="):
            self.level = FULL if sql.endswith("FULL") else NORMAL
        elif sql == "COMMIT":
            self.commits.append((self.level, tuple(self.pending.pop(0, []))))
        else:
            self.pending.setdefault(0, []).append(sql)

    level: int = NORMAL

    def levels(self, *fragments: str) -> list[int]:
        """The `synchronous` level of each commit with a statement holding every fragment."""
        return [
            level
            for level, statements in self.commits
            if any(all(f in sql for f in fragments) for sql in statements)
        ]


@pytest.fixture
def commits(store: StoreHandle) -> Iterator[CommitLog]:
    log = CommitLog()
    if isinstance(store.database, LiteDatabase):
        store.database.connection.set_trace_callback(log.traced)
        yield log
        store.database.connection.set_trace_callback(None)
        return
    engine: Engine = store.database.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", log.statement)
    event.listen(engine, "commit", log.commit)
    yield log
    event.remove(engine, "before_cursor_execute", log.statement)
    event.remove(engine, "commit", log.commit)


def record_a_run(store: StoreHandle) -> int:
    recorder = RunRecorder(store.runs, store.logs)
    run = recorder.begin(new_run(owner=current_owner()))
    reporter = recorder.reporter(run.id)
    reporter.start_job(NewJob("build", "build", "build", status=RunStatus.IN_PROGRESS))
    reporter.step_started("build", 0, "compile")
    reporter.step_finished(
        "build", StepResult(0, "compile", Conclusion.SUCCESS, Conclusion.SUCCESS)
    )
    reporter.finish_job("build", JobResult(Conclusion.SUCCESS))
    recorder.finish(run.id, Conclusion.SUCCESS)
    return run.id


def test_a_run_s_conclusion_is_committed_with_synchronous_full(
    store: StoreHandle, commits: CommitLog
) -> None:
    record_a_run(store)
    assert commits.levels("UPDATE runs SET status", "conclusion") == [FULL]
    assert commits.levels("INSERT INTO steps") == [NORMAL]
    assert commits.levels("INSERT INTO runs") == [NORMAL]


def test_the_connection_is_back_to_normal_after_a_durable_commit(
    store: StoreHandle, commits: CommitLog
) -> None:
    first = store.runs.create_run(new_run())
    store.runs.finish_run(first.id, Conclusion.SUCCESS)
    store.runs.create_run(new_run())
    assert commits.levels("INSERT INTO runs") == [NORMAL, NORMAL]
    assert commits.levels("UPDATE runs SET status", "conclusion") == [FULL]


def test_a_new_attempt_an_approval_and_an_abandonment_are_full(
    store: StoreHandle, commits: CommitLog
) -> None:
    run_id = record_a_run(store)
    store.runs.begin_attempt(run_id, current_owner())
    store.environments.request_approval(run_id, 2, "production")
    store.environments.decide_approval(
        run_id, "production", approve=True, reviewer="alice", comment=None
    )
    orphan = store.runs.create_run(new_run(owner=dead_owner()))
    store.runs.set_run_status(orphan.id, RunStatus.IN_PROGRESS)
    assert [run.id for run in store.runs.sweep_abandoned()] == [orphan.id]
    assert commits.levels("UPDATE runs SET attempt") == [FULL]
    assert commits.levels("UPDATE approvals SET state") == [FULL]
    assert commits.levels("INSERT INTO approvals") == [NORMAL]
    assert commits.levels("UPDATE runs SET status", "conclusion") == [FULL, FULL]  # + sweep
