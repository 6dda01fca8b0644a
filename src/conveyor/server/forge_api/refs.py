"""A ref a request names (branch, tag or SHA) as the commit SHA of the hosted repository; a
repository not on this machine takes the ref for a SHA."""

from __future__ import annotations

from pathlib import Path

from conveyor.server.forge_api.errors import not_found
from conveyor.server.forge_api.hosted import Hosted


def commit_of_ref(repo: Hosted, ref: str) -> str:
    path = Path(repo.record.url)
    if not path.is_absolute() or not (path / "HEAD").is_file():
        return ref
    found = repo.git().find_commit(ref)
    if found is None:
        raise not_found()
    return found
