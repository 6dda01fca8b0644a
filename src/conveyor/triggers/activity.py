"""Per-event facts GitHub applies when deciding whether a workflow runs (semantics §2.1–2.3)."""

from __future__ import annotations

import re

# Every event a workflow's `on:` may name.
KNOWN_EVENTS = frozenset(
    {
        "branch_protection_rule",
        "check_run",
        "check_suite",
        "create",
        "delete",
        "deployment",
        "deployment_status",
        "discussion",
        "discussion_comment",
        "fork",
        "gollum",
        "image_version",
        "issue_comment",
        "issues",
        "label",
        "merge_group",
        "milestone",
        "page_build",
        "project",
        "project_card",
        "project_column",
        "public",
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "pull_request_target",
        "push",
        "registry_package",
        "release",
        "repository_dispatch",
        "schedule",
        "status",
        "watch",
        "workflow_call",
        "workflow_dispatch",
        "workflow_run",
    }
)

_PULL_REQUEST_DEFAULT_TYPES = ("opened", "synchronize", "reopened")

# Activity types that apply when `types:` is omitted; events not listed fire for every type.
DEFAULT_TYPES: dict[str, tuple[str, ...]] = {
    "pull_request": _PULL_REQUEST_DEFAULT_TYPES,
    "pull_request_target": _PULL_REQUEST_DEFAULT_TYPES,
}

# Events whose branch filters look at the pull request's base branch.
BASE_BRANCH_EVENTS = frozenset({"pull_request", "pull_request_target"})

# Events path filters apply to (never for tag pushes).
PATH_FILTER_EVENTS = frozenset({"push", "pull_request", "pull_request_target"})

# Events a `[skip ci]`-style marker in the head commit message suppresses.
SKIPPABLE_EVENTS = frozenset({"push", "pull_request"})

SKIP_MARKERS = ("[skip ci]", "[ci skip]", "[no ci]", "[skip actions]", "[actions skip]")
_SKIP_TRAILER = re.compile(r"^skip-checks: ?true$", re.IGNORECASE)


def skip_marker(message: str | None) -> str | None:
    """The skip instruction found in a commit message, or None."""
    if not message:
        return None
    lowered = message.lower()
    for marker in SKIP_MARKERS:
        if marker in lowered:
            return marker
    last_paragraph = message.rstrip().split("\n\n")[-1]
    for line in last_paragraph.splitlines():
        if _SKIP_TRAILER.match(line.strip()):
            return line.strip()
    return None
