"""The Redis/Valkey provider: `redis-server` (or `valkey-server`) from PATH, no persistence.

The server runs as the service account with its files in a private directory, listening on
the loopback addresses at the mapped host port. Ready when it answers PING (a NOAUTH error
counts: it is up and asking for the password).
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.services import ServiceRequest
from conveyor.errors import InfrastructureError
from conveyor.model.services import ServiceSpec
from conveyor.services.handle import LocalServiceHandle
from conveyor.services.health import wait_healthy
from conveyor.services.host_ports import loopback_addresses
from conveyor.services.launch import Launch, PortTaken
from conveyor.services.redis_config import (
    NO_PERSISTENCE,
    OFFICIAL,
    PORT,
    RedisConfig,
    config_file_text,
    config_from_spec,
    listen_arguments,
)
from conveyor.services.runtime import ServiceRuntime
from conveyor.services.spec import PreparedSpec, prepare

PORT_ATTEMPTS = 3
SERVICE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
CLIENTS = ("redis-cli", "valkey-cli")


@dataclass(frozen=True, slots=True)
class RedisOptions:
    """A registry rule's options for this provider (see docs/services.md)."""

    flavour: str = OFFICIAL
    server: str = "redis-server"  # or "valkey-server", or a path
    env_prefix: str = "REDIS"  # bitnami/valkey reads VALKEY_*


class RedisProvider:
    def __init__(self, runtime: ServiceRuntime, options: RedisOptions | None = None) -> None:
        self.runtime = runtime
        self.options = options or RedisOptions()

    @property
    def name(self) -> str:
        return "redis"

    def start(
        self, spec: ServiceSpec, request: ServiceRequest, cancel: CancelSignal
    ) -> LocalServiceHandle:
        flavour, prefix = self.options.flavour, self.options.env_prefix
        prepared = prepare(spec, (PORT,))
        config = config_from_spec(prepared.env, spec.command, flavour, prefix)
        if config.container_port != PORT:  # bitnami's *_PORT_NUMBER
            prepared = prepare(spec, (config.container_port,))
        server, server_notes = find_server(self.options.server)
        with Launch(self.runtime, spec, request, "redis") as launch:
            config_path = self._write_config(launch, config)
            port = self._serve(launch, prepared, config, [server, *config_path], cancel)
            self._check_health(launch, prepared, config, port, cancel)
            notes = [*config.notes, *server_notes]
            return launch.handle(
                host="127.0.0.1",
                ports={str(config.container_port): port},
                env=prepared.env,
                warnings=[*prepared.warnings, *(f"service {spec.id}: {n}" for n in notes)],
            )

    def _write_config(self, launch: Launch, config: RedisConfig) -> list[str]:
        text = config_file_text(config.password if self.options.flavour != OFFICIAL else "")
        if not text:
            return []
        path = launch.run_dir / "redis.conf"
        path.write_text(text)
        path.chmod(0o600)
        self.runtime.account.give(path)
        return [str(path)]

    def _serve(
        self,
        launch: Launch,
        prepared: PreparedSpec,
        config: RedisConfig,
        head: list[str],
        cancel: CancelSignal,
    ) -> int:
        requested = prepared.requested_host_port(config.container_port)
        for _ in range(PORT_ATTEMPTS):
            port = launch.reserve(requested)
            where = listen_arguments(port, loopback_addresses(), str(launch.run_dir))
            launch.spawn([*head, *NO_PERSISTENCE, *config.arguments, *where], SERVICE_ENV)
            try:
                timeout = self.runtime.settings.startup_timeout
                launch.wait_until(_answers_ping(port), "the Redis server", cancel, timeout)
            except PortTaken:
                launch.release(port)
                requested = None
                continue
            return port
        raise launch.error("could not bind a TCP port")

    def _check_health(
        self,
        launch: Launch,
        prepared: PreparedSpec,
        config: RedisConfig,
        port: int,
        cancel: CancelSignal,
    ) -> None:
        check = prepared.options.health
        if check is None:
            return
        env = health_environment(launch.run_dir, prepared, config.password, port)
        outcome = wait_healthy(check, env, cancel)
        if not outcome.healthy:
            last = outcome.last.describe() if outcome.last else "never ran"
            output = outcome.last.output if outcome.last else ""
            raise launch.error(
                f"unhealthy: health command {check.command!r} {last} after {outcome.probes} "
                f"tries{': ' + output if output else ''}"
            )


def find_server(wanted: str) -> tuple[str, list[str]]:
    """The server binary: the wanted one, else the other of redis-server/valkey-server."""
    if os.sep in wanted:
        return wanted, []
    found = shutil.which(wanted)
    if found:
        return found, []
    for other in ("valkey-server", "redis-server"):
        path = shutil.which(other)
        if path and other != wanted:
            return path, [f"{wanted} is not installed; using {other}"]
    raise InfrastructureError(
        f"{wanted} is not installed (nor its sibling); install it, e.g. "
        "`apt-get install redis-server` (scripts/install-test-deps.sh does)"
    )


def health_environment(
    run_dir: Path, prepared: PreparedSpec, password: str, port: int
) -> dict[str, str]:
    """`redis-cli`/`valkey-cli` on PATH already pointing at the service; REDISCLI_AUTH set."""
    shims = run_dir / "bin"
    shims.mkdir(exist_ok=True)
    for name in CLIENTS:
        real = shutil.which(name) or shutil.which(CLIENTS[0]) or shutil.which(CLIENTS[1])
        if real:
            _write_shim(shims / name, f'exec "{real}" -h 127.0.0.1 -p {port} "$@"\n')
    env = dict(os.environ)
    env.update(prepared.env)
    env["PATH"] = f"{shims}{os.pathsep}{os.environ.get('PATH', os.defpath)}"
    if password:
        env["REDISCLI_AUTH"] = password
    return env


def _write_shim(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(stat.S_IRWXU)


def _answers_ping(port: int) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1) as connection:
                connection.sendall(b"PING\r\n")
                reply = connection.recv(64)
        except OSError:
            return False
        return bool(reply) and not reply.startswith((b"-LOADING", b"-BUSY"))

    return ready
