"""Image name → service provider, by glob rules; users add rules in `[services]` of conveyor.toml.

    [services."registry.example.com/team/pg:*"]
    provider = "postgres"
    extensions = ["vector"]

    [services]
    "my/cache:*" = "redis"        # shorthand: just the provider's name

User rules come first (in the order written), then the built-in ones (`DEFAULT_RULES`). A rule
matches the image as written, or normalised (`docker.io/library/postgres` → `postgres:latest`).
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.engine.ports.services import ServiceProvider
from conveyor.errors import InfrastructureError, UsageError
from conveyor.services.postgres import PostgresOptions, PostgresProvider
from conveyor.services.postgres_config import FLAVOURS as POSTGRES_FLAVOURS
from conveyor.services.redis import RedisOptions, RedisProvider
from conveyor.services.redis_config import FLAVOURS as REDIS_FLAVOURS
from conveyor.services.runtime import ServiceRuntime, ServiceSettings
from conveyor.services.supervisor import LocalServiceLauncher

_DOCKER_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io")


@dataclass(frozen=True, slots=True)
class ProviderRule:
    pattern: str
    provider: str
    options: Mapping[str, object] = field(default_factory=dict)

    def matches(self, image: str) -> bool:
        normal = normalize_image(image)
        candidates = (image, normal, normal.rpartition(":")[0])
        return any(fnmatch.fnmatchcase(candidate, self.pattern) for candidate in candidates)


_VECTOR: Mapping[str, object] = {"extensions": ["vector"]}
_BITNAMI: Mapping[str, object] = {"flavour": "bitnami"}
DEFAULT_RULES: tuple[ProviderRule, ...] = (
    ProviderRule("postgres:*", "postgres"),
    ProviderRule("pgvector/pgvector:*", "postgres", _VECTOR),
    ProviderRule("ankane/pgvector:*", "postgres", _VECTOR),
    ProviderRule("timescale/timescaledb:*", "postgres"),
    ProviderRule("timescale/timescaledb-ha:*", "postgres"),
    ProviderRule("cimg/postgres:*", "postgres"),
    ProviderRule("bitnami/postgresql:*", "postgres", _BITNAMI),
    ProviderRule("redis:*", "redis"),
    ProviderRule("cimg/redis:*", "redis"),
    ProviderRule("valkey/valkey:*", "redis", {"server": "valkey-server"}),
    ProviderRule("bitnami/redis:*", "redis", _BITNAMI),
    ProviderRule(
        "bitnami/valkey:*",
        "redis",
        {"flavour": "bitnami", "server": "valkey-server", "env-prefix": "VALKEY"},
    ),
)


def normalize_image(image: str) -> str:
    """`docker.io/library/postgres` → `postgres:latest`; digests dropped; registries kept."""
    reference = image.strip().partition("@")[0]
    head, slash, last = reference.rpartition("/")
    name, colon, tag = last.partition(":")
    parts = [*head.split("/"), name] if slash else [name]
    if len(parts) > 1 and parts[0] in _DOCKER_HUB:
        parts = parts[1:]
    if len(parts) == 2 and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts).lower() + ":" + (tag if colon and tag else "latest")


ProviderFactory = Callable[[ServiceRuntime, Mapping[str, object]], ServiceProvider]


def _choice(options: Mapping[str, object], key: str, allowed: Sequence[str], default: str) -> str:
    value = options.get(key, default)
    if value not in allowed:
        raise UsageError(f"services rule option {key!r} must be one of {list(allowed)}: {value!r}")
    return str(value)


def _strings(options: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = options.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"services rule option {key!r} must be a list of strings: {value!r}")
    return tuple(str(v) for v in value)


def _check_keys(options: Mapping[str, object], known: set[str]) -> None:
    unknown = sorted(set(options) - known - {"provider"})
    if unknown:
        raise UsageError(f"unknown services rule option(s) {unknown}; known: {sorted(known)}")


def make_postgres(runtime: ServiceRuntime, options: Mapping[str, object]) -> ServiceProvider:
    _check_keys(options, {"flavour", "extensions", "version", "bin-dirs", "settings"})
    version = options.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise UsageError(f"services rule option 'version' must be a major version: {version!r}")
    settings = options.get("settings", {})
    if not isinstance(settings, Mapping):
        raise UsageError(f"services rule option 'settings' must be a table: {settings!r}")
    return PostgresProvider(
        runtime,
        PostgresOptions(
            flavour=_choice(options, "flavour", POSTGRES_FLAVOURS, "official"),
            extensions=_strings(options, "extensions"),
            version=version,
            bin_dirs=_strings(options, "bin-dirs"),
            settings={str(k): str(v) for k, v in settings.items()},
        ),
    )


def make_redis(runtime: ServiceRuntime, options: Mapping[str, object]) -> ServiceProvider:
    _check_keys(options, {"flavour", "server", "env-prefix"})
    server = options.get("server", "redis-server")
    prefix = options.get("env-prefix", "REDIS")
    if not isinstance(server, str) or not isinstance(prefix, str):
        raise UsageError("services rule options 'server' and 'env-prefix' must be strings")
    flavour = _choice(options, "flavour", REDIS_FLAVOURS, "official")
    return RedisProvider(runtime, RedisOptions(flavour, server, prefix))


FACTORIES: Mapping[str, ProviderFactory] = {"postgres": make_postgres, "redis": make_redis}


class LocalServiceRegistry:
    """Implements `engine.ports.services.ServiceRegistry`; providers are made on first use."""

    def __init__(
        self,
        runtime: ServiceRuntime | None = None,
        rules: Sequence[ProviderRule] = (),
        factories: Mapping[str, ProviderFactory] = FACTORIES,
    ) -> None:
        self.runtime = runtime or ServiceRuntime()
        self.rules = (*rules, *DEFAULT_RULES)
        self.factories = factories
        self._providers: dict[int, ServiceProvider] = {}
        self._lock = threading.Lock()
        for rule in rules:
            self._provider(rule)  # configuration errors surface now, not mid-run

    def provider_for(self, image: str) -> ServiceProvider:
        for rule in self.rules:
            if rule.matches(image):
                return self._provider(rule)
        known = ", ".join(sorted({rule.pattern for rule in self.rules}))
        raise InfrastructureError(
            f"no service provider for image {image!r} (there is no Docker engine here); "
            f"images served: {known}; add a rule to [services] in conveyor.toml"
        )

    def _provider(self, rule: ProviderRule) -> ServiceProvider:
        with self._lock:
            key = id(rule)
            if key not in self._providers:
                factory = self.factories.get(rule.provider)
                if factory is None:
                    raise UsageError(
                        f"services rule {rule.pattern!r}: unknown provider {rule.provider!r} "
                        f"(known: {', '.join(sorted(self.factories))})"
                    )
                self._providers[key] = factory(self.runtime, rule.options)
            return self._providers[key]


def rules_from_table(table: Mapping[str, object]) -> list[ProviderRule]:
    """Image rules from `[services]` (setting keys already taken out)."""
    rules = []
    for pattern, value in table.items():
        if isinstance(value, str):
            rules.append(ProviderRule(pattern, value))
        elif isinstance(value, Mapping) and isinstance(value.get("provider"), str):
            options = {str(k): v for k, v in value.items() if k != "provider"}
            rules.append(ProviderRule(pattern, str(value["provider"]), options))
        else:
            raise UsageError(
                f"services rule {pattern!r} needs a provider: write "
                f'"{pattern}" = "postgres" or a table with provider = "..."'
            )
    return rules


def registry_from_settings(
    table: Mapping[str, object],
    factories: Mapping[str, ProviderFactory] = FACTORIES,
    *,
    home: Path | None = None,
) -> tuple[LocalServiceRegistry, ServiceSettings]:
    """Build the registry from a `[services]` table (settings and image rules mixed); `home`:
    CONVEYOR_HOME, where the caches are without a `cache-dir` setting."""
    settings, rule_table = ServiceSettings.from_table(table)
    runtime = ServiceRuntime(settings, home=home)
    return LocalServiceRegistry(runtime, rules_from_table(rule_table), factories), settings


def launcher_from_settings(
    table: Mapping[str, object] | None = None, *, home: Path | None = None
) -> tuple[LocalServiceLauncher, ServiceSettings]:
    """The launcher for a `[services]` table of conveyor.toml (settings and image rules);
    `home`: as `registry_from_settings`'s."""
    registry, settings = registry_from_settings(table or {}, home=home)
    return LocalServiceLauncher(registry), settings
