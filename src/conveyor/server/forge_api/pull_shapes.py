"""Pull requests in GitHub's shapes: `pull-request-simple` (listings) and `pull-request` (one,
with its mergeability and diff counts), and the same object in webhook payloads."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.git.webhook_objects import JsonObject, node_id
from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.forge_api.shapes import (
    association,
    iso,
    label,
    optional_user,
    repository,
    user,
)
from conveyor.store.forge_records import PullRecord


@dataclass(frozen=True, slots=True)
class PullFacts:
    """What a full pull request shows beyond its rows: from the bare repository."""

    mergeable: bool | None
    commits: int
    additions: int
    deletions: int
    changed_files: int


def simple(repo: Hosted, pull: PullRecord) -> JsonObject:
    issue = pull.issue
    url = f"{repo.api}/pulls/{issue.number}"
    html = f"{repo.html}/pull/{issue.number}"
    return {
        **_urls(repo, pull, url, html),
        "id": issue.id,
        "node_id": node_id("PullRequest", issue.id),
        "number": issue.number,
        "state": issue.state,
        "locked": issue.locked,
        "title": issue.title,
        "user": user(repo, issue.author),
        "body": issue.body,
        "labels": [label(repo, each) for each in issue.labels],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": iso(issue.created_at),
        "updated_at": iso(issue.updated_at),
        "closed_at": iso(issue.closed_at),
        "merged_at": iso(pull.merged_at),
        "merge_commit_sha": pull.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _branch(repo, pull.head_ref, pull.head_sha),
        "base": _branch(repo, pull.base_ref, pull.base_sha),
        "_links": _links(repo, url, html, issue.number, pull.head_sha),
        "author_association": association(repo, issue.author),
        "auto_merge": None,
        "draft": pull.draft,
    }


def _urls(repo: Hosted, pull: PullRecord, url: str, html: str) -> JsonObject:
    number = pull.issue.number
    return {
        "url": url,
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{repo.api}/issues/{number}",
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{repo.api}/pulls/comments{{/number}}",
        "comments_url": f"{repo.api}/issues/{number}/comments",
        "statuses_url": f"{repo.api}/statuses/{pull.head_sha}",
    }


def full(repo: Hosted, pull: PullRecord, facts: PullFacts) -> JsonObject:
    shown = simple(repo, pull)
    merged = pull.merged_at is not None
    state = "clean" if facts.mergeable else "dirty" if facts.mergeable is False else "unknown"
    shown.update(
        merged=merged,
        mergeable=None if merged else facts.mergeable,
        rebaseable=None if merged else facts.mergeable,
        mergeable_state="unknown" if merged else ("draft" if pull.draft else state),
        merged_by=optional_user(repo, pull.merged_by),
        comments=pull.issue.comments,
        review_comments=0,
        maintainer_can_modify=False,
        commits=facts.commits,
        additions=facts.additions,
        deletions=facts.deletions,
        changed_files=facts.changed_files,
    )
    return shown


def _branch(repo: Hosted, ref: str, sha: str) -> JsonObject:
    owner = repo.identity.owner
    return {
        "label": f"{owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(repo, owner),
        "repo": repository(repo),
    }


def _links(repo: Hosted, url: str, html: str, number: int, head_sha: str) -> JsonObject:
    hrefs = {
        "self": url,
        "html": html,
        "issue": f"{repo.api}/issues/{number}",
        "comments": f"{repo.api}/issues/{number}/comments",
        "review_comments": f"{url}/comments",
        "review_comment": f"{repo.api}/pulls/comments{{/number}}",
        "commits": f"{url}/commits",
        "statuses": f"{repo.api}/statuses/{head_sha}",
    }
    return {name: {"href": href} for name, href in hrefs.items()}
