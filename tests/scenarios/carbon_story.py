"""The harness of the Carbon Connect story (tests/scenarios/test_carbon_connect.py): a
CONVEYOR_HOME with the people's tokens, the hosted repository seeded with the sample
(examples/carbon-connect copied into a fresh git repository), its variables and placeholder
secrets; a client of the server's APIs whose waits are polls with a bound; the local platform
(`deploy/platform.py`) read and stopped with the story's DEPLOY_ROOT.

Every read is real state: the runs API, the local forge's API, git refs, HTTP answers of the
platform's live colour, rows of its PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.support.hosted_git import GitClient
from tests.support.serve_process import cli_ok

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "carbon-connect"
REPO = "acme/carbon-connect"
FORGE = f"/api/v3/repos/{REPO}"
SECRETS = ("AWS_ACCOUNT_ID", "CODECOV_TOKEN", "PROD_SUBNET_IDS", "STAGING_SUBNET_IDS",
           "PROD_SECURITY_GROUP", "STAGING_SECURITY_GROUP")  # fmt: skip
LEFT_OUT = {"node_modules", ".venv", "__pycache__", "site", ".next", "dist", "coverage",
            ".pytest_cache", ".mypy_cache", ".ruff_cache"}  # fmt: skip
T = TypeVar("T")


def sample_files() -> list[Path]:
    """The sample's files as conveyor's repository tracks them (relative to the sample), else
    every file but the build outputs."""
    done = subprocess.run(
        ["git", "ls-files", "-z", "--", "."], cwd=SAMPLE, capture_output=True, check=False
    )
    if done.returncode == 0 and done.stdout:
        return [Path(name) for name in done.stdout.decode().split("\0") if name]
    return [
        path.relative_to(SAMPLE) for path in SAMPLE.rglob("*")
        if path.is_file() and not LEFT_OUT & set(path.relative_to(SAMPLE).parts)
    ]  # fmt: skip


def copy_sample(target: Path) -> None:
    for relative in sample_files():
        source, copy = SAMPLE / relative, target / relative
        if source.is_file():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)


def poll(read: Callable[[], T | None], what: str, timeout: float) -> T:
    """`read()` until it gives something (not None), at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (found := read()) is None:
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f}s: {what}"
        time.sleep(0.5)
    return found


