"""Service specs for the service tests."""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.errors import SourceLocation
from conveyor.model.services import ServiceSpec

HERE = SourceLocation(".github/workflows/ci.yml", 12, 7)


def service(
    service_id: str = "db",
    image: str = "postgres:16",
    *,
    env: Mapping[str, object] | None = None,
    ports: tuple[str, ...] = (),
    options: str | None = None,
    command: str | None = None,
    volumes: tuple[str, ...] = (),
) -> ServiceSpec:
    return ServiceSpec(
        id=service_id,
        image=image,
        location=HERE,
        env=dict(env or {}),
        ports=ports,
        options=options,
        command=command,
        volumes=volumes,
    )
