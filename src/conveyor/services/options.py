"""`services.<id>.options`: the `docker create` flags a service definition may carry.

Without Docker only some of them mean something: the `--health-*` set, `-e/--env` and
`-p/--publish`. `--entrypoint` is kept for the provider to judge. Everything else is reported
back as ignored so the job log says so.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.errors import Diagnostic, SourceLocation, error
from conveyor.services.health import HealthCheck, health_check_from_flags

_BOOLEAN_FLAGS = frozenset(
    {
        "no-healthcheck", "privileged", "init", "rm", "read-only", "tty", "t", "interactive",
        "i", "detach", "d", "oom-kill-disable", "publish-all", "P", "disable-content-trust",
        "it", "ti",
    }
)  # fmt: skip
_SHORT_NAMES = {"e": "env", "p": "publish", "t": "tty", "i": "interactive", "d": "detach"}
_QUIET_FLAGS = frozenset({"name", "label", "l", "hostname", "h", "rm", "init", "pull"})


@dataclass(frozen=True, slots=True)
class ContainerOptions:
    health: HealthCheck | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    publish: tuple[str, ...] = ()
    entrypoint: str | None = None
    ignored: tuple[str, ...] = ()  # flags (with values) that mean nothing without Docker


def tokenize(options: str) -> list[tuple[str, str | None]]:
    """Split `--a 1 --b=2 -c` into [("a", "1"), ("b", "2"), ("c", None)]; ValueError if bad."""
    words = shlex.split(options)
    flags: list[tuple[str, str | None]] = []
    index = 0
    while index < len(words):
        word = words[index]
        if not word.startswith("-") or word in ("-", "--"):
            raise ValueError(f"unexpected {word!r} (expected a --flag)")
        name, equals, value = word.lstrip("-").partition("=")
        name = _SHORT_NAMES.get(name, name) if not word.startswith("--") else name
        if equals:
            flags.append((name, value))
        elif name in _BOOLEAN_FLAGS or index + 1 >= len(words) or words[index + 1][:1] == "-":
            flags.append((name, None))
        else:
            index += 1
            flags.append((name, words[index]))
        index += 1
    return flags


def parse_options(
    options: str | None, location: SourceLocation
) -> tuple[ContainerOptions, list[Diagnostic]]:
    """Parse a service's `options:`; problems come back as diagnostics, not exceptions."""
    if not options or not options.strip():
        return ContainerOptions(), []
    try:
        flags = tokenize(options)
    except ValueError as exc:
        return ContainerOptions(), [_problem(location, f"cannot parse options: {exc}")]
    health_flags = {name: value or "" for name, value in flags if "health" in name}
    try:
        health = health_check_from_flags(health_flags)
    except ValueError as exc:
        return ContainerOptions(), [_problem(location, str(exc))]
    return _collect(flags, health), []


def _collect(flags: list[tuple[str, str | None]], health: HealthCheck | None) -> ContainerOptions:
    env: dict[str, str] = {}
    publish: list[str] = []
    ignored: list[str] = []
    entrypoint: str | None = None
    for name, value in flags:
        if "health" in name:
            continue
        if name == "env" and value is not None:
            key, equals, text = value.partition("=")
            env[key] = text if equals else os.environ.get(key, "")
        elif name == "publish" and value is not None:
            publish.append(value)
        elif name == "entrypoint":
            entrypoint = value
        elif name not in _QUIET_FLAGS:
            ignored.append(f"--{name}" + (f" {value}" if value is not None else ""))
    return ContainerOptions(health, env, tuple(publish), entrypoint, tuple(ignored))


def _problem(location: SourceLocation, message: str) -> Diagnostic:
    return error(location, "service-options", message)
