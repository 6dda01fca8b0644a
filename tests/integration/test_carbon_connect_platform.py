"""The Carbon Connect sample's deploy tool (examples/carbon-connect/deploy/platform.py), driven as
a subprocess, as its workflows drive it: up → build → migrate → blue live → smoke → green live
with a second image and a migration → rollback to blue with the backup restored → down --all.

Every check reads real state: HTTP answers of the live port, live.json, rows and revisions in
PostgreSQL (psycopg), processes in /proc. The backend is the sample's own
(examples/carbon-connect/backend/); the first build installs its requirements from the package
index (PyPI), the second reuses that virtualenv.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from conveyor.cli import main as cli_main

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "examples" / "carbon-connect" / "deploy"
BACKEND = REPO / "examples" / "carbon-connect" / "backend"
BACKEND_IGNORED = (".venv", "__pycache__", "*_cache", ".coverage", "coverage.xml", "htmlcov")
MARKER = "DEPLOY_PLATFORM_ROOT"
SECOND_MIGRATION = '''"""A note per grant (the deploy tool's test: a second image, a migration)."""

from alembic import op

revision = "platform_test"
down_revision = "{head}"


def upgrade() -> None:
    op.execute("ALTER TABLE grants ADD COLUMN platform_note text")
'''
_REVISION = re.compile(r"^revision(?:: *str)? *= *[\"']([^\"']+)", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:: *[\w |]+)? *= *[\"']([^\"']+)", re.MULTILINE)
UNSET_HINT = "name the directory that holds the platform"
JOB_TOKEN = "the-ci-job-token"  # conveyor's reaper ends every process that carries it
UP_WORKFLOW = """
on: push
jobs:
  up:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python3 deploy/platform.py up --env staging
      - uses: ./deploy/actions/platform
        id: backup
        with:
          command: backup
          env: staging
      - run: echo "${{ steps.backup.outputs.backup-id }}" > "$DEPLOY_ROOT/backup-id"
      - run: python3 deploy/platform.py status --env staging --json > "$DEPLOY_ROOT/status.json"
"""
INDEX_DOWN = ("Could not find a version", "Failed to establish", "No matching distribution")


@dataclass
class Platform:
    repo: Path
    root: Path
    outputs: Path
    timings: dict[str, list[float]] = field(default_factory=dict)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DEPLOY_ROOT", "GITHUB_OUTPUT")}
        env |= {"DEPLOY_ROOT": str(self.root), "GITHUB_OUTPUT": str(self.outputs)}
        env |= {"CONVEYOR_JOB_TOKEN": JOB_TOKEN, "RUNNER_TRACKING_ID": JOB_TOKEN}
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "deploy/platform.py", *args],
            cwd=self.repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        command = args[0]
        self.timings.setdefault(command, []).append(round(time.monotonic() - started, 2))
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def outputs_now(self) -> dict[str, str]:
        lines = self.outputs.read_text().splitlines() if self.outputs.exists() else []
        return dict(line.split("=", 1) for line in lines)

    def live(self) -> dict[str, Any]:
        return json.loads((self.root / "staging" / "live.json").read_text())

    def database_url(self) -> str:
        url = self.json("status", "--env", "staging", "--show-secrets")["database_url"]
        return str(url).replace("postgresql+psycopg://", "postgresql://")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url(), autocommit=True) as connection:
            return connection.execute(sql).fetchall()

    def commit(self, message: str) -> None:
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run(["git", "add", "-A"], cwd=self.repo, check=True)
        subprocess.run([*git, "commit", "-qm", message], cwd=self.repo, check=True)


@pytest.fixture
def platform() -> Iterator[Platform]:
    # Not under pytest's tmp_path: /tmp/pytest-of-root is 0700, and PostgreSQL's unprivileged
    # user must reach its data directory through every directory above it.
    base = Path(tempfile.mkdtemp(prefix="carbon-platform-", dir="/tmp"))
    base.chmod(0o755)
    repo = base / "repo"
    shutil.copytree(DEPLOY, repo / "deploy", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(BACKEND, repo / "backend", ignore=shutil.ignore_patterns(*BACKEND_IGNORED))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    found = Platform(repo, base / "root", base / "github-output")
    found.commit("the sample")
    try:
        yield found
    finally:
        found.run("down", "--all", ok=False)
        print(f"\nplatform timings (s): {found.timings}")
        shutil.rmtree(base, ignore_errors=True)


def _health(port: int) -> dict[str, Any]:
    answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
    assert answer.status_code == 200
    return dict(answer.json())


def _refuses(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def _platform_processes(root: Path, sessions: set[int]) -> list[int]:
    """Processes carrying the platform's marker or in the session of one it started."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            session = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3])
        except (OSError, ValueError, IndexError):
            continue
        if f"{MARKER}={root}".encode() in environ or session in sessions:
            found.append(int(entry.name))
    return [pid for pid in found if _alive(pid)]


def _detached(pid: int) -> bool:
    """A session of its own, and none of the CI job's variables (so the job's end spares it)."""
    session = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    return session == pid and JOB_TOKEN.encode() not in environ and b"CONVEYOR_" not in environ


def _head_revision(versions: Path) -> str:
    """The backend's newest Alembic revision: the one no other revision follows."""
    texts = [path.read_text() for path in versions.glob("*.py")]
    revisions = {m.group(1) for text in texts for m in _REVISION.finditer(text)}
    followed = {m.group(1) for text in texts for m in _DOWN.finditer(text)}
    (head,) = revisions - followed
    return head


def _grant(port: int, title: str) -> int:
    answer = httpx.post(
        f"http://127.0.0.1:{port}/api/v1/grants",
        timeout=10,
        json={"title": title, "description": f"{title}: a grant of the deploy tool's test"},
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _pids(platform: Platform) -> dict[str, int]:
    parts = platform.json("status", "--env", "staging")["processes"]
    return {name: part["pid"] for name, part in parts.items() if part["running"]}


def _build(platform: Platform, tag: str) -> dict[str, Any]:
    result = platform.run("build", "--tag", tag, "--json", ok=False)
    log = platform.root / "images" / tag / "build.log"
    text = log.read_text() if log.exists() else ""
    if result.returncode != 0 and any(sign in text for sign in INDEX_DOWN):
        pytest.skip(f"the package index does not answer: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr + text[-2000:]
    return dict(json.loads(result.stdout))


@pytest.mark.registry  # the first build installs the backend's requirements from PyPI
@pytest.mark.timeout(600)  # ~2.5 min here, most of it pip installing the first image
def test_platform_deploys_blue_green_smokes_rolls_back_with_the_backup_and_leaves_nothing(
    platform: Platform,
) -> None:
    # up: PostgreSQL with pgvector, not as root; Redis; a second up changes nothing
    up = platform.json("up", "--env", "staging")
    assert up["postgres"]["started"]
    assert up["redis"]["started"]
    pids = _pids(platform)
    uid_line = Path(f"/proc/{pids['postgres']}/status").read_text().split("Uid:")[1]
    assert int(uid_line.split()[0]) != 0
    available = platform.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    assert available == [(1,)]
    with socket.create_connection(("127.0.0.1", up["redis"]["port"]), timeout=5) as redis:
        redis.sendall(b"PING\r\n")
        assert redis.recv(16).startswith(b"+PONG")
    again = platform.json("up", "--env", "staging")
    assert not again["postgres"]["started"]
    assert not again["redis"]["started"]
    assert _pids(platform) == pids

    # build v1: the backend at HEAD with its virtualenv
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=platform.repo, text=True, capture_output=True, check=True
    ).stdout.strip()
    v1 = _build(platform, "v1")
    assert v1["commit"] == head
    assert v1["built"]
    assert (platform.root / "images" / "v1" / "venv" / "bin" / "python").exists()
    assert platform.run("image-exists", "--tag", "v1").returncode == 0
    assert platform.run("image-exists", "--tag", "nope", ok=False).returncode == 1

    # migrate: the migrations ran (the vector extension first), up to the backend's head
    head = _head_revision(platform.repo / "backend" / "migrations" / "versions")
    assert platform.json("migrate", "--env", "staging", "--tag", "v1")["migrated"] is True
    assert platform.outputs_now()["migrated"] == "true"
    assert platform.query("SELECT version_num FROM alembic_version") == [(head,)]
    assert platform.query("SELECT extname FROM pg_extension WHERE extname = 'vector'")
    assert platform.json("migrate", "--env", "staging", "--tag", "v1")["migrated"] is False

    # blue live with v1; the smoke test passes; workers run
    blue = platform.json("deploy-api", "--env", "staging", "--tag", "v1")
    assert platform.live()["colour"] == "blue"
    assert platform.live()["previous"] is None
    assert _health(blue["port"])["version"] == "v1"
    platform.run("smoke", "--env", "staging")
    wanted = _grant(blue["port"], "Heat pumps for the village hall")
    match = httpx.get(
        f"http://127.0.0.1:{blue['port']}/api/v1/grants/match",
        params={"q": "Heat pumps for the village hall", "limit": 1},
        timeout=10,
    ).json()
    assert match[0]["id"] == wanted
    platform.run("deploy-workers", "--env", "staging", "--tag", "v1")
    pids = _pids(platform)
    assert {"worker", "beat", "api-blue"} <= set(pids)
    assert all(_detached(pid) for pid in pids.values()), pids

    # backup, then a row written after it
    backup_id = platform.run("backup", "--env", "staging").stdout.strip()
    assert platform.outputs_now()["backup-id"] == backup_id
    assert (platform.root / "staging" / "backups" / f"{backup_id}.dump").stat().st_size > 0
    late_id = _grant(blue["port"], "Written after the backup")

    # v2 (a second migration) goes live in green; blue is stopped
    versions = platform.repo / "backend" / "migrations" / "versions"
    (versions / "9999_platform_test.py").write_text(SECOND_MIGRATION.format(head=head))
    platform.commit("a note per grant")
    v2 = _build(platform, "v2")
    assert v2["venv_from"] == "v1"
    assert platform.json("migrate", "--env", "staging", "--tag", "v2")["migrated"] is True
    green = platform.json("deploy-api", "--env", "staging", "--tag", "v2")
    live = platform.live()
    assert (live["colour"], live["tag"], live["port"]) == ("green", "v2", green["port"])
    assert live["previous"] == {"colour": "blue", "port": blue["port"], "tag": "v1"}
    assert _health(green["port"])["version"] == "v2"
    assert _refuses(blue["port"])
    assert not _alive(pids["api-blue"])
    platform.run("deploy-workers", "--env", "staging", "--tag", "v2")

    columns = "SELECT column_name FROM information_schema.columns WHERE table_name = 'grants'"
    assert ("platform_note",) in platform.query(columns)

    # rollback to blue (v1) with the backup restored: the late row and the migration are gone
    rolled = platform.json("rollback", "--env", "staging", "--restore", backup_id)
    live = platform.live()
    assert (live["colour"], live["tag"]) == ("blue", "v1")
    assert live["previous"]["colour"] == "green"
    assert _health(rolled["port"])["version"] == "v1"
    assert _refuses(green["port"])
    gone = httpx.get(f"http://127.0.0.1:{rolled['port']}/api/v1/grants/{late_id}", timeout=10)
    assert gone.status_code == 404
    assert platform.query("SELECT version_num FROM alembic_version") == [(head,)]
    assert ("platform_note",) not in platform.query(columns)
    workers = platform.json("status", "--env", "staging")["processes"]
    assert (workers["worker"]["tag"], workers["beat"]["tag"]) == ("v1", "v1")
    assert _alive(workers["worker"]["pid"])
    assert _alive(workers["beat"]["pid"])
    platform.run("smoke", "--env", "staging")
    platform.run("smoke", "--env", "staging")  # again: its probe grant is there already

    # down --all: no process of the platform is left
    sessions = set(_pids(platform).values())
    platform.run("down", "--all")
    assert _platform_processes(platform.root, sessions) == []
    assert _refuses(rolled["port"])
    assert _refuses(up["redis"]["port"])


def test_platform_errors_are_one_line(platform: Platform) -> None:
    unset = subprocess.run(
        [sys.executable, "deploy/platform.py", "up", "--env", "staging"],
        cwd=platform.repo,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "DEPLOY_ROOT"},
    )
    assert unset.returncode == 1
    assert (
        unset.stderr
        == "platform: error: DEPLOY_ROOT is not set: name the directory that holds the platform\n"
    )
    unknown = platform.run("up", "--env", "qa", ok=False)
    assert unknown.returncode == 2
    assert len(unknown.stderr.splitlines()) == 1
    no_live = platform.run("smoke", "--env", "production", ok=False)
    assert no_live.returncode == 1
    assert no_live.stderr.startswith("platform: error: production has no live API")
    not_up = platform.run("deploy-api", "--env", "production", "--tag", "v1", ok=False)
    assert "image 'v1' does not exist" in not_up.stderr
    assert "Traceback" not in not_up.stderr


def test_platform_processes_outlive_the_conveyor_job_that_started_them(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = platform.repo / ".github" / "workflows" / "up.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(UP_WORKFLOW)
    platform.commit("a workflow that brings staging up")
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")
    monkeypatch.setenv("DEPLOY_ROOT", str(platform.root))
    code = cli_main.run_cli(["run", str(platform.repo), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["conclusion"] == "success"
    # the job has ended (conveyor stopped its leftovers); the platform still runs and answers
    status = json.loads((platform.root / "status.json").read_text())
    parts = status["processes"]
    assert parts["postgres"]["running"]
    assert parts["redis"]["running"]
    assert _alive(parts["postgres"]["pid"])
    assert _alive(parts["redis"]["pid"])
    assert platform.query("SELECT 1") == [(1,)]
    assert not _refuses(parts["redis"]["port"])
    # the composite action ran a command and handed its output on
    backup_id = (platform.root / "backup-id").read_text().strip()
    assert (platform.root / "staging" / "backups" / f"{backup_id}.dump").stat().st_size > 0
