"""How a PostgreSQL image reads its environment, and the server settings of a throwaway cluster.

The official image (and pgvector/pgvector, timescale... built on it): `POSTGRES_USER` (default
postgres) is the bootstrap superuser, `POSTGRES_PASSWORD` its password (required unless
`POSTGRES_HOST_AUTH_METHOD=trust`), `POSTGRES_DB` (default: the user name) is created,
`POSTGRES_INITDB_ARGS` is appended to initdb's arguments, and TCP connections from outside the
container must authenticate with `POSTGRES_HOST_AUTH_METHOD` (default scram-sha-256). Here every
client comes over the loopback interface, so all TCP connections must authenticate.

Bitnami's image reads `POSTGRESQL_USERNAME`/`POSTGRESQL_PASSWORD`/`POSTGRESQL_DATABASE` and
allows an empty password with `ALLOW_EMPTY_PASSWORD=yes`.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.errors import InfrastructureError

OFFICIAL = "official"
BITNAMI = "bitnami"
FLAVOURS = (OFFICIAL, BITNAMI)

# Throwaway-cluster settings: nothing is worth a disk flush, little memory, no background work.
THROWAWAY_SETTINGS: Mapping[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "16MB",
    "max_connections": "100",
    "autovacuum": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_logical_replication_workers": "0",  # no replication launcher process
    "dynamic_shared_memory_type": "mmap",  # segments in the data directory, gone with it
    "jit": "off",
    "logging_collector": "off",
    "log_destination": "stderr",
}


@dataclass(frozen=True, slots=True)
class PostgresCredentials:
    user: str
    password: str
    database: str
    host_auth_method: str
    initdb_args: tuple[str, ...] = ()


def credentials_from_env(env: Mapping[str, str], flavour: str = OFFICIAL) -> PostgresCredentials:
    """Read the image's documented variables; InfrastructureError where the image would exit."""
    if flavour == BITNAMI:
        return _bitnami(env)
    user = env.get("POSTGRES_USER") or "postgres"
    password = env.get("POSTGRES_PASSWORD", "")
    method = env.get("POSTGRES_HOST_AUTH_METHOD") or "scram-sha-256"
    if not password and method != "trust":
        raise InfrastructureError(
            "the postgres image refuses to start: the superuser password is not specified; "
            "set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust)"
        )
    initdb = tuple(shlex.split(env.get("POSTGRES_INITDB_ARGS", "")))
    return PostgresCredentials(user, password, env.get("POSTGRES_DB") or user, method, initdb)


def _bitnami(env: Mapping[str, str]) -> PostgresCredentials:
    user = env.get("POSTGRESQL_USERNAME") or env.get("POSTGRES_USER") or "postgres"
    password = env.get("POSTGRESQL_PASSWORD") or env.get("POSTGRES_PASSWORD") or ""
    database = env.get("POSTGRESQL_DATABASE") or env.get("POSTGRES_DB") or "postgres"
    if not password and env.get("ALLOW_EMPTY_PASSWORD", "").lower() not in ("yes", "true", "1"):
        raise InfrastructureError(
            "the bitnami postgresql image refuses to start: POSTGRESQL_PASSWORD is empty; "
            "set it, or ALLOW_EMPTY_PASSWORD=yes"
        )
    initdb = tuple(shlex.split(env.get("POSTGRESQL_INITDB_ARGS", "")))
    return PostgresCredentials(user, password, database, "md5" if password else "trust", initdb)


def hba_conf(credentials: PostgresCredentials) -> str:
    """Unix socket (private to the service account): trust; every TCP client: the image's rule."""
    return (
        "# written by conveyor\n"
        "local all all trust\n"
        f"host all all all {credentials.host_auth_method}\n"
    )


def tuning_arguments(
    major: int, credentials: PostgresCredentials, extra: Mapping[str, str]
) -> list[str]:
    """`-c name=value` for the throwaway settings, overridden by the provider's `settings`."""
    settings = dict(THROWAWAY_SETTINGS)
    if major >= 18:
        settings["io_method"] = "sync"  # no I/O worker processes
    if credentials.host_auth_method == "md5":
        settings["password_encryption"] = "md5"
    settings.update(extra)
    return _as_arguments(settings)


def address_arguments(port: int, socket_dir: str, addresses: tuple[str, ...]) -> list[str]:
    """Where the server listens; these come last so that nothing overrides them."""
    listen = ",".join(addresses)
    return _as_arguments(
        {"port": str(port), "listen_addresses": listen, "unix_socket_directories": socket_dir}
    )


def _as_arguments(settings: Mapping[str, str]) -> list[str]:
    return [argument for name, value in settings.items() for argument in ("-c", f"{name}={value}")]


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def password_sql(credentials: PostgresCredentials) -> str:
    """Sets the password (sent over the private socket on stdin, never on a command line)."""
    return (
        f"ALTER ROLE {quote_identifier(credentials.user)} "
        f"PASSWORD {quote_literal(credentials.password)};\n"
    )
