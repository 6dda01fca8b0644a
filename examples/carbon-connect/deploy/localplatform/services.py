"""What the application needs from an environment: its services running, and their URLs."""

from __future__ import annotations

from . import postgres, processes, redis
from .environments import Environment
from .errors import PlatformError


def require_up(env: Environment) -> dict[str, str]:
    """The application's environment variables; an error when PostgreSQL or Redis is down."""
    state = env.state()
    for name in (postgres.NAME, redis.NAME):
        if processes.running(env, name) is None or name not in state:
            raise PlatformError(
                f"{name} of {env.name} is not running (start it: platform.py up --env {env.name})"
            )
    return {
        "DATABASE_URL": postgres.url(state["postgres"]),
        "REDIS_URL": redis.url(state["redis"]),
        "DEPLOY_ENVIRONMENT": env.name,
    }
