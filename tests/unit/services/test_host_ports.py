"""`ports:` entries and host port allocation."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from conveyor.services.host_ports import PortAllocator, PortMapping, parse_port_spec, port_is_free


@pytest.mark.parametrize(
    ("spec", "mapping"),
    [
        ("5432:5432", PortMapping(5432, 5432)),
        ("15432:5432", PortMapping(5432, 15432)),
        ("5432", PortMapping(5432, None)),
        (5432, PortMapping(5432, None)),
        ("6379/tcp", PortMapping(6379, None)),
        ("8125:8125/udp", PortMapping(8125, 8125, "udp")),
        ("127.0.0.1:8080:80", PortMapping(80, 8080)),
        ("127.0.0.1::80", PortMapping(80, None)),
        ("[::1]:8080:80", PortMapping(80, 8080)),
        (" 5432:5432 ", PortMapping(5432, 5432)),
    ],
)
def test_port_specs(spec: object, mapping: PortMapping) -> None:
    assert parse_port_spec(spec) == mapping
    assert mapping.key == str(mapping.container)


@pytest.mark.parametrize("spec", ["", "abc", "5432:", "8000-8010:8000-8010", "70000", "0:5432"])
def test_bad_port_specs(spec: str) -> None:
    with pytest.raises(ValueError, match="port"):
        parse_port_spec(spec)


@pytest.fixture
def listener() -> Iterator[int]:
    """A port something else is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield int(server.getsockname()[1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_requested_port_when_free() -> None:
    allocator = PortAllocator()
    wanted = free_port()
    assert allocator.reserve(wanted) == wanted
    assert wanted in allocator.reserved()


def test_reserved_port_goes_to_one_job_only() -> None:
    allocator = PortAllocator()
    wanted = free_port()
    first, second = allocator.reserve(wanted), allocator.reserve(wanted)
    assert first == wanted
    assert second != wanted
    allocator.release(first)
    assert allocator.reserve(wanted) == wanted


def test_busy_port_is_replaced(listener: int) -> None:
    assert not port_is_free(listener)
    port = PortAllocator().reserve(listener)
    assert port != listener
    assert port_is_free(port)


def test_any_port() -> None:
    allocator = PortAllocator()
    ports = {allocator.reserve(None) for _ in range(5)}
    assert len(ports) == 5
    assert all(1024 < port < 65536 for port in ports)
