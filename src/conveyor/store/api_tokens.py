"""`SqlTokenStore`: the API tokens of `conveyor serve`, kept as the SHA-256 of the token.

A token is 32 random bytes (URL-safe base64 behind a `cvy_` prefix), shown once by `create`.
`verify` looks a token up by its hash, so no stored secret is ever compared byte by byte with
what a client sent (the comparison a timing attack needs never happens in Python).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from conveyor.errors import UsageError
from conveyor.store.database import Database
from conveyor.store.models import ApiTokenRow
from conveyor.store.rows import now

ROLES = ("read", "write", "admin", "worker")
PREFIX = "cvy_"
USE_RESOLUTION = 60.0  # seconds: `last_used_at` is written at most once a minute
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A token's name, role and dates; never the token or its hash."""

    name: str
    role: str
    created_at: float
    last_used_at: float | None = None
    revoked_at: float | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def check_token_input(name: str, role: str) -> None:
    if not NAME.match(name):
        raise UsageError(f"invalid token name {name!r}: 1-100 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: one of {', '.join(ROLES)}")


class SqlTokenStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def create(self, name: str, role: str) -> str:
        """A new token named `name` (unique, revoked ones included); the token, once."""
        check_token_input(name, role)
        token = PREFIX + secrets.token_urlsafe(32)
        self.database.run_write(lambda conn: _insert(conn, name, role, token_hash(token)))
        return token

    def list(self) -> list[TokenRecord]:
        return self.database.run_read(_list)

    def revoke(self, name: str) -> bool:
        return self.database.run_write(lambda conn: _revoke(conn, name))

    def verify(self, token: str) -> TokenRecord | None:
        """The record of an unrevoked token (its last use noted), else None."""
        if not token.startswith(PREFIX):
            return None
        digest = token_hash(token)
        found = self.database.run_read(lambda conn: _find(conn, digest))
        if found is None or (found.last_used_at or 0) > now() - USE_RESOLUTION:
            return found
        return self.database.run_write(lambda conn: _use(conn, digest))


def _record(row: object) -> TokenRecord:
    values = row._mapping  # type: ignore[attr-defined]
    return TokenRecord(
        values["name"],
        values["role"],
        values["created_at"],
        values["last_used_at"],
        values["revoked_at"],
    )


def _insert(conn: Connection, name: str, role: str, digest: str) -> None:
    taken = conn.execute(select(ApiTokenRow.c.id).where(ApiTokenRow.c.name == name)).first()
    if taken is not None:
        raise UsageError(f"a token named {name!r} already exists (revoked ones keep their name)")
    values = {"name": name, "role": role, "token_hash": digest, "created_at": now()}
    conn.execute(insert(ApiTokenRow).values(**values))


def _list(conn: Connection) -> list[TokenRecord]:
    return [_record(row) for row in conn.execute(select(ApiTokenRow).order_by(ApiTokenRow.c.id))]


def _revoke(conn: Connection, name: str) -> bool:
    result = conn.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.c.name == name, ApiTokenRow.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    return bool(result.rowcount)


def _find(conn: Connection, digest: str) -> TokenRecord | None:
    live = (ApiTokenRow.c.token_hash == digest, ApiTokenRow.c.revoked_at.is_(None))
    row = conn.execute(select(ApiTokenRow).where(*live)).first()
    return None if row is None else _record(row)


def _use(conn: Connection, digest: str) -> TokenRecord | None:
    live = (ApiTokenRow.c.token_hash == digest, ApiTokenRow.c.revoked_at.is_(None))
    row = conn.execute(select(ApiTokenRow).where(*live)).first()
    if row is None:
        return None
    used = row.last_used_at
    if used is None or now() - used > USE_RESOLUTION:
        used = now()
        conn.execute(update(ApiTokenRow).where(*live).values(last_used_at=used))
    return TokenRecord(row.name, row.role, row.created_at, used, None)
