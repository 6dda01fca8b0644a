"""Pull requests in a (bare) repository, as GitHub keeps them: `refs/pull/N/head` at the head
commit and `refs/pull/N/merge` at the test merge into the base (absent when they conflict), and
merging — a merge commit, a squash commit, or a rebase (a fast-forward when the base has not
moved, else the head's commits replayed in a temporary work tree) — moving the base branch only
if it is still where it was (`update-ref` with the old value)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from conveyor.git.repository import GitRepository


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    email: str
    date: str  # ISO 8601


def _env(who: Signature) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": who.name,
        "GIT_AUTHOR_EMAIL": who.email,
        "GIT_AUTHOR_DATE": who.date,
        "GIT_COMMITTER_NAME": who.name,
        "GIT_COMMITTER_EMAIL": who.email,
        "GIT_COMMITTER_DATE": who.date,
    }


def update_pull_refs(
    repo: GitRepository, number: int, base: str, head: str, date: str
) -> str | None:
    """Point refs/pull/N/head at `head` and refs/pull/N/merge at a fresh test merge of `head`
    into `base`; the merge commit, or None when they conflict (the merge ref is removed)."""
    repo.git("update-ref", f"refs/pull/{number}/head", head)
    merge = repo.write_merge_commit(base, head, f"Merge {head} into {base}", date)
    if merge is None:
        repo.try_git("update-ref", "-d", f"refs/pull/{number}/merge")
        return None
    repo.git("update-ref", f"refs/pull/{number}/merge", merge)
    return merge


def merged_tree(repo: GitRepository, base: str, head: str) -> str | None:
    """The tree of merging `head` into `base`, or None when they conflict."""
    out = repo.try_git("merge-tree", "--write-tree", base, head)
    return out.splitlines()[0].strip() if out else None


def merge_pull(
    repo: GitRepository, branch: str, base: str, head: str, method: str, message: str,
    who: Signature,
) -> str | None:  # fmt: skip
    """Merge `head` into `branch` (at `base`) by `method` (merge, squash, rebase); the new tip of
    `branch`, or None when it cannot be done (conflicts, or the branch moved meanwhile)."""
    tip = _new_tip(repo, base, head, method, message, who)
    if tip is None:
        return None
    moved = repo.try_git("update-ref", f"refs/heads/{branch}", tip, base)
    return tip if moved is not None else None


def _new_tip(
    repo: GitRepository, base: str, head: str, method: str, message: str, who: Signature
) -> str | None:
    if method == "rebase":
        if repo.is_ancestor(base, head):
            return head  # a fast-forward
        return _replayed(repo, base, head, who)
    tree = merged_tree(repo, base, head)
    if tree is None:
        return None
    parents = ["-p", base] if method == "squash" else ["-p", base, "-p", head]
    return repo.git("commit-tree", tree, *parents, "-m", message, env=_env(who)).strip()


def _replayed(repo: GitRepository, base: str, head: str, who: Signature) -> str | None:
    """The head's own commits cherry-picked onto `base` in a temporary detached work tree."""
    with tempfile.TemporaryDirectory(prefix="conveyor-rebase-") as scratch:
        tree = Path(scratch) / "tree"
        repo.git("worktree", "add", "--detach", "--quiet", str(tree), base)
        try:
            work = GitRepository(tree)
            picked = work.try_git(
                "-c", f"user.name={who.name}", "-c", f"user.email={who.email}",
                "cherry-pick", "--allow-empty", f"{base}..{head}",
                env={"GIT_COMMITTER_DATE": who.date},
            )  # fmt: skip
            return work.git("rev-parse", "HEAD").strip() if picked is not None else None
        finally:
            repo.git("worktree", "remove", "--force", str(tree))
