"""What a pull request's page shows, read from the local forge: its checks (the newest check run
per name on its head commit, and the newest commit status per context), its labels with their
colours, its comments, and whether it may be merged (open, no conflict, and every check its base
branch requires has succeeded — else the reason, in GitHub's words)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.forge_api.pull_events import pull_facts
from conveyor.store.forge_protections import unmet_checks
from conveyor.store.forge_records import (
    CheckRunRecord,
    CommentRecord,
    LabelRecord,
    PullRecord,
    StatusRecord,
)

MAX_COMMENTS = 250
ACTIVE = ("queued", "in_progress", "pending", "waiting")
HEX = re.compile(r"[0-9a-fA-F]{6}")


@dataclass(frozen=True, slots=True)
class CheckLine:
    name: str
    state: str  # success, failure, in_progress, queued ... (the badge's word)
    url: str | None
    summary: str


@dataclass(frozen=True, slots=True)
class PullView:
    pull: PullRecord
    state: str  # open, closed, merged
    checks: tuple[CheckLine, ...]
    labels: tuple[tuple[str, str], ...]  # (name, colour as six hex digits)
    comments: tuple[CommentRecord, ...]
    required: tuple[str, ...]  # the checks the base branch requires
    blocked: str | None  # why it cannot be merged now; None: it can

    @property
    def live(self) -> bool:
        """Whether a check is still to change (queued, running, pending): the page refreshes."""
        return self.state == "open" and any(check.state in ACTIVE for check in self.checks)


def pull_view(repo: Hosted, pull: PullRecord) -> PullView:
    data, sha = repo.data, pull.head_sha
    runs, statuses = data.checks.runs(repo.name, sha), data.checks.statuses(repo.name, sha)
    protection = data.protections.get(repo.name, pull.base_ref)
    required = protection.required_checks if protection else ()
    page = data.comments.listing(pull.issue.id, offset=0, limit=MAX_COMMENTS)
    return PullView(
        pull,
        _state(pull),
        (*check_lines(runs), *status_lines(statuses)),
        labels(pull.issue.labels),
        tuple(page.items),
        required,
        blocked(repo, pull, required, runs, statuses),
    )


def _state(pull: PullRecord) -> str:
    return "merged" if pull.merged_at is not None else pull.issue.state


def check_lines(runs: Sequence[CheckRunRecord]) -> list[CheckLine]:
    newest: dict[str, CheckRunRecord] = {}
    for run in runs:  # newest first
        newest.setdefault(run.name, run)
    return [
        CheckLine(name, _check_state(run), run.details_url, run.title or "")
        for name, run in sorted(newest.items())
    ]


def _check_state(run: CheckRunRecord) -> str:
    if run.status != "completed":
        return run.status
    return {"neutral": "skipped", "timed_out": "failure", "action_required": "waiting"}.get(
        run.conclusion or "", run.conclusion or "completed"
    )


def status_lines(statuses: Sequence[StatusRecord]) -> list[CheckLine]:
    newest: dict[str, StatusRecord] = {}
    for status in statuses:
        newest.setdefault(status.context, status)
    return [
        CheckLine(context, one.state, one.target_url, one.description or "")
        for context, one in sorted(newest.items())
    ]


def labels(found: Sequence[LabelRecord]) -> tuple[tuple[str, str], ...]:
    return tuple((one.name, one.color if HEX.fullmatch(one.color) else "ededed") for one in found)


def blocked(
    repo: Hosted, pull: PullRecord, required: Sequence[str],
    runs: Sequence[CheckRunRecord], statuses: Sequence[StatusRecord],
) -> str | None:  # fmt: skip
    if pull.merged_at is not None or pull.issue.state != "open":
        return "It is not open."
    unmet = unmet_checks(required, runs, statuses)
    if unmet:
        return f'Required status check "{unmet[0].name}" is {unmet[0].state}.'
    if not pull_facts(repo.git(), pull).mergeable:
        return "It conflicts with its base branch."
    return None
