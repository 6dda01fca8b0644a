"""Runs written into a real store the way `conveyor run` records them, for the web UI's tests."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from conveyor.engine.ports.store import LogKey, NewJob, NewRun, RunStatus
from conveyor.model.results import (
    Annotation,
    AnnotationLevel,
    Conclusion,
    JobResult,
    StepResult,
)
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.principals import Principal, Role
from conveyor.store.handle import StoreHandle

READER, WRITER, ADMIN = "read-token", "write-token", "admin-token"


def ui_context(home: Path, store: StoreHandle, *, anonymous_read: bool = False) -> ServerContext:
    tokens = FakeTokens(
        {
            READER: Principal("reader", Role.READ),
            WRITER: Principal("writer", Role.WRITE),
            ADMIN: Principal("admin", Role.ADMIN),
        }
    )
    return ServerContext(
        home, store, FakeStarter(), FakeControl(), tokens, anonymous_read=anonymous_read
    )


WORKFLOW = """\
name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.11", "3.12"]
    steps:
      - run: pytest
  deploy:
    needs: [test]
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: ./deploy
"""


def workflow_repository(root: Path) -> Path:
    """A directory holding `.github/workflows/ci.yml` (a local repository, as `conveyor run`
    records it: the repository key is its path)."""
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    (workflows / "ci.yml").write_text(WORKFLOW)
    return root


def new_run(
    store: StoreHandle, repository: str, *, branch: str = "main", event: str = "push"
) -> int:
    run = store.runs.create_run(
        NewRun(
            repository=repository,
            workflow="CI",
            workflow_path=".github/workflows/ci.yml",
            event=event,
            ref=f"refs/heads/{branch}",
            sha="0123456789abcdef0123456789abcdef01234567",
            actor="octocat",
        )
    )
    return run.id


@dataclass(frozen=True)
class StepPlan:
    name: str
    log: str
    conclusion: Conclusion = Conclusion.SUCCESS


def record_job(
    store: StoreHandle,
    run_id: int,
    key: str,
    steps: Sequence[StepPlan],
    *,
    job_id: str | None = None,
    matrix: dict[str, object] | None = None,
    finish: Conclusion | None = Conclusion.SUCCESS,
) -> None:
    """A job with its steps and their logs; finished with `finish` (None: still running)."""
    status = RunStatus.IN_PROGRESS if finish is None else RunStatus.QUEUED  # keeps our times
    store.runs.start_job(
        run_id,
        1,
        NewJob(key, job_id or key, key, matrix=matrix, status=status),
    )
    start = time.time() - 60
    results = [
        _record_step(store, run_id, key, index, plan, start) for index, plan in enumerate(steps)
    ]
    if finish is not None:
        worst = next(
            (r.conclusion for r in results if r.conclusion is not Conclusion.SUCCESS), finish
        )
        store.runs.finish_job(
            run_id,
            1,
            key,
            JobResult(result=worst, steps=tuple(results), started_at=start, finished_at=start + 42),
        )


def _record_step(
    store: StoreHandle, run_id: int, key: str, index: int, plan: StepPlan, start: float
) -> StepResult:
    started = start + index
    store.runs.start_step(run_id, 1, key, index, plan.name, started_at=started)
    log_key = LogKey(run_id, 1, key, index)
    store.logs.append(log_key, plan.log)
    store.logs.close(log_key)
    result = StepResult(
        index,
        plan.name,
        plan.conclusion,
        plan.conclusion,
        started_at=started,
        finished_at=started + 3.5,
    )
    store.runs.finish_step(run_id, 1, key, result)
    return result


def annotate(store: StoreHandle, run_id: int, key: str, message: str) -> None:
    store.runs.add_annotation(
        run_id, 1, key, Annotation(AnnotationLevel.ERROR, message, file="app.py", line=3, job=key)
    )
