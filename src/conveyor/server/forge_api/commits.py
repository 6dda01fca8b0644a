"""Commits, comparisons and changed files of a hosted bare repository in GitHub's shapes
(`commit`, `commit-comparison`, `diff-entry`)."""

from __future__ import annotations

from conveyor.errors import UsageError
from conveyor.git.commits import CommitInfo, Person
from conveyor.git.file_changes import FileChange, file_changes
from conveyor.git.repository import GitRepository
from conveyor.git.webhook_objects import JsonObject, node_id, utc_timestamp
from conveyor.server.forge_api.errors import not_found
from conveyor.server.forge_api.hosted import Hosted

MAX_COMMITS = 250


def resolve(git: GitRepository, rev: str) -> str:
    """The commit `rev` names (branch, tag or SHA); 404 when none."""
    try:
        return git.resolve_commit(rev)
    except UsageError:
        raise not_found() from None


def comparison(repo: Hosted, base: str, head: str) -> JsonObject:
    git = repo.git()
    base_sha, head_sha = resolve(git, base), resolve(git, head)
    merge_base = git.merge_base(base_sha, head_sha) or base_sha
    ahead = git.commits(f"{base_sha}..{head_sha}")
    behind = len(git.commits(f"{head_sha}..{base_sha}"))
    html = f"{repo.html}/compare/{base}...{head}"
    return {
        "url": f"{repo.api}/compare/{base}...{head}",
        "html_url": html,
        "permalink_url": f"{repo.html}/compare/{base_sha}...{head_sha}",
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "base_commit": commit(repo, git.commit(base_sha)),
        "merge_base_commit": commit(repo, git.commit(merge_base)),
        "status": _status(len(ahead), behind),
        "ahead_by": len(ahead),
        "behind_by": behind,
        "total_commits": len(ahead),
        "commits": [commit(repo, each) for each in ahead[:MAX_COMMITS]],
        "files": [diff_entry(repo, change) for change in file_changes(git, merge_base, head_sha)],
    }


def _status(ahead: int, behind: int) -> str:
    if ahead and behind:
        return "diverged"
    return "ahead" if ahead else "behind" if behind else "identical"


def _git_user(person: Person) -> JsonObject:
    return {"name": person.name, "email": person.email, "date": utc_timestamp(person.date)}


def commit(repo: Hosted, found: CommitInfo) -> JsonObject:
    url = f"{repo.api}/commits/{found.sha}"
    return {
        "url": url,
        "sha": found.sha,
        "node_id": node_id("Commit", int(found.sha[:7], 16)),
        "html_url": f"{repo.html}/commit/{found.sha}",
        "comments_url": f"{url}/comments",
        "commit": {
            "url": f"{repo.api}/git/commits/{found.sha}",
            "author": _git_user(found.author),
            "committer": _git_user(found.committer),
            "message": found.message,
            "comment_count": 0,
            "tree": {"sha": found.tree, "url": f"{repo.api}/git/trees/{found.tree}"},
        },
        "author": None,
        "committer": None,
        "parents": [
            {"sha": p, "url": f"{repo.api}/commits/{p}", "html_url": f"{repo.html}/commit/{p}"}
            for p in found.parents
        ],
    }


def diff_entry(repo: Hosted, change: FileChange) -> JsonObject:
    ref = change.sha or ""
    entry: JsonObject = {
        "sha": change.sha,
        "filename": change.path,
        "status": change.status,
        "additions": change.additions,
        "deletions": change.deletions,
        "changes": change.additions + change.deletions,
        "blob_url": f"{repo.html}/blob/{ref}/{change.path}",
        "raw_url": f"{repo.html}/raw/{ref}/{change.path}",
        "contents_url": f"{repo.api}/contents/{change.path}?ref={ref}",
    }
    if change.patch is not None:
        entry["patch"] = change.patch
    return entry
