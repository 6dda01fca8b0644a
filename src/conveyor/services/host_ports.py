"""`ports:` mappings and host ports: the requested one when free, else any free one.

Ports are reserved per process (two jobs of one run never get the same port) and checked by
binding on the loopback addresses the services listen on. Another process can still take a port
between the check and the service's bind: providers detect "address in use" and retry with a
fresh port, so the kernel has the last word.
"""

from __future__ import annotations

import functools
import re
import socket
import threading
from dataclasses import dataclass

from conveyor.errors import InfrastructureError

_PORT_SPEC = re.compile(
    r"^(?:(?:(?P<ip>\[[^\]]*\]|[^:]*):)?(?P<host>\d*):)?(?P<container>\d+)(?:/(?P<proto>tcp|udp))?$"
)


@dataclass(frozen=True, slots=True)
class PortMapping:
    """One `ports:` entry: container port → requested host port (None: any free port)."""

    container: int
    host: int | None = None
    protocol: str = "tcp"

    @property
    def key(self) -> str:
        """How `job.services.<id>.ports` names it: the container port number."""
        return str(self.container)


def parse_port_spec(spec: object) -> PortMapping:
    """'5432:5432', '5432', 5432, '6379/tcp', '127.0.0.1:8080:80', '127.0.0.1::80'."""
    text = str(spec).strip()
    match = _PORT_SPEC.match(text)
    if match is None:
        raise ValueError(f"cannot read port mapping {text!r} (expected e.g. '5432:5432' or '5432')")
    container = _port_number(match.group("container"), text)
    host_text = match.group("host")
    host = _port_number(host_text, text) if host_text else None
    return PortMapping(container, host, match.group("proto") or "tcp")


def _port_number(text: str, spec: str) -> int:
    number = int(text)
    if not 0 < number < 65536:
        raise ValueError(f"port {number} out of range in {spec!r}")
    return number


@functools.cache
def loopback_addresses() -> tuple[str, ...]:
    """127.0.0.1, and ::1 where the machine has an IPv6 loopback."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return ("127.0.0.1",)
    return ("127.0.0.1", "::1")


def port_is_free(port: int, addresses: tuple[str, ...] | None = None) -> bool:
    """True when a listening socket could bind `port` on every loopback address."""
    for address in addresses or loopback_addresses():
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((address, port))
            except OSError:
                return False
    return True


def _ephemeral_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PortAllocator:
    """Hands out host ports; a port stays reserved until released."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reserved: set[int] = set()

    def reserve(self, requested: int | None = None) -> int:
        """The requested port when it is free here and not reserved, else a free one."""
        with self._lock:
            if requested and requested not in self._reserved and port_is_free(requested):
                self._reserved.add(requested)
                return requested
            for _ in range(100):
                port = _ephemeral_port()
                if port not in self._reserved and port_is_free(port):
                    self._reserved.add(port)
                    return port
        raise InfrastructureError("no free TCP port found on the loopback interface")

    def release(self, port: int) -> None:
        with self._lock:
            self._reserved.discard(port)

    def reserved(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._reserved)
