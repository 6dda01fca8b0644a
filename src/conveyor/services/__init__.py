"""conveyor.services: service providers without Docker (layer 5), chosen by image name.

Wiring (bootstrap): `launcher, settings = registry.launcher_from_settings(config["services"])`;
the engine then calls `launcher.start_all(specs, ServiceRequest(...), cancel)` (see
`conveyor.engine.ports.services`). Tests use `conveyor.services.fake.fake_launcher()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    from conveyor.services.registry import LocalServiceRegistry
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
