"""GitHub's events for releases of the local forge, through the server's RunStarter at the
release's tag: `created`, then `published` and `released` (`prereleased` for a prerelease) when
it is not a draft, `edited` (with `changes`) when its name, body or tag changes, and
`published`/`released` when a draft is published. Publishing a release whose tag the repository
lacks first creates the tag at `target_commitish` (a branch or a commit), which fires `create`
and `push` for the tag as a push of it would. A job's token fires nothing (as GitHub's
GITHUB_TOKEN), though its release's tag is still created."""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.engine.ports.server_runs import EventRequest
from conveyor.git.hosting import RefUpdate
from conveyor.git.webhook_objects import JsonObject
from conveyor.server.forge_api.errors import validation_failed
from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.forge_api.release_shapes import release
from conveyor.server.forge_api.shapes import repository, user
from conveyor.server.hosted_events import fire_pushed
from conveyor.store.forge_records import ReleaseRecord

TAGS = "refs/tags/"
ZERO = "0" * 40
EDITABLE = ("name", "body", "tag_name")


def target_commit(repo: Hosted, tag: str, target: str) -> str:
    """The commit the release's tag names (when it exists) or `target` names (a branch or a
    commit); 422 when neither does."""
    git = repo.git()
    found = git.find_commit(TAGS + tag)
    if found is None:
        found = git.find_commit(f"refs/heads/{target}") or git.find_commit(target)
    if found is None:
        raise validation_failed("Release", "target_commitish", "invalid")
    return found


def ensure_tag(repo: Hosted, found: ReleaseRecord, sender: str) -> str:
    """The tag's commit, creating the tag at the target first when the repository lacks it
    (`create` and `push` fire for it, unless `sender` is a job's token)."""
    sha = target_commit(repo, found.tag_name, found.target_commitish)
    ref = TAGS + found.tag_name
    if repo.git().try_git("update-ref", ref, sha, ZERO) is not None:
        starts = not sender.startswith("job:")
        fire_pushed(repo.context, [RefUpdate(repo.name, ref, ZERO, sha, sender)],
                    repo.identity.server_url, starts)  # fmt: skip
    return sha


def on_created(repo: Hosted, found: ReleaseRecord, sender: str) -> None:
    sha = target_commit(repo, found.tag_name, found.target_commitish)
    if not found.draft:
        sha = ensure_tag(repo, found, sender)
    actions = ["created"] + ([] if found.draft else _published(found))
    _fire(repo, found, sender, sha, actions)


def on_updated(repo: Hosted, before: ReleaseRecord, after: ReleaseRecord, sender: str) -> None:
    publishing = before.draft and not after.draft
    sha = ensure_tag(repo, after, sender) if publishing else target_commit(
        repo, after.tag_name, after.target_commitish
    )  # fmt: skip
    changes = _changes(before, after)
    if changes:
        _fire(repo, after, sender, sha, ["edited"], {"changes": changes})
    if publishing:
        _fire(repo, after, sender, sha, _published(after))


def _published(found: ReleaseRecord) -> list[str]:
    return ["published", "prereleased" if found.prerelease else "released"]


def _changes(before: ReleaseRecord, after: ReleaseRecord) -> JsonObject:
    return {
        name: {"from": getattr(before, name) or ""}
        for name in EDITABLE
        if getattr(before, name) != getattr(after, name)
    }


def _fire(
    repo: Hosted, found: ReleaseRecord, sender: str, sha: str, actions: list[str],
    extra: Mapping[str, object] | None = None,
) -> None:  # fmt: skip
    if sender.startswith("job:"):
        return
    shown = release(repo, found, repo.data.releases.assets(found.id))
    for action in actions:
        payload: JsonObject = {
            "action": action, "release": shown, **(extra or {}),
            "repository": repository(repo), "sender": user(repo, sender),
        }  # fmt: skip
        request = EventRequest(repo.name, "release", payload, TAGS + found.tag_name, sha)
        repo.context.starter.start(request)
