"""Remote actions and reusable workflows for one run: `owner/repo@ref` → a cached tree.

`RemoteActionResolver` implements the RemoteActions port. One object serves one run (all its
jobs, composites and reusable workflows): a tag or branch is resolved once (`git ls-remote`),
so every job sees the same commit even if the tag moves meanwhile; a later run resolves again.
A full commit id is fetched as such (it exists, or the fetch fails: never another ref). With
`offline`, nothing touches the network: the cache answers, or the failure says how to fill it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from conveyor.engine.ports.remote_actions import FetchedAction, FetchFailure
from conveyor.errors import InfrastructureError
from conveyor.git.action_cache import ActionCache
from conveyor.git.action_remote import GitRemote, is_commit_id

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")

Found = FetchedAction | FetchFailure


@dataclass(frozen=True, slots=True)
class Fetched:
    """What `pull` did for one action: its commit, and whether it was fetched now."""

    commit: str
    fetched: bool


class RemoteActionResolver:
    """The RemoteActions port over git and the cache (thread-safe; one per run)."""

    def __init__(self, cache: ActionCache, remote: GitRemote, *, offline: bool = False) -> None:
        self.cache = cache
        self.remote = remote
        self.offline = offline
        self._found: dict[tuple[str, str, str], Found] = {}
        self._locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def fetch(self, owner: str, repo: str, ref: str) -> Found:
        key = (owner.lower(), repo.lower(), ref)
        found = self._found.get(key)
        if found is not None:
            return found
        with self._lock_of(key):
            found = self._found.get(key)
            if found is None:
                found = self._resolve(owner, repo, ref)
                self._found[key] = found
        return found

    def pull(self, owner: str, repo: str, ref: str) -> Fetched:
        """Fetch into the cache (`conveyor actions pull`); InfrastructureError when it cannot."""
        _check_names(owner, repo)
        commit = self._commit(owner, repo, ref)
        _, fetched = self._tree(owner, repo, ref, commit)
        self.cache.remember_ref(owner, repo, ref, commit)
        return Fetched(commit, fetched)

    def _lock_of(self, key: tuple[str, str, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _resolve(self, owner: str, repo: str, ref: str) -> Found:
        try:
            _check_names(owner, repo)
            commit = self._commit(owner, repo, ref)
            tree, _ = self._tree(owner, repo, ref, commit)
            self.cache.remember_ref(owner, repo, ref, commit)
        except InfrastructureError as exc:
            return FetchFailure(self.remote.mask(str(exc)))
        except OSError as exc:
            return FetchFailure(f"{owner}/{repo}@{ref}: the action cache failed: {exc}")
        self.cache.touch(owner, repo, commit)
        return FetchedAction(str(tree), commit)

    def _commit(self, owner: str, repo: str, ref: str) -> str:
        if is_commit_id(ref):
            return ref.lower()
        if not self.offline:
            return self.remote.resolve(owner, repo, ref)
        commit = self.cache.cached_ref(owner, repo, ref)
        if commit is None:
            raise InfrastructureError(offline_miss(owner, repo, ref))
        return commit

    def _tree(self, owner: str, repo: str, ref: str, commit: str) -> tuple[Path, bool]:
        tree = self.cache.complete(owner, repo, commit)
        if tree is not None:
            return tree, False
        if self.offline:
            raise InfrastructureError(offline_miss(owner, repo, ref))

        def fill(directory: Path) -> None:
            self.remote.fetch_tree(owner, repo, commit, directory)

        return self.cache.install(owner, repo, commit, fill)


def offline_miss(owner: str, repo: str, ref: str) -> str:
    """The one line of an action the cache lacks in an offline run."""
    return (
        f"{owner}/{repo}@{ref} is not in the action cache and this run is offline: "
        f"fetch it with `conveyor actions pull {owner}/{repo}@{ref}`"
    )


def _check_names(owner: str, repo: str) -> None:
    for name in (owner, repo):
        if not _NAME.match(name) or name in {".", ".."}:
            raise InfrastructureError(f"'{owner}/{repo}' is not a repository name git can fetch")


__all__ = ["Fetched", "RemoteActionResolver", "offline_miss"]
