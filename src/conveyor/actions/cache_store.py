"""A local cache store for actions/cache: tar archives by key, scoped to a repository.

Layout: `CONVEYOR_HOME/caches/<repository scope>/<sha256(key)>.tar` with a `.json` beside it
(key, version, created). The version is a digest of the cached paths as written, so a cache is
only restored for the same `path` input (as on GitHub). Lookup order, as GitHub's: the primary
key exactly, then each restore key — exactly, then as a prefix of stored keys, newest first.

Archive members are named `ws/<path>` for files under the workspace and `abs/<path>` for others,
so a restore puts every file back where it came from, whatever the workspace path is now.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from conveyor.private_files import open_private, private_directory, write_private


@dataclass(frozen=True, slots=True)
class CacheEntry:
    key: str
    version: str
    created: float
    archive: Path


def cache_version(paths: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(paths).encode("utf-8")).hexdigest()[:16]


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

    def save(self, key: str, version: str, files: Sequence[Path], workspace: str) -> Path:
        private_directory(self.directory)
        stem = self.directory / hashlib.sha256(f"{version}:{key}".encode()).hexdigest()
        staging = stem.with_suffix(f".{uuid.uuid4().hex}.tmp")
        with (
            os.fdopen(open_private(staging), "wb") as raw,
            tarfile.open(fileobj=raw, mode="w") as archive,
        ):
            for file in files:
                archive.add(str(file), arcname=member_name(file, workspace), recursive=False)
        os.replace(staging, stem.with_suffix(".tar"))
        meta = {"key": key, "version": version, "created": time.time()}
        write_private(stem.with_suffix(".json"), json.dumps(meta))
        return stem.with_suffix(".tar")


def member_name(file: Path, workspace: str) -> str:
    absolute = os.path.abspath(file)
    root = os.path.abspath(workspace)
    if absolute.startswith(root + os.sep):
        return "ws/" + os.path.relpath(absolute, root)
    return "abs/" + absolute.lstrip(os.sep)


def restore(archive: Path, workspace: str) -> int:
    """Extract an archive's files to where they were saved from; returns how many."""
    count = 0
    with tarfile.open(archive, "r") as tar:
        for member in tar:
            base, _, rest = member.name.partition("/")
            if base not in ("ws", "abs") or not rest:
                continue
            member.name = rest
            tar.extract(member, path=workspace if base == "ws" else os.sep, filter="tar")
            count += 1
    return count
