"""An environment's long-lived PostgreSQL (the "RDS"): $DEPLOY_ROOT/<env>/postgres/data.

Initialised once (initdb with a random superuser password, scram over TCP, no unix socket: a
socket path under a deep DEPLOY_ROOT can exceed 107 bytes), started detached as the service
account, ready when postmaster.pid says "ready" for our port. Clients (psql, pg_dump,
pg_restore) run as the service account too and reach the server over 127.0.0.1.
"""

from __future__ import annotations

import secrets
import signal
import subprocess
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from . import processes
from .environments import Environment
from .errors import PlatformError
from .pginstall import Account, Install, can_traverse, find_install, reachable, service_account

NAME = "postgres"
USER = "carbon"
DATABASE = "carbon"
ATTEMPTS = 3
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "shared_buffers": "32MB",
    "max_connections": "60",
    "logging_collector": "off",
}


def install_of(env: Environment, state: dict[str, Any]) -> Install:
    """The install this cluster was made with (its data directory needs that major version)."""
    known = state.get("postgres", {}).get("install")
    if known:
        return _install_from(known)
    return reachable(find_install(), service_account(), env.root)


def ensure_running(env: Environment) -> tuple[dict[str, Any], bool]:
    """Initialise and start the cluster unless it runs; (its state, whether it was started)."""
    state = env.state()
    pg = state.get("postgres") or {}
    if processes.running(env, NAME) and pg.get("port"):
        return pg, False
    account = service_account()
    _check_reachable(env, account)
    install = install_of(env, state)
    pg = {"install": _install_json(install), "user": USER, "database": DATABASE, **pg}
    pg.setdefault("password", secrets.token_hex(16))
    data = _data_dir(env, account)
    if not (data / "PG_VERSION").exists():
        _initdb(install, account, data, pg["password"])
    pg["port"] = _start(env, install, account, data, pg.get("port"))
    state["postgres"] = pg
    env.save_state(state)
    _ensure_database(env, pg)
    return pg, True


def _install_from(known: dict[str, str]) -> Install:
    return Install(Path(known["bin_dir"]), known["version"], Path(known["share_dir"]))


def _install_json(install: Install) -> dict[str, str]:
    return {key: str(value) for key, value in asdict(install).items()}


def _check_reachable(env: Environment, account: Account) -> None:
    env.directory.mkdir(parents=True, exist_ok=True)
    env.directory.chmod(env.directory.stat().st_mode | 0o111)  # others may pass, not list
    if not can_traverse(account, env.directory):
        raise PlatformError(
            f"DEPLOY_ROOT {env.root} is out of reach of the PostgreSQL user {account.name!r}: "
            "every directory above it must be searchable by others (chmod o+x), or choose "
            "another DEPLOY_ROOT"
        )


def _data_dir(env: Environment, account: Account) -> Path:
    home = env.sub("postgres")
    home.chmod(0o700)
    account.give(home)
    return home / "data"


def _initdb(install: Install, account: Account, data: Path, password: str) -> None:
    password_file = data.parent / "initdb.pw"
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    account.give(password_file)
    argv = [install.tool("initdb"), "-D", str(data), "-U", USER, f"--pwfile={password_file}"]
    argv += ["-A", "scram-sha-256", "-E", "UTF8", "--no-locale", "-N"]
    try:
        _run_as(account, argv, "initdb")
    finally:
        password_file.unlink(missing_ok=True)


def _run_as(account: Account, argv: list[str], what: str) -> None:
    user = account.user()
    result = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        cwd="/",
        env=processes.clean_environment(None),
        user=user[0] if user else None,
        group=user[1] if user else None,
        extra_groups=[] if user else None,
    )
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise PlatformError(f"{what} failed: {lines[-1] if lines else result.returncode}")


def _start(
    env: Environment, install: Install, account: Account, data: Path, port: int | None
) -> int:
    for _ in range(ATTEMPTS):
        if port is None or not processes.port_free(port):
            port = processes.free_port()
        argv = [install.tool("postgres"), "-D", str(data), "-c", f"port={port}"]
        argv += [arg for name, value in SETTINGS.items() for arg in ("-c", f"{name}={value}")]
        environment = processes.clean_environment(env.root)
        process = processes.start_detached(
            env, NAME, argv, environment, cwd=data.parent, port=port, user=account.user()
        )
        log = env.sub("logs") / f"{NAME}.log"
        if _wait_started(process, _ready(data, port)):
            return port
        if process.alive():
            processes.stop(env, NAME, signal.SIGQUIT, leader_only=True)
            break
        port = None  # taken meanwhile: try another
    raise PlatformError(f"PostgreSQL did not start (log {log}): {processes.log_tail(log)}")


def _wait_started(process: processes.Tracked, ready: Callable[[], bool]) -> bool:
    return processes.wait_for(lambda: ready() or not process.alive(), 60, 0.1) and ready()


def _ready(data: Path, port: int) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            lines = (data / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[3] == str(port) and lines[7].strip() == "ready"

    return ready


def stop(env: Environment) -> bool:
    """Fast shutdown (SIGINT to the postmaster: ends sessions, checkpoints, exits)."""
    return processes.stop(env, NAME, signal.SIGINT, leader_only=True)


def url(pg: dict[str, Any], driver: str = "postgresql+psycopg") -> str:
    return f"{driver}://{pg['user']}:{pg['password']}@127.0.0.1:{pg['port']}/{pg['database']}"


def client(
    pg: dict[str, Any],
    tool: str,
    args: list[str],
    *,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
    database: str | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a client tool as the service account; PlatformError with its last line on failure."""
    install = _install_from(pg["install"])
    user = service_account().user()
    extra = {"PGHOST": "127.0.0.1", "PGPORT": str(pg["port"]), "PGUSER": pg["user"]}
    extra |= {"PGPASSWORD": pg["password"], "PGDATABASE": database or pg["database"]}
    result = subprocess.run(
        [install.tool(tool), *args],
        stdin=stdin,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd="/",
        env=processes.clean_environment(None, extra),
        user=user[0] if user else None,
        group=user[1] if user else None,
        extra_groups=[] if user else None,
    )
    if result.returncode != 0:
        lines = result.stderr.decode(errors="replace").strip().splitlines()
        raise PlatformError(f"{tool} failed: {lines[-1] if lines else result.returncode}")
    return result


def sql(pg: dict[str, Any], statement: str, database: str | None = None) -> str:
    args = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statement]
    return client(pg, "psql", args, database=database).stdout.decode().strip()


def _ensure_database(env: Environment, pg: dict[str, Any]) -> None:
    exists = sql(pg, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'", "postgres")
    if exists != "1":
        sql(pg, f'CREATE DATABASE "{DATABASE}"', "postgres")
