"""GitHub webhook deliveries, read without I/O: the signature, the headers, the event's ref and
commit. `conveyor.server.webhooks` serves them.

A delivery is signed with the repository's webhook secret: `X-Hub-Signature-256:
sha256=<hex HMAC-SHA256 of the body>`, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass

MAX_BODY = 25 * 1024 * 1024  # GitHub's cap on a delivery's payload
ZERO_SHA = "0" * 40
EVENTS = frozenset(
    {
        "push",
        "pull_request",
        "pull_request_target",
        "create",
        "delete",
        "release",
        "issues",
        "issue_comment",
        "workflow_dispatch",
        "repository_dispatch",
        "ping",
    }
)
_PULL_EVENTS = ("pull_request", "pull_request_target")


class BadDelivery(Exception):
    """A delivery refused: `status` is the HTTP answer (400, 401, 404, 413)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def check_signature(secret: str | None, body: bytes, given: str | None) -> None:
    """A BadDelivery(401) unless `given` is the body's signature with `secret`."""
    if secret is None:
        raise BadDelivery(401, "the repository has no webhook secret: deliveries are refused")
    if not given:
        raise BadDelivery(401, "missing X-Hub-Signature-256")
    if not hmac.compare_digest(signature(secret, body).encode(), given.strip().encode()):
        raise BadDelivery(401, "bad X-Hub-Signature-256")


@dataclass(frozen=True, slots=True)
class Headers:
    event: str
    delivery: str


def read_headers(headers: Mapping[str, str]) -> Headers:
    event = (headers.get("x-github-event") or "").strip()
    delivery = (headers.get("x-github-delivery") or "").strip()
    if not event:
        raise BadDelivery(400, "missing X-GitHub-Event")
    if not delivery or len(delivery) > 255:
        raise BadDelivery(400, "missing or overlong X-GitHub-Delivery")
    if event not in EVENTS:
        raise BadDelivery(400, f"event {event!r} is not one conveyor takes")
    return Headers(event, delivery)


def parse_body(body: bytes) -> dict[str, object]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadDelivery(400, f"the body is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise BadDelivery(400, "the body is not a JSON object")
    return payload


def repository_name(payload: Mapping[str, object]) -> str:
    name = _mapping(payload.get("repository")).get("full_name")
    if not isinstance(name, str) or "/" not in name:
        raise BadDelivery(400, "the payload has no repository.full_name")
    return name


def addressed_repository(event: str, payload: Mapping[str, object]) -> str | None:
    """The repository the delivery is for; None for an organization's hook's `ping` (it names
    none: the server answers pong and does nothing); BadDelivery(400) for other events."""
    if event == "ping" and "repository" not in payload:
        return None
    return repository_name(payload)


@dataclass(frozen=True, slots=True)
class Target:
    """Where the event's runs run: a ref and a commit ("": the ref's head, looked up)."""

    ref: str
    sha: str


def event_target(event: str, payload: Mapping[str, object], default_branch: str) -> Target:
    """The ref and commit of `event` (GitHub's GITHUB_REF/GITHUB_SHA, as
    `conveyor.triggers.ref_from_payload` gives the event's `github.ref`); BadDelivery(400) when
    the payload lacks what the event must carry. The payload's `repository.default_branch`
    (GitHub's, at the event) wins over `default_branch` (the registration's)."""
    named = _text(_mapping(payload.get("repository")).get("default_branch"))
    default_ref = f"refs/heads/{named or default_branch}"
    if event == "push":
        return Target(_required(payload, "ref"), _required(payload, "after"))
    if event in _PULL_EVENTS:
        return _pull_target(event, payload, default_ref)
    if event == "create":
        kind = "tags" if payload.get("ref_type") == "tag" else "heads"
        ref = _required(payload, "ref")
        return Target(ref if ref.startswith("refs/") else f"refs/{kind}/{ref}", "")
    if event == "release":
        tag = _text(_mapping(payload.get("release")).get("tag_name"))
        if not tag:
            raise BadDelivery(400, "the payload has no release.tag_name")
        return Target(f"refs/tags/{tag}", "")
    if event == "workflow_dispatch":
        ref = _required(payload, "ref")
        return Target(ref if ref.startswith("refs/") else f"refs/heads/{ref}", "")
    if event == "delete":
        _required(payload, "ref")  # runs on the default branch, but names what was deleted
    return Target(default_ref, "")


def _pull_target(event: str, payload: Mapping[str, object], default_ref: str) -> Target:
    """GitHub's ref and commit (the same as `conveyor.triggers.ref_from_payload`): a pull
    request's merge ref (its base branch once merged); pull_request_target: the default branch's
    head, whatever the base (GitHub since 2025-12-08)."""
    pull = _mapping(payload.get("pull_request"))
    number = payload.get("number", pull.get("number"))
    head = _text(_mapping(pull.get("head")).get("sha"))
    base = _text(_mapping(pull.get("base")).get("ref"))
    if isinstance(number, bool) or not isinstance(number, int) or not head or not base:
        raise BadDelivery(400, "the payload has no pull_request number, head.sha and base.ref")
    if event == "pull_request_target":
        return Target(default_ref, "")
    merge = _text(pull.get("merge_commit_sha"))
    if pull.get("merged") is True and payload.get("action") == "closed":
        return Target(f"refs/heads/{base}", merge or head)
    return Target(f"refs/pull/{number}/merge", merge or head)


def _required(payload: Mapping[str, object], key: str) -> str:
    value = _text(payload.get(key))
    if not value:
        raise BadDelivery(400, f"the payload has no {key}")
    return value


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}
