"""`services:` and `container:` entries of a job, as data.

Values may hold expressions (`${{ }}`) until the executor evaluates them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.errors import SourceLocation


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """`jobs.<id>.container`: the image a job would run in on GitHub."""

    image: str
    location: SourceLocation
    env: Mapping[str, object] = field(default_factory=dict)
    ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    options: str | None = None
    credentials: Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """`jobs.<id>.services.<service_id>`: a service container definition."""

    id: str
    image: str
    location: SourceLocation
    env: Mapping[str, object] = field(default_factory=dict)
    ports: tuple[str, ...] = ()  # as written: '5432:5432', '6379', 5432
    volumes: tuple[str, ...] = ()
    options: str | None = None
    credentials: Mapping[str, object] | None = None
    command: str | None = None
    entrypoint: str | None = None
