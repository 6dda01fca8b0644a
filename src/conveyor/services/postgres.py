"""The PostgreSQL provider: a throwaway cluster per service, copied from a cached template.

Start: copy the template → write pg_hba.conf → start `postgres` as the service account,
listening on the loopback addresses and on a unix socket in its private directory → wait until
postmaster.pid says "ready" → set the superuser's password over that socket → run the
`--health-cmd`, if any. Stop: SIGQUIT (immediate shutdown), then the directory is removed.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.services import ServiceRequest
from conveyor.model.services import ServiceSpec
from conveyor.services.handle import LocalServiceHandle
from conveyor.services.health import wait_healthy
from conveyor.services.host_ports import loopback_addresses
from conveyor.services.launch import Launch, PortTaken
from conveyor.services.postgres_config import (
    OFFICIAL,
    PostgresCredentials,
    address_arguments,
    credentials_from_env,
    hba_conf,
    password_sql,
    tuning_arguments,
)
from conveyor.services.postgres_install import (
    PostgresInstall,
    choose_install,
    find_installs,
    major_from_image,
    reachable_install,
)
from conveyor.services.postgres_template import SERVICE_ENV, copy_data_dir, ensure_template
from conveyor.services.runtime import ServiceRuntime
from conveyor.services.spec import PreparedSpec, prepare

PORT = 5432
PORT_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class PostgresOptions:
    """A registry rule's options for this provider (see docs/services.md)."""

    flavour: str = OFFICIAL
    extensions: tuple[str, ...] = ()  # required extensions, e.g. ("vector",)
    version: int | None = None  # preferred major version; default: from the image tag
    bin_dirs: tuple[str, ...] = ()  # extra places to look for PostgreSQL binaries
    settings: Mapping[str, str] = field(default_factory=dict)  # extra server settings


@dataclass(frozen=True, slots=True)
class _Server:
    install: PostgresInstall
    credentials: PostgresCredentials
    prepared: PreparedSpec
    data: Path
    arguments: tuple[str, ...]  # from `command:`


