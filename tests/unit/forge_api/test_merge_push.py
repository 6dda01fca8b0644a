"""Merging a pull request moves its base branch as a push would: it fires `push` (and the ref
listeners hear the update) as on GitHub, where merging runs the base branch's `on: push`
workflows; the `pull_request` `closed` event follows."""

from __future__ import annotations

from conveyor.git.hosting import RefUpdate
from conveyor.server.context import ServerContext
from tests.unit.forge_api.conftest import REPO, Forge


def test_a_merge_fires_push_on_the_base_branch(forge: Forge) -> None:
    heard: list[RefUpdate] = []
    context = forge.context
    assert isinstance(context, ServerContext)
    context.ref_listeners.append(lambda ctx, update: heard.append(update))
    main = forge.sha("main")
    with forge.client() as api:
        api.post(f"/repos/{REPO}/pulls", json={"head": "feature", "base": "main", "title": "T"})
        merged = api.put(f"/repos/{REPO}/pulls/1/merge", json={"merge_method": "squash"}).json()
    events = [(r.event_name, r.payload.get("action"), r.ref) for r in forge.starter.requests]
    assert events == [
        ("pull_request", "opened", "refs/pull/1/merge"),
        ("push", None, "refs/heads/main"),
        ("pull_request", "closed", "refs/pull/1/merge"),
    ]
    push = forge.starter.requests[1].payload
    assert (push["before"], push["after"]) == (main, merged["sha"])
    assert push["pusher"]["name"] == "writer"  # type: ignore[index]
    assert heard == [RefUpdate(REPO, "refs/heads/main", main, merged["sha"], "writer")]
