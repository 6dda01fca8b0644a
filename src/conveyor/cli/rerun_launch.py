"""Starting the attempt `conveyor rerun` planned: the stored run's workflow, event, inputs and
options, through `conveyor run`'s own path (display, Ctrl-C, summary, exit status).

The workflow is read as committed at the run's commit (as GitHub re-runs a run), when the run has
one and its workflow file is inside the repository; otherwise as it is now."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.bootstrap.recording import RerunTarget, RunHistory
from conveyor.bootstrap.settings import conveyor_home, default_parallel
from conveyor.cli import run_command
from conveyor.engine.ports.store import StoredRequest
from conveyor.private_files import private_directory

if TYPE_CHECKING:
    from conveyor.cli.rerun_command import RerunPlan
    from conveyor.store import StoreHandle


def rerun_attempt(store: StoreHandle, plan: RerunPlan) -> int:
    """Run the new attempt; returns `conveyor run`'s exit status."""
    options = rerun_options(plan.request, plan.secrets)
    target = RerunTarget(plan.request.run.id, plan.rerun, strict=plan.strict)
    history = RunHistory(options, store=store, rerun=target)
    with event_file(plan.request, options.repository, store.home) as event_path:
        return run_command.run(replace(options, event_path=event_path), history=history)


def rerun_options(request: StoredRequest, secrets: Mapping[str, str]) -> LocalRunOptions:
    run, stored = request.run, request.options
    matrix = stored.get("matrix")
    repository = Path(str(stored.get("repository") or run.repository))
    return LocalRunOptions(
        repository=repository,
        event_name=run.event,
        workflows=Path(run.workflow_path),
        revision=_revision(request, repository),
        job=_text(stored.get("job")),
        inputs=_strings(stored.get("inputs")),
        secrets=dict(secrets),
        vars=_strings(stored.get("vars")),
        env=_strings(stored.get("env")),
        matrix={
            str(key): tuple(str(v) for v in values)
            for key, values in (matrix.items() if isinstance(matrix, Mapping) else ())
            if isinstance(values, list)
        },
        parallel=default_parallel(),
        home=conveyor_home(),
    )


@contextmanager
def event_file(request: StoredRequest, repository: Path, home: Path) -> Iterator[Path | None]:
    """The stored payload as an event file (a git repository only: a plain directory's event
    is made the same way every time); removed afterwards."""
    if not request.event_payload or not (repository / ".git").exists():
        yield None
        return
    private_directory(home)
    fd, name = tempfile.mkstemp(prefix=f"rerun-{request.run.id}-", suffix=".json", dir=home)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(dict(request.event_payload), handle)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _revision(request: StoredRequest, repository: Path) -> str | None:
    """The run's commit, to read its workflow from; None for a run of a plain directory (no
    commit) or of a workflow file outside the repository."""
    run = request.run
    if not run.sha or Path(run.workflow_path).is_absolute():
        return None
    return run.sha if (repository / ".git").exists() else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(key): str(item) for key, item in value.items()}
