"""Hand-built `on:` models and events for the trigger tests (no loader needed)."""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.errors import SourceLocation
from conveyor.model.events import Event
from conveyor.model.triggers import CronSpec, EventTrigger, FilterList, InputSpec, Triggers

HERE = SourceLocation("workflow.yml", 1, 1)
FILTER_KEYS = ("branches", "branches_ignore", "tags", "tags_ignore", "paths", "paths_ignore")


def trigger(
    event: str,
    *,
    types: Sequence[str] | None = None,
    inputs: Sequence[InputSpec] = (),
    crons: Sequence[str] = (),
    workflows: Sequence[str] | None = None,
    **filters: Sequence[str],
) -> EventTrigger:
    unknown = set(filters) - set(FILTER_KEYS)
    assert not unknown, f"unknown filter keys {unknown}"
    lists = {key: FilterList(tuple(patterns), HERE) for key, patterns in filters.items()}
    return EventTrigger(
        event,
        HERE,
        types=tuple(types) if types is not None else None,
        inputs=tuple(inputs),
        crons=tuple(CronSpec(cron) for cron in crons),
        workflows=tuple(workflows) if workflows is not None else None,
        branches=lists.get("branches"),
        branches_ignore=lists.get("branches_ignore"),
        tags=lists.get("tags"),
        tags_ignore=lists.get("tags_ignore"),
        paths=lists.get("paths"),
        paths_ignore=lists.get("paths_ignore"),
    )


def on(*events: EventTrigger | str) -> Triggers:
    built = tuple(trigger(e) if isinstance(e, str) else e for e in events)
    return Triggers(built, HERE)


def push(
    ref: str, files: Sequence[str] | None = ("src/app.py",), message: str | None = None
) -> Event:
    return Event(
        "push",
        ref=ref,
        sha="a" * 40,
        changed_files=tuple(files) if files is not None else None,
        head_commit_message=message,
    )


def pull_request(
    action: str = "opened",
    *,
    base: str = "main",
    head: str = "feature",
    files: Sequence[str] | None = ("src/app.py",),
    name: str = "pull_request",
) -> Event:
    return Event(
        name,
        action=action,
        ref="refs/pull/7/merge",
        sha="b" * 40,
        base_ref=base,
        head_ref=head,
        changed_files=tuple(files) if files is not None else None,
        payload={"action": action, "number": 7},
    )
