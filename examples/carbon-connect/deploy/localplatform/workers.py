"""The Celery worker and beat of an environment, from an image (`app.worker:celery_app`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import images, processes
from .environments import Environment
from .errors import PlatformError
from .services import require_up

READY_TIMEOUT = 60
WORKER_READY = "ready."
BEAT_READY = "beat: Starting"


def deploy(env: Environment, tag: str) -> dict[str, Any]:
    app_env = require_up(env) | {"APP_VERSION": tag}
    image = images.require(tag)
    environment = processes.clean_environment(env.root, app_env)
    celery = [images.python(tag), "-m", "celery", "-A", "app.worker"]
    run = env.sub("run")
    commands = {
        "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "1"],
        "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", str(run / "beat-schedule")],
    }
    started = {}
    for name, argv in commands.items():
        processes.stop(env, name)
        log = env.sub("logs") / f"{name}.log"
        offset = log.stat().st_size if log.exists() else 0
        process = processes.start_detached(
            env, name, argv, environment, cwd=image / "backend", tag=tag
        )
        ready = _logged(log, offset, WORKER_READY if name == "worker" else BEAT_READY)
        try:
            processes.wait_ready(f"Celery {name} ({tag})", process, ready, READY_TIMEOUT, log)
        except PlatformError:
            processes.stop(env, name)
            raise
        started[name] = {"pid": process.pid, "tag": tag}
    return started


def _logged(log: Path, offset: int, marker: str) -> Callable[[], bool]:
    """True once `marker` appears in the log after `offset` (where this start began)."""
    return lambda: marker in _since(log, offset)


def _since(log: Path, offset: int) -> str:
    with open(log, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


def running_tag(env: Environment) -> str | None:
    """The tag the worker runs, or None when it does not run."""
    found = processes.running(env, "worker")
    return found.tag if found else None


def stop(env: Environment) -> list[str]:
    return [name for name in ("worker", "beat") if processes.stop(env, name)]
