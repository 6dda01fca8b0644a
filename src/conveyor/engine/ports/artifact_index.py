"""Artifact and cache metadata (the bytes live under CONVEYOR_HOME, written by the actions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ArtifactRecord:
    run_id: int
    attempt: int
    name: str
    path: str
    size: int
    created_at: float
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class CacheRecord:
    repository: str
    scope: str  # the ref the cache was saved from
    key: str
    version: str
    path: str
    size: int
    created_at: float
    last_used_at: float


class ArtifactIndex(Protocol):
    """Artifacts by run (a re-upload replaces), caches by scope, key prefix and version."""

    def record_artifact(self, artifact: ArtifactRecord) -> None: ...
    def list_artifacts(self, run_id: int) -> list[ArtifactRecord]: ...
    def save_cache(self, cache: CacheRecord) -> None: ...
    def find_cache(
        self, repository: str, scopes: Sequence[str], keys: Sequence[str], version: str
    ) -> CacheRecord | None: ...
