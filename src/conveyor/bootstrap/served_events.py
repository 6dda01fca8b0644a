"""The event of a server run, built from its payload against the repository's view, with git's
answers about full commit ids remembered between events (they never change): a webhook's
intake asks git only for what is new (DESIGN.md §2: the same `event_from_payload` as a rerun).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from conveyor.bootstrap.events import BuiltEvent
from conveyor.bootstrap.run_source import Uncommitted
from conveyor.git import GitRepository
from conveyor.git.snapshot import Snapshot

if TYPE_CHECKING:
    from conveyor.git.local_context import LocalContext

K = TypeVar("K")
V = TypeVar("V")
_FULL_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_MEMO_SIZE = 4096


class _RememberingRepository(GitRepository):
    """find_commit and changed_files of full commit ids, asked of git once."""

    def __init__(self, root: Path, snapshot: Snapshot | None = None) -> None:
        super().__init__(root, snapshot)
        self._found: dict[str, str] = {}
        self._changes: dict[tuple[str | None, str], tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def find_commit(self, rev: str) -> str | None:
        if not _FULL_SHA.match(rev):
            return super().find_commit(rev)
        if set(rev) == {"0"}:  # GitHub's "no commit" (a new branch's `before`)
            return None
        with self._lock:
            known = self._found.get(rev)
        if known is None:
            asked = GitRepository.try_git(
                self, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"
            )
            if not asked:
                return None
            known = asked.strip()
            with self._lock:
                self._found = _bounded(self._found) | {rev: known}
        return known

    def try_git(self, *args: str, env: Mapping[str, str] | None = None) -> str | None:
        """`rev-parse --verify --quiet SHA^{commit}` of a full id: find_commit's memo."""
        if env is None and len(args) == 4 and args[:3] == ("rev-parse", "--verify", "--quiet"):
            rev = args[3].removesuffix("^{commit}")
            if _FULL_SHA.match(rev):
                found = self.find_commit(rev)
                return None if found is None else found + "\n"
        return super().try_git(*args, env=env)

    def changed_files(self, old: str | None, new: str) -> tuple[str, ...]:
        key = (old, new)
        with self._lock:
            known = self._changes.get(key)
        if known is None:
            known = super().changed_files(old, new)
            if (old is None or _FULL_SHA.match(old)) and _FULL_SHA.match(new):
                with self._lock:
                    self._changes = _bounded(self._changes) | {key: known}
        return known


def _bounded(items: dict[K, V]) -> dict[K, V]:
    """`items`, or a fresh memo once it holds _MEMO_SIZE answers."""
    return {} if len(items) >= _MEMO_SIZE else items


class ServedEvents:
    """Events of one repository view; `refresh()` after its refs changed (a fetch)."""

    def __init__(self, view: Path) -> None:
        self._view = view
        self._context: LocalContext | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        with self._lock:
            self._context = None

    def build(self, name: str, payload: Mapping[str, object]) -> BuiltEvent:
        from conveyor.git.event_files import event_from_payload

        return BuiltEvent(event_from_payload(self._local_context(), name, payload, {}))

    def _local_context(self) -> LocalContext:
        from conveyor.git.local_context import LocalContext

        with self._lock:
            if self._context is None:
                opened = GitRepository.open(self._view, prefetch=True)
                repo = _RememberingRepository(opened.root, opened._snapshot)
                self._context = LocalContext.open(repo)
            return self._context


class ServedStart:
    """What `prepare_run` takes from an EarlyStart: the root and the event, built already."""

    def __init__(self, root: Path, built: BuiltEvent) -> None:
        self.root = root
        self._built = built

    def built(self) -> BuiltEvent:
        return self._built

    def changes(self) -> Uncommitted:
        return Uncommitted()
