"""The `github` context of a run and the `GITHUB_*` variables made from it (semantics §4.1, §9.3).

Numeric-looking values (`run_id`, `run_number`, `repository_id`, …) are strings, as on GitHub;
`base_ref` and `head_ref` are set for pull request events only (empty otherwise); per-step
fields (`action`, `env`, `path`, `output`, `state`, `step_summary`, …) start empty for the
executor to fill.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from conveyor.model.events import Event

GITHUB_SERVER_URL = "https://github.com"

# The context keys the runner exports as GITHUB_<KEY> (actions/runner's allow-list).
ENV_KEYS = (
    "action",
    "action_path",
    "action_ref",
    "action_repository",
    "actor",
    "actor_id",
    "api_url",
    "base_ref",
    "env",
    "event_name",
    "event_path",
    "graphql_url",
    "head_ref",
    "job",
    "output",
    "path",
    "ref",
    "ref_name",
    "ref_protected",
    "ref_type",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "retention_days",
    "run_attempt",
    "run_id",
    "run_number",
    "server_url",
    "sha",
    "state",
    "step_summary",
    "triggering_actor",
    "workflow",
    "workflow_ref",
    "workflow_sha",
    "workspace",
)
_PER_STEP_KEYS = (
    "action",
    "action_path",
    "action_ref",
    "action_repository",
    "action_status",
    "env",
    "output",
    "path",
    "state",
    "step_summary",
)


def github_context(
    event: Event,
    *,
    repository: str | None = None,
    workflow: str = "",
    job: str = "",
    run_id: int | str = 1,
    run_number: int | str = 1,
    run_attempt: int | str = 1,
    actor: str | None = None,
    workspace: str = "",
    server_url: str = GITHUB_SERVER_URL,
    event_path: str = "",
    token: str = "",
    workflow_path: str | None = None,
    triggering_actor: str | None = None,
    ref_protected: bool = False,
    retention_days: int | str = 90,
) -> dict[str, object]:
    """`github` for a job of a run triggered by `event`.

    `repository` and `actor` default to the event's; `workflow_path` gives `workflow_ref`.
    """
    full_name = repository if repository is not None else event.repository
    who = actor if actor is not None else event.actor
    context: dict[str, object] = dict.fromkeys(_PER_STEP_KEYS, "")
    context.update(_event_fields(event))
    context.update(_repository_fields(event, full_name, server_url))
    context.update(
        actor=who,
        actor_id=_id_of(event.payload.get("sender")),
        triggering_actor=triggering_actor if triggering_actor is not None else who,
        workflow=workflow,
        workflow_ref=f"{full_name}/{workflow_path}@{event.ref or ''}" if workflow_path else "",
        workflow_sha=event.sha,
        job=job,
        workspace=workspace,
        event_path=event_path,
        token=token,
        ref_protected=ref_protected,
        secret_source="Actions",
    )
    runs = {"run_id": run_id, "run_number": run_number, "run_attempt": run_attempt}
    context.update({key: str(value) for key, value in runs.items()})
    context["retention_days"] = str(retention_days)
    return context


def github_env(context: Mapping[str, object]) -> dict[str, str]:
    """`CI`, `GITHUB_ACTIONS` and one `GITHUB_<KEY>` per allow-listed context key."""
    env = {"CI": "true", "GITHUB_ACTIONS": "true"}
    for key in ENV_KEYS:
        if key in context:
            env["GITHUB_" + key.upper()] = _env_text(context[key])
    return env


def api_url(server_url: str) -> str:
    server = server_url.rstrip("/")
    return "https://api.github.com" if server == GITHUB_SERVER_URL else f"{server}/api/v3"


def graphql_url(server_url: str) -> str:
    server = server_url.rstrip("/")
    if server == GITHUB_SERVER_URL:
        return "https://api.github.com/graphql"
    return f"{server}/api/graphql"


def _event_fields(event: Event) -> dict[str, object]:
    pull = event.is_pull_request
    return {
        "event_name": event.name,
        "event": dict(event.payload),
        "ref": event.ref or "",
        "ref_name": event.ref_name,
        "ref_type": event.ref_type,
        "sha": event.sha,
        "base_ref": (event.base_ref or "") if pull else "",
        "head_ref": (event.head_ref or "") if pull else "",
    }


def _repository_fields(event: Event, full_name: str, server_url: str) -> dict[str, object]:
    repo = event.payload.get("repository")
    owner = repo.get("owner") if isinstance(repo, Mapping) else None
    host = urlsplit(server_url).netloc or "github.com"
    return {
        "repository": full_name,
        "repository_id": _id_of(repo),
        "repository_owner": full_name.split("/", 1)[0] if full_name else "",
        "repository_owner_id": _id_of(owner),
        "repositoryUrl": f"git://{host}/{full_name}.git" if full_name else "",
        "server_url": server_url.rstrip("/"),
        "api_url": api_url(server_url),
        "graphql_url": graphql_url(server_url),
    }


def _id_of(value: object) -> str:
    found = value.get("id") if isinstance(value, Mapping) else None
    return "" if found is None or isinstance(found, bool) else str(found)


def _env_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