@dataclass
class Story:
    """One story's state: its directories, tokens, the work tree and the server's clients."""

    root: Path
    home: Path = field(init=False)
    deploy_root: Path = field(init=False)
    work: Path = field(init=False)
    git: GitClient = field(init=False)
    admin: str = ""  # mona, the maintainer
    manager: str = ""  # release-manager, production's required reviewer
    url: str = ""
    http: httpx.Client | None = None
    main: str = ""  # main's head once the first pull request is merged
    production: dict[str, Any] = field(default_factory=dict)  # live.json of the good release
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # the platform's PostgreSQL runs as an unprivileged user: every directory above its data
        # must be searchable by others, which a test's private tmp_path is not
        self.home = self.root / "home"
        self.deploy_root = Path(tempfile.mkdtemp(prefix="carbon-deploy-"))
        self.deploy_root.chmod(0o711)
        self.work, self.git = self.root / "carbon-connect", GitClient(self.root)

    # -- setting up -------------------------------------------------------------------------

    def set_up(self) -> None:
        """Tokens, the hosted repository seeded with the sample (as an imported repository: no
        event fires), its variables, placeholder secrets and the production environment."""
        home = self.home
        self.admin = cli_ok(home, "tokens", "create", "--name", "mona", "--role", "admin").strip()
        self.manager = cli_ok(
            home, "tokens", "create", "--name", "release-manager", "--role", "write"
        ).strip()
        cli_ok(home, "repos", "create", REPO)
        cli_ok(home, "vars", "set", "DEPLOY_ROOT", str(self.deploy_root), "--repo", REPO)
        for name in SECRETS:
            cli_ok(home, "secrets", "set", name, "--repo", REPO, stdin=f"placeholder-{name}\n")
        self.git.ok(self.root, "init", "-q", "-b", "main", str(self.work))
        copy_sample(self.work)
        self.git.commit(self.work, {}, "Carbon Connect")
        bare = home / "server" / "hosted" / REPO.split("/")[0] / "carbon-connect.git"
        self.git.ok(self.work, "push", "-q", str(bare), "main")

    def connect(self, url: str) -> httpx.Client:
        self.url = url
        auth = {"Authorization": f"Bearer {self.admin}"}
        self.http = httpx.Client(base_url=url, headers=auth, timeout=30)
        return self.http

    @property
    def api(self) -> httpx.Client:
        assert self.http is not None
        return self.http

    def remote(self) -> str:
        return self.git.url(self.url, REPO, self.admin)

    # -- git --------------------------------------------------------------------------------

    def branch(self, name: str, files: dict[str, str | bytes], message: str, base: str) -> str:
        """A branch from `base` with `files` changed, pushed; its head."""
        self.git.ok(self.work, "switch", "-q", "-C", name, base)
        head = self.git.commit(self.work, files, message)
        self.git.ok(self.work, "push", "-q", "--force", self.remote(), name)
        return head

    def push_tag(self, tag: str, commit: str) -> None:
        self.git.ok(self.work, "tag", "-f", tag, commit)
        self.git.ok(self.work, "push", "-q", self.remote(), f"refs/tags/{tag}")

    def ref(self, name: str) -> str | None:
        lines = self.git.ok(self.work, "ls-remote", self.remote(), name).splitlines()
        return lines[0].split()[0] if lines else None

    def edit(self, relative: str, change: Callable[[str], str]) -> str:
        return change((self.work / relative).read_text(encoding="utf-8"))

    # -- the server's APIs ------------------------------------------------------------------

    def last_run_id(self) -> int:
        runs = self.api.get("/api/v1/runs", params={"limit": 1}).json()["runs"]
        return int(runs[0]["id"]) if runs else 0

    def runs_after(self, after: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 200, "repo": REPO}
            if cursor:
                params["cursor"] = cursor
            page = self.api.get("/api/v1/runs", params=params).json()
            found += [run for run in page["runs"] if run["id"] > after]
            cursor = page["next_cursor"]
            if cursor is None or page["runs"][-1]["id"] <= after:
                return found

    def wait_runs(
        self, after: int, workflows: Iterable[str], timeout: float = 1800,
        event: str | None = None,
    ) -> dict[str, dict[str, Any]]:  # fmt: skip
        """The newest run of each of `workflows` started after run `after` (by event), once
        every one of them completed."""
        wanted = set(workflows)

        def read() -> dict[str, dict[str, Any]] | None:
            runs = [r for r in self.runs_after(after) if event is None or r["event"] == event]
            newest: dict[str, dict[str, Any]] = {}
            for run in sorted(runs, key=lambda r: r["id"]):
                newest[run["workflow"]] = run
            chosen = {name: newest[name] for name in wanted if name in newest}
            done = len(chosen) == len(wanted)
            return (
                chosen
                if done and all(r["status"] == "completed" for r in chosen.values())
                else None
            )

        return poll(read, f"runs of {sorted(wanted)} after #{after}", timeout)

    def wait_status(self, run_id: int, status: str, timeout: float = 1200) -> dict[str, Any]:
        def read() -> dict[str, Any] | None:
            run: dict[str, Any] = self.api.get(f"/api/v1/runs/{run_id}").json()
            return run if run["status"] == status else None

        return poll(read, f"run #{run_id} {status}", timeout)

    def run(self, run_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self.api.get(f"/api/v1/runs/{run_id}").json()
        return found

    def jobs(self, run_id: int) -> dict[str, str | None]:
        """Each job's conclusion (by name) in a run."""
        return {job["name"]: job["conclusion"] for job in self.run(run_id)["jobs"]}

    def forge(self, path: str, **params: Any) -> Any:
        answer = self.api.get(f"{FORGE}{path}", params=params)
        assert answer.status_code == 200, (path, answer.status_code, answer.text)
        return answer.json()

    def open_pull(self, head: str, title: str, body: str) -> int:
        made = self.api.post(
            f"{FORGE}/pulls", json={"head": head, "base": "main", "title": title, "body": body}
        )
        assert made.status_code == 201, made.text
        return int(made.json()["number"])

    def checks(self, sha: str) -> dict[str, str | None]:
        runs = self.forge(f"/commits/{sha}/check-runs", per_page=100)["check_runs"]
        return {run["name"]: run["conclusion"] for run in runs}

    def labels(self, number: int) -> set[str]:
        return {label["name"] for label in self.forge(f"/issues/{number}/labels")}

    def comments(self, number: int) -> list[str]:
        return [comment["body"] for comment in self.forge(f"/issues/{number}/comments")]

    # -- the local platform -----------------------------------------------------------------

    def platform(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONVEYOR_")}
        done = subprocess.run(
            [sys.executable, "deploy/platform.py", *args], cwd=SAMPLE,
            env=env | {"DEPLOY_ROOT": str(self.deploy_root)},
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert not check or done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def live(self, env: str) -> dict[str, Any]:
        live: dict[str, Any] = json.loads((self.deploy_root / env / "live.json").read_text())
        return live

    def health(self, env: str) -> dict[str, Any]:
        port = self.live(env)["port"]
        answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def database_url(self, env: str) -> str:
        """The environment's PostgreSQL, as psycopg takes it."""
        shown = self.platform("status", "--env", env, "--json", "--show-secrets").stdout
        url = str(json.loads(shown)["database_url"])
        return url.replace("postgresql+psycopg://", "postgresql://")

    def shut_down(self) -> None:
        """Everything the platform started for this story (`down --all`, its DEPLOY_ROOT)."""
        if self.deploy_root.exists():
            self.platform("down", "--all", check=False)
            shutil.rmtree(self.deploy_root, ignore_errors=True)
        if self.http is not None:
            self.http.close()
