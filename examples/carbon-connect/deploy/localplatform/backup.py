"""Backups (the "RDS snapshot"): pg_dump -Fc into $DEPLOY_ROOT/<env>/backups/<id>.dump.

Restore replaces the database: it drops it (ending its sessions), creates it empty and
pg_restores the dump — objects made after the backup (a migration's tables) are gone too.
"""

from __future__ import annotations

import time
from pathlib import Path

from . import postgres
from .environments import Environment
from .errors import PlatformError
from .services import require_up


def _pg(env: Environment) -> dict[str, object]:
    require_up(env)
    return env.state()["postgres"]  # type: ignore[no-any-return]


def create(env: Environment) -> tuple[str, Path]:
    pg = _pg(env)
    backup_id = (
        f"{env.name}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{time.time_ns() % 10**6:06d}"
    )
    path = env.sub("backups") / f"{backup_id}.dump"
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as out:
        postgres.client(pg, "pg_dump", ["-Fc", "--no-owner"], stdout=out)
    partial.rename(path)
    return backup_id, path


def restore(env: Environment, backup_id: str) -> Path:
    path = env.directory / "backups" / f"{backup_id}.dump"
    if not path.is_file():
        raise PlatformError(f"no backup {backup_id!r} in {path.parent}", usage=True)
    pg = _pg(env)
    database = pg["database"]
    postgres.sql(pg, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', "postgres")
    postgres.sql(pg, f'CREATE DATABASE "{database}"', "postgres")
    with open(path, "rb") as dump:
        postgres.client(
            pg, "pg_restore", ["--no-owner", "--exit-on-error", "-d", str(database)], stdin=dump
        )
    return path
