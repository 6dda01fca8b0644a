"""`services:` under `conveyor run`, end to end: real PostgreSQL + pgvector and Redis per job,
configured by conveyor.toml, and nothing left once the run is over — whatever ended it.

Each test runs the real `conveyor` command in a subprocess with a private CONVEYOR_HOME, TMPDIR,
user config directory and services runtime directory (set in the repository's conveyor.toml),
and a marker in its environment, then lists processes and directories before, during and after.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conveyor.cli.main import run_cli
from conveyor.services.accounts import service_account
from tests.conftest import REPO_ROOT
from tests.unit.executors.harness import make_repo
from tests.unit.services.real_services import (
    new_runtime_base,
    session_cache_dir,
    shared_memory_of_services,
)

pytestmark = pytest.mark.integration

EXAMPLE = REPO_ROOT / "examples" / "services"
MARK = "CONVEYOR_SERVICES_TEST_MARK"
SERVICE_COMMANDS = ("postgres", "redis-server", "valkey-server")


def conveyor_command() -> list[str]:
    installed = Path(sys.executable).with_name("conveyor")
    if installed.is_file():
        return [str(installed)]
    return [sys.executable, "-c", "from conveyor.cli.main import main; main()"]


@dataclass
class Sandbox:
    root: Path
    runtime: Path  # the services runtime-dir conveyor.toml names
    mark: str

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def barrier(self) -> Path:
        return self.root / "barrier"

    @property
    def output(self) -> Path:
        return self.root / "output.txt"

    def repository(self, files: Mapping[str, str]) -> Path:
        toml = f'[services]\nruntime-dir = "{self.runtime}"\nstartup-timeout = 30\n'
        return make_repo(self.root / "repo", {**files, "conveyor.toml": toml})

    def env(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("CONVEYOR_")}
        return inherited | {
            "CONVEYOR_HOME": str(self.home),
            "CONVEYOR_PLAIN": "1",
            "CONVEYOR_SERVICES_CACHE_DIR": str(session_cache_dir()),  # warm templates
            "TMPDIR": str(self.tmp),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            MARK: self.mark,
        }

    def conveyor(self, repo: Path, *args: str) -> subprocess.Popen[str]:
        with open(self.output, "w") as output:
            return subprocess.Popen(
                [*conveyor_command(), "run", str(repo), *args],
                env=self.env(),
                stdout=subprocess.PIPE,
                stderr=output,
                text=True,
            )

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, process: subprocess.Popen[str], ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 60
        while not ready():
            assert process.poll() is None, f"conveyor ended early:\n{self.text()}"
            assert time.monotonic() < deadline, f"timed out:\n{self.text()}"
            time.sleep(0.02)

    def survivors(self) -> list[str]:
        """Processes of this run (by marker, or working under its directories) and the files
        left in its runtime and temporary directories, and its run directories."""
        places = (self.runtime, self.tmp, self.home)
        found = [f"process {p}" for p in processes() if p.marked(self.mark) or p.under(places)]
        found += [f"runtime: {name}" for name in sorted(os.listdir(self.runtime))]
        found += [f"tmp: {name}" for name in sorted(os.listdir(self.tmp))]
        found += [f"run directory: {path}" for path in (self.home / "runs").glob("*")]
        return found

    def nothing_survives(self) -> list[str]:
        deadline = time.monotonic() + 10  # the reaper may take a moment to go
        while (found := self.survivors()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return found


@dataclass(frozen=True)
class Process:
    pid: int
    uid: int
    command: str
    cwd: str
    environ: bytes

    def marked(self, mark: str) -> bool:
        return f"{MARK}={mark}".encode() in self.environ.split(b"\0")

    def under(self, places: tuple[Path, ...]) -> bool:
        return any(self.cwd.startswith(str(p)) or str(p) in self.command for p in places)

    @property
    def name(self) -> str:
        return Path(self.command.split(" ", 1)[0]).name if self.command else ""

    def __str__(self) -> str:
        return f"{self.pid} (uid {self.uid}): {self.command} (cwd {self.cwd})"


def processes() -> list[Process]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append(
                Process(
                    int(entry.name),
                    entry.stat().st_uid,
                    command.strip(),
                    os.readlink(entry / "cwd"),
                    (entry / "environ").read_bytes(),
                )
            )
        except OSError:
            continue
    return found


def service_processes(runtime: Path) -> list[Process]:
    """The PostgreSQL and Redis processes working in `runtime`."""
    return [
        p for p in processes() if p.under((runtime,)) and p.name.split(":")[0] in SERVICE_COMMANDS
    ]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    runtime = new_runtime_base()  # the service account must be able to traverse it
    box = Sandbox(tmp_path, runtime, uuid.uuid4().hex)
    for directory in (box.home, box.tmp, box.barrier):
        directory.mkdir()
    shared_memory = shared_memory_of_services()
    try:
        yield box
        deadline = time.monotonic() + 5
        while (new := shared_memory_of_services() - shared_memory) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(new) == []
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def example_files() -> dict[str, str]:
    return {
        str(path.relative_to(EXAMPLE)): path.read_text(encoding="utf-8")
        for path in EXAMPLE.rglob("*")
        if path.is_file()
    }


def jobs_of(record: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The `--json` record's jobs by id."""
    return {job["id"]: job for job in record["jobs"]}


