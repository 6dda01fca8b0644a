"""A local cache store for actions/cache: tar archives by key, scoped to a repository.

Layout: `CONVEYOR_HOME/caches/<repository scope>/<sha256(key)>.tar` with a `.json` beside it
(key, version, created). The version is a digest of the cached paths as written, so a cache is
only restored for the same `path` input (as on GitHub). Lookup order, as GitHub's: the primary
key exactly, then each restore key — exactly, then as a prefix of stored keys, newest first.

Archive members are named by the innermost *anchor* directory holding them — `ws/<path>` under
the workspace, `tmp/<path>` under RUNNER_TEMP, `home/<path>` under HOME, `tool/<path>` under the
tool cache — and `abs/<path>` for others. Those directories differ per job here (on GitHub they
are the same path in every job), so a restore puts each file under the restoring job's anchor.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from conveyor.private_files import open_private, private_directory, write_private


@dataclass(frozen=True, slots=True)
class CacheEntry:
    key: str
    version: str
    created: float
    archive: Path


Anchors = Mapping[str, str]  # anchor name ('ws', 'tmp', 'home', 'tool') -> directory


def cache_version(paths: Sequence[str], anchors: Anchors | None = None) -> str:
    """A digest of the `path` input, each path's anchor directory written as `<anchor>`: a path
    under RUNNER_TEMP names the same cache in every job, as it does on GitHub."""
    portable = [_portable(path, anchors or {}) for path in paths]
    return hashlib.sha256("\n".join(portable).encode("utf-8")).hexdigest()[:16]


def _portable(path: str, anchors: Anchors) -> str:
    negated = path.startswith("!")
    bare = path[1:] if negated else path
    for name, root in sorted(anchors.items(), key=lambda item: -len(item[1])):
        if root and (bare == root or bare.startswith(root.rstrip(os.sep) + os.sep)):
            bare = f"<{name}>{bare[len(root.rstrip(os.sep)) :]}"
            break
    return ("!" if negated else "") + bare


class CacheStore:
    def __init__(self, home: Path, repository: str) -> None:
        scope = hashlib.sha256(os.path.abspath(repository).encode("utf-8")).hexdigest()[:16]
        self.directory = home / "caches" / scope

    def entries(self, version: str) -> list[CacheEntry]:
        found = []
        for meta in self.directory.glob("*.json"):
            try:
                data = json.loads(meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            archive = meta.with_suffix(".tar")
            if data.get("version") == version and archive.is_file():
                found.append(CacheEntry(str(data["key"]), version, float(data["created"]), archive))
        return found

    def find(self, key: str, restore_keys: Sequence[str], version: str) -> CacheEntry | None:
        entries = self.entries(version)
        newest_first = sorted(entries, key=lambda e: e.created, reverse=True)
        for candidate in [key, *restore_keys]:
            exact = [e for e in newest_first if e.key == candidate]
            if exact:
                return exact[0]
            if candidate != key:
                prefixed = [e for e in newest_first if e.key.startswith(candidate)]
                if prefixed:
                    return prefixed[0]
        return None

    def has(self, key: str, version: str) -> bool:
        return any(entry.key == key for entry in self.entries(version))

    def save(self, key: str, version: str, files: Sequence[Path], anchors: Anchors) -> Path:
        private_directory(self.directory)
        stem = self._stem(key, version)
        staging = stem.with_suffix(f".{uuid.uuid4().hex}.tmp")
        with (
            os.fdopen(open_private(staging), "wb") as raw,
            tarfile.open(fileobj=raw, mode="w") as archive,
        ):
            for file in files:
                archive.add(str(file), arcname=member_name(file, anchors), recursive=False)
        return self.adopt(key, version, staging)

    def adopt(self, key: str, version: str, archive: Path) -> Path:
        """Stores the archive `archive` (a private file in this store's directory, made here
        or received from a worker) under `key`; its new path."""
        stem = self._stem(key, version)
        os.replace(archive, stem.with_suffix(".tar"))
        meta = {"key": key, "version": version, "created": time.time()}
        write_private(stem.with_suffix(".json"), json.dumps(meta))
        return stem.with_suffix(".tar")

    def staging(self) -> Path:
        """A new name for an archive being written into this store (its directory made)."""
        private_directory(self.directory)
        return self.directory / f".{uuid.uuid4().hex}.tmp"

    def _stem(self, key: str, version: str) -> Path:
        return self.directory / hashlib.sha256(f"{version}:{key}".encode()).hexdigest()


def member_name(file: Path, anchors: Anchors) -> str:
    """`<anchor>/<path>` for the innermost anchor directory holding `file`, else `abs/<path>`."""
    absolute = os.path.abspath(file)
    holding = [
        (os.path.abspath(root), name)
        for name, root in anchors.items()
        if root and absolute.startswith(os.path.abspath(root) + os.sep)
    ]
    if not holding:
        return "abs/" + absolute.lstrip(os.sep)
    root, name = max(holding)
    return f"{name}/{os.path.relpath(absolute, root)}"


def restore(archive: Path, anchors: Anchors) -> int:
    """Extract an archive's files under the anchors they were saved from; returns how many."""
    count = 0
    with tarfile.open(archive, "r") as tar:
        for member in tar:
            base, _, rest = member.name.partition("/")
            target = os.sep if base == "abs" else anchors.get(base)
            if not target or not rest:
                continue
            member.name = rest
            tar.extract(member, path=target, filter="tar")
            count += 1
    return count
