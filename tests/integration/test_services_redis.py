"""Real Redis services: SET/GET through redis-cli, passwords, health checks, taken ports."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.services import ServiceRequest
from conveyor.services import host_ports as ports_module
from tests.unit.services.factories import service
from tests.unit.services.real_services import launcher_for, new_runtime_base, nothing_left_behind

pytestmark = pytest.mark.integration

PING = "--health-cmd 'redis-cli ping' --health-interval 10s --health-timeout 5s --health-retries 5"


@pytest.fixture
def runtime_base() -> Iterator[Path]:
    base = new_runtime_base()
    with nothing_left_behind(base):
        yield base


def redis_cli(port: int, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = ["redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p", str(port), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def test_set_and_get_with_redis_cli(runtime_base: Path) -> None:
    spec = service("redis", "redis:7", ports=("6379:6379",), options=PING)
    with launcher_for(runtime_base).start_all([spec], ServiceRequest()) as started:
        port = started.handles["redis"].ports["6379"]
        assert redis_cli(port, "SET", "greeting", "hello").stdout.strip() == "OK"
        assert redis_cli(port, "GET", "greeting").stdout.strip() == "hello"
        assert redis_cli(port, "CONFIG", "GET", "appendonly").stdout.split() == ["appendonly", "no"]
        assert redis_cli(port, "CONFIG", "GET", "save").stdout.split() == ["save"]


def test_password_from_the_command_is_enforced(runtime_base: Path) -> None:
    spec = service("redis", "redis:7", command="redis-server --requirepass s3cret", options=PING)
    with launcher_for(runtime_base).start_all([spec], ServiceRequest()) as started:
        port = started.handles["redis"].ports["6379"]
        assert "NOAUTH" in redis_cli(port, "GET", "x").stdout
        assert redis_cli(port, "-a", "s3cret", "SET", "x", "1").stdout.strip() == "OK"


def test_bitnami_password_variable(runtime_base: Path) -> None:
    spec = service("cache", "bitnami/redis:7.2", env={"REDIS_PASSWORD": "pw"}, options=PING)
    with launcher_for(runtime_base).start_all([spec], ServiceRequest()) as started:
        port = started.handles["cache"].ports["6379"]
        assert "NOAUTH" in redis_cli(port, "PING").stdout
        assert redis_cli(port, "-a", "pw", "PING").stdout.strip() == "PONG"


def test_a_port_taken_after_the_check_is_replaced(
    runtime_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        monkeypatch.setattr(ports_module, "port_is_free", lambda port, addresses=None: True)
        spec = service("redis", "redis:7", ports=(f"{taken}:6379",))
        with launcher_for(runtime_base).start_all([spec], ServiceRequest()) as started:
            port = started.handles["redis"].ports["6379"]
            assert port != taken
            assert redis_cli(port, "PING").stdout.strip() == "PONG"
