"""`github.ref` and the pull request branches of an event, derived from its webhook payload."""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.model.events import BRANCH_PREFIX, TAG_PREFIX

FALLBACK_BRANCH = "master"


def ref_from_payload(
    event_name: str,
    payload: Mapping[str, object],
    *,
    checked_out_ref: str | None = None,
    base_ref: str | None = None,
    default_branch: str | None = None,
) -> str:
    """The full `github.ref` GitHub sets for `event_name` with this payload.

    push / workflow_dispatch → the payload's `ref`; create → the created branch or tag; release →
    `refs/tags/<tag_name>`; pull_request → `refs/pull/<n>/merge` (the base branch after a merged
    close); deployment → its `ref`; pull_request_target → the default branch named in the payload
    (without one, the pull request's base branch, as older GHES and act do); every other event →
    the default branch. Missing facts fall back to the checked-out ref, then `default_branch`, then
    `refs/heads/master`.
    """
    derived = _ref_by_event(event_name, payload, base_ref)
    if derived:
        return derived
    return _default_ref(payload, checked_out_ref, default_branch)


def pull_request_branches(payload: Mapping[str, object]) -> tuple[str | None, str | None]:
    """(base branch, head branch) short names from a pull request payload."""
    pull = _mapping(payload.get("pull_request"))
    base = _mapping(pull.get("base")).get("ref")
    head = _mapping(pull.get("head")).get("ref")
    return (base if isinstance(base, str) else None, head if isinstance(head, str) else None)


def qualify_branch(name: str) -> str:
    return name if name.startswith("refs/") else BRANCH_PREFIX + name


def _ref_by_event(name: str, payload: Mapping[str, object], base_ref: str | None) -> str | None:
    if name in ("push", "workflow_dispatch"):
        return _text(payload.get("ref"))
    if name == "create":
        return _created_ref(payload)
    if name == "release":
        tag = _text(_mapping(payload.get("release")).get("tag_name"))
        return TAG_PREFIX + tag if tag else None
    if name in ("deployment", "deployment_status"):
        ref = _text(_mapping(payload.get("deployment")).get("ref"))
        return qualify_branch(ref) if ref else None
    if name in ("pull_request", "pull_request_review", "pull_request_review_comment"):
        return _pull_request_ref(payload)
    if name == "pull_request_target":
        return _pull_request_target_ref(payload, base_ref)
    return None


def _created_ref(payload: Mapping[str, object]) -> str | None:
    ref = _text(payload.get("ref"))
    if not ref:
        return None
    if ref.startswith("refs/"):
        return ref
    return (TAG_PREFIX if payload.get("ref_type") == "tag" else BRANCH_PREFIX) + ref


def _pull_request_ref(payload: Mapping[str, object]) -> str | None:
    pull = _mapping(payload.get("pull_request"))
    if pull.get("merged") is True and payload.get("action") == "closed":
        base, _ = pull_request_branches(payload)
        return qualify_branch(base) if base else None
    number = payload.get("number", pull.get("number"))
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    return f"refs/pull/{int(number)}/merge"


def _pull_request_target_ref(payload: Mapping[str, object], base_ref: str | None) -> str | None:
    default = _text(_mapping(payload.get("repository")).get("default_branch"))
    base = default or pull_request_branches(payload)[0] or base_ref
    return qualify_branch(base) if base else None


def _default_ref(
    payload: Mapping[str, object], checked_out_ref: str | None, default_branch: str | None
) -> str:
    named = _text(_mapping(payload.get("repository")).get("default_branch"))
    if named:
        return qualify_branch(named)
    if checked_out_ref:
        return checked_out_ref
    return qualify_branch(default_branch or FALLBACK_BRANCH)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
