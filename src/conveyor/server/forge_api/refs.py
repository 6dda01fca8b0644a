"""A ref a request names (branch, tag or SHA) as the commit SHA of the hosted repository; a
repository not on this machine takes the ref for a SHA."""

from __future__ import annotations

from pathlib import Path

from conveyor.server.forge_api.errors import not_found
from conveyor.server.forge_api.hosted import Hosted


def find_commit_of_ref(repo: Hosted, ref: str) -> str | None:
    path = Path(repo.record.url)
    if not path.is_absolute() or not (path / "HEAD").is_file():
        return ref
    return repo.git().find_commit(ref)


def commit_of_ref(repo: Hosted, ref: str) -> str:
    """The commit `ref` names; 404 when none."""
    found = find_commit_of_ref(repo, ref)
    if found is None:
        raise not_found()
    return found
