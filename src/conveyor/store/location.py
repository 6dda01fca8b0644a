"""Where the store lives (no database driver imported here, so quick commands stay quick).

The readers of the store's variables (`conveyor_home`, `database_settings`) are bootstrap's
(`load_settings` hands them its environment once); the store's openers are handed the values,
and read the environment only as their default for callers outside bootstrap (tests, `conveyor
daemon`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.errors import UsageError

DEFAULT_TIMEOUT = 10.0
DATABASE_FILE = "conveyor.db"


def conveyor_home(environ: Mapping[str, str] | None = None) -> Path:
    """CONVEYOR_HOME, else $XDG_DATA_HOME/conveyor, else ~/.local/share/conveyor (`environ`:
    os.environ), created (0700) if missing; a UsageError when it is not a directory or cannot
    be created."""
    return usable_home(data_home(os.environ if environ is None else environ))


def explicit_home(environ: Mapping[str, str]) -> Path | None:
    """CONVEYOR_HOME when it is set (not created)."""
    explicit = environ.get("CONVEYOR_HOME")
    return Path(explicit) if explicit else None


def data_home(environ: Mapping[str, str]) -> Path:
    """Where CONVEYOR_HOME is (not created): the one rule (cli/daemon/wire.py keeps a copy that
    a test holds equal, so the thin client imports nothing)."""
    if explicit := explicit_home(environ):
        return explicit
    data = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "conveyor"


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


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """Which database the store is, and how long it waits for a lock."""

    # CONVEYOR_DATABASE_URL as set ('' when the SQLite file under the home is); it may hold a
    # password: never in the repr (a logged Settings value)
    url: str = field(default="", repr=False)
    timeout: float = DEFAULT_TIMEOUT  # CONVEYOR_DATABASE_TIMEOUT: seconds to wait for a lock

    def url_for(self, home: Path) -> str:
        """The SQLAlchemy URL (postgresql://… is read as psycopg 3), else SQLite under `home`."""
        if not self.url:
            return f"sqlite:///{home / DATABASE_FILE}"
        for prefix in ("postgresql://", "postgres://"):
            if self.url.startswith(prefix):
                return "postgresql+psycopg://" + self.url[len(prefix) :]
        return self.url


def database_settings(environ: Mapping[str, str] | None = None) -> DatabaseSettings:
    """CONVEYOR_DATABASE_URL and CONVEYOR_DATABASE_TIMEOUT (`environ`: os.environ); a timeout
    that is not a number is a UsageError naming the variable."""
    env = os.environ if environ is None else environ
    return DatabaseSettings(
        url=env.get("CONVEYOR_DATABASE_URL", "").strip(),
        timeout=_seconds(env.get("CONVEYOR_DATABASE_TIMEOUT", "")),
    )


def _seconds(raw: str) -> float:
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError as exc:
        raise UsageError(
            f"CONVEYOR_DATABASE_TIMEOUT must be a number of seconds, not {raw!r}"
        ) from exc


def database_url(home: Path, database: DatabaseSettings | None = None) -> str:
    """The store's SQLAlchemy URL: `database`'s (default: this process's variables)."""
    return (database or database_settings()).url_for(home)
