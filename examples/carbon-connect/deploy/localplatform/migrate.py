"""Migrations: `alembic upgrade head` with the image's virtualenv, in the image's backend/."""

from __future__ import annotations

import subprocess
from typing import Any

from . import images, postgres, processes
from .environments import Environment
from .errors import PlatformError
from .services import require_up


def migrate(env: Environment, tag: str) -> dict[str, Any]:
    app_env = require_up(env) | {"APP_VERSION": tag}
    image = images.require(tag)
    pg = env.state()["postgres"]
    before = revision(pg)
    log = env.sub("logs") / "migrate.log"
    argv = [images.python(tag), "-m", "alembic", "upgrade", "head"]
    with open(log, "ab") as out:
        out.write(f"$ alembic upgrade head ({tag})\n".encode())
        out.flush()
        result = subprocess.run(
            argv,
            cwd=image / "backend",
            env=processes.clean_environment(None, app_env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if result.returncode != 0:
        raise PlatformError(f"alembic upgrade head failed (log {log}): {processes.log_tail(log)}")
    after = revision(pg)
    return {"tag": tag, "from": before, "to": after, "migrated": before != after}


def revision(pg: dict[str, Any]) -> str | None:
    """The database's Alembic revision(s), or None before the first migration."""
    if postgres.sql(pg, "SELECT to_regclass('public.alembic_version') IS NOT NULL") != "t":
        return None
    rows = postgres.sql(pg, "SELECT version_num FROM alembic_version ORDER BY 1")
    return ",".join(rows.split()) or None
