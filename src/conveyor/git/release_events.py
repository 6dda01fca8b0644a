"""`release` events for a local tag (default: the tag on HEAD)."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.errors import UsageError
from conveyor.git.local_context import LocalContext, short_name
from conveyor.git.webhook_objects import JsonObject, fake_id, node_id, user_object, utc_timestamp
from conveyor.model.events import TAG_PREFIX, Event

RELEASE_ACTIONS = frozenset(
    {"published", "unpublished", "created", "edited", "deleted", "prereleased", "released"}
)


@dataclass(frozen=True, slots=True)
class ReleaseSpec:
    action: str = "published"
    prerelease: bool = False
    draft: bool = False


def release_event(
    ctx: LocalContext, *, ref: str | None, spec: ReleaseSpec = ReleaseSpec()
) -> Event:
    if spec.action not in RELEASE_ACTIONS:
        known = ", ".join(sorted(RELEASE_ACTIONS))
        raise UsageError(f"unknown release action '{spec.action}' (known: {known})")
    tag = _release_tag(ctx, ref)
    sha = ctx.repo.resolve_commit(TAG_PREFIX + tag)
    date = ctx.repo.commit(sha).committer.date
    release = release_object(ctx, tag, spec, date)
    payload: JsonObject = {"action": spec.action, "release": release, **ctx.base_payload(date)}
    return Event(
        "release",
        payload=payload,
        action=spec.action,
        ref=TAG_PREFIX + tag,
        sha=sha,
        repository=ctx.identity.full_name,
        default_branch=ctx.identity.default_branch,
        actor=ctx.user.login,
    )


def release_object(ctx: LocalContext, tag: str, spec: ReleaseSpec, date: str) -> JsonObject:
    identity = ctx.identity
    api = f"{identity.api_url}/repos/{identity.full_name}"
    number = fake_id("release", identity.full_name, tag)
    stamp = utc_timestamp(date)
    message = ctx.repo.tag_message(tag)
    title, _, body = (message or "").partition("\n")
    return {
        "url": f"{api}/releases/{number}",
        "assets_url": f"{api}/releases/{number}/assets",
        "upload_url": f"{api}/releases/{number}/assets{{?name,label}}",
        "html_url": f"{identity.html_url}/releases/tag/{tag}",
        "id": number,
        "node_id": node_id("Release", number),
        "tag_name": tag,
        "target_commitish": identity.default_branch,
        "name": title.strip() or tag,
        "draft": spec.draft,
        "author": user_object(identity, ctx.user.login),
        "prerelease": spec.prerelease,
        "created_at": stamp,
        "published_at": None if spec.draft else stamp,
        "assets": [],
        "tarball_url": f"{api}/tarball/{tag}",
        "zipball_url": f"{api}/zipball/{tag}",
        "body": body.strip(),
    }


def _release_tag(ctx: LocalContext, ref: str | None) -> str:
    if ref is None:
        tags = ctx.repo.git("tag", "--points-at", "HEAD").split()
        if not tags:
            raise UsageError("a release needs a tag: HEAD has none, so pass --ref TAG")
        return tags[0]
    full = ctx.repo.full_ref(ref if ref.startswith("refs/") else TAG_PREFIX + ref)
    if full is None or not full.startswith(TAG_PREFIX):
        raise UsageError(f"unknown tag '{ref}' in {ctx.repo.root} (a release needs a tag)")
    return short_name(full)
