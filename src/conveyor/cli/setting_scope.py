"""Which repository `--repo` names for secrets, variables and environments: a local repository
(keyed by its root's path, as `conveyor run` records it) or, as OWNER/REPO, a repository
`conveyor serve` serves (keyed by that name, as the server's runs and `/api/v1` are)."""

from __future__ import annotations

import re
from pathlib import Path

from conveyor.errors import UsageError
from conveyor.store import StoreHandle
from conveyor.store.repository import repository_key

_SERVED_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def served_name(store: StoreHandle, repo: Path) -> str | None:
    """OWNER/REPO when `repo` is written so and is no directory here; a UsageError when no such
    repository is served; None for a local repository."""
    text = str(repo)
    if repo.is_dir() or not _SERVED_NAME.match(text):
        return None
    from conveyor.store.served_repositories import served_repositories

    if served_repositories(store).get(text) is None:
        raise UsageError(
            f"--repo {text}: no such directory, nor a repository `conveyor serve` serves "
            "(register it with `conveyor repos add`)"
        )
    return text


def setting_key(store: StoreHandle, repo: Path) -> str:
    """The store's key for the secrets, variables and environments of `repo`."""
    return served_name(store, repo) or repository_key(repo)
