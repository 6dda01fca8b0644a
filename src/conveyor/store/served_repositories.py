"""The repositories `conveyor serve` serves: owner/name, where to fetch them from, the webhook
secret (encrypted at rest with the secrets key, `secret_box.py`) and the default branch."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select

from conveyor.errors import UsageError
from conveyor.store.database import Database
from conveyor.store.handle import StoreHandle
from conveyor.store.models import ServedRepositoryRow
from conveyor.store.rows import now
from conveyor.store.secret_box import KEY_FILE, SecretBox

Row = ServedRepositoryRow
_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_FIND = select(Row).where(Row.c.name == bindparam("name"))  # built once: a delivery reads it


def check_name(name: str) -> str:
    """`name` when it is OWNER/REPO (no `.` or `..` part: it names directories); else a
    UsageError."""
    if not _NAME.match(name) or any(part in (".", "..") for part in name.split("/")):
        raise UsageError(f"{name!r} is not a repository name (OWNER/REPO)")
    return name


@dataclass(frozen=True, slots=True)
class ServedRepository:
    name: str  # owner/repo
    url: str  # clone URL or path
    default_branch: str
    has_secret: bool
    created_at: float
    forge: str | None = None  # "github": reported to GitHub, cloned with its App's token


class ServedRepositories:
    """Add, list, find and remove served repositories; the webhook secret only by `secret()`."""

    def __init__(self, database: Database, box: SecretBox) -> None:
        self._database = database
        self._box = box

    def add(self, repository: ServedRepository, secret: str | None) -> ServedRepository:
        check_name(repository.name)
        cipher = self._box.encrypt(secret, create=True) if secret else None
        values = {
            "name": repository.name,
            "url": repository.url,
            "webhook_secret": cipher,
            "default_branch": repository.default_branch,
            "created_at": now(),
            "forge": repository.forge,
        }

        def work(conn: Connection) -> None:
            if _find(conn, repository.name) is not None:
                raise UsageError(f"repository {repository.name} is already registered")
            conn.execute(insert(Row).values(**values))

        self._database.run_write(work)
        found = self.get(repository.name)
        assert found is not None
        return found

    def get(self, name: str) -> ServedRepository | None:
        return self._database.run_read(lambda conn: find_repository(conn, name))

    def list(self) -> list[ServedRepository]:
        rows = self._database.run_read(
            lambda conn: conn.execute(select(Row).order_by(Row.c.name)).all()
        )
        return [_record(row) for row in rows]

    def remove(self, name: str) -> bool:
        result = self._database.run_write(
            lambda conn: conn.execute(delete(Row).where(Row.c.name == name))
        )
        return bool(result.rowcount)

    def secret(self, name: str) -> str | None:
        """The repository's webhook secret, decrypted (None: none registered)."""
        found = self.with_secret(name)
        return None if found is None else found[1]

    def with_secret(self, name: str) -> tuple[ServedRepository, str | None] | None:
        """The repository and its webhook secret, decrypted, in one read (None: unknown)."""
        row = self._database.run_read(lambda conn: _find(conn, name))
        if row is None:
            return None
        if row.webhook_secret is None:
            return _record(row), None
        return _record(row), self._box.decrypt(row.webhook_secret, f"the webhook secret of {name}")


def find_repository(conn: Connection, name: str) -> ServedRepository | None:
    """The served repository `name`, read on `conn` (with other reads of one transaction)."""
    row = _find(conn, name)
    return None if row is None else _record(row)


def _find(conn: Connection, name: str) -> Any:
    return conn.execute(_FIND, {"name": name}).first()


def _record(row: Any) -> ServedRepository:
    return ServedRepository(
        name=row.name,
        url=row.url,
        default_branch=row.default_branch,
        has_secret=row.webhook_secret is not None,
        created_at=row.created_at,
        forge=row.forge,
    )


def served_repositories(store: StoreHandle) -> ServedRepositories:
    """The served repositories of an SQL store (`conveyor serve` opens it with `open_store`)."""
    assert isinstance(store.database, Database), "conveyor serve opens the store with open_store"
    return ServedRepositories(store.database, SecretBox(store.home / KEY_FILE))
