"""A fake service provider for engine tests and `--dry-run`: no processes, no files.

    provider = FakeServiceProvider(failures={"mysql:*": "mysql never became healthy"})
    launcher = fake_launcher(provider)
    with launcher.start_all(specs, ServiceRequest()) as started:
        started.contexts()  # {"postgres": {"id": ..., "network": "host", "ports": {"5432": ...}}}
    assert provider.live() == []

Ports behave like the real ones: the requested host port unless another live fake service holds
it, else the next one from 40000 on.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.services import ServiceProvider, ServiceRequest
from conveyor.errors import InfrastructureError
from conveyor.model.services import ServiceSpec
from conveyor.services.host_ports import parse_port_spec
from conveyor.services.spec import CONTAINER_ENV, env_text
from conveyor.services.supervisor import LocalServiceLauncher


@dataclass
class FakeServiceHandle:
    service_id: str
    image: str
    ports: Mapping[str, int]
    env: Mapping[str, str]
    log_path: str
    owner: FakeServiceProvider
    provider: str = "fake"
    host: str = "127.0.0.1"
    warnings: tuple[str, ...] = ()
    stopped: bool = False

    def stop(self) -> None:
        self.owner.release(self)


@dataclass
class FakeServiceProvider:
    failures: Mapping[str, str] = field(default_factory=dict)  # image glob → error message
    first_port: int = 40000
    started: list[FakeServiceHandle] = field(default_factory=list)
    _next_port: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def name(self) -> str:
        return "fake"

    def start(
        self, spec: ServiceSpec, request: ServiceRequest, cancel: CancelSignal
    ) -> FakeServiceHandle:
        for pattern, message in self.failures.items():
            if fnmatch.fnmatchcase(spec.image, pattern):
                raise InfrastructureError(f"service {spec.id} ({spec.image}): {message}")
        env = {key: env_text(value) for key, value in spec.env.items()} | CONTAINER_ENV
        log_path = f"{request.log_dir or '/nonexistent'}/{spec.id}.log"
        with self._lock:
            ports = {m.key: self._port(m.host) for m in map(parse_port_spec, spec.ports)}
            handle = FakeServiceHandle(spec.id, spec.image, ports, env, log_path, self)
            self.started.append(handle)
        return handle

    def _port(self, requested: int | None) -> int:
        taken = {port for handle in self.live() for port in handle.ports.values()}
        if requested and requested not in taken:
            return requested
        port = max(self._next_port, self.first_port)
        while port in taken:
            port += 1
        self._next_port = port + 1
        return port

    def release(self, handle: FakeServiceHandle) -> None:
        handle.stopped = True

    def live(self) -> list[FakeServiceHandle]:
        return [handle for handle in self.started if not handle.stopped]


@dataclass
class FakeServiceRegistry:
    provider: ServiceProvider

    def provider_for(self, image: str) -> ServiceProvider:
        return self.provider


def fake_launcher(provider: FakeServiceProvider | None = None) -> LocalServiceLauncher:
    return LocalServiceLauncher(FakeServiceRegistry(provider or FakeServiceProvider()))
