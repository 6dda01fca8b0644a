"""`build_event`: the one entry point turning "event NAME in repository R" into an `Event`.

With a payload file the event comes from it; otherwise it is built from the repository's state
(see each event module for its defaults). Bad requests are UsageErrors: an unknown event name,
options that do not apply to the event, a directory that is not a git repository, an unknown
ref or SHA, a malformed payload file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.errors import UsageError
from conveyor.git.local_context import LocalContext
from conveyor.git.repository import GitRepository
from conveyor.model.events import Event
from conveyor.triggers import KNOWN_EVENTS

# Each event's module is imported when that event is built (a push loads no pull request code).

_RANGE_EVENTS = frozenset({"push", "pull_request", "pull_request_target"})
_INPUT_EVENTS = frozenset({"workflow_dispatch", "workflow_call"})
_PULL_REQUESTS = frozenset({"pull_request", "pull_request_target"})


def _no_labels() -> tuple[str, ...]:
    return ()


def _no_inputs() -> Mapping[str, str]:
    return {}


@dataclass(frozen=True, slots=True)
class EventRequest:
    """What the user asked for (`conveyor triggers` / `conveyor run` options)."""

    name: str = "push"
    ref: str | None = None
    base: str | None = None  # push: `before`; pull requests: the base branch/commit
    head: str | None = None  # push: `after`; pull requests: the head branch/commit
    eventpath: Path | None = None
    inputs: Mapping[str, str] = field(default_factory=_no_inputs)
    action: str | None = None
    labels: tuple[str, ...] = field(default_factory=_no_labels)


Builder = Callable[[LocalContext, EventRequest], Event]


def build_event(repo_root: Path, request: EventRequest) -> Event:
    return build_event_noted(repo_root, request)[0]


def build_event_noted(repo_root: Path, request: EventRequest) -> tuple[Event, str | None]:
    """The event, and a note on a choice made for the user (a pull request's base), if any."""
    _check_request(request)
    push = request.eventpath is None and request.name == "push"
    ctx = LocalContext.open(GitRepository.open(repo_root, prefetch=True, push=push))
    if request.eventpath is not None:
        from conveyor.git.event_files import event_from_payload, load_payload

        payload = load_payload(request.eventpath)
        return event_from_payload(ctx, request.name, payload, request.inputs), None
    if request.name in _PULL_REQUESTS:
        return _pull_request_noted(ctx, request)
    builder = _BUILDERS.get(request.name, _other_event)
    return builder(ctx, request), None


def _check_request(request: EventRequest) -> None:
    if request.name not in KNOWN_EVENTS:
        import difflib

        close = difflib.get_close_matches(request.name, sorted(KNOWN_EVENTS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UsageError(f"unknown event '{request.name}'{hint}")
    if (request.base or request.head) and request.name not in _RANGE_EVENTS:
        raise UsageError("--base/--head apply to push, pull_request and pull_request_target only")
    if request.inputs and request.name not in _INPUT_EVENTS:
        raise UsageError("--input applies to workflow_dispatch and workflow_call only")


def _push(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.push_events import push_event

    return push_event(ctx, ref=request.ref, before=request.base, after=request.head)


def _create(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.push_events import create_event

    return create_event(ctx, ref=request.ref)


def _delete(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.push_events import delete_event

    return delete_event(ctx, ref=request.ref)


def _pull_request_noted(ctx: LocalContext, request: EventRequest) -> tuple[Event, str | None]:
    from conveyor.git.pull_request_events import PullRequestSpec, pull_request_event_noted

    spec = PullRequestSpec(action=request.action or "opened", labels=request.labels)
    base, head = request.base, request.head
    if request.ref is not None and head is None:
        head = request.ref
    return pull_request_event_noted(ctx, name=request.name, base=base, head=head, spec=spec)


def _release(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.release_events import ReleaseSpec, release_event

    spec = ReleaseSpec(action=request.action or "published")
    return release_event(ctx, ref=request.ref, spec=spec)


def _issues(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.issue_events import IssueSpec, issues_event

    spec = IssueSpec(action=request.action, labels=request.labels)
    return issues_event(ctx, ref=request.ref, spec=spec)


def _issue_comment(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.issue_events import IssueSpec, issue_comment_event

    spec = IssueSpec(action=request.action, comment="Local comment")
    return issue_comment_event(ctx, ref=request.ref, spec=spec)


def _schedule(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.manual_events import schedule_event

    return schedule_event(ctx, ref=request.ref)


def _workflow_dispatch(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.manual_events import workflow_dispatch_event

    return workflow_dispatch_event(ctx, ref=request.ref, inputs=request.inputs)


def _workflow_call(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.manual_events import workflow_call_event

    return workflow_call_event(ctx, ref=request.ref, inputs=request.inputs)


def _other_event(ctx: LocalContext, request: EventRequest) -> Event:
    from conveyor.git.manual_events import repository_event

    return repository_event(ctx, request.name, ref=request.ref, action=request.action)


_BUILDERS: dict[str, Builder] = {
    "push": _push,
    "create": _create,
    "delete": _delete,
    "release": _release,
    "schedule": _schedule,
    "workflow_dispatch": _workflow_dispatch,
    "workflow_call": _workflow_call,
    "issues": _issues,
    "issue_comment": _issue_comment,
}
