"""The cache of remote actions under CONVEYOR_HOME, keyed by commit (docs/actions.md).

    <root>/<owner>/<repo>/<commit>/        the repository's tree at that commit (no .git)
    <root>/<owner>/<repo>/<commit>.json    its marker, written last: complete; size, when fetched
    <root>/<owner>/<repo>/refs/<ref>       the commit a tag or branch named when last resolved
    <root>/<owner>/<repo>/.lock            flock(2): one process or thread fills an entry at once

An entry is complete when its marker exists and its directory still holds every top-level name
the marker lists (a cheap check: one read, one listdir); anything else is removed and fetched
again. The marker's modification time is when the entry was last used.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from conveyor.private_files import (
    make_tree_private,
    private_directory,
    private_lock,
    write_private,
)

MARKER = ".json"


@dataclass(frozen=True, slots=True)
class CachedAction:
    """One entry of the cache, as `conveyor actions list` shows it."""

    repository: str  # owner/repo (lower case)
    commit: str
    refs: tuple[str, ...]  # the tags and branches that named it when last resolved
    size: int  # bytes
    fetched: float  # when it was fetched (epoch seconds)
    used: float  # when a run last used it
    directory: Path


class ActionCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def repository_dir(self, owner: str, repo: str) -> Path:
        return self.root / owner.lower() / repo.lower()

    # -- reading (the hot path) -----------------------------------------------------------------

    def complete(self, owner: str, repo: str, commit: str) -> Path | None:
        """The tree of a complete entry, else None."""
        base = self.repository_dir(owner, repo)
        tree = base / commit
        try:
            names = json.loads((base / f"{commit}{MARKER}").read_bytes())["names"]
            present = set(os.listdir(tree))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return tree if present.issuperset(names) else None

    def cached_ref(self, owner: str, repo: str, ref: str) -> str | None:
        """The commit `ref` named when it was last resolved, if the cache remembers it."""
        try:
            text = (self._ref_file(owner, repo, ref)).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text or None

    # -- writing --------------------------------------------------------------------------------

    def install(
        self, owner: str, repo: str, commit: str, fill: Callable[[Path], None]
    ) -> tuple[Path, bool]:
        """The entry's tree, made with `fill(empty directory)` unless another process or thread
        made it meanwhile (waited for under the lock); True when this call filled it."""
        base = private_directory(self.repository_dir(owner, repo))
        with self.lock(owner, repo):
            tree = self.complete(owner, repo, commit)
            if tree is not None:
                return tree, False
            self._discard(base, commit)  # an interrupted or damaged entry
            staging = base / f".{commit}.{os.getpid()}.partial"
            shutil.rmtree(staging, ignore_errors=True)
            try:
                private_directory(staging)
                fill(staging)
                make_tree_private(staging)
                os.rename(staging, base / commit)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            self._write_marker(base, commit)
            return base / commit, True

    def remember_ref(self, owner: str, repo: str, ref: str, commit: str) -> None:
        if self.cached_ref(owner, repo, ref) == commit:
            return
        path = self._ref_file(owner, repo, ref)
        private_directory(path.parent)
        # the writer's own staging file: two runs of one process (a server's) may race here
        staging = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        write_private(staging, commit + "\n")
        os.replace(staging, path)

    def touch(self, owner: str, repo: str, commit: str) -> None:
        """Note that a run used the entry now (prune's `--older-than`)."""
        with contextlib.suppress(OSError):
            os.utime(self.repository_dir(owner, repo) / f"{commit}{MARKER}")

    def lock(self, owner: str, repo: str) -> contextlib.AbstractContextManager[None]:
        """One fetch of `owner/repo` at a time, across threads and processes."""
        return private_lock(private_directory(self.repository_dir(owner, repo)) / ".lock")

    def _write_marker(self, base: Path, commit: str) -> None:
        tree = base / commit
        marker = {
            "commit": commit,
            "names": sorted(os.listdir(tree)),
            "size": _size(tree),
            "fetched": time.time(),
        }
        staging = base / f".{commit}.{os.getpid()}.marker"
        write_private(staging, json.dumps(marker))
        os.replace(staging, base / f"{commit}{MARKER}")

    def _discard(self, base: Path, commit: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (base / f"{commit}{MARKER}").unlink()
        shutil.rmtree(base / commit, ignore_errors=True)

    def _ref_file(self, owner: str, repo: str, ref: str) -> Path:
        return self.repository_dir(owner, repo) / "refs" / quote(ref, safe="")

    # -- listing and pruning --------------------------------------------------------------------

    def entries(self) -> list[CachedAction]:
        found: list[CachedAction] = []
        for base in sorted(self.root.glob("*/*")):
            if base.is_dir():
                found.extend(self._entries_of(base))
        return found

    def _entries_of(self, base: Path) -> Iterator[CachedAction]:
        refs = self._refs_of(base)
        for marker in sorted(base.glob(f"*{MARKER}")):
            commit = marker.name.removesuffix(MARKER)
            try:
                data = json.loads(marker.read_bytes())
                used = marker.stat().st_mtime
            except (OSError, ValueError):
                continue
            yield CachedAction(
                f"{base.parent.name}/{base.name}",
                commit,
                tuple(sorted(refs.get(commit, ()))),
                int(data.get("size", 0)),
                float(data.get("fetched", used)),
                used,
                base / commit,
            )

    def _refs_of(self, base: Path) -> dict[str, list[str]]:
        refs: dict[str, list[str]] = {}
        for path in sorted((base / "refs").glob("*")):
            with contextlib.suppress(OSError, UnicodeDecodeError):
                commit = path.read_text(encoding="ascii").strip()
                refs.setdefault(commit, []).append(unquote(path.name))
        return refs

    def remove(self, entry: CachedAction) -> None:
        """Delete an entry (and the refs that named it)."""
        owner, _, repo = entry.repository.partition("/")
        base = self.repository_dir(owner, repo)
        with self.lock(owner, repo):
            self._discard(base, entry.commit)
            for ref in entry.refs:
                if self.cached_ref(owner, repo, ref) == entry.commit:
                    with contextlib.suppress(FileNotFoundError):
                        self._ref_file(owner, repo, ref).unlink()


def _size(tree: Path) -> int:
    total = 0
    for directory, _, files in os.walk(tree):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(directory, name)).st_size
    return total


def cache_root(home: Path) -> Path:
    """Where the cache of remote actions is under CONVEYOR_HOME."""
    return home / "cache" / "actions"


__all__ = ["ActionCache", "CachedAction", "cache_root"]
