"""The service port: start a job's `services:` before its steps, stop them after.

A `ServiceLauncher` starts every service of one job (in parallel) and hands back `StartedServices`,
which the job runner keeps open while the steps run and always closes:

    request = ServiceRequest(job_label=document.instance_key, log_dir=job_log_dir)
    with launcher.start_all(document.services, request, cancel) as started:
        for note in started.warnings:
            reporter.log_line(document.instance_key, None, f"warning: {note}")
        job_context["services"] = started.contexts()   # job.services.<id>.ports['5432']
        ...run the steps...

`start_all` raises `InfrastructureError` when a service cannot be provided or never becomes
healthy (the message ends with the tail of the service's log) and `WorkflowError` when a
service's definition is invalid (bad `options:`, bad `ports:`); nothing is left running then.
Specs are handed over already evaluated (no `${{ }}` left in them).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from conveyor.engine.ports.executor import CancelSignal
from conveyor.model.services import ContainerSpec, ServiceSpec


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    """What a launcher needs to know about the job beside the service specs.

    `log_dir`: where each service writes `<service id>.log`; the files stay there after the
    services stop (the engine keeps them with the job's logs). None: logs live in the service's
    runtime directory and go away with it.
    `mask`: masks the job's secrets in what services log (None: the job has none).
    """

    job_label: str = ""
    log_dir: str | None = None
    mask: Callable[[str], str] | None = None


class ServiceHandle(Protocol):
    """One running service instance."""

    @property
    def service_id(self) -> str:
        """The key under `jobs.<id>.services`."""

    @property
    def image(self) -> str: ...

    @property
    def provider(self) -> str:
        """The name of the provider that serves it, e.g. "postgres", "redis"."""

    @property
    def host(self) -> str:
        """The address a step on the host connects to, e.g. "127.0.0.1"."""

    @property
    def ports(self) -> Mapping[str, int]:
        """Container port (as written, without "/tcp") → the real host port."""

    @property
    def env(self) -> Mapping[str, str]:
        """The environment the service was started with (the spec's env, as a container's)."""

    @property
    def log_path(self) -> str: ...

    @property
    def warnings(self) -> Sequence[str]:
        """What of the spec could not be honoured (ignored options, another version...)."""

    def stop(self) -> None:
        """Stop the instance and remove its data; idempotent, never raises."""


class ServiceProvider(Protocol):
    """Starts instances of one kind of service (PostgreSQL, Redis...)."""

    @property
    def name(self) -> str: ...

    def start(
        self, spec: ServiceSpec, request: ServiceRequest, cancel: CancelSignal
    ) -> ServiceHandle:
        """Start one instance and wait until it is healthy; on failure leave nothing behind."""


class ServiceRegistry(Protocol):
    """Chooses the provider for an image (`postgres:16` → PostgreSQL)."""

    def provider_for(self, image: str) -> ServiceProvider:
        """Raises `InfrastructureError` when no provider serves the image."""


class StartedServices(Protocol):
    """The running services of one job; closing it stops them all."""

    @property
    def handles(self) -> Mapping[str, ServiceHandle]: ...

    @property
    def warnings(self) -> Sequence[str]: ...

    def contexts(self) -> dict[str, dict[str, object]]:
        """The `job.services` context: {id: {"id", "network", "ports": {container: host}}}."""

    def stop(self) -> None: ...

    def __enter__(self) -> StartedServices: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class ServiceLauncher(Protocol):
    """Starts all services of a job in parallel; stops the started ones if any fails."""

    def start_all(
        self,
        specs: Sequence[ServiceSpec],
        request: ServiceRequest,
        cancel: CancelSignal | None = None,
    ) -> StartedServices: ...


def service_context(handle: ServiceHandle) -> dict[str, object]:
    """`job.services.<id>` as GitHub shapes it (port numbers are strings there)."""
    ports = {container: str(host) for container, host in handle.ports.items()}
    return {
        "id": f"conveyor-{handle.provider}-{handle.service_id}",
        "network": "host",
        "ports": ports,
    }


class ContainerPolicy(enum.StrEnum):
    """What to do with `jobs.<id>.container` when no Docker engine is reachable."""

    HOST = "host"  # run the job's steps on the host, with a warning naming the image
    FAIL = "fail"  # fail the job


@dataclass(frozen=True, slots=True)
class ContainerDecision:
    run_on_host: bool
    message: str


def decide_container(container: ContainerSpec, policy: ContainerPolicy) -> ContainerDecision:
    """Decide how a job with `container:` runs here (there is no Docker provider yet)."""
    if policy is ContainerPolicy.FAIL:
        return ContainerDecision(
            False,
            f"the job asks to run in container image {container.image!r} and no Docker engine is "
            "available; set the services container policy to 'host' to run it on the host",
        )
    return ContainerDecision(
        True,
        f"no Docker engine: running the job on the host instead of in container image "
        f"{container.image!r}; services are reached at localhost and their mapped ports",
    )


__all__ = [
    "ContainerDecision",
    "ContainerPolicy",
    "ServiceHandle",
    "ServiceLauncher",
    "ServiceProvider",
    "ServiceRegistry",
    "ServiceRequest",
    "StartedServices",
    "decide_container",
    "service_context",
]
