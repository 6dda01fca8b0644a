"""The store on a real, throwaway PostgreSQL: migrations from empty and from each revision, the
run store, concurrency groups (with racing processes), environments, secrets and the CLI.

The server comes from the services provider (`conveyor.services.postgres`), which runs the
system's PostgreSQL binaries as an unprivileged account; if it cannot start one, the test falls
back to initdb/pg_ctl run as the `postgres` system user. One server per session, one fresh
database per test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from conveyor.engine.ports.store import (
    Admission,
    GroupTicket,
    NewJob,
    ProtectionRules,
    RunQuery,
    RunStatus,
    workflow_holder,
)
from conveyor.model.results import Conclusion, JobResult
from conveyor.store import StoreHandle, open_store
from conveyor.store.database import connect
from conveyor.store.schema import HEAD, current_revision, ensure_schema, known_revisions, migrate
from tests.integration.test_store_reliability import first_line, spawn
from tests.unit.store import test_run_store
from tests.unit.store.cli_helpers import Cli, make_cli
from tests.unit.store.conftest import REPO, new_run
from tests.unit.store.test_schema import (
    insert_sample_run,
    payload_of_run_7,
    schema_differences,
)

pytestmark = pytest.mark.integration
cli_fixture = pytest.fixture(name="cli")(make_cli)
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _provider_server() -> tuple[str, str, object]:
    from conveyor.engine.ports.services import ServiceRequest
    from conveyor.errors import SourceLocation
    from conveyor.model.services import ServiceSpec
    from conveyor.services.postgres import PostgresProvider
    from conveyor.services.runtime import ServiceRuntime, ServiceSettings
    from tests.unit.services.real_services import session_cache_dir

    env = {"POSTGRES_PASSWORD": "pw"}
    spec = ServiceSpec("db", "postgres:15", SourceLocation("store-tests"), env)
    runtime = ServiceRuntime(ServiceSettings(cache_dir=session_cache_dir()))
    handle = PostgresProvider(runtime).start(spec, ServiceRequest(), threading.Event())
    return f"postgresql://postgres:pw@127.0.0.1:{handle.ports['5432']}/{{db}}", "", handle


class _InitdbServer:
    """initdb + pg_ctl as the `postgres` system user (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.fail(f"PostgreSQL 15 is not installed ({PG_BIN}): apt-get install postgresql-15")
        self.base = Path(tempfile.mkdtemp(prefix="conveyor-store-pg-"))
        shutil.chown(self.base, "postgres")
        self.data = self.base / "data"
        self._pg("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        options = f"-k {self.base} -c listen_addresses='' -c fsync=off"
        log = str(self.base / "server.log")  # the server must not inherit our pipes
        self._pg("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")
        self.url = f"postgresql://postgres@/{{db}}?host={self.base}"

    def _pg(self, program: str, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        command = [*prefix, str(PG_BIN / program), *argv]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd="/", timeout=120)

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A URL template with `{db}` for the database name."""
    if os.environ.get("CONVEYOR_TEST_POSTGRES") != "initdb":
        try:
            template, _, handle = _provider_server()
        except Exception as error:  # the provider is another component: fall back, say why
            print(f"services provider failed ({error}); using initdb", file=sys.stderr)
        else:
            yield template
            handle.stop()  # type: ignore[attr-defined]
            return
    server = _InitdbServer()
    yield server.url
    server.stop()


@pytest.fixture
def pg_url(pg_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database on the session's server, set as CONVEYOR_DATABASE_URL."""
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server.format(db="postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_server.format(db=name)
    monkeypatch.setenv("CONVEYOR_DATABASE_URL", url)
    return url


@pytest.fixture
def pg_store(pg_url: str, conveyor_home: Path) -> Iterator[StoreHandle]:
    store = open_store(conveyor_home)
    yield store
    store.close()


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url.removeprefix("postgresql://")


def test_migrating_an_empty_postgres_database_builds_exactly_the_models(pg_url: str) -> None:
    database = connect(sqlalchemy_url(pg_url))
    ensure_schema(database)
    with database.read() as conn:
        assert current_revision(conn) == HEAD
        assert schema_differences(conn) == []
    database.dispose()


# SAMPLE_RUN writes `runs.event_payload`, which revision 0006 moved out.
@pytest.mark.parametrize("start", known_revisions()[: known_revisions().index("0006")])
def test_upgrading_postgres_from_each_earlier_revision_keeps_the_data(
    pg_url: str, start: str
) -> None:
    database = connect(sqlalchemy_url(pg_url))
    with database.write(schema=True) as conn:
        migrate(conn, start)
        insert_sample_run(conn, start)
    ensure_schema(database)
    with database.read() as conn:
        assert schema_differences(conn) == []
        assert conn.execute(text("SELECT outputs FROM jobs")).scalar() == '{"a":"1"}'
        assert conn.execute(text("SELECT cancel_requested FROM runs")).scalar() is False
        assert payload_of_run_7(conn) == {"ref": "refs/heads/main"}
    with database.write(schema=True) as conn:
        migrate(conn, "base")
        assert current_revision(conn) is None
    database.dispose()


def test_upgrading_postgres_from_0006_to_head_and_down_again(pg_url: str) -> None:
    database = connect(sqlalchemy_url(pg_url))
    with database.write(schema=True) as conn:
        migrate(conn, "0006")
    ensure_schema(database)
    with database.read() as conn:
        assert current_revision(conn) == HEAD
        assert schema_differences(conn) == []
    with database.write(schema=True) as conn:
        migrate(conn, "base")
        assert current_revision(conn) is None
    database.dispose()


def test_runs_jobs_and_reruns_on_postgres(pg_store: StoreHandle) -> None:
    runs = pg_store.runs
    first, second = runs.create_run(new_run()), runs.create_run(new_run())
    assert (first.run_number, second.run_number) == (1, 2)
    runs.start_job(first.id, 1, NewJob("a", "a", "a", {"n": 1}, status=RunStatus.IN_PROGRESS))
    runs.finish_job(first.id, 1, "a", JobResult(Conclusion.SUCCESS, outputs={"x": "y"}))
    runs.finish_run(first.id, Conclusion.SUCCESS)
    again = runs.begin_attempt(first.id, None, ["a"])
    assert again.attempt == 2
    (reused,) = runs.list_jobs(first.id)
    assert (reused.reused, reused.outputs, reused.matrix) == (True, {"x": "y"}, {"n": 1})
    assert [r.id for r in runs.list_runs(RunQuery(status="queued"))] == [second.id, first.id]


def test_steps_ended_together_on_postgres(pg_store: StoreHandle) -> None:
    test_run_store.test_steps_ended_together_are_recorded_as_one_by_one(pg_store.runs)


def test_concurrency_groups_and_environments_on_postgres(pg_store: StoreHandle) -> None:
    runs = [pg_store.runs.create_run(new_run()) for _ in range(3)]
    tickets = [GroupTicket(REPO, "Prod", workflow_holder(r.id, 1), r.id) for r in runs]
    gate = pg_store.concurrency
    assert gate.enter(tickets[0], cancel_in_progress=False) is Admission.RUNNING
    assert gate.enter(tickets[1], cancel_in_progress=False) is Admission.PENDING
    assert gate.enter(tickets[2], cancel_in_progress=True) is Admission.PENDING
    assert gate.poll(tickets[1]) is Admission.CANCELLED
    assert pg_store.runs.cancel_requested(runs[0].id)
    pg_store.runs.finish_run(runs[0].id, Conclusion.CANCELLED)
    assert gate.poll(tickets[2]) is Admission.RUNNING
    envs = pg_store.environments
    envs.declare_environment(REPO, "production", ProtectionRules(required_reviewers=("bob",)))
    envs.request_approval(runs[2].id, 1, "production")
    approved = envs.decide_approval(
        runs[2].id, "Production", approve=True, reviewer="bob", comment=None
    )
    assert approved.reviewer == "bob"
    pg_store.secrets.set_secret(REPO, "TOKEN", "t", "production")
    assert pg_store.secrets.resolve_secrets(REPO, "production") == {"TOKEN": "t"}


def test_processes_racing_on_postgres_never_both_hold_a_group(
    pg_url: str, conveyor_home: Path
) -> None:
    open_store(conveyor_home).close()
    start_at = time.time() + 1.5
    children = [spawn("claim", str(start_at)) for _ in range(4)]  # CONVEYOR_DATABASE_URL is set
    answers = sorted(first_line(child) for child in children)
    for child in children:
        child.communicate("")
    assert answers == ["pending", "pending", "pending", "running"]


def test_the_cli_works_on_postgres(pg_url: str, cli: Cli, tmp_path: Path) -> None:
    store = open_store()
    run = store.runs.create_run(new_run())
    store.runs.finish_run(run.id, Conclusion.FAILURE)
    store.close()
    listed = json.loads(cli("runs", "--json").out)
    assert [(r["id"], r["conclusion"]) for r in listed] == [(run.id, "failure")]
    assert cli("secrets", "set", "TOKEN", "--repo", str(tmp_path), stdin="v").code == 0
    assert cli("secrets", "list", "--repo", str(tmp_path)).out.strip() == "TOKEN"
