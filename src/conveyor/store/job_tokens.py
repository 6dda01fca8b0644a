"""`SqlJobTokens`: the local forge's job tokens (a job's `GITHUB_TOKEN` when the server runs it
for a hosted repository), kept as the SHA-256 of the token like the API tokens (`api_tokens.py`).

A token is `cvyj_` and 32 random bytes (URL-safe base64); it carries its repository, its job and
its permissions (scope -> read|write|none), and is valid until revoked (when the job ends) or
until it expires (a bound for a job whose end was never seen: a killed server).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from conveyor.engine.ports.forge import JobToken
from conveyor.store.api_tokens import token_hash
from conveyor.store.database import Database
from conveyor.store.models import JobTokenRow
from conveyor.store.rows import now

PREFIX = "cvyj_"
Row = JobTokenRow


@dataclass(frozen=True, slots=True)
class JobTokenRecord:
    """A live job token's repository, job and permissions; never the token."""

    repository: str
    job: str
    permissions: Mapping[str, str]
    expires_at: float


class SqlJobTokens:
    def __init__(self, database: Database) -> None:
        self.database = database

    def mint(
        self, repository: str, job: str, permissions: Mapping[str, str], *, lifetime: float
    ) -> JobToken:
        """A new token for `job`, valid `lifetime` seconds at most (the token, once)."""
        value = PREFIX + secrets.token_urlsafe(32)
        created = now()
        values = {
            "token_hash": token_hash(value),
            "repository": repository,
            "job": job[:255],
            "permissions": json.dumps(dict(permissions), sort_keys=True),
            "created_at": created,
            "expires_at": created + lifetime,
        }
        self.database.run_write(lambda conn: conn.execute(insert(Row).values(**values)))
        expires = datetime.fromtimestamp(created + lifetime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return JobToken(value, dict(permissions), expires)

    def revoke(self, value: str) -> bool:
        """End the token now; whether it was live."""
        return self.database.run_write(lambda conn: _revoke(conn, token_hash(value)))

    def verify(self, value: str) -> JobTokenRecord | None:
        """The record of a live (unrevoked, unexpired) job token, else None."""
        if not value.startswith(PREFIX):
            return None
        digest = token_hash(value)
        return self.database.run_read(lambda conn: _find(conn, digest))


def _revoke(conn: Connection, digest: str) -> bool:
    live = (Row.c.token_hash == digest, Row.c.revoked_at.is_(None))
    return bool(conn.execute(update(Row).where(*live).values(revoked_at=now())).rowcount)


def _find(conn: Connection, digest: str) -> JobTokenRecord | None:
    live = (Row.c.token_hash == digest, Row.c.revoked_at.is_(None), Row.c.expires_at > now())
    row = conn.execute(select(Row).where(*live)).first()
    if row is None:
        return None
    permissions = json.loads(row.permissions)
    return JobTokenRecord(row.repository, row.job, permissions, row.expires_at)
