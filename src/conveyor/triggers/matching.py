"""Does a workflow run for an event? `match_workflow` applies GitHub's rules in GitHub's order:
the event must be in `on:`, no skip instruction in the head commit, the activity type must be in
`types` (or the event's default types), the ref filters and the path filters must both pass, and
event-specific conditions (dispatch inputs, schedules, upstream workflows) must hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from conveyor.errors import UsageError
from conveyor.model.events import Event
from conveyor.model.triggers import EventTrigger, Triggers
from conveyor.triggers.activity import DEFAULT_TYPES, SKIPPABLE_EVENTS, skip_marker
from conveyor.triggers.inputs import resolve_call_inputs, resolve_dispatch_inputs
from conveyor.triggers.match_result import MatchResult, plural
from conveyor.triggers.path_filters import check_path_filters
from conveyor.triggers.ref_filters import check_ref_filters

Check = Callable[[], MatchResult | None]


def match_workflow(
    triggers: Triggers, event: Event, *, changed_files_limit: int | None = None
) -> MatchResult:
    """Whether a workflow with these triggers runs for `event`, and why (or why not).

    `changed_files_limit` (e.g. 300, as GitHub) makes path filters look only at that many files.
    """
    trigger = triggers.get(event.name)
    if trigger is None:
        listened = ", ".join(triggers.names) or "nothing"
        return MatchResult.no(f"the workflow does not run on {event.name} (on: {listened})")
    try:
        return _judge(trigger, event, changed_files_limit)
    except UsageError as exc:
        return MatchResult.no(str(exc))


def _judge(trigger: EventTrigger, event: Event, limit: int | None) -> MatchResult:
    checks: tuple[Check, ...] = (
        lambda: _check_skip_marker(event),
        lambda: check_types(trigger, event),
        lambda: check_ref_filters(trigger, event),
        lambda: check_path_filters(trigger, event, limit),
        lambda: _check_event_specific(trigger, event),
    )
    passed: list[str] = []
    for check in checks:
        result = check()
        if result is None:
            continue
        if not result.fires:
            return result
        passed.append(result.reason)
    return MatchResult.yes("; ".join(passed) if passed else f"on: {event.name} (no filters)")


def check_types(trigger: EventTrigger, event: Event) -> MatchResult | None:
    """The event's activity type against `types:` (or GitHub's default types for the event)."""
    if event.action is None:
        return None
    if trigger.types:
        allowed, source = trigger.types, "types"
    elif event.name in DEFAULT_TYPES:
        allowed, source = DEFAULT_TYPES[event.name], f"the default types of {event.name}"
    else:
        return None
    shown = "[" + ", ".join(allowed) + "]"
    if event.action in allowed:
        return MatchResult.yes(f"action '{event.action}' is in {source}")
    if source == "types":
        return MatchResult.no(f"action '{event.action}' is not in types {shown}")
    return MatchResult.no(f"action '{event.action}' is not in {source} {shown}")


def _check_skip_marker(event: Event) -> MatchResult | None:
    if event.name not in SKIPPABLE_EVENTS:
        return None
    message = event.head_commit_message
    if message is None:
        head = event.payload.get("head_commit")
        found = head.get("message") if isinstance(head, Mapping) else None
        message = found if isinstance(found, str) else None
    marker = skip_marker(message)
    if marker is None:
        return None
    return MatchResult.no(f"the head commit message contains '{marker}'")


def _check_event_specific(trigger: EventTrigger, event: Event) -> MatchResult | None:
    if event.name == "workflow_dispatch":
        resolved = resolve_dispatch_inputs(trigger.inputs, event.inputs)
        return MatchResult.yes(f"workflow_dispatch with {plural(len(resolved), 'input')}")
    if event.name == "schedule":
        return _check_schedule(trigger, event)
    if event.name == "workflow_run":
        return _check_upstream_workflow(trigger, event)
    if event.name == "workflow_call":
        resolve_call_inputs(trigger.inputs, event.inputs, coerce_strings=True)
        return MatchResult.yes("called as a reusable workflow")
    return None


def _check_schedule(trigger: EventTrigger, event: Event) -> MatchResult:
    crons = [spec.cron for spec in trigger.crons]
    if not crons:
        return MatchResult.no("on.schedule has no cron entries")
    if event.schedule is None:
        return MatchResult.yes(f"scheduled by cron '{crons[0]}'")
    wanted = " ".join(event.schedule.split())
    if any(" ".join(cron.split()) == wanted for cron in crons):
        return MatchResult.yes(f"scheduled by cron '{event.schedule}'")
    shown = ", ".join(f"'{cron}'" for cron in crons)
    return MatchResult.no(f"cron '{event.schedule}' is not among the workflow's crons [{shown}]")


def _check_upstream_workflow(trigger: EventTrigger, event: Event) -> MatchResult | None:
    if not trigger.workflows:
        return None
    run = event.payload.get("workflow_run")
    name = run.get("name") if isinstance(run, Mapping) else None
    if name in trigger.workflows:
        return MatchResult.yes(f"upstream workflow '{name}' is in workflows")
    shown = ", ".join(trigger.workflows)
    return MatchResult.no(f"upstream workflow '{name}' is not in workflows [{shown}]")
