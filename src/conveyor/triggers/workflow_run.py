"""`workflow_run`, which conveyor fires itself when a run is requested or completes: GitHub's
payload for the upstream run, and which workflows it triggers. Pure.

A workflow runs when its `on.workflow_run.workflows` names the upstream workflow (by `name:`),
the action is in its `types` (all of `requested`, `in_progress`, `completed` when omitted) and
the upstream run's head branch passes `branches`/`branches-ignore` (`match_workflow` applies
them). GitHub stops chains after three levels (A → B → C → D runs, E does not): each payload
conveyor makes carries `conveyor_chain_depth`, the number of workflow_run links behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from conveyor.model.events import Event
from conveyor.model.triggers import Triggers
from conveyor.triggers.matching import match_workflow

MAX_CHAIN_DEPTH = 3
CHAIN_DEPTH_KEY = "conveyor_chain_depth"


@dataclass(frozen=True, slots=True)
class UpstreamRun:
    """The run a workflow_run event is about, as the server recorded it."""

    id: int
    name: str  # the workflow's name (what `workflows:` lists)
    path: str  # .github/workflows/ci.yml
    repository: str  # owner/repo
    event: str  # what started it: push, pull_request, ...
    status: str  # requested: queued; completed: completed
    conclusion: str | None  # success, failure, cancelled, ... (None until completed)
    head_branch: str | None
    head_sha: str
    run_number: int
    run_attempt: int = 1
    created_at: float | None = None
    updated_at: float | None = None
    actor: str = ""


def workflow_run_payload(
    run: UpstreamRun, action: str, *, upstream_payload: Mapping[str, object] | None = None
) -> dict[str, object]:
    """GitHub's workflow_run webhook payload (`action`: requested, in_progress, completed)."""
    owner, _, name = run.repository.partition("/")
    actor = {"login": run.actor} if run.actor else None
    return {
        "action": action,
        "workflow_run": _run_object(run, actor),
        "workflow": {"name": run.name, "path": run.path},
        "repository": {"full_name": run.repository, "name": name, "owner": {"login": owner}},
        "sender": actor or {"login": "conveyor"},
        CHAIN_DEPTH_KEY: chain_depth(upstream_payload or {}) + 1,
    }


def chain_depth(payload: Mapping[str, object]) -> int:
    """How many workflow_run links led to the run with this payload (0: another event)."""
    depth = payload.get(CHAIN_DEPTH_KEY)
    return depth if isinstance(depth, int) and not isinstance(depth, bool) else 0


def workflow_run_event(payload: Mapping[str, object], ref: str, sha: str) -> Event:
    """The event for the triggered workflows: at the default branch's `ref` and head `sha`."""
    sender = payload.get("sender")
    login = sender.get("login") if isinstance(sender, Mapping) else None
    repository = payload.get("repository")
    full_name = repository.get("full_name") if isinstance(repository, Mapping) else None
    action = payload.get("action")
    return Event(
        "workflow_run",
        payload=payload,
        action=action if isinstance(action, str) else None,
        ref=ref,
        sha=sha,
        repository=full_name if isinstance(full_name, str) else "",
        default_branch=ref.removeprefix("refs/heads/"),
        actor=login if isinstance(login, str) else "",
    )


def triggered_workflows(
    candidates: Sequence[tuple[str, Triggers]], event: Event
) -> tuple[list[str], dict[str, str]]:
    """The paths of the candidates `event` triggers, and why each other one does not run."""
    fired: list[str] = []
    reasons: dict[str, str] = {}
    too_deep = chain_depth(event.payload) > MAX_CHAIN_DEPTH
    for path, triggers in candidates:
        result = match_workflow(triggers, event)
        if result.fires and too_deep:
            reasons[path] = (
                f"workflow_run chains stop after {MAX_CHAIN_DEPTH} levels (GitHub's limit)"
            )
        elif result.fires:
            fired.append(path)
        else:
            reasons[path] = result.reason
    return fired, reasons


def _run_object(run: UpstreamRun, actor: Mapping[str, str] | None) -> dict[str, object]:
    return {
        "id": run.id,
        "name": run.name,
        "path": run.path,
        "display_title": run.name,
        "event": run.event,
        "status": run.status,
        "conclusion": run.conclusion,
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "run_number": run.run_number,
        "run_attempt": run.run_attempt,
        "created_at": _iso(run.created_at),
        "updated_at": _iso(run.updated_at),
        "actor": actor,
        "triggering_actor": actor,
        "pull_requests": [],
    }


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return (
        datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )
