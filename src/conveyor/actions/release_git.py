"""conveyor/release's git reads in the workspace: the tags and the commits between two of them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conveyor.errors import UsageError


def workspace_git(workspace: str) -> Path:
    """The workspace, checked to be a git work tree."""
    root = Path(workspace)
    if _git(root, "rev-parse", "--is-inside-work-tree", check=False) != "true":
        raise UsageError(
            "the workspace is not a git repository: check the repository out first "
            "(actions/checkout with fetch-depth: 0, so the tags are there)"
        )
    return root


def tags_of(root: Path) -> list[str]:
    return _git(root, "tag", "--list").splitlines()


def commits_between(root: Path, previous: str | None, tag: str) -> list[tuple[str, str]]:
    """(subject, body) of the commits reachable from `tag` (HEAD when the tag is not in the
    workspace) and not from `previous`, newest first."""
    tip = (
        tag
        if _git(root, "rev-parse", "-q", "--verify", f"{tag}^{{commit}}", check=False)
        else "HEAD"
    )
    span = f"{previous}..{tip}" if previous else tip
    log = _git(root, "log", "--format=%s%x1f%b%x1e", span)
    pairs = [entry.strip("\n").split("\x1f", 1) for entry in log.split("\x1e") if entry.strip()]
    return [(pair[0], pair[1] if len(pair) > 1 else "") for pair in pairs]


def _git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0 and check:
        raise UsageError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout.strip() if done.returncode == 0 else ""
