"""Artifact and cache metadata (the bytes live under CONVEYOR_HOME, written by the actions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from conveyor.engine.ports.store import ArtifactRecord, CacheRecord
from conveyor.store.models import ArtifactRow, CacheRow
from conveyor.store.rows import now, repository_id


def record_artifact(conn: Connection, artifact: ArtifactRecord) -> None:
    """Upload-artifact semantics: a name is unique within a run; a re-upload replaces it."""
    conn.execute(
        delete(ArtifactRow).where(
            ArtifactRow.c.run_id == artifact.run_id, ArtifactRow.c.name == artifact.name
        )
    )
    conn.execute(
        insert(ArtifactRow).values(
            run_id=artifact.run_id,
            attempt=artifact.attempt,
            name=artifact.name,
            path=artifact.path,
            size=artifact.size,
            digest=artifact.digest,
            created_at=artifact.created_at,
        )
    )


def list_artifacts(conn: Connection, run_id: int) -> list[ArtifactRecord]:
    rows = conn.execute(
        select(ArtifactRow).where(ArtifactRow.c.run_id == run_id).order_by(ArtifactRow.c.name)
    )
    return [
        ArtifactRecord(r.run_id, r.attempt, r.name, r.path, r.size, r.created_at, r.digest)
        for r in rows
    ]


def save_cache(conn: Connection, cache: CacheRecord) -> None:
    """Caches are immutable: saving an existing key/version in a scope changes nothing."""
    repo = repository_id(conn, cache.repository)
    exists = conn.execute(
        select(CacheRow.c.id).where(
            CacheRow.c.repository_id == repo,
            CacheRow.c.scope == cache.scope,
            CacheRow.c.key == cache.key,
            CacheRow.c.version == cache.version,
        )
    ).first()
    if exists is not None:
        return
    conn.execute(
        insert(CacheRow).values(
            repository_id=repo,
            scope=cache.scope,
            key=cache.key,
            version=cache.version,
            path=cache.path,
            size=cache.size,
            created_at=cache.created_at,
            last_used_at=cache.last_used_at,
        )
    )


def find_cache(
    conn: Connection, repository: str, scopes: Sequence[str], keys: Sequence[str], version: str
) -> CacheRecord | None:
    """actions/cache lookup: per scope in order, the exact key, then each key as a prefix."""
    repo = repository_id(conn, repository, create=False)
    if repo is None:
        return None
    for scope in scopes:
        for index, key in enumerate(keys):
            found = _match(conn, repo, scope, key, version, exact=index == 0)
            if found is not None:
                conn.execute(
                    update(CacheRow).where(CacheRow.c.id == found.id).values(last_used_at=now())
                )
                return CacheRecord(
                    repository,
                    found.scope,
                    found.key,
                    found.version,
                    found.path,
                    found.size,
                    found.created_at,
                    found.last_used_at,
                )
    return None


def _match(
    conn: Connection, repo: int, scope: str, key: str, version: str, *, exact: bool
) -> Row[Any] | None:
    base = select(CacheRow).where(
        CacheRow.c.repository_id == repo, CacheRow.c.scope == scope, CacheRow.c.version == version
    )
    if exact:
        row = conn.execute(base.where(CacheRow.c.key == key)).first()
        if row is not None:
            return row
    prefixed = base.where(CacheRow.c.key.startswith(key, autoescape=True))
    return conn.execute(prefixed.order_by(CacheRow.c.created_at.desc())).first()
