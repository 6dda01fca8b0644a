"""Real PostgreSQL services: credentials, pgvector, health checks, failures with logs."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.services import ServiceHandle, ServiceRequest
from conveyor.errors import InfrastructureError
from conveyor.services import host_ports as ports_module
from tests.unit.services.factories import service
from tests.unit.services.real_services import (
    launcher_for,
    new_runtime_base,
    nothing_left_behind,
    psql,
)

pytestmark = pytest.mark.integration

APP = {"POSTGRES_USER": "app", "POSTGRES_PASSWORD": "s3cret", "POSTGRES_DB": "appdb"}
PG_ISREADY = "--health-cmd pg_isready --health-interval 10s --health-timeout 5s --health-retries 5"


@pytest.fixture
def runtime_base() -> Iterator[Path]:
    base = new_runtime_base()
    with nothing_left_behind(base):
        yield base


def query(
    handle: ServiceHandle, sql: str, password: str = "s3cret"
) -> subprocess.CompletedProcess[str]:
    url = f"postgresql://app:{password}@localhost:{handle.ports['5432']}/appdb"
    command = [psql(), url, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def test_user_password_and_database_are_honoured(runtime_base: Path, tmp_path: Path) -> None:
    spec = service("postgres", "pgvector/pgvector:pg16", env=APP, options=PG_ISREADY)
    request = ServiceRequest(job_label="test", log_dir=str(tmp_path / "logs"))
    with launcher_for(runtime_base).start_all([spec], request) as started:
        handle = started.handles["postgres"]
        result = query(handle, "select current_user, current_database(), current_setting('fsync')")
        assert result.stdout.strip() == "app|appdb|off", result.stderr
        refused = query(handle, "select 1", password="wrong")
        assert refused.returncode != 0
        assert 'password authentication failed for user "app"' in refused.stderr
        assert handle.log_path == str(tmp_path / "logs" / "postgres.log")
    assert "ready to accept connections" in (tmp_path / "logs" / "postgres.log").read_text()


def test_vector_extension_and_nearest_neighbour(runtime_base: Path) -> None:
    spec = service("postgres", "pgvector/pgvector:pg16", env=APP, ports=("5432",))
    sql = (
        "create extension vector;"
        "create table items (id int primary key, embedding vector(3));"
        "insert into items values (1, '[1,1,1]'), (2, '[5,5,5]'), (3, '[9,9,9]');"
        "select id from items order by embedding <-> '[4,5,6]' limit 1;"
    )
    with launcher_for(runtime_base).start_all([spec], ServiceRequest()) as started:
        result = query(started.handles["postgres"], sql)
    assert result.stdout.strip().splitlines()[-1] == "2", result.stderr


def test_health_command_sees_the_service_as_inside_the_container(runtime_base: Path) -> None:
    command = 'pg_isready && psql -c "select 1" && test "$POSTGRES_DB" = appdb'
    spec = service("postgres", "postgres:16", env=APP, options=f"--health-cmd '{command}'")
    with launcher_for(runtime_base).start_all([spec], ServiceRequest()) as started:
        assert query(started.handles["postgres"], "select 1").stdout.strip() == "1"


def test_unhealthy_service_fails_with_the_tail_of_its_log(runtime_base: Path) -> None:
    options = "--health-cmd 'echo not yet; exit 1' --health-interval 10ms --health-retries 2"
    spec = service("postgres", "postgres:16", env=APP, options=options)
    with pytest.raises(InfrastructureError) as raised:
        launcher_for(runtime_base).start_all([spec], ServiceRequest())
    message = str(raised.value)
    assert "unhealthy: health command 'echo not yet; exit 1' exited with 1 after 2 tries" in message
    assert "not yet" in message
    assert "--- last lines of" in message
    assert "ready to accept connections" in message


def test_a_server_that_exits_fails_with_its_log(runtime_base: Path) -> None:
    spec = service("postgres", "postgres:16", env=APP, command="postgres -c no_such_setting=1")
    with pytest.raises(InfrastructureError) as raised:
        launcher_for(runtime_base).start_all([spec], ServiceRequest())
    assert "PostgreSQL exited with status" in str(raised.value)
    assert 'unrecognized configuration parameter "no_such_setting"' in str(raised.value)


def test_missing_password_is_refused_like_the_image_does(runtime_base: Path) -> None:
    with pytest.raises(InfrastructureError, match="POSTGRES_PASSWORD"):
        launcher_for(runtime_base).start_all([service("db", "postgres")], ServiceRequest())


def test_trust_needs_no_password(runtime_base: Path) -> None:
    spec = service("db", "postgres:16", env={"POSTGRES_HOST_AUTH_METHOD": "trust"})
    with launcher_for(runtime_base).start_all([spec], ServiceRequest()) as started:
        url = f"postgresql://postgres@127.0.0.1:{started.handles['db'].ports['5432']}/postgres"
        result = subprocess.run(
            [psql(), url, "-XAtc", "select 42"], capture_output=True, text=True, check=False
        )
    assert result.stdout.strip() == "42", result.stderr


def test_a_port_taken_after_the_check_is_replaced(
    runtime_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as squatter:  # IPv4 only: PostgreSQL would still bind ::1
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        monkeypatch.setattr(ports_module, "port_is_free", lambda port, addresses=None: True)
        spec = service("postgres", "postgres:16", env=APP, ports=(f"{taken}:5432",))
        with launcher_for(runtime_base).start_all([spec], ServiceRequest()) as started:
            handle = started.handles["postgres"]
            assert handle.ports["5432"] != taken
            assert query(handle, "select 7").stdout.strip() == "7"


@pytest.mark.parametrize("major", [16, 18])
def test_the_image_tag_picks_the_major_version(runtime_base: Path, major: int) -> None:
    spec = service("postgres", f"pgvector/pgvector:pg{major}", env=APP)
    sql = "create extension vector; select current_setting('server_version_num')::int / 10000"
    with launcher_for(runtime_base).start_all([spec], ServiceRequest()) as started:
        assert started.warnings == []
        result = query(started.handles["postgres"], sql)
    assert result.stdout.strip().splitlines()[-1] == str(major), result.stderr
