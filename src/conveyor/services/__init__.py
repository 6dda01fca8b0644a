"""conveyor.services: service providers without Docker (layer 5), chosen by image name.

Wiring (bootstrap): `launcher, settings = launcher_from_settings(config.get("services", {}))`;
the engine then calls `launcher.start_all(specs, ServiceRequest(...), cancel)` (see
`conveyor.engine.ports.services`). Tests use `conveyor.services.fake.fake_launcher()`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

# The names are loaded on first use: `conveyor run` imports the reaper client
# (conveyor.services.process) for every run, and the providers only for jobs with services.
_EXPORTS = {
    "DEFAULT_RULES": "conveyor.services.registry",
    "LocalServiceRegistry": "conveyor.services.registry",
    "ProviderRule": "conveyor.services.registry",
    "normalize_image": "conveyor.services.registry",
    "registry_from_settings": "conveyor.services.registry",
    "ServiceRuntime": "conveyor.services.runtime",
    "ServiceSettings": "conveyor.services.runtime",
    "LocalServiceLauncher": "conveyor.services.supervisor",
    "ServiceSet": "conveyor.services.supervisor",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def launcher_from_settings(
    table: Mapping[str, object] | None = None,
) -> tuple[LocalServiceLauncher, ServiceSettings]:
    """The launcher for a `[services]` table of conveyor.toml (settings and image rules)."""
    from conveyor.services.registry import registry_from_settings
    from conveyor.services.supervisor import LocalServiceLauncher

    registry, settings = registry_from_settings(table or {})
    return LocalServiceLauncher(registry), settings


__all__ = [
    "DEFAULT_RULES",
    "LocalServiceLauncher",
    "LocalServiceRegistry",
    "ProviderRule",
    "ServiceRuntime",
    "ServiceSet",
    "ServiceSettings",
    "launcher_from_settings",
    "normalize_image",
    "registry_from_settings",
]


if TYPE_CHECKING:  # the adapters satisfy the engine's Protocols
    from conveyor.engine.ports.services import (
        ServiceHandle,
        ServiceLauncher,
        ServiceProvider,
        ServiceRegistry,
        StartedServices,
    )
    from conveyor.services.fake import FakeServiceHandle, FakeServiceProvider
    from conveyor.services.handle import LocalServiceHandle
    from conveyor.services.postgres import PostgresProvider
    from conveyor.services.redis import RedisProvider
    from conveyor.services.registry import (
        DEFAULT_RULES,
        LocalServiceRegistry,
        ProviderRule,
        normalize_image,
        registry_from_settings,
    )
    from conveyor.services.runtime import ServiceRuntime, ServiceSettings
    from conveyor.services.supervisor import LocalServiceLauncher, ServiceSet

    _launcher: type[ServiceLauncher] = LocalServiceLauncher
    _registry: type[ServiceRegistry] = LocalServiceRegistry
    _started: type[StartedServices] = ServiceSet
    _handles: tuple[type[ServiceHandle], ...] = (LocalServiceHandle, FakeServiceHandle)
    _providers: tuple[type[ServiceProvider], ...] = (
        PostgresProvider,
        RedisProvider,
        FakeServiceProvider,
    )