def test_two_parallel_jobs_with_postgres_and_redis_leave_nothing(sandbox: Sandbox) -> None:
    repo = sandbox.repository(example_files())
    barrier = f"BARRIER={sandbox.barrier}"
    process = sandbox.conveyor(repo, "--json", "--parallel", "2", "--env", barrier)
    try:
        # Both jobs wait at the rendezvous: look at their services, then let them go on.
        jobs = ("vectors-a", "vectors-b")
        sandbox.wait_for(process, lambda: all((sandbox.barrier / j).exists() for j in jobs))
        kinds = sorted(name.split("-")[1] for name in os.listdir(sandbox.runtime))
        assert kinds == ["postgres", "postgres", "redis", "redis"]  # conveyor.toml's runtime-dir
        running = service_processes(sandbox.runtime)
        assert {p.name.split(":")[0] for p in running} == {"postgres", "redis-server"}
        assert {p.uid for p in running} == {service_account().uid}
        alive = sandbox.survivors()  # what the final check looks for is really there now
        assert any(s.startswith("process") for s in alive)
        assert any("runtime:" in s for s in alive)
        (sandbox.barrier / "go").touch()
        out, _ = process.communicate(timeout=120)
    finally:
        process.kill()
        process.wait()
    text = sandbox.text()
    assert process.returncode == 0, text
    record = json.loads(out)
    assert record["conclusion"] == "success"
    runs = jobs_of(record)
    assert sorted(runs) == ["vectors-a", "vectors-b"]
    for job in runs.values():
        assert job["conclusion"] == "success"
        assert [s["outcome"] for s in job["steps"]] == ["success"] * 6  # rendezvous included
        assert job["outputs"]["nearest"] == "2"
    pg_ports = {job["outputs"]["postgres-port"] for job in runs.values()}
    redis_ports = {job["outputs"]["redis-port"] for job in runs.values()}
    assert len(pg_ports) == 2
    assert len(redis_ports) == 2
    assert "nearest neighbour: 2" in text
    assert text.count('password authentication failed for user "app"') >= 2
    assert_service_logs_kept(sandbox.home, text)
    assert sandbox.nothing_survives() == []


def assert_service_logs_kept(home: Path, text: str) -> None:
    """Each job's service logs are kept after the run, and its log says where."""
    for job in ("vectors-a", "vectors-b"):
        logs = {path.name: path for path in home.glob(f"services/*/{job}/*.log")}
        assert sorted(logs) == ["postgres.log", "redis.log"]
        postgres = logs["postgres.log"].read_text(encoding="utf-8")
        assert "database system is ready to accept connections" in postgres
        assert 'password authentication failed for user "app"' in postgres
        assert "Ready to accept connections" in logs["redis.log"].read_text(encoding="utf-8")
        (job_log,) = home.glob(f"logs/*/services/{job}.log")
        for path in logs.values():
            assert f"log: {path}" in job_log.read_text(encoding="utf-8")
            assert f"log: {path}" in text


