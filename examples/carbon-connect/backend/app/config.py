"""Settings read from the environment (twelve-factor style)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "postgresql+psycopg://carbon:carbon@localhost:5432/carbon"
DEFAULT_REDIS_URL = "redis://localhost:6379/0"


@dataclass(frozen=True)
class Settings:
    """What the API, the migrations and the worker need to know."""

    database_url: str
    redis_url: str
    app_version: str


def load_settings() -> Settings:
    """The settings of this process, from DATABASE_URL, REDIS_URL and APP_VERSION."""
    return Settings(
        database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        redis_url=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
        app_version=os.environ.get("APP_VERSION", "dev"),
    )
