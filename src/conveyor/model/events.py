"""A GitHub event as data: what happened, on which ref and commit, and the webhook payload.

Built by `conveyor.git` (from a local repository or a payload file) or by the server (from a
webhook); consumed by `conveyor.triggers` (which workflows fire, the `github` context) and the
engine.

`changed_files` is the list path filters look at: `None` means unknown (GitHub's "diff too large"
case: path filters cannot exclude the run), `()` means no file changed (path filters exclude it).
`payload` is `github.event` (plain JSON-like dicts and lists); treat it as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ZERO_SHA = "0" * 40
# GitHub caps webhook payloads at 25 MB and does not deliver larger ones.
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024

BRANCH_PREFIX = "refs/heads/"
TAG_PREFIX = "refs/tags/"
PULL_PREFIX = "refs/pull/"

# Events whose `github.base_ref` / `github.head_ref` are set (the pull request's branches).
PULL_REQUEST_EVENTS = frozenset(
    {"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"}
)


def _empty_mapping() -> Mapping[str, object]:
    return {}


@dataclass(frozen=True, slots=True)
class Event:
    """One triggering event.

    `ref` is the full ref (`refs/heads/main`, `refs/tags/v1`, `refs/pull/7/merge`) or None when the
    event has none; `sha` is `github.sha`. `base_ref` / `head_ref` are the pull request's short
    branch names (pull request events only). `inputs` holds workflow_dispatch / workflow_call
    inputs: as given until bound to a workflow, typed afterwards. `schedule` is the cron string of
    a schedule event (None: not known yet). `head_commit_message` is read for `[skip ci]` markers.
    """

    name: str
    payload: Mapping[str, object] = field(default_factory=_empty_mapping)
    action: str | None = None
    ref: str | None = None
    sha: str = ""
    before: str | None = None
    base_ref: str | None = None
    head_ref: str | None = None
    changed_files: tuple[str, ...] | None = None
    inputs: Mapping[str, object] = field(default_factory=_empty_mapping)
    schedule: str | None = None
    head_commit_message: str | None = None
    repository: str = ""  # owner/name
    default_branch: str | None = None
    actor: str = ""

    @property
    def ref_name(self) -> str:
        """`github.ref_name`: `main`, `v1.2`, or `7/merge` for pull requests."""
        ref = self.ref or ""
        for prefix in (BRANCH_PREFIX, TAG_PREFIX, PULL_PREFIX):
            if ref.startswith(prefix):
                return ref[len(prefix) :]
        return ref

    @property
    def ref_type(self) -> str:
        """`github.ref_type`: `branch`, `tag`, or '' when there is no ref."""
        ref = self.ref or ""
        if ref.startswith(TAG_PREFIX):
            return "tag"
        if ref.startswith((BRANCH_PREFIX, PULL_PREFIX)):
            return "branch"
        return ""

    @property
    def branch(self) -> str | None:
        ref = self.ref or ""
        return ref[len(BRANCH_PREFIX) :] if ref.startswith(BRANCH_PREFIX) else None

    @property
    def tag(self) -> str | None:
        ref = self.ref or ""
        return ref[len(TAG_PREFIX) :] if ref.startswith(TAG_PREFIX) else None

    @property
    def is_pull_request(self) -> bool:
        return self.name in PULL_REQUEST_EVENTS