FAILING = """
on: push
jobs:
  unhealthy:
    runs-on: ubuntu-latest
    services:
      cache:
        image: redis:7
        options: >-
          --health-cmd "echo probe-says-no; exit 1"
          --health-interval 50ms --health-timeout 5s --health-retries 3
    steps:
      - run: echo "$((6 * 7))-must-not-run"
  failing:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
        env: {POSTGRES_PASSWORD: pw}
      redis:
        image: redis:7
    steps:
      - run: redis-cli -p ${{ job.services.redis.ports['6379'] }} ping
      - run: exit 3
      - if: always()
        run: echo "$((6 * 7))-cleanup-step"
"""


def test_an_unhealthy_service_and_a_failing_step_fail_and_leave_nothing(
    sandbox: Sandbox,
) -> None:
    repo = sandbox.repository({".github/workflows/failing.yml": FAILING})
    process = sandbox.conveyor(repo, "--json", "--parallel", "2")
    out, _ = process.communicate(timeout=120)
    text = sandbox.text()
    assert process.returncode == 1, text
    runs = jobs_of(json.loads(out))
    unhealthy, failing = runs["unhealthy"], runs["failing"]
    assert unhealthy["conclusion"] == "failure"
    assert unhealthy["steps"] == []
    assert "42-must-not-run" not in text
    assert "service cache (redis:7)" in str(unhealthy["error"])
    # the message ends with the tail of the service's log, shown in the output
    assert "--- last lines of " in text
    assert "Ready to accept connections" in text
    (log,) = sandbox.home.glob("services/*/unhealthy/cache.log")
    assert "Ready to accept connections" in log.read_text(encoding="utf-8")
    assert failing["conclusion"] == "failure"
    assert [s["outcome"] for s in failing["steps"]] == ["success", "failure", "success"]
    assert "PONG" in text
    assert "42-cleanup-step" in text
    assert sandbox.nothing_survives() == []


INTERRUPTED = """
on: push
jobs:
  interrupted:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: pgvector/pgvector:pg16
        env: {POSTGRES_PASSWORD: pw}
        ports: ['5432:5432']
      redis:
        image: redis:7
        ports: ['6379:6379']
    steps:
      - run: echo "$((6 * 7))-started"; sleep 4323.5
      - if: always()
        run: |
          redis-cli -p ${{ job.services.redis.ports['6379'] }} ping
          port=${{ job.services.postgres.ports['5432'] }}
          psql "postgresql://postgres:pw@localhost:$port/postgres" -XAtc "select 'still-' || 'up'"
"""


def test_ctrl_c_mid_job_stops_the_services_and_leaves_nothing(sandbox: Sandbox) -> None:
    repo = sandbox.repository({".github/workflows/interrupted.yml": INTERRUPTED})
    process = sandbox.conveyor(repo, "--json")  # the human output to stderr, as it comes
    try:
        sandbox.wait_for(process, lambda: "42-started" in sandbox.text())
        assert len(service_processes(sandbox.runtime)) > 2  # postgres' and redis' processes
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    text = sandbox.text()
    assert process.returncode == 130, text
    assert "PONG" in text
    assert "still-up" in text
    assert sandbox.nothing_survives() == []


NEVER_HEALTHY = """
on: push
jobs:
  waiting:
    runs-on: ubuntu-latest
    services:
      cache:
        image: redis:7
        options: >-
          --health-cmd "exit 1"
          --health-interval 60s --health-timeout 5s --health-retries 4
    steps:
      - run: echo "$((6 * 7))-must-not-run"
"""


def test_ctrl_c_while_a_service_becomes_healthy_cancels_at_once(sandbox: Sandbox) -> None:
    repo = sandbox.repository({".github/workflows/waiting.yml": NEVER_HEALTHY})
    process = sandbox.conveyor(repo, "--json")
    try:
        sandbox.wait_for(process, lambda: bool(service_processes(sandbox.runtime)))
        interrupted = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
        took = time.monotonic() - interrupted
    finally:
        process.kill()
        process.wait()
    text = sandbox.text()
    assert process.returncode == 130, text
    assert took < 5, text  # not the 60 s until the next health probe
    (job,) = json.loads(out)["jobs"]
    assert job["conclusion"] == "cancelled"
    assert "42-must-not-run" not in text
    assert sandbox.nothing_survives() == []


