"""An environment's Redis (the "ElastiCache"): `redis-server` on PATH, its own port and dir."""

from __future__ import annotations

import shutil
import socket
from typing import Any

from . import processes
from .environments import Environment
from .errors import PlatformError

NAME = "redis"


def ensure_running(env: Environment) -> tuple[dict[str, Any], bool]:
    state = env.state()
    redis = state.get("redis") or {}
    if processes.running(env, NAME) and redis.get("port"):
        return redis, False
    binary = shutil.which("redis-server")
    if binary is None:
        raise PlatformError("redis-server is not on PATH (install Redis, e.g. apt redis-server)")
    port = redis.get("port")
    if port is None or not processes.port_free(port):
        port = processes.free_port()
    directory = env.sub("redis")
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    argv += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"]
    environment = processes.clean_environment(env.root)
    process = processes.start_detached(env, NAME, argv, environment, port=port)
    log = env.sub("logs") / f"{NAME}.log"
    processes.wait_ready("Redis", process, lambda: ping(port), 30, log)
    state = env.state()
    state["redis"] = {"port": port}
    env.save_state(state)
    return state["redis"], True


def ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def url(redis: dict[str, Any]) -> str:
    return f"redis://127.0.0.1:{redis['port']}/0"


def stop(env: Environment) -> bool:
    return processes.stop(env, NAME)
