"""The broker and the lease timing of `conveyor serve --broker` and `conveyor worker`.

`CONVEYOR_BROKER_URL`, `CONVEYOR_HEARTBEAT_SECONDS`, `CONVEYOR_LEASE_SECONDS` and
`CONVEYOR_RETRY_LOST` win over the user's config.toml (`[broker] url`, `[heartbeat] seconds`,
`[lease] seconds`, `[retry] lost`); the defaults are a heartbeat every 10 s, a 60 s lease and one
new attempt of a job whose worker was lost.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.bootstrap.settings import read_config, user_config_path
from conveyor.errors import UsageError


@dataclass(frozen=True, slots=True)
class LeaseTiming:
    heartbeat: float = 10.0
    lease: float = 60.0
    retry_lost: int = 1


_KEYS = {
    "heartbeat": ("CONVEYOR_HEARTBEAT_SECONDS", "heartbeat", "seconds"),
    "lease": ("CONVEYOR_LEASE_SECONDS", "lease", "seconds"),
    "retry_lost": ("CONVEYOR_RETRY_LOST", "retry", "lost"),
}


def lease_timing(environ: Mapping[str, str] | None = None) -> LeaseTiming:
    env = os.environ if environ is None else environ
    config = read_config(user_config_path()).data
    found = {name: _value(env, config, *where) for name, where in _KEYS.items()}
    default = LeaseTiming()
    timing = LeaseTiming(
        heartbeat=float(found["heartbeat"] or default.heartbeat),
        lease=float(found["lease"] or default.lease),
        retry_lost=int(found["retry_lost"] if found["retry_lost"] is not None else 1),
    )
    if timing.heartbeat <= 0 or timing.lease <= timing.heartbeat or timing.retry_lost < 0:
        raise UsageError(
            f"the lease ({timing.lease:g} s) must be longer than the heartbeat "
            f"({timing.heartbeat:g} s, > 0), and retry.lost ({timing.retry_lost}) at least 0"
        )
    return timing


def broker_url(given: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """`--broker`, else CONVEYOR_BROKER_URL, else `[broker] url`; None: no broker."""
    env = os.environ if environ is None else environ
    url = given or _value(
        env, read_config(user_config_path()).data, "CONVEYOR_BROKER_URL", "broker", "url"
    )
    if url is None or url == "":
        return None
    if not str(url).startswith(("redis://", "rediss://", "valkey://", "valkeys://")):
        raise UsageError(f"--broker {url!r}: use redis://HOST:PORT/DB (Redis or Valkey)")
    return str(url).replace("valkey", "redis", 1)


def _value(
    env: Mapping[str, str], config: Mapping[str, object], variable: str, table: str, key: str
) -> float | int | str | None:
    if env.get(variable, "").strip():
        return _number_or_text(variable, env[variable].strip())
    section = config.get(table)
    value = section.get(key) if isinstance(section, Mapping) else None
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    return value


def _number_or_text(variable: str, text: str) -> float | str:
    if variable == "CONVEYOR_BROKER_URL":
        return text
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"{variable}={text!r}: a number of seconds") from None
