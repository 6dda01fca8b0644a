"""What `conveyor rerun` runs: a stored run's options, event and commit as a new
`LocalRunOptions` value (no file is written for the event: the stored payload is the event).

The workflow is read as committed at the run's commit (as GitHub re-runs a run), when the run has
one and its workflow file is inside the repository; otherwise as it is now."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.engine.ports.store import StoredRequest


def rerun_options(
    request: StoredRequest, secrets: Mapping[str, str], *, home: Path, parallel: int = 1
) -> LocalRunOptions:
    """The options of the stored run `request` (secrets are never stored: `secrets` are given)."""
    run, stored = request.run, request.options
    repository = Path(str(stored.get("repository") or run.repository))
    in_git = (repository / ".git").exists()  # a plain directory's event is made afresh
    return LocalRunOptions(
        repository=repository,
        event_name=run.event,
        workflows=Path(run.workflow_path),
        revision=_revision(request) if in_git else None,
        event_payload=dict(request.event_payload) if in_git and request.event_payload else None,
        job=_text(stored.get("job")),
        inputs=_strings(stored.get("inputs")),
        secrets=dict(secrets),
        vars=_strings(stored.get("vars")),
        env=_strings(stored.get("env")),
        matrix=_matrix(stored.get("matrix")),
        parallel=parallel,
        home=home,
        platforms=_texts(stored.get("platforms")),
        isolate_home=stored.get("isolate_home") is True,
    )


def _revision(request: StoredRequest) -> str | None:
    """The run's commit, to read its workflow from; None for a run with no commit or of a
    workflow file outside the repository."""
    run = request.run
    if not run.sha or Path(run.workflow_path).is_absolute():
        return None
    return run.sha


def _matrix(value: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        return {}
    return {
        str(key): tuple(str(v) for v in values)
        for key, values in value.items()
        if isinstance(values, list)
    }


def _texts(value: object) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(key): str(item) for key, item in value.items()}
