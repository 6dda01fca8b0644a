"""A push to a hosted repository fires its events as a webhook would (`conveyor.git.hosted_events`
builds them): through the context's `RunStarter`, a `push` per updated ref (none for a deleted
one: GitHub runs nothing for it) and `create`/`delete` for new and deleted branches and tags.
As on GitHub, a push of more than three tags at once fires no event for its tags.

Then each update goes to the context's `ref_listeners` (`ServerContext.ref_listeners`): the seam
where "a branch was updated" is heard, e.g. to fire a pull request's `synchronize`. A listener's
failure is logged; it never undoes the push nor stops the other listeners.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from conveyor.engine.ports.server_runs import EventRequest
from conveyor.errors import ConveyorError
from conveyor.git.hosted_events import pushed_events
from conveyor.git.hosting import RefUpdate
from conveyor.git.identity import RepositoryIdentity
from conveyor.model.events import Event
from conveyor.server.context import ServerContext
from conveyor.server.hosting import hosted_path

log = logging.getLogger("conveyor.server")


def fire_pushed(
    context: ServerContext, updates: Sequence[RefUpdate], server_url: str, starts: bool = True
) -> None:
    """Start the events of `updates` (one push to one hosted repository; none when `starts` is
    False: a job token's push), then tell the listeners."""
    for update in _firing(updates) if starts else ():
        for request in _requests(context, update, server_url):
            _start(context, request)
    for update in updates:
        for listener in context.ref_listeners:
            try:
                listener(context, update)
            except Exception:
                log.exception("ref listener failed ref=%s", update.ref)


MAX_TAGS = 3  # GitHub: "Events will not be created for tags when more than three tags are pushed"


def _firing(updates: Sequence[RefUpdate]) -> list[RefUpdate]:
    tags = [update for update in updates if update.ref.startswith("refs/tags/")]
    if len(tags) <= MAX_TAGS:
        return list(updates)
    return [update for update in updates if not update.ref.startswith("refs/tags/")]


def _requests(context: ServerContext, update: RefUpdate, server_url: str) -> list[EventRequest]:
    repository = context.served().get(update.repository)
    if repository is None:
        return []
    owner, _, name = update.repository.partition("/")
    identity = RepositoryIdentity(owner, name, repository.default_branch, server_url.rstrip("/"))
    try:
        events = pushed_events(hosted_path(context.home, update.repository), identity, update)
    except ConveyorError as error:  # e.g. the default branch itself was deleted
        log.warning("push events not built ref=%s reason=%s", update.ref, error)
        return []
    return [_request(update.repository, event) for event in events if _starts(event)]


def _starts(event: Event) -> bool:
    return not (event.name == "push" and event.payload.get("deleted") is True)


def _request(repository: str, event: Event) -> EventRequest:
    return EventRequest(
        repository, event.name, event.payload, event.ref or "", event.sha, str(uuid.uuid4())
    )


def _start(context: ServerContext, request: EventRequest) -> None:
    try:
        started = context.starter.start(request)
    except ConveyorError as error:
        log.warning("push event not started event=%s ref=%s reason=%s", request.event_name,
                    request.ref, error)  # fmt: skip
        return
    runs = ",".join(map(str, started.run_ids)) or "-"
    log.info("hosted event=%s ref=%s runs=%s", request.event_name, request.ref, runs)
