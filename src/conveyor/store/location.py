"""Where the store lives (no database driver imported here, so quick commands stay quick)."""

from __future__ import annotations

import os
from pathlib import Path

from conveyor.errors import UsageError

DEFAULT_TIMEOUT = 10.0
DATABASE_FILE = "conveyor.db"


def conveyor_home() -> Path:
    """CONVEYOR_HOME, else $XDG_DATA_HOME/conveyor, else ~/.local/share/conveyor, created (0700)
    if missing; a UsageError when it is not a directory or cannot be created."""
    explicit = os.environ.get("CONVEYOR_HOME")
    if explicit:
        return usable_home(Path(explicit))
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return usable_home(Path(data) / "conveyor")


def usable_home(home: Path) -> Path:
    existing = next((path for path in (home, *home.parents) if path.exists()), None)
    if existing is None or existing.is_dir():
        return _created(home)
    if existing == home:
        raise UsageError(f"CONVEYOR_HOME is {home}, which is not a directory")
    raise UsageError(f"CONVEYOR_HOME is {home}, but {existing} is not a directory")


def _created(home: Path) -> Path:
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"CONVEYOR_HOME is {home}, which cannot be created: {reason}") from None
    return home


def configured_url() -> str:
    """CONVEYOR_DATABASE_URL as set ('' when the default SQLite file is the store)."""
    return os.environ.get("CONVEYOR_DATABASE_URL", "").strip()


def database_url(home: Path) -> str:
    """CONVEYOR_DATABASE_URL (postgresql://… is read as psycopg 3), else SQLite under `home`."""
    url = configured_url()
    if not url:
        return f"sqlite:///{home / DATABASE_FILE}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def lock_timeout() -> float:
    """CONVEYOR_DATABASE_TIMEOUT: seconds to wait for a database another process has locked."""
    raw = os.environ.get("CONVEYOR_DATABASE_TIMEOUT", "")
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError as exc:
        raise UsageError(
            f"CONVEYOR_DATABASE_TIMEOUT must be a number of seconds, not {raw!r}"
        ) from exc
