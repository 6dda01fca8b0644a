"""How Redis-family images read their configuration, as server arguments.

Official `redis` / `valkey/valkey`: no environment variables; users write
`command: redis-server --requirepass secret` (or only the arguments). Bitnami's images:
`REDIS_PASSWORD` (required unless `ALLOW_EMPTY_PASSWORD=yes`), `REDIS_PORT_NUMBER`,
`REDIS_EXTRA_FLAGS`, `REDIS_DISABLE_COMMANDS`, `REDIS_AOF_ENABLED` (VALKEY_* for bitnami/valkey).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.errors import InfrastructureError

OFFICIAL = "official"
BITNAMI = "bitnami"
FLAVOURS = (OFFICIAL, BITNAMI)
SERVER_NAMES = ("redis-server", "valkey-server")
PORT = 6379
NO_PERSISTENCE = ("--save", "", "--appendonly", "no")


@dataclass(frozen=True, slots=True)
class RedisConfig:
    arguments: tuple[str, ...]  # server arguments from the spec, before conveyor's own
    password: str  # "" when none is required
    container_port: int
    notes: tuple[str, ...] = ()


def config_from_spec(
    env: Mapping[str, str], command: str | None, flavour: str, prefix: str
) -> RedisConfig:
    """Read `command:` (official images) or the bitnami variables into server arguments."""
    arguments, notes = command_arguments(command)
    if flavour != BITNAMI:
        return RedisConfig(arguments, _password_in(arguments), PORT, notes)
    password = env.get(f"{prefix}_PASSWORD", "")
    if not password and env.get("ALLOW_EMPTY_PASSWORD", "").lower() not in ("yes", "true", "1"):
        raise InfrastructureError(
            f"the bitnami image refuses to start: {prefix}_PASSWORD is empty; "
            "set it, or ALLOW_EMPTY_PASSWORD=yes"
        )
    extra = tuple(shlex.split(env.get(f"{prefix}_EXTRA_FLAGS", "")))
    extra += _disabled_commands(env.get(f"{prefix}_DISABLE_COMMANDS", ""))
    if env.get(f"{prefix}_AOF_ENABLED", "").lower() == "yes":
        notes += ("append-only persistence is not kept: the data is thrown away anyway",)
    port = int(env.get(f"{prefix}_PORT_NUMBER") or PORT)
    return RedisConfig(arguments + extra, password, port, notes)


def command_arguments(command: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`redis-server --requirepass x` or `--requirepass x` → ("--requirepass", "x")."""
    try:
        words = shlex.split(command or "")
    except ValueError as exc:
        return (), (f"command ignored: {exc}",)
    if words and words[0].rsplit("/", 1)[-1] in SERVER_NAMES:
        words = words[1:]
    if words and not words[0].startswith("-"):
        return (), (f"command {command!r} ignored: only server arguments are honoured",)
    return tuple(words), ()


def _password_in(arguments: tuple[str, ...]) -> str:
    for index, word in enumerate(arguments[:-1]):
        if word == "--requirepass":
            return arguments[index + 1]
    return ""


def _disabled_commands(text: str) -> tuple[str, ...]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    return tuple(word for name in names for word in ("--rename-command", name, ""))


def config_file_text(password: str) -> str:
    """A config file for secrets (kept off the command line, in the private directory)."""
    if not password:
        return ""
    escaped = password.replace("\\", "\\\\").replace('"', '\\"')
    return f'requirepass "{escaped}"\n'


def listen_arguments(port: int, addresses: tuple[str, ...], directory: str) -> tuple[str, ...]:
    """Where the server listens and keeps its files; last, so that nothing overrides them."""
    return (
        "--port", str(port), "--bind", *addresses, "--dir", directory,
        "--daemonize", "no", "--logfile", "", "--pidfile", "",
    )  # fmt: skip