class PostgresProvider:
    def __init__(self, runtime: ServiceRuntime, options: PostgresOptions | None = None) -> None:
        self.runtime = runtime
        self.options = options or PostgresOptions()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "postgres"

    def start(
        self, spec: ServiceSpec, request: ServiceRequest, cancel: CancelSignal
    ) -> LocalServiceHandle:
        prepared = prepare(spec, (PORT,))
        credentials = credentials_from_env(prepared.env, self.options.flavour)
        install, notes = self._install_for(spec.image)
        arguments, command_notes = command_arguments(spec.command)
        template = ensure_template(self.runtime, install, credentials)
        with Launch(self.runtime, spec, request, "postgres", signal.SIGQUIT) as launch:
            data = launch.run_dir / "data"
            server = _Server(install, credentials, prepared, data, arguments)
            copy_data_dir(template, server.data, self.runtime.reaper)
            self._write_hba(server)
            port = self._serve(launch, server, cancel)
            if credentials.password:
                self._set_password(launch, server, port)
            self._check_health(launch, server, port, cancel)
            notes += command_notes
            warnings = [*prepared.warnings, *(f"service {spec.id}: {n}" for n in notes)]
            return launch.handle(
                host="127.0.0.1",
                ports={str(PORT): port},
                env=prepared.env,
                warnings=warnings,
            )

    def _install_for(self, image: str) -> tuple[PostgresInstall, list[str]]:
        with self._lock:
            installs = find_installs(self.options.bin_dirs)
        wanted = self.options.version or major_from_image(image)
        install, notes = choose_install(installs, wanted, self.options.extensions)
        return reachable_install(install, self.runtime.account), notes

    def _write_hba(self, server: _Server) -> None:
        path = server.data / "pg_hba.conf"
        path.write_text(hba_conf(server.credentials))
        self.runtime.account.give(path)

    def _serve(self, launch: Launch, server: _Server, cancel: CancelSignal) -> int:
        """Start the postmaster on the requested port, or a fresh one if that gets taken."""
        requested = server.prepared.requested_host_port(PORT)
        for _ in range(PORT_ATTEMPTS):
            port = launch.reserve(requested)
            launch.spawn(self._argv(launch, server, port), SERVICE_ENV)
            try:
                launch.wait_until(
                    _readiness(server.data, launch.run_dir, port),
                    "PostgreSQL",
                    cancel,
                    self.runtime.settings.startup_timeout,
                )
            except PortTaken:
                launch.release(port)
                requested = None
                continue
            _register_shared_memory(launch, server.data)
            return port
        raise launch.error("could not bind a TCP port")

    def _argv(self, launch: Launch, server: _Server, port: int) -> list[str]:
        argv = [server.install.tool("postgres"), "-D", str(server.data)]
        argv += tuning_arguments(server.install.major, server.credentials, self.options.settings)
        argv += server.arguments
        return argv + address_arguments(port, str(launch.run_dir), loopback_addresses())

    def _set_password(self, launch: Launch, server: _Server, port: int) -> None:
        psql = [server.install.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        psql += ["-h", str(launch.run_dir), "-p", str(port)]
        psql += ["-U", server.credentials.user, "-d", "postgres"]
        result = subprocess.run(
            psql,
            input=password_sql(server.credentials),
            capture_output=True,
            text=True,
            env=SERVICE_ENV,
            check=False,
        )
        if result.returncode != 0:
            raise launch.error(f"setting the password failed: {result.stderr.strip()}")

    def _check_health(
        self, launch: Launch, server: _Server, port: int, cancel: CancelSignal
    ) -> None:
        check = server.prepared.options.health
        if check is None:
            return
        env = health_environment(server, str(launch.run_dir), port)
        outcome = wait_healthy(check, env, cancel)
        if not outcome.healthy:
            last = outcome.last.describe() if outcome.last else "never ran"
            output = outcome.last.output if outcome.last else ""
            raise launch.error(
                f"unhealthy: health command {check.command!r} {last} after {outcome.probes} "
                f"tries{': ' + output if output else ''}"
            )


def health_environment(server: _Server, socket_dir: str, port: int) -> dict[str, str]:
    """The host's environment, the service's, and libpq's variables pointing at the service.

    PGHOST is the private socket directory, as `pg_isready`/`psql` inside the container would
    use the local socket; PGPASSWORD lets an explicit `-h localhost` in the command work too.
    """
    env = dict(os.environ)
    env.update(server.prepared.env)
    env.update(
        {
            "PATH": f"{server.install.bin_dir}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
            "PGHOST": socket_dir,
            "PGPORT": str(port),
            "PGUSER": server.credentials.user,
            "PGDATABASE": server.credentials.database,
            "PGPASSWORD": server.credentials.password,
        }
    )
    return env


def command_arguments(command: str | None) -> tuple[tuple[str, ...], list[str]]:
    """`command: postgres -c max_connections=200` → the server arguments after `postgres`."""
    try:
        words = shlex.split(command or "")
    except ValueError as exc:
        return (), [f"command ignored: {exc}"]
    if words and words[0] == "postgres":
        words = words[1:]
    if words and not words[0].startswith("-"):
        return (), [f"command {command!r} ignored: only postgres server arguments are honoured"]
    return tuple(words), []


def _register_shared_memory(launch: Launch, data: Path) -> None:
    """postmaster.pid line 7 holds "key shmid" of its System V segment: a SIGKILL leaves it."""
    try:
        words = (data / "postmaster.pid").read_text().splitlines()[6].split()
    except (OSError, IndexError):
        return
    if len(words) == 2 and words[1].isdigit() and launch.process is not None:
        launch.process.owns_shared_memory(int(words[1]))


def _readiness(data: Path, socket_dir: Path, port: int) -> Callable[[], bool]:
    """True once the postmaster wrote "ready" into postmaster.pid and its socket exists."""
    pid_file = data / "postmaster.pid"
    socket_file = socket_dir / f".s.PGSQL.{port}"

    def ready() -> bool:
        try:
            lines = pid_file.read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready" and socket_file.exists()

    return ready
