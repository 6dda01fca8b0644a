"""Isolation and cleanup: parallel jobs, and nothing survives — whatever ends the job."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.engine.ports.services import ServiceRequest, StartedServices
from conveyor.services.accounts import current_account
from conveyor.services.process import Reaper, ServiceProcess, spawn
from conveyor.services.reaper import descendants
from tests.unit.services.factories import service
from tests.unit.services.real_services import (
    launcher_for,
    leftovers,
    new_runtime_base,
    nothing_left_behind,
    psql,
    session_cache_dir,
    wait_for_nothing_left,
)

pytestmark = pytest.mark.integration

POSTGRES = service("postgres", "pgvector/pgvector:pg16", ports=("5432:5432",),
                   env={"POSTGRES_PASSWORD": "pw"}, options="--health-cmd pg_isready")  # fmt: skip
REDIS = service("redis", "redis:7", ports=("6379:6379",), options="--health-cmd 'redis-cli ping'")


@pytest.fixture
def runtime_base() -> Iterator[Path]:
    base = new_runtime_base()
    with nothing_left_behind(base):
        yield base


def works(started: StartedServices) -> bool:
    pg, redis = started.handles["postgres"].ports["5432"], started.handles["redis"].ports["6379"]
    url = f"postgresql://postgres:pw@127.0.0.1:{pg}/postgres"
    sql = subprocess.run([psql(), url, "-XAtc", "select 1"], capture_output=True, text=True)
    ping = subprocess.run(["redis-cli", "-p", str(redis), "ping"], capture_output=True, text=True)
    return sql.stdout.strip() == "1" and ping.stdout.strip() == "PONG"


def test_two_jobs_in_parallel_asking_for_the_same_ports(runtime_base: Path) -> None:
    launcher = launcher_for(runtime_base)
    results: dict[int, StartedServices] = {}

    def job(number: int) -> None:
        results[number] = launcher.start_all([POSTGRES, REDIS], ServiceRequest(f"job {number}"))

    threads = [threading.Thread(target=job, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        contexts = [results[n].contexts() for n in (1, 2)]
        assert contexts[0]["postgres"]["ports"] != contexts[1]["postgres"]["ports"]
        assert contexts[0]["redis"]["ports"] != contexts[1]["redis"]["ports"]
        assert all(works(results[n]) for n in (1, 2))
    finally:
        for started in results.values():
            started.stop()
    assert leftovers(runtime_base) == []


def test_an_exception_in_the_job_stops_everything(runtime_base: Path) -> None:
    launcher = launcher_for(runtime_base)

    def job() -> None:
        with launcher.start_all([POSTGRES, REDIS], ServiceRequest()) as started:
            assert works(started)
            raise RuntimeError("step crashed")

    with pytest.raises(RuntimeError, match="step crashed"):
        job()
    assert leftovers(runtime_base) == []


# A job process as a user's terminal runs it: Ctrl-C raises KeyboardInterrupt even when the test
# suite itself was started with SIGINT ignored (a background job of a non-interactive shell, as
# CI runners start it), which Python would otherwise inherit.
JOB = """
import json, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from pathlib import Path
from conveyor.engine.ports.services import ServiceRequest
from conveyor.services.registry import LocalServiceRegistry
from conveyor.services.supervisor import LocalServiceLauncher
from conveyor.services.runtime import ServiceRuntime, ServiceSettings
from tests.unit.services.factories import service
settings = ServiceSettings(runtime_dir=Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
launcher = LocalServiceLauncher(LocalServiceRegistry(ServiceRuntime(settings)))
specs = [
    service("postgres", "postgres:16", env={"POSTGRES_PASSWORD": "pw"}),
    service("redis", "redis:7"),
]
with launcher.start_all(specs, ServiceRequest("doomed job")) as started:
    print(json.dumps(started.contexts()), flush=True)
    time.sleep(120)
"""


@pytest.mark.parametrize(
    "ending", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT], ids=["SIGTERM", "SIGKILL", "SIGINT"]
)
def test_nothing_survives_the_job_process(runtime_base: Path, ending: signal.Signals) -> None:
    root = Path(__file__).resolve().parents[2]
    job = subprocess.Popen(
        [sys.executable, "-c", JOB, str(runtime_base), str(session_cache_dir())],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert job.stdout is not None
        contexts = json.loads(job.stdout.readline())
        assert set(contexts) == {"postgres", "redis"}
        assert leftovers(runtime_base) != []  # the services are really there
        job.send_signal(ending)
        job.wait(30)
    finally:
        job.kill()
        job.wait()
    assert wait_for_nothing_left(runtime_base) == []


def sleeper(argv: list[str], directory: Path, reaper: Reaper) -> ServiceProcess:
    directory.mkdir()
    (directory / "data").write_text("throwaway")
    with open(directory / "log", "wb") as log:
        return spawn(
            argv,
            run_dir=directory,
            log=log,
            env={"PATH": os.defpath},
            account=current_account(),
            reaper_client=reaper,
        )


def test_the_reaper_cleans_up_when_its_owner_goes_even_after_a_restart() -> None:
    base = new_runtime_base()
    with nothing_left_behind(base):
        reaper = Reaper()
        # a child that leaves the process group, as PostgreSQL's children do
        one = sleeper(["sh", "-c", "setsid sleep 60 & sleep 60 & wait"], base / "one", reaper)
        dead, _ = reaper._ensure_started()
        dead.kill()  # the reaper dies: the next message starts another that learns everything
        dead.wait()
        two = sleeper(["sleep", "60"], base / "two", reaper)
        deadline = time.monotonic() + 5
        while len(descendants(one.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(descendants(one.pid)) == 2
        current, fresh = reaper._ensure_started()
        assert current is not dead
        assert not fresh
        assert current.stdin is not None
        current.stdin.close()  # as if this process had died
        current.wait(10)
        assert one.popen.wait(10) == -signal.SIGKILL
        assert two.popen.wait(10) == -signal.SIGKILL


FIRST_START = """
import sys, time
from pathlib import Path
from conveyor.engine.ports.services import ServiceRequest
from conveyor.services.registry import LocalServiceRegistry
from conveyor.services.supervisor import LocalServiceLauncher
from conveyor.services.runtime import ServiceRuntime, ServiceSettings
from tests.unit.services.factories import service
settings = ServiceSettings(runtime_dir=Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
launcher = LocalServiceLauncher(LocalServiceRegistry(ServiceRuntime(settings)))
spec = service("postgres", "postgres:16", env={"POSTGRES_PASSWORD": "pw", "POSTGRES_DB": "app"})
with launcher.start_all([spec], ServiceRequest("doomed first start")):
    time.sleep(120)
"""


def _command_lines_below(pid: int) -> list[str]:
    lines = []
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            raw = Path(f"/proc/{child}/cmdline").read_bytes()
            lines.append(raw.replace(b"\0", b" ").decode("utf-8", "replace"))
    return lines


@pytest.mark.parametrize(
    "phase",
    ["initdb", "postgres --single", "cp -a"],
    ids=["during-initdb", "during-create-database", "during-the-template-copy"],
)
def test_a_sigkill_during_the_first_start_leaves_nothing(
    runtime_base: Path, tmp_path: Path, phase: str
) -> None:
    cache = tmp_path / "cache"  # empty: the template is made now
    root = Path(__file__).resolve().parents[2]
    job = subprocess.Popen([sys.executable, "-c", FIRST_START, str(runtime_base), str(cache)],
                           cwd=root)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not any(phase in line for line in _command_lines_below(job.pid)):
            assert job.poll() is None, f"the job ended before {phase}"
            assert time.monotonic() < deadline, f"never saw {phase}"
            time.sleep(0.005)
        job.kill()
        job.wait(30)
    finally:
        job.kill()
        job.wait()
    assert wait_for_nothing_left(runtime_base) == []
    # the reaper removes the directories one after the other, in no set order: a large
    # template copy may still be going away when the runtime directory is already gone
    assert _partial_templates_left(cache / "postgres") == []


def _partial_templates_left(folder: Path, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        left = [p.name for p in folder.iterdir() if not p.name.endswith(".lock")]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)