CONTAINER = """
on: push
jobs:
  boxed:
    runs-on: ubuntu-latest
    container: node:20-bookworm-slim
    steps:
      - run: echo "$((6 * 7))-on-the-host"
"""


def test_the_container_policy_of_conveyor_toml_and_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = "[services]\ncontainer = 'fail'\n"
    files = {".github/workflows/boxed.yml": CONTAINER, "conveyor.toml": toml}
    repo = make_repo(tmp_path / "repo", files)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CONVEYOR_SERVICES_CONTAINER", raising=False)
    assert run_cli(["run", str(repo), "--json"]) == 1
    out, err = capsys.readouterr()
    (job,) = json.loads(out)["jobs"]
    assert "container image 'node:20-bookworm-slim'" in str(job["error"])
    assert "42-on-the-host" not in err
    assert "is not used" not in err  # no warning about running on the host: it does not
    monkeypatch.setenv("CONVEYOR_SERVICES_CONTAINER", "host")  # the variable wins
    assert run_cli(["run", str(repo), "--json"]) == 0
    out, err = capsys.readouterr()
    assert "42-on-the-host" in err
    assert "container 'node:20-bookworm-slim' is not used" in err  # the warning names it


PLAIN = """
on: push
jobs:
  plain:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$((6 * 7))-ran"
"""


def test_a_bad_services_table_is_a_usage_error_before_any_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = "[services]\ncontainer = 'sometimes'\n"
    files = {".github/workflows/plain.yml": PLAIN, "conveyor.toml": toml}
    repo = make_repo(tmp_path / "repo", files)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("CONVEYOR_HOME", str(tmp_path / "home"))
    assert run_cli(["run", str(repo)]) == 2  # although no job has services
    out, err = capsys.readouterr()
    assert f"{repo / 'conveyor.toml'}: [services]" in err
    assert "container" in err
    assert "42-ran" not in out + err


SECRET = "Tok3n-ABCdef-98765-zyx"
SECRETIVE = """
on: push
jobs:
  secretive:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: ${{ secrets.TOKEN }}
    steps:
      - name: The secret reaches the server's log (as a user name)
        run: |
          at="localhost:${{ job.services.postgres.ports['5432'] }}/postgres"
          psql "postgresql://${{ secrets.TOKEN }}:x@$at" -XAtc 'select 1' || true
          psql "postgresql://postgres:$PGPASS@$at" -XAtc "select 'in-' || 'use'"
        env:
          PGPASS: ${{ secrets.TOKEN }}
      - name: Rendezvous
        run: |
          touch "$BARRIER/secretive"
          for _ in $(seq 3000); do test -e "$BARRIER/go" && exit 0; sleep 0.02; done
          exit 1
"""


def test_service_logs_are_masked_as_written_and_every_file_is_private(sandbox: Sandbox) -> None:
    from tests.integration.file_audit import audit

    repo = sandbox.repository({".github/workflows/secretive.yml": SECRETIVE})
    sandbox.home.rmdir()  # CONVEYOR_HOME made by conveyor itself
    args = ("--json", "--secret", f"TOKEN={SECRET}", "--env", f"BARRIER={sandbox.barrier}")
    process = sandbox.conveyor(repo, *args)
    try:
        sandbox.wait_for(process, lambda: (sandbox.barrier / "secretive").exists())
        during = audit(sandbox.home, SECRET)  # workspace, RUNNER_TEMP, live service log
        (sandbox.barrier / "go").touch()
        out, _ = process.communicate(timeout=120)
    finally:
        process.kill()
        process.wait()
    text = sandbox.text()
    assert json.loads(out)["conclusion"] == "success", text
    assert "in-use" in text
    assert [problem for problem in during if "holds" in problem] == []
    assert during == []  # modes
    assert audit(sandbox.home, SECRET) == []
    (log,) = sandbox.home.glob("services/*/secretive/postgres.log")
    assert 'password authentication failed for user "***"' in log.read_text(encoding="utf-8")
    assert sandbox.nothing_survives() == []
