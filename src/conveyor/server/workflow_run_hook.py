"""`WorkflowRunHook`: conveyor fires `workflow_run` itself. The server's runner calls
`on_run_requested(run)` when a run is queued and `on_run_completed(run)` when it ends; each
starts the default-branch workflows whose `on.workflow_run` names the run's workflow (at the
default branch's head, as GitHub does), with GitHub's payload (`triggers.workflow_run`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.engine.ports.run_history import StoredRun
from conveyor.engine.ports.server_runs import EventRequest, StartedRuns
from conveyor.server.context import ServerContext
from conveyor.triggers.workflow_run import (
    UpstreamRun,
    triggered_workflows,
    workflow_run_event,
    workflow_run_payload,
)


@dataclass(frozen=True, slots=True)
class WorkflowRunHook:
    context: ServerContext

    def on_run_completed(
        self, run: StoredRun, event_payload: Mapping[str, object] | None = None
    ) -> StartedRuns | None:
        """Fire `workflow_run` `completed` for `run` (its event payload: read from the store
        when not given). None when the repository is not registered or has no default branch."""
        return self._fire(run, "completed", event_payload)

    def on_run_requested(
        self, run: StoredRun, event_payload: Mapping[str, object] | None = None
    ) -> StartedRuns | None:
        return self._fire(run, "requested", event_payload)

    def _fire(
        self, run: StoredRun, action: str, given: Mapping[str, object] | None
    ) -> StartedRuns | None:
        source = self.context.workflows
        head = source.default_branch(run.repository) if source is not None else None
        if source is None or head is None:
            return None
        upstream_payload = given if given is not None else self._stored_payload(run.id)
        payload = workflow_run_payload(
            upstream_of(run, upstream_payload), action, upstream_payload=upstream_payload
        )
        candidates = [(w.path, w.workflow.on) for w in source.workflows(run.repository, head.sha)]
        fired, reasons = triggered_workflows(
            candidates, workflow_run_event(payload, head.ref, head.sha)
        )
        if not fired:
            return StartedRuns(not_fired=reasons)
        request = EventRequest(
            run.repository, "workflow_run", payload, head.ref, head.sha, workflows=tuple(fired)
        )
        return self.context.starter.start(request)

    def _stored_payload(self, run_id: int) -> Mapping[str, object]:
        stored = self.context.store.runs.run_request(run_id)
        return stored.event_payload if stored is not None else {}


def upstream_of(run: StoredRun, payload: Mapping[str, object]) -> UpstreamRun:
    """The run as the workflow_run payload describes it."""
    return UpstreamRun(
        id=run.id,
        name=run.workflow,
        path=run.workflow_path,
        repository=run.repository,
        event=run.event,
        status=str(run.status),
        conclusion=None if run.conclusion is None else str(run.conclusion),
        head_branch=head_branch(run.ref, payload),
        head_sha=run.sha or "",
        run_number=run.run_number,
        run_attempt=run.attempt,
        created_at=run.created_at,
        updated_at=run.finished_at or run.started_at or run.created_at,
        actor=run.actor or "",
    )


def head_branch(ref: str | None, payload: Mapping[str, object]) -> str | None:
    """A pull request run's head branch; otherwise the short name of the run's ref."""
    pull_request = payload.get("pull_request")
    head = pull_request.get("head") if isinstance(pull_request, Mapping) else None
    name = head.get("ref") if isinstance(head, Mapping) else None
    if isinstance(name, str):
        return name
    if ref is None:
        return None
    return ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
