"""Hosted repositories (the local forge): bare repositories the server keeps under
CONVEYOR_HOME/server/hosted/OWNER/REPO.git (private directories), registered as served
repositories whose URL is that path, so the mirrors and views work on them as on any other.

`create_hosted` makes one (or serves again the data a `remove` kept); `remove_repository`
unregisters a repository and, asked to, deletes a hosted one's data. No web secret: a hosted
repository's events come from the server itself (its Git smart HTTP, `conveyor.server.git_http`).
"""

from __future__ import annotations

from pathlib import Path

from conveyor.errors import UsageError
from conveyor.git.hosting import (
    delete_bare,
    hosted_repository,
    init_bare,
    is_branch_name,
)
from conveyor.store.served_repositories import (
    ServedRepositories,
    ServedRepository,
    check_name,
)


def hosted_path(home: Path, name: str) -> Path:
    """Where the hosted repository `name` (OWNER/REPO) lives; a UsageError for a bad name."""
    return hosted_repository(home, check_name(name))


def is_hosted(home: Path, repository: ServedRepository) -> bool:
    return repository.url == str(hosted_path(home, repository.name))


def create_hosted(
    home: Path, repositories: ServedRepositories, name: str, default_branch: str = "main"
) -> ServedRepository:
    """Make the empty bare repository `name` and register it (kept data is served again)."""
    path = hosted_path(home, name)
    if repositories.get(name) is not None:
        raise UsageError(f"repository {name} is already registered")
    if not is_branch_name(default_branch):
        raise UsageError(f"{default_branch!r} is not a branch name git takes")
    if not (path / "HEAD").is_file():
        init_bare(path, default_branch)
    return repositories.add(ServedRepository(name, str(path), default_branch, False, 0.0), None)


def remove_repository(
    home: Path, repositories: ServedRepositories, name: str, *, delete_data: bool = False
) -> str | None:
    """Unregister `name`; None when it was not registered, else what became of its data: "kept"
    (a hosted repository's bare repository stays, `create` serves it again), "deleted", or ""
    (not hosted: nothing of it is kept by the server but the mirror, a cache)."""
    repository = repositories.get(name)
    if repository is None or not repositories.remove(name):
        return None
    if not is_hosted(home, repository):
        return ""
    if delete_data:
        delete_bare(hosted_path(home, name))
        return "deleted"
    return "kept"
